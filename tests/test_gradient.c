/* G_F closed forms (doc/mathematics.md section 2) checked by independent routes. */
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "characters.h"
#include "fourier.h"
#include "gradient.h"
#include "group.h"
#include "model.h"
#include "tap.h"

/* Lazy-stage loss L(F) = 1/2 |P(Y - F V)|^2 at fixed V. */
static double lazy_loss(const double *F, const int *y, const double *V, size_t n, size_t K,
                        size_t M)
{
  double *r = calloc(n * M, sizeof *r), *mean = calloc(M, sizeof *mean), L = 0;
  for (size_t s = 0; s < n; s++)
    for (size_t c = 0; c < M; c++) {
      double o = 0;
      for (size_t j = 0; j < K; j++)
        o += F[s * K + j] * V[j * M + c];
      r[s * M + c] = (y[s] == (int)c) - o;
      mean[c] += r[s * M + c] / (double)n;
    }
  for (size_t i = 0; i < n * M; i++)
    L += 0.5 * pow(r[i] - mean[i % M], 2);
  free(r);
  free(mean);
  return L;
}

static void random_problem(gsl_rng *rng, size_t n, size_t K, size_t M, double *F, int *y)
{
  for (size_t i = 0; i < n * K; i++)
    F[i] = gsl_ran_gaussian(rng, 1.0) + 0.3;
  for (size_t s = 0; s < n; s++)
    y[s] = (int)gsl_rng_uniform_int(rng, M);
}

/* ---- the chain rule through the network's top layer (li2 gradient) ---- */

/* A random 2-layer network: backprop of the lazy-stage loss at V = V*
 * through li2_model_backward_from_outputs equals the closed form. */
