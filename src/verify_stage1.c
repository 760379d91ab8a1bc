/* li2 verify: Stage I kinds (paper Sec. 3): Proposition 1 on the top
 * layer's gradient flow, Lemma 1 against the width K, and Fig. 3's
 * diagnostics on trainer runs over seeds. */
#include "verify_kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


#include "dataset.h"
#include "gradient.h"
#include "group.h"
#include "lazy.h"
#include "model.h"
#include "stage1.h"
#include "process.h"
#include "stats.h"
#include "train.h"

static int parse_list(const li2_verify_claim *c, int quick, const char *key, const char *def,
                      double **v, size_t *n, li2_error *err)
{
  const char *spec;
  int rc;
  if ((rc = li2_verify_param_string(c, quick, key, def, &spec, err)))
    return rc;
  if ((rc = li2_gradient_eta_parse(spec, key, v, n, err)))
    return li2_verify_param_fail(c, quick, key, err);
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* C21, C22: Proposition 1 on the gradient flow of V with F fixed        */

static const char *const prop1_params[] = {"train", "alpha", "eta", "eta_rel", "seed", "nt",
                                           "headline", NULL};
static const char *const prop1_measures[] = {
  "eq3_exponent", "gf0_exponent", "gf0_ratio", "eq3_slope0", "eq3_best_min", "limit_rel_max",
  "rate_error", "rise", "settle", "eta_exponent", "eta_exponent_paper", "mu_min",
  "eta_over_mu_min", "n", "K", NULL};

static int kind_prop1_flow(const li2_verify_claim *c, int quick, int threads,
                           li2_verify_result *r, li2_error *err)
{
  li2_train_config cfg;
  li2_train_metrics tm;
  li2_trainer *t = NULL;
  li2_lazy *L = NULL;
  li2_stage1_flow *f = NULL;
  double *alpha = NULL, *eta = NULL, *erel = NULL;
  size_t na = 0, ne = 0, nr = 0;
  const char *headline;
  long seed, nt;
  li2_stage1_prop1 *p = NULL, *pe = NULL, p0;
  li2_verify_text tx = {0};
  int rc;
  if ((rc = parse_list(c, quick, "alpha", "1e-1,1e-2,1e-3,1e-4", &alpha, &na, err)) ||
      (rc = parse_list(c, quick, "eta", NULL, &eta, &ne, err)) ||
      (rc = parse_list(c, quick, "eta_rel", "1e-2,1e-3,1e-4", &erel, &nr, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)) ||
      (rc = li2_verify_param_long(c, quick, "nt", "60", 3, 100000, &nt, err)) ||
      (rc = li2_verify_param_string(c, quick, "headline", "eq3", &headline, err)))
    goto done;
  if (strcmp(headline, "eq3") && strcmp(headline, "limit")) {
    rc = li2_error_set(err, LI2_EINVAL, "'%s' is not eq3 or limit", headline);
    rc = li2_verify_param_fail(c, quick, "headline", err);
    goto done;
  }
  if ((rc = li2_verify_train_trained(c, quick, threads, NULL, &cfg, &t, &tm, err)) ||
      li2_verify_checking(c))
    goto done;
  const li2_dataset *d = li2_trainer_dataset(t);
  if (!(L = li2_lazy_alloc(li2_trainer_model(t), d->ntrain, err)) ||
      (rc = li2_lazy_set(L, d->train_x, d->train_y, err)) ||
      !(f = li2_stage1_flow_alloc(li2_lazy_gradient(L), eta[0], err))) {
    rc = err->code;
    goto done;
  }
  /* the eta list, then eta_rel times the smallest eigenvalue of F~F~^T on
   * the centred space (where G_F(inf) = O(eta) holds) */
  double mu_min = li2_stage1_flow_centred_min(f);
  {
    double *all = realloc(eta, (ne + nr) * sizeof *all);
    if (!all) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    eta = all;
    for (size_t i = 0; i < nr; i++)
      eta[ne + i] = erel[i] * mu_min;
  }
  size_t npaper = ne;
  if (mu_min > 0)
    ne += nr;
  if (!(p = calloc(na, sizeof *p)) || !(pe = calloc(ne, sizeof *pe))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  size_t n = d->ntrain, K = cfg.hidden_size;
  for (size_t i = 0; i < na && !rc; i++)
    rc = li2_stage1_prop1_compute(f, alpha[i], (unsigned long)seed, (size_t)nt, &p[i], err);
  if (!rc)
    rc = li2_stage1_prop1_compute(f, 0, (unsigned long)seed, (size_t)nt, &p0, err);
  /* the settled |G_F(inf)| against eta at the smallest alpha */
  for (size_t i = 0; i < ne && !rc; i++) {
    li2_stage1_flow_set_eta(f, eta[i]);
    rc = li2_stage1_prop1_compute(f, alpha[na - 1], (unsigned long)seed, (size_t)nt, &pe[i], err);
  }
  if (rc)
    goto done;
  double *av = malloc(na * sizeof *av), *bv = malloc(na * sizeof *bv);
  double *ev = calloc(ne, sizeof *ev), *gv = calloc(ne, sizeof *gv);
  if (!av || !bv || !ev || !gv) {
    free(av), free(bv), free(ev), free(gv);
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  double limit_max = 0, rate_err = 0;
  for (size_t i = 0; i < na; i++) {
    av[i] = p[i].eq3_best;
    bv[i] = p[i].gf0;
  }
  double eq3_exp = li2_stats_loglog_slope(alpha, av, na), gf0_exp = li2_stats_loglog_slope(alpha, bv, na);
  for (size_t i = 0; i < ne; i++) {
    ev[i] = pe[i].eta;
    gv[i] = pe[i].gf_inf;
    if (eta[i] > 0 && !(pe[i].limit_rel <= limit_max))
      limit_max = pe[i].limit_rel;  /* NaN propagates */
    if (isfinite(pe[i].rate_pred) && pe[i].rate_pred > 0) {
      double e = fabs(pe[i].rate_meas / pe[i].rate_pred - 1);
      if (!(e <= rate_err))
        rate_err = e;
    }
  }
  double eta_exp_paper = li2_stats_loglog_slope(ev, gv, npaper);
  double eta_exp = ne > npaper ? li2_stats_loglog_slope(ev + npaper, gv + npaper, ne - npaper) : NAN;
  const li2_stage1_prop1 *last = &p[na - 1], *main_eta = &pe[ne - 1];
  li2_verify_measure_set(r, "eq3_exponent", eq3_exp);
  li2_verify_measure_set(r, "gf0_exponent", gf0_exp);
  li2_verify_measure_set(r, "gf0_ratio", last->gf0 / last->gf0_pred);
  li2_verify_measure_set(r, "eq3_slope0", p0.eq3_slope0);
  li2_verify_measure_set(r, "eq3_best_min", last->eq3_best);
  li2_verify_measure_set(r, "limit_rel_max", limit_max);
  li2_verify_measure_set(r, "rate_error", rate_err);
  li2_verify_measure_set(r, "rise", main_eta->gf_peak / main_eta->gf0);
  li2_verify_measure_set(r, "settle", main_eta->gf_inf / main_eta->gf_peak);
  li2_verify_measure_set(r, "eta_exponent", eta_exp);
  li2_verify_measure_set(r, "eta_exponent_paper", eta_exp_paper);
  li2_verify_measure_set(r, "mu_min", mu_min);
  li2_verify_measure_set(r, "eta_over_mu_min", eta[0] / mu_min);
  li2_verify_measure_set(r, "n", (double)n);
  li2_verify_measure_set(r, "K", (double)K);
  if (!strcmp(headline, "eq3")) {
    r->predicted = 0.5;
    r->measured = eq3_exp;
    snprintf(r->what, sizeof r->what,
             "exponent of min_t |G_F(t) - t Y~Y~^T F~| / |t Y~Y~^T F~| in alpha (Eq. 3)");
  } else {
    r->predicted = 1;
    r->measured = eta_exp;
    snprintf(r->what, sizeof r->what,
             "exponent of |G_F(inf)| in eta below mu_min (settles at O(eta)); G_F(inf) = Eq. 4 "
             "to %.1e", limit_max);
  }
  /* t in the trainer's units: plain SGD on the trainer's centred MSE is
   * this flow with t = lr * steps * 2 / n (li2_lazy_trainer_eta's scaling) */
  li2_verify_printf(&tx,
                    "Features F of the trainer's network after %ld epochs (`%s`): n = %zu, "
                    "K = %zu; F fixed, V(0) ~ N(0, alpha^2), dV/dt = -dJ/dV solved exactly in "
                    "the eigenbasis of F~^T F~ (lambda_max = %.4g).  Time t is the paper's; "
                    "SGD at the trainer's learning rate %g on its MSE is this flow with t = lr "
                    "steps 2/n, so t = %.3g is one SGD epoch.\n\n"
                    "| alpha | \\|G_F(0)\\| | alpha sqrt(K) \\|Y~\\| | min_t rel. dist. to t "
                    "Y~Y~^T F~ (Eq. 3) | at t | = SGD epochs |\n|---|---|---|---|---|---|\n",
                    cfg.num_epochs, li2_verify_claim_param(c, "train", quick, NULL), n, K,
                    li2_stage1_flow_lambda_max(f), cfg.schedule.lr,
                    2 * cfg.schedule.lr / (double)n);
  for (size_t i = 0; i < na; i++)
    li2_verify_printf(&tx, "| %g | %.4e | %.4e | %.4e | %.3e | %.3g |\n", p[i].alpha, p[i].gf0,
                      p[i].gf0_pred, p[i].eq3_best, p[i].t_best,
                      p[i].t_best * (double)n / (2 * cfg.schedule.lr));
  li2_verify_printf(&tx,
                    "\nalpha = 0: slope of log|G_F(t) - t Y~Y~^T F~| in log t at the smallest t: "
                    "%.4f (the O(t^2) remainder: predicted 2).  Exponent of the Eq. 3 distance in "
                    "alpha: %.4f (predicted 1/2: the O(alpha)/t and O(t) errors balance at t ~ "
                    "sqrt(alpha)); of |G_F(0)|: %.4f (predicted 1).\n\n"
                    "| eta | \\|G_F(0)\\| | peak \\|G_F\\| | at t | \\|G_F(inf)\\| | rel. dist. "
                    "to Eq. 4 | slowest rate predicted | measured |\n|---|---|---|---|---|---|---|---|\n",
                    p0.eq3_slope0, eq3_exp, gf0_exp);
  for (size_t i = 0; i < ne; i++)
    li2_verify_printf(&tx, "| %g | %.4e | %.4e | %.3e | %.4e | %.2e | %.5g | %.5g |\n", pe[i].eta,
                      pe[i].gf0, pe[i].gf_peak, pe[i].t_peak, pe[i].gf_inf, pe[i].limit_rel,
                      pe[i].rate_pred, pe[i].rate_meas);
  li2_verify_printf(&tx,
                    "\n(alpha = %g in this table; the first %zu eta are the claim's, the "
                    "others eta_rel times mu_min = %.4g, the smallest eigenvalue of F~F~^T on "
                    "the centred space.)  Exponent of \\|G_F(inf)\\| in eta over the claim's "
                    "eta: %.4f; below mu_min: %.4f (predicted 1: G_F(inf) = O(eta) needs eta << "
                    "mu_min, and K >= n - 1; the claim's first eta is %.3g mu_min).  Rise "
                    "(peak / start) %.4g and settle (limit / peak) %.4g at the smallest eta.\n",
                    alpha[na - 1], npaper, mu_min, eta_exp_paper, eta_exp, eta[0] / mu_min,
                    main_eta->gf_peak / main_eta->gf0, main_eta->gf_inf / main_eta->gf_peak);
  free(av);
  free(bv);
  free(ev);
  free(gv);
done:
  r->detail = tx.s;
  free(p);
  free(pe);
  free(alpha);
  free(eta);
  free(erel);
  li2_stage1_flow_free(f);
  li2_lazy_free(L);
  li2_trainer_free(t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* C3, C24: Lemma 1 against the width K with random W                   */

static const char *const lemma1_params[] = {"group", "train_size", "activation", "wscale",
                                            "K", "eta", "seeds", "seed0", "diagonal", "fit_from",
                                            "headline", NULL};
static const char *const lemma1_measures[] = {
  "dir_first", "dir_last", "dir_slope", "dir_monotone", "eq5_first", "eq5_last", "eq5_slope",
  "coef_ratio_first", "coef_ratio_last", "c1", "c2", "c1_label", "ftf_first", "ftf_last",
  "ftf_slope", "pff_first", "pff_last", "pff_slope", "lab_first", "lab_last", "lab_slope",
  "lab_monotone", "n", NULL};

typedef struct lemma1_ctx {
  const li2_dataset *d;
  li2_activation act;
  double wscale, eta;
  int diag;
  const double *K;
  size_t nK, seeds;
  unsigned long seed0;
  li2_stage1_lemma1 *out;  /* nK x seeds */
} lemma1_ctx;

static int lemma1_job(void *vctx, size_t i, int thread, li2_error *err)
{
  (void)thread;
  lemma1_ctx *x = vctx;
  size_t k = i / x->seeds, s = i % x->seeds, K = (size_t)x->K[k], n = x->d->ntrain;
  double *F = malloc(n * K * sizeof *F);
  int rc;
  if (!F)
    return li2_error_set(err, LI2_ENOMEM, "out of memory (n = %zu, K = %zu)", n, K);
  rc = li2_stage1_random_features(x->d, x->act, K, x->wscale, x->seed0 + s, F, err);
  if (!rc)
    rc = li2_stage1_lemma1_compute(n, K, x->d->order, F, x->d->train_y, x->eta,
                                   x->diag, &x->out[i], err);
  free(F);
  return rc;
}

static int kind_lemma1_width(const li2_verify_claim *c, int quick, int threads,
                             li2_verify_result *r, li2_error *err)
{
  const char *gname, *act_name, *diag, *headline;
  long train_size, seeds, seed0;
  double wscale, eta, fit_from;
  double *K = NULL;
  size_t nK = 0;
  li2_group *g = NULL;
  li2_dataset *d = NULL;
  lemma1_ctx x;
  li2_verify_text tx = {0};
  int rc;
  memset(&x, 0, sizeof x);
  if ((rc = li2_verify_param_string(c, quick, "group", NULL, &gname, err)) ||
      (rc = li2_verify_param_string(c, quick, "activation", "sqr", &act_name, err)) ||
      (rc = li2_verify_param_string(c, quick, "diagonal", "yes", &diag, err)) ||
      (rc = li2_verify_param_string(c, quick, "headline", "dir", &headline, err)) ||
      (rc = li2_verify_param_long(c, quick, "train_size", "0", 0, 1L << 40, &train_size, err)) ||
      (rc = li2_verify_param_long(c, quick, "seeds", "3", 1, 100000, &seeds, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed0", "1", 0, 4294967295L, &seed0, err)) ||
      (rc = li2_verify_param_double(c, quick, "wscale", "1", 0, 1e6, &wscale, err)) ||
      (rc = li2_verify_param_double(c, quick, "fit_from", "0", 0, 1e9, &fit_from, err)) ||
      (rc = li2_verify_param_double(c, quick, "eta", NULL, 1e-300, 1e300, &eta, err)) ||
      (rc = parse_list(c, quick, "K", NULL, &K, &nK, err)))
    goto done;
  for (size_t i = 0; i < nK; i++)
    if (!(K[i] >= 1 && K[i] <= 1e6 && K[i] == floor(K[i])) || (i && K[i] <= K[i - 1])) {
      rc = li2_error_set(err, LI2_EINVAL, "ascending whole numbers in 1..1e6");
      rc = li2_verify_param_fail(c, quick, "K", err);
      goto done;
    }
  if (strcmp(diag, "yes") && strcmp(diag, "no")) {
    rc = li2_error_set(err, LI2_EINVAL, "'%s' is not yes or no", diag);
    rc = li2_verify_param_fail(c, quick, "diagonal", err);
    goto done;
  }
  x.diag = !strcmp(diag, "yes");
  if (strcmp(headline, "dir") && strcmp(headline, "diag")) {
    rc = li2_error_set(err, LI2_EINVAL, "'%s' is not dir or diag", headline);
    rc = li2_verify_param_fail(c, quick, "headline", err);
    goto done;
  }
  if ((rc = li2_activation_parse(act_name, &x.act, "activation", err))) {
    rc = li2_verify_param_fail(c, quick, "activation", err);
    goto done;
  }
  if (!(g = li2_group_alloc_name(gname, err))) {
    rc = li2_verify_param_fail(c, quick, "group", err);
    goto done;
  }
  d = li2_dataset_alloc_pairs(g, 2, train_size, (unsigned long)seed0, err);
  if (!d) {
    rc = li2_verify_param_fail(c, quick, "train_size", err);
    goto done;
  }
  if (li2_verify_checking(c))
    goto done;
  x.d = d;
  x.wscale = wscale;
  x.eta = eta;
  x.K = K;
  x.nK = nK;
  x.seeds = (size_t)seeds;
  x.seed0 = (unsigned long)seed0;
  if (!(x.out = calloc(nK * x.seeds, sizeof *x.out))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_verify_run_jobs(r, nK * x.seeds, threads, lemma1_job, &x, err)))
    goto done;
  /* means over seeds per K */
  enum { DIR, EQ5, RATIO, C1, C2, C1L, FTF, PFF, LAB, NQ };
  double *q = calloc(NQ * nK, sizeof *q);
  if (!q) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t k = 0; k < nK; k++)
    for (size_t s = 0; s < x.seeds; s++) {
      const li2_stage1_lemma1 *o = &x.out[k * x.seeds + s];
      double w = 1.0 / (double)x.seeds;
      q[DIR * nK + k] += w * o->dist_dir;
      q[EQ5 * nK + k] += w * o->dist_eq5;
      q[RATIO * nK + k] += w * o->best_coef / o->eq5_coef;
      q[C1 * nK + k] += w * o->c1;
      q[C2 * nK + k] += w * o->c2;
      q[C1L * nK + k] += w * o->c1_label;
      q[FTF * nK + k] += w * o->ftf_ratio;
      q[PFF * nK + k] += w * o->pff_ratio;
      q[LAB * nK + k] += w * o->dist_lab;
    }
  /* slopes over K >= fit_from (the large-K regime) */
  size_t k0 = 0;
  while (k0 + 2 < nK && K[k0] < fit_from)
    k0++;
  size_t nf = nK - k0;
  int mono = 1, lmono = 1;
  for (size_t k = k0 + 1; k < nK; k++) {
    mono &= q[DIR * nK + k] < q[DIR * nK + k - 1];
    lmono &= q[LAB * nK + k] < q[LAB * nK + k - 1];
  }
  size_t a = 0, b = nK - 1;
  li2_verify_measure_set(r, "dir_first", q[DIR * nK + a]);
  li2_verify_measure_set(r, "dir_last", q[DIR * nK + b]);
  li2_verify_measure_set(r, "dir_slope", li2_stats_loglog_slope(K + k0, q + DIR * nK + k0, nf));
  li2_verify_measure_set(r, "dir_monotone", mono);
  li2_verify_measure_set(r, "eq5_first", q[EQ5 * nK + a]);
  li2_verify_measure_set(r, "eq5_last", q[EQ5 * nK + b]);
  li2_verify_measure_set(r, "eq5_slope", li2_stats_loglog_slope(K + k0, q + EQ5 * nK + k0, nf));
  li2_verify_measure_set(r, "coef_ratio_first", q[RATIO * nK + a]);
  li2_verify_measure_set(r, "coef_ratio_last", q[RATIO * nK + b]);
  li2_verify_measure_set(r, "c1", q[C1 * nK + b]);
  li2_verify_measure_set(r, "c2", q[C2 * nK + b]);
  li2_verify_measure_set(r, "c1_label", q[C1L * nK + b]);
  li2_verify_measure_set(r, "ftf_first", q[FTF * nK + a]);
  li2_verify_measure_set(r, "ftf_last", q[FTF * nK + b]);
  li2_verify_measure_set(r, "ftf_slope", li2_stats_loglog_slope(K, q + FTF * nK, nK));
  li2_verify_measure_set(r, "pff_first", q[PFF * nK + a]);
  li2_verify_measure_set(r, "pff_last", q[PFF * nK + b]);
  li2_verify_measure_set(r, "pff_slope", li2_stats_loglog_slope(K, q + PFF * nK, nK));
  li2_verify_measure_set(r, "lab_first", q[LAB * nK + a]);
  li2_verify_measure_set(r, "lab_last", q[LAB * nK + b]);
  li2_verify_measure_set(r, "lab_slope", li2_stats_loglog_slope(K + k0, q + LAB * nK + k0, nf));
  li2_verify_measure_set(r, "lab_monotone", lmono);
  li2_verify_measure_set(r, "n", (double)d->ntrain);
  if (!strcmp(headline, "dir")) {
    r->predicted = -0.5;
    r->measured = li2_stats_loglog_slope(K + k0, q + DIR * nK + k0, nf);
    snprintf(r->what, sizeof r->what,
             "exponent in K of G_F's distance from a multiple of Y~Y~^T F~ (Lemma 1)");
  } else {
    r->predicted = 0;
    r->measured = li2_stats_loglog_slope(K, q + FTF * nK, nK);
    snprintf(r->what, sizeof r->what,
             "exponent in K of F~^T F~'s off/diag ratio (paper: < 0; ours: 0); P F F^T's: %.3f",
             li2_stats_loglog_slope(K, q + PFF * nK, nK));
  }
  li2_verify_printf(&tx,
                    "Random hidden layer W ~ N(0, %g^2) (Lemma 1's assumption 1), %s, %s, n = %zu "
                    "training pairs, eta = %g, means over %zu seeds.  Distances are relative "
                    "Frobenius distances of G_F (Eq. 4) from Eq. 5's form; c1 = tr(F~F~^T) / "
                    "(K (n-1)), c2 = tr(F~^T F~) / (n K) (the proof's F~F~^T ~ K c1 P, F~^T F~ ~ "
                    "n c2 I), c1_label = \\|Y~^T F~\\|^2 / (K \\|Y~\\|^2).  Diagonality: mean "
                    "\\|off-diagonal\\| / mean \\|diagonal\\|.\n\n"
                    "| K | K/n | dist. to best multiple of S | dist. to Eq. 5 | dist. to eta/(K "
                    "c1_label + eta)^2 S | best / Eq. 5 factor | c1 | c2 | c1_label | F~^T F~ "
                    "off/diag | P F F^T off/diag |\n"
                    "|---|---|---|---|---|---|---|---|---|---|---|\n",
                    wscale, g->name, act_name, d->ntrain, eta, x.seeds);
  for (size_t k = 0; k < nK; k++)
    li2_verify_printf(&tx, "| %g | %.3g | %.4e | %.4e | %.4e | %.4g | %.5g | %.5g | %.5g | %.4f | %.4f |\n",
                      K[k], K[k] / (double)d->ntrain, q[DIR * nK + k], q[EQ5 * nK + k],
                      q[LAB * nK + k],
                      q[RATIO * nK + k], q[C1 * nK + k], q[C2 * nK + k], q[C1L * nK + k],
                      q[FTF * nK + k], q[PFF * nK + k]);
  li2_verify_printf(&tx,
                    "\nExponents in K (least squares on log-log over K >= %g): distance to the best multiple "
                    "%.4f (predicted -1/2: F~F~^T = K c1 P + O(sqrt(K)) fluctuations); distance "
                    "to Eq. 5 %.4f; F~^T F~ off/diag %.4f (predicted 0: each entry sums over the "
                    "n samples, not over K); P F F^T off/diag %.4f.\n",
                    K[k0], li2_stats_loglog_slope(K + k0, q + DIR * nK + k0, nf),
                    li2_stats_loglog_slope(K + k0, q + EQ5 * nK + k0, nf),
                    li2_stats_loglog_slope(K, q + FTF * nK, nK), li2_stats_loglog_slope(K, q + PFF * nK, nK));
  free(q);
done:
  r->detail = tx.s;
  free(x.out);
  free(K);
  li2_dataset_free(d);
  li2_group_free(g);
  return rc;
}

/* ------------------------------------------------------------------ */
/* C23: Fig. 3's diagnostics over seeds, with and without weight decay  */

static const char *const fig3_params[] = {"train", "weight_decay_off", "weight_decay_on", "seeds", "seed0",
                                          "dense_until", "dense_step", "sparse_step",
                                          "confidence", "peak_lo", "peak_hi", "ratio_limit",
                                          NULL};
static const char *const fig3_measures[] = {
  "runs", "gf_peak_epoch", "gf_peak_epoch_lo", "gf_peak_epoch_hi", "gf_ratio_at_peak",
  "gf_ratio_lo", "gf_ratio_hi", "ftf_ratio_max", "pff_ratio_max", "v_first", "dv_peak_epoch",
  "dw_peak_epoch", "dv_centroid", "dw_centroid", "test_acc_on", "test_acc_off", NULL};

typedef struct fig3_ctx {
  const li2_verify_claim *c;
  int quick;
  long seeds, seed0, dense_until, dense_step, sparse_step;
  double wd_off, wd_on;
  li2_train_metrics **rows;  /* 2 * seeds: with weight decay (even), without (odd) */
  size_t *nrows;
} fig3_ctx;

static int fig3_job(void *vctx, size_t i, int thread, li2_error *err)
{
  (void)thread;
  fig3_ctx *x = vctx;
  char extra[96];
  li2_train_config cfg;
  int rc;
  snprintf(extra, sizeof extra, "seed=%ld weight_decay=%.17g", x->seed0 + (long)(i / 2),
           i % 2 ? x->wd_off : x->wd_on);
  if ((rc = li2_verify_train_config(x->c, x->quick, "train", extra, &cfg, err)))
    return rc;
  return li2_stage1_trace(&cfg, x->dense_until, x->dense_step, x->sparse_step, &x->rows[i],
                          &x->nrows[i], err);
}

/* mean and its t interval at CONF */
static void interval(const double *v, size_t n, double conf, double *mean, double *lo, double *hi)
{
  double h;
  li2_stats_mean_ci(v, n, conf, mean, &h);
  *lo = *mean - h;
  *hi = *mean + h;
}

static int kind_fig3_trace(const li2_verify_claim *c, int quick, int threads,
                           li2_verify_result *r, li2_error *err)
{
  fig3_ctx x;
  double conf;
  li2_verify_text tx = {0};
  li2_train_config cfg;
  int rc;
  memset(&x, 0, sizeof x);
  x.c = c;
  x.quick = quick;
  if ((rc = li2_verify_param_long(c, quick, "seeds", "15", 2, 10000, &x.seeds, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed0", "1", 0, 4294967295L, &x.seed0, err)) ||
      (rc = li2_verify_param_long(c, quick, "dense_until", "300", 0, 1L << 40, &x.dense_until,
                                  err)) ||
      (rc = li2_verify_param_long(c, quick, "dense_step", "5", 1, 1L << 40, &x.dense_step, err)) ||
      (rc = li2_verify_param_long(c, quick, "sparse_step", "100", 1, 1L << 40, &x.sparse_step,
                                  err)) ||
      (rc = li2_verify_param_double(c, quick, "weight_decay_off", "0", 0, 1e6, &x.wd_off, err)) ||
      (rc = li2_verify_param_double(c, quick, "weight_decay_on", "2e-4", 0, 1e6, &x.wd_on, err)) ||
      (rc = li2_verify_param_double(c, quick, "confidence", "0.95", 0.5, 0.9999, &conf, err)) ||
      (rc = li2_verify_train_config(c, quick, "train", NULL, &cfg, err)) ||
      li2_verify_checking(c))
    return rc;
  cfg.optim.weight_decay = x.wd_on;
  size_t runs = 2 * (size_t)x.seeds;
  x.rows = calloc(runs, sizeof *x.rows);
  x.nrows = calloc(runs, sizeof *x.nrows);
  double *pk = malloc(x.seeds * sizeof *pk), *ratio = malloc(x.seeds * sizeof *ratio);
  double *acc_on = malloc(x.seeds * sizeof *acc_on), *acc_off = malloc(x.seeds * sizeof *acc_off);
  double *dvp = malloc(x.seeds * sizeof *dvp), *dwp = malloc(x.seeds * sizeof *dwp);
  double *pkv = malloc(x.seeds * sizeof *pkv), *pkw = malloc(x.seeds * sizeof *pkw);
  if (!x.rows || !x.nrows || !pk || !ratio || !acc_on || !acc_off || !dvp || !dwp || !pkv || !pkw) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_verify_run_jobs(r, runs, threads, fig3_job, &x, err)))
    goto done;
  double ftf_max = 0, pff_max = 0, vfirst = 0;
  for (long s = 0; s < x.seeds; s++) {
    li2_stage1_trace_summary on, off;
    size_t i = 2 * (size_t)s;
    li2_stage1_trace_summarise(x.rows[i], x.nrows[i], &on);
    li2_stage1_trace_summarise(x.rows[i + 1], x.nrows[i + 1], &off);
    pk[s] = (double)on.gf_peak_epoch;
    /* |G_F| with and without weight decay at the epoch of the peak with it
     * (both runs test at the same epochs) */
    ratio[s] = NAN;
    for (size_t k = 0; k < x.nrows[i] && k < x.nrows[i + 1]; k++)
      if (x.rows[i][k].epoch == on.gf_peak_epoch)
        ratio[s] = x.rows[i][k].gf_norm / x.rows[i + 1][k].gf_norm;
    ftf_max = fmax(ftf_max, fmax(on.ftf_ratio_max, off.ftf_ratio_max));
    pff_max = fmax(pff_max, fmax(on.pff_ratio_max, off.pff_ratio_max));
    vfirst += (on.dv_centroid < on.dw_centroid) + (off.dv_centroid < off.dw_centroid);
    dvp[s] = on.dv_centroid;
    dwp[s] = on.dw_centroid;
    pkv[s] = (double)on.dv_peak_epoch;
    pkw[s] = (double)on.dw_peak_epoch;
    acc_on[s] = on.final_test_acc;
    acc_off[s] = off.final_test_acc;
  }
  vfirst /= (double)runs;
  double pm, plo, phi, rm, rlo, rhi, aon, aoff, dvm, dwm, sd, pvm, pwm;
  interval(pk, (size_t)x.seeds, conf, &pm, &plo, &phi);
  interval(ratio, (size_t)x.seeds, conf, &rm, &rlo, &rhi);
  li2_stats_mean_sd(acc_on, (size_t)x.seeds, &aon, &sd);
  li2_stats_mean_sd(acc_off, (size_t)x.seeds, &aoff, &sd);
  li2_stats_mean_sd(dvp, (size_t)x.seeds, &dvm, &sd);
  li2_stats_mean_sd(dwp, (size_t)x.seeds, &dwm, &sd);
  li2_stats_mean_sd(pkv, (size_t)x.seeds, &pvm, &sd);
  li2_stats_mean_sd(pkw, (size_t)x.seeds, &pwm, &sd);
  li2_verify_measure_set(r, "runs", (double)runs);
  li2_verify_measure_set(r, "gf_peak_epoch", pm);
  li2_verify_measure_set(r, "gf_peak_epoch_lo", plo);
  li2_verify_measure_set(r, "gf_peak_epoch_hi", phi);
  li2_verify_measure_set(r, "gf_ratio_at_peak", rm);
  li2_verify_measure_set(r, "gf_ratio_lo", rlo);
  li2_verify_measure_set(r, "gf_ratio_hi", rhi);
  li2_verify_measure_set(r, "ftf_ratio_max", ftf_max);
  li2_verify_measure_set(r, "pff_ratio_max", pff_max);
  li2_verify_measure_set(r, "v_first", vfirst);
  li2_verify_measure_set(r, "dv_peak_epoch", pvm);
  li2_verify_measure_set(r, "dw_peak_epoch", pwm);
  li2_verify_measure_set(r, "dv_centroid", dvm);
  li2_verify_measure_set(r, "dw_centroid", dwm);
  li2_verify_measure_set(r, "test_acc_on", aon);
  li2_verify_measure_set(r, "test_acc_off", aoff);
  r->predicted = 0.08;
  r->measured = fmax(ftf_max, pff_max);
  snprintf(r->what, sizeof r->what,
           "largest off/diag ratio of F~^T F~ and P F F^T over training (Fig. 3: within 8%%)");
  li2_verify_printf(&tx,
                    "Trainer `%s`, %ld seeds from %ld, weight decay %g against %g; tested at "
                    "every %ld epochs up to %ld, then every %ld.  Intervals: t at %g.\n\n"
                    "| quantity | mean | interval |\n|---|---|---|\n"
                    "| epoch of the largest \\|G_F\\| (with weight decay) | %.1f | [%.1f, %.1f] |\n"
                    "| \\|G_F\\| with / without weight decay at that epoch | %.4g | [%.4g, %.4g] |\n"
                    "| epoch of the largest cosine distance of V (consecutive epochs) | %.1f | |\n"
                    "| epoch of the largest cosine distance of W | %.1f | |\n"
                    "| time centroid of V's cosine distance | %.1f | |\n"
                    "| time centroid of W's cosine distance | %.1f | |\n"
                    "| final test accuracy with / without weight decay | %.4f / %.4f | |\n\n"
                    "Largest off/diag ratio over all runs and tests: F~^T F~ %.4f, P F F^T %.4f "
                    "(Fig. 3: within 0.08).  Runs where V moves first (the time centroid of its "
                    "cosine distance before W's): %.3f.\n",
                    li2_verify_claim_param(c, "train", quick, NULL), x.seeds, x.seed0,
                    cfg.optim.weight_decay, x.wd_off, x.dense_step, x.dense_until, x.sparse_step,
                    conf, pm, plo, phi, rm, rlo, rhi, pvm, pwm, dvm, dwm, aon, aoff, ftf_max, pff_max,
                    vfirst);
  {
    /* the mean trace with weight decay, for a reader (and examples/fig3.sh) */
    const li2_train_metrics *m0 = x.rows[0];
    li2_verify_printf(&tx, "\nSeed %ld with weight decay:\n\n| epoch | \\|G_F\\| | F~^T F~ off/diag | "
                      "P F F^T off/diag | cos. dist. W | cos. dist. V | test acc |\n"
                      "|---|---|---|---|---|---|---|\n", x.seed0);
    for (size_t k = 0; k < x.nrows[0]; k += x.nrows[0] > 40 ? x.nrows[0] / 40 : 1)
      li2_verify_printf(&tx, "| %ld | %.4e | %.4f | %.4f | %.3e | %.3e | %.4f |\n", m0[k].epoch,
                        m0[k].gf_norm, m0[k].ftf_offdiag / m0[k].ftf_diag,
                        m0[k].pff_offdiag / m0[k].pff_diag, m0[k].dw_cos, m0[k].dv_cos,
                        m0[k].test_acc);
  }
done:
  r->detail = tx.s;
  for (size_t i = 0; x.rows && i < runs; i++)
    free(x.rows[i]);
  free(x.rows);
  free(x.nrows);
  free(pk);
  free(ratio);
  free(acc_on);
  free(acc_off);
  free(dvp);
  free(dwp);
  free(pkv);
  free(pkw);
  return rc;
}

const li2_verify_kind li2_verify_kind_prop1_flow = {"prop1_flow", prop1_params, prop1_measures, kind_prop1_flow, 1};
const li2_verify_kind li2_verify_kind_lemma1_width = {"lemma1_width", lemma1_params, lemma1_measures, kind_lemma1_width, 1};
const li2_verify_kind li2_verify_kind_fig3_trace = {"fig3_trace", fig3_params, fig3_measures, kind_fig3_trace, 1};
