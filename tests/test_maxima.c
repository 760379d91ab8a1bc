/* Local maxima of E on the unit sphere (doc/mathematics.md section 3): multi-start
 * search, Hessian certification and classification.
 *   - a pure frequency of Z_11 is a certified max with two zero modes (the
 *     phases of ^u_k and ^v_k); an equal mix of two frequencies is a saddle;
 *   - for Z_11, Z_10, S3, S4, D5, Q8, Z7:Z3 and A5 (full data, sqr) every
 *     distinct certified maximum is pure, its energy is M/(2 d_R) of its
 *     component within 1e-6, and the highest predicted level is reached;
 *   - results do not depend on the number of threads;
 *   - component starts lie in their component, and from them every
 *     non-trivial component of Dic3, A4, Z2xZ2xZ2, Z7:Z3 and a Cayley-table
 *     file group reaches a certified maximum at M/(2 d_R) with the predicted
 *     number of zero modes (Theorem 2, Corollary 1), with no random start;
 *   - the paper's printed levels are 1/4 of li2's, and the energy with the
 *     paper's S (cross term u v^T) is exactly E/4 at random points;
 *   - the paper's maximiser form [u; +-P u] is a maximum for degree-1
 *     components and not critical for a generic u of a degree-3 component;
 *   - the caller-owned loop works with every GSL method. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <unistd.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_sort_vector.h>

#include "characters.h"
#include "fourier.h"
#include "io.h"
#include "maxima.h"
#include "plot.h"
#include "tap.h"

typedef struct {
  li2_group *g;
  li2_characters *ct;
  li2_dataset *d;
} setup;

static int setup_alloc(setup *s, const char *name)
{
  li2_error err = {0};
  s->g = li2_group_alloc_name(name, &err);
  s->ct = s->g ? li2_characters_alloc(s->g, &err) : NULL;
  s->d = s->ct ? li2_dataset_alloc_full(s->g, 2, &err) : NULL;
  return ok(s->d != NULL, "%s: group, characters, data (%s)", name, err.msg);
}

static void setup_free(setup *s)
{
  li2_dataset_free(s->d);
  li2_characters_free(s->ct);
  li2_group_free(s->g);
}

/* u = v = sum_k cos(2 pi k x / M + phase_k) over the given frequencies,
 * scaled to the unit sphere. */
static void fourier_point(size_t M, const size_t *ks, size_t nk, double *w)
{
  double s = 0;
  for (size_t x = 0; x < M; x++) {
    double t = 0;
    for (size_t j = 0; j < nk; j++)
      t += cos(2 * M_PI * (double)(ks[j] * x) / (double)M + 0.7 * (double)j);
    w[x] = t;
    w[M + x] = cos(2 * M_PI * (double)(ks[0] * x) / (double)M - 0.4) +
               (nk > 1 ? cos(2 * M_PI * (double)(ks[1] * x) / (double)M + 1.3) : 0);
  }
  for (size_t x = 0; x < 2 * M; x++)
    s += w[x] * w[x];
  for (size_t x = 0; x < 2 * M; x++)
    w[x] /= sqrt(s);
}

