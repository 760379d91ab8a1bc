/* li2 verify: the sample-size boundary c log(M)/M of trained networks
 * and of the energy landscape (THEORY.md section 4). */
#include "verify_kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "characters.h"
#include "dataset.h"
#include "fourier.h"
#include "gradient.h"
#include "group.h"
#include "maxima.h"
#include "stats.h"
#include "train.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_rng.h>

/* ------------------------------------------------------------------ */
/* C6: the sample-size boundary c log(M)/M (THEORY.md section 4)        */

/* The boundary kinds share everything but the probe: for each M of
 * `orders` and each seed, a probe at training fractions c' log(M)/M over
 * the ascending `grid` until its score first reaches `threshold`, the
 * bracket bisected `refine` times; c = mean boundary c' with a t interval
 * (widened by half the bracket width) against the reference trainer's
 * constant, and the slope of c' against log M (the log(M)/M scaling holds
 * when it is near 0).  `boundary` probes a trained network's test
 * accuracy, `energy_boundary` the share of Fourier maxima that survive on
 * the random training subset. */
#define BOUNDARY_COMMON "orders", "grid", "start", "seeds", "seed0", "threshold", "confidence", \
                        "refine"
static const char *const boundary_params[] = {BOUNDARY_COMMON, "train", "hidden_per_order",
                                              NULL};
static const char *const energy_boundary_params[] = {BOUNDARY_COMMON, "energy", "frequencies",
                                                     "purity_min", NULL};
static const char *const boundary_measures[] = {"c", "c_ci_low", "c_ci_high", "reference",
                                                "censored", "spread", "runs", "slope",
                                                "slope_ci_low", "slope_ci_high", NULL};

/* Training pairs at c' log(M)/M of the M^2 pairs, within [1, M^2 - 1]. */
static long pairs(double cp, size_t M)
{
  long n = lround(cp * log((double)M) * (double)M);
  if (n < 1)
    n = 1;
  if (n > (long)(M * M) - 1)
    n = (long)(M * M) - 1;
  return n;
}

/* A probe: the score (test accuracy, surviving share) of Z_M with N
 * training pairs drawn with SEED.  Runs inside a parallel job. */
typedef int (*probe_fn)(const li2_verify_claim *c, int quick, const void *opt, size_t M, long n,
                        long seed, double *score, li2_error *err);

typedef struct boundary_job {
  const li2_verify_claim *c;
  int quick;
  probe_fn probe;
  const void *opt;
  const size_t *Ms;
  size_t no;
  long seeds, seed0, refine;
  const double *grid;
  size_t ng, start;  /* grid points, the first probed */
  double thr;
  /* [order][seed] outputs */
  double *found;  /* boundary c'; NaN: never reached on the grid */
  double *width;  /* final bracket width (0 when not bisected) */
  int *censored;  /* not reached, or already at the first grid point */
  long *runs;
} boundary_job;

/* One (M, seed): scan the grid from its point nearest `start` (default
 * its first) to the two neighbouring points that bracket the threshold,
 * then bisect the bracket; the boundary is the midpoint of the final
 * bracket.  Censored when no bracket is found: the score reaches the
 * threshold already at the first grid point (its c' is then an upper
 * bound) or never (NaN).  Jobs run the last of `orders` first (the
 * costliest when they ascend). */
static int boundary_one(void *ctx, size_t job, li2_error *err)
{
  boundary_job *b = ctx;
  size_t ns = (size_t)b->seeds, i = b->no - 1 - job / ns, s = job % ns, at = i * ns + s;
  size_t M = b->Ms[i];
  long seed = b->seed0 + (long)s, runs = 0;
  double lo = NAN, hi = NAN, score;
  int rc = LI2_SUCCESS;
  /* from the grid point START upwards while the score stays below the
   * threshold, or downwards while it reaches it */
  for (long k = (long)b->start, dir = 0; !rc && k >= 0 && k < (long)b->ng; k += dir) {
    if ((rc = b->probe(b->c, b->quick, b->opt, M, pairs(b->grid[k], M), seed, &score, err)))
      break;
    runs++;
    int up = score < b->thr;
    if (up)
      lo = b->grid[k];
    else
      hi = b->grid[k];
    if (dir == 0)
      dir = up ? 1 : -1;
    else if ((dir > 0) != up)
      break;  /* bracketed */
  }
  b->width[at] = 0;
  if (!rc && !isnan(hi) && !isnan(lo)) {
    for (long r = 0; !rc && r < b->refine; r++) {
      double mid = 0.5 * (lo + hi);
      if ((rc = b->probe(b->c, b->quick, b->opt, M, pairs(mid, M), seed, &score, err)))
        break;
      runs++;
      if (score >= b->thr)
        hi = mid;
      else
        lo = mid;
    }
    b->found[at] = 0.5 * (lo + hi);
    b->width[at] = hi - lo;
  } else {
    b->found[at] = hi;  /* the first grid point, or NaN */
  }
  b->censored[at] = isnan(lo) || isnan(hi);
  b->runs[at] = runs;
  return rc;
}

