/* li2 gradient: the backpropagated gradient G_F of the lazy stage
 * (doc/mathematics.md sections 2 and 5) on a trained network's checkpoints or on
 * features built from chosen components, and the three stages of a
 * training run.  The analysis is the library's (src/lazy.h: closed form
 * against backprop, independence over eta, the trainer's own gradient,
 * modulation as S grows; src/stages.h: stage detection); this file parses
 * the parameters, calls it and writes the tables, plots and summary. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../process.h"
#include "../problem.h"
#include "../characters.h"
#include "../compare.h"
#include "../dataset.h"
#include "../fourier.h"
#include "../gradient.h"
#include "../group.h"
#include "../io.h"
#include "../json.h"
#include "../lazy.h"
#include "../model.h"
#include "../plot.h"
#include "../stages.h"
#include "../train.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "run", NULL, "run directory of li2 train: analyse its checkpoints", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "epoch", NULL, "run: checkpoint epochs N[,N,...] (default: the latest)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "group", NULL, "built features: the group (23, Z4xZ6, S4, D5, ...)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "M", NULL, "built features: the trainer's name for the group; group overrides", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "nodes", NULL, "exact-feature nodes: 1,2,3x6 = components 1-3, six nodes each; 1x6+4-5x2", 1, 0, NULL, 0},
  {LI2_ARG_INT, "fresh", "8", "built features: fresh (small random) nodes", 0, 1e6, NULL, 0},
  {LI2_ARG_DOUBLE, "fresh_scale", "0.05", "built features: std. deviation of the fresh nodes' weights", 0, 1e6, NULL, 0},
  {LI2_ARG_CHOICE, "activation", "sqr", "built features: activation", 1, 0, LI2_NAMES_CHOICES(LI2_ACT_TRAINER_NAMES), 0},
  {LI2_ARG_INT, "train_size", "0", "built features: random training set of this size (0: full table)", 0, 1e15, NULL, 0},
  {LI2_ARG_INT, "seed", "0", "built features: phases, fresh nodes and the split", 0, 4294967295.0, NULL, 0},
  {LI2_ARG_STRING, "eta", NULL, "ridge eta: X | X,Y,... | A:B:log:N | A:B:lin:N (default: run n*weight_decay/2, built 1e-3)", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "stages", "true", "run: mark stages I, II, III over all checkpoints", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "fit_acc", "0.99", "stage I ends when the training accuracy reaches this", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "active_ratio", "0.1", "a node is active when |w_j| >= active_ratio max |w| (as compare)", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "purity_min", "0.9", "a node is pure when its dominant component's share >= this", 0, 1, NULL, 0},
  {LI2_ARG_INT, "pure_nodes", "1", "stage II ends when this many active nodes are pure", 1, 1e9, NULL, 0},
  {LI2_ARG_DOUBLE, "plateau", "0.01", "stage III: test accuracy within this of its best, for good", 0, 1, NULL, 0},
  {LI2_ARG_STRING, "out", NULL, "directory: gradient.tsv, independence.tsv, modulation.tsv, stages.tsv, plots", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "plot", "true", "run gnuplot on the scripts when it is on PATH", 1, 0, NULL, 0},
  {LI2_ARG_INT, "threads", "0", "OpenMP and BLAS threads (0: all cores)", 0, 1024, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "print the summary as JSON", 1, 0, NULL, 0},
  {0}
};

/* ---- results ---- */

typedef struct {
  li2_lazy_check *g;         /* every check, in order */
  size_t ng;
  li2_lazy_checkpoint *c;    /* run: one per checkpoint */
  size_t nc_rows;
  li2_lazy_modulation mod;   /* built features with exact nodes */
  li2_stage stages[3];
  int have_stages;
  li2_stages_point *pts;
  size_t npts;
  li2_stages_metric *metrics;
  size_t nmetrics;
} results;

static void results_free(results *r)
{
  free(r->g);
  free(r->c);
  li2_lazy_modulation_clear(&r->mod);
  free(r->pts);
  free(r->metrics);
}

/* ---- run mode ---- */

/* Closed form against backprop on the chosen checkpoints (default: the
 * latest), at the given eta or each run's own. */
