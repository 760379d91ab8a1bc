/* Unit tests of solutions.h on constructed weights whose answer is known:
 * nodes built from chosen Fourier coefficients, products of order-2 and
 * order-3 components (CoGS's ring product) put back as real weights, and
 * the r_{k1 k2 k} sums against the direct triple sum. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/solutions.h"
#include "tap.h"

static double complex omega3(void)
{
  return cexp(2.0 * M_PI * I / 3.0);
}

/* column j of the real network from coefficients a, b, c at frequency k:
 * u[n] = 2 Re(a e^{2 pi i k n / d}) gives A[k, j] = a (A[d-k, j] = conj a);
 * V[j, n] = 2 Re(c e^{-2 pi i k n / d}) gives C[k, j] = c */
static void set_node(double *W, double *V, size_t d, size_t K, size_t j, size_t k,
                     double complex a, double complex b, double complex c)
{
  for (size_t n = 0; n < d; n++) {
    double complex e = cexp(2.0 * M_PI * I * (double)((k * n) % d) / (double)d);
    W[n * K + j] += 2 * creal(a * e);
    W[(d + n) * K + j] += 2 * creal(b * e);
    V[j * d + n] += 2 * creal(c * conj(e));
  }
}

/* F (3 x q) = scale_r comp1[r, i1] comp2[r, i2], column i1 h + i2, then
 * columns reordered by ORDER (the nodes come in any order) */
static void product(const double complex *c1, const double complex *c2, size_t h,
                    const double *scale, const int *order, double complex *F)
{
  size_t q = 2 * h;
  for (size_t r = 0; r < 3; r++)
    for (size_t i1 = 0; i1 < 2; i1++)
      for (size_t i2 = 0; i2 < h; i2++) {
        size_t col = i1 * h + i2;
        F[r * q + (size_t)order[col]] = scale[r] * c1[r * 2 + i1] * c2[r * h + i2];
      }
}

static int either(double complex got, double complex want, double tol)
{
  return cabs(got - want) < tol || cabs(got - 1.0 / want) < tol;
}

/* ---- parity with the reference (tests/data/solutions/make_parity.py) ---- */

static int type_of(const char *name)
{
  for (int t = 0; t < LI2_SOL_NTYPES; t++)
    if (!strcmp(li2_solutions_type_name(t), name))
      return t;
  return -1;
}