static int boundary_search(const li2_verify_claim *c, int quick, int threads, probe_fn probe,
                           const void *opt, const char *setting, const char *score_name,
                           li2_verify_result *r, li2_error *err)
{
  const char *orders, *grid;
  long seeds, seed0, refine;
  double thr, conf;
  li2_split_params sp;
  int rc;
  if ((rc = li2_verify_param_string(c, quick, "orders", NULL, &orders, err)) ||
      (rc = li2_verify_param_string(c, quick, "grid", NULL, &grid, err)) ||
      (rc = li2_verify_param_long(c, quick, "seeds", "5", 2, 100000, &seeds, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed0", "1", 0, 4294967295L, &seed0, err)) ||
      (rc = li2_verify_param_double(c, quick, "threshold", "0.9", 0, 1, &thr, err)) ||
      (rc = li2_verify_param_double(c, quick, "confidence", "0.95", 0.5, 0.9999, &conf, err)) ||
      (rc = li2_verify_param_long(c, quick, "refine", "3", 0, 20, &refine, err)))
    return rc;
  /* the reference trainer's constant, as li2's split uses it */
  li2_split_params_default(&sp);
  const double ref = sp.critical_ratio_multiplier;
  char *ol = strdup(orders), *gl = strdup(grid), *ow[32], *gw[64];
  size_t no = ol ? li2_verify_split_list(ol, ow, 32) : 0, ng = gl ? li2_verify_split_list(gl, gw, 64) : 0;
  size_t Ms[32], ns = (size_t)seeds;
  double cg[64];
  li2_verify_text t = {0};
  boundary_job b = {c, quick, probe, opt, Ms, no, seeds, seed0, refine, cg, ng, 0, thr,
                    NULL, NULL, NULL, NULL};
  if (!ol || !gl) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  for (size_t i = 0; i < no; i++) {
    double x;
    if (!li2_args_number(ow[i], &x) || x < 2 || x > 4096 || x != floor(x)) {
      li2_error_set(err, LI2_EINVAL, "'%s' is not a cyclic order in [2, 4096]", ow[i]);
      rc = li2_verify_param_fail(c, quick, "orders", err);
      goto end;
    }
    Ms[i] = (size_t)x;
  }
  for (size_t i = 0; i < ng; i++)
    if (!li2_args_number(gw[i], &cg[i]) || !(cg[i] > 0) || (i > 0 && cg[i] <= cg[i - 1])) {
      li2_error_set(err, LI2_EINVAL, "'%s': the grid must be positive and ascending", gw[i]);
      rc = li2_verify_param_fail(c, quick, "grid", err);
      goto end;
    }
  if (no < 1 || ng < 2) {
    li2_error_set(err, LI2_EINVAL, "needs at least one order and two grid points");
    rc = li2_verify_param_fail(c, quick, no < 1 ? "orders" : "grid", err);
    goto end;
  }
  double start;
  if ((rc = li2_verify_param_double(c, quick, "start", gw[0], cg[0], cg[ng - 1], &start, err)))
    goto end;
  for (size_t k = 1; k < ng; k++)
    if (fabs(cg[k] - start) < fabs(cg[b.start] - start))
      b.start = k;
  b.found = malloc(no * ns * sizeof *b.found);
  b.width = malloc(no * ns * sizeof *b.width);
  b.censored = malloc(no * ns * sizeof *b.censored);
  b.runs = malloc(no * ns * sizeof *b.runs);
  if (!b.found || !b.width || !b.censored || !b.runs) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  if ((rc = li2_verify_run_jobs(no * ns, threads, boundary_one, &b, err)))
    goto end;

  /* statistics over the observed boundaries */
  size_t cnt = 0, censored = 0, runs = 0;
  double wsum = 0, lo_m = INFINITY, hi_m = -INFINITY;
  double *lx = malloc(no * ns * sizeof *lx), *cy = malloc(no * ns * sizeof *cy);
  if (!lx || !cy) {
    free(lx);
    free(cy);
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  li2_verify_printf(&t, "%s; training fraction p = c' log(M)/M of the M^2 pairs over c' in {%s}, "
              "first probe at %g; the boundary of a seed is where its %s reaches %g: the "
              "grid's bracket bisected %ld times, its midpoint.\n\n"
              "| M | c' per seed | mean c' | boundary "
              "fraction | boundary pairs n |\n|---|---|---|---|---|\n",
          setting, grid, cg[b.start], score_name, thr, refine);
  for (size_t i = 0; i < no; i++) {
    double ms = 0;
    size_t mc = 0;
    li2_verify_printf(&t, "| %zu |", Ms[i]);
    for (size_t s = 0; s < ns; s++) {
      size_t at = i * ns + s;
      double x = b.found[at];
      runs += (size_t)b.runs[at];
      censored += (size_t)b.censored[at];
      li2_verify_printf(&t, " %.3f%s", x, b.censored[at] ? "*" : "");
      if (isnan(x))
        continue;
      wsum += b.width[at];
      lx[cnt] = log((double)Ms[i]);
      cy[cnt] = x;
      cnt++;
      ms += x;
      mc++;
    }
    if (mc) {
      ms /= (double)mc;
      lo_m = ms < lo_m ? ms : lo_m;
      hi_m = ms > hi_m ? ms : hi_m;
    }
    double mean = mc ? ms : NAN;
    li2_verify_printf(&t, " | %.3f | %.4f | %.0f |\n", mean, mean * log((double)Ms[i]) / (double)Ms[i],
            mean * (double)Ms[i] * log((double)Ms[i]));
  }
  double chat = NAN, lo = NAN, hi = NAN, slope = NAN, slo = NAN, shi = NAN;
  if (cnt >= 2) {
    /* least squares of p*(M) = c log(M)/M in the c' coordinates is the
     * mean of the per-seed c'; t interval over the runs' boundaries.
     * Every boundary is known only to its bracket, and the brackets come
     * from one grid (their errors are correlated): widen by half the mean
     * bracket width. */
    double sd;
    li2_stats_mean_sd(cy, cnt, &chat, &sd);
    double tq = gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)(cnt - 1));
    double half = 0.5 * wsum / (double)cnt;
    lo = chat - tq * sd / sqrt((double)cnt) - half;
    hi = chat + tq * sd / sqrt((double)cnt) + half;
  }
  if (cnt >= 3 && lo_m < hi_m) {
    /* the scaling itself: c' = a + slope log M; p ~ log(M)/M holds when
     * the slope is 0 (a p ~ M^-gamma law would make c' drift with log M) */
    double a, c0, c01, c11, ss;
    gsl_fit_linear(lx, 1, cy, 1, cnt, &a, &slope, &c0, &c01, &c11, &ss);
    double tq = gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)(cnt - 2));
    slo = slope - tq * sqrt(c11);
    shi = slope + tq * sqrt(c11);
  }
  free(lx);
  free(cy);
  li2_verify_measure_set(r, "c", chat);
  li2_verify_measure_set(r, "c_ci_low", lo);
  li2_verify_measure_set(r, "c_ci_high", hi);
  li2_verify_measure_set(r, "reference", ref);
  li2_verify_measure_set(r, "censored", (double)censored);
  li2_verify_measure_set(r, "spread", cnt ? (hi_m - lo_m) / chat : NAN);
  li2_verify_measure_set(r, "runs", (double)runs);
  li2_verify_measure_set(r, "slope", slope);
  li2_verify_measure_set(r, "slope_ci_low", slo);
  li2_verify_measure_set(r, "slope_ci_high", shi);
  r->predicted = ref;
  r->measured = chat;
  snprintf(r->what, sizeof r->what, "c of p* = c log(M)/M, %.0f%% CI [%.3f, %.3f], reference",
           100 * conf, lo, hi);
  li2_verify_printf(&t, "\n(* censored: never reached on the grid (NaN), or already at its first "
              "point.)\n\nc = %.4f, %.0f%% interval [%.4f, %.4f] over %zu boundaries, against "
              "the reference trainer's %.4f: %s.  %zu of %zu boundaries censored; %zu probes.  "
              "Scaling: spread of the per-M means %.3f of c; slope of c' against log M "
              "%.3f, %.0f%% interval [%.3f, %.3f] (0: c log(M)/M holds).\n",
          chat, 100 * conf, lo, hi, cnt, ref,
          isnan(lo) ? "undecided" : (lo <= ref && ref <= hi) ? "they agree" : "they differ",
          censored, no * ns, runs, cnt ? (hi_m - lo_m) / chat : NAN, slope, 100 * conf, slo,
          shi);
