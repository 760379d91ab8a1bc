/* Lazy-stage analysis of a network (doc/mathematics.md sections 2 and 5): what
 * `li2 gradient` and `li2 report` measure on a model's own hidden layer.
 *
 * "Backprop" G_F: doc/mathematics.md's G_F is -dL/dF of the lazy-stage loss
 *   L(F, V) = 1/2 |P (Y - F V)|^2 + eta/2 |V|^2   (P centres over samples).
 * li2_lazy_check_compute obtains it by the chain rule through the network's
 * own top layer (li2_model_forward_outputs with V = V*, dL/dO = P O - Y~
 * from li2_gradient_lazy_loss, li2_model_backward_from_outputs) and
 * compares it with the closed form
 *   eta (F~F~^T + eta I)^{-1} Y~Y~^T F~ (F~^T F~ + eta I)^{-1}
 * (li2_gradient_closed_form), which never forms V*.
 *
 * The trainer's own objective for V is (1/n) sum_s |Q o_s - (e_c - 1/M)|^2
 * + wd/2 |V|^2 (centred MSE, Q centring over the M outputs, L2 weight
 * decay as Adam/SGD add it to the gradient).  Times n/2 this is
 * 1/2 |Y_c - F V Q|^2 + (n wd/4) |V|^2: a ridge problem with eta = n wd / 2
 * (li2_lazy_trainer_eta; set_weight_reg runs: their lambda).  It differs
 * from the lazy-stage loss in centring the outputs over classes instead of
 * the features over samples (the network has no bias);
 * li2_lazy_trainer_compute reports how far the trainer's own
 * -(n/2) dLoss/dF at the model's V is from the closed form.
 *
 * Memory contract: li2_lazy borrows its model (whose V it swaps and
 * restores during li2_lazy_check_compute) and the sample arrays given to
 * li2_lazy_set; every _alloc has a _free accepting NULL; result structs
 * with arrays are released by their _clear function. */
#ifndef LI2_LAZY_H
#define LI2_LAZY_H

#include <stddef.h>
#include "characters.h"
#include "error.h"
#include "fourier.h"
#include "gradient.h"
#include "group.h"
#include "io.h"
#include "model.h"
#include "train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- one set of features: closed form against the chain rule ---- */

typedef struct li2_lazy li2_lazy;

/* Workspace for the hidden layer of model M (borrowed) on N samples;
 * LI2_EUNSUP for a model with other_layers (the closed form is for the
 * 2-layer network). */
li2_lazy *li2_lazy_alloc(li2_model *m, size_t n, li2_error *err);
void li2_lazy_free(li2_lazy *L);

/* Features F of the model on the N samples X (nops operands each) by its
 * own forward pass, with labels Y (both borrowed until the next set). */
int li2_lazy_set(li2_lazy *L, const int *x, const int *y, li2_error *err);

/* After li2_lazy_set: the features (n x K) and the loaded workspace. */
const double *li2_lazy_features(const li2_lazy *L);
li2_gradient *li2_lazy_gradient(li2_lazy *L);

/* One eta. */
typedef struct li2_lazy_check {
  long epoch;               /* of the checkpoint; -1: built features */
  double eta;
  double cf_rel;            /* |G_F(chain rule) - G_F(closed)| / |G_F(closed)| */
  double r_rel;             /* the same for the residual R */
  double gf_norm, r_norm;   /* |G_F|, |R| of the closed form */
  double lazy_loss;         /* L(F, V*) */
  double rel_distance;      /* li2_gradient_independence_of at eta */
  double own_share;
} li2_lazy_check;

/* Closed form and chain rule at ETA, and independence.  C->epoch is left
 * alone. */
int li2_lazy_check_compute(li2_lazy *L, double eta, li2_lazy_check *c, li2_error *err);

/* The same at ETA[0..NETA-1] into C[0..NETA-1], each with epoch EPOCH
 * (the independence sweep over eta). */
int li2_lazy_check_sweep(li2_lazy *L, long epoch, const double *eta, size_t neta,
                         li2_lazy_check *c, li2_error *err);

/* The trainer's own gradient beside the closed form. */
typedef struct li2_lazy_trainer {
  double eta;     /* the trainer's ridge-equivalent eta */
  double loss;    /* the trainer's loss at the model's V */
  double gf_rel;  /* |-(n/2) dLoss/dF - G_F(eta)| / |G_F(eta)| */
  double v_rel;   /* |V - (V averaged over outputs) - V*| / |V*| */
} li2_lazy_trainer;

/* The trainer's ridge-equivalent eta for N training samples: n wd / 2,
 * or set_weight_reg for ridge runs. */
double li2_lazy_trainer_eta(const li2_train_config *c, size_t n);

