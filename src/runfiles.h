/* The files a training run leaves in its directory, and the table of a
 * maxima search, each written here and nowhere else (li2 train out=DIR,
 * li2 report's OUT/run and OUT/maxima, li2 maxima out=DIR):
 *
 *   metrics.tsv     a header of column names, then one row per evaluation
 *                   (li2_runfiles_metrics_header, _row, _truncate; read by
 *                   column name through table.h: li2_runfiles_metrics_read,
 *                   li2 plot, li2 export)
 *   run.json        {"configuration", "metadata", "summary", "provenance",
 *                   "provenance_history"} (li2_runfiles_run_json_write; read
 *                   back by runconfig.h for config=FILE)
 *   ckpt-EPOCH.li2  the checkpoints, and checkpoint.li2 the latest, at the
 *                   cadence of li2_runfiles_save_before / _save_after
 *   summary.tsv     one row per distinct certified maximum of li2 maxima
 *                   (li2_runfiles_maxima_summary_write)
 */
#ifndef LI2_RUNFILES_H
#define LI2_RUNFILES_H

#include <stdio.h>
#include "args.h"
#include "characters.h"
#include "error.h"
#include "json.h"
#include "maxima.h"
#include "train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- metrics.tsv ---- */

/* The header line; STAGE1: with the stage1_stats columns after lr. */
void li2_runfiles_metrics_header(FILE *fp, int stage1);
/* One row of M (LR the learning rate in force), flushed and checked: a
 * full disk is an error naming PATH. */
int li2_runfiles_metrics_row(FILE *fp, const char *path, const li2_train_metrics *m, double lr,
                             int stage1, li2_error *err);
/* Keep the header and the rows of epochs before EPOCH (atomically): a
 * resumed run rewrites what follows its checkpoint.  The file is read as a
 * table (table.h): LI2_EFORMAT naming PATH and the line for one without an
 * epoch column; a blank file (a run killed before its header reached the
 * disk) gets the header of STAGE1 (li2_runfiles_metrics_header). */
int li2_runfiles_metrics_truncate(const char *path, long epoch, int stage1, li2_error *err);

/* One row of a metrics.tsv as the analyses read it. */
typedef struct li2_runfiles_metric {
  long epoch;
  double train_acc, test_acc;  /* test_acc NaN without a test set */
} li2_runfiles_metric;

/* Epoch, train_acc and test_acc of every row of PATH (columns found by
 * their header names; every row as wide as the header, epochs increasing,
 * at least one row).  *ROWS is malloc'ed.  LI2_EFORMAT naming the file and
 * the line. */
int li2_runfiles_metrics_read(const char *path, li2_runfiles_metric **rows, size_t *n,
                              li2_error *err);

/* ---- run.json ---- */

typedef struct li2_runfiles_summary {
  const char *status;          /* "completed", "early_stopped", "diverged" */
  const char *group, *kernel;
  size_t ntrain, ntest;
  long epochs, start_epoch;
  long grok_epoch;             /* < 0: null */
  li2_train_metrics last;      /* the last evaluation */
  double seconds;              /* the run's wall time */
  double iterate_seconds;      /* of the steps, over epochs - start_epoch */
  double median_epoch;         /* median step time (NaN: not measured) */
  double eval_seconds;
} li2_runfiles_summary;

/* The summary object (run.json's "summary", li2 train --json). */
void li2_runfiles_summary_json(li2_json_writer *w, const li2_runfiles_summary *s);

/* DIR/NAME parsed as JSON (li2_json_free), or NULL when it is missing,
 * unreadable or malformed. */
li2_json *li2_runfiles_json_read(const char *dir, const char *name);

/* DIR/run.json so (its configuration with line numbers: runconfig.h). */
li2_json *li2_runfiles_run_json_read(const char *dir);

/* DIR/run.json: CFG's values (config= and metadata= left out; metadata=
 * KEY=VALUE;... becomes the "metadata" object), S and this process's
 * provenance.  RESUMED keeps the provenance of the processes before it
 * (from the old DIR/run.json, oldest first) in provenance_history. */
int li2_runfiles_run_json_write(const char *dir, const li2_args *cfg,
                                const li2_runfiles_summary *s, int resumed, li2_error *err);

/* ---- checkpoints ---- */

/* Whether to write ckpt-EPOCH.li2 before the step of epoch E: with
 * init_save_range > 0, at epoch 0 and every epoch below it that is not a
 * multiple of save_interval (the reference's saves,
 * modular_addition_simple2.py:598). */
int li2_runfiles_save_before(const li2_train_config *c, long e);
/* Whether to write one after the step of epoch E (every save_interval). */
int li2_runfiles_save_after(const li2_train_config *c, long e);
/* ckpt-EPOCH.li2 at the trainer's epoch and checkpoint.li2; *SAVED = the
 * epoch on success. */
int li2_runfiles_checkpoint_save(li2_trainer *t, const char *dir, long *saved, li2_error *err);

/* ---- summary.tsv of a maxima search ---- */

/* One row per distinct certified maximum of R: component, degree,
 * indicator, real_dim (CT's; "-" for a mixed end point), energy,
 * predicted_energy, rel_error ("-" when none is predicted), count,
 * zero_modes. */
void li2_runfiles_maxima_summary_write(FILE *fp, const li2_maxima_result *r,
                                       const li2_characters *ct);

#ifdef __cplusplus
}
#endif

#endif
