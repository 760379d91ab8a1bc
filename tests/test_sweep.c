/* Sweeps (src/sweep.h): value lists and ranges, the product's order,
 * shards (disjoint, union the whole sweep), the manifest, point files and
 * results.tsv. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "phase.h"
#include "sweep.h"
#include "train.h"
#include "tap.h"

/* LIST expands to exactly the N values WANT. */
static void check_list(const char *list, const char *const *want, size_t n)
{
  char **v = NULL;
  size_t got = 0;
  li2_error e = {0};
  int rc = li2_sweep_values_parse("k", list, &v, &got, &e), same = !rc && got == n;
  for (size_t i = 0; same && i < n; i++)
    same = !strcmp(v[i], want[i]);
  ok(same, "'%s' expands to %zu values%s%s", list, n, rc ? ": " : "", e.msg);
  if (!same && !rc)
    for (size_t i = 0; i < got; i++)
      diag("  got [%zu] = '%s'", i, v[i]);
  li2_sweep_values_free(v, got);
}

static void check_bad(const char *list, const char *msg)
{
  char **v = NULL;
  size_t n = 0;
  li2_error e = {0};
  int rc = li2_sweep_values_parse("seed", list, &v, &n, &e);
  ok(rc == LI2_EINVAL && strstr(e.msg, msg) && strstr(e.msg, "parameter seed") &&
         !strchr(e.msg, '\n'),
     "'%s' refused naming the parameter: %s", list, e.msg);
  li2_sweep_values_free(v, n);
}

static void test_lists(void)
{
  static const char *const a[] = {"1e-5", "5e-5"};
  static const char *const r[] = {"1", "2", "3", "4", "5"};
  static const char *const f[] = {"0.5", "0.55", "0.6", "0.65", "0.7", "0.75", "0.8", "0.85",
                                  "0.9", "0.95"};
  static const char *const d[] = {"5", "3", "1"};
  static const char *const m[] = {"23", "7", "8", "9", "71"};
  static const char *const g[] = {"Z7:Z3", "S4"};
  static const char *const c[] = {"1000,2000", "a\\b"};
  static const char *const t[] = {"0.1", "0.4", "0.7", "1"};
  static const char *const z[] = {"-0.2", "-0.1", "0", "0.1"};
  check_list("1e-5,5e-5", a, 2);
  check_list("1:5", r, 5);
  check_list("0.5:0.95:0.05", f, 10);  /* 0.45/0.05 = 9.000000000000002 */
  check_list("5:1:-2", d, 3);
  check_list("23,7:9,71", m, 5);
  check_list("Z7:Z3,S4", g, 2);        /* not numbers: literal values */
  check_list("1000\\,2000,a\\\\b", c, 2);
  check_list("0.1:1:0.3", t, 4);        /* 0.1 + 3 * 0.3 = 0.9999999999999999 */
  check_list("-0.2:0.1:0.1", z, 4);     /* 0 printed as 0, not -2.8e-17 */
  {
    /* a step that does not divide the interval stops before the end */
    char **v = NULL;
    size_t n = 0;
    int rc = li2_sweep_values_parse("k", "0:1:0.3", &v, &n, NULL);
    ok(!rc && n == 4 && !strcmp(v[3], "0.9"), "0:1:0.3 is 0 .. 0.9 (4 values)");
    li2_sweep_values_free(v, n);
  }
  {
    /* every value of a long floating range is start + i step (no drift) */
    char **v = NULL;
    size_t n = 0, bad = 0;
    int rc = li2_sweep_values_parse("k", "0.001:1:0.001", &v, &n, NULL);
    for (size_t i = 0; !rc && i < n; i++)
      bad += fabs(strtod(v[i], NULL) - 0.001 * (double)(i + 1)) > 1e-12;
    ok(!rc && n == 1000 && bad == 0, "0.001:1:0.001 has 1000 values, each (i+1)/1000 (%zu off)",
       bad);
    li2_sweep_values_free(v, n);
  }
  check_bad("5:1", "empty");
  check_bad("1:5:-1", "empty");
  check_bad("1:5:0", "step 0");
  check_bad("1,,2", "empty value");
  check_bad("1,", "empty value");
  check_bad("0:1e9", "values (at most");
}

static li2_sweep *make(const char *const *w, int n, li2_error *e)
{
  return li2_sweep_alloc("train", li2_train_spec, (const char *const[]){"out", "json", NULL}, n,
                         (char **)w, e);
}

