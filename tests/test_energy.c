/* The Stage II energy (doc/mathematics.md section 3): the FFT path equals the
 * direct sum, the direct sum equals an independent naive evaluation, the
 * gradient equals finite differences for every activation and variant,
 * and the invariances the theory relies on hold. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "characters.h"
#include "energy.h"
#include "fourier.h"
#include "maxima.h"
#include "tap.h"

static void random_w(gsl_rng *r, size_t n, double *w)
{
  for (size_t k = 0; k < n; k++)
    w[k] = gsl_ran_gaussian(r, 1.0);
}

static double act(li2_activation a, double z)
{
  switch (a) {
  case LI2_ACT_SQR: return z * z;
  case LI2_ACT_RELU: return z > 0 ? z : 0;
  case LI2_ACT_SILU: return z / (1 + exp(-z));
  case LI2_ACT_TANH: return (exp(z) - exp(-z)) / (exp(z) + exp(-z));
  case LI2_ACT_SIGMOID: return exp(z) / (1 + exp(z));
  case LI2_ACT_QUAD: return z + z * z;  /* a = b = 1, the workspace default */
  default: return z > 0 ? z * z : 0;
  }
}

/* Largest |central difference - GR| over the N coordinates at W (WP
 * scratch), and *GMAX = max |GR|. */
static double fd_worst(li2_energy *e, size_t n, const double *w, const double *gr, double *wp,
                       double h, double *gmax)
{
  double worst = 0;
  *gmax = 0;
  for (size_t k = 0; k < n; k++) {
    double Ep, Em;
    memcpy(wp, w, n * sizeof *w);
    wp[k] += h;
    li2_energy_eval(e, wp, &Ep, NULL);
    wp[k] -= 2 * h;
    li2_energy_eval(e, wp, &Em, NULL);
    worst = fmax(worst, fabs((Ep - Em) / (2 * h) - gr[k]));
    *gmax = fmax(*gmax, fabs(gr[k]));
  }
  return worst;
}

/* Theorem 2's extension: on the full table E_{a x + b x^2} = b^2 E_{x^2}
 * (the linear part's class sums are equal, removed by centring); on a
 * split it is not (the check can fail).  The uncentred weighted variant
 * against its definition, and its gradient against central differences. */
static void test_quad_and_weighted(gsl_rng *r)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("S4", &err);
  li2_dataset *d = li2_dataset_alloc_full(g, 2, &err), *ds;
  li2_split_params sp;
  size_t M = g->order, n2 = 2 * M;
  double *w = malloc(n2 * sizeof *w), *gr = malloc(n2 * sizeof *gr), *wp = malloc(n2 * sizeof *wp);
  double E1, E2, worst = 0, gmax = 0, h = 1e-6;
  li2_energy *eq = li2_energy_alloc(g, d, LI2_ACT_QUAD, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, &err);
  li2_energy *es = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, &err);
  random_w(r, n2, w);
  ok(li2_energy_set_quad(eq, 0.7, 1.3, &err) == LI2_SUCCESS, "quad: coefficients set");
  ok(li2_energy_set_quad(es, 0.7, 1.3, &err) == LI2_EINVAL, "quad coefficients refused for sqr");
  li2_energy_eval(eq, w, &E1, NULL);
  li2_energy_eval(es, w, &E2, NULL);
  ok_close(E1, 1.69 * E2, 1e-12, "S4 full: E(0.7 x + 1.3 x^2) = 1.3^2 E(x^2) (%.12g, %.12g)", E1,
           1.69 * E2);
  li2_energy_free(eq);
  li2_energy_free(es);
  li2_split_params_default(&sp);
  sp.test_size = 0.5;
  sp.seed = 2;
  ds = li2_dataset_alloc_split(g, 2, &sp, &err);
  eq = li2_energy_alloc(g, ds, LI2_ACT_QUAD, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, &err);
  es = li2_energy_alloc(g, ds, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, &err);
  li2_energy_set_quad(eq, 0.7, 1.3, &err);
  li2_energy_eval(eq, w, &E1, NULL);
  li2_energy_eval(es, w, &E2, NULL);
  ok(fabs(E1 - 1.69 * E2) > 1e-6 * E1, "S4 split: the linear part no longer cancels (%.6g vs %.6g)",
     E1, 1.69 * E2);
  li2_energy_free(eq);
  li2_energy_free(es);
  {
    li2_energy *eu = li2_energy_alloc(g, ds, LI2_ACT_TANH, LI2_ENERGY_UNCENTRED, LI2_ENERGY_DIRECT,
                                      &err);
    size_t n = ds->ntrain;
    double *p = malloc(n * sizeof *p), *S = calloc(M, sizeof *S), Ed = 0, E;
    for (size_t i = 0; i < n; i++)
      p[i] = 0.5 + gsl_rng_uniform(r);
    ok(li2_energy_set_weights(eu, p, &err) == LI2_SUCCESS, "uncentred: weights set");
    for (size_t i = 0; i < n; i++)
      S[ds->train_y[i]] += p[i] * tanh(w[ds->train_x[2 * i]] + w[M + ds->train_x[2 * i + 1]]);
    for (size_t k = 0; k < M; k++)
      Ed += 0.5 * S[k] * S[k];
    li2_energy_eval(eu, w, &E, gr);
    ok_close(E, Ed, 1e-12, "uncentred tanh: E = 1/2 sum_h (sum_{i in h} p_i f_i)^2");
    worst = fd_worst(eu, n2, w, gr, wp, h, &gmax);
    ok(worst <= 1e-6 * fmax(gmax, 1.0), "uncentred tanh: gradient equals central differences (%.2g)",
       worst);
    p[0] = -1;
    ok(li2_energy_set_weights(eu, p, &err) == LI2_EINVAL, "uncentred: a negative weight refused");
    free(p);
    free(S);
    li2_energy_free(eu);
  }
  li2_dataset_free(ds);
  free(w);
  free(gr);
  free(wp);
  li2_dataset_free(d);
  li2_group_free(g);
}

