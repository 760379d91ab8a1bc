/* The 2-layer network: gather forward, BLAS products with V, fused
 * scatter backward (see model.h; doc/mathematics.md sections 1 and 2). */
#include "model.h"
#include "args.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#ifdef _OPENMP
#include <omp.h>
#endif

const char *const li2_activation_names[] = {LI2_ACT_NAMES(LI2_NAME_STRING)};
const char *const li2_loss_names[] = {LI2_LOSS_NAMES(LI2_NAME_STRING)};
_Static_assert(sizeof li2_activation_names / sizeof *li2_activation_names == LI2_ACT_COUNT,
               "one name per activation");
_Static_assert(sizeof((const char *[]){LI2_ACT_TRAINER_NAMES(LI2_NAME_STRING)}) /
                       sizeof(const char *) ==
                   LI2_ACT_TRAINER_COUNT,
               "the trainer's activations come first");
_Static_assert(sizeof li2_loss_names / sizeof *li2_loss_names == LI2_LOSS_COUNT,
               "one name per loss");

const char *li2_activation_name(li2_activation a)
{
  return li2_names_get(li2_activation_names, LI2_ACT_COUNT, (int)a);
}

const char *li2_loss_name(li2_loss l)
{
  return li2_names_get(li2_loss_names, LI2_LOSS_COUNT, (int)l);
}

int li2_activation_parse(const char *s, li2_activation *a, const char *key, li2_error *err)
{
  int i, rc = li2_names_parse(li2_activation_names, LI2_ACT_COUNT, s, key, &i, err);
  if (!rc)
    *a = (li2_activation)i;
  return rc;
}

int li2_activation_trainer(li2_activation a)
{
  return (unsigned)a < LI2_ACT_TRAINER_COUNT;
}

int li2_loss_parse(const char *s, li2_loss *l, const char *key, li2_error *err)
{
  int i, rc = li2_names_parse(li2_loss_names, LI2_LOSS_COUNT, s, key, &i, err);
  if (!rc)
    *l = (li2_loss)i;
  return rc;
}

static inline double sigmoid(double x)
{
  return 1.0 / (1.0 + exp(-x));
}

double li2_activation_eval(li2_activation a, double x)
{
  switch (a) {
  case LI2_ACT_SQR: return x * x;
  case LI2_ACT_RELU: return x > 0 ? x : 0;
  case LI2_ACT_SILU: return x * sigmoid(x);
  case LI2_ACT_RELUSQR: return x > 0 ? x * x : 0;
  case LI2_ACT_TANH: return tanh(x);
  case LI2_ACT_SIGMOID: return sigmoid(x);
  case LI2_ACT_QUAD: return x + x * x;
  default: return NAN;
  }
}

/* As PyTorch's autograd: relu'(0) = 0. */
double li2_activation_deriv(li2_activation a, double x)
{
  double s;
  switch (a) {
  case LI2_ACT_SQR: return 2 * x;
  case LI2_ACT_RELU: return x > 0 ? 1 : 0;
  case LI2_ACT_SILU: s = sigmoid(x); return s * (1 + x * (1 - s));
  case LI2_ACT_RELUSQR: return x > 0 ? 2 * x : 0;
  case LI2_ACT_TANH: s = tanh(x); return 1 - s * s;
  case LI2_ACT_SIGMOID: s = sigmoid(x); return s * (1 - s);
  case LI2_ACT_QUAD: return 1 + 2 * x;
  default: return NAN;
  }
}

/* The views W, L, V (and use_bn's gamma, beta) into PARAMS. */
static void set_views(li2_model *m)
{
  m->W = m->params;
  m->L = m->params + m->nW;
  m->V = m->L + m->nL;
  m->gamma = m->bn ? m->V + m->nV : NULL;
  m->beta = m->bn ? m->gamma + m->K : NULL;
  m->E = m->embed ? m->V + m->nV + m->nB : NULL;
}

/* The options' blocks after V (gamma | beta | E) grow by EXTRA doubles;
 * they are zeroed (li2_model_init and li2_model_bn_reset fill them). */
static int grow_params(li2_model *m, size_t extra, li2_error *err)
{
  double *p = realloc(m->params, (m->nparams + extra) * sizeof(double));
  size_t base = m->nW + m->nL + m->nV;
  if (!p)
    return li2_error_set(err, LI2_ENOMEM, "out of memory for %zu more parameters", extra);
  m->params = p;
  memset(p + base, 0, (m->nparams + extra - base) * sizeof(double));
  m->nparams += extra;
  return LI2_SUCCESS;
}

li2_model *li2_model_alloc(size_t M, int nops, size_t K, int other_layers,
                           li2_activation act, li2_loss loss, li2_error *err)
{
  li2_model *m;
  if (M < 2)
    return li2_error_set(err, LI2_EINVAL, "M: group order %zu too small", M), NULL;
  if (nops < 2)
    return li2_error_set(err, LI2_EINVAL, "num_of_ops=%d: must be at least 2", nops), NULL;
  if (K < 1)
    return li2_error_set(err, LI2_EINVAL, "hidden_size=%zu: must be positive", K), NULL;
  if (other_layers < 0)
    return li2_error_set(err, LI2_EINVAL, "other_layers=%d: must be >= 0", other_layers), NULL;
  if (!li2_activation_trainer(act) || (unsigned)loss >= LI2_LOSS_COUNT)
    return li2_error_set(err, LI2_EINVAL,
                         "activation or loss_func: the trainer runs activation sqr|relu|silu|relusqr "
                         "and loss_func mse|nll (got %s, %s)",
                         li2_activation_name(act), li2_loss_name(loss)), NULL;
  m = calloc(1, sizeof *m);
  if (!m)
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  m->M = M;
  m->K = K;
  m->nops = nops;
  m->nlayers = other_layers;
  m->act = act;
  m->loss = loss;
  m->out_mult = 1;
  m->nW = (size_t)nops * M * K;
  m->nL = (size_t)other_layers * K * K;
  m->nV = K * M;
  m->nparams = m->nW + m->nL + m->nV;
  m->params = calloc(m->nparams, sizeof(double));
  if (!m->params) {
    li2_error_set(err, LI2_ENOMEM, "out of memory for %zu parameters (hidden_size=%zu)",
                  m->nparams, K);
    free(m);
    return NULL;
  }
  set_views(m);
  return m;
}

