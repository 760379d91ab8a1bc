/* Stage I of the paper (Sec. 3 "Stage I: Lazy Learning (Overfitting)"):
 * Proposition 1 (the top layer's gradient flow with the hidden layer
 * fixed), Lemma 1 (the structure of G_F for random W and large K) and the
 * diagnostics of Fig. 3 on trainer runs.
 *
 * Notation (paper Eqs. 1-5): F (n x K) hidden activations on the n
 * training samples, F~ = P F and Y~ = P Y centred over samples, S =
 * Y~ Y~^T F~ (the "signal" term), and the lazy-stage loss
 *   J(V) = 1/2 |P (Y - F V)|^2 + eta/2 |V|^2,  G_F = (Y~ - F~ V) V^T (Eq. 2).
 * All matrices row-major doubles.  Each _alloc has a _free accepting NULL. */
#ifndef LI2_STAGE1_H
#define LI2_STAGE1_H

#include <stddef.h>
#include "dataset.h"
#include "error.h"
#include "gradient.h"
#include "model.h"
#include "train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Proposition 1: dV/dt = -dJ/dV with F fixed ----
 * The flow is linear: V(t) = V_r + exp(-(A + eta I) t) (V(0) - V_r) with
 * A = F~^T F~ and V_r = (A + eta I)^{-1} F~^T Y~ (V_ridge of Eq. 4), solved
 * exactly in A's eigenbasis (a mode with lambda + eta = 0 grows linearly
 * in its forcing, which is zero for null modes of F~). */
typedef struct li2_stage1_flow li2_stage1_flow;

/* G (borrowed; li2_gradient_set done) and ETA >= 0: eigendecomposition of
 * F~^T F~ (K^3: K = 2048 takes about a minute with GSL). */
li2_stage1_flow *li2_stage1_flow_alloc(li2_gradient *g, double eta, li2_error *err);
void li2_stage1_flow_free(li2_stage1_flow *f);

/* Another ETA >= 0 for the same features (no new eigendecomposition);
 * start again afterwards. */
void li2_stage1_flow_set_eta(li2_stage1_flow *f, double eta);

/* Start the flow at V0 (K x M). */
void li2_stage1_flow_start(li2_stage1_flow *f, const double *V0);

/* V(t) (K x M, may be NULL) and G_F(t) (n x K, may be NULL); t = INFINITY
 * gives the limit. */
void li2_stage1_flow_at(li2_stage1_flow *f, double t, double *V, double *GF);

/* Largest eigenvalue of F~^T F~, and the slowest rate lambda_k + eta over
 * the modes the start excites (|V(0) - V_r| in the mode above 1e-12 of the
 * largest): the rate of the exponential approach Prop. 1 states. */
double li2_stage1_flow_lambda_max(const li2_stage1_flow *f);
/* Smallest eigenvalue of F~F~^T on the centred space (the (n-1)-th largest
 * of F~^T F~; 0 when K < n - 1): G_F(inf) = O(eta) needs eta below it. */
double li2_stage1_flow_centred_min(const li2_stage1_flow *f);
double li2_stage1_flow_slowest_rate(const li2_stage1_flow *f);

/* Prop. 1 at one alpha: V(0) ~ N(0, alpha^2) from an MT19937 seeded with
 * SEED; NT times log-spaced on [1e-8, 10] / lambda_max for Eq. 3. */
typedef struct li2_stage1_prop1 {
  double alpha, eta;
  double gf0;          /* |G_F(0)|_F */
  double gf0_pred;     /* alpha sqrt(K) |Y~|_F: sqrt(E |alpha Y~ Z^T|^2), the O(alpha) leading term */
  double eq3_best;     /* min over t of |G_F(t) - t S| / |t S| */
  double t_best;       /* its t (paper time units) */
  double eq3_slope0;   /* alpha = 0 only: d log|G_F(t) - t S| / d log t at the two smallest t (predicted 2) */
  double gf_peak, t_peak;  /* max over the grid and t = 1e3 / rate of |G_F(t)| */
  double gf_inf;       /* |G_F(inf)| */
  double limit_rel;    /* |G_F(inf) - Eq. 4| / |Eq. 4| (Eq. 4 by li2_gradient_closed_form) */
  double rate_pred;    /* li2_stage1_flow_slowest_rate */
  double rate_meas;    /* -d log|G_F(t) - G_F(inf)| / dt between t = 20 and 40 / rate_pred
                          (G_F(t) - G_F(inf) from V(t) - V_r, without cancellation) */
} li2_stage1_prop1;

