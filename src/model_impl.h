/* The network's compute kernels, written once for a real type and
 * included by model.c twice: REAL = double (the default precision) and
 * REAL = float (precision=float: BLAS products and n x K arrays in single
 * precision, parameters, optimiser and gradient sums in double).
 * Expects REAL, SUF(name), GEMM (cblas_dgemm / cblas_sgemm). */

/* C = alpha op(A) op(B) + beta C with the rows of C split over the
 * OpenMP threads, each calling single-threaded BLAS on its block (static
 * partition: the result does not depend on timing). */
static void SUF(pgemm)(enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, size_t m, size_t n,
                       size_t k, REAL alpha, const REAL *A, size_t lda, const REAL *B, size_t ldb,
                       REAL beta, REAL *C, size_t ldc)
{
#ifdef _OPENMP
  if (omp_get_max_threads() == 1) {  /* let a threaded BLAS do its own split */
    GEMM(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, alpha, A, (int)lda, B, (int)ldb, beta,
         C, (int)ldc);
    return;
  }
#endif
#pragma omp parallel
  {
    size_t t, nt, r0, r1;
    team(&t, &nt);
    team_share(m, t, nt, &r0, &r1);
    if (r1 > r0)
      GEMM(CblasRowMajor, ta, tb, (int)(r1 - r0), (int)n, (int)k, alpha,
           A + (ta == CblasNoTrans ? r0 * lda : r0), (int)lda, B, (int)ldb, beta,
           C + r0 * ldc, (int)ldc);
  }
}

/* Row kernels: restrict pointers and ISA clones (LI2_CLONES, model.c) so
 * the element loops vectorise with AVX2/AVX-512 where the CPU has them. */
LI2_CLONES static void SUF(sum_rows)(REAL *restrict f, const REAL *restrict a,
                                     const REAL *restrict b, size_t K)
{
  for (size_t j = 0; j < K; j++)
    f[j] = a[j] + b[j];
}

LI2_CLONES static void SUF(add_row)(REAL *restrict f, const REAL *restrict a, size_t K)
{
  for (size_t j = 0; j < K; j++)
    f[j] += a[j];
}

LI2_CLONES static void SUF(act_row)(li2_activation a, REAL *restrict f, size_t K)
{
  switch (a) {
  case LI2_ACT_SQR:
    for (size_t j = 0; j < K; j++) f[j] = f[j] * f[j];
    break;
  case LI2_ACT_RELU:
    for (size_t j = 0; j < K; j++) f[j] = f[j] > 0 ? f[j] : 0;
    break;
  case LI2_ACT_SILU:
    for (size_t j = 0; j < K; j++) f[j] = (REAL)(f[j] / (1 + exp(-(double)f[j])));
    break;
  case LI2_ACT_RELUSQR:
    for (size_t j = 0; j < K; j++) f[j] = f[j] > 0 ? f[j] * f[j] : 0;
    break;
  default:
    break;
  }
}

/* use_inner_product_act: f[j] = prod_t W[t M + x_t][j] over the K
 * operands of XI (SKIP < 0), or over every operand but SKIP (the product's
 * derivative in operand SKIP's row). */
LI2_CLONES static void SUF(prod_rows)(REAL *restrict f, const REAL *restrict Wr, const int *xi,
                                      int k, size_t M, size_t K, int skip)
{
  int first = 1;
  for (int t = 0; t < k; t++) {
    const REAL *row = Wr + ((size_t)t * M + (size_t)xi[t]) * K;
    if (t == skip)
      continue;
    if (first)
      memcpy(f, row, K * sizeof(REAL));
    else
      for (size_t j = 0; j < K; j++)
        f[j] *= row[j];
    first = 0;
  }
}

/* acc[j] += g[j] b[j] */
LI2_CLONES static void SUF(acc_mul_row)(REAL *restrict acc, const REAL *restrict g,
                                        const REAL *restrict b, size_t K)
{
  for (size_t j = 0; j < K; j++)
    acc[j] += g[j] * b[j];
}

/* acc[j] += g[j] sigma'(h[j]) */
LI2_CLONES static void SUF(acc_deriv_row)(li2_activation a, REAL *restrict acc,
                                          const REAL *restrict g, const REAL *restrict h,
                                          size_t K)
{
  switch (a) {
  case LI2_ACT_SQR:
    for (size_t j = 0; j < K; j++) acc[j] += 2 * g[j] * h[j];
    break;
  case LI2_ACT_RELU:
    for (size_t j = 0; j < K; j++) acc[j] += h[j] > 0 ? g[j] : 0;
    break;
  case LI2_ACT_SILU:
    for (size_t j = 0; j < K; j++)
      acc[j] += (REAL)(g[j] * li2_activation_deriv(LI2_ACT_SILU, (double)h[j]));
    break;
  case LI2_ACT_RELUSQR:
    for (size_t j = 0; j < K; j++) acc[j] += h[j] > 0 ? 2 * g[j] * h[j] : 0;
    break;
  default:
    break;
  }
}

