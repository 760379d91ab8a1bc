/* The Stage II energy E(w) and its analytic gradient (doc/mathematics.md section 3).
 * See energy.h for the definitions and the two evaluation paths. */
#include "energy.h"
#include "args.h"
#include "fourier.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

struct li2_energy {
  const li2_group *g;
  const li2_dataset *d;
  size_t M, n, dim;
  li2_activation act;
  double qa, qb;     /* activation=quad: sigma(x) = qa x + qb x^2 */
  int variant, method, full;
  /* direct path */
  double *count;     /* M: training pairs per label */
  double *f, *fp;    /* n: sigma(z_i), sigma'(z_i) */
  double *S;         /* M: centred class sums */
  double *wt;        /* n: sample weights of the uncentred variant (1) */
  /* Theorem 7's E_S (li2_energy_set_learned) */
  li2_fourier *learned_f;   /* borrowed; NULL: plain E */
  size_t *learned;          /* components of S */
  size_t nlearned;
  double *Sp;               /* M: projection of S[] onto one component */
  /* FFT path */
  size_t nhalf;      /* length of the half spectrum */
  double *wgt;       /* nhalf: multiplicity of each half-spectrum entry */
  double *ru, *rv, *rg, *rh;   /* rh: 4 M, the Hessian's generating vectors */
  fftw_complex *cu, *cv, *cx;
  fftw_plan r2c, c2r;
};

const char *const li2_energy_variant_names[] = {LI2_ENERGY_VARIANT_NAMES(LI2_NAME_STRING)};
const char *const li2_energy_method_names[] = {LI2_ENERGY_METHOD_NAMES(LI2_NAME_STRING)};
_Static_assert(sizeof li2_energy_variant_names / sizeof *li2_energy_variant_names ==
                   LI2_ENERGY_VARIANT_COUNT, "one name per variant");
_Static_assert(sizeof li2_energy_method_names / sizeof *li2_energy_method_names ==
                   LI2_ENERGY_METHOD_COUNT, "one name per method");

int li2_energy_variant_from_name(const char *name)
{
  return li2_names_find(li2_energy_variant_names, LI2_ENERGY_VARIANT_COUNT, name);
}

const char *li2_energy_variant_name(int variant)
{
  return li2_names_get(li2_energy_variant_names, LI2_ENERGY_VARIANT_COUNT, variant);
}

void li2_energy_free(li2_energy *e)
{
  if (!e)
    return;
  free(e->count);
  free(e->f);
  free(e->fp);
  free(e->S);
  free(e->wt);
  free(e->Sp);
  free(e->learned);
  free(e->wgt);
  if (e->r2c)
    fftw_destroy_plan(e->r2c);
  if (e->c2r)
    fftw_destroy_plan(e->c2r);
  fftw_free(e->ru);
  fftw_free(e->rv);
  fftw_free(e->rg);
  fftw_free(e->rh);
  fftw_free(e->cu);
  fftw_free(e->cv);
  fftw_free(e->cx);
  free(e);
}

/* Every pair (a, b) exactly once? */
static int is_full(const li2_dataset *d, size_t M)
{
  if (d->ntrain != M * M)
    return 0;
  unsigned char *seen = calloc(M * M, 1);
  int full = seen != NULL;
  for (size_t i = 0; full && i < d->ntrain; i++) {
    size_t k = (size_t)d->train_x[2 * i] * M + (size_t)d->train_x[2 * i + 1];
    if (seen[k])
      full = 0;
    seen[k] = 1;
  }
  free(seen);
  return full;
}

