/* Stage I: Proposition 1, Lemma 1 and Fig. 3's diagnostics (see stage1.h). */
#include "stage1.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "io.h"
#include "process.h"

/* ------------------------------------------------------------------ */
/* Proposition 1                                                        */

struct li2_stage1_flow {
  li2_gradient *g;
  size_t n, K, M;
  double eta;
  double *lam;  /* K eigenvalues of F~^T F~ */
  double *U;    /* K x K eigenvectors in columns */
  double *vr;   /* K x M: U^T V_r (forcing / rate; the forcing itself where the rate is 0) */
  double *rate; /* K: lambda_k + eta (0 at round-off level) */
  double *b;    /* K x M: U^T F~^T Y~, the forcing */
  double *c0;   /* K x M: U^T V(0) */
  double *coef; /* K x M work */
};

void li2_stage1_flow_free(li2_stage1_flow *f)
{
  if (!f)
    return;
  free(f->lam);
  free(f->U);
  free(f->vr);
  free(f->rate);
  free(f->b);
  free(f->c0);
  free(f->coef);
  free(f);
}

li2_stage1_flow *li2_stage1_flow_alloc(li2_gradient *g, double eta, li2_error *err)
{
  size_t n = li2_gradient_n(g), K = li2_gradient_K(g), M = li2_gradient_M(g);
  li2_stage1_flow *f = calloc(1, sizeof *f);
  gsl_matrix *A = NULL, *E = NULL;
  gsl_vector *ev = NULL;
  gsl_eigen_symmv_workspace *ws = NULL;
  if (!(eta >= 0)) {
    li2_stage1_flow_free(f);
    return li2_error_set(err, LI2_EINVAL, "stage1 flow: eta must be >= 0"), NULL;
  }
  if (!f || !(f->lam = malloc(K * sizeof *f->lam)) || !(f->U = malloc(K * K * sizeof *f->U)) ||
      !(f->vr = malloc(K * M * sizeof *f->vr)) || !(f->rate = malloc(K * sizeof *f->rate)) ||
      !(f->b = malloc(K * M * sizeof *f->b)) ||
      !(f->c0 = calloc(K * M, sizeof *f->c0)) || !(f->coef = malloc(K * M * sizeof *f->coef)) ||
      !(A = gsl_matrix_alloc(K, K)) || !(E = gsl_matrix_alloc(K, K)) ||
      !(ev = gsl_vector_alloc(K)) || !(ws = gsl_eigen_symmv_alloc(K)))
    goto nomem;
  f->g = g;
  f->n = n;
  f->K = K;
  f->M = M;
  f->eta = eta;
  memcpy(A->data, li2_gradient_gram(g), K * K * sizeof(double));
  {
    li2_process_gsl_mute();
    int rc = gsl_eigen_symmv(A, ev, E, ws);
    li2_process_gsl_unmute();
    if (rc) {
      li2_error_set(err, LI2_ENUMERIC, "stage1 flow: eigendecomposition of F~^T F~ failed");
      goto fail;
    }
  }
  for (size_t k = 0; k < K; k++) {
    f->lam[k] = gsl_vector_get(ev, k);
    for (size_t j = 0; j < K; j++)
      f->U[j * K + k] = gsl_matrix_get(E, j, k);
  }
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)M, (int)K, 1.0, f->U, (int)K,
              li2_gradient_top_target(g), (int)M, 0.0, f->b, (int)M);
  li2_stage1_flow_set_eta(f, eta);
  gsl_eigen_symmv_free(ws);
  gsl_vector_free(ev);
  gsl_matrix_free(E);
  gsl_matrix_free(A);
  return f;
nomem:
  li2_error_set(err, LI2_ENOMEM, "out of memory (stage1 flow, K = %zu)", K);
fail:
  if (ws)
    gsl_eigen_symmv_free(ws);
  gsl_vector_free(ev);
  gsl_matrix_free(E);
  gsl_matrix_free(A);
  li2_stage1_flow_free(f);
  return NULL;
}

