/* The figures of the learned features against the theory: power heatmaps
 * (power.tsv, power-EPOCH.tsv or checkpoints), the spectrum (spectrum.tsv),
 * the energy histogram (maxima.tsv, summary.tsv, compare.tsv), G_F against
 * eta (independence.tsv) and coverage (compare.json) (see figures.h; shared helpers in figures_impl.h). */
#define _POSIX_C_SOURCE 200809L
#include "figures.h"
#include "figures_impl.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "compare.h"
#include "io.h"
#include "json.h"
#include "table.h"

/* ------------------------------------------------------------------ */
/* power heatmaps: power.tsv, power-EPOCH.tsv, or checkpoints           */

typedef struct {
  long epoch;
  size_t nrows, ncomp;     /* active nodes, non-trivial components */
  double *share;           /* nrows x ncomp */
} panel;

static void panel_free(panel *p)
{
  free(p->share);
  memset(p, 0, sizeof *p);
}

/* Active rows of a power.tsv (li2_compare_write_power). */
static int panel_from_tsv(const char *path, long epoch, panel *pn, li2_error *err)
{
  li2_table t;
  int rc = li2_table_read(path, &t, err), ca, c1;
  memset(pn, 0, sizeof *pn);
  if (rc)
    return rc;
  ca = li2_table_col(&t, "active");
  c1 = li2_table_col(&t, "c1");
  pn->epoch = epoch;
  if (ca < 0 || c1 < 0) {
    li2_table_free(&t);
    return li2_error_set(err, LI2_EFORMAT, "%s: not a power table (columns active, c1, ...)", path);
  }
  pn->ncomp = t.ncols - (size_t)c1;
  if (!(pn->share = malloc((t.nrows ? t.nrows : 1) * pn->ncomp * sizeof *pn->share))) {
    li2_table_free(&t);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < t.nrows; i++) {
    if (!(li2_table_num(&t, i, ca) > 0))
      continue;
    for (size_t k = 0; k < pn->ncomp; k++) {
      double x = li2_table_num(&t, i, c1 + (int)k);
      pn->share[pn->nrows * pn->ncomp + k] = isnan(x) ? 0 : x;
    }
    pn->nrows++;
  }
  li2_table_free(&t);
  return LI2_SUCCESS;
}

/* Active nodes of a checkpoint, ordered as power.tsv (power only). */
static int panel_from_checkpoint(const char *path, panel *pn, li2_error *err)
{
  li2_compare_params cp;
  li2_compare_result *r = NULL;
  size_t *ord = NULL, nc;
  int rc;
  li2_compare_params_default(&cp);
  cp.maximise = 0;
  memset(pn, 0, sizeof *pn);
  if ((rc = li2_compare_checkpoint(path, &cp, &r, err)))
    return rc;
  nc = r->ncomponents - 1;
  pn->epoch = r->epoch;
  pn->ncomp = nc;
  /* one ordering rule and one share: power.tsv's (compare.h) */
  if (!(ord = malloc((r->K ? r->K : 1) * sizeof *ord)) ||
      !(pn->share = malloc((r->K ? r->K : 1) * (nc ? nc : 1) * sizeof *pn->share)))
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  else {
    li2_compare_power_order(r, ord);
    for (size_t i = 0; i < r->K; i++) {
      if (!(r->nodes[ord[i]].active > 0))
        continue;
      for (size_t k = 0; k < nc; k++)
        pn->share[pn->nrows * nc + k] = li2_compare_power_share(r, ord[i], k + 1);
      pn->nrows++;
    }
  }
  free(ord);
  li2_compare_result_free(r);
  return rc;
}

