/* Optimisers, schedules and the ridge solve (see optim.h). */
#include "optim.h"
#include "args.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_errno.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "clones.h"
#include "process.h"

/* Adam's loop divides by a square root: with errno semantics (C's sqrt)
 * GCC keeps it scalar, so on x86-64 it is written with vector types and
 * the sqrt instruction, chosen at run time (see adam_chunk). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define LI2_ADAM_VEC 1
#else
#define LI2_ADAM_VEC 0
#endif

const char *const li2_optim_names[] = {LI2_OPTIM_NAMES(LI2_NAME_STRING)};
const char *const li2_lr_decay_names[] = {LI2_LR_DECAY_NAMES(LI2_NAME_STRING)};
_Static_assert(sizeof li2_optim_names / sizeof *li2_optim_names == LI2_OPTIM_COUNT,
               "one name per optimiser");
_Static_assert(sizeof li2_lr_decay_names / sizeof *li2_lr_decay_names == LI2_LR_COUNT,
               "one name per schedule");

const char *li2_optim_name(li2_optim_type t)
{
  return li2_names_get(li2_optim_names, LI2_OPTIM_COUNT, (int)t);
}

const char *li2_lr_decay_name(li2_lr_decay d)
{
  return li2_names_get(li2_lr_decay_names, LI2_LR_COUNT, (int)d);
}

int li2_optim_parse(const char *s, li2_optim_type *t, const char *key, li2_error *err)
{
  int i, rc = li2_names_parse(li2_optim_names, LI2_OPTIM_COUNT, s, key, &i, err);
  if (!rc)
    *t = (li2_optim_type)i;
  return rc;
}

int li2_lr_decay_parse(const char *s, li2_lr_decay *d, const char *key, li2_error *err)
{
  int i, rc = li2_names_parse(li2_lr_decay_names, LI2_LR_COUNT, s, key, &i, err);
  if (!rc)
    *d = (li2_lr_decay)i;
  return rc;
}

void li2_optim_params_default(li2_optim_params *p, li2_optim_type type, double weight_decay)
{
  p->type = type;
  p->weight_decay = weight_decay;
  p->momentum = 0.9;
  p->beta1 = 0.9;
  p->beta2 = 0.999;
  p->eps = 1e-8;
  p->muon_beta = 0.99;
  p->muon_exact = 0;
}

struct li2_optim {
  li2_optim_params p;
  size_t n, rows, cols, nmat;  /* nmat = rows*cols for muon, else 0 */
  long t;
  size_t nstate;
  double *state;   /* sgd: b (n); adam/adamw: m, v (n each);
                      muon: mu (nmat), m, v (n - nmat each) */
  double *work;    /* muon: orthogonalisation workspace and result */
  double *q;
};

void li2_optim_free(li2_optim *o)
{
  if (!o)
    return;
  free(o->state);
  free(o->work);
  free(o->q);
  free(o);
}

li2_optim *li2_optim_alloc(const li2_optim_params *p, size_t n, size_t rows, size_t cols,
                           li2_error *err)
{
  li2_optim *o = calloc(1, sizeof *o);
  if (!o)
    goto nomem;
  o->p = *p;
  o->n = n;
  o->rows = rows;
  o->cols = cols;
  if (p->type == LI2_OPTIM_MUON) {
    if (rows * cols > n || rows == 0 || cols == 0) {
      free(o);
      return li2_error_set(err, LI2_EINVAL, "optim=muon: matrix %zu x %zu outside %zu parameters",
                           rows, cols, n), NULL;
    }
    o->nmat = rows * cols;
  }
  switch (p->type) {
  case LI2_OPTIM_SGD: o->nstate = n; break;
  case LI2_OPTIM_ADAM:
  case LI2_OPTIM_ADAMW: o->nstate = 2 * n; break;
  case LI2_OPTIM_MUON: o->nstate = o->nmat + 2 * (n - o->nmat); break;
  default:
    free(o);
    return li2_error_set(err, LI2_EINVAL, "optim: unknown optimiser"), NULL;
  }
  o->state = calloc(o->nstate ? o->nstate : 1, sizeof(double));
  if (!o->state)
    goto nomem;
  if (p->type == LI2_OPTIM_MUON) {
    size_t ws = p->muon_exact ? li2_optim_polar_work_size(rows, cols)
                              : li2_optim_ns_work_size(rows, cols);
    o->work = malloc(ws * sizeof(double));
    o->q = malloc(o->nmat * sizeof(double));
    if (!o->work || !o->q)
      goto nomem;
  }
  return o;
nomem:
  li2_optim_free(o);
  li2_error_set(err, LI2_ENOMEM, "out of memory for the optimiser state of %zu parameters", n);
  return NULL;
}