void li2_model_free(li2_model *m)
{
  if (!m)
    return;
  free(m->bn_mean);
  free(m->params);
  free(m);
}

/* Every STRIDE-th of N doubles from P on: the real parts (stride 2) of a
 * complex block, or all of a real one (stride 1). */
static void uniform_fill_strided(double *p, size_t n, size_t stride, double bound, gsl_rng *r)
{
  for (size_t i = 0; i < n; i += stride)
    p[i] = bound * (2 * gsl_rng_uniform(r) - 1);
}

void li2_model_init(li2_model *m, gsl_rng *r, double s)
{
  /* nn.Linear: kaiming_uniform(a = sqrt 5) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
   * Complex: the same draws into the real parts, imaginary parts 0 (the
   * reference converts the real nn.Linear weights with .to(torch.cfloat)). */
  const size_t st = m->cplx ? 2 : 1;
  if (m->cplx)
    memset(m->params, 0, m->nparams * sizeof(double));
  /* embed_trainable: nn.Embedding(M, M)'s N(0, 1), constructed before W */
  for (size_t i = 0; i < m->nE; i++)
    m->E[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
  /* fan_in: k M for W, M for each of use_inner_product_act's Ws[i] */
  uniform_fill_strided(m->W, m->nW, st, s / sqrt((double)((m->inner ? 1 : m->nops) * m->M)), r);
  uniform_fill_strided(m->L, m->nL, st, s / sqrt((double)m->K), r);
  uniform_fill_strided(m->V, m->nV, st, s / sqrt((double)m->K), r);
  li2_model_bn_reset(m);  /* BatchNorm1d: gamma 1, beta 0 (no draws) */
}

void li2_model_init_imag(li2_model *m, gsl_rng *r, double s)
{
  if (!m->cplx)
    return;
  uniform_fill_strided(m->W + 1, m->nW - 1, 2, s / sqrt((double)(m->nops * m->M)), r);
  uniform_fill_strided(m->V + 1, m->nV - 1, 2, s / sqrt((double)m->K), r);
}

void li2_model_bn_reset(li2_model *m)
{
  if (!m->bn)
    return;
  for (size_t j = 0; j < m->K; j++) {
    m->gamma[j] = 1;
    m->beta[j] = 0;
    m->bn_mean[j] = 0;
    m->bn_var[j] = 1;
  }
}

int li2_model_set_bn(li2_model *m, li2_error *err)
{
  double *run;
  if (m->bn)
    return LI2_SUCCESS;
  if (m->inner)
    return li2_error_set(err, LI2_EINVAL, "use_bn: not with use_inner_product_act (the reference "
                                          "applies its BatchNorm only without the product)");
  if (m->cplx)
    return li2_error_set(err, LI2_EINVAL,
                         "use_bn: not with use_complex_weights (torch's BatchNorm1d has no complex "
                         "tensors; the reference drops it silently there)");
  run = malloc(2 * m->K * sizeof(double));
  if (!run)
    return li2_error_set(err, LI2_ENOMEM, "out of memory for use_bn's running statistics");
  if (grow_params(m, 2 * m->K, err)) {
    free(run);
    return err->code;
  }
  m->bn = 1;
  m->nB = 2 * m->K;
  set_views(m);
  m->bn_mean = run;
  m->bn_var = run + m->K;
  li2_model_bn_reset(m);
  return LI2_SUCCESS;
}

int li2_model_set_embed(li2_model *m, li2_error *err)
{
  if (m->embed)
    return LI2_SUCCESS;
  if (m->cplx)
    return li2_error_set(err, LI2_EINVAL, "embed_trainable: not implemented with "
                                          "use_complex_weights");
  if (grow_params(m, m->M * m->M, err))
    return err->code;
  m->embed = 1;
  m->nE = m->M * m->M;
  set_views(m);
  li2_model_bn_reset(m);
  return LI2_SUCCESS;
}

int li2_model_set_inner(li2_model *m, li2_error *err)
{
  if (m->cplx || m->bn)
    return li2_error_set(err, LI2_EINVAL, "use_inner_product_act: not implemented with %s",
                         m->cplx ? "use_complex_weights" : "use_bn (the reference applies its "
                         "BatchNorm only without the product)");
  m->inner = 1;
  return LI2_SUCCESS;
}

int li2_model_set_complex(li2_model *m, li2_error *err)
{
  double *p;
  if (m->cplx)
    return LI2_SUCCESS;
  if (m->bn || m->embed || m->inner)
    return li2_error_set(err, LI2_EINVAL,
                         "use_complex_weights: not with %s", m->bn ? "use_bn (torch's BatchNorm1d "
                         "has no complex tensors)" : m->embed ? "embed_trainable (not implemented)"
                         : "use_inner_product_act (not implemented)");
  if (m->act != LI2_ACT_SQR)
    return li2_error_set(err, LI2_EINVAL,
                         "use_complex_weights: takes activation=sqr only (got %s; the reference's "
                         "relu and relusqr fail on complex tensors, li2 implements the complex square)",
                         li2_activation_name(m->act));
  if (m->nlayers)
    return li2_error_set(err, LI2_EINVAL,
                         "use_complex_weights: other_layers=%d is not implemented with complex "
                         "weights (use other_layers=0)", m->nlayers);
  p = calloc(2 * m->nparams, sizeof(double));
  if (!p)
    return li2_error_set(err, LI2_ENOMEM, "out of memory for %zu complex parameters",
                         m->nparams);
  free(m->params);
  m->params = p;
  m->cplx = 1;
  m->nW *= 2;
  m->nL *= 2;
  m->nV *= 2;
  m->nparams *= 2;
  set_views(m);
  return LI2_SUCCESS;
}

int li2_model_require_real(const li2_model *m, const char *what, li2_error *err)
{
  if (!m)  /* li2_trainer_model of a transformer run */
    return li2_error_set(err, LI2_EUNSUP,
                         "%s: the run is a transformer (model_type=transformer); %s is defined "
                         "for the 2-layer network of the paper", what, what);
  if (m->cplx)
    return li2_error_set(err, LI2_EUNSUP,
                         "%s: the run has complex weights (use_complex_weights=true); %s is "
                         "defined for real W and V (doc/mathematics.md sections 2-3)", what, what);
  if (m->bn || m->embed || m->inner)
    return li2_error_set(err, LI2_EUNSUP,
                         "%s: the run has %s; %s is defined for the 2-layer network F = sigma(W x) "
                         "on one-hot inputs (doc/mathematics.md section 1)", what,
                         m->bn      ? "BatchNorm after W (use_bn=true)"
                         : m->embed ? "a trainable embedding (embed_trainable=true)"
                                    : "a product of projections (use_inner_product_act=true)",
                         what);
  return LI2_SUCCESS;
}

struct li2_model_work {
  size_t nmax, K, M;
  int nlayers, nops, backward, single;
  int cplx;           /* complex model: K here is 2 K (re, im) columns of F, dF */
  double *vs;         /* complex: V stacked as 2K x M, rows (Re V_j, -Im V_j) */
  size_t n;           /* samples of the last forward */
  const int *x, *y;   /* caller's arrays of the last forward */
  void *F;            /* (r+1) blocks nmax x K of REAL: F_0 .. F_r */
  void *Z;            /* r blocks: pre-activations of the residual layers */
  void *O, *dO;       /* nmax x M */
  void *dF;           /* dLoss/dF_0 */
  void *tmp;          /* r > 0: second buffer for the residual backward */
  double *rowloss;
  unsigned char *rowok; /* nmax: argmax of the row is the label */
  size_t block;       /* rows per block of the fused step */
  void *bH, *bF, *bO, *bdO;  /* fused step: per-thread blocks (B x K, B x M) */
  void *pdW, *pdV;    /* fused step: per-thread partial dW, dV */
  size_t nrows;       /* nops * M */
  size_t *start;      /* CSR of samples per W row (nrows + 1) */
  size_t *idx;        /* nmax * nops */
  void *hscratch;     /* nthreads x 2K REAL: pre-activation and sum of one row */
  int nthreads;
  float *pf;          /* single: float copy of W | L | V */
  void *small;        /* single: K x max(M, K) product before it goes to GRAD */
  double *conv;       /* single: double copy of F or dF for the views */
  li2_kernel kernel;  /* products of the fused step (LI2_KERNEL_BLAS: step_fused) */
  size_t ld, Kp, Mp;  /* hand-tiled kernels: padded row strides (step_kern) */
  size_t kblock;      /* rows per block */
  void *kF, *kO, *kdO;     /* per thread: B x ld, B x Mp, B x Mp */
  void *kW, *kV, *kVt;     /* padded W (nrows x ld), V (K x Mp), V^T (M x ld) */
  void *kdW, *kdV;         /* per thread: partial dW (nrows x ld), dV^T (M x ld) */
  /* use_bn */
  int inner;          /* use_inner_product_act: no tiled kernels */
  int bn, bn_batch;   /* the model has BatchNorm; forward on batch statistics */
  int bn_have;        /* bn_mu, bn_v hold the batch statistics of the last forward */
  size_t bn_n;        /* ... of that many samples */
  double *bnS;        /* fused step: nrows x K, sum of h - mu over each W row's samples */
  double *bnp;        /* fused step: per thread 4K partial sums */
  size_t *bncnt;      /* fused step: nrows, samples of each W row */
  void *XH;           /* nmax x K: normalised pre-activations (h - mu) / sqrt(var + eps) */
  void *DH;           /* nmax x K: dLoss/dh, backward */
  double *bn_mu, *bn_v, *bn_inv;  /* K each: mean, (biased) variance, 1/sqrt(var + eps) */
  double *bn_dg, *bn_db;          /* K each: dLoss/dgamma, dLoss/dbeta */
  /* embed_trainable */
  double *eP;         /* nrows x K: P_t = E W_t, the gather table of the last forward */
  double *edP;        /* nrows x K: dLoss/dP (backward) */
};

#include "clones.h"

/* This thread's number *T in a team of *NT (0 of 1 without OpenMP). */
static inline void team(size_t *t, size_t *nt)
{
#ifdef _OPENMP
  *t = (size_t)omp_get_thread_num();
  *nt = (size_t)omp_get_num_threads();
#else
  *t = 0;
  *nt = 1;
#endif
}

/* The static partition of every parallel pass of the model (real, float
 * and complex): thread T of NT takes the items [*I0, *I1) of N, contiguous
 * shares that differ by at most one and depend only on the thread count,
 * so the results do not depend on timing. */
static inline void team_share(size_t n, size_t t, size_t nt, size_t *i0, size_t *i1)
{
  *i0 = n * t / nt;
  *i1 = n * (t + 1) / nt;
}

/* One thread's share of a fused training step (step_fused, step_fused_z):
 * its rows [i0, i1) of the step's N (team_share) and its blocks of the
 * per-thread buffers, H and F of WIDTH values a row (K, or 2K for the
 * complex model), O and dO of M, the partial sums dW (NRW values) and dV
 * (NV) set to zero; ES is the element size (REAL). */
typedef struct {
  size_t t, nt, i0, i1;
  void *H, *F, *O, *dO, *dW, *dV;
} fused_share;

static void fused_share_begin(const li2_model_work *w, size_t n, size_t width, size_t M,
                              size_t nrw, size_t nv, size_t es, fused_share *s)
{
  const size_t B = w->block;
  team(&s->t, &s->nt);
  team_share(n, s->t, s->nt, &s->i0, &s->i1);
  s->H = (char *)w->bH + s->t * B * width * es;
  s->F = (char *)w->bF + s->t * B * width * es;
  s->O = (char *)w->bO + s->t * B * M * es;
  s->dO = (char *)w->bdO + s->t * B * M * es;
  s->dW = (char *)w->pdW + s->t * nrw * es;
  s->dV = (char *)w->pdV + s->t * nv * es;
  memset(s->dW, 0, nrw * es);
  memset(s->dV, 0, nv * es);
}

/* The loss over N rows, SCALE times the row losses added in row order (so
 * it does not depend on the thread count), and the rows whose argmax is
 * the label (*NCORRECT, may be NULL). */
static double rows_total(const double *rowloss, const unsigned char *rowok, size_t n,
                         double scale, size_t *ncorrect)
{
  double total = 0;
  size_t correct = 0;
  for (size_t i = 0; i < n; i++) {
    total += rowloss[i];
    correct += rowok[i];
  }
  if (ncorrect)
    *ncorrect = correct;
  return total * scale;
}

/* Hand-tiled kernels (model_kern.h) for AVX-512 and AVX2 + FMA, chosen at
 * run time from the CPU; GCC on x86-64 only (vector extensions and target
 * attributes), BLAS elsewhere. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LI2_KERNELS 1
#define KT512 __attribute__((target("arch=x86-64-v4")))
#define KT256 __attribute__((target("arch=x86-64-v3")))
#else
#define LI2_KERNELS 0
#endif

/* The kernels in double and in float (model_impl.h, which includes its
 * tiled products for both instruction sets). */
#define REAL double
#define SUF(name) name##_d
#define GEMM cblas_dgemm
#include "model_impl.h"
#undef REAL
#undef SUF
#undef GEMM
#define REAL float
#define SUF(name) name##_f
#define GEMM cblas_sgemm
#include "model_impl.h"
#undef REAL
#undef SUF
#undef GEMM

/* The complex model (use_complex_weights) on double BLAS. */
#include "model_complex.h"

const char *const li2_kernel_names[] = {LI2_KERNEL_NAMES(LI2_NAME_STRING)};
_Static_assert(sizeof li2_kernel_names / sizeof *li2_kernel_names == LI2_KERNEL_COUNT,
               "one name per kernel");

const char *li2_kernel_name(li2_kernel k)
{
  return li2_names_get(li2_kernel_names, LI2_KERNEL_COUNT, (int)k);
}

/* Whether this CPU (and build) runs kernel K. */
static int kernel_available(li2_kernel k)
{
  switch (k) {
  case LI2_KERNEL_BLAS:
    return 1;
#if LI2_KERNELS
  case LI2_KERNEL_AVX2:
    return __builtin_cpu_supports("x86-64-v3");
  case LI2_KERNEL_AVX512:
    return __builtin_cpu_supports("x86-64-v4");
#endif
  default:
    return 0;
  }
}

static li2_kernel kernel_best(void)
{
  return kernel_available(LI2_KERNEL_AVX512) ? LI2_KERNEL_AVX512
         : kernel_available(LI2_KERNEL_AVX2) ? LI2_KERNEL_AVX2
                                             : LI2_KERNEL_BLAS;
}

static void *alloc_zero(size_t bytes)
{
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes ? bytes : 64))
    return NULL;
  memset(p, 0, bytes);
  return p;
}

