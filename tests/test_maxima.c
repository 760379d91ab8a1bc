/* Local maxima of E on the unit sphere (THEORY.md section 3): multi-start
 * search, Hessian certification and classification.
 *   - a pure frequency of Z_11 is a certified max with two zero modes (the
 *     phases of ^u_k and ^v_k); an equal mix of two frequencies is a saddle;
 *   - for Z_11, Z_10, S3, S4, D5, Q8, Z7:Z3 and A5 (full data, sqr) every
 *     distinct certified maximum is pure, its energy is M/(2 d_R) of its
 *     component within 1e-6, and the highest predicted level is reached;
 *   - results do not depend on the number of threads;
 *   - the caller-owned loop works with every GSL method. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <unistd.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_sort_vector.h>

#include "characters.h"
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
  ok(r1 && r2 && !memcmp(r1->w, r2->w, 6 * r1->dim * sizeof(double)) &&
     !memcmp(r1->points, r2->points, 6 * sizeof *r1->points),
     "D5: 1 and 2 threads give identical end points, bit for bit");
  li2_maxima_result_free(r1);
  li2_maxima_result_free(r2);
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
