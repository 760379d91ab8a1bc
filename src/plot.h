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
 * Formats and styles (li2_plot_options): the figure is BASE.pdf (pdfcairo,
 * vector), BASE.png (pngcairo at DPI pixels per inch), BASE.svg, or
 * BASE-tex.tex with BASE-tex.pdf (cairolatex: the text is typeset by LaTeX,
 * \input{BASE-tex.tex}); the script is BASE.gp for pdf and BASE-FORMAT.gp
 * for the others.  Paper style: 3.25 in (one column) or 6.75 in (two
 * columns) wide, Helvetica 8 pt; slides: 5 in or 10 in, 14 pt, thicker
 * lines.  Style tokens filled here: @TERMINAL@ (the whole `set terminal`
 * line), @OUTPUT@, @HEIGHT@, @FONT@ ("Helvetica,8"), @KEYFONT@ (",7").
 * Templates write mathematical symbols as {/:Italic ...} (UTF-8 Greek
 * inside) and powers of ten as 10^{%L}; for tex these become $...$ with
 * the Greek letters as TeX macros, so one template serves every format.
 *
 * Templates are looked up in $LI2_DATADIR, then the installed pkgdatadir,
 * then the source tree's plots/ (uninstalled builds). */
#ifndef LI2_PLOT_H
#define LI2_PLOT_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_plot_var {
  const char *key;    /* without the @s: "DATA" */
  const char *value;
} li2_plot_var;

/* Every string from data (a file, a directory) that reaches a gnuplot script
 * goes through this: OUT receives S as a single-quoted gnuplot string when S
 * holds only letters, digits, spaces and " .,:;()[]+-/=!?*" and fits in N
 * bytes (0 returned); otherwise -1 and S must not be used.  Single quotes
 * keep gnuplot from substituting `...`, and the character set keeps S from
 * closing the string or meaning anything to enhanced text or LaTeX. */
int li2_plot_quote(const char *s, char *out, size_t n);

enum li2_plot_format {
  LI2_PLOT_PDF = 0,
  LI2_PLOT_PNG,
  LI2_PLOT_SVG,
  LI2_PLOT_TEX,
  LI2_PLOT_NFORMATS
};

enum li2_plot_style {
  LI2_PLOT_PAPER = 0,
  LI2_PLOT_SLIDES
};
/* The styles' names in enum order (a name table: args.h). */
#define LI2_PLOT_STYLE_NAMES(X) X(paper) X(slides)

/* "pdf|png|svg|tex" and "paper|slides" <-> enum; -1 when unknown. */
int li2_plot_format_from_name(const char *name);
const char *li2_plot_format_name(int format);
int li2_plot_style_from_name(const char *name);
const char *li2_plot_style_name(int style);

typedef struct li2_plot_options {
  int format;       /* enum li2_plot_format (pdf) */
  int style;        /* enum li2_plot_style (paper) */
  int wide;         /* 0: one column, 3.25 in; 1: two columns, 6.75 in */
  double height;    /* inches at paper scale (2.2); slides scale it */
  int dpi;          /* PNG pixels per inch (300) */
} li2_plot_options;

void li2_plot_options_default(li2_plot_options *o);

/* Size of the figure: inches, and pixels for PNG (width and height at
 * o->dpi, rounded). */
void li2_plot_size(const li2_plot_options *o, double *width_in, double *height_in,
                   long *width_px, long *height_px);

/* File names for figure BASE in o->format: the script's base (BASE, or
 * BASE-png ...; run it with li2_plot_run) and the figure (BASE.pdf,
 * BASE.png, BASE.svg, BASE-tex.tex). */
void li2_plot_names(const char *base, int format, char *script, size_t nscript, char *figure,
                    size_t nfigure);

/* Path of template NAME ("flow" -> .../flow.gp), caller frees.  LI2_EIO
 * naming the directories searched when it is not found. */
int li2_plot_template_path(const char *name, char **path, li2_error *err);

/* Write DIR/BASE.gp from template NAME with VARS substituted (pdf, paper
 * style, one column; a HEIGHT variable such as "3.2in" sets the height). */
int li2_plot_write_script(const char *dir, const char *base, const char *name,
                          const li2_plot_var *vars, size_t nvars, li2_error *err);

/* The same for any format and style: writes the script named by
 * li2_plot_names (a HEIGHT variable overrides o->height). */
int li2_plot_write_script_opt(const char *dir, const char *base, const char *name,
                              const li2_plot_var *vars, size_t nvars,
                              const li2_plot_options *o, li2_error *err);

/* Stage shading, the one drawing of a run's stages I, II, III (stages.h)
 * behind the data (li2 plot's figures, li2 gradient's grokking-stages):
 * for i < N (at most 3), a translucent rectangle from X0[i] to X1[i] in
 * the stage's colour (Okabe-Ito sky blue, orange, green) and NAME[i]
 * centred over it (the geometric centre on a log axis), at alternating
 * heights so short early stages do not overlap (font 7, 12 in the slides
 * STYLE).  X0[i] NaN: not reached, nothing drawn; X1[i] NaN: open, to XMAX;
 * both clipped to [XMIN, XMAX] (XMIN > 0 on a log axis), an empty stage
 * skipped.  A NAME[i] that li2_plot_quote refuses (or NULL) gets no label.
 * The gnuplot commands go to BUF (SIZE bytes, NUL-terminated); returns
 * the number of stages drawn, -1 (BUF empty) when they do not fit. */
int li2_plot_stages(char *buf, size_t size, const double *x0, const double *x1,
                    const char *const *name, size_t n, double xmin, double xmax, int logx,
                    int style);

/* Full path of gnuplot found on $PATH (caller frees), or NULL. */
char *li2_plot_gnuplot_path(void);

/* Run gnuplot on DIR/BASE.gp with DIR as working directory; its messages go
 * to DIR/BASE.log (removed when empty: a log left behind holds gnuplot's
 * warnings).  LI2_EUNSUP when gnuplot is not on PATH, LI2_EIO when it
 * fails. */
int li2_plot_run(const char *dir, const char *base, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