static void parity(const li2_solutions_params *p)
{
  char path[4096], line[65536];
  FILE *fp;
  size_t d = 0, K = 0, row = 0;
  double *W, *V;
  li2_complex *A, *B, *C;
  li2_solutions_result *r = NULL;
  li2_error err = {0};
  size_t used[16] = {0};
  snprintf(path, sizeof path, "%s/tests/data/solutions/parity-weights.tsv", LI2_SRCDIR);
  if (!ok((fp = fopen(path, "r")) != NULL, "parity weights %s", path))
    return;
  if (!fgets(line, sizeof line, fp) || sscanf(line, "# M %zu K %zu", &d, &K) != 2 || d > 200 ||
      K > 1000) {
    ok(0, "parity weights header");
    fclose(fp);
    return;
  }
  W = calloc(2 * d * K, sizeof *W), V = calloc(K * d, sizeof *V);
  A = malloc(d * K * sizeof *A), B = malloc(d * K * sizeof *B), C = malloc(d * K * sizeof *C);
  while (row < K && fgets(line, sizeof line, fp)) {
    char *s = line, *e;
    for (size_t i = 0; i < 3 * d; i++, s = e) {
      double x = strtod(s, &e);
      if (i < 2 * d)
        W[i * K + row] = x;
      else
        V[row * d + i - 2 * d] = x;
    }
    row++;
  }
  fclose(fp);
  ok(row == K, "parity weights: %zu nodes of Z_%zu", row, d);
  li2_solutions_fourier(W, V, d, K, 0, A, B, C, &err);
  ok(li2_solutions_analyze(A, B, C, d, K, p, &r, &err) == 0, "parity: analyze");
  snprintf(path, sizeof path, "%s/tests/data/solutions/parity-ref.tsv", LI2_SRCDIR);
  if (r && ok((fp = fopen(path, "r")) != NULL, "parity reference %s", path)) {
    size_t npair = 0, matched = 0, norder_ok = 0;
    while (fgets(line, sizeof line, fp)) {
      char kind[32], key[64], t1[64], t2[64];
      if (sscanf(line, "%31s", kind) != 1)
        continue;
      if (!strcmp(kind, "order")) {
        char *s = line + 5, *e;
        for (size_t k = 1; k <= r->nfreq; k++, s = e)
          norder_ok += (size_t)strtol(s, &e, 10) == r->order[k];
        ok(norder_ok == r->nfreq, "sol_distri's orders at all %zu frequencies", r->nfreq);
      } else if (!strcmp(kind, "summary")) {
        double want, got = NAN;
        const li2_solutions_summary *S = &r->summary;
        sscanf(line, "%*s %63s %lf", key, &want);
        if (!strcmp(key, "0_n0")) got = (double)S->n0;
        else if (!strcmp(key, "0_n4")) got = (double)S->n4;
        else if (!strcmp(key, "0_n6")) got = (double)S->n6;
        else if (!strcmp(key, "0_non_4_6_0")) got = (double)S->non_4_6_0;
        else if (!strcmp(key, "1nonfact_4")) got = S->nonfact4_frac;
        else if (!strcmp(key, "1nonfact_6")) got = S->nonfact6_frac;
        else if (!strcmp(key, "err_4")) got = S->err4;
        else if (!strcmp(key, "err_6")) got = S->err6;
        else if (!strcmp(key, "sol_4_4cxi")) got = S->sol_4_4cxi;
        else if (!strcmp(key, "sol_6_4csynab")) got = S->sol_6_4csynab;
        else if (!strcmp(key, "sol_6_nusyn")) got = S->sol_6_nusyn;
        else if (!strcmp(key, "sol_others")) got = S->sol_others;
        /* err in float32 there: 1e-5 relative */
        ok_close(got, want, 1e-5, "summarize46 %s: li2 %.9g, reference %.9g", key, got, want);
      } else if (!strcmp(kind, "pair")) {
        int q, n;
        double v[4];
        int nv = 0, found = 0;
        char *s;
        if (sscanf(line, "%*s %d %63s %63s%n", &q, t1, t2, &n) != 3)
          continue;
        for (s = line + n; nv < 4; nv++) {
          char *e;
          v[nv] = strtod(s, &e);
          if (e == s)
            break;
          s = e;
        }
        npair++;
        /* the frequency whose types and first parameter agree */
        for (size_t i = 0; i < r->nfactor && !found; i++) {
          const li2_solutions_factor *f = &r->factor[i];
          if (used[i] || !f->factorable || (int)f->q != q || f->type1 != type_of(t1) ||
              f->type2 != type_of(t2) || f->nparam1 < 1 || nv < 2 ||
              cabs(f->param1[0] - (v[0] + I * v[1])) > 1e-4)
            continue;
          if (nv == 4 && (f->nparam2 < 1 || cabs(f->param2[0] - (v[2] + I * v[3])) > 1e-4))
            continue;
          used[i] = 1;
          found = 1;
        }
        matched += found;
      } else if (!strcmp(kind, "mps")) {
        /* draw_dyn_fig3.py's compute_mps times 2d, in float32 there: each
         * value to 16 float32 epsilons (2^-24) of the sum of the absolute
         * values of its terms (cancellation makes some values far smaller
         * than their terms) */
        const double eps = 16.0 * ldexp(1.0, -24), sc = 2.0 * (double)d;
        double diag, off, absdiag = 0, absall = 0;
        li2_solutions_r_sums(A, B, C, d, K, &diag, &off);
        for (size_t j = 0; j < K; j++) {
          double sa = 0, sb = 0, sc3 = 0;
          for (size_t k = 0; k < d; k++) {
            sa += cabs(A[k * K + j]), sb += cabs(B[k * K + j]), sc3 += cabs(C[k * K + j]);
            absdiag += cabs(A[k * K + j]) * cabs(B[k * K + j]) * cabs(C[k * K + j]);
          }
          absall += sa * sb * sc3;
        }
        if (sscanf(line, "%*s %63s", key) != 1)
          continue;
        if (!strcmp(key, "diag") || !strcmp(key, "offdiag")) {
          double want = strtod(line + 4 + strlen(key) + 1, NULL);
          int isdiag = !strcmp(key, "diag");
          double got = sc * (isdiag ? diag : off), tol = eps * sc * (isdiag ? absdiag : absall);
          ok(fabs(got - want) <= tol, "compute_mps %s sum: li2 %.9g, reference %.9g (tolerance %.2g)",
             key, got, want, tol);
        } else {
          int m = key[2] - '0';
          char *s = line + 4 + strlen(key) + 1, *e;
          size_t bad = 0;
          double worst = 0;
          for (size_t k = 1; k <= r->nfreq; k++, s = e) {
            double want = strtod(s, &e), mag = 0;
            double got = sc * cabs(li2_solutions_r_rot(A, C, d, K, (size_t)m, k, k));
            /* the float32 transform errs by eps sum_n |u_j[n]| / d in every
             * coefficient, which for m = 1 (|A_{k+1,j}| near 0 on
             * single-frequency nodes) dominates: three factors bounded
             * by a_j = sum_n |u_j[n]| / d and c_j = sum_n |V[j, n]| / d */
            for (size_t j = 0; j < K; j++) {
              double aj = 0, cj = 0;
              for (size_t n = 0; n < d; n++)
                aj += fabs(W[n * K + j]) / (double)d, cj += fabs(V[j * d + n]) / (double)d;
              mag += 3 * aj * aj * cj;
            }
            bad += fabs(got - want) > eps * sc * mag;
            worst = fmax(worst, fabs(got - want) / (eps * sc * mag));
          }
          ok(bad == 0, "compute_mps |r_{a,%d,k,k}| at every k (largest difference %.2g of its tolerance)",
             m, worst);
        }
      } else if (!strcmp(kind, "nonfactorable")) {
        int q;
        size_t want, got = 0;
        sscanf(line, "%*s %d %zu", &q, &want);
        for (size_t i = 0; i < r->nfactor; i++)
          got += (int)r->factor[i].q == q && !r->factor[i].factorable;
        ok(got == want, "non-factorable at q = %d: li2 %zu, reference %zu", q, got, want);
      }
    }
    fclose(fp);
    ok(npair > 0 && matched == npair && npair == r->summary.nfact,
       "every factorable frequency: same type pair and parameters to 1e-4 (%zu of %zu)", matched,
       npair);
  }
  li2_solutions_result_free(r);
  free(W), free(V), free(A), free(B), free(C);
}