/* Naive E from the matrices of section 3: sigma~ = P sigma, Y~ = P Y,
 * E = 1/2 |Y~^T sigma~|^2 with Y~ formed explicitly (n x M). */
static double naive_energy(const li2_dataset *d, li2_activation a, int variant, const double *w)
{
  size_t n = d->ntrain, M = d->order;
  double *f = malloc(n * sizeof *f), *Yt = calloc(n * M, sizeof *Yt), mean = 0, E = 0, Q = 0;
  for (size_t i = 0; i < n; i++) {
    f[i] = act(a, w[d->train_x[2 * i]] + w[M + d->train_x[2 * i + 1]]);
    mean += f[i] / (double)n;
    Yt[i * M + (size_t)d->train_y[i]] = 1;
  }
  for (size_t h = 0; h < M; h++) {
    double cm = 0, s = 0;
    for (size_t i = 0; i < n; i++)
      cm += Yt[i * M + h] / (double)n;
    for (size_t i = 0; i < n; i++)
      s += (Yt[i * M + h] - cm) * (f[i] - mean);
    E += 0.5 * s * s;
  }
  for (size_t i = 0; i < n; i++)
    Q += (f[i] - mean) * (f[i] - mean);
  free(f);
  free(Yt);
  return variant == LI2_ENERGY_NORMALIZED ? E / Q : E;
}

static double max_abs_diff(size_t n, const double *a, const double *b, double *scale)
{
  double m = 0, s = 0;
  for (size_t k = 0; k < n; k++) {
    m = fmax(m, fabs(a[k] - b[k]));
    s = fmax(s, fabs(b[k]));
  }
  *scale = s;
  return m;
}

