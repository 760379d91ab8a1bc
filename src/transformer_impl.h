/* The transformer's forward and backward passes (transformer.h), written
 * once for REAL = double and REAL = float: included twice by transformer.c
 * with REAL, SUF(name) (the name with its precision suffix) and GEMM
 * (cblas_dgemm or cblas_sgemm) defined.  The workspace's buffers are REAL;
 * sums of a row (LayerNorm's moments, the softmax) run in double in both. */

/* C (r x cols) = A (r x k) B^T (B: cols x k, PyTorch's out x in) + BETA C */
static void SUF(mul_t)(size_t r, size_t cols, size_t k, const REAL *a, const REAL *b, REAL beta,
                       REAL *c)
{
  GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)r, (int)cols, (int)k, 1, a, (int)k, b,
       (int)k, beta, c, (int)cols);
}

/* C (r x cols) = A (r x k) B (B: k x cols) + BETA C */
static void SUF(mul_n)(size_t r, size_t cols, size_t k, const REAL *a, const REAL *b, REAL beta,
                       REAL *c)
{
  GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)cols, (int)k, 1, a, (int)k, b,
       (int)cols, beta, c, (int)cols);
}

/* G (rows x cols) = D^T X: D r x rows, X r x cols (a weight's gradient) */
static void SUF(mul_tn)(size_t rows, size_t cols, size_t r, const REAL *dmat, const REAL *x,
                        REAL *g)
{
  GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)rows, (int)cols, (int)r, 1, dmat, (int)rows,
       x, (int)cols, 0, g, (int)cols);
}

/* Y (r x cols) += 1 b^T */
static void SUF(add_bias)(REAL *y, const REAL *b, size_t r, size_t cols)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++)
#pragma omp simd
    for (size_t j = 0; j < cols; j++)
      y[i * cols + j] += b[j];
}

/* Z += 1 b^T, then H = act(Z), fused in one pass over Z (r x cols); for
 * relu in place (H = Z: the backward reads its sign from H). */
static void SUF(bias_act)(li2_activation act, REAL *z, REAL *h, const REAL *b, size_t r,
                          size_t cols)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++) {
    REAL *zi = z + i * cols, *hi = h + i * cols;
    if (act == LI2_ACT_RELU)
#pragma omp simd
      for (size_t j = 0; j < cols; j++) {
        const REAL v = zi[j] + b[j];
        hi[j] = v > 0 ? v : 0;
      }
    else
      for (size_t j = 0; j < cols; j++) {
        zi[j] += b[j];
        hi[j] = (REAL)li2_activation_eval(act, (double)zi[j]);
      }
  }
}

/* LayerNorm of the rows of S (r x d): XHAT, RSTD and Y = g xhat + c (biased
 * variance, as nn.LayerNorm); the moments in double. */
static void SUF(layernorm)(const REAL *s, size_t r, size_t d, const REAL *g, const REAL *c,
                           REAL *xhat, REAL *rstd, REAL *y)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++) {
    const REAL *si = s + i * d;
    double mu = 0, var = 0, rs;
    for (size_t j = 0; j < d; j++)
      mu += si[j];
    mu /= (double)d;
    for (size_t j = 0; j < d; j++)
      var += (si[j] - mu) * (si[j] - mu);
    var /= (double)d;
    rs = 1 / sqrt(var + LN_EPS);
    rstd[i] = (REAL)rs;
#pragma omp simd
    for (size_t j = 0; j < d; j++) {
      xhat[i * d + j] = (REAL)((si[j] - mu) * rs);
      y[i * d + j] = g[j] * xhat[i * d + j] + c[j];
    }
  }
}

/* Self-attention of one layer: CTX from QKV (unless NULL), the
 * probabilities in ATT. */
