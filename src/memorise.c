/* Theorem 5's single-target landscape and closed form (memorise.h). */
#include "memorise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "characters.h"
#include "energy.h"
#include "process.h"

li2_dataset *li2_memorise_dataset(const li2_group *g, int h, li2_error *err)
{
  size_t M = g->order, n = M * M, k = M;
  size_t *samples;
  char *used;
  li2_dataset *d;
  if (h < 0 || (size_t)h >= M)
    return li2_error_set(err, LI2_EINVAL, "target %d: not an element of %s", h, g->name), NULL;
  samples = malloc(n * sizeof *samples);
  used = calloc(n, 1);
  if (!samples || !used) {
    free(samples);
    free(used);
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  }
  /* Pair g is (g, g^-1 h): sample number g M + g^-1 h (first operand most
   * significant, dataset.h). */
  for (size_t a = 0; a < M; a++) {
    size_t b = (size_t)li2_group_mul(g, g->inverse[a], h);
    samples[a] = a * M + b;
    used[samples[a]] = 1;
  }
  for (size_t i = 0; i < n; i++)
    if (!used[i])
      samples[k++] = i;
  d = li2_dataset_alloc_samples(g, 2, M, samples, err);
  free(samples);
  free(used);
  return d;
}

static double sigmoid(double x)
{
  return 1.0 / (1.0 + exp(-x));
}

double li2_memorise_phi(li2_activation a, double x)
{
  double s;
  switch (a) {
  case LI2_ACT_SILU: s = sigmoid(x); return s / x + s * (1 - s);
  default: return li2_activation_deriv(a, x) / x;
  }
}

int li2_memorise_focused(li2_activation a)
{
  switch (a) {
  case LI2_ACT_SQR:
  case LI2_ACT_RELUSQR: return 1;   /* phi = 2 */
  case LI2_ACT_RELU:                /* phi = 1/x */
  case LI2_ACT_SILU:                /* sigmoid(x)/x + sigmoid(x)(1 - sigmoid(x)) */
  case LI2_ACT_TANH:                /* sech^2(x)/x */
  case LI2_ACT_SIGMOID: return 0;   /* sigmoid(x)(1 - sigmoid(x))/x */
  default: return -1;
  }
}

double li2_memorise_objective(li2_activation a, size_t M, const double *p, const double *s)
{
  double F = 0;
  for (size_t g = 0; g < M; g++)
    F += p[g] * li2_activation_eval(a, s[g]);
  return F;
}

void li2_memorise_profile(const li2_group *g, int h, const double *w, double *s)
{
  size_t M = g->order;
  for (size_t a = 0; a < M; a++)
    s[a] = w[a] + w[M + (size_t)li2_group_mul(g, g->inverse[a], h)];
}

/* Brent's method on t for a function decreasing in t, after bracketing
 * from [-1, 1] by doubling steps; NAN when no bracket is found. */
static double root_decreasing(double (*fn)(double, void *), void *ctx)
{
  double lo = -1, hi = 1, r = NAN;
  int it = 0;
  gsl_function F = {fn, ctx};
  gsl_root_fsolver *s;
  while (fn(lo, ctx) <= 0 && it++ < 60)
    lo = 2 * lo - 1;
  while (fn(hi, ctx) >= 0 && it++ < 120)
    hi = 2 * hi + 1;
  if (!(fn(lo, ctx) > 0) || !(fn(hi, ctx) < 0))
    return NAN;
  if (!(s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent)))
    return NAN;
  gsl_root_fsolver_set(s, &F, lo, hi);
  for (it = 0; it < 500; it++) {
    gsl_root_fsolver_iterate(s);
    r = gsl_root_fsolver_root(s);
    if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 1e-15,
                               1e-14) == GSL_SUCCESS)
      break;
  }
  gsl_root_fsolver_free(s);
  return r;
}

typedef struct {
  li2_activation a;
  double y;
  size_t M;
  const double *p;
} solve_ctx;

/* phi(e^t) - y, decreasing in t. */
static double phi_gap(double t, void *v)
{
  const solve_ctx *c = v;
  return li2_memorise_phi(c->a, exp(t)) - c->y;
}

static double phi_inverse(li2_activation a, double y)
{
  solve_ctx c = {a, y, 0, NULL};
  return exp(root_decreasing(phi_gap, &c));
}

/* sum_g phi^-1(2 e^t / p_g)^2 - 2, decreasing in t. */
static double budget_gap(double t, void *v)
{
  const solve_ctx *c = v;
  double sum = 0;
  for (size_t g = 0; g < c->M; g++) {
    double x = phi_inverse(c->a, 2 * exp(t) / c->p[g]);
    sum += x * x;
  }
  return sum - 2;
}

