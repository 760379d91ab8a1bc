/* Predicted versus emergent features: does each hidden node of a trained
 * network sit at a local maximum of the Stage II energy that the theory
 * predicts (doc/mathematics.md section 3)?
 *
 * Per node j with w_j = [u_j; v_j] (two operands; column j of the model's W):
 *   norm        |w_j|; a node is active when |w_j| >= active_ratio max_i |w_i|
 *               (weight decay switches unused nodes off);
 *   power       |P_c u_j|^2 and |P_c v_j|^2 per real irreducible component c
 *               (li2_fourier_power);
 *   component   the dominant non-trivial component and its purity: its share
 *               of the non-trivial power of u and v together (the classifier
 *               of maxima.h, so both modules agree on the definition);
 *   phases      abelian groups: carg of the Fourier coefficient of u and of v
 *               at the component's first irrep (for Z_M the frequency k);
 *               NaN otherwise;
 *   energy      E(w_j/|w_j|) on the unit sphere, against the predicted level
 *               M/(2 d_R) of its component (NaN where the theorem does not
 *               apply: activation other than sqr, energy variant other than
 *               raw, or data other than the full table);
 *   angle       degrees between w_j/|w_j| and the end point of the maximiser
 *               (maxima.h) started there; the end point is certified (label
 *               max/saddle/degenerate) and its energy recorded.
 * A node is at a predicted maximum when it is active, its purity exceeds
 * purity_min and the angle is below angle_max.
 *
 * Aggregates: the fraction of active nodes at a predicted maximum; the
 * nodes per component (active nodes by dominant component, the reference's
 * "solution order" counts); coverage: the non-trivial components with at
 * least one active node at a predicted maximum, and the missing ones.
 *
 * Which energy: by default the population energy (the full table), the
 * landscape whose maxima the theorem describes; data=train uses the run's
 * training set instead (doc/mathematics.md section 4: its maxima may differ).
 *
 * Memory contract: the workspace borrows G and CT (they must outlive it)
 * and owns everything else; results are owned by the caller and released
 * with li2_compare_result_free (NULL accepted).  Deterministic: no random
 * numbers are drawn. */
#ifndef LI2_COMPARE_H
#define LI2_COMPARE_H

#include <stddef.h>
#include <stdio.h>
#include "characters.h"
#include "dataset.h"
#include "error.h"
#include "group.h"
#include "io.h"
#include "maxima.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

enum li2_compare_data {
  LI2_COMPARE_FULL = 0,   /* population energy: every pair of the table */
  LI2_COMPARE_TRAIN       /* the run's training set */
};

typedef struct li2_compare_params {
  double active_ratio;    /* active when |w_j| >= active_ratio max |w| (0.1) */
  double purity_min;      /* at a predicted maximum: purity > purity_min (0.9) */
  double angle_max;       /* ... and angle < angle_max degrees (10) */
  int data;               /* enum li2_compare_data (full) */
  int variant;            /* enum li2_energy_variant (raw) */
  int maximise;           /* run the maximiser from every active node (1);
                           * 0: angle NaN and the angle test is skipped */
  int certify;            /* certify the maximiser's end points (1) */
  int transformer_ok;     /* a transformer checkpoint gives a result with
                           * transformer = 1 and no node analyses (0:
                           * LI2_EUNSUP, the analyses are the 2-layer
                           * network's) */
  li2_maxima_params maxima; /* radius is forced to 1 */
} li2_compare_params;

void li2_compare_params_default(li2_compare_params *p);

typedef struct li2_compare_node {
  double norm, norm_u, norm_v;
  int active;
  int component;          /* dominant non-trivial component, -1: none */
  double purity;
  double phase_u, phase_v;/* radians in (-pi, pi]; NaN for non-abelian groups */
  double energy;          /* E(w/|w|) */
  double predicted;       /* M/(2 d_R) of the component, or NaN */
  double angle;           /* degrees moved by the maximiser, NaN if not run */
  double energy_end;      /* energy at the maximiser's end point (NaN if not run) */
  int label_end;          /* enum li2_maxima_label of the end point, -1 if not certified */
  int component_end;      /* dominant component of the end point, -1 if not run */
  long iterations;        /* maximiser iterations */
  int at_max;             /* at a predicted maximum (see above) */
} li2_compare_node;

typedef struct li2_compare_result {
  size_t M, K, ncomponents;
  int transformer;        /* a transformer run (transformer_ok): only M, group
                           * and epoch are set, no node is analysed */
  char *group;            /* the group's name, NULL if unknown */
  long epoch;             /* of the checkpoint, -1 if unknown */
  double train_acc, test_acc;  /* NaN if unknown */
  li2_compare_node *nodes;     /* K */
  double *power_u, *power_v;   /* K x ncomponents, row-major */
  int *real_dim;               /* ncomponents: d_R (0 for the trivial one) */
  size_t active_nodes, at_max_nodes;
  double at_predicted_max_fraction;  /* at_max_nodes / active_nodes (NaN if none) */
  double mean_purity;          /* over active nodes */
  size_t *nodes_per_component; /* ncomponents: active nodes by dominant component */
  size_t *at_max_per_component;/* ncomponents: of those, at a predicted maximum */
  size_t ncovered, nmissing;
  int *covered;                /* ncovered component indices, ascending */
  int *missing;                /* nmissing non-trivial components not covered */
  double *spectrum;            /* ncomponents: share of the total non-trivial power
                                * of all nodes, sum_j (|P_c u_j|^2 + |P_c v_j|^2) */
} li2_compare_result;

