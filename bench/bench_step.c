/* One full-batch training step, split into its two parts: the fused loss
 * and gradient (li2_model_step_grad) on each product kernel the CPU runs
 * (BLAS, AVX2, AVX-512), and the Adam step on the double parameters.
 * Random weights, random operand pairs, labels a + b mod M.  Prints the
 * best and median milliseconds of REPS steps for each; the last line
 * compares the widest kernel with BLAS.
 *
 *   bench_step [M K N THREADS PRECISION REPS]   (default 71 2048 2016 2 float 30)
 *
 * bench/train.sh (a): 71 2048 2016; (b): 127 512 14516. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "model.h"
#include "optim.h"
#include "process.h"
#include "train.h"

static double clock_s(clockid_t id)
{
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double now(void)
{
  return clock_s(CLOCK_MONOTONIC);
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Prints best and median of the wall times T and the mean CPU time per
 * step CPU (all threads: wall x threads when nothing else runs; less
 * disturbed by other jobs than the wall time); returns the best. */
static double report(const char *what, double *t, int reps, double cpu)
{
  qsort(t, (size_t)reps, sizeof *t, cmp);
  printf("%-22s best %8.3f ms  median %8.3f ms  cpu %8.3f ms\n", what, 1e3 * t[0],
         1e3 * t[reps / 2], 1e3 * cpu);
  return t[0];
}

int main(int argc, char **argv)
{
  size_t M = argc > 1 ? strtoul(argv[1], NULL, 10) : 71;
  size_t K = argc > 2 ? strtoul(argv[2], NULL, 10) : 2048;
  size_t n = argc > 3 ? strtoul(argv[3], NULL, 10) : 2016;
  int threads = argc > 4 ? atoi(argv[4]) : 2;
  int single = argc > 5 ? strcmp(argv[5], "double") != 0 : 1;
  int reps = argc > 6 ? atoi(argv[6]) : 30;
  li2_error err;
  li2_model *m;
  li2_model_work *w;
  li2_optim *o;
  li2_optim_params op;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int *x = malloc(2 * n * sizeof(int)), *y = malloc(n * sizeof(int));
  double *grad, *t = malloc((size_t)(reps > 0 ? reps : 1) * sizeof(double)), loss;
  double tblas = 0, tbest = 0, c0;
  li2_kernel kbest = LI2_KERNEL_BLAS;
  if (M < 2 || K < 1 || n < 1 || threads < 1 || reps < 1) {
    fprintf(stderr, "usage: bench_step [M K N THREADS float|double REPS]\n");
    return 2;
  }
  li2_process_set_threads(threads);
  m = li2_model_alloc(M, 2, K, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
  w = m ? li2_model_work_alloc(m, n, 1, single, &err) : NULL;
  if (!w) {
    fprintf(stderr, "bench_step: %s\n", err.msg);
    return 1;
  }
  li2_model_init(m, r, 1.0);
  grad = malloc(m->nparams * sizeof(double));
  for (size_t i = 0; i < n; i++) {
    x[2 * i] = (int)gsl_rng_uniform_int(r, M);
    x[2 * i + 1] = (int)gsl_rng_uniform_int(r, M);
    y[i] = (x[2 * i] + x[2 * i + 1]) % (int)M;
  }
  printf("M=%zu K=%zu n=%zu threads=%d precision=%s\n", M, K, n, threads,
         single ? "float" : "double");
  for (int k = LI2_KERNEL_BLAS; k <= LI2_KERNEL_AVX512; k++) {
    char what[64];
    if (li2_model_work_set_kernel(w, (li2_kernel)k, &err))
      continue;
    li2_model_step_grad(m, w, n, x, y, grad, &loss, NULL, &err);  /* warm-up */
    c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < reps; i++) {
      double t0 = now();
      li2_model_step_grad(m, w, n, x, y, grad, &loss, NULL, &err);
      t[i] = now() - t0;
    }
    snprintf(what, sizeof what, "step_grad %s", li2_kernel_name((li2_kernel)k));
    tbest = report(what, t, reps, (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) / reps);
    kbest = (li2_kernel)k;
    if (k == LI2_KERNEL_BLAS)
      tblas = tbest;
    printf("%-22s loss %.10g\n", "", loss);
  }
  li2_optim_params_default(&op, LI2_OPTIM_ADAM, 2e-4);
  o = li2_optim_alloc(&op, m->nparams, 2 * M, K, &err);
  if (!o) {
    fprintf(stderr, "bench_step: %s\n", err.msg);
    return 1;
  }
  c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  for (int i = 0; i < reps; i++) {
    double t0 = now();
    li2_optim_step(o, 1e-9, m->params, grad, &err);
    t[i] = now() - t0;
  }
  report("adam step", t, reps, (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) / reps);
  printf("bench_step: M=%zu K=%zu n=%zu %s x%d: step_grad %s %.2f ms, blas %.2f ms (%.2fx)\n", M,
         K, n, single ? "float" : "double", threads, li2_kernel_name(kbest), 1e3 * tbest,
         1e3 * tblas, tblas / tbest);
  li2_optim_free(o);
  li2_model_work_free(w);
  li2_model_free(m);
  gsl_rng_free(r);
  free(x);
  free(y);
  free(grad);
  free(t);
  return 0;
}
