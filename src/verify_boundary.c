/* li2 verify: the sample-size boundary c log(M)/M: the search shared by
 * the boundary kinds (verify_boundary.h) and the kind `boundary` of trained
 * networks (doc/mathematics.md section 4); `energy_boundary` is in
 * verify_energy.c. */
#include "verify_kind.h"
#include "verify_boundary.h"

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
#include "process.h"
#include "stats.h"
#include "train.h"

#include <gsl/gsl_rng.h>

/* ------------------------------------------------------------------ */
/* C6: the sample-size boundary c log(M)/M (doc/mathematics.md section 4) */

/* The boundary kinds share everything but the probe (verify_boundary.h). */
static const char *const boundary_params[] = {LI2_VERIFY_BOUNDARY_COMMON, "train",
                                              "hidden_per_order", "budgets", "early_stop",
                                              "eval_interval", "early_stop_shadow", NULL};
const char *const li2_verify_boundary_measures[] = {
  "c", "c_ci_low", "c_ci_high", "reference", "censored", "spread", "runs", "slope",
  "slope_ci_low", "slope_ci_high", "seed_cv", "c_first", "shift", "epochs", "early_stopped",
  "ratio", "ratio_ci_low", "ratio_ci_high", "dk2", "pairs", "settled", "false_stops",
  "false_stop_rate", "false_stop_ci_high", "saved", NULL};

#define MAX_UNITS 32
#define MAX_BUDGETS 8
#define MAX_CACHE 64

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

/* The trained boundary: test accuracy of the claim's `train` setting on
 * the group, K = hidden_per_order x M when that is given, at each epoch
 * budget (one run to the largest), stopped early once its test accuracy
 * has been >= threshold at `early_stop` consecutive evaluations (0: off);
 * with `early_stop_shadow` the rule only records when it would have
 * stopped (each run then pairs the rule's decision with the full run). */
typedef struct trained_opt {
  double hpo, thr;
  long window, every, shadow;
} trained_opt;
static int probe_trained(const li2_verify_claim *c, int quick, const void *opt, const char *name,
                         size_t M, long n, long seed, size_t nb, const long *budgets,
                         double *acc, long *epochs, long *settled, li2_error *err);

typedef struct probe_cache {
  size_t len;
  long n[MAX_CACHE];
  double score[MAX_CACHE][MAX_BUDGETS];
} probe_cache;

typedef struct boundary_job {
  const li2_verify_claim *c;
  int quick;
  li2_verify_probe_fn probe;
  const void *opt;
  char *const *names;  /* [unit]: the groups, then the reference groups */
  const size_t *Ms;
  size_t nu;
  long seeds, seed0, refine;
  const double *grid;
  size_t ng, start;  /* grid points, the first probed */
  double thr;
  size_t nb;
  const long *budgets;
  /* [budget][unit][seed] outputs */
  double *found;  /* boundary c'; NaN: never reached on the grid */
  double *width;  /* final bracket width (0 when not bisected) */
  int *censored;  /* not reached, or already at the first grid point */
  /* [unit][seed] */
  long *runs, *epochs, *stopped;
  long *settled, *false_stops;  /* [unit][seed]: the early-stop rule's decisions */
  long *saved;                  /* [unit][seed]: epochs after the rule settled */
  int exhaustive;  /* probe every grid point (the naive full grid) */
  int pilot;       /* seeds after the first start from the first's bracket */
  int phase;       /* 1: the first seed of each unit; 2: the others (pilot) */
  double *blo, *bhi;  /* [budget][unit][seed]: the final bracket */
  int stops;       /* the probe stops settled runs (else a shadow rule, or none) */
  probe_cache *cache;
} boundary_job;

/* The score at N for every budget: from the cache of this (unit, seed),
 * else probed (and cached). */
static int probe_cached(boundary_job *b, probe_cache *pc, size_t u, long seed, long n,
                        size_t at, double *score, li2_error *err)
{
  for (size_t i = 0; i < pc->len; i++)
    if (pc->n[i] == n) {
      memcpy(score, pc->score[i], b->nb * sizeof *score);
      return LI2_SUCCESS;
    }
  long ep = 0, st = -1;
  int rc = b->probe(b->c, b->quick, b->opt, b->names[u], b->Ms[u], n, seed, b->nb,
                    b->budgets, score, &ep, &st, err);
  if (rc)
    return rc;
  b->runs[at]++;
  b->epochs[at] += ep;
  if (st >= 0) {
    b->settled[at]++;
    b->saved[at] += b->budgets[b->nb - 1] - st;
    if (b->stops)
      b->stopped[at]++;
    else
      b->false_stops[at] += score[b->nb - 1] < b->thr;  /* settled, yet below at the budget */
  }
  if (pc->len < MAX_CACHE) {
    pc->n[pc->len] = n;
    memcpy(pc->score[pc->len++], score, b->nb * sizeof *score);
  }
  return LI2_SUCCESS;
}

