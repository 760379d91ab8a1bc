/* The reference trainer's transformer: forward and backward (transformer.h). */
#include "transformer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>

#define LN_EPS 1e-5  /* nn.LayerNorm's default */

size_t li2_transformer_param_count(size_t M, size_t T, size_t d, size_t dff, size_t nlayers)
{
  /* per layer: Win, bin, Wo, bo, W1, b1, W2, b2 and two LayerNorms */
  const size_t layer = 3 * d * d + 3 * d + d * d + d + dff * d + dff + d * dff + d + 4 * d;
  return M * d + T * d + nlayers * layer + M * d;
}

li2_transformer *li2_transformer_alloc(size_t M, size_t T, size_t d, size_t nhead,
                                       size_t nlayers, size_t dff, li2_activation act,
                                       li2_loss loss, li2_error *err)
{
  li2_transformer *tf;
  double total;
  if (M < 2 || M > 1u << 20)
    return li2_error_set(err, LI2_EINVAL, "parameter M: %zu is out of range 2..%u", M, 1u << 20),
           NULL;
  if (T < 1 || T > 64)
    return li2_error_set(err, LI2_EINVAL, "parameter num_of_ops: %zu is out of range 1..64", T),
           NULL;
  if (nhead < 1 || d < 1 || d % nhead)
    return li2_error_set(err, LI2_EINVAL, "parameter nhead: hidden_size %zu is not a multiple of "
                                          "nhead %zu", d, nhead),
           NULL;
  if (nlayers < 1 || nlayers > 64)
    return li2_error_set(err, LI2_EINVAL, "parameter num_layers: %zu is out of range 1..64",
                         nlayers),
           NULL;
  if (dff < 1)
    return li2_error_set(err, LI2_EINVAL, "parameter dim_feedforward: must be >= 1"), NULL;
  if (act != LI2_ACT_RELU && act != LI2_ACT_SQR && act != LI2_ACT_RELUSQR && act != LI2_ACT_SILU)
    return li2_error_set(err, LI2_EINVAL, "parameter activation: %s is not one of the "
                                          "reference transformer's relu|sqr|relusqr|silu",
                         li2_activation_name(act)),
           NULL;
  /* sizes in double first: no wrap */
  total = (double)M * (double)d * 2 + (double)T * (double)d +
          (double)nlayers * ((double)d * (double)d * 4 + (double)d * 9 + (double)dff * (double)d * 2 +
                             (double)dff);
  if (total > 2147483647.0)
    return li2_error_set(err, LI2_EINVAL, "transformer: %.0f parameters (limit 2^31)", total),
           NULL;
  if (!(tf = calloc(1, sizeof *tf)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  tf->M = M;
  tf->T = T;
  tf->d = d;
  tf->nhead = nhead;
  tf->nlayers = nlayers;
  tf->dff = dff;
  tf->act = act;
  tf->loss = loss;
  tf->out_mult = 1;
  tf->layer_size = li2_transformer_param_count(0, 0, d, dff, 1);
  tf->nparams = li2_transformer_param_count(M, T, d, dff, nlayers);
  if (!(tf->params = calloc(tf->nparams, sizeof(double)))) {
    free(tf);
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  }
  return tf;
}

void li2_transformer_free(li2_transformer *tf)
{
  if (!tf)
    return;
  free(tf->params);
  free(tf);
}

double *li2_transformer_embedding(const li2_transformer *tf, double *params)
{
  (void)tf;
  return params;
}

double *li2_transformer_position(const li2_transformer *tf, double *params)
{
  return params + tf->M * tf->d;
}

double *li2_transformer_top(const li2_transformer *tf, double *params)
{
  return params + tf->M * tf->d + tf->T * tf->d + tf->nlayers * tf->layer_size;
}

void li2_transformer_layer_views(const li2_transformer *tf, double *params, size_t l,
                                 li2_transformer_layer *v)
{
  const size_t d = tf->d, F = tf->dff;
  double *p = params + tf->M * d + tf->T * d + l * tf->layer_size;
  v->Win = p;
  p += 3 * d * d;
  v->bin = p;
  p += 3 * d;
  v->Wo = p;
  p += d * d;
  v->bo = p;
  p += d;
  v->W1 = p;
  p += F * d;
  v->b1 = p;
  p += F;
  v->W2 = p;
  p += d * F;
  v->b2 = p;
  p += d;
  v->g1 = p;
  p += d;
  v->c1 = p;
  p += d;
  v->g2 = p;
  p += d;
  v->c2 = p;
}

static void uniform(gsl_rng *r, double *x, size_t n, double bound)
{
  for (size_t i = 0; i < n; i++)
    x[i] = bound * (2 * gsl_rng_uniform(r) - 1);
}

void li2_transformer_init(li2_transformer *tf, gsl_rng *r, double top_mult)
{
  const size_t M = tf->M, d = tf->d, F = tf->dff;
  double *E = li2_transformer_embedding(tf, tf->params), *P = li2_transformer_position(tf, tf->params);
  double *V = li2_transformer_top(tf, tf->params);
  li2_transformer_layer l0;
  for (size_t i = 0; i < M * d; i++)
    E[i] = gsl_ran_gaussian(r, 1.0);
  for (size_t i = 0; i < tf->T * d; i++)
    P[i] = gsl_ran_gaussian(r, 0.02);
  li2_transformer_layer_views(tf, tf->params, 0, &l0);
  /* nn.MultiheadAttention: Xavier uniform on the (3d x d) in-projection, zero biases;
   * the out-projection keeps nn.Linear's kaiming_uniform(a = sqrt 5): bound 1/sqrt(d) */
  uniform(r, l0.Win, 3 * d * d, sqrt(6.0 / (double)(4 * d)));
  memset(l0.bin, 0, 3 * d * sizeof(double));
  uniform(r, l0.Wo, d * d, 1 / sqrt((double)d));
  memset(l0.bo, 0, d * sizeof(double));
  uniform(r, l0.W1, F * d, 1 / sqrt((double)d));
  uniform(r, l0.b1, F, 1 / sqrt((double)d));
  uniform(r, l0.W2, d * F, 1 / sqrt((double)F));
  uniform(r, l0.b2, d, 1 / sqrt((double)F));
  for (size_t i = 0; i < d; i++) {
    l0.g1[i] = l0.g2[i] = 1;
    l0.c1[i] = l0.c2[i] = 0;
  }
  /* nn.TransformerEncoder deep-copies its layer: every layer starts equal */
  for (size_t l = 1; l < tf->nlayers; l++)
    memcpy(l0.Win + l * tf->layer_size, l0.Win, tf->layer_size * sizeof(double));
  uniform(r, V, M * d, top_mult / sqrt((double)d));
}

/* ---- workspace ---- */

typedef struct {
  double *qkv, *att, *ctx, *xhat1, *rstd1, *x1, *z, *h, *xhat2, *rstd2, *x2;
} layer_cache;

struct li2_transformer_work {
  size_t nmax, n;
  const int *x, *y;
  double *x0, *pooled, *logits, *dlogits, *rowloss;
  layer_cache *c;
  /* backward scratch */
  double *dx, *dx1, *dz, *dqkv, *dctx, *dpooled;
  size_t nlayers;
};

void li2_transformer_work_free(li2_transformer_work *w)
{
  if (!w)
    return;
  for (size_t l = 0; w->c && l < w->nlayers; l++) {
    layer_cache *c = w->c + l;
    free(c->qkv);
    free(c->att);
    free(c->ctx);
    free(c->xhat1);
    free(c->rstd1);
    free(c->x1);
    free(c->z);
    free(c->h);
    free(c->xhat2);
    free(c->rstd2);
    free(c->x2);
  }
  free(w->c);
  free(w->x0);
  free(w->pooled);
  free(w->logits);
  free(w->dlogits);
  free(w->rowloss);
  free(w->dx);
  free(w->dx1);
  free(w->dz);
  free(w->dqkv);
  free(w->dctx);
  free(w->dpooled);
  free(w);
}

li2_transformer_work *li2_transformer_work_alloc(const li2_transformer *tf, size_t nmax,
                                                 li2_error *err)
{
  const size_t d = tf->d, F = tf->dff, T = tf->T, H = tf->nhead;
  li2_transformer_work *w;
  int bad = 0;
  if (nmax == 0 || (double)nmax * (double)T * (double)(F > 3 * d ? F : 3 * d) > 1e10)
    return li2_error_set(err, LI2_EINVAL, "transformer workspace: %zu samples is out of range",
                         nmax),
           NULL;
  if (!(w = calloc(1, sizeof *w)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  w->nmax = nmax;
  w->nlayers = tf->nlayers;
  const size_t r = nmax * T;
#define GET(p, count) bad |= !((p) = malloc((count) * sizeof(double)))
  if (!(w->c = calloc(tf->nlayers, sizeof *w->c)))
    bad = 1;
  for (size_t l = 0; !bad && l < tf->nlayers; l++) {
    layer_cache *c = w->c + l;
    GET(c->qkv, r * 3 * d);
    GET(c->att, nmax * H * T * T);
    GET(c->ctx, r * d);
    GET(c->xhat1, r * d);
    GET(c->rstd1, r);
    GET(c->x1, r * d);
    GET(c->z, r * F);
    GET(c->h, r * F);
    GET(c->xhat2, r * d);
    GET(c->rstd2, r);
    GET(c->x2, r * d);
  }
  GET(w->x0, r * d);
  GET(w->pooled, nmax * d);
  GET(w->logits, nmax * tf->M);
  GET(w->dlogits, nmax * tf->M);
  GET(w->rowloss, nmax);
  GET(w->dx, r * d);
  GET(w->dx1, r * d);
  GET(w->dz, r * F);
  GET(w->dqkv, r * 3 * d);
  GET(w->dctx, r * d);
  GET(w->dpooled, nmax * d);
#undef GET
  if (bad) {
    li2_transformer_work_free(w);
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  }
  return w;
}

const double *li2_transformer_logits(const li2_transformer_work *w)
{
  return w->logits;
}

const double *li2_transformer_pooled(const li2_transformer_work *w)
{
  return w->pooled;
}

/* ---- forward ---- */

/* Y (r x cols) += 1 b^T */
static void add_bias(double *y, const double *b, size_t r, size_t cols)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < cols; j++)
      y[i * cols + j] += b[j];
}

/* LayerNorm of the rows of S (r x d), in place of nothing: XHAT, RSTD and
 * Y = g xhat + c (biased variance, as nn.LayerNorm). */
static void layernorm(const double *s, size_t r, size_t d, const double *g, const double *c,
                      double *xhat, double *rstd, double *y)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++) {
    const double *si = s + i * d;
    double mu = 0, var = 0;
    for (size_t j = 0; j < d; j++)
      mu += si[j];
    mu /= (double)d;
    for (size_t j = 0; j < d; j++)
      var += (si[j] - mu) * (si[j] - mu);
    var /= (double)d;
    rstd[i] = 1 / sqrt(var + LN_EPS);
    for (size_t j = 0; j < d; j++) {
      xhat[i * d + j] = (si[j] - mu) * rstd[i];
      y[i * d + j] = g[j] * xhat[i * d + j] + c[j];
    }
  }
}