void li2_stage1_flow_set_eta(li2_stage1_flow *f, double eta)
{
  const size_t K = f->K, M = f->M;
  double lmax = 0;
  f->eta = eta;
  for (size_t k = 0; k < K; k++)
    lmax = fmax(lmax, fabs(f->lam[k]));
  /* rates at round-off level (null modes of F~ with eta = 0) are 0: such
   * a mode has no forcing and keeps its start */
  for (size_t k = 0; k < K; k++) {
    f->rate[k] = f->lam[k] + eta;
    if (f->rate[k] <= 1e-12 * lmax)
      f->rate[k] = 0;
    for (size_t m = 0; m < M; m++)
      f->vr[k * M + m] = f->rate[k] > 0 ? f->b[k * M + m] / f->rate[k] : 0;
  }
}

void li2_stage1_flow_start(li2_stage1_flow *f, const double *V0)
{
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)f->K, (int)f->M, (int)f->K, 1.0,
              f->U, (int)f->K, V0, (int)f->M, 0.0, f->c0, (int)f->M);
}

void li2_stage1_flow_at(li2_stage1_flow *f, double t, double *V, double *GF)
{
  const size_t K = f->K, M = f->M;
  double *Vt = V ? V : NULL;
  for (size_t k = 0; k < K; k++) {
    double r = f->rate[k];
    /* c(t) = c0 e^{-rt} + v_r (1 - e^{-rt}); expm1 keeps small t exact */
    double decay = isinf(t) ? 0 : exp(-r * t), grow = isinf(t) ? 1 : -expm1(-r * t);
    for (size_t m = 0; m < M; m++)
      f->coef[k * M + m] = r > 0 ? f->c0[k * M + m] * decay + f->vr[k * M + m] * grow
                                 : f->c0[k * M + m];
  }
  if (!Vt && !(Vt = malloc(K * M * sizeof *Vt)))
    return;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)K, (int)M, (int)K, 1.0, f->U,
              (int)K, f->coef, (int)M, 0.0, Vt, (int)M);
  if (GF)
    li2_gradient_from_top(f->g, Vt, NULL, GF);
  if (!V)
    free(Vt);
}

double li2_stage1_flow_lambda_max(const li2_stage1_flow *f)
{
  double l = 0;
  for (size_t k = 0; k < f->K; k++)
    l = fmax(l, f->lam[k]);
  return l;
}

static int cmp_desc(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

double li2_stage1_flow_centred_min(const li2_stage1_flow *f)
{
  if (f->K + 1 < f->n)
    return 0;
  double *l = malloc(f->K * sizeof *l), m;
  if (!l)
    return NAN;
  memcpy(l, f->lam, f->K * sizeof *l);
  qsort(l, f->K, sizeof *l, cmp_desc);
  m = l[f->n - 2];
  free(l);
  return m;
}

/* G_F(t) - G_F(inf) = R_r D^T - F~ D V_r^T - F~ D D^T with D = V(t) - V_r
 * and R_r = Y~ - F~ V_r: no difference of two O(1) matrices */
static void delta_g(li2_stage1_flow *f, double t, double *D, double *Vr, double *Rr, double *FD,
                    double *out)
{
  const size_t n = f->n, K = f->K, M = f->M;
  const double *Ft = li2_gradient_centred_features(f->g);
  for (size_t k = 0; k < K; k++) {
    double e = f->rate[k] > 0 ? exp(-f->rate[k] * t) : 1;
    for (size_t m = 0; m < M; m++)
      f->coef[k * M + m] = f->rate[k] > 0 ? e * (f->c0[k * M + m] - f->vr[k * M + m]) : 0;
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)K, (int)M, (int)K, 1.0, f->U,
              (int)K, f->coef, (int)M, 0.0, D, (int)M);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)M, (int)K, 1.0, Ft, (int)K,
              D, (int)M, 0.0, FD, (int)M);
  /* (R_r - F~D) D^T - F~D V_r^T */
  for (size_t i = 0; i < n * M; i++)
    Rr[n * M + i] = Rr[i] - FD[i];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)K, (int)M, 1.0, Rr + n * M,
              (int)M, D, (int)M, 0.0, out, (int)K);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)K, (int)M, -1.0, FD, (int)M,
              Vr, (int)M, 1.0, out, (int)K);
}

