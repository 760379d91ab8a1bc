/* li2 verify's claim files: parser errors name file and line, rules
 * decide PASS / FAIL / INCONCLUSIVE, and a small real claim runs. */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "characters.h"
#include "dataset.h"
#include "group.h"
#include "maxima.h"

#include "stats.h"
#include "verify.h"

#define HEAD "id = T1\nstatement = a test\nsource = none\n"

/* Parse TEXT expecting failure whose message contains WANT. */
static void bad(const char *text, const char *want, const char *what)
{
  li2_verify_claim *c = NULL;
  li2_error err = {0};
  int rc = li2_verify_claim_parse(text, "x.claim", &c, &err);
  ok(rc != LI2_SUCCESS && c == NULL && strstr(err.msg, want) != NULL, "%s: '%s'", what,
     err.msg);
  if (!strstr(err.msg, want))
    diag("expected the message to contain '%s'", want);
  li2_verify_claim_free(c);
}

static li2_verify_claim *good(const char *text)
{
  li2_verify_claim *c = NULL;
  li2_error err = {0};
  if (li2_verify_claim_parse(text, "x.claim", &c, &err))
    diag("unexpected error: %s", err.msg);
  return c;
}

static void test_parse_errors(void)
{
  bad(HEAD "kind = maxima_energies\nno equals sign\n", "x.claim:5: expected 'key = value'",
      "line without '='");
  bad(HEAD "kind = maxima_energies\ngroups = Z5\ngroups = Z7\nverdict = maxima >= 1\n",
      "x.claim:6: key 'groups' repeated (first on line 5)", "repeated key");
  bad(HEAD "kind = no_such_kind\nverdict = a >= 1\n", "x.claim:4: unknown kind 'no_such_kind'",
      "unknown kind");
  bad(HEAD "kind = maxima_energies\nhidden = 3\nverdict = maxima >= 1\n",
      "x.claim:5: key 'hidden' is not a parameter of kind maxima_energies", "unknown parameter");
  bad(HEAD "kind = maxima_energies\nquick.colour = 3\nverdict = maxima >= 1\n",
      "x.claim:5: key 'quick.colour'", "unknown quick parameter");
  bad(HEAD "kind = maxima_energies\nverdict = maxima => 1\n", "x.claim:5: verdict: unknown operator '=>'",
      "bad operator");
  bad(HEAD "kind = maxima_energies\nverdict = maxima >= 1 xor maxima <= 3\n",
      "x.claim:5: verdict: expected 'and' or 'or', got 'xor'", "bad connective");
  bad(HEAD "kind = maxima_energies\nverdict = maxima >=\n", "x.claim:5: verdict: expected 'NAME OP VALUE",
      "truncated rule");
  bad(HEAD "kind = maxima_energies\nverdict = energy_error <= 1\n",
      "x.claim:5: verdict: 'energy_error' is neither", "unknown measure");
  bad(HEAD "kind = maxima_energies\ngroups = Z5\nverdict = maxima >= groups\n",
      "'groups' is neither", "non-numeric parameter in a rule");
  bad(HEAD "kind = maxima_energies\nverdict = maxima >= 1\nfail_if = maxima ! 0\n",
      "x.claim:6: fail_if: unknown operator '!'", "bad fail_if");
  bad("id = T1\nstatement = a\nkind = maxima_energies\nverdict = maxima >= 1\n",
      "x.claim: missing required key 'source'", "missing required key");
  bad(HEAD "kind =\n", "x.claim:4: key 'kind' has an empty value", "empty value");
  bad(HEAD "bad key = 1\n", "x.claim:4: bad key 'bad key'", "bad key");
  bad(HEAD "kind = maxima_energies\nquick = maybe\nverdict = maxima >= 1\n",
      "x.claim:5: quick: expected 'yes' or 'no: REASON', got 'maybe'", "bad quick value");
  bad(HEAD "kind = maxima_energies\nquick = nothing\nverdict = maxima >= 1\n",
      "x.claim:5: quick: expected", "quick: 'no' must end or be followed by ':'");
  /* the line of an error after a continuation is the logical line's first */
  bad("id = T1\nstatement = a \\\n  long \\\n  statement\nsource = s\nkind = maxima_energies\n"
      "verdict = maxima >= 1\noops\n",
      "x.claim:8: expected", "line numbers count continued lines");
}