size_t li2_optim_state_size(const li2_optim *o) { return o->nstate; }
double *li2_optim_state(li2_optim *o) { return o->state; }
long li2_optim_steps(const li2_optim *o) { return o->t; }
void li2_optim_set_steps(li2_optim *o, long t) { o->t = t; }

/* torch.Tensor.lerp_: a + w (b - a), written as torch evaluates it. */
static inline double lerp(double a, double b, double w)
{
  return w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/* One thread's share of Adam: L2 term WD x added to the gradient (0 for
 * AdamW), moments, step. */
static void adam_scalar(size_t n, double *restrict x, const double *restrict g,
                        double *restrict m, double *restrict v, double wd, double b1, double b2,
                        double step, double bc2s, double eps)
{
  for (size_t i = 0; i < n; i++) {
    double gi = g[i] + wd * x[i];
    m[i] = lerp(m[i], gi, 1 - b1);
    v[i] = v[i] * b2 + (1 - b2) * gi * gi;
    x[i] -= step * (m[i] / (sqrt(v[i]) / bc2s + eps));
  }
}

#if LI2_ADAM_VEC
/* The same update on vectors T of L doubles (SQRT their square root),
 * lerp's two branches on the scalar weight.  The last partial vector goes
 * through the same code, zero-padded, so every element is computed alike
 * wherever the thread chunks split: Adam stays independent of the thread
 * count. */
#define ADAM_VEC(T, L, SQRT)                                                   \
  const double w = 1 - b1;                                                     \
  for (size_t i = 0; i < n; i += L) {                                          \
    const size_t len = n - i < L ? n - i : L, bytes = len * sizeof(double);    \
    T X = {0}, G = {0}, Mv = {0}, Vv = {0};                                    \
    if (len == L) { /* constant sizes: plain vector loads and stores */        \
      memcpy(&X, x + i, sizeof X);                                             \
      memcpy(&G, g + i, sizeof G);                                             \
      memcpy(&Mv, m + i, sizeof Mv);                                           \
      memcpy(&Vv, v + i, sizeof Vv);                                           \
    } else {                                                                   \
      memcpy(&X, x + i, bytes);                                                \
      memcpy(&G, g + i, bytes);                                                \
      memcpy(&Mv, m + i, bytes);                                               \
      memcpy(&Vv, v + i, bytes);                                               \
    }                                                                          \
    G = G + wd * X;                                                            \
    Mv = w < 0.5 ? Mv + w * (G - Mv) : G - (G - Mv) * (1 - w);                 \
    Vv = Vv * b2 + (1 - b2) * G * G;                                           \
    X -= step * (Mv / (SQRT(Vv) / bc2s + eps));                                \
    if (len == L) {                                                            \
      memcpy(x + i, &X, sizeof X);                                             \
      memcpy(m + i, &Mv, sizeof Mv);                                           \
      memcpy(v + i, &Vv, sizeof Vv);                                           \
    } else {                                                                   \
      memcpy(x + i, &X, bytes);                                                \
      memcpy(m + i, &Mv, bytes);                                               \
      memcpy(v + i, &Vv, bytes);                                               \
    }                                                                          \
  }

__attribute__((target("arch=x86-64-v4"))) static void
adam_avx512(size_t n, double *restrict x, const double *restrict g, double *restrict m,
            double *restrict v, double wd, double b1, double b2, double step, double bc2s,
            double eps)
{
  ADAM_VEC(__m512d, 8, _mm512_sqrt_pd)
}

__attribute__((target("arch=x86-64-v3"))) static void
adam_avx2(size_t n, double *restrict x, const double *restrict g, double *restrict m,
          double *restrict v, double wd, double b1, double b2, double step, double bc2s,
          double eps)
{
  ADAM_VEC(__m256d, 4, _mm256_sqrt_pd)
}
#undef ADAM_VEC
#endif

static void adam_chunk(size_t n, double *restrict x, const double *restrict g,
                       double *restrict m, double *restrict v, double wd, double b1, double b2,
                       double step, double bc2s, double eps)
{
#if LI2_ADAM_VEC
  if (__builtin_cpu_supports("x86-64-v4"))
    adam_avx512(n, x, g, m, v, wd, b1, b2, step, bc2s, eps);
  else if (__builtin_cpu_supports("x86-64-v3"))
    adam_avx2(n, x, g, m, v, wd, b1, b2, step, bc2s, eps);
  else
#endif
    adam_scalar(n, x, g, m, v, wd, b1, b2, step, bc2s, eps);
}

/* torch.optim.Adam's single-tensor step on x[0..n-1], with L2 weight
 * decay WD folded into the gradient. */
static void adam_update(const li2_optim_params *p, long t, double lr, size_t n, double *x,
                        const double *g, double *m, double *v, double wd)
{
  const double b1 = p->beta1, b2 = p->beta2, eps = p->eps;
  const double bc1 = 1 - pow(b1, (double)t), bc2 = 1 - pow(b2, (double)t);
  const double step = lr / bc1, bc2s = sqrt(bc2);
#pragma omp parallel
  {
    size_t i0, i1;
    li2_process_share(n, &i0, &i1);
    adam_chunk(i1 - i0, x + i0, g + i0, m + i0, v + i0, wd, b1, b2, step, bc2s, eps);
  }
}

static void add_l2(size_t n, double *g, const double *x, double wd)
{
  if (wd == 0)
    return;
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    g[i] += wd * x[i];
}

static void decay(size_t n, double *x, double f)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    x[i] *= f;
}

