/* li2 verify: Stage III and Muon kinds of the paper's Sec. 5:
 * repulsion (Theorem 6), modulated energy E_S (Theorem 7), Muon's ascent
 * direction (Lemma 2) and the model dynamics of Eq. 10 (Theorem 8). */
#include "verify_kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "characters.h"
#include "dataset.h"
#include "energy.h"
#include "fourier.h"
#include "group.h"
#include "maxima.h"
#include "problem.h"
#include "gradient.h"
#include "lazy.h"
#include "model.h"
#include "muon_model.h"
#include "optim.h"
#include "process.h"
#include "stats.h"
#include "repulsion.h"
#include "train.h"

/* Comma-separated non-negative integers of KEY into *OUT (malloc'ed). */
static int param_long_list(const li2_verify_claim *c, int quick, const char *key, const char *def,
                           long **out, size_t *n, li2_error *err)
{
  const char *spec;
  int rc;
  char *words[256];
  if ((rc = li2_verify_param_string(c, quick, key, def, &spec, err)))
    return rc;
  char *buf = strdup(spec);
  if (!buf)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  *n = li2_verify_split_list(buf, words, 256);
  *out = malloc((*n ? *n : 1) * sizeof **out);
  for (size_t i = 0; *out && i < *n; i++) {
    char *end;
    (*out)[i] = strtol(words[i], &end, 10);
    if (end == words[i] || *end || (*out)[i] < 0 || (i && (*out)[i] <= (*out)[i - 1])) {
      rc = li2_error_set(err, LI2_EINVAL, "'%s' is not an increasing list of integers >= 0", spec);
      free(buf);
      free(*out);
      *out = NULL;
      return li2_verify_param_fail(c, quick, key, err);
    }
  }
  free(buf);
  if (!*out)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (!*n) {
    li2_error_set(err, LI2_EINVAL, "empty list");
    return li2_verify_param_fail(c, quick, key, err);
  }
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Theorem 6: repulsion of similar features, on a trained network        */

static const char *const repulsion_params[] = {"train", "checkpoints", "eta", NULL};
static const char *const repulsion_measures[] = {"pairs", "agree", "disagree", "min_abs_b",
                                                 "min_abs_b_rel", "value_rel", "identity_rel",
                                                 "printed_rel", "similar", "similar_repel",
                                                 NULL};

static int kind_repulsion(const li2_verify_claim *c, int quick, int threads,
                          li2_verify_result *r, li2_error *err)
{
  li2_train_config cfg;
  li2_trainer *t = NULL;
  li2_lazy *L = NULL;
  long *ck = NULL;
  double *eta = NULL;
  size_t nck = 0, neta = 0, pairs = 0, agree = 0, similar = 0, repel = 0;
  double min_b = INFINITY, min_b_rel = INFINITY, value_rel = 0, ident = 0, printed = INFINITY;
  const char *eta_spec;
  li2_verify_text tx = {0};
  int rc;
  if ((rc = li2_verify_param_string(c, quick, "eta", NULL, &eta_spec, err)))
    return rc;
  if (li2_gradient_eta_parse(eta_spec, "eta", &eta, &neta, err))
    return li2_verify_param_fail(c, quick, "eta", err);
  if ((rc = param_long_list(c, quick, "checkpoints", NULL, &ck, &nck, err)) ||
      (rc = li2_verify_train_config(c, quick, "train", NULL, &cfg, err)) ||
      li2_verify_checking(c))
    goto done;
  li2_process_set_threads(threads);
  if (!(t = li2_trainer_alloc(&cfg, NULL, NULL, err))) {
    rc = li2_verify_param_fail(c, quick, "train", err);
    goto done;
  }
  const li2_dataset *d = li2_trainer_dataset(t);
  if (!(L = li2_lazy_alloc(li2_trainer_model(t), d->ntrain, err))) {
    rc = err->code;
    goto done;
  }
  li2_verify_printf(&tx, "Trained network: `%s`; features F~ of the hidden layer on its %zu "
                    "training pairs, K = %zu nodes, all K(K-1)/2 pairs at every checkpoint and "
                    "eta.\n\n| epoch | test acc | eta | pairs | sign agrees | min abs(b_jl) | "
                    "min abs(b_jl)/max | b_jl vs -s_jl/det | Eq. 9 (proof form) | Eq. 9 as printed | "
                    "similar pairs repelled |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
                    li2_verify_claim_param(c, "train", quick, NULL), d->ntrain, cfg.hidden_size);
  long epoch = 0;
  for (size_t k = 0; !rc && k < nck; k++) {
    for (; !rc && epoch < ck[k]; epoch++)
      rc = li2_trainer_iterate(t, err);
    li2_train_metrics tm;
    if (rc || (rc = li2_trainer_test(t, &tm, err)) ||
        (rc = li2_lazy_set(L, d->train_x, d->train_y, err)))
      break;
    for (size_t e = 0; !rc && e < neta; e++) {
      li2_repulsion_stats st;
      if ((rc = li2_repulsion_compute(d->ntrain, cfg.hidden_size, li2_lazy_features(L), eta[e],
                                      &st, err)))
        break;
      pairs += st.pairs;
      agree += st.agree;
      similar += st.similar;
      repel += st.similar_repel;
      min_b = fmin(min_b, st.min_abs_b);
      min_b_rel = fmin(min_b_rel, st.min_abs_b / st.max_abs_b);
      value_rel = fmax(value_rel, st.value_rel);
      ident = fmax(ident, st.identity_rel);
      printed = fmin(printed, st.printed_rel);
      li2_verify_printf(&tx, "| %ld | %.3f | %g | %zu | %zu | %.3g | %.3g | %.2g | %.2g | %.3g | "
                        "%zu / %zu |\n", epoch, tm.test_acc, eta[e], st.pairs, st.agree,
                        st.min_abs_b, st.min_abs_b / st.max_abs_b, st.value_rel, st.identity_rel,
                        st.printed_rel, st.similar_repel, st.similar);
    }
  }
  if (!rc) {
    li2_verify_measure_set(r, "pairs", (double)pairs);
    li2_verify_measure_set(r, "agree", (double)agree);
    li2_verify_measure_set(r, "disagree", (double)(pairs - agree));
    li2_verify_measure_set(r, "min_abs_b", min_b);
    li2_verify_measure_set(r, "min_abs_b_rel", min_b_rel);
    li2_verify_measure_set(r, "value_rel", value_rel);
    li2_verify_measure_set(r, "identity_rel", ident);
    li2_verify_measure_set(r, "printed_rel", printed);
    li2_verify_measure_set(r, "similar", (double)similar);
    li2_verify_measure_set(r, "similar_repel", (double)repel);
    r->predicted = (double)pairs;
    r->measured = (double)agree;
    snprintf(r->what, sizeof r->what,
             "pairs (j,l) with sign(b_jl) = -sign(f~_j^T P_eta,-jl f~_l), of all pairs over %zu "
             "checkpoints x %zu eta", nck, neta);
    li2_verify_printf(&tx, "\nb_jl from one inverse of F~^T F~ + eta I; s_jl = f~_j^T P_{eta,-jl} "
                      "f~_l from its own solve without nodes j and l. Eq. 9 as printed sums "
                      "l = 1..K besides b_jj f~_j, counting node j twice; the proof (App. B.1) "
                      "sums l != j. Smallest relative gap of Eq. 9 as printed: %.3g.\n", printed);
  }
done:
  r->detail = tx.s;
  li2_lazy_free(L);
  li2_trainer_free(t);
  free(ck);
  free(eta);
  return rc;
}

const li2_verify_kind li2_verify_kind_repulsion = {"repulsion", repulsion_params,
                                                   repulsion_measures, kind_repulsion, 1};

/* ------------------------------------------------------------------ */
/* Theorem 7: the maxima of E_S lie on components outside S              */

static const char *const modulated_params[] = {"group", "learned", "starts", "random_starts",
                                               "noise", "seed", NULL};
static const char *const modulated_measures[] = {
    "maxima", "maxima_in_s", "maxima_outside_s", "outside_without_max", "impure_maxima",
    "max_rel_error", "learned_level_max", "learned_still_max", "random_maxima_in_s", NULL};

/* Start REP inside COMPONENT (li2_maxima_component_start) plus NOISE times
 * the Gaussian unit vector li2_maxima_start(SEED + 1, INDEX) (TMP: 2M
 * values), put back on the unit sphere: starts in a learned component
 * can leave it. */
static int noisy_component_start(li2_fourier *f, size_t M, size_t component, size_t rep,
                                 double noise, unsigned long seed, size_t index, double *w,
                                 double *tmp)
{
  int rc;
  double s = 0;
  if ((rc = li2_maxima_component_start(f, seed, component, rep, M, 1.0, w)) ||
      (rc = li2_maxima_start(seed + 1, index, 2 * M, noise, tmp)))
    return rc;
  for (size_t i = 0; i < 2 * M; i++) {
    w[i] += tmp[i];
    s += w[i] * w[i];
  }
  for (size_t i = 0; i < 2 * M; i++)
    w[i] /= sqrt(s);
  return LI2_SUCCESS;
}

static int kind_modulated_maxima(const li2_verify_claim *c, int quick, int threads,
                                 li2_verify_result *r, li2_error *err)
{
  const char *gname, *learned;
  long starts, rstarts, seed;
  double noise;
  li2_problem P = {0};
  li2_group *g = NULL;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_dataset *d = NULL;
  li2_energy *e = NULL, *e0 = NULL;
  li2_maximizer *m = NULL, *m0 = NULL;
  li2_certifier *cf = NULL, *cf0 = NULL;
  li2_classifier *k = NULL, *k0 = NULL;
  size_t *S = NULL, ns = 0, nc = 0;
  double *w0 = NULL, *w = NULL;
  int *inS = NULL;
  size_t *maxc = NULL;
  li2_verify_text tx = {0};
  int rc;
  (void)threads;
  if ((rc = li2_verify_param_string(c, quick, "group", NULL, &gname, err)) ||
      (rc = li2_verify_param_string(c, quick, "learned", NULL, &learned, err)) ||
      (rc = li2_verify_param_long(c, quick, "starts", "2", 1, 1000, &starts, err)) ||
      (rc = li2_verify_param_long(c, quick, "random_starts", "8", 0, 100000, &rstarts, err)) ||
      (rc = li2_verify_param_double(c, quick, "noise", "0.05", 0, 1e3, &noise, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)))
    return rc;
  if ((rc = li2_problem_setup_full(&P, gname, 1, err))) {
    if (!P.g)
      return li2_verify_param_fail(c, quick, "group", err);
    goto done;
  }
  g = P.g, ct = P.ct, f = P.f, d = P.d;
  li2_maxima_params mp;
  li2_maxima_params_default(&mp);
  if (!(e = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, err)) ||
      !(e0 = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, err))) {
    rc = err->code;
    goto done;
  }
  nc = li2_fourier_ncomponents(f);
  if ((rc = li2_gradient_nodes_parse(learned, "learned", nc, &S, &ns, err))) {
    rc = li2_verify_param_fail(c, quick, "learned", err);
    goto done;
  }
  if (li2_verify_checking(c))
    goto done;
  if ((rc = li2_energy_set_learned(e, f, S, ns, err)))
    goto done;
  size_t M = g->order, dim = 2 * M;
  w0 = malloc(dim * sizeof *w0);
  w = malloc(dim * sizeof *w);
  inS = calloc(nc, sizeof *inS);
  maxc = calloc(nc, sizeof *maxc);
  if (!w0 || !w || !inS || !maxc ||
      !(m = li2_maximizer_alloc(e, &mp, err)) || !(cf = li2_certifier_alloc(e, &mp, err)) ||
      !(k = li2_classifier_alloc(e, g, ct, &mp, err)) || !(m0 = li2_maximizer_alloc(e0, &mp, err)) ||
      !(cf0 = li2_certifier_alloc(e0, &mp, err)) ||
      !(k0 = li2_classifier_alloc(e0, g, ct, &mp, err))) {
    rc = w ? err->code : li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t j = 0; j < ns; j++)
    inS[S[j]] = 1;
  size_t nmax = 0, max_in = 0, impure = 0, rand_in = 0, still = 0, without = 0;
  double worst = 0, learned_level = 0;
  li2_verify_printf(&tx, "%s, full table, x^2, |w| = 1; learned S = {%s}. E_S = 1/2 |Pi_notS "
                    "Y~^T sigma~|^2 (li2_energy_set_learned). Starts inside every non-trivial "
                    "component (its projection of a Gaussian vector plus %g of the vector), "
                    "%ld each, and %ld random starts; every end point certified by the tangent "
                    "Hessian.\n\n| start component | in S | its level M/(2 d_R) | certified maxima "
                    "reached: component (energy) | other end points |\n"
                    "|---|---|---|---|---|\n", g->name, learned, noise, starts, rstarts);
  for (size_t comp = 1; !rc && comp < nc; comp++) {
    char ends[1024] = "", other[128] = "";
    size_t nother = 0;
    for (long i = 0; !rc && i < starts; i++) {
      li2_maxima_point pt;
      if ((rc = noisy_component_start(f, M, comp, (size_t)i, noise, (unsigned long)seed,
                                      comp * (size_t)starts + (size_t)i, w0, w)) ||
          (rc = li2_maxima_climb(m, cf, k, w0, w, &pt, err)))
        break;
      if (pt.label != LI2_MAXIMA_MAX) {
        nother++;
        continue;
      }
      nmax++;
      double pred = li2_maxima_predicted_energy(ct, e0, M, pt.component, 1.0);
      if (pt.component > 0 && inS[pt.component])
        max_in++;
      if (!pt.pure)
        impure++;
      if (pt.component > 0)
        maxc[pt.component]++;
      worst = fmax(worst, fabs(pt.energy - pred) / pred);
      if (isnan(pred))
        worst = INFINITY;
      size_t len = strlen(ends);
      snprintf(ends + len, sizeof ends - len, "%s%d (%.10g)", len ? ", " : "", pt.component,
               pt.energy);
    }
    if (nother)
      snprintf(other, sizeof other, "%zu not maxima", nother);
    li2_verify_printf(&tx, "| %zu | %s | %.10g | %s | %s |\n", comp, inS[comp] ? "yes" : "no",
                      li2_maxima_predicted_energy(ct, e0, M, (int)comp, 1.0),
                      ends[0] ? ends : "-", other);
  }
  for (long i = 0; !rc && i < rstarts; i++) {
    li2_maxima_point pt;
    if ((rc = li2_maxima_start((unsigned long)seed + 1, (size_t)i, dim, 1.0, w0)) ||
        (rc = li2_maxima_climb(m, cf, k, w0, w, &pt, err)))
      break;
    if (pt.label != LI2_MAXIMA_MAX)
      continue;
    nmax++;
    double pred = li2_maxima_predicted_energy(ct, e0, M, pt.component, 1.0);
    worst = fmax(worst, isnan(pred) ? INFINITY : fabs(pt.energy - pred) / pred);
    if (!pt.pure)
      impure++;
    if (pt.component > 0) {
      maxc[pt.component]++;
      if (inS[pt.component])
        max_in++, rand_in++;
    }
  }
  for (size_t comp = 1; comp < nc; comp++)
    if (!inS[comp] && !maxc[comp])
      without++;
  /* The maxima of E itself in S's components, seen through E_S. */
  li2_verify_printf(&tx, "\nThe maxima of E in the learned components, evaluated and certified "
                    "with E_S:\n\n| component | E at its maximum | E_S there | E_S's label |\n"
                    "|---|---|---|---|\n");
  for (size_t j = 0; !rc && j < ns; j++) {
    li2_maxima_point p0, p1;
    if ((rc = li2_maxima_component_start(f, (unsigned long)seed, S[j], j, M, 1.0, w0)) ||
        (rc = li2_maxima_climb(m0, cf0, k0, w0, w, &p0, err)) ||
        (rc = li2_certifier_certify(cf, w, &p1, err)))
      break;
    double pred = li2_maxima_predicted_energy(ct, e0, M, (int)S[j], 1.0);
    learned_level = fmax(learned_level, fabs(p1.energy) / pred);
    if (p1.label == LI2_MAXIMA_MAX)
      still++;
    li2_verify_printf(&tx, "| %zu | %.10g | %.3g | %s |\n", S[j], p0.energy, p1.energy,
                      li2_maxima_label_name(p1.label));
  }
  if (!rc) {
    li2_verify_measure_set(r, "maxima", (double)nmax);
    li2_verify_measure_set(r, "maxima_in_s", (double)max_in);
    li2_verify_measure_set(r, "maxima_outside_s", (double)(nmax - max_in));
    li2_verify_measure_set(r, "outside_without_max", (double)without);
    li2_verify_measure_set(r, "impure_maxima", (double)impure);
    li2_verify_measure_set(r, "max_rel_error", worst);
    li2_verify_measure_set(r, "learned_level_max", learned_level);
    li2_verify_measure_set(r, "learned_still_max", (double)still);
    li2_verify_measure_set(r, "random_maxima_in_s", (double)rand_in);
    r->predicted = 0;
    r->measured = (double)max_in;
    snprintf(r->what, sizeof r->what,
             "certified maxima of E_S on a learned component (of %zu maxima; %zu components "
             "outside S without one)", nmax, without);
    li2_verify_printf(&tx, "\nCertified maxima: %zu, on learned components: %zu, impure: %zu; "
                      "largest relative distance of a maximum's energy from its component's "
                      "level: %.3g; largest E_S / level at E's maxima in S: %.3g (E_S >= 0, so "
                      "there E_S is at its global minimum; its Hessian vanishes there too, since a "
                      "perturbation's class sums stay in the learned component to first order, "
                      "hence the label degenerate).\n", nmax, max_in,
                      impure, worst, learned_level);
  }