int li2_stage1_prop1_compute(li2_stage1_flow *f, double alpha, unsigned long seed, size_t nt,
                             li2_stage1_prop1 *out, li2_error *err);

/* ---- Lemma 1 ---- */

/* Features of the one-hot pairs of D's training set for a hidden layer
 * with W ~ N(0, WSCALE^2) entries (Lemma 1's assumption 1 with WSCALE = 1)
 * from an MT19937 seeded with SEED: F (n x K) = sigma(X W). */
int li2_stage1_random_features(const li2_dataset *d, li2_activation act, size_t K, double wscale,
                               unsigned long seed, double *F, li2_error *err);

/* Mean |.| of the off-diagonal over mean |.| of the diagonal of F~^T F~
 * (K x K) and of P F F^T (n x n): the reference's compute_diag_off_diag_avg,
 * our reading of Fig. 3's "diagonal with up to 8% error".  Blockwise,
 * without forming the K x K matrix. */
void li2_stage1_diag_ratios(size_t n, size_t K, const double *F, double *ftf_ratio,
                            double *pff_ratio);

/* Lemma 1 at ETA > 0.  The proof (paper App. A) gives F F^T = K (a - b) I +
 * K b 11^T + O(K eps), so F~F~^T ~ K c1 P and F~^T F~ ~ n c2 I; measured as
 *   c1 = tr(F~F~^T) / (K (n - 1)),  c2 = tr(F~^T F~) / (n K)
 * (the same trace: n c2 = (n - 1) c1), and on the label space
 *   c1_label = |Y~^T F~|^2 / (K |Y~|^2)   (the Rayleigh quotient that acts on Y~).
 * G_F = eta (F~F~^T + eta)^{-1} Y~Y~^T F~ (F~^T F~ + eta)^{-1} (Eq. 4) is
 * computed as (1/eta) R R^T F~ with R = eta (F~F~^T + eta)^{-1} Y~ (only
 * n x n systems, so K can be large). */
typedef struct li2_stage1_lemma1 {
  size_t n, K;
  double eta;
  double c1, c2, c1_label;
  double gf_norm;      /* |G_F|_F */
  double eq5_coef;     /* eta / ((K c1 + eta)(n c2 + eta)): Eq. 5's factor */
  double lab_coef;     /* eta / (K c1_label + eta)^2: the factor when F~F~^T acts on Y~ as
                          K c1_label (F~^T F~ then has the same nonzero eigenvalues) */
  double dist_lab;     /* |G_F - lab_coef S| / |G_F| */
  double best_coef;    /* <G_F, S> / |S|^2 */
  double dist_eq5;     /* |G_F - eq5_coef S| / |G_F| */
  double dist_dir;     /* |G_F - best_coef S| / |G_F|: distance from Eq. 5's structure */
  double ftf_ratio, pff_ratio;  /* li2_stage1_diag_ratios */
} li2_stage1_lemma1;

/* DIAG: also the diagonal ratios (n K^2 + n^2 K flops; NaN without). */
int li2_stage1_lemma1_compute(size_t n, size_t K, size_t M, const double *F, const int *y,
                              double eta, int diag, li2_stage1_lemma1 *out, li2_error *err);

/* ---- Fig. 3: a trainer run's diagnostics ----
 * Train C (stage1_stats forced on) for its num_epochs, testing at every
 * epoch up to DENSE_UNTIL that is a multiple of DENSE_STEP and every
 * multiple of SPARSE_STEP after; *ROWS (malloc'ed, *NROWS) the metrics. */
int li2_stage1_trace(const li2_train_config *c, long dense_until, long dense_step,
                     long sparse_step, li2_train_metrics **rows, size_t *nrows,
                     li2_error *err);

/* Summary of a trace. */
typedef struct li2_stage1_trace_summary {
  long gf_peak_epoch;       /* epoch of the largest gf_norm after epoch 0 */
  double gf_peak, gf0;      /* that gf_norm; gf_norm at epoch 0 */
  double ftf_ratio_max, pff_ratio_max;  /* max over rows of offdiag / diag */
  long dv_peak_epoch, dw_peak_epoch;    /* epochs of the largest dv_cos, dw_cos */
  /* time centroids sum e d(e) de / sum d(e) de of the cosine distances
   * (de: gap to the previous tested epoch): when each layer moves */
  double dv_centroid, dw_centroid;
  double final_test_acc;
} li2_stage1_trace_summary;

void li2_stage1_trace_summarise(const li2_train_metrics *rows, size_t nrows,
                                li2_stage1_trace_summary *s);

#ifdef __cplusplus
}
#endif

#endif
