/* Closed forms of doc/mathematics.md section 2 with BLAS products and GSL Cholesky. */
#include "gradient.h"
#include "optim.h"
#include "process.h"

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct li2_gradient {
  size_t n, K, M;
  double *Ft;        /* n x K centred features */
  double *Yt;        /* n x M centred one-hot labels */
  gsl_matrix *gram;  /* K x K  F~^T F~ */
  gsl_matrix *primal;/* K x K  work: Cholesky of gram + eta I */
  gsl_matrix *dual;  /* n x n  work: Cholesky of F~F~^T + eta I */
  gsl_matrix *B;     /* K x M  F~^T Y~ */
  gsl_matrix *T;     /* n x K  Y~ Y~^T F~ */
  gsl_matrix *X;     /* n x max(K, M) work */
  gsl_matrix *Xt;    /* K x n work */
  gsl_matrix *GFt;   /* K x n work */
  double *ZK;        /* M x K work */
  double *lab;       /* 2 M work: label-space vectors, column means */
  li2_ridge *ridge;  /* V* solver shared with the trainer */
  int loaded;
};

li2_gradient *li2_gradient_alloc(size_t n, size_t K, size_t M, li2_error *err)
{
  if (n < 2 || K < 1 || M < 1) {
    li2_error_set(err, LI2_EINVAL, "gradient: need n >= 2 samples, K >= 1 nodes, M >= 1");
    return NULL;
  }
  {
    /* the workspace in doubles (2 K^2 + n^2 + ...), refused above 16 GiB
     * before any allocation: a size no machine holds is a parameter error,
     * not an abort in gsl_matrix_alloc (issue 15) */
    const double d = 2.0 * K * K + (double)n * n + 6.0 * n * K + 2.0 * M * K +
                     (double)n * (K > M ? K : M) + (double)n * M + 2.0 * M;
    if (d * sizeof(double) > LI2_GRADIENT_MAX_BYTES) {
      li2_error_set(err, LI2_EINVAL,
                    "workspace for n=%zu samples, K=%zu nodes, M=%zu: %.3g GiB (at most %.0f "
                    "GiB; fewer nodes)", n, K, M, d * sizeof(double) / 1073741824.0,
                    LI2_GRADIENT_MAX_BYTES / 1073741824.0);
      return NULL;
    }
  }
  li2_gradient *g = calloc(1, sizeof *g);
  if (!g)
    goto nomem;
  li2_process_gsl_mute();
  g->n = n;
  g->K = K;
  g->M = M;
  g->Ft = malloc(n * K * sizeof *g->Ft);
  g->Yt = malloc(n * M * sizeof *g->Yt);
  g->ZK = malloc(M * K * sizeof *g->ZK);
  g->lab = malloc(2 * M * sizeof *g->lab);
  g->gram = gsl_matrix_alloc(K, K);
  g->primal = gsl_matrix_alloc(K, K);
  g->dual = gsl_matrix_alloc(n, n);
  g->B = gsl_matrix_alloc(K, M);
  g->T = gsl_matrix_alloc(n, K);
  g->X = gsl_matrix_alloc(n, K > M ? K : M);
  g->Xt = gsl_matrix_alloc(K, n);
  g->GFt = gsl_matrix_alloc(K, n);
  g->ridge = li2_ridge_alloc(n, K, M, 0, NULL);
  li2_process_gsl_unmute();
  if (!g->Ft || !g->Yt || !g->ZK || !g->lab || !g->gram || !g->primal || !g->dual || !g->B ||
      !g->T || !g->X || !g->Xt || !g->GFt || !g->ridge)
    goto nomem;
  return g;
nomem:
  li2_gradient_free(g);
  li2_error_set(err, LI2_ENOMEM, "gradient: out of memory for n=%zu K=%zu M=%zu", n, K, M);
  return NULL;
}

void li2_gradient_free(li2_gradient *g)
{
  if (!g)
    return;
  free(g->Ft);
  free(g->Yt);
  free(g->ZK);
  free(g->lab);
  gsl_matrix_free(g->gram);
  gsl_matrix_free(g->primal);
  gsl_matrix_free(g->dual);
  gsl_matrix_free(g->B);
  gsl_matrix_free(g->T);
  gsl_matrix_free(g->X);
  gsl_matrix_free(g->Xt);
  gsl_matrix_free(g->GFt);
  li2_ridge_free(g->ridge);
  free(g);
}

