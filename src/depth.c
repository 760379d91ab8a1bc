/* Layer-by-layer traces of a deeper network (depth.h; paper Sec. 6). */
#include "depth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t li2_depth_nblocks(const li2_model *m)
{
  return (size_t)m->nlayers + 2;
}

void li2_depth_block(const li2_model *m, size_t b, size_t *off, size_t *len)
{
  size_t r = (size_t)m->nlayers, kk = m->K * m->K;
  if (b == 0) {
    *off = (size_t)(m->W - m->params);
    *len = m->nW;
  } else if (b <= r) {
    *off = (size_t)(m->L - m->params) + (b - 1) * kk;
    *len = kk;
  } else {
    *off = (size_t)(m->V - m->params);
    *len = m->nV;
  }
}

static double norm2(const double *a, size_t n)
{
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += a[i] * a[i];
  return sqrt(s);
}

static int depth_row(li2_trainer *t, li2_model_work *w, const double *p0, double *prev,
                     double *grad, li2_depth_row *row, int first, li2_error *err)
{
  li2_model *m = li2_trainer_model(t);
  const li2_dataset *d = li2_trainer_dataset(t);
  li2_train_metrics tm;
  double loss;
  int rc;
  if ((rc = li2_trainer_test(t, &tm, err)) ||
      (rc = li2_model_forward(m, w, d->ntrain, d->train_x, d->train_y, &loss, NULL, err)) ||
      (rc = li2_model_backward(m, w, grad, 0, 0, err)))
    return rc;
  row->epoch = tm.epoch;
  row->train_acc = tm.train_acc;
  row->test_acc = tm.test_acc;
  for (size_t b = 0; b < li2_depth_nblocks(m); b++) {
    size_t off, len;
    li2_depth_block(m, b, &off, &len);
    double n0 = norm2(p0 + off, len), dd = 0;
    for (size_t i = 0; i < len; i++)
      dd += (m->params[off + i] - p0[off + i]) * (m->params[off + i] - p0[off + i]);
    row->change[b] = n0 > 0 ? sqrt(dd) / n0 : NAN;
    row->grad[b] = norm2(grad + off, len);
    double np = norm2(prev + off, len), nc = norm2(m->params + off, len), dot = 0;
    for (size_t i = 0; i < len; i++)
      dot += prev[off + i] * m->params[off + i];
    row->step[b] = !first && np > 0 && nc > 0 ? 1 - dot / (np * nc) : NAN;
  }
  memcpy(prev, m->params, m->nparams * sizeof *prev);
  return LI2_SUCCESS;
}

int li2_depth_trace(const li2_train_config *c, long every, li2_depth_row **rows, size_t *nrows,
                    size_t *nblocks, long *grok, li2_error *err)
{
  li2_trainer *t = NULL;
  li2_model_work *w = NULL;
  double *p0 = NULL, *grad = NULL, *prev = NULL;
  size_t cap, k = 0;
  int rc = LI2_SUCCESS;
  *rows = NULL;
  *nrows = *nblocks = 0;
  *grok = -1;
  if (every < 1)
    return li2_error_set(err, LI2_EINVAL, "depth trace: every=%ld: must be >= 1", every);
  if (c->other_layers + 2 > LI2_DEPTH_MAX_BLOCKS)
    return li2_error_set(err, LI2_EINVAL, "depth trace: other_layers=%d: at most %d",
                         c->other_layers, LI2_DEPTH_MAX_BLOCKS - 2);
  if (!(t = li2_trainer_alloc(c, NULL, NULL, err)))
    return err->code;
  li2_model *m = li2_trainer_model(t);
  const li2_dataset *d = li2_trainer_dataset(t);
  cap = (size_t)(c->num_epochs / every) + 2;
  if (!(w = li2_model_work_alloc(m, d->ntrain, 1, 0, err))) {
    rc = err->code;
    goto done;
  }
  if (!(p0 = malloc(m->nparams * sizeof *p0)) || !(grad = malloc(m->nparams * sizeof *grad)) ||
      !(prev = malloc(m->nparams * sizeof *prev)) ||
      !(*rows = calloc(cap, sizeof **rows))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  memcpy(p0, m->params, m->nparams * sizeof *p0);
  *nblocks = li2_depth_nblocks(m);
  for (long e = 0; !rc; e++) {
    if (e % every == 0 || e == c->num_epochs) {
      rc = depth_row(t, w, p0, prev, grad, &(*rows)[k], k == 0, err);
      if (!rc && *grok < 0 && (*rows)[k].test_acc >= 0.95)
        *grok = (*rows)[k].epoch;
      k++;
    }
    if (e == c->num_epochs || rc)
      break;
    rc = li2_trainer_iterate(t, err);
  }
  *nrows = k;
done:
  if (rc) {
    free(*rows);
    *rows = NULL;
    *nrows = 0;
  }
  free(p0);
  free(grad);
  free(prev);
  li2_model_work_free(w);
  li2_trainer_free(t);
  return rc;
}

void li2_depth_onsets(const li2_depth_row *r, size_t n, size_t nblocks, double frac,
                      long *onset)
{
  for (size_t b = 0; b < nblocks; b++) {
    double mx = 0;
    onset[b] = -1;
    for (size_t i = 1; i < n; i++)
      if (r[i].change[b] > mx)
        mx = r[i].change[b];
    if (!(mx > 0))
      continue;
    for (size_t i = 1; i < n; i++)
      if (r[i].change[b] >= frac * mx) {
        onset[b] = r[i].epoch;
        break;
      }
  }
}

void li2_depth_centroids(const li2_depth_row *r, size_t n, size_t nblocks, double acc_from,
                         double *centroid, long *from)
{
  size_t i0 = 0;
  while (i0 < n && !(r[i0].train_acc >= acc_from))
    i0++;
  if (from)
    *from = i0 < n ? r[i0].epoch : -1;
  for (size_t b = 0; b < nblocks; b++) {
    double s = 0, se = 0;
    for (size_t i = i0 > 0 ? i0 : 1; i < n; i++)
      if (isfinite(r[i].step[b])) {
        s += r[i].step[b];
        se += (double)r[i].epoch * r[i].step[b];
      }
    centroid[b] = s > 0 ? se / s : NAN;
  }
}

void li2_depth_grad_peaks(const li2_depth_row *r, size_t n, size_t nblocks, long *peak)
{
  for (size_t b = 0; b < nblocks; b++) {
    double mx = -INFINITY;
    peak[b] = -1;
    for (size_t i = 1; i < n; i++)
      if (r[i].grad[b] > mx) {
        mx = r[i].grad[b];
        peak[b] = r[i].epoch;
      }
  }
}