static int fft_setup(li2_energy *e, li2_error *err)
{
  const li2_group *g = e->g;
  int rank = (int)g->nfactors, dims[LI2_GROUP_MAX_FACTORS];
  size_t last = g->factors[g->nfactors - 1], outer = e->M / last;
  for (int i = 0; i < rank; i++)
    dims[i] = (int)g->factors[i];
  e->nhalf = outer * (last / 2 + 1);
  e->wgt = malloc(e->nhalf * sizeof *e->wgt);
  e->ru = fftw_malloc(e->M * sizeof(double));
  e->rv = fftw_malloc(e->M * sizeof(double));
  e->rg = fftw_malloc(e->M * sizeof(double));
  e->rh = fftw_malloc(4 * e->M * sizeof(double));
  e->cu = fftw_malloc(e->nhalf * sizeof(fftw_complex));
  e->cv = fftw_malloc(e->nhalf * sizeof(fftw_complex));
  e->cx = fftw_malloc(e->nhalf * sizeof(fftw_complex));
  if (!e->wgt || !e->ru || !e->rv || !e->rg || !e->rh || !e->cu || !e->cv || !e->cx)
    return li2_error_set(err, LI2_ENOMEM, "energy: out of memory (FFT buffers, M=%zu)", e->M);
  /* The r2c output keeps last/2+1 of the last dimension; every other entry
   * stands for itself and its conjugate partner, so it counts twice. */
  for (size_t j = 0; j < e->nhalf; j++) {
    size_t kl = j % (last / 2 + 1);
    e->wgt[j] = (kl == 0 || (last % 2 == 0 && kl == last / 2)) ? 1.0 : 2.0;
  }
  /* FFTW_ESTIMATE: the plan does not depend on timing, so results are
   * reproducible bit for bit. */
  e->r2c = fftw_plan_dft_r2c(rank, dims, e->ru, e->cu, FFTW_ESTIMATE);
  e->c2r = fftw_plan_dft_c2r(rank, dims, e->cx, e->rg, FFTW_ESTIMATE);
  if (!e->r2c || !e->c2r)
    return li2_error_set(err, LI2_EUNSUP, "energy: FFTW could not plan a transform of size %zu", e->M);
  return LI2_SUCCESS;
}

li2_energy *li2_energy_alloc(const li2_group *g, const li2_dataset *d,
                             li2_activation activation, int variant, int method,
                             li2_error *err)
{
  li2_energy *e;
  int fft_ok;
  if (!g || !d) {
    li2_error_set(err, LI2_EINVAL, "energy: missing group or data set");
    return NULL;
  }
  if (d->nops != 2 || d->order != g->order) {
    li2_error_set(err, LI2_EINVAL,
                  "energy: the data set must hold pairs over the group (num_of_ops=%d, order %zu vs %zu)",
                  d->nops, d->order, g->order);
    return NULL;
  }
  if ((int)activation < 0 || activation >= LI2_ACT_COUNT) {
    li2_error_set(err, LI2_EINVAL, "activation: unknown activation %d", activation);
    return NULL;
  }
  if (variant != LI2_ENERGY_RAW && variant != LI2_ENERGY_NORMALIZED &&
      variant != LI2_ENERGY_UNCENTRED) {
    li2_error_set(err, LI2_EINVAL, "energy: unknown variant %d", variant);
    return NULL;
  }
  if (d->ntrain == 0) {
    li2_error_set(err, LI2_EINVAL, "energy: empty training set");
    return NULL;
  }
  e = calloc(1, sizeof *e);
  if (!e) {
    li2_error_set(err, LI2_ENOMEM, "energy: out of memory");
    return NULL;
  }
  e->g = g;
  e->d = d;
  e->M = g->order;
  e->n = d->ntrain;
  e->dim = 2 * e->M;
  e->act = activation;
  e->qa = 1.0;
  e->qb = 1.0;
  e->variant = variant;
  e->full = is_full(d, e->M);
  fft_ok = e->full && activation == LI2_ACT_SQR && variant == LI2_ENERGY_RAW &&
           g->abelian && g->nfactors > 0 && e->M >= 2;
  if (method == LI2_ENERGY_FFT && !fft_ok) {
    li2_error_set(err, LI2_EUNSUP,
                  "energy: the FFT path needs full data, activation=sqr, energy=raw and an "
                  "abelian group with known cyclic factors (%s)", g->name);
    li2_energy_free(e);
    return NULL;
  }
  e->method = (method == LI2_ENERGY_DIRECT || !fft_ok) ? LI2_ENERGY_DIRECT : LI2_ENERGY_FFT;
  e->count = calloc(e->M, sizeof *e->count);
  e->S = malloc(e->M * sizeof *e->S);
  e->f = malloc(e->n * sizeof *e->f);
  e->fp = malloc(e->n * sizeof *e->fp);
  e->wt = malloc(e->n * sizeof *e->wt);
  if (!e->count || !e->S || !e->f || !e->fp || !e->wt) {
    li2_error_set(err, LI2_ENOMEM, "energy: out of memory (n=%zu)", e->n);
    li2_energy_free(e);
    return NULL;
  }
  for (size_t i = 0; i < e->n; i++) {
    e->count[d->train_y[i]] += 1.0;
    e->wt[i] = 1.0;
  }
  if (e->method == LI2_ENERGY_FFT && fft_setup(e, err)) {
    li2_energy_free(e);
    return NULL;
  }
  return e;
}