/* g[j] *= sigma'(h[j]) */
LI2_CLONES static void SUF(dact_row)(li2_activation a, REAL *restrict g, const REAL *restrict h,
                                     size_t K)
{
  switch (a) {
  case LI2_ACT_SQR:
    for (size_t j = 0; j < K; j++) g[j] *= 2 * h[j];
    break;
  case LI2_ACT_RELU:
    for (size_t j = 0; j < K; j++) g[j] = h[j] > 0 ? g[j] : 0;
    break;
  case LI2_ACT_RELUSQR:
    for (size_t j = 0; j < K; j++) g[j] = h[j] > 0 ? 2 * g[j] * h[j] : 0;
    break;
  default:
    for (size_t j = 0; j < K; j++)
      g[j] = (REAL)(g[j] * li2_activation_deriv(a, (double)h[j]));
    break;
  }
}

static void SUF(mul_deriv_row)(li2_activation a, REAL *g, const REAL *z, size_t K)
{
  for (size_t j = 0; j < K; j++)
    g[j] = (REAL)(g[j] * li2_activation_deriv(a, (double)z[j]));
}

/* One output row o (M values) with label c, outputs scaled by BETA (the
 * output_multiplier, p = beta o): returns the loss of p, writes SCALE *
 * dLoss/do = SCALE * beta * dLoss/dp into g (when not NULL) and whether
 * argmax o = c into *OK (see li2_loss_eval in model.h).  Sums in double.
 * BETA = 1 gives the unscaled bits exactly (x * 1 = x). */
static double SUF(loss_row)(li2_loss l, size_t M, const REAL *o, size_t c, REAL *g,
                            double scale, double beta, unsigned char *ok)
{
  const double invM = 1.0 / (double)M, gs = scale * beta;
  double loss;
  size_t best = 0;
  for (size_t k = 1; k < M; k++)
    if (o[k] > o[best])
      best = k;
  *ok = best == c;
  if (l == LI2_LOSS_MSE) {
    double mean = 0, sq = 0;
    for (size_t k = 0; k < M; k++)
      mean += beta * o[k];
    mean *= invM;
    for (size_t k = 0; k < M; k++) {
      double d = beta * o[k] - mean;
      sq += d * d;
    }
    loss = sq - 2 * (beta * o[c] - mean) + 1 - invM;
    if (g) {
      for (size_t k = 0; k < M; k++)
        g[k] = (REAL)(2 * gs * (beta * o[k] - mean + invM));
      g[c] = (REAL)(2 * gs * (beta * o[c] - mean + invM - 1));
    }
  } else {
    double mx = beta * o[0], s = 0, lse;
    for (size_t k = 1; k < M; k++)
      mx = beta * o[k] > mx ? beta * o[k] : mx;
    for (size_t k = 0; k < M; k++)
      s += exp(beta * o[k] - mx);
    lse = mx + log(s);
    loss = lse - beta * o[c];
    if (g) {
      for (size_t k = 0; k < M; k++)
        g[k] = (REAL)(gs * exp(beta * o[k] - lse));
      g[c] = (REAL)(gs * (exp(beta * o[c] - lse) - 1));
    }
  }
  return loss;
}

/* See li2_loss_eval in model.h.  Row losses are stored and summed serially
 * so the total does not depend on the thread count. */
static double SUF(loss_eval)(li2_loss l, size_t n, size_t M, const REAL *O, const int *y,
                             REAL *dO, double *rowloss, unsigned char *rowok, size_t *ncorrect,
                             double beta)
{
  const double scale = 1.0 / (double)n;
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    rowloss[i] = SUF(loss_row)(l, M, O + i * M, (size_t)y[i], dO ? dO + i * M : NULL, scale,
                               beta, rowok + i);
  return rows_total(rowloss, rowok, n, scale, ncorrect);
}

/* h = sum_t W[t M + x_t] over the K operands of XI: the gather of one
 * sample's pre-activation (doc/mathematics.md section 1). */
static void SUF(gather_row)(REAL *h, const REAL *Wr, const int *xi, int k, size_t M, size_t K)
{
  SUF(sum_rows)(h, Wr + (size_t)xi[0] * K, Wr + (M + (size_t)xi[1]) * K, K);
  for (int t = 2; t < k; t++)
    SUF(add_row)(h, Wr + ((size_t)t * M + (size_t)xi[t]) * K, K);
}

/* use_bn: column sums over the N rows of A (n x K), and of A times B when
 * B is not NULL, into S and SB (double).  Each thread takes a contiguous
 * range of columns and adds its rows in row order, so the sums do not
 * depend on the thread count. */
