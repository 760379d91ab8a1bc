/* The Stage II energy of one hidden node (doc/mathematics.md section 3).
 *
 * For a node w = [u; v] (u, v in R^M, two operands) the pre-activation on a
 * training pair (a, b) is z = u[a] + v[b], the feature is f = sigma(z) and
 *
 *   raw:        E(w) = 1/2 |Y~^T sigma~|^2 = 1/2 sum_h S[h]^2,
 *               S[h] = sum over training pairs of label h of (f - mean f)
 *   normalized: E(w) / |sigma~|^2      (a correlation form)
 *
 * with sigma~ = P sigma(Xw), P the centring over the n training pairs.
 * The gradient is analytic: dE/df_i = S[y_i] - mean_j S[y_j] (= P Y S),
 * chained through sigma'(z_i) and scattered to u[a_i] and v[b_i].
 *
 * Two evaluation paths, chosen once at alloc:
 *   - FFT: full data, sigma = x^2, raw energy, abelian group with a known
 *     cyclic decomposition.  E = (2/M) sum_{k != 0} |^u_k|^2 |^v_k|^2 by a
 *     (multi-dimensional) real DFT; the gradient is
 *     grad_u = (4/M) IDFT(^u_k |^v_k|^2, k != 0) and likewise for v.
 *     O(M log M); plans made once with FFTW_ESTIMATE, so results are
 *     reproducible bit for bit.
 *   - direct: any data set, activation and variant; O(n) per evaluation
 *     through the Cayley table's labels (class sums per label).
 *
 * Memory contract: the workspace borrows G and D (they must outlive it) and
 * owns its buffers; evaluation does no allocation.  One workspace per
 * thread: evaluation writes into the workspace's buffers.  _alloc is not
 * thread-safe (the FFTW planner is not); allocate workspaces serially. */
#ifndef LI2_ENERGY_H
#define LI2_ENERGY_H

#include <stddef.h>
#include "dataset.h"
#include "error.h"
#include "group.h"
#include "model.h"  /* li2_activation: the trainer's activations and names */