/* A later seed from the first seed's final bracket [LO0, HI0] (width w):
 * probe both ends; while both are below the threshold step up by w, while
 * both reach it step down by w, within the grid's range; the boundary is
 * the midpoint of the bracket found (the same lattice and resolution as
 * the first seed's bisection, in 2 probes when the boundary has not moved
 * by more than w).  Censored when the walk leaves the grid. */
static int walk(boundary_job *b, probe_cache *pc, size_t u, long seed, size_t at, size_t bi,
                double lo0, double hi0, size_t o, li2_error *err)
{
  const double w = hi0 - lo0, gmin = b->grid[0], gmax = b->grid[b->ng - 1], eps = 1e-9 * w;
  size_t M = b->Ms[u];
  double x = lo0, y = hi0, sx[MAX_BUDGETS], sy[MAX_BUDGETS];
  int rc;
  if ((rc = probe_cached(b, pc, u, seed, pairs(x, M), at, sx, err)) ||
      (rc = probe_cached(b, pc, u, seed, pairs(y, M), at, sy, err)))
    return rc;
  int out = 0;
  if (sy[bi] < b->thr) {
    while (!rc && sy[bi] < b->thr) {  /* up */
      x = y;
      y += w;
      if (y > gmax + eps) {
        out = 1;
        break;
      }
      rc = probe_cached(b, pc, u, seed, pairs(y, M), at, sy, err);
    }
  } else {
    while (!rc && sx[bi] >= b->thr) {  /* down */
      y = x;
      x -= w;
      if (x < gmin - eps) {
        out = 2;
        break;
      }
      rc = probe_cached(b, pc, u, seed, pairs(x, M), at, sx, err);
    }
  }
  b->found[o] = out == 1 ? NAN : out == 2 ? y : 0.5 * (x + y);
  b->width[o] = out ? 0 : w;
  b->blo[o] = out == 2 ? NAN : x;
  b->bhi[o] = out == 1 ? NAN : y;
  b->censored[o] = out != 0;
  return rc;
}

/* One (unit, seed), for each budget: scan the grid from its point nearest
 * `start` (default its first) to the two neighbouring points that bracket
 * the threshold, then bisect the bracket; the boundary is the midpoint of
 * the final bracket.  Every probe trains once to the largest budget and is
 * cached, so the budgets' searches share their runs.  Censored when no
 * bracket is found: the score reaches the threshold already at the first
 * grid point (its c' is then an upper bound) or never (NaN).  Jobs run the
 * largest orders first. */
static int boundary_one(void *ctx, size_t job, int thread, li2_error *err)
{
  (void)thread;
  boundary_job *b = ctx;
  size_t ns = (size_t)b->seeds, ord = job / ns, s = job % ns, u = 0;
  if (b->phase == 1) {  /* the first seed of each unit */
    ord = job;
    s = 0;
  } else if (b->phase == 2) {  /* the other seeds */
    ord = job / (ns - 1);
    s = 1 + job % (ns - 1);
  }
  /* the ord-th largest unit */
  {
    size_t rank[MAX_UNITS];
    for (size_t i = 0; i < b->nu; i++)
      rank[i] = i;
    for (size_t i = 1; i < b->nu; i++)
      for (size_t j = i; j > 0 && b->Ms[rank[j]] > b->Ms[rank[j - 1]]; j--) {
        size_t t = rank[j];
        rank[j] = rank[j - 1];
        rank[j - 1] = t;
      }
    u = rank[ord];
  }
  size_t at = u * ns + s, M = b->Ms[u];
  long seed = b->seed0 + (long)s;
  double sc[MAX_BUDGETS];
  probe_cache *pc = &b->cache[at];
  int rc = LI2_SUCCESS;
  b->runs[at] = b->epochs[at] = b->stopped[at] = b->settled[at] = b->false_stops[at] = 0;
  b->saved[at] = 0;
  for (size_t k = 0; !rc && b->exhaustive && k < b->ng; k++)
    rc = probe_cached(b, pc, u, seed, pairs(b->grid[k], M), at, sc, err);
  for (size_t bi = 0; !rc && b->phase == 2 && bi < b->nb; bi++) {
    size_t o = bi * b->nu * ns + at, p = bi * b->nu * ns + u * ns;
    if (!b->censored[p] && b->bhi[p] > b->blo[p])
      rc = walk(b, pc, u, seed, at, bi, b->blo[p], b->bhi[p], o, err);
    else
      b->censored[o] = -1;  /* no pilot bracket: search as the first seed */
  }
  for (size_t bi = 0; !rc && bi < b->nb; bi++) {
    size_t o = bi * b->nu * ns + at;
    double lo = NAN, hi = NAN;
    if (b->phase == 2 && b->censored[o] != -1)
      continue;
    /* from the grid point START upwards while the score stays below the
     * threshold, or downwards while it reaches it */
    for (long k = (long)b->start, dir = 0; k >= 0 && k < (long)b->ng; k += dir) {
      if ((rc = probe_cached(b, pc, u, seed, pairs(b->grid[k], M), at, sc, err)))
        break;
      int up = sc[bi] < b->thr;
      if (up)
        lo = b->grid[k];
      else
        hi = b->grid[k];
      if (dir == 0)
        dir = up ? 1 : -1;
      else if ((dir > 0) != up)
        break;  /* bracketed */
    }
    b->width[o] = 0;
    if (!rc && !isnan(hi) && !isnan(lo)) {
      for (long r = 0; r < b->refine; r++) {
        double mid = 0.5 * (lo + hi);
        if ((rc = probe_cached(b, pc, u, seed, pairs(mid, M), at, sc, err)))
          break;
        if (sc[bi] >= b->thr)
          hi = mid;
        else
          lo = mid;
      }
      b->found[o] = 0.5 * (lo + hi);
      b->width[o] = hi - lo;
    } else {
      b->found[o] = hi;  /* the first grid point, or NaN */
    }
    b->blo[o] = lo;
    b->bhi[o] = hi;
    b->censored[o] = isnan(lo) || isnan(hi);
  }
  return rc;
}