static void SUF(attention)(const li2_transformer *tf, size_t n, const REAL *qkv, REAL *att,
                           REAL *ctx)
{
  const size_t d = tf->d, T = tf->T, H = tf->nhead, dh = d / H;
  const double scale = 1 / sqrt((double)dh);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    for (size_t h = 0; h < H; h++) {
      REAL *a = att + ((i * H + h) * T) * T;
      for (size_t t = 0; t < T; t++) {
        const REAL *q = qkv + (i * T + t) * 3 * d + h * dh;
        double s[64], mx = -INFINITY, sum = 0;  /* T <= 64 */
        for (size_t u = 0; u < T; u++) {
          const REAL *k = qkv + (i * T + u) * 3 * d + d + h * dh;
          double dot = 0;
          for (size_t e = 0; e < dh; e++)
            dot += (double)q[e] * k[e];
          s[u] = dot * scale;
          mx = fmax(mx, s[u]);
        }
        for (size_t u = 0; u < T; u++)
          sum += (s[u] = exp(s[u] - mx));
        for (size_t u = 0; u < T; u++)
          a[t * T + u] = (REAL)(s[u] / sum);
        if (!ctx)  /* the first layer on its table: the probabilities only */
          continue;
        REAL *o = ctx + (i * T + t) * d + h * dh;
        memset(o, 0, dh * sizeof(REAL));
        for (size_t u = 0; u < T; u++) {
          const REAL *v = qkv + (i * T + u) * 3 * d + 2 * d + h * dh;
          const REAL au = a[t * T + u];
#pragma omp simd
          for (size_t e = 0; e < dh; e++)
            o[e] += au * v[e];
        }
      }
    }
}

/* Whether the first layer's attention runs on the table of its M T
 * distinct input rows: when its per-head out-projections (M T H rows of d)
 * are fewer than the samples' rows (transformer_work_alloc allocates the
 * tables when M nhead < nmax). */
static int SUF(use_table)(const li2_transformer *tf, const li2_transformer_work *w, size_t n)
{
  return w->tab_x && tf->M * tf->nhead < n;
}

/* The forward of N samples X on the parameters PARAMS (REAL, li2's
 * layout): the caches for the backward, POOLED (n x d) and LOGITS (n x M). */
static void SUF(forward)(const li2_transformer *tf, li2_transformer_work *w, size_t n,
                         const int *x, const REAL *params, REAL *pooled, REAL *logits)
{
  const size_t M = tf->M, d = tf->d, F = tf->dff, T = tf->T, r = n * T;
  const size_t offP = M * d, offL = offP + T * d, offV = offL + tf->nlayers * tf->layer_size;
  const REAL *E = params, *P = params + offP, *V = params + offV;
  REAL *x0 = w->x0, *tmp = w->dx;
  const REAL *xin = x0;
  /* one-hot embedding as a gather */
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++)
#pragma omp simd
    for (size_t j = 0; j < d; j++)
      x0[i * d + j] = E[(size_t)x[i] * d + j] + P[(i % T) * d + j];
  for (size_t l = 0; l < tf->nlayers; l++) {
    layer_cache *c = w->c + l;
    REAL *qkv = c->qkv, *ctx = c->ctx, *x1 = c->x1, *x2 = c->x2, *h = c->h;
    REAL *z = tf->act == LI2_ACT_RELU ? h : (REAL *)c->z;
    const layer_off o = layer_offsets(tf, l);
#define VW(f) (params + o.f)
    /* QKV = X Win^T + bin.  The first layer's input row E[x] + P[t] takes
     * only M T values: when the rows outnumber them, the product runs on
     * that table and its rows are gathered (the same numbers, r / (M T)
     * times fewer products). */
    if (l == 0 && SUF(use_table)(tf, w, n)) {
      REAL *tx = w->tab_x, *tq = w->tab_qkv;
      const size_t MT = M * T;
      for (size_t t = 0; t < T; t++)
        for (size_t a = 0; a < M; a++)
          for (size_t j = 0; j < d; j++)
            tx[(t * M + a) * d + j] = E[a * d + j] + P[t * d + j];
      SUF(mul_t)(MT, 3 * d, d, tx, VW(Win), 0, tq);
      SUF(add_bias)(tq, VW(bin), MT, 3 * d);
#pragma omp parallel for schedule(static)
      for (size_t i = 0; i < r; i++)
        memcpy(qkv + i * 3 * d, tq + ((i % T) * M + (size_t)x[i]) * 3 * d, 3 * d * sizeof(REAL));
    } else {
      SUF(mul_t)(r, 3 * d, d, xin, VW(Win), 0, qkv);
      SUF(add_bias)(qkv, VW(bin), r, 3 * d);
    }
    /* S1 = X + ctx Wo^T + bo (in x2 as scratch), X1 = LN1(S1) */
    if (l == 0 && SUF(use_table)(tf, w, n)) {
      /* ctx_t Wo^T = sum_h sum_u A^h_tu (Wo_h v_h(u)): the out-projection of
       * each head's values on the table's M T rows (UO, M T x H x d), then
       * mixed by the probabilities */
      const size_t H = tf->nhead, dh = d / H, MT = M * T;
      REAL *uo = w->tab_uo;
      const REAL *tq = w->tab_qkv, *att = c->att;
      SUF(attention)(tf, n, qkv, c->att, NULL);
      for (size_t hh = 0; hh < H; hh++)
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)MT, (int)d, (int)dh, 1,
             tq + 2 * d + hh * dh, (int)(3 * d), VW(Wo) + hh * dh, (int)d, 0, uo + hh * d,
             (int)(H * d));