end:
  r->detail = t.s;
  free(b.found);
  free(b.width);
  free(b.censored);
  free(b.runs);
  free(ol);
  free(gl);
  return rc;
}

/* The trained boundary: test accuracy of the claim's `train` setting on
 * Z_M, K = hidden_per_order x M when that is given. */
typedef struct trained_opt {
  double hpo;
} trained_opt;

static int probe_trained(const li2_verify_claim *c, int quick, const void *opt, size_t M,
                         long n, long seed, double *acc, li2_error *err)
{
  const trained_opt *o = opt;
  char extra[256];
  li2_train_config cfg;
  li2_train_metrics tm;
  li2_trainer *t;
  int rc;
  long K = o->hpo > 0 ? (long)ceil(o->hpo * (double)M) : 0;
  if (K > 0)
    snprintf(extra, sizeof extra, "M=%zu train_size=%ld seed=%ld hidden_size=%ld", M, n, seed, K);
  else
    snprintf(extra, sizeof extra, "M=%zu train_size=%ld seed=%ld", M, n, seed);
  if (!(rc = li2_verify_train_trained(c, quick, -1, extra, &cfg, &t, &tm, err)))
    *acc = tm.test_acc;
  li2_trainer_free(t);
  return rc;
}

static int kind_boundary(const li2_verify_claim *c, int quick, int threads, li2_verify_result *r,
                         li2_error *err)
{
  trained_opt o;
  char setting[1200];
  int rc;
  if ((rc = li2_verify_param_double(c, quick, "hidden_per_order", "0", 0, 1e6, &o.hpo, err)))
    return rc;
  snprintf(setting, sizeof setting, "Trainer: `%s`%s",
           li2_verify_claim_param(c, "train", quick, NULL), o.hpo > 0 ? " with K = hidden_per_order x M" : "");
  return boundary_search(c, quick, threads, probe_trained, &o, setting, "test accuracy", r,
                         err);
}

