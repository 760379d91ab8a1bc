/* Depth traces (paper Sec. 6): the block layout, the recorded gradient
 * norms against central differences of the loss along each block's
 * gradient direction, the relative changes, the onsets and gradient peaks
 * on hand-built rows, bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "depth.h"
#include "train.h"

static const char *const kv[] = {"M=7", "hidden_size=6", "other_layers=2", "activation=relu",
                                 "loss_func=mse", "train_size=25", "num_epochs=20",
                                 "learning_rate=5e-3", "weight_decay=1e-4", "seed=3"};

static int config(li2_train_config *c, li2_error *err)
{
  li2_args *a = NULL;
  int rc = li2_args_parse(&a, li2_train_spec, 10, (char **)kv, err);
  if (!rc)
    rc = li2_train_config_from_args(a, c, err);
  li2_args_free(a);
  return rc;
}

static double loss_at(li2_model *m, li2_model_work *w, const li2_dataset *d)
{
  double l = NAN;
  li2_error err = {0};
  li2_model_forward(m, w, d->ntrain, d->train_x, d->train_y, &l, NULL, &err);
  return l;
}

int main(void)
{
  li2_error err = {0};
  li2_train_config c;
  li2_depth_row *r = NULL;
  size_t n, nb;
  long grok;
  ok(!config(&c, &err), "configuration");
  ok(!li2_depth_trace(&c, 5, &r, &n, &nb, &grok, &err), "trace runs (%s)", err.msg);
  ok(n == 5 && nb == 4, "rows at epochs 0, 5, .., 20 (%zu) and blocks W, L1, L2, V (%zu)", n, nb);
  ok(r && r[0].epoch == 0 && r[4].epoch == 20, "first and last row epochs");
  int zero = 1, moved = 1;
  for (size_t b = 0; b < nb; b++) {
    zero &= r[0].change[b] == 0;
    moved &= r[4].change[b] > 0 && isfinite(r[4].change[b]);
  }
  ok(zero && moved, "change 0 at epoch 0, > 0 at epoch 20 in every block");
  int steps = 1;
  for (size_t b = 0; b < nb; b++) {
    steps &= isnan(r[0].step[b]);
    for (size_t i = 1; i < n; i++)
      steps &= r[i].step[b] >= 0 && r[i].step[b] <= 2;
  }
  ok(steps, "cosine steps NaN in the first row, in [0, 2] after");

  /* the layout covers params once, W first and V last */
  li2_trainer *t = li2_trainer_alloc(&c, NULL, NULL, &err);
  li2_model *m = li2_trainer_model(t);
  size_t total = 0, off, len, prev_end = 0;
  int contiguous = 1;
  for (size_t b = 0; b < li2_depth_nblocks(m); b++) {
    li2_depth_block(m, b, &off, &len);
    contiguous &= off == prev_end;
    prev_end = off + len;
    total += len;
  }
  li2_depth_block(m, 0, &off, &len);
  int wfirst = m->params + off == m->W && len == m->nW;
  li2_depth_block(m, 3, &off, &len);
  ok(contiguous && total == m->nparams && wfirst && m->params + off == m->V && len == m->nV,
     "blocks W | L_1 | L_2 | V tile the %zu parameters", m->nparams);

  /* the recorded norm |g_b| at epoch 0 is the derivative of the loss along
   * g_b / |g_b| (central differences on the same initial parameters) */
  const li2_dataset *d = li2_trainer_dataset(t);
  li2_model_work *w = li2_model_work_alloc(m, d->ntrain, 1, 0, &err);
  double *g = malloc(m->nparams * sizeof *g), worst = 0, l0;
  li2_model_forward(m, w, d->ntrain, d->train_x, d->train_y, &l0, NULL, &err);
  li2_model_backward(m, w, g, 0, 0, &err);
  for (size_t b = 0; b < nb; b++) {
    li2_depth_block(m, b, &off, &len);
    double gn = 0, h = 1e-6;
    for (size_t i = 0; i < len; i++)
      gn += g[off + i] * g[off + i];
    gn = sqrt(gn);
    for (size_t i = 0; i < len; i++)
      m->params[off + i] += h * g[off + i] / gn;
    double lp = loss_at(m, w, d);
    for (size_t i = 0; i < len; i++)
      m->params[off + i] -= 2 * h * g[off + i] / gn;
    double lm = loss_at(m, w, d);
    for (size_t i = 0; i < len; i++)
      m->params[off + i] += h * g[off + i] / gn;
    double fd = (lp - lm) / (2 * h), e = fabs(fd - r[0].grad[b]) / r[0].grad[b];
    worst = e > worst ? e : worst;
    diag("block %zu: |g| %.9g, central difference %.9g", b, r[0].grad[b], fd);
  }
  ok(worst < 1e-5, "gradient norms = directional central differences (worst rel %.2g)", worst);
  free(g);
  li2_model_work_free(w);
  li2_trainer_free(t);
  free(r);

  /* onsets and peaks on hand-built rows: block 0 reaches half its largest
   * change at epoch 10, block 1 at 20, block 2 never changes */
  li2_depth_row h[4];
  memset(h, 0, sizeof h);
  const double c0[4] = {0, 0.1, 0.6, 1.0}, c1[4] = {0, 0.1, 0.2, 0.4}, g0[4] = {5, 1, 3, 2};
  for (int i = 0; i < 4; i++) {
    h[i].epoch = 10 * i;
    h[i].change[0] = c0[i];
    h[i].change[1] = c1[i];
    h[i].grad[0] = g0[i];
    h[i].grad[1] = 1;
  }
  long on[3], pk[3];
  li2_depth_onsets(h, 4, 3, 0.5, on);
  ok(on[0] == 20 && on[1] == 20 && on[2] == -1, "onsets at half: %ld %ld %ld", on[0], on[1], on[2]);
  li2_depth_onsets(h, 4, 2, 0.25, on);
  ok(on[0] == 20 && on[1] == 10, "onsets at a quarter: %ld %ld", on[0], on[1]);
  /* centroids: block 0 moves 1 at epoch 10 and 3 at epoch 30: (10 + 90)/4
   * = 25; from the first row with train acc >= 0.5 (epoch 20): 30 */
  double cen[2];
  long from;
  for (int i = 0; i < 4; i++) {
    h[i].train_acc = i >= 2 ? 1 : 0;
    h[i].step[0] = i == 0 ? NAN : i == 1 ? 1 : i == 2 ? 0 : 3;
    h[i].step[1] = i == 0 ? NAN : 0;
  }
  li2_depth_centroids(h, 4, 2, 0, cen, &from);
  ok(fabs(cen[0] - 25) < 1e-12 && isnan(cen[1]) && from == 0,
     "movement centroid 25 (%g), none for a still block, from epoch %ld", cen[0], from);
  li2_depth_centroids(h, 4, 2, 0.5, cen, &from);
  ok(fabs(cen[0] - 30) < 1e-12 && from == 20, "after Stage I (train acc >= 0.5 from epoch %ld): %g",
     from, cen[0]);
  li2_depth_grad_peaks(h, 4, 2, pk);
  ok(pk[0] == 20 && pk[1] == 10, "gradient peaks after epoch 0: %ld %ld", pk[0], pk[1]);

  ok(li2_depth_trace(&c, 0, &r, &n, &nb, &grok, &err) == LI2_EINVAL && r == NULL,
     "every = 0: %s", err.msg);
  return tap_done();
}