static void test_parse_good(void)
{
  li2_verify_claim *c =
    good("# comment\n\n" HEAD "kind = maxima_energies\ngroups = Z5, Z6\nquick.groups = Z5\n"
         "statement2 = x\nverdict = maxima >= 1\n");
  ok(c == NULL, "a key of no kind is rejected even after good ones");
  li2_verify_claim_free(c);
  c = good("id = T2\nstatement = first \\\n    second\nsource = s\nkind = maxima_energies\n"
           "groups = Z5, Z6\nquick.groups = Z5\ntolerance = 1e-6\n"
           "verdict = max_rel_error <= tolerance and maxima >= 1\n");
  ok(c != NULL, "a valid claim parses");
  if (!c)
    return;
  ok(!strcmp(li2_verify_claim_id(c), "T2"), "id");
  ok(!strcmp(li2_verify_claim_statement(c), "first second"),
     "continuation joins lines with one space: '%s'", li2_verify_claim_statement(c));
  int line = 0;
  const char *v = li2_verify_claim_param(c, "groups", 0, &line);
  ok(v && !strcmp(v, "Z5, Z6") && line == 6, "full parameter and its line");
  v = li2_verify_claim_param(c, "groups", 1, &line);
  ok(v && !strcmp(v, "Z5") && line == 7, "quick.KEY overrides KEY with --quick");
  v = li2_verify_claim_param(c, "tolerance", 1, NULL);
  ok(v && !strcmp(v, "1e-6"), "a key without quick. version serves --quick too");
  ok(li2_verify_claim_param(c, "starts", 0, NULL) == NULL, "absent parameter");

  /* rules against hand-set measures */
  li2_verify_result r;
  memset(&r, 0, sizeof r);
  r.nmeasures = 2;
  strcpy(r.measure_name[0], "max_rel_error");
  strcpy(r.measure_name[1], "maxima");
  r.measure[0] = 1e-9;
  r.measure[1] = 3;
  ok(li2_verify_rule_eval(c, li2_verify_claim_rule(c), 0, &r, NULL) == 1, "rule holds");
  r.measure[0] = 1e-3;
  ok(li2_verify_rule_eval(c, li2_verify_claim_rule(c), 0, &r, NULL) == 0,
     "rule fails when one condition fails");
  r.measure[0] = NAN;
  ok(li2_verify_rule_eval(c, li2_verify_claim_rule(c), 0, &r, NULL) == -1,
     "a NaN operand leaves the rule undecided");
  r.measure[1] = 0;
  ok(li2_verify_rule_eval(c, li2_verify_claim_rule(c), 0, &r, NULL) == 0,
     "a failing condition decides even beside a NaN one");
  r.measure[1] = 3;
  const char *orr = "maxima >= 5 or max_rel_error <= 1 and maxima >= 1";
  ok(li2_verify_rule_eval(c, orr, 0, &r, NULL) == -1,
     "'or' of a false and an undecided conjunction is undecided");
  r.measure[0] = 0.5;
  ok(li2_verify_rule_eval(c, orr, 0, &r, NULL) == 1, "'and' binds tighter than 'or'");
  r.measure[1] = 0;
  ok(li2_verify_rule_eval(c, orr, 0, &r, NULL) == 0, "both alternatives false");
  r.measure[1] = 6;
  r.measure[0] = 2;
  ok(li2_verify_rule_eval(c, orr, 0, &r, NULL) == 1, "first alternative alone");
  li2_verify_claim_free(c);
}

static void test_quick_key(void)
{
  const char *why = NULL;
  li2_verify_claim *c = good(HEAD "kind = maxima_energies\ngroups = Z5\nstarts = 4\n"
                                  "quick = no:  too slow for make check\nverdict = maxima >= 1\n");
  ok(c && !li2_verify_claim_has_quick(c, &why) && !strcmp(why, "too slow for make check"),
     "quick = no: REASON (reason '%s')", why ? why : "");
  if (c) {
    li2_verify_result r;
    li2_error err = {0};
    int rc = li2_verify_run(c, 1, 1, NULL, &r, &err);
    ok(rc == 0 && r.verdict == LI2_VERIFY_NOT_RUN && strstr(r.what, "too slow") &&
       !strcmp(li2_verify_verdict_name(r.verdict), "NOT-RUN") && r.nmeasures == 0,
       "--quick does not run it: %s, '%s'", li2_verify_verdict_name(r.verdict), r.what);
    li2_verify_result_clear(&r);
    rc = li2_verify_run(c, 0, 1, NULL, &r, &err);
    ok(rc == 0 && r.verdict == LI2_VERIFY_PASS, "the full run still runs it: %s",
       li2_verify_verdict_name(r.verdict));
    li2_verify_result_clear(&r);
  }
  li2_verify_claim_free(c);
  c = good(HEAD "kind = maxima_energies\ngroups = Z5\nquick = yes\nverdict = maxima >= 1\n");
  ok(c && li2_verify_claim_has_quick(c, &why) && !*why, "quick = yes");
  li2_verify_claim_free(c);
  c = good(HEAD "kind = maxima_energies\ngroups = Z5\nverdict = maxima >= 1\n");
  ok(c && li2_verify_claim_has_quick(c, NULL), "no quick key: has a quick form");
  li2_verify_claim_free(c);
}

static void run_claim(const char *text, int want_rc, int want_verdict, const char *want_msg,
                      const char *what)
{
  li2_verify_claim *c = good(text);
  li2_verify_result r;
  li2_error err = {0};
  memset(&r, 0, sizeof r);
  if (!c) {
    ok(0, "%s: parses", what);
    return;
  }
  int rc = li2_verify_run(c, 1, 1, NULL, &r, &err);
  if (want_rc)
    ok(rc == want_rc && strstr(err.msg, want_msg), "%s: '%s'", what, err.msg);
  else
    ok(rc == 0 && r.verdict == want_verdict, "%s: verdict %s (predicted %g, measured %g)",
       what, li2_verify_verdict_name(r.verdict), r.predicted, r.measured);
  li2_verify_result_clear(&r);
  li2_verify_claim_free(c);
}