/* The landscape's boundary (THEORY.md sections 3 and 4): on the random
 * training subset the trainer's split would draw (same M, n, seed), the
 * energy E_D of sigma = x^2 (raw or normalized), and for each of
 * `frequencies` frequencies k spread over 1..(M-1)/2 a climb from the pure
 * Fourier node of frequency k (li2_gradient_exact_node, phases from the
 * seed) to a local maximum, certified by the tangent Hessian.  It survives
 * when the end point is a certified maximum whose dominant component is
 * still k with purity >= purity_min.  The score is the surviving share. */
typedef struct energy_opt {
  int variant;
  long freqs;
  double purity_min;
} energy_opt;

static int probe_energy(const li2_verify_claim *c, int quick, const void *opt, size_t M,
                        long n, long seed, double *share, li2_error *err)
{
  const energy_opt *o = opt;
  char name[32];
  li2_group *g = NULL;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_dataset *d = NULL;
  li2_energy *e = NULL;
  li2_maximizer *mx = NULL;
  li2_certifier *cf = NULL;
  li2_classifier *cl = NULL;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  double *w0 = malloc(4 * M * sizeof *w0), *w = w0 ? w0 + 2 * M : NULL;
  li2_split_params sp;
  li2_maxima_params mp;
  int rc = LI2_SUCCESS;
  (void)c;
  (void)quick;
  snprintf(name, sizeof name, "Z%zu", M);
  li2_split_params_default(&sp);
  sp.train_size = n;
  sp.seed = (unsigned long)seed;
  li2_maxima_params_default(&mp);
  mp.purity_min = o->purity_min;
  mp.threads = 1;
  if (!rng || !w0) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  gsl_rng_set(rng, (unsigned long)seed * 1000003UL + M);
  /* the FFTW planner (inside the Fourier workspaces) is not thread-safe */
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  {
    if (!(g = li2_group_alloc_name(name, err)) || !(ct = li2_characters_alloc(g, err)) ||
        !(f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err)) ||
        !(d = li2_dataset_alloc_split(g, 2, &sp, err)) ||
        !(e = li2_energy_alloc(g, d, LI2_ACT_SQR, o->variant, LI2_ENERGY_DIRECT, err)) ||
        !(mx = li2_maximizer_alloc(e, &mp, err)) || !(cf = li2_certifier_alloc(e, &mp, err)) ||
        !(cl = li2_classifier_alloc(e, g, ct, &mp, err)))
      rc = err->code ? err->code : LI2_ENOMEM;
  }
  if (rc)
    goto end;
  size_t ncomp = ct->ncomponents, nf = (size_t)o->freqs, survived = 0;
  if (nf == 0 || nf > ncomp - 1)
    nf = ncomp - 1;
  for (size_t j = 0; !rc && j < nf; j++) {
    /* components 1..ncomp-1, evenly spread */
    size_t comp = 1 + (j * (ncomp - 1)) / nf;
    li2_maxima_point pt;
    double norm = 0;
    if ((rc = li2_gradient_exact_node(g, f, comp, rng, w0, w0 + M, err)))
      break;
    for (size_t a = 0; a < 2 * M; a++)
      norm += w0[a] * w0[a];
    for (size_t a = 0; a < 2 * M; a++)
      w0[a] /= sqrt(norm);
    if ((rc = li2_maxima_climb(mx, cf, cl, w0, w, &pt, err)))
      break;
    survived += pt.label == LI2_MAXIMA_MAX && pt.component == (int)comp && pt.pure;
  }
  if (!rc)
    *share = (double)survived / (double)nf;