static void test_model_backprop(gsl_rng *rng, size_t M, size_t K, size_t n)
{
  li2_error err = {0};
  li2_model *m = li2_model_alloc(M, 2, K, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
  li2_model_work *w = li2_model_work_alloc(m, n, 1, 0, &err);
  li2_gradient *g = li2_gradient_alloc(n, K, M, &err);
  int *x = malloc(2 * n * sizeof *x), *y = malloc(n * sizeof *y);
  double *V = malloc(K * M * sizeof *V), *R = malloc(n * M * sizeof *R);
  double *G = malloc(n * K * sizeof *G), *dO = malloc(n * M * sizeof *dO);
  double *Gb = malloc(n * K * sizeof *Gb), eta = 0.05, worst = 0;
  li2_model_init(m, rng, 1.0);
  for (size_t s = 0; s < n; s++) {
    x[2 * s] = (int)gsl_rng_uniform_int(rng, M);
    x[2 * s + 1] = (int)gsl_rng_uniform_int(rng, M);
    y[s] = (x[2 * s] + x[2 * s + 1]) % (int)M;
  }
  li2_model_forward_features(m, w, n, x, &err);
  li2_gradient_set(g, li2_model_work_top(w), y, &err);
  for (int rep = 0; rep < 3; rep++, eta *= 30) {
    li2_gradient_ridge(g, eta, V, &err);
    li2_gradient_closed_form(g, eta, R, G, &err);
    memcpy(m->V, V, K * M * sizeof *V);
    li2_model_forward_outputs(m, w, y, NULL, NULL, &err);
    li2_gradient_lazy_loss(g, li2_model_work_outputs(w), dO);
    if (li2_model_backward_from_outputs(m, w, dO, &err)) {
      worst = INFINITY;  /* reported by the comparison below */
      continue;
    }
    const double *dF = li2_model_work_dfeatures(w);
    for (size_t i = 0; i < n * K; i++)
      Gb[i] = -dF[i];
    worst = fmax(worst, li2_gradient_rel_diff(Gb, G, n * K));
  }
  ok_close(worst, 0, 1e-10, "M=%zu K=%zu n=%zu: backprop through the model at V* = closed form "
           "(worst rel %.2e)", M, K, n, worst);
  li2_model_free(m);
  li2_model_work_free(w);
  li2_gradient_free(g);
  free(x), free(y), free(V), free(R), free(G), free(dO), free(Gb);
}

/* dL/dO of the lazy loss by central differences. */
static void test_lazy_loss(gsl_rng *rng)
{
  const size_t n = 12, K = 3, M = 4;
  li2_error err = {0};
  double F[12 * 3], O[12 * 4], dO[12 * 4], scratch[12 * 4], worst = 0, h = 1e-6;
  int y[12];
  li2_gradient *g = li2_gradient_alloc(n, K, M, &err);
  random_problem(rng, n, K, M, F, y);
  li2_gradient_set(g, F, y, &err);
  for (size_t i = 0; i < n * M; i++)
    O[i] = gsl_ran_gaussian(rng, 1.0);
  li2_gradient_lazy_loss(g, O, dO);
  for (size_t i = 0; i < n * M; i++) {
    double keep = O[i], lp, lm;
    O[i] = keep + h;
    lp = li2_gradient_lazy_loss(g, O, scratch);
    O[i] = keep - h;
    lm = li2_gradient_lazy_loss(g, O, scratch);
    O[i] = keep;
    worst = fmax(worst, fabs((lp - lm) / (2 * h) - dO[i]));
  }
  ok(worst < 1e-7, "lazy loss: dL/dO = P O - Y~ by finite differences (max err %.2e)", worst);
  li2_gradient_free(g);
}

/* Exact nodes lie in their component; label power obeys Parseval. */
static void test_exact_and_label_power(gsl_rng *rng, const char *name)
{
  li2_error err = {0};
  li2_group *G = li2_group_alloc_name(name, &err);
  li2_characters *ct = li2_characters_alloc(G, &err);
  li2_fourier *f = li2_fourier_alloc(G, ct, LI2_FOURIER_AUTO, &err);
  size_t M = G->order, nc = li2_fourier_ncomponents(f), n = M * M;
  double *u = malloc(2 * M * sizeof *u), *p = malloc(nc * sizeof *p), worst_pure = 0, worst_norm = 0;
  for (size_t c = 1; c < nc; c++) {
    li2_gradient_exact_node(G, f, c, rng, u, u + M, &err);
    for (int half = 0; half < 2; half++) {
      double tot = 0, nrm = 0;
      li2_fourier_power(f, u + half * M, p);
      for (size_t q = 0; q < nc; q++)
        tot += p[q];
      for (size_t a = 0; a < M; a++)
        nrm += u[half * M + a] * u[half * M + a];
      worst_pure = fmax(worst_pure, 1 - p[c] / tot);
      if (G->nfactors != 1 || 2 * c != M)  /* cos(pi a + phi) has norm M cos^2 phi */
        worst_norm = fmax(worst_norm, fabs(nrm / (M / 2.0) - 1));
    }
  }
  ok(worst_pure < 1e-10 && worst_norm < 1e-10,
     "%s: exact nodes lie in their component (impurity %.1e) with |u|^2 = M/2 (%.1e)", name,
     worst_pure, worst_norm);
  ok(li2_gradient_exact_node(G, f, 0, rng, u, u + M, &err) == LI2_EINVAL &&
         li2_gradient_exact_node(G, f, nc, rng, u, u + M, &err) == LI2_EINVAL,
     "%s: trivial and out-of-range components rejected", name);
  /* Parseval in label space: the powers sum to |Y~^T x|^2, trivial part 0 */
  {
    size_t K = 3;
    double *F = malloc(n * K * sizeof *F), *X = malloc(n * 2 * sizeof *X), *z = malloc(M * sizeof *z);
    int *y = malloc(n * sizeof *y);
    li2_gradient *g = li2_gradient_alloc(n, K, M, &err);
    double tot = 0, direct = 0;
    for (size_t a = 0; a < M; a++)
      for (size_t b = 0; b < M; b++)
        y[a * M + b] = li2_group_mul(G, (int)a, (int)b);
    for (size_t i = 0; i < n * K; i++)
      F[i] = gsl_ran_gaussian(rng, 1.0);
    for (size_t i = 0; i < n * 2; i++)
      X[i] = gsl_ran_gaussian(rng, 1.0);
    li2_gradient_set(g, F, y, &err);
    li2_gradient_label_power(g, f, X, 2, 2, p, &err);
    for (size_t q = 0; q < nc; q++)
      tot += p[q];
    for (size_t col = 0; col < 2; col++) {
      li2_gradient_label_space(g, X + col, 1, 2, z);
      for (size_t h = 0; h < M; h++)
        direct += z[h] * z[h];
    }
    ok_close(tot, direct, 1e-10, "%s: label-space powers sum to |Y~^T X|^2", name);
    ok(fabs(p[0]) < 1e-10 * direct, "%s: no label-space power in the trivial component", name);
    li2_gradient_free(g);
    free(F), free(X), free(z), free(y);
  }
  free(u), free(p);
  li2_fourier_free(f);
  li2_characters_free(ct);
  li2_group_free(G);
}

/* doc/mathematics.md section 5: exact features at S = {1, 2, 3} of Z_23 (six nodes
 * each, x^2) plus fresh nodes, full data, eta = 1e-3: the label-space power
 * of the residual and of the fresh nodes' G_F moves out of S. */
static void test_modulation(gsl_rng *rng)
{
  li2_error err = {0};
  li2_group *G = li2_group_alloc_name("23", &err);
  li2_characters *ct = li2_characters_alloc(G, &err);
  li2_fourier *f = li2_fourier_alloc(G, ct, LI2_FOURIER_AUTO, &err);
  const size_t M = 23, n = M * M, fresh = 8, nS = 18, nc = li2_fourier_ncomponents(f);
  const double eta = 1e-3;
  double *u = malloc(2 * M * (fresh + nS) * sizeof *u), *F = malloc(n * (fresh + nS) * sizeof *F);
  double *R = malloc(n * M * sizeof *R), *GF = malloc(n * (fresh + nS) * sizeof *GF);
  double *pr = malloc(nc * sizeof *pr), *pf = malloc(nc * sizeof *pf);
  double in[2][2];
  int *y = malloc(n * sizeof *y);
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++)
      y[a * M + b] = li2_group_mul(G, (int)a, (int)b);
  for (size_t j = 0; j < fresh; j++)
    for (size_t i = 0; i < 2 * M; i++)
      u[j * 2 * M + i] = gsl_ran_gaussian(rng, 0.05);
  for (size_t j = 0; j < nS; j++)
    li2_gradient_exact_node(G, f, 1 + j / 6, rng, u + (fresh + j) * 2 * M,
                            u + (fresh + j) * 2 * M + M, &err);
  /* pass 0: fresh nodes only (the baseline); pass 1: with S */
  for (int pass = 0; pass < 2; pass++) {
    size_t K = pass ? fresh + nS : fresh;
    double rt = 0, ft = 0, ri = 0, fi = 0;
    for (size_t a = 0; a < M; a++)
      for (size_t b = 0; b < M; b++)
        for (size_t j = 0; j < K; j++) {
          double h = u[j * 2 * M + a] + u[j * 2 * M + M + b];
          F[(a * M + b) * K + j] = h * h;
        }
    li2_gradient *g = li2_gradient_alloc(n, K, M, &err);
    li2_gradient_set(g, F, y, &err);
    li2_gradient_closed_form(g, eta, R, GF, &err);
    li2_gradient_label_power(g, f, R, M, M, pr, &err);
    li2_gradient_label_power(g, f, GF, fresh, K, pf, &err);
    for (size_t c = 1; c < nc; c++) {
      rt += pr[c];
      ft += pf[c];
      ri += c <= 3 ? pr[c] : 0;
      fi += c <= 3 ? pf[c] : 0;
    }
    in[pass][0] = ri / rt;
    in[pass][1] = fi / ft;
    li2_gradient_free(g);
  }
  ok(fabs(in[0][0] - 3.0 / 11) < 0.03, "Z23 no S nodes: residual power in S %.3f ~ 3/11",
     in[0][0]);
  ok(in[1][0] < 0.1 && in[1][1] < 0.1,
     "Z23 S={1,2,3}: residual %.4f and fresh G_F %.4f inside S (>= 90%% outside)", in[1][0],
     in[1][1]);
  free(u), free(F), free(R), free(GF), free(pr), free(pf), free(y);
  li2_fourier_free(f);
  li2_characters_free(ct);
  li2_group_free(G);
}

