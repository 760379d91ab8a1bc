/* li2 train key=value ...: the reference trainer, with a run directory,
 * checkpoints and resume.  The command owns the epoch loop. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "../stats.h"
#include "config.h"
#include "../process.h"
#include "../checkpoint.h"
#include "../io.h"
#include "../json.h"
#include "../runconfig.h"
#include "../runfiles.h"
#include "../train.h"
#include "../hydra.h"
#include <time.h>

/* Keys a resumed run may change: they do not alter the trajectory. */
static const char *const resume_keys[] = {"num_epochs", "eval_interval", "save_interval",
                                          "init_save_range", NULL};

static int file_exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

/* out=DIR of a fresh run must not hold one already. */
static int check_no_run(const char *dir, li2_error *err)
{
  char *p = li2_io_path(dir, "checkpoint.li2");
  int exists = p && file_exists(p);
  if (!p)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  free(p);
  if (exists)
    return li2_error_set(err, LI2_EINVAL, "parameter out: %s already holds a run (continue it "
                                          "with resume=%s)", dir, dir);
  return LI2_SUCCESS;
}

/* 1 when A and B split the same samples into training and test sets. */
static int same_split(const li2_dataset *a, const li2_dataset *b)
{
  unsigned char *in = a->nall == b->nall && a->ntrain == b->ntrain && a->nops == b->nops
                          ? calloc(a->nall, 1) : NULL;
  int same = in != NULL;
  for (size_t i = 0; same && i < a->ntrain; i++)
    in[li2_dataset_sample_index(a, a->train_x + i * (size_t)a->nops)] = 1;
  for (size_t i = 0; same && i < b->ntrain; i++)
    same = in[li2_dataset_sample_index(b, b->train_x + i * (size_t)b->nops)];
  free(in);
  return same;
}

/* A resumed checkpoint must be this run directory's: its split is the one
 * in DIR/split.txt (a checkpoint.li2 copied from another run is refused
 * rather than continued into this run's metrics; issue 15, defect 10). */
static int check_own_run(const char *dir, const char *ckpath, li2_trainer *t, li2_error *err)
{
  char *sp = li2_io_path(dir, "split.txt");
  const li2_dataset *d = li2_trainer_dataset(t);
  li2_dataset *own;
  int rc = LI2_SUCCESS;
  if (!sp)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (!file_exists(sp)) {
    free(sp);
    return LI2_SUCCESS;  /* runs written before split.txt existed */
  }
  own = li2_dataset_alloc_load(li2_trainer_group(t), d->nops, sp, err);
  if (!own)
    rc = err->code;
  else if (!same_split(own, d))
    rc = li2_error_set(err, LI2_EFORMAT, "%s: not this run's checkpoint (its split differs "
                                         "from %s)", ckpath, sp);
  li2_dataset_free(own);
  free(sp);
  return rc;
}

/* For resume: the saved configuration with the allowed overrides. */
static int resume_args(const li2_args *cmd, const li2_checkpoint *ck, const char *ckpath,
                       li2_args **out, li2_error *err)
{
  int rc = li2_train_args_from_text(ck->config, out, err);
  if (rc) {
    li2_error_prefix(err, "%s: ", ckpath);
    return rc;
  }
  for (size_t i = 0; i < li2_args_count(cmd); i++) {
    const char *v;
    const li2_arg_spec *s = li2_args_spec(cmd, i, &v);
    int allowed = 0;
    if (!li2_args_given(cmd, s->key) || !strcmp(s->key, "resume") || !strcmp(s->key, "json") ||
        !strcmp(s->key, "out") || !strcmp(s->key, "metadata"))
      continue;
    /* how to run, not what: recorded in run.json as given (issue 15) */
    if (!strcmp(s->key, "threads") || !strcmp(s->key, "progress_interval")) {
      if ((rc = li2_args_set(*out, s->key, v, err)))
        return rc;
      continue;
    }
    for (int k = 0; resume_keys[k]; k++)
      allowed |= !strcmp(resume_keys[k], s->key);
    if (!allowed)
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s: cannot be changed when resuming (the configuration "
                           "is in %s; only num_epochs, eval_interval, save_interval, init_save_range may change)",
                           s->key, ckpath);
    if ((rc = li2_args_set(*out, s->key, v, err)))
      return rc;
  }
  return LI2_SUCCESS;
}

#define MAX_TIMED_EPOCHS 100000

