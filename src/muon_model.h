/* Muon and the model dynamics of the paper's Sec. 5.3 (Lemma 2, Theorem 8,
 * Eq. 10; proofs in App. B.3: Lemmas 7-10).
 *
 * Lemma 2.  For a gradient matrix G (columns: the nodes' gradients of the
 * joint energy sum_j E(w_j)) with SVD U D V^T, Muon moves along U V^T, and
 * <U V^T, G>_F = tr D = |G|_* >= 0 with equality iff G = 0.
 * li2_muon_ascent_compute measures <Q, G> for li2's exact polar factor
 * (li2_optim_polar) and its Newton-Schulz iteration
 * (li2_optim_newton_schulz) against the nuclear norm |G|_* from the
 * eigenvalues of G^T G (gsl_eigen_symm, an independent route), and the
 * norms of both directions.
 *
 * Theorem 8.  Orthonormal modes zeta_l = e_l (l = 1..L; the dynamics is
 * invariant under rotations), w = sum alpha_l e_l, Eq. 10:
 *   d alpha_l / dt = mu_l alpha_l^2       inside |alpha| < 1,
 * projected on the tangent plane of |alpha| = 1 on the sphere when the
 * velocity points outwards (Lemma 8's boundary dynamics).  alpha_l(0) are
 * i.i.d. inverse-exponential (Frechet) with CDF exp(-x^-a), scaled
 * together to |alpha(0)| = r0 (a common scale does not change the flow's
 * ordering, Lemma 8).  A node "reaches zeta_l" when alpha_l^2 >= conv.
 *   - independent: Pr[w -> zeta_l] = p_l = mu_l^a / sum mu^a (Lemmas 7-8);
 *     T0, the expected number of independent nodes until all L modes are
 *     reached, is the coupon collector's (Eq. 41)
 *         T0 = int_0^inf 1 - prod_l (1 - e^{-p_l t}) dt,
 *     and the paper bounds it below by max(1/min p_l, sum_{l<=L} 1/l) (main
 *     text) or max(min_l 1/p_l, L sum 1/l) (Lemma 10; its proof uses the
 *     rarest coupon, 1/min p_l, and L H_L).
 *   - Muon, nodes one after another (App. B.3): node j starts when nodes
 *     1..j-1 sit at the modes S already reached; its velocity is the last
 *     column of the polar factor of [mu_s e_s (s in S, deduplicated), g_j],
 *     g_j = A(w) w = mu o alpha^2 (the gradient before projection on the
 *     sphere), then the same sphere rule.  The paper's bound
 *         T_a <= 2^-a T0 + (1 - 2^-a) L      (Eq. 46; printed "=" in Thm 8)
 *     rests on Lemma 9: Muon divides the weights mu_s of the modes in S by
 *     at least 2.  li2_muon_collect can also run that reduced model directly
 *     (LI2_MUON_REDUCED: node j goes to argmax_l mu'_l alpha_l(0), with
 *     mu'_l = mu_l / 2 on S), which with equal mu gives Eq. 46 with equality.
 *
 * Integration: Heun (explicit trapezoid) steps with dt = h / max_l
 * mu_l |alpha_l| for the gradient flow (its own time scale: the flow
 * blows up like 1/(mu alpha) inside the ball), dt = h for Muon (unit
 * speed); alpha is rescaled onto the sphere when a step leaves the ball. */
#ifndef LI2_MUON_MODEL_H
#define LI2_MUON_MODEL_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Lemma 2 ---- */
typedef struct li2_muon_ascent {
  double norm_g;       /* |G|_F */
  double nuclear;      /* |G|_* (eigenvalues of G^T G) */
  double inner;        /* <polar(G), G>_F, li2_optim_polar */
  double norm_polar;   /* |polar(G)|_F */
  double inner_ns;     /* <NS(G), G>_F, li2_optim_newton_schulz */
  double norm_ns;      /* |NS(G)|_F */
} li2_muon_ascent;

/* G is R x C (row-major). */
int li2_muon_ascent_compute(size_t r, size_t c, const double *G, li2_muon_ascent *out,
                            li2_error *err);

/* ---- Theorem 8 ---- */
enum li2_muon_update {
  LI2_MUON_NONE = 0,   /* gradient flow of Eq. 10 (independent nodes) */
  LI2_MUON_POLAR,      /* Muon with the exact polar factor (li2_optim_polar) */
  LI2_MUON_NS,         /* Muon with Newton-Schulz (li2_optim_newton_schulz) */
  LI2_MUON_REDUCED     /* the proof's model: argmax of mu' alpha(0), mu' = mu/2 on S */
};

/* An inverse-exponential (Frechet) variate with CDF exp(-x^-a): (-log U)^(-1/a). */
double li2_muon_frechet(gsl_rng *r, double a);
/* P[l] = mu_l^a / sum_k mu_k^a. */
void li2_muon_probs(size_t L, const double *mu, double a, double *p);
/* Eq. 41 by GSL's QAGIU quadrature (relative accuracy 1e-10). */
double li2_muon_coupon_expected(size_t L, const double *p);
/* The lower bounds on T0: max(1/min p, H_L) as Theorem 8 prints it, and
 * max(1/min p, L H_L) as Lemma 10's proof derives it. */
double li2_muon_t0_bound_printed(size_t L, const double *p);
double li2_muon_t0_bound_lemma(size_t L, const double *p);
/* Eq. 46's right-hand side 2^-a T0 + (1 - 2^-a) L. */
double li2_muon_ta_formula(double t0, size_t L, double a);

typedef struct li2_muon_params {
  double r0;        /* |alpha(0)| (0.1) */
  double h;         /* step: relative (gradient flow) or absolute (Muon) (0.02) */
  double conv;      /* reached when alpha_l^2 >= conv (0.99) */
  long max_steps;   /* per node (1000000) */
} li2_muon_params;
void li2_muon_params_default(li2_muon_params *p);

typedef struct li2_muon_node li2_muon_node;
/* Workspace for L modes with weights MU (copied; 0 < mu_l <= 1). */
li2_muon_node *li2_muon_node_alloc(size_t L, const double *mu, const li2_muon_params *p,
                                   li2_error *err);
void li2_muon_node_free(li2_muon_node *w);

/* One node from ALPHA0 (L values > 0, any scale) with update UPDATE;
 * COLLECTED (L flags, NULL: none) the modes already reached.  *MODE: the
 * mode reached, -1 when max_steps ran out; *LEADER: argmax mu_l alpha0_l
 * (Lemma 8's predicted winner). */
int li2_muon_node_run(li2_muon_node *w, const double *alpha0, const int *collected, int update,
                      int *mode, int *leader, long *steps, li2_error *err);

/* Nodes one after another, from Frechet(A) initial values drawn from R,
 * until every mode is reached (UPDATE NONE: independent nodes; POLAR, NS:
 * each node sees the modes reached before it; REDUCED: the proof's model);
 * returns the number of nodes in *NODES, the nodes that did not converge
 * in *LOST (they count as nodes), the nodes won by their initial leader in
 * *LEADER_WINS (gradient flow) and, when HITS (L values) is not NULL, adds
 * how often each mode was reached. */
int li2_muon_collect(li2_muon_node *w, gsl_rng *r, double a, int update, size_t *nodes,
                     size_t *lost, size_t *leader_wins, size_t *hits, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