static int run_checkpoints(const li2_args *a, const char *dir, const double *eta, size_t neta,
                           results *res, char *group_name, size_t gsize, li2_error *err)
{
  long *epochs = NULL;
  size_t nep = 1, per = neta ? neta : 1;
  int rc = LI2_SUCCESS;
  li2_progress prog;
  if (li2_args_has(a, "epoch") &&
      (rc = li2_args_epochs("epoch", li2_args_string(a, "epoch"), 0, &epochs, &nep, err)))
    return rc;
  res->g = malloc(nep * per * sizeof *res->g);
  res->c = malloc(nep * sizeof *res->c);
  if (!res->g || !res->c) {
    free(epochs);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  li2_progress_init(&prog, "gradient", (long)(nep * per));
  for (size_t i = 0; i < nep && !rc; i++) {
    char *path = li2_checkpoint_path(dir, epochs ? epochs[i] : -1);
    li2_lazy_checkpoint *info = &res->c[res->nc_rows];
    if (!path)
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    else
      rc = li2_lazy_checkpoint_analyse(path, eta, neta, info, res->g + res->ng, err);
    if (!rc) {
      snprintf(group_name, gsize, "%s", info->group);
      res->ng += per;
      res->nc_rows++;
      li2_progress_update(&prog, (long)res->ng, NULL);
    }
    free(path);
  }
  li2_progress_finish(&prog);
  free(epochs);
  return rc;
}

/* Stages I, II, III over every ckpt-EPOCH.li2 of the run. */
static int run_stages(const li2_args *a, const char *dir, results *res, li2_error *err)
{
  li2_stages_params p;
  li2_progress prog;
  char **paths = NULL, *mpath;
  long *ep = NULL;
  size_t nep = 0;
  int rc;
  li2_stages_params_default(&p);
  p.fit_acc = li2_args_double(a, "fit_acc");
  p.active_ratio = li2_args_double(a, "active_ratio");
  p.purity = li2_args_double(a, "purity_min");
  p.pure_nodes = (size_t)li2_args_int(a, "pure_nodes");
  p.plateau = li2_args_double(a, "plateau");
  if (!(mpath = li2_io_path(dir, "metrics.tsv")))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_runfiles_metrics_read(mpath, &res->metrics, &res->nmetrics, err);
  free(mpath);
  if (rc)
    return rc;
  if ((rc = li2_checkpoint_list(dir, &paths, &ep, &nep, err)))
    return rc == LI2_EIO
               ? li2_error_set(err, rc, "parameter run: cannot open directory %s", dir)
               : rc;
  if (nep == 0)
    rc = li2_error_set(err, LI2_EINVAL, "parameter run: %s has no ckpt-*.li2 checkpoints "
                                        "(train with out=DIR and a save_interval)", dir);
  else if (!(rc = li2_stages_checkpoints_measure(&p, paths, nep, &res->pts, &prog, err)))
    res->npts = nep;
  if (!rc && !(rc = li2_stages_detect(&p, res->metrics, res->nmetrics, res->pts, res->npts,
                                      res->stages, err)))
    res->have_stages = 1;
  for (size_t i = 0; i < nep; i++)
    free(paths[i]);
  free(paths);
  free(ep);
  return rc;
}

/* ---- built features ---- */

static int run_built(const li2_args *a, const double *eta, size_t neta, results *res,
                     char *group_name, size_t gsize, li2_error *err)
{
  const char *gkey = li2_args_has(a, "group") ? "group" : "M";
  size_t fresh = (size_t)li2_args_int(a, "fresh"), ns = 0, *comp = NULL;
  li2_problem P = {0};
  li2_problem_params pp;
  li2_group *g;
  li2_characters *ct;
  li2_fourier *f;
  li2_dataset *d;
  li2_model *m = NULL;
  li2_lazy *A = NULL;
  li2_progress prog;
  int rc;
  /* the training set: the full table, or a random split of train_size */
  li2_problem_params_default(&pp);
  pp.group = li2_args_string(a, gkey);
  pp.activation = li2_args_string(a, "activation");
  pp.fourier = 1;
  pp.seed = (unsigned long)li2_args_int(a, "seed");
  pp.data = LI2_PROBLEM_DATA_FULL;
  if (li2_args_int(a, "train_size") > 0) {
    pp.data = LI2_PROBLEM_DATA_SPLIT;
    pp.split.train_size = li2_args_int(a, "train_size");
  }
  if ((rc = li2_problem_setup(&P, &pp, err))) {
    if (!P.g)
      li2_error_prefix(err, "parameter %s: ", gkey);
    goto done;
  }
  g = P.g, ct = P.ct, f = P.f, d = P.d;
  snprintf(group_name, gsize, "%s", g->name);
  if (li2_args_has(a, "nodes") &&
      (rc = li2_gradient_nodes_parse(li2_args_string(a, "nodes"), "nodes",
                                     li2_fourier_ncomponents(f), &comp, &ns, err)))
    goto done;
  if (fresh + ns == 0) {
    rc = li2_error_set(err, LI2_EINVAL, "parameter fresh: no nodes (give nodes=... or fresh=N > 0)");
    goto done;
  }
  if (!(m = li2_lazy_model_alloc(g, f, P.act, fresh, li2_args_double(a, "fresh_scale"), comp, ns,
                                 (unsigned long)li2_args_int(a, "seed"), err)) ||
      !(A = li2_lazy_alloc(m, d->ntrain, err))) {
    rc = err->code;
    goto done;
  }
  if (!(res->g = malloc(neta * sizeof *res->g))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_lazy_set(A, d->train_x, d->train_y, err)) ||
      (rc = li2_lazy_check_sweep(A, -1, eta, neta, res->g, err)))
    goto done;
  res->ng = neta;
  /* top-down modulation (doc/mathematics.md section 5): S grows node by node */
  if (ns > 0)
    rc = li2_lazy_modulation_compute(A, f, ct, fresh, comp, ns, eta, neta, &res->mod, &prog,
                                     err);
done:
  li2_lazy_free(A);
  free(comp);
  li2_model_free(m);
  li2_problem_free(&P);
  return rc;
}

