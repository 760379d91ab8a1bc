/* Process-global state (process.h): GSL's error handler under parallel
 * jobs, and the job runner. */
#include "process.h"
#include "tap.h"

#include <stdatomic.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#ifdef _OPENMP
#include <omp.h>
#endif

static atomic_int fatal_calls;

/* the program's handler: counts instead of exiting */
static void fatal(const char *reason, const char *file, int line, int gsl_errno)
{
  (void)reason, (void)file, (void)line, (void)gsl_errno;
  atomic_fetch_add(&fatal_calls, 1);
}

/* GSL_EDOM from a Cholesky factor of a matrix that is not positive
 * definite: the error a checked section expects */
static int failing_cholesky(void)
{
  double a[4] = {1, 2, 2, 1};  /* eigenvalues 3 and -1 */
  gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2);
  return gsl_linalg_cholesky_decomp1(&A.matrix);
}

typedef struct {
  int threads_seen[64];
  atomic_int done_calls;
  int done_overlap;  /* DONE entered while another DONE ran */
  atomic_int in_done;
} ctx;

/* even jobs: many errors inside a checked section (silent); odd jobs: one
 * error outside one (the program's handler); every job also nests */
static int job(void *vc, size_t i, int thread, li2_error *err)
{
  ctx *c = vc;
  int bad = 0;
  if (thread >= 0 && thread < 64)
    c->threads_seen[thread] = 1;
  if (i % 2 == 0) {
    for (int k = 0; k < 200; k++) {
      li2_process_gsl_mute();
      li2_process_gsl_mute();
      bad += failing_cholesky() != GSL_EDOM;
      li2_process_gsl_unmute();
      bad += failing_cholesky() != GSL_EDOM;
      li2_process_gsl_unmute();
    }
  } else {
    bad += failing_cholesky() != GSL_EDOM;
  }
  if (bad)
    return li2_error_set(err, LI2_ENUMERIC, "job %zu: status not GSL_EDOM", i);
  return LI2_SUCCESS;
}

static void done(void *vc, size_t i, int status)
{
  ctx *c = vc;
  (void)i, (void)status;
  if (atomic_fetch_add(&c->in_done, 1))
    c->done_overlap = 1;
  atomic_fetch_add(&c->done_calls, 1);
  atomic_fetch_sub(&c->in_done, 1);
}

static int failing_job(void *vc, size_t i, int thread, li2_error *err)
{
  (void)vc, (void)thread;
  if (i == 7 || i == 3 || i == 12)
    return li2_error_set(err, LI2_EINVAL, "job %zu failed", i);
  return LI2_SUCCESS;
}

int main(void)
{
  /* before li2_process_init: a checked section installs li2's handler
   * itself, and the error it hides reaches no one */
  li2_process_gsl_mute();
  ok(failing_cholesky() == GSL_EDOM, "checked section before init: status returned");
  li2_process_gsl_unmute();
  {
    gsl_error_handler_t *h = gsl_set_error_handler(NULL);
    ok(h != NULL, "li2's handler installed on first use");
    gsl_set_error_handler(h);
  }
  li2_process_init(fatal);

  /* single thread: outside a section the program's handler is called */
  atomic_store(&fatal_calls, 0);
  failing_cholesky();
  ok(atomic_load(&fatal_calls) == 1, "error outside a checked section: program's handler");
  li2_process_gsl_mute();
  failing_cholesky();
  li2_process_gsl_unmute();
  ok(atomic_load(&fatal_calls) == 1, "error inside a checked section: silent");

  /* parallel: with the old save/off/restore of the global handler, a
   * thread inside a section could see the handler another thread had just
   * restored (a call to the program's handler), or one outside could find
   * it still off (a lost call); per-thread sections give exact counts */
  {
    const size_t n = 400;
    ctx c;
    memset(&c, 0, sizeof c);
    atomic_store(&fatal_calls, 0);
    int nt = li2_process_job_threads(n, 2);
    int rc = li2_process_run_jobs(n, 2, job, done, &c, NULL, NULL);
    ok(rc == LI2_SUCCESS, "parallel jobs: every status GSL_EDOM");
    ok(atomic_load(&fatal_calls) == (int)(n / 2),
       "parallel jobs: the program's handler called once per unchecked error (%d of %zu)",
       atomic_load(&fatal_calls), n / 2);
    ok(atomic_load(&c.done_calls) == (int)n && !c.done_overlap,
       "DONE called once per job, one call at a time");
    int seen = 0;
    for (int t = 0; t < 64; t++)
      seen += c.threads_seen[t] && t >= nt;
    ok(seen == 0, "thread index below li2_process_job_threads (%d)", nt);
    atomic_store(&fatal_calls, 0);
    failing_cholesky();
    ok(atomic_load(&fatal_calls) == 1, "after the jobs: the handler is li2's, sections closed");
  }

  /* the runner: the lowest failing job's error and index */
  {
    li2_error err = {0};
    size_t failed = 99;
    int rc = li2_process_run_jobs(20, 2, failing_job, NULL, NULL, &failed, &err);
    ok(rc == LI2_EINVAL && failed == 3 && strstr(err.msg, "job 3 failed") != NULL,
       "lowest failing job reported (job %zu: %s)", failed, err.msg);
    failed = 99;
    ok(li2_process_run_jobs(0, 2, failing_job, NULL, NULL, &failed, &err) == LI2_SUCCESS &&
           failed == 99,
       "no jobs: success, index untouched");
  }
  ok(li2_process_job_threads(1, 8) == 1 && li2_process_job_threads(0, 2) == 1 &&
         li2_process_job_threads(5, 3) >= 1,
     "job threads between 1 and N");

  /* BLAS threads restored after the jobs */
  {
    li2_process_set_blas_threads(2);
    int before = li2_process_blas_threads();
    li2_process_run_jobs(4, 2, failing_job, NULL, NULL, NULL, NULL);
    ok(li2_process_blas_threads() == before, "BLAS thread count restored (%d)", before);
    li2_process_set_blas_threads(1);
  }
  return tap_done();
}
