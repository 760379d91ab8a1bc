/* Theorem 6 (src/repulsion.h): the sign identity and the proof's value of
 * b_jl on random features at several eta, the column expansion (Eq. 9 in
 * the proof's form to rounding; as printed, off by b_jj f~_j), the
 * direction of the repulsion on a built pair of similar / opposite
 * features, and bad input. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "repulsion.h"
#include "tap.h"

int main(void)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  li2_error err = {0};
  li2_repulsion_stats st;
  size_t n = 60, K = 14;
  double *F = malloc(n * K * sizeof *F);
  for (size_t i = 0; i < n * K; i++)
    F[i] = gsl_ran_gaussian(r, 1.0) + 0.3;  /* a non-zero mean: centring matters */
  const double etas[] = {1e-4, 1e-1, 10.0};
  for (size_t e = 0; e < 3; e++) {
    int rc = li2_repulsion_compute(n, K, F, etas[e], &st, &err);
    ok(rc == 0, "random features, eta %g: computed (%s)", etas[e], rc ? err.msg : "");
    ok(st.pairs == K * (K - 1) / 2 && st.agree == st.pairs,
       "eta %g: signs agree on %zu of %zu pairs (min |b_jl| %.3g)", etas[e], st.agree, st.pairs,
       st.min_abs_b);
    ok(st.value_rel < 1e-9, "eta %g: b_jl = -s_jl/det to %.2g", etas[e], st.value_rel);
    ok(st.identity_rel < 1e-12, "eta %g: [F~B]_j = b_jj f~_j + sum_{l != j} b_lj f~_l to %.2g",
       etas[e], st.identity_rel);
    ok(st.printed_rel > 1e-3, "eta %g: Eq. 9 summed over all l differs by %.3g (b_jj f~_j twice)",
       etas[e], st.printed_rel);
  }
  /* K = 2: no remaining nodes, P = I. */
  ok(li2_repulsion_compute(n, 2, F, 0.5, &st, &err) == 0 && st.pairs == 1 && st.agree == 1 &&
         st.value_rel < 1e-12,
     "K = 2: one pair, b_12 = -f1.f2 / det (%.2g)", st.value_rel);
  /* Columns 0 and 1 nearly equal: they repel (b_01 < 0); column 2 nearly
   * the negative of column 3: b_23 > 0. */
  size_t K2 = 6;
  double *H = malloc(n * K2 * sizeof *H);
  for (size_t i = 0; i < n; i++) {
    double a = gsl_ran_gaussian(r, 1.0), c = gsl_ran_gaussian(r, 1.0);
    H[i * K2 + 0] = a;
    H[i * K2 + 1] = a + 0.05 * gsl_ran_gaussian(r, 1.0);
    H[i * K2 + 2] = c;
    H[i * K2 + 3] = -c + 0.05 * gsl_ran_gaussian(r, 1.0);
    H[i * K2 + 4] = gsl_ran_gaussian(r, 1.0);
    H[i * K2 + 5] = gsl_ran_gaussian(r, 1.0);
  }
  ok(li2_repulsion_compute(n, K2, H, 1e-2, &st, &err) == 0 && st.agree == st.pairs &&
         st.similar >= 1 && st.similar_repel == st.similar,
     "similar pair repels: %zu residually similar pairs, %zu with b_jl < 0", st.similar,
     st.similar_repel);
  /* eta = 0 with rank-deficient features: a clean error */
  for (size_t i = 0; i < n; i++)
    H[i * K2 + 5] = H[i * K2 + 4];
  ok(li2_repulsion_compute(n, K2, H, 0, &st, &err) == LI2_ENUMERIC,
     "eta = 0, duplicate column: LI2_ENUMERIC (%s)", err.msg);
  ok(li2_repulsion_compute(n, 1, F, 1, &st, &err) == LI2_EINVAL, "K = 1: LI2_EINVAL (%s)", err.msg);
  ok(li2_repulsion_compute(n, K, F, -1, &st, &err) == LI2_EINVAL, "eta < 0: LI2_EINVAL (%s)", err.msg);
  free(F);
  free(H);
  gsl_rng_free(r);
  return tap_done();
}
