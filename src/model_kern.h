/* Register-tiled products for the fused training step (model_impl.h
 * step_kern), written once with GCC vector extensions and included by
 * model_impl.h for each instruction set (model_impl.h is itself included
 * once per real type).  Undefines its parameters.  Expects REAL, SUF(name)
 * (for the SUF(scatter) type), KSUF(name), KVBYTES (vector width in bytes:
 * 64 AVX-512, 32 AVX2), KTARGET (target attribute), KACC (most
 * accumulators of a tile, leaving registers for one row of B and a
 * broadcast), KRMAX (most rows of a tile) and KJBIG (vectors per column
 * slab when the columns do not fit one tile).  The values were chosen by
 * timing tile shapes on an AMD EPYC (Zen 4): 5 x 4 tiles of 16 floats run
 * the products at about 90% of the FMA peak there, against 75-80% for
 * OpenBLAS 0.3.21 on these skinny shapes.
 *
 * Every product has the form  C (+)= A B  with B read by whole vectors
 * along its rows and A by broadcast scalars, so the vector dimension is
 * always a long one (K, or the padded group order) and no horizontal sums
 * are needed:  O = F V  (B = V padded to Mp columns),  dF = dO V^T
 * (B = V^T, K x M transposed to M x Kp) and  dV^T = dO^T F  (B = F).
 * Each C element is a sum over p in increasing order with one accumulator,
 * so the result is fixed for a given instruction set. */

#define KVL (KVBYTES / (int)sizeof(REAL))
typedef REAL KSUF(vec) __attribute__((vector_size(KVBYTES)));
#define KV(p) (*(KSUF(vec) *)(void *)(p))
#define KCV(p) (*(const KSUF(vec) *)(const void *)(p))

typedef __typeof__((KSUF(vec)){0} > (KSUF(vec)){0}) KSUF(mask);

/* sigma(h) lane by lane, as act_row in model_impl.h computes it */
static inline __attribute__((always_inline)) KTARGET KSUF(vec)
KSUF(act)(li2_activation a, KSUF(vec) h)
{
  switch (a) {
  case LI2_ACT_SQR:
    return h * h;
  case LI2_ACT_RELU:
    return (KSUF(vec))((KSUF(mask))h & (h > 0));
  case LI2_ACT_RELUSQR:
    return (KSUF(vec))((KSUF(mask))(h * h) & (h > 0));
  default:
    for (int l = 0; l < KVL; l++)
      h[l] = (REAL)(h[l] / (1 + exp(-(double)h[l])));
    return h;
  }
}

/* g sigma'(h), as dact_row in model_impl.h */
static inline __attribute__((always_inline)) KTARGET KSUF(vec)
KSUF(dact)(li2_activation a, KSUF(vec) g, KSUF(vec) h)
{
  switch (a) {
  case LI2_ACT_SQR:
    return g * (2 * h);
  case LI2_ACT_RELU:
    return (KSUF(vec))((KSUF(mask))g & (h > 0));
  case LI2_ACT_RELUSQR:
    return (KSUF(vec))((KSUF(mask))(2 * g * h) & (h > 0));
  default:
    for (int l = 0; l < KVL; l++)
      g[l] = (REAL)(g[l] * li2_activation_deriv(a, (double)h[l]));
    return g;
  }
}

/* One R x J tile (J vectors): C[r][j] = (ACC ? C : 0) + sum_p A(r, p) B[p][j].
 * R and J are constants after inlining, so the accumulators live in
 * registers. */
static inline __attribute__((always_inline)) KTARGET void
KSUF(tile)(const int R, const int J, size_t np, const REAL *A, size_t sar, size_t sap,
           const REAL *B, size_t ldb, REAL *C, size_t ldc, int acc)
{
  KSUF(vec) c[KRMAX][KACC], b[KACC];
#pragma GCC unroll 16
  for (int r = 0; r < R; r++)
#pragma GCC unroll 16
    for (int j = 0; j < J; j++)
      c[r][j] = acc ? KCV(C + (size_t)r * ldc + (size_t)j * KVL) : (KSUF(vec)){0};
  for (size_t p = 0; p < np; p++) {
    const REAL *bp = B + p * ldb, *ap = A + p * sap;
#pragma GCC unroll 16
    for (int j = 0; j < J; j++)
      b[j] = KCV(bp + (size_t)j * KVL);
#pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      /* x - 0 is x for every x (x + 0 is not for -0): a plain broadcast */
      KSUF(vec) a = ap[(size_t)r * sar] - (KSUF(vec)){0};
#pragma GCC unroll 16
      for (int j = 0; j < J; j++)
        c[r][j] += a * b[j];
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; r++)
#pragma GCC unroll 16
    for (int j = 0; j < J; j++)
      KV(C + (size_t)r * ldc + (size_t)j * KVL) = c[r][j];
}

/* The tile shapes: J vectors wide, KACC / J rows (at most KRMAX), and a
 * single row for the leftover rows. */
#define KSUF_TILES(J)                                                                  \
  case J:                                                                              \
    if (R == 1)                                                                        \
      KSUF(tile)(1, J, np, A, sar, sap, B, ldb, C, ldc, acc);                          \
    else                                                                               \
      KSUF(tile)((KACC / J < KRMAX ? KACC / J : KRMAX), J, np, A, sar, sap, B, ldb, C, \
                 ldc, acc);                                                            \
    break;

