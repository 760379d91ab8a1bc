/* Process-global state: GSL's error handler, the thread policy and the
 * parallel job runner (the contract is in process.h). */
#include "process.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "config.h"
#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef HAVE_OPENBLAS
/* OpenBLAS's own interface (its cblas.h is not always installed) */
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);
#endif

/* ------------------------------------------------------------------ */
/* GSL's error handler                                                 */

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;
/* the program's handler for errors outside checked sections: set before
 * threads start (li2_process_init), read by li2's handler */
static gsl_error_handler_t *gsl_fatal;
/* this thread's depth of checked sections */
static _Thread_local int gsl_muted;

static void gsl_dispatch(const char *reason, const char *file, int line, int gsl_errno)
{
  if (gsl_muted)
    return;  /* the caller checks the status code */
  if (gsl_fatal) {
    gsl_fatal(reason, file, line, gsl_errno);
    return;
  }
  /* GSL's default handler (gsl_error with no handler set) */
  gsl_stream_printf("ERROR", file, line, reason);
  fflush(stdout);
  fprintf(stderr, "Default GSL error handler invoked.\n");
  fflush(stderr);
  abort();
}

static void gsl_install(void)
{
  gsl_error_handler_t *before = gsl_set_error_handler(gsl_dispatch);
  if (before != gsl_dispatch && !gsl_fatal)
    gsl_fatal = before;
}

void li2_process_init(li2_process_gsl_handler *fatal)
{
  if (fatal)
    gsl_fatal = fatal;
  pthread_once(&gsl_once, gsl_install);
}

void li2_process_gsl_mute(void)
{
  pthread_once(&gsl_once, gsl_install);
  gsl_muted++;
}

void li2_process_gsl_unmute(void)
{
  if (gsl_muted > 0)
    gsl_muted--;
}

/* ------------------------------------------------------------------ */
/* thread policy                                                       */

void li2_process_set_threads(int n)
{
#ifdef _OPENMP
  if (n > 0)
    omp_set_num_threads(n);
#endif
#ifdef HAVE_OPENBLAS
  /* The model splits its products over the OpenMP threads itself, each
   * calling single-threaded BLAS: OpenBLAS's own pool would compete with
   * them for the cores (measured: 10-40% slower on 2 cores). */
  openblas_set_num_threads(1);
#else
  (void)n;
#endif
}

void li2_process_set_blas_threads(int n)
{
#ifdef HAVE_OPENBLAS
  openblas_set_num_threads(n > 0 ? n : 1);
#else
  (void)n;
#endif
}

int li2_process_blas_threads(void)
{
#ifdef HAVE_OPENBLAS
  return openblas_get_num_threads();
#else
  return 1;
#endif
}

const char *li2_process_blas_core(void)
{
#ifdef HAVE_OPENBLAS
  return openblas_get_corename();
#else
  return NULL;
#endif
}

const char *li2_process_blas_config(void)
{
#ifdef HAVE_OPENBLAS
  return openblas_get_config();
#else
  return NULL;
#endif
}

void li2_process_wait_passive(char *const argv[])
{
  const char *p = getenv("OMP_WAIT_POLICY"), *b = getenv("OPENBLAS_THREAD_TIMEOUT");
  const char *keep = getenv("LI2_OMP_ENV");
  if (keep && !strcmp(keep, "keep"))  /* the caller's choice, e.g. bench/wait-policy.sh's "before" */
    return;
  if (p && !strcasecmp(p, "passive") && !getenv("GOMP_SPINCOUNT") && b && !strcmp(b, "4"))
    return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) || unsetenv("GOMP_SPINCOUNT") ||
      setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1))
    return;
#ifdef __linux__
  execv("/proc/self/exe", argv);
#else
  (void)argv;
#endif
}

/* ------------------------------------------------------------------ */
/* independent jobs in parallel                                        */

int li2_process_job_threads(size_t n, int threads)
{
  int nt = 1;
#ifdef _OPENMP
  nt = threads > 0 ? threads : omp_get_max_threads();
#else
  (void)threads;
#endif
  if ((size_t)nt > n)
    nt = (int)n;
  return nt < 1 ? 1 : nt;
}

int li2_process_run_jobs(size_t n, int threads, li2_process_job_fn fn,
                         li2_process_job_done_fn done, void *ctx, size_t *failed,
                         li2_error *err)
{
  long first = -1;
  li2_error first_err = {0};
  int nt = li2_process_job_threads(n, threads);
  /* the jobs may enter checked sections: li2's handler in place before
   * the threads start */
  li2_process_init(NULL);
  /* BLAS single-threaded in the jobs (OpenBLAS's pool would compete with
   * the jobs' threads; GSL's eigensolvers call level-2 BLAS on small
   * matrices); the OpenMP count untouched */
  int blas = li2_process_blas_threads();
  li2_process_set_blas_threads(1);
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
#endif
  for (size_t i = 0; i < n; i++) {
    li2_error e1 = {0};
    int tid = 0;
#ifdef _OPENMP
    tid = omp_get_thread_num();
    omp_set_num_threads(1);  /* this thread's nested regions: one thread */
#endif
    int r1 = fn(ctx, i, tid, &e1);
#ifdef _OPENMP
#pragma omp critical(li2_process_jobs)
#endif
    {
      if (r1 && (first < 0 || (long)i < first)) {
        first = (long)i;
        first_err = e1;
        first_err.code = r1;
      }
      if (done)
        done(ctx, i, r1);
    }
  }
  li2_process_set_blas_threads(blas);
  if (first >= 0) {
    if (failed)
      *failed = (size_t)first;
    if (err)
      *err = first_err;
    return first_err.code;
  }
  return LI2_SUCCESS;
}

void li2_process_share(size_t n, size_t *i0, size_t *i1)
{
#ifdef _OPENMP
  size_t t = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
#else
  size_t t = 0, nt = 1;
#endif
  *i0 = n * t / nt;
  *i1 = n * (t + 1) / nt;
}