/* Independence measures on a constructed G_F.  The large-eta form L =
 * (1/eta) Y~ Y~^T F~ is computed here by plain loops (Y~ the centred
 * one-hot labels, F~ the centred features); G_F is built from it with
 * known cosines per column: column 0 = L_0 (cos^2 1), column 1 = L_1 + z,
 * z orthogonal to L_1 with |z| = |L_1| (cos^2 1/2), column 2 = -2 L_2
 * (cos^2 1), column 3 = 0 (not counted).  own_share = (1 + 1/2 + 1)/3 and
 * rel_distance = |G - L|/|L| by hand. */
static void test_own_share(gsl_rng *rng)
{
  const size_t n = 15, K = 4, M = 3;
  const double eta = 0.5;
  li2_error err = {0};
  double F[15 * 4], Ft[15 * 4], Yt[15 * 3], L[15 * 4], G[15 * 4], Lw[15 * 4], fm[4] = {0},
         ym[3] = {0}, rel, share, dd = 0, ll = 0, l1 = 0, zz = 0, zl = 0, worst = 0;
  int y[15];
  li2_gradient *g = li2_gradient_alloc(n, K, M, &err);
  random_problem(rng, n, K, M, F, y);
  for (size_t s = 0; s < n; s++) {
    for (size_t j = 0; j < K; j++)
      fm[j] += F[s * K + j] / (double)n;
    for (size_t c = 0; c < M; c++)
      ym[c] += (y[s] == (int)c) / (double)n;
  }
  for (size_t s = 0; s < n; s++) {
    for (size_t j = 0; j < K; j++)
      Ft[s * K + j] = F[s * K + j] - fm[j];
    for (size_t c = 0; c < M; c++)
      Yt[s * M + c] = (y[s] == (int)c) - ym[c];
  }
  for (size_t s = 0; s < n; s++)
    for (size_t j = 0; j < K; j++) {
      double v = 0;
      for (size_t c = 0; c < M; c++)
        for (size_t t = 0; t < n; t++)
          v += Yt[s * M + c] * Yt[t * M + c] * Ft[t * K + j];
      L[s * K + j] = v / eta;
    }
  li2_gradient_set(g, F, y, &err);
  li2_gradient_independent_form(g, eta, Lw);
  for (size_t i = 0; i < n * K; i++)
    worst = fmax(worst, fabs(Lw[i] - L[i]));
  ok(worst <= 1e-12, "large-eta form (1/eta) Y~ Y~^T F~ by plain loops (max diff %.1e)", worst);
  /* z: a random vector less its projection on L_1, scaled to |L_1| */
  for (size_t s = 0; s < n; s++) {
    G[s * K + 1] = gsl_ran_gaussian(rng, 1.0);
    zl += G[s * K + 1] * L[s * K + 1];
    l1 += L[s * K + 1] * L[s * K + 1];
  }
  for (size_t s = 0; s < n; s++) {
    G[s * K + 1] -= zl / l1 * L[s * K + 1];
    zz += G[s * K + 1] * G[s * K + 1];
  }
  for (size_t s = 0; s < n; s++) {
    G[s * K + 0] = L[s * K + 0];
    G[s * K + 1] = L[s * K + 1] + sqrt(l1 / zz) * G[s * K + 1];
    G[s * K + 2] = -2 * L[s * K + 2];
    G[s * K + 3] = 0;
  }
  for (size_t i = 0; i < n * K; i++) {
    dd += (G[i] - L[i]) * (G[i] - L[i]);
    ll += L[i] * L[i];
  }
  li2_gradient_independence_of(g, eta, G, Lw, &rel, &share);
  ok_close(share, 2.5 / 3, 1e-12, "own_share = mean cos^2 over counted columns = 5/6 (%.15g)",
           share);
  ok_close(rel, sqrt(dd / ll), 1e-12, "rel_distance = |G - L|/|L| = %.6g", sqrt(dd / ll));
  li2_gradient_free(g);
}