/* Self-attention of one layer: CTX from QKV, the probabilities in ATT. */
static void attention(const li2_transformer *tf, size_t n, const double *qkv, double *att,
                      double *ctx)
{
  const size_t d = tf->d, T = tf->T, H = tf->nhead, dh = d / H;
  const double scale = 1 / sqrt((double)dh);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    for (size_t h = 0; h < H; h++) {
      double *a = att + ((i * H + h) * T) * T;
      for (size_t t = 0; t < T; t++) {
        const double *q = qkv + (i * T + t) * 3 * d + h * dh;
        double mx = -INFINITY, sum = 0;
        for (size_t u = 0; u < T; u++) {
          const double *k = qkv + (i * T + u) * 3 * d + d + h * dh;
          double s = 0;
          for (size_t e = 0; e < dh; e++)
            s += q[e] * k[e];
          a[t * T + u] = s * scale;
          mx = fmax(mx, a[t * T + u]);
        }
        for (size_t u = 0; u < T; u++)
          sum += (a[t * T + u] = exp(a[t * T + u] - mx));
        for (size_t u = 0; u < T; u++)
          a[t * T + u] /= sum;
        double *o = ctx + (i * T + t) * d + h * dh;
        memset(o, 0, dh * sizeof(double));
        for (size_t u = 0; u < T; u++) {
          const double *v = qkv + (i * T + u) * 3 * d + 2 * d + h * dh;
          for (size_t e = 0; e < dh; e++)
            o[e] += a[t * T + u] * v[e];
        }
      }
    }
}