static void test_certify_z11(void)
{
  setup s;
  li2_error err = {0};
  li2_maxima_params p;
  if (!setup_alloc(&s, "Z11"))
    return;
  li2_maxima_params_default(&p);
  li2_energy *e = li2_energy_alloc(s.g, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
  li2_certifier *c = li2_certifier_alloc(e, &p, &err);
  li2_classifier *k = li2_classifier_alloc(e, s.g, s.ct, &p, &err);
  double w[22];
  size_t pure[1] = {3}, mix[2] = {1, 2};
  li2_maxima_point pt;
  fourier_point(11, pure, 1, w);
  ok(li2_certifier_certify(c, w, &pt, &err) == 0, "Z11: certify a pure frequency");
  ok(pt.label == LI2_MAXIMA_MAX, "Z11 frequency 3: label %s (grad %.2g, hess_max %.3g)",
     li2_maxima_label_name(pt.label), pt.grad_norm, pt.hess_max);
  ok(pt.zero_modes == 2, "Z11 frequency 3: %d zero modes (the phases of ^u_3 and ^v_3)",
     pt.zero_modes);
  li2_classifier_classify(k, w, &pt, &err);
  ok(pt.component == 3 && pt.pure && fabs(pt.purity - 1) < 1e-12,
     "Z11 frequency 3: component %d, purity %.15g", pt.component, pt.purity);
  fourier_point(11, mix, 2, w);
  li2_certifier_certify(c, w, &pt, &err);
  ok(pt.grad_norm < 1e-10, "Z11 mix of frequencies 1, 2: critical (grad %.2g)", pt.grad_norm);
  ok(pt.label == LI2_MAXIMA_SADDLE, "Z11 mix of frequencies 1, 2: label %s (hess_max %.3g)",
     li2_maxima_label_name(pt.label), pt.hess_max);
  ok_close(pt.energy, 11 / 8.0, 1e-12, "Z11 mix: E = M/8 (half of each level)");
  li2_classifier_classify(k, w, &pt, &err);
  ok(!pt.pure && fabs(pt.purity - 0.5) < 1e-12, "Z11 mix: not pure (purity %.15g)", pt.purity);
  li2_classifier_free(k);
  li2_certifier_free(c);
  li2_energy_free(e);
  setup_free(&s);
}

/* Classification with power in the trivial component: u = cos(2 pi 3 x/11)
 * + c, v = cos(2 pi 3 x/11 - 0.4) + c.  The constant carries |P_0 u|^2 =
 * M c^2 = 11 c^2 (more than the frequency's M/2 = 5.5 for c = 1), yet the
 * trivial component only shifts every pre-activation: the dominant
 * component is 3 and the purity (share of the non-trivial power) is 1. */
static void test_classify_trivial(void)
{
  setup s;
  li2_error err = {0};
  li2_maxima_params p;
  double w[22];
  li2_maxima_point pt;
  if (!setup_alloc(&s, "Z11"))
    return;
  li2_maxima_params_default(&p);
  li2_energy *e = li2_energy_alloc(s.g, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
  li2_classifier *k = li2_classifier_alloc(e, s.g, s.ct, &p, &err);
  for (size_t x = 0; x < 11; x++) {
    w[x] = cos(2 * M_PI * 3.0 * (double)x / 11) + 1.0;
    w[11 + x] = cos(2 * M_PI * 3.0 * (double)x / 11 - 0.4) + 1.0;
  }
  ok(li2_classifier_classify(k, w, &pt, &err) == 0, "Z11 frequency 3 plus a constant: classify");
  {
    const double *pu = li2_classifier_power_u(k), *pv = li2_classifier_power_v(k);
    ok_close(pu[0], 11.0, 1e-12, "power of u in the trivial component = M c^2 = 11");
    ok_close(pv[3], 5.5, 1e-12, "power of v at frequency 3 = M/2 = 5.5");
  }
  ok(pt.component == 3 && pt.pure, "dominant component 3 (not the trivial one): %d",
     pt.component);
  ok_close(pt.purity, 1.0, 1e-12, "purity 1: the trivial power is not counted");
  li2_classifier_free(k);
  li2_energy_free(e);
  setup_free(&s);
}

/* Memorisation score on a node with a known feature: u = e_0 (a delta at
 * the identity), v = 0, full data of Z11 (n = 121 pairs).  sigma = x^2 is
 * 1 on the M = 11 pairs with a = 0 and 0 elsewhere, so the centred
 * feature is 1 - 1/M there and -1/M elsewhere; |sigma~|^2 = M (1-1/M)^2 +
 * (M^2 - M)/M^2 = M - 1.  The mem_pairs = 10 largest squares give
 * 10 (1-1/M)^2 / (M-1) = 10 (M-1)/M^2 = 100/121; with mem_pairs = 15 the
 * four extra squares are 1/M^2 each: (11 (10/11)^2 + 4/121)/10 = 1104/1210.
 * A constant feature has |sigma~| = 0: NaN. */
static void test_mem_score(void)
{
  setup s;
  li2_error err = {0};
  li2_maxima_params p;
  double w[22] = {0};
  li2_maxima_point pt;
  if (!setup_alloc(&s, "Z11"))
    return;
  li2_maxima_params_default(&p);
  li2_energy *e = li2_energy_alloc(s.g, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
  li2_classifier *k = li2_classifier_alloc(e, s.g, s.ct, &p, &err);
  w[0] = 1;
  li2_classifier_classify(k, w, &pt, &err);
  ok_close(pt.mem_score, 100.0 / 121, 1e-12, "delta node, 10 pairs: mem_score %.15g = 100/121",
           pt.mem_score);
  li2_classifier_free(k);
  p.mem_pairs = 15;
  k = li2_classifier_alloc(e, s.g, s.ct, &p, &err);
  li2_classifier_classify(k, w, &pt, &err);
  ok_close(pt.mem_score, 1104.0 / 1210, 1e-12, "delta node, 15 pairs: mem_score %.15g = 1104/1210",
           pt.mem_score);
  for (size_t x = 0; x < 22; x++)
    w[x] = x < 11 ? 0.5 : 0.0;  /* sums of 0.25 are exact */
  li2_classifier_classify(k, w, &pt, &err);
  ok(isnan(pt.mem_score), "constant feature: mem_score NaN");
  li2_classifier_free(k);
  li2_energy_free(e);
  setup_free(&s);
}

/* The tangent Hessian by an independent route: for a unit tangent
 * direction x at w on the unit sphere, the geodesic exp_w(t x) = cos(t) w
 * + sin(t) x, and d^2/dt^2 E(exp_w(t x)) at 0 = x^T Hess_R x.  Second
 * differences of E alone (no gradient, no Hessian of the library), in a
 * Gram-Schmidt tangent basis, polarised for the off-diagonal entries;
 * eigenvalues by GSL (Richardson-extrapolated differences, error ~1e-9).  Compared with the certifier's hess_min, hess_max
 * and its full spectrum. */
static double geodesic_d2_h(li2_energy *e, const double *w, const double *x, size_t n, double h)
{
  double nx = 0, Ep, Em, E0, y[64];
  for (size_t i = 0; i < n; i++)
    nx += x[i] * x[i];
  nx = sqrt(nx);
  li2_energy_eval(e, w, &E0, NULL);
  for (size_t i = 0; i < n; i++)
    y[i] = cos(h * nx) * w[i] + sin(h * nx) * x[i] / nx;
  li2_energy_eval(e, y, &Ep, NULL);
  for (size_t i = 0; i < n; i++)
    y[i] = cos(h * nx) * w[i] - sin(h * nx) * x[i] / nx;
  li2_energy_eval(e, y, &Em, NULL);
  return (Ep - 2 * E0 + Em) / (h * h);
}

/* Richardson: the O(h^2) error of the second difference cancels. */
static double geodesic_d2(li2_energy *e, const double *w, const double *x, size_t n, double h)
{
  return (4 * geodesic_d2_h(e, w, x, n, h / 2) - geodesic_d2_h(e, w, x, n, h)) / 3;
}

static void test_hessian_geodesic(const char *name, int pure_point)
{
  setup s;
  li2_error err = {0};
  li2_maxima_params p;
  li2_maxima_point pt;
  if (!setup_alloc(&s, name))
    return;
  size_t M = s.g->order, n = 2 * M, nt = n - 1;
  double *w = malloc(n * sizeof *w), *Q = malloc(n * n * sizeof *Q), *x = malloc(n * sizeof *x);
  gsl_matrix *H = gsl_matrix_alloc(nt, nt);
  gsl_vector *ev = gsl_vector_alloc(nt);
  gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(nt);
  const double h = 1e-3;
  double worst = 0, smax = 0;
  li2_maxima_params_default(&p);
  li2_energy *e = li2_energy_alloc(s.g, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
  li2_certifier *c = li2_certifier_alloc(e, &p, &err);
  if (pure_point) {
    size_t ks[1] = {3};
    fourier_point(M, ks, 1, w);
  } else {
    li2_maxima_start(5, 0, n, 1.0, w);
  }
  ok(li2_certifier_certify(c, w, &pt, &err) == 0, "%s: certify (%s point)", name,
     pure_point ? "pure" : "random");
  /* tangent basis: Gram-Schmidt of e_0.. against w, dropping the one
   * closest to w */
  {
    size_t got = 0;
    memcpy(Q, w, n * sizeof *w);
    for (size_t j = 0; j < n && got < nt; j++) {
      double nrm = 0;
      for (size_t i = 0; i < n; i++)
        x[i] = i == j;
      for (size_t q = 0; q <= got; q++) {
        double d = 0;
        for (size_t i = 0; i < n; i++)
          d += x[i] * Q[q * n + i];
        for (size_t i = 0; i < n; i++)
          x[i] -= d * Q[q * n + i];
      }
      for (size_t i = 0; i < n; i++)
        nrm += x[i] * x[i];
      if (nrm < 1e-6)
        continue;
      got++;
      for (size_t i = 0; i < n; i++)
        Q[got * n + i] = x[i] / sqrt(nrm);
    }
  }
  for (size_t a = 0; a < nt; a++)
    for (size_t b = 0; b <= a; b++) {
      const double *qa = Q + (a + 1) * n, *qb = Q + (b + 1) * n;
      double v;
      if (a == b) {
        v = geodesic_d2(e, w, qa, n, h);
      } else {
        double qp, qm;
        for (size_t i = 0; i < n; i++)
          x[i] = qa[i] + qb[i];
        qp = geodesic_d2(e, w, x, n, h);
        for (size_t i = 0; i < n; i++)
          x[i] = qa[i] - qb[i];
        qm = geodesic_d2(e, w, x, n, h);
        v = (qp - qm) / 4;
      }
      gsl_matrix_set(H, a, b, v);
      gsl_matrix_set(H, b, a, v);
    }
  gsl_eigen_symm(H, ev, ws);
  gsl_sort_vector(ev);
  {
    const double *lib = li2_certifier_eigenvalues(c);
    for (size_t i = 0; i < nt; i++)
      smax = fmax(smax, fabs(gsl_vector_get(ev, i)));
    for (size_t i = 0; i < nt; i++)
      worst = fmax(worst, fabs(lib[i] - gsl_vector_get(ev, i)));
  }
  ok(fabs(pt.hess_min - gsl_vector_get(ev, 0)) <= 1e-7 * smax &&
         fabs(pt.hess_max - gsl_vector_get(ev, nt - 1)) <= 1e-7 * smax,
     "%s: hess_min %.10g, hess_max %.10g = geodesic second differences %.10g, %.10g", name,
     pt.hess_min, pt.hess_max, gsl_vector_get(ev, 0), gsl_vector_get(ev, nt - 1));
  ok(worst <= 1e-7 * smax, "%s: every tangent eigenvalue by geodesics (worst %.2g of %.3g)", name,
     worst, smax);
  /* zero_modes counts |lambda| <= hess_tol max|lambda|: with hess_tol = 0.3
   * the count is read off the geodesic eigenvalues (none within 1e-6 of
   * the threshold, so rounding cannot move one across it) */
  {
    li2_maxima_params q = p;
    li2_certifier *c2;
    int want = 0;
    double margin = INFINITY;
    q.hess_tol = 0.3;
    c2 = li2_certifier_alloc(e, &q, &err);
    for (size_t i = 0; i < nt; i++) {
      double a = fabs(gsl_vector_get(ev, i)) / smax;
      want += a <= 0.3;
      margin = fmin(margin, fabs(a - 0.3));
    }
    li2_certifier_certify(c2, w, &pt, &err);
    ok(margin > 1e-6 && pt.zero_modes == want,
       "%s: hess_tol 0.3: %d eigenvalues with |lambda| <= 0.3 max (geodesic count %d, margin %.2g)",
       name, pt.zero_modes, want, margin);
    li2_certifier_free(c2);
  }
  gsl_eigen_symm_free(ws);
  gsl_vector_free(ev);
  gsl_matrix_free(H);
  li2_certifier_free(c);
  li2_energy_free(e);
  setup_free(&s);
  free(w), free(Q), free(x);
}

static void test_group(const char *name, size_t starts)
{
  setup s;
  li2_error err = {0};
  li2_maxima_params p;
  li2_maxima_result *res = NULL;
  double top = 0, best_found = 0;
  int all_pure = 1, worst_comp = -1;
  double worst = 0;
  size_t nmax = 0;
  if (!setup_alloc(&s, name))
    return;
  li2_maxima_params_default(&p);
  if (!ok(li2_maxima_search(s.g, s.ct, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, &p, starts, 1,
                            NULL, &res, &err) == 0,
          "%s: %zu starts (%s)", name, starts, err.msg)) {
    setup_free(&s);
    return;
  }
  for (size_t c = 1; c < s.ct->ncomponents; c++)
    top = fmax(top, li2_characters_predicted_energy(s.ct, s.g->order, c));
  for (size_t i = 0; i < res->ngroups; i++) {
    const li2_maxima_group *gr = &res->groups[i];
    if (gr->label != LI2_MAXIMA_MAX)
      continue;
    nmax += gr->count;
    if (!gr->pure) {
      all_pure = 0;
      continue;
    }
    double pred = li2_characters_predicted_energy(s.ct, s.g->order, (size_t)gr->component);
    double rel = fabs(gr->energy_max - pred) / pred;
    rel = fmax(rel, fabs(gr->energy_min - pred) / pred);
    if (rel > worst || worst_comp < 0) {
      worst = fmax(worst, rel);
      worst_comp = gr->component;
    }
    best_found = fmax(best_found, gr->energy_max);
    diag("%s: component %d (d_R %d): E %.12g predicted %.12g, %zu starts, zero modes %d", name,
         gr->component, s.ct->component_real_dim[gr->component], gr->energy, pred, gr->count,
         res->points[gr->first].zero_modes);
  }
  for (size_t i = 0; i < res->ngroups; i++)
    if (res->groups[i].label != LI2_MAXIMA_MAX)
      diag("%s: %s group, E %.6g, component %d, %zu starts", name,
           li2_maxima_label_name(res->groups[i].label), res->groups[i].energy,
           res->groups[i].component, res->groups[i].count);
  ok(nmax > 0 && all_pure, "%s: %zu certified maxima, all pure", name, nmax);
  ok(worst <= 1e-6, "%s: every maximum at M/(2 d_R) of its component (worst rel. %.2g)", name,
     worst);
  ok(fabs(best_found - top) <= 1e-6 * top, "%s: the highest predicted level %.6g is found (%.10g)",
     name, top, best_found);
  li2_maxima_result_free(res);
  setup_free(&s);
}

static void test_threads(void)
{
  setup s;
  li2_error err = {0};
  li2_maxima_params p;
  li2_maxima_result *r1 = NULL, *r2 = NULL;
  if (!setup_alloc(&s, "D5"))
    return;
  li2_maxima_params_default(&p);
  p.threads = 1;
  li2_maxima_search(s.g, s.ct, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, &p, 6, 9, NULL, &r1, &err);
  p.threads = 2;
  li2_maxima_search(s.g, s.ct, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, &p, 6, 9, NULL, &r2, &err);
  ok(r1 && r2 && r1->nstarts == 6 + 3 && r1->ncomponent_starts == 3 &&
     !memcmp(r1->w, r2->w, r1->nstarts * r1->dim * sizeof(double)) &&
     !memcmp(r1->points, r2->points, r1->nstarts * sizeof *r1->points) &&
     !memcmp(r1->share, r2->share, r1->nstarts * r1->ncomponents * sizeof(double)),
     "D5: 1 and 2 threads give identical end points (3 component + 6 random starts), bit for bit");
  li2_maxima_result_free(r1);
  li2_maxima_result_free(r2);
  setup_free(&s);
}


/* Component starts: inside their component; the search from them alone
 * reaches every non-trivial component at its level (Theorem 2) with the
 * predicted zero modes (Corollary 1). */
static void test_components(const char *name)
{
  setup s;
  li2_error err = {0};
  li2_maxima_params p;
  li2_maxima_result *res = NULL;
  li2_maxima_component *comp;
  size_t reached = 0, zm_ok = 0, level_ok = 0, inside = 0;
  if (!setup_alloc(&s, name))
    return;
  li2_maxima_params_default(&p);
  p.threads = 1;
  {
    li2_fourier *f = li2_fourier_alloc(s.g, s.ct, LI2_FOURIER_AUTO, &err);
    size_t M = s.g->order, nc = s.ct->ncomponents;
    double *w = malloc(2 * M * sizeof *w), *pw = malloc(nc * sizeof *pw), *pv = malloc(nc * sizeof *pv);
    for (size_t c = 1; f && w && c < nc; c++) {
      double tot = 0;
      li2_maxima_component_start(f, 5, c, 0, M, 1.0, w);
      li2_fourier_power(f, w, pw);
      li2_fourier_power(f, w + M, pv);
      for (size_t k = 0; k < nc; k++)
        tot += pw[k] + pv[k];
      inside += fabs(pw[c] + pv[c] - 1) < 1e-12 && fabs(tot - 1) < 1e-12;
    }
    ok(inside == nc - 1, "%s: each component start lies in its component (%zu of %zu)", name,
       inside, nc - 1);
    ok(f && li2_maxima_component_start(f, 5, 0, 0, M, 1.0, w) == LI2_EINVAL &&
       li2_maxima_component_start(f, 5, nc, 0, M, 1.0, w) == LI2_EINVAL,
       "%s: component start of the trivial or an unknown component: LI2_EINVAL", name);
    free(w);
    free(pw);
    free(pv);
    li2_fourier_free(f);
  }
  if (!ok(li2_maxima_search(s.g, s.ct, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, &p, 0, 1, NULL, &res,
                            &err) == 0,
          "%s: component starts only (%s)", name, err.msg)) {
    setup_free(&s);
    return;
  }
  comp = calloc(res->ncomponents, sizeof *comp);
  li2_maxima_result_components(res, s.ct, comp);
  for (size_t k = 0; k + 1 < res->ncomponents; k++) {
    const li2_maxima_component *o = &comp[k];
    double level = li2_characters_predicted_energy(s.ct, s.g->order, (size_t)o->component);
    reached += o->reached && o->by_component_start && o->component_hits == 1 && !o->random_hits;
    level_ok += fabs(o->energy - level) <= 1e-9 * level && o->level == level &&
                fabs(o->paper_level - level / 4) <= 1e-15 * level;
    zm_ok += o->zero_modes == o->predicted_zero_modes;
    diag("%s: component %d (d %d, nu %+d): E %.15g (paper %.6g), zero modes %d (predicted %d)",
         name, o->component, o->degree, o->indicator, o->energy, o->paper_level, o->zero_modes,
         o->predicted_zero_modes);
  }
  ok(res->nstarts == res->ncomponents - 1 && reached == res->ncomponents - 1,
     "%s: every one of the %zu components reached from its own start", name,
     res->ncomponents - 1);
  ok(level_ok == res->ncomponents - 1, "%s: each at M/(2 d_R), the paper's printed level 1/4 of it",
     name);
  ok(zm_ok == res->ncomponents - 1, "%s: zero modes as predicted at every maximum", name);
  free(comp);
  li2_maxima_result_free(res);
  setup_free(&s);
}

/* Closed forms against hand values: printed levels, orbit dimensions. */
static void test_closed_forms(void)
{
  setup s;
  if (setup_alloc(&s, "S3")) {
    /* S3: sign (real, d 1), standard (real, d 2) */
    ok(s.ct->ncomponents == 3 && li2_characters_paper_energy(s.ct, 6, 1) == 6 / 8.0 &&
       li2_characters_paper_energy(s.ct, 6, 2) == 6 / 16.0 &&
       li2_characters_maximum_zero_modes(s.ct, 1) == 0 &&
       li2_characters_maximum_zero_modes(s.ct, 2) == 3 &&
       isnan(li2_characters_paper_energy(s.ct, 6, 0)) &&
       li2_characters_maximum_zero_modes(s.ct, 0) == -1,
       "S3: printed levels M/8, M/16 (real d 1, 2); zero modes 0, 3; trivial: none");
    setup_free(&s);
  }
  if (setup_alloc(&s, "Z7:Z3")) {
    /* complex pairs of degree 1 and 3 */
    ok(li2_characters_paper_energy(s.ct, 21, 1) == 21 / 16.0 &&
       li2_characters_paper_energy(s.ct, 21, 2) == 21 / 48.0 &&
       li2_characters_maximum_zero_modes(s.ct, 1) == 2 &&
       li2_characters_maximum_zero_modes(s.ct, 2) == 14,
       "Z7:Z3: printed M/16, M/48 (complex pairs d 1, 3); zero modes 2, 14");
    setup_free(&s);
  }
  if (setup_alloc(&s, "Q8")) {
    ok(li2_characters_paper_energy(s.ct, 8, 4) == 8 / 32.0 &&
       li2_characters_maximum_zero_modes(s.ct, 4) == 6,
       "Q8: quaternionic d 2: printed-formula level M/32, zero modes 6");
    setup_free(&s);
  }
}

/* E with the paper's S (Eq. 21) is E/4 at any w; the printed maximiser form. */
static void test_paper_forms(void)
{
  setup s;
  li2_error err = {0};
  li2_maxima_params p;
  if (!setup_alloc(&s, "A4"))
    return;
  li2_maxima_params_default(&p);
  size_t M = s.g->order;
  double w[24], worst = 0, E;
  li2_energy *e = li2_energy_alloc(s.g, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
  li2_certifier *c = li2_certifier_alloc(e, &p, &err);
  li2_fourier *f = li2_fourier_alloc(s.g, s.ct, LI2_FOURIER_AUTO, &err);
  li2_maxima_point pt;
  for (size_t i = 0; i < 5; i++) {
    li2_maxima_start(8, i, 2 * M, 1.0 + (double)i, w);
    li2_energy_eval(e, w, &E, NULL);
    worst = fmax(worst, fabs(li2_energy_paper_s_eval(s.g, w) - E / 4) / E);
  }
  ok(worst < 1e-13, "A4: E_S (the paper's S) = E/4 at 5 random points (worst rel. %.2g)", worst);
  /* A4: component 1 is the complex pair of degree 1, component 2 the real
   * irrep of degree 3 */
  li2_maxima_paper_form(f, s.g, 3, 1, 0, 1, 1.0, w);
  li2_certifier_certify(c, w, &pt, &err);
  ok(pt.label == LI2_MAXIMA_MAX && fabs(pt.energy - 3) < 1e-12,
     "A4 degree-1 pair: [u; P u] is a maximum at M/4 = 3 (%s, E %.15g)",
     li2_maxima_label_name(pt.label), pt.energy);
  ok(fabs(w[M + 5] - w[s.g->inverse[5]]) < 1e-15, "A4: the form's v is P u: v[b] = u[b^-1]");
  li2_maxima_paper_form(f, s.g, 3, 2, 0, -1, 1.0, w);
  li2_certifier_certify(c, w, &pt, &err);
  ok(pt.label == LI2_MAXIMA_DEGENERATE && pt.energy < 2 - 1e-3,
     "A4 degree-3 real: [u; -P u] with u random in H_k is not critical (%s, E %.6g < 2)",
     li2_maxima_label_name(pt.label), pt.energy);
  ok(li2_maxima_paper_form(f, s.g, 3, 0, 0, 1, 1.0, w) == LI2_EINVAL,
     "paper form of the trivial component: LI2_EINVAL");
  li2_fourier_free(f);
  li2_certifier_free(c);
  li2_energy_free(e);
  setup_free(&s);
}

/* Structure strings of impure end points and the zero-mode gap. */
static void test_structure(void)
{
  setup s;
  li2_error err = {0};
  li2_maxima_params p;
  li2_maxima_result *res = NULL;
  char buf[64];
  if (!setup_alloc(&s, "Z11"))
    return;
  li2_maxima_params_default(&p);
  p.threads = 1;
  li2_maxima_search(s.g, s.ct, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, &p, 2, 1, NULL, &res, &err);
  if (!ok(res != NULL, "Z11 search (%s)", err.msg)) {
    setup_free(&s);
    return;
  }
  li2_maxima_result_structure(res, 2, 0.01, buf, sizeof buf);
  ok(!strcmp(buf, "3:1.0000"), "Z11 start 2 (component 3's start): structure '%s'", buf);
  li2_maxima_result_structure(res, 99, 0.01, buf, sizeof buf);
  ok(buf[0] == '\0', "structure of a start out of range: empty");
  {
    li2_energy *e = li2_energy_alloc(s.g, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
    li2_certifier *c = li2_certifier_alloc(e, &p, &err);
    li2_maxima_point pt;
    double z0, z1;
    li2_certifier_certify(c, res->w, &pt, &err);
    li2_certifier_zero_gap(c, &z0, &z1);
    ok(pt.zero_modes == 2 && z0 < 1e-12 && z1 > 0.1,
       "Z11: zero modes 2, separated (largest zero %.2g, smallest other %.2g)", z0, z1);
    li2_certifier_free(c);
    li2_energy_free(e);
  }
  li2_maxima_result_free(res);
  setup_free(&s);
}

/* The caller owns set / iterate / test; every method reaches a max. */
static void test_methods(void)
{
  setup s;
  li2_error err = {0};
  if (!setup_alloc(&s, "Z7"))
    return;
  for (int m = 0; m < 3; m++) {
    li2_maxima_params p;
    li2_maxima_params_default(&p);
    p.method = m;
    p.radius = 2.0;
    li2_energy *e = li2_energy_alloc(s.g, s.d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
    li2_maximizer *mz = li2_maximizer_alloc(e, &p, &err);
    li2_certifier *c = li2_certifier_alloc(e, &p, &err);
    double w0[14], w[14];
    int stop = 0;
    li2_maxima_point pt;
    li2_maxima_start(4, 0, 14, 1.0, w0);
    li2_maximizer_set(mz, w0, &err);
    while (!stop && !li2_maximizer_iterate(mz, &err))
      stop = li2_maximizer_test(mz);
    li2_maximizer_point(mz, w);
    li2_certifier_certify(c, w, &pt, &err);
    /* On the sphere of radius 2 the level is 2^4 M/4. */
    ok(pt.label == LI2_MAXIMA_MAX && fabs(pt.energy - 16 * 7 / 4.0) < 1e-8 * 28,
       "Z7 radius 2, %s: %s at E = %.12g after %ld iterations (stop %d)",
       li2_maxima_method_name(m), li2_maxima_label_name(pt.label), pt.energy,
       li2_maximizer_iterations(mz), stop);
    li2_certifier_free(c);
    li2_maximizer_free(mz);
    li2_energy_free(e);
  }
  setup_free(&s);
}

/* The histogram template renders with every token replaced; a missing
 * value is an error naming the token. */
static void test_plot_script(void)
{
  char dir[] = "/tmp/li2-test-maxima-XXXXXX", *path, *text = NULL;
  li2_error err = {0};
  li2_plot_var vars[] = {{"DATA", "maxima.tsv"}, {"BINWIDTH", "0.25"},
                         {"LEVEL_ARROWS", "set arrow from first 3, graph 0 to first 3, graph 1\n"}};
  if (!ok(mkdtemp(dir) != NULL, "temporary directory"))
    return;
  ok(li2_plot_write_script(dir, "energy-histogram", "energy-histogram", vars, 3, &err) == 0,
     "energy-histogram.gp written (%s)", err.msg);
  path = li2_io_path(dir, "energy-histogram.gp");
  if (path && li2_io_read_file(path, &text, NULL, &err) == 0) {
    ok(strstr(text, "binwidth = 0.25") && strstr(text, "\"maxima.tsv\"") &&
       strstr(text, "set output \"energy-histogram.pdf\"") && strstr(text, "pdfcairo") &&
       strstr(text, "#0072B2"),
       "script has the data, the bin width, the output and the paper style");
    ok(!strstr(text, "@DATA@") && !strstr(text, "@LEVEL_ARROWS@"), "no token left");
  } else
    ok(0, "script readable (%s)", err.msg);
  ok(li2_plot_write_script(dir, "x", "energy-histogram", vars, 2, &err) == LI2_EINVAL &&
     strstr(err.msg, "@LEVEL_ARROWS@"), "a missing value is an error: %s", err.msg);
  free(text);
  remove(path);
  free(path);
  rmdir(dir);
}

int main(void)
{
  test_plot_script();
  test_certify_z11();
  test_classify_trivial();
  test_mem_score();
  test_hessian_geodesic("Z11", 1);
  test_hessian_geodesic("Z11", 0);
  test_hessian_geodesic("S3", 0);
  test_methods();
  test_threads();
  test_closed_forms();
  test_paper_forms();
  test_structure();
  test_components("Dic3");
  test_components("A4");
  test_components("Z2xZ2xZ2");
  test_components("Z7:Z3");
  test_components("file:" LI2_SRCDIR "/tests/data/groups.jsonl#D8");
  test_components("file:" LI2_SRCDIR "/tests/data/sl23.txt");
  test_group("Z11", 8);
  test_group("Z10", 16);
  test_group("S3", 16);
  test_group("S4", 24);
  test_group("D5", 16);
  test_group("Q8", 16);
  test_group("Z7:Z3", 24);
  test_group("A5", 24);
  return tap_done();
}