static void test_parse(void)
{
  li2_error err = {0};
  double *eta = NULL, ratio_dev = 0;
  size_t n = 0, *comp = NULL;
  ok(li2_gradient_eta_parse("1e-6:1e2:log:25", "eta", &eta, &n, &err) == 0 && n == 25 &&
         eta[0] == 1e-6 && eta[24] == 1e2, "eta range: 25 values from 1e-6 to 1e2");
  for (size_t i = 1; n == 25 && i < n; i++)
    ratio_dev = fmax(ratio_dev, fabs(log10(eta[i] / eta[i - 1]) - 8.0 / 24));
  ok(ratio_dev < 1e-12, "eta range: geometric spacing");
  free(eta);
  ok(li2_gradient_eta_parse("0:1:lin:3", "eta", &eta, &n, &err) == LI2_EINVAL,
     "eta: zero rejected (%s)", err.msg);
  ok(li2_gradient_eta_parse("1:3:lin:3", "eta", &eta, &n, &err) == 0 && n == 3 && eta[1] == 2,
     "eta: linear range");
  free(eta);
  ok(li2_gradient_eta_parse("0.1,1e-3,5", "eta", &eta, &n, &err) == 0 && n == 3 &&
         eta[1] == 1e-3, "eta: list");
  free(eta);
  ok(li2_gradient_eta_parse("2.5", "eta", &eta, &n, &err) == 0 && n == 1 && eta[0] == 2.5,
     "eta: one value");
  free(eta);
  ok(li2_gradient_eta_parse("1,,2", "eta", &eta, &n, &err) == LI2_EINVAL &&
         li2_gradient_eta_parse("1:2:cubic:3", "eta", &eta, &n, &err) == LI2_EINVAL &&
         li2_gradient_eta_parse("1:2:log:1", "eta", &eta, &n, &err) == LI2_EINVAL &&
         li2_gradient_eta_parse("-1", "eta", &eta, &n, &err) == LI2_EINVAL,
     "eta: malformed specs rejected");
  ok(li2_gradient_nodes_parse("1,2,3x6", "nodes", 12, &comp, &n, &err) == 0 && n == 18 &&
         comp[0] == 1 && comp[5] == 1 && comp[6] == 2 && comp[17] == 3,
     "nodes 1,2,3x6: six nodes each, in order");
  free(comp);
  ok(li2_gradient_nodes_parse("1x6+4-5x2+7", "nodes", 12, &comp, &n, &err) == 0 && n == 11 &&
         comp[6] == 4 && comp[8] == 5 && comp[10] == 7, "nodes 1x6+4-5x2+7");
  free(comp);
  ok(li2_gradient_nodes_parse("0x2", "nodes", 12, &comp, &n, &err) == LI2_EINVAL &&
         li2_gradient_nodes_parse("12", "nodes", 12, &comp, &n, &err) == LI2_EINVAL &&
         li2_gradient_nodes_parse("1x0", "nodes", 12, &comp, &n, &err) == LI2_EINVAL &&
         li2_gradient_nodes_parse("a", "nodes", 12, &comp, &n, &err) == LI2_EINVAL &&
         li2_gradient_nodes_parse("3-2", "nodes", 12, &comp, &n, &err) == LI2_EINVAL,
     "nodes: trivial, out-of-range, zero count, junk and empty ranges rejected");
}

