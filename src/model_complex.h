/* The complex model (use_complex_weights; see li2_model.cplx in model.h),
 * included by model.c after the real kernels (double only).
 *
 * The reference (modular_addition_simple2.py, ModularAdditionNN with
 * use_complex_weights) computes H = W x (complex), F = H^2 (x.pow(2), the
 * holomorphic square), O = F V (complex) and puts only Re O into the loss
 * and the argmax.  Since only Re O is used,
 *     Re O = Re F Re V - Im F Im V = F_r V_s,
 * with F_r the n x 2K real view of F (columns Re F_j, Im F_j interleaved,
 * exactly how the (re, im) pairs are stored) and V_s the 2K x M real matrix
 * with rows (Re V_j, -Im V_j).  With G = dLoss/dRe O (real, n x M) torch's
 * gradients (dLoss/dRe + i dLoss/dIm) are
 *     dF = G V^H   ->  F_r view: G V_s^T,
 *     dV = F^H G   ->  rows of F_r^T G: Re dV_j = row 2j, Im dV_j = -row 2j+1,
 *     dH = dF conj(2 H)  (the chain rule of z^2 in that convention),
 *     dW = the scatter of dH, as for real weights.
 * So one complex step is a real step with 2K columns and a paired
 * activation: double BLAS (dgemm) with 2K inner or outer dimension, about
 * twice the real step's products, not the four of a complex product. */

/* V_s (2K x M) from the complex V (K x M pairs). */
static void vs_fill(const li2_model *m, double *vs)
{
  const size_t K = m->K, M = m->M;
#pragma omp parallel for schedule(static)
  for (size_t j = 0; j < K; j++)
    for (size_t c = 0; c < M; c++) {
      vs[2 * j * M + c] = m->V[(j * M + c) * 2];
      vs[(2 * j + 1) * M + c] = -m->V[(j * M + c) * 2 + 1];
    }
}

/* dLoss/dV (pairs) from P = F_r^T G (2K x M): dRe = P[2j], dIm = -P[2j+1]. */
static void dv_from_stacked(const li2_model *m, const double *P, double *gv)
{
  const size_t K = m->K, M = m->M;
  for (size_t j = 0; j < K; j++)
    for (size_t c = 0; c < M; c++) {
      gv[(j * M + c) * 2] = P[2 * j * M + c];
      gv[(j * M + c) * 2 + 1] = -P[(2 * j + 1) * M + c];
    }
}

/* f = h^2 for K complex numbers (pairs), in place allowed. */
LI2_CLONES static void csq_row(double *f, const double *h, size_t K)
{
  for (size_t j = 0; j < K; j++) {
    const double a = h[2 * j], b = h[2 * j + 1];
    f[2 * j] = a * a - b * b;
    f[2 * j + 1] = 2 * a * b;
  }
}

/* g <- g conj(2 h) for K complex numbers (the square's backward). */
LI2_CLONES static void cdact_row(double *restrict g, const double *restrict h, size_t K)
{
  for (size_t j = 0; j < K; j++) {
    const double a = h[2 * j], b = h[2 * j + 1], gr = g[2 * j], gi = g[2 * j + 1];
    g[2 * j] = 2 * (gr * a + gi * b);
    g[2 * j + 1] = 2 * (gi * a - gr * b);
  }
}

/* acc += g conj(2 h) */
LI2_CLONES static void cacc_deriv_row(double *restrict acc, const double *restrict g,
                                      const double *restrict h, size_t K)
{
  for (size_t j = 0; j < K; j++) {
    const double a = h[2 * j], b = h[2 * j + 1], gr = g[2 * j], gi = g[2 * j + 1];
    acc[2 * j] += 2 * (gr * a + gi * b);
    acc[2 * j + 1] += 2 * (gi * a - gr * b);
  }
}

/* H of one sample (2K doubles): the gather of the complex W rows. */
static inline void cgather_row(const li2_model *m, const int *xi, double *h)
{
  const size_t K2 = 2 * m->K, M = m->M;
  sum_rows_d(h, m->W + (size_t)xi[0] * K2, m->W + (M + (size_t)xi[1]) * K2, K2);
  for (int t = 2; t < m->nops; t++)
    add_row_d(h, m->W + ((size_t)t * M + (size_t)xi[t]) * K2, K2);
}

static void features_z(const li2_model *m, li2_model_work *w, size_t n, const int *x)
{
  const size_t K2 = 2 * m->K;
  double *F = w->F;
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    double *f = F + i * K2;
    cgather_row(m, x + i * (size_t)m->nops, f);
    csq_row(f, f, m->K);
  }
}

/* Re O = F_r V_s into w->O (n x M, real), the loss and dLoss/dRe O. */
static double outputs_z(const li2_model *m, li2_model_work *w, const int *y, size_t *ncorrect)
{
  const size_t K2 = 2 * m->K, M = m->M, n = w->n;
  vs_fill(m, w->vs);
  pgemm_d(CblasNoTrans, CblasNoTrans, n, M, K2, 1, w->F, K2, w->vs, M, 0, w->O, M);
  return loss_eval_d(m->loss, n, M, w->O, y, w->backward ? w->dO : NULL, w->rowloss, w->rowok,
                     ncorrect, m->out_mult);
}