static void SUF(col_sums)(size_t n, size_t K, const REAL *A, const REAL *B, double *S,
                          double *SB)
{
#pragma omp parallel
  {
    size_t t, nt, j0, j1;
    team(&t, &nt);
    team_share(K, t, nt, &j0, &j1);
    for (size_t j = j0; j < j1; j++) {
      S[j] = 0;
      if (B)
        SB[j] = 0;
    }
    for (size_t i = 0; i < n; i++) {
      const REAL *a = A + i * K, *b = B ? B + i * K : NULL;
      for (size_t j = j0; j < j1; j++) {
        S[j] += (double)a[j];
        if (b)
          SB[j] += (double)a[j] * (double)b[j];
      }
    }
  }
}

/* use_bn forward (torch.nn.BatchNorm1d): F holds the pre-activations H of
 * N samples; batch mode takes their mean and biased variance per node,
 * eval mode the running statistics; XH = (H - mu) / sqrt(var + eps) is kept
 * for the backward pass and F becomes sigma(gamma XH + beta). */
static void SUF(bn_forward)(const li2_model *m, li2_model_work *w, size_t n, REAL *F)
{
  const size_t K = m->K;
  double *mu = w->bn_mu, *var = w->bn_v, *inv = w->bn_inv;
  REAL *XH = w->XH;
  if (w->bn_batch) {
    /* two passes (mean, then squared deviations): no cancellation */
    double *dev = w->bn_dg;  /* scratch */
    SUF(col_sums)(n, K, F, NULL, mu, NULL);
    for (size_t j = 0; j < K; j++)
      mu[j] /= (double)n;
#pragma omp parallel
    {
      size_t t, nt, j0, j1;
      team(&t, &nt);
      team_share(K, t, nt, &j0, &j1);
      for (size_t j = j0; j < j1; j++)
        dev[j] = 0;
      for (size_t i = 0; i < n; i++)
        for (size_t j = j0; j < j1; j++) {
          double d = (double)F[i * K + j] - mu[j];
          dev[j] += d * d;
        }
    }
    for (size_t j = 0; j < K; j++)
      var[j] = dev[j] / (double)n;
    w->bn_have = 1;
    w->bn_n = n;
  } else {
    memcpy(mu, m->bn_mean, K * sizeof(double));
    memcpy(var, m->bn_var, K * sizeof(double));
    w->bn_have = 0;
  }
  for (size_t j = 0; j < K; j++)
    inv[j] = 1 / sqrt(var[j] + LI2_BN_EPS);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    REAL *f = F + i * K, *xh = XH + i * K;
    for (size_t j = 0; j < K; j++) {
      double z = ((double)f[j] - mu[j]) * inv[j];
      xh[j] = (REAL)z;
      f[j] = (REAL)(m->gamma[j] * z + m->beta[j]);
    }
    SUF(act_row)(m->act, f, K);
  }
}

/* use_bn backward: DF = dLoss/dF of the first layer; writes DH = dLoss/dH
 * and dLoss/dgamma, dLoss/dbeta into GB (2K doubles, may be NULL).  With
 * y = gamma xh + beta and g = dLoss/dy = DF sigma'(y):
 *   dbeta = sum_i g_i, dgamma = sum_i g_i xh_i,
 *   batch: dH_i = gamma inv (g_i - dbeta/n - xh_i dgamma/n) (mu and var
 *          depend on every H_i; biased variance),
 *   eval:  dH_i = gamma inv g_i. */
static void SUF(bn_backward)(const li2_model *m, li2_model_work *w, size_t n, const REAL *DF,
                             double *gb)
{
  const size_t K = m->K;
  const REAL *XH = w->XH;
  REAL *DH = w->DH;
  double *dg = w->bn_dg, *db = w->bn_db;
  const int batch = w->bn_have;
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    const REAL *xh = XH + i * K, *df = DF + i * K;
    REAL *g = DH + i * K;
    for (size_t j = 0; j < K; j++) {
      double y = m->gamma[j] * (double)xh[j] + m->beta[j];
      g[j] = (REAL)((double)df[j] * li2_activation_deriv(m->act, y));
    }
  }
  SUF(col_sums)(n, K, DH, XH, db, dg);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    const REAL *xh = XH + i * K;
    REAL *g = DH + i * K;
    for (size_t j = 0; j < K; j++) {
      double c = m->gamma[j] * w->bn_inv[j], v = (double)g[j];
      if (batch)
        v -= (db[j] + (double)xh[j] * dg[j]) / (double)n;
      g[j] = (REAL)(c * v);
    }
  }
  if (gb) {
    memcpy(gb, dg, K * sizeof(double));
    memcpy(gb + K, db, K * sizeof(double));
  }
}

