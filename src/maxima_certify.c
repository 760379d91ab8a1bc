/* Certifying a critical point of E on the sphere: Riemannian gradient and
 * Hessian (GSL's symmetric eigensolver), Newton polish (maxima.h,
 * "Certifying"). */
#include "maxima.h"
#include "maxima_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sort_vector.h>

#include "process.h"

struct li2_certifier {
  li2_energy *e;
  li2_maxima_params p;
  size_t dim;
  gsl_matrix *H;       /* dim x dim */
  gsl_matrix *T;       /* (dim-1) x (dim-1), destroyed by the eigensolver */
  gsl_vector *eval;    /* dim - 1, ascending after sorting */
  gsl_vector *hv, *work;
  gsl_eigen_symm_workspace *ws;
  double *g0, *wp, *gp, *gm;
  /* kept from the last certify, for li2_certifier_polish */
  double tau, lagrange, tol, radius;
  int valid;
};

void li2_certifier_free(li2_certifier *c)
{
  if (!c)
    return;
  if (c->H)
    gsl_matrix_free(c->H);
  if (c->T)
    gsl_matrix_free(c->T);
  if (c->eval)
    gsl_vector_free(c->eval);
  if (c->hv)
    gsl_vector_free(c->hv);
  if (c->work)
    gsl_vector_free(c->work);
  if (c->ws)
    gsl_eigen_symm_free(c->ws);
  free(c->g0);
  free(c->wp);
  free(c->gp);
  free(c->gm);
  free(c);
}

li2_certifier *li2_certifier_alloc(li2_energy *e, const li2_maxima_params *p,
                                   li2_error *err)
{
  li2_certifier *c = calloc(1, sizeof *c);
  size_t n;
  if (!c) {
    li2_error_set(err, LI2_ENOMEM, "maxima: out of memory");
    return NULL;
  }
  c->e = e;
  c->p = *p;
  n = c->dim = li2_energy_dim(e);
  if (n < 2) {
    li2_certifier_free(c);
    li2_error_set(err, LI2_EINVAL, "maxima: dimension %zu too small", n);
    return NULL;
  }
  c->H = gsl_matrix_alloc(n, n);
  c->T = gsl_matrix_alloc(n - 1, n - 1);
  c->eval = gsl_vector_alloc(n - 1);
  c->hv = gsl_vector_alloc(n);
  c->work = gsl_vector_alloc(n);
  c->ws = gsl_eigen_symm_alloc(n - 1);
  c->g0 = malloc(n * sizeof(double));
  c->wp = malloc(n * sizeof(double));
  c->gp = malloc(n * sizeof(double));
  c->gm = malloc(n * sizeof(double));
  if (!c->H || !c->T || !c->eval || !c->hv || !c->work || !c->ws || !c->g0 || !c->wp ||
      !c->gp || !c->gm) {
    li2_certifier_free(c);
    li2_error_set(err, LI2_ENOMEM, "maxima: out of memory (Hessian %zu x %zu)", n, n);
    return NULL;
  }
  return c;
}

const double *li2_certifier_eigenvalues(const li2_certifier *c)
{
  return c->eval->data;
}

static void label_point(const li2_certifier *c, li2_maxima_point *pt, double smax, double r)
{
  if (!(pt->grad_norm <= c->p.grad_tol * (fabs(pt->energy) + 1e-300) / r) || smax == 0)
    pt->label = LI2_MAXIMA_DEGENERATE;
  else if (pt->hess_max > c->tol)
    pt->label = LI2_MAXIMA_SADDLE;
  else
    pt->label = LI2_MAXIMA_MAX;
}

