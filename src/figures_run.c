/* The figures of one run's training: grokking (metrics.tsv), emergence
 * (emergence.tsv), progress measures (progress.tsv) and the Stage I
 * statistics (metrics.tsv with stage1_stats) (see figures.h; shared helpers in figures_impl.h). */
#define _POSIX_C_SOURCE 200809L
#include "figures.h"
#include "figures_impl.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "table.h"

/* ------------------------------------------------------------------ */
/* grokking: metrics.tsv                                                */

int li2_figures_draw_grokking(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  sbuf stages = {0}, xs = {0};
  double xmin = INFINITY, xmax = -INFINITY;
  static const char *const need[] = {"epoch", "train_acc"};
  int rc, found, c[2], ce, ctr, cte, clr, cle, logx, have_test = 0, have_loss = 0;
  if ((rc = li2_figures_table_need(F, in, "grokking", "metrics.tsv", need, c, 2, 2, &t, &found,
                                    err)) || !found)
    return rc;
  ce = c[0];
  ctr = c[1];
  cte = li2_table_col(&t, "test_acc");
  clr = li2_table_col(&t, "train_loss");
  cle = li2_table_col(&t, "test_loss");
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce);
    if (e > 0)
      xmin = fmin(xmin, e);
    xmax = fmax(xmax, e);
    have_test |= !isnan(li2_table_num(&t, i, cte));
    have_loss |= li2_table_num(&t, i, clr) > 0;
  }
  /* a log axis when the run spans decades (fit early, generalise late) */
  logx = isfinite(xmin) && xmax / xmin >= 50;
  if ((rc = li2_io_open_atomic_in(&f, F->out, "grokking.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\ttrain_acc\ttest_acc\ttrain_loss\ttest_loss\n");
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce), v[4];
    if (isnan(e) || (logx && !(e > 0)))
      continue;
    v[0] = li2_table_num(&t, i, ctr);
    v[1] = li2_table_num(&t, i, cte);
    v[2] = li2_table_num(&t, i, clr);
    v[3] = li2_table_num(&t, i, cle);
    fprintf(f.fp, "%.10g", e);
    for (int k = 0; k < 4; k++)
      if (isnan(v[k]) || (k >= 2 && !(v[k] > 0)))
        fputs("\t-", f.fp);
      else
        fprintf(f.fp, "\t%.10g", v[k]);
    fputc('\n', f.fp);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  li2_figures_stage_objects(F, in, logx ? xmin : 0, xmax, logx, &stages);
  if (logx)
    li2_figures_sb_printf(&xs, "set logscale x\nset xrange [%.10g:%.10g]", xmin, xmax);
  else
    li2_figures_sb_printf(&xs, "set xrange [0:%.10g]", xmax);
  {
    sbuf acc = {0}, loss = {0};
    li2_figures_sb_printf(&acc, "plot \"grokking.dat\" using 1:2 with lines lt 1 title \"train\"");
    if (have_test)
      li2_figures_sb_printf(&acc, ", \\\n     \"grokking.dat\" using 1:3 with lines lt 2 title \"test\"");
    if (have_loss) {
      /* the accuracy panel's legend names both curves */
      li2_figures_sb_printf(&loss, "plot \"grokking.dat\" using 1:4 with lines lt 1 notitle");
      if (have_test)
        li2_figures_sb_printf(&loss, ", \\\n     \"grokking.dat\" using 1:5 with lines lt 2 notitle");
    } else {
      li2_figures_sb_printf(&loss, "unset logscale y\nplot NaN notitle");
    }
    if (stages.oom || xs.oom || acc.oom || loss.oom)
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    else {
      li2_plot_var v[] = {{"DATA", "grokking.dat"}, {"XSCALE", li2_figures_sb_str(&xs)},
                          {"XFORMAT", logx ? "\"10^{%L}\"" : "\"%g\""},
                          {"STAGES", li2_figures_sb_str(&stages)}, {"ACC_PLOT", li2_figures_sb_str(&acc)},
                          {"LOSS_PLOT", li2_figures_sb_str(&loss)}};
      rc = li2_figures_emit(F, "grokking", "grokking", v, 6, 0, 3.0, err);
    }
    free(acc.s);
    free(loss.s);
  }
done:
  free(stages.s);
  free(xs.s);
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* emergence: emergence.tsv                                             */

int li2_figures_draw_emergence(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  sbuf stages = {0};
  double xmax = 0;
  static const char *const need[] = {"epoch", "at_predicted_max_fraction", "covered", "missing"};
  int rc, found, c[4], ce, cf, cc, cm, ct;
  if ((rc = li2_figures_table_need(F, in, "emergence", "emergence.tsv", need, c, 4, 1, &t,
                                    &found, err)) || !found)
    return rc;
  ce = c[0];
  cf = c[1];
  cc = c[2];
  cm = c[3];
  ct = li2_table_col(&t, "test_acc");
  if ((rc = li2_io_open_atomic_in(&f, F->out, "emergence.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\tat_predicted_max_fraction\tcoverage\ttest_acc\n");
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce), fr = li2_table_num(&t, i, cf), cov = li2_table_num(&t, i, cc),
           mis = li2_table_num(&t, i, cm), ta = li2_table_num(&t, i, ct);
    xmax = fmax(xmax, e);
    fprintf(f.fp, "%.10g\t", e);
    if (isnan(fr))
      fputs("-\t", f.fp);
    else
      fprintf(f.fp, "%.6g\t", fr);
    fprintf(f.fp, "%.6g\t", cov + mis > 0 ? cov / (cov + mis) : 0);
    if (isnan(ta))
      fputs("-\n", f.fp);
    else
      fprintf(f.fp, "%.6g\n", ta);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  li2_figures_stage_objects(F, in, 0, xmax, 0, &stages);
  {
    int have_test = 0;
    char xr[64];
    for (size_t i = 0; i < t.nrows; i++)
      have_test |= !isnan(li2_table_num(&t, i, ct));
    snprintf(xr, sizeof xr, "%.10g", xmax > 0 ? xmax : 1);
    li2_plot_var v[] = {{"DATA", "emergence.dat"}, {"STAGES", li2_figures_sb_str(&stages)}, {"XMAX", xr},
                        {"TEST_PLOT", have_test ? ", \\\n     \"emergence.dat\" using 1:4 with "
                                                  "lines lt 2 dt 2 title \"test accuracy\""
                                                : ""}};
    rc = stages.oom ? li2_error_set(err, LI2_ENOMEM, "out of memory")
                    : li2_figures_emit(F, "emergence", "emergence", v, 4, 0, 2.2, err);
  }
done:
  free(stages.s);
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* progress measures: progress.tsv (li2 compare progress=true)          */

int li2_figures_draw_progress(fig_ctx *F, const char *in, li2_error *err)
{
  static const char *const cols[] = {"epoch", "train_loss", "test_loss", "restricted_test_loss",
                                     "excluded_train_loss", "gini", "key_share"};
  enum { NCOL = sizeof cols / sizeof cols[0] };
  li2_table t;
  li2_io_file f;
  double xmax = 0;
  int rc, found, c[NCOL];
  if ((rc = li2_figures_table_need(F, in, "progress", "progress.tsv", cols, c, NCOL, 1, &t,
                                    &found, err)) || !found)
    return rc;
  if ((rc = li2_io_open_atomic_in(&f, F->out, "progress.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\ttrain_loss\ttest_loss\trestricted_test_loss\texcluded_train_loss"
                "\tgini\tkey_share\n");
  for (size_t r = 0; r < t.nrows; r++) {
    for (int i = 0; i < NCOL; i++) {
      double x = li2_table_num(&t, r, c[i]);
      /* losses on a log axis: non-positive values are missing points */
      if (isnan(x) || (i >= 1 && i <= 4 && !(x > 0)))
        fputs(i ? "\t-" : "-", f.fp);
      else
        fprintf(f.fp, i ? "\t%.9g" : "%.10g", x);
    }
    fputc('\n', f.fp);
    xmax = fmax(xmax, li2_table_num(&t, r, c[0]));
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  {
    char xr[64];
    snprintf(xr, sizeof xr, "%.10g", xmax > 0 ? xmax : 1);
    li2_plot_var v[] = {{"DATA", "progress.dat"}, {"XMAX", xr}};
    rc = li2_figures_emit(F, "progress", "progress", v, 2, 0, 3.2, err);
  }
done:
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* stage1: metrics.tsv with li2 train's stage1_stats columns (Fig. 3)   */

int li2_figures_draw_stage1(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  double xmax = 0, rmax = 0.08;  /* the ratios' panel: data and the 0.08 line */
  char xm[32], rt[32];
  int rc, found, ce, cg, cfd, cfo, cpd, cpo, cw, cv;
  if ((rc = li2_figures_table_find(in, "metrics.tsv", &t, &found, err)) || !found)
    return rc;
  ce = li2_table_col(&t, "epoch");
  cg = li2_table_col(&t, "gf_norm");
  cfd = li2_table_col(&t, "ftf_diag");
  cfo = li2_table_col(&t, "ftf_offdiag");
  cpd = li2_table_col(&t, "pff_diag");
  cpo = li2_table_col(&t, "pff_offdiag");
  cw = li2_table_col(&t, "dw_cos");
  cv = li2_table_col(&t, "dv_cos");
  if (ce < 0 || cg < 0 || cfd < 0 || cfo < 0 || cpd < 0 || cpo < 0 || cw < 0 || cv < 0 ||
      t.nrows < 2) {
    li2_table_free(&t);
    return LI2_SUCCESS;
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "stage1.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\tgf_norm\tftf_ratio\tpff_ratio\tdw_cos\tdv_cos\n");
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce), v[5];
    if (isnan(e))
      continue;
    xmax = fmax(xmax, e);
    v[0] = li2_table_num(&t, i, cg);
    v[1] = li2_table_num(&t, i, cfo) / li2_table_num(&t, i, cfd);
    v[2] = li2_table_num(&t, i, cpo) / li2_table_num(&t, i, cpd);
    v[3] = li2_table_num(&t, i, cw);
    v[4] = li2_table_num(&t, i, cv);
    for (int k = 1; k <= 2; k++)
      if (isfinite(v[k]))
        rmax = fmax(rmax, v[k]);
    fprintf(f.fp, "%.10g", e);
    for (int k = 0; k < 5; k++)
      if (!(v[k] > 0) || !isfinite(v[k]))  /* log axes: no zeros, no NaN */
        fputs("\t-", f.fp);
      else
        fprintf(f.fp, "\t%.10g", v[k]);
    fputc('\n', f.fp);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  snprintf(xm, sizeof xm, "%.10g", xmax);
  snprintf(rt, sizeof rt, "%.6g", li2_figures_tick_step(rmax, 4));
  {
    li2_plot_var v[] = {{"DATA", "stage1.dat"}, {"XMAX", xm}, {"RATIO_TICS", rt}};
    rc = li2_figures_emit(F, "stage1", "stage1", v, 3, 0, 4.5, err);
  }
done:
  li2_table_free(&t);
  return rc;
}