int li2_energy_set_learned(li2_energy *e, li2_fourier *f, const size_t *comp, size_t ns,
                           li2_error *err)
{
  size_t *c = NULL;
  double *Sp = e->Sp;
  if (ns && !f)
    return li2_error_set(err, LI2_EINVAL, "energy: a learned set needs a Fourier workspace");
  for (size_t k = 0; k < ns; k++)
    if (comp[k] == 0 || comp[k] >= li2_fourier_ncomponents(f))
      return li2_error_set(err, LI2_EINVAL,
                           "learned: component %zu is not a non-trivial component (1..%zu)",
                           comp[k], li2_fourier_ncomponents(f) - 1);
  if (ns && (!(c = malloc(ns * sizeof *c)) || (!Sp && !(Sp = malloc(e->M * sizeof *Sp))))) {
    free(c);
    return li2_error_set(err, LI2_ENOMEM, "energy: out of memory");
  }
  if (ns)
    memcpy(c, comp, ns * sizeof *c);
  free(e->learned);
  e->learned = c;
  e->nlearned = ns;
  e->Sp = Sp;
  e->learned_f = ns ? f : NULL;
  /* The FFT path and its analytic Hessian hold E over every frequency. */
  if (ns)
    e->method = LI2_ENERGY_DIRECT;
  return LI2_SUCCESS;
}

size_t li2_energy_dim(const li2_energy *e) { return e->dim; }
size_t li2_energy_nsamples(const li2_energy *e) { return e->n; }
int li2_energy_method_used(const li2_energy *e) { return e->method; }
li2_activation li2_energy_activation(const li2_energy *e) { return e->act; }

int li2_energy_set_weights(li2_energy *e, const double *p, li2_error *err)
{
  if (e->variant != LI2_ENERGY_UNCENTRED)
    return li2_error_set(err, LI2_EINVAL, "energy: sample weights need the uncentred variant");
  for (size_t i = 0; i < e->n; i++)
    if (!isfinite(p[i]) || p[i] < 0)
      return li2_error_set(err, LI2_EINVAL, "energy: weight %zu is %g (must be finite, >= 0)", i,
                           p[i]);
  memcpy(e->wt, p, e->n * sizeof *p);
  return LI2_SUCCESS;
}

int li2_energy_set_quad(li2_energy *e, double a, double b, li2_error *err)
{
  if (e->act != LI2_ACT_QUAD)
    return li2_error_set(err, LI2_EINVAL, "act_a, act_b: only for activation=quad (not %s)",
                         li2_activation_name(e->act));
  if (!isfinite(a) || !isfinite(b))
    return li2_error_set(err, LI2_EINVAL, "act_a, act_b: must be finite (%g, %g)", a, b);
  e->qa = a;
  e->qb = b;
  return LI2_SUCCESS;
}

