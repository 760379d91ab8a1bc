/* Predicted versus emergent features (compare.h).
 *   - a checkpoint of Z_23 whose nodes are set to exact Fourier features
 *     (u = a cos(2 pi k x/M + phi_u), v = b cos(2 pi k x/M + phi_v)) at
 *     distinct frequencies: every such node is active, pure, of component
 *     k, at the predicted level M/4 = 5.75 (textbook: |^u_k| = a M/2), at a
 *     predicted maximum, with the phases it was built with; coverage is
 *     complete; tiny nodes are inactive; an equal mix of two frequencies
 *     is not at a maximum (purity 1/2);
 *   - an unbalanced node (a != b) moves to a = b along the circle in the
 *     (u, v) plane: the angle is |atan(b/a) - 45 deg| exactly;
 *   - with frequencies 1..5 only, the missing components are 6..11;
 *   - S3 with the sign feature: energy 3 = ORD/2 (d_R = 1), phases NaN;
 *   - checkpoints of a run directory are listed in epoch order;
 *   - compare.json carries the documented fields. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "characters.h"
#include "checkpoint.h"
#include "compare.h"
#include "io.h"
#include "json.h"
#include "process.h"
#include "train.h"
#include "tap.h"

#define ORD 23
#define NK 16

/* A run directory with one checkpoint of a Z_23 trainer (K nodes). */
static int make_checkpoint(const char *path, li2_error *err)
{
  char *argv[] = {"M=23", "hidden_size=16", "loss_func=mse", "activation=sqr", "test_size=0.3",
                  "num_epochs=1"};
  li2_args *a = NULL;
  li2_train_config c;
  li2_trainer *t = NULL;
  char *text = NULL;
  int rc = li2_args_parse(&a, li2_train_spec, 6, argv, err);
  if (!rc)
    rc = li2_train_config_from_args(a, &c, err);
  if (!rc && !(text = li2_train_config_text(a)))
    rc = LI2_ENOMEM;
  if (!rc && !(t = li2_trainer_alloc(&c, text, NULL, err)))
    rc = err->code;
  if (!rc)
    rc = li2_trainer_save(t, path, err);
  li2_trainer_free(t);
  free(text);
  li2_args_free(a);
  return rc;
}

/* Node j of W (2M x K) := [a cos(2 pi k x/M + pu); b cos(2 pi k x/M + pv)]. */
static void set_node(double *W, size_t j, int k, double a, double b, double pu, double pv)
{
  for (size_t x = 0; x < ORD; x++) {
    double t = 2 * M_PI * (double)k * (double)x / ORD;
    W[x * NK + j] = a * cos(t + pu);
    W[(ORD + x) * NK + j] = b * cos(t + pv);
  }
}

static void add_node(double *W, size_t j, int k, double a, double pu)
{
  for (size_t x = 0; x < ORD; x++) {
    double t = 2 * M_PI * (double)k * (double)x / ORD;
    W[x * NK + j] += a * cos(t + pu);
    W[(ORD + x) * NK + j] += a * cos(t + pu + 0.3);
  }
}

static double wrap(double x)
{
  while (x > M_PI)
    x -= 2 * M_PI;
  while (x <= -M_PI)
    x += 2 * M_PI;
  return x;
}