const double *li2_gradient_centred_features(const li2_gradient *g) { return g->Ft; }
const double *li2_gradient_centred_labels(const li2_gradient *g) { return g->Yt; }
const double *li2_gradient_gram(const li2_gradient *g) { return g->gram->data; }
const double *li2_gradient_top_target(const li2_gradient *g) { return g->B->data; }
const double *li2_gradient_signal(const li2_gradient *g) { return g->T->data; }
size_t li2_gradient_n(const li2_gradient *g) { return g->n; }
size_t li2_gradient_K(const li2_gradient *g) { return g->K; }
size_t li2_gradient_M(const li2_gradient *g) { return g->M; }

int li2_gradient_set(li2_gradient *g, const double *F, const int *labels, li2_error *err)
{
  size_t n = g->n, K = g->K, M = g->M;
  for (size_t s = 0; s < n; s++)
    if (labels[s] < 0 || (size_t)labels[s] >= M)
      return li2_error_set(err, LI2_EINVAL, "gradient: label %d of sample %zu out of range",
                           labels[s], s);
  /* F~ = P F: subtract the column means. */
  memcpy(g->Ft, F, n * K * sizeof *F);
  double *mean = g->ZK; /* K scratch (M x K >= K) */
  li2_column_means(n, K, F, mean);
  for (size_t s = 0; s < n; s++)
    for (size_t j = 0; j < K; j++)
      g->Ft[s * K + j] -= mean[j];
  /* Y~ = P Y: one-hot minus the label frequencies. */
  double *freq = g->ZK;
  memset(freq, 0, M * sizeof *freq);
  for (size_t s = 0; s < n; s++)
    freq[labels[s]] += 1.0 / (double)n;
  for (size_t s = 0; s < n; s++)
    for (size_t c = 0; c < M; c++)
      g->Yt[s * M + c] = (labels[s] == (int)c) - freq[c];
  /* Gram F~^T F~ (full, for the Cholesky) and B = F~^T Y~. */
  cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)K, (int)n, 1.0, g->Ft, (int)K,
              0.0, g->gram->data, (int)g->gram->tda);
  for (size_t i = 0; i < K; i++)
    for (size_t j = i + 1; j < K; j++)
      gsl_matrix_set(g->gram, i, j, gsl_matrix_get(g->gram, j, i));
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)M, (int)n, 1.0, g->Ft,
              (int)K, g->Yt, (int)M, 0.0, g->B->data, (int)g->B->tda);
  /* T = Y~ (Y~^T F~) = Y~ B^T. */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)K, (int)M, 1.0, g->Yt,
              (int)M, g->B->data, (int)g->B->tda, 0.0, g->T->data, (int)g->T->tda);
  g->loaded = 1;
  return LI2_SUCCESS;
}

/* Cholesky factor of A (= WHAT + eta I) in place, GSL's handler off. */
static int cholesky(gsl_matrix *A, const char *what, double eta, li2_error *err)
{
  li2_process_gsl_mute();
  int rc = gsl_linalg_cholesky_decomp1(A);
  li2_process_gsl_unmute();
  if (rc)
    return li2_error_set(err, LI2_ENUMERIC,
                         "gradient: %s + eta I is not positive definite (eta=%g); use eta > 0",
                         what, eta);
  return LI2_SUCCESS;
}

/* Cholesky factor of gram + eta I into g->primal. */
static int factor_primal(li2_gradient *g, double eta, li2_error *err)
{
  gsl_matrix_memcpy(g->primal, g->gram);
  for (size_t i = 0; i < g->K; i++)
    *gsl_matrix_ptr(g->primal, i, i) += eta;
  return cholesky(g->primal, "F~^T F~", eta, err);
}

/* Cholesky factor of F~ F~^T + eta I into g->dual. */
static int factor_dual(li2_gradient *g, double eta, li2_error *err)
{
  size_t n = g->n;
  cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, (int)g->K, 1.0, g->Ft,
              (int)g->K, 0.0, g->dual->data, (int)g->dual->tda);
  for (size_t i = 0; i < n; i++) {
    *gsl_matrix_ptr(g->dual, i, i) += eta;
    for (size_t j = i + 1; j < n; j++)
      gsl_matrix_set(g->dual, i, j, gsl_matrix_get(g->dual, j, i));
  }
  return cholesky(g->dual, "F~F~^T", eta, err);
}

