/* li2 verify: Theorem 2's extension to a x + b x^2, Theorem 3 (target
 * reconstruction) and Theorem 5 (memorisation). */
#include "verify_kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "characters.h"
#include "dataset.h"
#include "energy.h"
#include "group.h"
#include "maxima.h"
#include "problem.h"
#include "memorise.h"
#include "represent.h"

/* ------------------------------------------------------------------ */
/* C13: sigma = a x + b x^2 has the maxima of x^2, at b^2 times its levels */

static const char *const quad_params[] = {"groups", "act_a", "act_b", "starts", "seed", NULL};
static const char *const quad_measures[] = {"max_rel_error", "max_identity_error", "maxima",
                                            "impure_maxima", "not_sqr_maxima",
                                            "groups_without_max", "components_found",
                                            "components_total", NULL};

static int kind_quad(const li2_verify_claim *c, int quick, int threads, li2_verify_result *r,
                     li2_error *err)
{
  long starts, seed;
  double qa, qb;
  int rc;
  if ((rc = li2_verify_param_double(c, quick, "act_a", "1", -1e6, 1e6, &qa, err)) ||
      (rc = li2_verify_param_double(c, quick, "act_b", "1", 1e-6, 1e6, &qb, err)) ||
      (rc = li2_verify_param_long(c, quick, "starts", "16", 1, 100000, &starts, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)))
    return rc;
  char *list, *names[64];
  size_t ng;
  if ((rc = li2_verify_param_groups(c, quick, "groups", NULL, &list, names, 64, &ng,
                                    err)) ||
      !list)
    return rc;
  li2_verify_text t = {0};
  double worst = -1, idworst = 0;
  size_t nmax = 0, nimpure = 0, notsqr = 0, nwithout = 0, found = 0, total = 0;
  li2_verify_printf(&t, "sigma(x) = %g x + %g x^2 on the full table, |w| = 1.  Predicted level "
                    "b^2 M/(2 d_R) (li2, from Eq. 7); the paper's printed form scaled the same "
                    "way is b^2 M/(8 d_R) (M/(8 d_k) real, M/(16 d_k) complex pair).\n\n"
                    "| group | M | component | d_R | paper printed b^2 M/(8 d_R) | li2 b^2 M/(2 d_R) "
                    "| measured | maxima | x^2-certified |\n|---|---|---|---|---|---|---|---|---|\n",
                    qa, qb);
  for (size_t gi = 0; gi < ng && !rc; gi++) {
    li2_problem P = {0};
    li2_group *g;
    li2_characters *ct;
    li2_dataset *d;
    li2_maxima_result *res = NULL;
    li2_energy *esq = NULL, *eq = NULL;
    li2_certifier *csq = NULL;
    li2_maxima_params mp;
    int *seen = NULL;
    size_t here = 0, M;
    if ((rc = li2_problem_setup_full(&P, names[gi], 0, err))) {
      if (!P.g)
        rc = li2_verify_param_fail(c, quick, "groups", err);
      goto next;
    }
    g = P.g, ct = P.ct, d = P.d;
    M = g->order;
    li2_maxima_params_default(&mp);
    mp.threads = threads;
    mp.act_a = qa;
    mp.act_b = qb;
    if (!(esq = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, err)) ||
        !(eq = li2_energy_alloc(g, d, LI2_ACT_QUAD, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, err)) ||
        li2_energy_set_quad(eq, qa, qb, err) || !(csq = li2_certifier_alloc(esq, &mp, err)) ||
        !(seen = calloc(ct->ncomponents, sizeof *seen))) {
      rc = err->code ? err->code : LI2_ENOMEM;
      goto next;
    }
    if ((rc = li2_maxima_search(g, ct, d, LI2_ACT_QUAD, LI2_ENERGY_RAW, &mp, (size_t)starts,
                                (unsigned long)seed, NULL, &res, err)))
      goto next;
    /* The mechanism: E_quad(w) = b^2 E_sqr(w) at every end point. */
    for (size_t i = 0; i < res->nstarts && !rc; i++) {
      double E1, E2;
      const double *w = res->w + i * res->dim;
      if ((rc = li2_energy_eval(eq, w, &E1, NULL)) || (rc = li2_energy_eval(esq, w, &E2, NULL))) {
        rc = li2_error_set(err, rc, "%s: energy not finite", g->name);
        break;
      }
      if (fabs(E1 - qb * qb * E2) / fmax(fabs(E1), 1e-300) > idworst)
        idworst = fabs(E1 - qb * qb * E2) / fmax(fabs(E1), 1e-300);
      if (res->points[i].label == LI2_MAXIMA_MAX) {
        li2_maxima_point pt;
        if ((rc = li2_certifier_certify(csq, w, &pt, err)))
          break;
        notsqr += pt.label != LI2_MAXIMA_MAX;
      }
    }
    for (size_t i = 0; i < res->ngroups && !rc; i++) {
      const li2_maxima_group *mg = &res->groups[i];
      size_t certified = 0;
      if (mg->label != LI2_MAXIMA_MAX)
        continue;
      here++;
      nmax += mg->count;
      if (mg->component < 1 || !mg->pure) {
        nimpure += mg->count;
        li2_verify_printf(&t, "| %s | %zu | impure (dominant %d) | - | - | - | %.10g | %zu | - |\n",
                          g->name, M, mg->component, mg->energy, mg->count);
        continue;
      }
      double pred = qb * qb * li2_characters_predicted_energy(ct, M, (size_t)mg->component);
      double e1 = fabs(mg->energy_min - pred) / pred, e2 = fabs(mg->energy_max - pred) / pred;
      double rel = e1 > e2 ? e1 : e2;
      int dR = ct->component_real_dim[mg->component];
      seen[mg->component] = 1;
      if (rel > worst) {
        worst = rel;
        r->predicted = pred;
        r->measured = e1 > e2 ? mg->energy_min : mg->energy_max;
      }
      for (size_t s = 0; s < res->nstarts; s++)
        if (res->points[s].label == LI2_MAXIMA_MAX && res->points[s].component == mg->component &&
            res->points[s].pure && fabs(res->points[s].energy - mg->energy) <= 1e-6 * pred) {
          li2_maxima_point pt;
          if (!li2_certifier_certify(csq, res->w + s * res->dim, &pt, err))
            certified += pt.label == LI2_MAXIMA_MAX;
        }
      li2_verify_printf(&t, "| %s | %zu | %d | %d | %.10g | %.10g | %.10g | %zu | %zu |\n", g->name,
                        M, mg->component, dR, qb * qb * (double)M / (8.0 * dR), pred, mg->energy,
                        mg->count, certified);
    }
    if (!here)
      nwithout++;
    for (size_t k = 1; k < ct->ncomponents; k++)
      found += (size_t)seen[k];
    total += ct->ncomponents - 1;
  next:
    free(seen);
    li2_certifier_free(csq);
    li2_energy_free(eq);
    li2_energy_free(esq);
    li2_maxima_result_free(res);
    li2_problem_free(&P);
  }
  free(list);
  if (!rc) {
    li2_verify_measure_set(r, "max_rel_error", worst >= 0 ? worst : NAN);
    li2_verify_measure_set(r, "max_identity_error", idworst);
    li2_verify_measure_set(r, "maxima", (double)nmax);
    li2_verify_measure_set(r, "impure_maxima", (double)nimpure);
    li2_verify_measure_set(r, "not_sqr_maxima", (double)notsqr);
    li2_verify_measure_set(r, "groups_without_max", (double)nwithout);
    li2_verify_measure_set(r, "components_found", (double)found);
    li2_verify_measure_set(r, "components_total", (double)total);
    snprintf(r->what, sizeof r->what,
             "worst certified maximum of a x + b x^2: b^2 M/(2 d_R) vs found");
    li2_verify_printf(&t, "\n%zu certified maxima from %ld starts per group, %zu of them not "
                      "certified as maxima of the x^2 energy at the same point; E_quad = b^2 E_sqr "
                      "at every end point to %.2g (relative); %zu of %zu nontrivial components "
                      "reached.\n",
                      nmax, starts, notsqr, idworst, found, total);
  }
  r->detail = t.s;
  return rc;
}

