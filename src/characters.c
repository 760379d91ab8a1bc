/* Character tables from the Cayley table alone (Burnside-Dixon), Frobenius-
 * Schur indicators and real components (doc/mathematics.md section 3).
 *
 * Burnside's method.  With class sums K_i K_j = sum_k a_ijk K_k and central
 * characters w_chi(K_i) = |C_i| chi(c_i) / chi(1), the vector w_chi is a
 * right eigenvector of every class matrix (M_j)_ik = a_ijk with eigenvalue
 * w_chi(K_j).  Conjugating by S = diag(sqrt|C_i|) makes the family normal:
 * N_j = S^-1 M_j S has the orthonormal eigenvectors
 *     u_chi[i] = sqrt(|C_i| / M) chi(c_i)          (column orthogonality)
 * and N_j^T = N_j' (j' the inverse class).  Hence H = sum_j c_j N_j with
 * c_j' = conj(c_j) is Hermitian and is diagonalised by the u_chi, which a
 * Hermitian eigensolver returns to machine precision.  Eigenvalues closer
 * than a generous tolerance are treated as one cluster and split again by a
 * fresh random combination restricted to the cluster's span (Dixon's
 * recursive splitting), so near-degenerate combinations never produce
 * mixed eigenvectors.  u_chi is fixed by u_chi[0] = chi(1)/sqrt(M) > 0,
 * which gives the degree directly.  Every result is checked (residual
 * against an independent combination, integral degrees with sum d^2 = M and
 * d | M, orthogonality, indicators) and a failed check retries with a new,
 * deterministic pseudo-random combination. */
#include "characters.h"
#include "process.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#define TOL_ORDER 1e-7     /* values compared when ordering irreps */
#define TOL_INT 1e-6       /* degrees, indicators, rational values */
#define TOL_ORTH 1e-9      /* orthogonality required of a result */
#define TOL_RESID 1e-9     /* eigen-residual relative to |H|_F */
#define CLUSTER_REL 1e-4   /* eigenvalues this close (relative) are re-split */
#define MAX_ATTEMPTS 8
#define MAX_DEPTH 40
#define SEED 20250921UL

/* ------------------------------------------------------------------ */
/* Allocation                                                          */

static li2_characters *ct_new(size_t r)
{
  li2_characters *ct = calloc(1, sizeof *ct);
  if (!ct)
    return NULL;
  ct->nirreps = r;
  ct->chi = calloc(r * r, sizeof *ct->chi);
  ct->degree = calloc(r, sizeof *ct->degree);
  ct->indicator = calloc(r, sizeof *ct->indicator);
  ct->conjugate = calloc(r, sizeof *ct->conjugate);
  ct->component_of = calloc(r, sizeof *ct->component_of);
  ct->component_irrep = calloc(r, sizeof *ct->component_irrep);
  ct->component_real_dim = calloc(r, sizeof *ct->component_real_dim);
  if (!ct->chi || !ct->degree || !ct->indicator || !ct->conjugate ||
      !ct->component_of || !ct->component_irrep || !ct->component_real_dim) {
    li2_characters_free(ct);
    return NULL;
  }
  return ct;
}

void li2_characters_free(li2_characters *ct)
{
  if (!ct)
    return;
  li2_group_classes_free(ct->classes);
  free(ct->chi);
  free(ct->degree);
  free(ct->indicator);
  free(ct->conjugate);
  free(ct->component_of);
  free(ct->component_irrep);
  free(ct->component_real_dim);
  free(ct);
}

/* ------------------------------------------------------------------ */
/* Burnside-Dixon                                                      */

typedef struct dixon {
  const li2_group *g;
  const li2_group_classes *cl;
  size_t M, r;
  double *sq;              /* sqrt |C_i| */
  double complex *coef;    /* r combination coefficients */
  gsl_matrix_complex *H;   /* r x r */
  gsl_rng *rng;
  /* Output: r eigenvectors u (columns), count found so far. */
  double complex *vec;     /* r x r, vector n at vec[n*r] */
  size_t nvec;
} dixon;