static void kern_free(li2_model_work *w)
{
  void **p[] = {&w->kF, &w->kO, &w->kdO, &w->kW, &w->kV, &w->kVt, &w->kdW, &w->kdV};
  for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
    free(*p[i]);
    *p[i] = NULL;
  }
}

/* The tiled kernels' arrays (step_kern in model_impl.h); nonzero and none
 * of them when out of memory. */
static int kern_alloc(li2_model_work *w, size_t es)
{
  const size_t nt = (size_t)w->nthreads, vl = 64 / es, K = w->K, M = w->M;
  size_t B;
  if (w->kF)
    return 0;
  w->Kp = (K + vl - 1) / vl * vl;
  w->Mp = (M + vl - 1) / vl * vl;
  /* rows a multiple of 512 bytes apart would share L1 sets */
  w->ld = w->Kp * es % 512 ? w->Kp : w->Kp + vl;
  /* blocks of about 1 MB of features per thread (half of a 2 MB L2;
   * measured: 48 to 512 rows within 5% for K = 512 and 2048) */
  B = (1u << 20) / (es * w->ld);
  B = B < 32 ? 32 : B > 512 ? 512 : B;
  w->kblock = B;
  w->kF = alloc_zero(nt * B * w->ld * es);
  w->kO = alloc_zero(nt * B * w->Mp * es);
  w->kdO = alloc_zero(nt * B * w->Mp * es);
  w->kW = alloc_zero(w->nrows * w->ld * es);
  w->kV = alloc_zero(K * w->Mp * es);
  w->kVt = alloc_zero(M * w->ld * es);
  w->kdW = alloc_zero(nt * w->nrows * w->ld * es);
  w->kdV = alloc_zero(nt * M * w->ld * es);
  if (!w->kF || !w->kO || !w->kdO || !w->kW || !w->kV || !w->kVt || !w->kdW || !w->kdV) {
    kern_free(w);
    return 1;
  }
  return 0;
}