static void test_run(void)
{
  /* M/(2 d_R) = 5/4 on Z_5 (each frequency pair is a 2-dim real irrep):
   * a textbook value, independent of li2 */
  li2_verify_claim *c =
    good(HEAD "kind = maxima_energies\ngroups = Z5\nstarts = 4\ntolerance = 1e-6\n"
         "verdict = max_rel_error <= tolerance and maxima >= 1\n");
  li2_verify_result r;
  li2_error err = {0};
  int rc = c ? li2_verify_run(c, 0, 1, NULL, &r, &err) : -1;
  ok(rc == 0 && r.verdict == LI2_VERIFY_PASS, "Z5 maxima claim passes (%s)", err.msg);
  if (rc == 0) {
    ok_close(r.predicted, 1.25, 1e-12, "Z5: predicted M/(2 d_R) = 5/4");
    ok_close(r.measured, 1.25, 1e-6, "Z5: measured maximum energy");
    ok(r.detail && strstr(r.detail, "| Z5 |"), "detail table names the group");
    li2_verify_result_clear(&r);
  }
  li2_verify_claim_free(c);

  run_claim(HEAD "kind = maxima_energies\ngroups = Z5\nstarts = 4\ntolerance = -1\n"
            "verdict = max_rel_error <= tolerance\n",
            0, LI2_VERIFY_FAIL, NULL, "an impossible tolerance FAILs");
  run_claim(HEAD "kind = maxima_energies\ngroups = Z5\nstarts = 4\ntolerance = -1\n"
            "verdict = max_rel_error <= tolerance\nfail_if = maxima <= 0\n",
            0, LI2_VERIFY_INCONCLUSIVE, NULL, "fail_if not met: INCONCLUSIVE");
  run_claim(HEAD "kind = maxima_energies\ngroups = Z5\nstarts = 4\n"
            "verdict = max_rel_error <= 1e-6\nfail_if = maxima <= 0\n",
            0, LI2_VERIFY_PASS, NULL, "fail_if is not consulted when the rule holds");
  /* parameter values are checked when the claim runs, naming file and line */
  run_claim(HEAD "kind = maxima_energies\ngroups = Z5\nquick.starts = many\n"
            "verdict = maxima >= 1\n",
            LI2_EFORMAT, 0, "x.claim:6: starts: 'many' is not a number", "bad quick value");
  run_claim(HEAD "kind = maxima_energies\ngroups = Z5, Q9\nverdict = maxima >= 1\n",
            LI2_EINVAL, 0, "x.claim:5: groups: ", "unknown group names file and line");
  run_claim(HEAD "kind = maxima_energies\nverdict = maxima >= 1\n", LI2_EFORMAT, 0,
            "x.claim: missing parameter 'groups'", "missing parameter");
  run_claim(HEAD "kind = modulation\ngroup = Z7\neta = 1e-3\nverdict = fresh_ratio <= 1\n",
            LI2_EFORMAT, 0, "missing parameter 'nodes'", "modulation needs nodes");
  run_claim(HEAD "kind = lazy_closed_form\ngroup = Z7\neta = -1\nverdict = max_rel_error <= 1\n",
            LI2_EINVAL, 0, "x.claim:6: eta: ", "bad eta names file and line");
  run_claim(HEAD "kind = lazy_closed_form\nfeatures = trained\ntrain = M=7 hidden_size=0\n"
            "eta = 1\nverdict = max_rel_error <= 1\n",
            LI2_EINVAL, 0, "x.claim:6: train: ", "bad trainer parameter names file and line");
}

/* The verdict statistics (stats.h) on cases with textbook answers:
 *   mean and sample sd of 1, 2, 3, 4: 2.5 and sqrt(5/3);
 *   Wilson's interval at p = 0 is [0, z^2/(n + z^2)] and at p = 1
 *   [n/(n + z^2), 1] (the score equation solved at the ends);
 *   Welch for a = 1, 2, 3 and b = 2, 3, 4: difference 1, se sqrt(2/3),
 *   Welch-Satterthwaite dof 4, t_{0.975, 4} = 2.7764451051977987 (tables),
 *   Cohen's d = 1 (pooled sd 1). */