int main(void)
{
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 7);
  const size_t sizes[][3] = {{40, 6, 5}, {30, 50, 7}, {200, 20, 11}};
  for (size_t t = 0; t < 3; t++) {
    size_t n = sizes[t][0], K = sizes[t][1], M = sizes[t][2];
    double *F = malloc(n * K * sizeof *F), *V = malloc(K * M * sizeof *V);
    double *R1 = malloc(n * M * sizeof *R1), *R2 = malloc(n * M * sizeof *R2);
    double *G1 = malloc(n * K * sizeof *G1), *G2 = malloc(n * K * sizeof *G2);
    int *y = malloc(n * sizeof *y);
    random_problem(rng, n, K, M, F, y);
    li2_error err = {0};
    li2_gradient *g = li2_gradient_alloc(n, K, M, &err);
    ok(g && li2_gradient_set(g, F, y, &err) == 0, "n=%zu K=%zu M=%zu: set", n, K, M);
    for (double eta = 1e-3; eta <= 10; eta *= 100) {
      li2_gradient_ridge(g, eta, V, &err);
      li2_gradient_closed_form(g, eta, R1, G1, &err);
      li2_gradient_from_top(g, V, R2, G2);
      ok_close(li2_gradient_rel_diff(R1, R2, n * M), 0, 1e-10,
               "n=%zu K=%zu eta=%g: dual residual = Y~ - F~ V*", n, K, eta);
      ok_close(li2_gradient_rel_diff(G1, G2, n * K), 0, 1e-10,
               "n=%zu K=%zu eta=%g: closed-form G_F = R V*^T", n, K, eta);
    }
    /* -dL/dF by central differences at V = V* equals G_F. */
    double eta = 0.1, h = 1e-5, worst = 0, scale = 0;
    li2_gradient_ridge(g, eta, V, &err);
    li2_gradient_closed_form(g, eta, NULL, G1, &err);
    for (int k = 0; k < 12; k++) {
      size_t i = gsl_rng_uniform_int(rng, n * K);
      double keep = F[i];
      F[i] = keep + h;
      double lp = lazy_loss(F, y, V, n, K, M);
      F[i] = keep - h;
      double lm = lazy_loss(F, y, V, n, K, M);
      F[i] = keep;
      double fd = -(lp - lm) / (2 * h);
      worst = fmax(worst, fabs(fd - G1[i]));
      scale = fmax(scale, fabs(G1[i]));
    }
    ok_close(worst / scale, 0, 1e-6, "n=%zu K=%zu: G_F = -dL/dF by finite differences", n, K);
    /* Independence: distance to (1/eta) Y~Y~^T F~ shrinks as eta grows. */
    double prev = INFINITY, d, share;
    int monotone = 1;
    for (double e = 1e-2; e <= 1e6; e *= 10) {
      li2_gradient_independence(g, e, &d, &share, &err);
      monotone &= d < prev;
      prev = d;
    }
    ok(monotone && prev < 1e-2, "n=%zu K=%zu: independence distance decreases to %.2e", n,
       K, prev);
    if (K >= n) {
      li2_gradient_closed_form(g, 1e-9, R1, G1, &err);
      double rn = 0;
      for (size_t i = 0; i < n * M; i++)
        rn = fmax(rn, fabs(R1[i]));
      ok(rn < 1e-6, "K >= n, eta -> 0: residual vanishes (max %.2e): memorisation", rn);
    }
    li2_gradient_free(g);
    free(F), free(V), free(R1), free(R2), free(G1), free(G2), free(y);
  }
  li2_error err = {0};
  ok(li2_gradient_alloc(1, 3, 3, &err) == NULL && err.code == LI2_EINVAL, "n < 2 rejected");
  test_lazy_loss(rng);
  test_model_backprop(rng, 7, 20, 40);   /* K < n: primal systems */
  test_model_backprop(rng, 7, 60, 40);   /* K > n: dual systems */
  test_exact_and_label_power(rng, "23");
  test_exact_and_label_power(rng, "10");
  test_exact_and_label_power(rng, "S4");
  test_exact_and_label_power(rng, "Z2xZ6");
  test_modulation(rng);
  test_own_share(rng);
  test_parse();
  gsl_rng_free(rng);
  {
    /* issue 15 defect 6: a size no machine holds is an error, not an abort
     * in gsl_matrix_alloc under GSL's default handler */
    li2_error e6 = {0};
    li2_gradient *big = li2_gradient_alloc(49, 1000000, 7, &e6);
    ok(!big && e6.code == LI2_EINVAL && strstr(e6.msg, "K=1000000"), "K=1e6: %s", e6.msg);
    li2_gradient_free(big);
  }
  return tap_done();
}