static void test_fourier_checkpoint(const char *dir)
{
  li2_error err = {0};
  char *path = li2_io_path(dir, "checkpoint.li2");
  li2_checkpoint *ck;
  li2_compare_params p;
  li2_compare_result *r = NULL;
  double pu[11], pv[11];
  int rc;

  ok(make_checkpoint(path, &err) == 0, "trainer checkpoint written (%s)", err.msg);
  ck = li2_checkpoint_read(path, &err);
  if (!ok(ck != NULL && ck->M == ORD && ck->K == NK, "checkpoint read back (%s)", err.msg))
    return;
  /* nodes 0..10: frequencies 1..11 with phases spread over the circle;
   * node 11: unbalanced amplitudes; node 12: equal mix of 2 and 5;
   * nodes 13..15: tiny random-looking (inactive) */
  for (int k = 1; k <= 11; k++) {
    pu[k - 1] = wrap(0.9 * k - 2.0);
    pv[k - 1] = wrap(-1.7 * k + 0.4);
    set_node(ck->W, (size_t)(k - 1), k, 0.8, 0.8, pu[k - 1], pv[k - 1]);
  }
  set_node(ck->W, 11, 3, 1.2 * 0.8, 0.8, 0.5, -0.5);
  set_node(ck->W, 12, 2, 0.0, 0.0, 0, 0);
  add_node(ck->W, 12, 2, 0.6, 0.1);
  add_node(ck->W, 12, 5, 0.6, -1.1);
  for (size_t j = 13; j < NK; j++)
    for (size_t x = 0; x < 2 * ORD; x++)
      ck->W[x * NK + j] = 1e-3 * sin(1.0 + (double)(j * 2 * ORD + x));
  rc = li2_checkpoint_write(path, ck, &err);
  ok(rc == 0, "li2_checkpoint_write with Fourier nodes (%s)", err.msg);

  li2_compare_params_default(&p);
  rc = li2_compare_checkpoint(path, &p, &r, &err);
  if (!ok(rc == 0 && r, "li2_compare_checkpoint (%s)", err.msg))
    goto done;
  ok(r->K == NK && r->ncomponents == 12, "K = 16 nodes, 12 real components of Z_23");
  ok(r->active_nodes == 13, "13 active nodes, the 3 tiny ones inactive (got %zu)", r->active_nodes);
  {
    int all = 1, comp = 1, phase = 1;
    for (int k = 1; k <= 11; k++) {
      const li2_compare_node *n = &r->nodes[k - 1];
      all &= n->active && n->at_max && n->purity > 1 - 1e-12 && n->angle < 1e-3;
      comp &= n->component == k && n->component_end == k && n->label_end == LI2_MAXIMA_MAX;
      phase &= fabs(wrap(n->phase_u - pu[k - 1])) < 1e-10 && fabs(wrap(n->phase_v - pv[k - 1])) < 1e-10;
      if (fabs(n->energy - 23.0 / 4) > 1e-9 * 23.0 / 4 || fabs(n->predicted - 23.0 / 4) > 1e-12)
        all = 0;
    }
    ok(all, "frequencies 1..11: active, purity 1, at E = M/4 = 5.75, angle < 1e-3 deg");
    ok(comp, "frequencies 1..11: component k, end point certified max of component k");
    ok(phase, "phases of u and v at frequency k are the ones the nodes were built with");
  }
  {
    const li2_compare_node *n = &r->nodes[11];
    double want = fabs(atan(1 / 1.2) * 180 / M_PI - 45);
    ok(n->component == 3 && n->at_max, "unbalanced node: component 3, at a predicted maximum");
    ok_close(n->angle, want, 1e-5, "unbalanced node moves |atan(b/a) - 45 deg| = %.4f deg", want);
    ok_close(n->energy_end, 23.0 / 4, 1e-8, "unbalanced node's end point has E = M/4");
  }
  {
    const li2_compare_node *n = &r->nodes[12];
    ok(n->active && !n->at_max && (n->component == 2 || n->component == 5),
       "mix of frequencies 2 and 5: active, dominant 2 or 5, not at a maximum");
    ok_close(n->purity, 0.5, 1e-9, "mix of two frequencies: purity 1/2");
  }
  ok(r->at_max_nodes == 12, "12 nodes at predicted maxima (got %zu)", r->at_max_nodes);
  ok_close(r->at_predicted_max_fraction, 12.0 / 13, 1e-12, "fraction at a predicted max 12/13");
  ok(r->ncovered == 11 && r->nmissing == 0, "coverage complete: 11 of 11 components");
  ok(r->nodes_per_component[3] == 2 && r->nodes_per_component[1] == 1 &&
         r->at_max_per_component[3] == 2,
     "nodes per component: 2 at frequency 3, 1 at frequency 1");
  /* test_size = 0.3 of 529 pairs: ceil(158.7) = 159 test pairs (the
   * reference's train_test_split), so the accuracy is a count over 159 */
  ok(r->epoch == 0 && r->test_acc >= 0 && r->test_acc <= 1 &&
         fabs(r->test_acc * 159 - nearbyint(r->test_acc * 159)) < 1e-9,
     "epoch 0; test accuracy %.17g is k/159 (k = %.0f)", r->test_acc, r->test_acc * 159);
  li2_compare_result_free(r);
  r = NULL;

  /* Frequencies 1..5 only: the others are missing. */
  for (size_t j = 5; j < NK; j++)
    for (size_t x = 0; x < 2 * ORD; x++)
      ck->W[x * NK + j] = 1e-4 * cos(0.3 * (double)(j + x));
  rc = li2_checkpoint_write(path, ck, &err);
  rc = rc ? rc : li2_compare_checkpoint(path, &p, &r, &err);
  if (ok(rc == 0, "checkpoint with frequencies 1..5 (%s)", err.msg)) {
    int miss = r->nmissing == 6;
    for (size_t i = 0; miss && i < 6; i++)
      miss = r->missing[i] == (int)(6 + i);
    ok(r->ncovered == 5 && miss, "missing components are exactly 6..11");
    ok(r->active_nodes == 5 && r->at_max_nodes == 5, "5 active nodes, all at maxima");
  }
  /* compare.json fields */
  if (r) {
    char *jp = li2_io_path(dir, "compare.json"), *text = NULL;
    FILE *fp = fopen(jp, "w");
    li2_json *js = NULL;
    size_t len;
    li2_compare_write_json(fp, r, &p);
    fclose(fp);
    if (!li2_io_read_file(jp, &text, &len, &err))
      js = li2_json_parse(text, len, &err);
    if (ok(js != NULL, "compare.json parses (%s)", err.msg)) {
      const li2_json *cov = li2_json_get(js, "coverage"), *mis = li2_json_get(js, "missing"),
                     *npc = li2_json_get(js, "nodes_per_component");
      const li2_json *an = li2_json_get(js, "active_nodes"),
                     *fr = li2_json_get(js, "at_predicted_max_fraction"),
                     *ta = li2_json_get(js, "test_acc");
      ok(an && an->type == LI2_JSON_NUMBER && an->number == 5, "compare.json active_nodes = 5");
      ok(fr && fr->type == LI2_JSON_NUMBER && fr->number == 1,
         "compare.json at_predicted_max_fraction = 1");
      ok(cov && cov->type == LI2_JSON_ARRAY && cov->n == 5 && mis && mis->type == LI2_JSON_ARRAY &&
             mis->n == 6 && mis->item[0].number == 6,
         "compare.json coverage [1..5], missing [6..11]");
      ok(npc && npc->type == LI2_JSON_ARRAY && npc->n == 12 && npc->item[2].number == 1,
         "compare.json nodes_per_component indexed by component");
      ok(ta && ta->type == LI2_JSON_NUMBER && ta->number == r->test_acc,
         "compare.json test_acc = the result's %.17g, to the last bit", r->test_acc);
    }
    li2_json_free(js);
    free(text);
    remove(jp);
    free(jp);
  }
done:
  li2_compare_result_free(r);
  li2_checkpoint_free(ck);
  remove(path);
  free(path);
}