#pragma omp parallel for schedule(static)
      for (size_t row = 0; row < r; row++) {
        const size_t i = row / T, t = row % T;
        REAL *sr = x2 + row * d;
        const REAL *bo = VW(bo), *xr = xin + row * d;
#pragma omp simd
        for (size_t j = 0; j < d; j++)
          sr[j] = xr[j] + bo[j];
        for (size_t hh = 0; hh < H; hh++)
          for (size_t u = 0; u < T; u++) {
            const REAL au = att[((i * H + hh) * T + t) * T + u];
            const REAL *ur = uo + ((u * M + (size_t)x[i * T + u]) * H + hh) * d;
#pragma omp simd
            for (size_t j = 0; j < d; j++)
              sr[j] += au * ur[j];
          }
      }
    } else {
      SUF(attention)(tf, n, qkv, c->att, ctx);
      memcpy(x2, xin, r * d * sizeof(REAL));
      SUF(mul_t)(r, d, d, ctx, VW(Wo), 1, x2);
      SUF(add_bias)(x2, VW(bo), r, d);
    }
    SUF(layernorm)(x2, r, d, VW(g1), VW(c1), c->xhat1, c->rstd1, x1);
    /* Z = X1 W1^T + b1, H = act(Z), S2 = X1 + H W2^T + b2, X2 = LN2(S2) */
    SUF(mul_t)(r, F, d, x1, VW(W1), 0, z);
    SUF(bias_act)(tf->act, z, h, VW(b1), r, F);
    memcpy(tmp, x1, r * d * sizeof(REAL));
    SUF(mul_t)(r, d, F, h, VW(W2), 1, tmp);
    SUF(add_bias)(tmp, VW(b2), r, d);
    SUF(layernorm)(tmp, r, d, VW(g2), VW(c2), c->xhat2, c->rstd2, x2);
#undef VW
    xin = x2;
  }
  /* pooled = mean over tokens; logits = beta pooled V^T */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) {
      double s = 0;
      for (size_t t = 0; t < T; t++)
        s += xin[(i * T + t) * d + j];
      pooled[i * d + j] = (REAL)(s / (double)T);
    }
  GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)M, (int)d, (REAL)tf->out_mult,
       pooled, (int)d, V, (int)d, 0, logits, (int)M);
}

/* Column sums in a fixed order whatever the thread count: rows in chunks
 * of CHUNK, each chunk's sums into PART (one row of COLS per chunk, in
 * parallel; REAL, the workspace's doubles reused), then the chunks added
 * in order in double. */
static void SUF(chunks_add)(const REAL *part, size_t nch, size_t cols, REAL *g)
{
#pragma omp parallel for schedule(static)
  for (size_t j = 0; j < cols; j++) {
    double s = 0;
    for (size_t c = 0; c < nch; c++)
      s += part[c * cols + j];
    g[j] += (REAL)s;
  }
}