/* V* by the one ridge implementation of the project (optim.h), on the
 * already centred F~ and Y~ (so without its own centring). */
int li2_gradient_ridge(li2_gradient *g, double eta, double *Vstar, li2_error *err)
{
  if (!g->loaded)
    return li2_error_set(err, LI2_EINVAL, "gradient: no features loaded");
  int rc = li2_ridge_solve(g->ridge, g->n, g->Ft, g->Yt, eta, Vstar, err);
  if (rc == LI2_ENUMERIC)
    return li2_error_set(err, rc,
                         "gradient: F~^T F~ + eta I is not positive definite (eta=%g); use eta > 0",
                         eta);
  return rc;
}

/* G_F = eta D^{-1} Y~Y~^T F~ C^{-1} with D = F~F~^T + eta I (n x n) and
 * C = F~^T F~ + eta I (K x K).  Only the smaller system is factored:
 *   n <= K:  F~ C^{-1} = D^{-1} F~, so G_F = eta D^{-1} T' with T' = Y~ Y~^T D^{-1} F~;
 *   n >  K:  eta D^{-1} = I - F~ C^{-1} F~^T (Woodbury), so with X = T C^{-1}
 *            G_F = X - F~ C^{-1} F~^T X.
 * R = eta D^{-1} Y~ likewise: dual solve, or Y~ - F~ C^{-1} F~^T Y~. */
int li2_gradient_closed_form(li2_gradient *g, double eta, double *R, double *GF,
                             li2_error *err)
{
  size_t n = g->n, K = g->K, M = g->M;
  int rc;
  if (!g->loaded)
    return li2_error_set(err, LI2_EINVAL, "gradient: no features loaded");
  gsl_matrix_view Y = gsl_matrix_view_array(g->Yt, n, M);
  gsl_matrix_view G = gsl_matrix_view_array(GF, n, K);
  gsl_matrix_view X = gsl_matrix_submatrix(g->X, 0, 0, n, K);
  if (n <= K) {
    if ((rc = factor_dual(g, eta, err)))
      return rc;
    if (R) {
      gsl_matrix_view Rv = gsl_matrix_view_array(R, n, M);
      gsl_linalg_cholesky_solve_mat(g->dual, &Y.matrix, &Rv.matrix);
      for (size_t i = 0; i < n * M; i++)
        R[i] *= eta;
    }
    /* X = D^{-1} F~;  ZK = Y~^T X (M x K);  G = Y~ ZK;  G <- eta D^{-1} G */
    gsl_matrix_const_view Fv = gsl_matrix_const_view_array(g->Ft, n, K);
    gsl_linalg_cholesky_solve_mat(g->dual, &Fv.matrix, &X.matrix);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)K, (int)n, 1.0, g->Yt,
                (int)M, X.matrix.data, (int)X.matrix.tda, 0.0, g->ZK, (int)K);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)K, (int)M, 1.0, g->Yt,
                (int)M, g->ZK, (int)K, 0.0, X.matrix.data, (int)X.matrix.tda);
    gsl_linalg_cholesky_solve_mat(g->dual, &X.matrix, &G.matrix);
    for (size_t i = 0; i < n * K; i++)
      GF[i] *= eta;
    return LI2_SUCCESS;
  }
  if ((rc = factor_primal(g, eta, err)))
    return rc;
  /* Woodbury on a right-hand side Z (n x c): Z - F~ C^{-1} F~^T Z. */
  if (R) {
    gsl_matrix_view W = gsl_matrix_view_array(g->ZK, K, M); /* K x M work */
    memcpy(R, g->Yt, n * M * sizeof *R);
    gsl_linalg_cholesky_solve_mat(g->primal, g->B, &W.matrix);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)M, (int)K, -1.0,
                g->Ft, (int)K, W.matrix.data, (int)W.matrix.tda, 1.0, R, (int)M);
  }
  /* X = T C^{-1}  (C symmetric: solve C X^T = T^T) */
  gsl_matrix_transpose_memcpy(g->Xt, g->T);
  gsl_linalg_cholesky_svx_mat(g->primal, g->Xt);
  gsl_matrix_transpose_memcpy(&G.matrix, g->Xt);
  /* G = X - F~ C^{-1} (F~^T X) */
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)K, (int)n, 1.0, g->Ft,
              (int)K, GF, (int)K, 0.0, g->GFt->data, (int)g->GFt->tda);
  gsl_matrix_view SK = gsl_matrix_submatrix(g->GFt, 0, 0, K, K);
  gsl_linalg_cholesky_svx_mat(g->primal, &SK.matrix);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)K, (int)K, -1.0, g->Ft,
              (int)K, SK.matrix.data, (int)SK.matrix.tda, 1.0, GF, (int)K);
  return LI2_SUCCESS;
}

