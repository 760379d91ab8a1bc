/* Time of one full-batch forward + backward of the reference transformer
 * (src/transformer.h), ms, for bench/transformer.sh.
 *   bench_transformer M d nhead layers dff n reps threads [double|float]
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
