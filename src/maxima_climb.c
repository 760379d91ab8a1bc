/* Finding local maxima of E on the sphere: the penalised function GSL's
 * multimin minimises and the caller's loop over it (maxima.h, "Finding"). */
#include "maxima.h"
#include "maxima_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>

struct li2_maximizer {
  li2_energy *e;
  li2_maxima_params p;
  size_t dim;
  gsl_multimin_fdfminimizer *s;
  gsl_multimin_function_fdf fdf;
  gsl_vector *x;
  double c;         /* radial penalty weight */
  double *y, *g;    /* r x/|x| and grad E there */
  int bad;          /* an evaluation failed (non-finite) */
  int last;         /* status of the last GSL iterate */
  int restarts;     /* restarts after GSL_ENOPROG */
  long iter;
};

/* F(x) = -E(r x/|x|) + c (|x|^2/r^2 - 1)^2 and its gradient
 *   dF = -(r/|x|) P_x grad E(y) + 4 c (|x|^2/r^2 - 1) x / r^2. */
static double penalised(li2_maximizer *m, const gsl_vector *xv, gsl_vector *df)
{
  size_t n = m->dim;
  const double *x = xv->data;
  double r = m->p.radius, s2 = 0, s, E, q;
  if (xv->stride != 1)
    return NAN;
  s2 = li2_maxima_dot(n, x, x);
  s = sqrt(s2);
  if (!(s > 0)) {
    m->bad = 1;
    return NAN;
  }
  for (size_t k = 0; k < n; k++)
    m->y[k] = r * x[k] / s;
  if (li2_energy_eval(m->e, m->y, &E, df ? m->g : NULL)) {
    m->bad = 1;
    return NAN;
  }
  q = s2 / (r * r) - 1.0;
  if (df) {
    double xg = li2_maxima_dot(n, x, m->g) / s2;
    for (size_t k = 0; k < n; k++)
      df->data[k * df->stride] = -(r / s) * (m->g[k] - xg * x[k]) + 4.0 * m->c * q * x[k] / (r * r);
  }
  return -E + m->c * q * q;
}

static double fdf_f(const gsl_vector *x, void *params)
{
  return penalised(params, x, NULL);
}

static void fdf_df(const gsl_vector *x, void *params, gsl_vector *df)
{
  penalised(params, x, df);
}

static void fdf_fdf(const gsl_vector *x, void *params, double *f, gsl_vector *df)
{
  *f = penalised(params, x, df);
}

li2_maximizer *li2_maximizer_alloc(li2_energy *e, const li2_maxima_params *p,
                                   li2_error *err)
{
  const gsl_multimin_fdfminimizer_type *T[] = {
    gsl_multimin_fdfminimizer_vector_bfgs2, gsl_multimin_fdfminimizer_conjugate_pr,
    gsl_multimin_fdfminimizer_steepest_descent};
  li2_maximizer *m;
  if (p->method < 0 || p->method > 2) {
    li2_error_set(err, LI2_EINVAL, "method: unknown minimiser %d", p->method);
    return NULL;
  }
  if (!(p->radius > 0)) {
    li2_error_set(err, LI2_EINVAL, "radius=%g: must be positive", p->radius);
    return NULL;
  }
  m = calloc(1, sizeof *m);
  if (!m) {
    li2_error_set(err, LI2_ENOMEM, "maxima: out of memory");
    return NULL;
  }
  m->e = e;
  m->p = *p;
  m->dim = li2_energy_dim(e);
  m->s = gsl_multimin_fdfminimizer_alloc(T[p->method], m->dim);
  m->x = gsl_vector_alloc(m->dim);
  m->y = malloc(m->dim * sizeof *m->y);
  m->g = malloc(m->dim * sizeof *m->g);
  if (!m->s || !m->x || !m->y || !m->g) {
    li2_maximizer_free(m);
    li2_error_set(err, LI2_ENOMEM, "maxima: out of memory (dimension %zu)", m->dim);
    return NULL;
  }
  m->fdf.n = m->dim;
  m->fdf.f = fdf_f;
  m->fdf.df = fdf_df;
  m->fdf.fdf = fdf_fdf;
  m->fdf.params = m;
  return m;
}

void li2_maximizer_free(li2_maximizer *m)
{
  if (!m)
    return;
  if (m->s)
    gsl_multimin_fdfminimizer_free(m->s);
  if (m->x)
    gsl_vector_free(m->x);
  free(m->y);
  free(m->g);
  free(m);
}

