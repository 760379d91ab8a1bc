/* Theorem 6 (repulsion of similar features): see repulsion.h. */
#include "repulsion.h"
#include "optim.h"
#include "process.h"

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int sgn(double x) { return (x > 0) - (x < 0); }

/* Cholesky of A in place with GSL's handler off; LI2_ENUMERIC naming WHAT. */
static int chol(gsl_matrix *A, const char *what, double eta, li2_error *err)
{
  li2_process_gsl_mute();
  int rc = gsl_linalg_cholesky_decomp1(A);
  li2_process_gsl_unmute();
  if (rc)
    return li2_error_set(err, LI2_ENUMERIC,
                         "repulsion: %s + eta I is not positive definite (eta=%g)", what, eta);
  return LI2_SUCCESS;
}

int li2_repulsion_compute(size_t n, size_t K, const double *F, double eta,
                          li2_repulsion_stats *st, li2_error *err)
{
  int rc = LI2_SUCCESS;
  if (K < 2 || n == 0)
    return li2_error_set(err, LI2_EINVAL, "repulsion: need K >= 2 nodes and n >= 1 samples (K=%zu, n=%zu)", K, n);
  if (!(eta >= 0) || !isfinite(eta))
    return li2_error_set(err, LI2_EINVAL, "eta: must be finite and >= 0 (%g)", eta);
  memset(st, 0, sizeof *st);
  st->eta = eta;
  st->n = n;
  st->K = K;
  size_t R = K - 2;
  double *Ft = malloc(n * K * sizeof *Ft), *mean = malloc(K * sizeof *mean),
         *FB = malloc(n * K * sizeof *FB), *col = malloc(n * sizeof *col),
         *cj = malloc((R ? R : 1) * sizeof *cj), *cl = malloc((R ? R : 1) * sizeof *cl),
         *xl = malloc((R ? R : 1) * sizeof *xl), *xj = malloc((R ? R : 1) * sizeof *xj);
  size_t *keep = malloc((R ? R : 1) * sizeof *keep);
  gsl_matrix *G = gsl_matrix_alloc(K, K), *B = gsl_matrix_alloc(K, K);
  gsl_matrix *A = R ? gsl_matrix_alloc(R, R) : NULL;
  if (!Ft || !mean || !FB || !col || !cj || !cl || !xl || !xj || !keep || !G || !B || (R && !A)) {
    rc = li2_error_set(err, LI2_ENOMEM, "repulsion: out of memory (n=%zu, K=%zu)", n, K);
    goto done;
  }
  /* F~ = P F; G = F~^T F~ (symmetrised from the upper triangle). */
  li2_column_means(n, K, F, mean);
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < K; k++)
      Ft[i * K + k] = F[i * K + k] - mean[k];
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)K, (int)n, 1.0, Ft, (int)K, 0.0,
              G->data, (int)G->tda);
  for (size_t i = 0; i < K; i++)
    for (size_t j = 0; j < i; j++)
      gsl_matrix_set(G, i, j, gsl_matrix_get(G, j, i));
  /* B = (G + eta I)^{-1} from one Cholesky factor. */
  gsl_matrix_memcpy(B, G);
  for (size_t k = 0; k < K; k++)
    *gsl_matrix_ptr(B, k, k) += eta;
  if ((rc = chol(B, "F~^T F~", eta, err)))
    goto done;
  gsl_linalg_cholesky_invert(B);

  /* Eq. 9: the columns of F~ B against their expansions. */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)K, (int)K, 1.0, Ft,
              (int)K, B->data, (int)B->tda, 0.0, FB, (int)K);
  for (size_t j = 0; j < K; j++) {
    double bjj = gsl_matrix_get(B, j, j), d2 = 0, p2 = 0, c2 = 0;
    for (size_t i = 0; i < n; i++)
      col[i] = bjj * Ft[i * K + j];
    for (size_t l = 0; l < K; l++) {
      if (l == j)
        continue;
      double b = gsl_matrix_get(B, l, j);
      for (size_t i = 0; i < n; i++)
        col[i] += b * Ft[i * K + l];
    }
    for (size_t i = 0; i < n; i++) {
      double fb = FB[i * K + j], d = fb - col[i], p = fb - (col[i] + bjj * Ft[i * K + j]);
      d2 += d * d;
      p2 += p * p;
      c2 += fb * fb;
    }
    double cn = c2 > 0 ? sqrt(c2) : 1;
    if (sqrt(d2) / cn > st->identity_rel)
      st->identity_rel = sqrt(d2) / cn;
    if (sqrt(p2) / cn > st->printed_rel)
      st->printed_rel = sqrt(p2) / cn;
  }

  /* Every pair j < l: s_ab = G_ab - c_a^T (G_rr + eta I)^{-1} c_b over the
   * remaining nodes r, by its own Cholesky factor (not from B). */
  st->min_abs_b = st->min_abs_s = INFINITY;
  double max_dev = 0;
  for (size_t j = 0; j < K; j++)
    for (size_t l = j + 1; l < K; l++) {
      double sjj = gsl_matrix_get(G, j, j), sll = gsl_matrix_get(G, l, l),
             sjl = gsl_matrix_get(G, j, l);
      if (R) {
        size_t m = 0;
        for (size_t k = 0; k < K; k++)
          if (k != j && k != l)
            keep[m++] = k;
        for (size_t a = 0; a < R; a++) {
          for (size_t b = 0; b <= a; b++)
            gsl_matrix_set(A, a, b, gsl_matrix_get(G, keep[a], keep[b]));
          *gsl_matrix_ptr(A, a, a) += eta;
          cj[a] = gsl_matrix_get(G, keep[a], j);
          cl[a] = gsl_matrix_get(G, keep[a], l);
        }
        for (size_t a = 0; a < R; a++)
          for (size_t b = a + 1; b < R; b++)
            gsl_matrix_set(A, a, b, gsl_matrix_get(A, b, a));
        if ((rc = chol(A, "F~_{-jl}^T F~_{-jl}", eta, err)))
          goto done;
        gsl_vector_view vj = gsl_vector_view_array(xj, R), vl = gsl_vector_view_array(xl, R);
        gsl_vector_const_view bj = gsl_vector_const_view_array(cj, R),
                              bl = gsl_vector_const_view_array(cl, R);
        gsl_linalg_cholesky_solve(A, &bj.vector, &vj.vector);
        gsl_linalg_cholesky_solve(A, &bl.vector, &vl.vector);
        for (size_t a = 0; a < R; a++) {
          sjj -= cj[a] * xj[a];
          sll -= cl[a] * xl[a];
          sjl -= cj[a] * xl[a];
        }
      }
      double b = gsl_matrix_get(B, j, l);
      double det = (eta + sjj) * (eta + sll) - sjl * sjl;
      double dev = fabs(b + sjl / det);
      st->pairs++;
      if (sgn(b) == -sgn(sjl))
        st->agree++;
      if (sjl > 0) {
        st->similar++;
        if (b < 0)
          st->similar_repel++;
      }
      if (fabs(b) < st->min_abs_b)
        st->min_abs_b = fabs(b);
      if (fabs(b) > st->max_abs_b)
        st->max_abs_b = fabs(b);
      if (fabs(sjl) < st->min_abs_s)
        st->min_abs_s = fabs(sjl);
      if (dev > max_dev || isnan(dev))
        max_dev = isnan(dev) ? INFINITY : dev;
    }
  st->value_rel = st->max_abs_b > 0 ? max_dev / st->max_abs_b : max_dev;
done:
  free(Ft);
  free(mean);
  free(FB);
  free(col);
  free(cj);
  free(cl);
  free(xl);
  free(xj);
  free(keep);
  gsl_matrix_free(G);
  gsl_matrix_free(B);
  if (A)
    gsl_matrix_free(A);
  return rc;
}