double li2_stage1_flow_slowest_rate(const li2_stage1_flow *f)
{
  const size_t K = f->K, M = f->M;
  double big = 0, slow = INFINITY;
  for (size_t i = 0; i < K * M; i++)
    big = fmax(big, fabs(f->c0[i] - f->vr[i]));
  for (size_t k = 0; k < K; k++) {
    double a = 0;
    for (size_t m = 0; m < M; m++)
      a = fmax(a, fabs(f->c0[k * M + m] - f->vr[k * M + m]));
    if (a > 1e-12 * big)
      slow = fmin(slow, f->rate[k]);
  }
  return slow;
}

static double frob(const double *a, size_t n)
{
  return cblas_dnrm2((int)n, a, 1);
}

/* |A - s B|_F */
static double frob_diff(const double *A, double s, const double *B, size_t len)
{
  double q = 0;
  for (size_t i = 0; i < len; i++) {
    double d = A[i] - s * B[i];
    q += d * d;
  }
  return sqrt(q);
}

int li2_stage1_prop1_compute(li2_stage1_flow *f, double alpha, unsigned long seed, size_t nt,
                             li2_stage1_prop1 *o, li2_error *err)
{
  const size_t n = f->n, K = f->K, M = f->M, nk = n * K;
  double *V0 = malloc(K * M * sizeof *V0), *G = malloc(nk * sizeof *G);
  double *Ginf = malloc(nk * sizeof *Ginf), *G4 = NULL;
  const double *S = li2_gradient_signal(f->g);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int rc = LI2_SUCCESS;
  if (nt < 3)
    nt = 3;
  memset(o, 0, sizeof *o);
  if (!V0 || !G || !Ginf || !r) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory (stage1 prop1)");
    goto done;
  }
  o->alpha = alpha;
  o->eta = f->eta;
  gsl_rng_set(r, seed);
  for (size_t i = 0; i < K * M; i++)
    V0[i] = alpha * gsl_ran_gaussian_ziggurat(r, 1.0);
  li2_stage1_flow_start(f, V0);
  double snorm = frob(S, nk), lmax = li2_stage1_flow_lambda_max(f);
  o->rate_pred = li2_stage1_flow_slowest_rate(f);
  o->gf0_pred = alpha * sqrt((double)K) * frob(li2_gradient_centred_labels(f->g), n * M);
  li2_stage1_flow_at(f, 0, NULL, G);
  o->gf0 = frob(G, nk);
  o->gf_peak = o->gf0;
  o->eq3_best = INFINITY;
  o->eq3_slope0 = NAN;
  /* Eq. 3 on [1e-8, 10] / lambda_max; the peak of |G_F| up to 1e3 / rate */
  double t_end = o->rate_pred > 0 ? 1e3 / o->rate_pred : 1e3 / lmax;
  double l0 = log(1e-8 / lmax), l1 = log(10 / lmax), l2 = log(fmax(t_end, 10 / lmax));
  double e_prev = NAN, t_prev = NAN;
  for (size_t i = 0; i < 2 * nt; i++) {
    int early = i < nt;
    double t = early ? exp(l0 + (l1 - l0) * (double)i / (double)(nt - 1))
                     : exp(l1 + (l2 - l1) * (double)(i - nt + 1) / (double)nt);
    li2_stage1_flow_at(f, t, NULL, G);
    double gn = frob(G, nk);
    if (gn > o->gf_peak) {
      o->gf_peak = gn;
      o->t_peak = t;
    }
    if (early) {
      double e = frob_diff(G, t, S, nk);
      if (e / (t * snorm) < o->eq3_best) {
        o->eq3_best = e / (t * snorm);
        o->t_best = t;
      }
      if (i == 1 && alpha == 0)
        o->eq3_slope0 = log(e / e_prev) / log(t / t_prev);
      e_prev = e;
      t_prev = t;
    }
  }
  li2_stage1_flow_at(f, INFINITY, NULL, Ginf);
  o->gf_inf = frob(Ginf, nk);
  o->limit_rel = NAN;
  if (f->eta > 0) {
    if (!(G4 = malloc(nk * sizeof *G4))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory (stage1 prop1)");
      goto done;
    }
    if ((rc = li2_gradient_closed_form(f->g, f->eta, NULL, G4, err)))
      goto done;
    o->limit_rel = li2_gradient_rel_diff(Ginf, G4, nk);
  }
  o->rate_meas = NAN;
  if (o->rate_pred > 0 && isfinite(o->rate_pred)) {
    double *D = malloc(K * M * sizeof *D), *Vr = malloc(K * M * sizeof *Vr);
    double *Rr = malloc(2 * n * M * sizeof *Rr), *FD = malloc(n * M * sizeof *FD);
    if (!D || !Vr || !Rr || !FD) {
      free(D), free(Vr), free(Rr), free(FD);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory (stage1 prop1)");
      goto done;
    }
    li2_stage1_flow_at(f, INFINITY, Vr, NULL);
    li2_gradient_from_top(f->g, Vr, Rr, G);
    double ta = 20 / o->rate_pred, tb = 40 / o->rate_pred, da, db;
    delta_g(f, ta, D, Vr, Rr, FD, G);
    da = frob(G, nk);
    delta_g(f, tb, D, Vr, Rr, FD, G);
    db = frob(G, nk);
    if (da > 0 && db > 0)
      o->rate_meas = log(da / db) / (tb - ta);
    free(D), free(Vr), free(Rr), free(FD);
  }