int li2_maximizer_set(li2_maximizer *m, const double *w0, li2_error *err)
{
  double r = m->p.radius, s = sqrt(li2_maxima_dot(m->dim, w0, w0)), E, gn;
  if (!(s > 0) || !isfinite(s))
    return li2_error_set(err, LI2_EINVAL, "maxima: the start point must be non-zero and finite");
  for (size_t k = 0; k < m->dim; k++)
    m->y[k] = r * w0[k] / s;
  if (li2_energy_eval(m->e, m->y, &E, m->g))
    return li2_error_set(err, LI2_ENUMERIC, "maxima: the energy is not finite at the start point");
  /* Radial curvature 8c/r^2 of the order of the tangential one, which
   * scales like E/r^2 (or |grad E|/r where E vanishes). */
  li2_energy_project_tangent(m->dim, m->y, m->g);
  gn = sqrt(li2_maxima_dot(m->dim, m->g, m->g));
  m->c = 0.5 * fmax(fabs(E), 0.25 * r * gn);
  if (!(m->c > 0))
    m->c = 1.0;
  memcpy(m->x->data, m->y, m->dim * sizeof(double));
  m->bad = 0;
  m->last = GSL_SUCCESS;
  m->restarts = 0;
  m->iter = 0;
  if (gsl_multimin_fdfminimizer_set(m->s, &m->fdf, m->x, m->p.step * r, m->p.line_tol) ||
      m->bad)
    return li2_error_set(err, LI2_ENUMERIC, "maxima: the energy is not finite at the start point");
  return LI2_SUCCESS;
}

static int gradient_small(const li2_maximizer *m)
{
  double scale = (fabs(li2_maximizer_energy(m)) + m->c) / m->p.radius;
  return gsl_multimin_test_gradient(gsl_multimin_fdfminimizer_gradient(m->s),
                                    m->p.opt_tol * scale) == GSL_SUCCESS;
}

int li2_maximizer_iterate(li2_maximizer *m, li2_error *err)
{
  m->last = gsl_multimin_fdfminimizer_iterate(m->s);
  m->iter++;
  /* No progress: the line search can no longer see E change in double
   * precision, or the search direction went stale.  Restarting along the
   * steepest direction a few times recovers the second case. */
  if (m->last == GSL_ENOPROG && m->restarts < 3 && !gradient_small(m)) {
    m->restarts++;
    gsl_multimin_fdfminimizer_restart(m->s);
    m->last = GSL_CONTINUE;
  }
  if (m->bad || !isfinite(gsl_multimin_fdfminimizer_minimum(m->s)))
    return li2_error_set(err, LI2_ENUMERIC,
                         "maxima: the energy became non-finite at iteration %ld", m->iter);
  return LI2_SUCCESS;
}

long li2_maximizer_iterations(const li2_maximizer *m)
{
  return m->iter;
}

double li2_maximizer_energy(const li2_maximizer *m)
{
  const gsl_vector *x = gsl_multimin_fdfminimizer_x(m->s);
  double r = m->p.radius, q = li2_maxima_dot(m->dim, x->data, x->data) / (r * r) - 1.0;
  return -gsl_multimin_fdfminimizer_minimum(m->s) + m->c * q * q;
}

int li2_maximizer_test(const li2_maximizer *m)
{
  if (gradient_small(m))
    return 1;
  if (m->last == GSL_ENOPROG)
    return 2;
  if (m->iter >= m->p.max_iter)
    return 3;
  return 0;
}

void li2_maximizer_point(const li2_maximizer *m, double *w)
{
  const gsl_vector *x = gsl_multimin_fdfminimizer_x(m->s);
  double s = sqrt(li2_maxima_dot(m->dim, x->data, x->data));
  for (size_t k = 0; k < m->dim; k++)
    w[k] = m->p.radius * x->data[k] / s;
}

int li2_maximizer_ascend(li2_maximizer *m, const double *w0, double *w, li2_error *err)
{
  int rc;
  if ((rc = li2_maximizer_set(m, w0, err)))
    return rc;
  while (!li2_maximizer_test(m))
    if ((rc = li2_maximizer_iterate(m, err)))
      return rc;
  li2_maximizer_point(m, w);
  return LI2_SUCCESS;
}