void li2_gradient_from_top(li2_gradient *g, const double *V, double *R, double *GF)
{
  size_t n = g->n, K = g->K, M = g->M;
  double *res = R ? R : g->X->data;
  size_t ldr = R ? M : g->X->tda;
  for (size_t s = 0; s < n; s++)
    memcpy(res + s * ldr, g->Yt + s * M, M * sizeof *res);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)M, (int)K, -1.0, g->Ft,
              (int)K, V, (int)M, 1.0, res, (int)ldr);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)K, (int)M, 1.0, res,
              (int)ldr, V, (int)M, 0.0, GF, (int)K);
}

void li2_gradient_independent_form(li2_gradient *g, double eta, double *GF)
{
  for (size_t s = 0; s < g->n; s++)
    for (size_t j = 0; j < g->K; j++)
      GF[s * g->K + j] = gsl_matrix_get(g->T, s, j) / eta;
}

double li2_gradient_rel_diff(const double *A, const double *B, size_t len)
{
  double d = 0, b = 0;
  for (size_t i = 0; i < len; i++) {
    d += (A[i] - B[i]) * (A[i] - B[i]);
    b += B[i] * B[i];
  }
  return sqrt(d) / fmax(sqrt(b), 1e-300);
}

int li2_gradient_independence(li2_gradient *g, double eta, double *rel_distance,
                              double *own_share, li2_error *err)
{
  size_t n = g->n, K = g->K;
  double *G = malloc(2 * n * K * sizeof *G);
  int rc;
  if (!G)
    return li2_error_set(err, LI2_ENOMEM, "gradient: out of memory");
  if (!(rc = li2_gradient_closed_form(g, eta, NULL, G, err)))
    li2_gradient_independence_of(g, eta, G, G + n * K, rel_distance, own_share);
  free(G);
  return rc;
}

void li2_gradient_independence_of(li2_gradient *g, double eta, const double *G, double *L,
                                  double *rel_distance, double *own_share)
{
  size_t n = g->n, K = g->K;
  li2_gradient_independent_form(g, eta, L);
  *rel_distance = li2_gradient_rel_diff(G, L, n * K);
  /* Squared cosine between column j of G_F and of its independent form. */
  double share = 0;
  size_t counted = 0;
  for (size_t j = 0; j < K; j++) {
    double gl = 0, gg = 0, ll = 0;
    for (size_t s = 0; s < n; s++) {
      double a = G[s * K + j], b = L[s * K + j];
      gl += a * b;
      gg += a * a;
      ll += b * b;
    }
    if (gg > 0 && ll > 0) {
      share += gl * gl / (gg * ll);
      counted++;
    }
  }
  *own_share = counted ? share / (double)counted : NAN;
}

void li2_gradient_label_space(const li2_gradient *g, const double *X, size_t ncols,
                              size_t ldx, double *out)
{
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)g->M, (int)ncols, (int)g->n, 1.0,
              g->Yt, (int)g->M, X, (int)ldx, 0.0, out, (int)ncols);
}

double li2_gradient_lazy_loss(li2_gradient *g, const double *O, double *dO)
{
  size_t n = g->n, M = g->M;
  double *mean = g->lab, L = 0;
  li2_column_means(n, M, O, mean);
  /* dL/dO = -P^T P (Y - O) = P O - Y~  (P symmetric and idempotent) */
  for (size_t s = 0; s < n; s++)
    for (size_t c = 0; c < M; c++) {
      double d = O[s * M + c] - mean[c] - g->Yt[s * M + c];
      dO[s * M + c] = d;
      L += 0.5 * d * d;
    }
  return L;
}