/* ---- output ---- */

static long last_epoch(const results *r)
{
  long e = r->nmetrics ? r->metrics[r->nmetrics - 1].epoch : 0;
  if (r->npts && r->pts[r->npts - 1].epoch > e)
    e = r->pts[r->npts - 1].epoch;
  return e;
}

/* The accuracies for the grokking plot (copied: scripts read their own
 * directory only). */
static int write_grokking_tsv(const char *dir, const results *r, li2_error *err)
{
  li2_io_file f;
  int rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, "grokking.tsv", err)))
    return rc;
  fputs("epoch\ttrain_acc\ttest_acc\n", f.fp);
  for (size_t i = 0; i < r->nmetrics; i++) {
    const li2_stages_metric *m = &r->metrics[i];
    fprintf(f.fp, "%ld\t%.17g\t", m->epoch, m->train_acc);
    if (isnan(m->test_acc))
      fputs("-\n", f.fp);
    else
      fprintf(f.fp, "%.17g\n", m->test_acc);
  }
  return li2_io_commit(&f, err);
}

static void maybe_plot(const li2_args *a, const char *dir, const char *base)
{
  if (!li2_args_bool(a, "plot"))
    return;
  char *gp = li2_plot_gnuplot_path();
  li2_error perr = {0};
  if (gp && li2_plot_run(dir, base, &perr))
    fprintf(stderr, "li2 gradient: warning: %s\n", perr.msg);
  free(gp);
}

/* The script BASE.gp from TEMPLATE, and the figure when plot=true. */
static int draw(const li2_args *a, const char *dir, const char *base, const char *tmpl,
                const li2_plot_var *v, size_t nv, li2_error *err)
{
  int rc = li2_plot_write_script(dir, base, tmpl, v, nv, err);
  if (!rc)
    maybe_plot(a, dir, base);
  return rc;
}

