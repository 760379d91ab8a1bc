/* Lemma 2 and Theorem 8 (the paper's Sec. 5.3): see muon_model.h. */
#include "muon_model.h"
#include "optim.h"
#include "process.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Lemma 2 ---- */

int li2_muon_ascent_compute(size_t r, size_t c, const double *G, li2_muon_ascent *out,
                            li2_error *err)
{
  size_t n = r * c, nw = li2_optim_ns_work_size(r, c), pw = li2_optim_polar_work_size(r, c);
  double *Q = malloc(n * sizeof *Q), *work = malloc((nw > pw ? nw : pw) * sizeof *work);
  size_t s = r < c ? r : c;  /* the smaller Gram matrix: no spurious zero eigenvalues */
  gsl_matrix *GtG = gsl_matrix_alloc(s, s);
  gsl_vector *ev = gsl_vector_alloc(s);
  gsl_eigen_symm_workspace *ew = gsl_eigen_symm_alloc(s);
  int rc = LI2_SUCCESS;
  memset(out, 0, sizeof *out);
  if (!Q || !work || !GtG || !ev || !ew) {
    rc = li2_error_set(err, LI2_ENOMEM, "muon: out of memory (%zu x %zu)", r, c);
    goto done;
  }
  /* |G|_*: square roots of the eigenvalues of G^T G or G G^T */
  for (size_t i = 0; i < s; i++)
    for (size_t j = 0; j < s; j++) {
      double t = 0;
      if (r >= c)
        for (size_t k = 0; k < r; k++)
          t += G[k * c + i] * G[k * c + j];
      else
        for (size_t k = 0; k < c; k++)
          t += G[i * c + k] * G[j * c + k];
      gsl_matrix_set(GtG, i, j, t);
    }
  for (size_t k = 0; k < n; k++)
    out->norm_g += G[k] * G[k];
  out->norm_g = sqrt(out->norm_g);
  gsl_eigen_symm(GtG, ev, ew);
  for (size_t i = 0; i < s; i++)
    out->nuclear += sqrt(fmax(gsl_vector_get(ev, i), 0));
  if ((rc = li2_optim_polar(r, c, G, Q, work, err)))
    goto done;
  for (size_t k = 0; k < n; k++) {
    out->inner += Q[k] * G[k];
    out->norm_polar += Q[k] * Q[k];
  }
  out->norm_polar = sqrt(out->norm_polar);
  li2_optim_newton_schulz(r, c, G, Q, work);
  for (size_t k = 0; k < n; k++) {
    out->inner_ns += Q[k] * G[k];
    out->norm_ns += Q[k] * Q[k];
  }
  out->norm_ns = sqrt(out->norm_ns);
done:
  free(Q);
  free(work);
  gsl_matrix_free(GtG);
  gsl_vector_free(ev);
  if (ew)
    gsl_eigen_symm_free(ew);
  return rc;
}

/* ---- Theorem 8: distributions and the coupon collector ---- */

double li2_muon_frechet(gsl_rng *r, double a)
{
  double u = gsl_rng_uniform_pos(r);
  return pow(-log(u), -1.0 / a);
}

void li2_muon_probs(size_t L, const double *mu, double a, double *p)
{
  double s = 0;
  for (size_t l = 0; l < L; l++)
    s += pow(mu[l], a);
  for (size_t l = 0; l < L; l++)
    p[l] = pow(mu[l], a) / s;
}

typedef struct {
  size_t L;
  const double *p;
} coupon_ctx;

static double coupon_integrand(double t, void *v)
{
  const coupon_ctx *c = v;
  double prod = 1;
  for (size_t l = 0; l < c->L; l++)
    prod *= -expm1(-c->p[l] * t);
  return 1 - prod;
}

double li2_muon_coupon_expected(size_t L, const double *p)
{
  coupon_ctx c = {L, p};
  gsl_function F = {coupon_integrand, &c};
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
  double res = NAN, abserr;
  if (!w)
    return NAN;
  li2_process_gsl_mute();
  if (gsl_integration_qagiu(&F, 0, 0, 1e-10, 1000, w, &res, &abserr))
    res = NAN;
  li2_process_gsl_unmute();
  gsl_integration_workspace_free(w);
  return res;
}

static double harmonic(size_t L)
{
  double h = 0;
  for (size_t l = L; l >= 1; l--)
    h += 1.0 / (double)l;
  return h;
}

static double min_p(size_t L, const double *p)
{
  double m = INFINITY;
  for (size_t l = 0; l < L; l++)
    m = fmin(m, p[l]);
  return m;
}

