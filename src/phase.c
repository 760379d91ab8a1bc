/* Phase diagram of a sweep: grid means, boundaries, fit (phase.h). */
#include "phase.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>

static int cmp_cell(const void *a, const void *b)
{
  const li2_phase_cell *x = a, *y = b;
  if (x->M != y->M)
    return (x->M > y->M) - (x->M < y->M);
  return (x->p > y->p) - (x->p < y->p);
}

int li2_phase_grid(const double *M, const double *p, const double *acc, size_t n,
                   li2_phase_cell **cells, size_t *ncells, li2_error *err)
{
  li2_phase_cell *c = malloc((n ? n : 1) * sizeof *c);
  size_t k = 0;
  *cells = NULL;
  *ncells = 0;
  if (!c)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    size_t j;
    if (isnan(M[i]) || isnan(p[i]) || isnan(acc[i]))
      continue;
    for (j = 0; j < k && !(c[j].M == M[i] && fabs(c[j].p - p[i]) <= 1e-9 * fmax(1, fabs(p[i])));
         j++)
      ;
    if (j == k) {
      c[k].M = M[i];
      c[k].p = p[i];
      c[k].acc = 0;
      c[k++].runs = 0;
    }
    c[j].acc += acc[i];
    c[j].runs++;
  }
  for (size_t j = 0; j < k; j++)
    c[j].acc /= (double)c[j].runs;
  qsort(c, k, sizeof *c, cmp_cell);
  if (!k) {
    free(c);
    return LI2_SUCCESS;
  }
  *cells = c;
  *ncells = k;
  return LI2_SUCCESS;
}

int li2_phase_boundaries(const li2_phase_cell *cells, size_t ncells, double threshold,
                         li2_phase_boundary **b, size_t *nb, li2_error *err)
{
  li2_phase_boundary *out = malloc((ncells ? ncells : 1) * sizeof *out);
  size_t m = 0;
  *b = NULL;
  *nb = 0;
  if (!out)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (size_t i = 0; i < ncells;) {
    size_t end = i, k;
    while (end < ncells && cells[end].M == cells[i].M)
      end++;
    for (k = i; k < end && !(cells[k].acc >= threshold); k++)
      ;
    out[m].M = cells[i].M;
    if (k == end) {
      out[m].p = cells[end - 1].p;
      out[m].censored = 1;
    } else if (k == i) {
      out[m].p = cells[i].p;
      out[m].censored = -1;
    } else {
      /* linear interpolation between the last fraction below and the first at or above */
      const li2_phase_cell *lo = &cells[k - 1], *hi = &cells[k];
      out[m].p = lo->p + (threshold - lo->acc) * (hi->p - lo->p) / (hi->acc - lo->acc);
      out[m].censored = 0;
    }
    m++;
    i = end;
  }
  *b = out;
  *nb = m;
  return LI2_SUCCESS;
}

int li2_phase_fit_boundary(const li2_phase_boundary *b, size_t nb, double confidence,
                           li2_phase_fit *fit, li2_error *err)
{
  double *x = malloc((nb ? nb : 1) * sizeof *x), *y = malloc((nb ? nb : 1) * sizeof *y);
  size_t n = 0;
  if (!(confidence > 0 && confidence < 1)) {
    free(x);
    free(y);
    return li2_error_set(err, LI2_EINVAL, "confidence %g: must be in (0, 1)", confidence);
  }
  if (!x || !y) {
    free(x);
    free(y);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  memset(fit, 0, sizeof *fit);
  fit->confidence = confidence;
  fit->c = fit->c_low = fit->c_high = fit->rms = NAN;
  for (size_t i = 0; i < nb; i++) {
    if (b[i].censored || !(b[i].M > 1)) {
      fit->censored++;
      continue;
    }
    x[n] = log(b[i].M) / b[i].M;
    y[n++] = b[i].p;
  }
  fit->n = n;
  if (n >= 1) {
    double c, cov, ss;
    /* y = c x through the origin; cov = ss / (n - 1) / sum x^2 */
    gsl_fit_mul(x, 1, y, 1, n, &c, &cov, &ss);
    fit->c = c;
    fit->rms = sqrt(ss / (double)n);
    if (n >= 2) {
      double t = gsl_cdf_tdist_Pinv(0.5 + confidence / 2, (double)(n - 1));
      fit->c_low = c - t * sqrt(cov);
      fit->c_high = c + t * sqrt(cov);
    }
  }
  free(x);
  free(y);
  return LI2_SUCCESS;
}