int li2_certifier_certify(li2_certifier *c, const double *w, li2_maxima_point *pt,
                          li2_error *err)
{
  size_t n = c->dim;
  double r2 = li2_maxima_dot(n, w, w), r = sqrt(r2), E, wg, h, gn2 = 0, smax = 0, tol, En, Ep;
  if (!(r > 0))
    return li2_error_set(err, LI2_EINVAL, "maxima: cannot certify w = 0");
  if (li2_energy_eval(c->e, w, &E, c->g0))
    return li2_error_set(err, LI2_ENUMERIC, "maxima: the energy is not finite at the point");
  wg = li2_maxima_dot(n, w, c->g0);
  for (size_t k = 0; k < n; k++) {
    double t = c->g0[k] - wg / r2 * w[k];
    gn2 += t * t;
  }
  pt->energy = E;
  pt->grad_norm = sqrt(gn2);
  /* Euclidean Hessian: analytic on the FFT path, else central differences
   * of the analytic gradient. */
  h = c->p.fd_step * r;
  memcpy(c->wp, w, n * sizeof(double));
  int hrc = li2_energy_hessian(c->e, w, c->H->data);
  if (hrc && hrc != LI2_EUNSUP)
    return li2_error_set(err, LI2_ENUMERIC, "maxima: the Hessian is not finite");
  for (size_t j = 0; hrc && j < n; j++) {
    c->wp[j] = w[j] + h;
    if (li2_energy_eval(c->e, c->wp, &Ep, c->gp))
      return li2_error_set(err, LI2_ENUMERIC, "maxima: energy not finite near the point");
    c->wp[j] = w[j] - h;
    if (li2_energy_eval(c->e, c->wp, &En, c->gm))
      return li2_error_set(err, LI2_ENUMERIC, "maxima: energy not finite near the point");
    c->wp[j] = w[j];
    for (size_t i = 0; i < n; i++)
      gsl_matrix_set(c->H, i, j, (c->gp[i] - c->gm[i]) / (2 * h));
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++) {
      double s = 0.5 * (gsl_matrix_get(c->H, i, j) + gsl_matrix_get(c->H, j, i));
      gsl_matrix_set(c->H, i, j, s);
      gsl_matrix_set(c->H, j, i, s);
    }
  /* Householder reflection Q with Q w/|w| = +-e_1: rows/columns 2..n of
   * Q H Q are the Hessian on the tangent space. */
  for (size_t k = 0; k < n; k++)
    gsl_vector_set(c->hv, k, w[k] / r);
  {
    double tau = c->tau = gsl_linalg_householder_transform(c->hv);
    /* _hm/_mh take the implicit v[0] = 1 of _transform's output (GSL
     * 2.7's _left/_right do not: they read v[0] as stored). */
    gsl_linalg_householder_hm(tau, c->hv, c->H);
    gsl_linalg_householder_mh(tau, c->hv, c->H);
  }
  {
    gsl_matrix_view sub = gsl_matrix_submatrix(c->H, 1, 1, n - 1, n - 1);
    gsl_matrix_memcpy(c->T, &sub.matrix);
  }
  /* Riemannian Hessian on the sphere: the ambient Hessian less the
   * Lagrange term (w.grad E / r^2) I. */
  for (size_t i = 0; i < n - 1; i++)
    gsl_matrix_set(c->T, i, i, gsl_matrix_get(c->T, i, i) - wg / r2);
  c->valid = 0;
  li2_process_gsl_mute();  /* its status is checked */
  int est = gsl_eigen_symm(c->T, c->eval, c->ws);
  li2_process_gsl_unmute();
  if (est)
    return li2_error_set(err, LI2_ENUMERIC, "maxima: the symmetric eigensolver failed");
  gsl_sort_vector(c->eval);
  pt->hess_min = gsl_vector_get(c->eval, 0);
  pt->hess_max = gsl_vector_get(c->eval, n - 2);
  smax = fmax(fabs(pt->hess_min), fabs(pt->hess_max));
  tol = c->p.hess_tol * smax;
  pt->zero_modes = 0;
  for (size_t i = 0; i < n - 1; i++)
    if (fabs(gsl_vector_get(c->eval, i)) <= tol)
      pt->zero_modes++;
  if (!isfinite(smax))
    return li2_error_set(err, LI2_ENUMERIC, "maxima: the Hessian is not finite");
  c->lagrange = wg / r2;
  c->tol = tol;
  c->radius = r;
  c->valid = 1;
  label_point(c, pt, smax, r);
  return LI2_SUCCESS;
}