/* T at ETA (for information): everything NaN when ETA <= 0.  Uses the
 * model's loss on the labels of li2_lazy_set. */
int li2_lazy_trainer_compute(li2_lazy *L, double eta, li2_lazy_trainer *t, li2_error *err);

/* ---- a trainer checkpoint ---- */

typedef struct li2_lazy_checkpoint {
  long epoch;
  size_t n, K;              /* training samples, hidden nodes */
  char group[1024];         /* canonical group name */
  li2_lazy_trainer trainer; /* at the trainer's eta */
} li2_lazy_checkpoint;

/* Load the checkpoint at PATH (li2_trainer_load), take its hidden layer
 * on its training split and sweep ETA[0..NETA-1] into CHECKS; with NETA =
 * 0 the one eta is the trainer's own (LI2_EINVAL when that is 0), so
 * CHECKS needs max(NETA, 1) rows.  INFO receives the checkpoint's
 * description and li2_lazy_trainer_compute at the trainer's eta.
 * LI2_EUNSUP for a network with other_layers. */
int li2_lazy_checkpoint_analyse(const char *path, const double *eta, size_t neta,
                                li2_lazy_checkpoint *info, li2_lazy_check *checks,
                                li2_error *err);

/* gradient.tsv (epoch, eta, closed-form and residual errors, norms, lazy
 * loss) and independence.tsv (epoch, eta, rel_distance, own_share) in
 * DIR, one row per check; epoch "-" for built features. */
int li2_lazy_checks_write(const char *dir, const li2_lazy_check *c, size_t n, li2_error *err);

/* ---- built features (doc/mathematics.md section 5) ---- */

/* A 2-layer model of GROUP (two operands, activation ACT, MSE) whose
 * hidden nodes are FRESH small random ones (weights Gaussian with std.
 * deviation FRESH_SCALE) followed by one exact node of component COMP[i]
 * for i < NS (li2_gradient_exact_node), all drawn from an MT19937 seeded
 * with SEED.  Free with li2_model_free. */
li2_model *li2_lazy_model_alloc(const li2_group *group, li2_fourier *f, li2_activation act,
                                size_t fresh, double fresh_scale, const size_t *comp,
                                size_t ns, unsigned long seed, li2_error *err);

/* One step of the modulation: S holds the first STEP exact nodes. */
typedef struct li2_lazy_modulation_row {
  double eta;
  size_t step;
  double resid_in, fresh_in;          /* share inside the final S */
  double resid_in_now, fresh_in_now;  /* share inside this step's S */
  double *resid, *fresh;              /* share per component (ncomponents) */
} li2_lazy_modulation_row;

typedef struct li2_lazy_modulation {
  size_t ncomponents;       /* real components of the group */
  size_t fresh, ns;         /* fresh nodes, exact nodes */
  size_t *comp;             /* ns: component of each exact node */
  int *inside;              /* ncomponents: component in the final S */
  double baseline;          /* share of label space in S: the no-modulation value */
  li2_lazy_modulation_row *rows;
  size_t nrows;             /* in eta-major order */
} li2_lazy_modulation;

/* Top-down modulation on the features of L (li2_lazy_set done; the layout
 * of li2_lazy_model_alloc: FRESH fresh columns, then the exact nodes of
 * components COMP[0..NS-1]).  For every ETA and every step from
 * (FRESH ? 0 : 1) to NS the closed form on the first FRESH + step columns,
 * and the label-space power (li2_gradient_label_power) of R and of the
 * fresh columns of G_F as shares over the nontrivial components, summed
 * inside the final S and inside the step's S.  The baseline is
 * sum over irreducibles in S of dim^2 / (M - 1) (CT: the group's
 * characters).  PROGRESS (may be NULL) counts the steps.  Release OUT with
 * li2_lazy_modulation_clear. */
int li2_lazy_modulation_compute(li2_lazy *L, li2_fourier *f, const li2_characters *ct,
                                size_t fresh, const size_t *comp, size_t ns,
                                const double *eta, size_t neta, li2_lazy_modulation *out,
                                li2_progress *progress, li2_error *err);
void li2_lazy_modulation_clear(li2_lazy_modulation *mod);

/* The run of rows from FIRST with the eta of row FIRST: *BASE its row at
 * step 0 (NULL without fresh nodes), *LAST its row at the full S.
 * Returns the index of the next eta's first row (NROWS at the end). */
size_t li2_lazy_modulation_ends(const li2_lazy_modulation *mod, size_t first,
                                const li2_lazy_modulation_row **base,
                                const li2_lazy_modulation_row **last);

/* modulation.tsv in DIR: eta, step, the components of S in first-seen
 * order, the four sums, then the residual and fresh shares of every
 * nontrivial component. */
int li2_lazy_modulation_write(const char *dir, const li2_lazy_modulation *mod, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
