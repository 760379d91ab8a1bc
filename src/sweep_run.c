/* Running a sweep's points (sweep.h, "running the points"): child
 * processes, the local runner (-j N), the master and worker of a
 * distributed runner over a transport (li2 sweep under mpirun). */
#define _GNU_SOURCE
#include "sweep.h"

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

#include "io.h"

extern char **environ;

/* Keys a resumed `li2 train` accepts (cmd_train.c's resume_keys). */
static const char *const train_resume_keys[] = {"num_epochs", "eval_interval", "save_interval",
                                                "init_save_range",
                                                "threads", NULL};

/* one running point */
typedef struct {
  pid_t pid;      /* 0: free */
  size_t point;
  double t0;
  char **argv;
  char *dir;
} slot;

struct li2_sweep_runner {
  const li2_sweep *s;
  li2_sweep_runner_params p;
  char *out;
  char **envp;
  char parent[48];      /* LI2_SWEEP_PARENT_ENV=PID, in envp */
  int logfd;
  li2_progress prog;
  size_t done, failed;
  int first_failure;    /* exit status of the first failed point */
};

static int interrupted(const li2_sweep_runner *R)
{
  return R->p.stop && *R->p.stop;
}

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

static int spec_has(const li2_arg_spec *spec, const char *key)
{
  for (const li2_arg_spec *p = spec; p->type != LI2_ARG_END; p++)
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

static void log_event(const li2_sweep_runner *R, const char *event, size_t point,
                      const char *who)
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

/* Environment of the children: ours, plus OMP_WAIT_POLICY=passive (idle
 * OpenMP threads sleep instead of spinning: with other work on the cores,
 * e.g. the other workers, a spinning 2-thread li2 train of Z_23, K = 128
 * took 0.97 s instead of 0.12 s). */
static char **child_env(li2_sweep_runner *R)
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
  snprintf(R->parent, sizeof R->parent, LI2_SWEEP_PARENT_ENV "=%ld", (long)getpid());
  e[n++] = R->parent;
  return e;
}

li2_sweep_runner *li2_sweep_runner_alloc(const li2_sweep *s, const char *out,
                                         const li2_sweep_runner_params *p, li2_error *err)
{
  li2_sweep_runner *R = calloc(1, sizeof *R);
  if (!R || !(R->out = strdup(out))) {
    free(R);
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    return NULL;
  }
  R->s = s;
  R->p = *p;
  R->logfd = -1;
  if (!(R->envp = child_env(R))) {
    li2_sweep_runner_free(R);
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    return NULL;
  }
  if (p->log) {
    char *logp = li2_io_path(out, "sweep.log");
    if (logp)
      R->logfd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    free(logp);
  }
  return R;
}

void li2_sweep_runner_free(li2_sweep_runner *R)
{
  if (!R)
    return;
  if (R->logfd >= 0)
    close(R->logfd);
  free(R->envp);
  free(R->out);
  free(R);
}

void li2_sweep_runner_progress(li2_sweep_runner *R, long total, double interval)
{
  li2_progress_init(&R->prog, "sweep", total);
  li2_progress_set_interval(&R->prog, interval);
}

void li2_sweep_runner_progress_finish(li2_sweep_runner *R)
{
  li2_progress_finish(&R->prog);
}

size_t li2_sweep_runner_done(const li2_sweep_runner *R) { return R->done; }
size_t li2_sweep_runner_failed(const li2_sweep_runner *R) { return R->failed; }
int li2_sweep_runner_first_failure(const li2_sweep_runner *R) { return R->first_failure; }

/* The child's command line: li2 COMMAND KEY=VALUE... [threads=] out= --json,
 * or, for a train point with a checkpoint, li2 train resume=DIR ... */
static char **point_argv(const li2_sweep_runner *R, size_t point, const char *dir, int resume)
{
  size_t nk = li2_sweep_nkeys(R->s), n = 0;
  char **a = calloc(nk + 8, sizeof *a);
  int bad = !a;
  if (!a)
    return NULL;
  bad |= !(a[n++] = strdup(R->p.exe));
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
  if (R->p.threads)
    bad |= !(a[n++] = str_printf("threads=%s", R->p.threads));
  if (!resume && spec_has(R->p.spec, "out"))
    bad |= !(a[n++] = str_printf("out=%s", dir));
  if (spec_has(R->p.spec, "json"))
    bad |= !(a[n++] = strdup("--json"));
  if (bad) {
    free_words(a);
    return NULL;
  }
  return a;
}

