/* Layer-by-layer learning of a deeper network (paper Sec. 6, Fig. 9).
 *
 * Sec. 6 (Eq. 11): once the top layer V has converged, the backpropagated
 * gradient of hidden layer l is G_l ~ (D~_{l+1} Y~Y~^T D~_{l+1}) F_l, so the
 * lowest layer, which sees the input X, starts to learn first, and layer
 * l + 1 only once layer l has a decent representation.  li2's deeper
 * network is the reference's (other_layers residual layers, li2_model):
 * blocks W (lowest), L_1 .. L_r, V (top).  A trace records, every few
 * epochs, each block's relative change from its initial value and the
 * norm of the loss gradient on it; the onset of a block is the first epoch
 * at which its change reaches a fraction of its largest change. */
#ifndef LI2_DEPTH_H
#define LI2_DEPTH_H

#include <stddef.h>
#include "error.h"
#include "model.h"
#include "train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* W, L_1 .. L_16 (li2 train's other_layers <= 16), V */
#define LI2_DEPTH_MAX_BLOCKS 18

/* Blocks of M: other_layers + 2; block 0 is W, the last is V.  Block B's
 * offset and length in m->params. */
size_t li2_depth_nblocks(const li2_model *m);
void li2_depth_block(const li2_model *m, size_t b, size_t *off, size_t *len);

typedef struct li2_depth_row {
  long epoch;
  double train_acc, test_acc;
  /* |theta_b(t) - theta_b(0)|_F / |theta_b(0)|_F (NaN if theta_b(0) = 0) */
  double change[LI2_DEPTH_MAX_BLOCKS];
  /* |d mean-loss / d theta_b|_F on the training set (weight decay not
   * included: the data's pull on the block) */
  double grad[LI2_DEPTH_MAX_BLOCKS];
  /* 1 - cos(theta_b(t), theta_b(t')) with t' the previous row's epoch
   * (Fig. 3's cosine distance between consecutive weights; NaN in the
   * first row) */
  double step[LI2_DEPTH_MAX_BLOCKS];
} li2_depth_row;

/* Train configuration C from its seed for c->num_epochs, with a row at
 * epoch 0, every EVERY epochs and at the last epoch.  *ROWS (malloc'd,
 * caller frees) gets *NROWS rows; *NBLOCKS the blocks; *GROK the first
 * row's epoch with test accuracy >= 0.95 (-1: never).  LI2_EINVAL for
 * EVERY < 1 or more than 16 other_layers. */
int li2_depth_trace(const li2_train_config *c, long every, li2_depth_row **rows, size_t *nrows,
                    size_t *nblocks, long *grok, li2_error *err);

/* Onset of each of NBLOCKS blocks over N rows: the first row's epoch at
 * which change[b] >= FRAC max_t change[b] (rows after the first; -1 when
 * the block never changes or its change is NaN). */
void li2_depth_onsets(const li2_depth_row *r, size_t n, size_t nblocks, double frac,
                      long *onset);

/* Centroid in epochs of each block's movement, sum_t t step_b(t) /
 * sum_t step_b(t), over the rows from the first whose training accuracy
 * is >= ACC_FROM (0: every row; the end of Stage I, when the top layer
 * fits the training set, with ACC_FROM near 1); NaN when the block does
 * not move there or no row qualifies.  *FROM (may be NULL) gets that
 * row's epoch (-1: none). */
void li2_depth_centroids(const li2_depth_row *r, size_t n, size_t nblocks, double acc_from,
                         double *centroid, long *from);

/* Epoch of each block's largest gradient norm after epoch 0 (-1 if none). */
void li2_depth_grad_peaks(const li2_depth_row *r, size_t n, size_t nblocks, long *peak);

#ifdef __cplusplus
}
#endif

#endif