/* c = mean of the observed boundaries with a t interval widened by half
 * the mean bracket width (the brackets share one grid: their errors are
 * correlated); slope of c' against log M with its t interval; the pooled
 * within-unit coefficient of variation over the seeds. */
typedef struct boundary_fit {
  size_t cnt, censored;
  double c, lo, hi, slope, slo, shi, spread, seed_cv;
} boundary_fit;

static void boundary_fit_units(const boundary_job *b, size_t bi, size_t u0, size_t u1,
                               double conf, double *lx, double *cy, boundary_fit *f)
{
  size_t ns = (size_t)b->seeds;
  double wsum = 0, lo_m = INFINITY, hi_m = -INFINITY, ss_within = 0;
  (void)hi_m;
  size_t df_within = 0;
  memset(f, 0, sizeof *f);
  f->c = f->lo = f->hi = f->slope = f->slo = f->shi = f->spread = f->seed_cv = NAN;
  for (size_t u = u0; u < u1; u++) {
    double ms = 0, mv[1024];
    size_t mc = 0;
    for (size_t s = 0; s < ns; s++) {
      size_t o = bi * b->nu * ns + u * ns + s;
      f->censored += (size_t)b->censored[o];
      if (isnan(b->found[o]))
        continue;
      wsum += b->width[o];
      lx[f->cnt] = log((double)b->Ms[u]);
      cy[f->cnt++] = b->found[o];
      if (mc < 1024)
        mv[mc++] = b->found[o];
    }
    if (mc) {
      double sd;
      li2_stats_mean_sd(mv, mc, &ms, &sd);
      lo_m = ms < lo_m ? ms : lo_m;
      hi_m = ms > hi_m ? ms : hi_m;
      ss_within += sd * sd * (double)(mc - 1);
      df_within += mc - 1;
    }
  }
  if (f->cnt >= 2) {
    double h;
    li2_stats_mean_ci(cy, f->cnt, conf, &f->c, &h);
    double half = 0.5 * wsum / (double)f->cnt;
    f->lo = f->c - h - half;
    f->hi = f->c + h + half;
    f->spread = (hi_m - lo_m) / f->c;
    if (df_within)
      f->seed_cv = sqrt(ss_within / (double)df_within) / f->c;
  }
  double lmin = INFINITY, lmax = -INFINITY;
  for (size_t i = 0; i < f->cnt; i++) {
    lmin = lx[i] < lmin ? lx[i] : lmin;
    lmax = lx[i] > lmax ? lx[i] : lmax;
  }
  if (f->cnt >= 3 && lmax > lmin) {
    /* the scaling itself: c' = a + slope log M; p ~ log(M)/M holds when
     * the slope is 0 (a p ~ M^-gamma law would make c' drift with log M).
     * Each c' is known to +-half its bracket: widen by the largest slope
     * that hides, 2 half / (range of log M). */
    double r2;
    li2_stats_linfit(lx, cy, f->cnt, conf, &f->slope, &f->slo, &f->shi, &r2);
    double hide = wsum / (double)f->cnt / (lmax - lmin);
    f->slo -= hide;
    f->shi += hide;
  }
}