int li2_transformer_forward(const li2_transformer *tf, li2_transformer_work *w, size_t n,
                            const int *x, const int *y, double *loss, size_t *ncorrect,
                            li2_error *err)
{
  const size_t M = tf->M, d = tf->d, F = tf->dff, T = tf->T, r = n * T;
  double *params = tf->params;
  const double *E = li2_transformer_embedding(tf, params), *P = li2_transformer_position(tf, params);
  const double *V = li2_transformer_top(tf, params);
  const double *xin = w->x0;
  if (n == 0 || n > w->nmax)
    return li2_error_set(err, LI2_EINVAL, "transformer forward on %zu samples, workspace holds "
                                          "%zu", n, w->nmax);
  for (size_t i = 0; i < r; i++)
    if (x[i] < 0 || (size_t)x[i] >= M)
      return li2_error_set(err, LI2_EINVAL, "transformer forward: token %d out of range", x[i]);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < d; j++)
      w->x0[i * d + j] = E[(size_t)x[i] * d + j] + P[(i % T) * d + j];
  for (size_t l = 0; l < tf->nlayers; l++) {
    layer_cache *c = w->c + l;
    li2_transformer_layer v;
    li2_transformer_layer_views(tf, params, l, &v);
    /* QKV = X Win^T + bin */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)r, (int)(3 * d), (int)d, 1.0, xin,
                (int)d, v.Win, (int)d, 0.0, c->qkv, (int)(3 * d));
    add_bias(c->qkv, v.bin, r, 3 * d);
    attention(tf, n, c->qkv, c->att, c->ctx);
    /* S1 = X + ctx Wo^T + bo (in x2 as scratch), X1 = LN1(S1) */
    memcpy(c->x2, xin, r * d * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)r, (int)d, (int)d, 1.0, c->ctx,
                (int)d, v.Wo, (int)d, 1.0, c->x2, (int)d);
    add_bias(c->x2, v.bo, r, d);
    layernorm(c->x2, r, d, v.g1, v.c1, c->xhat1, c->rstd1, c->x1);
    /* Z = X1 W1^T + b1, H = act(Z), S2 = X1 + H W2^T + b2, X2 = LN2(S2) */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)r, (int)F, (int)d, 1.0, c->x1,
                (int)d, v.W1, (int)d, 0.0, c->z, (int)F);
    add_bias(c->z, v.b1, r, F);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < r * F; i++)
      c->h[i] = li2_activation_eval(tf->act, c->z[i]);
    memcpy(w->dx, c->x1, r * d * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)r, (int)d, (int)F, 1.0, c->h,
                (int)F, v.W2, (int)F, 1.0, w->dx, (int)d);
    add_bias(w->dx, v.b2, r, d);
    layernorm(w->dx, r, d, v.g2, v.c2, c->xhat2, c->rstd2, c->x2);
    xin = c->x2;
  }
  /* pooled = mean over tokens; logits = beta pooled V^T */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) {
      double s = 0;
      for (size_t t = 0; t < T; t++)
        s += xin[(i * T + t) * d + j];
      w->pooled[i * d + j] = s / (double)T;
    }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)M, (int)d, tf->out_mult,
              w->pooled, (int)d, V, (int)d, 0.0, w->logits, (int)M);
  w->n = n;
  w->x = x;
  w->y = y;
  if (y) {
    double l = li2_loss_eval(tf->loss, n, M, w->logits, y, w->dlogits, w->rowloss, ncorrect);
    if (loss)
      *loss = l;
  }
  return LI2_SUCCESS;
}