done:
  r->detail = tx.s;
  li2_classifier_free(k0);
  li2_certifier_free(cf0);
  li2_maximizer_free(m0);
  li2_classifier_free(k);
  li2_certifier_free(cf);
  li2_maximizer_free(m);
  li2_energy_free(e0);
  li2_energy_free(e);
  li2_problem_free(&P);
  free(S);
  free(w0);
  free(w);
  free(inS);
  free(maxc);
  return rc;
}

const li2_verify_kind li2_verify_kind_modulated_maxima = {
    "modulated_maxima", modulated_params, modulated_measures, kind_modulated_maxima, 1};

/* ------------------------------------------------------------------ */
/* Lemma 2: Muon's direction ascends the joint energy                   */

static const char *const ascent_params[] = {"group", "nodes", "points", "eps", "seed", NULL};
static const char *const ascent_measures[] = {
    "checked", "positive", "positive_ns", "max_rel_gap", "min_inner_over_g", "near_min_g",
    "near_min_inner", "polar_norm_near", "polar_norm_zero", "ns_norm_zero", NULL};

/* G (dim x K, row-major): column j the gradient of E at column j of W,
 * tangent to the sphere when TANGENT. */
static int joint_gradient(li2_energy *e, size_t dim, size_t K, const double *W, int tangent,
                          double *G, double *wj, double *gj)
{
  for (size_t j = 0; j < K; j++) {
    double E;
    for (size_t i = 0; i < dim; i++)
      wj[i] = W[i * K + j];
    if (li2_energy_eval(e, wj, &E, gj))
      return LI2_ENUMERIC;
    if (tangent)
      li2_energy_project_tangent(dim, wj, gj);
    for (size_t i = 0; i < dim; i++)
      G[i * K + j] = gj[i];
  }
  return LI2_SUCCESS;
}