/* F_0 = sigma(gather), then the residual layers. */
static void SUF(features)(const li2_model *m, li2_model_work *w, size_t n, const int *x,
                          const REAL *Wr, const REAL *Lr)
{
  const size_t K = m->K, M = m->M, nK = n * K, nw = w->nmax * K;
  const int k = m->nops;
  REAL *F = w->F;
  /* Gather: h = sum_t W[t M + x_t] (doc/mathematics.md section 1), then sigma
   * (use_bn: after the normalisation, bn_forward). */
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    const int *xi = x + i * (size_t)k;
    REAL *f = F + i * K;
    if (m->inner) {  /* use_inner_product_act: F_0 = prod_t W_t x_t, no activation */
      SUF(prod_rows)(f, Wr, xi, k, M, K, -1);
      continue;
    }
    SUF(gather_row)(f, Wr, xi, k, M, K);
    if (!m->bn)
      SUF(act_row)(m->act, f, K);
  }
  if (m->bn)
    SUF(bn_forward)(m, w, n, F);
  /* Residual layers: Z_l = F_l + F_l L_l, F_{l+1} = sigma(Z_l). */
  for (int l2 = 0; l2 < m->nlayers; l2++) {
    REAL *Fl = F + (size_t)l2 * nw, *Zl = (REAL *)w->Z + (size_t)l2 * nw,
         *Fn = F + (size_t)(l2 + 1) * nw;
    memcpy(Zl, Fl, nK * sizeof(REAL));
    SUF(pgemm)(CblasNoTrans, CblasNoTrans, n, K, K, 1, Fl, K, Lr + (size_t)l2 * K * K, K, 1, Zl,
               K);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
      memcpy(Fn + i * K, Zl + i * K, K * sizeof(REAL));
      SUF(act_row)(m->act, Fn + i * K, K);
    }
  }
}

static double SUF(outputs)(const li2_model *m, li2_model_work *w, const int *y, const REAL *Vr,
                           size_t *ncorrect)
{
  const size_t K = m->K, M = m->M, n = w->n;
  const REAL *Fr = (const REAL *)w->F + (size_t)m->nlayers * w->nmax * K;
  /* O = F V */
  SUF(pgemm)(CblasNoTrans, CblasNoTrans, n, M, K, 1, Fr, K, Vr, M, 0, (REAL *)w->O, M);
  return SUF(loss_eval)(m->loss, n, M, w->O, y, w->backward ? w->dO : NULL, w->rowloss,
                        w->rowok, ncorrect, m->out_mult);
}

/* Write a REAL block into the double gradient. */
static void SUF(to_grad)(double *dst, const REAL *src, size_t len)
{
  for (size_t i = 0; i < len; i++)
    dst[i] = (double)src[i];
}

static void SUF(backward)(const li2_model *m, li2_model_work *w, double *grad, int skip_v,
                          int features_only, const REAL *Wr, const REAL *Lr, const REAL *Vr)
{
  const size_t K = m->K, M = m->M, n = w->n, nw = w->nmax * K, nK = n * K;
  const int k = m->nops, r = m->nlayers;
  const int *x = w->x;
  REAL *F = w->F, *Fr = F + (size_t)r * nw, *dO = w->dO, *dF = w->dF, *tmp = w->tmp;
  REAL *small = w->small;  /* K x M or K x K product before it goes to GRAD */
  REAL *g;
  int direct = sizeof(REAL) == sizeof(double);
  /* dV = F_r^T dO */
  if (!features_only && !skip_v) {
    REAL *dst = direct ? (REAL *)(void *)(grad + m->nW + m->nL) : small;
    SUF(pgemm)(CblasTrans, CblasNoTrans, K, M, n, 1, Fr, K, dO, M, 0, dst, M);
    if (!direct)
      SUF(to_grad)(grad + m->nW + m->nL, small, K * M);
  }
  /* dF_r = dO V^T */
  g = r ? tmp : dF;
  SUF(pgemm)(CblasNoTrans, CblasTrans, n, K, M, 1, dO, M, Vr, M, 0, g, K);
  /* Residual layers backwards: dZ = dF_{l+1} sigma'(Z_l); dL_l = F_l^T dZ;
   * dF_l = dZ + dZ L_l^T. */
  for (int l2 = r - 1; l2 >= 0; l2--) {
    REAL *Fl = F + (size_t)l2 * nw, *Zl = (REAL *)w->Z + (size_t)l2 * nw;
    REAL *dst = (g == tmp) ? dF : tmp;
    const REAL *Ll = Lr + (size_t)l2 * K * K;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
      SUF(mul_deriv_row)(m->act, g + i * K, Zl + i * K, K);
    if (!features_only) {
      REAL *gd = direct ? (REAL *)(void *)(grad + m->nW + (size_t)l2 * K * K) : small;
      SUF(pgemm)(CblasTrans, CblasNoTrans, K, K, n, 1, Fl, K, g, K, 0, gd, K);
      if (!direct)
        SUF(to_grad)(grad + m->nW + (size_t)l2 * K * K, small, K * K);
    }
    memcpy(dst, g, nK * sizeof(REAL));
    SUF(pgemm)(CblasNoTrans, CblasTrans, n, K, K, 1, g, K, Ll, K, 1, dst, K);
    g = dst;
  }
  if (g != dF)  /* r odd: the last step landed in tmp */
    memcpy(dF, g, nK * sizeof(REAL));
  if (features_only)
    return;
  if (m->bn)
    SUF(bn_backward)(m, w, n, dF, grad + m->nW + m->nL + m->nV);

  /* dW: row t M + a collects dH = dF sigma'(h) of every sample whose
   * operand t is a (the CSR built by the caller lists them in increasing
   * order); rows are independent, so the sums are the same for every
   * thread count. */
#pragma omp parallel
  {
#ifdef _OPENMP
    int tid = omp_get_thread_num();
#else
    int tid = 0;
#endif
    REAL *h = (REAL *)w->hscratch + (size_t)tid * 2 * K, *acc = h + K;
#pragma omp for schedule(static)
    for (size_t q = 0; q < w->nrows; q++) {
      memset(acc, 0, K * sizeof(REAL));
      for (size_t s = w->start[q]; s < w->start[q + 1]; s++) {
        size_t i = w->idx[s];
        const int *xi = x + i * (size_t)k;
        if (m->bn) {  /* dLoss/dH from bn_backward */
          SUF(add_row)(acc, (const REAL *)w->DH + i * K, K);
          continue;
        }
        if (m->inner) {  /* d prod_t / d W_t = the other operands' product */
          SUF(prod_rows)(h, Wr, xi, k, M, K, (int)(q / M));
          SUF(acc_mul_row)(acc, dF + i * K, h, K);
          continue;
        }
        /* recompute the pre-activation instead of storing H (n x K) */
        SUF(gather_row)(h, Wr, xi, k, M, K);
        SUF(acc_deriv_row)(m->act, acc, dF + i * K, h, K);
      }
      SUF(to_grad)(grad + q * K, acc, K);
    }
  }
}