int li2_memorise_closed_form(li2_activation a, size_t M, const double *p, double *s,
                             double *lambda, li2_error *err)
{
  int focused = li2_memorise_focused(a);
  size_t best = 0;
  if (focused < 0)
    return li2_error_set(err, LI2_EUNSUP, "activation %s: Theorem 5 does not decide its phi",
                         li2_activation_name(a));
  for (size_t g = 0; g < M; g++) {
    if (!(p[g] > 0) || !isfinite(p[g]))
      return li2_error_set(err, LI2_EINVAL, "probability p_%zu = %g: must be positive", g, p[g]);
    if (p[g] > p[best])
      best = g;
  }
  if (focused) {
    for (size_t g = 0; g < M; g++)
      if (g != best && p[g] == p[best])
        return li2_error_set(err, LI2_EINVAL, "probabilities: the largest is not unique");
    for (size_t g = 0; g < M; g++)
      s[g] = g == best ? sqrt(2.0) : 0.0;
    *lambda = p[best] * li2_memorise_phi(a, sqrt(2.0)) / 2;
    return LI2_SUCCESS;
  }
  {
    solve_ctx c = {a, 0, M, p};
    li2_process_gsl_mute();
    double t = root_decreasing(budget_gap, &c);
    li2_process_gsl_unmute();
    if (!isfinite(t))
      return li2_error_set(err, LI2_ENUMERIC, "memorise: no multiplier lambda found (%s)",
                           li2_activation_name(a));
    *lambda = exp(t);
    for (size_t g = 0; g < M; g++) {
      s[g] = phi_inverse(a, 2 * *lambda / p[g]);
      if (!isfinite(s[g]))
        return li2_error_set(err, LI2_ENUMERIC, "memorise: phi^-1 failed at p_%zu", g);
    }
  }
  return LI2_SUCCESS;
}

void li2_memorise_result_clear(li2_memorise_result *r)
{
  if (r) {
    free(r->best_s);
    r->best_s = NULL;
  }
}

int li2_memorise_search(const li2_group *g, int h, li2_activation a, const double *p,
                        const li2_maxima_params *mp, size_t starts, unsigned long seed,
                        li2_memorise_result *r, li2_error *err)
{
  size_t M = g->order, dim = 2 * M;
  li2_dataset *d = NULL;
  li2_energy *e = NULL;
  li2_maximizer *mx = NULL;
  li2_certifier *ce = NULL;
  li2_classifier *cl = NULL;
  li2_characters *ct = NULL;
  double *w0 = malloc(dim * sizeof *w0), *w = malloc(dim * sizeof *w),
         *E = malloc(starts * sizeof *E), *wbest = malloc(dim * sizeof *wbest),
         *s = malloc(M * sizeof *s), *Fs = malloc(starts * sizeof *Fs);
  int *lab = malloc(starts * sizeof *lab), rc = LI2_SUCCESS;
  memset(r, 0, sizeof *r);
  r->starts = starts;
  r->best_energy = r->other_energy = r->negative_energy = NAN;
  r->best_s = malloc(M * sizeof *r->best_s);
  if (!w0 || !w || !E || !wbest || !s || !Fs || !lab || !r->best_s) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if (!(d = li2_memorise_dataset(g, h, err)) || !(ct = li2_characters_alloc(g, err)) ||
      !(e = li2_energy_alloc(g, d, a, LI2_ENERGY_UNCENTRED, LI2_ENERGY_DIRECT, err)) ||
      (rc = li2_energy_set_weights(e, p, err)) || !(mx = li2_maximizer_alloc(e, mp, err)) ||
      !(ce = li2_certifier_alloc(e, mp, err)) || !(cl = li2_classifier_alloc(e, g, ct, mp, err))) {
    rc = err->code ? err->code : LI2_ENOMEM;
    goto done;
  }
  li2_process_gsl_mute();
  for (size_t i = 0; i < starts && !rc; i++) {
    li2_maxima_point pt;
    if ((rc = li2_maxima_start(seed, i, dim, mp->radius, w0)) ||
        (rc = li2_maxima_climb(mx, ce, cl, w0, w, &pt, err)))
      break;
    E[i] = pt.energy;
    lab[i] = pt.label;
    li2_memorise_profile(g, h, w, s);
    Fs[i] = li2_memorise_objective(a, M, p, s);
    if (pt.label == LI2_MAXIMA_MAX) {
      r->nmax++;
      if (!(pt.energy <= r->best_energy)) {
        r->best_energy = pt.energy;
        memcpy(wbest, w, dim * sizeof *w);
      }
    }
  }
  li2_process_gsl_unmute();
  if (rc || !r->nmax)
    goto done;
  for (size_t i = 0; i < starts; i++) {
    if (lab[i] != LI2_MAXIMA_MAX)
      continue;
    if (E[i] >= r->best_energy * (1 - mp->energy_tol))
      r->n_at_best++;
    else if (Fs[i] < 0) {
      r->n_negative++;
      if (!(E[i] <= r->negative_energy))
        r->negative_energy = E[i];
    } else {
      r->n_other++;
      if (!(E[i] <= r->other_energy))
        r->other_energy = E[i];
    }
  }
  li2_memorise_profile(g, h, wbest, r->best_s);
  r->best_F = li2_memorise_objective(a, M, p, r->best_s);
  if (r->best_F < 0) {
    /* E = F^2/2 is even in F: report the mirror w -> -w (a maximum too
     * when sigma is odd, e.g. tanh). */
    for (size_t k = 0; k < dim; k++)
      wbest[k] = -wbest[k];
    li2_memorise_profile(g, h, wbest, r->best_s);
    r->best_F = li2_memorise_objective(a, M, p, r->best_s);
  }
  for (size_t x = 0; x < M; x++) {
    double dv = fabs(wbest[x] - wbest[M + (size_t)li2_group_mul(g, g->inverse[x], h)]);
    if (dv > r->split)
      r->split = dv;
  }
done:
  li2_classifier_free(cl);
  li2_certifier_free(ce);
  li2_maximizer_free(mx);
  li2_energy_free(e);
  li2_characters_free(ct);
  li2_dataset_free(d);
  free(w0);
  free(w);
  free(E);
  free(wbest);
  free(s);
  free(Fs);
  free(lab);
  return rc;
}
