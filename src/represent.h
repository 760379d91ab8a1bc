/* Theorem 3 (target reconstruction, the paper's Section 4.4 and Appendix
 * A.2): hidden nodes at the energy's maxima plus a least-squares top layer
 * (eta = 0) reconstruct the centred target Y~ exactly.
 *
 * Construction (full table, n = M^2 pairs, sigma(x) = x^2, P x[b] = x[b^-1]).
 * For each non-trivial irrep k, m_k^2 d_k^2 = d_k^4 random vectors u in its
 * isotypic subspace H_k (dimension d_k^2: Gaussian vectors through the
 * central idempotent Pi_k = (d_k/M) sum_g conj(chi_k(g)) R_g, from the
 * character table), each giving the two nodes w = [u; +-v]:
 *   complex          u complex, v = P conj(u): the cross term of
 *                    (u[a] + v[b])^2 is 2 u[a] conj(u[b^-1]) = c_U with
 *                    U = u u^* as in the paper's proof (with v = P u it would
 *                    be u u^T, complex symmetric: the real case's span);
 *   real             u real in a real component (H_K of real dimension D_K:
 *                    d^2 for an irrep with real character, 2 d^2 for a
 *                    conjugate pair), D_K^2 vectors, v = P u: U = u u^T spans
 *                    only the symmetric operators;
 *   real_perturbed   as real with v = P u', u' = u + eps delta, delta a
 *                    Gaussian vector of H_K with |delta| = |u| (the paper's
 *                    remark after Theorem 3): U = u u'^T spans End(H_K).
 * K = 2 sum_k d_k^4 nodes (2 sum_K D_K^2 in the real modes).  Features
 * F = sigma(u[a] + v[b]) on every pair, centred over the pairs; the top
 * layer V = argmin |F~ V - Y~|_F (complex in the complex mode) by an
 * orthonormal basis of F~'s columns (classical Gram-Schmidt twice in blocks,
 * CBLAS zgemm; a column whose norm drops below rank_tol of its own is
 * dependent and dropped), so Y^ = Q Q^* Y~ is the least-squares fit.
 *
 * Prediction, from the paper's proof (Gram form sum_h <c_U(h), c_V(h)> =
 * 4 tr(U V^*), blocks of different irreps orthogonal, the fit of irrep k
 * diag(R_h^T Pi_k R_h')): irrep k carries |Y^(k)|_F^2 = M d_k^2 of
 * |Y~|_F^2 = M (M - 1).  So
 *   complex, real_perturbed: residual^2 = M sum over omitted irreps of d_k^2;
 *   real: the fit is the symmetric part of Pi_K R_h', the residual its
 *     antisymmetric part, summed over h': (M/2)(D_K - sum_{k in K} d_k nu_k)
 *     per component (nu the Frobenius-Schur indicator): 0 for d = 1 real
 *     characters, M d(d-1)/2 real type, M d^2 a conjugate pair (half its
 *     share), M d(d+1)/2 quaternionic; plus M D_K per omitted component. */
#ifndef LI2_REPRESENT_H
#define LI2_REPRESENT_H

#include <stddef.h>
#include "characters.h"
#include "error.h"
#include "group.h"

#ifdef __cplusplus
extern "C" {
#endif

enum li2_represent_mode {
  LI2_REPRESENT_COMPLEX = 0,
  LI2_REPRESENT_REAL,
  LI2_REPRESENT_REAL_PERTURBED
};

/* "complex|real|real_perturbed" <-> enum (-1 unknown). */
int li2_represent_mode_from_name(const char *name);
const char *li2_represent_mode_name(int mode);

typedef struct li2_represent_params {
  int mode;               /* enum li2_represent_mode */
  double eps;             /* real_perturbed: |u' - u| / |u| (0.1) */
  double rank_tol;        /* dependent column: norm below rank_tol of its own (1e-9) */
  unsigned long seed;     /* the random u (1) */
  const int *omit;        /* NULL, or per irrep (complex) / per real component
                           * (real modes): nonzero = no nodes there */
} li2_represent_params;

void li2_represent_params_default(li2_represent_params *p);

typedef struct li2_represent_result {
  size_t K;               /* hidden nodes */
  size_t rank;            /* rank of F~ found */
  double target_norm;     /* |Y~|_F */
  double residual;        /* |Y~ - Y^|_F */
  double predicted;       /* the residual predicted above */
  double accuracy;        /* pairs whose label has the strictly largest Re Y^ */
  double imag_max;        /* max |Im Y^| */
  double seconds;         /* wall time of the least squares */
} li2_represent_result;

/* The nodes the construction uses for component/irrep selection P (without
 * building anything): K above. */
size_t li2_represent_nodes(const li2_characters *ct, const li2_represent_params *p);

int li2_represent_run(const li2_group *g, const li2_characters *ct,
                      const li2_represent_params *p, li2_represent_result *r, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