static void test_product(void)
{
  const char *w[] = {"weight_decay=1e-5,5e-5", "M=23,71", "seed=1:3"};
  li2_error e = {0};
  li2_sweep *s = make(w, 3, &e);
  size_t bad = 0;
  ok(s && li2_sweep_npoints(s) == 12, "2 x 2 x 3 = 12 points");
  if (!s)
    return;
  /* itertools.product order: the last key varies fastest */
  for (size_t p = 0; p < 12; p++) {
    const char *wd = li2_sweep_value(s, p, 0), *M = li2_sweep_value(s, p, 1),
               *sd = li2_sweep_value(s, p, 2);
    char want[3][16];
    snprintf(want[0], 16, "%s", p / 6 ? "5e-5" : "1e-5");
    snprintf(want[1], 16, "%s", (p / 3) % 2 ? "71" : "23");
    snprintf(want[2], 16, "%zu", p % 3 + 1);
    bad += strcmp(wd, want[0]) || strcmp(M, want[1]) || strcmp(sd, want[2]);
  }
  ok(bad == 0, "points follow itertools.product (first key slowest)");
  ok(!strcmp(li2_sweep_spec(s), "train weight_decay=1e-5,5e-5 M=23,71 seed=1,2,3"),
     "canonical specification: %s", li2_sweep_spec(s));
  {
    /* the same sweep written with a list instead of a range */
    const char *w2[] = {"weight_decay=1e-5,5e-5", "M=23,71", "seed=1,2,3"};
    li2_sweep *s2 = make(w2, 3, NULL);
    ok(s2 && !strcmp(li2_sweep_spec(s2), li2_sweep_spec(s)), "seed=1:3 and seed=1,2,3 agree");
    li2_sweep_free(s2);
  }
  li2_sweep_free(s);

  {
    const char *bad1[] = {"foo=1,2"};
    const char *bad2[] = {"hidden_size=8,0"};
    const char *bad3[] = {"out=a,b"};
    const char *bad4[] = {"seed=1", "seed=2"};
    const char *bad5[] = {"seed"};
    const char *bad6[] = {"seed=5:1"};
    struct { const char **w; const char *msg; } cases[] = {
      {bad1, "unknown parameter 'foo'"}, {bad2, "parameter hidden_size: 0 is out of range"},
      {bad3, "parameter out: set by the sweep"}, {bad4, "parameter seed: given twice"},
      {bad5, "expected KEY=V1,V2"}, {bad6, "parameter seed: range 5:1 is empty"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
      li2_error e2 = {0};
      li2_sweep *b = make(cases[i].w, cases[i].w == bad4 ? 2 : 1, &e2);
      ok(!b && e2.code == LI2_EINVAL && strstr(e2.msg, cases[i].msg), "refused: %s", e2.msg);
      li2_sweep_free(b);
    }
  }
}

static void test_shards(void)
{
  const char *w[] = {"M=11,13,17", "seed=0:6", "test_size=0.5:0.9:0.1"};  /* 105 points */
  li2_sweep *s = make(w, 3, NULL);
  size_t np = s ? li2_sweep_npoints(s) : 0;
  ok(np == 105, "3 x 7 x 5 = 105 points");
  for (size_t N = 1; N <= 11; N += (N < 4 ? 1 : 7)) {
    size_t *owner = calloc(np, sizeof *owner), twice = 0, none = 0, sizes_min = np, sizes_max = 0;
    for (size_t I = 1; I <= N; I++) {
      li2_sweep_shard sh;
      char text[32];
      size_t size = 0;
      snprintf(text, sizeof text, "%zu/%zu", I, N);
      if (li2_sweep_shard_parse(text, "shard", &sh, NULL))
        continue;
      for (size_t p = 0; p < np; p++)
        if (li2_sweep_shard_contains(&sh, p)) {
          twice += owner[p] != 0;
          owner[p] = I;
          size++;
        }
      sizes_min = size < sizes_min ? size : sizes_min;
      sizes_max = size > sizes_max ? size : sizes_max;
    }
    for (size_t p = 0; p < np; p++)
      none += owner[p] == 0;
    ok(twice == 0 && none == 0 && sizes_max - sizes_min <= 1,
       "N = %zu shards: disjoint (%zu twice), union is the sweep (%zu missing), sizes %zu..%zu",
       N, twice, none, sizes_min, sizes_max);
    free(owner);
  }
  {
    static const char *const bad[] = {"3/2", "0/2", "1/0", "1", "a/b", "1/2x", "-1/2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
      li2_sweep_shard sh;
      li2_error e = {0};
      ok(li2_sweep_shard_parse(bad[i], "shard", &sh, &e) == LI2_EINVAL &&
             strstr(e.msg, "parameter shard"),
         "shard '%s' refused: %s", bad[i], e.msg);
    }
  }
  li2_sweep_free(s);
}

static void test_directory(void)
{
  char tmpl[] = "/tmp/li2-test-sweep.XXXXXX";
  char *dir = mkdtemp(tmpl);
  const char *w[] = {"M=11,13", "seed=1:2"};
  const char *w2[] = {"M=11,13", "seed=1:3"};
  li2_sweep *s = make(w, 2, NULL), *s2 = make(w2, 2, NULL), *loaded;
  li2_error e = {0};
  size_t done = 99;
  char *text, *res = NULL, *pd;
  size_t len;
  if (!dir || !s || !s2) {
    ok(0, "set-up");
    return;
  }
  ok(li2_sweep_manifest_write(s, dir, &e) == 0, "manifest written %s", e.msg);
  ok(li2_sweep_manifest_write(s, dir, &e) == 0, "the same sweep again is accepted");
  ok(li2_sweep_manifest_write(s2, dir, &e) == LI2_EINVAL && strstr(e.msg, "different sweep") &&
         strstr(e.msg, "seed=1,2,3"),
     "a different sweep into the same out= is refused: %s", e.msg);
  loaded = li2_sweep_manifest_load(dir, &e);
  ok(loaded && !strcmp(li2_sweep_spec(loaded), li2_sweep_spec(s)) &&
         li2_sweep_npoints(loaded) == 4,
     "the manifest loads back as the same sweep");
  li2_sweep_free(loaded);

  ok(!li2_sweep_point_complete(s, dir, 2), "point 2 not complete before its point.json");
  text = li2_sweep_point_json(s, 2, NULL, 0, 1.5, "1",
                              "{\"ntrain\": 60, \"ntest\": 61, \"test_acc\": 0.25, "
                              "\"grok_epoch\": null, \"seconds\": 3, \"group\": \"Z13\"}");
  ok(text && li2_sweep_point_commit(s, dir, 2, text, &e) == 0, "point 2 committed");
  free(text);
  text = li2_sweep_point_json(s, 0, NULL, 0, 2.5, NULL, "test_acc\t0.5\nnote\tnot a number\n");
  ok(text && li2_sweep_point_commit(s, dir, 0, text, &e) == 0,
     "point 0 committed (summary from name<TAB>number lines)");
  free(text);
  ok(li2_sweep_point_complete(s, dir, 2) && !li2_sweep_point_complete(s, dir, 1),
     "point 2 complete, point 1 not");
  /* a point.json naming another point does not count */
  pd = li2_sweep_point_dir(s, dir, 3);
  ok(pd && !strcmp(pd + strlen(dir), "/points/0003"), "point directory %s", pd ? pd : "");
  text = li2_sweep_point_json(s, 1, NULL, 0, 1, NULL, "test_acc\t0.1\n");
  ok(text && li2_sweep_point_commit(s, dir, 3, text, &e) == 0 &&
         !li2_sweep_point_complete(s, dir, 3),
     "a point.json of another point is not a completion");
  free(text);
  free(pd);
  /* issue 15 defect 4: output that does not parse is no summary, and a
   * point.json with an empty summary (older li2) is not a completion */
  text = li2_sweep_point_json(s, 1, NULL, 0, 1, NULL, "");
  ok(!text, "no point.json from an empty output");
  free(text);
  text = li2_sweep_point_json(s, 1, NULL, 0, 1, NULL, "{\"test_acc\": 0.5, tru");
  ok(!text, "no point.json from a torn output");
  free(text);
  ok(li2_sweep_point_commit(s, dir, 1, "{\"point\": 1, \"exit_status\": 0, \"summary\": {}}\n",
                            &e) == 0 && !li2_sweep_point_complete(s, dir, 1),
     "a point.json with \"summary\": {} is not complete");
  pd = li2_sweep_point_dir(s, dir, 1);
  if (pd) {
    char *pj = li2_io_path(pd, "point.json");
    remove(pj);
    free(pj);
  }
  free(pd);
  ok(li2_sweep_results_write(s, dir, &done, &e) == 0 && done == 2, "results.tsv: %zu points",
     done);
  {
    char *path = li2_io_path(dir, "results.tsv");
    li2_io_read_file(path, &res, &len, NULL);
    free(path);
  }
  ok(res && !strcmp(res, "point\tM\tseed\ttest_acc\tntrain\tntest\tgrok_epoch\ttrain_fraction\n"
                         "0\t11\t1\t0.5\tnan\tnan\tnan\tnan\n"
                         "2\t13\t1\t0.25\t60\t61\tnan\t0.49586776859504134\n"),
     "results.tsv: point order, union of numeric fields, no timing, train_fraction = 60/121");
  if (res && tap_failed)
    diag("%s", res);
  free(res);
  li2_sweep_free(s);
  li2_sweep_free(s2);
  {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
      diag("could not remove %s", dir);
  }
}

/* Phase diagram: accuracy linear in p near a known boundary p*_M =
 * c log(M)/M is recovered exactly by the interpolation and the fit. */
static void test_phase(void)
{
  const double Ms[] = {23, 41, 71, 97}, c = 3.1, off[] = {0.004, -0.006, 0.003, -0.001};
  double M[200], P[200], A[200], pstar[4];
  size_t n = 0, nc = 0, nb = 0;
  li2_phase_cell *cells = NULL;
  li2_phase_boundary *b = NULL;
  li2_phase_fit fit;
  for (int pass = 0; pass < 2; pass++) {
    n = 0;
    for (int m = 0; m < 4; m++) {
      pstar[m] = c * log(Ms[m]) / Ms[m] + (pass ? off[m] : 0);
      /* fractions 0.05 .. 0.95, two seeds whose mean is the linear ramp */
      for (int k = 1; k <= 19; k++)
        for (int seed = 0; seed < 2; seed++) {
          double pk = 0.05 * k, ramp = 0.9 + 1.5 * (pk - pstar[m]);
          M[n] = Ms[m];
          P[n] = pk + (seed ? 1e-12 : 0);  /* the same grid point within 1e-9 */
          A[n++] = ramp + (seed ? 0.01 : -0.01);
        }
    }
    free(cells);
    free(b);
    li2_phase_grid(M, P, A, n, &cells, &nc, NULL);
    li2_phase_boundaries(cells, nc, 0.9, &b, &nb, NULL);
    li2_phase_fit_boundary(b, nb, 0.95, &fit, NULL);
    if (pass == 0) {
      ok(nc == 76 && cells[0].runs == 2 && cells[0].M == 23 && cells[75].M == 97 &&
             fabs(cells[0].acc - (0.9 + 1.5 * (0.05 - pstar[0]))) < 1e-12,
         "grid: 4 x 19 cells of 2 runs, sorted, seed mean");
      ok(nb == 4 && fabs(b[0].p - pstar[0]) < 1e-12 && fabs(b[3].p - pstar[3]) < 1e-12 &&
             !b[0].censored,
         "boundaries interpolate the crossing exactly (%.12g vs %.12g)", b[0].p, pstar[0]);
      ok_close(fit.c, c, 1e-10, "exact boundaries give c = %g", c);
      ok(fit.n == 4 && fit.rms < 1e-12 && fabs(fit.c_high - fit.c_low) < 1e-9,
         "zero residual, zero-width interval");
    } else {
      double sxx = 0, sxp = 0, rss = 0, se, t3 = 3.182446305284263;  /* t_{3, 0.975} */
      for (int m = 0; m < 4; m++) {
        double x = log(Ms[m]) / Ms[m];
        sxx += x * x;
        sxp += x * pstar[m];
      }
      for (int m = 0; m < 4; m++) {
        double x = log(Ms[m]) / Ms[m];
        rss += (pstar[m] - fit.c * x) * (pstar[m] - fit.c * x);
      }
      se = sqrt(rss / 3 / sxx);
      ok(fabs(sxp - fit.c * sxx) < 1e-12, "least squares: residual orthogonal to log(M)/M");
      ok_close(fit.c_high - fit.c, t3 * se, 1e-9, "95%% interval is c +- t_{3,0.975} se(c)");
      ok_close(fit.c - fit.c_low, t3 * se, 1e-9, "and symmetric");
    }
  }
  {
    /* censoring: M = 11 never reaches 0.9, M = 13 reaches it at once */
    double m2[] = {11, 11, 13, 13, 17, 17}, p2[] = {0.3, 0.6, 0.3, 0.6, 0.3, 0.6},
           a2[] = {0.2, 0.5, 0.95, 1, 0.5, 1};
    li2_phase_cell *c2 = NULL;
    li2_phase_boundary *b2 = NULL;
    size_t n2, nb2;
    li2_phase_grid(m2, p2, a2, 6, &c2, &n2, NULL);
    li2_phase_boundaries(c2, n2, 0.9, &b2, &nb2, NULL);
    li2_phase_fit_boundary(b2, nb2, 0.95, &fit, NULL);
    ok(nb2 == 3 && b2[0].censored == 1 && b2[0].p == 0.6 && b2[1].censored == -1 &&
           b2[1].p == 0.3 && b2[2].censored == 0 && fabs(b2[2].p - 0.54) < 1e-12,
       "never crossing: +1 at the largest fraction; crossing at once: -1; else interpolated");
    ok(fit.n == 1 && fit.censored == 2 && isnan(fit.c_low) &&
           fabs(fit.c - 0.54 * 17 / log(17)) < 1e-12,
       "censored boundaries are not fitted; one boundary gives c but no interval");
    free(c2);
    free(b2);
  }
  free(cells);
  free(b);
}

int main(void)
{
  test_phase();
  test_lists();
  test_product();
  test_shards();
  test_directory();
  return tap_done();
}
