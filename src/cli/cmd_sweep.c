/* li2 sweep SUBCOMMAND KEY=LIST ... out=DIR: a parameter sweep (sweep.h).
 * Each point runs as a child process of this li2 binary with
 * out=DIR/points/NNNN and --json; -j N keeps N children running; --shard
 * I/N takes every N-th point; under mpirun (configure --with-mpi) rank 0
 * hands out points one at a time to the ranks that ask, runs points
 * itself too, and writes every result file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "../figures.h"
#include "../io.h"
#include "../json.h"
#include "../sweep.h"

#ifdef HAVE_MPI
#include <mpi.h>
#endif

extern char **environ;

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "out", NULL, "sweep directory: manifest.json, points/NNNN/, results.tsv, times.tsv, sweep.log", 1, 0, NULL, 0},
  {LI2_ARG_INT, "jobs", "1", "local workers, also -j N: points run at the same time (each child gets threads=1 unless threads is given)", 1, 1024, NULL, 0},
  {LI2_ARG_STRING, "shard", NULL, "run only shard I/N (1-based): the points p with p mod N = I-1", 1, 0, NULL, 0},
  {LI2_ARG_FLAG, "collect", "false", "run nothing: rebuild results.tsv from the points' files (after shards)", 1, 0, NULL, 0},
  {LI2_ARG_FLAG, "emit_slurm", "false", "also --emit-slurm: write DIR/sweep.sbatch, a Slurm job array of shards, and stop", 1, 0, NULL, 0},
  {LI2_ARG_INT, "tasks", NULL, "--emit-slurm: array tasks, i.e. shards (default: points, at most 1000)", 1, 1e6, NULL, 0},
  {LI2_ARG_FLAG, "phase", "false", "then draw the phase diagram from results.tsv (as li2 plot DIR)", 1, 0, NULL, 0},
  {LI2_ARG_FLAG, "list", "false", "print the points (number and parameters) and stop", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "progress_interval", "30", "seconds between progress lines when stderr is not a terminal (0: none)", 0, 1e9, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "print the summary as JSON", 1, 0, NULL, 0},
  {0}
};

/* Keys the sweep sets for every point. */
static const char *const reserved[] = {"out", "resume", "json", NULL};

/* Keys a resumed `li2 train` accepts (cmd_train.c's resume_keys). */
static const char *const train_resume_keys[] = {"num_epochs", "eval_interval", "save_interval",
                                                "init_save_range",
                                                "threads", NULL};

/* Set by SIGINT/SIGTERM/SIGHUP: stop starting points, end the running
 * ones, keep what is complete.  (Signal state can only live here.) */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
  interrupted = sig;
}

/* ------------------------------------------------------------------ */
/* one running point                                                    */

typedef struct {
  pid_t pid;      /* 0: free */
  size_t point;
  double t0;
  char **argv;
  char *dir;
} slot;

typedef struct {
  const li2_sweep *s;
  const li2_command *cmd;
  const char *out;
  char exe[4096];
  char **envp;
  const char *threads;  /* threads=VALUE added to each child, or NULL */
  int lock;             /* li2_io_lock of out=DIR (rank 0), or -1 */
  int logfd;
  li2_progress prog;
  size_t total, done, failed;
  int first_failure;    /* exit status of the first failed point */
  double t0;
} runner;

static void free_words(char **w)
{
  if (!w)
    return;
  for (size_t i = 0; w[i]; i++)
    free(w[i]);
  free(w);
}

static void slot_clear(slot *sl)
{
  free_words(sl->argv);
  free(sl->dir);
  memset(sl, 0, sizeof *sl);
}

static int cmd_has(const li2_command *c, const char *key)
{
  for (const li2_arg_spec *p = c->spec; p->type != LI2_ARG_END; p++)
    if (!strcmp(p->key, key))
      return 1;
  return 0;
}

static char *str_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static char *str_printf(const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    s = NULL;
  va_end(ap);
  return s;
}

static void log_event(const runner *R, const char *event, size_t point, const char *who)
{
  char line[256];
  struct timespec ts;
  int n;
  if (R->logfd < 0)
    return;
  clock_gettime(CLOCK_REALTIME, &ts);
  n = snprintf(line, sizeof line, "%ld.%03ld\t%s\t%zu\t%s\n", (long)ts.tv_sec,
               ts.tv_nsec / 1000000, event, point, who);
  /* one write of a short line on an O_APPEND descriptor: lines do not mix */
  if (write(R->logfd, line, (size_t)n) < 0)
    return;
}

/* The child's command line: li2 COMMAND KEY=VALUE... [threads=] out= --json,
 * or, for a train point with a checkpoint, li2 train resume=DIR ... */