static void test_stats(void)
{
  const double x[4] = {1, 2, 3, 4}, a[3] = {1, 2, 3}, b[3] = {2, 3, 4}, z = 1.96;
  double m, sd, lo, hi, diff, eff;
  li2_stats_mean_sd(x, 4, &m, &sd);
  ok(m == 2.5 && fabs(sd - sqrt(5.0 / 3)) < 1e-15, "mean 2.5 and sample sd sqrt(5/3) (%.17g)", sd);
  li2_stats_wilson(0, 10, z, &lo, &hi);
  ok(fabs(lo) < 1e-15 && fabs(hi - z * z / (10 + z * z)) < 1e-15,
     "Wilson p = 0, n = 10: [0, z^2/(n + z^2)] = [%g, %g]", lo, hi);
  li2_stats_wilson(1, 10, z, &lo, &hi);
  ok(fabs(lo - 10 / (10 + z * z)) < 1e-15 && fabs(hi - 1) < 1e-15,
     "Wilson p = 1, n = 10: [n/(n + z^2), 1] = [%g, %g]", lo, hi);
  li2_stats_welch(a, b, 3, 0.95, &diff, &lo, &hi, &eff);
  ok(diff == 1 && fabs(lo - (1 - 2.7764451051977987 * sqrt(2.0 / 3))) < 1e-12 &&
         fabs(hi - (1 + 2.7764451051977987 * sqrt(2.0 / 3))) < 1e-12 && fabs(eff - 1) < 1e-15,
     "Welch: 1 +- t(0.975, 4) sqrt(2/3) = [%.12g, %.12g], d = %g", lo, hi, eff);
  /* least squares by hand: (1,1), (2,3), (3,2), (4,4): Sxx 5, Sxy 4, slope
   * 0.8, residual SS 1.8, se sqrt(0.9/5), t(0.975, 2) = 4.302652729696,
   * R^2 = 1 - 1.8/5 */
  const double fx[4] = {1, 2, 3, 4}, fy[4] = {1, 3, 2, 4};
  double sl, r2;
  li2_stats_linfit(fx, fy, 4, 0.95, &sl, &lo, &hi, &r2);
  ok(fabs(sl - 0.8) < 1e-14 && fabs(hi - sl - 4.302652729696 * sqrt(0.18)) < 1e-9 &&
         fabs(sl - lo - 4.302652729696 * sqrt(0.18)) < 1e-9 && fabs(r2 - 0.64) < 1e-14,
     "linfit: slope 0.8 +- t sqrt(0.18) = [%.12g, %.12g], R^2 %.15g", lo, hi, r2);
  /* an exact power law t = 3 / eta in log-log: slope -1, zero width */
  double lx[3], ly[3];
  for (int i = 0; i < 3; i++) {
    lx[i] = log(1e-5 * pow(10, i));
    ly[i] = log(3 / (1e-5 * pow(10, i)));
  }
  li2_stats_linfit(lx, ly, 3, 0.95, &sl, &lo, &hi, &r2);
  ok(fabs(sl + 1) < 1e-12 && hi - lo < 1e-9 && fabs(r2 - 1) < 1e-12,
     "linfit: t = 3/eta gives slope %.15g, width %.3g, R^2 %.15g", sl, hi - lo, r2);
  li2_stats_linfit(fx, fy, 2, 0.95, &sl, &lo, &hi, &r2);
  ok(isnan(sl) && isnan(lo) && isnan(r2), "linfit: NaN with two points");
  /* the mean of 1, 2, 3, 4 with its t interval: sd sqrt(5/3), 3 dof,
   * t(0.975, 3) = 3.182446305284263 (tables); z(0.95) = 1.959963984540054 */
  double half, se;
  li2_stats_mean_ci(x, 4, 0.95, &m, &half);
  ok(m == 2.5 && fabs(half - 3.182446305284263 * sqrt(5.0 / 3) / 2) < 1e-12,
     "mean_ci: 2.5 +- t(0.975, 3) sqrt(5/3)/2 = %.15g", half);
  li2_stats_mean_ci(x, 1, 0.95, &m, &half);
  ok(m == 1 && isnan(half), "mean_ci: one value, NaN half-width");
  {
    double odd[5] = {5, 1, 4, 2, 3}, even[4] = {4, 1, 3, 2};
    ok(li2_stats_median(odd, 5) == 3 && li2_stats_median(even, 4) == 2.5 &&
           isnan(li2_stats_median(even, 0)),
       "median: 3 of 1..5 unsorted, 2.5 of 1..4, NaN of none");
  }
  li2_stats_mean_se(x, 4, &m, &se);
  ok(m == 2.5 && fabs(se - sqrt(5.0 / 3) / 2) < 1e-15, "mean_se: sqrt(5/3)/2 = %.15g", se);
  ok(fabs(li2_stats_normal_quantile(0.95) - 1.959963984540054) < 1e-12,
     "normal quantile at 0.95: %.15g", li2_stats_normal_quantile(0.95));
  /* through the origin, by hand: (1,2), (2,4), (3,7): c = 31/14, SS 5/14,
   * var(c) = SS/(n - 1)/sum x^2 = 5/392, t(0.975, 2) = 4.302652729696 */
  const double ox[3] = {1, 2, 3}, oy[3] = {2, 4, 7};
  double c, rms;
  li2_stats_fit_origin(ox, oy, 3, 0.95, &c, &lo, &hi, &rms);
  ok(fabs(c - 31.0 / 14) < 1e-14 && fabs(hi - c - 4.302652729696 * sqrt(5.0 / 392)) < 1e-9 &&
         fabs(c - lo - 4.302652729696 * sqrt(5.0 / 392)) < 1e-9 &&
         fabs(rms - sqrt(5.0 / 42)) < 1e-14,
     "fit_origin: c = 31/14 +- t sqrt(5/392) = [%.12g, %.12g], rms %.15g", lo, hi, rms);
  li2_stats_fit_origin(ox, oy, 1, 0.95, &c, &lo, &hi, &rms);
  ok(c == 2 && isnan(lo) && isnan(hi) && rms == 0, "fit_origin: one point, no interval");
  /* an exact power law y = 3 x^-1.5; a non-positive and a NaN point skipped */
  const double px[5] = {1, 2, -1, 4, 8}, py[5] = {3, 3 * pow(2, -1.5), 1, NAN, 3 * pow(8, -1.5)};
  ok(fabs(li2_stats_loglog_slope(px, py, 5) + 1.5) < 1e-12, "loglog_slope: -1.5 (%.15g)",
     li2_stats_loglog_slope(px, py, 5));
  ok(isnan(li2_stats_loglog_slope(px + 2, py + 2, 2)), "loglog_slope: NaN with no valid pair");
}

/* maxima_energies' worst case: max_rel_error is the largest relative error
 * |E - M/(2 d_R)| / (M/(2 d_R)) over the components of every group reached
 * from their own component starts, and the headline is that component's
 * level and energy.  Recomputed here from li2_maxima_search with the
 * kind's settings (default maxima parameters, one component start, no
 * random starts, the claim's seed, one thread) and the level from the
 * irrep's degree and indicator (d_R = d or 2d), on four groups whose
 * errors differ. */
static void test_maxima_worst(void)
{
  const char *names[] = {"Z5", "S3", "Q8", "D5"};
  double worst = -1, worst_e = NAN, worst_pred = NAN, second = -1;
  li2_verify_claim *c = good(HEAD "kind = maxima_energies\ngroups = Z5, S3, Q8, D5\n"
                                  "seed = 3\nverdict = components_reached >= 1\n");
  li2_verify_result r;
  li2_error err = {0};
  for (size_t gi = 0; gi < 4; gi++) {
    li2_group *g = li2_group_alloc_name(names[gi], &err);
    li2_characters *ct = g ? li2_characters_alloc(g, &err) : NULL;
    li2_dataset *d = ct ? li2_dataset_alloc_full(g, 2, &err) : NULL;
    li2_maxima_result *res = NULL;
    li2_maxima_params mp;
    li2_maxima_params_default(&mp);
    mp.threads = 1;
    mp.component_starts = 1;
    if (d && li2_maxima_search(g, ct, d, LI2_ACT_SQR, LI2_ENERGY_RAW, &mp, 0, 3, NULL, &res,
                               &err) == 0) {
      size_t nc = res->ncomponents - 1;
      li2_maxima_component *comp = calloc(nc ? nc : 1, sizeof *comp);
      li2_maxima_result_components(res, ct, comp);
      for (size_t k = 0; k < nc; k++) {
        if (!comp[k].by_component_start)
          continue;
        int irr = ct->component_irrep[comp[k].component];
        double dr = ct->indicator[irr] == 1 ? ct->degree[irr] : 2.0 * ct->degree[irr];
        double pred = (double)g->order / (2 * dr);
        double e = fabs(comp[k].energy - pred) / pred;
        if (e > worst) {
          second = worst;
          worst = e;
          worst_pred = pred;
          worst_e = comp[k].energy;
        } else if (e > second) {
          second = e;
        }
      }
      free(comp);
    }
    li2_maxima_result_free(res);
    li2_dataset_free(d);
    li2_characters_free(ct);
    li2_group_free(g);
  }
  ok(worst > 0 && second >= 0 && worst != second,
     "unequal errors: worst %.3g, next %.3g", worst, second);
  if (c && li2_verify_run(c, 0, 1, NULL, &r, &err) == 0) {
    double got = NAN;
    for (size_t k = 0; k < r.nmeasures; k++)
      if (!strcmp(r.measure_name[k], "max_rel_error"))
        got = r.measure[k];
    ok(got == worst, "max_rel_error %.17g = the largest error recomputed %.17g", got, worst);
    ok(r.predicted == worst_pred && r.measured == worst_e,
       "headline: the worst component, level %.17g energy %.17g", r.predicted, r.measured);
    li2_verify_result_clear(&r);
  } else {
    ok(0, "maxima_energies runs (%s)", err.msg);
  }
  li2_verify_claim_free(c);
}