/* G (cols) += column sums of D (r x cols) */
static void SUF(colsum)(const REAL *dmat, size_t r, size_t cols, REAL *g, double *part)
{
  const size_t nch = (r + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static)
  for (size_t c = 0; c < nch; c++) {
    REAL *p = (REAL *)part + c * cols;
    const size_t i1 = (c + 1) * CHUNK < r ? (c + 1) * CHUNK : r;
    memset(p, 0, cols * sizeof(REAL));
    for (size_t i = c * CHUNK; i < i1; i++)
#pragma omp simd
      for (size_t j = 0; j < cols; j++)
        p[j] += dmat[i * cols + j];
  }
  SUF(chunks_add)((const REAL *)part, nch, cols, g);
}

/* The activation's backward in place, DZ (r x cols) *= act'(Z), fused with
 * the bias's gradient GB += column sums of the result.  For relu ZH holds
 * H = relu(Z) (the forward keeps only H: H > 0 exactly where Z > 0), else
 * Z. */
static void SUF(act_back)(li2_activation act, REAL *dz, const REAL *zh, size_t r, size_t cols,
                          REAL *gb, double *part)
{
  const size_t nch = (r + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static)
  for (size_t c = 0; c < nch; c++) {
    REAL *p = (REAL *)part + c * cols;
    const size_t i1 = (c + 1) * CHUNK < r ? (c + 1) * CHUNK : r;
    memset(p, 0, cols * sizeof(REAL));
    for (size_t i = c * CHUNK; i < i1; i++) {
      REAL *di = dz + i * cols;
      const REAL *zi = zh + i * cols;
      if (act == LI2_ACT_RELU)
#pragma omp simd
        for (size_t j = 0; j < cols; j++) {
          di[j] = zi[j] > 0 ? di[j] : 0;
          p[j] += di[j];
        }
      else
        for (size_t j = 0; j < cols; j++) {
          di[j] = (REAL)(di[j] * li2_activation_deriv(act, (double)zi[j]));
          p[j] += di[j];
        }
    }
  }
  SUF(chunks_add)((const REAL *)part, nch, cols, gb);
}

/* LayerNorm backward in place: DY (r x d) becomes dS; gains' and biases'
 * gradients added to GG and GC. */
static void SUF(layernorm_back)(REAL *dy, const REAL *xhat, const REAL *rstd, size_t r, size_t d,
                                const REAL *g, REAL *gg, REAL *gc, double *part)
{
  /* the gains' and biases' sums by chunks of rows (independent of threads):
   * part holds per chunk the d sums for the gains, then the d for the biases */
  const size_t nch = (r + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static)
  for (size_t c = 0; c < nch; c++) {
    REAL *p = (REAL *)part + c * 2 * d;
    const size_t i1 = (c + 1) * CHUNK < r ? (c + 1) * CHUNK : r;
    memset(p, 0, 2 * d * sizeof(REAL));
    for (size_t i = c * CHUNK; i < i1; i++)
#pragma omp simd
      for (size_t j = 0; j < d; j++) {
        p[j] += dy[i * d + j] * xhat[i * d + j];
        p[d + j] += dy[i * d + j];
      }
  }
#pragma omp parallel for schedule(static)
  for (size_t j = 0; j < d; j++) {
    double sg = 0, sc = 0;
    for (size_t c = 0; c < nch; c++) {
      sg += ((const REAL *)part)[c * 2 * d + j];
      sc += ((const REAL *)part)[c * 2 * d + d + j];
    }
    gg[j] += (REAL)sg;
    gc[j] += (REAL)sc;
  }
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++) {
    REAL *di = dy + i * d;
    const REAL *xi = xhat + i * d;
    double m1 = 0, m2 = 0;
    for (size_t j = 0; j < d; j++) {
      di[j] *= g[j];  /* dxhat */
      m1 += di[j];
      m2 += (double)di[j] * xi[j];
    }
    m1 /= (double)d;
    m2 /= (double)d;
#pragma omp simd
    for (size_t j = 0; j < d; j++)
      di[j] = (REAL)(rstd[i] * (di[j] - m1 - xi[j] * m2));
  }
}

/* Through the softmax and the scaled products of one sample's head, for
 * query T0: with DS[u] = dL/dA_t0u and DOT = sum_u A_t0u DS[u],
 * g_u = A_t0u (DS[u] - DOT) scale; dq_t0 += g_u k_u, dk_u += g_u q_t0.
 * QKV and DQKV point at the sample's first row, offset to the head. */
