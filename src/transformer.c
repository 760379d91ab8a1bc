/* The reference trainer's transformer: forward and backward (transformer.h). */
#include "transformer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>

#define LN_EPS 1e-5  /* nn.LayerNorm's default */
#define CHUNK 128    /* rows per partial column sum (transformer_impl.h) */

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

/* Where layer L's blocks start in the parameter vector (in elements, for
 * either precision). */
typedef struct {
  size_t Win, bin, Wo, bo, W1, b1, W2, b2, g1, c1, g2, c2;
} layer_off;

static layer_off layer_offsets(const li2_transformer *tf, size_t l)
{
  const size_t d = tf->d, F = tf->dff;
  layer_off o;
  o.Win = tf->M * d + tf->T * d + l * tf->layer_size;
  o.bin = o.Win + 3 * d * d;
  o.Wo = o.bin + 3 * d;
  o.bo = o.Wo + d * d;
  o.W1 = o.bo + d;
  o.b1 = o.W1 + F * d;
  o.W2 = o.b1 + F;
  o.b2 = o.W2 + d * F;
  o.g1 = o.b2 + d;
  o.c1 = o.g1 + d;
  o.g2 = o.c1 + d;
  o.c2 = o.g2 + d;
  return o;
}

void li2_transformer_layer_views(const li2_transformer *tf, double *params, size_t l,
                                 li2_transformer_layer *v)
{
  const layer_off o = layer_offsets(tf, l);
  v->Win = params + o.Win;
  v->bin = params + o.bin;
  v->Wo = params + o.Wo;
  v->bo = params + o.bo;
  v->W1 = params + o.W1;
  v->b1 = params + o.b1;
  v->W2 = params + o.W2;
  v->b2 = params + o.b2;
  v->g1 = params + o.g1;
  v->c1 = params + o.c1;
  v->g2 = params + o.g2;
  v->c2 = params + o.c2;
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

/* A layer's forward caches for the backward (REAL: double or float). */
typedef struct {
  void *qkv, *att, *ctx, *xhat1, *rstd1, *x1, *z, *h, *xhat2, *rstd2, *x2;
} layer_cache;

struct li2_transformer_work {
  size_t nmax, n, nlayers;
  int single;          /* the passes in float (li2_transformer_work_alloc_precision) */
  const int *x, *y;
  double *pooled, *logits, *dlogits, *rowloss;  /* double in both precisions */
  layer_cache *c;
  /* REAL buffers: the input, backward scratch */
  void *x0, *dx, *dx1, *dz, *dqkv, *dctx, *dpooled;
  /* the first layer's table of its M T distinct input rows (when M < nmax):
   * the rows E[a] + P[t], their QKV (then dQKV summed per row), their dX */
  void *tab_x, *tab_qkv, *tab_dx;
  /* and its attention's out-projection: per head Wo_h v_h (M T x H x d),
   * the backward's buckets (the same shape) and the values (M T x d) */
  void *tab_uo, *tab_b, *tab_v;
  double *part;        /* partial column sums: ceil(nmax T / CHUNK) x max(dff, 3d) */
  /* single: the parameters and gradient in float, pooled and logits */
  float *pf, *gf, *pooledf, *logitsf;
};

double li2_transformer_step_flops(const li2_transformer *tf, size_t n, int table)
{
  /* multiply-adds, in the order of SUF(forward) and SUF(backward) */
  const double d = (double)tf->d, F = (double)tf->dff, T = (double)tf->T, H = (double)tf->nhead;
  const double M = (double)tf->M, r = (double)n * T, MT = M * T;
  double mac = 3 * (double)n * M * d;  /* logits: forward, gV and dpooled */
  for (size_t l = 0; l < tf->nlayers; l++) {
    const int tab = table && l == 0 && tf->M * tf->nhead < n;
    mac += 6 * r * F * d;  /* feed-forward: 2 products forward, 4 backward */
    if (tab)
      mac += MT * 3 * d * d + r * T * d + MT * d * d + r * H * T * d  /* QKV, scores, UO, mix */
             + 2 * r * H * T * d + 2 * r * T * d                       /* dA, buckets; dQ dK */
             + 2 * MT * d * d + 2 * MT * 3 * d * d;                    /* dV gWo; gWin dX */
    else
      mac += r * 3 * d * d + 2 * r * T * d + r * d * d  /* QKV, scores and context, Wo */
             + 2 * r * d * d + 4 * r * T * d            /* gWo dctx; attention backward */
             + 2 * r * 3 * d * d;                       /* gWin, dX */
  }
  return 2 * mac;
}

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
  free(w->part);
  free(w->tab_x);
  free(w->tab_qkv);
  free(w->tab_dx);
  free(w->tab_uo);
  free(w->tab_b);
  free(w->tab_v);
  free(w->pf);
  free(w->gf);
  free(w->pooledf);
  free(w->logitsf);
  free(w);
}