#ifdef __cplusplus
extern "C" {
#endif

enum li2_energy_variant {
  LI2_ENERGY_RAW = 0,       /* 1/2 |Y~^T sigma~|^2 */
  LI2_ENERGY_NORMALIZED,    /* divided by |sigma~|^2 */
  LI2_ENERGY_UNCENTRED      /* 1/2 |Y^T diag(p) sigma|^2: no centring, sample
                             * weights p (1 unless li2_energy_set_weights);
                             * Theorem 5's single-target energy, where the
                             * centred one vanishes (Y~ = 0) */
};

enum li2_energy_method {
  LI2_ENERGY_AUTO = 0,      /* FFT when allowed, else direct */
  LI2_ENERGY_FFT,           /* require the FFT path (LI2_EUNSUP otherwise) */
  LI2_ENERGY_DIRECT         /* always the direct sum */
};

#define LI2_ENERGY_VARIANT_COUNT 3
#define LI2_ENERGY_METHOD_COUNT 3
/* Name tables in enum order (li2_names_*, args.h): "raw", "normalized",
 * "uncentred"; "auto", "fft", "direct". */
#define LI2_ENERGY_VARIANT_NAMES(X) X(raw) X(normalized) X(uncentred)
#define LI2_ENERGY_CLI_VARIANT_NAMES(X) X(raw) X(normalized)  /* the commands' */
#define LI2_ENERGY_METHOD_NAMES(X) X(auto) X(fft) X(direct)
extern const char *const li2_energy_variant_names[LI2_ENERGY_VARIANT_COUNT];
extern const char *const li2_energy_method_names[LI2_ENERGY_METHOD_COUNT];

/* "raw|normalized|uncentred" <-> enum; -1 for an unknown name. */
int li2_energy_variant_from_name(const char *name);
const char *li2_energy_variant_name(int variant);

typedef struct li2_energy li2_energy;

/* Workspace for (group, data set, activation, variant).  D must have
 * nops == 2 and order == G->order. */
li2_energy *li2_energy_alloc(const li2_group *g, const li2_dataset *d,
                             li2_activation activation, int variant, int method,
                             li2_error *err);
void li2_energy_free(li2_energy *e);

/* Theorem 7 (top-down modulation, the paper's Sec. 5.2 and App. B.2): once
 * the components COMP[0..NS-1] (real components of the group, numbered as
 * by li2_fourier; no duplicates) are learned, the residual carries only the
 * others and the energy becomes
 *   E_S(w) = 1/2 |Pi_notS Y~^T sigma~|^2,   Pi_notS = I - sum_{k in S} Pi_k,
 * Pi_k the projection of label space (functions on the group) onto
 * component k (li2_fourier_project; the central idempotent
 * (d_k/M) sum_g conj(chi_k(g)) R_g of App. B.2).  The paper writes
 * E_S = 1/2 |Phi_S^* z|^2 with Phi_S's columns sqrt(d_k/M) chi_k: the same for
 * abelian groups; for non-abelian ones its character vectors keep only the
 * class-function part of a component, while Pi_k is the residual's own
 * projection (the kernel (d_k/M) chi_k(h'^-1 h) before App. B.2 factorises
 * it).  The gradient follows (Pi is symmetric); the evaluation moves to the
 * direct path (so li2_energy_hessian is LI2_EUNSUP and the certifier uses
 * differences of the gradient).  F (borrowed; one per thread, like E)
 * must be a workspace of E's group; NS = 0 restores E.  LI2_EINVAL for the
 * trivial component or one out of range. */
struct li2_fourier;
int li2_energy_set_learned(li2_energy *e, struct li2_fourier *f, const size_t *comp, size_t ns,
                           li2_error *err);

/* Dimension of w (2M), number of training pairs n, path in use
 * (LI2_ENERGY_FFT or LI2_ENERGY_DIRECT). */
size_t li2_energy_dim(const li2_energy *e);
size_t li2_energy_nsamples(const li2_energy *e);
int li2_energy_method_used(const li2_energy *e);
li2_activation li2_energy_activation(const li2_energy *e);
/* Sample weights P (n values, finite, >= 0) of the uncentred variant
 * (LI2_EINVAL for another variant). */
int li2_energy_set_weights(li2_energy *e, const double *p, li2_error *err);
/* activation=quad: sigma(x) = a x + b x^2 (Theorem 2's extension; a = b = 1
 * at alloc).  LI2_EINVAL for another activation or non-finite values. */
int li2_energy_set_quad(li2_energy *e, double a, double b, li2_error *err);
void li2_energy_quad(const li2_energy *e, double *a, double *b);
int li2_energy_variant(const li2_energy *e);
/* 1 when the data set is the full table (every pair once). */
int li2_energy_full_data(const li2_energy *e);

/* E(w) and, when GRAD is not NULL, its Euclidean gradient (dim values).
 * LI2_ENUMERIC when the result is not finite, or for the normalized variant
 * when |sigma~| = 0 (a constant feature: the correlation is undefined). */
int li2_energy_eval(li2_energy *e, const double *w, double *E, double *grad);

/* The Euclidean Hessian of E at w, H (dim x dim, row-major), analytic on
 * the FFT path: with ^u, ^v as above and k != 0,
 *   H_uu[a][b] = (4/M) sum_k |^v_k|^2 cos(k.(a-b))        (circulant)
 *   H_vv[a][b] = (4/M) sum_k |^u_k|^2 cos(k.(a-b))
 *   H_uv[a][b] = (4/M) Re sum_k (^u_k ^v_k e^{ik.(a+b)} + ^u_k conj(^v_k) e^{ik.(a-b)})
 * four c2r transforms and O(M^2) to fill.  LI2_EUNSUP on the direct path
 * (use finite differences of the gradient there). */
int li2_energy_hessian(li2_energy *e, const double *w, double *H);

/* The centred feature sigma~ on the n training pairs (n values). */
int li2_energy_feature(li2_energy *e, const double *w, double *feature);

/* The energy as the paper's proof of Theorem 2 writes it (Appendix A.1,
 * Eqs. 13-14 and 21), on the full table, sigma = x^2: z_h = <R_h, S>_F
 * summed over the pairs (a, b) with ab = h of the printed
 * S_ab = u_a^2 + v_b^2 + u_a v_b, and E_S = 1/2 sum_h (z_h - mean z)^2.
 * With the printed cross term u_a v_b in place of 2 u_a v_b this is exactly
 * 1/4 of E (Eq. 7) at every w: the squares are the same for every h and
 * cancel in the centring.  Used to show where the paper's constants come
 * from (theory/C1).  O(M^2), no workspace. */
double li2_energy_paper_s_eval(const li2_group *g, const double *w);

/* Tangent projection on the sphere through W: G -= (w.G / w.w) w, in place
 * (the Riemannian gradient of E restricted to |w| = const). */
void li2_energy_project_tangent(size_t dim, const double *w, double *g);

#ifdef __cplusplus
}
#endif

#endif