void li2_certifier_zero_gap(const li2_certifier *c, double *zero_max, double *nonzero_min)
{
  size_t n1 = c->dim - 1;
  double smax = 0;
  *zero_max = NAN;
  *nonzero_min = NAN;
  for (size_t i = 0; i < n1; i++)
    smax = fmax(smax, fabs(gsl_vector_get(c->eval, i)));
  if (!(smax > 0))
    return;
  for (size_t i = 0; i < n1; i++) {
    double a = fabs(gsl_vector_get(c->eval, i));
    if (a <= c->tol) {
      if (!(a / smax <= *zero_max))
        *zero_max = a / smax;
    } else if (!(a / smax >= *nonzero_min))
      *nonzero_min = a / smax;
  }
}

int li2_certifier_polish(li2_certifier *c, double *w, li2_maxima_point *pt, int steps,
                         li2_error *err)
{
  size_t n = c->dim, n1 = n - 1;
  double r = c->radius, smax = fmax(fabs(pt->hess_min), fabs(pt->hess_max)), mu;
  gsl_matrix_view Hs = gsl_matrix_submatrix(c->H, 1, 1, n1, n1);
  gsl_vector_view gt = gsl_vector_subvector(c->work, 1, n1);
  if (!c->valid || pt->hess_max > c->tol || !(smax > 0))
    return LI2_SUCCESS;
  /* A = mu I - Hess_R = (lagrange + mu) I - Q^T H Q: positive definite
   * when Hess_R <= tol; mu > tol keeps the symmetry zero modes regular
   * (the gradient has no component along them: E is constant there). */
  mu = 10 * c->tol + 1e-12 * smax;
  gsl_matrix_memcpy(c->T, &Hs.matrix);
  gsl_matrix_scale(c->T, -1.0);
  for (size_t i = 0; i < n1; i++)
    gsl_matrix_set(c->T, i, i, gsl_matrix_get(c->T, i, i) + c->lagrange + mu);
  /* not positive definite: no polish (GSL reports it; the status is checked) */
  li2_process_gsl_mute();
  int chol = gsl_linalg_cholesky_decomp1(c->T);
  li2_process_gsl_unmute();
  if (chol)
    return LI2_SUCCESS;
  memcpy(c->wp, w, n * sizeof(double));
  for (int s = 0; s < steps; s++) {
    double E, r2 = li2_maxima_dot(n, c->wp, c->wp), wg, nn;
    if (li2_energy_eval(c->e, c->wp, &E, c->gp))
      return li2_error_set(err, LI2_ENUMERIC, "maxima: energy not finite while polishing");
    wg = li2_maxima_dot(n, c->wp, c->gp);
    for (size_t k = 0; k < n; k++)
      c->work->data[k] = c->gp[k] - wg / r2 * c->wp[k];
    /* Tangent coordinates through the reflection of the certified point;
     * the Newton step (-Hess_R)^{-1} grad_R climbs to the maximum. */
    gsl_linalg_householder_hv(c->tau, c->hv, c->work);
    gsl_linalg_cholesky_svx(c->T, &gt.vector);
    c->work->data[0] = 0;
    gsl_linalg_householder_hv(c->tau, c->hv, c->work);
    for (size_t k = 0; k < n; k++)
      c->wp[k] += c->work->data[k];
    nn = sqrt(li2_maxima_dot(n, c->wp, c->wp));
    for (size_t k = 0; k < n; k++)
      c->wp[k] *= r / nn;
  }
  {
    /* Keep the polished point only if its gradient is smaller. */
    double E, wg, g2 = 0, r2 = li2_maxima_dot(n, c->wp, c->wp);
    if (li2_energy_eval(c->e, c->wp, &E, c->gp))
      return LI2_SUCCESS;
    wg = li2_maxima_dot(n, c->wp, c->gp);
    for (size_t k = 0; k < n; k++) {
      double t = c->gp[k] - wg / r2 * c->wp[k];
      g2 += t * t;
    }
    if (sqrt(g2) < pt->grad_norm) {
      memcpy(w, c->wp, n * sizeof(double));
      pt->energy = E;
      pt->grad_norm = sqrt(g2);
      label_point(c, pt, smax, r);
    }
  }
  return LI2_SUCCESS;
}

