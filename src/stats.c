/* Small statistics for the verify kinds: means with their intervals,
 * Welch's and paired intervals, Wilson and Newcombe intervals with Cohen's
 * h, ratio and line fits (stats.h). */
#include "stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

void li2_stats_mean_sd(const double *x, size_t n, double *mean, double *sd)
{
  double m = 0, v = 0;
  for (size_t i = 0; i < n; i++)
    m += x[i];
  m /= (double)n;
  for (size_t i = 0; i < n; i++)
    v += (x[i] - m) * (x[i] - m);
  *mean = m;
  *sd = n > 1 ? sqrt(v / (double)(n - 1)) : 0;
}

void li2_stats_mean_se(const double *x, size_t n, double *mean, double *se)
{
  double sd;
  li2_stats_mean_sd(x, n, mean, &sd);
  *se = sd / sqrt((double)n);
}

void li2_stats_mean_ci(const double *x, size_t n, double conf, double *mean, double *half)
{
  double sd;
  li2_stats_mean_sd(x, n, mean, &sd);
  *half = n > 1 ? gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)(n - 1)) * sd / sqrt((double)n)
                : NAN;
}

double li2_stats_normal_quantile(double conf)
{
  return gsl_cdf_ugaussian_Pinv(0.5 + conf / 2);
}

/* Paired t interval for mean(b - a) at level CONF. */
void li2_stats_paired(const double *a, const double *b, size_t n, double conf, double *diff,
                      double *lo, double *hi, size_t *equal)
{
  double s = 0, ss = 0, md;
  size_t eq = 0;
  for (size_t i = 0; i < n; i++) {
    s += b[i] - a[i];
    eq += b[i] == a[i];
  }
  if (equal)
    *equal = eq;
  md = n ? s / (double)n : NAN;
  *diff = md;
  if (n < 2 || !isfinite(md)) {
    *lo = *hi = NAN;
    return;
  }
  for (size_t i = 0; i < n; i++)
    ss += (b[i] - a[i] - md) * (b[i] - a[i] - md);
  if (ss == 0) {
    *lo = *hi = md;
    return;
  }
  double half = gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)(n - 1)) * sqrt(ss / (double)(n - 1) / (double)n);
  *lo = md - half;
  *hi = md + half;
}

/* Welch's interval for mean(b) - mean(a) at level CONF; Cohen's d with
 * the pooled standard deviation (NaN when both samples are constant). */
void li2_stats_welch(const double *a, const double *b, size_t n, double conf, double *diff,
                  double *lo, double *hi, double *effect)
{
  double ma, sa, mb, sb;
  li2_stats_mean_sd(a, n, &ma, &sa);
  li2_stats_mean_sd(b, n, &mb, &sb);
  double va = sa * sa / (double)n, vb = sb * sb / (double)n, se = sqrt(va + vb);
  *diff = mb - ma;
  if (!isfinite(se) || !isfinite(*diff)) {  /* a metric not measured (NaN) */
    *lo = *hi = *effect = NAN;
    return;
  }
  if (se == 0 || n < 2) {
    *lo = *hi = *diff;
    *effect = *diff == 0 ? 0 : NAN;
    return;
  }
  double dof = (va + vb) * (va + vb) /
               (va * va / (double)(n - 1) + vb * vb / (double)(n - 1));
  double t = gsl_cdf_tdist_Pinv(0.5 + conf / 2, dof);
  *lo = *diff - t * se;
  *hi = *diff + t * se;
  double pooled = sqrt((sa * sa + sb * sb) / 2);
  *effect = pooled > 0 ? *diff / pooled : NAN;
}

/* Wilson score interval of a proportion, and Newcombe's hybrid interval
 * for a difference of two (Newcombe 1998, method 10); the effect size is
 * Cohen's h = 2 asin sqrt(p_b) - 2 asin sqrt(p_a). */