int main(void)
{
  li2_solutions_params p;
  li2_error err = {0};
  const double complex w = omega3();
  li2_solutions_params_default(&p);

  /* ---- Fourier coefficients of a single-frequency node ---- */
  {
    size_t d = 11, K = 3;
    double *W = calloc(2 * d * K, sizeof *W), *V = calloc(K * d, sizeof *V);
    li2_complex A[33], B[33], C[33];
    double complex a = 0.3 * cexp(0.7 * I), b = 0.2 * cexp(-1.1 * I), c = 0.4 * cexp(2.0 * I);
    double off = 0;
    set_node(W, V, d, K, 1, 4, a, b, c);
    ok(li2_solutions_fourier(W, V, d, K, 0, A, B, C, &err) == 0, "fourier");
    ok(cabs(A[4 * K + 1] - a) < 1e-14 && cabs(B[4 * K + 1] - b) < 1e-14 && cabs(C[4 * K + 1] - c) < 1e-14,
       "A, B, C at the node's frequency are its coefficients (|diff| %.2g)", cabs(A[4 * K + 1] - a));
    ok(cabs(A[7 * K + 1] - conj(a)) < 1e-14, "A at d - k is the conjugate");
    for (size_t k = 0; k < d; k++)
      if (k != 4 && k != 7)
        off = fmax(off, cabs(A[k * K + 1]) + cabs(B[k * K + 1]) + cabs(C[k * K + 1]));
    ok(off < 1e-14, "no power at other frequencies (%.2g)", off);
    /* sum_k A[k, j] = u_j[0] (inverse DFT at n = 0) */
    {
      double complex s = 0;
      for (size_t k = 0; k < d; k++)
        s += A[k * K + 1];
      ok(cabs(s - W[0 * K + 1]) < 1e-14, "sum_k A[k, j] = u_j[0]");
    }
    ok(li2_solutions_fourier(W, V, 2, K, 0, A, B, C, &err) == LI2_EINVAL, "M < 3 refused: %s", err.msg);
    free(W), free(V);
  }

  /* ---- classify: components with known type ---- */
  {
    li2_complex comp[9], par[2];
    size_t np;
    double complex xi = cexp(0.9 * I), nu = cexp(-0.4 * I);
    /* order-2: column 0 ones, column 1 (a, b, c) with a b c = 1 */
    double complex c2[][3] = {{xi, 1.0 / (xi * I), I}, {I, -I, 1}, {nu, -nu, -1.0 / (nu * nu)}};
    int want2[] = {LI2_SOL_ORDER2_XI, LI2_SOL_ORDER2_4C, LI2_SOL_ORDER2_NU};
    for (int t = 0; t < 3; t++) {
      for (int r = 0; r < 3; r++)
        comp[r * 2] = 1, comp[r * 2 + 1] = c2[t][r];
      ok(li2_solutions_classify(comp, 2, &p, par, &np) == want2[t] && np == 1 &&
             cabs(par[0] - c2[t][0]) < 1e-12,
         "order-2 component %s recognised with its parameter", li2_solutions_type_name(want2[t]));
    }
    /* a column scaled by s (unnormalised input): the cube-root
     * normalisation removes it */
    for (int r = 0; r < 3; r++)
      comp[r * 2] = 2.0, comp[r * 2 + 1] = 2.0 * c2[0][r];
    ok(li2_solutions_classify(comp, 2, &p, par, &np) == LI2_SOL_ORDER2_XI,
       "a common scale of a column does not change the type");
    for (int r = 0; r < 3; r++)
      comp[r * 2] = 1, comp[r * 2 + 1] = (r == 2 ? 0.3 : 1.0) + 0.5 * r;
    ok(li2_solutions_classify(comp, 2, &p, par, &np) == LI2_SOL_ORDER2_UNKNOWN, "order-2 unknown");
    /* order-3 syn: columns 1, omega, omega-bar; in the other order too */
    for (int r = 0; r < 3; r++)
      comp[r * 3] = 1, comp[r * 3 + 1] = w, comp[r * 3 + 2] = conj(w);
    ok(li2_solutions_classify(comp, 3, &p, par, &np) == LI2_SOL_ORDER3_SYN, "order-3-syn");
    for (int r = 0; r < 3; r++)
      comp[r * 3] = 1, comp[r * 3 + 1] = conj(w), comp[r * 3 + 2] = w;
    ok(li2_solutions_classify(comp, 3, &p, par, &np) == LI2_SOL_ORDER3_SYN, "order-3-syn, conjugated");
    /* [-1, -1, 1] on a column is removed */
    comp[0 * 3 + 1] *= -1, comp[1 * 3 + 1] *= -1;
    ok(li2_solutions_classify(comp, 3, &p, par, &np) == LI2_SOL_ORDER3_SYN,
       "order-3-syn with a column times [-1, -1, 1]");
    /* syn-ab: c row omega, omega-bar; a = alpha omega, beta omega */
    {
      double complex al = cexp(0.3 * I), be = cexp(-0.2 * I);
      double complex a1 = al * w, a2 = be * w;
      comp[0] = comp[3] = comp[6] = 1;
      comp[1] = a1, comp[7] = w, comp[4] = 1.0 / (a1 * w);
      comp[2] = a2, comp[8] = conj(w), comp[5] = 1.0 / (a2 * conj(w));
      int t = li2_solutions_classify(comp, 3, &p, par, &np);
      ok(t == LI2_SOL_ORDER3_SYN_AB && np == 2 &&
             cabs(par[0] - al) < 1e-12 && cabs(par[1] - be) < 1e-12,
         "order-3-syn-ab with alpha, beta (%.3f, %.3f)", carg(par[0]), carg(par[1]));
    }
    ok(li2_solutions_classify(comp, 4, &p, par, &np) == LI2_SOL_ERROR, "4 columns: error");
  }

  /* ---- factorise products of known components ---- */
  {
    const double scale[3] = {0.3, 0.25, 0.4};
    double complex xi = cexp(0.9 * I), nu = cexp(2.5 * I);
    double complex c4c[6] = {1, I, 1, -I, 1, 1};
    double complex cxi[6] = {1, xi, 1, 1.0 / (xi * I), 1, I};
    double complex cnu[6] = {1, nu, 1, -nu, 1, -1.0 / (nu * nu)};
    double complex csyn[9] = {1, w, conj(w), 1, w, conj(w), 1, w, conj(w)};
    const int order4[4] = {2, 0, 3, 1}, order6[6] = {4, 1, 5, 0, 3, 2};
    double complex F[18];
    li2_solutions_factor f;
    int rc;
    product(c4c, cxi, 2, scale, order4, F);
    rc = li2_solutions_factorize(F, 4, &p, &f, &err);
    ok(rc == 0 && f.factorable && f.err < 1e-12 &&
           f.type1 == LI2_SOL_ORDER2_4C && f.type2 == LI2_SOL_ORDER2_XI,
       "4c x xi, nodes shuffled: factorable (err %.2g), types %s, %s", f.err,
       li2_solutions_type_name(f.type1), li2_solutions_type_name(f.type2));
    ok(f.nparam2 == 1 && either(f.param2[0], xi, 1e-9), "xi recovered (up to 1/xi: %.4f vs %.4f)",
       carg(f.param2[0]), carg(xi));
    /* a node times [-1, -1, 1]: the sign fix keeps it factorable */
    F[0 * 4 + 1] *= -1, F[1 * 4 + 1] *= -1;
    rc = li2_solutions_factorize(F, 4, &p, &f, &err);
    ok(rc == 0 && f.factorable &&
           f.type1 == LI2_SOL_ORDER2_4C && f.type2 == LI2_SOL_ORDER2_XI,
       "4c x xi with a node times [-1, -1, 1]: still factorable (err %.2g)", f.err);
    product(cnu, csyn, 3, scale, order6, F);
    rc = li2_solutions_factorize(F, 6, &p, &f, &err);
    ok(rc == 0 && f.factorable && f.err < 1e-12 &&
           f.type1 == LI2_SOL_ORDER2_NU && f.type2 == LI2_SOL_ORDER3_SYN,
       "nu x syn, nodes shuffled: factorable (err %.2g), types %s, %s", f.err,
       li2_solutions_type_name(f.type1), li2_solutions_type_name(f.type2));
    ok(f.nparam1 == 1 && either(f.param1[0], nu, 1e-9), "nu recovered (up to 1/nu: %.4f vs %.4f)",
       carg(f.param1[0]), carg(nu));
    /* not a product: independent random coefficients */
    {
      unsigned s = 12345;
      for (int i = 0; i < 18; i++) {
        s = s * 1103515245u + 12345u;
        double re = (double)(s >> 8) / 16777216.0 - 0.5;
        s = s * 1103515245u + 12345u;
        F[i] = re + I * ((double)(s >> 8) / 16777216.0 - 0.5);
      }
      rc = li2_solutions_factorize(F, 6, &p, &f, &err);
      ok(rc == 0 && !f.factorable,
         "random coefficients: not factorable (err %.3g > %.3g)", f.err, 0.1 * sqrt(18.0));
    }
    ok(li2_solutions_factorize(F, 5, &p, &f, &err) == LI2_EINVAL, "q = 5 refused: %s", err.msg);
  }

  /* ---- a whole network: order-4 at k = 2, order-6 at k = 3 ---- */
  {
    size_t d = 11, K = 14;
    double *W = calloc(2 * d * K, sizeof *W), *V = calloc(K * d, sizeof *V);
    li2_complex *A = malloc(d * K * sizeof *A), *B = malloc(d * K * sizeof *B),
                *C = malloc(d * K * sizeof *C);
    const double scale[3] = {0.3, 0.25, 0.4};
    double complex xi = cexp(-2.2 * I), nu = cexp(1.2 * I);
    double complex c4c[6] = {1, I, 1, -I, 1, 1};
    double complex cxi[6] = {1, xi, 1, 1.0 / (xi * I), 1, I};
    double complex cnu[6] = {1, nu, 1, -nu, 1, -1.0 / (nu * nu)};
    double complex csyn[9] = {1, w, conj(w), 1, w, conj(w), 1, w, conj(w)};
    const int order4[4] = {3, 1, 0, 2}, order6[6] = {0, 5, 2, 4, 1, 3};
    double complex F4[12], F6[18];
    li2_solutions_result *r = NULL;
    size_t order[6];
    product(c4c, cxi, 2, scale, order4, F4);
    product(cnu, csyn, 3, scale, order6, F6);
    /* nodes 0, 3, 6, 9 at k = 2; nodes 1, 4, 7, 10, 12, 13 at k = 3; 2, 5,
     * 8, 11 weak (below the threshold) at k = 5 */
    {
      int n4[4] = {0, 3, 6, 9}, n6[6] = {1, 4, 7, 10, 12, 13}, nw[4] = {2, 5, 8, 11};
      for (int i = 0; i < 4; i++)
        set_node(W, V, d, K, (size_t)n4[i], 2, F4[i], F4[4 + i], F4[8 + i]);
      for (int i = 0; i < 6; i++)
        set_node(W, V, d, K, (size_t)n6[i], 3, F6[i], F6[6 + i], F6[12 + i]);
      for (int i = 0; i < 4; i++)
        set_node(W, V, d, K, (size_t)nw[i], 5, 0.04, 0.04, 0.04);
    }
    li2_solutions_fourier(W, V, d, K, 0, A, B, C, &err);
    li2_solutions_orders(A, d, K, 0.05, order);
    ok(order[1] == 0 && order[2] == 4 && order[3] == 6 && order[4] == 0 && order[5] == 0,
       "orders per frequency 0,4,6,0,0 (got %zu,%zu,%zu,%zu,%zu)", order[1], order[2], order[3],
       order[4], order[5]);
    li2_solutions_orders(A, d, K, 0.03, order);
    ok(order[5] == 4, "a lower threshold counts the weak nodes (%zu)", order[5]);
    ok(li2_solutions_analyze(A, B, C, d, K, &p, &r, &err) == 0 && r->nfactor == 2,
       "analyze: two frequencies with 4 or 6 nodes");
    if (r && r->nfactor == 2) {
      const li2_solutions_summary *s = &r->summary;
      ok(r->factor[0].k == 2 && r->factor[0].type1 == LI2_SOL_ORDER2_4C &&
             r->factor[0].type2 == LI2_SOL_ORDER2_XI && r->factor[0].factorable,
         "k = 2: (order-2-4c, order-2-xi)");
      ok(r->factor[1].k == 3 && r->factor[1].type1 == LI2_SOL_ORDER2_NU &&
             r->factor[1].type2 == LI2_SOL_ORDER3_SYN && r->factor[1].factorable,
         "k = 3: (order-2-nu, order-3-syn)");
      ok(s->n == 5 && s->n4 == 1 && s->n6 == 1 && s->n0 == 3 && s->non_4_6_0 == 0 && s->nfact == 2,
         "summary counts n4 1, n6 1, n0 3");
      ok_close(s->sol_4_4cxi, 0.5, 1e-7, "sol_4_4cxi = 1/2");
      ok_close(s->sol_6_nusyn, 0.5, 1e-7, "sol_6_nusyn = 1/2");
      ok_close(s->sol_others, 0, 1e-7, "sol_others = 0");
    }
    li2_solutions_result_free(r);

    /* r_{k1 k2 k}: the factorised total against the direct triple sum */
    {
      double diag, offdiag, direct = 0, ddiag = 0;
      li2_solutions_r_sums(A, B, C, d, K, &diag, &offdiag);
      for (size_t k1 = 0; k1 < d; k1++)
        for (size_t k2 = 0; k2 < d; k2++)
          for (size_t k = 0; k < d; k++) {
            double x = creal(li2_solutions_r(A, B, C, d, K, k1, k2, k));
            if (k1 == k2 && k2 == k)
              ddiag += x;
            else
              direct += x;
          }
      ok_close(diag, ddiag, 1e-12, "diagonal sum of r_kkk");
      ok_close(offdiag, direct, 1e-10, "off-diagonal sum by the per-node factorisation = direct (%.6g)",
               direct);
      /* r_{a,0,k,k} = sum_j |A_kj|^2 C_kj */
      {
        double complex s = 0;
        for (size_t j = 0; j < K; j++)
          s += cabs(A[2 * K + j]) * cabs(A[2 * K + j]) * C[2 * K + j];
        ok(cabs(li2_solutions_r_rot(A, C, d, K, 0, 2, 2) - s) < 1e-14, "r_{a,0,k,k}");
      }
      ok(cabs(li2_solutions_r_rot(A, C, d, K, 1, 2, 2)) < 1e-14,
         "r_{a,1,k,k} vanishes on single-frequency nodes");
    }
    free(W), free(V), free(A), free(B), free(C);
  }
  parity(&p);
  return tap_done();
}
