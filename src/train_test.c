/* The trainer's evaluation (li2_trainer_test; see train.h): losses and
 * accuracies, norms, and the reference's Stage I statistics (kernel, P F F^T,
 * FF^t_dist_from_ideal, dF_norm, the cosine distance between epochs). */
#include "train_impl.h"
#include "process.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Mean |.| of the diagonal and off-diagonal of F~^T F~ (the reference's
 * compute_diag_off_diag_avg on the centred kernel).  A logged statistic:
 * F~ is centred in double, the n K^2 product runs in single precision
 * (half the time of double; relative error ~1e-6 on these means). */
static void kernel_stats(li2_trainer *t, size_t n, const double *F, double *diag, double *off)
{
  const size_t K = t->m->K;
  float *G = t->gram, *Fc = t->fc;
  double *mu = t->colmean, sd = 0, so = 0;
  li2_column_means(n, K, F, mu);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < K; j++)
      Fc[i * K + j] = (float)(F[i * K + j] - mu[j]);
  /* Lower triangle in row blocks over the OpenMP threads (BLAS runs
   * single-threaded, li2_process_set_threads); block edges at K sqrt(t/nt)
   * give each thread about the same share of the triangle. */
#pragma omp parallel
  {
#ifdef _OPENMP
    double th = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    double th = 0, nt = 1;
#endif
    size_t r0 = (size_t)((double)K * sqrt(th / nt)), r1 = (size_t)((double)K * sqrt((th + 1) / nt));
    if (th + 1 == nt)
      r1 = K;
    if (r1 > r0)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(r1 - r0), (int)r1, (int)n, 1.0f,
                  Fc + r0, (int)K, Fc, (int)K, 0.0f, G + r0 * K, (int)K);
  }
  for (size_t a = 0; a < K; a++) {
    for (size_t b = 0; b < a; b++)
      so += fabs((double)G[a * K + b]);
    sd += fabs((double)G[a * K + a]);
  }
  *diag = sd / (double)K;
  *off = K > 1 ? 2 * so / ((double)K * (double)(K - 1)) : NAN;
}

/* Mean |.| of the diagonal and off-diagonal of P F F^T (n x n), the
 * reference's FF^t statistics (kernel2 - kernel2.mean(dim=0): rows
 * centred).  After kernel_stats, whose float F~ (t->fc) and column means
 * it reuses: F^T = F~^T + mu 1^T, so P F F^T = F~F~^T + (F~ mu) 1^T. */
static void pff_stats(li2_trainer *t, size_t n, double *diag, double *off)
{
  const size_t K = t->m->K;
  float *G = t->pff;
  double sd = 0, so = 0;
#pragma omp parallel
  {
    size_t r0, r1;
    li2_process_share(n, &r0, &r1);
    if (r1 > r0)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)n, (int)K, 1.0f,
                  t->fc + r0 * K, (int)K, t->fc, (int)K, 0.0f, G + r0 * n, (int)n);
  }
#pragma omp parallel for schedule(static) reduction(+ : sd, so)
  for (size_t i = 0; i < n; i++) {
    double fm = 0, s = 0;
    for (size_t j = 0; j < K; j++)
      fm += (double)t->fc[i * K + j] * t->colmean[j];
    for (size_t j = 0; j < n; j++)
      if (j != i)
        s += fabs((double)G[i * n + j] + fm);
    so += s;
    sd += fabs((double)G[i * n + i] + fm);
  }
  *diag = sd / (double)n;
  *off = n > 1 ? so / ((double)n * (double)(n - 1)) : NAN;
}

/* The reference's FF^t_dist_from_ideal (fit_diag_11 of F F^T, n x n):
 * after pff_stats, whose G = F~ F~^T it reuses with
 * (F F^T)_ij = G_ij + fm_i + fm_j + |mu|^2, fm = F~ mu.  Two passes: the
 * means, then the residual, so a good fit does not cancel. */
static double ff_dist_ideal(li2_trainer *t, size_t n)
{
  const size_t K = t->m->K;
  const float *G = t->pff;
  double mu2 = 0, tr = 0, sum = 0, d, o, res = 0, all = 0;
  double *fm = t->fmean;
  for (size_t j = 0; j < K; j++)
    mu2 += t->colmean[j] * t->colmean[j];
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    double s = 0;
    for (size_t j = 0; j < K; j++)
      s += (double)t->fc[i * K + j] * t->colmean[j];
    fm[i] = s;
  }
#pragma omp parallel for schedule(static) reduction(+ : tr, sum)
  for (size_t i = 0; i < n; i++) {
    double s = 0;
    for (size_t j = 0; j < n; j++)
      s += (double)G[i * n + j] + fm[i] + fm[j] + mu2;
    sum += s;
    tr += (double)G[i * n + i] + 2 * fm[i] + mu2;
  }
  if (n < 2)
    return NAN;
  d = tr / (double)n;
  o = (sum - tr) / ((double)n * (double)(n - 1));
#pragma omp parallel for schedule(static) reduction(+ : res, all)
  for (size_t i = 0; i < n; i++) {
    double r = 0, a = 0;
    for (size_t j = 0; j < n; j++) {
      double g = (double)G[i * n + j] + fm[i] + fm[j] + mu2, e = (i == j ? d : o) - g;
      r += e * e;
      a += g * g;
    }
    res += r;
    all += a;
  }
  return all > 0 ? sqrt(res / all) : NAN;
}

/* The reference's dF_norm = |(Y - F V) V^T|_F (Y = one-hot - 1/M) on the
 * training set, in blocks of rows (workspace t->dfb: B x (M + K)). */