static int write_plots(const li2_args *a, const char *dir, const results *r, li2_error *err)
{
  int rc;
  int several_eta = 0;
  for (size_t i = 1; i < r->ng; i++)
    several_eta |= r->g[i].eta != r->g[0].eta;
  if (several_eta) {
    /* one curve per checkpoint epoch (at most 8), or one for built features */
    char dist[8192], share[8192];
    size_t ld = 0, ls = 0, ncurves = 0;
    for (size_t i = 0; i < r->ng && ncurves < 8; i++) {
      char title[64];
      int seen = 0;
      for (size_t q = 0; q < i; q++)
        seen |= r->g[q].epoch == r->g[i].epoch;
      if (seen)
        continue;
      ncurves++;
      if (r->g[i].epoch >= 0)
        snprintf(title, sizeof title, "epoch %ld", r->g[i].epoch);
      else
        snprintf(title, sizeof title, "built features");
      for (int col = 3; col <= 4; col++) {
        char usecol[96];
        char *buf = col == 3 ? dist : share;
        size_t *len = col == 3 ? &ld : &ls;
        /* checkpoints: the rows of this epoch; built features: all rows */
        if (r->g[i].epoch >= 0)
          snprintf(usecol, sizeof usecol, "(strcol(1) eq \"%ld\" ? $%d : NaN)", r->g[i].epoch,
                   col);
        else
          snprintf(usecol, sizeof usecol, "%d", col);
        /* one legend, above the distance panel */
        *len += (size_t)snprintf(buf + *len, sizeof dist - *len,
                                 "%s\"independence.tsv\" using 2:%s skip 1 with linespoints "
                                 "lt %zu %s%s%s", *len ? ", " : "", usecol, ncurves,
                                 col == 3 ? "title \"" : "notitle", col == 3 ? title : "",
                                 col == 3 ? "\"" : "");
      }
    }
    li2_plot_var v[] = {{"DATA", "independence.tsv"}, {"DIST_PLOT", dist}, {"SHARE_PLOT", share},
                        {"HEIGHT", "3.2in"}};
    if ((rc = draw(a, dir, "independence", "gradient-independence", v, 4, err)))
      return rc;
  }
  if (r->mod.nrows) {
    char eta[64], base[64];
    snprintf(eta, sizeof eta, "%.17g", r->mod.rows[0].eta);
    snprintf(base, sizeof base, "%.6g", r->mod.baseline);
    li2_plot_var v[] = {{"DATA", "modulation.tsv"}, {"ETA", eta}, {"BASELINE", base}};
    if ((rc = draw(a, dir, "modulation", "gradient-modulation", v, 3, err)))
      return rc;
  }
  if (r->have_stages) {
    /* shaded stages as li2 plot draws them, in both panels */
    char rects[2048], xrange[64];
    double x0[3], x1[3];
    const char *name[3];
    long last = last_epoch(r);
    for (int s = 0; s < 3; s++) {
      x0[s] = r->stages[s].start >= 0 ? (double)r->stages[s].start : NAN;
      x1[s] = r->stages[s].end >= 0 ? (double)r->stages[s].end : NAN;
      name[s] = li2_stages_name(s + 1);
    }
    li2_plot_stages(rects, sizeof rects, x0, x1, name, 3, 0, (double)last, 0, LI2_PLOT_PAPER);
    /* both panels over the whole run, so the shading lines up */
    snprintf(xrange, sizeof xrange, "0:%ld", last > 0 ? last : 1);
    li2_plot_var v[] = {{"ACC", "grokking.tsv"}, {"MEASURES", "stage-measures.tsv"},
                        {"STAGES", rects}, {"HEIGHT", "3.2in"}, {"XRANGE", xrange}};
    return draw(a, dir, "grokking-stages", "grokking-stages", v, 5, err);
  }
  return LI2_SUCCESS;
}

/* ---- JSON summary: arrays of row structs described by tables ---- */

typedef enum { J_NUM, J_LONG, J_SIZE, J_EPOCH } jtype;

typedef struct {
  const char *key;
  jtype type;
  size_t off;              /* of the value in the row struct */
} jfield;

/* An epoch, null when unknown (built features) or open (stages). */
static void json_member_epoch(li2_json_writer *w, const char *key, long e)
{
  li2_json_key(w, key);
  if (e >= 0)
    li2_json_int(w, e);
  else
    li2_json_null(w);
}

static void json_row(li2_json_writer *w, const void *row, const jfield *f, size_t nf)
{
  li2_json_object_begin(w);
  for (size_t i = 0; i < nf; i++) {
    const char *p = (const char *)row + f[i].off;
    if (f[i].type == J_EPOCH) {
      json_member_epoch(w, f[i].key, *(const long *)p);
      continue;
    }
    li2_json_key(w, f[i].key);
    if (f[i].type == J_NUM)
      li2_json_number(w, *(const double *)p);
    else if (f[i].type == J_SIZE)
      li2_json_int(w, (long)*(const size_t *)p);
    else
      li2_json_int(w, *(const long *)p);
  }
  li2_json_object_end(w);
}