li2_transformer_work *li2_transformer_work_alloc_precision(const li2_transformer *tf, size_t nmax,
                                                           int single, li2_error *err)
{
  const size_t d = tf->d, F = tf->dff, T = tf->T, H = tf->nhead;
  const size_t es = single ? sizeof(float) : sizeof(double);
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
  w->single = single != 0;
  const size_t r = nmax * T;
#define GET(p, count) bad |= !((p) = malloc((count) * es))
#define GETD(p, count) bad |= !((p) = malloc((count) * sizeof(double)))
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
    if (tf->act != LI2_ACT_RELU)  /* relu: H in place of Z */
      GET(c->z, r * F);
    GET(c->h, r * F);
    GET(c->xhat2, r * d);
    GET(c->rstd2, r);
    GET(c->x2, r * d);
  }
  GET(w->x0, r * d);
  GETD(w->pooled, nmax * d);
  GETD(w->logits, nmax * tf->M);
  GETD(w->dlogits, nmax * tf->M);
  GETD(w->rowloss, nmax);
  GETD(w->part, (r + CHUNK - 1) / CHUNK * (F > 3 * d ? F : 3 * d));
  GET(w->dx, r * d);
  GET(w->dx1, r * d);
  GET(w->dz, r * F);
  GET(w->dqkv, r * 3 * d);
  GET(w->dctx, r * d);
  GET(w->dpooled, nmax * d);
  if (tf->M * H < nmax) {  /* see use_table in transformer_impl.h */
    GET(w->tab_x, tf->M * T * d);
    GET(w->tab_qkv, tf->M * T * 3 * d);
    GET(w->tab_dx, tf->M * T * d);
    GET(w->tab_uo, tf->M * T * H * d);
    GET(w->tab_b, tf->M * T * H * d);
    GET(w->tab_v, tf->M * T * d);
  }
  if (single) {
    bad |= !(w->pf = malloc(tf->nparams * sizeof(float)));
    bad |= !(w->gf = malloc(tf->nparams * sizeof(float)));
    bad |= !(w->pooledf = malloc(nmax * d * sizeof(float)));
    /* the logits, then their derivatives */
    bad |= !(w->logitsf = malloc(nmax * tf->M * sizeof(float)));
  }
#undef GET
#undef GETD
  if (bad) {
    li2_transformer_work_free(w);
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  }
  return w;
}

li2_transformer_work *li2_transformer_work_alloc(const li2_transformer *tf, size_t nmax,
                                                 li2_error *err)
{
  return li2_transformer_work_alloc_precision(tf, nmax, 0, err);
}

const double *li2_transformer_logits(const li2_transformer_work *w)
{
  return w->logits;
}

const double *li2_transformer_pooled(const li2_transformer_work *w)
{
  return w->pooled;
}

/* ---- the passes, in double and in float (transformer_impl.h) ---- */

#define REAL double
#define SUF(name) name##_d
#define GEMM cblas_dgemm
#include "transformer_impl.h"
#undef REAL
#undef SUF
#undef GEMM
#define REAL float
#define SUF(name) name##_f
#define GEMM cblas_sgemm
#include "transformer_impl.h"
#undef REAL
#undef SUF
#undef GEMM

static void to_float(float *dst, const double *src, size_t len)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < len; i++)
    dst[i] = (float)src[i];
}

static void to_double(double *dst, const float *src, size_t len)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < len; i++)
    dst[i] = (double)src[i];
}

int li2_transformer_forward(const li2_transformer *tf, li2_transformer_work *w, size_t n,
                            const int *x, const int *y, double *loss, size_t *ncorrect,
                            li2_error *err)
{
  const size_t M = tf->M, r = n * tf->T;
  if (n == 0 || n > w->nmax)
    return li2_error_set(err, LI2_EINVAL, "transformer forward on %zu samples, workspace holds "
                                          "%zu", n, w->nmax);
  for (size_t i = 0; i < r; i++)
    if (x[i] < 0 || (size_t)x[i] >= M)
      return li2_error_set(err, LI2_EINVAL, "transformer forward: token %d out of range", x[i]);
  if (w->single) {
    /* float32 as torch's model.float(): the parameters rounded once */
    to_float(w->pf, tf->params, tf->nparams);
    forward_f(tf, w, n, x, w->pf, w->pooledf, w->logitsf);
    to_double(w->pooled, w->pooledf, n * tf->d);
    to_double(w->logits, w->logitsf, n * M);
  } else {
    forward_d(tf, w, n, x, tf->params, w->pooled, w->logits);
  }
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

int li2_transformer_backward(const li2_transformer *tf, li2_transformer_work *w, double *grad,
                             li2_error *err)
{
  if (w->n == 0 || !w->y)
    return li2_error_set(err, LI2_EINVAL, "transformer backward without a labelled forward");
  if (w->single) {
    to_float(w->logitsf, w->dlogits, w->n * tf->M);
    backward_f(tf, w, w->pf, w->pooledf, w->logitsf, w->gf);
    to_double(grad, w->gf, tf->nparams);
  } else {
    backward_d(tf, w, tf->params, w->pooled, w->dlogits, grad);
  }
  return LI2_SUCCESS;
}