int li2_gradient_label_power(li2_gradient *g, li2_fourier *f, const double *X, size_t ncols,
                             size_t ldx, double *power, li2_error *err)
{
  size_t nc = li2_fourier_ncomponents(f), M = g->M;
  double *z = g->lab, *p = g->lab + M;
  int rc;
  if (!g->loaded)
    return li2_error_set(err, LI2_EINVAL, "gradient: no features loaded");
  if (nc > M)
    return li2_error_set(err, LI2_EINVAL, "gradient: Fourier workspace of another group");
  memset(power, 0, nc * sizeof *power);
  for (size_t j = 0; j < ncols; j++) {
    /* z = Y~^T x_j: a vector over the labels, i.e. over the group */
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)g->n, (int)M, 1.0, g->Yt, (int)M, X + j,
                (int)ldx, 0.0, z, 1);
    if ((rc = li2_fourier_power(f, z, p)))
      return li2_error_set(err, rc, "gradient: Fourier power failed");
    for (size_t c = 0; c < nc; c++)
      power[c] += p[c];
  }
  return LI2_SUCCESS;
}

int li2_gradient_exact_node(const li2_group *G, li2_fourier *f, size_t component, gsl_rng *r,
                            double *u, double *v, li2_error *err)
{
  size_t M = G->order, nc = li2_fourier_ncomponents(f);
  if (component == 0 || component >= nc)
    return li2_error_set(err, LI2_EINVAL,
                         "component %zu: must be a nontrivial component 1..%zu of %s",
                         component, nc - 1, G->name);
  if (G->nfactors == 1) {
    /* Z_M: component k is the frequency pair {k, M-k} (characters.h) */
    double phi = 2 * M_PI * gsl_rng_uniform(r), psi = 2 * M_PI * gsl_rng_uniform(r);
    for (size_t a = 0; a < M; a++) {
      double t = 2 * M_PI * (double)((component * a) % M) / (double)M;
      u[a] = cos(t + phi);
      v[a] = cos(t + psi);
    }
    return LI2_SUCCESS;
  }
  /* any group: normalised projections of Gaussian vectors */
  double *x = malloc(M * sizeof *x);
  if (!x)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (int pass = 0; pass < 2; pass++) {
    double *out = pass ? v : u, nrm = 0;
    for (int tries = 0; tries < 8 && nrm < 1e-12; tries++) {
      for (size_t a = 0; a < M; a++)
        x[a] = gsl_ran_gaussian(r, 1.0);
      li2_fourier_project(f, x, component, out);
      nrm = cblas_dnrm2((int)M, out, 1);
    }
    if (nrm < 1e-12) {
      free(x);
      return li2_error_set(err, LI2_ENUMERIC, "component %zu: projection vanishes", component);
    }
    cblas_dscal((int)M, sqrt((double)M / 2) / nrm, out, 1);
  }
  free(x);
  return LI2_SUCCESS;
}

/* strtod of a whole token [s, e): 0 on success */
static int parse_double(const char *s, const char *e, double *x)
{
  char buf[64], *end;
  size_t len = (size_t)(e - s);
  if (len == 0 || len >= sizeof buf)
    return -1;
  memcpy(buf, s, len);
  buf[len] = 0;
  errno = 0;
  *x = strtod(buf, &end);
  return (*end || errno || !isfinite(*x)) ? -1 : 0;
}

static int parse_size(const char *s, const char *e, size_t *x)
{
  size_t v = 0;
  if (s == e || e - s > 9)
    return -1;
  for (const char *p = s; p < e; p++) {
    if (*p < '0' || *p > '9')
      return -1;
    v = 10 * v + (size_t)(*p - '0');
  }
  *x = v;
  return 0;
}