/* Random coefficients with c_j' = conj(c_j), so H is Hermitian; the
 * identity class adds a multiple of I and carries no information. */
static void draw_coef(dixon *dx)
{
  const li2_group_classes *cl = dx->cl;
  dx->coef[0] = 0;
  for (size_t j = 1; j < dx->r; j++) {
    size_t jj = (size_t)cl->inverse[j];
    if (jj == j) {
      dx->coef[j] = 2 * gsl_rng_uniform(dx->rng) - 1;
    } else if (j < jj) {
      double a = 2 * gsl_rng_uniform(dx->rng) - 1;
      double b = 2 * gsl_rng_uniform(dx->rng) - 1;
      dx->coef[j] = a + I * b;
      dx->coef[jj] = a - I * b;
    }
  }
}

/* H = sum_j c_j N_j.  sum_j c_j a_ijk = sum_{x in C_i} c_{class(x^-1 z_k)}
 * for a fixed z_k in C_k, so H costs O(M r) without the r^3 tensor. */
static void build_h(dixon *dx)
{
  const li2_group *g = dx->g;
  const li2_group_classes *cl = dx->cl;
  size_t M = dx->M, r = dx->r, tda = dx->H->tda;
  double complex *h = (double complex *)dx->H->data;
  draw_coef(dx);
  for (size_t i = 0; i < r; i++)
    for (size_t k = 0; k < r; k++)
      h[i * tda + k] = 0;
  for (size_t k = 0; k < r; k++) {
    int z = cl->rep[k];
    for (size_t x = 0; x < M; x++) {
      int y = g->table[(size_t)g->inverse[x] * M + (size_t)z];
      h[(size_t)cl->class_of[x] * tda + k] += dx->coef[cl->class_of[y]];
    }
  }
  for (size_t i = 0; i < r; i++)
    for (size_t k = 0; k < r; k++)
      h[i * tda + k] *= dx->sq[k] / dx->sq[i];
  /* Exactly Hermitian (it is so up to rounding already). */
  for (size_t i = 0; i < r; i++) {
    h[i * tda + i] = creal(h[i * tda + i]);
    for (size_t k = i + 1; k < r; k++) {
      double complex a = 0.5 * (h[i * tda + k] + conj(h[k * tda + i]));
      h[i * tda + k] = a;
      h[k * tda + i] = conj(a);
    }
  }
}

typedef struct item {
  gsl_matrix_complex *V;  /* r x m orthonormal basis of an invariant subspace */
  int depth;
} item;

/* Split the span of V by a fresh combination; push sub-clusters, emit
 * 1-dimensional ones.  Returns 0, or -1 when the recursion runs away. */