static void test_s3_sign(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("S3", &err);
  li2_characters *ct = g ? li2_characters_alloc(g, &err) : NULL;
  li2_compare_params p;
  li2_compare *c;
  li2_compare_result *r = NULL;
  double W[12 * 2];
  int sign_comp = -1;
  if (!ok(ct != NULL, "S3 characters (%s)", err.msg))
    return;
  /* the sign irrep: degree 1, value -1 somewhere */
  for (size_t i = 1; i < ct->nirreps; i++)
    if (ct->degree[i] == 1)
      sign_comp = ct->component_of[i];
  li2_compare_params_default(&p);
  c = li2_compare_alloc(g, ct, NULL, LI2_ACT_SQR, &p, &err);
  if (ok(c != NULL && sign_comp > 0, "compare workspace for S3 (%s)", err.msg)) {
    /* node 0: u = v = sign(g); node 1: u = sign, v = e_0 (not a maximum) */
    for (int x = 0; x < 6; x++) {
      int inv = 0;
      int perm[3] = {0, 1, 2};
      /* elements are the permutations of {0,1,2} in lexicographic order */
      static const int lex[6][3] = {{0,1,2},{0,2,1},{1,0,2},{1,2,0},{2,0,1},{2,1,0}};
      memcpy(perm, lex[x], sizeof perm);
      for (int i = 0; i < 3; i++)
        for (int k = i + 1; k < 3; k++)
          inv += perm[i] > perm[k];
      W[x * 2 + 0] = W[(6 + x) * 2 + 0] = inv % 2 ? -1 : 1;
      W[x * 2 + 1] = inv % 2 ? -1 : 1;
      W[(6 + x) * 2 + 1] = x == 0 ? 3 : 0;
    }
    if (ok(li2_compare_nodes(c, W, 2, &r, &err) == 0, "compare S3 nodes (%s)", err.msg)) {
      ok(r->nodes[0].component == sign_comp && r->nodes[0].at_max,
         "S3 sign feature: sign component, at a predicted maximum");
      ok_close(r->nodes[0].energy, 3.0, 1e-12, "S3 sign feature: E = M/2 = 3 (d_R = 1)");
      ok(isnan(r->nodes[0].phase_u), "non-abelian: no phases");
      ok(!r->nodes[1].at_max, "S3 sign with a delta: not at a maximum");
      ok(r->ncovered == 1 && r->nmissing == 1, "S3: sign covered, the 2-dim component missing");
    }
  }
  li2_compare_result_free(r);
  li2_compare_free(c);
  li2_characters_free(ct);
  li2_group_free(g);
}

