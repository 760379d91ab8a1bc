/* The figures of a sweep: the phase diagram (sweep.tsv or results.tsv, the
 * fit by phase.h) and the mean curves of its settings (results.tsv and each
 * point's metrics.tsv) (see figures.h; shared helpers in figures_impl.h). */
#define _POSIX_C_SOURCE 200809L
#include "figures.h"
#include "figures_impl.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "json.h"
#include "phase.h"
#include "sweep.h"
#include "table.h"

/* ------------------------------------------------------------------ */
/* phase diagram: sweep.tsv, or a sweep's results.tsv                   */

static int curves_keys(const char *in, char keys[][64], size_t *n, size_t *npoints,
                       li2_error *err);

/* Whether the sweep IN varies the training split (train_fraction,
 * train_size or test_size) and the group (M or group): the axes of a
 * phase diagram.  Any other training sweep (optimisers, seeds) has none. */
static int sweeps_phase_axes(const char *in, int *yes, li2_error *err)
{
  char keys[8][64];
  size_t nk = 0, npoints = 0;
  int split = 0, group = 0, rc = curves_keys(in, keys, &nk, &npoints, err);
  for (size_t k = 0; k < nk; k++) {
    split |= !strcmp(keys[k], "train_fraction") || !strcmp(keys[k], "train_size") ||
             !strcmp(keys[k], "test_size");
    group |= !strcmp(keys[k], "M") || !strcmp(keys[k], "group");
  }
  *yes = split && group;
  return rc;
}

int li2_figures_draw_phase(fig_ctx *F, const char *in, li2_error *err)
{
  char *path = li2_figures_find(in, "sweep.tsv");
  int from_sweep = path != NULL;
  li2_table t;
  li2_io_file f;
  int rc, cm, cp, ca;
  double *M = NULL, *P = NULL, *A = NULL, mmin = INFINITY, mmax = -INFINITY;
  li2_phase_diagram d;
  memset(&d, 0, sizeof d);
  if (!path && !(path = li2_figures_find(in, "results.tsv")))
    return LI2_SUCCESS;
  if (!from_sweep) {
    int axes = 0;
    if ((rc = sweeps_phase_axes(in, &axes, err)) || !axes) {
      free(path);
      return rc;
    }
  }
  rc = li2_table_read(path, &t, err);
  if (rc) {
    free(path);
    return rc;
  }
  cm = li2_table_col(&t, "M");
  cp = li2_table_col(&t, "train_fraction");
  ca = li2_table_col(&t, "test_acc");
  if (cm < 0 || cp < 0 || ca < 0) {
    /* a sweep over other parameters has no phase diagram */
    rc = from_sweep ? li2_error_set(err, LI2_EFORMAT, "%s: needs the columns M, train_fraction, "
                                                      "test_acc", path)
                    : LI2_SUCCESS;
    free(path);
    li2_table_free(&t);
    return rc;
  }
  free(path);
  M = malloc((t.nrows + 1) * sizeof *M);
  P = malloc((t.nrows + 1) * sizeof *P);
  A = malloc((t.nrows + 1) * sizeof *A);
  if (!M || !P || !A) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < t.nrows; i++) {
    M[i] = li2_table_num(&t, i, cm);
    P[i] = li2_table_num(&t, i, cp);
    A[i] = li2_table_num(&t, i, ca);
  }
  /* the grid, the boundaries and c (phase.h): computed, then drawn */
  if ((rc = li2_phase_diagram_compute(M, P, A, t.nrows, LI2_PHASE_THRESHOLD,
                                      LI2_PHASE_CONFIDENCE, &d, err)) || d.ncells == 0)
    goto done;
  for (size_t k = 0; k < d.ncells; k++) {
    mmin = fmin(mmin, d.cells[k].M);
    mmax = fmax(mmax, d.cells[k].M);
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "phase.dat", err)))
    goto done;
  fprintf(f.fp, "# M\ttrain_fraction\tmean_test_acc\truns\n");
  for (size_t k = 0; k < d.ncells; k++)
    fprintf(f.fp, "%.10g\t%.10g\t%.6g\t%zu\n", d.cells[k].M, d.cells[k].p, d.cells[k].acc,
            d.cells[k].runs);
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  if ((rc = li2_phase_diagram_write(F->out, &d, err)))
    goto done;
  {
    char xr[64], fitplot[512];
    double pad = 0.05 * fmax(mmax - mmin, 1);
    snprintf(xr, sizeof xr, "%.6g:%.6g", fmax(mmin - pad, 1.5), mmax + pad);
    if (d.fit.n > 0 && d.fit.n >= 2)
      snprintf(fitplot, sizeof fitplot,
               ", \\\n     %.6g * log(x) / x with lines lt 1 lw 2 title \"fit c = %.3g [%.3g, %.3g]\"",
               d.fit.c, d.fit.c, d.fit.c_low, d.fit.c_high);
    else if (d.fit.n > 0)
      snprintf(fitplot, sizeof fitplot,
               ", \\\n     %.6g * log(x) / x with lines lt 1 lw 2 title \"fit c = %.3g\"", d.fit.c,
               d.fit.c);
    else
      fitplot[0] = 0;
    li2_plot_var v[] = {{"DATA", "phase.dat"}, {"XRANGE", xr}, {"BOUNDARY", "phase-boundary.dat"},
                        {"FIT_PLOT", fitplot}};
    rc = li2_figures_emit(F, "phase", "phase", v, 4, 0, 2.4, err);
  }