static void test_fft_equals_direct(const char *name, gsl_rng *r)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name(name, &err);
  li2_dataset *d = g ? li2_dataset_alloc_full(g, 2, &err) : NULL;
  li2_energy *ef = d ? li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_FFT, &err) : NULL;
  li2_energy *ed = d ? li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, &err) : NULL;
  if (!ok(ef && ed, "%s: FFT and direct workspaces (%s)", name, err.msg))
    goto done;
  ok(li2_energy_method_used(ef) == LI2_ENERGY_FFT && li2_energy_method_used(ed) == LI2_ENERGY_DIRECT,
     "%s: paths as requested", name);
  size_t n = li2_energy_dim(ef);
  double *w = malloc(n * sizeof *w), *g1 = malloc(n * sizeof *g1), *g2 = malloc(n * sizeof *g2);
  double worst_e = 0, worst_g = 0;
  for (int trial = 0; trial < 5; trial++) {
    double E1, E2, scale;
    random_w(r, n, w);
    li2_energy_eval(ef, w, &E1, g1);
    li2_energy_eval(ed, w, &E2, g2);
    worst_e = fmax(worst_e, fabs(E1 - E2) / fabs(E2));
    worst_g = fmax(worst_g, max_abs_diff(n, g1, g2, &scale) / scale);
  }
  ok(worst_e < 1e-12, "%s: FFT energy equals the direct sum (rel. diff %.2g)", name, worst_e);
  ok(worst_g < 1e-12, "%s: FFT gradient equals the direct gradient (rel. diff %.2g)", name, worst_g);
  {
    /* The analytic Hessian against central differences of the gradient
     * (exact up to round-off: E is a quartic, the gradient a cubic). */
    double *H = malloc(n * n * sizeof *H), *wp = malloc(n * sizeof *wp), h = 1e-4, hw = 0, hs = 0;
    int r2 = li2_energy_hessian(ed, w, H), r1 = li2_energy_hessian(ef, w, H);
    ok(r1 == LI2_SUCCESS && r2 == LI2_EUNSUP, "%s: analytic Hessian on the FFT path only", name);
    for (size_t j = 0; j < n; j++) {
      memcpy(wp, w, n * sizeof *w);
      wp[j] += h;
      li2_energy_eval(ed, wp, &(double){0}, g1);
      wp[j] -= 2 * h;
      li2_energy_eval(ed, wp, &(double){0}, g2);
      for (size_t i = 0; i < n; i++) {
        hw = fmax(hw, fabs(H[i * n + j] - (g1[i] - g2[i]) / (2 * h)));
        hs = fmax(hs, fabs(H[i * n + j]));
      }
    }
    ok(hw <= 1e-6 * hs, "%s: analytic Hessian equals differences of the gradient (%.2g of %.3g)",
       name, hw, hs);
    free(H);
    free(wp);
  }
  free(w);
  free(g1);
  free(g2);
done:
  li2_energy_free(ef);
  li2_energy_free(ed);
  li2_dataset_free(d);
  li2_group_free(g);
}

/* doc/mathematics.md section 3 for any group: E = 2 sum_h ((u*v)[h] - mean)^2 with
 * the group convolution (u*v)[h] = sum_a u[a] v[a^-1 h]. */
static void test_convolution_form(const char *name, gsl_rng *r)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name(name, &err);
  li2_dataset *d = li2_dataset_alloc_full(g, 2, &err);
  li2_energy *e = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, &err);
  size_t M = g->order;
  double *w = malloc(2 * M * sizeof *w), *c = calloc(M, sizeof *c), mean = 0, Ec = 0, E;
  random_w(r, 2 * M, w);
  for (size_t h = 0; h < M; h++)
    for (size_t a = 0; a < M; a++)
      c[h] += w[a] * w[M + li2_group_mul(g, g->inverse[a], (int)h)];
  for (size_t h = 0; h < M; h++)
    mean += c[h] / (double)M;
  for (size_t h = 0; h < M; h++)
    Ec += 2 * (c[h] - mean) * (c[h] - mean);
  li2_energy_eval(e, w, &E, NULL);
  ok_close(E, Ec, 1e-12, "%s: direct E equals 2 sum_h ((u*v)[h] - mean)^2", name);
  free(w);
  free(c);
  li2_energy_free(e);
  li2_dataset_free(d);
  li2_group_free(g);
}

/* Gradient against central differences, and E against the naive form,
 * for every activation and both variants. */
static void test_gradients(const char *name, int full, gsl_rng *r)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name(name, &err);
  li2_split_params sp;
  li2_dataset *d;
  li2_split_params_default(&sp);
  sp.test_size = 0.6;
  sp.seed = 3;
  d = full ? li2_dataset_alloc_full(g, 2, &err) : li2_dataset_alloc_split(g, 2, &sp, &err);
  if (!ok(d != NULL, "%s: data set (%s)", name, err.msg))
    return;
  for (li2_activation a = 0; a < LI2_ACT_COUNT; a++)
    for (int v = 0; v < 2; v++) {
      li2_energy *e = li2_energy_alloc(g, d, a, v, LI2_ENERGY_AUTO, &err);
      size_t n = li2_energy_dim(e);
      double *w = malloc(n * sizeof *w), *gr = malloc(n * sizeof *gr), *wp = malloc(n * sizeof *wp);
      double E, worst = 0, gmax = 0, h = 1e-6;
      random_w(r, n, w);
      li2_energy_eval(e, w, &E, gr);
      ok_close(E, naive_energy(d, a, v, w), 1e-11, "%s %s %s %s: E equals the naive matrix form",
               name, full ? "full" : "split", li2_activation_name(a),
               li2_energy_variant_name(v));
      worst = fd_worst(e, n, w, gr, wp, h, &gmax);
      ok(worst <= 1e-6 * fmax(gmax, 1.0),
         "%s %s %s %s: gradient equals central differences (max diff %.2g, |grad| %.3g)", name,
         full ? "full" : "split", li2_activation_name(a), li2_energy_variant_name(v),
         worst, gmax);
      free(w);
      free(gr);
      free(wp);
      li2_energy_free(e);
    }
  li2_dataset_free(d);
  li2_group_free(g);
}