/* OUT[e] = the partial sums P[t LEN + e] of the USED threads added in
 * thread order (fixed for a thread count); OUT may be P (thread 0's block). */
static void SUF(sum_partials)(const REAL *p, int used, size_t len, double *out)
{
#pragma omp parallel for schedule(static)
  for (size_t e = 0; e < len; e++) {
    double s = 0;
    for (int t = 0; t < used; t++)
      s += p[(size_t)t * len + e];
    out[e] = s;
  }
}

/* One block of NB rows (from row B0) of a fused step, F (nb x K) given:
 * O = F V, the loss rows and dO, dV += F^T dO (this thread's DVP), and
 * dF = dO V^T into F. */
static void SUF(block_products)(const li2_model *m, li2_model_work *w, size_t b0, size_t nb,
                                const int *y, const REAL *Vr, double scale, REAL *F, REAL *O,
                                REAL *dO, REAL *dVp)
{
  const size_t K = m->K, M = m->M;
  GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)M, (int)K, 1, F, (int)K, Vr,
       (int)M, 0, O, (int)M);
  for (size_t i = 0; i < nb; i++)
    w->rowloss[b0 + i] = SUF(loss_row)(m->loss, M, O + i * M, (size_t)y[b0 + i], dO + i * M,
                                       scale, m->out_mult, w->rowok + b0 + i);
  GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)M, (int)nb, 1, F, (int)K, dO,
       (int)M, 1, dVp, (int)M);
  /* dF = dO V^T, into F (no longer needed) */
  GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)K, (int)M, 1, dO, (int)M, Vr,
       (int)M, 0, F, (int)K);
}

/* Loss and gradient of one full training step in a single blocked pass
 * (other_layers = 0): each thread takes a contiguous share of the samples
 * and, block by block, gathers H and F = sigma(H), forms O = F V, the loss
 * rows and dO, accumulates dV += F^T dO, forms dF = dO V^T and scatters
 * dF sigma'(H) into its own copy of dW.  The n x K arrays never leave the
 * cache.  The per-thread partial sums are added in thread order, so the
 * result is fixed for a given thread count. */
