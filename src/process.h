/* Process-global state li2 touches, in one place: GSL's error handler,
 * the thread policy (OpenMP and OpenBLAS counts, the waiting threads'
 * policy) and the runner of independent jobs in parallel that depends on
 * both.  A program linking libli2 reads this contract once.
 *
 * GSL's error handler.  GSL keeps one handler for the whole process; its
 * default prints and aborts.  li2 checks the status of the GSL calls that
 * can fail on valid input (a Cholesky factor of a matrix that is not
 * positive definite, an SVD or an integration that does not converge) and
 * must not abort there, while an error anywhere else is a bug to report.
 * Switching the global handler off and back around such calls, as li2 did,
 * races when independent jobs run in parallel (one thread restores the
 * handler while another is inside a checked call, which then aborts; or a
 * thread saves "off" as the old handler and leaves it off for good).  The
 * contract instead:
 *   - li2 installs its own handler once (li2_process_init, called before
 *     any thread starts; li2 calls it itself on first use).  It never
 *     changes the handler afterwards.
 *   - A checked section (li2_process_gsl_mute ... li2_process_gsl_unmute)
 *     is per thread: li2's handler ignores errors raised in a thread inside
 *     one (the caller checks the status codes) and passes every other error
 *     to the program's handler: the one given to li2_process_init, else
 *     the handler installed before li2's, else GSL's default (print and
 *     abort).
 *   - A program that wants its own handler passes it to li2_process_init;
 *     calling gsl_set_error_handler after that replaces li2's, and li2's
 *     checked sections then abort where they should report an error.
 *
 * Thread policy.  OpenMP's thread count and OpenBLAS's are process-wide
 * too: set them from the main thread, outside parallel regions. */
#ifndef LI2_PROCESS_H
#define LI2_PROCESS_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* GSL's handler type (gsl_error_handler_t), repeated so this header does
 * not need GSL's. */
typedef void li2_process_gsl_handler(const char *reason, const char *file, int line,
                                     int gsl_errno);

/* Install li2's GSL error handler (once; later calls only change FATAL)
 * with FATAL (may be NULL: the handler installed before, else GSL's
 * default) for errors outside checked sections.  Call from the main
 * thread before threads start. */
void li2_process_init(li2_process_gsl_handler *fatal);

/* Begin / end a checked section on the calling thread (they nest): GSL
 * errors raised there return their status code to the caller, which checks
 * it.  Other threads are not affected. */
void li2_process_gsl_mute(void);
void li2_process_gsl_unmute(void);

/* N OpenMP threads (N <= 0: the OpenMP default) and single-threaded
 * OpenBLAS: the model splits its matrix products over the OpenMP threads.
 * Results are bit-identical only between runs with the same count. */
void li2_process_set_threads(int n);
/* OpenBLAS's own threads (no effect with another BLAS): N for code whose
 * products are plain BLAS calls (the transformer); li2_process_set_threads
 * sets 1, the 2-layer network splitting its products itself. */
void li2_process_set_blas_threads(int n);
/* OpenBLAS's current thread count (1 with another BLAS). */
int li2_process_blas_threads(void);
/* The calling OpenMP thread's share [*I0, *I1) of N items: thread t of nt
 * takes [N t / nt, N (t + 1) / nt), the partition every parallel step of li2
 * uses (outside a parallel region: all of [0, N)). */
void li2_process_share(size_t n, size_t *i0, size_t *i1);

/* The BLAS li2 is linked with, for provenance: OpenBLAS's core ("Haswell")
 * and build configuration, NULL with another BLAS. */
const char *li2_process_blas_core(void);
const char *li2_process_blas_config(void);

/* Waiting threads sleep instead of spinning (issue 15, defect 14): with
 * OpenMP's default policy a 2-thread run on a busy machine is 10x slower,
 * its threads burning the time slices the working threads need (measured
 * in bench/wait-policy.sh).  libgomp and OpenBLAS read their environment
 * when they are loaded, before main: a program that links libli2 calls
 * this first thing in main with its ARGV.  Unless the environment already
 * holds OMP_WAIT_POLICY=passive, no GOMP_SPINCOUNT and
 * OPENBLAS_THREAD_TIMEOUT=4 (the shortest spin of OpenBLAS's own threads),
 * it sets them, whatever they were, and executes the program again
 * (/proc/self/exe, Linux) with the same ARGV; it returns when nothing was
 * to be done or the exec failed (the program then runs as it is).  Setting
 * the three variables before starting the program has the same effect;
 * LI2_OMP_ENV=keep in the environment leaves it as it is. */
void li2_process_wait_passive(char *const argv[]);

/* Independent jobs in parallel.  Job I (0..N-1) runs FN(CTX, I, THREAD,
 * ERR) on one of li2_process_job_threads(N, THREADS) OpenMP threads,
 * THREAD its index (0-based: per-thread workspaces), its own nested OpenMP
 * regions and BLAS single-threaded, so a job's result does not depend on
 * THREADS.  DONE (may be NULL) is called after each job with its status,
 * one call at a time (progress, counts).  OpenBLAS's thread count is
 * restored afterwards.  Returns the error of the lowest failing job, its
 * index in *FAILED (may be NULL; untouched on success). */
typedef int (*li2_process_job_fn)(void *ctx, size_t i, int thread, li2_error *err);
typedef void (*li2_process_job_done_fn)(void *ctx, size_t i, int status);
int li2_process_run_jobs(size_t n, int threads, li2_process_job_fn fn,
                         li2_process_job_done_fn done, void *ctx, size_t *failed,
                         li2_error *err);
/* The threads li2_process_run_jobs uses for N jobs on THREADS (0: the
 * OpenMP default): between 1 and N (1 when N is 0). */
int li2_process_job_threads(size_t n, int threads);

#ifdef __cplusplus
}
#endif

#endif