static double df_norm(li2_trainer *t, const double *Fe, size_t n)
{
  const size_t K = t->m->K, M = t->m->M, B = LI2_DF_BLOCK;
  const int *y = t->d->train_y;
  double *R = t->dfb, *Gb = t->dfb + B * M, ss = 0;
  for (size_t r0 = 0; r0 < n; r0 += B) {
    size_t nb = n - r0 < B ? n - r0 : B;
    for (size_t i = 0; i < nb; i++)
      for (size_t m = 0; m < M; m++)
        R[i * M + m] = (m == (size_t)y[r0 + i] ? 1.0 : 0.0) - 1.0 / (double)M;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)M, (int)K, -1.0,
                Fe + r0 * K, (int)K, t->m->V, (int)M, 1.0, R, (int)M);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)K, (int)M, 1.0, R, (int)M,
                t->m->V, (int)M, 0.0, Gb, (int)K);
    for (size_t i = 0; i < nb * K; i++)
      ss += Gb[i] * Gb[i];
  }
  return sqrt(ss);
}

/* 1 - cos(a, b) (Fig. 3's cosine distance between consecutive weights). */
static double cos_distance(const double *a, const double *b, size_t n)
{
  double ab = cblas_ddot((int)n, a, 1, b, 1), na = li2_train_frob(a, n), nb = li2_train_frob(b, n);
  return na > 0 && nb > 0 ? 1 - ab / (na * nb) : NAN;
}

int li2_trainer_test(li2_trainer *t, li2_train_metrics *mt, li2_error *err)
{
  const li2_dataset *d = t->d;
  li2_model_work *wt = t->nbatch == d->ntrain ? t->wtrain : t->weval;
  size_t nc;
  int rc;
  mt->epoch = t->epoch;
  if (t->tf) {
    /* the transformer: losses and accuracies; the 2-layer network's
     * feature statistics do not apply */
    const size_t nV = t->tf->M * t->tf->d;
    if ((rc = li2_transformer_forward(t->tf, t->tw, d->ntrain, d->train_x, d->train_y,
                                      &mt->train_loss, &nc, err)))
      return rc;
    mt->train_acc = (double)nc / (double)d->ntrain;
    if ((rc = li2_transformer_forward(t->tf, t->tw, d->ntest, d->test_x, d->test_y,
                                      &mt->test_loss, &nc, err)))
      return rc;
    mt->test_acc = (double)nc / (double)d->ntest;
    mt->gf_norm = mt->ftf_diag = mt->ftf_offdiag = NAN;
    mt->pff_diag = mt->pff_offdiag = mt->dw_cos = mt->dv_cos = NAN;
    mt->ff_dist_ideal = mt->df_norm = NAN;
    mt->w_norm = li2_train_frob(t->tf->params, t->tf->nparams - nV);  /* all but the top layer */
    mt->v_norm = li2_train_frob(li2_transformer_top(t->tf, t->tf->params), nV);
    if (t->grok_epoch < 0 && mt->test_acc >= 0.95)
      t->grok_epoch = t->epoch;
    return LI2_SUCCESS;
  }
  /* training set: loss, accuracy, G_F and the kernel of its features */
  if ((rc = li2_model_forward(t->m, wt, d->ntrain, d->train_x, d->train_y, &mt->train_loss, &nc,
                              err)) ||
      (rc = li2_model_backward(t->m, wt, NULL, 1, 1, err)))
    return rc;
  mt->train_acc = (double)nc / (double)d->ntrain;
  /* complex: |G_F|_F over the (re, im) pairs */
  mt->gf_norm = li2_train_frob(li2_model_work_dfeatures(wt), d->ntrain * t->m->K * (t->m->cplx ? 2 : 1));
  if (t->m->cplx)  /* the F~^T F~ statistics read real features: not logged */
    mt->ftf_diag = mt->ftf_offdiag = NAN;
  else
    kernel_stats(t, d->ntrain, li2_model_work_features(wt), &mt->ftf_diag, &mt->ftf_offdiag);
  mt->pff_diag = mt->pff_offdiag = mt->dw_cos = mt->dv_cos = NAN;
  mt->ff_dist_ideal = mt->df_norm = NAN;
  if (t->pff) {
    pff_stats(t, d->ntrain, &mt->pff_diag, &mt->pff_offdiag);
    if (!t->m->cplx) {
      mt->ff_dist_ideal = ff_dist_ideal(t, d->ntrain);
      if (t->m->nlayers == 0)
        mt->df_norm = df_norm(t, li2_model_work_features(wt), d->ntrain);
    }
    if (t->have_prev) {
      const li2_model *m = t->m;
      mt->dw_cos = cos_distance(t->prev + (size_t)(m->W - m->params), m->W, m->nW);
      mt->dv_cos = cos_distance(t->prev + (size_t)(m->V - m->params), m->V, m->nV);
    }
  }
  if (d->ntest) {
    if ((rc = li2_model_forward(t->m, t->weval, d->ntest, d->test_x, d->test_y, &mt->test_loss,
                                &nc, err)))
      return rc;
    mt->test_acc = (double)nc / (double)d->ntest;
  } else {
    mt->test_acc = mt->test_loss = NAN;
  }
  mt->w_norm = li2_train_frob(t->m->W, t->m->nW);
  mt->v_norm = li2_train_frob(t->m->V, t->m->nV);
  if (t->grok_epoch < 0 && mt->test_acc >= 0.95)
    t->grok_epoch = t->epoch;
  return LI2_SUCCESS;
}
