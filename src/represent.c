/* Theorem 3's reconstruction: nodes in the isotypic subspaces and a
 * least-squares top layer (represent.h). */
#include "represent.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "fourier.h"
#include "io.h"

static const char *const mode_names[] = {"complex", "real", "real_perturbed"};

int li2_represent_mode_from_name(const char *name)
{
  for (int i = 0; i < 3; i++)
    if (name && !strcmp(name, mode_names[i]))
      return i;
  return -1;
}

const char *li2_represent_mode_name(int mode)
{
  return mode >= 0 && mode < 3 ? mode_names[mode] : "?";
}

void li2_represent_params_default(li2_represent_params *p)
{
  p->mode = LI2_REPRESENT_COMPLEX;
  p->eps = 0.1;
  p->rank_tol = 1e-9;
  p->seed = 1;
  p->omit = NULL;
}

/* Real dimension D_K of real component K's isotypic subspace. */
static size_t component_dim(const li2_characters *ct, size_t K)
{
  size_t D = 0;
  for (size_t i = 0; i < ct->nirreps; i++)
    if ((size_t)ct->component_of[i] == K)
      D += (size_t)ct->degree[i] * (size_t)ct->degree[i];
  return D;
}

/* Vectors per unit: d^4 per irrep (complex), D_K^2 per component (real). */
static size_t unit_vectors(const li2_characters *ct, int mode, size_t k)
{
  size_t D = mode == LI2_REPRESENT_COMPLEX ? (size_t)ct->degree[k] * (size_t)ct->degree[k]
                                           : component_dim(ct, k);
  return D * D;
}

static size_t nunits(const li2_characters *ct, int mode)
{
  return mode == LI2_REPRESENT_COMPLEX ? ct->nirreps : ct->ncomponents;
}

size_t li2_represent_nodes(const li2_characters *ct, const li2_represent_params *p)
{
  size_t K = 0;
  for (size_t k = 1; k < nunits(ct, p->mode); k++)
    if (!p->omit || !p->omit[k])
      K += 2 * unit_vectors(ct, p->mode, k);
  return K;
}

/* The prediction of represent.h, squared. */
static double predicted_sq(const li2_characters *ct, size_t M, const li2_represent_params *p)
{
  double s = 0;
  for (size_t k = 1; k < nunits(ct, p->mode); k++) {
    int omitted = p->omit && p->omit[k];
    if (p->mode == LI2_REPRESENT_COMPLEX) {
      if (omitted)
        s += (double)M * ct->degree[k] * ct->degree[k];
    } else if (omitted) {
      s += (double)M * (double)component_dim(ct, k);
    } else if (p->mode == LI2_REPRESENT_REAL) {
      double nu = 0;
      for (size_t i = 0; i < ct->nirreps; i++)
        if ((size_t)ct->component_of[i] == k)
          nu += ct->degree[i] * ct->indicator[i];
      s += 0.5 * (double)M * ((double)component_dim(ct, k) - nu);
    }
  }
  return s;
}

/* u = Pi_k x with Pi_k = (d/M) sum_y conj(chi_k(y)) R_y, (R_y x)[z] = x[y^-1 z]. */
static void project_irrep(const li2_group *g, const li2_characters *ct, size_t k,
                          const double complex *x, double complex *u)
{
  size_t M = g->order, nc = ct->classes->nclasses;
  double c = (double)ct->degree[k] / (double)M;
  for (size_t z = 0; z < M; z++)
    u[z] = 0;
  for (size_t y = 0; y < M; y++) {
    double complex w = c * conj(ct->chi[k * nc + (size_t)ct->classes->class_of[y]]);
    int yi = g->inverse[y];
    for (size_t z = 0; z < M; z++)
      u[z] += w * x[li2_group_mul(g, yi, (int)z)];
  }
}

/* Orthonormalise the K columns of A (n x K, column-major) in place by
 * classical Gram-Schmidt applied twice, in blocks (level-3 BLAS against the
 * accepted basis, level 2 inside a block); dependent columns are dropped.
 * Returns the rank: the basis is A's first columns. */