done:
  free(M);
  free(P);
  free(A);
  li2_phase_diagram_free(&d);
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* curves: a sweep's runs grouped by the swept keys other than seed      */

#define CURVES_MAX 24

/* The swept keys (manifest.json) with more than one value, seed excluded;
 * *NPOINTS the sweep's point count, 0 when IN is not a training sweep. */
static int curves_keys(const char *in, char keys[][64], size_t *n, size_t *npoints,
                       li2_error *err)
{
  char *path = li2_io_path(in, "manifest.json"), *text = NULL;
  size_t len;
  li2_json *j = NULL;
  int rc = LI2_SUCCESS;
  *n = 0;
  *npoints = 0;
  if (!path || !li2_io_is_file(path)) {
    free(path);
    return LI2_SUCCESS;
  }
  if ((rc = li2_io_read_file(path, &text, &len, err)) || !(j = li2_json_parse(text, len, err))) {
    rc = rc ? rc : LI2_EFORMAT;
    goto done;
  }
  const li2_json *pts = li2_json_get(j, "points"), *ks = li2_json_get(j, "keys");
  const li2_json *cmd = li2_json_get(j, "command");
  if (!pts || pts->type != LI2_JSON_NUMBER || !ks || ks->type != LI2_JSON_ARRAY || !cmd ||
      cmd->type != LI2_JSON_STRING || strcmp(cmd->string, "train"))
    goto done;  /* not a training sweep: no curves */
  if (!(pts->number >= 0 && pts->number <= LI2_SWEEP_MAX_POINTS &&
        pts->number == floor(pts->number)))
    goto done;  /* not a count li2 sweep writes (a cast would be undefined) */
  *npoints = (size_t)pts->number;
  for (size_t i = 0; i < ks->n && *n < 8; i++) {
    const li2_json *k = li2_json_get(&ks->item[i], "key"), *v = li2_json_get(&ks->item[i], "values");
    if (k && k->type == LI2_JSON_STRING && v && v->type == LI2_JSON_ARRAY && v->n > 1 &&
        strcmp(k->string, "seed") && strlen(k->string) < 64)
      snprintf(keys[(*n)++], 64, "%s", k->string);
  }
done:
  if (rc)
    li2_error_prefix(err, "%s: ", path);
  li2_json_free(j);
  free(text);
  free(path);
  return rc;
}

/* Mean test accuracy and test loss over each group's runs against epoch
 * (the epochs the runs share: the shortest metrics.tsv of the group),
 * e.g. Adam against Muon (Fig. 8) or V(0) = 0 against the default
 * initialisation (Figs 14-16) over seeds. */