static void SUF(score_back)(size_t T, size_t d, size_t dh, const REAL *arow, const double *ds,
                            double dot, double scale, const REAL *qkv, REAL *dqkv, size_t t0)
{
  const REAL *q = qkv + t0 * 3 * d;
  REAL *dq = dqkv + t0 * 3 * d;
  for (size_t u = 0; u < T; u++) {
    const REAL g = (REAL)(arow[u] * (ds[u] - dot) * scale);
    const REAL *k = qkv + u * 3 * d + d;
    REAL *dk = dqkv + u * 3 * d + d;
    for (size_t e = 0; e < dh; e++) {
      dq[e] += g * k[e];
      dk[e] += g * q[e];
    }
  }
}

/* Attention backward for one layer: DQKV from DCTX. */
static void SUF(attention_back)(const li2_transformer *tf, size_t n, const REAL *qkv,
                                const REAL *att, const REAL *dctx, REAL *dqkv)
{
  const size_t d = tf->d, T = tf->T, H = tf->nhead, dh = d / H;
  const double scale = 1 / sqrt((double)dh);
  memset(dqkv, 0, n * T * 3 * d * sizeof(REAL));
  /* samples write disjoint rows of DQKV */
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    for (size_t h = 0; h < H; h++) {
      double ds[64];  /* T <= 64 */
      const REAL *a = att + ((i * H + h) * T) * T;
      for (size_t t = 0; t < T; t++) {
        const REAL *dc = dctx + (i * T + t) * d + h * dh;
        double dot = 0;
        /* dA_tu = dctx_t . v_u; dv_u += A_tu dctx_t */
        for (size_t u = 0; u < T; u++) {
          const REAL *v = qkv + (i * T + u) * 3 * d + 2 * d + h * dh;
          REAL *dv = dqkv + (i * T + u) * 3 * d + 2 * d + h * dh;
          const REAL au = a[t * T + u];
          double s = 0;
          for (size_t e = 0; e < dh; e++) {
            s += (double)dc[e] * v[e];
            dv[e] += au * dc[e];
          }
          ds[u] = s;
          dot += au * s;
        }
        SUF(score_back)(T, d, dh, a + t * T, ds, dot, scale, qkv + i * T * 3 * d + h * dh,
                        dqkv + i * T * 3 * d + h * dh, t);
      }
    }
}

/* The first layer's attention backward on its table (use_table): from
 * DS1 = dS1 (r x d), with UO the per-head out-projected values of the
 * forward, writes dQ and dK into DQKV's rows (their dV part zero) and the
 * buckets BK_h[row of the table] = sum A^h_tu dS1_t over the samples whose
 * token u is that row (w->tab_b, M T x H x d; rows in sample order, so
 * the same numbers for any thread count); the table's values are saved in
 * w->tab_v (M T x d) for Wo's gradient. */