void li2_energy_quad(const li2_energy *e, double *a, double *b)
{
  *a = e->qa;
  *b = e->qb;
}
int li2_energy_variant(const li2_energy *e) { return e->variant; }
int li2_energy_full_data(const li2_energy *e) { return e->full; }

/* f_i = sigma(z_i), fp_i = sigma'(z_i) on every training pair. */
static void forward(li2_energy *e, const double *w)
{
  const double *u = w, *v = w + e->M;
  const int *x = e->d->train_x;
  double *f = e->f, *fp = e->fp;
  size_t n = e->n;
  switch (e->act) {
  case LI2_ACT_SQR:
    for (size_t i = 0; i < n; i++) {
      double z = u[x[2 * i]] + v[x[2 * i + 1]];
      f[i] = z * z;
      fp[i] = 2 * z;
    }
    break;
  case LI2_ACT_RELU:
    for (size_t i = 0; i < n; i++) {
      double z = u[x[2 * i]] + v[x[2 * i + 1]];
      f[i] = z > 0 ? z : 0;
      fp[i] = z > 0 ? 1 : 0;
    }
    break;
  case LI2_ACT_SILU:
    for (size_t i = 0; i < n; i++) {
      double z = u[x[2 * i]] + v[x[2 * i + 1]];
      double s = 1.0 / (1.0 + exp(-z));
      f[i] = z * s;
      fp[i] = s * (1.0 + z * (1.0 - s));
    }
    break;
  case LI2_ACT_TANH:
    for (size_t i = 0; i < n; i++) {
      double t = tanh(u[x[2 * i]] + v[x[2 * i + 1]]);
      f[i] = t;
      fp[i] = 1.0 - t * t;
    }
    break;
  case LI2_ACT_SIGMOID:
    for (size_t i = 0; i < n; i++) {
      double s = 1.0 / (1.0 + exp(-(u[x[2 * i]] + v[x[2 * i + 1]])));
      f[i] = s;
      fp[i] = s * (1.0 - s);
    }
    break;
  case LI2_ACT_QUAD:
    for (size_t i = 0; i < n; i++) {
      double z = u[x[2 * i]] + v[x[2 * i + 1]];
      f[i] = z * (e->qa + e->qb * z);
      fp[i] = e->qa + 2.0 * e->qb * z;
    }
    break;
  default: /* relusqr */
    for (size_t i = 0; i < n; i++) {
      double z = u[x[2 * i]] + v[x[2 * i + 1]];
      f[i] = z > 0 ? z * z : 0;
      fp[i] = z > 0 ? 2 * z : 0;
    }
    break;
  }
}

static double mean_feature(const li2_energy *e)
{
  double s = 0;
  for (size_t i = 0; i < e->n; i++)
    s += e->f[i];
  return s / (double)e->n;
}

