/* The flat entry points for ctypes (ffi.h) against the structures they
 * flatten: every copy equals the library's own arrays, the energy equals
 * li2_energy_eval on the same data, the trainer's metrics and parameters
 * those of li2_trainer_test and its model, a saved checkpoint reads back
 * through li2_ffi_checkpoint_* with the same bytes, compare's JSON is one
 * object with the documented fields. */
#define _POSIX_C_SOURCE 200809L
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "characters.h"
#include "dataset.h"
#include "energy.h"
#include "ffi.h"
#include "group.h"
#include "io.h"
#include "maxima.h"
#include "model.h"
#include "train.h"
#include "tap.h"

static void test_group(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("S4", &err);
  li2_characters *ct = li2_characters_alloc(g, &err);
  size_t M = li2_ffi_group_order(g), n = li2_ffi_characters_nirreps(ct);
  int *table = malloc(M * M * sizeof *table), good = 1;
  double *re = malloc(n * n * sizeof *re), *im = malloc(n * n * sizeof *im);
  int *class_of = malloc(M * sizeof *class_of), rep[8], order[8], deg[8], ind[8], comp[8], rd[8];
  long size[8];
  ok(M == 24 && !strcmp(li2_ffi_group_name(g), "S4") && !li2_ffi_group_abelian(g) &&
         li2_ffi_group_identity(g) == g->identity,
     "S4: order, name, non-abelian, identity");
  li2_ffi_group_table(g, table);
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++)
      good &= table[a * M + b] == li2_group_mul(g, (int)a, (int)b);
  ok(good, "group table: a b at [a M + b]");
  ok(n == 5 && li2_ffi_characters_ncomponents(ct) == ct->ncomponents, "5 irreps");
  li2_ffi_characters_table(ct, re, im);
  good = 1;
  for (size_t i = 0; i < n * n; i++)
    good &= re[i] == creal(ct->chi[i]) && im[i] == cimag(ct->chi[i]);
  ok(good, "character table: real and imaginary parts of chi");
  li2_ffi_characters_classes(g, ct, class_of, size, rep, order);
  good = 1;
  for (size_t a = 0; a < M; a++)
    good &= class_of[a] == ct->classes->class_of[a];
  for (size_t c = 0; c < n; c++)
    good &= size[c] == (long)ct->classes->size[c] && rep[c] == ct->classes->rep[c] &&
            order[c] == ct->classes->order[c];
  ok(good, "classes: class of each element, sizes, representatives, orders");
  li2_ffi_characters_irreps(ct, deg, ind, comp, rd);
  good = 1;
  for (size_t i = 0; i < n; i++)
    good &= deg[i] == ct->degree[i] && ind[i] == ct->indicator[i] &&
            comp[i] == ct->component_of[i] && rd[i] == ct->component_real_dim[comp[i]];
  ok(good, "irreps: degree, indicator, component, real dimension");
  free(table);
  free(re);
  free(im);
  free(class_of);
  li2_characters_free(ct);
  li2_group_free(g);
}

static void test_energy(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("Z7", &err);
  li2_characters *ct = li2_characters_alloc(g, &err);
  li2_ffi_energy *fe = li2_ffi_energy_alloc(g, "sqr", "raw", 20, 4, &err);
  li2_dataset *d = li2_dataset_alloc_pairs(g, 2, 20, 4, &err);
  li2_energy *e = li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, &err);
  double w[14], g1[14], g2[14], E1, E2;
  li2_maxima_result *r;
  size_t sz[3];
  for (int i = 0; i < 14; i++)
    w[i] = sin(1.0 + i);
  ok(fe && li2_ffi_energy_dim(fe) == 14, "energy on 20 pairs of Z7: dim 14");
  li2_ffi_energy_eval(fe, w, &E1, g1);
  li2_energy_eval(e, w, &E2, g2);
  ok(E1 == E2 && !memcmp(g1, g2, sizeof g1), "E and its gradient equal li2_energy_eval's");
  ok(li2_ffi_energy_alloc(g, "sqr", "cooked", 0, 0, &err) == NULL && strstr(err.msg, "variant"),
     "unknown variant refused: %s", err.msg);
  r = li2_ffi_maxima_search(fe, g, ct, 3, 1, 1, &err);
  ok(r != NULL, "maxima search: %s", err.msg);
  if (r) {
    double *en = malloc(r->nstarts * sizeof *en), *wv = malloc(r->nstarts * r->dim * sizeof *wv);
    int *lab = malloc(r->nstarts * sizeof *lab), good = 1;
    li2_ffi_maxima_sizes(r, sz);
    li2_ffi_maxima_points(r, en, lab, NULL, NULL, wv, NULL);
    for (size_t i = 0; i < r->nstarts; i++)
      good &= en[i] == r->points[i].energy && lab[i] == r->points[i].label;
    ok(sz[0] == r->nstarts && sz[1] == 14 && sz[2] == r->ncomponents && good &&
           !memcmp(wv, r->w, r->nstarts * r->dim * sizeof *wv),
       "maxima: sizes, energies, labels, end points (%zu starts)", sz[0]);
    free(en);
    free(wv);
    free(lab);
    li2_maxima_result_free(r);
  }
  li2_energy_free(e);
  li2_dataset_free(d);
  li2_ffi_energy_free(fe);
  li2_characters_free(ct);
  li2_group_free(g);
}