static int start_point(li2_sweep_runner *R, slot *sl, size_t point, const char *who,
                       li2_error *err)
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
  resume = ck && spec_has(R->p.spec, "resume") && stat(ck, &st) == 0;
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
  rc = posix_spawn(&sl->pid, R->p.exe, &fa, NULL, sl->argv, R->envp);
  posix_spawn_file_actions_destroy(&fa);
  free(out);
  free(errp);
  if (rc) {
    sl->pid = 0;
    return li2_error_set(err, LI2_EIO, "%s: cannot run: %s", R->p.exe, strerror(rc));
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
static int finish_point(const li2_sweep_runner *R, const slot *sl, int ws, char **text,
                        char **fail)
{
  double secs = li2_io_seconds() - sl->t0;
  int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  *text = *fail = NULL;
  if (code == 0) {
    char *path = li2_io_path(sl->dir, "stdout"), *out = NULL;
    size_t len;
    if (path && !li2_io_read_file(path, &out, &len, NULL))
      *text = li2_sweep_point_json(R->s, sl->point, sl->argv, 0, secs, R->p.threads, out);
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
static int record(li2_sweep_runner *R, size_t point, int code, const char *text,
                  const char *fail, const char *who, li2_error *err)
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
    if (R->p.messages)
      fprintf(R->p.messages, "li2 sweep: %s\n", fail ? fail : "a point failed (out of memory)");
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
static int reap(li2_sweep_runner *R, slot *sl, int ws, const char *who, li2_error *err)
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

static int interrupted_error(const li2_sweep_runner *R, li2_error *err)
{
  return li2_error_set(err, LI2_EIO, "interrupted by signal %d: %zu points completed this run; "
                                     "run the same command again to resume", (int)*R->p.stop,
                       R->done);
}

size_t *li2_sweep_pending(const li2_sweep *s, const char *out, const li2_sweep_shard *sh,
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

int li2_sweep_runner_local(li2_sweep_runner *R, const size_t *pend, size_t n, int jobs,
                           li2_error *err)
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
    for (int i = 0; i < jobs && next < n && !interrupted(R) && !rc; i++)
      if (slots[i].pid == 0) {
        rc = start_point(R, &slots[i], pend[next++], who, err);
        if (!rc)
          running++;
      }
    if (rc || interrupted(R) || running == 0)
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
  if (!rc && interrupted(R))
    rc = interrupted_error(R, err);
  return rc;
}

/* ---- the distributed runner: the master hands out point numbers one at
 * a time (dynamic load balancing), runs points itself too, and commits
 * every result; a worker's message is "POINT CODE\n" + the point.json text
 * or the failure line ("-1 0\n" first, to ask for work). */

int li2_sweep_runner_worker(li2_sweep_runner *R, const char *who,
                            const li2_sweep_transport *tr)
{
  char *msg = strdup("-1 0\n");
  for (;;) {
    long next;
    slot sl;
    li2_error e = {0};
    int ws;
    if (!msg)
      tr->abort(tr->ctx, 6);
    next = tr->exchange(tr->ctx, msg);
    free(msg);
    if (next < 0)
      return LI2_SUCCESS;
    if (start_point(R, &sl, (size_t)next, who, &e)) {
      msg = str_printf("%ld %d\n%s", next, -3, e.msg);
      slot_clear(&sl);
      continue;
    }
    while (waitpid(sl.pid, &ws, 0) < 0)
      if (errno != EINTR || interrupted(R)) {
        stop_children(&sl, 1);
        tr->abort(tr->ctx, 1);
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

int li2_sweep_runner_master(li2_sweep_runner *R, const size_t *pend, size_t n, int workers,
                            const li2_sweep_transport *tr, li2_error *err)
{
  slot own;
  size_t next = 0;
  int rc = LI2_SUCCESS;
  memset(&own, 0, sizeof own);
  while (!rc && (workers > 0 || own.pid > 0 || (next < n && !interrupted(R)))) {
    int busy = 0, ws, from;
    char *buf;
    if (own.pid == 0 && next < n && !interrupted(R)) {
      rc = start_point(R, &own, pend[next++], "rank 0", err);
      busy = 1;
      if (rc)
        break;
    }
    if ((buf = tr->poll(tr->ctx, &from))) {
      long point, reply = -1;
      int code;
      char *body = strchr(buf, '\n'), who[32];
      snprintf(who, sizeof who, "rank %d", from);
      if (sscanf(buf, "%ld %d", &point, &code) == 2 && point >= 0 && body)
        rc = record(R, (size_t)point, code, code == 0 ? body + 1 : NULL, body + 1, who, err);
      free(buf);
      if (next < n && !interrupted(R) && !rc) {
        reply = (long)pend[next++];
        log_event(R, "start", (size_t)reply, who);
      } else {
        workers--;
      }
      tr->reply(tr->ctx, from, reply);
      busy = 1;
    }
    if (own.pid > 0 && waitpid(own.pid, &ws, WNOHANG) == own.pid) {
      rc = reap(R, &own, ws, "rank 0", err);
      busy = 1;
    }
    if (interrupted(R) && own.pid > 0)
      stop_children(&own, 1);
    if (!busy) {
      struct timespec ts = {0, 2000000};  /* 2 ms between polls */
      nanosleep(&ts, NULL);
    }
  }
  if (rc)
    tr->abort(tr->ctx, li2_status_exit_code(rc));
  if (interrupted(R))
    rc = interrupted_error(R, err);
  return rc;
}

/* ---- the Slurm runner: a job array of shards ---- */

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

int li2_sweep_slurm_write(const li2_sweep *s, const char *out, const char *exe, long tasks,
                          int jobs, char **script, li2_error *err)
{
  li2_io_file f;
  char *abs = realpath(out, NULL);
  const char *dir = abs ? abs : out;
  int rc = li2_io_open_atomic_in(&f, out, "sweep.sbatch", err);
  *script = NULL;
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
          li2_sweep_npoints(s), tasks, tasks, dir, dir, tasks, jobs, dir);
  for (const char *c = exe; *c; c++) {
    if (strchr("\"$`\\}", *c))
      fputc('\\', f.fp);
    fputc(*c, f.fp);
  }
  fputs("}\" sweep ", f.fp);
  put_sweep_words(f.fp, s);
  fputs(" out=", f.fp);
  shell_quote(f.fp, dir);
  if (jobs > 1)
    fprintf(f.fp, " -j %d", jobs);
  fprintf(f.fp, " --shard \"${SLURM_ARRAY_TASK_ID}/%ld\"\n", tasks);
  fchmod(fileno(f.fp), 0755);
  rc = li2_io_commit(&f, err);
  if (!rc && !(*script = str_printf("%s/sweep.sbatch", dir)))
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  free(abs);
  return rc;
}
