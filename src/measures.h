/* Progress measures of grokking for any finite group (issue 18): the
 * measures of Nanda et al. 2023 ("Progress measures for grokking via
 * mechanistic interpretability", Sec. 4-5), with the Fourier basis of Z_M
 * replaced by the real irreducible components of G (doc/mathematics.md section 3).
 *
 * Logits.  The network's outputs on the full table, L(a, b, c) for the
 * pair (a, b) (sample a M + b) and the output c.  For each output c the
 * average over the pairs with one product,
 *     Lbar_c(g) = (1/M) sum_{a b = g} L(a, b, c),
 * is a function on G; its projection on the real component k,
 * P_k Lbar_c (li2_fourier_project), is the part of the logits that is a
 * function of the product a b in component k.  For Z_M these are exactly
 * the 2-D Fourier terms cos(w_k (a + b)), sin(w_k (a + b)) that Nanda et
 * al. keep or remove.
 *   restricted  L_res(a, b, c) = sum_{k in KEY + trivial} P_k Lbar_c(a b):
 *               only the key components of the product (and the trivial
 *               one, the per-output bias), everything else ablated;
 *   excluded    L_exc = L - sum_{k in KEY} P_k Lbar_c(a b): the key
 *               components of the product removed, everything else kept.
 * Restricted loss falls when the network computes through the key
 * components; excluded loss on the training set rises when the training
 * fit depends on them (Nanda et al., Fig. 7).
 *
 * Key components: KEY given, or chosen from a spectrum (the share of the
 * first layer's power per component, li2_compare_result.spectrum): the
 * fewest components, largest share first, whose shares add up to at least
 * share_min (li2_measures_key_select).
 *
 * Sparsity: the Gini coefficient of the spectrum's non-trivial shares
 * (0: spread evenly, (n-1)/n: all power in one component).
 *
 * Memory contract: the workspace borrows G and CT (they must outlive it). */
#ifndef LI2_MEASURES_H
#define LI2_MEASURES_H

#include <stddef.h>
#include <stdio.h>
#include "characters.h"
#include "error.h"
#include "group.h"
#include "io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_measures li2_measures;

li2_measures *li2_measures_alloc(const li2_group *g, const li2_characters *ct, li2_error *err);
void li2_measures_free(li2_measures *w);

/* Split the logits L (M^2 rows of M, row a M + b) by the NKEY non-trivial
 * components KEY into RESTRICTED and EXCLUDED (each M^2 x M; either may be
 * NULL).  LI2_EINVAL for a component out of range or the trivial one. */
int li2_measures_split(li2_measures *w, const double *L, const int *key, size_t nkey,
                       double *restricted, double *excluded, li2_error *err);

/* Gini coefficient of X[0..N-1] >= 0: sum_ij |x_i - x_j| / (2 N sum x);
 * NaN when the sum is 0 or N is 0. */
double li2_measures_gini(const double *x, size_t n);

/* KEY (room for NCOMPONENTS - 1) receives the fewest non-trivial
 * components whose SPECTRUM shares (index 1..NCOMPONENTS-1; index 0, the
 * trivial component, ignored) add up to at least SHARE_MIN of their sum,
 * largest first, ties by index; returns how many. */
size_t li2_measures_key_select(const double *spectrum, size_t ncomponents, double share_min,
                               int *key);

/* The measures of one checkpoint. */
typedef struct li2_measures_row {
  long epoch;
  double train_loss, test_loss, train_acc, test_acc;
  double restricted_train_loss, restricted_test_loss, restricted_train_acc, restricted_test_acc;
  double excluded_train_loss, excluded_test_loss, excluded_train_acc, excluded_test_acc;
  double gini;            /* of the first layer's non-trivial spectrum */
  double key_share;       /* share of the first layer's non-trivial power in KEY */
  double key_nodes;       /* active nodes whose dominant component is in KEY / active nodes */
  size_t active_nodes;
} li2_measures_row;

/* The measures of the checkpoint at PATH with the NKEY key components KEY:
 * the network's logits on the full table, split (li2_measures_split), with
 * the run's loss on its training and test sets; the first layer's spectrum
 * and nodes as li2_compare_nodes gives them (no maximiser). */
int li2_measures_checkpoint(const char *path, const int *key, size_t nkey,
                            li2_measures_row *row, li2_error *err);

/* Everything for a run: key components from the run's last checkpoint
 * (KEY given: NKEY > 0; else li2_measures_key_select with SHARE_MIN on its
 * spectrum), then one row per ckpt-EPOCH.li2 (and the last checkpoint) in
 * OUTDIR/progress.tsv (written atomically).  Two-operand 2-layer runs only
 * (LI2_EUNSUP otherwise, naming the reason).  KEY_OUT (room for M) and
 * NKEY_OUT receive the key used (either may be NULL).  PROGRESS may be NULL. */
int li2_measures_run(const char *run, const int *key, size_t nkey, double share_min,
                     const char *outdir, li2_progress *progress, int *key_out, size_t *nkey_out,
                     li2_error *err);

/* progress.tsv: the header (column names) and one row. */
void li2_measures_write_header(FILE *fp);
void li2_measures_write_row(FILE *fp, const li2_measures_row *r);

#ifdef __cplusplus
}
#endif

#endif
