/* The group-arithmetic data set and its train/test split
 * (doc/mathematics.md sections 1 and 4).
 *
 * A sample is a k-tuple of operands (k = num_of_ops >= 2) whose label is
 * their product g_1 · g_2 · ... · g_k.  Samples are numbered 0..M^k-1 in
 * mixed radix (first operand most significant).  The split is a shuffle of
 * all sample numbers with GSL's mt19937 seeded by `seed`; the first n are
 * the training set.  The same (group, k, n, seed) gives the same split on
 * every machine.  Used by the trainer and by the energy landscape alike. */
#ifndef LI2_DATASET_H
#define LI2_DATASET_H

#include <stddef.h>
#include "error.h"
#include "group.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_dataset {
  size_t order;     /* M */
  int nops;         /* k */
  size_t nall;      /* M^k */
  size_t ntrain, ntest;
  int *train_x;     /* ntrain * nops operands, sample-major */
  int *train_y;     /* ntrain labels */
  int *test_x;      /* ntest * nops */
  int *test_y;      /* ntest */
} li2_dataset;

/* Split parameters with the reference trainer's names. */
typedef struct li2_split_params {
  double test_size;            /* fraction of samples held out (0.7) */
  long train_size;             /* > 0 overrides test_size: exact n */
  int use_critical_ratio;      /* test fraction 1 - (c - delta) log(M)/M */
  double critical_ratio_multiplier;  /* c, default 2.7482 */
  double critical_ratio_delta;       /* delta, default 0 */
  double group_collection_max_dk;    /* > 0: the reference's correction d_max/2 for
                                        collections of non-abelian groups; 0: none */
  unsigned long seed;
  int reference;               /* split=reference: sklearn's train_test_split
                                  (numpy's RandomState(seed).permutation,
                                  refrng.h) instead of GSL's shuffle */
} li2_split_params;

/* Fill P with the reference trainer's defaults: test_size 0.7, no
 * train_size, critical ratio off with c = 2.7482 and delta = 0, seed 0. */
void li2_split_params_default(li2_split_params *p);

/* The test fraction use_critical_ratio selects for a group of order M:
 * 1 - s (c - delta) log(M)/M clamped to [0, 1], as the reference trainer,
 * with s = group_collection_max_dk / 2 when that is set and s = 1 otherwise. */
double li2_split_critical_test_size(const li2_split_params *p, size_t M);

/* Number of training samples the parameters select for a data set of NALL
 * samples over a group of order M (doc/mathematics.md section 4); LI2_EINVAL with
 * the parameter named when the result would be empty or everything.
 * As sklearn's train_test_split (which the reference uses), the test set
 * has ceil(test_size * NALL) samples. */
int li2_split_train_count(const li2_split_params *p, size_t M, size_t nall,
                          size_t *ntrain, li2_error *err);

/* Random split as described above; with P->reference the reference
 * trainer's split of the same samples (the test set is the first
 * ceil(test_size n) entries of numpy's permutation, refrng.h).  Sample s
 * is the same operand tuple in both numberings when the elements are
 * numbered alike (cyclic groups; products, whose reference samples run in
 * itertools.product order, first factor most significant, as here). */
li2_dataset *li2_dataset_alloc_split(const li2_group *g, int nops,
                                     const li2_split_params *p, li2_error *err);

/* The full table as training set (no test set). */
li2_dataset *li2_dataset_alloc_full(const li2_group *g, int nops, li2_error *err);

/* NTRAIN training pairs drawn by the trainer's split with SEED (the rest
 * the test set), or the full table when NTRAIN <= 0. */
li2_dataset *li2_dataset_alloc_pairs(const li2_group *g, int nops, long ntrain,
                                     unsigned long seed, li2_error *err);

/* A split given by its sample numbers SAMPLES[0..M^k-1] (mixed radix as
 * above), the first NTRAIN of them the training set; LI2_EFORMAT if they
 * are not a permutation of all samples. */
li2_dataset *li2_dataset_alloc_samples(const li2_group *g, int nops, size_t ntrain,
                                       const size_t *samples, li2_error *err);

/* Save / load a split: a text file, header line "li2-split 1 M k ntrain ntest",
 * then one sample number per line, training samples first.  Loading checks
 * the header against the group and names the file and line of any error. */
int li2_dataset_save(const li2_dataset *d, const char *path, li2_error *err);
li2_dataset *li2_dataset_alloc_load(const li2_group *g, int nops,
                                    const char *path, li2_error *err);

/* Sample number (mixed radix, first operand most significant) of the
 * operand tuple X[0..nops-1]. */
size_t li2_dataset_sample_index(const li2_dataset *d, const int *x);

void li2_dataset_free(li2_dataset *d);

#ifdef __cplusplus
}
#endif

#endif