static char **point_argv(const runner *R, size_t point, const char *dir, int resume)
{
  size_t nk = li2_sweep_nkeys(R->s), n = 0;
  char **a = calloc(nk + 8, sizeof *a);
  int bad = !a;
  if (!a)
    return NULL;
  bad |= !(a[n++] = strdup(R->exe));
  bad |= !(a[n++] = strdup(li2_sweep_command(R->s)));
  if (resume)
    bad |= !(a[n++] = str_printf("resume=%s", dir));
  for (size_t k = 0; k < nk; k++) {
    const char *key = li2_sweep_key(R->s, k);
    int keep = !resume;
    for (size_t j = 0; resume && train_resume_keys[j]; j++)
      keep |= !strcmp(key, train_resume_keys[j]);
    if (keep)
      bad |= !(a[n++] = str_printf("%s=%s", key, li2_sweep_value(R->s, point, k)));
  }
  if (R->threads)
    bad |= !(a[n++] = str_printf("threads=%s", R->threads));
  if (!resume && cmd_has(R->cmd, "out"))
    bad |= !(a[n++] = str_printf("out=%s", dir));
  if (cmd_has(R->cmd, "json"))
    bad |= !(a[n++] = strdup("--json"));
  if (bad) {
    free_words(a);
    return NULL;
  }
  return a;
}