static double SUF(step_fused)(const li2_model *m, li2_model_work *w, size_t n, const int *x,
                              const int *y, const REAL *Wr, const REAL *Vr, double *grad,
                              size_t *ncorrect)
{
  const size_t K = m->K, M = m->M, B = w->block, nrw = w->nrows * K, nv = K * M;
  const int k = m->nops;
  const double scale = 1.0 / (double)n;
  int used = 1;
#pragma omp parallel
  {
    fused_share sh;
    fused_share_begin(w, n, K, M, nrw, nv, sizeof(REAL), &sh);
    REAL *H = sh.H, *F = sh.F, *O = sh.O, *dO = sh.dO, *dWp = sh.dW, *dVp = sh.dV;
    const size_t i0 = sh.i0, i1 = sh.i1;
#pragma omp single
    used = (int)sh.nt;
    for (size_t b0 = i0; b0 < i1; b0 += B) {
      size_t nb = i1 - b0 < B ? i1 - b0 : B;
      const int *xb = x + b0 * (size_t)k;
      for (size_t i = 0; i < nb; i++) {
        const int *xi = xb + i * (size_t)k;
        REAL *h = H + i * K, *f = F + i * K;
        if (m->inner) {  /* use_inner_product_act: F = prod_t W_t x_t, no activation */
          SUF(prod_rows)(f, Wr, xi, k, M, K, -1);
          continue;
        }
        SUF(gather_row)(h, Wr, xi, k, M, K);
        memcpy(f, h, K * sizeof(REAL));
        SUF(act_row)(m->act, f, K);
      }
      SUF(block_products)(m, w, b0, nb, y, Vr, scale, F, O, dO, dVp);
      for (size_t i = 0; i < nb; i++) {
        const int *xi = xb + i * (size_t)k;
        /* dH = dF sigma'(H), in place in dF's row */
        REAL *h = H + i * K, *g = F + i * K;
        if (m->inner) {  /* operand q's row gets dF times the others' product */
          for (int q = 0; q < k; q++) {
            SUF(prod_rows)(h, Wr, xi, k, M, K, q);
            SUF(acc_mul_row)(dWp + ((size_t)q * M + (size_t)xi[q]) * K, g, h, K);
          }
          continue;
        }
        SUF(dact_row)(m->act, g, h, K);
        for (int q = 0; q < k; q++)
          SUF(add_row)(dWp + ((size_t)q * M + (size_t)xi[q]) * K, g, K);
      }
    }
  }
  SUF(sum_partials)((const REAL *)w->pdW, used, nrw, grad);
  SUF(sum_partials)((const REAL *)w->pdV, used, nv, grad + m->nW + m->nL);
  return rows_total(w->rowloss, w->rowok, n, scale, ncorrect);
}

/* use_bn's training step in blocked passes (other_layers = 0, BLAS), so
 * the n x K arrays never leave the cache as in step_fused.  Batch
 * statistics need every sample before the first activation, and dH_i =
 * gamma inv (g_i - dbeta/n - xh_i dgamma/n) needs the sums over every g_i
 * (g = dLoss/dy, xh = (h - mu) inv), so:
 *   pass 1: gather H, per-thread column sums of h;
 *   pass 2: gather H again, per-thread sums of (h - mu)^2 (no cancellation),
 *           and h - mu scattered into the rows of W (S_d[q] = the sum over
 *           the samples of row q, so S_xh = inv S_d has no cancellation in
 *           single precision either);
 *   pass 3: as step_fused with F = sigma(gamma xh + beta), dV, and g
 *           scattered into dW (S_g) with per-thread sums dbeta, dgamma;
 * then row q = (t, a) with c_q samples gets gamma inv (S_g[q] - c_q
 * dbeta/n - S_xh[q] dgamma/n).  Partial
 * sums are added in thread order: fixed for a thread count. */
