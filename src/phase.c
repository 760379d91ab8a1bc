/* Phase diagram of a sweep: grid means, boundaries, fit (phase.h). */
#include "phase.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#include "io.h"
#include "json.h"
#include "provenance.h"

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
  if (n >= 1)  /* p = c log(M)/M: a line through the origin */
    li2_stats_fit_origin(x, y, n, confidence, &fit->c, &fit->c_low, &fit->c_high, &fit->rms);
  free(x);
  free(y);
  return LI2_SUCCESS;
}

/* ---- the whole analysis of a sweep ---- */

void li2_phase_diagram_free(li2_phase_diagram *d)
{
  free(d->cells);
  free(d->b);
  memset(d, 0, sizeof *d);
}

int li2_phase_diagram_compute(const double *M, const double *p, const double *acc, size_t n,
                              double threshold, double confidence, li2_phase_diagram *d,
                              li2_error *err)
{
  int rc;
  memset(d, 0, sizeof *d);
  d->threshold = threshold;
  /* mean test accuracy over the runs (seeds) at each point; the boundary
   * of each M and c of p_M = c log(M)/M (doc/mathematics.md section 4) */
  if ((rc = li2_phase_grid(M, p, acc, n, &d->cells, &d->ncells, err)) || d->ncells == 0 ||
      (rc = li2_phase_boundaries(d->cells, d->ncells, threshold, &d->b, &d->nb, err)) ||
      (rc = li2_phase_fit_boundary(d->b, d->nb, confidence, &d->fit, err)))
    return rc;
  return LI2_SUCCESS;
}

int li2_phase_diagram_write(const char *out, const li2_phase_diagram *d, li2_error *err)
{
  const li2_phase_boundary *b = d->b;
  const li2_phase_fit *fit = &d->fit;
  size_t nb = d->nb;
  li2_io_file f;
  li2_json_writer w;
  int rc;
  if ((rc = li2_io_open_atomic_in(&f, out, "phase-boundary.dat", err)))
    return rc;
  fprintf(f.fp, "# M\tboundary_fraction\tcensored\treference_fraction\n");
  for (size_t i = 0; i < nb; i++)
    fprintf(f.fp, "%.10g\t%.10g\t%d\t%.10g\n", b[i].M, b[i].p, b[i].censored,
            LI2_PHASE_REFERENCE_C * log(b[i].M) / b[i].M);
  if ((rc = li2_io_commit(&f, err)) || (rc = li2_io_open_atomic_in(&f, out, "phase-fit.json", err)))
    return rc;
  li2_json_writer_init(&w, f.fp, 1);
  li2_json_object_begin(&w);
  li2_json_key(&w, "model");
  li2_json_string(&w, "boundary fraction p_M = c log(M)/M, least squares over the M whose mean "
                      "test accuracy crosses the threshold");
  li2_json_key(&w, "threshold");
  li2_json_number(&w, d->threshold);
  li2_json_key(&w, "c");
  li2_json_number(&w, fit->c);
  li2_json_key(&w, "c_ci_low");
  li2_json_number(&w, fit->c_low);
  li2_json_key(&w, "c_ci_high");
  li2_json_number(&w, fit->c_high);
  li2_json_key(&w, "confidence");
  li2_json_number(&w, fit->confidence);
  li2_json_key(&w, "rms_residual");
  li2_json_number(&w, fit->rms);
  li2_json_key(&w, "fitted");
  li2_json_int(&w, (long)fit->n);
  li2_json_key(&w, "censored");
  li2_json_int(&w, (long)fit->censored);
  li2_json_key(&w, "reference");
  li2_json_number(&w, LI2_PHASE_REFERENCE_C);
  li2_json_key(&w, "provenance");
  li2_provenance_write(&w);
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
  return li2_io_commit(&f, err);
}