done:
  gsl_rng_free(r);
  free(V0);
  free(G);
  free(Ginf);
  free(G4);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Lemma 1                                                              */

int li2_stage1_random_features(const li2_dataset *d, li2_activation act, size_t K, double wscale,
                               unsigned long seed, double *F, li2_error *err)
{
  li2_model *m = li2_model_alloc(d->order, d->nops, K, 0, act, LI2_LOSS_MSE, err);
  li2_model_work *w = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int rc = LI2_SUCCESS;
  if (!m || !r || !(w = li2_model_work_alloc(m, d->ntrain, 0, 0, err))) {
    rc = err->code ? err->code : li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  gsl_rng_set(r, seed);
  for (size_t i = 0; i < m->nW; i++)
    m->W[i] = wscale * gsl_ran_gaussian_ziggurat(r, 1.0);
  if ((rc = li2_model_forward_features(m, w, d->ntrain, d->train_x, err)))
    goto done;
  memcpy(F, li2_model_work_features(w), d->ntrain * K * sizeof *F);
done:
  li2_model_work_free(w);
  li2_model_free(m);
  gsl_rng_free(r);
  return rc;
}

/* F~ (n x K) and the column means MU of F. */
static void centre(size_t n, size_t K, const double *F, double *Ft, double *mu)
{
  li2_column_means(n, K, F, mu);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < K; j++)
      Ft[i * K + j] = F[i * K + j] - mu[j];
}

/* mean |off| / mean |diag| of F~^T F~ and of P F F^T = F~F~^T + (F~ mu) 1^T,
 * in row blocks of B */