/* The landscape boundary on Z_17 and Z_19: at c' = 4.5 (n = 217 of 289,
 * 249 of 361 pairs) the Fourier features stay maxima, at c' = 1 (48, 56
 * pairs) the climbs leave them, so every seed's boundary is bracketed
 * inside the grid; the result is the same on 1 and 2 threads. */
static void test_energy_boundary(void)
{
  li2_verify_claim *c = good(HEAD "kind = energy_boundary\norders = 17, 19\n"
                                  "grid = 1, 4.5\nrefine = 2\nseeds = 3\nthreshold = 0.5\n"
                                  "verdict = censored <= 0\n");
  li2_verify_result r1, r2;
  li2_error err = {0};
  int rc1 = c ? li2_verify_run(c, 0, 1, NULL, &r1, &err) : -1;
  ok(rc1 == 0, "energy_boundary runs (%s)", err.msg);
  int rc2 = c ? li2_verify_run(c, 0, 2, NULL, &r2, &err) : -1;
  if (rc1 == 0 && rc2 == 0) {
    ok(r1.verdict == LI2_VERIFY_PASS, "no boundary censored: c' = 4.5 keeps the "
       "Fourier maxima, c' = 1 does not");
    /* Two bisections of [1, 4.5] leave brackets of width 7/8 whose
     * midpoints are 23/16 + 14k/16, k = 0..3; c is the mean over 2 orders
     * x 3 seeds, so (96 c - 138)/14 is an integer in [0, 18].  (The
     * prediction, the reference's constant, is not restated here.) */
    {
      double q = (96 * r1.measured - 138) / 14;
      ok(fabs(q - nearbyint(q)) < 1e-9 && q > -0.5 && q < 18.5,
         "c = %g is the mean of six final-bracket midpoints 23/16 + 14k/16 (sum k = %g)",
         r1.measured, q);
    }
    int same = r1.nmeasures == r2.nmeasures;
    for (size_t k = 0; same && k < r1.nmeasures; k++)
      same = !strcmp(r1.measure_name[k], r2.measure_name[k]) &&
             (r1.measure[k] == r2.measure[k] || (isnan(r1.measure[k]) && isnan(r2.measure[k])));
    ok(same, "the same measures on 1 and 2 threads");
    ok(r1.detail && strstr(r1.detail, "| 17 |") && strstr(r1.detail, "| 19 |"),
       "detail table has a row per M");
  }
  if (rc1 == 0)
    li2_verify_result_clear(&r1);
  if (rc2 == 0)
    li2_verify_result_clear(&r2);
  li2_verify_claim_free(c);
  run_claim(HEAD "kind = energy_boundary\norders = 11\ngrid = 2, 1\nverdict = c > 0\n",
            LI2_EINVAL, 0, "x.claim:6: grid: ", "a descending grid names file and line");
  run_claim(HEAD "kind = energy_boundary\norders = 11\ngrid = 1, 2\nstart = 5\nverdict = c > 0\n",
            LI2_EFORMAT, 0, "x.claim:7: start: '5' is not a number in [1, 2]",
            "start outside the grid");
  run_claim(HEAD "kind = energy_boundary\norders = 11\ngrid = 1, 2\nenergy = cubic\n"
            "verdict = c > 0\n", LI2_EINVAL, 0, "x.claim:7: energy: ", "unknown energy variant");
}

static double measure_of(const li2_verify_result *r, const char *name)
{
  for (size_t k = 0; k < r->nmeasures; k++)
    if (!strcmp(r->measure_name[k], name))
      return r->measure[k];
  return NAN;
}

/* depth_trace end to end on a tiny deeper network, and seed_sweep's power
 * law (loglog) and early stop (stop_at_grok) */