/* Full data: E is invariant under u(a) -> u(s^-1 a) (it permutes the
 * labels); sqr raw is homogeneous of degree 4, sqr normalized of degree 0. */
static void test_invariances(gsl_rng *r)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("S4", &err);
  li2_dataset *d = li2_dataset_alloc_full(g, 2, &err);
  size_t M = g->order;
  double *w = malloc(2 * M * sizeof *w), *ws = malloc(2 * M * sizeof *ws), E1, E2;
  random_w(r, 2 * M, w);
  for (li2_activation a = 0; a < LI2_ACT_COUNT; a++) {
    li2_energy *e = li2_energy_alloc(g, d, a, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
    int s = 5;
    memcpy(ws, w, 2 * M * sizeof *w);
    for (size_t x = 0; x < M; x++)
      ws[li2_group_mul(g, s, (int)x)] = w[x];
    li2_energy_eval(e, w, &E1, NULL);
    li2_energy_eval(e, ws, &E2, NULL);
    ok_close(E2, E1, 1e-12, "S4 %s: E invariant under left translation of u",
             li2_activation_name(a));
    li2_energy_free(e);
  }
  {
    li2_energy *e = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
    li2_energy *en = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_NORMALIZED, LI2_ENERGY_AUTO, &err);
    for (size_t k = 0; k < 2 * M; k++)
      ws[k] = 1.7 * w[k];
    li2_energy_eval(e, w, &E1, NULL);
    li2_energy_eval(e, ws, &E2, NULL);
    ok_close(E2, pow(1.7, 4) * E1, 1e-12, "S4 sqr raw: E(t w) = t^4 E(w)");
    li2_energy_eval(en, w, &E1, NULL);
    li2_energy_eval(en, ws, &E2, NULL);
    ok_close(E2, E1, 1e-12, "S4 sqr normalized: E(t w) = E(w)");
    li2_energy_free(e);
    li2_energy_free(en);
  }
  free(w);
  free(ws);
  li2_dataset_free(d);
  li2_group_free(g);
}

/* A unit Fourier feature of Z_M at frequency k has E = M/4 (doc/mathematics.md
 * section 3, d_R = 2), and M/2 at k = M/2 (d_R = 1); the tangent gradient
 * vanishes there. */
static void test_fourier_feature(size_t M, size_t k)
{
  li2_error err = {0};
  char name[16];
  snprintf(name, sizeof name, "Z%zu", M);
  li2_group *g = li2_group_alloc_name(name, &err);
  li2_dataset *d = li2_dataset_alloc_full(g, 2, &err);
  li2_energy *e = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
  double *w = malloc(2 * M * sizeof *w), *gr = malloc(2 * M * sizeof *gr), s = 0, E, gn = 0;
  /* At k = M/2 the feature is real: a phase would change |u| and |v|. */
  double pu = 2 * k == M ? 0 : 0.3, pv = 2 * k == M ? 0 : -1.1;
  for (size_t x = 0; x < M; x++) {
    w[x] = cos(2 * M_PI * (double)(k * x) / (double)M + pu);
    w[M + x] = cos(2 * M_PI * (double)(k * x) / (double)M + pv);
  }
  for (size_t x = 0; x < 2 * M; x++)
    s += w[x] * w[x];
  for (size_t x = 0; x < 2 * M; x++)
    w[x] /= sqrt(s);
  li2_energy_eval(e, w, &E, gr);
  li2_energy_project_tangent(2 * M, w, gr);
  for (size_t x = 0; x < 2 * M; x++)
    gn += gr[x] * gr[x];
  ok_close(E, 2 * k == M ? M / 2.0 : M / 4.0, 1e-12, "Z%zu frequency %zu: E = M/(2 d_R)", M, k);
  ok(sqrt(gn) < 1e-12 * (double)M, "Z%zu frequency %zu: Riemannian gradient %.2g = 0", M, k,
     sqrt(gn));
  free(w);
  free(gr);
  li2_energy_free(e);
  li2_dataset_free(d);
  li2_group_free(g);
}

