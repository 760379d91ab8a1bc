/* Time of one full-batch forward + backward of the reference transformer
 * (src/transformer.h), ms, for bench/transformer.sh.
 *   bench_transformer M d nhead layers dff n reps threads [double|float|sgemm]
 * (sgemm: this CPU's sgemm rate on the step's products, sgemm_mix below)
 * Prints one line: "transformer M=.. d=.. ... gflop G ref_gflop R ms_per_step X
 * cpu_ms_per_step Y": the step's operations as li2 runs them and as PyTorch
 * runs the reference (li2_transformer_step_flops),
 * the best wall time of REPS steps after a warm-up, and the best process
 * CPU time (all threads), which a loaded machine disturbs less. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_rng.h>

#include "io.h"
#include "process.h"
#include "train.h"
#include "transformer.h"

static double cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
  const char *what;
  int ta, tb;          /* transposes as li2 passes them (row-major) */
  size_t m, n, k;
  double count;        /* calls per step */
} shape;

/* This CPU's cblas_sgemm on the products of li2's step on all n T rows
 * (src/transformer_impl.h: in-projection, out-projection, feed-forward,
 * forward NT, weight gradients TN, input gradients NN), each the best of
 * REPS timed calls after a warm-up, GFLOP/s (2 m n k per call); then the
 * rate of the whole mix, each shape weighted by how often one step calls it
 * (the first layer's in- and out-projections run on li2's small table and
 * are left out): "sgemm_mix_gflops X" (wall) and "sgemm_mix_cpu_gflops Y"
 * (per CPU second of all threads: the machine's other load disturbs it
 * less).  The upper bound on li2's speed at its arithmetic. */