static int start_point(runner *R, slot *sl, size_t point, const char *who, li2_error *err)
{
  posix_spawn_file_actions_t fa;
  char *out = NULL, *errp = NULL, *ck = NULL;
  struct stat st;
  int rc, resume;
  memset(sl, 0, sizeof *sl);
  sl->point = point;
  if (!(sl->dir = li2_sweep_point_dir(R->s, R->out, point)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if ((rc = li2_io_mkdir(sl->dir, err)))
    return rc;
  ck = li2_io_path(sl->dir, "checkpoint.li2");
  resume = ck && cmd_has(R->cmd, "resume") && stat(ck, &st) == 0;
  free(ck);
  out = li2_io_path(sl->dir, "stdout");
  errp = li2_io_path(sl->dir, "stderr");
  if (!out || !errp || !(sl->argv = point_argv(R, point, sl->dir, resume))) {
    free(out);
    free(errp);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, errp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  sl->t0 = li2_io_seconds();
  rc = posix_spawn(&sl->pid, R->exe, &fa, NULL, sl->argv, R->envp);
  posix_spawn_file_actions_destroy(&fa);
  free(out);
  free(errp);
  if (rc) {
    sl->pid = 0;
    return li2_error_set(err, LI2_EIO, "%s: cannot run: %s", R->exe, strerror(rc));
  }
  log_event(R, "start", point, who);
  return LI2_SUCCESS;
}

/* The last non-empty line of the point's stderr (for the failure line). */
static void last_stderr_line(const char *dir, char *buf, size_t n)
{
  char *path = li2_io_path(dir, "stderr"), *text = NULL, *end, *start;
  size_t len;
  buf[0] = 0;
  if (path && !li2_io_read_file(path, &text, &len, NULL)) {
    end = text + len;
    while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
      *--end = 0;
    start = end;
    while (start > text && start[-1] != '\n')
      start--;
    /* drop the progress bar's carriage returns */
    if (strrchr(start, '\r'))
      start = strrchr(start, '\r') + 1;
    snprintf(buf, n, "%s", start);
  }
  free(text);
  free(path);
}

/* After the child of SL exited with wait status WS: the point.json text
 * (*TEXT) on success, else a one-line failure message (*FAIL); both
 * caller-freed.  Returns the child's exit status (-1: killed by a signal). */
static int finish_point(const runner *R, const slot *sl, int ws, char **text, char **fail)
{
  double secs = li2_io_seconds() - sl->t0;
  int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  *text = *fail = NULL;
  if (code == 0) {
    char *path = li2_io_path(sl->dir, "stdout"), *out = NULL;
    size_t len;
    if (path && !li2_io_read_file(path, &out, &len, NULL))
      *text = li2_sweep_point_json(R->s, sl->point, sl->argv, 0, secs, R->threads, out);
    free(out);
    free(path);
    if (*text)
      return 0;
    code = -2;
  }
  {
    char last[400], params[300];
    size_t l = 0;
    params[0] = 0;
    for (size_t k = 0; k < li2_sweep_nkeys(R->s) && l < sizeof params; k++)
      l += (size_t)snprintf(params + l, sizeof params - l, "%s%s=%s", k ? " " : "",
                            li2_sweep_key(R->s, k), li2_sweep_value(R->s, sl->point, k));
    last_stderr_line(sl->dir, last, sizeof last);
    if (code == -2)
      *fail = str_printf("point %s (%s) exited 0 but its output could not be read", sl->dir, params);
    else if (code < 0)
      *fail = str_printf("point %s (%s) killed by signal %d", sl->dir, params,
                         WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    else
      *fail = str_printf("point %s (%s) failed with exit %d: %s", sl->dir, params, code,
                         last[0] ? last : "(no message)");
  }
  return code;
}

/* Record a finished point: commit its point.json, or report the failure. */
static int record(runner *R, size_t point, int code, const char *text, const char *fail,
                  const char *who, li2_error *err)
{
  if (text) {
    int rc = li2_sweep_point_commit(R->s, R->out, point, text, err);
    if (rc)
      return rc;
    R->done++;
    log_event(R, "done", point, who);
  } else {
    if (!R->failed++)
      R->first_failure = code;
    li2_progress_finish(&R->prog);
    fprintf(stderr, "li2 sweep: %s\n", fail ? fail : "a point failed (out of memory)");
    log_event(R, "failed", point, who);
  }
  if (R->prog.enabled) {
    char status[64];
    snprintf(status, sizeof status, "%zu failed", R->failed);
    li2_progress_update(&R->prog, (long)(R->done + R->failed), status);
  }
  return LI2_SUCCESS;
}

/* Child SL exited with WS: record it and free the slot. */
static int reap(runner *R, slot *sl, int ws, const char *who, li2_error *err)
{
  char *text, *fail;
  int code = finish_point(R, sl, ws, &text, &fail);
  int rc = record(R, sl->point, code, text, fail, who, err);
  free(text);
  free(fail);
  slot_clear(sl);
  return rc;
}

/* End the running children after a signal. */
static void stop_children(slot *slots, int n)
{
  for (int i = 0; i < n; i++)
    if (slots[i].pid > 0)
      kill(slots[i].pid, SIGTERM);
  for (int i = 0; i < n; i++)
    if (slots[i].pid > 0) {
      while (waitpid(slots[i].pid, NULL, 0) < 0 && errno == EINTR)
        ;
      slot_clear(&slots[i]);
    }
}

/* The points to run: in the shard and not complete. */
static size_t *pending_points(const li2_sweep *s, const char *out, const li2_sweep_shard *sh,
                              size_t *n, size_t *nshard)
{
  size_t np = li2_sweep_npoints(s), *p = malloc((np ? np : 1) * sizeof *p);
  *n = *nshard = 0;
  if (!p)
    return NULL;
  for (size_t i = 0; i < np; i++)
    if (li2_sweep_shard_contains(sh, i)) {
      (*nshard)++;
      if (!li2_sweep_point_complete(s, out, i))
        p[(*n)++] = i;
    }
  return p;
}

/* Run the points PEND[0..n-1] with JOBS children at a time. */
static int run_local(runner *R, const size_t *pend, size_t n, int jobs, li2_error *err)
{
  slot *slots = calloc((size_t)jobs, sizeof *slots);
  size_t next = 0;
  int running = 0, rc = LI2_SUCCESS;
  char who[32];
  snprintf(who, sizeof who, "pid %ld", (long)getpid());
  if (!slots)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  while (!rc && (running > 0 || next < n)) {
    int ws;
    pid_t pid;
    for (int i = 0; i < jobs && next < n && !interrupted && !rc; i++)
      if (slots[i].pid == 0) {
        rc = start_point(R, &slots[i], pend[next++], who, err);
        if (!rc)
          running++;
      }
    if (rc || interrupted || running == 0)
      break;
    pid = waitpid(-1, &ws, 0);
    if (pid < 0) {
      if (errno == EINTR)
        continue;
      rc = li2_error_set(err, LI2_EIO, "waitpid: %s", strerror(errno));
      break;
    }
    for (int i = 0; i < jobs; i++)
      if (slots[i].pid == pid) {
        running--;
        rc = reap(R, &slots[i], ws, who, err);
        break;
      }
  }
  stop_children(slots, jobs);
  free(slots);
  if (!rc && interrupted)
    rc = li2_error_set(err, LI2_EIO, "interrupted by signal %d: %zu points completed this run; "
                                     "run the same command again to resume", (int)interrupted,
                       R->done);
  return rc;
}

#ifdef HAVE_MPI
/* ------------------------------------------------------------------ */
/* MPI: rank 0 hands out point numbers one at a time (dynamic load      */
/* balancing), runs points itself too, and commits every result.       */

enum { TAG_RESULT = 1, TAG_POINT = 2 };

/* Worker: "POINT CODE\n" + point.json text or the failure line. */
static int mpi_worker(runner *R, int rank)
{
  char who[32], *msg = strdup("-1 0\n");
  snprintf(who, sizeof who, "rank %d", rank);
  for (;;) {
    long next;
    slot sl;
    li2_error e = {0};
    int ws;
    if (!msg)
      MPI_Abort(MPI_COMM_WORLD, 6);
    MPI_Send(msg, (int)strlen(msg) + 1, MPI_CHAR, 0, TAG_RESULT, MPI_COMM_WORLD);
    free(msg);
    MPI_Recv(&next, 1, MPI_LONG, 0, TAG_POINT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (next < 0)
      return LI2_SUCCESS;
    if (start_point(R, &sl, (size_t)next, who, &e)) {
      msg = str_printf("%ld %d\n%s", next, -3, e.msg);
      slot_clear(&sl);
      continue;
    }
    while (waitpid(sl.pid, &ws, 0) < 0)
      if (errno != EINTR || interrupted) {
        stop_children(&sl, 1);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
    {
      char *text, *fail;
      int code = finish_point(R, &sl, ws, &text, &fail);
      msg = str_printf("%ld %d\n%s", next, code, text ? text : fail ? fail : "out of memory");
      free(text);
      free(fail);
    }
    slot_clear(&sl);
  }
}

static int mpi_master(runner *R, const size_t *pend, size_t n, int size, li2_error *err)
{
  slot own;
  size_t next = 0;
  int workers = size - 1, rc = LI2_SUCCESS;
  memset(&own, 0, sizeof own);
  while (!rc && (workers > 0 || own.pid > 0 || (next < n && !interrupted))) {
    int busy = 0, flag, ws;
    MPI_Status st;
    if (own.pid == 0 && next < n && !interrupted) {
      rc = start_point(R, &own, pend[next++], "rank 0", err);
      busy = 1;
      if (rc)
        break;
    }
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &st);
    if (flag) {
      int len;
      long point, reply = -1;
      int code;
      char *buf, *body, who[32];
      MPI_Get_count(&st, MPI_CHAR, &len);
      if (!(buf = malloc((size_t)len + 1)))
        MPI_Abort(MPI_COMM_WORLD, 6);
      MPI_Recv(buf, len, MPI_CHAR, st.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      buf[len] = 0;
      body = strchr(buf, '\n');
      snprintf(who, sizeof who, "rank %d", st.MPI_SOURCE);
      if (sscanf(buf, "%ld %d", &point, &code) == 2 && point >= 0 && body)
        rc = record(R, (size_t)point, code, code == 0 ? body + 1 : NULL, body + 1, who, err);
      free(buf);
      if (next < n && !interrupted && !rc) {
        reply = (long)pend[next++];
        log_event(R, "start", (size_t)reply, who);
      } else {
        workers--;
      }
      MPI_Send(&reply, 1, MPI_LONG, st.MPI_SOURCE, TAG_POINT, MPI_COMM_WORLD);
      busy = 1;
    }
    if (own.pid > 0 && waitpid(own.pid, &ws, WNOHANG) == own.pid) {
      rc = reap(R, &own, ws, "rank 0", err);
      busy = 1;
    }
    if (interrupted && own.pid > 0)
      stop_children(&own, 1);
    if (!busy) {
      struct timespec ts = {0, 2000000};  /* 2 ms between polls */
      nanosleep(&ts, NULL);
    }
  }
  if (rc)
    MPI_Abort(MPI_COMM_WORLD, li2_status_exit_code(rc));
  if (interrupted)
    rc = li2_error_set(err, LI2_EIO, "interrupted by signal %d: %zu points completed this run; "
                                     "run the same command again to resume", (int)interrupted,
                       R->done);
  return rc;
}
#endif

/* The world size when started by mpirun/srun --mpi, else 0. */
static long mpi_env_size(void)
{
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE",
                                     NULL};
  for (int i = 0; vars[i]; i++) {
    const char *v = getenv(vars[i]);
    if (v && *v)
      return strtol(v, NULL, 10);
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* the command                                                          */

/* Environment of the children: ours, plus OMP_WAIT_POLICY=passive (idle
 * OpenMP threads sleep instead of spinning: with other work on the cores,
 * e.g. the other workers, a spinning 2-thread li2 train of Z_23, K = 128
 * took 0.97 s instead of 0.12 s). */
static char **child_env(void)
{
  size_t n = 0;
  char **e;
  while (environ[n])
    n++;
  if (!(e = calloc(n + 3, sizeof *e)))
    return NULL;
  memcpy(e, environ, n * sizeof *e);
  if (!getenv("OMP_WAIT_POLICY"))
    e[n++] = "OMP_WAIT_POLICY=passive";
  /* the children die with this process (li2's main reads it: prctl
   * PR_SET_PDEATHSIG), so a killed sweep leaves no point running */
  {
    static char parent[48];
    snprintf(parent, sizeof parent, LI2_PARENT_ENV "=%ld", (long)getpid());
    e[n++] = parent;
  }
  return e;
}

static void shell_quote(FILE *fp, const char *s)
{
  fputc('\'', fp);
  for (; *s; s++) {
    if (*s == '\'')
      fputs("'\\''", fp);
    else
      fputc(*s, fp);
  }
  fputc('\'', fp);
}

/* The sweep's own words for a command line: COMMAND KEY=LIST ... */
static void put_sweep_words(FILE *fp, const li2_sweep *s)
{
  shell_quote(fp, li2_sweep_command(s));
  for (size_t k = 0; k < li2_sweep_nkeys(s); k++) {
    char *list = li2_sweep_list_text(s, k);
    char *w = list ? str_printf("%s=%s", li2_sweep_key(s, k), list) : NULL;
    fputc(' ', fp);
    shell_quote(fp, w ? w : "");
    free(w);
    free(list);
  }
}

static int emit_slurm(const runner *R, long tasks, int jobs, li2_error *err)
{
  li2_io_file f;
  char *abs = realpath(R->out, NULL);
  const char *dir = abs ? abs : R->out;
  int rc = li2_io_open_atomic_in(&f, R->out, "sweep.sbatch", err);
  if (rc) {
    free(abs);
    return rc;
  }
  fprintf(f.fp,
          "#!/bin/sh\n"
          "# li2 sweep as a Slurm job array (%zu points): array task I runs shard I/%ld,\n"
          "# the points p with p mod %ld = I-1 (li2(1), li2 sweep).  Submit with\n"
          "#   sbatch %s/sweep.sbatch\n"
          "# and once every task has ended, gather results.tsv with\n"
          "#   li2 sweep --collect out=%s\n"
          "# (e.g. sbatch --dependency=afterany:JOBID --wrap 'li2 sweep --collect ...').\n"
          "# The environment variable LI2 overrides the li2 binary.\n"
          "#SBATCH --job-name=li2-sweep\n"
          "#SBATCH --array=1-%ld\n"
          "#SBATCH --ntasks=1\n"
          "#SBATCH --cpus-per-task=%d\n"
          "#SBATCH --output=%s/slurm-%%A_%%a.out\n"
          "exec \"${LI2:-",
          li2_sweep_npoints(R->s), tasks, tasks, dir, dir, tasks, jobs, dir);
  for (const char *c = R->exe; *c; c++) {
    if (strchr("\"$`\\}", *c))
      fputc('\\', f.fp);
    fputc(*c, f.fp);
  }
  fputs("}\" sweep ", f.fp);
  put_sweep_words(f.fp, R->s);
  fputs(" out=", f.fp);
  shell_quote(f.fp, dir);
  if (jobs > 1)
    fprintf(f.fp, " -j %d", jobs);
  fprintf(f.fp, " --shard \"${SLURM_ARRAY_TASK_ID}/%ld\"\n", tasks);
  fchmod(fileno(f.fp), 0755);
  rc = li2_io_commit(&f, err);
  if (!rc)
    printf("script\t%s/sweep.sbatch\ntasks\t%ld\npoints\t%zu\n", dir, tasks,
           li2_sweep_npoints(R->s));
  free(abs);
  return rc;
}

static void print_points(const li2_sweep *s, const li2_sweep_shard *sh)
{
  printf("point");
  for (size_t k = 0; k < li2_sweep_nkeys(s); k++)
    printf("\t%s", li2_sweep_key(s, k));
  putchar('\n');
  for (size_t p = 0; p < li2_sweep_npoints(s); p++) {
    if (!li2_sweep_shard_contains(sh, p))
      continue;
    printf("%zu", p);
    for (size_t k = 0; k < li2_sweep_nkeys(s); k++)
      printf("\t%s", li2_sweep_value(s, p, k));
    putchar('\n');
  }
}

static int is_option(const char *key, size_t len)
{
  for (const li2_arg_spec *p = spec; p->type != LI2_ARG_END; p++)
    if (strlen(p->key) == len && !strncmp(p->key, key, len))
      return 1;
  return 0;
}

/* Split the words into the sweep's options (normalised for li2_args),
 * the subcommand and its KEY=LIST words. */
static int split_words(int argc, char **argv, char **opt, int *nopt, const char **command,
                       char **words, int *nwords, char **owned, int *nowned, li2_error *err)
{
  *nopt = *nwords = *nowned = 0;
  *command = NULL;
  for (int i = 0; i < argc; i++) {
    const char *w = argv[i];
    if (!strcmp(w, "-j") || !strncmp(w, "-j", 2) || !strcmp(w, "--jobs")) {
      const char *v = w[2] && strcmp(w, "--jobs") ? w + 2 : i + 1 < argc ? argv[++i] : NULL;
      if (!v)
        return li2_error_set(err, LI2_EINVAL, "option %s needs a number of workers", w);
      if (!(owned[(*nowned)++] = opt[(*nopt)++] = str_printf("jobs=%s", v)))
        return li2_error_set(err, LI2_ENOMEM, "out of memory");
    } else if (w[0] == '-' && w[1] == '-') {
      /* --emit-slurm is --emit_slurm; other --NAME are the subcommand's flags */
      size_t len = strcspn(w + 2, "=");
      char *n = strdup(w);
      if (!n)
        return li2_error_set(err, LI2_ENOMEM, "out of memory");
      owned[(*nowned)++] = n;
      for (size_t k = 2; k < 2 + len; k++)
        if (n[k] == '-')
          n[k] = '_';
      if (is_option(n + 2, len)) {
        opt[(*nopt)++] = n;
        /* --KEY VALUE for the options with values */
        if (!strchr(n, '=') && (!strncmp(n + 2, "shard", len) || !strncmp(n + 2, "out", len) ||
                                !strncmp(n + 2, "tasks", len)) && i + 1 < argc)
          opt[(*nopt)++] = argv[++i];
      } else {
        words[(*nwords)++] = argv[i];
      }
    } else if (w[0] == '-') {
      return li2_error_set(err, LI2_EINVAL, "unknown option '%s' (options: -j N, --shard I/N, "
                                            "--collect, --emit-slurm, --phase, --list, --json)", w);
    } else if (!strchr(w, '=') && !*command) {
      *command = w;
    } else {
      size_t len = strcspn(w, "=");
      if (w[len] == '=' && is_option(w, len) && strncmp(w, "json", len) &&
          strncmp(w, "collect", len) && strncmp(w, "list", len) && strncmp(w, "phase", len))
        opt[(*nopt)++] = argv[i];
      else
        words[(*nwords)++] = argv[i];
    }
  }
  return LI2_SUCCESS;
}

static void print_summary(const runner *R, int json, size_t nshard, size_t skipped,
                          size_t complete, double secs)
{
  size_t np = li2_sweep_npoints(R->s);
  if (json) {
    li2_json_writer w;
    li2_json_writer_init(&w, stdout, 1);
    li2_json_object_begin(&w);
    li2_json_key(&w, "out");
    li2_json_string(&w, R->out);
    li2_json_key(&w, "points");
    li2_json_int(&w, (long)np);
    li2_json_key(&w, "selected");
    li2_json_int(&w, (long)nshard);
    li2_json_key(&w, "skipped");
    li2_json_int(&w, (long)skipped);
    li2_json_key(&w, "done");
    li2_json_int(&w, (long)R->done);
    li2_json_key(&w, "failed");
    li2_json_int(&w, (long)R->failed);
    li2_json_key(&w, "complete");
    li2_json_int(&w, (long)complete);
    li2_json_key(&w, "seconds");
    li2_json_number(&w, secs);
    li2_json_object_end(&w);
    li2_json_writer_finish(&w);
  } else {
    printf("out\t%s\npoints\t%zu\nselected\t%zu\nskipped\t%zu\ndone\t%zu\nfailed\t%zu\n"
           "complete\t%zu\nseconds\t%.3f\n",
           R->out, np, nshard, skipped, R->done, R->failed, complete, secs);
  }
}

static int failure_status(int code)
{
  for (int s = 1; s < LI2_NSTATUS; s++)
    if (li2_status_exit_code(s) == code)
      return s;
  return LI2_EIO;
}

static int run_phase(const char *out, li2_error *err)
{
  li2_figures_params p;
  li2_figures_list list;
  int rc;
  li2_figures_params_default(&p);
  if ((rc = li2_figures_render(out, out, &p, &list, err))) {
    if (rc == LI2_EINVAL)
      li2_error_set(err, rc, "--phase: %s/results.tsv has no columns M, train_fraction and "
                             "test_acc (sweep li2 train over M and test_size or train_size)", out);
    return rc;
  }
  for (size_t i = 0; i < list.n; i++)
    printf("figure\t%s\n", list.name[i]);
  return LI2_SUCCESS;
}

static int run(int argc, char **argv, li2_error *err)
{
  char **opt = calloc((size_t)argc + 1, sizeof *opt), **words = calloc((size_t)argc + 1, sizeof *words);
  char **owned = calloc((size_t)argc + 1, sizeof *owned);
  int nopt, nwords, nowned = 0, rc, json, jobs, mpi = 0, rank = 0, size = 1;
  const char *command;
  const li2_command *cmd = NULL;
  li2_args *a = NULL;
  li2_sweep *s = NULL;
  li2_sweep_shard shard, *sh = NULL;
  runner R;
  size_t *pend = NULL, npend = 0, nshard = 0, complete = 0;
  long envsize = mpi_env_size();
  struct sigaction sa, old[3];
  const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};

  (void)size;
  memset(&R, 0, sizeof R);
  R.logfd = -1;
  R.lock = -1;
  if (!opt || !words || !owned) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = split_words(argc, argv, opt, &nopt, &command, words, &nwords, owned, &nowned, err)) ||
      (rc = li2_args_parse(&a, spec, nopt, opt, err)))
    goto done;
  json = li2_args_bool(a, "json");
  jobs = (int)li2_args_int(a, "jobs");
  if (li2_args_has(a, "shard")) {
    if ((rc = li2_sweep_shard_parse(li2_args_string(a, "shard"), "shard", &shard, err)))
      goto done;
    sh = &shard;
  }

  /* ---- the sweep: from the words, or from out=DIR's manifest ---- */
  if (!command && !nwords && li2_args_has(a, "out") &&
      (li2_args_bool(a, "collect") || li2_args_bool(a, "phase") || li2_args_bool(a, "list"))) {
    if (!(s = li2_sweep_manifest_load(li2_args_string(a, "out"), err))) {
      rc = err->code;
      goto done;
    }
    command = li2_sweep_command(s);
  }
  if (!command) {
    rc = li2_error_set(err, LI2_EINVAL, "missing the subcommand to sweep (li2 sweep SUBCOMMAND "
                                        "KEY=V1,V2,... out=DIR)");
    goto done;
  }
  if (!(cmd = li2_cli_command_find(command)) || cmd == &li2_command_sweep) {
    rc = li2_error_set(err, LI2_EINVAL, "cannot sweep '%s': not a subcommand (try li2 --help)",
                       command);
    goto done;
  }
  /* --KEY=VALUE of a parameter that is not a flag is KEY=VALUE */
  for (int i = 0; i < nwords; i++) {
    const char *w = words[i];
    size_t len;
    if (strncmp(w, "--", 2) || !w[2 + (len = strcspn(w + 2, "="))])
      continue;
    for (const li2_arg_spec *p = cmd->spec; p->type != LI2_ARG_END; p++)
      if (p->type != LI2_ARG_FLAG && strlen(p->key) == len && !strncmp(p->key, w + 2, len)) {
        words[i] = (char *)w + 2;
        break;
      }
  }
  if (!s && !(s = li2_sweep_alloc(command, cmd->spec, reserved, nwords, words, err))) {
    rc = err->code;
    goto done;
  }
  if (li2_args_bool(a, "list")) {
    print_points(s, sh);
    goto done;
  }
  if (!li2_args_has(a, "out")) {
    rc = li2_error_set(err, LI2_EINVAL, "parameter out: missing (the sweep directory, out=DIR)");
    goto done;
  }
  R.s = s;
  R.cmd = cmd;
  R.out = li2_args_string(a, "out");
  {
    ssize_t l = readlink("/proc/self/exe", R.exe, sizeof R.exe - 1);
    if (l <= 0) {
      rc = li2_error_set(err, LI2_EUNSUP, "cannot find the li2 executable (/proc/self/exe)");
      goto done;
    }
    R.exe[l] = 0;
  }

  if (envsize > 1) {
#ifdef HAVE_MPI
    mpi = 1;
#else
    rc = li2_error_set(err, LI2_EUNSUP, "started by mpirun with %ld ranks, but this li2 was "
                                        "built without MPI (configure --with-mpi): every rank "
                                        "would run the whole sweep", envsize);
    goto done;
#endif
  }
  if (mpi && (jobs > 1 || li2_args_bool(a, "emit_slurm") || li2_args_bool(a, "collect"))) {
    rc = li2_error_set(err, LI2_EINVAL, "under mpirun every rank runs one point at a time: "
                                        "use more ranks instead of -j, and run --collect or "
                                        "--emit-slurm without mpirun");
    goto done;
  }
#ifdef HAVE_MPI
  if (mpi) {
    setenv("OMPI_MCA_mpi_warn_on_fork", "0", 0);
    MPI_Init(NULL, NULL);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
#endif

  /* ---- rank 0 (or the only process): the sweep directory ---- */
  if (rank == 0) {
    if (li2_args_bool(a, "collect"))
      rc = li2_sweep_manifest_check(s, R.out, err);
    else if (!(rc = li2_io_mkdir(R.out, err)) &&
             /* one sweep at a time; the shards of one sweep share it (each
              * point is then guarded by its own run directory's lock) */
             !(rc = li2_io_lock(R.out, sh != NULL, &R.lock, err))) {
      if (!sh)
        li2_io_remove_stale(R.out);  /* of a sweep killed while writing */
      rc = li2_sweep_manifest_write(s, R.out, err);
    }
  }
#ifdef HAVE_MPI
  if (mpi) {
    int r = rc;
    MPI_Bcast(&r, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (r && rank != 0) {
      MPI_Finalize();
      exit(li2_status_exit_code(r));
    }
  }
#endif
  if (rc)
    goto done;
  if (li2_args_bool(a, "emit_slurm")) {
    long np = (long)li2_sweep_npoints(s);
    long tasks = li2_args_has(a, "tasks") ? li2_args_int(a, "tasks") : np < 1000 ? np : 1000;
    rc = emit_slurm(&R, tasks, jobs, err);
    goto done;
  }
  if (li2_args_bool(a, "collect")) {
    size_t np = li2_sweep_npoints(s);
    if ((rc = li2_sweep_results_write(s, R.out, &complete, err)))
      goto done;
    print_summary(&R, json, np, complete, complete, 0);
    if (complete < np) {
      size_t first = 0;
      while (first < np && li2_sweep_point_complete(s, R.out, first))
        first++;
      rc = li2_error_set(err, LI2_EIO, "%zu of %zu points are not complete (the first: %zu); "
                                       "results.tsv has the %zu that are", np - complete, np,
                         first, complete);
      goto done;
    }
    if (li2_args_bool(a, "phase"))
      rc = run_phase(R.out, err);
    goto done;
  }

  /* ---- run ---- */
  if (!li2_sweep_has_key(s, "threads") && cmd_has(cmd, "threads") && (jobs > 1 || mpi))
    R.threads = "1";  /* parallel workers must not oversubscribe the cores */
  if (!(R.envp = child_env())) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if (rank == 0) {
    char *logp = li2_io_path(R.out, "sweep.log");
    if (logp)
      R.logfd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    free(logp);
    if (!(pend = pending_points(s, R.out, sh, &npend, &nshard))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
  }
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;  /* no SA_RESTART: waitpid returns EINTR */
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; i++)
    sigaction(sigs[i], &sa, &old[i]);
  R.t0 = li2_io_seconds();
  li2_progress_init(&R.prog, "sweep", (long)npend);
  li2_progress_set_interval(&R.prog, li2_args_double(a, "progress_interval"));
#ifdef HAVE_MPI
  if (mpi)
    rc = rank == 0 ? mpi_master(&R, pend, npend, size, err) : mpi_worker(&R, rank);
  else
#endif
    rc = run_local(&R, pend, npend, jobs, err);
  li2_progress_finish(&R.prog);
  for (int i = 0; i < 3; i++)
    sigaction(sigs[i], &old[i], NULL);
  if (rank != 0)
    goto done;
  {
    /* results.tsv from every complete point, also after an interruption */
    li2_error e2 = {0};
    int r2 = li2_sweep_results_write(s, R.out, &complete, rc ? &e2 : err);
    if (!rc)
      rc = r2;
  }
  if (rc)
    goto done;
  print_summary(&R, json, nshard, nshard - npend, complete, li2_io_seconds() - R.t0);
  if (R.failed) {
    rc = li2_error_set(err, failure_status(R.first_failure),
                       "%zu of %zu points failed (see their stderr under %s/points; run the "
                       "same command again to retry them)", R.failed, npend, R.out);
    goto done;
  }
  if (li2_args_bool(a, "phase"))
    rc = run_phase(R.out, err);
done:
#ifdef HAVE_MPI
  if (mpi) {
    if (rank != 0 && rc) {
      MPI_Finalize();
      exit(li2_status_exit_code(rc));
    }
    MPI_Finalize();
  }
#endif
  if (R.logfd >= 0)
    close(R.logfd);
  li2_io_unlock(R.lock);
  free(R.envp);
  free(pend);
  li2_sweep_free(s);
  li2_args_free(a);
  for (int i = 0; i < nowned; i++)
    free(owned[i]);
  free(owned);
  free(opt);
  free(words);
  return rc;
}

const li2_command li2_command_sweep = {
  "sweep", "run a subcommand over a grid of parameters (local workers, shards, MPI)",
  "SUBCOMMAND KEY=V1,V2,... KEY=A:B[:STEP] ... out=DIR [-j N] [--shard I/N] [--collect] "
  "[--emit-slurm] [--phase] [--list] [--json]\n"
  "  (e.g. li2 sweep train M=23,71 seed=1:5 test_size=0.5:0.9:0.1 num_epochs=2000 out=sw -j 2)",
  spec, NULL,
};

const li2_words_command li2_words_command_sweep = {&li2_command_sweep, run};