int li2_gradient_eta_parse(const char *spec, const char *key, double **eta, size_t *n,
                           li2_error *err)
{
  const char *c1 = strchr(spec, ':');
  double *out = NULL;
  size_t cnt = 0;
  *eta = NULL;
  *n = 0;
  if (c1) {
    /* A:B:log:N or A:B:lin:N */
    const char *c2 = strchr(c1 + 1, ':'), *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
    double a, b;
    size_t N;
    int lg;
    if (!c3 || parse_double(spec, c1, &a) || parse_double(c1 + 1, c2, &b) ||
        parse_size(c3 + 1, c3 + strlen(c3), &N))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s: '%s' is not A:B:log:N or A:B:lin:N", key, spec);
    if ((size_t)(c3 - c2 - 1) == 3 && !strncmp(c2 + 1, "log", 3))
      lg = 1;
    else if ((size_t)(c3 - c2 - 1) == 3 && !strncmp(c2 + 1, "lin", 3))
      lg = 0;
    else
      return li2_error_set(err, LI2_EINVAL, "parameter %s: spacing must be log or lin in '%s'",
                           key, spec);
    if (N < 2 || N > 100000)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: number of values %zu not in 2..100000",
                           key, N);
    if (a <= 0 || b <= 0)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: values must be > 0 in '%s'", key,
                           spec);
    if (!(out = malloc(N * sizeof *out)))
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    for (size_t i = 0; i < N; i++) {
      double t = (double)i / (double)(N - 1);
      out[i] = lg ? exp(log(a) + t * (log(b) - log(a))) : a + t * (b - a);
    }
    out[0] = a;
    out[N - 1] = b;
    *eta = out;
    *n = N;
    return LI2_SUCCESS;
  }
  cnt = 1;
  for (const char *p = spec; *p; p++)
    cnt += *p == ',';
  if (!(out = malloc(cnt * sizeof *out)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  cnt = 0;
  for (const char *s = spec;;) {
    const char *e = strchr(s, ',');
    if (!e)
      e = s + strlen(s);
    if (parse_double(s, e, &out[cnt]) || !(out[cnt] > 0)) {
      free(out);
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s: '%.*s' is not a positive number (eta=X, X,Y,... or "
                           "A:B:log:N)", key, (int)(e - s), s);
    }
    cnt++;
    if (!*e)
      break;
    s = e + 1;
  }
  *eta = out;
  *n = cnt;
  return LI2_SUCCESS;
}

int li2_gradient_nodes_parse(const char *spec, const char *key, size_t ncomponents,
                             size_t **comp, size_t *nnodes, li2_error *err)
{
  size_t cap = 16, cnt = 0, *out = malloc(cap * sizeof *out);
  const char *s = spec;
  *comp = NULL;
  *nnodes = 0;
  if (!out)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  while (1) {
    const char *e = strchr(s, '+'), *x;
    size_t reps = 1;
    if (!e)
      e = s + strlen(s);
    /* optional xN suffix of the group */
    x = memchr(s, 'x', (size_t)(e - s));
    if (x && (parse_size(x + 1, e, &reps) || reps == 0 || reps > 100000)) {
      free(out);
      return li2_error_set(err, LI2_EINVAL, "parameter %s: '%.*s': nodes per component must "
                                            "be 1..100000 after 'x'", key, (int)(e - s), s);
    }
    const char *le = x ? x : e;
    for (const char *t = s;;) {
      const char *te = memchr(t, ',', (size_t)(le - t)), *dash;
      size_t a, b;
      if (!te)
        te = le;
      dash = memchr(t, '-', (size_t)(te - t));
      if (dash ? (parse_size(t, dash, &a) || parse_size(dash + 1, te, &b))
               : parse_size(t, te, &a)) {
        free(out);
        return li2_error_set(err, LI2_EINVAL, "parameter %s: '%.*s' is not a component or a "
                                              "range a-b (syntax 1,2,3x6 or 1x6+4-5x2)", key,
                             (int)(te - t), t);
      }
      if (!dash)
        b = a;
      if (a == 0 || b < a || b >= ncomponents) {
        free(out);
        return li2_error_set(err, LI2_EINVAL, "parameter %s: component '%.*s' not in 1..%zu",
                             key, (int)(te - t), t, ncomponents - 1);
      }
      for (size_t c = a; c <= b; c++)
        for (size_t k = 0; k < reps; k++) {
          if (cnt == cap) {
            size_t *o2 = cnt < 1000000 ? realloc(out, 2 * cap * sizeof *out) : NULL;
            if (!o2) {
              free(out);
              return li2_error_set(err, LI2_EINVAL, "parameter %s: too many nodes", key);
            }
            out = o2;
            cap *= 2;
          }
          out[cnt++] = c;
        }
      if (te == le)
        break;
      t = te + 1;
    }
    if (!*e)
      break;
    s = e + 1;
  }
  *comp = out;
  *nnodes = cnt;
  return LI2_SUCCESS;
}