static size_t orthonormalise(size_t n, size_t K, double complex *A, double tol,
                             double complex *C)
{
  const size_t B = 64;
  const double complex one = 1, mone = -1, zero = 0;
  size_t r = 0;
  double n0[64];
  for (size_t j0 = 0; j0 < K; j0 += B) {
    size_t b = K - j0 < B ? K - j0 : B, acc = 0;
    double complex *blk = A + r * n;
    if (r != j0)
      memmove(blk, A + j0 * n, b * n * sizeof *A);
    for (size_t c = 0; c < b; c++)
      n0[c] = cblas_dznrm2((int)n, blk + c * n, 1);
    for (int pass = 0; pass < 2 && r > 0; pass++) {
      cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, (int)r, (int)b, (int)n, &one, A,
                  (int)n, blk, (int)n, &zero, C, (int)r);
      cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)b, (int)r, &mone, A,
                  (int)n, C, (int)r, &one, blk, (int)n);
    }
    for (size_t c = 0; c < b; c++) {
      double complex *col = blk + c * n, *dst = blk + acc * n;
      double nr;
      for (int pass = 0; pass < 2 && acc > 0; pass++) {
        cblas_zgemv(CblasColMajor, CblasConjTrans, (int)n, (int)acc, &one, blk, (int)n, col, 1,
                    &zero, C, 1);
        cblas_zgemv(CblasColMajor, CblasNoTrans, (int)n, (int)acc, &mone, blk, (int)n, C, 1,
                    &one, col, 1);
      }
      nr = cblas_dznrm2((int)n, col, 1);
      if (!(nr > tol * n0[c]) || !(nr > 0))
        continue;
      {
        double complex inv = 1.0 / nr;
        cblas_zscal((int)n, &inv, col, 1);
      }
      if (dst != col)
        memcpy(dst, col, n * sizeof *col);
      acc++;
    }
    r += acc;
  }
  return r;
}

