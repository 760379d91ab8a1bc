/* Lemma 2 and Theorem 8's model (src/muon_model.h): the Frechet sampler's
 * CDF, Eq. 41 against closed forms, the bounds' equality case, Muon's
 * inner product against the nuclear norm, the gradient flow's winner is
 * the initial leader (Lemma 8), Muon keeps a node off a reached mode, the
 * reduced model, and bad input. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "muon_model.h"
#include "tap.h"

int main(void)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  li2_error err = {0};
  gsl_rng_set(r, 7);
  /* Frechet(a): P(x <= 1) = e^-1, P(x <= 2) = exp(-2^-a) */
  size_t N = 40000, c1 = 0, c2 = 0;
  for (size_t i = 0; i < N; i++) {
    double x = li2_muon_frechet(r, 2.5);
    c1 += x <= 1, c2 += x <= 2;
  }
  double p1 = exp(-1), p2 = exp(-pow(2, -2.5)), s1 = sqrt(p1 * (1 - p1) / N);
  ok(fabs(c1 / (double)N - p1) < 5 * s1 && fabs(c2 / (double)N - p2) < 5 * s1,
     "Frechet(2.5): CDF at 1 and 2 %.4f %.4f (want %.4f %.4f)", c1 / (double)N, c2 / (double)N,
     p1, p2);
  /* Eq. 41: L H_L for equal p; 1/p1 + 1/p2 - 1 for two coupons */
  double pu[6], H = 0;
  for (int l = 0; l < 6; l++)
    pu[l] = 1.0 / 6, H += 1.0 / (l + 1);
  ok_close(li2_muon_coupon_expected(6, pu), 6 * H, 1e-9, "Eq. 41, p = 1/6: T0 = 6 H_6 = %.6f", 6 * H);
  ok_close(li2_muon_t0_bound_lemma(6, pu), li2_muon_coupon_expected(6, pu), 1e-9,
           "equal p: Lemma 10's bound L H_L is attained");
  ok_close(li2_muon_t0_bound_printed(6, pu), 6, 1e-12, "printed bound max(1/min p, H_L) = 6");
  double p2c[2] = {0.3, 0.7};
  ok_close(li2_muon_coupon_expected(2, p2c), 1 / 0.3 + 1 / 0.7 - 1, 1e-9,
           "Eq. 41, p = (0.3, 0.7): 1/p1 + 1/p2 - 1");
  double mu[3] = {1, 0.5, 0.25}, pm[3];
  li2_muon_probs(3, mu, 2, pm);
  ok_close(pm[0], 1 / (1 + 0.25 + 0.0625), 1e-14, "p_l = mu_l^a / sum mu^a");
  ok_close(li2_muon_ta_formula(10, 4, 60), 4, 1e-12, "Eq. 46: T_a -> L for large a");
  ok_close(li2_muon_ta_formula(10, 4, 1), 7, 1e-12, "Eq. 46 at a = 1: (10 + 4) / 2");
  /* Lemma 2 */
  double G[24], Z[24] = {0};
  for (int k = 0; k < 24; k++)
    G[k] = gsl_ran_gaussian(r, 1);
  li2_muon_ascent as;
  int arc = li2_muon_ascent_compute(6, 4, G, &as, &err);
  ok(arc == 0 && fabs(as.inner - as.nuclear) < 1e-12 * as.nuclear &&
         as.inner > 0 && fabs(as.norm_polar - 2) < 1e-12 && as.inner_ns > 0,
     "6 x 4: <polar(G), G> = |G|_* = %.6f (%.6f), |polar| = %.6f, <NS(G), G> = %.4f", as.inner,
     as.nuclear, as.norm_polar, as.inner_ns);
  li2_muon_ascent_compute(4, 6, G, &as, &err);
  ok(fabs(as.inner - as.nuclear) < 1e-12 * as.nuclear, "4 x 6 (wide): <polar(G), G> = |G|_*");
  arc = li2_muon_ascent_compute(6, 4, Z, &as, &err);
  ok(arc == 0 && as.inner == 0 && as.nuclear == 0 &&
         as.inner_ns == 0,
     "G = 0: inner products 0 (|polar(0)| = %g, |NS(0)| = %g)", as.norm_polar, as.norm_ns);
  /* Lemma 8: the gradient flow's winner is the initial leader */
  li2_muon_params pp;
  li2_muon_params_default(&pp);
  double mu5[5] = {1, 0.9, 0.8, 0.7, 0.6}, a0[5];
  li2_muon_node *w = li2_muon_node_alloc(5, mu5, &pp, &err);
  size_t wins = 0, conv = 0, n = 300;
  for (size_t i = 0; i < n; i++) {
    int mode, leader;
    long steps;
    for (int l = 0; l < 5; l++)
      a0[l] = li2_muon_frechet(r, 2);
    li2_muon_node_run(w, a0, NULL, LI2_MUON_NONE, &mode, &leader, &steps, &err);
    conv += mode >= 0;
    wins += mode == leader;
  }
  ok(conv == n && wins == n, "gradient flow: %zu of %zu nodes converge, %zu to their initial leader",
     conv, n, wins);
  /* Muon: a node whose leader is a reached mode goes elsewhere */
  int got[5] = {1, 0, 0, 0, 0}, mode, leader;
  long steps;
  double lead0[5] = {3, 1, 1.2, 0.9, 1.1};
  li2_muon_node_run(w, lead0, NULL, LI2_MUON_NONE, &mode, &leader, &steps, &err);
  ok(mode == 0 && leader == 0, "gradient flow from a clear leader 0: mode %d", mode);
  li2_muon_node_run(w, lead0, got, LI2_MUON_POLAR, &mode, &leader, &steps, &err);
  ok(mode > 0, "Muon (polar) with mode 0 reached: the node goes to mode %d (%ld steps)", mode, steps);
  li2_muon_node_run(w, lead0, got, LI2_MUON_REDUCED, &mode, &leader, &steps, &err);
  ok(mode == 0, "reduced model: 3 x 1/2 still beats 1.2 x 0.8 (mode %d)", mode);
  double lead1[5] = {1.5, 1, 1.6, 0.9, 1.1};
  li2_muon_node_run(w, lead1, got, LI2_MUON_REDUCED, &mode, &leader, &steps, &err);
  ok(mode == 2 && leader == 0, "reduced model: 1.5 / 2 loses to 1.6 x 0.8 (mode %d, leader %d)", mode, leader);
  size_t nodes, lost, lw, hits[5] = {0};
  arc = li2_muon_collect(w, r, 2, LI2_MUON_POLAR, &nodes, &lost, &lw, hits, &err);
  ok(arc == 0 && nodes >= 5 &&
         lost == 0,
     "sequential Muon collects all 5 modes in %zu nodes", nodes);
  li2_muon_node_free(w);
  double bad[2] = {1, 1.5};
  ok(!li2_muon_node_alloc(2, bad, &pp, &err) && err.code == LI2_EINVAL, "mu > 1: %s", err.msg);
  ok(!li2_muon_node_alloc(1, mu, &pp, &err) && err.code == LI2_EINVAL, "L = 1: %s", err.msg);
  gsl_rng_free(r);
  return tap_done();
}
