/* The figures of li2 plot and li2 report (see figures.h): parameters,
 * finding data, writing scripts, the stage shading and li2_figures_render.
 * The figures themselves by family: figures_run.c (a run's training),
 * figures_features.c (the learned features against the theory),
 * figures_sweep.c (a sweep); figures_impl.h joins them. */
#define _POSIX_C_SOURCE 200809L
#include "figures.h"
#include "figures_impl.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "table.h"

void li2_figures_params_default(li2_figures_params *p)
{
  memset(p, 0, sizeof *p);
  p->formats = 1u << LI2_PLOT_PDF;
  p->style = LI2_PLOT_PAPER;
  p->dpi = 300;
  p->run_gnuplot = 1;
}

int li2_figures_formats_parse(const char *s, const char *key, unsigned *mask, li2_error *err)
{
  char word[16];
  *mask = 0;
  while (s && *s) {
    size_t n = strcspn(s, ",");
    int f;
    if (n == 0 || n >= sizeof word)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: '%s' is not a list of pdf, png, svg, tex",
                           key, s);
    memcpy(word, s, n);
    word[n] = 0;
    if ((f = li2_plot_format_from_name(word)) < 0)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: unknown format '%s' (pdf, png, svg, tex)",
                           key, word);
    *mask |= 1u << f;
    s += n + (s[n] == ',');
  }
  if (!*mask)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: no format given", key);
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* finding data                                                         */

static const char *const subdirs[] = {"", "run", "maxima", "gradient", "power", NULL};

/* IN/NAME or IN/SUB/NAME for the subdirectories above; caller frees. */
char *li2_figures_find(const char *in, const char *name)
{
  for (size_t i = 0; subdirs[i]; i++) {
    char *d = *subdirs[i] ? li2_io_path(in, subdirs[i]) : strdup(in), *p;
    if (!d)
      return NULL;
    p = li2_io_path(d, name);
    free(d);
    if (p && li2_io_is_file(p))
      return p;
    free(p);
  }
  return NULL;
}

/* Reads NAME (find) into T; *FOUND = 0 and T untouched when there is none. */
int li2_figures_table_find(const char *in, const char *name, li2_table *t, int *found, li2_error *err)
{
  char *path = li2_figures_find(in, name);
  int rc;
  *found = path != NULL;
  if (!path)
    return LI2_SUCCESS;
  rc = li2_table_read(path, t, err);
  free(path);
  return rc;
}

/* The directory holding the run's checkpoints (IN or IN/run), or NULL. */
char *li2_figures_find_run(const char *in)
{
  char *p = li2_figures_find(in, "checkpoint.li2"), *slash;
  if (!p)
    return NULL;
  slash = strrchr(p, '/');
  if (slash)
    *slash = 0;
  return p;
}

/* ------------------------------------------------------------------ */
/* writing figures                                                      */

/* Scripts for every requested format, gnuplot run on each. */
int li2_figures_emit(fig_ctx *F, const char *base, const char *tmpl, const li2_plot_var *vars,
                size_t nvars, int wide, double height, li2_error *err)
{
  for (int fmt = 0; fmt < LI2_PLOT_NFORMATS; fmt++) {
    li2_plot_options o;
    char script[256];
    int rc;
    if (!(F->p->formats & (1u << fmt)))
      continue;
    li2_plot_options_default(&o);
    o.format = fmt;
    o.style = F->p->style;
    o.wide = wide;
    o.height = height;
    o.dpi = F->p->dpi > 0 ? F->p->dpi : 300;
    if ((rc = li2_plot_write_script_opt(F->out, base, tmpl, vars, nvars, &o, err)))
      return rc;
    li2_plot_names(base, fmt, script, sizeof script, NULL, 0);
    if (F->gnuplot && F->p->run_gnuplot) {
      li2_error perr = {0};
      if (li2_plot_run(F->out, script, &perr)) {
        if (!F->list->failed++)
          snprintf(F->list->first_failure, sizeof F->list->first_failure, "%s", perr.msg);
      }
    }
  }
  if (F->list->n < LI2_FIGURES_MAX)
    snprintf(F->list->name[F->list->n++], sizeof F->list->name[0], "%s", base);
  return LI2_SUCCESS;
}

