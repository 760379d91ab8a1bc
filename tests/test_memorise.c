/* Theorem 5's single-target landscape (memorise.h): the data set, phi, the
 * closed form against its KKT conditions and an independent ReLU formula,
 * global optimality against random feasible profiles, and the certified
 * search against the closed form. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "memorise.h"
#include "tap.h"

static void test_dataset(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("S3", &err);
  li2_dataset *d = li2_memorise_dataset(g, 4, &err);
  int good = d && d->ntrain == 6;
  for (size_t i = 0; good && i < 6; i++)
    good = d->train_x[2 * i] == (int)i && d->train_y[i] == 4;
  ok(good, "S3: training set = the 6 pairs (g, g^-1 h) of target 4, in order");
  ok(!li2_memorise_dataset(g, 6, &err) && err.code == LI2_EINVAL, "target out of range refused");
  li2_dataset_free(d);
  li2_group_free(g);
}

static void test_closed_form(gsl_rng *r)
{
  li2_error err = {0};
  const size_t M = 9;
  double p[9], s[9], lambda, sum = 0, pn = 0;
  for (size_t g = 0; g < M; g++) {
    p[g] = 0.2 + gsl_rng_uniform(r);
    sum += p[g];
  }
  for (size_t g = 0; g < M; g++) {
    p[g] /= sum;
    pn += p[g] * p[g];
  }
  for (li2_activation a = 0; a < LI2_ACT_QUAD; a++) {
    double ss = 0, kkt = 0, F, worse = -INFINITY;
    int rc = li2_memorise_closed_form(a, M, p, s, &lambda, &err);
    if (!ok(rc == LI2_SUCCESS, "%s: closed form (%s)", li2_activation_name(a), err.msg))
      continue;
    for (size_t g = 0; g < M; g++) {
      ss += s[g] * s[g];
      if (s[g] > 0)
        kkt = fmax(kkt, fabs(p[g] * li2_memorise_phi(a, s[g]) - 2 * lambda) / (2 * lambda));
    }
    ok_close(ss, 2.0, 1e-12, "%s: sum s_g^2 = 2", li2_activation_name(a));
    ok(kkt < 1e-10, "%s: p_g phi(s_g) = 2 lambda on the support (%.2g)", li2_activation_name(a),
       kkt);
    /* no random feasible profile (s >= 0, |s|^2 = 2) beats it */
    F = li2_memorise_objective(a, M, p, s);
    for (int t = 0; t < 20000; t++) {
      double x[9], n2 = 0;
      for (size_t g = 0; g < M; g++) {
        x[g] = fabs(gsl_ran_gaussian(r, 1.0)) * (t % 2 ? 1.0 : s[g] + 0.05);
        n2 += x[g] * x[g];
      }
      for (size_t g = 0; g < M; g++)
        x[g] *= sqrt(2.0 / n2);
      worse = fmax(worse, li2_memorise_objective(a, M, p, x));
    }
    ok(worse <= F, "%s: no random feasible profile has larger F (%.10g <= %.10g)",
       li2_activation_name(a), worse, F);
  }
  li2_memorise_closed_form(LI2_ACT_RELU, M, p, s, &lambda, &err);
  {
    double worst = 0;
    for (size_t g = 0; g < M; g++)
      worst = fmax(worst, fabs(s[g] - sqrt(2.0) * p[g] / sqrt(pn)));
    ok(worst < 1e-12, "relu: s = sqrt 2 p/|p| (the paper: s proportional to p) (%.2g)", worst);
  }
  ok(li2_memorise_focused(LI2_ACT_SQR) == 1 && li2_memorise_focused(LI2_ACT_TANH) == 0 &&
         li2_memorise_focused(LI2_ACT_QUAD) == -1,
     "sqr focused, tanh spreading, quad undecided");
  ok(li2_memorise_closed_form(LI2_ACT_QUAD, M, p, s, &lambda, &err) == LI2_EUNSUP,
     "quad: LI2_EUNSUP");
  p[3] = 0;
  ok(li2_memorise_closed_form(LI2_ACT_TANH, M, p, s, &lambda, &err) == LI2_EINVAL,
     "p_g = 0 refused");
  ok_close(li2_memorise_phi(LI2_ACT_SILU, 0.7),
           li2_activation_deriv(LI2_ACT_SILU, 0.7) / 0.7, 1e-14, "silu: phi = sigma'/x");
}

static void test_search(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("Z7", &err);
  double p[7] = {0.1, 0.2, 0.05, 0.25, 0.15, 0.13, 0.12}, s[7], lambda;
  li2_maxima_params mp;
  li2_maxima_params_default(&mp);
  li2_activation acts[] = {LI2_ACT_SQR, LI2_ACT_TANH, LI2_ACT_SIGMOID};
  for (int i = 0; i < 3; i++) {
    li2_memorise_result res;
    double F;
    li2_memorise_closed_form(acts[i], 7, p, s, &lambda, &err);
    F = li2_memorise_objective(acts[i], 7, p, s);
    int rc = li2_memorise_search(g, 2, acts[i], p, &mp, 8, 1, &res, &err);
    ok(rc == LI2_SUCCESS && res.nmax > 0, "%s: certified maxima found", li2_activation_name(acts[i]));
    ok_close(res.best_energy, 0.5 * F * F, 1e-9, "%s: best certified E = F(s*)^2/2",
             li2_activation_name(acts[i]));
    ok(res.split < 1e-6, "%s: even split u_g = v_{g^-1 h} (%.2g)", li2_activation_name(acts[i]),
       res.split);
    li2_memorise_result_clear(&res);
  }
  li2_group_free(g);
}

int main(void)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  test_dataset();
  test_closed_form(r);
  test_search();
  gsl_rng_free(r);
  return tap_done();
}