/* As backward_d for the complex model (w->vs from the forward's outputs). */
static void backward_z(const li2_model *m, li2_model_work *w, double *grad, int skip_v,
                       int features_only)
{
  const size_t K = m->K, K2 = 2 * K, M = m->M, n = w->n;
  const int k = m->nops;
  const int *x = w->x;
  double *F = w->F, *dO = w->dO, *dF = w->dF, *P = w->pdV;
  if (!features_only && !skip_v) {
    pgemm_d(CblasTrans, CblasNoTrans, K2, M, n, 1, F, K2, dO, M, 0, P, M);
    dv_from_stacked(m, P, grad + m->nW + m->nL);
  }
  /* dF_r = G V_s^T: (dLoss/dRe F, dLoss/dIm F) pairs */
  pgemm_d(CblasNoTrans, CblasTrans, n, K2, M, 1, dO, M, w->vs, M, 0, dF, K2);
  if (features_only)
    return;
#pragma omp parallel
  {
#ifdef _OPENMP
    int tid = omp_get_thread_num();
#else
    int tid = 0;
#endif
    double *h = (double *)w->hscratch + (size_t)tid * 2 * K2, *acc = h + K2;
#pragma omp for schedule(static)
    for (size_t q = 0; q < w->nrows; q++) {
      memset(acc, 0, K2 * sizeof(double));
      for (size_t s = w->start[q]; s < w->start[q + 1]; s++) {
        size_t i = w->idx[s];
        cgather_row(m, x + i * (size_t)k, h);
        cacc_deriv_row(acc, dF + i * K2, h, K);
      }
      memcpy(grad + q * K2, acc, K2 * sizeof(double));
    }
  }
}

/* As step_fused_d for the complex model: per thread and block of rows,
 * H (pairs), F = H^2, Re O = F_r V_s, the loss rows and G, P += F_r^T G,
 * dF_r = G V_s^T, dH = dF conj(2H) scattered into the thread's dW.
 * Partial sums are added in thread order. */
static double step_fused_z(const li2_model *m, li2_model_work *w, size_t n, const int *x,
                           const int *y, double *grad, size_t *ncorrect)
{
  const size_t K = m->K, K2 = 2 * K, M = m->M, B = w->block, nrw = w->nrows * K2, nv = K2 * M;
  const int k = m->nops;
  const double scale = 1.0 / (double)n;
  const double *vs = w->vs;
  int used = 1;
  vs_fill(m, w->vs);
#pragma omp parallel
  {
    fused_share sh;
    fused_share_begin(w, n, K2, M, nrw, nv, sizeof(double), &sh);
    double *H = sh.H, *F = sh.F, *O = sh.O, *dO = sh.dO, *dWp = sh.dW, *dVp = sh.dV;
    const size_t i0 = sh.i0, i1 = sh.i1;
#pragma omp single
    used = (int)sh.nt;
    for (size_t b0 = i0; b0 < i1; b0 += B) {
      size_t nb = i1 - b0 < B ? i1 - b0 : B;
      const int *xb = x + b0 * (size_t)k;
      for (size_t i = 0; i < nb; i++) {
        cgather_row(m, xb + i * (size_t)k, H + i * K2);
        csq_row(F + i * K2, H + i * K2, K);
      }
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)M, (int)K2, 1, F,
                  (int)K2, vs, (int)M, 0, O, (int)M);
      for (size_t i = 0; i < nb; i++)
        w->rowloss[b0 + i] = loss_row_d(m->loss, M, O + i * M, (size_t)y[b0 + i], dO + i * M,
                                        scale, m->out_mult, w->rowok + b0 + i);
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K2, (int)M, (int)nb, 1, F,
                  (int)K2, dO, (int)M, 1, dVp, (int)M);
      /* dF_r = G V_s^T, into F (no longer needed) */
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)K2, (int)M, 1, dO,
                  (int)M, vs, (int)M, 0, F, (int)K2);
      for (size_t i = 0; i < nb; i++) {
        const int *xi = xb + i * (size_t)k;
        double *g = F + i * K2;
        cdact_row(g, H + i * K2, K);
        for (int q = 0; q < k; q++)
          add_row_d(dWp + ((size_t)q * M + (size_t)xi[q]) * K2, g, K2);
      }
    }
  }
  sum_partials_d((const double *)w->pdW, used, nrw, grad);
  sum_partials_d((const double *)w->pdV, used, nv, w->pdV);  /* into thread 0's block */
  dv_from_stacked(m, w->pdV, grad + m->nW + m->nL);
  return rows_total(w->rowloss, w->rowok, n, scale, ncorrect);
}