int li2_optim_step(li2_optim *o, double lr, double *x, double *g, li2_error *err)
{
  const li2_optim_params *p = &o->p;
  const size_t n = o->n;
  const double wd = p->weight_decay;
  o->t++;
  switch (p->type) {
  case LI2_OPTIM_SGD: {
    double *b = o->state, mu = p->momentum;
    add_l2(n, g, x, wd);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
      b[i] = o->t == 1 ? g[i] : mu * b[i] + g[i];
      x[i] -= lr * b[i];
    }
    break;
  }
  case LI2_OPTIM_ADAM:
    adam_update(p, o->t, lr, n, x, g, o->state, o->state + n, wd);
    break;
  case LI2_OPTIM_ADAMW:
    if (wd != 0)
      decay(n, x, 1 - lr * wd);
    adam_update(p, o->t, lr, n, x, g, o->state, o->state + n, 0.0);
    break;
  case LI2_OPTIM_MUON: {
    const size_t nm = o->nmat, rest = n - nm;
    double *mu = o->state, w = 1 - p->muon_beta;
    /* W: decoupled decay, momentum, orthogonalised step (doc/mathematics.md section 6) */
    if (wd != 0)
      decay(nm, x, 1 - lr * wd);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < nm; i++)
      mu[i] = lerp(mu[i], g[i], w);
    if (p->muon_exact) {
      int rc = li2_optim_polar(o->rows, o->cols, mu, o->q, o->work, err);
      if (rc)
        return rc;
    } else {
      li2_optim_newton_schulz(o->rows, o->cols, mu, o->q, o->work);
    }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < nm; i++)
      x[i] -= lr * o->q[i];
    /* the rest: Adam with L2, as the reference's Adam on V */
    if (rest)
      adam_update(p, o->t, lr, rest, x + nm, g + nm, o->state + nm, o->state + nm + rest, wd);
    break;
  }
  default:
    return li2_error_set(err, LI2_EINVAL, "optim: unknown optimiser");
  }
  return LI2_SUCCESS;
}