static void json_rows(li2_json_writer *w, const char *key, const void *rows, size_t n,
                      size_t size, const jfield *f, size_t nf)
{
  li2_json_key(w, key);
  li2_json_array_begin(w);
  for (size_t i = 0; i < n; i++)
    json_row(w, (const char *)rows + i * size, f, nf);
  li2_json_array_end(w);
}

#define NF(t) (sizeof(t) / sizeof *(t))
#define CK(k, ty, m) {k, ty, offsetof(li2_lazy_checkpoint, m)}
#define GR(k, ty, m) {k, ty, offsetof(li2_lazy_check, m)}
#define MR(k, m) {k, J_NUM, offsetof(li2_lazy_modulation_row, m)}

static const jfield ckpt_fields[] = {
  CK("epoch", J_LONG, epoch), CK("n", J_SIZE, n), CK("K", J_SIZE, K),
  CK("trainer_eta", J_NUM, trainer.eta), CK("trainer_loss", J_NUM, trainer.loss),
  CK("trainer_gf_rel_diff", J_NUM, trainer.gf_rel), CK("trainer_v_rel_diff", J_NUM, trainer.v_rel),
};
static const jfield grad_fields[] = {
  GR("epoch", J_EPOCH, epoch), GR("eta", J_NUM, eta), GR("closed_form_rel_error", J_NUM, cf_rel),
  GR("residual_rel_error", J_NUM, r_rel), GR("gf_norm", J_NUM, gf_norm),
  GR("residual_norm", J_NUM, r_norm), GR("lazy_loss", J_NUM, lazy_loss),
};
static const jfield indep_fields[] = {
  GR("epoch", J_EPOCH, epoch), GR("eta", J_NUM, eta), GR("rel_distance", J_NUM, rel_distance),
  GR("own_share", J_NUM, own_share),
};
/* modulation_summary: the last row at the full S, then the one at step 0 */
static const jfield mod_last_fields[] = {
  MR("eta", eta), MR("residual_inside", resid_in), MR("fresh_inside", fresh_in),
};
static const jfield mod_base_fields[] = {
  MR("baseline_residual_inside", resid_in), MR("baseline_fresh_inside", fresh_in),
};

static void json_member_number(li2_json_writer *w, const char *key, double x)
{
  li2_json_key(w, key);
  li2_json_number(w, x);
}

/* The fields of a table as members of the open object (a row without
 * its braces); NaN for every number when ROW is NULL. */
static void json_members(li2_json_writer *w, const void *row, const jfield *f, size_t nf)
{
  for (size_t i = 0; i < nf; i++)
    json_member_number(w, f[i].key, row ? *(const double *)((const char *)row + f[i].off) : NAN);
}

static void json_modulation(li2_json_writer *w, const li2_lazy_modulation *mod)
{
  const li2_lazy_modulation_row *base, *last;
  /* per component at the final S, first eta */
  li2_lazy_modulation_ends(mod, 0, &base, &last);
  json_member_number(w, "modulation_eta", last->eta);
  li2_json_key(w, "modulation");
  li2_json_array_begin(w);
  for (size_t c = 1; c < mod->ncomponents; c++) {
    li2_json_object_begin(w);
    li2_json_key(w, "component");
    li2_json_int(w, (long)c);
    li2_json_key(w, "inside");
    li2_json_bool(w, mod->inside[c]);
    json_member_number(w, "share", last->resid[c]);
    json_member_number(w, "fresh_share", last->fresh[c]);
    li2_json_object_end(w);
  }
  li2_json_array_end(w);
  li2_json_key(w, "modulation_summary");
  li2_json_array_begin(w);
  for (size_t i = 0; i < mod->nrows;) {
    i = li2_lazy_modulation_ends(mod, i, &base, &last);
    li2_json_object_begin(w);
    json_members(w, last, mod_last_fields, NF(mod_last_fields));
    json_members(w, base, mod_base_fields, NF(mod_base_fields));
    json_member_number(w, "predicted_baseline", mod->baseline);
    li2_json_object_end(w);
  }
  li2_json_array_end(w);
}