static void test_depth_kinds(void)
{
  li2_verify_claim *c =
    good(HEAD "kind = depth_trace\ntrain = M=7 hidden_size=8 other_layers=1 train_size=30 "
              "loss_func=mse activation=relu learning_rate=0.01 num_epochs=40\nseeds = 2\n"
              "every = 5\nacc_from = 0\nverdict = seeds >= 2\n");
  li2_verify_result r;
  li2_error err = {0};
  int rc = c ? li2_verify_run(c, 0, 1, NULL, &r, &err) : -1;
  ok(rc == 0 && r.verdict == LI2_VERIFY_PASS, "depth_trace runs (%s)", err.msg);
  if (rc == 0) {
    double cw = measure_of(&r, "centroid_lowest"), cl = measure_of(&r, "centroid_second");
    ok(cw > 0 && cw <= 40 && cl > 0 && cl <= 40 &&
           fabs(measure_of(&r, "centroid_diff") - (cl - cw)) < 1e-9,
       "centroids within the 40 epochs (W %g, L_1 %g), their mean difference", cw, cl);
    ok(r.detail && strstr(r.detail, " L_1 |") && strstr(r.detail, "| 40 |"),
       "the mean trace has a column per block and a row at the last epoch");
    li2_verify_result_clear(&r);
  }
  li2_verify_claim_free(c);
  run_claim(HEAD "kind = depth_trace\ntrain = M=7 hidden_size=8 num_epochs=5\nseeds = 2\n"
            "verdict = seeds >= 2\n", LI2_EINVAL, 0, "other_layers=0",
            "depth_trace without a layer above W names the parameter");
  /* Z11, K 64: every run groks within 400 epochs at these weight decays
   * (li2 train: epochs 85-160 at seed 2) */
  c = good(HEAD "kind = seed_sweep\ntrain = M=11 hidden_size=64 test_size=0.3 loss_func=mse "
                "num_epochs=400 eval_interval=5 learning_rate=0.01\nvary = weight_decay\n"
                "values = 1e-2, 3e-3\nseeds = 2\nheadline = grok_epoch\nstop_at_grok = 1\n"
                "loglog = 1\nverdict = runs >= 4\n");
  rc = c ? li2_verify_run(c, 0, 1, NULL, &r, &err) : -1;
  ok(rc == 0, "seed_sweep with loglog and stop_at_grok runs (%s)", err.msg);
  if (rc == 0) {
    double a = measure_of(&r, "grok_epoch_first"), b = measure_of(&r, "grok_epoch_last"),
           sl = measure_of(&r, "slope");
    ok(isfinite(sl) && r.measured == sl && measure_of(&r, "slope_ci_low") <= sl &&
           sl <= measure_of(&r, "slope_ci_high"),
       "the headline is the slope %g, inside its interval", sl);
    ok(fabs(measure_of(&r, "ratio") - b / a) < 1e-12, "ratio = mean last / mean first (%g / %g)",
       b, a);
    ok(measure_of(&r, "grok_censored_first") == 0 && measure_of(&r, "grok_censored_last") == 0 &&
           a < 400 && b < 400 && sl < 0,
       "stopped at their grokking epochs, none censored; less weight decay, later (slope %g)", sl);
    li2_verify_result_clear(&r);
  }
  li2_verify_claim_free(c);
  run_claim(HEAD "kind = seed_sweep\ntrain = M=7 hidden_size=8 num_epochs=5\nvary = optim\n"
            "values = adam, muon\nloglog = 1\nverdict = runs >= 4\n", LI2_EINVAL, 0,
            "not a positive number", "loglog with non-numeric values names the parameter");
}

/* seed_sweep runs its trainings in parallel, each on one thread: the
 * same numbers on 1 and 2 threads */
static void test_sweep_threads(void)
{
  li2_verify_claim *c =
    good(HEAD "kind = seed_sweep\ntrain = M=7 hidden_size=8 train_size=30 loss_func=mse "
              "num_epochs=60 learning_rate=0.01\nvary = optim\nvalues = adam, muon\n"
              "seeds = 3\nverdict = runs >= 6\n");
  li2_verify_result r1, r2;
  li2_error err = {0};
  int rc1 = c ? li2_verify_run(c, 0, 1, NULL, &r1, &err) : -1;
  int rc2 = c ? li2_verify_run(c, 0, 2, NULL, &r2, &err) : -1;
  ok(rc1 == 0 && rc2 == 0 && r1.verdict == LI2_VERIFY_PASS, "seed_sweep runs 6 trainings (%s)",
     err.msg);
  if (rc1 == 0 && rc2 == 0) {
    double runs = NAN;
    for (size_t k = 0; k < r1.nmeasures; k++)
      if (!strcmp(r1.measure_name[k], "runs"))
        runs = r1.measure[k];
    ok(runs == 6, "runs = 2 optimisers x 3 seeds = 6 (got %g)", runs);
    int same = r1.nmeasures == r2.nmeasures && r1.nmeasures > 10;
    for (size_t k = 0; same && k < r1.nmeasures; k++)
      same = r1.measure[k] == r2.measure[k] || (isnan(r1.measure[k]) && isnan(r2.measure[k]));
    ok(same, "the same measures on 1 and 2 threads");
    ok(r1.detail && r2.detail && !strcmp(r1.detail, r2.detail), "the same detail tables");
  }
  if (rc1 == 0)
    li2_verify_result_clear(&r1);
  if (rc2 == 0)
    li2_verify_result_clear(&r2);
  li2_verify_claim_free(c);
}

/* every kind's declared measures fit in a result (none silently dropped) */
static void test_kind_measures(void)
{
  size_t worst = 0;
  const char *name = "";
  for (size_t i = 0; li2_verify_kind_name(i); i++)
    if (li2_verify_kind_nmeasures(i) > worst) {
      worst = li2_verify_kind_nmeasures(i);
      name = li2_verify_kind_name(i);
    }
  ok(worst > 0 && worst <= LI2_VERIFY_MAX_MEASURES,
     "every kind's measures fit a result: at most %zu (%s), room for %d", worst, name,
     LI2_VERIFY_MAX_MEASURES);
}

/* The trained boundary on any group list: the adaptive search (bracket +
 * bisection, early stop, 2 threads) against the exhaustive grid at full
 * budget (same lattice: grid step 1 bisected once = step 0.5); reference
 * groups give Thm 4's ratio; two budgets come from one run per probe. */
#define TRAIN_TINY "train = loss_func=mse optim=adam learning_rate=5e-3 weight_decay=2e-4 " \
                   "hidden_size=128 precision=float\n"
