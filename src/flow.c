/* The Stage II flow of one node; see flow.h. */
#include "flow.h"
#include "args.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "process.h"

struct li2_flow {
  li2_energy *e;
  size_t n;
  li2_flow_params p;
  gsl_odeiv2_system sys;
  gsl_odeiv2_driver *drv;
  double norm0;            /* |y| at the first advance (< 0: not yet) */
  int bad;                 /* E not finite in the right-hand side */
};

const char *const li2_flow_kind_names[] = {LI2_FLOW_KIND_NAMES(LI2_NAME_STRING)};
const char *const li2_flow_stepper_names[] = {LI2_FLOW_STEPPER_NAMES(LI2_NAME_STRING)};
_Static_assert(sizeof li2_flow_kind_names / sizeof *li2_flow_kind_names == LI2_FLOW_KIND_COUNT,
               "one name per flow");
_Static_assert(sizeof li2_flow_stepper_names / sizeof *li2_flow_stepper_names ==
                   LI2_FLOW_STEPPER_COUNT, "one name per stepper");

void li2_flow_params_default(li2_flow_params *p)
{
  p->kind = LI2_FLOW_SPHERE;
  p->eta = 0;
  p->stepper = LI2_FLOW_RKF45;
  p->h0 = 1e-3;
  p->epsabs = p->epsrel = 1e-9;
  p->max_steps = 100000;
}

static double norm2(const double *x, size_t n)
{
  double s = 0;
  for (size_t k = 0; k < n; k++)
    s += x[k] * x[k];
  return s;
}

int li2_flow_measure(li2_energy *e, const double *w, double *g, li2_flow_measures *m)
{
  size_t n = li2_energy_dim(e);
  int rc = li2_energy_eval(e, w, &m->energy, g);
  if (rc)
    return rc;
  m->grad_norm = sqrt(norm2(g, n));
  li2_energy_project_tangent(n, w, g);
  m->norm = sqrt(norm2(w, n));
  m->riemannian_grad_norm = sqrt(norm2(g, n));
  return LI2_SUCCESS;
}

static int rhs(double t, const double y[], double dydt[], void *params)
{
  li2_flow *fl = params;
  double E;
  (void)t;
  if (li2_energy_eval(fl->e, y, &E, dydt)) {
    fl->bad = 1;
    return GSL_EBADFUNC;
  }
  if (fl->p.kind == LI2_FLOW_SPHERE)
    li2_energy_project_tangent(fl->n, y, dydt);
  else
    for (size_t k = 0; k < fl->n; k++)
      dydt[k] -= fl->p.eta * y[k];
  return GSL_SUCCESS;
}

li2_flow *li2_flow_alloc(li2_energy *e, const li2_flow_params *p, li2_error *err)
{
  li2_flow *fl = calloc(1, sizeof *fl);
  if (!fl) {
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    return NULL;
  }
  fl->e = e;
  fl->n = li2_energy_dim(e);
  fl->p = *p;
  fl->norm0 = -1;
  fl->sys = (gsl_odeiv2_system){rhs, NULL, fl->n, fl};
  fl->drv = gsl_odeiv2_driver_alloc_y_new(
    &fl->sys, p->stepper == LI2_FLOW_RK8PD ? gsl_odeiv2_step_rk8pd : gsl_odeiv2_step_rkf45, p->h0,
    p->epsabs, p->epsrel);
  if (!fl->drv) {
    free(fl);
    li2_error_set(err, LI2_ENOMEM, "cannot allocate the ODE driver");
    return NULL;
  }
  /* relu and relusqr make grad E discontinuous or kinked: the step
   * control then shrinks the steps at every kink; bound the work. */
  gsl_odeiv2_driver_set_nmax(fl->drv, p->max_steps);
  return fl;
}

void li2_flow_free(li2_flow *fl)
{
  if (!fl)
    return;
  gsl_odeiv2_driver_free(fl->drv);
  free(fl);
}

int li2_flow_advance(li2_flow *fl, double *t, double t1, double *y, li2_error *err)
{
  double nn;
  int st;
  if (fl->norm0 < 0)
    fl->norm0 = sqrt(norm2(y, fl->n));
  /* failures are reported here, with the reason, not by GSL's abort */
  li2_process_gsl_mute();
  st = gsl_odeiv2_driver_apply(fl->drv, t, t1, y);
  li2_process_gsl_unmute();
  if (st == GSL_SUCCESS && !fl->bad)
    return LI2_SUCCESS;
  nn = norm2(y, fl->n);
  if (st == GSL_EMAXITER)
    return li2_error_set(err, LI2_ENUMERIC,
                         "parameter max_steps: %lu steps did not reach t = %g from t = %g "
                         "(activation=%s; loosen epsabs/epsrel or raise max_steps)",
                         fl->p.max_steps, t1, *t,
                         li2_activation_name(li2_energy_activation(fl->e)));
  return li2_error_set(err, LI2_ENUMERIC, "the integration stopped at t = %g with |w| = %.3g (%s)",
                       *t, sqrt(nn),
                       fl->bad || !isfinite(nn) || sqrt(nn) > 1e3 * fl->norm0
                           ? "the flow diverges: E grows faster than the decay; raise eta"
                           : gsl_strerror(st));
}