static int parse_units(const li2_verify_claim *c, int quick, const char *key, const char *list,
                       int cyclic, char **names, size_t *Ms, size_t max, size_t *nu,
                       li2_error *err)
{
  char *l = strdup(list), *w[MAX_UNITS];
  if (!l)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  size_t n = li2_verify_split_list(l, w, MAX_UNITS), k = *nu;
  int rc = LI2_SUCCESS;
  for (size_t i = 0; !rc && i < n; i++) {
    double x;
    char name[64];
    if (cyclic) {
      if (!li2_args_number(w[i], &x) || x < 2 || x > 4096 || x != floor(x)) {
        li2_error_set(err, LI2_EINVAL, "'%s' is not a cyclic order in [2, 4096]", w[i]);
        rc = li2_verify_param_fail(c, quick, key, err);
        break;
      }
      snprintf(name, sizeof name, "Z%.0f", x);
    } else {
      snprintf(name, sizeof name, "%s", w[i]);
    }
    if (k >= max) {
      li2_error_set(err, LI2_EINVAL, "more than %zu groups", max);
      rc = li2_verify_param_fail(c, quick, key, err);
      break;
    }
    li2_group *g = li2_group_alloc_name(name, err);
    if (!g) {
      rc = li2_verify_param_fail(c, quick, key, err);
      break;
    }
    Ms[k] = g->order;
    li2_group_free(g);
    if (!(names[k] = strdup(name))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      break;
    }
    k++;
  }
  *nu = k;
  free(l);
  return rc;
}

/* The largest irrep degree of each group (Theorem 4's d_k). */
static int max_degree(const char *name, size_t *d, li2_error *err)
{
  li2_group *g = NULL;
  li2_characters *ct = NULL;
  int rc = LI2_SUCCESS;
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  {
    if (!(g = li2_group_alloc_name(name, err)) || !(ct = li2_characters_alloc(g, err)))
      rc = err->code ? err->code : LI2_ENOMEM;
  }
  *d = 1;
  for (size_t k = 0; !rc && k < ct->nirreps; k++)
    if ((size_t)ct->degree[k] > *d)
      *d = (size_t)ct->degree[k];
  li2_characters_free(ct);
  li2_group_free(g);
  return rc;
}