static KTARGET void KSUF(tile_any)(int R, int J, size_t np, const REAL *A, size_t sar,
                                   size_t sap, const REAL *B, size_t ldb, REAL *C, size_t ldc,
                                   int acc)
{
  switch (J) {
    KSUF_TILES(1)
    KSUF_TILES(2)
    KSUF_TILES(3)
    KSUF_TILES(4)
    KSUF_TILES(5)
    KSUF_TILES(6)
    KSUF_TILES(7)
    KSUF_TILES(8)
  default:
    break;
  }
}
#undef KSUF_TILES

/* The dF epilogue (doc/mathematics.md section 1, the gather's adjoint): for the
 * R x J tile G = dF of rows ROW.. and columns COL.., dH = G sigma'(H)
 * with H recomputed from the padded W rows the samples gathered, added
 * into each of those rows of the partial dW.  Rows in increasing order,
 * so the sums are fixed for a given partition. */
static KTARGET void KSUF(scatter_tile)(const SUF(scatter) *e, size_t row, size_t col, int R,
                                       int J, const REAL *g, size_t ldg)
{
  const size_t ld = e->ld, M = e->M;
  const int k = e->nops;
  for (int r = 0; r < R; r++) {
    const int *xr = e->x + (row + (size_t)r) * (size_t)k;
    for (int j = 0; j < J; j++) {
      const size_t c = col + (size_t)j * KVL;
      KSUF(vec) h = KCV(e->W + (size_t)xr[0] * ld + c), d = KCV(g + (size_t)r * ldg + (size_t)j * KVL);
      for (int t = 1; t < k; t++)
        h += KCV(e->W + ((size_t)t * M + (size_t)xr[t]) * ld + c);
      d = KSUF(dact)(e->act, d, h);
      for (int t = 0; t < k; t++)
        KV(e->dW + ((size_t)t * M + (size_t)xr[t]) * ld + c) += d;
    }
  }
}

/* C (nr x nv, nv a multiple of the vector length) = (ACC ? C : 0) + A B
 * with A(r, p) = A[r SAR + p SAP] (nr x np) and B np x nv (row stride
 * LDB); or, with E, the dF epilogue on each tile instead of storing C.
 * Column slabs of J vectors outermost: the slab of B stays in cache for
 * every row tile. */
static KTARGET void KSUF(gemm)(size_t nr, size_t nv, size_t np, const REAL *A, size_t sar,
                               size_t sap, const REAL *B, size_t ldb, REAL *C, size_t ldc,
                               int acc, const SUF(scatter) *e)
{
  REAL buf[KACC * KVL] __attribute__((aligned(64)));  /* R J <= KACC */
  const size_t nvec = nv / KVL;
  /* all of nvec in one slab when it fits, else slabs of at most KJBIG
   * vectors made as even as possible */
  const size_t ns = nvec <= 8 && (size_t)KACC / nvec >= 2 ? 1 : (nvec + KJBIG - 1) / KJBIG;
  const int Jmax = (int)((nvec + ns - 1) / ns);
  for (size_t j0 = 0; j0 < nvec; j0 += (size_t)Jmax) {
    const int J = nvec - j0 < (size_t)Jmax ? (int)(nvec - j0) : Jmax;
    const int Rf = KACC / J < KRMAX ? KACC / J : KRMAX;
    const REAL *Bj = B + j0 * KVL;
    for (size_t r0 = 0; r0 < nr;) {
      const int R = nr - r0 >= (size_t)Rf ? Rf : 1;
      if (e) {
        KSUF(tile_any)(R, J, np, A + r0 * sar, sar, sap, Bj, ldb, buf, (size_t)J * KVL, 0);
        KSUF(scatter_tile)(e, r0, j0 * KVL, R, J, buf, (size_t)J * KVL);
      } else {
        KSUF(tile_any)(R, J, np, A + r0 * sar, sar, sap, Bj, ldb, C + r0 * ldc + j0 * KVL, ldc,
                       acc);
      }
      r0 += (size_t)R;
    }
  }
}

/* F = sigma(H) for NB samples, H the sum of the padded W rows the operands
 * X select (doc/mathematics.md section 1); KP columns (a multiple of the vector
 * length; W's padding is zero and sigma(0) = 0, so F's is too). */
static KTARGET void KSUF(gather)(size_t nb, const int *x, int k, size_t M, const REAL *W,
                                 size_t ld, size_t Kp, li2_activation act, REAL *F)
{
  for (size_t i = 0; i < nb; i++) {
    const int *xi = x + i * (size_t)k;
    REAL *f = F + i * ld;
    for (size_t c = 0; c < Kp; c += KVL) {
      KSUF(vec) h = KCV(W + (size_t)xi[0] * ld + c);
      for (int t = 1; t < k; t++)
        h += KCV(W + ((size_t)t * M + (size_t)xi[t]) * ld + c);
      KV(f + c) = KSUF(act)(act, h);
    }
  }
}

#undef KVL
#undef KV
#undef KCV
#undef KVBYTES
#undef KSUF
#undef KTARGET
#undef KACC
#undef KRMAX
#undef KJBIG
