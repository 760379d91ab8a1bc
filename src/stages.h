/* The three stages of grokking marked on a training run (doc/mathematics.md
 * sections 2, 3 and 5; li2 gradient run=DIR).
 *
 * Per checkpoint, the hidden weights W are summarised node by node: node j
 * has weights w_j = [u_j; v_j; ...] (one block of M values per operand) and
 * power p_jc = sum over blocks of |P_c u|^2 in each real irreducible
 * component c (li2_fourier_power).  From these:
 *   mass_j     = |w_j|^2;
 *   active, purity_j and dominant_j as node.h defines them (the
 *              definitions li2 compare and li2 maxima use), with ratio
 *              ACTIVE_RATIO;
 *   pure       purity_j >= PURITY (and some non-trivial power);
 *   coverage   share of the nontrivial components that are the dominant
 *              component of at least one pure active node;
 *   w_moved    |W - W_0|_F / |W_0|_F against the initialisation.
 *
 * Criteria (li2_stages_detect; documented in li2(1)):
 *   Stage I  (lazy learning, section 2) ends at the first logged epoch
 *            whose training accuracy reaches FIT_ACC: the top layer has fit
 *            the training set on features that have not specialised yet
 *            (w_moved there is reported: with Adam every weight moves by
 *            about lr per step, so "little" is relative).
 *   Stage II (independent feature learning, section 3) ends at the first
 *            checkpoint after that where at least PURE_NODES active nodes
 *            are pure: single-component features have emerged from the
 *            energy ascent and start to shape each other's gradients.
 *   Stage III (interaction, section 5) ends at the first checkpoint after
 *            that where the coverage is complete (top-down modulation has
 *            driven nodes to the missing components) and the test accuracy
 *            is on its plateau (it stays within PLATEAU of the best test
 *            accuracy of the run from there on); runs without a test set
 *            use coverage alone.
 * Measured on the Z_71 weight-decay run of the reference (K = 2048,
 * n = 2016, Adam, wd 2e-4) and on Z_23 runs, the pure fraction of the
 * active nodes keeps rising long after coverage is complete (the remaining
 * nodes sharpen and decay), so "most nodes pure" would place the end of
 * Stage II after generalisation; the first pure nodes coincide with the
 * onset of the test-accuracy rise instead.
 * A stage that has not ended by the last epoch is open (end -1). */
#ifndef LI2_STAGES_H
#define LI2_STAGES_H

#include <stddef.h>
#include <stdio.h>
#include "error.h"
#include "fourier.h"
#include "io.h"
#include "runfiles.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_stages_params {
  double fit_acc;        /* 0.99 */
  double active_ratio;   /* 0.1 */
  double purity;         /* 0.9 */
  size_t pure_nodes;     /* 1 */
  double plateau;        /* 0.01 */
} li2_stages_params;

void li2_stages_params_default(li2_stages_params *p);

/* Summary of one checkpoint's hidden weights. */
typedef struct li2_stages_point {
  long epoch;
  double w_moved;        /* |W - W_0| / |W_0| (NaN without W_0) */
  size_t nactive;        /* active nodes */
  double purity;         /* mean purity of the active nodes */
  size_t npure;          /* active nodes that are pure */
  double pure_fraction;  /* npure / nactive */
  double coverage;       /* share of nontrivial components covered */
  size_t covered;        /* number of them */
} li2_stages_point;

/* One row of a run's metrics.tsv (li2_runfiles_metrics_read). */
typedef li2_runfiles_metric li2_stages_metric;

typedef struct li2_stage {
  int stage;             /* 1, 2, 3 */
  long start, end;       /* end -1: not ended */
  const char *criterion; /* what ended it, or "open" */
} li2_stage;

/* Workspace for checkpoints of K nodes over a group of order M with NOPS
 * operands; F (borrowed) is the group's Fourier workspace. */
typedef struct li2_stages_work li2_stages_work;
li2_stages_work *li2_stages_work_alloc(li2_fourier *f, size_t M, size_t K, int nops,
                                       li2_error *err);
void li2_stages_work_free(li2_stages_work *w);

/* Summarise W ((nops M) x K row-major, the model's layout); W0 (same
 * layout, may be NULL) is the initialisation.  PT->epoch is left alone. */
int li2_stages_measure(li2_stages_work *w, const li2_stages_params *p, const double *W,
                       const double *W0, li2_stages_point *pt, li2_error *err);

/* Node view after li2_stages_measure: purity, dominant component (0: no
 * non-trivial power) and mass of node J; active flag. */
void li2_stages_node(const li2_stages_work *w, size_t j, double *purity, size_t *dominant,
                     double *mass, int *active);

/* Stage boundaries from the metrics (in epoch order) and the checkpoint
 * summaries (in epoch order) by the criteria above.  OUT[0..2] = stages
 * I, II, III; each starts where the previous one ended. */
int li2_stages_detect(const li2_stages_params *p, const li2_stages_metric *rows, size_t nrows,
                      const li2_stages_point *pts, size_t npts, li2_stage out[3],
                      li2_error *err);

/* ---- a run's checkpoints ----
 * Summaries of the checkpoint files PATHS[0..N-1] of one run (in epoch
 * order, e.g. from li2_checkpoint_list) into *PTS (malloc'ed, N
 * points with their epochs).  W_0 is the initialisation: the trainer of
 * the first checkpoint reset to its seed (li2_trainer_set).  LI2_EFORMAT
 * naming the file whose dimensions differ from the first's.  PROGRESS
 * (may be NULL) counts the checkpoints. */
int li2_stages_checkpoints_measure(const li2_stages_params *p, char *const *paths, size_t n,
                                   li2_stages_point **pts, li2_progress *progress,
                                   li2_error *err);

/* ---- the files of li2 gradient run=DIR ----
 * stages.tsv (stage, start_epoch, end_epoch, criterion) and
 * stage-measures.tsv (one row per point) in DIR. */
int li2_stages_write(const char *dir, const li2_stage st[3], const li2_stages_point *pts,
                     size_t npts, li2_error *err);

/* "I", "II", "III" for STAGE 1, 2, 3. */
const char *li2_stages_name(int stage);

/* An epoch as li2's tables write it: the number, or "-" when negative
 * (unknown, not reached, open). */
void li2_stages_epoch_print(FILE *fp, long epoch);

#ifdef __cplusplus
}
#endif

#endif