static void test_boundary_groups(void)
{
  const char *common = HEAD "kind = boundary\n" TRAIN_TINY "groups = D7, Dic3\n"
                       "reference_groups = Z14, Z12\nbudgets = 300, 600\neval_interval = 50\n"
                       "seeds = 2\nthreshold = 0.9\nstart = 2\nverdict = censored <= 0\n";
  char adaptive[1024], naive[1024];
  snprintf(adaptive, sizeof adaptive, "%sgrid = 1, 2, 3, 4, 5\nrefine = 1\nearly_stop = 2\n", common);
  snprintf(naive, sizeof naive, "%sgrid = 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5\nrefine = 0\nexhaustive = 1\n"
           "early_stop = 2\nearly_stop_shadow = 1\n", common);
  li2_verify_claim *ca = good(adaptive), *cn = good(naive);
  li2_verify_result ra, rn;
  li2_error err = {0};
  int rca = ca ? li2_verify_run(ca, 0, 2, NULL, &ra, &err) : -1;
  ok(rca == 0, "boundary on D7, Dic3 against Z14, Z12 runs (%s)", err.msg);
  int rcn = cn ? li2_verify_run(cn, 0, 1, NULL, &rn, &err) : -1;
  ok(rcn == 0, "the exhaustive grid runs (%s)", err.msg);
  if (rca == 0 && rcn == 0) {
    double dk2 = NAN, ratio = NAN, runs_a = NAN, runs_n = NAN, pairs = NAN;
    for (size_t k = 0; k < ra.nmeasures; k++) {
      if (!strcmp(ra.measure_name[k], "dk2"))
        dk2 = ra.measure[k];
      if (!strcmp(ra.measure_name[k], "ratio"))
        ratio = ra.measure[k];
      if (!strcmp(ra.measure_name[k], "runs"))
        runs_a = ra.measure[k];
    }
    for (size_t k = 0; k < rn.nmeasures; k++) {
      if (!strcmp(rn.measure_name[k], "runs"))
        runs_n = rn.measure[k];
      if (!strcmp(rn.measure_name[k], "pairs"))
        pairs = rn.measure[k];
    }
    ok(dk2 == 4, "Thm 4's ratio (max d_k)^2 = 4 for D7, Dic3 against Z14, Z12: %g", dk2);
    ok(ratio > 0 && ratio == ra.measured, "ratio of the mean boundaries measured: %g", ratio);
    ok(runs_n == 4 * 2 * 9 && pairs == runs_n, "exhaustive: every grid point of every (group, "
       "seed), each a paired run (%g)", runs_n);
    ok(runs_a < runs_n, "adaptive: fewer runs (%g) than the full grid (%g)", runs_a, runs_n);
    ok(ra.detail && strstr(ra.detail, "| Dic3 | 12 |") && strstr(ra.detail, "**Budget 300 epochs.**"),
       "detail names the groups with their orders and each budget");
    /* the same boundaries when the score is monotone in c' on the lattice */
    ok(fabs(ra.measured - rn.measured) <= 0.5 * fabs(ra.measured),
       "adaptive and exhaustive ratios agree within half: %g, %g", ra.measured, rn.measured);
  }
  if (rca == 0)
    li2_verify_result_clear(&ra);
  if (rcn == 0)
    li2_verify_result_clear(&rn);
  li2_verify_claim_free(ca);
  li2_verify_claim_free(cn);
  run_claim(HEAD "kind = boundary\n" TRAIN_TINY "orders = 7\ngroups = S3\ngrid = 1, 2\n"
            "verdict = c > 0\n", LI2_EINVAL, 0, "either orders (cyclic) or groups",
            "orders and groups together");
  run_claim(HEAD "kind = boundary\n" TRAIN_TINY "groups = S3, Z7\nreference_groups = Z6\n"
            "grid = 1, 2\nverdict = c > 0\n", LI2_EINVAL, 0,
            "x.claim:7: reference_groups: needs one reference group per group",
            "a reference per group");
  run_claim(HEAD "kind = boundary\n" TRAIN_TINY "groups = S3\nbudgets = 200, 100\n"
            "grid = 1, 2\nverdict = c > 0\n", LI2_EINVAL, 0, "x.claim:7: budgets: '100'",
            "descending budgets name file and line");
  run_claim(HEAD "kind = boundary\n" TRAIN_TINY "groups = S3, Q9\ngrid = 1, 2\n"
            "verdict = c > 0\n", LI2_EINVAL, 0, "x.claim:6: groups: ", "an unknown group");

  /* the ratio's interval: A = {1, 3}, B = {1, 1}: ratio 2, var(log) = 2/(2 4),
   * one degree of freedom (t 12.706), symmetric in log */
  double a[] = {1, 3}, b[] = {1, 1}, rat, lo, hi;
  li2_stats_ratio(a, 2, b, 2, 0.95, &rat, &lo, &hi);
  ok_close(rat, 2, 1e-15, "ratio of the means");
  ok_close(log(hi / rat), 12.706204736174707 * 0.5, 1e-9, "delta-method half width in log");
  ok_close(log(rat / lo), log(hi / rat), 1e-12, "symmetric in log");
  li2_stats_ratio(a, 1, b, 2, 0.95, &rat, &lo, &hi);
  ok(isnan(rat) && isnan(lo), "NaN with fewer than two values");
  {
    /* paired: differences {1, 3}: mean 2, sd sqrt(2), half width
     * t(0.975, 1) sqrt(2)/sqrt(2) = 12.7062 */
    double pa[] = {5, 1}, pb[] = {6, 4}, d, l2, h2;
    size_t eq;
    li2_stats_paired(pa, pb, 2, 0.95, &d, &l2, &h2, &eq);
    ok_close(d, 2, 1e-15, "paired: mean difference");
    ok_close(h2 - d, 12.706204736174707, 1e-9, "paired: t half width");
    ok(eq == 0, "paired: no equal pairs");
    li2_stats_paired(pa, pa, 2, 0.95, &d, &l2, &h2, &eq);
    ok(d == 0 && l2 == 0 && h2 == 0 && eq == 2, "paired: identical samples give [0, 0], 2 equal");
  }
}

/* Issue 15, defect 12: li2_verify_check reads and parses the full value
 * of every parameter, not only the quick one, without measuring. */
static void check_bad(const char *text, const char *want, const char *what)
{
  li2_verify_claim *c = good(text);
  li2_error err = {0};
  int rc = c ? li2_verify_check(c, &err) : -1;
  ok(c && rc != LI2_SUCCESS && strstr(err.msg, want) && !strchr(err.msg, '\n'),
     "check: %s: '%s'", what, err.msg);
  li2_verify_claim_free(c);
}

