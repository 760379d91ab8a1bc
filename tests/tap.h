/* Minimal TAP producer for li2's unit tests (read by Automake's
 * tap-driver.sh).  Each check prints one "ok"/"not ok" line; tap_done()
 * prints the plan and returns the exit status.  Tolerance checks follow
 * gsl_test_rel: relative error against |expected|, NaN and Inf understood. */
#ifndef LI2_TAP_H
#define LI2_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#if defined(__GNUC__)
#define LI2_TAP_UNUSED __attribute__((unused))
#else
#define LI2_TAP_UNUSED
#endif

static int tap_count, tap_failed;

LI2_TAP_UNUSED static void tap_vok(int pass, const char *fmt, va_list ap)
{
  printf("%s %d - ", pass ? "ok" : "not ok", ++tap_count);
  vprintf(fmt, ap);
  putchar('\n');
  if (!pass)
    tap_failed++;
  fflush(stdout);
}

LI2_TAP_UNUSED static int ok(int pass, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  tap_vok(pass, fmt, ap);
  va_end(ap);
  return pass;
}

/* |got - want| <= tol * max(1, |want|)   (absolute near zero) */
LI2_TAP_UNUSED static int ok_close(double got, double want, double tol, const char *fmt, ...)
{
  int pass;
  va_list ap;
  if (isnan(want))
    pass = isnan(got);
  else if (isinf(want))
    pass = got == want;
  else
    pass = isfinite(got) && fabs(got - want) <= tol * fmax(1.0, fabs(want));
  va_start(ap, fmt);
  tap_vok(pass, fmt, ap);
  va_end(ap);
  if (!pass)
    printf("# got %.17g, expected %.17g (tol %g)\n", got, want, tol);
  return pass;
}

/* A check that cannot run here: "ok N # SKIP reason" (counted as skipped). */
LI2_TAP_UNUSED static void tap_skip(const char *fmt, ...)
{
  va_list ap;
  printf("ok %d # SKIP ", ++tap_count);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

LI2_TAP_UNUSED static void diag(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  printf("# ");
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
}

LI2_TAP_UNUSED static int tap_done(void)
{
  printf("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}

#endif