void li2_model_work_free(li2_model_work *w)
{
  if (!w)
    return;
  free(w->F);
  free(w->Z);
  free(w->O);
  free(w->dO);
  free(w->rowloss);
  free(w->rowok);
  free(w->bH);
  free(w->bF);
  free(w->bO);
  free(w->bdO);
  free(w->pdW);
  free(w->pdV);
  free(w->dF);
  free(w->tmp);
  free(w->start);
  free(w->idx);
  free(w->hscratch);
  free(w->pf);
  free(w->small);
  free(w->conv);
  free(w->vs);
  free(w->XH);
  free(w->DH);
  free(w->bn_mu);
  free(w->bnS);
  free(w->bnp);
  free(w->bncnt);
  free(w->eP);
  free(w->edP);
  kern_free(w);
  free(w);
}

li2_model_work *li2_model_work_alloc(const li2_model *m, size_t nmax, int backward, int single,
                                     li2_error *err)
{
  li2_model_work *w = calloc(1, sizeof *w);
  /* complex: the n x K arrays hold (re, im) pairs, 2K doubles a row */
  const size_t Kc = m->cplx ? 2 * m->K : m->K;
  size_t nK = nmax * Kc, r = (size_t)m->nlayers, es = single ? sizeof(float) : sizeof(double);
  int bad;
  if (!w)
    goto nomem;
  if (nmax == 0) {
    li2_model_work_free(w);
    return li2_error_set(err, LI2_EINVAL, "model workspace for zero samples"), NULL;
  }
  if (m->cplx && single) {
    li2_model_work_free(w);
    return li2_error_set(err, LI2_EINVAL,
                         "precision=float: not implemented with use_complex_weights (use "
                         "precision=double)"), NULL;
  }
  w->cplx = m->cplx;
  w->nmax = nmax;
  w->K = Kc;
  w->M = m->M;
  w->nlayers = m->nlayers;
  w->nops = m->nops;
  w->backward = backward;
  w->single = single;
  w->nrows = (size_t)m->nops * m->M;
#ifdef _OPENMP
  w->nthreads = omp_get_max_threads();
#else
  w->nthreads = 1;
#endif
  w->F = malloc((r + 1) * nK * es);
  w->Z = malloc((r ? r * nK : 1) * es);
  w->O = malloc(nmax * m->M * es);
  w->dO = malloc(nmax * m->M * es);
  w->rowloss = malloc(nmax * sizeof(double));
  w->rowok = malloc(nmax);
  bad = !w->F || !w->Z || !w->O || !w->dO || !w->rowloss || !w->rowok;
  w->bn = m->bn;
  w->inner = m->inner;
  if (m->bn) {
    w->XH = malloc(nK * es);
    w->bn_mu = malloc(5 * m->K * sizeof(double));
    bad |= !w->XH || !w->bn_mu;
    if (w->bn_mu) {
      w->bn_v = w->bn_mu + m->K;
      w->bn_inv = w->bn_v + m->K;
      w->bn_dg = w->bn_inv + m->K;
      w->bn_db = w->bn_dg + m->K;
    }
    if (backward) {
      w->DH = malloc(nK * es);
      bad |= !w->DH;
    }
  }
  if (m->embed) {
    w->eP = malloc(w->nrows * m->K * sizeof(double));
    bad |= !w->eP;
    if (backward) {
      w->edP = malloc(w->nrows * m->K * sizeof(double));
      bad |= !w->edP;
    }
  }
  if (m->bn && backward && r == 0) {  /* step_fused_bn */
    w->bnS = malloc(w->nrows * m->K * sizeof(double));
    w->bnp = malloc((size_t)w->nthreads * 4 * m->K * sizeof(double));
    w->bncnt = malloc(w->nrows * sizeof(size_t));
    bad |= !w->bnS || !w->bnp || !w->bncnt;
  }
  if (backward && r == 0) {
    /* fused step: blocks of about 2 MB of features per thread (measured:
     * 128 to 512 rows are best for K = 512..2048) */
    size_t nt = (size_t)w->nthreads, B = (2u << 20) / (es * Kc);
    B = B < 64 ? 64 : B > 512 ? 512 : B;
    w->block = B;
    w->bH = malloc(nt * B * Kc * es);
    w->bF = malloc(nt * B * Kc * es);
    w->bO = malloc(nt * B * m->M * es);
    w->bdO = malloc(nt * B * m->M * es);
    w->pdW = malloc(nt * w->nrows * Kc * es);
    w->pdV = malloc(nt * Kc * m->M * es);
    bad |= !w->bH || !w->bF || !w->bO || !w->bdO || !w->pdW || !w->pdV;
    /* complex, use_inner_product_act: BLAS only (the tiled kernels know
     * the gather of a sum and the real activations) */
    w->kernel = m->cplx || m->inner || m->bn ? LI2_KERNEL_BLAS : kernel_best();
    if (w->kernel != LI2_KERNEL_BLAS)
      bad |= kern_alloc(w, es);
  } else {
    w->kernel = LI2_KERNEL_BLAS;
  }
  if (backward) {
    w->dF = malloc(nK * es);
    w->tmp = malloc((r ? nK : 1) * es);
    w->start = malloc((w->nrows + 1) * sizeof(size_t));
    w->idx = malloc(nmax * (size_t)m->nops * sizeof(size_t));
    w->hscratch = malloc((size_t)w->nthreads * 2 * Kc * es);
    bad |= !w->dF || !w->tmp || !w->start || !w->idx || !w->hscratch;
  }
  if (m->cplx) {
    w->vs = malloc(Kc * m->M * sizeof(double));
    bad |= !w->vs;
  }
  if (single) {
    size_t big = m->M > m->K ? m->M : m->K;
    w->pf = malloc(m->nparams * sizeof(float));
    w->small = malloc(m->K * big * sizeof(float));
    bad |= !w->pf || !w->small;
    if (backward) {
      w->conv = malloc(nK * sizeof(double));
      bad |= !w->conv;
    }
  }
  if (bad)
    goto nomem;
  return w;
nomem:
  li2_model_work_free(w);
  li2_error_set(err, LI2_ENOMEM, "out of memory for a model workspace of %zu samples x %zu nodes",
                nmax, m->K);
  return NULL;
}