static void test_check(void)
{
  check_bad(HEAD "kind = maxima_energies\ngroups = Z7:Z4\nquick.groups = Z5\n"
                 "verdict = maxima >= 1\n", "x.claim:5: groups: ", "groups = Z7:Z4 (full)");
  check_bad(HEAD "kind = maxima_energies\ngroups = Z5\nquick.groups = Z7:Z4\n"
                 "verdict = maxima >= 1\n", "x.claim:6: groups: ", "quick.groups = Z7:Z4");
  check_bad(HEAD "kind = maxima_energies\ngroups = Z5\nstarts = -1\nquick.starts = 0\n"
                 "verdict = maxima >= 1\n", "x.claim:6: starts: '-1' is not a number",
            "starts = -1 (full)");
  check_bad(HEAD "kind = maxima_energies\ngroups = Z5\nstarts = nan\nquick.starts = 0\n"
                 "verdict = maxima >= 1\n", "x.claim:6: starts: 'nan' is not a number",
            "starts = nan (full)");
  check_bad(HEAD "kind = maxima_energies\ngroups = Z5\ntolerance = nan\nquick.tolerance = 1\n"
                 "verdict = maxima >= tolerance\n", "x.claim:6: tolerance: 'nan' is not a number",
            "a rule's parameter tolerance = nan (full)");
  check_bad(HEAD "kind = maxima_energies\ngroups = Z5\nstarts = nan\nquick = no: slow\n"
                 "verdict = maxima >= 1\n", "x.claim:6: starts:", "full values of a quick = no claim");
  check_bad(HEAD "kind = maxima_cyclic\norders = 7, 4x\nquick.orders = 5\n"
                 "verdict = maxima >= 1\n", "x.claim:5: orders:", "orders = 7, 4x (full)");
  check_bad(HEAD "kind = seed_sweep\ntrain = M=7 hidden_size=oops num_epochs=1\n"
                 "quick.train = M=7 hidden_size=8 num_epochs=1\nvary = weight_decay\n"
                 "values = 0, 1e-4\nverdict = runs >= 1\n", "x.claim:5: train:",
            "train = ... hidden_size=oops (full)");
  check_bad(HEAD "kind = seed_sweep\ntrain = M=Z7:Z4 hidden_size=8 num_epochs=1\n"
                 "quick.train = M=7 hidden_size=8 num_epochs=1\nvary = weight_decay\n"
                 "values = 0, 1e-4\nverdict = runs >= 1\n", "x.claim:5: train:",
            "train's group Z7:Z4 (full), found by the trainer");
  check_bad(HEAD "kind = seed_sweep\ntrain = M=7 hidden_size=8 num_epochs=1\n"
                 "vary = weight_decay\nvalues = 0, -1\nquick.values = 0, 1e-4\n"
                 "verdict = runs >= 1\n", "x.claim:7: values:",
            "a varied value (full) in the trainer's configuration");
  check_bad(HEAD "kind = lemma1_width\ngroup = Z7\neta = 1\nK = 4, 2\nquick.K = 2, 4\n"
                 "verdict = n >= 1\n", "x.claim:7: K:", "K not ascending (full)");
  check_bad(HEAD "kind = muon_dynamics\na = 2\nL = 2, 5\nreps = 1e9x\nquick.reps = 40\n"
                 "verdict = lost_nodes >= 1\n", "x.claim:7: reps:", "reps = 1e9x (full)");
  /* the message names the group's order, read before the group is freed
   * (it printed freed memory: 94875787803392 for S4) */
  check_bad(HEAD "kind = memorisation\ngroup = S4\ntarget = 99\nquick.target = 3\n"
                 "activations = sqr\nverdict = max_split <= 1\n",
            "x.claim:6: target: target 99: not below the order 24", "target 99 of S4 (full)");

  /* every claim of theory/: the check passes, reads every parameter given,
   * and does not measure (no measure or detail recorded; the slowest check's
   * time is printed as information, not tested: timing belongs in bench/) */
  const char *top = getenv("top_srcdir");
  char pat[4096];
  glob_t gl;
  snprintf(pat, sizeof pat, "%s/theory/*.claim", top ? top : ".");
  if (glob(pat, 0, NULL, &gl) != 0 || gl.gl_pathc == 0) {
    ok(0, "claims found under %s", pat);
    return;
  }
  size_t bad = 0, unread = 0, measured = 0;
  double worst = 0;
  const char *slowest = "";
  for (size_t i = 0; i < gl.gl_pathc; i++) {
    li2_verify_claim *c = NULL;
    li2_error err = {0};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = li2_verify_claim_load(gl.gl_pathv[i], &c, &err) || li2_verify_check(c, &err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double dt = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
    if (dt > worst) {
      worst = dt;
      slowest = gl.gl_pathv[i];
    }
    if (rc) {
      bad++;
      diag("%s", err.msg);
    }
    if (!rc && li2_verify_check_measures(c)) {
      measured++;
      diag("%s: the check recorded %zu measures", gl.gl_pathv[i], li2_verify_check_measures(c));
    }
    for (size_t k = 0; !rc && li2_verify_check_unread(c, k); k++) {
      unread++;
      diag("%s: parameter '%s' not read by the check", gl.gl_pathv[i],
           li2_verify_check_unread(c, k));
    }
    li2_verify_claim_free(c);
  }
  ok(bad == 0, "every claim of theory/ (%zu) passes the check", gl.gl_pathc);
  ok(unread == 0, "the check reads every parameter the claims give (%zu unread)", unread);
  ok(measured == 0, "the check does not measure (%zu claims recorded measures)", measured);
  diag("slowest check %.3f s (%s)", worst, slowest);
  globfree(&gl);
}

int main(void)
{
  test_check();
  test_kind_measures();
  test_parse_errors();
  test_parse_good();
  test_run();
  test_stats();
  test_maxima_worst();
  test_quick_key();
  test_energy_boundary();
  test_sweep_threads();
  test_depth_kinds();
  test_boundary_groups();
  return tap_done();
}
