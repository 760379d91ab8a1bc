/* The reference trainer's random streams (see refrng.h). */
#include "refrng.h"

#include <math.h>

void li2_mt19937_seed(li2_mt19937 *r, uint32_t seed)
{
  /* Matsumoto-Nishimura init_genrand (2002); numpy's mt19937_seed and
   * torch's mt19937::init_with_uint32 are this loop. */
  r->mt[0] = seed;
  for (int i = 1; i < 624; i++)
    r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
  r->pos = 624;
}

static void regenerate(li2_mt19937 *r)
{
  uint32_t *mt = r->mt;
  for (int k = 0; k < 624; k++) {
    uint32_t y = (mt[k] & 0x80000000u) | (mt[(k + 1) % 624] & 0x7fffffffu);
    mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
  }
  r->pos = 0;
}

uint32_t li2_mt19937_next(li2_mt19937 *r)
{
  uint32_t y;
  if (r->pos >= 624)
    regenerate(r);
  y = r->mt[r->pos++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

uint32_t li2_refrng_interval(li2_mt19937 *r, uint32_t max)
{
  /* numpy/random/src/distributions/distributions.c: random_interval */
  uint32_t mask = max, v;
  if (max == 0)
    return 0;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  while ((v = li2_mt19937_next(r) & mask) > max)
    ;
  return v;
}

void li2_refrng_np_permutation(uint32_t seed, size_t n, size_t *p)
{
  /* RandomState.permutation(n) = shuffle(arange(n)); legacy shuffle of a
   * 1-d array (_shuffle_raw): for i = n-1 .. 1, swap x[i], x[random_interval(i)]. */
  li2_mt19937 r;
  li2_mt19937_seed(&r, seed);
  for (size_t i = 0; i < n; i++)
    p[i] = i;
  for (size_t i = n; i-- > 1;) {
    size_t j = li2_refrng_interval(&r, (uint32_t)i), t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
}

size_t li2_refrng_sklearn_ntest(double test_size, size_t n)
{
  return (size_t)ceil(test_size * (double)n);
}

void li2_refrng_sklearn_split(uint32_t seed, size_t n, size_t *p)
{
  /* ShuffleSplit._iter_indices: rng = check_random_state(seed) (a fresh
   * RandomState for an int), permutation = rng.permutation(n),
   * ind_test = permutation[:n_test], ind_train = permutation[n_test:]. */
  li2_refrng_np_permutation(seed, n, p);
}

float li2_refrng_torch_uniform(li2_mt19937 *r, float from, float to)
{
  /* at::uniform_real_distribution<float> with transformation::uniform_real:
   * 24 random bits scaled in the CPU accumulate type (double). */
  double x = (double)(li2_mt19937_next(r) & ((UINT32_C(1) << 24) - 1)) * 0x1p-24;
  return (float)(x * (double)(float)(to - from) + (double)from);
}

size_t li2_refrng_torch_normal_draws(size_t n)
{
  if (n >= 16)
    return n + (n % 16 ? 16 : 0);
  return 4 * ((n + 1) / 2);
}

void li2_refrng_torch_linear(li2_mt19937 *r, size_t fan_in, size_t fan_out, float *out)
{
  /* torch.nn.init.kaiming_uniform_: gain = sqrt(2 / (1 + a^2)), std =
   * gain / sqrt(fan_in), bound = sqrt(3) std, all in double as Python
   * computes them; uniform_(-bound, bound) casts the bounds to float. */
  double a = sqrt(5.0), gain = sqrt(2.0 / (1 + a * a));
  double bound = sqrt(3.0) * (gain / sqrt((double)fan_in));
  float lo = (float)-bound, hi = (float)bound;
  for (size_t i = 0; i < fan_in * fan_out; i++)
    out[i] = li2_refrng_torch_uniform(r, lo, hi);
}