int li2_model_work_single(const li2_model_work *w)
{
  return w->single;
}

li2_kernel li2_model_work_kernel(const li2_model_work *w)
{
  return w->kernel;
}

void li2_model_work_set_bn_batch(li2_model_work *w, int on)
{
  w->bn_batch = on;
}

int li2_model_bn_update(li2_model *m, const li2_model_work *w, li2_error *err)
{
  double unbias;
  if (!m->bn)
    return LI2_SUCCESS;
  if (!w->bn || !w->bn_have || w->bn_n < 2)
    return li2_error_set(err, LI2_EINVAL, "use_bn: no batch statistics of two or more samples "
                                          "to update the running statistics from");
  /* torch's BatchNorm: running_var takes the unbiased batch variance */
  unbias = (double)w->bn_n / (double)(w->bn_n - 1);
  for (size_t j = 0; j < m->K; j++) {
    m->bn_mean[j] = (1 - LI2_BN_MOMENTUM) * m->bn_mean[j] + LI2_BN_MOMENTUM * w->bn_mu[j];
    m->bn_var[j] = (1 - LI2_BN_MOMENTUM) * m->bn_var[j] + LI2_BN_MOMENTUM * w->bn_v[j] * unbias;
  }
  return LI2_SUCCESS;
}

int li2_model_work_set_kernel(li2_model_work *w, li2_kernel k, li2_error *err)
{
  if (k == LI2_KERNEL_AUTO)
    k = w->bH && !w->cplx && !w->inner && !w->bn ? kernel_best() : LI2_KERNEL_BLAS;
  if (!kernel_available(k))
    return li2_error_set(err, LI2_EINVAL, "kernel=%s: not available on this CPU or build",
                         li2_kernel_name(k));
  if (k != LI2_KERNEL_BLAS && (w->cplx || w->inner || w->bn))
    return li2_error_set(err, LI2_EINVAL, "kernel=%s: %s runs on BLAS only (kernel=blas)",
                         li2_kernel_name(k),
                         w->cplx ? "use_complex_weights" : w->bn ? "use_bn" : "use_inner_product_act");
  if (k != LI2_KERNEL_BLAS && !w->bH)
    return li2_error_set(err, LI2_EINVAL,
                         "kernel=%s: only the fused training step (other_layers=0, use_bn=false) "
                         "has tiled kernels", li2_kernel_name(k));
  if (k != LI2_KERNEL_BLAS && kern_alloc(w, w->single ? sizeof(float) : sizeof(double)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory for the kernel=%s workspace",
                         li2_kernel_name(k));
  w->kernel = k;
  return LI2_SUCCESS;
}

/* single precision: the view is converted into conv (valid until the next
 * view call); double: the workspace array itself */
static const double *view(const li2_model_work *w, const void *src)
{
  if (!w->single)
    return src;
  if (!w->conv)
    return NULL;
  for (size_t i = 0; i < w->n * w->K; i++)
    w->conv[i] = (double)((const float *)src)[i];
  return w->conv;
}

const double *li2_model_work_features(const li2_model_work *w)
{
  return view(w, w->F);
}

const double *li2_model_work_top(const li2_model_work *w)
{
  const size_t off = (size_t)w->nlayers * w->nmax * w->K;
  return view(w, w->single ? (const void *)((const float *)w->F + off)
                           : (const void *)((const double *)w->F + off));
}

const double *li2_model_work_dfeatures(const li2_model_work *w)
{
  return view(w, w->dF);
}

double li2_loss_eval(li2_loss l, size_t n, size_t M, const double *O, const int *y,
                     double *dO, double *rowloss, size_t *ncorrect)
{
  const double scale = 1.0 / (double)n;
  double total = 0;
  size_t correct = 0;
#pragma omp parallel for schedule(static) reduction(+ : correct)
  for (size_t i = 0; i < n; i++) {
    unsigned char okr;
    rowloss[i] = loss_row_d(l, M, O + i * M, (size_t)y[i], dO ? dO + i * M : NULL, scale, 1, &okr);
    correct += okr;
  }
  for (size_t i = 0; i < n; i++)  /* serial: independent of the thread count */
    total += rowloss[i];
  if (ncorrect)
    *ncorrect = correct;
  return total * scale;
}

static void to_float(float *dst, const double *src, size_t len)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < len; i++)
    dst[i] = (float)src[i];
}