void li2_figures_sb_printf(sbuf *b, const char *fmt, ...)
{
  va_list ap;
  int n;
  if (b->oom)
    return;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->oom = 1;
    return;
  }
  if (b->len + (size_t)n + 1 > b->cap) {
    size_t nc = (b->len + (size_t)n + 1) * 2;
    char *s = realloc(b->s, nc);
    if (!s) {
      b->oom = 1;
      return;
    }
    b->s = s;
    b->cap = nc;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

const char *li2_figures_sb_str(sbuf *b)
{
  if (!b->s)
    li2_figures_sb_printf(b, "%s", "");
  return b->s ? b->s : "";
}

/* ------------------------------------------------------------------ */
/* stages (li2 gradient's stages.tsv): shaded rectangles and labels     */

/* Shading for stages.tsv (li2_plot_stages), clipped to [XMIN, XMAX]. */
int li2_figures_stage_objects(const fig_ctx *F, const char *in, double xmin, double xmax, int logx,
                         sbuf *b)
{
  char *path = li2_figures_find(in, "stages.tsv"), buf[2048];
  li2_table t;
  li2_error e = {0};
  double x0[3], x1[3];
  const char *name[3];
  size_t n = 0;
  int cs, c0, c1, drawn;
  if (!path)
    return 0;
  if (li2_table_read(path, &t, &e)) {
    free(path);
    return 0;
  }
  free(path);
  cs = li2_table_col(&t, "stage");
  c0 = li2_table_col(&t, "start_epoch");
  c1 = li2_table_col(&t, "end_epoch");
  for (; c0 >= 0 && c1 >= 0 && n < t.nrows && n < 3; n++) {
    x0[n] = li2_table_num(&t, n, c0);
    x1[n] = li2_table_num(&t, n, c1);
    name[n] = cs >= 0 ? li2_table_str(&t, n, cs) : "";
  }
  drawn = li2_plot_stages(buf, sizeof buf, x0, x1, name, n, xmin, xmax, logx, F->p->style);
  li2_figures_sb_printf(b, "%s", buf);
  li2_table_free(&t);
  return drawn;
}

/* ------------------------------------------------------------------ */
/* coverage: compare.json                                               */

/* A step of 1, 2 or 5 times a power of ten giving at most N + 1 ticks
 * over [0, MAX] (the panels of the slides style hold few labels). */
double li2_figures_tick_step(double max, int n)
{
  double raw = max > 0 && isfinite(max) ? max / n : 1, p = pow(10, floor(log10(raw)));
  return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}


void li2_figures_skip(fig_ctx *F, const char *name, const char *why)
{
  size_t n = strlen(F->list->skipped);
  snprintf(F->list->skipped + n, sizeof F->list->skipped - n, "%s%s: %s", n ? "; " : "", name,
           why);
}

static int table_cols(fig_ctx *F, const char *fig, const char *file, const li2_table *t,
                      const char *const *names, int *cols, size_t n, size_t min_rows)
{
  char why[128];
  for (size_t i = 0; i < n; i++)
    if ((cols[i] = li2_table_col(t, names[i])) < 0) {
      snprintf(why, sizeof why, "%s has no %s column", file, names[i]);
      li2_figures_skip(F, fig, why);
      return 0;
    }
  if (t->nrows < min_rows) {
    snprintf(why, sizeof why, "%s has %zu row%s, a curve needs %zu", file, t->nrows,
             t->nrows == 1 ? "" : "s", min_rows);
    li2_figures_skip(F, fig, why);
    return 0;
  }
  return 1;
}

int li2_figures_table_need(fig_ctx *F, const char *in, const char *fig, const char *file,
                           const char *const *names, int *cols, size_t n, size_t min_rows,
                           li2_table *t, int *have, li2_error *err)
{
  int rc = li2_figures_table_find(in, file, t, have, err);
  if (rc || !*have)
    return rc;
  if (!table_cols(F, fig, file, t, names, cols, n, min_rows)) {
    li2_table_free(t);
    *have = 0;
  }
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */

int li2_figures_render(const char *in, const char *out, const li2_figures_params *p,
                       li2_figures_list *list, li2_error *err)
{
  li2_figures_list local;
  li2_io_stage st;
  fig_ctx F;
  char *gp;
  int rc;
  if (!list)
    list = &local;
  memset(list, 0, sizeof *list);
  if (!li2_io_is_dir(in))
    return li2_error_set(err, LI2_EIO, "%s: not a directory", in);
  /* written aside and moved into OUT at the end: an error leaves OUT as it was */
  if ((rc = li2_io_stage_begin(&st, out, err)))
    return rc;
  gp = li2_plot_gnuplot_path();
  F.out = st.dir;
  F.p = p;
  F.list = list;
  F.gnuplot = gp != NULL;
  free(gp);
  if ((rc = li2_figures_draw_grokking(&F, in, err)) || (rc = li2_figures_draw_emergence(&F, in, err)) ||
      (rc = li2_figures_draw_progress(&F, in, err)) ||
      (rc = li2_figures_draw_energy(&F, in, err)) || (rc = li2_figures_draw_coverage(&F, in, err)) ||
      (rc = li2_figures_draw_power(&F, in, err)) || (rc = li2_figures_draw_spectrum(&F, in, err)) ||
      (rc = li2_figures_draw_gf_eta(&F, in, err)) || (rc = li2_figures_draw_phase(&F, in, err)) ||
      (rc = li2_figures_draw_curves(&F, in, err)) ||
      (rc = li2_figures_draw_stage1(&F, in, err)) ||
      (rc = li2_figures_draw_solutions(&F, in, err)))
    goto fail;
  if (list->n == 0 && list->skipped[0]) {
    rc = li2_error_set(err, LI2_EINVAL, "%s: nothing to plot (%s)", in, list->skipped);
    goto fail;
  }
  if (list->n == 0) {
    rc = li2_error_set(err, LI2_EINVAL,
                       "%s: no data to plot (metrics.tsv, emergence.tsv, compare.json, "
                       "maxima.tsv, independence.tsv, sweep.tsv, power/spectrum tables or "
                       "checkpoints)",
                       in);
    goto fail;
  }
  list->rendered = F.gnuplot && p->run_gnuplot && list->failed == 0;
  li2_io_stage_msg(&st, list->first_failure, sizeof list->first_failure);
  return li2_io_stage_commit(&st, err);
fail:
  if (err)
    li2_io_stage_msg(&st, err->msg, sizeof err->msg);
  li2_io_stage_abort(&st);
  return rc;
}