typedef struct ascent_tally {
  size_t npts, pos, pos_ns;
  double gap, min_ratio;
} ascent_tally;

/* Lemma 2 at W: G's ascent measures into AS, tallied into T. */
static int ascent_at(li2_energy *e, size_t dim, size_t K, const double *W, int tangent, double *G,
                     double *wj, double *gj, li2_muon_ascent *as, ascent_tally *t, li2_error *err)
{
  int rc;
  if (joint_gradient(e, dim, K, W, tangent, G, wj, gj))
    return li2_error_set(err, LI2_ENUMERIC, "muon ascent: energy not finite");
  if ((rc = li2_muon_ascent_compute(dim, K, G, as, err)))
    return rc;
  t->npts++;
  t->pos += as->inner > 0;
  t->pos_ns += as->inner_ns > 0;
  t->gap = fmax(t->gap, fabs(as->inner - as->nuclear) / as->nuclear);
  t->min_ratio = fmin(t->min_ratio, as->inner / as->norm_g);
  return LI2_SUCCESS;
}

static int kind_muon_ascent(const li2_verify_claim *c, int quick, int threads,
                            li2_verify_result *r, li2_error *err)
{
  const char *gname, *eps_spec;
  long K, points, seed;
  double *eps = NULL;
  size_t neps = 0;
  li2_problem P = {0};
  li2_group *g = NULL;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_dataset *d = NULL;
  li2_energy *e = NULL;
  li2_maximizer *m = NULL;
  li2_certifier *cf = NULL;
  li2_classifier *k = NULL;
  double *W = NULL, *Wst = NULL, *G = NULL, *wj = NULL, *gj = NULL;
  li2_verify_text tx = {0};
  int rc;
  (void)threads;
  if ((rc = li2_verify_param_string(c, quick, "group", NULL, &gname, err)) ||
      (rc = li2_verify_param_long(c, quick, "nodes", "16", 1, 4096, &K, err)) ||
      (rc = li2_verify_param_long(c, quick, "points", "100", 1, 1000000, &points, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)) ||
      (rc = li2_verify_param_string(c, quick, "eps", "1e-1:1e-7:log:4", &eps_spec, err)))
    return rc;
  if (li2_gradient_eta_parse(eps_spec, "eps", &eps, &neps, err))
    return li2_verify_param_fail(c, quick, "eps", err);
  if ((rc = li2_problem_setup_full(&P, gname, 1, err))) {
    if (!P.g)
      rc = li2_verify_param_fail(c, quick, "group", err);
    goto done;
  }
  g = P.g, ct = P.ct, f = P.f, d = P.d;
  if (li2_verify_checking(c))
    goto done;
  li2_maxima_params mp;
  li2_maxima_params_default(&mp);
  if (!(e = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, err)) ||
      !(m = li2_maximizer_alloc(e, &mp, err)) || !(cf = li2_certifier_alloc(e, &mp, err)) ||
      !(k = li2_classifier_alloc(e, g, ct, &mp, err))) {
    rc = err->code;
    goto done;
  }
  size_t dim = 2 * g->order, nK = (size_t)K, nc = li2_fourier_ncomponents(f);
  W = malloc(dim * nK * sizeof *W);
  Wst = malloc(dim * nK * sizeof *Wst);
  G = malloc(dim * nK * sizeof *G);
  wj = malloc(dim * sizeof *wj);
  gj = malloc(dim * sizeof *gj);
  if (!W || !Wst || !G || !wj || !gj) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  ascent_tally tally = {0, 0, 0, 0, INFINITY};
  li2_muon_ascent as;
  /* random points: Euclidean and tangent gradients of the joint energy */
  for (long t = 0; !rc && t < points; t++)
    for (int tangent = 0; !rc && tangent < 2; tangent++) {
      for (size_t j = 0; j < nK; j++) {
        li2_maxima_start((unsigned long)seed, (size_t)t * nK + j, dim, 1.0, wj);
        for (size_t i = 0; i < dim; i++)
          W[i * nK + j] = wj[i];
      }
      if ((rc = ascent_at(e, dim, nK, W, tangent, G, wj, gj, &as, &tally, err)))
        break;
    }
  /* near-stationary points: certified maxima (one per node, components in
   * turn), then each node moved by eps along a random tangent direction */
  for (size_t j = 0; !rc && j < nK; j++) {
    li2_maxima_point pt;
    if ((rc = li2_maxima_component_start(f, (unsigned long)seed + 7, 1 + j % (nc - 1), j,
                                         g->order, 1.0, W)) ||
        (rc = li2_maxima_climb(m, cf, k, W, wj, &pt, err)))
      break;
    for (size_t i = 0; i < dim; i++)
      Wst[i * nK + j] = wj[i];
  }
  li2_verify_printf(&tx, "%s, full table, x^2, K = %ld nodes; G = [grad E(w_1) ... grad E(w_K)] "
                    "(dim %zu x K). Random points: %ld draws of W with unit columns, each with the "
                    "Euclidean and the tangent (|w_j| = 1) gradients.\n\n"
                    "Near-stationary points: every column a certified maximum of E (tangent "
                    "gradient ~ 0), moved by eps along a random direction and put back on the "
                    "sphere; G the tangent gradients.\n\n| eps | abs(G)_F | nuclear norm | "
                    "<polar(G), G> | abs(polar(G))_F | <NS(G), G> | abs(NS(G))_F |\n"
                    "|---|---|---|---|---|---|---|\n", g->name, K, dim, points);
  double near_min_g = INFINITY, near_min_inner = INFINITY, polar_near = NAN;
  for (size_t q = 0; !rc && q <= neps; q++) {
    double ep = q < neps ? eps[q] : 0;
    for (size_t j = 0; j < nK; j++) {
      li2_maxima_start((unsigned long)seed + 3, j, dim, 1.0, gj);
      for (size_t i = 0; i < dim; i++)
        wj[i] = Wst[i * nK + j] + ep * gj[i];
      double s = 0;
      for (size_t i = 0; i < dim; i++)
        s += wj[i] * wj[i];
      for (size_t i = 0; i < dim; i++)
        W[i * nK + j] = wj[i] / sqrt(s);
    }
    if ((rc = ascent_at(e, dim, nK, W, 1, G, wj, gj, &as, &tally, err)))
      break;
    near_min_g = fmin(near_min_g, as.norm_g);
    near_min_inner = fmin(near_min_inner, as.inner);
    polar_near = as.norm_polar;
    li2_verify_printf(&tx, "| %g | %.3g | %.3g | %.3g | %.6g | %.3g | %.3g |\n", ep, as.norm_g,
                      as.nuclear, as.inner, as.norm_polar, as.inner_ns, as.norm_ns);
  }
  if (!rc) {
    /* G = 0 exactly */
    memset(G, 0, dim * nK * sizeof *G);
    rc = li2_muon_ascent_compute(dim, nK, G, &as, err);
  }
  if (!rc) {
    li2_verify_measure_set(r, "checked", (double)tally.npts);
    li2_verify_measure_set(r, "positive", (double)tally.pos);
    li2_verify_measure_set(r, "positive_ns", (double)tally.pos_ns);
    li2_verify_measure_set(r, "max_rel_gap", tally.gap);
    li2_verify_measure_set(r, "min_inner_over_g", tally.min_ratio);
    li2_verify_measure_set(r, "near_min_g", near_min_g);
    li2_verify_measure_set(r, "near_min_inner", near_min_inner);
    li2_verify_measure_set(r, "polar_norm_near", polar_near);
    li2_verify_measure_set(r, "polar_norm_zero", as.norm_polar);
    li2_verify_measure_set(r, "ns_norm_zero", as.norm_ns);
    r->predicted = (double)tally.npts;
    r->measured = (double)tally.pos;
    snprintf(r->what, sizeof r->what,
             "points with <polar(G), G>_F > 0 (G != 0), of all points; max |<polar(G),G> - "
             "|G|_*| / |G|_* = %.2g", tally.gap);
    li2_verify_printf(&tx, "\nAll %zu points with G != 0: <polar(G), G> > 0 at %zu, <NS(G), G> > 0 "
                      "at %zu; largest relative gap between <polar(G), G> and the nuclear norm "
                      "(from the eigenvalues of G^T G): %.2g; smallest <polar(G), G> / abs(G)_F: "
                      "%.3g (>= 1 when G != 0, as |G|_* >= |G|_F).\n\nAt G = 0 exactly the "
                      "rate <polar(G), G> is 0, and li2's exact polar factor (U sign(S) V^T, zero "
                      "singular values giving 0) returns a matrix of norm %.6g (not sqrt(K) = %.6g, "
                      "which U V^T of a full SVD would give from arbitrary singular vectors); "
                      "Newton-Schulz returns norm %g. "
                      "Near a stationary point Muon's step keeps norm sqrt(rank G) while its rate "
                      "of ascent <polar(G), G> = |G|_* vanishes with G.\n", tally.npts, tally.pos, tally.pos_ns,
                      tally.gap, tally.min_ratio, as.norm_polar, sqrt((double)nK), as.norm_ns);
  }
