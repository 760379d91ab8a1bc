/* The reference trainer's random streams, reimplemented so li2 can draw
 * the same split and the same initial weights from the same seed
 * (issue 14; the reference is yuandong-tian/understanding,
 * ssl/real-dataset/cogo/modular_addition_simple2.py).
 *
 *   split:  sklearn's train_test_split(X, y, test_size, random_state=seed)
 *           (modular_addition_simple2.py:490): ShuffleSplit draws
 *           numpy.random.RandomState(seed).permutation(n) (numpy's legacy
 *           MT19937, init_genrand seeding, Fisher-Yates with
 *           random_interval's masked rejection) and takes the first
 *           ceil(test_size n) entries as the test set, the rest (in
 *           permutation order) as the training set.
 *   init:   torch's CPU generator after common_utils.set_all_seeds(seed),
 *           i.e. torch.manual_seed(seed + 2) (ssl/common_utils/helper.py:160):
 *           MT19937 with the same seeding; nn.Embedding's normal_ consumes
 *           draws first, then every nn.Linear's kaiming_uniform_(a = sqrt 5)
 *           draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)) in float32, one 32-bit
 *           word per weight, row-major in torch's (out, in) layout.
 *
 * All functions are pure given the state; no globals. */
#ifndef LI2_REFRNG_H
#define LI2_REFRNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct li2_mt19937 {
  uint32_t mt[624];
  int pos;
} li2_mt19937;

/* init_genrand(seed): numpy's mt19937_seed for an integer seed and torch's
 * mt19937(seed) (the low 32 bits of SEED). */
void li2_mt19937_seed(li2_mt19937 *r, uint32_t seed);
/* The next tempered 32-bit output (genrand_int32). */
uint32_t li2_mt19937_next(li2_mt19937 *r);

/* numpy's legacy random_interval(max): a uniform integer in [0, max] by
 * masked rejection on 32-bit words (max < 2^32 here). */
uint32_t li2_refrng_interval(li2_mt19937 *r, uint32_t max);

/* numpy.random.RandomState(seed).permutation(n) into P[0..n-1] (n < 2^32). */
void li2_refrng_np_permutation(uint32_t seed, size_t n, size_t *p);

/* sklearn's n_test for a float test_size in (0, 1): ceil(test_size n)
 * (sklearn.model_selection._split._validate_shuffle_split). */
size_t li2_refrng_sklearn_ntest(double test_size, size_t n);

/* train_test_split's index lists: P[0..n-1] = the permutation, test set
 * P[0..ntest-1], training set P[ntest..n-1]. */
void li2_refrng_sklearn_split(uint32_t seed, size_t n, size_t *p);

/* torch's uniform_(from, to) for float32 on the CPU: one 32-bit word w,
 * x = (w mod 2^24) 2^-24 in double, x (to - from) + from with FROM and TO
 * float32, rounded to float32. */
float li2_refrng_torch_uniform(li2_mt19937 *r, float from, float to);

/* Draws torch's normal_ consumes for a contiguous float32 tensor of N
 * elements: N, plus 16 when N >= 16 is not a multiple of 16 (the last 16
 * are redrawn); below 16 elements, 4 per pair (two random64 per
 * Box-Muller pair). */
size_t li2_refrng_torch_normal_draws(size_t n);

/* nn.Linear(fan_in, fan_out).weight initialised by kaiming_uniform_
 * (a = sqrt 5): OUT[0..fan_out*fan_in-1] row-major (out, in). */
void li2_refrng_torch_linear(li2_mt19937 *r, size_t fan_in, size_t fan_out, float *out);

#endif