/* The first layer's gather table: W, or with embed_trainable P_t = E W_t
 * per operand (M x K each) computed into w->eP. */
static const double *embed_table(const li2_model *m, li2_model_work *w)
{
  const size_t M = m->M, K = m->K;
  if (!m->embed)
    return m->W;
  for (int t = 0; t < m->nops; t++)
    pgemm_d(CblasNoTrans, CblasNoTrans, M, K, M, 1, m->E, M, m->W + (size_t)t * M * K, K, 0,
            w->eP + (size_t)t * M * K, K);
  return w->eP;
}

/* embed_trainable, after a backward pass that left dLoss/dP in GRAD's W
 * block: dW_t = E^T dP_t and dE = sum_t dP_t W_t^T (P_t = E W_t). */
static void embed_grad(const li2_model *m, li2_model_work *w, double *grad)
{
  const size_t M = m->M, K = m->K;
  double *dE = grad + (m->E - m->params);
  if (!m->embed)
    return;
  memcpy(w->edP, grad, m->nW * sizeof(double));
  for (int t = 0; t < m->nops; t++) {
    const size_t o = (size_t)t * M * K;
    pgemm_d(CblasTrans, CblasNoTrans, M, K, M, 1, m->E, M, w->edP + o, K, 0, grad + o, K);
    pgemm_d(CblasNoTrans, CblasTrans, M, M, K, 1, w->edP + o, K, m->W + o, K, t ? 1 : 0, dE, M);
  }
}

