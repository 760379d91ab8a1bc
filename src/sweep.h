/* Parameter sweeps (li2 sweep): value lists and ranges, the Cartesian
 * product of points, shards, the sweep directory (manifest, one directory
 * and one result file per point) and the aggregated results.tsv.
 *
 * A sweep is a subcommand and words KEY=LIST.  LIST is comma-separated
 * (`\,` is a literal comma); an item made of two or three numbers joined
 * by ':' is a range: A:B is A, A+1, ..., B; A:B:S is A + i S for
 * i = 0, 1, ... while it does not pass B (with a tolerance of 1e-9 steps,
 * so 0.5:0.95:0.05 has exactly 10 values, printed with %.10g).  Any other
 * item, such as the group Z7:Z3, is a literal value.
 *
 * Points are numbered 0 .. N-1 in the order of Python's itertools.product
 * (the reference trainer's hydra multirun): the first key varies slowest,
 * the last key fastest.  Shard I of N (1-based) holds the points whose
 * number is I-1 modulo N.
 *
 * Sweep directory DIR:
 *   manifest.json          the whole specification (refused if it differs)
 *   points/NNNN/           the point's run directory (out= of the child)
 *   points/NNNN/point.json parameters, exit status, seconds and the
 *                          child's summary; written atomically once the
 *                          child exited 0: a point is complete iff it exists
 *   results.tsv            one row per complete point, in point order
 *   times.tsv              the same points' wall seconds
 *
 * Memory contract: li2_sweep_alloc returns an object owned by the caller
 * (li2_sweep_free accepts NULL); strings returned by accessors belong to
 * it; functions returning char * give the caller a string to free. */
#ifndef LI2_SWEEP_H
#define LI2_SWEEP_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include "args.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of values one list may expand to, and of points. */
#define LI2_SWEEP_MAX_VALUES 1000000
#define LI2_SWEEP_MAX_POINTS 10000000

/* Expand LIST (the text after KEY=) into *N values (caller frees each and
 * the array).  LI2_EINVAL naming KEY for an empty item, a range whose end
 * is before its start (seed=5:1), a zero step or too many values. */
int li2_sweep_values_parse(const char *key, const char *list, char ***values, size_t *n,
                           li2_error *err);
void li2_sweep_values_free(char **values, size_t n);

typedef struct li2_sweep li2_sweep;

/* A sweep of COMMAND over WORDS[0..nwords-1], each KEY=LIST.  With SPEC
 * (the command's parameter table, may be NULL) every key must be one of
 * it, and every point's parameters are validated by li2_args_parse before
 * any work; the keys in RESERVED (NULL-terminated, may be NULL) may not
 * be given because the sweep sets them.  A word --NAME (a flag of the
 * command) stands for --NAME=true; --NAME=LIST sweeps it. */
li2_sweep *li2_sweep_alloc(const char *command, const li2_arg_spec *spec,
                           const char *const *reserved, int nwords, char **words,
                           li2_error *err);
void li2_sweep_free(li2_sweep *s);

const char *li2_sweep_command(const li2_sweep *s);
size_t li2_sweep_npoints(const li2_sweep *s);
size_t li2_sweep_nkeys(const li2_sweep *s);
const char *li2_sweep_key(const li2_sweep *s, size_t k);
size_t li2_sweep_nvalues(const li2_sweep *s, size_t k);
/* 1 when key K was given on the command line (as every key is). */
int li2_sweep_has_key(const li2_sweep *s, const char *key);
/* Value of key K at point P. */
const char *li2_sweep_value(const li2_sweep *s, size_t point, size_t k);

/* Key K's values as a LIST again ("V1,V2,..." with ',' and '\' escaped);
 * caller frees; NULL on no memory. */
char *li2_sweep_list_text(const li2_sweep *s, size_t k);

/* The specification in canonical form, "COMMAND KEY=V1,V2 ..." with the
 * values expanded (so seed=1:3 and seed=1,2,3 are the same sweep). */