end:
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  {
    li2_classifier_free(cl);
    li2_certifier_free(cf);
    li2_maximizer_free(mx);
    li2_energy_free(e);
    li2_dataset_free(d);
    li2_fourier_free(f);
    li2_characters_free(ct);
    li2_group_free(g);
  }
  gsl_rng_free(rng);
  free(w0);
  return rc;
}

static int kind_energy_boundary(const li2_verify_claim *c, int quick, int threads,
                                li2_verify_result *r, li2_error *err)
{
  energy_opt o;
  const char *variant;
  char setting[512];
  int rc;
  if ((rc = li2_verify_param_string(c, quick, "energy", "normalized", &variant, err)) ||
      (rc = li2_verify_param_long(c, quick, "frequencies", "0", 0, 100000, &o.freqs, err)) ||
      (rc = li2_verify_param_double(c, quick, "purity_min", "0.5", 0, 1, &o.purity_min, err)))
    return rc;
  if ((o.variant = li2_energy_variant_from_name(variant)) < 0) {
    li2_error_set(err, LI2_EINVAL, "'%s' is not raw or normalized", variant);
    return li2_verify_param_fail(c, quick, "energy", err);
  }
  snprintf(setting, sizeof setting,
           "Energy: %s, sigma = x^2, on the trainer's random split (same M, n, seed); from "
           "the pure Fourier node of %s frequencies per M, a climb to a local maximum, "
           "surviving when certified (tangent Hessian) with dominant frequency unchanged and "
           "purity >= %g",
           variant, o.freqs ? "evenly spread" : "all", o.purity_min);
  if (o.freqs)
    snprintf(setting + strlen(setting), sizeof setting - strlen(setting), " (%ld)", o.freqs);
  return boundary_search(c, quick, threads, probe_energy, &o, setting,
                         "share of surviving Fourier maxima", r, err);
}

const li2_verify_kind li2_verify_kind_boundary = {"boundary", boundary_params, boundary_measures, kind_boundary};
const li2_verify_kind li2_verify_kind_energy_boundary = {"energy_boundary", energy_boundary_params, boundary_measures, kind_energy_boundary};