static void ratios_of(size_t n, size_t K, const double *Ft, const double *mu, double *blk,
                      size_t B, double *ftf, double *pff)
{
  double sd = 0, so = 0;
  for (size_t a0 = 0; a0 < K; a0 += B) {
    size_t b = K - a0 < B ? K - a0 : B;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)b, (int)K, (int)n, 1.0, Ft + a0,
                (int)K, Ft, (int)K, 0.0, blk, (int)K);
    for (size_t i = 0; i < b; i++)
      for (size_t j = 0; j < K; j++) {
        double v = fabs(blk[i * K + j]);
        if (a0 + i == j)
          sd += v;
        else
          so += v;
      }
  }
  *ftf = K > 1 ? (so / ((double)K * (double)(K - 1))) / (sd / (double)K) : NAN;
  sd = so = 0;
  for (size_t a0 = 0; a0 < n; a0 += B) {
    size_t b = n - a0 < B ? n - a0 : B;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)n, (int)K, 1.0,
                Ft + a0 * K, (int)K, Ft, (int)K, 0.0, blk, (int)n);
    for (size_t i = 0; i < b; i++) {
      double fm = cblas_ddot((int)K, Ft + (a0 + i) * K, 1, mu, 1);
      for (size_t j = 0; j < n; j++) {
        double v = fabs(blk[i * n + j] + fm);
        if (a0 + i == j)
          sd += v;
        else
          so += v;
      }
    }
  }
  *pff = n > 1 ? (so / ((double)n * (double)(n - 1))) / (sd / (double)n) : NAN;
}

#define RATIO_BLOCK 64

void li2_stage1_diag_ratios(size_t n, size_t K, const double *F, double *ftf_ratio,
                            double *pff_ratio)
{
  double *Ft = malloc(n * K * sizeof *Ft), *mu = malloc(K * sizeof *mu);
  double *blk = malloc(RATIO_BLOCK * (n > K ? n : K) * sizeof *blk);
  *ftf_ratio = *pff_ratio = NAN;
  if (Ft && mu && blk) {
    centre(n, K, F, Ft, mu);
    ratios_of(n, K, Ft, mu, blk, RATIO_BLOCK, ftf_ratio, pff_ratio);
  }
  free(Ft);
  free(mu);
  free(blk);
}

/* <A, B>_F of two M x K matrices */
static double fdot(const double *A, const double *B, size_t len)
{
  return cblas_ddot((int)len, A, 1, B, 1);
}