const li2_verify_kind li2_verify_kind_quad_maxima = {"quad_maxima", quad_params, quad_measures,
                                                     kind_quad, 1};

/* ------------------------------------------------------------------ */
/* C14, C15: Theorem 3's reconstruction                                 */

static const char *const rec_params[] = {"groups", "modes", "omit_every", "eps", "seed",
                                         "rank_tol", NULL};
static const char *const rec_measures[] = {"exact_max_rel_residual", "exact_min_accuracy",
                                           "pred_max_error", "real_min_rel_residual",
                                           "real_max_accuracy", "abelian_k_error", "runs",
                                           NULL};

static int kind_reconstruction(const li2_verify_claim *c, int quick, int threads,
                               li2_verify_result *r, li2_error *err)
{
  const char *groups, *modes;
  long omit_every, seed;
  double eps, rank_tol;
  int rc;
  (void)threads;
  if ((rc = li2_verify_param_string(c, quick, "groups", NULL, &groups, err)) ||
      (rc = li2_verify_param_string(c, quick, "modes", "complex", &modes, err)) ||
      (rc = li2_verify_param_long(c, quick, "omit_every", "3", 0, 1000, &omit_every, err)) ||
      (rc = li2_verify_param_double(c, quick, "eps", "0.1", 1e-6, 10, &eps, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)) ||
      (rc = li2_verify_param_double(c, quick, "rank_tol", "1e-9", 1e-15, 1e-2, &rank_tol, err)))
    return rc;
  char *glist = strdup(groups), *mlist = strdup(modes), *gnames[64], *mnames[3];
  if (!glist || !mlist) {
    free(glist);
    free(mlist);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  size_t ng = li2_verify_split_list(glist, gnames, 64), nm = li2_verify_split_list(mlist, mnames, 3);
  int mode[3];
  for (size_t i = 0; i < nm && !rc; i++)
    if ((mode[i] = li2_represent_mode_from_name(mnames[i])) < 0) {
      li2_error_set(err, LI2_EINVAL, "'%s' is not one of complex|real|real_perturbed", mnames[i]);
      rc = li2_verify_param_fail(c, quick, "modes", err);
    }
  if (li2_verify_checking(c)) {
    if (!rc)
      rc = li2_verify_check_groups(c, quick, "groups", NULL, gnames, ng, err);
    ng = 0;  /* checked: no measurement */
  }
  li2_verify_text t = {0};
  double exact_res = -1, exact_acc = 2, pred_err = 0, real_res = INFINITY, real_acc = -1,
         kerr = NAN;
  size_t runs = 0;
  li2_verify_printf(&t, "Full table, sigma = x^2, least-squares top layer at eta = 0.  Omitted: "
                    "every N-th non-trivial irrep (N = %ld) (complex) or real component (real modes), "
                    "starting at the first; predicted residual sqrt(M sum d_k^2) over omitted "
                    "irreps (sqrt(M D_K) per omitted component), plus for `real` the "
                    "antisymmetric part (M/2)(D_K - sum d_k nu_k) of every kept component.\n\n"
                    "| group | M | mode | omitted | K | rank | norm of Y~ | predicted residual | "
                    "measured residual | relative | readout accuracy | seconds |\n"
                    "|---|---|---|---|---|---|---|---|---|---|---|---|\n",
                    omit_every);
  for (size_t gi = 0; gi < ng && !rc; gi++) {
    li2_group *g = NULL;
    li2_characters *ct = NULL;
    int *omit = NULL;
    if (!(g = li2_group_alloc_name(gnames[gi], err))) {
      rc = li2_verify_param_fail(c, quick, "groups", err);
      goto next;
    }
    if (!(ct = li2_characters_alloc(g, err)) ||
        !(omit = calloc(ct->nirreps + ct->ncomponents, sizeof *omit))) {
      rc = err->code ? err->code : li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto next;
    }
    for (size_t mi = 0; mi < nm && !rc; mi++)
      for (int om = 0; om < (omit_every > 0 ? 2 : 1) && !rc; om++) {
        li2_represent_params p;
        li2_represent_result res;
        size_t nu = mode[mi] == LI2_REPRESENT_COMPLEX ? ct->nirreps : ct->ncomponents, nomit = 0;
        li2_represent_params_default(&p);
        p.mode = mode[mi];
        p.eps = eps;
        p.seed = (unsigned long)seed;
        p.rank_tol = rank_tol;
        for (size_t k = 0; k < nu; k++) {
          omit[k] = om && k >= 1 && (k - 1) % (size_t)omit_every == 0;
          nomit += (size_t)omit[k];
        }
        p.omit = om ? omit : NULL;
        if ((rc = li2_represent_run(g, ct, &p, &res, err)))
          break;
        runs++;
        double rel = res.residual / res.target_norm;
        double dev = fabs(res.residual - res.predicted) / res.target_norm;
        if (dev > pred_err)
          pred_err = dev;
        if (!om && p.mode != LI2_REPRESENT_REAL) {
          if (rel > exact_res) {
            exact_res = rel;
            r->predicted = 0;
            r->measured = rel;
          }
          if (res.accuracy < exact_acc)
            exact_acc = res.accuracy;
        }
        if (!om && p.mode == LI2_REPRESENT_REAL) {
          if (rel < real_res)
            real_res = rel;
          if (res.accuracy > real_acc)
            real_acc = res.accuracy;
        }
        if (!om && p.mode == LI2_REPRESENT_COMPLEX && g->abelian) {
          double e = fabs((double)res.K - (2.0 * (double)g->order - 2.0));
          kerr = isnan(kerr) || e > kerr ? e : kerr;
        }
        li2_verify_printf(&t, "| %s | %zu | %s | %zu | %zu | %zu | %.6g | %.10g | %.10g | %.3g | "
                          "%.6f | %.2f |\n",
                          g->name, g->order, li2_represent_mode_name(p.mode), nomit, res.K,
                          res.rank, res.target_norm, res.predicted, res.residual, rel,
                          res.accuracy, res.seconds);
      }
  next:
    free(omit);
    li2_characters_free(ct);
    li2_group_free(g);
  }
  free(glist);
  free(mlist);
  if (!rc && !li2_verify_checking(c)) {  /* checked: nothing measured, nothing recorded */
    li2_verify_measure_set(r, "exact_max_rel_residual", exact_res >= 0 ? exact_res : NAN);
    li2_verify_measure_set(r, "exact_min_accuracy", exact_acc <= 1 ? exact_acc : NAN);
    li2_verify_measure_set(r, "pred_max_error", pred_err);
    li2_verify_measure_set(r, "real_min_rel_residual", isfinite(real_res) ? real_res : NAN);
    li2_verify_measure_set(r, "real_max_accuracy", real_acc >= 0 ? real_acc : NAN);
    li2_verify_measure_set(r, "abelian_k_error", kerr);
    li2_verify_measure_set(r, "runs", (double)runs);
    snprintf(r->what, sizeof r->what, "worst relative residual |Y~ - Y^|/|Y~| at the paper's K "
             "(complex%s)", nm > 1 || mode[0] != LI2_REPRESENT_COMPLEX ? ", real perturbed" : "");
    li2_verify_printf(&t, "\nLargest |measured - predicted| residual over all %zu runs: %.3g of "
                      "|Y~|.\n", runs, pred_err);
  }
  r->detail = t.s;
  return rc;
}

const li2_verify_kind li2_verify_kind_reconstruction = {"reconstruction", rec_params, rec_measures,
                                                        kind_reconstruction, 1};

/* ------------------------------------------------------------------ */
/* C16: Theorem 5, memorisation                                         */

static const char *const mem_params[] = {"group", "target", "activations", "starts", "seed",
                                         "p_seed", NULL};
static const char *const mem_measures[] = {"max_energy_rel_error", "max_profile_error",
                                           "max_split", "structure_wrong", "other_maxima",
                                           "negative_maxima", "without_max", NULL};

static int kind_memorisation(const li2_verify_claim *c, int quick, int threads,
                             li2_verify_result *r, li2_error *err)
{
  const char *gname, *acts;
  long target, starts, seed, pseed;
  int rc;
  (void)threads;
  if ((rc = li2_verify_param_string(c, quick, "group", NULL, &gname, err)) ||
      (rc = li2_verify_param_long(c, quick, "target", "1", 0, 1000000, &target, err)) ||
      (rc = li2_verify_param_string(c, quick, "activations", NULL, &acts, err)) ||
      (rc = li2_verify_param_long(c, quick, "starts", "16", 1, 100000, &starts, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)) ||
      (rc = li2_verify_param_long(c, quick, "p_seed", "1", 0, 4294967295L, &pseed, err)))
    return rc;
  li2_group *g = li2_group_alloc_name(gname, err);
  if (!g)
    return li2_verify_param_fail(c, quick, "group", err);
  if ((size_t)target >= g->order) {
    li2_error_set(err, LI2_EINVAL, "target %ld: not below the order %zu", target, g->order);
    li2_group_free(g);
    return li2_verify_param_fail(c, quick, "target", err);
  }
  size_t M = g->order, gstar = 0, gmin = 0;
  char *list = strdup(acts), *names[16];
  double *p = malloc(M * sizeof *p), *s = malloc(M * sizeof *s), sum = 0;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  li2_verify_text t = {0};
  double eworst = 0, pworst = 0, split = 0;
  size_t wrong = 0, other = 0, negative = 0, without = 0;
  if (!list || !p || !s || !rng) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  /* p_g uniform on [0.2, 1.2), normalised: a unique largest (almost surely). */
  gsl_rng_set(rng, (unsigned long)pseed);
  for (size_t x = 0; x < M; x++) {
    p[x] = 0.2 + gsl_rng_uniform(rng);
    sum += p[x];
  }
  for (size_t x = 0; x < M; x++) {
    p[x] /= sum;
    if (p[x] > p[gstar])
      gstar = x;
    if (p[x] < p[gmin])
      gmin = x;
  }
  size_t na = li2_verify_split_list(list, names, 16);
  if (li2_verify_checking(c)) {
    for (size_t ai = 0; ai < na && !rc; ai++) {
      li2_activation a;
      double lambda;
      if (li2_activation_parse(names[ai], &a, "activations", err) ||
          li2_memorise_closed_form(a, M, p, s, &lambda, err))
        rc = li2_verify_param_fail(c, quick, "activations", err);
    }
    goto done;
  }
  li2_verify_printf(&t, "%s, target h = %ld, pairs (g, g^-1 h) with p_g uniform on [0.2, 1.2) "
                    "normalised (seed %ld; largest p = %.4f at g* = %zu, smallest %.4f); E = F^2/2, "
                    "F = sum_g p_g sigma(s_g), |w| = 1; %ld starts.\n\n"
                    "| activation | predicted | lambda | predicted E* | best certified E | rel. error "
                    "| max abs(s - s*) | max abs(u_g - v_{g^-1 h}) | s_{g*}^2 share (pred / meas) | min s_g (pred / meas) "
                    "| maxima at best | other maxima F >= 0 | maxima with F < 0 (best E) |\n"
                    "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
                    g->name, target, pseed, p[gstar], gstar, p[gmin], starts);
  for (size_t ai = 0; ai < na && !rc; ai++) {
    li2_activation a;
    li2_memorise_result res;
    li2_maxima_params mp;
    double lambda, Fp, Ep, pe = 0, pe2 = 0, sh_p, sh_m, tot = 0, minp = INFINITY, minm = INFINITY;
    int focused;
    if ((rc = li2_activation_parse(names[ai], &a, "activations", err))) {
      rc = li2_verify_param_fail(c, quick, "activations", err);
      break;
    }
    if ((rc = li2_memorise_closed_form(a, M, p, s, &lambda, err))) {
      rc = li2_verify_param_fail(c, quick, "activations", err);
      break;
    }
    focused = li2_memorise_focused(a);
    Fp = li2_memorise_objective(a, M, p, s);
    Ep = 0.5 * Fp * Fp;
    li2_maxima_params_default(&mp);
    if ((rc = li2_memorise_search(g, (int)target, a, p, &mp, (size_t)starts, (unsigned long)seed,
                                  &res, err)))
      break;
    if (!res.nmax) {
      without++;
      li2_verify_printf(&t, "| %s | %s | %.6g | %.10g | none certified | - | - | - | - | - | 0 | - "
                        "| - |\n", names[ai], focused ? "focused" : "spreading", lambda, Ep);
      li2_memorise_result_clear(&res);
      continue;
    }
    double rel = fabs(res.best_energy - Ep) / Ep;
    if (rel >= eworst) {
      eworst = rel;
      r->predicted = Ep;
      r->measured = res.best_energy;
    }
    /* the profile up to the sign of w (E is even in F; sigma = x^2 even) */
    for (size_t x = 0; x < M; x++) {
      pe = fmax(pe, fabs(res.best_s[x] - s[x]));
      pe2 = fmax(pe2, fabs(-res.best_s[x] - s[x]));
      tot += res.best_s[x] * res.best_s[x];
      minp = fmin(minp, s[x]);
    }
    if (pe2 < pe) {
      pe = pe2;
      for (size_t x = 0; x < M; x++)
        res.best_s[x] = -res.best_s[x];
    }
    for (size_t x = 0; x < M; x++)
      minm = fmin(minm, res.best_s[x]);
    sh_p = s[gstar] * s[gstar] / 2;
    sh_m = res.best_s[gstar] * res.best_s[gstar] / tot;
    pworst = fmax(pworst, pe);
    split = fmax(split, res.split);
    /* the structure: focused puts (all) the budget on g*, spreading keeps
     * every s_g > 0 */
    if (focused ? !(sh_m >= 1 - 1e-6) : !(minm > 0))
      wrong++;
    other += res.n_other;
    negative += res.n_negative;
    li2_verify_printf(&t, "| %s | %s | %.6g | %.10g | %.10g | %.2g | %.2g | %.2g | %.6f / %.6f | "
                      "%.6f / %.6f | %zu | %zu | %zu (%.6g) |\n",
                      names[ai], focused ? "focused" : "spreading", lambda, Ep, res.best_energy,
                      rel, pe, res.split, sh_p, sh_m, minp, minm, res.n_at_best, res.n_other,
                      res.n_negative, res.negative_energy);
    li2_memorise_result_clear(&res);
  }
  if (!rc) {
    li2_verify_measure_set(r, "max_energy_rel_error", eworst);
    li2_verify_measure_set(r, "max_profile_error", pworst);
    li2_verify_measure_set(r, "max_split", split);
    li2_verify_measure_set(r, "structure_wrong", (double)wrong);
    li2_verify_measure_set(r, "other_maxima", (double)other);
    li2_verify_measure_set(r, "negative_maxima", (double)negative);
    li2_verify_measure_set(r, "without_max", (double)without);
    snprintf(r->what, sizeof r->what,
             "global maximum of E: closed form F(s*)^2/2 vs best certified (worst activation)");
    li2_verify_printf(&t, "\nMaxima with F < 0 are minima of F (E = F^2/2 is even in F), outside "
                      "the theorem's domain s_g >= 0; they are reported, not counted against it.\n");
  }
done:
  gsl_rng_free(rng);
  free(list);
  free(p);
  free(s);
  li2_group_free(g);
  r->detail = t.s;
  return rc;
}

const li2_verify_kind li2_verify_kind_memorisation = {"memorisation", mem_params, mem_measures,
                                                      kind_memorisation, 1};
