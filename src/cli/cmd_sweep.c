/* li2 sweep SUBCOMMAND KEY=LIST ... out=DIR: a parameter sweep (sweep.h).
 * This file reads the words and prints; the runners are the library's
 * (sweep_run.c): each point runs as a child process of this li2 binary
 * with out=DIR/points/NNNN and --json; -j N keeps N children running;
 * --shard I/N takes every N-th point; under mpirun (configure --with-mpi)
 * rank 0 hands out points one at a time to the ranks that ask, runs points
 * itself too, and writes every result file (the MPI calls are here: the
 * library has no MPI). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Set by SIGINT/SIGTERM/SIGHUP: stop starting points, end the running
 * ones, keep what is complete.  (Signal state can only live here.) */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
  interrupted = sig;
}

static int cmd_has(const li2_command *c, const char *key)
{
  for (const li2_arg_spec *p = c->spec; p->type != LI2_ARG_END; p++)
    if (!strcmp(p->key, key))
      return 1;
  return 0;
}

#ifdef HAVE_MPI
/* li2_sweep_transport over MPI: rank 0 the master, the others workers. */
enum { TAG_RESULT = 1, TAG_POINT = 2 };

static long mpi_exchange(void *ctx, const char *msg)
{
  long next;
  (void)ctx;
  MPI_Send((void *)msg, (int)strlen(msg) + 1, MPI_CHAR, 0, TAG_RESULT, MPI_COMM_WORLD);
  MPI_Recv(&next, 1, MPI_LONG, 0, TAG_POINT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return next;
}

static char *mpi_poll(void *ctx, int *from)
{
  int flag, len;
  MPI_Status st;
  char *buf;
  (void)ctx;
  MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &st);
  if (!flag)
    return NULL;
  MPI_Get_count(&st, MPI_CHAR, &len);
  if (!(buf = malloc((size_t)len + 1)))
    MPI_Abort(MPI_COMM_WORLD, 6);
  MPI_Recv(buf, len, MPI_CHAR, st.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  buf[len] = 0;
  *from = st.MPI_SOURCE;
  return buf;
}

static void mpi_reply(void *ctx, int to, long point)
{
  (void)ctx;
  MPI_Send(&point, 1, MPI_LONG, to, TAG_POINT, MPI_COMM_WORLD);
}

static void mpi_abort(void *ctx, int code)
{
  (void)ctx;
  MPI_Abort(MPI_COMM_WORLD, code);
  exit(code);
}

static const li2_sweep_transport mpi_transport = {NULL, mpi_exchange, mpi_poll, mpi_reply,
                                                  mpi_abort};
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
      char *j = NULL;
      if (asprintf(&j, "jobs=%s", v) < 0 || !(owned[(*nowned)++] = opt[(*nopt)++] = j))
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

static void print_summary(const li2_sweep *s, const char *out, int json, size_t nshard,
                          size_t skipped, size_t done, size_t failed, size_t complete,
                          double secs)
{
  size_t np = li2_sweep_npoints(s);
  if (json) {
    li2_json_writer w;
    li2_json_writer_init(&w, stdout, 1);
    li2_json_object_begin(&w);
    li2_json_key(&w, "out");
    li2_json_string(&w, out);
    li2_json_key(&w, "points");
    li2_json_int(&w, (long)np);
    li2_json_key(&w, "selected");
    li2_json_int(&w, (long)nshard);
    li2_json_key(&w, "skipped");
    li2_json_int(&w, (long)skipped);
    li2_json_key(&w, "done");
    li2_json_int(&w, (long)done);
    li2_json_key(&w, "failed");
    li2_json_int(&w, (long)failed);
    li2_json_key(&w, "complete");
    li2_json_int(&w, (long)complete);
    li2_json_key(&w, "seconds");
    li2_json_number(&w, secs);
    li2_json_object_end(&w);
    li2_json_writer_finish(&w);
  } else {
    printf("out\t%s\npoints\t%zu\nselected\t%zu\nskipped\t%zu\ndone\t%zu\nfailed\t%zu\n"
           "complete\t%zu\nseconds\t%.3f\n",
           out, np, nshard, skipped, done, failed, complete, secs);
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
  li2_sweep_runner *R = NULL;
  li2_sweep_runner_params rp;
  const char *out = NULL;
  char exe[4096];
  int lock = -1;
  double t0;
  size_t *pend = NULL, npend = 0, nshard = 0, complete = 0;
  long envsize = mpi_env_size();
  struct sigaction sa, old[3];
  const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};

  (void)size;
  memset(&rp, 0, sizeof rp);
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
  out = li2_args_string(a, "out");
  {
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l <= 0) {
      rc = li2_error_set(err, LI2_EUNSUP, "cannot find the li2 executable (/proc/self/exe)");
      goto done;
    }
    exe[l] = 0;
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
      rc = li2_sweep_manifest_check(s, out, err);
    else if (!(rc = li2_io_mkdir(out, err)) &&
             /* one sweep at a time; the shards of one sweep share it (each
              * point is then guarded by its own run directory's lock) */
             !(rc = li2_io_lock(out, sh != NULL, &lock, err))) {
      if (!sh)
        li2_io_remove_stale(out);  /* of a sweep killed while writing */
      rc = li2_sweep_manifest_write(s, out, err);
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
    char *script = NULL;
    if (!(rc = li2_sweep_slurm_write(s, out, exe, tasks, jobs, &script, err)))
      printf("script\t%s\ntasks\t%ld\npoints\t%ld\n", script, tasks, np);
    free(script);
    goto done;
  }
  if (li2_args_bool(a, "collect")) {
    size_t np = li2_sweep_npoints(s);
    if ((rc = li2_sweep_results_write(s, out, &complete, err)))
      goto done;
    print_summary(s, out, json, np, complete, 0, 0, complete, 0);
    if (complete < np) {
      size_t first = 0;
      while (first < np && li2_sweep_point_complete(s, out, first))
        first++;
      rc = li2_error_set(err, LI2_EIO, "%zu of %zu points are not complete (the first: %zu); "
                                       "results.tsv has the %zu that are", np - complete, np,
                         first, complete);
      goto done;
    }
    if (li2_args_bool(a, "phase"))
      rc = run_phase(out, err);
    goto done;
  }

  /* ---- run ---- */
  rp.exe = exe;
  rp.spec = cmd->spec;
  if (!li2_sweep_has_key(s, "threads") && cmd_has(cmd, "threads") && (jobs > 1 || mpi))
    rp.threads = "1";  /* parallel workers must not oversubscribe the cores */
  rp.stop = &interrupted;
  rp.log = rank == 0;
  rp.messages = stderr;
  if (!(R = li2_sweep_runner_alloc(s, out, &rp, err))) {
    rc = err->code;
    goto done;
  }
  if (rank == 0 && !(pend = li2_sweep_pending(s, out, sh, &npend, &nshard))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;  /* no SA_RESTART: waitpid returns EINTR */
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; i++)
    sigaction(sigs[i], &sa, &old[i]);
  t0 = li2_io_seconds();
  li2_sweep_runner_progress(R, (long)npend, li2_args_double(a, "progress_interval"));
#ifdef HAVE_MPI
  if (mpi) {
    char who[32];
    snprintf(who, sizeof who, "rank %d", rank);
    rc = rank == 0 ? li2_sweep_runner_master(R, pend, npend, size - 1, &mpi_transport, err)
                   : li2_sweep_runner_worker(R, who, &mpi_transport);
  } else
#endif
    rc = li2_sweep_runner_local(R, pend, npend, jobs, err);
  li2_sweep_runner_progress_finish(R);
  for (int i = 0; i < 3; i++)
    sigaction(sigs[i], &old[i], NULL);
  if (rank != 0)
    goto done;
  {
    /* results.tsv from every complete point, also after an interruption */
    li2_error e2 = {0};
    int r2 = li2_sweep_results_write(s, out, &complete, rc ? &e2 : err);
    if (!rc)
      rc = r2;
  }
  if (rc)
    goto done;
  print_summary(s, out, json, nshard, nshard - npend, li2_sweep_runner_done(R),
                li2_sweep_runner_failed(R), complete, li2_io_seconds() - t0);
  if (li2_sweep_runner_failed(R)) {
    rc = li2_error_set(err, failure_status(li2_sweep_runner_first_failure(R)),
                       "%zu of %zu points failed (see their stderr under %s/points; run the "
                       "same command again to retry them)", li2_sweep_runner_failed(R), npend,
                       out);
    goto done;
  }
  if (li2_args_bool(a, "phase"))
    rc = run_phase(out, err);
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
  li2_sweep_runner_free(R);
  li2_io_unlock(lock);
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
