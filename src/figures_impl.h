/* Internal to the figures (figures.c, figures_run.c, figures_features.c,
 * figures_sweep.c): the drawing context, finding a figure's data, writing
 * its scripts, and one function per figure.  Not installed. */
#ifndef LI2_FIGURES_IMPL_H
#define LI2_FIGURES_IMPL_H

#include <stddef.h>
#include "figures.h"
#include "plot.h"
#include "table.h"

typedef struct {
  const char *out;
  const li2_figures_params *p;
  li2_figures_list *list;
  int gnuplot;     /* found on PATH */
} fig_ctx;

/* A growing string for generated plot commands (oom set on failure). */
typedef struct {
  char *s;
  size_t len, cap;
  int oom;
} sbuf;

void li2_figures_sb_printf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The text so far ("" when empty). */
const char *li2_figures_sb_str(sbuf *b);

/* IN/NAME or IN/{run,maxima,gradient,power}/NAME; caller frees; NULL if none. */
char *li2_figures_find(const char *in, const char *name);
/* Reads NAME (li2_figures_find) into T; *FOUND = 0 and T untouched when there is none. */
int li2_figures_table_find(const char *in, const char *name, li2_table *t, int *found,
                           li2_error *err);
/* The directory holding the run's checkpoints (IN or IN/run), or NULL. */
char *li2_figures_find_run(const char *in);

/* Scripts BASE from template TMPL for every requested format, gnuplot run
 * on each; BASE joins F's list. */
/* Record that figure NAME is not drawn although its file was found, and why
 * (li2 plot prints it: a figure is never skipped silently). */
void li2_figures_skip(fig_ctx *F, const char *name, const char *why);
/* The data of figure FIG: FILE found under IN (li2_figures_table_find) and
 * read into T.  *HAVE = 1 when T has the N columns NAMES (their indexes
 * into COLS) and at least MIN_ROWS rows: the caller draws and frees T.
 * *HAVE = 0 when there is no FILE (nothing to draw) or it fails the check
 * (the reason recorded with li2_figures_skip, T freed).  Errors reading
 * FILE are returned. */
int li2_figures_table_need(fig_ctx *F, const char *in, const char *fig, const char *file,
                           const char *const *names, int *cols, size_t n, size_t min_rows,
                           li2_table *t, int *have, li2_error *err);

int li2_figures_emit(fig_ctx *F, const char *base, const char *tmpl, const li2_plot_var *vars,
                     size_t nvars, int wide, double height, li2_error *err);
/* Stage shading of IN's stages.tsv (li2_plot_stages) appended to B. */
int li2_figures_stage_objects(const fig_ctx *F, const char *in, double xmin, double xmax,
                              int logx, sbuf *b);
/* A step of 1, 2 or 5 times a power of ten giving at most N + 1 ticks over [0, MAX]. */
double li2_figures_tick_step(double max, int n);

/* One figure each, drawn when IN holds its data (LI2_SUCCESS and nothing
 * drawn otherwise). */
int li2_figures_draw_grokking(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_emergence(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_progress(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_stage1(fig_ctx *F, const char *in, li2_error *err);
/* li2 solutions' tables (solutions_plot.c) */
int li2_figures_draw_solutions(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_power(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_spectrum(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_energy(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_gf_eta(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_coverage(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_phase(fig_ctx *F, const char *in, li2_error *err);
int li2_figures_draw_curves(fig_ctx *F, const char *in, li2_error *err);

#endif