done:
  r->detail = tx.s;
  li2_classifier_free(k);
  li2_certifier_free(cf);
  li2_maximizer_free(m);
  li2_energy_free(e);
  li2_problem_free(&P);
  free(eps);
  free(W);
  free(Wst);
  free(G);
  free(wj);
  free(gj);
  return rc;
}

const li2_verify_kind li2_verify_kind_muon_ascent = {"muon_ascent", ascent_params, ascent_measures,
                                                     kind_muon_ascent, 1};

/* ------------------------------------------------------------------ */
/* Theorem 8: the model dynamics of Eq. 10, T0 and T_a                  */

static const char *const dyn_params[] = {"a", "L", "reps", "freq_nodes", "mu_min", "z", "r0",
                                         "h", "seed", NULL};
static const char *const dyn_measures[] = {
    "freq_outside", "leader_losses", "lost_nodes", "t0_z_max", "t0_below_bound",
    "t0_below_printed", "reduced_z_max", "ta_above_formula", "ta_polar_over_l_max",
    "ta_ns_above_formula", NULL};

typedef struct dyn_case {
  double a;
  size_t L;
  /* frequencies (non-uniform mu) */
  size_t nodes, outside, leader_wins, lost;
  double chi_worst;          /* largest |hits/N - p| / its Wilson half-width */
  /* T0 (non-uniform mu) */
  double t0_mean, t0_se, t0_exact, bound_printed, bound_lemma;
  /* T_a (equal mu) */
  double t0u, formula, red_mean, red_se, pol_mean, pol_se, ns_mean, ns_se;
} dyn_case;