/* Spectrum and mean purity on Z_11 nodes with known powers, trivial power
 * present (a constant c in u and v: |P_0|^2 = M c^2).  A cosine of
 * amplitude a at frequency k has |P_k|^2 = M a^2/2 (k != 0).
 *   node 0: 2 cos(1) + 1 in u and v    non-trivial 2 * 22 = 44, purity 1
 *   node 1: cos(2) + 3                  2 * 5.5 = 11, purity 1
 *   node 2: cos(3) + sqrt2 cos(4) + 1   11 at 3, 22 at 4: purity 2/3
 *   node 3: 0.12 cos(5)                 11 * 0.12^2 = 0.1584 at 5, purity 1, norm
 *           0.12 sqrt(22) = 0.563: between 0.01 and 0.1 of node 0's sqrt(66) =
 *           8.12, so inactive at active_ratio 0.1
 * spectrum[k] = sum_j power_k / total non-trivial (all nodes, active or
 * not); mean_purity over the three active nodes = (1 + 1 + 2/3)/3 = 8/9. */
static void test_spectrum(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("Z11", &err);
  li2_characters *ct = g ? li2_characters_alloc(g, &err) : NULL;
  li2_compare_params p;
  li2_compare *c = NULL;
  li2_compare_result *r = NULL;
  const size_t M = 11, K = 4;
  double W[22 * 4], tiny = 11 * 0.12 * 0.12, total, want[6];
  if (!ok(ct != NULL, "Z11 characters (%s)", err.msg))
    goto done;
  for (size_t x = 0; x < M; x++) {
    double t = 2 * M_PI * (double)x / (double)M;
    for (int half = 0; half < 2; half++) {
      double *row = W + (half * M + x) * K, ph = half ? 0.7 : 0.0;
      row[0] = 2 * cos(t + ph) + 1;
      row[1] = cos(2 * t + ph) + 3;
      row[2] = cos(3 * t + ph) + sqrt(2.0) * cos(4 * t - ph) + 1;
      row[3] = 0.12 * cos(5 * t + ph);
    }
  }
  li2_compare_params_default(&p);
  p.maximise = 0;
  c = li2_compare_alloc(g, ct, NULL, LI2_ACT_SQR, &p, &err);
  if (!ok(c && li2_compare_nodes(c, W, K, &r, &err) == 0, "compare Z11 nodes (%s)", err.msg))
    goto done;
  total = 44 + 11 + 11 + 22 + tiny;
  want[0] = 0;
  want[1] = 44 / total;
  want[2] = 11 / total;
  want[3] = 11 / total;
  want[4] = 22 / total;
  want[5] = tiny / total;
  {
    double worst = 0;
    for (size_t k = 0; k < 6; k++)
      worst = fmax(worst, fabs(r->spectrum[k] - want[k]));
    ok(worst <= 1e-12, "spectrum = non-trivial power shares by hand (worst %.1e)",
       worst);
  }
  ok(r->active_nodes == 3 && !r->nodes[3].active, "3 active nodes, node 3 (4.9%% of the largest norm) inactive");
  ok_close(r->nodes[2].purity, 2.0 / 3, 1e-12, "mix of frequencies 3 and 4: purity 2/3");
  ok_close(r->mean_purity, 8.0 / 9, 1e-12, "mean purity over active nodes = 8/9 (%.15g)",
           r->mean_purity);
  ok_close(r->power_u[0 * 6 + 0], 11.0, 1e-12, "node 0: trivial power of u = M c^2 = 11");
done:
  li2_compare_result_free(r);
  li2_compare_free(c);
  li2_characters_free(ct);
  li2_group_free(g);
}

