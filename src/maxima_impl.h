/* Internal to the maxima files (maxima.c, maxima_climb.c,
 * maxima_certify.c); not installed. */
#ifndef LI2_MAXIMA_IMPL_H
#define LI2_MAXIMA_IMPL_H

#include <stddef.h>

/* a . b in index order (the results depend on the order of the sums) */
static inline double li2_maxima_dot(size_t n, const double *a, const double *b)
{
  double s = 0;
  for (size_t k = 0; k < n; k++)
    s += a[k] * b[k];
  return s;
}

#endif