static int split(dixon *dx, item *stack, size_t *nstack, item it)
{
  size_t r = dx->r, m = it.V->size2;
  gsl_matrix_complex *W = NULL, *B = NULL, *Y = NULL;
  gsl_block_complex *Bb = NULL;
  gsl_vector *lam = NULL;
  gsl_eigen_hermv_workspace *ws = NULL;
  int status = -1;

  if (m == 1) {
    for (size_t i = 0; i < r; i++) {
      gsl_complex z = gsl_matrix_complex_get(it.V, i, 0);
      dx->vec[dx->nvec * r + i] = GSL_REAL(z) + I * GSL_IMAG(z);
    }
    dx->nvec++;
    gsl_matrix_complex_free(it.V);
    return 0;
  }
  if (it.depth > MAX_DEPTH)
    goto done;

  W = gsl_matrix_complex_alloc(r, m);
  /* B with a spare row after it: OpenBLAS 0.3.21's zdotc and zgemv
   * kernels (HASWELL), called by gsl_eigen_hermv on B's strided columns,
   * read one element past B's end (valgrind; a SEGV found by fuzz_group) */
  Bb = gsl_block_complex_alloc(m * (m + 1));
  B = Bb ? gsl_matrix_complex_alloc_from_block(Bb, 0, m, m, m) : NULL;
  Y = gsl_matrix_complex_alloc(m, m);
  lam = gsl_vector_alloc(m);
  ws = gsl_eigen_hermv_alloc(m);
  if (!W || !B || !Y || !lam || !ws)
    goto done;

  build_h(dx);
  /* B = V^* H V, the restriction to the invariant subspace. */
  gsl_blas_zgemm(CblasNoTrans, CblasNoTrans, GSL_COMPLEX_ONE, dx->H, it.V,
                 GSL_COMPLEX_ZERO, W);
  gsl_blas_zgemm(CblasConjTrans, CblasNoTrans, GSL_COMPLEX_ONE, it.V, W,
                 GSL_COMPLEX_ZERO, B);
  if (gsl_eigen_hermv(B, lam, Y, ws) != GSL_SUCCESS)
    goto done;
  gsl_eigen_hermv_sort(lam, Y, GSL_EIGEN_SORT_VAL_ASC);

  double scale = fmax(fabs(gsl_vector_get(lam, 0)), fabs(gsl_vector_get(lam, m - 1)));
  double tau = CLUSTER_REL * scale;
  size_t s = 0;
  for (size_t t = 1; t <= m; t++) {
    if (t < m && gsl_vector_get(lam, t) - gsl_vector_get(lam, t - 1) <= tau)
      continue;
    /* cluster [s, t) */
    size_t n = t - s;
    gsl_matrix_complex *Vn = gsl_matrix_complex_alloc(r, n);
    if (!Vn)
      goto done;
    gsl_matrix_complex_const_view Ys = gsl_matrix_complex_const_submatrix(Y, 0, s, m, n);
    gsl_blas_zgemm(CblasNoTrans, CblasNoTrans, GSL_COMPLEX_ONE, it.V, &Ys.matrix,
                   GSL_COMPLEX_ZERO, Vn);
    stack[(*nstack)++] = (item){Vn, n == m ? it.depth + 1 : 0};
    s = t;
  }
  gsl_matrix_complex_free(it.V);
  it.V = NULL;
  status = 0;
done:
  if (status)
    gsl_matrix_complex_free(it.V);
  gsl_matrix_complex_free(W);
  gsl_matrix_complex_free(B);
  gsl_block_complex_free(Bb);
  gsl_matrix_complex_free(Y);
  gsl_vector_free(lam);
  gsl_eigen_hermv_free(ws);
  return status;
}