int li2_model_forward_features(const li2_model *m, li2_model_work *w, size_t n,
                               const int *x, li2_error *err)
{
  if (n > w->nmax || n == 0)
    return li2_error_set(err, LI2_EINVAL, "forward on %zu samples, workspace holds %zu", n,
                         w->nmax);
  w->n = n;
  w->x = x;
  w->y = NULL;
  if (w->cplx) {
    features_z(m, w, n, x);
  } else if (w->single) {
    to_float(w->pf, embed_table(m, w), m->nW);
    to_float(w->pf + m->nW, m->L, m->nL);
    features_f(m, w, n, x, w->pf, w->pf + m->nW);
  } else {
    features_d(m, w, n, x, embed_table(m, w), m->L);
  }
  return LI2_SUCCESS;
}

int li2_model_forward_outputs(const li2_model *m, li2_model_work *w, const int *y,
                              double *loss, size_t *ncorrect, li2_error *err)
{
  double l;
  if (w->n == 0)
    return li2_error_set(err, LI2_EINVAL, "forward outputs before features");
  w->y = y;
  if (w->cplx) {
    l = outputs_z(m, w, y, ncorrect);
  } else if (w->single) {
    /* V is converted here, not with W: the ridge solve may set it in between */
    to_float(w->pf + m->nW + m->nL, m->V, m->nV);
    l = outputs_f(m, w, y, w->pf + m->nW + m->nL, ncorrect);
  } else {
    l = outputs_d(m, w, y, m->V, ncorrect);
  }
  if (loss)
    *loss = l;
  return LI2_SUCCESS;
}

int li2_model_forward(const li2_model *m, li2_model_work *w, size_t n,
                      const int *x, const int *y, double *loss, size_t *ncorrect,
                      li2_error *err)
{
  int rc = li2_model_forward_features(m, w, n, x, err);
  return rc ? rc : li2_model_forward_outputs(m, w, y, loss, ncorrect, err);
}