static double SUF(step_fused_bn)(const li2_model *m, li2_model_work *w, size_t n, const int *x,
                                 const int *y, const REAL *Wr, const REAL *Vr, double *grad,
                                 size_t *ncorrect)
{
  const size_t K = m->K, M = m->M, B = w->block, nrw = w->nrows * K, nv = K * M;
  const int k = m->nops;
  const double scale = 1.0 / (double)n;
  double *mu = w->bn_mu, *var = w->bn_v, *inv = w->bn_inv, *Sh = w->bnS;  /* S_d */
  double *part = w->bnp;  /* per thread: 4K doubles */
  size_t *cnt = w->bncnt;
  int used = 1;
  /* the counts c_q (serial: n k increments) */
  memset(cnt, 0, w->nrows * sizeof(size_t));
  for (size_t i = 0; i < n; i++)
    for (int t = 0; t < k; t++)
      cnt[(size_t)t * M + (size_t)x[i * (size_t)k + t]]++;
  for (int pass = 1; pass <= 3; pass++) {
#pragma omp parallel
    {
      fused_share sh;
      fused_share_begin(w, n, K, M, nrw, nv, sizeof(REAL), &sh);
      REAL *H = sh.H, *F = sh.F, *O = sh.O, *dO = sh.dO, *dWp = sh.dW, *dVp = sh.dV;
      double *ps = part + sh.t * 4 * K, *pdb = ps + 2 * K, *pdg = ps + 3 * K;
#pragma omp single
      used = (int)sh.nt;
      memset(ps, 0, 4 * K * sizeof(double));
      for (size_t b0 = sh.i0; b0 < sh.i1; b0 += B) {
        size_t nb = sh.i1 - b0 < B ? sh.i1 - b0 : B;
        const int *xb = x + b0 * (size_t)k;
        for (size_t i = 0; i < nb; i++) {
          const int *xi = xb + i * (size_t)k;
          REAL *h = H + i * K;
          SUF(gather_row)(h, Wr, xi, k, M, K);
          if (pass == 1) {
            for (size_t j = 0; j < K; j++)
              ps[j] += (double)h[j];
          } else if (pass == 2) {
            for (size_t j = 0; j < K; j++) {
              double d = (double)h[j] - mu[j];
              ps[K + j] += d * d;
              h[j] = (REAL)d;
            }
            for (int q = 0; q < k; q++)
              SUF(add_row)(dWp + ((size_t)q * M + (size_t)xi[q]) * K, h, K);
          } else {
            REAL *f = F + i * K;
            for (size_t j = 0; j < K; j++) {
              double z = ((double)h[j] - mu[j]) * inv[j];
              h[j] = (REAL)z;  /* H now holds xh */
              f[j] = (REAL)(m->gamma[j] * z + m->beta[j]);
            }
            SUF(act_row)(m->act, f, K);
          }
        }
        if (pass < 3)
          continue;
        SUF(block_products)(m, w, b0, nb, y, Vr, scale, F, O, dO, dVp);
        for (size_t i = 0; i < nb; i++) {
          const int *xi = xb + i * (size_t)k;
          const REAL *xh = H + i * K;
          REAL *g = F + i * K, *yr = (REAL *)w->hscratch + sh.t * 2 * K;
          /* g = dF sigma'(y), y = gamma xh + beta (dact_row: vectorised) */
          for (size_t j = 0; j < K; j++)
            yr[j] = (REAL)(m->gamma[j] * (double)xh[j] + m->beta[j]);
          SUF(dact_row)(m->act, g, yr, K);
          for (size_t j = 0; j < K; j++) {
            pdb[j] += (double)g[j];
            pdg[j] += (double)g[j] * (double)xh[j];
          }
          for (int q = 0; q < k; q++)
            SUF(add_row)(dWp + ((size_t)q * M + (size_t)xi[q]) * K, g, K);
        }
      }
    }
    /* the thread partials in thread order */
    if (pass == 1) {
      for (size_t j = 0; j < K; j++) {
        double sum = 0;
        for (int t = 0; t < used; t++)
          sum += part[(size_t)t * 4 * K + j];
        mu[j] = sum / (double)n;
      }
    } else if (pass == 2) {
      SUF(sum_partials)((const REAL *)w->pdW, used, nrw, Sh);
      for (size_t j = 0; j < K; j++) {
        double sum = 0;
        for (int t = 0; t < used; t++)
          sum += part[(size_t)t * 4 * K + K + j];
        var[j] = sum / (double)n;
        inv[j] = 1 / sqrt(var[j] + LI2_BN_EPS);
      }
    }
  }
  {
    double *dg = w->bn_dg, *db = w->bn_db;
    for (size_t j = 0; j < K; j++) {
      double sb = 0, sg = 0;
      for (int t = 0; t < used; t++) {
        sb += part[(size_t)t * 4 * K + 2 * K + j];
        sg += part[(size_t)t * 4 * K + 3 * K + j];
      }
      db[j] = sb;
      dg[j] = sg;
    }
    SUF(sum_partials)((const REAL *)w->pdW, used, nrw, grad);
    SUF(sum_partials)((const REAL *)w->pdV, used, nv, grad + m->nW + m->nL);
#pragma omp parallel for schedule(static)
    for (size_t q = 0; q < w->nrows; q++) {
      const double c = (double)cnt[q];
      double *gq = grad + q * K;
      const double *sh = Sh + q * K;
      for (size_t j = 0; j < K; j++) {
        double sxh = inv[j] * sh[j];
        gq[j] = m->gamma[j] * inv[j] * (gq[j] - (c * db[j] + sxh * dg[j]) / (double)n);
      }
    }
    memcpy(grad + m->nW + m->nL + m->nV, dg, K * sizeof(double));
    memcpy(grad + m->nW + m->nL + m->nV + K, db, K * sizeof(double));
  }
  w->bn_have = 1;
  w->bn_n = n;
  return rows_total(w->rowloss, w->rowok, n, scale, ncorrect);
}

/* ---- the fused step on hand-tiled kernels (model_kern.h) ---- */
#if LI2_KERNELS

/* What the dF epilogue needs: operands X of the block's first row, the
 * padded W (rows of stride LD) and this thread's partial dW. */
typedef struct {
  const int *x;
  int nops;
  size_t M, ld;
  li2_activation act;
  const REAL *W;
  REAL *dW;
} SUF(scatter);

/* One instruction set's kernels (model_kern.h). */
typedef struct {
  void (*gemm)(size_t nr, size_t nv, size_t np, const REAL *A, size_t sar, size_t sap,
               const REAL *B, size_t ldb, REAL *C, size_t ldc, int acc, const SUF(scatter) *e);
  void (*gather)(size_t nb, const int *x, int k, size_t M, const REAL *W, size_t ld, size_t Kp,
                 li2_activation act, REAL *F);
} SUF(kernels);

/* As step_fused, with the products on KF: per thread and block of rows,
 * F = sigma(gather) (padded rows), O = F V, the loss rows and dO,
 * dV^T += dO^T F, and dF = dO V^T whose tiles go straight into dW through
 * sigma'(H) (H recomputed from W) without being stored.  W, V and V^T are
 * first copied into padded REAL arrays (row strides a multiple of the
 * vector length, offset from a multiple of 512 bytes so consecutive rows
 * fall in different L1 sets).  Partial sums are added in thread order. */