/* ---- backward ---- */

/* G (cols) += column sums of D (r x cols) */
static void colsum(const double *dmat, size_t r, size_t cols, double *g)
{
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < cols; j++)
      g[j] += dmat[i * cols + j];
}

/* LayerNorm backward in place: DY (r x d) becomes dS; gains' and biases'
 * gradients added to GG and GC. */
static void layernorm_back(double *dy, const double *xhat, const double *rstd, size_t r, size_t d,
                           const double *g, double *gg, double *gc)
{
  /* the gains' and biases' sums in sample order (independent of threads) */
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < d; j++) {
      gg[j] += dy[i * d + j] * xhat[i * d + j];
      gc[j] += dy[i * d + j];
    }
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++) {
    double *di = dy + i * d;
    const double *xi = xhat + i * d;
    double m1 = 0, m2 = 0;
    for (size_t j = 0; j < d; j++) {
      di[j] *= g[j];  /* dxhat */
      m1 += di[j];
      m2 += di[j] * xi[j];
    }
    m1 /= (double)d;
    m2 /= (double)d;
    for (size_t j = 0; j < d; j++)
      di[j] = rstd[i] * (di[j] - m1 - xi[j] * m2);
  }
}

/* Attention backward for one layer: DQKV from DCTX. */
static void attention_back(const li2_transformer *tf, size_t n, const double *qkv,
                           const double *att, const double *dctx, double *dqkv)
{
  const size_t d = tf->d, T = tf->T, H = tf->nhead, dh = d / H;
  const double scale = 1 / sqrt((double)dh);
  memset(dqkv, 0, n * T * 3 * d * sizeof(double));
  /* samples write disjoint rows of DQKV */
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    for (size_t h = 0; h < H; h++) {
      double ds[64];  /* T <= 64 */
      const double *a = att + ((i * H + h) * T) * T;
      for (size_t t = 0; t < T; t++) {
        const double *dc = dctx + (i * T + t) * d + h * dh;
        double dot = 0;
        /* dA_tu = dctx_t . v_u; dv_u += A_tu dctx_t */
        for (size_t u = 0; u < T; u++) {
          const double *v = qkv + (i * T + u) * 3 * d + 2 * d + h * dh;
          double *dv = dqkv + (i * T + u) * 3 * d + 2 * d + h * dh, s = 0;
          for (size_t e = 0; e < dh; e++) {
            s += dc[e] * v[e];
            dv[e] += a[t * T + u] * dc[e];
          }
          ds[u] = s;
          dot += a[t * T + u] * s;
        }
        /* softmax: ds_tu = A_tu (dA_tu - sum_u' A_tu' dA_tu'), then the scaled products */
        const double *q = qkv + (i * T + t) * 3 * d + h * dh;
        double *dq = dqkv + (i * T + t) * 3 * d + h * dh;
        for (size_t u = 0; u < T; u++) {
          const double g = a[t * T + u] * (ds[u] - dot) * scale;
          const double *k = qkv + (i * T + u) * 3 * d + d + h * dh;
          double *dk = dqkv + (i * T + u) * 3 * d + d + h * dh;
          for (size_t e = 0; e < dh; e++) {
            dq[e] += g * k[e];
            dk[e] += g * q[e];
          }
        }
      }
    }
}