typedef struct dyn_job {
  dyn_case *cases;
  size_t nL;
  const double *avals;
  const long *Lvals;
  long reps, freq_nodes;
  double mu_min, z;
  li2_muon_params mp;
  unsigned long seed;
} dyn_job;

static int dyn_one(void *ctx, size_t i, int thread, li2_error *err)
{
  (void)thread;
  dyn_job *J = ctx;
  dyn_case *C = &J->cases[i];
  size_t L = (size_t)J->Lvals[i % J->nL], reps = (size_t)J->reps;
  double a = J->avals[i / J->nL];
  double *mu = malloc(L * sizeof *mu), *one = malloc(L * sizeof *one), *p = malloc(L * sizeof *p),
         *x = malloc(reps * sizeof *x);
  size_t *hits = calloc(L, sizeof *hits);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  li2_muon_node *wn = NULL, *wu = NULL;
  int rc = LI2_SUCCESS;
  memset(C, 0, sizeof *C);
  C->a = a;
  C->L = L;
  if (!mu || !one || !p || !x || !hits || !r) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  gsl_rng_set(r, (unsigned long)((J->seed * 1000003UL + i * 7919UL) & 0xffffffffUL));
  for (size_t l = 0; l < L; l++) {
    mu[l] = 1 - (1 - J->mu_min) * (double)l / (double)(L - 1);
    one[l] = 1;
  }
  if (!(wn = li2_muon_node_alloc(L, mu, &J->mp, err)) ||
      !(wu = li2_muon_node_alloc(L, one, &J->mp, err))) {
    rc = err->code;
    goto done;
  }
  li2_muon_probs(L, mu, a, p);
  /* Pr[w -> zeta_l] = p_l: independent nodes of the gradient flow */
  double *a0 = x;  /* reps >= L is checked by the caller */
  for (long n = 0; n < J->freq_nodes; n++) {
    int mode, leader;
    long steps;
    for (size_t l = 0; l < L; l++)
      a0[l] = li2_muon_frechet(r, a);
    if ((rc = li2_muon_node_run(wn, a0, NULL, LI2_MUON_NONE, &mode, &leader, &steps, err)))
      goto done;
    C->nodes++;
    if (mode < 0) {
      C->lost++;
      continue;
    }
    hits[mode]++;
    C->leader_wins += mode == leader;
  }
  for (size_t l = 0; l < L; l++) {
    double lo, hi, q = (double)hits[l] / (double)C->nodes;
    li2_stats_wilson(q, C->nodes, J->z, &lo, &hi);
    if (p[l] < lo || p[l] > hi)
      C->outside++;
    double half = 0.5 * (hi - lo);
    C->chi_worst = fmax(C->chi_worst, fabs(q - p[l]) / half);
  }
  /* T0: independent nodes until every mode is reached (non-uniform mu) */
  size_t nodes, lost, lw;
  for (size_t k = 0; k < reps; k++) {
    if ((rc = li2_muon_collect(wn, r, a, LI2_MUON_NONE, &nodes, &lost, &lw, NULL, err)))
      goto done;
    x[k] = (double)nodes;
    C->lost += lost;
  }
  li2_stats_mean_se(x, reps, &C->t0_mean, &C->t0_se);
  C->t0_exact = li2_muon_coupon_expected(L, p);
  C->bound_printed = li2_muon_t0_bound_printed(L, p);
  C->bound_lemma = li2_muon_t0_bound_lemma(L, p);
  /* T_a with equal mu: Eq. 46's formula, its reduced model, Muon's dynamics */
  for (size_t l = 0; l < L; l++)
    p[l] = 1.0 / (double)L;
  C->t0u = li2_muon_coupon_expected(L, p);
  C->formula = li2_muon_ta_formula(C->t0u, L, a);
  const int upd[3] = {LI2_MUON_REDUCED, LI2_MUON_POLAR, LI2_MUON_NS};
  double *mean[3] = {&C->red_mean, &C->pol_mean, &C->ns_mean},
         *se[3] = {&C->red_se, &C->pol_se, &C->ns_se};
  for (int u = 0; u < 3; u++) {
    for (size_t k = 0; k < reps; k++) {
      if ((rc = li2_muon_collect(wu, r, a, upd[u], &nodes, &lost, &lw, NULL, err)))
        goto done;
      x[k] = (double)nodes;
      C->lost += lost;
    }
    li2_stats_mean_se(x, reps, mean[u], se[u]);
  }
done:
  li2_muon_node_free(wn);
  li2_muon_node_free(wu);
  gsl_rng_free(r);
  free(mu);
  free(one);
  free(p);
  free(x);
  free(hits);
  return rc;
}

