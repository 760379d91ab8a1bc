/* The memorisation/generalisation phase diagram of a sweep over the group
 * order M and the training fraction p (doc/mathematics.md section 4): test
 * accuracy averaged over the runs (seeds) at each grid point, the
 * boundary of each M where the mean accuracy first reaches a threshold,
 * and the constant c of the boundary p_M = c log(M)/M by least squares,
 * to compare with the reference trainer's c = 2.7482.
 *
 * Memory contract: arrays returned through pointer arguments are the
 * caller's to free(). */
#ifndef LI2_PHASE_H
#define LI2_PHASE_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The reference trainer's use_critical_ratio constant (doc/mathematics.md section 4). */
#define LI2_PHASE_REFERENCE_C 2.7482

typedef struct li2_phase_cell {
  double M, p;      /* group order, training fraction */
  double acc;       /* mean test accuracy over the runs */
  size_t runs;
} li2_phase_cell;

/* The mean of ACC over the runs at each (M, p) (fractions equal within
 * 1e-9 relative are the same point; rows with a NaN are skipped), sorted
 * by M, then p.  *CELLS is NULL and *NCELLS 0 when no row is usable. */
int li2_phase_grid(const double *M, const double *p, const double *acc, size_t n,
                   li2_phase_cell **cells, size_t *ncells, li2_error *err);

typedef struct li2_phase_boundary {
  double M;
  double p;       /* the boundary fraction; see censored */
  int censored;   /*  0: the mean accuracy crosses the threshold between two
                   *     grid fractions; p is interpolated linearly there;
                   * -1: the smallest fraction already reaches it (p is that
                   *     fraction, an upper bound);
                   * +1: no fraction reaches it (p is the largest, a lower
                   *     bound).  Censored boundaries are not fitted. */
} li2_phase_boundary;

/* One boundary per M of CELLS (sorted as li2_phase_grid leaves them): the
 * first fraction, going up, whose mean accuracy is >= THRESHOLD. */
int li2_phase_boundaries(const li2_phase_cell *cells, size_t ncells, double threshold,
                         li2_phase_boundary **b, size_t *nb, li2_error *err);

typedef struct li2_phase_fit {
  double c;                /* least squares of p_M = c log(M)/M (NaN if n = 0) */
  double c_low, c_high;    /* t-based confidence interval (NaN if n < 2) */
  double confidence;
  double rms;              /* root mean square residual of p_M */
  size_t n;                /* boundaries fitted (uncensored, M > 1) */
  size_t censored;         /* boundaries left out */
} li2_phase_fit;

/* Fit c through the origin in x = log(M)/M (gsl_fit_mul); the interval is
 * c +- t_{n-1} se(c) at CONFIDENCE (e.g. 0.95). */
int li2_phase_fit_boundary(const li2_phase_boundary *b, size_t nb, double confidence,
                           li2_phase_fit *fit, li2_error *err);

/* ---- the whole analysis of a sweep ---- */

/* Mean accuracy a grid point must reach to count as generalising (claim
 * C6's threshold), and the confidence of the interval of c. */
#define LI2_PHASE_THRESHOLD 0.9
#define LI2_PHASE_CONFIDENCE 0.95

typedef struct li2_phase_diagram {
  li2_phase_cell *cells;       /* li2_phase_grid */
  size_t ncells;
  li2_phase_boundary *b;       /* li2_phase_boundaries */
  size_t nb;
  li2_phase_fit fit;           /* li2_phase_fit_boundary */
  double threshold;
} li2_phase_diagram;

/* The grid of N runs (M, p, test accuracy of each), the boundary of each M
 * at THRESHOLD and the fit of c at CONFIDENCE.  With no usable run
 * d->ncells is 0 and nothing else is computed.  li2_phase_diagram_free in
 * every case. */
int li2_phase_diagram_compute(const double *M, const double *p, const double *acc, size_t n,
                              double threshold, double confidence, li2_phase_diagram *d,
                              li2_error *err);
void li2_phase_diagram_free(li2_phase_diagram *d);

/* DIR/phase-boundary.dat (M, boundary fraction, censored, the reference's
 * c log(M)/M) and DIR/phase-fit.json (c, its interval, the residual, the
 * threshold, the reference's c, provenance), atomically. */
int li2_phase_diagram_write(const char *dir, const li2_phase_diagram *d, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