void li2_compare_result_free(li2_compare_result *r);

/* Which of li2's analyses apply to a transformer run (model_type=transformer,
 * issue 18), and why: li2 compare and li2 report print this one table. */
typedef struct li2_compare_scope {
  const char *analysis;   /* what it computes */
  const char *command;    /* the li2 command that computes it */
  int applies;
  const char *why;
} li2_compare_scope;
/* The table and its length. */
const li2_compare_scope *li2_compare_transformer_scope(size_t *n);

typedef struct li2_compare li2_compare;

/* Workspace for the group G (with its characters CT), the activation, and
 * the training set D (used only with data=train; may be NULL otherwise).
 * LI2_EINVAL for data=train without D or for parameters out of range. */
li2_compare *li2_compare_alloc(const li2_group *g, const li2_characters *ct,
                               const li2_dataset *d, li2_activation act,
                               const li2_compare_params *p, li2_error *err);
void li2_compare_free(li2_compare *c);

/* Analyse the K nodes of W, laid out as the model's first layer:
 * (2M) x K row-major, W[a K + j] = u_j[a], W[(M + b) K + j] = v_j[b].
 * The result's epoch and accuracies are left unknown (-1, NaN). */
int li2_compare_nodes(li2_compare *c, const double *W, size_t K,
                      li2_compare_result **out, li2_error *err);

/* Power per component only (no energy, no maximiser): POWER_U and POWER_V
 * (K x ncomponents each) for the nodes of W as above. */
int li2_compare_power(li2_compare *c, const double *W, size_t K, double *power_u,
                      double *power_v, li2_error *err);

/* A trainer checkpoint: loads it with li2_trainer_load (group, split,
 * parameters), measures train and test accuracy at its parameters and
 * analyses its nodes.  The checkpoint must have num_of_ops = 2 (LI2_EUNSUP
 * otherwise) and be of the 2-layer network (a transformer run: LI2_EUNSUP,
 * or with P->transformer_ok a result that says so; the checkpoint is read
 * once either way). */
int li2_compare_checkpoint(const char *path, const li2_compare_params *p,
                           li2_compare_result **out, li2_error *err);

/* Everything `li2 compare` does for a run, written to OUTDIR (created):
 * compare.tsv, power.tsv and compare.json for the checkpoint of RUN at
 * EPOCH (< 0: the latest, checkpoint.li2), and with EMERGENCE (RUN a run
 * directory) emergence.tsv and spectrum.tsv over every ckpt-EPOCH.li2,
 * with OUTDIR/power/power-EPOCH.tsv for each.  PROGRESS may be NULL.  *OUT (may be
 * NULL) receives the analysed checkpoint's result (caller frees).  A
 * transformer run with P->transformer_ok writes nothing: *OUT says
 * transformer = 1. */
int li2_compare_run(const char *run, long epoch, const li2_compare_params *p,
                    const char *outdir, int emergence, li2_progress *progress,
                    li2_compare_result **out, li2_error *err);

/* ---- output ---- */

/* compare.tsv: one row per node (header line first). */
void li2_compare_write_tsv(FILE *fp, const li2_compare_result *r);
/* power.tsv: node x component power (u + v) matrix for heatmaps, nodes
 * ordered by (active first, dominant component, purity descending); the
 * first column is the node index, the rest the share of the node's
 * non-trivial power per non-trivial component. */
void li2_compare_write_power(FILE *fp, const li2_compare_result *r);
/* power.tsv's order of the nodes: ORD[0..K-1] (the caller's) the node
 * indices, active first, then by dominant component, purity descending. */
void li2_compare_power_order(const li2_compare_result *r, size_t *ord);
/* Share of node J's non-trivial power (u + v) in component K (1-based; 0
 * for a node without power): the cells of power.tsv. */
double li2_compare_power_share(const li2_compare_result *r, size_t j, size_t k);
/* compare.json: active_nodes, at_predicted_max_fraction, coverage,
 * missing, nodes_per_component, test_acc and more (see li2(1)). */
void li2_compare_write_json(FILE *fp, const li2_compare_result *r,
                            const li2_compare_params *p);
/* One row of the emergence curve (emergence.tsv); with HEADER the column
 * names first. */
void li2_compare_write_emergence_row(FILE *fp, const li2_compare_result *r, int header);
/* One row of spectrum.tsv: epoch, then the spectrum share of every
 * non-trivial component; with HEADER the column names first. */
void li2_compare_write_spectrum_row(FILE *fp, const li2_compare_result *r, int header);

#ifdef __cplusplus
}
#endif

#endif