static void json_stages(li2_json_writer *w, const li2_stage st[3])
{
  li2_json_key(w, "stages");
  li2_json_array_begin(w);
  for (int s = 0; s < 3; s++) {
    li2_json_object_begin(w);
    li2_json_key(w, "stage");
    li2_json_string(w, li2_stages_name(s + 1));
    json_member_epoch(w, "start_epoch", st[s].start);
    json_member_epoch(w, "end_epoch", st[s].end);
    li2_json_key(w, "criterion");
    li2_json_string(w, st[s].criterion);
    li2_json_object_end(w);
  }
  li2_json_array_end(w);
}

static void print_json(const results *r, const char *source, const char *group)
{
  li2_json_writer w;
  double cf = 0, rr = 0;
  for (size_t i = 0; i < r->ng; i++) {
    cf = fmax(cf, r->g[i].cf_rel);
    rr = fmax(rr, r->g[i].r_rel);
  }
  li2_json_writer_init(&w, stdout, 1);
  li2_json_object_begin(&w);
  li2_json_key(&w, "source");
  li2_json_string(&w, source);
  li2_json_key(&w, "group");
  li2_json_string(&w, group);
  json_member_number(&w, "closed_form_rel_error", r->ng ? cf : NAN);
  json_member_number(&w, "residual_rel_error", r->ng ? rr : NAN);
  if (r->nc_rows)
    json_rows(&w, "checkpoints", r->c, r->nc_rows, sizeof *r->c, ckpt_fields, NF(ckpt_fields));
  json_rows(&w, "gradient", r->g, r->ng, sizeof *r->g, grad_fields, NF(grad_fields));
  json_rows(&w, "independence", r->g, r->ng, sizeof *r->g, indep_fields, NF(indep_fields));
  if (r->mod.nrows)
    json_modulation(&w, &r->mod);
  if (r->have_stages)
    json_stages(&w, r->stages);
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
}

static void print_text(const results *r, const char *source, const char *group)
{
  const li2_lazy_modulation *mod = &r->mod;
  double cf = 0;
  for (size_t i = 0; i < r->ng; i++)
    cf = fmax(cf, r->g[i].cf_rel);
  printf("source\t%s\ngroup\t%s\n", source, group);
  if (r->ng)
    printf("closed_form_rel_error\t%.3e\n", cf);
  for (size_t i = 0; i < r->nc_rows; i++)
    printf("checkpoint\tepoch %ld\ttrainer_eta %.6g\ttrainer_gf_rel_diff %.4g\ttrainer_v_rel_diff %.4g\n",
           r->c[i].epoch, r->c[i].trainer.eta, r->c[i].trainer.gf_rel, r->c[i].trainer.v_rel);
  printf("epoch\teta\tclosed_form_rel_error\trel_distance\town_share\n");
  for (size_t i = 0; i < r->ng; i++) {
    const li2_lazy_check *g = &r->g[i];
    li2_stages_epoch_print(stdout, g->epoch);
    printf("\t%.6g\t%.3e\t%.6g\t%.6g\n", g->eta, g->cf_rel, g->rel_distance, g->own_share);
  }
  if (mod->nrows) {
    printf("modulation\teta\tstep\tresidual_inside\tfresh_inside\n");
    for (size_t i = 0; i < mod->nrows; i++)
      printf("modulation\t%.6g\t%zu\t%.6f\t%.6f\n", mod->rows[i].eta, mod->rows[i].step,
             mod->rows[i].resid_in, mod->rows[i].fresh_in);
    printf("predicted_baseline\t%.6f\n", mod->baseline);
  }
  if (r->have_stages)
    for (int s = 0; s < 3; s++) {
      const li2_stage *st = &r->stages[s];
      printf("stage %s\t", li2_stages_name(s + 1));
      li2_stages_epoch_print(stdout, st->start);
      putchar('\t');
      li2_stages_epoch_print(stdout, st->end);
      printf("\t%s\n", st->criterion);
    }
}

static const char *const run_only[] = {"epoch", "stages", NULL};
static const char *const built_only[] = {"nodes", "fresh", "fresh_scale", "activation",
                                         "train_size", "seed", NULL};