static int kind_muon_dynamics(const li2_verify_claim *c, int quick, int threads,
                              li2_verify_result *r, li2_error *err)
{
  const char *a_spec;
  double *avals = NULL;
  long *Lvals = NULL;
  size_t na = 0, nL = 0;
  dyn_job J;
  li2_verify_text tx = {0};
  long seed;
  int rc;
  memset(&J, 0, sizeof J);
  li2_muon_params_default(&J.mp);
  if ((rc = li2_verify_param_string(c, quick, "a", NULL, &a_spec, err)))
    return rc;
  if (li2_gradient_eta_parse(a_spec, "a", &avals, &na, err))
    return li2_verify_param_fail(c, quick, "a", err);
  for (size_t i = 0; i < na; i++)
    if (!(avals[i] > 1)) {
      free(avals);
      li2_error_set(err, LI2_EINVAL, "every a must be > 1 (Theorem 8), got %g", avals[i]);
      return li2_verify_param_fail(c, quick, "a", err);
    }
  if ((rc = param_long_list(c, quick, "L", NULL, &Lvals, &nL, err)) ||
      (rc = li2_verify_param_long(c, quick, "reps", "200", 20, 100000000, &J.reps, err)) ||
      (rc = li2_verify_param_long(c, quick, "freq_nodes", "10000", 100, 1000000000, &J.freq_nodes, err)) ||
      (rc = li2_verify_param_double(c, quick, "mu_min", "0.5", 1e-3, 1, &J.mu_min, err)) ||
      (rc = li2_verify_param_double(c, quick, "z", "3.29", 0.5, 10, &J.z, err)) ||
      (rc = li2_verify_param_double(c, quick, "r0", "0.1", 1e-6, 0.999, &J.mp.r0, err)) ||
      (rc = li2_verify_param_double(c, quick, "h", "0.02", 1e-5, 0.5, &J.mp.h, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)))
    goto done;
  for (size_t i = 0; i < nL; i++)
    if (Lvals[i] < 2 || Lvals[i] > J.reps) {
      rc = li2_error_set(err, LI2_EINVAL, "every L must lie in 2..reps (%ld)", Lvals[i]);
      rc = li2_verify_param_fail(c, quick, "L", err);
      goto done;
    }
  if (li2_verify_checking(c))
    goto done;
  J.seed = (unsigned long)seed;
  J.avals = avals;
  J.Lvals = Lvals;
  J.nL = nL;
  if (!(J.cases = calloc(na * nL, sizeof *J.cases))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_verify_run_jobs(r, na * nL, threads, dyn_one, &J, err)))
    goto done;
  size_t outside = 0, losses = 0, lost = 0, below = 0, below_p = 0, above = 0, ns_above = 0;
  double t0z = 0, redz = 0, pol_l = 0;
  li2_verify_printf(&tx, "Eq. 10 with L orthonormal modes, alpha_l(0) i.i.d. Frechet(a) scaled to "
                    "|alpha(0)| = %g; a node reaches zeta_l when alpha_l^2 >= %g. Frequencies and "
                    "T0 with mu_l from 1 down to %g (linear); T_a with equal mu (the case where "
                    "the proof's Eq. 44-46 hold with equality). %ld nodes per frequency test, "
                    "%ld repetitions per mean; intervals: Wilson at z = %g for frequencies, "
                    "mean +- z se for the means.\n\n"
                    "| a | L | nodes | modes outside their interval (worst dev / half-width) | "
                    "leader won | T0 measured | T0 Eq. 41 | bound (Thm 8 printed) | bound (Lemma "
                    "10) | T_a Eq. 46 | T_a reduced model | T_a Muon polar | T_a Muon NS |\n"
                    "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", J.mp.r0,
                    J.mp.conv, J.mu_min, J.freq_nodes, J.reps, J.z);
  for (size_t i = 0; i < na * nL; i++) {
    dyn_case *C = &J.cases[i];
    outside += C->outside;
    losses += C->nodes - C->lost - C->leader_wins;
    lost += C->lost;
    double z0 = fabs(C->t0_mean - C->t0_exact) / C->t0_se;
    t0z = fmax(t0z, z0);
    below += C->t0_mean + J.z * C->t0_se < C->bound_lemma;
    below_p += C->t0_mean + J.z * C->t0_se < C->bound_printed;
    redz = fmax(redz, fabs(C->red_mean - C->formula) / C->red_se);
    above += C->pol_mean - J.z * C->pol_se > C->formula;
    ns_above += C->ns_mean - J.z * C->ns_se > C->formula;
    pol_l = fmax(pol_l, C->pol_mean / (double)C->L);
    li2_verify_printf(&tx, "| %g | %zu | %zu | %zu (%.2f) | %zu | %.3f +- %.3f | %.3f | %.3f | "
                      "%.3f | %.3f | %.3f +- %.3f | %.3f +- %.3f | %.3f +- %.3f |\n", C->a, C->L,
                      C->nodes, C->outside, C->chi_worst, C->leader_wins, C->t0_mean,
                      J.z * C->t0_se, C->t0_exact, C->bound_printed, C->bound_lemma, C->formula,
                      C->red_mean, J.z * C->red_se, C->pol_mean, J.z * C->pol_se, C->ns_mean,
                      J.z * C->ns_se);
  }
  li2_verify_measure_set(r, "freq_outside", (double)outside);
  li2_verify_measure_set(r, "leader_losses", (double)losses);
  li2_verify_measure_set(r, "lost_nodes", (double)lost);
  li2_verify_measure_set(r, "t0_z_max", t0z);
  li2_verify_measure_set(r, "t0_below_bound", (double)below);
  li2_verify_measure_set(r, "t0_below_printed", (double)below_p);
  li2_verify_measure_set(r, "reduced_z_max", redz);
  li2_verify_measure_set(r, "ta_above_formula", (double)above);
  li2_verify_measure_set(r, "ta_polar_over_l_max", pol_l);
  li2_verify_measure_set(r, "ta_ns_above_formula", (double)ns_above);
  r->predicted = J.cases[na * nL - 1].formula;
  r->measured = J.cases[na * nL - 1].pol_mean;
  snprintf(r->what, sizeof r->what, "T_a at a = %g, L = %zu: Eq. 46's 2^-a T0 + (1-2^-a) L "
           "against sequential Muon (exact polar), mean of %ld", J.cases[na * nL - 1].a,
           J.cases[na * nL - 1].L, J.reps);
  li2_verify_printf(&tx, "\nModes outside their interval: %zu; nodes not won by their initial "
                    "leader (Lemma 8): %zu; nodes that did not converge: %zu. Largest |T0 - Eq. 41| "
                    "in standard errors: %.2f; cases with T0 significantly below Lemma 10's bound: "
                    "%zu (printed bound: %zu). Reduced model against Eq. 46: largest |z| %.2f. "
                    "Sequential Muon with the exact polar factor significantly above Eq. 46: %zu "
                    "cases (Newton-Schulz: %zu); largest T_a / L: %.3f.\n", outside, losses, lost,
                    t0z, below, below_p, redz, above, ns_above, pol_l);
done:
  r->detail = tx.s;
  free(J.cases);
  free(avals);
  free(Lvals);
  return rc;
}

const li2_verify_kind li2_verify_kind_muon_dynamics = {"muon_dynamics", dyn_params, dyn_measures,
                                                       kind_muon_dynamics, 1};
