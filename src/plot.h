/* Figures as editable gnuplot scripts written next to their data.
 *
 * A figure is a template, plots/NAME.gp, plus a data writer in the command
 * that makes it.  li2_plot_write_script() reads plots/style.gp (terminal,
 * font, Okabe-Ito palette: the paper style shared by every figure) and
 * plots/NAME.gp, replaces each @KEY@ token by its value and writes the
 * result atomically as DIR/BASE.gp; the figure is DIR/BASE.pdf.  @OUTPUT@
 * (BASE.pdf) and @HEIGHT@ (2.2in) have defaults; any token left unreplaced
 * is an error, so a template and its writer cannot drift apart silently.
 * Scripts name their data files relative to DIR and are run there, so a
 * directory of results can be moved and re-plotted by hand.
 *
 * Templates are looked up in $LI2_DATADIR, then the installed pkgdatadir,
 * then the source tree's plots/ (uninstalled builds). */
#ifndef LI2_PLOT_H
#define LI2_PLOT_H

#include <stddef.h>
#include "error.h"

typedef struct li2_plot_var {
  const char *key;    /* without the @s: "DATA" */
  const char *value;
} li2_plot_var;

/* Path of template NAME ("flow" -> .../flow.gp), caller frees.  LI2_EIO
 * naming the directories searched when it is not found. */
int li2_plot_template_path(const char *name, char **path, li2_error *err);

/* Write DIR/BASE.gp from template NAME with VARS substituted. */
int li2_plot_write_script(const char *dir, const char *base, const char *name,
                          const li2_plot_var *vars, size_t nvars, li2_error *err);

/* Full path of gnuplot found on $PATH (caller frees), or NULL. */
char *li2_plot_gnuplot_path(void);

/* Run gnuplot on DIR/BASE.gp with DIR as working directory; its messages go
 * to DIR/BASE.log (removed when empty).  LI2_EUNSUP when gnuplot is not on
 * PATH, LI2_EIO when it fails. */
int li2_plot_run(const char *dir, const char *base, li2_error *err);

#endif