const char *li2_sweep_spec(const li2_sweep *s);

/* ---- shards ---- */
typedef struct li2_sweep_shard {
  size_t index;  /* 1 .. count */
  size_t count;
} li2_sweep_shard;

/* Parse "I/N" (1 <= I <= N); LI2_EINVAL naming KEY. */
int li2_sweep_shard_parse(const char *text, const char *key, li2_sweep_shard *sh,
                          li2_error *err);
/* 1 when POINT belongs to shard SH (NULL: the whole sweep). */
int li2_sweep_shard_contains(const li2_sweep_shard *sh, size_t point);

/* ---- the sweep directory ---- */

/* Create DIR and DIR/points and write DIR/manifest.json, or check that the
 * one there describes the same sweep (LI2_EINVAL with a clear message
 * otherwise). */
int li2_sweep_manifest_write(const li2_sweep *s, const char *dir, li2_error *err);
/* Check an existing manifest only (LI2_EIO when there is none). */
int li2_sweep_manifest_check(const li2_sweep *s, const char *dir, li2_error *err);
/* The sweep recorded in DIR/manifest.json (for --collect without the
 * specification); NULL with ERR set on failure. */
li2_sweep *li2_sweep_manifest_load(const char *dir, li2_error *err);

/* DIR/points/NNNN (at least 4 digits, enough for every point). */
char *li2_sweep_point_dir(const li2_sweep *s, const char *dir, size_t point);
/* The same from the sweep's point count (manifest.json's "points"). */
char *li2_sweep_point_path(const char *dir, size_t npoints, size_t point);
/* 1 when the point's point.json exists, names this point and holds a
 * non-empty summary. */
int li2_sweep_point_complete(const li2_sweep *s, const char *dir, size_t point);

/* point.json text: the point's number and parameters, ARGV (the child's
 * command line, may be NULL), EXIT_STATUS, SECONDS, THREADS (may be NULL)
 * and the child's summary taken from STDOUT_TEXT: a JSON object, else the
 * lines "name<TAB>number" (other lines ignored).  NULL on no memory and
 * when STDOUT_TEXT yields no summary member (the point is then not done). */
char *li2_sweep_point_json(const li2_sweep *s, size_t point, char *const *argv,
                           int exit_status, double seconds, const char *threads,
                           const char *stdout_text);
/* Write TEXT as DIR/points/NNNN/point.json atomically (creating the
 * directory). */
int li2_sweep_point_commit(const li2_sweep *s, const char *dir, size_t point,
                           const char *text, li2_error *err);

/* Regenerate DIR/results.tsv and DIR/times.tsv from the complete points
 * (atomically); *NCOMPLETE (may be NULL) receives their number.
 * results.tsv: "point", every key, then the numeric and boolean fields of
 * the summaries (union in order of first appearance; null and missing
 * written nan), with train_fraction = ntrain / (ntrain + ntest) added
 * after them when the summaries have ntrain and ntest.  Fields that
 * describe how a run went rather than its result (names containing
 * "seconds", and start_epoch) are left out so that results.tsv does not
 * depend on timing, scheduling or resumption; the child's wall seconds go
 * to times.tsv. */
int li2_sweep_results_write(const li2_sweep *s, const char *dir, size_t *ncomplete,
                            li2_error *err);

/* ---- running the points (sweep_run.c) ---- */

/* Environment variable the runners give their children (this process's
 * pid): a child li2 asks the kernel to end it when that parent dies. */
#define LI2_SWEEP_PARENT_ENV "LI2_SWEEP_PARENT"

/* The points of shard SH (NULL: every point) that are not complete in
 * DIR: *N point numbers (caller frees the array; NULL on no memory) and in
 * *NSHARD the size of the shard. */
size_t *li2_sweep_pending(const li2_sweep *s, const char *dir, const li2_sweep_shard *sh,
                          size_t *n, size_t *nshard);