int li2_verify_boundary_search(const li2_verify_claim *c, int quick, int threads, li2_verify_probe_fn probe,
                           const void *opt, const char *setting, const char *score_name,
                           size_t nb, const long *budgets, li2_verify_result *r,
                           li2_error *err)
{
  const char *orders, *groups, *refs, *grid;
  long seeds, seed0, refine, exhaustive, pilot;
  double thr, conf;
  li2_split_params sp;
  int rc;
  if ((rc = li2_verify_param_string(c, quick, "orders", "", &orders, err)) ||
      (rc = li2_verify_param_string(c, quick, "groups", "", &groups, err)) ||
      (rc = li2_verify_param_string(c, quick, "reference_groups", "", &refs, err)) ||
      (rc = li2_verify_param_string(c, quick, "grid", NULL, &grid, err)) ||
      (rc = li2_verify_param_long(c, quick, "seeds", "5", 2, 1000, &seeds, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed0", "1", 0, 4294967295L, &seed0, err)) ||
      (rc = li2_verify_param_double(c, quick, "threshold", "0.9", 0, 1, &thr, err)) ||
      (rc = li2_verify_param_double(c, quick, "confidence", "0.95", 0.5, 0.9999, &conf, err)) ||
      (rc = li2_verify_param_long(c, quick, "refine", "3", 0, 20, &refine, err)) ||
      (rc = li2_verify_param_long(c, quick, "exhaustive", "0", 0, 1, &exhaustive, err)) ||
      (rc = li2_verify_param_long(c, quick, "pilot", "0", 0, 1, &pilot, err)))
    return rc;
  /* the reference trainer's constant, as li2's split uses it */
  li2_split_params_default(&sp);
  const double ref = sp.critical_ratio_multiplier;
  char *gl = strdup(grid), *gw[64], *names[2 * MAX_UNITS] = {0};
  size_t ng = gl ? li2_verify_split_list(gl, gw, 64) : 0;
  size_t Ms[2 * MAX_UNITS], ns = (size_t)seeds, ngroups = 0, nu = 0;
  double cg[64], *lx = NULL, *cy = NULL;
  li2_verify_text t = {0};
  boundary_job b = {.c = c, .quick = quick, .probe = probe, .opt = opt, .names = names,
                    .Ms = Ms, .seeds = seeds, .seed0 = seed0, .refine = refine, .grid = cg,
                    .ng = ng, .thr = thr, .nb = nb, .budgets = budgets};
  if (!gl) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  if ((*orders && *groups) || (!*orders && !*groups)) {
    li2_error_set(err, LI2_EINVAL, "give either orders (cyclic) or groups");
    rc = li2_verify_param_fail(c, quick, *orders ? "orders" : "groups", err);
    goto end;
  }
  if ((rc = *orders ? parse_units(c, quick, "orders", orders, 1, names, Ms, MAX_UNITS, &nu, err)
                    : parse_units(c, quick, "groups", groups, 0, names, Ms, MAX_UNITS, &nu, err)))
    goto end;
  ngroups = nu;
  if (*refs && (rc = parse_units(c, quick, "reference_groups", refs, 0, names, Ms,
                                 2 * MAX_UNITS, &nu, err)))
    goto end;
  if (*refs && nu != 2 * ngroups) {
    li2_error_set(err, LI2_EINVAL, "needs one reference group per group (%zu, not %zu)", ngroups,
                  nu - ngroups);
    rc = li2_verify_param_fail(c, quick, "reference_groups", err);
    goto end;
  }
  b.nu = nu;
  b.exhaustive = (int)exhaustive;
  b.pilot = (int)pilot && !exhaustive;
  b.stops = probe == probe_trained && ((const trained_opt *)opt)->window > 0 &&
            !((const trained_opt *)opt)->shadow;
  for (size_t i = 0; i < ng; i++)
    if (!li2_args_number(gw[i], &cg[i]) || !(cg[i] > 0) || (i > 0 && cg[i] <= cg[i - 1])) {
      li2_error_set(err, LI2_EINVAL, "'%s': the grid must be positive and ascending", gw[i]);
      rc = li2_verify_param_fail(c, quick, "grid", err);
      goto end;
    }
  if (nu < 1 || ng < 2) {
    li2_error_set(err, LI2_EINVAL, "needs at least one group and two grid points");
    rc = li2_verify_param_fail(c, quick, nu < 1 ? "orders" : "grid", err);
    goto end;
  }
  double start;
  if ((rc = li2_verify_param_double(c, quick, "start", gw[0], cg[0], cg[ng - 1], &start, err)))
    goto end;
  if (li2_verify_checking(c)) {
    /* every unit's trainer configuration (at the trainer's default split);
     * the energy probe's groups were built by parse_units */
    for (size_t u = 0; u < nu && !rc && probe == probe_trained; u++) {
      double score;
      long ep, st;
      rc = probe(c, quick, opt, names[u], Ms[u], 0, seed0, 0, budgets, &score, &ep, &st, err);
    }
    goto end;
  }
  for (size_t k = 1; k < ng; k++)
    if (fabs(cg[k] - start) < fabs(cg[b.start] - start))
      b.start = k;
  size_t cells = nb * nu * ns;
  b.found = malloc(cells * sizeof *b.found);
  b.width = malloc(cells * sizeof *b.width);
  b.censored = calloc(cells, sizeof *b.censored);
  b.blo = malloc(cells * sizeof *b.blo);
  b.bhi = malloc(cells * sizeof *b.bhi);
  b.runs = calloc(nu * ns, sizeof *b.runs);
  b.epochs = calloc(nu * ns, sizeof *b.epochs);
  b.stopped = calloc(nu * ns, sizeof *b.stopped);
  b.cache = calloc(nu * ns, sizeof *b.cache);
  b.settled = calloc(nu * ns, sizeof *b.settled);
  b.false_stops = calloc(nu * ns, sizeof *b.false_stops);
  b.saved = calloc(nu * ns, sizeof *b.saved);
  lx = malloc(nu * ns * sizeof *lx);
  cy = malloc(nu * ns * sizeof *cy);
  if (!b.found || !b.width || !b.censored || !b.runs || !b.epochs || !b.stopped || !b.cache || !lx ||
      !cy || !b.settled || !b.false_stops || !b.saved ||
      !b.blo || !b.bhi) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  if (b.pilot) {
    /* the first seed of every unit, then the others from its brackets
     * (two passes, so the result does not depend on the threads) */
    b.phase = 1;
    if ((rc = li2_verify_run_jobs(r, nu, threads, boundary_one, &b, err)))
      goto end;
    b.phase = 2;
    if ((rc = li2_verify_run_jobs(r, nu * (ns - 1), threads, boundary_one, &b, err)))
      goto end;
  } else if ((rc = li2_verify_run_jobs(r, nu * ns, threads, boundary_one, &b, err))) {
    goto end;
  }

  size_t runs = 0, epochs = 0, stopped = 0, settled = 0, falses = 0;
  for (size_t i = 0; i < nu * ns; i++) {
    runs += (size_t)b.runs[i];
    epochs += (size_t)b.epochs[i];
    stopped += (size_t)b.stopped[i];
    settled += (size_t)b.settled[i];
    falses += (size_t)b.false_stops[i];
  }
  li2_verify_printf(&t, "%s; training fraction p = c' log(M)/M of the M^2 pairs over c' in {%s}, "
              "first probe at %g; the boundary of a seed is where its %s reaches %g: the "
              "grid's bracket bisected %ld times, its midpoint.  Seeds %ld..%ld.\n",
          setting, grid, cg[b.start], score_name, thr, refine, seed0, seed0 + seeds - 1);
  boundary_fit fit[MAX_BUDGETS], rfit;
  for (size_t bi = 0; bi < nb; bi++) {
    if (budgets[0] > 0)
      li2_verify_printf(&t, "\n**Budget %ld epochs.**\n", budgets[bi]);
    li2_verify_printf(&t, "\n| group | M | c' per seed | mean c' | boundary fraction p | "
                          "boundary pairs n |\n|---|---|---|---|---|---|\n");
    for (size_t u = 0; u < nu; u++) {
      double ms = 0;
      size_t mc = 0;
      li2_verify_printf(&t, "| %s | %zu |", names[u], Ms[u]);
      for (size_t s = 0; s < ns; s++) {
        size_t o = bi * nu * ns + u * ns + s;
        li2_verify_printf(&t, " %.3f%s", b.found[o], b.censored[o] ? "*" : "");
        if (!isnan(b.found[o])) {
          ms += b.found[o];
          mc++;
        }
      }
      double mean = mc ? ms / (double)mc : NAN, lM = log((double)Ms[u]);
      li2_verify_printf(&t, " | %.3f | %.4f | %.0f |\n", mean, mean * lM / (double)Ms[u],
                        mean * (double)Ms[u] * lM);
    }
    boundary_fit_units(&b, bi, 0, ngroups, conf, lx, cy, &fit[bi]);
    li2_verify_printf(&t, "\nc = %.4f, %.0f%% interval [%.4f, %.4f] over %zu boundaries of the "
                      "groups%s (the reference trainer's constant %.4f, information only); "
                      "%zu censored.  Slope of c' against log M %.3f, %.0f%% interval "
                      "[%.3f, %.3f] (0: p ~ log(M)/M).  Seed-to-seed coefficient of "
                      "variation of c' %.3f (the transition's sharpness).\n",
                      fit[bi].c, 100 * conf, fit[bi].lo, fit[bi].hi, fit[bi].cnt,
                      ngroups < nu ? " (not their references)" : "", ref, fit[bi].censored,
                      fit[bi].slope, 100 * conf, fit[bi].slo, fit[bi].shi, fit[bi].seed_cv);
  }
  const boundary_fit *f = &fit[nb - 1];
  li2_verify_measure_set(r, "c", f->c);
  li2_verify_measure_set(r, "c_ci_low", f->lo);
  li2_verify_measure_set(r, "c_ci_high", f->hi);
  li2_verify_measure_set(r, "reference", ref);
  li2_verify_measure_set(r, "censored", (double)f->censored);
  li2_verify_measure_set(r, "spread", f->spread);
  li2_verify_measure_set(r, "runs", (double)runs);
  li2_verify_measure_set(r, "slope", f->slope);
  li2_verify_measure_set(r, "slope_ci_low", f->slo);
  li2_verify_measure_set(r, "slope_ci_high", f->shi);
  li2_verify_measure_set(r, "seed_cv", f->seed_cv);
  li2_verify_measure_set(r, "c_first", fit[0].c);
  li2_verify_measure_set(r, "shift", (fit[0].c - f->c) / f->c);
  li2_verify_measure_set(r, "epochs", (double)epochs);
  li2_verify_measure_set(r, "early_stopped", (double)stopped);
  if (!b.stops && settled + falses > 0) {
    /* the shadow rule against the full runs: a false stop is a run the rule
     * settled (>= threshold for the window) that ends below the threshold
     * at the largest budget */
    double rate = (double)falses / (double)runs, wlo, whi;
    double saved = 0;
    li2_stats_wilson(rate, runs, li2_stats_normal_quantile(conf), &wlo, &whi);
    for (size_t i = 0; i < nu * ns; i++)
      saved += (double)b.saved[i];
    saved /= (double)epochs;
    li2_verify_measure_set(r, "saved", saved);
    li2_verify_measure_set(r, "pairs", (double)runs);
    li2_verify_measure_set(r, "settled", (double)settled);
    li2_verify_measure_set(r, "false_stops", (double)falses);
    li2_verify_measure_set(r, "false_stop_rate", rate);
    li2_verify_measure_set(r, "false_stop_ci_high", whi);
    li2_verify_printf(&t, "\nEarly-stop rule (shadow): of %zu full runs it settled %zu, of which "
                      "%zu ended below %g at %ld epochs (false stops: %.3f of the runs, %.0f%% "
                      "Wilson interval [%.3f, %.3f]; %.3f of the settled).  Stopping would have "
                      "saved %.3f of the %zu epochs.\n", runs, settled,
                      falses, thr, budgets[nb - 1], rate, 100 * conf, wlo, whi,
                      settled ? (double)falses / (double)settled : NAN, saved, epochs);
  }
  r->predicted = ref;
  r->measured = f->c;
  snprintf(r->what, sizeof r->what, "c of p* = c log(M)/M, %.0f%% CI [%.3f, %.3f], reference",
           100 * conf, f->lo, f->hi);
  if (nb > 1)
    li2_verify_printf(&t, "\nBudget %ld -> %ld epochs: c %.4f -> %.4f (the boundary moves by "
                      "%+.1f%% of c when the budget doubles%s).\n", budgets[0], budgets[nb - 1],
                      fit[0].c, f->c, 100 * (f->c - fit[0].c) / f->c,
                      budgets[nb - 1] == 2 * budgets[0] ? "" : " (not a doubling)");
  if (ngroups < nu) {
    /* Theorem 4: n ~ d_k^2 M log M, so against a group of the same order
     * whose irreps are all 1-dimensional the boundary c' should grow by
     * max d_k^2 when the theorem's bound is what sets it */
    size_t dmax = 1, dref = 1;
    for (size_t u = 0; !rc && u < ngroups; u++) {
      size_t d;
      if (!(rc = max_degree(names[u], &d, err)))
        dmax = d > dmax ? d : dmax;
    }
    for (size_t u = ngroups; !rc && u < nu; u++) {
      size_t d;
      if (!(rc = max_degree(names[u], &d, err)))
        dref = d > dref ? d : dref;
    }
    if (rc)
      goto end;
    boundary_fit_units(&b, nb - 1, ngroups, nu, conf, lx, cy, &rfit);
    /* ratio of the pooled means, delta method on log c' */
    size_t na = 0, nr = 0;
    double *ca = malloc(ngroups * ns * sizeof *ca), *cr = malloc((nu - ngroups) * ns * sizeof *cr);
    double rat = NAN, rlo = NAN, rhi = NAN;
    if (ca && cr) {
      for (size_t u = 0; u < nu; u++)
        for (size_t s = 0; s < ns; s++) {
          size_t o = (nb - 1) * nu * ns + u * ns + s;
          if (isnan(b.found[o]))
            continue;
          if (u < ngroups)
            ca[na++] = b.found[o];
          else
            cr[nr++] = b.found[o];
        }
      li2_stats_ratio(ca, na, cr, nr, conf, &rat, &rlo, &rhi);
    }
    free(ca);
    free(cr);
    double dk2 = (double)(dmax * dmax) / (double)(dref * dref);
    li2_verify_measure_set(r, "ratio", rat);
    li2_verify_measure_set(r, "ratio_ci_low", rlo);
    li2_verify_measure_set(r, "ratio_ci_high", rhi);
    li2_verify_measure_set(r, "dk2", dk2);
    li2_verify_measure_set(r, "censored", (double)(f->censored + rfit.censored));
    r->predicted = dk2;
    r->measured = rat;
    snprintf(r->what, sizeof r->what,
             "c' of the groups / c' of their references, %.0f%% CI [%.3f, %.3f], Thm 4's "
             "(max d_k)^2 ratio", 100 * conf, rlo, rhi);
    li2_verify_printf(&t, "\nReferences (same orders, max d_k = %zu): c = %.4f, %.0f%% interval "
                      "[%.4f, %.4f].  Ratio of the groups' c' (max d_k = %zu) to the "
                      "references' %.3f, %.0f%% interval [%.3f, %.3f]; Theorem 4's d_k^2 "
                      "dependence predicts %.0f.\n", dref, rfit.c, 100 * conf, rfit.lo, rfit.hi,
                      dmax, rat, 100 * conf, rlo, rhi, dk2);
  }
  /* every probe (the points of Fig. 5's accuracy-against-p curves) */
  li2_verify_printf(&t, "\nProbes (group, seed: c' -> score at each budget):\n\n");
  for (size_t u = 0; u < nu; u++)
    for (size_t s = 0; s < ns; s++) {
      const probe_cache *pc = &b.cache[u * ns + s];
      li2_verify_printf(&t, "- %s seed %ld:", names[u], seed0 + (long)s);
      for (size_t i = 0; i < pc->len; i++) {
        li2_verify_printf(&t, "%s %.4g ->", i ? ";" : "",
                          pc->n[i] / ((double)Ms[u] * log((double)Ms[u])));
        for (size_t bi = 0; bi < nb; bi++)
          li2_verify_printf(&t, " %.3f", pc->score[i][bi]);
      }
      li2_verify_printf(&t, "\n");
    }
  li2_verify_printf(&t, "\n(* censored: never reached on the grid (NaN), or already at its first "
              "point.)  %zu trainings (probes), %zu epochs in all, %zu stopped early.\n", runs,
                    epochs, stopped);
end:
  r->detail = t.s;
  free(b.found);
  free(b.width);
  free(b.censored);
  free(b.runs);
  free(b.epochs);
  free(b.stopped);
  free(b.cache);
  free(b.settled);
  free(b.false_stops);
  free(b.saved);
  free(b.blo);
  free(b.bhi);
  free(lx);
  free(cy);
  for (size_t i = 0; i < 2 * MAX_UNITS; i++)
    free(names[i]);
  free(gl);
  return rc;
}


static int probe_trained(const li2_verify_claim *c, int quick, const void *opt, const char *name,
                         size_t M, long n, long seed, size_t nb, const long *budgets,
                         double *acc, long *epochs, long *settled, li2_error *err)
{
  const trained_opt *o = opt;
  char extra[512];
  li2_train_config cfg;
  li2_trainer *t = NULL;
  li2_early_stop es;
  int rc;
  long K = o->hpo > 0 ? (long)ceil(o->hpo * (double)M) : 0;
  int len = snprintf(extra, sizeof extra, "group=%s train_size=%ld seed=%ld", name, n, seed);
  if (K > 0)
    snprintf(extra + len, sizeof extra - (size_t)len, " hidden_size=%ld", K);
  if ((rc = li2_verify_train_config(c, quick, "train", extra, &cfg, err)) ||
      li2_verify_checking(c))
    return rc;
  if (!(t = li2_trainer_alloc(&cfg, NULL, NULL, err)))
    return li2_verify_param_fail(c, quick, "train", err);
  li2_early_stop_init(&es, o->window > 0 ? o->thr : 0, o->window);
  rc = li2_trainer_run_budgets(t, budgets, nb, o->every, &es, !o->shadow, acc, settled, err);
  *epochs = li2_trainer_epoch(t);
  li2_trainer_free(t);
  return rc;
}

static int kind_boundary(const li2_verify_claim *c, int quick, int threads, li2_verify_result *r,
                         li2_error *err)
{
  trained_opt o;
  char setting[1400];
  const char *bl;
  long budgets[MAX_BUDGETS];
  size_t nb = 0;
  li2_train_config cfg;
  int rc;
  if ((rc = li2_verify_param_double(c, quick, "hidden_per_order", "0", 0, 1e6, &o.hpo, err)) ||
      (rc = li2_verify_param_double(c, quick, "threshold", "0.9", 0, 1, &o.thr, err)) ||
      (rc = li2_verify_param_long(c, quick, "early_stop", "0", 0, 1000000, &o.window, err)) ||
      (rc = li2_verify_param_long(c, quick, "eval_interval", "100", 1, 1000000000, &o.every, err)) ||
      (rc = li2_verify_param_long(c, quick, "early_stop_shadow", "0", 0, 1, &o.shadow, err)) ||
      (rc = li2_verify_param_string(c, quick, "budgets", "", &bl, err)) ||
      (rc = li2_verify_train_config(c, quick, "train", NULL, &cfg, err)))
    return rc;
  if (*bl) {
    char *l = strdup(bl), *w[MAX_BUDGETS + 1];
    if (!l)
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    nb = li2_verify_split_list(l, w, MAX_BUDGETS + 1);
    for (size_t i = 0; !rc && i < nb; i++) {
      double x;
      if (nb > MAX_BUDGETS || !li2_args_number(w[i], &x) || x < 1 || x > 1e12 ||
          x != floor(x) || (i > 0 && x <= (double)budgets[i - 1])) {
        li2_error_set(err, LI2_EINVAL, "'%s': budgets are at most %d ascending epoch counts",
                      w[i], MAX_BUDGETS);
        rc = li2_verify_param_fail(c, quick, "budgets", err);
      } else {
        budgets[i] = (long)x;
      }
    }
    free(l);
    if (rc)
      return rc;
  } else {
    budgets[nb++] = cfg.num_epochs;
  }
  int len = snprintf(setting, sizeof setting, "Trainer: `%s`%s; epoch budgets",
                     li2_verify_claim_param(c, "train", quick, NULL),
                     o.hpo > 0 ? " with K = hidden_per_order x M" : "");
  for (size_t i = 0; i < nb && len < (int)sizeof setting; i++)
    len += snprintf(setting + len, sizeof setting - (size_t)len, "%s %ld", i ? "," : "",
                    budgets[i]);
  if (len < (int)sizeof setting && o.window > 0)
    snprintf(setting + len, sizeof setting - (size_t)len,
             " (one run to the largest; stopped early once its test accuracy is >= the "
             "threshold at %ld consecutive evaluations %ld epochs apart%s)", o.window, o.every,
             o.shadow ? ": as a shadow, the run goes on" : "");
  else if (len < (int)sizeof setting)
    snprintf(setting + len, sizeof setting - (size_t)len,
             " (one run to the largest, no early stop; evaluations %ld epochs apart)", o.every);
  return li2_verify_boundary_search(c, quick, threads, probe_trained, &o, setting, "test accuracy", nb,
                         budgets, r, err);
}

const li2_verify_kind li2_verify_kind_boundary = {"boundary", boundary_params, li2_verify_boundary_measures, kind_boundary, 1};