static void test_trainer(void)
{
  li2_error err = {0};
  li2_trainer *t = li2_ffi_trainer_alloc("group=Z5\nhidden_size=6\nnum_epochs=3\n", &err);
  size_t dims[6];
  double m[11], *W, *V;
  long cd[8];
  li2_train_metrics tm;
  char tmpl[] = "/tmp/li2-ffi.XXXXXX", *dir = mkdtemp(tmpl), *path;
  li2_checkpoint *ck;
  char *json;
  ok(t != NULL, "trainer from key=value text: %s", err.msg);
  ok(li2_ffi_trainer_alloc("group=Z5\nhiden_size=6\n", &err) == NULL && strstr(err.msg, "hiden_size"),
     "an unknown key refused: %s", err.msg);
  li2_ffi_trainer_dims(t, dims);
  ok(dims[0] == 5 && dims[1] == 6 && dims[2] == 2 && dims[3] == 0 && dims[4] + dims[5] == 25,
     "dims: M 5, K 6, 2 operands, no other layers, 25 samples");
  li2_trainer_iterate(t, &err);
  ok(!li2_ffi_trainer_test(t, m, &err) && !li2_trainer_test(t, &tm, &err) && m[0] == 1 &&
         m[1] == tm.train_acc && m[3] == tm.train_loss && m[6] == tm.w_norm &&
         m[10] == li2_trainer_lr(t),
     "metrics: epoch 1 and li2_trainer_test's values");
  W = malloc(10 * 6 * sizeof *W);
  V = malloc(6 * 5 * sizeof *V);
  li2_ffi_trainer_params(t, W, NULL, V);
  ok(!memcmp(W, li2_trainer_model(t)->W, 60 * sizeof *W) &&
         !memcmp(V, li2_trainer_model(t)->V, 30 * sizeof *V),
     "parameters: W and V of the model");
  path = li2_io_path(dir, "checkpoint.li2");
  li2_trainer_save(t, path, &err);
  ck = li2_checkpoint_read(path, &err);
  li2_ffi_checkpoint_dims(ck, cd);
  ok(cd[0] == 5 && cd[1] == 6 && cd[2] == 2 && cd[6] == 1 && cd[7] == ck->grok_epoch,
     "checkpoint dims: M, K, k, epoch 1");
  {
    double W2[60], V2[30];
    uint32_t split[25];
    li2_ffi_checkpoint_arrays(ck, W2, NULL, V2, split);
    ok(!memcmp(W2, W, sizeof W2) && !memcmp(V2, V, sizeof V2) &&
           !memcmp(split, ck->split, sizeof split),
       "checkpoint arrays: the saved W, V and split");
  }
  ok(strstr(li2_ffi_checkpoint_config_text(ck), "group=Z5\n") != NULL, "configuration text");
  json = li2_ffi_compare_json(path, &err);
  ok(json && json[0] == '{' && strstr(json, "\"active_nodes\"") && strstr(json, "\"coverage\""),
     "compare JSON: one object with active_nodes and coverage%s%s", json ? "" : ": ", json ? "" : err.msg);
  li2_ffi_free(json);
  unlink(path);
  rmdir(dir);
  free(path);
  free(W);
  free(V);
  li2_checkpoint_free(ck);
  li2_trainer_free(t);
}

int main(void)
{
  li2_error err;
  ok(li2_ffi_error_size() == sizeof err, "li2_error size for bindings");
  test_group();
  test_energy();
  test_trainer();
  return tap_done();
}