static void SUF(attention_back_table)(const li2_transformer *tf, li2_transformer_work *w, size_t n,
                                      const REAL *qkv, const REAL *att, const REAL *ds1,
                                      REAL *dqkv)
{
  const size_t M = tf->M, d = tf->d, T = tf->T, H = tf->nhead, dh = d / H, r = n * T;
  const size_t MT = M * T, blk = 64;
  const double scale = 1 / sqrt((double)dh);
  const REAL *uo = w->tab_uo, *tq = w->tab_qkv;
  REAL *bk = w->tab_b, *tv = w->tab_v;
  const int *x = w->x;
  for (size_t k = 0; k < MT; k++)
    memcpy(tv + k * d, tq + k * 3 * d + 2 * d, d * sizeof(REAL));
  memset(dqkv, 0, r * 3 * d * sizeof(REAL));
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    for (size_t h = 0; h < H; h++) {
      const REAL *a = att + ((i * H + h) * T) * T;
      for (size_t t = 0; t < T; t++) {
        const REAL *dsr = ds1 + (i * T + t) * d;
        double ds[64], dot = 0;  /* T <= 64 */
        /* dA_tu = dctx_t . v_u = dS1_t . (Wo_h v_h(u)) */
        for (size_t u = 0; u < T; u++) {
          const REAL *ur = uo + ((u * M + (size_t)x[i * T + u]) * H + h) * d;
          double sdot = 0;
          for (size_t j = 0; j < d; j++)
            sdot += (double)dsr[j] * ur[j];
          ds[u] = sdot;
          dot += a[t * T + u] * sdot;
        }
        SUF(score_back)(T, d, dh, a + t * T, ds, dot, scale, qkv + i * T * 3 * d + h * dh,
                        dqkv + i * T * 3 * d + h * dh, t);
      }
    }
  memset(bk, 0, MT * H * d * sizeof(REAL));
#pragma omp parallel for schedule(static)
  for (size_t j0 = 0; j0 < d; j0 += blk) {
    const size_t j1 = j0 + blk < d ? j0 + blk : d;
    for (size_t row = 0; row < r; row++) {
      const size_t i = row / T, t = row % T;
      const REAL *dsr = ds1 + row * d;
      for (size_t h = 0; h < H; h++)
        for (size_t u = 0; u < T; u++) {
          const REAL au = att[((i * H + h) * T + t) * T + u];
          REAL *dst = bk + ((u * M + (size_t)x[i * T + u]) * H + h) * d;
#pragma omp simd
          for (size_t j = j0; j < j1; j++)
            dst[j] += au * dsr[j];
        }
    }
  }
}

/* GRAD (REAL, li2's layout) from DLOGITS (n x M) and the caches of the
 * last forward on PARAMS. */
static void SUF(backward)(const li2_transformer *tf, li2_transformer_work *w, const REAL *params,
                          const REAL *pooled, const REAL *dlogits, REAL *grad)
{
  const size_t M = tf->M, d = tf->d, F = tf->dff, T = tf->T, n = w->n, r = n * T;
  const size_t offP = M * d, offL = offP + T * d, offV = offL + tf->nlayers * tf->layer_size;
  const REAL *V = params + offV;
  REAL *gE = grad, *gP = grad + offP, *gV = grad + offV;
  REAL *dx = w->dx, *dx1 = w->dx1, *dz = w->dz, *dqkv = w->dqkv, *dctx = w->dctx,
       *dpooled = w->dpooled;
  const REAL beta = (REAL)tf->out_mult;
  const int table = SUF(use_table)(tf, w, n);
  double *part = w->part;
  memset(grad, 0, tf->nparams * sizeof(REAL));
  /* logits = beta pooled V^T: gV = beta dlogits^T pooled, dpooled = beta dlogits V */
  GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)d, (int)n, beta, dlogits, (int)M,
       pooled, (int)d, 0, gV, (int)d);
  GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)d, (int)M, beta, dlogits, (int)M,
       V, (int)d, 0, dpooled, (int)d);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < r; i++)
