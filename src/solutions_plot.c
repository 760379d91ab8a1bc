/* Figures of li2 solutions (solutions.h): gnuplot scripts from the
 * templates plots/solutions-*.gp over the tables li2_solutions_run and
 * li2_solutions_sweep_run wrote, through plot.h. */
#define _XOPEN_SOURCE 700
#include "solutions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "plot.h"

/* Write the script of figure BASE in every format asked for and run
 * gnuplot on it (a failure is recorded in LIST, as li2 plot does). */
static int emit(const char *dir, const char *base, const char *tmpl, const li2_plot_var *vars,
                size_t nvars, int wide, double height, const li2_figures_params *p,
                li2_figures_list *list, li2_error *err)
{
  char *gp = p->run_gnuplot ? li2_plot_gnuplot_path() : NULL;
  int rc = LI2_SUCCESS;
  for (int fmt = 0; fmt < LI2_PLOT_NFORMATS && !rc; fmt++) {
    li2_plot_options o;
    char script[256];
    if (!(p->formats & (1u << fmt)))
      continue;
    li2_plot_options_default(&o);
    o.format = fmt;
    o.style = p->style;
    o.wide = wide;
    o.height = height;
    o.dpi = p->dpi > 0 ? p->dpi : 300;
    if ((rc = li2_plot_write_script_opt(dir, base, tmpl, vars, nvars, &o, err)))
      break;
    li2_plot_names(base, fmt, script, sizeof script, NULL, 0);
    if (gp) {
      li2_error perr = {0};
      if (li2_plot_run(dir, script, &perr) && !list->failed++)
        snprintf(list->first_failure, sizeof list->first_failure, "%s", perr.msg);
    }
  }
  free(gp);
  if (!rc && list->n < LI2_FIGURES_MAX)
    snprintf(list->name[list->n++], sizeof list->name[0], "%s", base);
  if (!rc)
    list->rendered = p->run_gnuplot && list->failed == 0 && gp != NULL;
  return rc;
}

/* A growing string of generated plot commands; NULL after no memory. */
typedef struct {
  char *s;
  size_t len;
  FILE *fp;
} gen;

static int gen_open(gen *g)
{
  g->s = NULL;
  g->len = 0;
  g->fp = open_memstream(&g->s, &g->len);
  return g->fp ? 0 : -1;
}

static char *gen_close(gen *g)
{
  if (fclose(g->fp)) {
    free(g->s);
    return NULL;
  }
  return g->s;
}

/* the three angle figures, when the histogram has counts of their kinds */
static int angle_figures(const char *dir, const size_t *counts, size_t nbins,
                         const li2_figures_params *p, li2_figures_list *list, li2_error *err)
{
  static const struct {
    const char *base, *symbol, *marks;
    int kinds[2];
  } fig[] = {
    /* factorize_sol.py's v_annotate marks: +-pi/4, +-3pi/4 for xi;
     * +-pi/2 (the 4c case), +-pi/3, +-2pi/3 for nu */
    {"solutions-angle-xi", "{/:Italic ξ}",
     "do for [a in \"-3 -1 1 3\"] { set arrow from a*pi/4, graph 0 to a*pi/4, graph 1 nohead dt 2 lw 0.75 lc rgb \"#D55E00\" }",
     {LI2_SOL_ANGLE_XI, -1}},
    {"solutions-angle-nu", "{/:Italic ν}",
     "do for [a in \"-2 -1 1 2\"] { set arrow from a*pi/3, graph 0 to a*pi/3, graph 1 nohead dt 2 lw 0.75 lc rgb \"#D55E00\" }\n"
     "do for [a in \"-1 1\"] { set arrow from a*pi/2, graph 0 to a*pi/2, graph 1 nohead dt 2 lw 0.75 lc rgb \"#009E73\" }",
     {LI2_SOL_ANGLE_NU, -1}},
    {"solutions-angle-alpha-beta", "{/:Italic α} and {/:Italic β}", "",
     {LI2_SOL_ANGLE_ALPHA, LI2_SOL_ANGLE_BETA}},
  };
  int rc = LI2_SUCCESS;
  for (size_t f = 0; f < sizeof fig / sizeof fig[0] && !rc; f++) {
    size_t total = 0;
    gen g;
    char *plot;
    for (int i = 0; i < 2; i++)
      for (size_t b = 0; fig[f].kinds[i] >= 0 && b < nbins; b++)
        total += counts[(size_t)fig[f].kinds[i] * nbins + b];
    if (!total)
      continue;
    if (gen_open(&g))
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    fprintf(g.fp, "plot ");
    for (int i = 0; i < 2 && fig[f].kinds[i] >= 0; i++)
      fprintf(g.fp, "%s\"angle-histogram.tsv\" skip 1 using 1:%d with boxes lt %d %s",
              i ? ", \\\n     " : "", fig[f].kinds[i] + 2, i + 1,
              fig[f].kinds[1] < 0 ? "notitle"
                                  : i ? "title \"{/:Italic β}\"" : "title \"{/:Italic α}\"");
    if (!(plot = gen_close(&g)))
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    {
      li2_plot_var v[] = {{"DATA", "angle-histogram.tsv"}, {"SYMBOL", fig[f].symbol},
                          {"MARKS", fig[f].marks}, {"PLOT", plot}};
      rc = emit(dir, fig[f].base, "solutions-angle", v, 4, 0, 2.2, p, list, err);
    }
    free(plot);
  }
  return rc;
}

