/* The end-to-end Li2 report (see report.h). */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "characters.h"
#include "compare.h"
#include "dataset.h"
#include "energy.h"
#include "figures.h"
#include "gradient.h"
#include "group.h"
#include "html.h"
#include "io.h"
#include "json.h"
#include "lazy.h"
#include "maxima.h"
#include "measures.h"
#include "problem.h"
#include "model.h"
#include "stages.h"
#include "table.h"
#include "train.h"
#include "runfiles.h"

#define MAX_GROUPS 64

typedef struct {
  int component, real_dim, label;
  size_t count;
  double energy, predicted;
} max_group;

typedef struct {
  const li2_report_params *p;
  li2_io_stage st;                  /* everything is written in st.dir, moved into OUT at the end */
  char *run, *maxd, *grad;          /* DIR/run, DIR/maxima, DIR/gradient */
  li2_args *targs;
  li2_train_config cfg;
  /* train */
  char group[256];
  size_t M, K, ntrain, ntest;
  long epochs, grok_epoch, fit_epoch;
  li2_train_metrics last;
  double train_seconds;
  /* maxima */
  size_t starts, cstarts, nlabel[3], ngroups; /* random and component starts */
  max_group groups[MAX_GROUPS];
  double maxima_seconds, max_rel_err;
  int predicted_applies;
  /* gradient */
  li2_stage stages[3];
  int have_stages;
  double eta_trainer, cf_rel_max, r_rel_max;
  double rd_lo[2], rd_hi[2], eta_lo, eta_hi;   /* [0] first, [1] last checkpoint */
  double share_lo[2], share_hi[2];
  double rd_trainer[2], share_trainer[2];  /* at the trainer's eta */
  long grad_epoch[2];
  double gradient_seconds;
  /* compare */
  li2_compare_result *cmp;
  li2_compare_params cp;
  long first_cover_epoch, first_90_epoch, first_test_epoch;
  double compare_seconds;
  double node_energy_mean, node_energy_min, node_energy_max;
  /* progress measures (a transformer run) */
  int transformer;
  int key[LI2_GROUP_MAX_ORDER];
  size_t nkey;
  size_t nprogress;                 /* rows of progress.tsv */
  li2_measures_row pfirst, plast;   /* its first and last rows */
  long excluded_rise_epoch, test_fall_epoch;
  double progress_seconds;
  /* figures */
  li2_figures_list figs;
  double figures_seconds;
} rstate;

