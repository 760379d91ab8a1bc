/* Stage detection (src/stages.h): node measures on weights of known
 * structure, the criteria on constructed runs. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "characters.h"
#include "fourier.h"
#include "gradient.h"
#include "group.h"
#include "stages.h"
#include "tap.h"

/* Z_23: ten heavy exact nodes on components {1, 1, 2, 3, 4, 5, 6, 7, 8, 9}
 * and two light random ones. */
static void test_measure(gsl_rng *rng)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("23", &err);
  li2_characters *ct = li2_characters_alloc(g, &err);
  li2_fourier *f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, &err);
  const size_t M = 23, K = 12;
  const size_t comps[10] = {1, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  double *W = calloc(2 * M * K, sizeof *W), *W0 = malloc(2 * M * K * sizeof *W0), u[46];
  li2_stages_params p;
  li2_stages_point pt;
  li2_stages_work *w = li2_stages_work_alloc(f, M, K, 2, &err);
  li2_stages_params_default(&p);
  for (size_t j = 0; j < K; j++) {
    if (j < 10)
      li2_gradient_exact_node(g, f, comps[j], rng, u, u + M, &err);
    else
      for (size_t i = 0; i < 2 * M; i++)
        u[i] = gsl_ran_gaussian(rng, 0.01);
    for (size_t i = 0; i < 2 * M; i++)
      W[i * K + j] = u[i];
  }
  ok(li2_stages_measure(w, &p, W, W, &pt, &err) == 0, "measure runs");
  ok(pt.nactive == 10, "active nodes: the 10 heavy ones (got %zu)", pt.nactive);
  ok(pt.npure == 10 && fabs(pt.purity - 1) < 1e-12, "exact nodes are pure (%zu, mean %.15f)",
     pt.npure, pt.purity);
  ok(pt.covered == 9 && fabs(pt.coverage - 9.0 / 11) < 1e-15,
     "coverage: 9 of the 11 nontrivial components (got %zu)", pt.covered);
  ok(pt.w_moved == 0, "w_moved = 0 against itself");
  for (size_t i = 0; i < 2 * M * K; i++)
    W0[i] = 2 * W[i];
  li2_stages_measure(w, &p, W, W0, &pt, &err);
  ok_close(pt.w_moved, 0.5, 1e-14, "w_moved = |W - 2W| / |2W| = 1/2");
  {
    double pur, mass;
    size_t dom;
    int act;
    li2_stages_node(w, 3, &pur, &dom, &mass, &act);
    ok(dom == 3 && act && fabs(mass - M) < 1e-9, "node 3: dominant 3, active, |w|^2 = M");
    li2_stages_node(w, 11, &pur, &dom, &mass, &act);
    ok(!act, "light random node is not active");
  }
  /* a half-and-half node: purity 1/2 */
  for (size_t j = 0; j < K; j++)
    for (size_t i = 0; i < 2 * M; i++)
      W[i * K + j] = 0;
  {
    double a[46], b[46];
    li2_gradient_exact_node(g, f, 4, rng, a, a + M, &err);
    li2_gradient_exact_node(g, f, 7, rng, b, b + M, &err);
    for (size_t i = 0; i < 2 * M; i++)
      W[i * K] = a[i] + b[i];
    li2_stages_measure(w, &p, W, NULL, &pt, &err);
    ok(pt.nactive == 1 && fabs(pt.purity - 0.5) < 1e-12 && pt.npure == 0 && isnan(pt.w_moved),
       "a node split evenly over two components has purity 1/2 (%.15f)", pt.purity);
    /* a constant 2 in u and v adds |P_0|^2 = 4M to each half, which only
     * shifts the pre-activations: the purity stays 1/2 */
    for (size_t i = 0; i < 2 * M; i++)
      W[i * K] += 2.0;
    li2_stages_measure(w, &p, W, NULL, &pt, &err);
    ok(fabs(pt.purity - 0.5) < 1e-12, "with trivial-component power the purity is still 1/2 "
       "(%.15f)", pt.purity);
  }
  li2_stages_work_free(w);
  free(W);
  free(W0);
  li2_fourier_free(f);
  li2_characters_free(ct);
  li2_group_free(g);
}

static void test_detect(void)
{
  li2_error err = {0};
  li2_stages_params p;
  li2_stages_metric rows[11];
  li2_stages_point pts[10];
  li2_stage st[3];
  li2_stages_params_default(&p);
  /* train accuracy reaches 0.99 at epoch 30; test accuracy rises from 60
   * and is within 0.01 of its best (1.0) from epoch 80 on */
  for (int i = 0; i <= 10; i++) {
    rows[i].epoch = 10 * i;
    rows[i].train_acc = i >= 3 ? 1.0 : 0.3 * i;
    rows[i].test_acc = i < 6 ? 0.0 : i < 8 ? 0.5 : i == 8 ? 0.995 : 1.0;
  }
  /* checkpoints every 10 epochs from 10: pure nodes from 50, coverage
   * complete from 70 */
  memset(pts, 0, sizeof pts);
  for (int i = 0; i < 10; i++) {
    pts[i].epoch = 10 * (i + 1);
    pts[i].npure = pts[i].epoch >= 50 ? 5 : 0;
    pts[i].coverage = pts[i].epoch >= 70 ? 1.0 : 0.5;
  }
  ok(li2_stages_detect(&p, rows, 11, pts, 10, st, &err) == 0, "detect runs");
  ok(st[0].start == 0 && st[0].end == 30 && st[1].start == 30 && st[1].end == 50 &&
         st[2].start == 50 && st[2].end == 80,
     "stages I 0-30, II 30-50, III 50-80 (coverage at 70, plateau from 80): got %ld-%ld, "
     "%ld-%ld, %ld-%ld", st[0].start, st[0].end, st[1].start, st[1].end, st[2].start,
     st[2].end);
  ok(!strcmp(st[2].criterion, "coverage+test_plateau"), "III criterion named");
  /* without a test set, coverage alone ends III */
  for (int i = 0; i <= 10; i++)
    rows[i].test_acc = NAN;
  li2_stages_detect(&p, rows, 11, pts, 10, st, &err);
  ok(st[2].end == 70 && !strcmp(st[2].criterion, "coverage"), "no test set: III ends at 70");
  /* more pure nodes required: II ends later */
  p.pure_nodes = 6;
  li2_stages_detect(&p, rows, 11, pts, 10, st, &err);
  ok(st[1].end == -1 && st[2].start == -1 && !strcmp(st[1].criterion, "open"),
     "pure_nodes=6 never reached: II open, III not started");
  p.pure_nodes = 1;
  /* the top layer never fits: everything open after I starts */
  for (int i = 0; i <= 10; i++)
    rows[i].train_acc = 0.5;
  li2_stages_detect(&p, rows, 11, pts, 10, st, &err);
  ok(st[0].start == 0 && st[0].end == -1 && st[1].start == -1, "no fit: stage I open");
  /* boundaries are strictly ordered even when pure nodes exist at the fit */
  for (int i = 0; i <= 10; i++)
    rows[i].train_acc = 1.0;
  for (int i = 0; i < 10; i++) {
    pts[i].npure = 3;
    pts[i].coverage = 1;
  }
  li2_stages_detect(&p, rows, 11, pts, 10, st, &err);
  ok(st[0].end == 0 && st[1].end == 10 && st[2].end == 20,
     "everything at once: I 0-0, II to the next checkpoint (10), III to the one after (20)");
}

int main(void)
{
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 11);
  test_measure(rng);
  test_detect();
  gsl_rng_free(rng);
  return tap_done();
}