static int run_args(const li2_args *args, li2_error *err)
{
  li2_checkpoint *ck = NULL;
  li2_args *rargs = NULL;
  const li2_args *cfg = args;
  li2_train_config c;
  li2_trainer *t = NULL;
  char *text = NULL, *ckpath = NULL, *mpath = NULL;
  const char *dir = NULL;
  FILE *mfp = NULL;
  double *times = NULL;  /* per-epoch step times, allocated before the loop */
  size_t ntimes = 0;
  li2_train_metrics met;
  li2_progress prog;
  li2_runfiles_summary sm;
  long saved = -1, start;
  double t0, t1;
  int rc, json = li2_args_bool(args, "json"), lock = -1;
  int early_stopped = 0;  /* early_stop_acc settled the run before num_epochs */

  li2_process_set_threads((int)li2_args_int(args, "threads"));
  memset(&sm, 0, sizeof sm);
  memset(&met, 0, sizeof met);
  met.train_acc = met.test_acc = met.train_loss = met.test_loss = NAN;

  /* ---- everything is validated before any work ---- */
  if (li2_args_has(args, "resume")) {
    dir = li2_args_string(args, "resume");
    if (li2_args_has(args, "out") && strcmp(li2_args_string(args, "out"), dir)) {
      rc = li2_error_set(err, LI2_EINVAL, "parameter out: a resumed run stays in resume=%s", dir);
      goto done;
    }
    /* one writer: locked before its checkpoint is read (issue 15) */
    if (li2_io_is_dir(dir) && (rc = li2_io_lock(dir, 0, &lock, err)))
      goto done;
    li2_io_remove_stale(dir);  /* of a run killed while writing */
    if (!(ckpath = li2_io_path(dir, "checkpoint.li2"))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    if (!(ck = li2_checkpoint_read(ckpath, err))) {
      rc = err->code;
      goto done;
    }
    if ((rc = resume_args(args, ck, ckpath, &rargs, err)) ||
        (rc = li2_args_set(rargs, "out", dir, err)))
      goto done;
    cfg = rargs;
    saved = ck->epoch;
  } else if (li2_args_has(args, "out")) {
    dir = li2_args_string(args, "out");
  }
  if ((rc = li2_train_config_from_args(cfg, &c, err)))
    goto done;
  if (!(text = li2_train_config_text(cfg))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if (dir && !ck && (rc = check_no_run(dir, err)))
    goto done;
  if (!(t = li2_trainer_alloc(&c, text, ck, err))) {
    rc = err->code;
    goto done;
  }
  if (ck && (rc = check_own_run(dir, ckpath, t, err)))
    goto done;
  start = li2_trainer_epoch(t);
  if (ck && start > c.num_epochs) {
    rc = li2_error_set(err, LI2_EINVAL, "parameter num_epochs: %ld, but %s is at epoch %ld",
                       c.num_epochs, ckpath, start);
    goto done;
  }

  /* ---- the run directory ---- */
  if (dir) {
    if ((rc = li2_io_mkdir(dir, err)))
      goto done;
    /* one writer per run directory; the check for a run already there is
     * repeated under the lock (two trains may both have passed it above) */
    if (lock < 0 && (rc = li2_io_lock(dir, 0, &lock, err)))
      goto done;
    if (!ck && (rc = check_no_run(dir, err)))
      goto done;
    if (!(mpath = li2_io_path(dir, "metrics.tsv"))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    if (ck && file_exists(mpath)) {
      if ((rc = li2_runfiles_metrics_truncate(mpath, start, li2_trainer_config(t)->stage1_stats, err)))
        goto done;
      mfp = li2_io_open_write(mpath, 1, err);
    } else if (ck) {
      /* resumed without metrics.tsv: a new one with its header (li2 plot
       * skips a headerless table) */
      if ((mfp = li2_io_open_write(mpath, 0, err)))
        li2_runfiles_metrics_header(mfp, li2_trainer_config(t)->stage1_stats);
    } else {
      char *sp = li2_io_path(dir, "split.txt");
      rc = sp ? li2_dataset_save(li2_trainer_dataset(t), sp, err)
              : li2_error_set(err, LI2_ENOMEM, "out of memory");
      free(sp);
      if (rc)
        goto done;
      if ((mfp = li2_io_open_write(mpath, 0, err)))
        li2_runfiles_metrics_header(mfp, li2_trainer_config(t)->stage1_stats);
    }
    if (!mfp) {
      rc = err->code;
      goto done;
    }
  }

  {
    long want = c.num_epochs - start;
    want = want < 1 ? 1 : want > MAX_TIMED_EPOCHS ? MAX_TIMED_EPOCHS : want;
    if (!(times = malloc((size_t)want * sizeof *times))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
  }

  /* ---- the loop: metrics before epoch e's step, as the reference ---- */
  sm.group = li2_trainer_group(t)->name;
  sm.kernel = li2_kernel_name(li2_trainer_kernel(t));
  sm.ntrain = li2_trainer_dataset(t)->ntrain;
  sm.ntest = li2_trainer_dataset(t)->ntest;
  sm.start_epoch = start;
  li2_progress_init(&prog, "train", c.num_epochs - start);
  li2_progress_set_interval(&prog, li2_args_double(args, "progress_interval"));
  t0 = li2_io_seconds();
  li2_early_stop es;
  li2_early_stop_init(&es, c.early_stop_acc, c.early_stop_window);
  for (long e = start; e < c.num_epochs; e++) {
    double ta;
    if (e % c.eval_interval == 0) {
      ta = li2_io_seconds();
      if ((rc = li2_trainer_test(t, &met, err)))
        goto done;
      if (mfp && (rc = li2_runfiles_metrics_row(mfp, mpath, &met, li2_trainer_lr(t),
                                 li2_trainer_config(t)->stage1_stats, err)))
        goto done;
      sm.eval_seconds += li2_io_seconds() - ta;
      if (li2_early_stop_update(&es, met.test_acc)) {
        early_stopped = 1;  /* settled: the row just written is the last */
        break;
      }
    }
    if (dir && li2_runfiles_save_before(&c, e) &&
        (rc = li2_runfiles_checkpoint_save(t, dir, &saved, err)))
      goto done;
    ta = li2_io_seconds();
    rc = li2_trainer_iterate(t, err);
    ta = li2_io_seconds() - ta;
    sm.iterate_seconds += ta;
    if (ntimes < MAX_TIMED_EPOCHS)
      times[ntimes++] = ta;
    if (!rc && dir && li2_runfiles_save_after(&c, e))
      rc = li2_runfiles_checkpoint_save(t, dir, &saved, err);
    if (rc) {
      li2_progress_finish(&prog);
      if (rc == LI2_ENUMERIC && dir) {
        size_t l = strlen(err->msg);
        if (saved >= 0)
          snprintf(err->msg + l, sizeof err->msg - l,
                   "; kept the last good checkpoint %s/checkpoint.li2 (epoch %ld)", dir, saved);
        else
          snprintf(err->msg + l, sizeof err->msg - l, "; no checkpoint was written");
        sm.status = "diverged";
        sm.epochs = e;
        sm.grok_epoch = li2_trainer_grok_epoch(t);
        sm.seconds = li2_io_seconds() - t0;
        sm.last = met;
        {
          li2_error e2 = {0};
          li2_runfiles_run_json_write(dir, cfg, &sm, ck != NULL, &e2);
        }
      }
      goto done;
    }
    if (prog.enabled) {
      char status[96];
      snprintf(status, sizeof status, "train %.3f test %.3f loss %.4g", met.train_acc,
               met.test_acc, li2_trainer_last_loss(t));
      li2_progress_update(&prog, e + 1 - start, status);
    }
  }
  li2_progress_finish(&prog);
  /* final metrics and checkpoint */
  t1 = li2_io_seconds();
  if (!early_stopped) {
    if ((rc = li2_trainer_test(t, &met, err)))
      goto done;
    sm.eval_seconds += li2_io_seconds() - t1;
    if (mfp && (rc = li2_runfiles_metrics_row(mfp, mpath, &met, li2_trainer_lr(t),
                               li2_trainer_config(t)->stage1_stats, err)))
      goto done;
  }
  if (mfp) {
    rc = li2_io_close(mfp, mpath, err);
    mfp = NULL;
    if (rc)
      goto done;
  }
  if (dir && saved != li2_trainer_epoch(t) && (rc = li2_runfiles_checkpoint_save(t, dir, &saved, err)))
    goto done;
  sm.median_epoch = li2_stats_median(times, ntimes);
  sm.status = early_stopped ? "early_stopped" : "completed";
  sm.epochs = li2_trainer_epoch(t);
  sm.grok_epoch = li2_trainer_grok_epoch(t);
  sm.seconds = li2_io_seconds() - t0;
  sm.last = met;
  if (dir && (rc = li2_runfiles_run_json_write(dir, cfg, &sm, ck != NULL, err)))
    goto done;
  if (json) {
    li2_json_writer w;
    li2_json_writer_init(&w, stdout, 1);
    li2_runfiles_summary_json(&w, &sm);
    li2_json_writer_finish(&w);
  } else {
    printf("group\t%s\nntrain\t%zu\nntest\t%zu\nepochs\t%ld\ntrain_acc\t%.6f\ntest_acc\t%.6f\n"
           "train_loss\t%.6g\ntest_loss\t%.6g\n",
           sm.group, sm.ntrain, sm.ntest, sm.epochs, met.train_acc, met.test_acc,
           met.train_loss, met.test_loss);
    if (sm.grok_epoch >= 0)
      printf("grok_epoch\t%ld\n", sm.grok_epoch);
    else
      printf("grok_epoch\tnone\n");
    printf("seconds\t%.3f\n", sm.seconds);
  }
  rc = LI2_SUCCESS;
done:
  if (mfp)
    fclose(mfp);
  li2_io_unlock(lock);
  free(times);
  free(mpath);
  free(ckpath);
  free(text);
  li2_trainer_free(t);
  li2_args_free(rargs);
  li2_checkpoint_free(ck);
  return rc;
}

/* config=FILE: the file's parameters (a run.json or a Hydra YAML), the
 * command line's key=value over them. */
static int run(const li2_args *args, li2_error *err)
{
  static const char *const skip[] = {"out", "resume", "config", "json", NULL};
  static const char *const drop[] = {"config", NULL};
  li2_runconfig rcf;
  li2_args *merged = NULL;
  int rc;
  if (!li2_args_has(args, "config"))
    return run_args(args, err);
  if (li2_args_has(args, "resume"))
    return li2_error_set(err, LI2_EINVAL, "parameter config: a resumed run keeps the "
                                          "configuration of its checkpoint (drop config= or resume=)");
  if ((rc = li2_runconfig_load(&rcf, li2_args_string(args, "config"), li2_train_spec, skip, err)))
    return rc;
  rc = li2_runconfig_merge(&rcf, args, drop, &merged, err);
  li2_runconfig_clear(&rcf);
  if (!rc)
    rc = run_args(merged, err);
  li2_args_free(merged);
  return rc;
}

const li2_command li2_command_train = {
  "train", "train the 2-layer network on group arithmetic (the reference trainer)",
  "[key=value ...] [--json]   (e.g. M=71 train_size=2016 loss_func=mse weight_decay=2e-4 out=run)",
  li2_train_spec, run,
};

/* li2 train as Hydra's command line (hydra.h): the words translated, then
 * one run, or with -m the sweep of them (li2 sweep train ..., in Hydra's
 * BasicSweeper order) into out=, else multirun/DATE/TIME as Hydra. */
static int train_words(int argc, char **argv, li2_error *err)
{
  li2_hydra h;
  int rc = li2_hydra_translate(li2_train_spec, argc, argv, &h, err);
  if (rc)
    return rc;
  if (h.multirun) {
    int n = 0;
    char dirword[64], **w = malloc((size_t)(h.nwords + h.nextra + 3) * sizeof *w);
    if (!w) {
      li2_hydra_clear(&h);
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
    w[n++] = "train";
    for (int i = 0; i < h.nwords; i++)
      w[n++] = h.words[i];
    for (int i = 0; i < h.nextra; i++)
      w[n++] = h.extra[i];
    if (!h.has_out) {
      time_t now = time(NULL);
      struct tm tm;
      localtime_r(&now, &tm);
      strftime(dirword, sizeof dirword, "out=multirun/%Y-%m-%d/%H-%M-%S", &tm);
      w[n++] = dirword;
    }
    rc = li2_words_command_sweep.run(n, w, err);
    free(w);
  } else {
    li2_args *a = NULL;
    rc = li2_args_parse(&a, li2_train_spec, h.nwords, h.words, err);
    if (!rc)
      rc = li2_command_train.run(a, err);
    li2_args_free(a);
  }
  li2_hydra_clear(&h);
  return rc;
}

const li2_words_command li2_words_command_train = {&li2_command_train, train_words};