double li2_muon_t0_bound_printed(size_t L, const double *p)
{
  return fmax(1.0 / min_p(L, p), harmonic(L));
}

double li2_muon_t0_bound_lemma(size_t L, const double *p)
{
  return fmax(1.0 / min_p(L, p), (double)L * harmonic(L));
}

double li2_muon_ta_formula(double t0, size_t L, double a)
{
  double q = pow(2.0, -a);
  return q * t0 + (1 - q) * (double)L;
}

/* ---- Theorem 8: the node dynamics ---- */

void li2_muon_params_default(li2_muon_params *p)
{
  p->r0 = 0.1;
  p->h = 0.02;
  p->conv = 0.99;
  p->max_steps = 1000000;
}

struct li2_muon_node {
  size_t L;
  li2_muon_params p;
  double *mu, *alpha, *v1, *v2, *tmp, *G, *Q, *work;
};

li2_muon_node *li2_muon_node_alloc(size_t L, const double *mu, const li2_muon_params *p,
                                   li2_error *err)
{
  li2_muon_node *w;
  if (L < 2) {
    li2_error_set(err, LI2_EINVAL, "L: need at least 2 modes (%zu)", L);
    return NULL;
  }
  for (size_t l = 0; l < L; l++)
    if (!(mu[l] > 0 && mu[l] <= 1)) {
      li2_error_set(err, LI2_EINVAL, "mu: every mu_l must lie in (0, 1] (mu_%zu = %g)", l + 1,
                    mu[l]);
      return NULL;
    }
  if (!(p->r0 > 0 && p->r0 < 1) || !(p->h > 0) || !(p->conv > 0.5 && p->conv < 1) ||
      p->max_steps < 1) {
    li2_error_set(err, LI2_EINVAL, "muon model: need 0 < r0 < 1, h > 0, 0.5 < conv < 1, max_steps >= 1");
    return NULL;
  }
  if (!(w = calloc(1, sizeof *w))) {
    li2_error_set(err, LI2_ENOMEM, "muon model: out of memory");
    return NULL;
  }
  size_t nw = li2_optim_ns_work_size(L, L), pw = li2_optim_polar_work_size(L, L);
  w->L = L;
  w->p = *p;
  w->mu = malloc(L * sizeof *w->mu);
  w->alpha = malloc(L * sizeof *w->alpha);
  w->v1 = malloc(L * sizeof *w->v1);
  w->v2 = malloc(L * sizeof *w->v2);
  w->tmp = malloc(L * sizeof *w->tmp);
  w->G = malloc(L * L * sizeof *w->G);
  w->Q = malloc(L * L * sizeof *w->Q);
  w->work = malloc((nw > pw ? nw : pw) * sizeof *w->work);
  if (!w->mu || !w->alpha || !w->v1 || !w->v2 || !w->tmp || !w->G || !w->Q || !w->work) {
    li2_muon_node_free(w);
    li2_error_set(err, LI2_ENOMEM, "muon model: out of memory");
    return NULL;
  }
  memcpy(w->mu, mu, L * sizeof *mu);
  return w;
}

void li2_muon_node_free(li2_muon_node *w)
{
  if (!w)
    return;
  free(w->mu);
  free(w->alpha);
  free(w->v1);
  free(w->v2);
  free(w->tmp);
  free(w->G);
  free(w->Q);
  free(w->work);
  free(w);
}

static double dot(size_t n, const double *a, const double *b)
{
  double s = 0;
  for (size_t k = 0; k < n; k++)
    s += a[k] * b[k];
  return s;
}

/* Velocity at A into V: the gradient g = mu o a^2, or Muon's last column of
 * polar([mu_s e_s]_{s in S}, g); then the sphere rule (tangent part when
 * |a| = 1 and the velocity points outwards). */
static int velocity(li2_muon_node *w, const double *a, const int *collected, int update,
                    double *v, li2_error *err)
{
  size_t L = w->L;
  for (size_t l = 0; l < L; l++)
    v[l] = w->mu[l] * a[l] * a[l];
  if (update == LI2_MUON_POLAR || update == LI2_MUON_NS) {
    size_t m = 0;
    for (size_t l = 0; collected && l < L; l++)
      m += collected[l] != 0;
    size_t c = m + 1, j = 0;
    /* G (L x c, row-major): columns mu_s e_s, then g */
    memset(w->G, 0, L * c * sizeof *w->G);
    for (size_t l = 0; collected && l < L; l++)
      if (collected[l])
        w->G[l * c + j++] = w->mu[l];
    for (size_t l = 0; l < L; l++)
      w->G[l * c + m] = v[l];
    if (update == LI2_MUON_POLAR) {
      int rc = li2_optim_polar(L, c, w->G, w->Q, w->work, err);
      if (rc)
        return rc;
    } else
      li2_optim_newton_schulz(L, c, w->G, w->Q, w->work);
    for (size_t l = 0; l < L; l++)
      v[l] = w->Q[l * c + m];
  }
  double aa = dot(L, a, a), av = dot(L, a, v);
  if (aa >= 1 - 1e-12 && av > 0)
    for (size_t l = 0; l < L; l++)
      v[l] -= av / aa * a[l];
  return LI2_SUCCESS;
}