int li2_transformer_backward(const li2_transformer *tf, li2_transformer_work *w, double *grad,
                             li2_error *err)
{
  const size_t M = tf->M, d = tf->d, F = tf->dff, T = tf->T, n = w->n, r = n * T;
  double *params = tf->params;
  const double *V = li2_transformer_top(tf, params);
  double *gE = li2_transformer_embedding(tf, grad), *gP = li2_transformer_position(tf, grad);
  double *gV = li2_transformer_top(tf, grad);
  if (n == 0 || !w->y)
    return li2_error_set(err, LI2_EINVAL, "transformer backward without a labelled forward");
  memset(grad, 0, tf->nparams * sizeof(double));
  /* logits = beta pooled V^T: gV = beta dlogits^T pooled, dpooled = beta dlogits V */
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)d, (int)n, tf->out_mult,
              w->dlogits, (int)M, w->pooled, (int)d, 0.0, gV, (int)d);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)d, (int)M, tf->out_mult,
              w->dlogits, (int)M, V, (int)d, 0.0, w->dpooled, (int)d);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < d; j++)
      w->dx[i * d + j] = w->dpooled[(i / T) * d + j] / (double)T;
  for (size_t l = tf->nlayers; l-- > 0;) {
    layer_cache *c = w->c + l;
    const double *xin = l ? w->c[l - 1].x2 : w->x0;
    li2_transformer_layer v, g;
    li2_transformer_layer_views(tf, params, l, &v);
    li2_transformer_layer_views(tf, grad, l, &g);
    /* X2 = LN2(S2): dx becomes dS2 */
    layernorm_back(w->dx, c->xhat2, c->rstd2, r, d, v.g2, g.g2, g.c2);
    /* S2 = X1 + H W2^T + b2 */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)F, (int)r, 1.0, w->dx,
                (int)d, c->h, (int)F, 0.0, g.W2, (int)F);
    colsum(w->dx, r, d, g.b2);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)F, (int)d, 1.0, w->dx,
                (int)d, v.W2, (int)F, 0.0, w->dz, (int)F);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < r * F; i++)
      w->dz[i] *= li2_activation_deriv(tf->act, c->z[i]);
    /* Z = X1 W1^T + b1; dX1 = dS2 + dZ W1 */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)F, (int)d, (int)r, 1.0, w->dz,
                (int)F, c->x1, (int)d, 0.0, g.W1, (int)d);
    colsum(w->dz, r, F, g.b1);
    memcpy(w->dx1, w->dx, r * d * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)d, (int)F, 1.0, w->dz,
                (int)F, v.W1, (int)d, 1.0, w->dx1, (int)d);
    /* X1 = LN1(S1): dx1 becomes dS1 */
    layernorm_back(w->dx1, c->xhat1, c->rstd1, r, d, v.g1, g.g1, g.c1);
    /* S1 = X + ctx Wo^T + bo */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)d, (int)r, 1.0, w->dx1,
                (int)d, c->ctx, (int)d, 0.0, g.Wo, (int)d);
    colsum(w->dx1, r, d, g.bo);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)d, (int)d, 1.0, w->dx1,
                (int)d, v.Wo, (int)d, 0.0, w->dctx, (int)d);
    attention_back(tf, n, c->qkv, c->att, w->dctx, w->dqkv);
    /* QKV = X Win^T + bin; dX = dS1 + dQKV Win */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(3 * d), (int)d, (int)r, 1.0,
                w->dqkv, (int)(3 * d), xin, (int)d, 0.0, g.Win, (int)d);
    colsum(w->dqkv, r, 3 * d, g.bin);
    memcpy(w->dx, w->dx1, r * d * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)d, (int)(3 * d), 1.0,
                w->dqkv, (int)(3 * d), v.Win, (int)d, 1.0, w->dx, (int)d);
  }
  /* X0 = E[x] + P[t] */
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < d; j++) {
      gE[(size_t)w->x[i] * d + j] += w->dx[i * d + j];
      gP[(i % T) * d + j] += w->dx[i * d + j];
    }
  return LI2_SUCCESS;
}