#pragma omp simd
    for (size_t j = 0; j < d; j++)
      dx[i * d + j] = dpooled[(i / T) * d + j] / (REAL)T;
  for (size_t l = tf->nlayers; l-- > 0;) {
    layer_cache *c = w->c + l;
    const REAL *xin = l ? (const REAL *)w->c[l - 1].x2 : (const REAL *)w->x0;
    const REAL *z = tf->act == LI2_ACT_RELU ? (const REAL *)c->h : (const REAL *)c->z;
    const layer_off o = layer_offsets(tf, l);
#define VW(f) (params + o.f)
#define GW(f) (grad + o.f)
    /* X2 = LN2(S2): dx becomes dS2 */
    SUF(layernorm_back)(dx, c->xhat2, c->rstd2, r, d, VW(g2), GW(g2), GW(c2), part);
    /* S2 = X1 + H W2^T + b2 */
    SUF(mul_tn)(d, F, r, dx, c->h, GW(W2));
    SUF(colsum)(dx, r, d, GW(b2), part);
    SUF(mul_n)(r, F, d, dx, VW(W2), 0, dz);
    SUF(act_back)(tf->act, dz, z, r, F, GW(b1), part);
    /* Z = X1 W1^T + b1; dX1 = dS2 + dZ W1 */
    SUF(mul_tn)(F, d, r, dz, c->x1, GW(W1));
    memcpy(dx1, dx, r * d * sizeof(REAL));
    SUF(mul_n)(r, d, F, dz, VW(W1), 1, dx1);
    /* X1 = LN1(S1): dx1 becomes dS1 */
    SUF(layernorm_back)(dx1, c->xhat1, c->rstd1, r, d, VW(g1), GW(g1), GW(c1), part);
    /* S1 = X + ctx Wo^T + bo */
    SUF(colsum)(dx1, r, d, GW(bo), part);
    if (l == 0 && table) {
      SUF(attention_back_table)(tf, w, n, c->qkv, c->att, dx1, dqkv);
    } else {
      SUF(mul_tn)(d, d, r, dx1, c->ctx, GW(Wo));
      SUF(mul_n)(r, d, d, dx1, VW(Wo), 0, dctx);
      SUF(attention_back)(tf, n, c->qkv, c->att, dctx, dqkv);
    }
    /* QKV = X Win^T + bin; dX = dS1 + dQKV Win */
    if (l == 0 && table) {
      /* on the table of distinct input rows (forward): dQKV summed per
       * row of the table, then the products on M T rows; the samples'
       * order in each sum, so the result does not depend on threads */
      REAL *tq = w->tab_qkv, *tx = w->tab_x, *tdx = w->tab_dx;
      const size_t MT = M * T, cols = 3 * d, blk = 64;
      memset(tq, 0, MT * cols * sizeof(REAL));
#pragma omp parallel for schedule(static)
      for (size_t j0 = 0; j0 < cols; j0 += blk) {
        const size_t j1 = j0 + blk < cols ? j0 + blk : cols;
        for (size_t i = 0; i < r; i++) {
          REAL *dst = tq + ((i % T) * M + (size_t)w->x[i]) * cols;
          const REAL *src = dqkv + i * cols;
          for (size_t j = j0; j < j1; j++)
            dst[j] += src[j];
        }
      }
      /* the values' part and Wo's gradient from the buckets BK (M T x H x d,
       * attention_back_table): dV_h = BK_h Wo_h, gWo_h = BK_h^T V_h, with
       * V_h the table's values (saved in tab_v before tq was reused) */
      {
        const size_t H = tf->nhead, dh = d / H;
        const REAL *bk = w->tab_b, *tv = w->tab_v;
        for (size_t hh = 0; hh < H; hh++) {
          GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)MT, (int)dh, (int)d, 1,
               bk + hh * d, (int)(H * d), VW(Wo) + hh * dh, (int)d, 1, tq + 2 * d + hh * dh,
               (int)cols);
          GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)dh, (int)MT, 1, bk + hh * d,
               (int)(H * d), tv + hh * dh, (int)d, 0, GW(Wo) + hh * dh, (int)d);
        }
      }
      SUF(mul_tn)(cols, d, MT, tq, tx, GW(Win));
      SUF(colsum)(tq, MT, cols, GW(bin), part);
      SUF(mul_n)(MT, d, cols, tq, VW(Win), 0, tdx);
      for (size_t t = 0; t < T; t++)
        for (size_t a = 0; a < M; a++)
          for (size_t j = 0; j < d; j++) {
            gE[a * d + j] += tdx[(t * M + a) * d + j];
            gP[t * d + j] += tdx[(t * M + a) * d + j];
          }
      memcpy(dx, dx1, r * d * sizeof(REAL));
    } else {
      SUF(mul_tn)(3 * d, d, r, dqkv, xin, GW(Win));
      SUF(colsum)(dqkv, r, 3 * d, GW(bin), part);
      memcpy(dx, dx1, r * d * sizeof(REAL));
      SUF(mul_n)(r, d, 3 * d, dqkv, VW(Win), 1, dx);
    }
#undef VW
#undef GW
  }
  /* X0 = E[x] + P[t] (with the table, the in-projection's part is in already) */
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < d; j++) {
      gE[(size_t)w->x[i] * d + j] += dx[i * d + j];
      gP[(i % T) * d + j] += dx[i * d + j];
    }
}