/* ---- Newton-Schulz and the exact polar factor ---- */

size_t li2_optim_ns_work_size(size_t r, size_t c)
{
  size_t s = r < c ? r : c;
  return 2 * r * c + 2 * s * s;
}

void li2_optim_newton_schulz(size_t r, size_t c, const double *G, double *Q, double *work)
{
  static const double coef[5][3] = {
    {4.01, -9.22, 5.80}, {3.49, -6.38, 3.23}, {3.34, -6.21, 3.20},
    {3.64, -7.48, 4.43}, {3.46, -5.35, 2.85},
  };
  const int wide = r <= c;
  const size_t s = wide ? r : c, rc = r * c;
  double *X = work, *X2 = work + rc, *A = X2 + rc, *B = A + s * s, nrm;
  nrm = cblas_dnrm2((int)rc, G, 1);
  for (size_t i = 0; i < rc; i++)
    X[i] = G[i] / (nrm + 1e-7);
  for (int it = 0; it < 5; it++) {
    const double a = coef[it][0], b = coef[it][1], cc = coef[it][2];
    double *tmp;
    /* wide: A = X X^T (r x r), X <- a X + B X;  tall: A = X^T X (c x c),
     * X <- a X + X B  (the transpose of the same iteration) */
    if (wide)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)s, (int)s, (int)c, 1.0, X,
                  (int)c, X, (int)c, 0.0, A, (int)s);
    else
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)s, (int)s, (int)r, 1.0, X,
                  (int)c, X, (int)c, 0.0, A, (int)s);
    for (size_t i = 0; i < s * s; i++)
      B[i] = b * A[i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)s, (int)s, (int)s, cc, A,
                (int)s, A, (int)s, 1.0, B, (int)s);
    for (size_t i = 0; i < rc; i++)
      X2[i] = a * X[i];
    if (wide)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)c, (int)r, 1.0, B,
                  (int)r, X, (int)c, 1.0, X2, (int)c);
    else
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)c, (int)c, 1.0, X,
                  (int)c, B, (int)c, 1.0, X2, (int)c);
    tmp = X;
    X = X2;
    X2 = tmp;
  }
  memcpy(Q, X, rc * sizeof(double));
}

size_t li2_optim_polar_work_size(size_t r, size_t c)
{
  size_t s = r < c ? r : c;
  return r * c + s * s + 2 * s;
}

int li2_optim_polar(size_t r, size_t c, const double *G, double *Q, double *work,
                    li2_error *err)
{
  /* GSL's SVD wants a tall matrix: decompose G (r >= c) or G^T. */
  const int tall = r >= c;
  const size_t m = tall ? r : c, s = tall ? c : r;
  double *A = work, *Vw = A + r * c, *S = Vw + s * s, *wk = S + s;
  gsl_matrix_view Av = gsl_matrix_view_array(A, m, s);
  gsl_matrix_view Vv = gsl_matrix_view_array(Vw, s, s);
  gsl_vector_view Sv = gsl_vector_view_array(S, s), Wv = gsl_vector_view_array(wk, s);
  int st;
  if (tall)
    memcpy(A, G, r * c * sizeof(double));
  else
    for (size_t i = 0; i < r; i++)
      for (size_t j = 0; j < c; j++)
        A[j * r + i] = G[i * c + j];
  li2_process_gsl_mute();
  st = gsl_linalg_SV_decomp(&Av.matrix, &Vv.matrix, &Sv.vector, &Wv.vector);
  li2_process_gsl_unmute();
  if (st)
    return li2_error_set(err, LI2_ENUMERIC, "muon_exact: SVD failed: %s", gsl_strerror(st));
  /* Directions of zero singular values get 0, not the SVD's arbitrary
   * singular vectors: Q = U sign(S) V^T, the limit Newton-Schulz converges
   * to, so Q = 0 at G = 0 and |Q|_F^2 = rank G.  Tolerance as numerical
   * rank: max(r, c) eps s_max. */
  {
    const double tol = (double)m * DBL_EPSILON * (s ? S[0] : 0);
    for (size_t k = 0; k < s; k++)
      if (!(S[k] > tol))
        for (size_t i = 0; i < s; i++)
          Vw[i * s + k] = 0;
  }
  /* tall: Q = U V^T (r x c);  wide: G^T = U S V^T, so Q = V U^T */
  if (tall)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)r, (int)c, (int)c, 1.0, A,
                (int)c, Vw, (int)c, 0.0, Q, (int)c);
  else
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)r, (int)c, (int)r, 1.0, Vw,
                (int)r, A, (int)r, 0.0, Q, (int)c);
  return LI2_SUCCESS;
}

