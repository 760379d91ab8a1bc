/* Small statistics shared by li2's statistical checks (li2 verify): the
 * one place a mean, interval or fit of measured values is computed.
 * Quantiles come from GSL (gsl_cdf), line fits from gsl_fit. */
#ifndef LI2_STATS_H
#define LI2_STATS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Mean and sample standard deviation (n - 1; 0 when N < 2), two-pass. */
void li2_stats_mean_sd(const double *x, size_t n, double *mean, double *sd);

/* Mean of N values and its standard error sd / sqrt(N). */
void li2_stats_mean_se(const double *x, size_t n, double *mean, double *se);

/* Mean of N values and the half-width t sd / sqrt(N) of its t interval at
 * level CONF (N - 1 degrees of freedom); NaN half-width when N < 2. */
void li2_stats_mean_ci(const double *x, size_t n, double conf, double *mean, double *half);

/* The normal quantile z of a two-sided interval at level CONF
 * (Phi^-1(1/2 + CONF/2): 1.96 at 0.95). */
double li2_stats_normal_quantile(double conf);

/* Welch's interval for mean(B) - mean(A) (N values each) at level CONF;
 * Cohen's d with the pooled standard deviation (NaN when both samples are
 * constant and differ). */
void li2_stats_welch(const double *a, const double *b, size_t n, double conf, double *diff,
                     double *lo, double *hi, double *effect);

/* Paired t interval for mean(B - A) over N pairs at level CONF (NaN
 * interval when N < 2 or a value is NaN; the point when all differences
 * are equal); *EQUAL (may be NULL): the pairs with B = A exactly. */
void li2_stats_paired(const double *a, const double *b, size_t n, double conf, double *diff,
                      double *lo, double *hi, size_t *equal);

/* Wilson score interval of a proportion P of N at normal quantile Z. */
void li2_stats_wilson(double p, size_t n, double z, double *lo, double *hi);

/* Newcombe's hybrid interval for PB - PA (N trials each; Newcombe 1998,
 * method 10) at level CONF; effect: Cohen's h. */
void li2_stats_newcombe(double pa, double pb, size_t n, double conf, double *diff, double *lo,
                        double *hi, double *effect);

/* Ratio mean(A) / mean(B) of two independent positive samples (NA, NB
 * values) with its interval at level CONF by the delta method on the log
 * ratio (var = sd_A^2 / (NA mean_A^2) + sd_B^2 / (NB mean_B^2)), t quantile
 * with Welch-Satterthwaite degrees of freedom; NaN unless both have >= 2
 * values and positive means. */
void li2_stats_ratio(const double *a, size_t na, const double *b, size_t nb, double conf,
                     double *ratio, double *lo, double *hi);

/* Least squares line y = a + SLOPE x through N >= 3 points (X not all
 * equal) with SLOPE's interval at level CONF (t quantile, N - 2 degrees
 * of freedom) and the coefficient of determination R2 (NaN when Y is
 * constant); all NaN otherwise.  A power law t ~ eta^b is the line
 * log t = a + b log eta (paper Sec. 7's t ~ 1/eta: b = -1). */
void li2_stats_linfit(const double *x, const double *y, size_t n, double conf, double *slope,
                      double *lo, double *hi, double *r2);

/* Least squares line y = C x through the origin over N >= 1 points
 * (gsl_fit_mul) with C's t interval at level CONF (N - 1 degrees of
 * freedom; NaN when N < 2) and the rms residual sqrt(SS_res / N). */
void li2_stats_fit_origin(const double *x, const double *y, size_t n, double conf, double *c,
                          double *lo, double *hi, double *rms);

/* Least squares slope of log Y against log X over the N points with both
 * positive and finite, from the raw sums (NaN with fewer than 2): the
 * exponent of a power law y ~ x^b without an interval. */
double li2_stats_loglog_slope(const double *x, const double *y, size_t n);

/* The median of X[0..N) (sorted in place, gsl_sort); NaN when N = 0. */
double li2_stats_median(double *x, size_t n);

#ifdef __cplusplus
}
#endif

#endif