static void clamp_ball(size_t L, double *a)
{
  double n = sqrt(dot(L, a, a));
  if (n > 1)
    for (size_t l = 0; l < L; l++)
      a[l] /= n;
}

int li2_muon_node_run(li2_muon_node *w, const double *alpha0, const int *collected, int update,
                      int *mode, int *leader, long *steps, li2_error *err)
{
  size_t L = w->L;
  double *a = w->alpha, *v1 = w->v1, *v2 = w->v2, *t = w->tmp, best = -1, n0;
  int rc;
  *mode = -1;
  *steps = 0;
  for (size_t l = 0; l < L; l++)
    if (w->mu[l] * alpha0[l] > best)
      best = w->mu[l] * alpha0[l], *leader = (int)l;
  if (update == LI2_MUON_REDUCED) {
    /* the proof's model: Muon halves mu on the modes already reached */
    best = -1;
    for (size_t l = 0; l < L; l++) {
      double s = w->mu[l] * alpha0[l] * (collected && collected[l] ? 0.5 : 1.0);
      if (s > best)
        best = s, *mode = (int)l;
    }
    return LI2_SUCCESS;
  }
  n0 = sqrt(dot(L, alpha0, alpha0));
  if (!(n0 > 0) || !isfinite(n0))
    return li2_error_set(err, LI2_EINVAL, "muon model: alpha(0) must be finite and non-zero");
  for (size_t l = 0; l < L; l++)
    a[l] = alpha0[l] * w->p.r0 / n0;
  for (long s = 0; s < w->p.max_steps; s++) {
    for (size_t l = 0; l < L; l++)
      if (a[l] * a[l] >= w->p.conv) {
        *mode = (int)l;
        *steps = s;
        return LI2_SUCCESS;
      }
    double dt = w->p.h;
    if (update == LI2_MUON_NONE) {
      double rate = 0;
      for (size_t l = 0; l < L; l++)
        rate = fmax(rate, w->mu[l] * fabs(a[l]));
      dt = w->p.h / rate;
    }
    /* Heun: a + dt/2 (v(a) + v(a + dt v(a))) */
    if ((rc = velocity(w, a, collected, update, v1, err)))
      return rc;
    for (size_t l = 0; l < L; l++)
      t[l] = a[l] + dt * v1[l];
    clamp_ball(L, t);
    if ((rc = velocity(w, t, collected, update, v2, err)))
      return rc;
    for (size_t l = 0; l < L; l++)
      a[l] += 0.5 * dt * (v1[l] + v2[l]);
    clamp_ball(L, a);
  }
  *steps = w->p.max_steps;
  return LI2_SUCCESS;
}

int li2_muon_collect(li2_muon_node *w, gsl_rng *r, double a, int update, size_t *nodes,
                     size_t *lost, size_t *leader_wins, size_t *hits, li2_error *err)
{
  size_t L = w->L, found = 0;
  int *got = calloc(L, sizeof *got), rc = LI2_SUCCESS;
  double *a0 = malloc(L * sizeof *a0);
  *nodes = *lost = *leader_wins = 0;
  if (!got || !a0) {
    free(got);
    free(a0);
    return li2_error_set(err, LI2_ENOMEM, "muon model: out of memory");
  }
  while (found < L) {
    int mode, leader;
    long steps;
    for (size_t l = 0; l < L; l++)
      a0[l] = li2_muon_frechet(r, a);
    if ((rc = li2_muon_node_run(w, a0, update == LI2_MUON_NONE ? NULL : got, update, &mode,
                                &leader, &steps, err)))
      break;
    (*nodes)++;
    if (mode < 0) {
      (*lost)++;
      continue;
    }
    if (mode == leader)
      (*leader_wins)++;
    if (hits)
      hits[mode]++;
    if (!got[mode])
      got[mode] = 1, found++;
    if (*nodes > 1000000) {
      rc = li2_error_set(err, LI2_ENUMERIC, "muon model: more than 10^6 nodes without all modes");
      break;
    }
  }
  free(got);
  free(a0);
  return rc;
}
