/* Repulsion of similar features (the paper's Theorem 6, Sec. 5.1).
 *
 * For features F (n x K) on the training samples, F~ = P F (centred over
 * samples) and B = (F~^T F~ + eta I)^{-1}, the paper states
 *   [F~ B]_j = b_jj f~_j + sum_l b_jl f~_l                        (Eq. 9)
 *   sign(b_jl) = -sign(f~_j^T P_{eta,-jl} f~_l),
 *   P_{eta,-jl} = I - F~_{-jl} (F~_{-jl}^T F~_{-jl} + eta I)^{-1} F~_{-jl}^T,
 * F~_{-jl} being F~ without columns j and l.  Its proof (App. B.1) gives the
 * value too: with s_ab = f~_a^T P_{eta,-jl} f~_b,
 *   b_jl = -s_jl / ((eta + s_jj)(eta + s_ll) - s_jl^2).
 *
 * li2_repulsion_compute obtains B from one Cholesky factor of the K x K
 * Gram matrix, and independently, for every pair j < l, s_jj, s_ll, s_jl
 * from a fresh Cholesky solve of the (K-2) x (K-2) system without j and l
 * (O(K^5) in all: meant for K up to a few hundred).  It counts the pairs
 * whose signs agree exactly (sign in {-1, 0, +1}), reports the smallest
 * |b_jl| (near-zero pairs are where a sign is fragile), the largest
 * deviation of b_jl from the proof's closed value, and the column
 * identity: the proof's form b_jj f~_j + sum_{l != j} b_lj f~_l, and the
 * printed Eq. 9 (whose sum over l = 1..K counts b_jj f~_j twice). */
#ifndef LI2_REPULSION_H
#define LI2_REPULSION_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_repulsion_stats {
  double eta;
  size_t n, K;
  size_t pairs;          /* K (K - 1) / 2 */
  size_t agree;          /* sign(b_jl) == -sign(s_jl) */
  size_t similar;        /* pairs with s_jl > 0 (residually similar) */
  size_t similar_repel;  /* ... of which b_jl < 0 */
  double min_abs_b;      /* smallest |b_jl|, j != l */
  double max_abs_b;      /* largest |b_jl|, j != l */
  double min_abs_s;      /* smallest |s_jl| */
  double value_rel;      /* max |b_jl + s_jl / det| / max |b_jl| */
  double identity_rel;   /* max_j |[F~B]_j - (b_jj f~_j + sum_{l != j} b_lj f~_l)| / |[F~B]_j| */
  double printed_rel;    /* the same for Eq. 9 as printed (l = 1..K plus b_jj f~_j) */
} li2_repulsion_stats;

/* The check on F (n x K, row-major, uncentred: centred here) at ETA > 0
 * (ETA = 0 needs F~ of full column rank; LI2_ENUMERIC otherwise).
 * LI2_EINVAL for K < 2 or n = 0. */
int li2_repulsion_compute(size_t n, size_t K, const double *F, double eta,
                          li2_repulsion_stats *st, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