int li2_model_backward(const li2_model *m, li2_model_work *w, double *grad,
                       int skip_v, int features_only, li2_error *err)
{
  const size_t M = m->M, n = w->n;
  const int k = m->nops;
  const int *x = w->x;
  if (!w->backward || n == 0 || !w->y)
    return li2_error_set(err, LI2_EINVAL, "backward without a forward on a backward workspace");
  if (!features_only) {
    /* counting sort: each W row's samples in increasing order */
    size_t nrows = w->nrows, *start = w->start, *idx = w->idx;
    memset(start, 0, (nrows + 1) * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
      for (int t = 0; t < k; t++)
        start[(size_t)t * M + (size_t)x[i * (size_t)k + t] + 1]++;
    for (size_t q = 0; q < nrows; q++)
      start[q + 1] += start[q];
    for (size_t i = 0; i < n; i++)
      for (int t = 0; t < k; t++)
        idx[start[(size_t)t * M + (size_t)x[i * (size_t)k + t]]++] = i;
    for (size_t q = nrows; q > 0; q--)  /* undo the shift of the fill */
      start[q] = start[q - 1];
    start[0] = 0;
  }
  if (w->cplx)
    backward_z(m, w, grad, skip_v, features_only);
  else if (w->single)
    backward_f(m, w, grad, skip_v, features_only, w->pf, w->pf + m->nW, w->pf + m->nW + m->nL);
  else  /* embed_trainable: the gather table P of the forward (w->eP) */
    backward_d(m, w, grad, skip_v, features_only, m->embed ? w->eP : m->W, m->L, m->V);
  if (!features_only)
    embed_grad(m, w, grad);
  return LI2_SUCCESS;
}

int li2_model_step_grad(const li2_model *m, li2_model_work *w, size_t n, const int *x,
                        const int *y, double *grad, double *loss, size_t *ncorrect,
                        li2_error *err)
{
  double l;
  if (m->bn && n < 2)
    return li2_error_set(err, LI2_EINVAL,
                         "use_bn: a training batch of %zu sample has no batch variance "
                         "(torch's BatchNorm1d refuses it too; use batch_size >= 2)", n);
  if (!w->bH) {  /* residual layers: the unfused passes */
    int rc, keep = w->bn_batch;
    w->bn_batch = 1;  /* training: batch statistics (torch's model.train()) */
    rc = li2_model_forward(m, w, n, x, y, loss, ncorrect, err);
    if (!rc)
      rc = li2_model_backward(m, w, grad, 0, 0, err);
    w->bn_batch = keep;
    return rc;
  }
  if (n > w->nmax || n == 0)
    return li2_error_set(err, LI2_EINVAL, "step on %zu samples, workspace holds %zu", n, w->nmax);
  w->n = 0;  /* no forward state is left for li2_model_backward */
  if (m->embed) {  /* the fused step on P = E W, then dW and dE from dP */
    li2_model mp = *m;
    mp.W = (double *)embed_table(m, w);
    mp.embed = 0;
    mp.params = NULL;  /* not read by the step */
    {
      int rc = li2_model_step_grad(&mp, w, n, x, y, grad, loss, ncorrect, err);
      if (!rc)
        embed_grad(m, w, grad);
      return rc;
    }
  }
  if (w->cplx) {
    l = step_fused_z(m, w, n, x, y, grad, ncorrect);
    if (loss)
      *loss = l;
    return LI2_SUCCESS;
  }
#if LI2_KERNELS
  if (w->kernel != LI2_KERNEL_BLAS) {
    int isa = w->kernel == LI2_KERNEL_AVX512;
    l = w->single ? step_kern_f(m, w, &kern_f[isa], n, x, y, grad, ncorrect)
                  : step_kern_d(m, w, &kern_d[isa], n, x, y, grad, ncorrect);
    if (loss)
      *loss = l;
    return LI2_SUCCESS;
  }
#endif
  if (w->single) {
    to_float(w->pf, m->W, m->nW);  /* W | L | V (m->W may be embed_trainable's P) */
    to_float(w->pf + m->nW, m->L, m->nL + m->nV);
    l = m->bn ? step_fused_bn_f(m, w, n, x, y, w->pf, w->pf + m->nW + m->nL, grad, ncorrect)
              : step_fused_f(m, w, n, x, y, w->pf, w->pf + m->nW + m->nL, grad, ncorrect);
  } else {
    l = m->bn ? step_fused_bn_d(m, w, n, x, y, m->W, m->V, grad, ncorrect)
              : step_fused_d(m, w, n, x, y, m->W, m->V, grad, ncorrect);
  }
  if (loss)
    *loss = l;
  return LI2_SUCCESS;
}

int li2_model_grad_features(const li2_model *m, li2_model_work *w, size_t n,
                            const int *x, const int *y, double *F, double *GF,
                            double *loss, li2_error *err)
{
  int rc = li2_model_require_real(m, "G_F of the hidden layer", err);
  if (!rc)
    rc = li2_model_forward(m, w, n, x, y, loss, NULL, err);
  if (!rc)
    rc = li2_model_backward(m, w, NULL, 1, 1, err);
  if (rc)
    return rc;
  if (F)
    memcpy(F, li2_model_work_features(w), n * m->K * sizeof(double));
  if (GF) {
    const double *d = li2_model_work_dfeatures(w);
    for (size_t i = 0; i < n * m->K; i++)
      GF[i] = -d[i];
  }
  return LI2_SUCCESS;
}

double li2_model_gf_from_features(li2_loss l, size_t n, size_t K, size_t M,
                                  const double *F, const double *V, const int *y,
                                  double *O, double *dO, double *rowloss, double *GF)
{
  double loss;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)M, (int)K, 1.0, F,
              (int)K, V, (int)M, 0.0, O, (int)M);
  loss = li2_loss_eval(l, n, M, O, y, dO, rowloss, NULL);
  /* G_F = -dO V^T */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)K, (int)M, -1.0, dO,
              (int)M, V, (int)M, 0.0, GF, (int)K);
  return loss;
}

/* ---- added for the gradient analysis (li2 gradient, doc/mathematics.md section 2):
 * backprop of a loss other than the trainer's through the same top layer
 * (and residual layers) ---- */

const double *li2_model_work_outputs(const li2_model_work *w)
{
  return w->single ? NULL : (const double *)w->O;
}

int li2_model_backward_from_outputs(const li2_model *m, li2_model_work *w, const double *dO,
                                    li2_error *err)
{
  const size_t len = w->n * m->M;
  if (!w->backward || w->n == 0)
    return li2_error_set(err, LI2_EINVAL, "backward without a forward on a backward workspace");
  if (w->cplx)
    return li2_model_require_real(m, "backward from outputs", err);
  if (w->single) {
    to_float(w->pf + m->nW + m->nL, m->V, m->nV);
    to_float(w->dO, dO, len);
    backward_f(m, w, NULL, 1, 1, w->pf, w->pf + m->nW, w->pf + m->nW + m->nL);
  } else {
    memcpy(w->dO, dO, len * sizeof(double));
    backward_d(m, w, NULL, 1, 1, m->W, m->L, m->V);
  }
  return LI2_SUCCESS;
}