int li2_represent_run(const li2_group *g, const li2_characters *ct,
                      const li2_represent_params *p, li2_represent_result *r, li2_error *err)
{
  size_t M = g->order, n = M * M, K = li2_represent_nodes(ct, p), col = 0;
  double complex *A = NULL, *Y = NULL, *C = NULL, *Yh = NULL, *x = NULL, *u = NULL, *v = NULL;
  double *xr = NULL, *ur = NULL, *dr = NULL;
  gsl_rng *rng = NULL;
  li2_fourier *f = NULL;
  int rc = LI2_SUCCESS;
  double t0;
  memset(r, 0, sizeof *r);
  if (p->mode < 0 || p->mode > 2)
    return li2_error_set(err, LI2_EINVAL, "mode: unknown (%d)", p->mode);
  if (!(p->rank_tol > 0) || !(p->eps > 0) || !isfinite(p->eps))
    return li2_error_set(err, LI2_EINVAL, "rank_tol, eps: must be positive");
  if (K == 0)
    return li2_error_set(err, LI2_EINVAL, "omit: every component left out (no nodes)");
  r->K = K;
  A = malloc(n * K * sizeof *A);
  Y = malloc(n * M * sizeof *Y);
  Yh = malloc(n * M * sizeof *Yh);
  C = malloc(K * (M > 64 ? M : 64) * sizeof *C);  /* r x 64 blocks, r x M */
  x = malloc(M * sizeof *x);
  u = malloc(M * sizeof *u);
  v = malloc(M * sizeof *v);
  xr = malloc(M * sizeof *xr);
  ur = malloc(M * sizeof *ur);
  dr = malloc(M * sizeof *dr);
  rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!A || !Y || !Yh || !C || !x || !u || !v || !xr || !ur || !dr || !rng) {
    rc = li2_error_set(err, LI2_ENOMEM, "represent: out of memory (K = %zu nodes, %zu pairs)",
                       K, n);
    goto done;
  }
  gsl_rng_set(rng, p->seed);
  if (p->mode != LI2_REPRESENT_COMPLEX &&
      !(f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err))) {
    rc = err->code;
    goto done;
  }
  /* The nodes: for every unit (irrep or real component) its vectors u,
   * then the pair [u; +v], [u; -v]. */
  for (size_t k = 1; k < nunits(ct, p->mode); k++) {
    if (p->omit && p->omit[k])
      continue;
    for (size_t q = 0; q < unit_vectors(ct, p->mode, k); q++) {
      if (p->mode == LI2_REPRESENT_COMPLEX) {
        for (size_t z = 0; z < M; z++) {
          double re = gsl_ran_gaussian(rng, 1.0);
          x[z] = re + I * gsl_ran_gaussian(rng, 1.0);
        }
        project_irrep(g, ct, k, x, u);
        for (size_t b = 0; b < M; b++)
          v[b] = conj(u[g->inverse[b]]);
      } else {
        double nu = 0, nd = 0;
        for (size_t z = 0; z < M; z++)
          xr[z] = gsl_ran_gaussian(rng, 1.0);
        if ((rc = li2_fourier_project(f, xr, k, ur)))
          goto fail_project;
        for (size_t z = 0; z < M; z++) {
          u[z] = ur[z];
          nu += ur[z] * ur[z];
        }
        if (p->mode == LI2_REPRESENT_REAL_PERTURBED) {
          for (size_t z = 0; z < M; z++)
            xr[z] = gsl_ran_gaussian(rng, 1.0);
          if ((rc = li2_fourier_project(f, xr, k, dr)))
            goto fail_project;
          for (size_t z = 0; z < M; z++)
            nd += dr[z] * dr[z];
          for (size_t z = 0; z < M; z++)
            ur[z] += p->eps * sqrt(nu / nd) * dr[z];
        }
        for (size_t b = 0; b < M; b++)
          v[b] = ur[g->inverse[b]];
      }
      for (int s = 1; s >= -1; s -= 2, col++) {
        double complex *fc = A + col * n, mean = 0;
        for (size_t a = 0; a < M; a++)
          for (size_t b = 0; b < M; b++) {
            double complex z = u[a] + s * v[b];
            fc[a * M + b] = z * z;
            mean += z * z;
          }
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
          fc[i] -= mean;
      }
    }
  }
  /* Y~ = Y - 1/M (every label M times in the full table). */
  for (size_t h = 0; h < M; h++)
    for (size_t i = 0; i < n; i++)
      Y[h * n + i] = ((size_t)g->table[i] == h ? 1.0 : 0.0) - 1.0 / (double)M;
  t0 = li2_io_seconds();
  r->rank = orthonormalise(n, K, A, p->rank_tol, C);
  {
    const double complex one = 1, zero = 0;
    size_t rk = r->rank;
    /* Y^ = Q (Q^* Y~). */
    cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, (int)rk, (int)M, (int)n, &one, A,
                (int)n, Y, (int)n, &zero, C, (int)rk);
    cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)M, (int)rk, &one, A,
                (int)n, C, (int)rk, &zero, Yh, (int)n);
  }
  r->seconds = li2_io_seconds() - t0;
  {
    double res = 0, tn = 0;
    size_t correct = 0;
    for (size_t i = 0; i < n * M; i++) {
      double complex dv = Y[i] - Yh[i];
      res += creal(dv * conj(dv));
      tn += creal(Y[i] * conj(Y[i]));
      if (fabs(cimag(Yh[i])) > r->imag_max)
        r->imag_max = fabs(cimag(Yh[i]));
    }
    for (size_t i = 0; i < n; i++) {
      size_t y = (size_t)g->table[i];
      double best = -INFINITY;
      for (size_t h = 0; h < M; h++)
        if (h != y && creal(Yh[h * n + i]) > best)
          best = creal(Yh[h * n + i]);
      /* strictly largest: a tie is not a correct readout */
      correct += creal(Yh[y * n + i]) > best + 1e-9;
    }
    r->residual = sqrt(res);
    r->target_norm = sqrt(tn);
    r->accuracy = (double)correct / (double)n;
    r->predicted = sqrt(predicted_sq(ct, M, p));
  }
  goto done;
fail_project:
  rc = li2_error_set(err, rc, "represent: projection onto a real component failed");
done:
  li2_fourier_free(f);
  gsl_rng_free(rng);
  free(A);
  free(Y);
  free(Yh);
  free(C);
  free(x);
  free(u);
  free(v);
  free(xr);
  free(ur);
  free(dr);
  return rc;
}