static void say(const rstate *S, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void say(const rstate *S, const char *fmt, ...)
{
  va_list ap;
  if (!S->p->log)
    return;
  va_start(ap, fmt);
  vfprintf(S->p->log, fmt, ap);
  va_end(ap);
  fflush(S->p->log);
}

/* ------------------------------------------------------------------ */
/* train                                                               */

static int stage_train(rstate *S, li2_error *err)
{
  /* the report always keeps epoch 0: the initialisation is where Stage I
   * starts (li2 train keeps it with init_save_range) */
  li2_train_config c = S->cfg;
  li2_trainer *t = NULL;
  li2_train_metrics m;
  li2_runfiles_summary sm;
  FILE *mfp = NULL;
  char *mpath = NULL, *sp = NULL;
  double t0 = li2_io_seconds(), ta;
  long saved = -1;
  int rc;

  if (c.init_save_range < 1)
    c.init_save_range = 1;
  memset(&sm, 0, sizeof sm);
  if ((rc = li2_io_mkdir(S->run, err)))
    return rc;
  if (!(t = li2_trainer_alloc(&c, S->p->train_config, NULL, err)))
    return err->code;
  S->M = li2_trainer_group(t)->order;
  /* a transformer's width stands where the 2-layer network's K does */
  S->K = li2_trainer_model(t) ? li2_trainer_model(t)->K : li2_trainer_transformer(t)->d;
  snprintf(S->group, sizeof S->group, "%s", li2_trainer_group(t)->name);
  S->ntrain = li2_trainer_dataset(t)->ntrain;
  S->ntest = li2_trainer_dataset(t)->ntest;
  if (!(sp = li2_io_path(S->run, "split.txt")) || !(mpath = li2_io_path(S->run, "metrics.tsv"))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_dataset_save(li2_trainer_dataset(t), sp, err)))
    goto done;
  if (!(mfp = li2_io_open_write(mpath, 0, err))) {
    rc = err->code;
    goto done;
  }
  li2_runfiles_metrics_header(mfp, c.stage1_stats);
  S->fit_epoch = -1;
  for (long e = 0; e < c.num_epochs; e++) {
    if (e % c.eval_interval == 0) {
      ta = li2_io_seconds();
      if ((rc = li2_trainer_test(t, &m, err)) ||
          (rc = li2_runfiles_metrics_row(mfp, mpath, &m, li2_trainer_lr(t), c.stage1_stats, err)))
        goto done;
      sm.eval_seconds += li2_io_seconds() - ta;
      if (S->fit_epoch < 0 && m.train_acc >= 1)
        S->fit_epoch = e;
    }
    if (li2_runfiles_save_before(&c, e) && (rc = li2_runfiles_checkpoint_save(t, S->run, &saved, err)))
      goto done;
    ta = li2_io_seconds();
    if ((rc = li2_trainer_iterate(t, err)))
      goto done;
    sm.iterate_seconds += li2_io_seconds() - ta;
    if (li2_runfiles_save_after(&c, e) && (rc = li2_runfiles_checkpoint_save(t, S->run, &saved, err)))
      goto done;
  }
  ta = li2_io_seconds();
  if ((rc = li2_trainer_test(t, &m, err)) ||
      (rc = li2_runfiles_metrics_row(mfp, mpath, &m, li2_trainer_lr(t), c.stage1_stats, err)))
    goto done;
  sm.eval_seconds += li2_io_seconds() - ta;
  if (S->fit_epoch < 0 && m.train_acc >= 1)
    S->fit_epoch = m.epoch;
  rc = li2_io_close(mfp, mpath, err);
  mfp = NULL;
  if (rc)
    goto done;
  if (saved != li2_trainer_epoch(t) && (rc = li2_runfiles_checkpoint_save(t, S->run, &saved, err)))
    goto done;
  S->epochs = li2_trainer_epoch(t);
  S->grok_epoch = li2_trainer_grok_epoch(t);
  S->last = m;
  S->train_seconds = li2_io_seconds() - t0;
  sm.status = "completed";
  sm.group = S->group;
  sm.kernel = li2_kernel_name(li2_trainer_kernel(t));
  sm.ntrain = S->ntrain;
  sm.ntest = S->ntest;
  sm.epochs = S->epochs;
  sm.grok_epoch = S->grok_epoch;
  sm.last = m;
  sm.seconds = S->train_seconds;
  sm.median_epoch = NAN;
  rc = li2_runfiles_run_json_write(S->run, S->targs, &sm, 0, err);
  say(S, "train\t%s, %s = %zu, %zu training pairs: %ld epochs in %.1f s, test accuracy %.4f\n",
      S->group, S->transformer ? "width" : "K", S->K, S->ntrain, S->epochs, S->train_seconds,
      m.test_acc);
done:
  if (mfp)
    fclose(mfp);
  free(mpath);
  free(sp);
  li2_trainer_free(t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* maxima                                                              */

static int stage_maxima(rstate *S, li2_error *err)
{
  li2_problem P = {0};
  li2_group *g;
  li2_characters *ct;
  li2_dataset *d;
  li2_maxima_params mp;
  li2_maxima_result *r = NULL;
  li2_io_file f;
  double t0 = li2_io_seconds();
  int rc;

  if ((rc = li2_io_mkdir(S->maxd, err)))
    return rc;
  if ((rc = li2_problem_setup_full(&P, S->cfg.group, 0, err)))
    goto done;
  g = P.g, ct = P.ct, d = P.d;
  li2_maxima_params_default(&mp);
  mp.threads = S->p->threads;
  S->starts = (size_t)S->p->maxima_starts;
  if ((rc = li2_maxima_search(g, ct, d, S->cfg.activation, LI2_ENERGY_RAW, &mp, S->starts,
                              S->p->maxima_seed, NULL, &r, err)))
    goto done;
  S->cstarts = r->ncomponent_starts;
  S->predicted_applies = S->cfg.activation == LI2_ACT_SQR;
  S->max_rel_err = 0;
  for (size_t i = 0; i < r->nstarts; i++)
    S->nlabel[r->points[i].label]++;
  for (size_t i = 0; i < r->ngroups && S->ngroups < MAX_GROUPS; i++) {
    const li2_maxima_group *gr = &r->groups[i];
    max_group *o;
    if (gr->label != LI2_MAXIMA_MAX)
      continue;
    o = &S->groups[S->ngroups++];
    o->component = gr->component;
    o->real_dim = gr->component > 0 ? ct->component_real_dim[gr->component] : 0;
    o->label = gr->label;
    o->count = gr->count;
    o->energy = gr->energy;
    o->predicted = gr->predicted;
    if (!isnan(gr->predicted))
      S->max_rel_err = fmax(S->max_rel_err, fabs(gr->energy - gr->predicted) / gr->predicted);
  }
  /* by component for the report (mixed end points last) */
  for (size_t i = 1; i < S->ngroups; i++)
    for (size_t k = i; k > 0; k--) {
      max_group *a = &S->groups[k - 1], *b = &S->groups[k];
      int ca = a->component > 0 ? a->component : 1 << 30, cb = b->component > 0 ? b->component : 1 << 30;
      max_group tmp;
      if (ca <= cb)
        break;
      tmp = *a;
      *a = *b;
      *b = tmp;
    }
  if ((rc = li2_io_open_atomic_in(&f, S->maxd, "maxima.tsv", err)))
    goto done;
  li2_maxima_write_starts(f.fp, r);
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  /* summary.tsv: the columns of li2 maxima (one row per distinct maximum) */
  if ((rc = li2_io_open_atomic_in(&f, S->maxd, "summary.tsv", err)))
    goto done;
  li2_runfiles_maxima_summary_write(f.fp, r, ct);
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  S->maxima_seconds = li2_io_seconds() - t0;
  say(S, "maxima\t%zu component + %zu random starts in %.2f s: %zu certified maxima, %zu saddles, %zu degenerate\n",
      S->cstarts, S->starts, S->maxima_seconds, S->nlabel[LI2_MAXIMA_MAX], S->nlabel[LI2_MAXIMA_SADDLE],
      S->nlabel[LI2_MAXIMA_DEGENERATE]);
done:
  li2_maxima_result_free(r);
  li2_problem_free(&P);
  return rc;
}

/* ------------------------------------------------------------------ */
/* gradient                                                            */

/* doc/mathematics.md section 2 on the network's own features (lazy.h: closed-form
 * G_F against the chain rule through the top layer at V = V*, and the
 * independence over eta) at the first checkpoint (random features) and
 * the last (learned ones), and the stage boundaries (stages.h) over every
 * checkpoint: the files of li2 gradient run=DIR. */
static int stage_gradient(rstate *S, li2_error *err)
{
  char **paths = NULL, *mpath = NULL;
  long *epochs = NULL;
  size_t n = 0, neta = 0, nrows = 0, npts = 0;
  double *eta = NULL, t0 = li2_io_seconds();
  li2_lazy_check *rows = NULL, tr[2];
  li2_lazy_checkpoint info;
  li2_stages_params sp;
  li2_stages_point *pts = NULL;
  li2_stages_metric *metrics = NULL;
  int rc;

  if ((rc = li2_io_mkdir(S->grad, err)) ||
      (rc = li2_gradient_eta_parse(S->p->eta, "eta", &eta, &neta, err)) ||
      (rc = li2_checkpoint_list(S->run, &paths, &epochs, &n, err)))
    goto done;
  if (n == 0) {
    rc = li2_error_set(err, LI2_EIO, "%s: no checkpoints", S->run);
    goto done;
  }
  if (!(rows = calloc(2 * neta, sizeof *rows))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (int k = 0; k < 2; k++) {
    const char *path = paths[k ? n - 1 : 0];
    if ((rc = li2_lazy_checkpoint_analyse(path, eta, neta, &info, rows + (size_t)k * neta, err)))
      goto done;
    S->eta_trainer = info.trainer.eta;
    /* and at the trainer's own ridge-equivalent eta (neta = 0) */
    if (S->eta_trainer > 0 &&
        (rc = li2_lazy_checkpoint_analyse(path, NULL, 0, &info, &tr[k], err)))
      goto done;
  }
  if ((rc = li2_lazy_checks_write(S->grad, rows, 2 * neta, err)))
    goto done;
  S->eta_lo = eta[0];
  S->eta_hi = eta[neta - 1];
  for (size_t i = 0; i < 2 * neta; i++) {
    const li2_lazy_check *r = &rows[i];
    int k = i >= neta;
    S->cf_rel_max = fmax(S->cf_rel_max, r->cf_rel);
    S->r_rel_max = fmax(S->r_rel_max, r->r_rel);
    S->grad_epoch[k] = r->epoch;
    if (i % neta == 0) {
      S->rd_lo[k] = r->rel_distance;
      S->share_lo[k] = r->own_share;
    }
    if (i % neta == neta - 1) {
      S->rd_hi[k] = r->rel_distance;
      S->share_hi[k] = r->own_share;
    }
  }
  if (S->eta_trainer > 0)
    for (int k = 0; k < 2; k++) {
      S->rd_trainer[k] = tr[k].rel_distance;
      S->share_trainer[k] = tr[k].own_share;
      S->cf_rel_max = fmax(S->cf_rel_max, tr[k].cf_rel);
    }
  /* stages */
  li2_stages_params_default(&sp);
  if (!(mpath = li2_io_path(S->run, "metrics.tsv"))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_stages_checkpoints_measure(&sp, paths, n, &pts, NULL, err)))
    goto done;
  npts = n;
  if ((rc = li2_runfiles_metrics_read(mpath, &metrics, &nrows, err)) ||
      (rc = li2_stages_detect(&sp, metrics, nrows, pts, npts, S->stages, err)) ||
      (rc = li2_stages_write(S->grad, S->stages, pts, npts, err)))
    goto done;
  S->have_stages = 1;
  S->gradient_seconds = li2_io_seconds() - t0;
  {
    char st[3][48];
    for (int k = 0; k < 3; k++) {
      if (S->stages[k].start < 0)
        snprintf(st[k], sizeof st[k], "not reached");
      else if (S->stages[k].end < 0)
        snprintf(st[k], sizeof st[k], "%ld-(open)", S->stages[k].start);
      else
        snprintf(st[k], sizeof st[k], "%ld-%ld", S->stages[k].start, S->stages[k].end);
    }
    say(S, "gradient\tclosed form = backprop to %.1e; stages I %s, II %s, III %s (%.1f s)\n",
        S->cf_rel_max, st[0], st[1], st[2], S->gradient_seconds);
  }
done:
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  free(epochs);
  free(eta);
  free(rows);
  free(pts);
  free(metrics);
  free(mpath);
  return rc;
}

/* ------------------------------------------------------------------ */
/* compare                                                             */

/* First epoch of emergence.tsv whose column NAME is >= X (-1: none). */
static long first_epoch_at(const char *path, const char *name, double x)
{
  li2_table t;
  long found = -1;
  int ce, c;
  if (li2_table_read(path, &t, NULL))
    return -1;
  ce = li2_table_col(&t, "epoch");
  c = li2_table_col(&t, name);
  for (size_t i = 0; c >= 0 && i < t.nrows && found < 0; i++)
    if (li2_table_num(&t, i, c) >= x)
      found = li2_table_epoch(&t, i, ce);
  li2_table_free(&t);
  return found;
}

static int stage_compare(rstate *S, li2_error *err)
{
  double t0 = li2_io_seconds(), sum = 0;
  size_t cnt = 0;
  char *ep;
  int rc;
  li2_compare_params_default(&S->cp);
  if ((rc = li2_compare_run(S->run, -1, &S->cp, S->st.dir, 1, NULL, &S->cmp, err)))
    return rc;
  S->node_energy_min = INFINITY;
  S->node_energy_max = -INFINITY;
  for (size_t j = 0; j < S->cmp->K; j++)
    if (S->cmp->nodes[j].at_max) {
      double ratio = S->cmp->nodes[j].energy / S->cmp->nodes[j].predicted;
      sum += ratio;
      cnt++;
      S->node_energy_min = fmin(S->node_energy_min, ratio);
      S->node_energy_max = fmax(S->node_energy_max, ratio);
    }
  S->node_energy_mean = cnt ? sum / (double)cnt : NAN;
  if (!(ep = li2_io_path(S->st.dir, "emergence.tsv")))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  S->first_cover_epoch = first_epoch_at(ep, "covered", (double)(S->cmp->ncomponents - 1));
  S->first_90_epoch = first_epoch_at(ep, "at_predicted_max_fraction", 0.9);
  S->first_test_epoch = first_epoch_at(ep, "test_acc", 0.999999);
  free(ep);
  S->compare_seconds = li2_io_seconds() - t0;
  say(S, "compare\t%zu of %zu active nodes at a predicted maximum (%.1f%%), coverage %zu/%zu "
         "(%.1f s)\n",
      S->cmp->at_max_nodes, S->cmp->active_nodes, 100 * S->cmp->at_predicted_max_fraction,
      S->cmp->ncovered, S->cmp->ncomponents - 1, S->compare_seconds);
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* progress measures (a transformer run)                               */

/* li2 compare's progress measures (measures.h) over the run's checkpoints,
 * key components by li2 compare's default share, and the summary the
 * report states: the first and last rows, the first epoch at which the
 * excluded training loss exceeds 5 times its lowest value so far and the
 * first at which the test loss is below half its first (the order Nanda et
 * al. report: the network relies on the key frequencies before it
 * generalises). */
#define REPORT_KEY_SHARE 0.9
static int stage_progress(rstate *S, li2_error *err)
{
  static const char *const names[] = {"epoch", "train_loss", "test_loss", "train_acc",
                                      "test_acc", "restricted_test_loss", "excluded_train_loss",
                                      "gini", "key_share"};
  enum { NCOL = sizeof names / sizeof names[0] };
  double t0 = li2_io_seconds();
  li2_table t;
  li2_measures_row *rows[2] = {&S->pfirst, &S->plast};
  char *path;
  double xmin = 0;
  int rc, c[NCOL];
  if ((rc = li2_measures_run(S->run, NULL, 0, REPORT_KEY_SHARE, S->st.dir, NULL, S->key, &S->nkey,
                             err)))
    return rc;
  if (!(path = li2_io_path(S->st.dir, "progress.tsv")))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_table_read(path, &t, err);
  free(path);
  if (rc)
    return rc;
  for (size_t k = 0; k < NCOL; k++)
    if ((c[k] = li2_table_col(&t, names[k])) < 0) {
      li2_table_free(&t);
      return li2_error_set(err, LI2_EFORMAT, "progress.tsv: no column %s", names[k]);
    }
  S->nprogress = t.nrows;
  S->excluded_rise_epoch = S->test_fall_epoch = -1;
  for (size_t i = 0; i < t.nrows; i++) {
    double x = li2_table_num(&t, i, c[6]), tl = li2_table_num(&t, i, c[2]);
    long e = li2_table_epoch(&t, i, c[0]);
    for (int k = 0; k < 2; k++)
      if ((k == 0 && i == 0) || (k == 1 && i + 1 == t.nrows)) {
        li2_measures_row *r = rows[k];
        r->epoch = e;
        r->train_loss = li2_table_num(&t, i, c[1]);
        r->test_loss = tl;
        r->train_acc = li2_table_num(&t, i, c[3]);
        r->test_acc = li2_table_num(&t, i, c[4]);
        r->restricted_test_loss = li2_table_num(&t, i, c[5]);
        r->excluded_train_loss = x;
        r->gini = li2_table_num(&t, i, c[7]);
        r->key_share = li2_table_num(&t, i, c[8]);
      }
    /* against its lowest so far: at epoch 0 (the report keeps it) every
     * loss is near log M, the excluded one low only once memorised */
    xmin = i == 0 || x < xmin ? x : xmin;
    if (S->excluded_rise_epoch < 0 && x > 5 * xmin)
      S->excluded_rise_epoch = e;
    if (S->test_fall_epoch < 0 && tl < S->pfirst.test_loss / 2)
      S->test_fall_epoch = e;
  }
  li2_table_free(&t);
  S->progress_seconds = li2_io_seconds() - t0;
  say(S, "progress\t%zu checkpoints, %zu key components (", S->nprogress, S->nkey);
  for (size_t i = 0; i < S->nkey; i++)
    say(S, "%s%d", i ? "," : "", S->key[i]);
  say(S, "), Gini %.3f to %.3f (%.1f s)\n", S->pfirst.gini, S->plast.gini, S->progress_seconds);
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* figures                                                             */

static int stage_figures(rstate *S, li2_error *err)
{
  li2_figures_params fp;
  double t0 = li2_io_seconds();
  int rc;
  li2_figures_params_default(&fp);
  if ((rc = li2_figures_formats_parse(S->p->formats, "format", &fp.formats, err)))
    return rc;
  fp.style = strcmp(S->p->style, "slides") ? LI2_PLOT_PAPER : LI2_PLOT_SLIDES;
  fp.run_gnuplot = S->p->run_gnuplot;
  if ((rc = li2_figures_render(S->st.dir, S->st.dir, &fp, &S->figs, err)))
    return rc;
  S->figures_seconds = li2_io_seconds() - t0;
  if (!S->figs.rendered)
    say(S, "figures\t%zu scripts and their data written; not rendered%s%s\n", S->figs.n,
        S->figs.failed ? ": " : " (gnuplot not found)",
        S->figs.failed ? S->figs.first_failure : "");
  else
    say(S, "figures\t%zu figures rendered (%.1f s)\n", S->figs.n, S->figures_seconds);
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* report.md                                                           */

static void md_list(FILE *fp, const int *a, size_t n)
{
  if (!n)
    fputs("none", fp);
  for (size_t i = 0; i < n; i++)
    fprintf(fp, "%s%d", i ? ", " : "", a[i]);
}

static int has_format(const rstate *S, const char *fmt)
{
  return strstr(S->p->formats, fmt) != NULL;
}

static void md_figure(FILE *fp, const rstate *S, const char *name, const char *caption)
{
  int found = 0;
  for (size_t i = 0; i < S->figs.n; i++)
    found |= !strcmp(S->figs.name[i], name);
  if (!found)
    return;
  if (has_format(S, "png"))
    fprintf(fp, "![%s](%s.png)\n\n", caption, name);
  fprintf(fp, "*%s* (", caption);
  if (has_format(S, "pdf"))
    fprintf(fp, "[PDF](%s.pdf), ", name);
  fprintf(fp, "script `%s.gp`, data `%s.dat`)\n\n", name, name);
}

static void md_stage(FILE *fp, const li2_stage *s)
{
  if (s->start < 0) {
    fprintf(fp, "| %s | not reached | | |\n", li2_stages_name(s->stage));
    return;
  }
  fprintf(fp, "| %s | %ld | ", li2_stages_name(s->stage), s->start);
  if (s->end >= 0)
    fprintf(fp, "%ld | %s |\n", s->end, s->criterion);
  else
    fprintf(fp, "(open) | %s |\n", s->criterion);
}

/* Text of a Markdown table cell: pipes escaped. */
static void md_cell(FILE *fp, const char *s)
{
  for (; *s; s++) {
    if (*s == '|')
      fputc('\\', fp);
    fputc(*s, fp);
  }
}

/* "at epoch E", or that it never happened. */
static void md_epoch(FILE *fp, long e)
{
  if (e >= 0)
    fprintf(fp, "at epoch %ld", e);
  else
    fputs("at no evaluated epoch", fp);
}

/* report.md opened in the stage, its title written (the group, then WHAT). */
static int md_open(const rstate *S, li2_io_file *f, const char *what, li2_error *err)
{
  int rc = li2_io_open_atomic_in(f, S->st.dir, "report.md", err);
  if (!rc)
    fprintf(f->fp, "# Li2 report: %s%s\n\n", S->group, what);
  return rc;
}

/* The accuracies and the epochs of memorisation and generalisation. */
static void md_learned(FILE *fp, const rstate *S)
{
  fprintf(fp, "- Training accuracy %.4f, test accuracy **%.4f** on %zu held-out pairs after %ld "
              "epochs (%.1f s). The training set was fit ",
          S->last.train_acc, S->last.test_acc, S->ntest, S->epochs, S->train_seconds);
  md_epoch(fp, S->fit_epoch);
  fputs("; test accuracy first reached 0.95 ", fp);
  md_epoch(fp, S->grok_epoch);
  if (S->fit_epoch >= 0 && S->grok_epoch > S->fit_epoch)
    fprintf(fp, " (generalisation %ld epochs after memorisation: grokking)", S->grok_epoch - S->fit_epoch);
  fprintf(fp, ".\n");
}

/* The training row of the setting table. */
static void md_training(FILE *fp, const rstate *S)
{
  const li2_train_config *c = &S->cfg;
  fprintf(fp, "| training | %zu of %zu pairs (fraction %.3f), %ld epochs, weight decay %g, "
              "learning rate %g, seed %lu |\n",
          S->ntrain, S->ntrain + S->ntest, (double)S->ntrain / (double)(S->ntrain + S->ntest),
          S->epochs, c->optim.weight_decay, c->schedule.lr, c->seed);
}

/* The figures' heading and why they are not rendered, if so. */
static void md_figures_head(FILE *fp, const rstate *S)
{
  fprintf(fp, "## Figures\n\n");
  if (!S->figs.rendered)
    fprintf(fp, "gnuplot did not render the figures%s%s; their scripts and data are in this "
                "directory (`gnuplot NAME.gp`).\n\n",
            S->figs.failed ? ": " : " (not installed)", S->figs.failed ? S->figs.first_failure : "");
}

/* The command as it was run (every argument given), else its out=. */
static int md_reproduce(FILE *fp, const rstate *S, li2_error *err)
{
  char *q = NULL;
  size_t ql = 0;
  if (li2_args_quote_append(&q, &ql, S->p->out))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  fprintf(fp, "## Reproduce\n\n```sh\n");
  if (S->p->command)
    fprintf(fp, "%s\n", S->p->command);
  else
    fprintf(fp, "li2 report out=%s\n", q);
  fprintf(fp, "li2 plot %s --format pdf\n```\n", q);
  free(q);
  return LI2_SUCCESS;
}

static int stage_markdown(rstate *S, double total, li2_error *err)
{
  li2_io_file f;
  FILE *fp;
  const li2_compare_result *r = S->cmp;
  const li2_train_config *c = &S->cfg;
  size_t ncomp = r->ncomponents - 1;
  int rc = md_open(S, &f, "", err);
  if (rc)
    return rc;
  fp = f.fp;
  fprintf(fp,
          "Generated by `li2 report` in %.1f s. The theory (mathematics.md in li2's documentation, share/doc/li2; Tian, arXiv 2509.21519) "
          "predicts that each hidden node of a 2-layer network trained on group arithmetic with "
          "weight decay ends at a local maximum of the energy E(w) = 1/2 |Y~^T sigma~(Xw)|^2, "
          "and that those maxima are the real irreducible representations of the group, with "
          "E* = M/(2 d_R) on the unit sphere. This report trains a network, finds the maxima of "
          "E independently of the network, and checks every node against them.\n\n",
          total);

  fprintf(fp, "## Setting\n\n");
  fprintf(fp, "| | |\n|---|---|\n");
  fprintf(fp, "| group | %s (order M = %zu, %zu non-trivial real components) |\n", S->group, S->M,
          ncomp);
  fprintf(fp, "| network | K = %zu hidden nodes, activation %s, loss %s |\n", S->K,
          li2_activation_name(c->activation), li2_loss_name(c->loss));
  md_training(fp, S);
  fprintf(fp, "| data | `run/` (metrics, checkpoints), `maxima/`, `gradient/`, "
              "`compare.json`, `compare.tsv`, `emergence.tsv` |\n\n");

  fprintf(fp, "## What the network learned\n\n");
  md_learned(fp, S);
  fprintf(fp, "- %zu of %zu hidden nodes are active (norm at least %.0f%% of the largest; weight "
              "decay switched the others off).\n",
          r->active_nodes, r->K, 100 * S->cp.active_ratio);
  fprintf(fp, "- **%zu of %zu active nodes (%.1f%%) sit at a predicted maximum**: purity > %.2f "
              "in one real component, and the certified maximiser started from the node's own "
              "normalised weights moves less than %g degrees. Their energies E(w/|w|) are "
              "%.4f to %.4f times the predicted M/(2 d_R) (mean %.4f). Mean purity of the active "
              "nodes: %.4f.\n",
          r->at_max_nodes, r->active_nodes, 100 * r->at_predicted_max_fraction, S->cp.purity_min,
          S->cp.angle_max, S->node_energy_min, S->node_energy_max, S->node_energy_mean,
          r->mean_purity);
  fprintf(fp, "- **Coverage: %zu of %zu components** have a node at their maximum (",
          r->ncovered, ncomp);
  md_list(fp, r->covered, r->ncovered);
  fprintf(fp, "); missing: ");
  md_list(fp, r->missing, r->nmissing);
  fprintf(fp, ". Active nodes per component (the reference's solution order counts): ");
  for (size_t k = 1; k <= ncomp; k++)
    fprintf(fp, "%s%zu", k > 1 ? ", " : "", r->nodes_per_component[k]);
  fprintf(fp, ".\n");
  {
    const char *what[3] = {"test accuracy 1", "complete coverage",
                           "90% of the active nodes at a predicted maximum"};
    long when[3] = {S->first_test_epoch, S->first_cover_epoch, S->first_90_epoch};
    fprintf(fp, "- Over the checkpoints (`emergence.tsv`):");
    for (int i = 0; i < 3; i++) {
      fprintf(fp, "%s %s ", i ? "," : "", what[i]);
      if (when[i] >= 0)
        fprintf(fp, "from epoch %ld", when[i]);
      else
        fprintf(fp, "not reached");
    }
    if (when[0] >= 0 && when[2] > when[0])
      fprintf(fp, ": the features keep sharpening for %ld epochs after the test accuracy has "
                  "saturated",
              when[2] - when[0]);
    fprintf(fp, ".\n");
  }
  fprintf(fp, "\n");

  fprintf(fp, "## What the theory predicted\n\n");
  if (S->predicted_applies)
    fprintf(fp, "For sigma = x^2 on the full table the local maxima of E on the unit sphere are "
                "the real irreducible components, at E* = M/(2 d_R) (doc/mathematics.md section 3). For "
                "%s every non-trivial component has d_R = %d, so E* = %.4g.\n\n",
            S->group, r->real_dim[1], (double)S->M / (2.0 * r->real_dim[1]));
  else
    fprintf(fp, "The level M/(2 d_R) is proven for sigma = x^2; with activation %s the "
                "maxima are found and classified but no level is predicted.\n\n",
            li2_activation_name(c->activation));
  fprintf(fp, "Independently of the network, %zu starts of the certified maximiser (one "
              "inside each non-trivial real component and %zu random; GSL BFGS, Hessian on the "
              "tangent space) ended at %zu certified maxima, %zu "
              "saddles and %zu degenerate points (%.1f s):\n\n",
          S->cstarts + S->starts, S->starts, S->nlabel[LI2_MAXIMA_MAX], S->nlabel[LI2_MAXIMA_SADDLE],
          S->nlabel[LI2_MAXIMA_DEGENERATE], S->maxima_seconds);
  fprintf(fp, "| component | d_R | energy found | predicted M/(2 d_R) | starts |\n"
              "|---|---|---|---|---|\n");
  for (size_t i = 0; i < S->ngroups; i++) {
    const max_group *g = &S->groups[i];
    if (g->component > 0)
      fprintf(fp, "| %d | %d | %.10g | ", g->component, g->real_dim, g->energy);
    else
      fprintf(fp, "| (mixed) | - | %.10g | ", g->energy);
    if (isnan(g->predicted))
      fprintf(fp, "- | %zu |\n", g->count);
    else
      fprintf(fp, "%.10g | %zu |\n", g->predicted, g->count);
  }
  if (S->predicted_applies)
    fprintf(fp, "\nLargest relative deviation of a found maximum from its predicted level: "
                "%.1e.\n",
            S->max_rel_err);
  fprintf(fp, "\n");

  fprintf(fp, "## The gradient G_F and the three stages\n\n");
  fprintf(fp, "- On the network's own features, the closed form G_F = eta (F~F~^T + eta I)^-1 "
              "Y~Y~^T F~ (F~^T F~ + eta I)^-1 agrees with backprop through the top layer at "
              "V = V* to %.1e (relative, worst of %s); the residual to %.1e.\n",
          S->cf_rel_max, "all eta and both checkpoints", S->r_rel_max);
  fprintf(fp, "- Independence (doc/mathematics.md section 2): the distance of G_F from its large-eta "
              "form (1/eta) Y~Y~^T F~ falls from %.3g at eta = %g to %.3g at eta = %g on the "
              "initial random features (epoch %ld), and from %.3g to %.3g on the learned "
              "ones (epoch %ld). The trainer's weight decay corresponds to eta = n wd / 2 = "
              "%.4g.\n",
          S->rd_lo[0], S->eta_lo, S->rd_hi[0], S->eta_hi, S->grad_epoch[0], S->rd_lo[1],
          S->rd_hi[1], S->grad_epoch[1], S->eta_trainer);
  if (S->eta_trainer > 0)
    fprintf(fp, "  At that eta the distance is %.3g on the initial features and %.3g on the "
                "learned ones, and the share of each node's gradient explained by its own "
                "feature is %.3g and %.3g.\n",
            S->rd_trainer[0], S->rd_trainer[1], S->share_trainer[0], S->share_trainer[1]);
  if (S->have_stages) {
    fprintf(fp, "- Stages (criteria in li2(1), `li2 gradient`):\n\n"
                "| stage | from epoch | to epoch | ended by |\n|---|---|---|---|\n");
    for (int s = 0; s < 3; s++)
      md_stage(fp, &S->stages[s]);
  }
  fprintf(fp, "\n");

  md_figures_head(fp, S);
  md_figure(fp, S, "grokking", "Training and test accuracy and loss against epoch, stages shaded");
  md_figure(fp, S, "emergence", "Feature emergence over the checkpoints: active nodes at a "
                                "predicted maximum, coverage, test accuracy");
  md_figure(fp, S, "energy", "Energies of the maxima found from random starts and of the "
                             "trained nodes, with the predicted levels M/(2 d_R)");
  md_figure(fp, S, "coverage", "Active nodes per component, and those at a predicted maximum");
  md_figure(fp, S, "power", "Power of each node (rows) per component (columns) at several epochs");
  md_figure(fp, S, "spectrum", "Share of the hidden layer's power per component against epoch");
  md_figure(fp, S, "gf-eta", "Independence of the nodes' gradients against the ridge eta");
  md_figure(fp, S, "phase", "Phase diagram");
  if ((rc = md_reproduce(fp, S, err))) {
    li2_io_abort(&f);
    return rc;
  }
  return li2_io_commit(&f, err);
}

/* report.md of a transformer run: what applies of the 2-layer theory and
 * what does not (li2_compare_transformer_scope), the progress measures. */
static int stage_markdown_transformer(rstate *S, double total, li2_error *err)
{
  li2_io_file f;
  FILE *fp;
  const li2_train_config *c = &S->cfg;
  const li2_measures_row *a = &S->pfirst, *b = &S->plast;
  const li2_compare_scope *sc;
  size_t nsc;
  int rc = md_open(S, &f, ", transformer", err);
  if (rc)
    return rc;
  fp = f.fp;
  fprintf(fp,
          "Generated by `li2 report` in %.1f s. The network is the reference's transformer "
          "(model_type=transformer). The Li2 theory (Tian, arXiv 2509.21519: the energy "
          "landscape of the hidden nodes, Stages I-III) is about the 2-layer network; for a "
          "transformer this report trains it, computes the progress measures of Nanda et al. "
          "2023 over its checkpoints and draws the figures, and says which of li2's analyses "
          "apply and which do not.\n\n",
          total);
  fprintf(fp, "## Setting\n\n| | |\n|---|---|\n");
  fprintf(fp, "| group | %s (order M = %zu) |\n", S->group, S->M);
  fprintf(fp, "| network | transformer: width %zu, %zu heads, %zu layer(s), feed-forward %zu, "
              "activation %s, loss %s, precision %s |\n",
          S->K, c->nhead, c->num_layers, c->dim_feedforward, li2_activation_name(c->activation),
          li2_loss_name(c->loss), c->single ? "float" : "double");
  md_training(fp, S);
  fprintf(fp, "| data | `run/` (metrics, checkpoints), `progress.tsv` |\n\n");

  fprintf(fp, "## What the network learned\n\n");
  md_learned(fp, S);
  fprintf(fp, "\n## Progress measures\n\n");
  fprintf(fp, "Over %zu checkpoints (`progress.tsv`, as `li2 compare` writes it). Key components "
              "(the fewest whose share of the embedding's non-trivial power at the last "
              "checkpoint adds up to %g): ",
          S->nprogress, REPORT_KEY_SHARE);
  md_list(fp, S->key, S->nkey);
  fprintf(fp, ".\n\n| epoch | train loss | test loss | restricted test loss | excluded train "
              "loss | Gini | key share |\n|---|---|---|---|---|---|---|\n");
  for (int k = 0; k < 2; k++) {
    const li2_measures_row *r = k ? b : a;
    fprintf(fp, "| %ld | %.4g | %.4g | %.4g | %.4g | %.3f | %.3f |\n", r->epoch, r->train_loss,
            r->test_loss, r->restricted_test_loss, r->excluded_train_loss, r->gini, r->key_share);
  }
  fprintf(fp, "\nThe excluded training loss (the key components of a + b removed from the "
              "logits) exceeds 5 times its lowest value so far ");
  if (S->excluded_rise_epoch >= 0)
    fprintf(fp, "from epoch %ld", S->excluded_rise_epoch);
  else
    fprintf(fp, "at no checkpoint");
  fprintf(fp, "; the test loss falls below half its first value ");
  if (S->test_fall_epoch >= 0)
    fprintf(fp, "from epoch %ld", S->test_fall_epoch);
  else
    fprintf(fp, "at no checkpoint");
  if (S->excluded_rise_epoch >= 0 && S->test_fall_epoch >= 0)
    fprintf(fp, ": the network %s on the key components %s it generalises (Nanda et al. find "
                "before)",
            "comes to rely",
            S->excluded_rise_epoch < S->test_fall_epoch ? "before"
            : S->excluded_rise_epoch == S->test_fall_epoch ? "at the checkpoint at which" : "after");
  fprintf(fp, ".\n\n");

  fprintf(fp, "## Which analyses apply\n\n| analysis | command | applies | why |\n"
              "|---|---|---|---|\n");
  sc = li2_compare_transformer_scope(&nsc);
  for (size_t i = 0; i < nsc; i++) {
    fputs("| ", fp);
    md_cell(fp, sc[i].analysis);
    fprintf(fp, " | `%s` | %s | ", sc[i].command, sc[i].applies ? "yes" : "**no**");
    md_cell(fp, sc[i].why);
    fputs(" |\n", fp);
  }
  fprintf(fp, "\n");

  md_figures_head(fp, S);
  md_figure(fp, S, "grokking", "Training and test accuracy and loss against epoch");
  md_figure(fp, S, "progress", "Progress measures against epoch: restricted and excluded loss, "
                               "Gini coefficient of the embedding's spectrum");
  if ((rc = md_reproduce(fp, S, err))) {
    li2_io_abort(&f);
    return rc;
  }
  return li2_io_commit(&f, err);
}

/* ------------------------------------------------------------------ */

int li2_report_run(const li2_report_params *p, li2_error *err)
{
  rstate S;
  double t0 = li2_io_seconds();
  int rc, staged = 0;
  memset(&S, 0, sizeof S);
  S.p = p;
  S.grok_epoch = S.fit_epoch = -1;
  if ((rc = li2_train_args_from_text(p->train_config, &S.targs, err)) ||
      (rc = li2_train_config_from_args(S.targs, &S.cfg, err)))
    goto done;
  if (S.cfg.nops != 2) {
    rc = li2_error_set(err, LI2_EINVAL, "parameter num_of_ops: the report needs 2 operands");
    goto done;
  }
  S.transformer = S.cfg.transformer;
  /* everything is validated before any work */
  {
    unsigned mask;
    double *eta = NULL;
    size_t neta;
    if ((rc = li2_figures_formats_parse(p->formats, "format", &mask, err)) ||
        (rc = li2_gradient_eta_parse(p->eta, "eta", &eta, &neta, err)))
      goto done;
    free(eta);
    {
      li2_group *g = li2_group_alloc_name(S.cfg.group, err);
      if (!g) {
        rc = err->code;
        goto done;
      }
      li2_group_free(g);
    }
    if (p->maxima_starts < 1) {
      rc = li2_error_set(err, LI2_EINVAL, "parameter starts: must be >= 1");
      goto done;
    }
  }
  /* written aside and moved into OUT at the end: an error leaves OUT as
   * it was, a previous report's files included (issue 15, defect 11) */
  if ((rc = li2_io_stage_begin(&S.st, p->out, err)))
    goto done;
  staged = 1;
  /* one report at a time in OUT (issue 15: one writer per directory) */
  if ((rc = li2_io_stage_lock(&S.st, err)))
    goto done;
  if (!(S.run = li2_io_path(S.st.dir, "run")) || !(S.maxd = li2_io_path(S.st.dir, "maxima")) ||
      !(S.grad = li2_io_path(S.st.dir, "gradient"))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
#define STAGE(fn, name)                        \
  if ((rc = fn(&S, err))) {                    \
    li2_error_prefix(err, "%s stage: ", name); \
    goto done;                                 \
  }
  STAGE(stage_train, "train");
  if (S.transformer) {
    /* the node analyses are the 2-layer network's (li2_compare_transformer_scope) */
    STAGE(stage_progress, "progress");
    STAGE(stage_figures, "figures");
  } else {
    STAGE(stage_maxima, "maxima");
    STAGE(stage_gradient, "gradient");
    STAGE(stage_compare, "compare");
    STAGE(stage_figures, "figures");
  }
#undef STAGE
  if ((rc = (S.transformer ? stage_markdown_transformer : stage_markdown)(
           &S, li2_io_seconds() - t0, err))) {
    li2_error_prefix(err, "report.md: ");
    goto done;
  }
  /* the same page, self-contained: one file to share */
  if ((rc = li2_html_write_page(S.st.dir, "report.md", "report.html", err))) {
    li2_error_prefix(err, "report.html: ");
    goto done;
  }
  staged = 0;
  if ((rc = li2_io_stage_commit(&S.st, err)))
    goto done;
  say(&S, "report\t%s/report.md (%.1f s)\n", p->out, li2_io_seconds() - t0);
  say(&S, "html\t%s/report.html\n", p->out);
done:
  if (staged) {
    if (err)
      li2_io_stage_msg(&S.st, err->msg, sizeof err->msg);
    li2_io_stage_abort(&S.st);
  }
  li2_compare_result_free(S.cmp);
  li2_args_free(S.targs);
  free(S.run);
  free(S.maxd);
  free(S.grad);
  return rc;
}