/* ---- learning-rate schedules ---- */

double li2_lr_at(const li2_lr_schedule *s, long e)
{
  size_t k = 0;
  switch (s->type) {
  case LI2_LR_STEP:
    return s->lr * pow(s->rate, (double)(e / (s->step > 0 ? s->step : 1)));
  case LI2_LR_EXPONENTIAL:
    return s->lr * pow(s->rate, (double)e);
  case LI2_LR_COSINE:
    if (s->total <= 0)
      return s->lr;
    return s->lr * (1 + cos(M_PI * (double)e / (double)s->total)) / 2;
  case LI2_LR_MULTISTEP:
    for (size_t i = 0; i < s->nmilestones; i++)
      k += s->milestones[i] <= e;
    return s->lr * pow(s->rate, (double)k);
  default:
    return s->lr;
  }
}

int li2_lr_parse_milestones(li2_lr_schedule *s, const char *text, li2_error *err)
{
  const char *p = text;
  s->nmilestones = 0;
  while (*p) {
    char *end;
    long v;
    errno = 0;
    v = strtol(p, &end, 10);
    if (end == p || errno || v <= 0 ||
        (s->nmilestones && v <= s->milestones[s->nmilestones - 1]))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter lr_decay_milestones: '%s' is not an increasing list of "
                           "positive epochs (e.g. 1000,2000)", text);
    if (s->nmilestones == LI2_LR_MAX_MILESTONES)
      return li2_error_set(err, LI2_EINVAL, "parameter lr_decay_milestones: more than %d",
                           LI2_LR_MAX_MILESTONES);
    s->milestones[s->nmilestones++] = v;
    p = end;
    if (*p == ',')
      p++;
    else if (*p)
      return li2_error_set(err, LI2_EINVAL,
                           "parameter lr_decay_milestones: '%s' is not a comma-separated list",
                           text);
  }
  return LI2_SUCCESS;
}

/* ---- ridge regression ---- */

struct li2_ridge {
  size_t nmax, K, M;
  int center;
  double *G;     /* s x s Gram matrix, s = min(n, K) */
  double *R;     /* right-hand side: K x M (primal) or n x M (dual) */
  double *Fc;    /* centred copy of F (center only) */
  double *Y;     /* targets from labels / centred targets (nmax x M) */
  double *mean;  /* column means (max(K, M)) */
};

void li2_ridge_free(li2_ridge *r)
{
  if (!r)
    return;
  free(r->G);
  free(r->R);
  free(r->Fc);
  free(r->Y);
  free(r->mean);
  free(r);
}

li2_ridge *li2_ridge_alloc(size_t nmax, size_t K, size_t M, int center, li2_error *err)
{
  li2_ridge *r = calloc(1, sizeof *r);
  size_t s = nmax < K ? nmax : K, big = nmax > K ? nmax : K;
  if (!r)
    goto nomem;
  r->nmax = nmax;
  r->K = K;
  r->M = M;
  r->center = center;
  r->G = malloc(s * s * sizeof(double));
  r->R = malloc(big * M * sizeof(double));
  r->Y = malloc(nmax * M * sizeof(double));
  r->mean = malloc((K > M ? K : M) * sizeof(double));
  if (center)
    r->Fc = malloc(nmax * K * sizeof(double));
  if (!r->G || !r->R || !r->Y || !r->mean || (center && !r->Fc))
    goto nomem;
  return r;
nomem:
  li2_ridge_free(r);
  li2_error_set(err, LI2_ENOMEM, "out of memory for a ridge workspace (%zu x %zu)", nmax, K);
  return NULL;
}