/* Direct path: S[h] = C[h] - n_h mean(f), E = 1/2 |S|^2. */
static int eval_direct(li2_energy *e, const double *w, double *E, double *grad)
{
  const int *x = e->d->train_x, *y = e->d->train_y;
  size_t M = e->M, n = e->n;
  double fbar, raw = 0, Q = 0, mS = 0, En;
  forward(e, w);
  /* uncentred: S[h] = sum_{i in h} p_i f_i (fbar = 0, weights p) */
  fbar = e->variant == LI2_ENERGY_UNCENTRED ? 0.0 : mean_feature(e);
  for (size_t h = 0; h < M; h++)
    e->S[h] = -e->count[h] * fbar;
  for (size_t i = 0; i < n; i++)
    e->S[y[i]] += e->wt[i] * e->f[i];
  /* E_S (Theorem 7): S[] less its projections on the learned components;
   * the projection is symmetric, so the gradient below keeps its form. */
  for (size_t k = 0; k < e->nlearned; k++) {
    if (li2_fourier_project(e->learned_f, e->S, e->learned[k], e->Sp))
      return LI2_ENUMERIC;
    for (size_t h = 0; h < M; h++)
      e->S[h] -= e->Sp[h];
  }
  for (size_t h = 0; h < M; h++) {
    raw += e->S[h] * e->S[h];
    mS += e->count[h] * e->S[h];
  }
  raw *= 0.5;
  mS /= (double)n;
  if (e->variant == LI2_ENERGY_NORMALIZED) {
    for (size_t i = 0; i < n; i++)
      Q += (e->f[i] - fbar) * (e->f[i] - fbar);
    if (!(Q > 0)) {
      *E = NAN;
      return LI2_ENUMERIC;
    }
    En = raw / Q;
  } else
    En = raw;
  *E = En;
  if (!isfinite(En))
    return LI2_ENUMERIC;
  if (!grad)
    return LI2_SUCCESS;
  memset(grad, 0, e->dim * sizeof *grad);
  /* dE/df_i = S[y_i] - mean_j S[y_j] (= (P Y S)_i); for the quotient,
   * d(E/Q)/df_i = (dE/df_i - (E/Q) 2 (f_i - fbar)) / Q. */
  if (e->variant == LI2_ENERGY_NORMALIZED) {
    double iq = 1.0 / Q;
    for (size_t i = 0; i < n; i++) {
      double gi = (e->S[y[i]] - mS - 2.0 * En * (e->f[i] - fbar)) * iq * e->fp[i];
      grad[x[2 * i]] += gi;
      grad[M + x[2 * i + 1]] += gi;
    }
  } else {
    /* uncentred: dE/df_i = p_i S[y_i] */
    int unc = e->variant == LI2_ENERGY_UNCENTRED;
    for (size_t i = 0; i < n; i++) {
      double gi = (unc ? e->wt[i] * e->S[y[i]] : e->S[y[i]] - mS) * e->fp[i];
      grad[x[2 * i]] += gi;
      grad[M + x[2 * i + 1]] += gi;
    }
  }
  for (size_t k = 0; k < e->dim; k++)
    if (!isfinite(grad[k]))
      return LI2_ENUMERIC;
  return LI2_SUCCESS;
}

/* FFT path, doc/mathematics.md section 3: E = (2/M) sum_{k != 0} |^u_k|^2 |^v_k|^2. */
static int eval_fft(li2_energy *e, const double *w, double *E, double *grad)
{
  size_t M = e->M, nh = e->nhalf;
  double s = 0, c = 4.0 / (double)M;
  memcpy(e->ru, w, M * sizeof(double));
  memcpy(e->rv, w + M, M * sizeof(double));
  fftw_execute_dft_r2c(e->r2c, e->ru, e->cu);
  fftw_execute_dft_r2c(e->r2c, e->rv, e->cv);
  for (size_t j = 1; j < nh; j++) {
    double pu = creal(e->cu[j] * conj(e->cu[j])), pv = creal(e->cv[j] * conj(e->cv[j]));
    s += e->wgt[j] * pu * pv;
  }
  *E = 2.0 * s / (double)M;
  if (!isfinite(*E))
    return LI2_ENUMERIC;
  if (!grad)
    return LI2_SUCCESS;
  /* grad_u[a] = (4/M) sum_k |^v_k|^2 ^u_k e^{+2 pi i k.a}: one c2r (which
   * sums the Hermitian extension of the half spectrum). */
  e->cx[0] = 0;
  for (size_t j = 1; j < nh; j++)
    e->cx[j] = c * e->cu[j] * creal(e->cv[j] * conj(e->cv[j]));
  fftw_execute_dft_c2r(e->c2r, e->cx, e->rg);
  memcpy(grad, e->rg, M * sizeof(double));
  e->cx[0] = 0;
  for (size_t j = 1; j < nh; j++)
    e->cx[j] = c * e->cv[j] * creal(e->cu[j] * conj(e->cu[j]));
  fftw_execute_dft_c2r(e->c2r, e->cx, e->rg);
  memcpy(grad + M, e->rg, M * sizeof(double));
  for (size_t k = 0; k < e->dim; k++)
    if (!isfinite(grad[k]))
      return LI2_ENUMERIC;
  return LI2_SUCCESS;
}

