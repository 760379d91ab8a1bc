/* Progress measures (measures.h), on constructed logits whose split is known:
 *   - Z_23: L = key terms in a + b - c (frequencies 3 and 5) + a term in a
 *     alone + a term in a - b + a per-output bias: with KEY = {3, 5} the
 *     restricted logits are the key terms plus the bias, the excluded ones
 *     everything but the key terms; with KEY = {3} the 5-term moves to the
 *     excluded side;
 *   - S4: L(a, b, c) = chi(c^-1 a b) for an irrep of degree 3: restricted
 *     to its component it is L itself, excluded it is 0; restricted to
 *     another component 0;
 *   - Gini against the double sum of its definition; uniform 0, one-hot
 *     (n-1)/n; key selection by share, ties to the smaller index;
 *   - a trained checkpoint, of the 2-layer network and of a transformer:
 *     the full-table logits reproduce the trainer's own train and test loss
 *     and accuracy (li2_trainer_test). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "characters.h"
#include "group.h"
#include "io.h"
#include "measures.h"
#include "train.h"
#include "tap.h"

#define ORD 23

static double maxdiff(const double *x, const double *y, size_t n)
{
  double d = 0;
  for (size_t i = 0; i < n; i++)
    d = fmax(d, fabs(x[i] - y[i]));
  return d;
}

static void test_cyclic(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("Z23", &err);
  li2_characters *ct = g ? li2_characters_alloc(g, &err) : NULL;
  li2_measures *w = ct ? li2_measures_alloc(g, ct, &err) : NULL;
  const size_t M = ORD, n = M * M * M;
  double *L = malloc(n * sizeof *L), *res = malloc(n * sizeof *res), *exc = malloc(n * sizeof *exc);
  double *want_res = malloc(n * sizeof *L), *want_exc = malloc(n * sizeof *L);
  double *want_res3 = malloc(n * sizeof *L), *want_exc3 = malloc(n * sizeof *L);
  int key[] = {3, 5}, bad[] = {0};
  if (!ok(w && L && res && exc && want_res && want_exc && want_res3 && want_exc3,
          "Z23 workspace (%s)", err.msg))
    goto done;
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++)
      for (size_t c = 0; c < M; c++) {
        double t = 2 * M_PI / (double)M, s = (double)a + (double)b - (double)c;
        double k3 = 1.3 * cos(t * 3 * s), k5 = 0.7 * sin(t * 5 * s + 0.2);
        double rest = 0.9 * cos(t * 4 * (double)a + 0.1) +
                      0.4 * cos(t * 2 * ((double)a - (double)b));
        double bias = 0.05 * (double)c - 0.3;
        size_t i = (a * M + b) * M + c;
        L[i] = k3 + k5 + rest + bias;
        want_res[i] = k3 + k5 + bias;
        want_exc[i] = rest + bias;
        want_res3[i] = k3 + bias;
        want_exc3[i] = k5 + rest + bias;
      }
  ok(li2_measures_split(w, L, key, 2, res, exc, &err) == 0, "split with key {3, 5} (%s)", err.msg);
  ok_close(maxdiff(res, want_res, n), 0, 1e-12, "Z23 restricted = key terms + bias");
  ok_close(maxdiff(exc, want_exc, n), 0, 1e-12, "Z23 excluded = the rest + bias");
  ok(li2_measures_split(w, L, key, 1, res, exc, &err) == 0, "split with key {3}");
  ok_close(maxdiff(res, want_res3, n), 0, 1e-12, "Z23 key {3}: restricted = 3-term + bias");
  ok_close(maxdiff(exc, want_exc3, n), 0, 1e-12, "Z23 key {3}: excluded keeps the 5-term");
  ok(li2_measures_split(w, L, bad, 1, res, exc, &err) == LI2_EINVAL &&
         strstr(err.msg, "key component 0"),
     "the trivial component is refused as a key (%s)", err.msg);
done:
  free(L);
  free(res);
  free(exc);
  free(want_res);
  free(want_exc);
  free(want_res3);
  free(want_exc3);
  li2_measures_free(w);
  li2_characters_free(ct);
  li2_group_free(g);
}

static void test_s4(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("S4", &err);
  li2_characters *ct = g ? li2_characters_alloc(g, &err) : NULL;
  li2_measures *w = ct ? li2_measures_alloc(g, ct, &err) : NULL;
  size_t M, n, irrep = 0;
  double *L = NULL, *res = NULL, *exc = NULL, *zero = NULL;
  int key[1], other[1];
  if (!ok(w != NULL, "S4 workspace (%s)", err.msg))
    goto done;
  M = g->order;
  n = M * M * M;
  L = malloc(n * sizeof *L);
  res = malloc(n * sizeof *res);
  exc = malloc(n * sizeof *exc);
  zero = calloc(n, sizeof *zero);
  while (irrep < ct->nirreps && ct->degree[irrep] != 3)
    irrep++;
  if (!ok(L && res && exc && zero && irrep < ct->nirreps, "S4 has a degree-3 irrep"))
    goto done;
  key[0] = ct->component_of[irrep];
  other[0] = key[0] == 1 ? 2 : 1;
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++)
      for (size_t c = 0; c < M; c++) {
        int h = li2_group_mul(g, g->inverse[c], li2_group_mul(g, (int)a, (int)b));
        L[(a * M + b) * M + c] =
            creal(ct->chi[irrep * ct->nirreps + (size_t)ct->classes->class_of[h]]);
      }
  ok(li2_measures_split(w, L, key, 1, res, exc, &err) == 0, "S4 split (%s)", err.msg);
  ok_close(maxdiff(res, L, n), 0, 1e-12, "S4: restricted to the character's component = L");
  ok_close(maxdiff(exc, zero, n), 0, 1e-12, "S4: excluded = 0");
  ok(li2_measures_split(w, L, other, 1, res, exc, &err) == 0, "S4 split, another component");
  ok_close(maxdiff(res, zero, n), 0, 1e-12, "S4: restricted to another component = 0");
  ok_close(maxdiff(exc, L, n), 0, 1e-12, "S4: excluded another component = L");
done:
  free(L);
  free(res);
  free(exc);
  free(zero);
  li2_measures_free(w);
  li2_characters_free(ct);
  li2_group_free(g);
}

static void test_gini_key(void)
{
  double u[6] = {1, 1, 1, 1, 1, 1}, one[5] = {0, 0, 3, 0, 0};
  double x[9] = {0.3, 2.1, 0.0, 5.5, 1.2, 1.2, 0.7, 3.3, 0.05}, direct = 0, sum = 0;
  double spec[5] = {9, 0.5, 0.1, 0.3, 0.1}, tie[4] = {0, 0.2, 0.4, 0.4};
  int key[4];
  size_t nk;
  for (int i = 0; i < 9; i++) {
    sum += x[i];
    for (int j = 0; j < 9; j++)
      direct += fabs(x[i] - x[j]);
  }
  ok_close(li2_measures_gini(u, 6), 0, 1e-15, "Gini of a uniform spectrum is 0");
  ok_close(li2_measures_gini(one, 5), 0.8, 1e-15, "Gini of a one-hot spectrum is (n-1)/n");
  ok_close(li2_measures_gini(x, 9), direct / (2 * 9 * sum), 1e-14, "Gini = its double sum");
  ok(isnan(li2_measures_gini(u, 0)), "Gini of nothing is NaN");
  nk = li2_measures_key_select(spec, 5, 0.75, key);
  ok(nk == 2 && key[0] == 1 && key[1] == 3, "key by share 0.75: {1, 3} (%zu)", nk);
  nk = li2_measures_key_select(spec, 5, 1.0, key);
  ok(nk == 4, "key by share 1: every component (%zu)", nk);
  nk = li2_measures_key_select(tie, 4, 0.5, key);
  ok(nk == 2 && key[0] == 2 && key[1] == 3, "ties go to the smaller index");
}

static void test_checkpoint(const char *dir, int transformer)
{
  char *argv[] = {"M=23", "hidden_size=24", "loss_func=mse", "activation=sqr", "test_size=0.4",
                  "num_epochs=30", "learning_rate=0.01", "output_multiplier=1.7",
                  "model_type=transformer", "nhead=2", "num_layers=1", "dim_feedforward=16"};
  li2_error err = {0};
  li2_args *a = NULL;
  li2_train_config c;
  li2_trainer *t = NULL;
  li2_train_metrics m;
  li2_measures_row row;
  char *text = NULL, *path = li2_io_path(dir, "checkpoint.li2");
  int key[] = {1, 2}, rc;
  rc = li2_args_parse(&a, li2_train_spec, transformer ? 12 : 8, argv, &err);
  if (!rc)
    rc = li2_train_config_from_args(a, &c, &err);
  if (!rc && !(text = li2_train_config_text(a)))
    rc = LI2_ENOMEM;
  if (!rc && !(t = li2_trainer_alloc(&c, text, NULL, &err)))
    rc = err.code;
  li2_trainer_set(t);
  while (!rc && li2_trainer_epoch(t) < 30)
    rc = li2_trainer_iterate(t, &err);
  if (!rc)
    rc = li2_trainer_test(t, &m, &err);
  if (!rc)
    rc = li2_trainer_save(t, path, &err);
  if (ok(rc == 0, "a Z23 %s run of 30 epochs saved (%s)", transformer ? "transformer" : "mlp",
         err.msg)) {
    ok(li2_measures_checkpoint(path, key, 2, &row, &err) == 0, "measures of it (%s)", err.msg);
    ok_close(row.train_loss, m.train_loss, 1e-10, "full-table logits give the trainer's train loss");
    ok_close(row.test_loss, m.test_loss, 1e-10, "... and its test loss");
    ok_close(row.train_acc, m.train_acc, 1e-12, "... and train accuracy");
    ok_close(row.test_acc, m.test_acc, 1e-12, "... and test accuracy");
    ok(row.epoch == 30 && row.gini >= 0 && row.gini < 1 && row.key_share >= 0 &&
           (transformer ? row.active_nodes == 0 && isnan(row.key_nodes) : row.active_nodes > 0) &&
           row.key_share <= 1,
       "epoch, Gini and key share in range");
  }
  li2_trainer_free(t);
  li2_args_free(a);
  free(text);
  unlink(path);
  free(path);
}

int main(void)
{
  char dir[] = "/tmp/li2-measures-XXXXXX";
  test_cyclic();
  test_s4();
  test_gini_key();
  if (ok(mkdtemp(dir) != NULL, "temporary directory")) {
    test_checkpoint(dir, 0);
    test_checkpoint(dir, 1);
    rmdir(dir);
  }
  return tap_done();
}
