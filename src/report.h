/* The end-to-end Li2 report (li2 report): train a small group task to
 * generalisation, then put the theory's predictions next to what the
 * network learned.
 *
 * Stages, each a function of the report state, run in order:
 *   train     the reference trainer (train.h) into OUT/run: metrics.tsv,
 *             run.json, split.txt, ckpt-EPOCH.li2 every save_interval epochs
 *             (epoch 0 included) and checkpoint.li2;
 *   maxima    multi-start certified maximisation of the population energy
 *             (maxima.h: full table, the run's activation, raw energy) into
 *             OUT/maxima: maxima.tsv and summary.tsv, the columns of
 *             li2 maxima;
 *   gradient  G_F of the lazy stage (lazy.h) on the run's features:
 *             closed form against the chain rule at V*, independence over
 *             eta at the first and last checkpoints (and at the trainer's
 *             own eta), and the stage boundaries (stages.h) into
 *             OUT/gradient: gradient.tsv, independence.tsv, stages.tsv,
 *             stage-measures.tsv (the files of li2 gradient run=DIR);
 *   compare   predicted versus emergent features (compare.h) into OUT:
 *             compare.json, compare.tsv, power.tsv, emergence.tsv,
 *             spectrum.tsv, power/power-EPOCH.tsv;
 *   figures   every figure li2 plot can draw from OUT (figures.h), in each
 *             requested format;
 *   markdown  OUT/report.md: the predictions and the measurements, with
 *             numbers, and the figures;
 *   html      OUT/report.html: the same page self-contained, figures
 *             embedded as data: URIs (html.h), to share as one file.
 * Nothing is spawned: every stage calls the library. */
#ifndef LI2_REPORT_H
#define LI2_REPORT_H

#include <stdio.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_report_params {
  const char *out;           /* output directory */
  const char *train_config;  /* the trainer's "key=value\n" configuration */
  long maxima_starts;        /* random starts of the maxima stage */
  unsigned long maxima_seed;
  const char *eta;           /* eta grid of the independence check (li2_gradient_eta_parse) */
  const char *formats;       /* comma-separated figure formats, e.g. "pdf,png" */
  const char *style;         /* "paper" or "slides" */
  int run_gnuplot;           /* render when gnuplot is on PATH */
  int threads;               /* OpenMP threads of the maxima stage (0: default) */
  FILE *log;                 /* one line per finished stage (may be NULL) */
  const char *command;       /* the command line of the Reproduce block
                              * (li2_args_command_line; NULL: li2 report out=OUT) */
} li2_report_params;

/* Run every stage; LI2_EINVAL naming the parameter for a bad
 * configuration, else the first failing stage's status and message
 * (prefixed with the stage's name). */
int li2_report_run(const li2_report_params *p, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
