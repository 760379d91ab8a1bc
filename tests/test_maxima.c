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
