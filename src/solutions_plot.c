/* Figures of li2 solutions (solutions.h), drawn from the tables
 * li2_solutions_run and li2_solutions_sweep_run write (plots/solutions-*.gp),
 * by li2 solutions itself and by li2 plot (figures.h) through
 * li2_figures_draw_solutions. */
#define _XOPEN_SOURCE 700
#include "solutions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures_impl.h"
#include "io.h"
#include "json.h"
#include "table.h"

/* NAME where li2 plot looks for its data (li2_figures_find), else in
 * IN/solutions, li2 solutions' default out (caller frees), or NULL */
static char *find_table(const char *in, const char *name)
{
  char *p = li2_figures_find(in, name), *d;
  if (p)
    return p;
  if (!(d = li2_io_path(in, "solutions")))
    return NULL;
  p = li2_figures_find(d, name);
  free(d);
  return p;
}

/* The name a script uses for table PATH: its own name when it is in OUT,
 * else a copy OUT/solutions-NAME (so the scripts name their data relative
 * to OUT, as every figure of li2 plot does).  *DATA: caller frees. */
static int data_in_out(const char *out, const char *path, const char *name, char **data,
                       li2_error *err)
{
  char *here = li2_io_path(out, name), *buf = NULL, copy[128];
  size_t len = 0;
  li2_io_file f;
  int rc;
  *data = NULL;
  if (!here)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (!strcmp(here, path)) {
    free(here);
    *data = strdup(name);
    return *data ? LI2_SUCCESS : li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  free(here);
  snprintf(copy, sizeof copy, "solutions-%s", name);
  if ((rc = li2_io_read_file(path, &buf, &len, err)))
    return rc;
  if (!(rc = li2_io_open_atomic_in(&f, out, copy, err))) {
    fwrite(buf, 1, len, f.fp);
    rc = li2_io_commit(&f, err);
  }
  free(buf);
  if (!rc && !(*data = strdup(copy)))
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  return rc;
}

/* A growing string of generated plot commands. */
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

/* the three angle figures from angle-histogram.tsv, each when its kinds
 * have counts */
static int angle_figures(fig_ctx *F, const char *in, li2_error *err)
{
  static const struct {
    const char *base, *symbol, *marks, *cols[2];
  } fig[] = {
    /* factorize_sol.py's v_annotate marks: +-pi/4, +-3pi/4 for xi;
     * +-pi/2 (the 4c case), +-pi/3, +-2pi/3 for nu */
    {"solutions-angle-xi", "{/:Italic ξ}",
     "do for [a in \"-3 -1 1 3\"] { set arrow from a*pi/4, graph 0 to a*pi/4, graph 1 nohead dt 2 lw 0.75 lc rgb \"#D55E00\" }",
     {"xi", NULL}},
    {"solutions-angle-nu", "{/:Italic ν}",
     "do for [a in \"-2 -1 1 2\"] { set arrow from a*pi/3, graph 0 to a*pi/3, graph 1 nohead dt 2 lw 0.75 lc rgb \"#D55E00\" }\n"
     "do for [a in \"-1 1\"] { set arrow from a*pi/2, graph 0 to a*pi/2, graph 1 nohead dt 2 lw 0.75 lc rgb \"#009E73\" }",
     {"nu", NULL}},
    {"solutions-angle-alpha-beta", "{/:Italic α} and {/:Italic β}", "", {"alpha", "beta"}},
  };
  char *path = find_table(in, "angle-histogram.tsv"), *data = NULL;
  li2_table t;
  int rc;
  if (!path)
    return LI2_SUCCESS;
  rc = li2_table_read(path, &t, err);
  if (!rc)
    rc = data_in_out(F->out, path, "angle-histogram.tsv", &data, err);
  free(path);
  for (size_t f = 0; !rc && f < sizeof fig / sizeof fig[0]; f++) {
    double total = 0;
    int col[2] = {li2_table_col(&t, fig[f].cols[0]), fig[f].cols[1] ? li2_table_col(&t, fig[f].cols[1]) : -1};
    gen g;
    char *plot;
    for (int i = 0; i < 2; i++)
      for (size_t r = 0; col[i] >= 0 && r < t.nrows; r++) {
        double x = li2_table_num(&t, r, col[i]);
        total += isfinite(x) ? x : 0;
      }
    if (!(total > 0))
      continue;
    if (gen_open(&g)) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      break;
    }
    fprintf(g.fp, "plot ");
    for (int i = 0; i < 2 && col[i] >= 0; i++)
      fprintf(g.fp, "%s\"%s\" skip 1 using 1:%d with boxes lt %d %s", i ? ", \\\n     " : "", data,
              col[i] + 1, i + 1,
              !fig[f].cols[1] ? "notitle" : i ? "title \"{/:Italic β}\"" : "title \"{/:Italic α}\"");
    if (!(plot = gen_close(&g))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      break;
    }
    {
      li2_plot_var v[] = {{"DATA", data}, {"SYMBOL", fig[f].symbol}, {"MARKS", fig[f].marks},
                          {"PLOT", plot}};
      rc = li2_figures_emit(F, fig[f].base, "solutions-angle", v, 4, 0, 2.2, err);
    }
    free(plot);
  }
  free(data);
  li2_table_free(&t);
  return rc;
}