void li2_stats_wilson(double p, size_t n, double z, double *lo, double *hi)
{
  double den = 1 + z * z / (double)n, c = p + z * z / (2 * (double)n);
  double h = z * sqrt(p * (1 - p) / (double)n + z * z / (4 * (double)n * (double)n));
  *lo = (c - h) / den;
  *hi = (c + h) / den;
}

void li2_stats_newcombe(double pa, double pb, size_t n, double conf, double *diff, double *lo,
                     double *hi, double *effect)
{
  double z = li2_stats_normal_quantile(conf), la, ua, lb, ub;
  li2_stats_wilson(pa, n, z, &la, &ua);
  li2_stats_wilson(pb, n, z, &lb, &ub);
  *diff = pb - pa;
  *lo = *diff - sqrt((pb - lb) * (pb - lb) + (ua - pa) * (ua - pa));
  *hi = *diff + sqrt((ub - pb) * (ub - pb) + (pa - la) * (pa - la));
  *effect = 2 * asin(sqrt(pb)) - 2 * asin(sqrt(pa));
}

void li2_stats_ratio(const double *a, size_t na, const double *b, size_t nb, double conf,
                     double *ratio, double *lo, double *hi)
{
  double ma, sa, mb, sb;
  *ratio = *lo = *hi = NAN;
  if (na < 2 || nb < 2)
    return;
  li2_stats_mean_sd(a, na, &ma, &sa);
  li2_stats_mean_sd(b, nb, &mb, &sb);
  if (!(ma > 0) || !(mb > 0))
    return;
  double va = sa * sa / ((double)na * ma * ma), vb = sb * sb / ((double)nb * mb * mb);
  double v = va + vb, df;
  *ratio = ma / mb;
  if (!(v > 0)) {
    *lo = *hi = *ratio;
    return;
  }
  df = v * v / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
  double h = gsl_cdf_tdist_Pinv(0.5 + conf / 2, df) * sqrt(v);
  *lo = *ratio * exp(-h);
  *hi = *ratio * exp(h);
}

void li2_stats_linfit(const double *x, const double *y, size_t n, double conf, double *slope,
                      double *lo, double *hi, double *r2)
{
  double mx, sx, my, sy, a, c00, c01, c11, ss;
  *slope = *lo = *hi = *r2 = NAN;
  if (n < 3)
    return;
  li2_stats_mean_sd(x, n, &mx, &sx);
  li2_stats_mean_sd(y, n, &my, &sy);
  if (!(sx > 0))
    return;
  gsl_fit_linear(x, 1, y, 1, n, &a, slope, &c00, &c01, &c11, &ss);
  double tq = gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)(n - 2));
  *lo = *slope - tq * sqrt(c11);
  *hi = *slope + tq * sqrt(c11);
  /* R^2 = 1 - SS_res / SS_tot */
  if (sy > 0)
    *r2 = 1 - ss / (sy * sy * (double)(n - 1));
}

void li2_stats_fit_origin(const double *x, const double *y, size_t n, double conf, double *c,
                          double *lo, double *hi, double *rms)
{
  double cov, ss;
  *lo = *hi = NAN;
  /* cov = ss / (n - 1) / sum x^2 */
  gsl_fit_mul(x, 1, y, 1, n, c, &cov, &ss);
  *rms = sqrt(ss / (double)n);
  if (n >= 2) {
    double t = gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)(n - 1));
    *lo = *c - t * sqrt(cov);
    *hi = *c + t * sqrt(cov);
  }
}

double li2_stats_loglog_slope(const double *x, const double *y, size_t n)
{
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!(x[i] > 0 && y[i] > 0 && isfinite(x[i]) && isfinite(y[i])))
      continue;
    double a = log(x[i]), b = log(y[i]);
    sx += a;
    sy += b;
    sxx += a * a;
    sxy += a * b;
    k++;
  }
  if (k < 2)
    return NAN;
  return (sxy - sx * sy / (double)k) / (sxx - sx * sx / (double)k);
}

double li2_stats_median(double *x, size_t n)
{
  if (n == 0)
    return NAN;
  gsl_sort(x, 1, n);
  return gsl_stats_median_from_sorted_data(x, 1, n);
}