/* power-EPOCH.tsv files under IN (in power/ or IN itself). */
static size_t list_power_epochs(const char *in, long *epochs, size_t max)
{
  size_t n = 0;
  for (int s = 0; s < 2; s++) {
    char *d = s ? li2_io_path(in, "power") : strdup(in);
    DIR *dir = d ? opendir(d) : NULL;
    struct dirent *de;
    free(d);
    if (!dir)
      continue;
    while ((de = readdir(dir)) && n < max) {
      char *end;
      long e;
      if (strncmp(de->d_name, "power-", 6))
        continue;
      e = strtol(de->d_name + 6, &end, 10);
      if (end != de->d_name + 6 && !strcmp(end, ".tsv") && e >= 0)
        epochs[n++] = e;
    }
    closedir(dir);
  }
  /* sort, unique */
  for (size_t i = 1; i < n; i++)
    for (size_t k = i; k > 0 && epochs[k - 1] > epochs[k]; k--) {
      long t = epochs[k];
      epochs[k] = epochs[k - 1];
      epochs[k - 1] = t;
    }
  {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (!m || epochs[m - 1] != epochs[i])
        epochs[m++] = epochs[i];
    n = m;
  }
  return n;
}

/* Up to 4 epochs from the sorted AVAIL: first, last and two in between. */
static size_t pick_epochs(const long *avail, size_t n, long *out)
{
  size_t m = 0;
  if (n <= 4) {
    for (size_t i = 0; i < n; i++)
      out[m++] = avail[i];
    return m;
  }
  for (size_t q = 0; q < 4; q++) {
    size_t i = (q * (n - 1) + 1) / 3;
    if (!m || out[m - 1] != avail[i])
      out[m++] = avail[i];
  }
  return m;
}

static int load_panel(const char *in, long epoch, panel *pn, li2_error *err)
{
  char name[64], *path;
  int rc;
  snprintf(name, sizeof name, "power-%06ld.tsv", epoch);
  if ((path = li2_figures_find(in, name))) {
    rc = panel_from_tsv(path, epoch, pn, err);
    free(path);
    return rc;
  }
  {
    char *run = li2_figures_find_run(in);
    if (!run)
      return li2_error_set(err, LI2_EIO, "parameter epochs: no %s and no checkpoints under %s",
                           name, in);
    snprintf(name, sizeof name, "ckpt-%06ld.li2", epoch);
    path = li2_io_path(run, name);
    free(run);
    if (!path || !li2_io_is_file(path)) {
      rc = li2_error_set(err, LI2_EIO, "parameter epochs: epoch %ld: neither power-%06ld.tsv nor %s",
                         epoch, epoch, path ? path : name);
      free(path);
      return rc;
    }
    rc = panel_from_checkpoint(path, pn, err);
    free(path);
    return rc;
  }
}