static void test_errors(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("S3", &err);
  li2_dataset *d = li2_dataset_alloc_full(g, 2, &err);
  li2_energy *e = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_FFT, &err);
  ok(!e && err.code == LI2_EUNSUP, "FFT path refused for S3: %s", err.msg);
  e = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_NORMALIZED, LI2_ENERGY_AUTO, &err);
  {
    double w[12] = {0}, E;
    ok(li2_energy_eval(e, w, &E, NULL) == LI2_ENUMERIC, "normalized energy of w = 0 is an error");
  }
  ok(li2_energy_variant_from_name("normalized") == LI2_ENERGY_NORMALIZED &&
     li2_energy_variant_from_name("cca") < 0, "variant names");
  li2_energy_free(e);
  li2_energy_free(NULL);
  li2_dataset_free(d);
  li2_group_free(g);
}

/* Tangent projection at a point off the unit sphere: w = (2, 0, 0, 1)
 * (|w|^2 = 5), g = (1, 1, 1, 1): g - (g.w/|w|^2) w = g - (3/5) w =
 * (-0.2, 1, 1, 0.4), orthogonal to w. */
static void test_project_tangent(void)
{
  double w[4] = {2, 0, 0, 1}, g[4] = {1, 1, 1, 1}, want[4] = {-0.2, 1, 1, 0.4}, d = 0;
  li2_energy_project_tangent(4, w, g);
  for (int i = 0; i < 4; i++)
    d = fmax(d, fabs(g[i] - want[i]));
  ok(d < 1e-15, "tangent projection off the unit sphere: g - (g.w/|w|^2) w (max diff %.1e)", d);
}

/* Theorem 7's E_S (li2_energy_set_learned) on the full table of NAME with
 * the learned components S[0..NS-1]: E_S = E less 1/2 the power of the
 * class sums z in S (|Pi_k z|^2 by li2_fourier_power on a z built here);
 * for Z_M also the frequency form (2/M) sum over k outside S of
 * |^u_k|^2 |^v_k|^2 by a naive DFT; zero with zero gradient inside a
 * component of S, E itself inside one outside S; the gradient against
 * central differences (sqr and relu); ns = 0 restores E. */