static double SUF(step_kern)(const li2_model *m, li2_model_work *w, const SUF(kernels) *kf,
                             size_t n, const int *x, const int *y, double *grad,
                             size_t *ncorrect)
{
  const size_t K = m->K, M = m->M, ld = w->ld, Kp = w->Kp, Mp = w->Mp, B = w->kblock;
  const size_t nrows = w->nrows, nrw = nrows * ld, nv = M * ld;
  const int k = m->nops;
  const double scale = 1.0 / (double)n;
  REAL *Wp = w->kW, *Vp = w->kV, *Vt = w->kVt;
  const REAL *pdW = w->kdW, *pdV = w->kdV;
  int nth = w->nthreads;
#ifdef _OPENMP
  if (omp_get_max_threads() < nth)
    nth = omp_get_max_threads();
#endif
  /* one parallel region: thread wake-ups are a visible share of a step
   * of a few milliseconds */
#pragma omp parallel num_threads(nth)
  {
    size_t t, nt, i0, i1;
    team(&t, &nt);
    team_share(n, t, nt, &i0, &i1);
    REAL *F = (REAL *)w->kF + t * B * ld, *O = (REAL *)w->kO + t * B * Mp;
    REAL *dO = (REAL *)w->kdO + t * B * Mp;
    REAL *dWp = (REAL *)w->kdW + t * nrw, *dVp = (REAL *)w->kdV + t * nv;
    memset(dWp, 0, nrw * sizeof(REAL));
    memset(dVp, 0, nv * sizeof(REAL));
    /* padded copies (the pads are zero from the allocation) */
#pragma omp for schedule(static) nowait
    for (size_t q = 0; q < nrows; q++)
      for (size_t j = 0; j < K; j++)
        Wp[q * ld + j] = (REAL)m->W[q * K + j];
#pragma omp for schedule(static)
    for (size_t j = 0; j < K; j++)
      for (size_t c = 0; c < M; c++) {
        Vp[j * Mp + c] = (REAL)m->V[j * M + c];
        Vt[c * ld + j] = (REAL)m->V[j * M + c];
      }
    for (size_t b0 = i0; b0 < i1; b0 += B) {
      const size_t nb = i1 - b0 < B ? i1 - b0 : B;
      const SUF(scatter) e = {x + b0 * (size_t)k, k, M, ld, m->act, Wp, dWp};
      kf->gather(nb, x + b0 * (size_t)k, k, M, Wp, ld, Kp, m->act, F);
      /* O = F V */
      kf->gemm(nb, Mp, K, F, ld, 1, Vp, Mp, O, Mp, 0, NULL);
      for (size_t i = 0; i < nb; i++)
        w->rowloss[b0 + i] = SUF(loss_row)(m->loss, M, O + i * Mp, (size_t)y[b0 + i],
                                           dO + i * Mp, scale, m->out_mult, w->rowok + b0 + i);
      /* dV^T += dO^T F */
      kf->gemm(M, Kp, nb, dO, 1, Mp, F, ld, dVp, ld, 1, NULL);
      /* dF = dO V^T, scattered into dW through sigma'(H) */
      kf->gemm(nb, Kp, M, dO, Mp, 1, Vt, ld, NULL, 0, 0, &e);
    }
#pragma omp barrier
    /* partial sums in thread order */
#pragma omp for schedule(static) nowait
    for (size_t q = 0; q < nrows; q++)
      for (size_t j = 0; j < K; j++) {
        double s = 0;
        for (size_t u = 0; u < nt; u++)
          s += pdW[u * nrw + q * ld + j];
        grad[q * K + j] = s;
      }
#pragma omp for schedule(static)
    for (size_t j = 0; j < K; j++)
      for (size_t c = 0; c < M; c++) {
        double s = 0;
        for (size_t u = 0; u < nt; u++)
          s += pdV[u * nv + c * ld + j];
        grad[m->nW + m->nL + j * M + c] = s;
      }
  }
  return rows_total(w->rowloss, w->rowok, n, scale, ncorrect);
}

/* The tiled products for AVX-512 (32 vector registers: tiles of up to 24
 * accumulators) and AVX2 + FMA (16 registers: 12). */
#define KVBYTES 64
#define KSUF(name) SUF(name##_512)
#define KTARGET KT512
#define KACC 24
#define KRMAX 5
#define KJBIG 4
#include "model_kern.h"
#define KVBYTES 32
#define KSUF(name) SUF(name##_256)
#define KTARGET KT256
#define KACC 12
#define KRMAX 4
#define KJBIG 3
#include "model_kern.h"
static const SUF(kernels) SUF(kern)[2] = {{SUF(gemm_256), SUF(gather_256)},
                                          {SUF(gemm_512), SUF(gather_512)}};
#endif