int li2_figures_draw_power(fig_ctx *F, const char *in, li2_error *err)
{
  long avail[4096], ep[4];
  size_t na, np = 0;
  panel pn[4];
  li2_io_file f;
  sbuf panels = {0};
  int rc = LI2_SUCCESS;
  memset(pn, 0, sizeof pn);
  if (F->p->epochs && F->p->nepochs) {
    for (size_t i = 0; i < F->p->nepochs && np < 4; i++)
      ep[np++] = F->p->epochs[i];
  } else {
    na = list_power_epochs(in, avail, 4096);
    if (na == 0) {
      /* a bare training run: its checkpoints */
      char *run = li2_figures_find_run(in);
      char **paths = NULL;
      long *eps = NULL;
      size_t nc = 0;
      li2_error e2 = {0};
      if (run && !li2_checkpoint_list(run, &paths, &eps, &nc, &e2)) {
        for (size_t i = 0; i < nc && na < 4096; i++)
          avail[na++] = eps[i];
      }
      for (size_t i = 0; i < nc; i++)
        free(paths[i]);
      free(paths);
      free(eps);
      free(run);
    }
    np = pick_epochs(avail, na, ep);
  }
  if (np == 0) {
    /* power.tsv alone (li2 compare epoch=N) */
    char *path = li2_figures_find(in, "power.tsv");
    if (!path)
      return LI2_SUCCESS;
    rc = panel_from_tsv(path, -1, &pn[0], err);
    free(path);
    if (rc)
      return rc;
    np = 1;
  } else {
    for (size_t i = 0; i < np; i++)
      if ((rc = load_panel(in, ep[i], &pn[i], err))) {
        /* a run whose network has no nodes li2 compare analyses (a
         * transformer, complex weights, use_bn, ...): no power figure, said
         * so (li2 plot's warning line and --json "skipped"); the others are
         * drawn */
        if (rc == LI2_EUNSUP) {
          li2_figures_skip(F, "power", err->msg);
          li2_error_clear(err);
          rc = LI2_SUCCESS;
        }
        goto done;
      }
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "power.dat", err)))
    goto done;
  fprintf(f.fp, "# component\tnode_rank\tshare   (one block per panel; active nodes sorted by "
                "dominant component, then purity)\n");
  for (size_t i = 0; i < np; i++) {
    fprintf(f.fp, "# epoch %ld: %zu active nodes\n", pn[i].epoch, pn[i].nrows);
    for (size_t r = 0; r < pn[i].nrows; r++) {
      for (size_t k = 0; k < pn[i].ncomp; k++)
        fprintf(f.fp, "%zu\t%zu\t%.6g\n", k + 1, r, pn[i].share[r * pn[i].ncomp + k]);
      fputc('\n', f.fp);
    }
    if (pn[i].nrows == 0)  /* keep the block numbering: one dummy zero cell */
      fprintf(f.fp, "1\t0\t0\n\n");
    fputs("\n", f.fp);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  {
    /* panels side by side; the colour box on the right */
    double left = 0.1, right = 0.86, gap = 0.06, w = (right - left - gap * (double)(np - 1)) / (double)np;
    size_t nc = pn[0].ncomp;
    for (size_t i = 0; i < np; i++) {
      double l = left + (double)i * (w + gap);
      li2_figures_sb_printf(&panels, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n", l, l + w);
      li2_figures_sb_printf(&panels, "set xrange [0.5:%zu.5]\nset yrange [-0.5:%.1f]\n", pn[i].ncomp,
                (double)(pn[i].nrows ? pn[i].nrows : 1) - 0.5);
      if (i == 0)
        li2_figures_sb_printf(&panels, "set ylabel \"active node {/:Italic j} (sorted)\"\n");
      else
        li2_figures_sb_printf(&panels, "set ylabel \"\"\n");
      if (i + 1 == np)
        li2_figures_sb_printf(&panels, "set colorbox default\n");
      else
        li2_figures_sb_printf(&panels, "unset colorbox\n");
      if (pn[i].epoch >= 0)
        li2_figures_sb_printf(&panels, "set title \"epoch %ld\"\n", pn[i].epoch);
      else
        li2_figures_sb_printf(&panels, "unset title\n");
      li2_figures_sb_printf(&panels, "plot \"power.dat\" index %zu using 1:2:3 with image notitle\n", i);
    }
    {
      char xt[32];
      snprintf(xt, sizeof xt, "%s", nc > 24 ? "autofreq" : nc > 8 ? "1,2" : "1,1");
      li2_plot_var v[] = {{"DATA", "power.dat"}, {"PANELS", li2_figures_sb_str(&panels)}, {"XTICS", xt}};
      rc = panels.oom ? li2_error_set(err, LI2_ENOMEM, "out of memory")
                      : li2_figures_emit(F, "power", "power", v, 3, 1, 2.6, err);
    }
  }
done:
  for (size_t i = 0; i < 4; i++)
    panel_free(&pn[i]);
  free(panels.s);
  return rc;
}

/* ------------------------------------------------------------------ */
/* spectrum: spectrum.tsv                                               */

int li2_figures_draw_spectrum(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  int rc, found, ce, c1;
  size_t nc;
  double xmin = INFINITY, xmax = -INFINITY, smax = 0;
  {
    static const char *const need[] = {"epoch", "c1"};
    int c[2];
    if ((rc = li2_figures_table_need(F, in, "spectrum", "spectrum.tsv", need, c, 2, 1, &t,
                                      &found, err)) || !found)
      return rc;
    ce = c[0];
    c1 = c[1];
  }
  nc = t.ncols - (size_t)c1;
  if ((rc = li2_io_open_atomic_in(&f, F->out, "spectrum.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\tcomponent\tshare\tepoch_low\tepoch_high   (cells of the heatmap)\n");
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce);
    double lo = i > 0 ? 0.5 * (e + li2_table_num(&t, i - 1, ce)) : e;
    double hi = i + 1 < t.nrows ? 0.5 * (e + li2_table_num(&t, i + 1, ce)) : e;
    /* the end cells as wide as their neighbours' halves */
    if (i == 0 && t.nrows > 1)
      lo = e - (hi - e);
    if (i + 1 == t.nrows && t.nrows > 1)
      hi = e + (e - lo);
    if (t.nrows == 1) {
      lo = e - 0.5;
      hi = e + 0.5;
    }
    xmin = fmin(xmin, lo);
    xmax = fmax(xmax, hi);
    for (size_t k = 0; k < nc; k++) {
      double s = li2_table_num(&t, i, c1 + (int)k);
      s = isnan(s) ? 0 : s;
      smax = fmax(smax, s);
      fprintf(f.fp, "%.10g\t%zu\t%.6g\t%.10g\t%.10g\n", e, k + 1, s, lo, hi);
    }
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  {
    char xr[96], yr[64], cb[64], yt[32];
    snprintf(xr, sizeof xr, "%.10g:%.10g", fmax(xmin, 0), xmax);
    snprintf(yr, sizeof yr, "0.5:%zu.5", nc);
    snprintf(cb, sizeof cb, "0:%.4g", smax > 0 ? smax : 1);
    snprintf(yt, sizeof yt, "%s", nc > 24 ? "autofreq" : nc > 8 ? "1,2" : "1,1");
    li2_plot_var v[] = {{"DATA", "spectrum.dat"}, {"XRANGE", xr}, {"YRANGE", yr},
                        {"CBRANGE", cb}, {"YTICS", yt}};
    rc = li2_figures_emit(F, "spectrum", "spectrum", v, 5, 0, 2.2, err);
  }
done:
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* energy histogram: maxima.tsv, summary.tsv, compare.tsv               */

int li2_figures_draw_energy(fig_ctx *F, const char *in, li2_error *err)
{
  char *pm = li2_figures_find(in, "maxima.tsv"), *ps = li2_figures_find(in, "summary.tsv"), *pc = li2_figures_find(in, "compare.tsv");
  li2_table tm, ts, tc;
  li2_io_file f;
  sbuf arrows = {0}, plots = {0};
  double emin = INFINITY, emax = -INFINITY, levels[256];
  size_t nl = 0, counts[3] = {0, 0, 0};
  int rc = LI2_SUCCESS, hm = 0, hs = 0, hc = 0;
  memset(&tm, 0, sizeof tm);
  memset(&ts, 0, sizeof ts);
  memset(&tc, 0, sizeof tc);
  if (!pm && !pc)
    goto done;
  if (pm && !(rc = li2_table_read(pm, &tm, err)))
    hm = li2_table_col(&tm, "energy") >= 0 && li2_table_col(&tm, "label") >= 0;
  if (!rc && ps && !(rc = li2_table_read(ps, &ts, err)))
    hs = li2_table_col(&ts, "predicted_energy") >= 0;
  if (!rc && pc && !(rc = li2_table_read(pc, &tc, err)))
    hc = li2_table_col(&tc, "energy") >= 0 && li2_table_col(&tc, "active") >= 0;
  if (rc || (!hm && !hc))
    goto done;
  if ((rc = li2_io_open_atomic_in(&f, F->out, "energy.dat", err)))
    goto done;
  fprintf(f.fp, "# kind\tenergy   (kind 0: certified maximum from a random start, 1: other end "
                "point, 2: active trained node E(w/|w|))\n");
  if (hm) {
    int ce = li2_table_col(&tm, "energy"), cl = li2_table_col(&tm, "label");
    for (size_t i = 0; i < tm.nrows; i++) {
      double e = li2_table_num(&tm, i, ce);
      int kind = strcmp(li2_table_str(&tm, i, cl), "max") ? 1 : 0;
      if (isnan(e))
        continue;
      counts[kind]++;
      emin = fmin(emin, e);
      emax = fmax(emax, e);
      fprintf(f.fp, "%d\t%.12g\n", kind, e);
    }
  }
  if (hc) {
    int ce = li2_table_col(&tc, "energy"), ca = li2_table_col(&tc, "active"),
        cp = li2_table_col(&tc, "predicted");
    for (size_t i = 0; i < tc.nrows; i++) {
      double e = li2_table_num(&tc, i, ce), p = li2_table_num(&tc, i, cp);
      if (isnan(e) || !(li2_table_num(&tc, i, ca) > 0))
        continue;
      counts[2]++;
      emin = fmin(emin, e);
      emax = fmax(emax, e);
      fprintf(f.fp, "2\t%.12g\n", e);
      if (!isnan(p) && nl < 256) {
        size_t j;
        for (j = 0; j < nl && fabs(levels[j] - p) > 1e-9 * p; j++)
          ;
        if (j == nl)
          levels[nl++] = p;
      }
    }
  }
  if (hs) {
    int cp = li2_table_col(&ts, "predicted_energy");
    for (size_t i = 0; i < ts.nrows && nl < 256; i++) {
      double p = li2_table_num(&ts, i, cp);
      size_t j;
      if (isnan(p))
        continue;
      for (j = 0; j < nl && fabs(levels[j] - p) > 1e-9 * p; j++)
        ;
      if (j == nl)
        levels[nl++] = p;
    }
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  if (counts[0] + counts[1] + counts[2] == 0)
    goto done;
  for (size_t j = 0; j < nl; j++) {
    emin = fmin(emin, levels[j]);
    emax = fmax(emax, levels[j]);
    li2_figures_sb_printf(&arrows, "set arrow from first %.12g, graph 0 to first %.12g, graph 1 nohead front "
                       "lt 8 dt 2 lw 1\n",
              levels[j], levels[j]);
  }
  {
    const char *sep = "plot ";
    if (counts[0]) {
      li2_figures_sb_printf(&plots, "%s\"energy.dat\" using (bin($2)):($1 == 0 ? 1 : 0) smooth frequency "
                        "with boxes lt 1 title \"maxima, random starts\"",
                sep);
      sep = ", \\\n     ";
    }
    if (counts[1]) {
      li2_figures_sb_printf(&plots, "%s\"energy.dat\" using (bin($2)):($1 == 1 ? 1 : 0) smooth frequency "
                        "with boxes lt 4 title \"saddles, degenerate\"",
                sep);
      sep = ", \\\n     ";
    }
    if (counts[2]) {
      li2_figures_sb_printf(&plots, "%s\"energy.dat\" using (bin($2)):($1 == 2 ? 1 : 0) smooth frequency "
                        "with boxes lt 2 fs transparent solid 0.55 noborder title "
                        "\"trained nodes\"",
                sep);
      sep = ", \\\n     ";
    }
    if (nl)
      li2_figures_sb_printf(&plots, "%sNaN with lines lt 8 dt 2 lw 1 title \"predicted {/:Italic M}/(2{/:Italic d_R})\"",
                sep);
  }
  {
    /* E >= 0 for the raw energy: the axis from 0 shows every level and
     * how far below them the nodes that are not at a maximum sit */
    double lo = emin >= 0 ? 0 : emin, bw = (emax - lo) / 60.0;
    char bws[64], xr[96];
    if (!(bw > 0))
      bw = fabs(emax) > 0 ? fabs(emax) / 60.0 : 1;
    snprintf(bws, sizeof bws, "%.6g", bw);
    snprintf(xr, sizeof xr, "%.6g:%.6g", lo, emax + 3 * bw);
    li2_plot_var v[] = {{"DATA", "energy.dat"}, {"BINWIDTH", bws}, {"XRANGE", xr},
                        {"LEVEL_ARROWS", li2_figures_sb_str(&arrows)}, {"PLOT", li2_figures_sb_str(&plots)}};
    rc = arrows.oom || plots.oom ? li2_error_set(err, LI2_ENOMEM, "out of memory")
                                 : li2_figures_emit(F, "energy", "energy", v, 5, 0, 2.2, err);
  }
done:
  free(arrows.s);
  free(plots.s);
  li2_table_free(&tm);
  li2_table_free(&ts);
  li2_table_free(&tc);
  free(pm);
  free(ps);
  free(pc);
  return rc;
}

/* ------------------------------------------------------------------ */
/* G_F against eta: independence.tsv                                    */

int li2_figures_draw_gf_eta(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  sbuf dist = {0}, share = {0};
  long epochs[8];
  size_t ne = 0;
  int rc, found, ce, ceta, cd, cs;
  {
    static const char *const need[] = {"eta", "rel_distance", "own_share"};
    int c[3];
    if ((rc = li2_figures_table_need(F, in, "gf-eta", "independence.tsv", need, c, 3, 1, &t,
                                      &found, err)) || !found)
      return rc;
    ceta = c[0];
    cd = c[1];
    cs = c[2];
  }
  ce = li2_table_col(&t, "epoch");
  /* one block per epoch (at most 8), in order of first appearance */
  for (size_t i = 0; i < t.nrows && ne < 8; i++) {
    long e = li2_table_epoch(&t, i, ce);
    int seen = 0;
    for (size_t k = 0; k < ne; k++)
      seen |= epochs[k] == e;
    if (!seen)
      epochs[ne++] = e;
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "gf-eta.dat", err)))
    goto done;
  fprintf(f.fp, "# eta\trel_distance\town_share   (one block per checkpoint epoch)\n");
  for (size_t k = 0; k < ne; k++) {
    size_t rows = 0;
    fprintf(f.fp, "# epoch %ld\n", epochs[k]);
    for (size_t i = 0; i < t.nrows; i++) {
      long e = li2_table_epoch(&t, i, ce);
      double eta = li2_table_num(&t, i, ceta), d = li2_table_num(&t, i, cd), s = li2_table_num(&t, i, cs);
      if (e != epochs[k] || !(eta > 0))
        continue;
      fprintf(f.fp, "%.10g\t", eta);
      if (d > 0)
        fprintf(f.fp, "%.10g\t", d);
      else
        fputs("-\t", f.fp);
      if (isnan(s))
        fputs("-\n", f.fp);
      else
        fprintf(f.fp, "%.10g\n", s);
      rows++;
    }
    fputs("\n\n", f.fp);
    if (rows) {
      char title[64];
      if (epochs[k] >= 0)
        snprintf(title, sizeof title, "epoch %ld", epochs[k]);
      else
        snprintf(title, sizeof title, "built features");
      li2_figures_sb_printf(&dist, "%s\"gf-eta.dat\" index %zu using 1:2 with linespoints lt %zu title \"%s\"",
                dist.len ? ", \\\n     " : "plot ", k, k + 1, title);
      li2_figures_sb_printf(&share, "%s\"gf-eta.dat\" index %zu using 1:3 with linespoints lt %zu notitle",
                share.len ? ", \\\n     " : "plot ", k, k + 1);
    }
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  if (!dist.len)
    goto done;
  {
    /* a label every decade, or every other one over a wide range */
    double emin = INFINITY, emax = 0;
    char step[16];
    for (size_t i = 0; i < t.nrows; i++) {
      double eta = li2_table_num(&t, i, ceta);
      if (eta > 0) {
        emin = fmin(emin, eta);
        emax = fmax(emax, eta);
      }
    }
    snprintf(step, sizeof step, "%s", emax / emin > 1e5 ? "100" : "10");
    li2_plot_var v[] = {{"DATA", "gf-eta.dat"}, {"DIST_PLOT", li2_figures_sb_str(&dist)},
                        {"SHARE_PLOT", li2_figures_sb_str(&share)}, {"XTICS", step}};
    rc = dist.oom || share.oom ? li2_error_set(err, LI2_ENOMEM, "out of memory")
                               : li2_figures_emit(F, "gf-eta", "gf-eta", v, 4, 0, 3.0, err);
  }
done:
  free(dist.s);
  free(share.s);
  li2_table_free(&t);
  return rc;
}

int li2_figures_draw_coverage(fig_ctx *F, const char *in, li2_error *err)
{
  char *path = li2_figures_find(in, "compare.json"), *text = NULL;
  li2_json *js = NULL;
  const li2_json *npc, *amc;
  li2_io_file f;
  size_t len, nc, nmissing = 0;
  double ymax = 1;
  int rc;
  if (!path)
    return LI2_SUCCESS;
  rc = li2_io_read_file(path, &text, &len, err);
  if (!rc && !(js = li2_json_parse(text, len, err))) {
    li2_error_prefix(err, "%s: ", path);
    rc = err->code ? err->code : LI2_EFORMAT;
  }
  free(path);
  free(text);
  if (rc)
    return rc;
  npc = li2_json_get(js, "nodes_per_component");
  amc = li2_json_get(js, "at_max_per_component");
  if (!npc || !amc || npc->type != LI2_JSON_ARRAY || amc->type != LI2_JSON_ARRAY ||
      npc->n != amc->n || npc->n < 2) {
    li2_json_free(js);
    return LI2_SUCCESS;
  }
  nc = npc->n - 1;
  if ((rc = li2_io_open_atomic_in(&f, F->out, "coverage.dat", err)))
    goto done;
  fprintf(f.fp, "# component\tactive_nodes\tat_max_nodes\tmissing\n");
  for (size_t k = 1; k <= nc; k++) {
    int miss = amc->item[k].number == 0;
    nmissing += (size_t)miss;
    ymax = fmax(ymax, npc->item[k].number);
    fprintf(f.fp, "%zu\t%.0f\t%.0f\t%d\n", k, npc->item[k].number, amc->item[k].number, miss);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  {
    char xr[32], xt[32], yt[32];
    /* at most 5 counts labelled: they fit the slides style's large font */
    double step = fmax(1, li2_figures_tick_step(ymax, 4));
    snprintf(xr, sizeof xr, "0.5:%zu.5", nc);
    snprintf(xt, sizeof xt, "%s", nc > 16 ? "autofreq" : "1,1");
    snprintf(yt, sizeof yt, "0, %.0f", step);
    li2_plot_var v[] = {{"DATA", "coverage.dat"}, {"XRANGE", xr}, {"XTICS", xt}, {"YTICS", yt},
                        {"MISSING_PLOT", nmissing ? ", \\\n     \"coverage.dat\" using 1:($4 > 0 "
                                                    "? 0 : NaN) with points lt 2 pt 2 ps 2 "
                                                    "title \"missing\""
                                                  : ""}};
    rc = li2_figures_emit(F, "coverage", "coverage", v, 5, 0, 2.2, err);
  }
done:
  li2_json_free(js);
  return rc;
}

