/* G_F closed forms (THEORY.md section 2) checked by independent routes. */
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradient.h"
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
  gsl_rng_free(rng);
  return tap_done();
}