int li2_figures_draw_curves(fig_ctx *F, const char *in, li2_error *err)
{
  char keys[8][64], label[CURVES_MAX][160];
  size_t nk = 0, npoints = 0, ng = 0;
  li2_table t;
  int rc, found, cp, ck[8];
  if ((rc = curves_keys(in, keys, &nk, &npoints, err)) || npoints == 0)
    return rc;
  if ((rc = li2_figures_table_find(in, "results.tsv", &t, &found, err)) || !found)
    return rc;
  cp = li2_table_col(&t, "point");
  for (size_t k = 0; k < nk; k++)
    ck[k] = li2_table_col(&t, keys[k]);
  size_t *group = malloc((t.nrows + 1) * sizeof *group);
  double *ep = NULL, *sum = NULL;  /* [group][row][2] */
  size_t *rows = NULL, *runs = NULL, maxrows = 0;
  li2_io_file f;
  sbuf acc = {0}, loss = {0};
  if (!group) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < t.nrows; i++) {
    char l[160] = "all runs";
    size_t len = 0;
    for (size_t k = 0; k < nk; k++)
      len += (size_t)snprintf(l + len, len < sizeof l ? sizeof l - len : 0, "%s%s=%s",
                              k ? " " : "", keys[k], li2_table_str(&t, i, ck[k]));
    size_t g = 0;
    while (g < ng && strcmp(label[g], l))
      g++;
    if (g == ng) {
      if (ng == CURVES_MAX)
        break;
      snprintf(label[ng++], sizeof label[0], "%s", l);
    }
    group[i] = g;
  }
  /* first pass: the rows each group shares */
  rows = calloc(ng, sizeof *rows);
  runs = calloc(ng, sizeof *runs);
  if (!rows || !runs) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < t.nrows; i++) {
      if (group[i] >= ng)
        continue;
      double pt = li2_table_num(&t, i, cp);
      char *dir = pt >= 0 && pt < (double)npoints ? li2_sweep_point_path(in, npoints, (size_t)pt)
                                                  : NULL;
      li2_table m;
      int mf = 0;
      if (!dir) {
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        goto done;
      }
      rc = li2_figures_table_find(dir, "metrics.tsv", &m, &mf, err);
      free(dir);
      if (rc)
        goto done;
      if (!mf)
        continue;
      int ce = li2_table_col(&m, "epoch"), ca = li2_table_col(&m, "test_acc"), cl = li2_table_col(&m, "test_loss");
      size_t g = group[i];
      if (ce >= 0 && ca >= 0 && cl >= 0) {
        if (pass == 0) {
          rows[g] = runs[g]++ ? (m.nrows < rows[g] ? m.nrows : rows[g]) : m.nrows;
        } else {
          for (size_t r = 0; r < rows[g]; r++) {
            double *s2 = sum + (g * maxrows + r) * 2;
            ep[g * maxrows + r] = li2_table_num(&m, r, ce);
            s2[0] += li2_table_num(&m, r, ca) / (double)runs[g];
            s2[1] += li2_table_num(&m, r, cl) / (double)runs[g];
          }
        }
      }
      li2_table_free(&m);
    }
    if (pass == 0) {
      for (size_t g = 0; g < ng; g++)
        maxrows = rows[g] > maxrows ? rows[g] : maxrows;
      if (maxrows < 2)
        goto done;  /* nothing to draw */
      ep = calloc(ng * maxrows, sizeof *ep);
      sum = calloc(ng * maxrows * 2, sizeof *sum);
      if (!ep || !sum) {
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        goto done;
      }
    }
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "curves.dat", err)))
    goto done;
  for (size_t g = 0; g < ng; g++) {
    fprintf(f.fp, "%s# %s (%zu runs)\n# epoch\ttest_acc\ttest_loss\n", g ? "\n\n" : "", label[g],
            runs[g]);
    for (size_t r = 0; r < rows[g]; r++)
      fprintf(f.fp, "%.10g\t%.10g\t%.10g\n", ep[g * maxrows + r], sum[(g * maxrows + r) * 2],
              sum[(g * maxrows + r) * 2 + 1]);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  for (size_t g = 0; g < ng; g++) {
    /* labels come from data (results.tsv): quoted by li2_plot_quote, '_'
     * shown as a space (outside its character set), else a plain name */
    char q[200], t2[160];
    snprintf(t2, sizeof t2, "%s", label[g]);
    for (char *c = t2; *c; c++)
      if (*c == '_')
        *c = ' ';
    if (li2_plot_quote(t2, q, sizeof q))
      snprintf(q, sizeof q, "'setting %zu'", g + 1);
    li2_figures_sb_printf(&acc, "%s\"curves.dat\" index %zu using 1:2 with lines lt %zu title %s",
              g ? ", \\\n     " : "plot ", g, g + 1,
              q);
    li2_figures_sb_printf(&loss, "%s\"curves.dat\" index %zu using 1:3 with lines lt %zu notitle",
              g ? ", \\\n     " : "plot ", g, g + 1);
  }
  if (acc.oom || loss.oom) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  {
    /* the grokking template: accuracy above, loss below */
    li2_plot_var v[] = {{"DATA", "curves.dat"}, {"XSCALE", "set xrange [0:*]"},
                        {"XFORMAT", "\"%g\""}, {"STAGES", ""}, {"ACC_PLOT", li2_figures_sb_str(&acc)},
                        {"LOSS_PLOT", li2_figures_sb_str(&loss)}};
    rc = li2_figures_emit(F, "curves", "grokking", v, 6, 0, 3.0, err);
  }
done:
  li2_table_free(&t);
  free(acc.s);
  free(loss.s);
  free(group);
  free(rows);
  free(runs);
  free(ep);
  free(sum);
  return rc;
}