/* |r_{a,m,k,k}| of the frequencies K whose order is WANT (all when
 * WANT < 0): ORDER[k] for k = 1..NFREQ */
static int rotation_figure(fig_ctx *F, const char *in, const char *name, const char *base, int m,
                           int want, const long *order, size_t nfreq, li2_error *err)
{
  char *path = find_table(in, name), *data = NULL, *plot, what[128], ylabel[96];
  size_t n = 0;
  gen g;
  int rc;
  if (!path)
    return LI2_SUCCESS;
  rc = data_in_out(F->out, path, name, &data, err);
  free(path);
  if (rc)
    return rc;
  if (gen_open(&g)) {
    free(data);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  for (size_t k = 1; k <= nfreq; k++) {
    if (want >= 0 && order[k] != want)
      continue;
    fprintf(g.fp, "%s\"%s\" skip 1 using 1:%zu with lines lt %zu title \"{/:Italic k} = %zu\"",
            n ? ", \\\n     " : "plot ", data, k + 1, n % 8 + 1, k);
    n++;
  }
  if (!(plot = gen_close(&g))) {
    free(data);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  if (n > 0) {
    if (want >= 0)
      snprintf(what, sizeof what, "m = %d, the frequencies of order %d.", m, want);
    else
      snprintf(what, sizeof what, "m = %d, every frequency.", m);
    snprintf(ylabel, sizeof ylabel, "|{/:Italic r}_{a,%d,k,k}|", m);
    {
      li2_plot_var v[] = {{"DATA", data}, {"WHAT", what}, {"YLABEL", ylabel}, {"PLOT", plot}};
      rc = li2_figures_emit(F, base, "solutions-rotation", v, 4, 0, 2.2, err);
    }
  }
  free(plot);
  free(data);
  return rc;
}

/* M of solutions.json, 0 when unknown */
static long json_M(const char *in)
{
  char *path = find_table(in, "solutions.json"), *text = NULL;
  size_t len = 0;
  li2_error e = {0};
  li2_json *j;
  long M = 0;
  if (!path)
    return 0;
  if (!li2_io_read_file(path, &text, &len, &e) && (j = li2_json_parse(text, len, &e))) {
    const li2_json *v = li2_json_get(j, "M");
    if (v && v->type == LI2_JSON_NUMBER && v->number >= 3 && v->number < 1e9)
      M = (long)v->number;
    li2_json_free(j);
  }
  free(text);
  free(path);
  return M;
}

/* a run's figures: orders, dynamics, rotations */
static int run_figures(fig_ctx *F, const char *in, li2_error *err)
{
  char *path = find_table(in, "order-histogram.tsv"), *data = NULL, xmax[32], mm1[32];
  li2_table t;
  long *order = NULL;
  size_t nfreq = 0;
  int rc;
  if (!path)
    return LI2_SUCCESS;
  if ((rc = li2_table_read(path, &t, err)) ||
      (rc = data_in_out(F->out, path, "order-histogram.tsv", &data, err))) {
    free(path);
    return rc;
  }
  free(path);
  {
    int co = li2_table_col(&t, "order");
    double top = 10;
    for (size_t r = 0; r < t.nrows; r++) {
      double x = li2_table_num(&t, r, co);
      if (isfinite(x) && x > top)
        top = x;
    }
    snprintf(xmax, sizeof xmax, "%.0f.5", top);
  }
  li2_table_free(&t);
  {
    li2_plot_var v[] = {{"DATA", data}, {"XMAX", xmax}};
    rc = li2_figures_emit(F, "solutions-orders", "solutions-orders", v, 2, 0, 2.2, err);
  }
  free(data);
  if (rc)
    return rc;
  /* the dynamics, with the orders of orders.tsv picking the rotations' frequencies */
  if (!(path = find_table(in, "dynamics.tsv")))
    return LI2_SUCCESS;
  rc = data_in_out(F->out, path, "dynamics.tsv", &data, err);
  free(path);
  if (rc)
    return rc;
  {
    long M = json_M(in);
    /* the reference's dashed line at d - 1 (where the diagonal sum ends) */
    if (M > 0)
      snprintf(mm1, sizeof mm1, "%ld", M - 1);
    else
      snprintf(mm1, sizeof mm1, "0");
    li2_plot_var v[] = {{"DATA", data}, {"MM1", mm1}};
    rc = li2_figures_emit(F, "solutions-dynamics", "solutions-dynamics", v, 2, 0, 2.2, err);
  }
  free(data);
  if (rc || !(path = find_table(in, "orders.tsv")))
    return rc;
  rc = li2_table_read(path, &t, err);
  free(path);
  if (rc)
    return rc;
  {
    int ck = li2_table_col(&t, "k"), co = li2_table_col(&t, "order");
    nfreq = t.nrows;
    if (!(order = calloc(nfreq + 1, sizeof *order))) {
      li2_table_free(&t);
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
    for (size_t r = 0; r < t.nrows; r++) {
      long k = li2_table_epoch(&t, r, ck), o = li2_table_epoch(&t, r, co);
      if (k >= 1 && (size_t)k <= nfreq)
        order[k] = o;
    }
  }
  li2_table_free(&t);
  if (!(rc = rotation_figure(F, in, "ra0.tsv", "solutions-order4", 0, 4, order, nfreq, err)) &&
      !(rc = rotation_figure(F, in, "ra0.tsv", "solutions-order6", 0, 6, order, nfreq, err)))
    rc = rotation_figure(F, in, "ra1.tsv", "solutions-a1", 1, -1, order, nfreq, err);
  free(order);
  return rc;
}

/* a sweep's grid: one order histogram per setting (names from table.tsv) */
static int sweep_figure(fig_ctx *F, const char *in, li2_error *err)
{
  char *path = find_table(in, "sweep-orders.tsv"), *data = NULL, *panels, xmax[32], srows[32],
       scols[32];
  li2_table so, tab;
  size_t nset = 0, cols, rows;
  double *ymax = NULL;
  double top = 10;
  gen g;
  int rc, have_tab = 0;
  if (!path)
    return LI2_SUCCESS;
  if ((rc = li2_table_read(path, &so, err))) {
    free(path);
    return rc;
  }
  rc = data_in_out(F->out, path, "sweep-orders.tsv", &data, err);
  free(path);
  if (!rc && (path = find_table(in, "table.tsv"))) {
    rc = li2_table_read(path, &tab, err);
    have_tab = !rc;
    free(path);
  }
  if (rc) {
    li2_table_free(&so);
    free(data);
    return rc;
  }
  {
    int cs = li2_table_col(&so, "setting"), co = li2_table_col(&so, "order");
    for (size_t r = 0; r < so.nrows; r++) {
      long s = li2_table_epoch(&so, r, cs);
      double o = li2_table_num(&so, r, co);
      if (s >= 0 && (size_t)s + 1 > nset)
        nset = (size_t)s + 1;
      if (isfinite(o) && o > top)
        top = o;
    }
  }
  if (nset == 0 || nset > 10000 || !(ymax = calloc(nset, sizeof *ymax))) {
    li2_table_free(&so);
    if (have_tab)
      li2_table_free(&tab);
    free(data);
    return nset == 0 || nset > 10000 ? LI2_SUCCESS : li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  {
    /* each panel's largest count, for its y tics */
    int cs = li2_table_col(&so, "setting"), cf = li2_table_col(&so, "frequencies");
    for (size_t r = 0; r < so.nrows; r++) {
      long s = li2_table_epoch(&so, r, cs);
      double x = li2_table_num(&so, r, cf);
      if (s >= 0 && (size_t)s < nset && isfinite(x) && x > ymax[s])
        ymax[s] = x;
    }
  }
  li2_table_free(&so);
  cols = nset < 5 ? nset : 5;
  rows = (nset + cols - 1) / cols;
  if (gen_open(&g)) {
    if (have_tab)
      li2_table_free(&tab);
    free(data);
    free(ymax);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  for (size_t si = 0; si < nset; si++) {
    char title[256], q[300];
    const char *name = "";
    if (have_tab) {
      int cs = li2_table_col(&tab, "setting"), cn = li2_table_col(&tab, "name");
      for (size_t r = 0; r < tab.nrows; r++)
        if (li2_table_epoch(&tab, r, cs) == (long)si)
          name = li2_table_str(&tab, r, cn);
    }
    /* titles from the sweep's values: through li2_plot_quote, '_' spelt
     * as a space (enhanced text would make it a subscript) */
    snprintf(title, sizeof title, "%s", name);
    for (size_t i = 0; title[i]; i++)
      if (title[i] == '_')
        title[i] = ' ';
    if (!*title || li2_plot_quote(title, q, sizeof q))
      snprintf(q, sizeof q, "'setting %zu'", si);
    fprintf(g.fp, "set title %s font \",6\"\n", q);
    fprintf(g.fp, "set xlabel %s\n", si / cols == rows - 1 ? "\"solution order\" font \",6\"" : "\"\"");
    fprintf(g.fp, "set ylabel %s\n", si % cols == 0 ? "\"frequencies\" font \",6\"" : "\"\"");
    fprintf(g.fp, "set ytics %g font \",6\"\n", fmax(1, li2_figures_tick_step(ymax[si], 4)));
    fprintf(g.fp, "plot \"%s\" skip 1 using ($1 == %zu ? $2 : NaN):3 with boxes lt 1 notitle\n", data,
            si);
  }
  if (have_tab)
    li2_table_free(&tab);
  free(ymax);
  if (!(panels = gen_close(&g))) {
    free(data);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  snprintf(xmax, sizeof xmax, "%.0f.5", top);
  snprintf(srows, sizeof srows, "%zu", rows);
  snprintf(scols, sizeof scols, "%zu", cols);
  {
    li2_plot_var v[] = {{"DATA", data}, {"XMAX", xmax}, {"ROWS", srows}, {"COLS", scols},
                        {"PANELS", panels}};
    /* two columns wide beyond two panels a row, as the reference's 3 x 5 grid */
    rc = li2_figures_emit(F, "solutions-sweep-orders", "solutions-sweep-orders", v, 5, cols > 2,
                          0.3 + 1.3 * (double)rows, err);
  }
  free(panels);
  free(data);
  return rc;
}

int li2_figures_draw_solutions(fig_ctx *F, const char *in, li2_error *err)
{
  int rc;
  if ((rc = run_figures(F, in, err)) || (rc = sweep_figure(F, in, err)))
    return rc;
  return angle_figures(F, in, err);
}

int li2_solutions_figures(const char *dir, const li2_figures_params *p, li2_figures_list *list,
                          li2_error *err)
{
  fig_ctx F;
  char *gp = li2_plot_gnuplot_path();
  int rc;
  memset(list, 0, sizeof *list);
  F.out = dir;
  F.p = p;
  F.list = list;
  F.gnuplot = gp != NULL;
  free(gp);
  rc = li2_figures_draw_solutions(&F, dir, err);
  list->rendered = !rc && F.gnuplot && p->run_gnuplot && list->failed == 0;
  return rc;
}