/* All r simultaneous eigenvectors into dx->vec.  0, or -1 on failure. */
static int dixon_vectors(dixon *dx)
{
  size_t r = dx->r;
  /* Each split pushes at most r items in total over the live stack. */
  item *stack = malloc((r + 1) * sizeof *stack);
  size_t nstack = 0;
  int status = 0;
  if (!stack)
    return -1;
  dx->nvec = 0;
  gsl_matrix_complex *V = gsl_matrix_complex_alloc(r, r);
  if (!V) {
    free(stack);
    return -1;
  }
  gsl_matrix_complex_set_identity(V);
  stack[nstack++] = (item){V, 0};
  while (nstack > 0) {
    item it = stack[--nstack];
    if (status == 0)
      status = split(dx, stack, &nstack, it);
    else
      gsl_matrix_complex_free(it.V);
  }
  free(stack);
  return status == 0 && dx->nvec == r ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Checks and finishing, shared by both methods                       */

static int is_trivial(const double complex *row, size_t r)
{
  for (size_t c = 0; c < r; c++)
    if (cabs(row[c] - 1) > TOL_INT)
      return 0;
  return 1;
}

/* The documented order: trivial first, then degree, then the values on the
 * classes in class order, each class compared by real part (descending) and
 * then imaginary part (descending). */
static int irrep_cmp(const li2_characters *ct, size_t triv, size_t a, size_t b)
{
  size_t r = ct->nirreps;
  const double complex *x = ct->chi + a * r, *y = ct->chi + b * r;
  if ((a == triv) != (b == triv))
    return a == triv ? -1 : 1;
  if (ct->degree[a] != ct->degree[b])
    return ct->degree[a] < ct->degree[b] ? -1 : 1;
  for (size_t c = 0; c < r; c++) {
    if (creal(x[c]) > creal(y[c]) + TOL_ORDER)
      return -1;
    if (creal(x[c]) < creal(y[c]) - TOL_ORDER)
      return 1;
    if (cimag(x[c]) > cimag(y[c]) + TOL_ORDER)
      return -1;
    if (cimag(x[c]) < cimag(y[c]) - TOL_ORDER)
      return 1;
  }
  return 0;
}

/* Stable merge sort of an index array (qsort has no context argument). */
static void sort_irreps(const li2_characters *ct, size_t triv, size_t *idx, size_t *tmp,
                        size_t n)
{
  if (n < 2)
    return;
  size_t h = n / 2;
  sort_irreps(ct, triv, idx, tmp, h);
  sort_irreps(ct, triv, idx + h, tmp, n - h);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n)
    tmp[k++] = irrep_cmp(ct, triv, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
  while (i < h)
    tmp[k++] = idx[i++];
  while (j < n)
    tmp[k++] = idx[j++];
  memcpy(idx, tmp, n * sizeof *idx);
}

/* exp(2 pi i t / n), exact at quarter turns. */
static double complex root_of_unity(long t, long n)
{
  t %= n;
  if (t < 0)
    t += n;
  if ((4 * t) % n == 0) {
    static const double complex q[4] = {CMPLX(1, 0), CMPLX(0, 1), CMPLX(-1, 0), CMPLX(0, -1)};
    return q[(4 * t) / n];
  }
  double a = 2 * M_PI * (double)t / (double)n;
  return cos(a) + I * sin(a);
}

static size_t gcd(size_t a, size_t b)
{
  while (b) {
    size_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* Exact values where the group forces them: a real class (c = c^-1) has
 * real values; a rational class (g^k ~ g for all k prime to |g|) has
 * integer values (rational algebraic integers); a linear character takes
 * |g|-th roots of unity.  Polishing there removes rounding noise; a value
 * far from the forced form is a failed split. */
static int polish(const li2_group *g, li2_characters *ct, li2_error *err)
{
  const li2_group_classes *cl = ct->classes;
  size_t r = ct->nirreps, M = g->order;
  for (size_t i = 0; i < r; i++) {
    if (ct->degree[i] != 1)
      continue;
    for (size_t c = 0; c < r; c++) {
      double complex *z = &ct->chi[i * r + c];
      long o = cl->order[c];
      long t = lround(carg(*z) * (double)o / (2 * M_PI));
      double complex e = root_of_unity(t, o);
      if (cabs(*z - e) > TOL_INT)
        return li2_error_set(err, LI2_ENUMERIC,
                             "characters of %s: linear character %zu has value %g%+gi, "
                             "not a root of unity of order %ld",
                             g->name, i, creal(*z), cimag(*z), o);
      *z = e;
    }
  }
  for (size_t c = 0; c < r; c++) {
    int real = cl->inverse[c] == (int)c;
    int rational = real;
    if (rational) {
      int x = cl->rep[c];
      size_t o = (size_t)cl->order[c];
      int p = x;
      for (size_t k = 2; k < o && rational; k++) {
        p = g->table[(size_t)p * M + (size_t)x];
        if (gcd(k, o) == 1 && cl->class_of[p] != (int)c)
          rational = 0;
      }
    }
    for (size_t i = 0; i < r && real; i++) {
      double complex *z = &ct->chi[i * r + c];
      if (fabs(cimag(*z)) > TOL_INT)
        return li2_error_set(err, LI2_ENUMERIC,
                             "characters of %s: value %g%+gi on real class %zu is not real",
                             g->name, creal(*z), cimag(*z), c);
      double re = creal(*z);
      if (rational) {
        if (fabs(re - nearbyint(re)) > TOL_INT)
          return li2_error_set(err, LI2_ENUMERIC,
                               "characters of %s: value %g on rational class %zu is not an integer",
                               g->name, re, c);
        re = nearbyint(re);
      }
      *z = re;
    }
  }
  return LI2_SUCCESS;
}

static void orthogonality(const li2_characters *ct, size_t M, double *row_err,
                          double *col_err)
{
  size_t r = ct->nirreps;
  const size_t *sz = ct->classes->size;
  double re = 0, ce = 0;
  for (size_t i = 0; i < r; i++)
    for (size_t j = i; j < r; j++) {
      double complex s = 0;
      for (size_t c = 0; c < r; c++)
        s += (double)sz[c] * ct->chi[i * r + c] * conj(ct->chi[j * r + c]);
      re = fmax(re, cabs(s - (i == j ? (double)M : 0)) / (double)M);
    }
  for (size_t c = 0; c < r; c++)
    for (size_t e = c; e < r; e++) {
      double complex s = 0;
      for (size_t i = 0; i < r; i++)
        s += ct->chi[i * r + c] * conj(ct->chi[i * r + e]);
      double want = (double)M / (double)sz[c];
      ce = fmax(ce, cabs(s - (c == e ? want : 0)) / want);
    }
  if (row_err)
    *row_err = re;
  if (col_err)
    *col_err = ce;
}

void li2_characters_orthogonality(const li2_characters *ct, size_t M,
                                  double *row_err, double *col_err)
{
  orthogonality(ct, M, row_err, col_err);
}

/* Order, indicators, conjugates and components from a complete table with
 * degrees set.  Fails (LI2_ENUMERIC) when the numbers are inconsistent. */
static int finish(const li2_group *g, li2_characters *ct, li2_error *err)
{
  size_t r = ct->nirreps, M = g->order;
  const li2_group_classes *cl = ct->classes;
  int status = LI2_ENOMEM;
  size_t *idx = malloc(r * sizeof *idx), *tmp = malloc(r * sizeof *tmp);
  double complex *chi = malloc(r * r * sizeof *chi);
  int *deg = malloc(r * sizeof *deg);
  size_t *n2 = calloc(r, sizeof *n2);
  if (!idx || !tmp || !chi || !deg || !n2) {
    li2_error_set(err, LI2_ENOMEM, "characters of %s: out of memory", g->name);
    goto done;
  }
  status = LI2_ENUMERIC;

  /* Exactly one trivial character. */
  size_t ntriv = 0, triv = 0;
  for (size_t i = 0; i < r; i++)
    if (is_trivial(ct->chi + i * r, r)) {
      ntriv++;
      triv = i;
    }
  if (ntriv != 1) {
    li2_error_set(err, LI2_ENUMERIC, "characters of %s: %zu trivial characters",
                  g->name, ntriv);
    goto done;
  }

  for (size_t i = 0; i < r; i++)
    idx[i] = i;
  sort_irreps(ct, triv, idx, tmp, r);
  memcpy(chi, ct->chi, r * r * sizeof *chi);
  memcpy(deg, ct->degree, r * sizeof *deg);
  for (size_t i = 0; i < r; i++) {
    memcpy(ct->chi + i * r, chi + idx[i] * r, r * sizeof *chi);
    ct->degree[i] = deg[idx[i]];
  }

  /* Frobenius-Schur: nu = (1/M) sum_g chi(g^2) = (1/M) sum_c n2[c] chi(c). */
  for (size_t x = 0; x < M; x++)
    n2[cl->class_of[g->table[x * M + x]]]++;
  for (size_t i = 0; i < r; i++) {
    double complex s = 0;
    for (size_t c = 0; c < r; c++)
      s += (double)n2[c] * ct->chi[i * r + c];
    s /= (double)M;
    double nu = nearbyint(creal(s));
    if (cabs(s - nu) > TOL_INT || fabs(nu) > 1) {
      li2_error_set(err, LI2_ENUMERIC,
                    "characters of %s: indicator %g%+gi of irrep %zu is not -1, 0 or 1",
                    g->name, creal(s), cimag(s), i);
      goto done;
    }
    ct->indicator[i] = (int)nu;
  }

  /* Conjugates: conj(chi)(c) = chi(c^-1).  Early exit keeps this ~O(r^2). */
  for (size_t i = 0; i < r; i++) {
    ct->conjugate[i] = -1;
    for (size_t j = 0; j < r && ct->conjugate[i] < 0; j++) {
      if (ct->degree[j] != ct->degree[i])
        continue;
      size_t c = 0;
      while (c < r && cabs(ct->chi[j * r + c] - conj(ct->chi[i * r + c])) <= TOL_INT)
        c++;
      if (c == r)
        ct->conjugate[i] = (int)j;
    }
    if (ct->conjugate[i] < 0 || (ct->indicator[i] == 0) != (ct->conjugate[i] != (int)i)) {
      li2_error_set(err, LI2_ENUMERIC,
                    "characters of %s: irrep %zu has indicator %d but conjugate %d",
                    g->name, i, ct->indicator[i], ct->conjugate[i]);
      goto done;
    }
  }

  /* Real components, numbered by their first irrep. */
  for (size_t i = 0; i < r; i++)
    ct->component_of[i] = -1;
  ct->ncomponents = 0;
  for (size_t i = 0; i < r; i++) {
    if (ct->component_of[i] >= 0)
      continue;
    size_t k = ct->ncomponents++;
    ct->component_of[i] = (int)k;
    ct->component_of[ct->conjugate[i]] = (int)k;
    ct->component_irrep[k] = (int)i;
    ct->component_real_dim[k] = ct->indicator[i] == 1 ? ct->degree[i] : 2 * ct->degree[i];
  }
  status = LI2_SUCCESS;
done:
  free(idx);
  free(tmp);
  free(chi);
  free(deg);
  free(n2);
  return status;
}

/* Residual |H u - (u^* H u) u| / |H|_F of every vector for a fresh H. */
static double residual(dixon *dx)
{
  size_t r = dx->r, tda = dx->H->tda;
  const double complex *h = (const double complex *)dx->H->data;
  double norm = 0, worst = 0;
  build_h(dx);
  for (size_t i = 0; i < r; i++)
    for (size_t k = 0; k < r; k++)
      norm += creal(h[i * tda + k] * conj(h[i * tda + k]));
  norm = sqrt(norm);
  if (norm == 0)
    return 0;
  for (size_t n = 0; n < r; n++) {
    const double complex *u = dx->vec + n * r;
    double complex mu = 0;
    for (size_t i = 0; i < r; i++) {
      double complex v = 0;
      for (size_t k = 0; k < r; k++)
        v += h[i * tda + k] * u[k];
      mu += conj(u[i]) * v;
    }
    double res = 0;
    for (size_t i = 0; i < r; i++) {
      double complex v = 0;
      for (size_t k = 0; k < r; k++)
        v += h[i * tda + k] * u[k];
      v -= mu * u[i];
      res += creal(v * conj(v));
    }
    worst = fmax(worst, sqrt(res) / norm);
  }
  return worst;
}

/* One attempt: vectors -> table with degrees, checked.  On failure ERR
 * says why (the caller retries). */
static int dixon_attempt(dixon *dx, li2_characters *ct, li2_error *err)
{
  size_t r = dx->r, M = dx->M;
  const li2_group_classes *cl = dx->cl;
  if (dixon_vectors(dx))
    return li2_error_set(err, LI2_ENUMERIC,
                         "characters of %s: class matrices not split after %d rounds",
                         dx->g->name, MAX_DEPTH);
  double res = residual(dx);
  if (!(res <= TOL_RESID))
    return li2_error_set(err, LI2_ENUMERIC,
                         "characters of %s: eigenvector residual %.3g", dx->g->name, res);
  long sumsq = 0;
  for (size_t n = 0; n < r; n++) {
    double complex *u = dx->vec + n * r;
    double a = cabs(u[0]);
    if (!(a > 0.5 / sqrt((double)M)))
      return li2_error_set(err, LI2_ENUMERIC,
                           "characters of %s: eigenvector %zu has degree %g", dx->g->name, n,
                           a * sqrt((double)M));
    double complex ph = conj(u[0]) / a;   /* u[0] = chi(1)/sqrt(M) > 0 */
    double dr = a * sqrt((double)M);
    long d = lround(dr);
    if (fabs(dr - (double)d) > TOL_INT || d < 1 || M % (size_t)d != 0)
      return li2_error_set(err, LI2_ENUMERIC,
                           "characters of %s: degree %.9g is not an integer dividing %zu",
                           dx->g->name, dr, M);
    sumsq += d * d;
    ct->degree[n] = (int)d;
    for (size_t c = 0; c < r; c++)
      ct->chi[n * r + c] = u[c] * ph * sqrt((double)M / (double)cl->size[c]);
    ct->chi[n * r] = (double)d;
  }
  if (sumsq != (long)M)
    return li2_error_set(err, LI2_ENUMERIC,
                         "characters of %s: sum of squared degrees %ld != %zu", dx->g->name,
                         sumsq, M);
  int status = polish(dx->g, ct, err);
  if (status)
    return status;
  double re, ce;
  orthogonality(ct, M, &re, &ce);
  if (!(re <= TOL_ORTH && ce <= TOL_ORTH))
    return li2_error_set(err, LI2_ENUMERIC,
                         "characters of %s: orthogonality error %.3g (rows) %.3g (columns)",
                         dx->g->name, re, ce);
  return finish(dx->g, ct, err);
}

static int dixon_table(const li2_group *g, li2_characters *ct, li2_error *err)
{
  dixon dx = {.g = g, .cl = ct->classes, .M = g->order, .r = ct->nirreps};
  size_t r = dx.r;
  int status = LI2_ENOMEM;
  li2_process_gsl_mute();
  dx.sq = malloc(r * sizeof *dx.sq);
  dx.coef = malloc(r * sizeof *dx.coef);
  dx.vec = malloc(r * r * sizeof *dx.vec);
  dx.H = gsl_matrix_complex_alloc(r, r);
  dx.rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!dx.sq || !dx.coef || !dx.vec || !dx.H || !dx.rng) {
    li2_error_set(err, LI2_ENOMEM, "characters of %s: out of memory", g->name);
    goto done;
  }
  for (size_t i = 0; i < r; i++)
    dx.sq[i] = sqrt((double)ct->classes->size[i]);
  /* Fixed seeds: the same table always gives the same numbers. */
  for (unsigned long a = 0; a < MAX_ATTEMPTS; a++) {
    gsl_rng_set(dx.rng, SEED + a);
    status = dixon_attempt(&dx, ct, err);
    if (status != LI2_ENUMERIC)
      break;
  }
  if (status == LI2_ENUMERIC)
    li2_error_prefix(err, "after %d attempts: ", MAX_ATTEMPTS);
done:
  li2_process_gsl_unmute();
  free(dx.sq);
  free(dx.coef);
  free(dx.vec);
  gsl_matrix_complex_free(dx.H);
  gsl_rng_free(dx.rng);
  return status;
}

/* ------------------------------------------------------------------ */
/* Abelian groups with a known cyclic decomposition                    */

/* chi_k(x) = exp(2 pi i sum_j k_j x_j / n_j) with mixed-radix coordinates
 * (first factor most significant), the characters FFTW's multi-dimensional
 * transform uses.  Exact up to the rounding of cos and sin. */
static int abelian_table(const li2_group *g, li2_characters *ct, li2_error *err)
{
  size_t M = g->order, r = ct->nirreps, nf = g->nfactors;
  const li2_group_classes *cl = ct->classes;
  size_t prod = 1;
  for (size_t j = 0; j < nf; j++)
    prod *= g->factors[j];
  if (!g->abelian || nf == 0 || prod != M || r != M)
    return li2_error_set(err, LI2_EUNSUP,
                         "characters of %s: no known cyclic decomposition", g->name);
  double complex *w = malloc(M * sizeof *w);
  size_t *a = malloc(M * nf * sizeof *a);  /* a[x*nf + j] = coordinate x_j */
  if (!w || !a) {
    free(w);
    free(a);
    return li2_error_set(err, LI2_ENOMEM, "characters of %s: out of memory", g->name);
  }
  for (size_t t = 0; t < M; t++)
    w[t] = root_of_unity((long)t, (long)M);
  for (size_t x = 0; x < M; x++) {
    size_t rest = x;
    for (size_t j = nf; j-- > 0;) {
      a[x * nf + j] = rest % g->factors[j];
      rest /= g->factors[j];
    }
  }
  /* Irrep q has the frequency vector k = coordinates of q; class c = {rep[c]};
   * the phase sum_j k_j x_j / n_j is t / M with t below. */
  for (size_t q = 0; q < M; q++) {
    const size_t *k = a + q * nf;
    for (size_t c = 0; c < r; c++) {
      const size_t *x = a + (size_t)cl->rep[c] * nf;
      size_t t = 0;
      for (size_t j = 0; j < nf; j++) {
        size_t n = g->factors[j];
        t = (t + ((k[j] * x[j]) % n) * (M / n)) % M;
      }
      ct->chi[q * r + c] = w[t];
    }
    ct->degree[q] = 1;
  }
  free(w);
  free(a);
  /* No polish needed: values are the table w, exact at quarter turns, and
   * real or rational classes of an abelian group have order <= 2. */
  return finish(g, ct, err);
}

/* ------------------------------------------------------------------ */

li2_characters *li2_characters_alloc_method(const li2_group *g, int method, li2_error *err)
{
  if (!g) {
    li2_error_set(err, LI2_EINVAL, "characters: no group");
    return NULL;
  }
  if (g->not_group) {
    /* the analyses of Fourier power, irreps, energies need a group */
    li2_error_set(err, LI2_EINVAL, "%s: an expression task has no group structure (no "
                                   "characters, Fourier or irreducible representations); "
                                   "li2 train's own metrics apply", g->name);
    return NULL;
  }
  if (method < LI2_CHARACTERS_AUTO || method > LI2_CHARACTERS_ABELIAN) {
    li2_error_set(err, LI2_EINVAL, "characters of %s: unknown method %d", g->name, method);
    return NULL;
  }
  li2_group_classes *cl = li2_group_classes_alloc(g, err);
  if (!cl)
    return NULL;
  li2_characters *ct = ct_new(cl->nclasses);
  if (!ct) {
    li2_group_classes_free(cl);
    li2_error_set(err, LI2_ENOMEM, "characters of %s: out of memory", g->name);
    return NULL;
  }
  ct->classes = cl;
  if (method == LI2_CHARACTERS_AUTO)
    method = g->abelian && g->nfactors > 0 ? LI2_CHARACTERS_ABELIAN : LI2_CHARACTERS_DIXON;
  int status = method == LI2_CHARACTERS_ABELIAN ? abelian_table(g, ct, err)
                                                : dixon_table(g, ct, err);
  if (status) {
    li2_characters_free(ct);
    return NULL;
  }
  return ct;
}

li2_characters *li2_characters_alloc(const li2_group *g, li2_error *err)
{
  return li2_characters_alloc_method(g, LI2_CHARACTERS_AUTO, err);
}

double li2_characters_predicted_energy(const li2_characters *ct, size_t M,
                                       size_t component)
{
  if (!ct || component == 0 || component >= ct->ncomponents)
    return NAN;
  return (double)M / (2.0 * ct->component_real_dim[component]);
}

double li2_characters_paper_energy(const li2_characters *ct, size_t M, size_t component)
{
  if (!ct || component == 0 || component >= ct->ncomponents)
    return NAN;
  int irr = ct->component_irrep[component], d = ct->degree[irr];
  /* Theorem 2 as printed: real irrep M/(8 d_k), complex pair M/(16 d_k);
   * quaternionic: the real irrep of real dimension 2 d_k (see the header). */
  return (double)M / ((ct->indicator[irr] == 1 ? 8.0 : 16.0) * d);
}

int li2_characters_maximum_zero_modes(const li2_characters *ct, size_t component)
{
  if (!ct || component == 0 || component >= ct->ncomponents)
    return -1;
  int irr = ct->component_irrep[component], d = ct->degree[irr];
  switch (ct->indicator[irr]) {
  case 1: /* M_d(R): 3 (d - 1) - 0 */
    return 3 * (d - 1);
  case 0: /* M_d(C): 3 (2 d - 1) - 1 */
    return 6 * d - 4;
  default: /* M_{d/2}(H): 3 (2 d - 1) - 3 */
    return 6 * d - 6;
  }
}