static void test_learned(const char *name, const size_t *S, size_t ns, gsl_rng *r)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name(name, &err);
  li2_characters *ct = li2_characters_alloc(g, &err);
  li2_fourier *f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, &err);
  li2_dataset *d = li2_dataset_alloc_full(g, 2, &err);
  size_t M = g->order, nc = li2_fourier_ncomponents(f), dim = 2 * M;
  double *w = malloc(dim * sizeof *w), *gr = malloc(dim * sizeof *gr), *wp = malloc(dim * sizeof *wp),
         *z = calloc(M, sizeof *z), *pw = malloc(nc * sizeof *pw);
  for (li2_activation a = 0; a < 2; a++) {  /* sqr, relu */
    li2_energy *e = li2_energy_alloc(g, d, a, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
    double E, ES, worst = 0, gmax = 0, h = 1e-6, zbar = 0, inS = 0;
    random_w(r, dim, w);
    li2_energy_eval(e, w, &E, NULL);
    ok(li2_energy_set_learned(e, f, S, ns, &err) == 0 &&
           li2_energy_method_used(e) == LI2_ENERGY_DIRECT,
       "%s %s: learned set given, direct path", name, li2_activation_name(a));
    li2_energy_eval(e, w, &ES, gr);
    /* z[h] = centred class sums, built here */
    memset(z, 0, M * sizeof *z);
    for (size_t i = 0; i < d->ntrain; i++) {
      double v = act(a, w[d->train_x[2 * i]] + w[M + d->train_x[2 * i + 1]]);
      z[d->train_y[i]] += v;
      zbar += v / (double)M;
    }
    for (size_t hh = 0; hh < M; hh++)
      z[hh] -= zbar;
    li2_fourier_power(f, z, pw);
    for (size_t k = 0; k < ns; k++)
      inS += pw[S[k]];
    ok_close(ES, E - 0.5 * inS, 1e-10, "%s %s: E_S = E - 1/2 |Pi_S z|^2 (%.6g vs %.6g)", name,
             li2_activation_name(a), ES, E - 0.5 * inS);
    if (a == LI2_ACT_SQR && g->abelian && g->nfactors == 1) {
      /* frequency form, naive DFT; component of frequency k from its cosine */
      double Ef = 0;
      for (size_t k = 1; k < M; k++) {
        double cu[2] = {0, 0}, cv[2] = {0, 0}, best = -1;
        size_t comp = 0;
        for (size_t x = 0; x < M; x++) {
          double th = -2 * M_PI * (double)(k * x % M) / (double)M;
          cu[0] += w[x] * cos(th), cu[1] += w[x] * sin(th);
          cv[0] += w[M + x] * cos(th), cv[1] += w[M + x] * sin(th);
          wp[x] = cos(th);
        }
        li2_fourier_power(f, wp, pw);
        for (size_t c = 0; c < nc; c++)
          if (pw[c] > best)
            best = pw[c], comp = c;
        int learned = 0;
        for (size_t j = 0; j < ns; j++)
          learned |= S[j] == comp;
        if (!learned)
          Ef += 2.0 / (double)M * (cu[0] * cu[0] + cu[1] * cu[1]) * (cv[0] * cv[0] + cv[1] * cv[1]);
      }
      ok_close(ES, Ef, 1e-10, "%s sqr: E_S = (2/M) sum_{k outside S} |u_k|^2 |v_k|^2 (%.6g vs %.6g)",
               name, ES, Ef);
    }
    worst = fd_worst(e, dim, w, gr, wp, h, &gmax);
    ok(worst <= 1e-6 * fmax(gmax, 1.0), "%s %s: grad E_S equals central differences (%.2g)", name,
       li2_activation_name(a), worst);
    if (a == LI2_ACT_SQR) {
      /* inside a learned component: E_S = 0, gradient 0; inside another: E_S = E */
      double E0, gn = 0;
      li2_maxima_component_start(f, 7, S[0], 0, M, 1.0, w);
      li2_energy_eval(e, w, &E0, gr);
      for (size_t k = 0; k < dim; k++)
        gn = fmax(gn, fabs(gr[k]));
      ok(fabs(E0) < 1e-12 && gn < 1e-12, "%s: inside learned component %zu E_S = %.2g, |grad| %.2g",
         name, S[0], E0, gn);
      size_t out = 1;
      for (int again = 1; again;) {
        again = 0;
        for (size_t j = 0; j < ns; j++)
          if (S[j] == out)
            out++, again = 1;
      }
      li2_maxima_component_start(f, 7, out, 1, M, 1.0, w);
      li2_energy_eval(e, w, &E0, NULL);
      li2_energy_set_learned(e, f, NULL, 0, &err);
      li2_energy_eval(e, w, &E, NULL);
      ok_close(E0, E, 1e-12, "%s: inside component %zu (not learned) E_S = E = %.6g", name, out, E);
    }
    li2_energy_set_learned(e, f, NULL, 0, &err);
    size_t bad = 0;
    ok(li2_energy_set_learned(e, f, &bad, 1, &err) == LI2_EINVAL, "%s: trivial component rejected (%s)",
       name, err.msg);
    bad = nc;
    ok(li2_energy_set_learned(e, f, &bad, 1, &err) == LI2_EINVAL, "%s: component %zu rejected (%s)",
       name, nc, err.msg);
    li2_energy_free(e);
  }
  free(w), free(gr), free(wp), free(z), free(pw);
  li2_dataset_free(d);
  li2_fourier_free(f);
  li2_characters_free(ct);
  li2_group_free(g);
}

int main(void)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 12345);
  test_project_tangent();
  test_fft_equals_direct("Z11", r);
  test_fft_equals_direct("Z10", r);
  test_fft_equals_direct("Z4xZ6", r);
  test_fft_equals_direct("2x3x5", r);
  test_fft_equals_direct("Z127", r);
  test_convolution_form("S3", r);
  test_convolution_form("D5", r);
  test_gradients("Z7", 1, r);
  test_gradients("S3", 1, r);
  test_gradients("Z7", 0, r);
  test_gradients("D5", 0, r);
  test_invariances(r);
  test_quad_and_weighted(r);
  test_fourier_feature(11, 3);
  test_fourier_feature(10, 5);
  test_fourier_feature(10, 2);
  test_errors();
  const size_t s11[] = {1, 3}, s3[] = {1}, s4[] = {2, 4};
  test_learned("Z11", s11, 2, r);
  test_learned("S3", s3, 1, r);
  test_learned("S4", s4, 2, r);
  gsl_rng_free(r);
  return tap_done();
}