int li2_stage1_lemma1_compute(size_t n, size_t K, size_t M, const double *F, const int *y,
                              double eta, int diag, li2_stage1_lemma1 *o, li2_error *err)
{
  double *Ft = malloc(n * K * sizeof *Ft), *mu = malloc(K * sizeof *mu);
  double *Yt = calloc(n * M, sizeof *Yt), *R = malloc(n * M * sizeof *R);
  double *D = malloc(n * n * sizeof *D), *freq = calloc(M, sizeof *freq);
  double *YF = malloc(M * K * sizeof *YF), *RF = malloc(M * K * sizeof *RF);
  double *MM = malloc(M * M * sizeof *MM), *TK = malloc(M * K * sizeof *TK);
  double *blk = diag ? malloc(RATIO_BLOCK * (n > K ? n : K) * sizeof *blk) : NULL;
  int rc = LI2_SUCCESS;
  memset(o, 0, sizeof *o);
  if (!(eta > 0)) {
    rc = li2_error_set(err, LI2_EINVAL, "stage1 lemma1: eta must be > 0");
    goto done;
  }
  if (!Ft || !mu || !Yt || !R || !D || !freq || !YF || !RF || !MM || !TK || (diag && !blk)) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory (stage1 lemma1, n = %zu, K = %zu)", n, K);
    goto done;
  }
  for (size_t s = 0; s < n; s++) {
    if (y[s] < 0 || (size_t)y[s] >= M) {
      rc = li2_error_set(err, LI2_EINVAL, "stage1 lemma1: label %d of sample %zu out of range",
                         y[s], s);
      goto done;
    }
    freq[y[s]] += 1.0 / (double)n;
  }
  for (size_t s = 0; s < n; s++)
    for (size_t c = 0; c < M; c++)
      Yt[s * M + c] = (y[s] == (int)c) - freq[c];
  o->n = n;
  o->K = K;
  o->eta = eta;
  centre(n, K, F, Ft, mu);
  o->ftf_ratio = o->pff_ratio = NAN;
  if (diag)
    ratios_of(n, K, Ft, mu, blk, RATIO_BLOCK, &o->ftf_ratio, &o->pff_ratio);
  /* D = F~F~^T; the proof's constants from its trace (App. A, Lemma 1) */
  cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, (int)K, 1.0, Ft, (int)K, 0.0, D,
              (int)n);
  double tr = 0;
  for (size_t i = 0; i < n; i++)
    tr += D[i * n + i];
  o->c1 = tr / ((double)K * (double)(n - 1));
  o->c2 = tr / ((double)n * (double)K);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)K, (int)n, 1.0, Yt, (int)M,
              Ft, (int)K, 0.0, YF, (int)K);
  double ynorm2 = fdot(Yt, Yt, n * M);
  o->c1_label = fdot(YF, YF, M * K) / ((double)K * ynorm2);
  /* R = eta (D + eta I)^{-1} Y~ by Cholesky (two triangular solves) */
  for (size_t i = 0; i < n; i++) {
    D[i * n + i] += eta;
    for (size_t j = i + 1; j < n; j++)
      D[i * n + j] = D[j * n + i];
  }
  {
    gsl_matrix_view Dv = gsl_matrix_view_array(D, n, n);
    li2_process_gsl_mute();
    int bad = gsl_linalg_cholesky_decomp1(&Dv.matrix);
    li2_process_gsl_unmute();
    if (bad) {
      rc = li2_error_set(err, LI2_ENUMERIC,
                         "stage1 lemma1: F~F~^T + eta I is not positive definite (eta = %g)", eta);
      goto done;
    }
  }
  for (size_t i = 0; i < n * M; i++)
    R[i] = eta * Yt[i];
  cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)n, (int)M,
              1.0, D, (int)n, R, (int)M);
  cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, (int)n, (int)M,
              1.0, D, (int)n, R, (int)M);
  /* G = (1/eta) R (R^T F~) and S = Y~ (Y~^T F~): their inner products from
   * M x K and M x M factors, so neither n x K matrix is formed */
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)K, (int)n, 1.0, R, (int)M,
              Ft, (int)K, 0.0, RF, (int)K);
  double gg, gs, ss;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)M, (int)n, 1.0, R, (int)M, R,
              (int)M, 0.0, MM, (int)M);  /* R^T R */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)K, (int)M, 1.0, MM, (int)M,
              RF, (int)K, 0.0, TK, (int)K);
  gg = fdot(RF, TK, M * K) / (eta * eta);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)M, (int)n, 1.0, R, (int)M, Yt,
              (int)M, 0.0, MM, (int)M);  /* R^T Y~ */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)K, (int)M, 1.0, MM, (int)M,
              YF, (int)K, 0.0, TK, (int)K);
  gs = fdot(RF, TK, M * K) / eta;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)M, (int)n, 1.0, Yt, (int)M, Yt,
              (int)M, 0.0, MM, (int)M);  /* Y~^T Y~ */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)K, (int)M, 1.0, MM, (int)M,
              YF, (int)K, 0.0, TK, (int)K);
  ss = fdot(YF, TK, M * K);
  o->gf_norm = sqrt(gg);
  o->eq5_coef = eta / (((double)K * o->c1 + eta) * ((double)n * o->c2 + eta));
  o->best_coef = gs / ss;
  o->lab_coef = eta / (((double)K * o->c1_label + eta) * ((double)K * o->c1_label + eta));
  o->dist_lab = sqrt(fmax(gg - 2 * o->lab_coef * gs + o->lab_coef * o->lab_coef * ss, 0)) / o->gf_norm;
  o->dist_eq5 = sqrt(fmax(gg - 2 * o->eq5_coef * gs + o->eq5_coef * o->eq5_coef * ss, 0)) / o->gf_norm;
  o->dist_dir = sqrt(fmax(gg - gs * gs / ss, 0)) / o->gf_norm;
