/* The figures of li2 plot and li2 report: each one a template in plots/
 * (plot.h) and a data writer here.  Every figure for which data is found
 * is drawn; its script (NAME.gp, or NAME-FORMAT.gp for formats other than
 * pdf) and its data (NAME.dat, tab-separated, a header line first) are
 * written next to it, so the output directory can be moved and re-plotted
 * by hand.
 *
 * Data is looked up in IN and in its subdirectories run/, maxima/,
 * gradient/ and power/ (the layout of li2 report):
 *   grokking      metrics.tsv (li2 train): train and test accuracy and loss
 *                 against epoch; stages shaded from stages.tsv (li2
 *                 gradient) when present;
 *   emergence     emergence.tsv (li2 compare): fraction of the active nodes
 *                 at a predicted maximum, coverage and test accuracy over
 *                 the checkpoints (stages shaded as above);
 *   power         power.tsv and power-EPOCH.tsv (li2 compare): node x
 *                 component power heatmaps at chosen epochs (at most 4;
 *                 by default the first, two in between and the last), one
 *                 panel each;
 *   spectrum      spectrum.tsv (li2 compare): share of the hidden layer's
 *                 power per component against epoch (heatmap);
 *   energy        maxima.tsv (li2 maxima) with the predicted levels
 *                 M/(2 d_R) from summary.tsv, and the trained nodes'
 *                 energies E(w_j/|w_j|) from compare.tsv when present;
 *   gf-eta        independence.tsv (li2 gradient): |G_F - its large-eta
 *                 form| / |G_F| and the own-feature share against eta;
 *   coverage      compare.json (li2 compare): active nodes per component,
 *                 those at a predicted maximum, missing components marked;
 *   phase         sweep.tsv, or results.tsv of li2 sweep (columns M,
 *                 train_fraction, test_acc; one row per run): mean test
 *                 accuracy over (M, training fraction), each M's boundary
 *                 where it first reaches 0.9 (phase-boundary.dat), the fit
 *                 c log(M)/M (phase-fit.json, phase.h) and the reference
 *                 boundary 2.7482 log(M)/M;
 *   stage1        metrics.tsv of a run with stage1_stats (li2 train): the
 *                 paper's Fig. 3 diagnostics, |G_F|, the off/diagonal
 *                 ratios of F~^T F~ and P F F^T (with 8%), the cosine
 *                 distances of W and V to the previous epoch.
 *
 * Memory contract: no state is kept between calls. */
#ifndef LI2_FIGURES_H
#define LI2_FIGURES_H

#include <stddef.h>
#include "error.h"
#include "plot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* room for every figure li2 draws at once: 11 of a run or sweep (grokking,
 * emergence, progress, energy, coverage, power, spectrum, gf-eta, phase,
 * curves, stage1) and 9 of li2 solutions (3 angle histograms, 3 rotation
 * figures, orders, dynamics, sweep orders): 20; 16 lost names */
#define LI2_FIGURES_MAX 32

typedef struct li2_figures_params {
  unsigned formats;         /* bit mask: 1u << LI2_PLOT_PDF | 1u << LI2_PLOT_PNG ... */
  int style;                /* enum li2_plot_style */
  int dpi;                  /* PNG resolution (300) */
  const long *epochs;       /* heatmap epochs; NULL: automatic */
  size_t nepochs;
  int run_gnuplot;          /* run gnuplot when it is on PATH */
} li2_figures_params;

void li2_figures_params_default(li2_figures_params *p);

typedef struct li2_figures_list {
  size_t n;                            /* figures written */
  char name[LI2_FIGURES_MAX][32];      /* their base names */
  int rendered;                        /* gnuplot ran on every script */
  size_t failed;                       /* scripts gnuplot failed on */
  char first_failure[512];             /* the first failure's message */
  char skipped[512];                   /* figures whose data were found but cannot be
                                          drawn: "NAME: why; ..." (empty: none) */
} li2_figures_list;

/* Draw every figure whose data is found under IN into OUT (created).
 * LIST (may be NULL) receives what was written.  A gnuplot failure is
 * recorded in LIST, not returned: the scripts and data are still there;
 * LI2_EINVAL when IN holds no data for any figure. */
int li2_figures_render(const char *in, const char *out, const li2_figures_params *p,
                       li2_figures_list *list, li2_error *err);

/* Parse "pdf,png" into a bit mask of formats; LI2_EINVAL naming KEY. */
int li2_figures_formats_parse(const char *s, const char *key, unsigned *mask, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