static int sgemm_mix(size_t M, size_t d, size_t H, size_t L, size_t F, size_t n, int reps,
                     int threads)
{
  const size_t r = 2 * n;
  /* layers after the first run their projections on every row; the first
   * does too when li2 has no table (M nhead >= n) */
  const double lp = (double)L - (M * H < n ? 1 : 0), lf = (double)L;
  const shape sh[] = {
    {"in-projection X Win^T", 0, 1, r, 3 * d, d, lp},
    {"out-projection ctx Wo^T", 0, 1, r, d, d, lp},
    {"feed-forward X1 W1^T", 0, 1, r, F, d, lf},
    {"feed-forward H W2^T", 0, 1, r, d, F, lf},
    {"gradient of W2: dS2^T H", 1, 0, d, F, r, lf},
    {"dZ = dS2 W2", 0, 0, r, F, d, lf},
    {"gradient of W1: dZ^T X1", 1, 0, F, d, r, lf},
    {"dX1 = dZ W1", 0, 0, r, d, F, lf},
    {"gradient of Wo: dS1^T ctx", 1, 0, d, d, r, lp},
    {"dctx = dS1 Wo", 0, 0, r, d, d, lp},
    {"gradient of Win: dQKV^T X", 1, 0, 3 * d, d, r, lp},
    {"dX = dQKV Win", 0, 0, r, d, 3 * d, lp},
  };
  const size_t ns = sizeof sh / sizeof sh[0];
  size_t maxa = 0;
  for (size_t i = 0; i < ns; i++) {
    size_t a = sh[i].m * sh[i].k, b = sh[i].k * sh[i].n, c = sh[i].m * sh[i].n;
    maxa = a > maxa ? a : maxa;
    maxa = b > maxa ? b : maxa;
    maxa = c > maxa ? c : maxa;
  }
  float *A = malloc(maxa * sizeof *A), *B = malloc(maxa * sizeof *B), *C = malloc(maxa * sizeof *C);
  if (!A || !B || !C) {
    fprintf(stderr, "bench_transformer: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < maxa; i++) {
    A[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    B[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
    C[i] = 0;
  }
  double tflop = 0, twall = 0, tcpu = 0;
  for (size_t i = 0; i < ns; i++) {
    const shape *s = &sh[i];
    const double flop = 2.0 * (double)s->m * (double)s->n * (double)s->k;
    double best = 1e300, cbest = 1e300;
    if (s->count <= 0)
      continue;
    for (int k = 0; k <= reps; k++) {
      double t0 = li2_io_seconds(), c0 = cpu_seconds();
      cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
                  s->tb ? CblasTrans : CblasNoTrans, (int)s->m, (int)s->n, (int)s->k, 1, A,
                  s->ta ? (int)s->m : (int)s->k, B, s->tb ? (int)s->k : (int)s->n, 0, C,
                  (int)s->n);
      if (k > 0) {  /* the first is a warm-up */
        double t = li2_io_seconds() - t0, c = cpu_seconds() - c0;
        best = t < best ? t : best;
        cbest = c < cbest ? c : cbest;
      }
    }
    printf("sgemm %-28s %c%c m %6zu n %6zu k %6zu: %7.1f GFLOP/s wall, %7.1f per CPU second "
           "(%g per step)\n", s->what, s->ta ? 'T' : 'N', s->tb ? 'T' : 'N', s->m, s->n, s->k,
           flop / best * 1e-9, flop / cbest * 1e-9, s->count);
    tflop += s->count * flop;
    twall += s->count * best;
    tcpu += s->count * cbest;
  }
  printf("sgemm_mix threads %d gflop %.2f ms %.1f sgemm_mix_gflops %.1f sgemm_mix_cpu_gflops %.1f\n",
         threads, tflop * 1e-9, twall * 1e3, tflop / twall * 1e-9, tflop / tcpu * 1e-9);
  free(A);
  free(B);
  free(C);
  return 0;
}

int main(int argc, char **argv)
{
  size_t M = 113, d = 512, H = 4, L = 2, F = 2048, n = 3831;
  int reps = 3, threads = 2, single = 0;
  li2_error err = {0};
  if (argc >= 9) {
    M = strtoul(argv[1], NULL, 10);
    d = strtoul(argv[2], NULL, 10);
    H = strtoul(argv[3], NULL, 10);
    L = strtoul(argv[4], NULL, 10);
    F = strtoul(argv[5], NULL, 10);
    n = strtoul(argv[6], NULL, 10);
    reps = atoi(argv[7]);
    threads = atoi(argv[8]);
  }
  if (argc >= 10)
    single = !strcmp(argv[9], "float");
  li2_process_set_threads(threads);
  li2_process_set_blas_threads(threads);  /* as the trainer does for a transformer */
  if (argc >= 10 && !strcmp(argv[9], "sgemm"))
    return sgemm_mix(M, d, H, L, F, n, reps, threads);
  li2_transformer *tf = li2_transformer_alloc(M, 2, d, H, L, F, LI2_ACT_RELU, LI2_LOSS_NLL, &err);
  li2_transformer_work *w = tf ? li2_transformer_work_alloc_precision(tf, n, single, &err) : NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int *x = malloc(2 * n * sizeof *x), *y = malloc(n * sizeof *y);
  double *g = tf ? malloc(tf->nparams * sizeof *g) : NULL, loss, t0, c0, best = 1e300, cbest = 1e300;
  if (!w || !g || !x || !y) {
    fprintf(stderr, "bench_transformer: %s\n", err.msg);
    return 1;
  }
  li2_transformer_init(tf, r, 1.0);
  for (size_t i = 0; i < n; i++) {
    x[2 * i] = (int)(i % M);
    x[2 * i + 1] = (int)((i / M) % M);
    y[i] = (x[2 * i] + x[2 * i + 1]) % (int)M;
  }
  for (int k = 0; k <= reps; k++) {
    t0 = li2_io_seconds();
    c0 = cpu_seconds();
    li2_transformer_forward(tf, w, n, x, y, &loss, NULL, &err);
    li2_transformer_backward(tf, w, g, &err);
    if (k > 0 && li2_io_seconds() - t0 < best)  /* the first is a warm-up */
      best = li2_io_seconds() - t0;
    if (k > 0 && cpu_seconds() - c0 < cbest)
      cbest = cpu_seconds() - c0;
  }
  /* the products' operations as li2 runs them and as PyTorch does
   * (li2_transformer_step_flops), GFLOP per step */
  printf("transformer M=%zu d=%zu nhead=%zu layers=%zu dff=%zu n=%zu threads=%d %s gflop %.2f "
         "ref_gflop %.2f ms_per_step %.1f cpu_ms_per_step %.1f\n", M, d, H, L, F, n, threads,
         single ? "float" : "double", 1e-9 * li2_transformer_step_flops(tf, n, 1),
         1e-9 * li2_transformer_step_flops(tf, n, 0), 1e3 * best, 1e3 * cbest);
  return 0;
}