static int run(const li2_args *a, li2_error *err)
{
  results res;
  double *eta = NULL;
  size_t neta = 0;
  const char *out = li2_args_has(a, "out") ? li2_args_string(a, "out") : NULL;
  const char *dir = li2_args_has(a, "run") ? li2_args_string(a, "run") : NULL;
  char group[1024] = "", source[1100];
  int rc;
  memset(&res, 0, sizeof res);
  li2_process_set_threads((int)li2_args_int(a, "threads"));
  /* one source of features, and no parameter of the other */
  if (!dir && !li2_args_has(a, "group") && !li2_args_has(a, "M"))
    return li2_error_set(err, LI2_EINVAL,
                         "parameter run: give run=DIR (checkpoints) or group=G nodes=... "
                         "(built features)");
  if (dir && (li2_args_has(a, "group") || li2_args_has(a, "M")))
    return li2_error_set(err, LI2_EINVAL, "parameter %s: not with run=DIR (the run names its group)",
                         li2_args_has(a, "group") ? "group" : "M");
  for (const char *const *k = dir ? built_only : run_only; *k; k++)
    if (li2_args_given(a, *k))
      return li2_error_set(err, LI2_EINVAL, "parameter %s: only for %s", *k,
                           dir ? "built features (group=G)" : "runs (run=DIR)");
  if (li2_args_has(a, "eta") &&
      (rc = li2_gradient_eta_parse(li2_args_string(a, "eta"), "eta", &eta, &neta, err)))
    return rc;
  if (dir) {
    snprintf(source, sizeof source, "run %s", dir);
    if ((rc = run_checkpoints(a, dir, eta, neta, &res, group, sizeof group, err)))
      goto done;
    if (li2_args_bool(a, "stages") && (rc = run_stages(a, dir, &res, err)))
      goto done;
  } else {
    static const double eta_default = 1e-3;
    snprintf(source, sizeof source, "features");
    if ((rc = run_built(a, neta ? eta : &eta_default, neta ? neta : 1, &res, group,
                        sizeof group, err)))
      goto done;
  }
  /* out=DIR is created once the results exist: a refused parameter or
   * run leaves no directory behind (issue 15, defect 11) */
  if (out) {
    if ((rc = li2_io_mkdir(out, err)) || (rc = li2_lazy_checks_write(out, res.g, res.ng, err)) ||
        (res.mod.nrows && (rc = li2_lazy_modulation_write(out, &res.mod, err))) ||
        (res.have_stages && ((rc = li2_stages_write(out, res.stages, res.pts, res.npts, err)) ||
                             (rc = write_grokking_tsv(out, &res, err)))) ||
        (rc = write_plots(a, out, &res, err)))
      goto done;
  }
  if (li2_args_bool(a, "json"))
    print_json(&res, source, group);
  else
    print_text(&res, source, group);
  rc = LI2_SUCCESS;
done:
  results_free(&res);
  free(eta);
  return rc;
}

const li2_command li2_command_gradient = {
  "gradient",
  "G_F of the lazy stage: closed form vs backprop, independence, modulation, stages",
  "run=DIR [epoch=N,...] | group=G [nodes=1,2,3x6] [fresh=N] [eta=1e-6:1e2:log:25] [out=DIR] [--json]\n\n"
  "G_F = -dL/dF of the lazy-stage loss L(F, V) = 1/2 |P(Y - F V)|^2 + eta/2 |V|^2 (P centres\n"
  "over samples, doc/mathematics.md section 2) at the ridge optimum V*: by the chain rule through the\n"
  "network's top layer with V = V* (\"backprop\"), against the closed form\n"
  "eta (F~F~^T + eta I)^-1 Y~Y~^T F~ (F~^T F~ + eta I)^-1, which never forms V*.  Features: a\n"
  "checkpoint's hidden layer on its training split, or nodes built from components (exact\n"
  "Fourier features with random phases; for non-cyclic groups normalised projections) plus\n"
  "fresh small random nodes.  For checkpoints eta defaults to n*weight_decay/2, the ridge\n"
  "equivalent of the trainer's mean-over-samples MSE with L2 weight decay.  Independence:\n"
  "distance of G_F from (1/eta) Y~Y~^T F~ and each column's share explained by its own node.\n"
  "Modulation: label-space power (Y~^T R, Y~^T G_F of the fresh nodes) per component inside\n"
  "and outside S as S grows node by node.  Stages (run=DIR): I ends when train accuracy\n"
  "reaches fit_acc, II when pure_nodes active nodes are pure, III when coverage of the\n"
  "nontrivial components is complete and test accuracy is on its plateau (li2(1)).",
  spec, run,
};