done:
  free(Ft);
  free(mu);
  free(Yt);
  free(R);
  free(D);
  free(freq);
  free(YF);
  free(RF);
  free(MM);
  free(TK);
  free(blk);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Fig. 3 traces                                                        */

static int eval_at(long e, long dense_until, long dense_step, long sparse_step)
{
  return (e <= dense_until && e % dense_step == 0) || e % sparse_step == 0;
}

int li2_stage1_trace(const li2_train_config *c, long dense_until, long dense_step,
                     long sparse_step, li2_train_metrics **rows, size_t *nrows, li2_error *err)
{
  li2_train_config cc = *c;
  li2_trainer *t;
  size_t cap = 0, k = 0;
  int rc = LI2_SUCCESS;
  *rows = NULL;
  *nrows = 0;
  if (dense_step < 1 || sparse_step < 1)
    return li2_error_set(err, LI2_EINVAL, "stage1 trace: evaluation steps must be >= 1");
  for (long e = 0; e <= cc.num_epochs; e++)
    cap += (size_t)eval_at(e, dense_until, dense_step, sparse_step);
  cc.stage1_stats = 1;
  if (!(t = li2_trainer_alloc(&cc, NULL, NULL, err)))
    return err->code;
  if (!(*rows = calloc(cap ? cap : 1, sizeof **rows))) {
    li2_trainer_free(t);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  for (long e = 0; e <= cc.num_epochs && !rc; e++) {
    if (eval_at(e, dense_until, dense_step, sparse_step))
      rc = li2_trainer_test(t, &(*rows)[k++], err);
    if (!rc && e < cc.num_epochs)
      rc = li2_trainer_iterate(t, err);
  }
  *nrows = k;
  li2_trainer_free(t);
  return rc;
}

void li2_stage1_trace_summarise(const li2_train_metrics *r, size_t n, li2_stage1_trace_summary *s)
{
  double dv = -INFINITY, dw = -INFINITY, sv = 0, sw = 0, ev = 0, ew = 0;
  memset(s, 0, sizeof *s);
  s->gf_peak_epoch = s->dv_peak_epoch = s->dw_peak_epoch = -1;
  s->gf_peak = -INFINITY;
  s->gf0 = n ? r[0].gf_norm : NAN;
  s->final_test_acc = n ? r[n - 1].test_acc : NAN;
  for (size_t i = 0; i < n; i++) {
    double a = r[i].ftf_offdiag / r[i].ftf_diag, b = r[i].pff_offdiag / r[i].pff_diag;
    s->ftf_ratio_max = fmax(s->ftf_ratio_max, a);
    s->pff_ratio_max = fmax(s->pff_ratio_max, b);
    if (r[i].epoch > 0 && r[i].gf_norm > s->gf_peak) {
      s->gf_peak = r[i].gf_norm;
      s->gf_peak_epoch = r[i].epoch;
    }
    if (r[i].dv_cos > dv) {
      dv = r[i].dv_cos;
      s->dv_peak_epoch = r[i].epoch;
    }
    if (r[i].dw_cos > dw) {
      dw = r[i].dw_cos;
      s->dw_peak_epoch = r[i].epoch;
    }
    if (i > 0 && isfinite(r[i].dv_cos) && isfinite(r[i].dw_cos)) {
      double de = (double)(r[i].epoch - r[i - 1].epoch), e = (double)r[i].epoch;
      sv += r[i].dv_cos * de;
      ev += e * r[i].dv_cos * de;
      sw += r[i].dw_cos * de;
      ew += e * r[i].dw_cos * de;
    }
  }
  s->dv_centroid = sv > 0 ? ev / sv : NAN;
  s->dw_centroid = sw > 0 ? ew / sw : NAN;
}