static void touch(const char *dir, const char *name)
{
  char *p = li2_io_path(dir, name);
  FILE *fp = fopen(p, "w");
  if (fp)
    fclose(fp);
  free(p);
}

static void test_list(const char *dir)
{
  li2_error err = {0};
  char **paths = NULL;
  long *epochs = NULL;
  size_t n = 0;
  /* issue 15: ckpt-20.li2 (beside ckpt-000020.li2) and an epoch beyond a
   * long are not li2's names */
  const char *names[] = {"ckpt-000100.li2", "ckpt-000020.li2", "ckpt-001000.li2", "ckpt-x.li2",
                         "ckpt-000050.li2.tmp.1", "checkpoint.li2", "ckpt-20.li2",
                         "ckpt-99999999999999999999.li2", "ckpt-0000020.li2"};
  const size_t nnames = sizeof names / sizeof *names;
  for (size_t i = 0; i < nnames; i++)
    touch(dir, names[i]);
  ok(li2_checkpoint_list(dir, &paths, &epochs, &n, &err) == 0 && n == 3 &&
         epochs[0] == 20 && epochs[1] == 100 && epochs[2] == 1000 &&
         strstr(paths[0], "ckpt-000020.li2"),
     "checkpoints listed in epoch order, other files ignored");
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  free(epochs);
  for (size_t i = 0; i < nnames; i++) {
    char *p = li2_io_path(dir, names[i]);
    remove(p);
    free(p);
  }
  {
    char *p = NULL;
    ok(li2_checkpoint_find(dir, 7, &p, &err) == LI2_EIO && strstr(err.msg, "ckpt-000007.li2"),
       "a missing epoch is an I/O error naming the file");
    free(p);
  }
}

int main(void)
{
  char tmpl[] = "/tmp/li2-test-compare.XXXXXX";
  char *dir = mkdtemp(tmpl);
  li2_process_set_threads(1);
  if (!ok(dir != NULL, "temporary directory"))
    return tap_done();
  test_fourier_checkpoint(dir);
  test_s3_sign();
  test_spectrum();
  test_list(dir);
  rmdir(dir);
  return tap_done();
}