typedef struct li2_sweep_runner_params {
  const char *exe;            /* the li2 binary every point runs */
  const li2_arg_spec *spec;   /* the swept subcommand's parameters: out=, --json and
                               * resume= are passed when it has them */
  const char *threads;        /* threads=VALUE for every point, or NULL */
  const volatile sig_atomic_t *stop;  /* nonzero (a signal handler's flag; may be
                               * NULL): start no more points, end the running ones */
  int log;                    /* append start/done/failed lines to DIR/sweep.log */
  FILE *messages;             /* a line per failed point, or NULL */
} li2_sweep_runner_params;

/* A runner starts each point as a child process: EXE COMMAND KEY=VALUE ...
 * [threads=T] out=DIR/points/NNNN [--json], or, for a point that has a
 * checkpoint.li2 and a command that takes resume=, EXE COMMAND
 * resume=POINTDIR with the keys a resumed li2 train accepts; stdin is
 * /dev/null, stdout and stderr go to files of the point's directory.  A
 * child that exits 0 has its point.json committed; a failed one is
 * counted and reported.  The children's environment adds
 * OMP_WAIT_POLICY=passive (unless set) and LI2_SWEEP_PARENT_ENV. */
typedef struct li2_sweep_runner li2_sweep_runner;
li2_sweep_runner *li2_sweep_runner_alloc(const li2_sweep *s, const char *dir,
                                         const li2_sweep_runner_params *p, li2_error *err);
void li2_sweep_runner_free(li2_sweep_runner *r);
/* The progress line (li2_progress on stderr) over TOTAL points. */
void li2_sweep_runner_progress(li2_sweep_runner *r, long total, double interval);
void li2_sweep_runner_progress_finish(li2_sweep_runner *r);
/* Points completed and failed so far; the exit status of the first failure. */
size_t li2_sweep_runner_done(const li2_sweep_runner *r);
size_t li2_sweep_runner_failed(const li2_sweep_runner *r);
int li2_sweep_runner_first_failure(const li2_sweep_runner *r);

/* The local runner: the points PEND[0..N-1], JOBS children at a time.
 * After a stop: LI2_EIO saying how many points completed. */
int li2_sweep_runner_local(li2_sweep_runner *r, const size_t *pend, size_t n, int jobs,
                           li2_error *err);

/* The distributed runner (li2 sweep under mpirun): the master hands out
 * point numbers one at a time to the workers that ask (dynamic load
 * balancing), runs points itself too and commits every result.  A
 * worker's message is "POINT CODE\n" and the point.json text or the
 * failure line ("-1 0\n" to ask for the first point).  The transport
 * moves the messages (the library has no MPI of its own). */
typedef struct li2_sweep_transport {
  void *ctx;
  /* worker: send MSG to the master, then wait for the next point (-1: no more) */
  long (*exchange)(void *ctx, const char *msg);
  /* master: a waiting worker message (malloc'ed, *FROM its rank), or NULL */
  char *(*poll)(void *ctx, int *from);
  /* master: send POINT (-1: stop) to worker TO */
  void (*reply)(void *ctx, int to, long point);
  /* end every process with exit status CODE (does not return) */
  void (*abort)(void *ctx, int code);
} li2_sweep_transport;
/* The master's loop over PEND[0..N-1] with WORKERS workers. */
int li2_sweep_runner_master(li2_sweep_runner *r, const size_t *pend, size_t n, int workers,
                            const li2_sweep_transport *tr, li2_error *err);
/* A worker's loop until the master says stop; WHO names it in sweep.log. */
int li2_sweep_runner_worker(li2_sweep_runner *r, const char *who,
                            const li2_sweep_transport *tr);

/* The Slurm runner: DIR/sweep.sbatch, a job array of TASKS shards, task I
 * running `EXE sweep ... out=DIR [-j JOBS] --shard I/TASKS` (the
 * environment variable LI2 overrides EXE); *SCRIPT (caller frees) is the
 * script's path with DIR made absolute. */
int li2_sweep_slurm_write(const li2_sweep *s, const char *dir, const char *exe, long tasks,
                          int jobs, char **script, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