int li2_energy_eval(li2_energy *e, const double *w, double *E, double *grad)
{
  return e->method == LI2_ENERGY_FFT ? eval_fft(e, w, E, grad)
                                     : eval_direct(e, w, E, grad);
}

int li2_energy_hessian(li2_energy *e, const double *w, double *H)
{
  size_t M = e->M, nh = e->nhalf, n = e->dim;
  double c = 4.0 / (double)M, *cuu = e->rh, *cvv = e->rh + M, *p = e->rh + 2 * M,
         *q = e->rh + 3 * M;
  const int *T = e->g->table, *inv = e->g->inverse;
  if (e->method != LI2_ENERGY_FFT)
    return LI2_EUNSUP;
  memcpy(e->ru, w, M * sizeof(double));
  memcpy(e->rv, w + M, M * sizeof(double));
  fftw_execute_dft_r2c(e->r2c, e->ru, e->cu);
  fftw_execute_dft_r2c(e->r2c, e->rv, e->cv);
  /* Each c2r sums the Hermitian extension of a half spectrum, which is
   * what the four sums above are (u and v are real). */
  for (int pass = 0; pass < 4; pass++) {
    e->cx[0] = 0;
    for (size_t j = 1; j < nh; j++) {
      double complex U = e->cu[j], V = e->cv[j];
      e->cx[j] = pass == 0   ? c * creal(V * conj(V))
                 : pass == 1 ? c * creal(U * conj(U))
                 : pass == 2 ? c * U * V
                             : c * U * conj(V);
    }
    fftw_execute_dft_c2r(e->c2r, e->cx, e->rh + (size_t)pass * M);
  }
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      size_t dif = (size_t)T[a * M + (size_t)inv[b]], sum = (size_t)T[a * M + b];
      double huv = p[sum] + q[dif];
      H[a * n + b] = cuu[dif];
      H[(M + a) * n + M + b] = cvv[dif];
      H[a * n + M + b] = huv;
      H[(M + b) * n + a] = huv;
    }
  for (size_t k = 0; k < n * n; k++)
    if (!isfinite(H[k]))
      return LI2_ENUMERIC;
  return LI2_SUCCESS;
}

int li2_energy_feature(li2_energy *e, const double *w, double *feature)
{
  double fbar;
  forward(e, w);
  fbar = mean_feature(e);
  for (size_t i = 0; i < e->n; i++)
    feature[i] = e->f[i] - fbar;
  return isfinite(fbar) ? LI2_SUCCESS : LI2_ENUMERIC;
}

void li2_energy_project_tangent(size_t dim, const double *w, double *g)
{
  double wg = 0, ww = 0;
  for (size_t k = 0; k < dim; k++) {
    wg += w[k] * g[k];
    ww += w[k] * w[k];
  }
  if (ww > 0)
    for (size_t k = 0; k < dim; k++)
      g[k] -= wg / ww * w[k];
}

double li2_energy_paper_s_eval(const li2_group *g, const double *w)
{
  size_t M = g->order;
  const double *u = w, *v = w + M;
  double *z = calloc(M, sizeof *z), mean = 0, E = 0;
  if (!z)
    return NAN;
  /* z_h = sum_{ab = h} (u_a^2 + v_b^2 + u_a v_b): the paper's S (Eq. 21) */
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++)
      z[li2_group_mul(g, (int)a, (int)b)] += u[a] * u[a] + v[b] * v[b] + u[a] * v[b];
  for (size_t h = 0; h < M; h++)
    mean += z[h];
  mean /= (double)M;
  for (size_t h = 0; h < M; h++)
    E += 0.5 * (z[h] - mean) * (z[h] - mean);
  free(z);
  return E;
}
