/* This CPU's single-precision matrix product (OpenBLAS cblas_sgemm) on the
 * shapes of the reference transformer's step (bench/transformer.sh): the
 * upper bound on li2's speed at its arithmetic.
 *   bench_sgemm M d nhead layers dff n reps threads
 * For each product of li2's step on all n T rows (src/transformer_impl.h:
 * in-projection, out-projection, feed-forward, forward NT, weight gradients
 * TN, input gradients NN) the best of REPS timed calls after a warm-up,
 * GFLOP/s (2 m n k per call); then the rate of the whole mix, each shape
 * weighted by how often one step calls it (the first layer's in- and
 * out-projections run on li2's small table and are left out):
 *   "sgemm_mix_gflops X" (wall) and "sgemm_mix_cpu_gflops Y" (per CPU
 * second of all threads: the machine's other load disturbs it less). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gsl/gsl_cblas.h>

#include "io.h"
#include "process.h"

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

int main(int argc, char **argv)
{
  size_t M = 113, d = 512, H = 4, L = 2, F = 2048, n = 3831;
  int reps = 3, threads = 2;
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
    fprintf(stderr, "bench_sgemm: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < maxa; i++) {
    A[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    B[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
    C[i] = 0;
  }
  li2_process_set_threads(threads);
  li2_process_set_blas_threads(threads);
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