void li2_column_means(size_t n, size_t d, const double *A, double *mean)
{
  for (size_t j = 0; j < d; j++)
    mean[j] = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      mean[j] += A[i * d + j];
  for (size_t j = 0; j < d; j++)
    mean[j] /= (double)n;
}

static void center_columns(size_t n, size_t d, const double *A, double *out, double *mean)
{
  li2_column_means(n, d, A, mean);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      out[i * d + j] = A[i * d + j] - mean[j];
}

int li2_ridge_solve(li2_ridge *r, size_t n, const double *F, const double *Y, double lambda,
                    double *V, li2_error *err)
{
  const size_t K = r->K, M = r->M;
  const int primal = K <= n;
  const size_t s = primal ? K : n;
  gsl_matrix_view Gv;
  int st;
  if (n > r->nmax || n == 0)
    return li2_error_set(err, LI2_EINVAL, "ridge solve on %zu samples, workspace holds %zu", n,
                         r->nmax);
  if (!(lambda >= 0))
    return li2_error_set(err, LI2_EINVAL, "set_weight_reg=%g: must be >= 0", lambda);
  if (r->center) {
    center_columns(n, K, F, r->Fc, r->mean);
    if (Y != r->Y)
      center_columns(n, M, Y, r->Y, r->mean);
    else {  /* centre in place */
      for (size_t j = 0; j < M; j++)
        r->mean[j] = 0;
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < M; j++)
          r->mean[j] += r->Y[i * M + j];
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < M; j++)
          r->Y[i * M + j] -= r->mean[j] / (double)n;
    }
    F = r->Fc;
    Y = r->Y;
  }
  /* Gram matrix of the smaller side plus lambda I (lower triangle) */
  if (primal)
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)K, (int)n, 1.0, F, (int)K, 0.0,
                r->G, (int)K);
  else
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, (int)K, 1.0, F, (int)K, 0.0,
                r->G, (int)n);
  for (size_t i = 0; i < s; i++) {
    r->G[i * s + i] += lambda;
    for (size_t j = i + 1; j < s; j++)  /* mirror for GSL, which reads the lower part */
      r->G[i * s + j] = r->G[j * s + i];
  }
  Gv = gsl_matrix_view_array(r->G, s, s);
  li2_process_gsl_mute();
  st = gsl_linalg_cholesky_decomp1(&Gv.matrix);
  li2_process_gsl_unmute();
  if (st)
    return li2_error_set(err, LI2_ENUMERIC,
                         "set_weight_reg=%g: features' Gram matrix plus lambda I is not "
                         "positive definite (use a positive set_weight_reg)", lambda);
  if (primal) {
    /* R = F^T Y, then solve G V = R */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)M, (int)n, 1.0, F, (int)K,
                Y, (int)M, 0.0, V, (int)M);
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)K,
                (int)M, 1.0, r->G, (int)K, V, (int)M);
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, (int)K, (int)M,
                1.0, r->G, (int)K, V, (int)M);
  } else {
    /* Z = (F F^T + lambda I)^{-1} Y, V = F^T Z */
    memcpy(r->R, Y, n * M * sizeof(double));
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)n,
                (int)M, 1.0, r->G, (int)n, r->R, (int)M);
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, (int)n, (int)M,
                1.0, r->G, (int)n, r->R, (int)M);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)M, (int)n, 1.0, F, (int)K,
                r->R, (int)M, 0.0, V, (int)M);
  }
  return LI2_SUCCESS;
}

int li2_ridge_solve_labels(li2_ridge *r, size_t n, const double *F, const int *labels,
                           double lambda, double *V, li2_error *err)
{
  const size_t M = r->M;
  if (n > r->nmax)
    return li2_error_set(err, LI2_EINVAL, "ridge solve on %zu samples, workspace holds %zu", n,
                         r->nmax);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < M; j++)
      r->Y[i * M + j] = -1.0 / (double)M;
    r->Y[i * M + (size_t)labels[i]] += 1.0;
  }
  return li2_ridge_solve(r, n, F, r->Y, lambda, V, err);
}