/* |r_{a,m,k,k}| for the frequencies K with WANT(order) (all when WANT < 0) */
static int rotation_figure(const char *dir, const li2_solutions_result *r, const char *base,
                           const char *data, int m, int want, const li2_figures_params *p,
                           li2_figures_list *list, li2_error *err)
{
  gen g;
  char *plot, what[128], ylabel[96];
  size_t n = 0;
  int rc;
  if (gen_open(&g))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (size_t k = 1; k <= r->nfreq; k++) {
    if (want >= 0 && r->order[k] != (size_t)want)
      continue;
    fprintf(g.fp, "%s\"%s\" skip 1 using 1:%zu with lines lt %zu title \"{/:Italic k} = %zu\"",
            n ? ", \\\n     " : "plot ", data, k + 1, n % 8 + 1, k);
    n++;
  }
  if (!(plot = gen_close(&g)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (n == 0) {
    free(plot);
    return LI2_SUCCESS;
  }
  if (want >= 0)
    snprintf(what, sizeof what, "m = %d, the frequencies of order %d.", m, want);
  else
    snprintf(what, sizeof what, "m = %d, every frequency.", m);
  snprintf(ylabel, sizeof ylabel, "|{/:Italic r}_{a,%d,k,k}|", m);
  {
    li2_plot_var v[] = {{"DATA", data}, {"WHAT", what}, {"YLABEL", ylabel}, {"PLOT", plot}};
    rc = emit(dir, base, "solutions-rotation", v, 4, 0, 2.2, p, list, err);
  }
  free(plot);
  return rc;
}

int li2_solutions_figures_run(const char *dir, const li2_solutions_result *r,
                              const li2_figures_params *p, li2_figures_list *list,
                              li2_error *err)
{
  char xmax[32], mm1[32];
  int rc;
  size_t top = 10, *counts;
  for (size_t k = 1; k <= r->nfreq; k++)
    if (r->order[k] > top)
      top = r->order[k];
  snprintf(xmax, sizeof xmax, "%zu.5", top);
  {
    li2_plot_var v[] = {{"DATA", "order-histogram.tsv"}, {"XMAX", xmax}};
    if ((rc = emit(dir, "solutions-orders", "solutions-orders", v, 2, 0, 2.2, p, list, err)))
      return rc;
  }
  {
    char *path = li2_io_path(dir, "dynamics.tsv");
    int have = path && li2_io_is_file(path);
    free(path);
    if (have) {
      li2_plot_var v[] = {{"DATA", "dynamics.tsv"}, {"MM1", mm1}};
      snprintf(mm1, sizeof mm1, "%zu", r->d - 1);
      if ((rc = emit(dir, "solutions-dynamics", "solutions-dynamics", v, 2, 0, 2.2, p, list, err)) ||
          (rc = rotation_figure(dir, r, "solutions-order4", "ra0.tsv", 0, 4, p, list, err)) ||
          (rc = rotation_figure(dir, r, "solutions-order6", "ra0.tsv", 0, 6, p, list, err)) ||
          (rc = rotation_figure(dir, r, "solutions-a1", "ra1.tsv", 1, -1, p, list, err)))
        return rc;
    }
  }
  if (!(counts = calloc(LI2_SOL_NANGLES * LI2_SOL_ANGLE_BINS, sizeof *counts)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (li2_solutions_angle_count(r, LI2_SOL_ANGLE_BINS, counts))
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  else
    rc = angle_figures(dir, counts, LI2_SOL_ANGLE_BINS, p, list, err);
  free(counts);
  return rc;
}

int li2_solutions_figures_sweep(const char *dir, const li2_solutions_sweep *w,
                                const li2_figures_params *p, li2_figures_list *list,
                                li2_error *err)
{
  size_t cols = w->nsettings < 5 ? w->nsettings : 5, rows = (w->nsettings + cols - 1) / cols;
  char xmax[32], srows[32], scols[32];
  gen g;
  char *panels;
  int rc;
  if (gen_open(&g))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (size_t si = 0; si < w->nsettings; si++) {
    char title[256], q[300];
    size_t i;
    /* titles from the sweep's values: through li2_plot_quote, '_' spelt
     * as a space (enhanced text would make it a subscript) */
    snprintf(title, sizeof title, "%s", w->setting_name[si]);
    for (i = 0; title[i]; i++)
      if (title[i] == '_')
        title[i] = ' ';
    if (li2_plot_quote(title, q, sizeof q))
      snprintf(q, sizeof q, "'setting %zu'", si);
    fprintf(g.fp, "set title %s font \",6\"\n", q);
    fprintf(g.fp, "set xlabel %s\n", si / cols == rows - 1 ? "\"solution order\" font \",6\"" : "\"\"");
    fprintf(g.fp, "set ylabel %s\n", si % cols == 0 ? "\"frequencies\" font \",6\"" : "\"\"");
    fprintf(g.fp,
            "plot \"sweep-orders.tsv\" skip 1 using ($1 == %zu ? $2 : NaN):3 with boxes lt 1 notitle\n",
            si);
  }
  if (!(panels = gen_close(&g)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  snprintf(xmax, sizeof xmax, "%zu.5", w->norders > 11 ? w->norders - 1 : 10);
  snprintf(srows, sizeof srows, "%zu", rows);
  snprintf(scols, sizeof scols, "%zu", cols);
  {
    li2_plot_var v[] = {{"DATA", "sweep-orders.tsv"}, {"XMAX", xmax}, {"ROWS", srows},
                        {"COLS", scols}, {"PANELS", panels}};
    /* two columns wide beyond two panels a row, as the reference's 3 x 5 grid */
    rc = emit(dir, "solutions-sweep-orders", "solutions-sweep-orders", v, 5, cols > 2,
              0.3 + 1.3 * (double)rows, p, list, err);
  }
  free(panels);
  if (!rc)
    rc = angle_figures(dir, w->angle_counts, w->nbins, p, list, err);
  return rc;
}
