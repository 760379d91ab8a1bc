/* li2 verify: kinds that train networks: weight decay on/off and a
 * setting varied over seeds (doc/mathematics.md sections 2, 6, 7). */
#include "verify_kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "characters.h"
#include "compare.h"
#include "dataset.h"
#include "group.h"
#include "process.h"
#include "stages.h"
#include "stats.h"
#include "train.h"

/* SPEC and EXTRA ("key=value ...") through li2 train's parser into CFG; CHECK: also what the
 * trainer checks when it starts (group, split file, w=, ...). */
static int config_parse(const char *spec, const char *extra, int check, li2_train_config *cfg,
                        li2_error *err)
{
  int rc;
  size_t len = strlen(spec) + (extra ? strlen(extra) : 0) + 2;
  char *buf = malloc(len), *argv[128], *save = NULL;
  int argc = 0;
  li2_args *a = NULL;
  if (!buf)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  snprintf(buf, len, "%s %s", spec, extra ? extra : "");
  for (char *w = strtok_r(buf, " \t", &save); w && argc < 128; w = strtok_r(NULL, " \t", &save))
    argv[argc++] = w;
  rc = li2_args_parse(&a, li2_train_spec, argc, argv, err);
  if (!rc)
    rc = li2_train_config_from_args(a, cfg, err);
  li2_args_free(a);
  free(buf);
  if (!rc && check) {
    li2_trainer *t = li2_trainer_alloc(cfg, NULL, NULL, err);
    rc = t ? LI2_SUCCESS : err && err->code ? err->code : LI2_EINVAL;
    li2_trainer_free(t);
  }
  return rc;
}

int li2_verify_train_config(const li2_verify_claim *c, int quick, const char *key,
                        const char *extra, li2_train_config *cfg, li2_error *err)
{
  const char *spec;
  int rc;
  if ((rc = li2_verify_param_string(c, quick, key, NULL, &spec, err)))
    return rc;
  if (config_parse(spec, extra, li2_verify_checking(c), cfg, err))
    return li2_verify_param_fail(c, quick, key, err);
  return LI2_SUCCESS;
}

/* The claim's "train" configuration (with EXTRA) trained for its epochs
 * and tested into TM.  *T, when allocated, is the caller's to free, also
 * on failure. */
int li2_verify_train_trained(const li2_verify_claim *c, int quick, int threads, const char *extra,
                         li2_train_config *cfg, li2_trainer **t, li2_train_metrics *tm,
                         li2_error *err)
{
  int rc;
  *t = NULL;
  if ((rc = li2_verify_train_config(c, quick, "train", extra, cfg, err)) ||
      li2_verify_checking(c))
    return rc;
  if (threads >= 0)  /* < 0: inside a parallel job (li2_process_run_jobs) */
    li2_process_set_threads(threads);
  if (!(*t = li2_trainer_alloc(cfg, NULL, NULL, err)))
    return li2_verify_param_fail(c, quick, "train", err);
  for (long e = 0; !rc && e < cfg->num_epochs; e++)
    rc = li2_trainer_iterate(*t, err);
  if (!rc)
    rc = li2_trainer_test(*t, tm, err);
  return rc;
}
/* ------------------------------------------------------------------ */
/* C4: weight decay is needed (doc/mathematics.md sections 2 and 7)              */

static const char *const wd_params[] = {"train", "weight_decay_off", "weight_decay_on", NULL};
static const char *const wd_measures[] = {"test_acc_off", "test_acc_on", "train_acc_off",
                                          "train_acc_on", "chance", "gf_off", NULL};

static int train_run(const li2_verify_claim *c, int quick, int threads, double wd,
                     li2_train_metrics *tm, double *gf0, size_t *M, li2_error *err)
{
  char extra[64];
  li2_train_config cfg;
  li2_trainer *t;
  int rc;
  snprintf(extra, sizeof extra, "weight_decay=%.17g", wd);
  if ((rc = li2_verify_train_config(c, quick, "train", extra, &cfg, err)) ||
      li2_verify_checking(c))
    return rc;
  li2_process_set_threads(threads);
  if (!(t = li2_trainer_alloc(&cfg, NULL, NULL, err)))
    return li2_verify_param_fail(c, quick, "train", err);
  *M = li2_trainer_group(t)->order;
  rc = li2_trainer_test(t, tm, err);
  *gf0 = tm->gf_norm;
  for (long e = 0; !rc && e < cfg.num_epochs; e++)
    rc = li2_trainer_iterate(t, err);
  if (!rc)
    rc = li2_trainer_test(t, tm, err);
  li2_trainer_free(t);
  return rc;
}

static int kind_weight_decay(const li2_verify_claim *c, int quick, int threads,
                             li2_verify_result *r, li2_error *err)
{
  double off, on, gf_off0, gf_on0;
  li2_train_metrics a, b;
  size_t M = 0;
  int rc;
  if ((rc = li2_verify_param_double(c, quick, "weight_decay_off", "0", 0, 0, &off, err)) ||
      (rc = li2_verify_param_double(c, quick, "weight_decay_on", "2e-4", 0, 1e6, &on, err)) ||
      (rc = train_run(c, quick, threads, off, &a, &gf_off0, &M, err)) ||
      (rc = train_run(c, quick, threads, on, &b, &gf_on0, &M, err)) || li2_verify_checking(c))
    return rc;
  li2_verify_text t = {0};
  li2_verify_measure_set(r, "test_acc_off", a.test_acc);
  li2_verify_measure_set(r, "test_acc_on", b.test_acc);
  li2_verify_measure_set(r, "train_acc_off", a.train_acc);
  li2_verify_measure_set(r, "train_acc_on", b.train_acc);
  li2_verify_measure_set(r, "chance", 1.0 / (double)M);
  li2_verify_measure_set(r, "gf_off", a.gf_norm);
  r->predicted = 1.0 / (double)M;
  r->measured = a.test_acc;
  snprintf(r->what, sizeof r->what,
           "test acc. without weight decay (chance 1/M); with it: %.3f", b.test_acc);
  li2_verify_printf(&t, "Trainer: `%s`.\n\n| weight decay | train acc | test acc | final \\|G_F\\| |\n"
              "|---|---|---|---|\n| %g | %.4f | %.4f | %.3e |\n| %g | %.4f | %.4f | %.3e |\n\n"
              "Chance level 1/M = %.4f.\n",
          li2_verify_claim_param(c, "train", quick, NULL), off, a.train_acc, a.test_acc,
          a.gf_norm, on, b.train_acc, b.test_acc, b.gf_norm, 1.0 / (double)M);
  r->detail = t.s;
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* C7, C8: a trainer setting varied over seeds (doc/mathematics.md sections 6, 7) */

static const char *const sweep_params[] = {"train", "vary", "values", "seeds", "seed0",
                                           "threshold", "confidence", "headline", "energy",
                                           "stop_at_grok", "loglog", NULL};
#define SWEEP_METRICS 7
static const char *const sweep_metric[SWEEP_METRICS] = {"test_acc", "coverage", "generalised",
                                                        "purity", "test_loss", "grok_epoch",
                                                        "energy"};
static const char *const sweep_metric_names[] = {"test_acc", "coverage", "generalised",
                                                "purity", "test_loss", "grok_epoch", "energy",
                                                NULL};
#define SWEEP_MEASURES(m) m "_first", m "_last", m "_diff", m "_ci_low", m "_ci_high", m "_effect"
static const char *const sweep_measures[] = {
  "runs", "grok_censored_first", "grok_censored_last",
  SWEEP_MEASURES("test_acc"), SWEEP_MEASURES("coverage"), SWEEP_MEASURES("generalised"),
  SWEEP_MEASURES("purity"), SWEEP_MEASURES("test_loss"), SWEEP_MEASURES("grok_epoch"),
  SWEEP_MEASURES("energy"), "ratio", "ratio_ci_low", "ratio_ci_high", "slope", "slope_ci_low",
  "slope_ci_high", "slope_r2",
  /* the headline metric, paired by seed (same split and W(0) for every
   * value): mean of last - first, its t interval, seeds with equal values */
  "paired_diff", "paired_ci_low", "paired_ci_high", "paired_equal", NULL};
#undef SWEEP_MEASURES

/* Mean E(w_j/|w_j|) over the active nodes on the run's training set (the
 * empirical landscape of doc/mathematics.md section 4, li2 compare data=train,
 * without the maximiser): Fig. 7's measure of which maxima were found. */
static int sweep_energy(li2_trainer *t, const li2_characters *ct, double *e, li2_error *err)
{
  li2_model *m = li2_trainer_model(t);
  li2_compare_params p;
  li2_compare *c = NULL;
  li2_compare_result *res = NULL;
  int rc = LI2_SUCCESS;
  double sum = 0;
  size_t na = 0;
  li2_compare_params_default(&p);
  p.data = LI2_COMPARE_TRAIN;
  p.maximise = 0;
  p.certify = 0;
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  if (!(c = li2_compare_alloc(li2_trainer_group(t), ct, li2_trainer_dataset(t), m->act, &p, err)))
    rc = err->code;
  if (!rc)
    rc = li2_compare_nodes(c, m->W, m->K, &res, err);
  if (!rc) {
    for (size_t j = 0; j < res->K; j++)
      if (res->nodes[j].active) {
        sum += res->nodes[j].energy;
        na++;
      }
    *e = na ? sum / (double)na : NAN;
  }
  li2_compare_result_free(res);
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  li2_compare_free(c);
  return rc;
}

/* One run: train with the trainer's test every eval_interval epochs (so
 * grok_epoch, the first test accuracy >= 0.95, is recorded; a run that
 * never groks counts as num_epochs, censored), then the metrics.  With
 * STOP the run ends at its grok epoch (the metrics are then those of that
 * epoch). */
static int sweep_run_one(const li2_verify_claim *c, int quick, const char *vary,
                         const char *value, long seed, double threshold, int energy, int stop,
                         double out[SWEEP_METRICS], int *censored, li2_error *err)
{
  char extra[512];
  li2_train_config cfg;
  li2_train_metrics tm;
  li2_trainer *t;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_stages_work *sw = NULL;
  li2_stages_params sp;
  li2_stages_point pt;
  int rc;
  snprintf(extra, sizeof extra, "%s=%s seed=%ld", vary, value, seed);
  if ((rc = li2_verify_train_config(c, quick, "train", extra, &cfg, err)))
    return rc;
  if (!(t = li2_trainer_alloc(&cfg, NULL, NULL, err)))
    return li2_verify_param_fail(c, quick, "train", err);
  for (long e = 0; !rc && e < cfg.num_epochs; e++) {
    rc = li2_trainer_iterate(t, err);
    if (!rc && (e + 1) % cfg.eval_interval == 0 && e + 1 < cfg.num_epochs) {
      rc = li2_trainer_test(t, &tm, err);
      if (stop && li2_trainer_grok_epoch(t) >= 0)
        break;
    }
  }
  if (!rc)
    rc = li2_trainer_test(t, &tm, err);
  const li2_group *g = li2_trainer_group(t);
  li2_model *m = li2_trainer_model(t);
  /* complex weights: coverage, purity and E read real W (doc/mathematics.md
   * section 3), so they are not measured (NaN) */
  const int real_w = !m->cplx;
  /* the FFTW planner (inside the Fourier workspace) is not thread-safe */
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  if (!rc && real_w && (!(ct = li2_characters_alloc(g, err)) ||
              !(f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err)) ||
              !(sw = li2_stages_work_alloc(f, g->order, m->K, m->nops, err))))
    rc = err->code;
  pt.coverage = pt.purity = NAN;
  if (!rc && real_w) {
    li2_stages_params_default(&sp);
    rc = li2_stages_measure(sw, &sp, m->W, NULL, &pt, err);
  }
  out[6] = NAN;
  if (!rc && energy && real_w)
    rc = sweep_energy(t, ct, &out[6], err);
  if (!rc) {
    long ge = li2_trainer_grok_epoch(t);
    out[0] = tm.test_acc;
    out[1] = pt.coverage;
    out[2] = tm.test_acc >= threshold;
    out[3] = pt.purity;
    out[4] = tm.test_loss;
    out[5] = ge < 0 ? (double)cfg.num_epochs : (double)ge;
    *censored = ge < 0;
  }
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  {
    li2_stages_work_free(sw);
    li2_fourier_free(f);
    li2_characters_free(ct);
  }
  li2_trainer_free(t);
  return rc;
}

/* job i = value i / seeds, seed i % seeds (values in the claim's order) */
typedef struct sweep_job {
  const li2_verify_claim *c;
  int quick;
  const char *vary;
  const char *const *names;
  size_t ns;
  long seed0;
  double threshold;
  int energy, stop;
  double *x;  /* [value][metric][seed] */
  int *censored;  /* [value][seed]: the run never reached test acc 0.95 */
} sweep_job;

static int sweep_one(void *ctx, size_t i, int thread, li2_error *err)
{
  (void)thread;
  const sweep_job *j = ctx;
  size_t v = i / j->ns, s = i % j->ns;
  double o[SWEEP_METRICS];
  int rc = sweep_run_one(j->c, j->quick, j->vary, j->names[v], j->seed0 + (long)s,
                         j->threshold, j->energy, j->stop, o, j->censored + i, err);
  if (!rc)
    for (int k = 0; k < SWEEP_METRICS; k++)
      j->x[(v * SWEEP_METRICS + (size_t)k) * j->ns + s] = o[k];
  return rc;
}

static int kind_seed_sweep(const li2_verify_claim *c, int quick, int threads,
                           li2_verify_result *r, li2_error *err)
{
  const char *vary, *values, *headline;
  long seeds, seed0, energy, stop, loglog;
  double threshold, conf;
  int rc;
  if ((rc = li2_verify_param_string(c, quick, "vary", NULL, &vary, err)) ||
      (rc = li2_verify_param_string(c, quick, "values", NULL, &values, err)) ||
      (rc = li2_verify_param_long(c, quick, "seeds", "5", 2, 100000, &seeds, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed0", "1", 0, 4294967295L, &seed0, err)) ||
      (rc = li2_verify_param_double(c, quick, "threshold", "0.9", 0, 1, &threshold, err)) ||
      (rc = li2_verify_param_double(c, quick, "confidence", "0.95", 0.5, 0.9999, &conf, err)) ||
      (rc = li2_verify_param_string(c, quick, "headline", "test_acc", &headline, err)) ||
      (rc = li2_verify_param_long(c, quick, "energy", "0", 0, 1, &energy, err)) ||
      (rc = li2_verify_param_long(c, quick, "stop_at_grok", "0", 0, 1, &stop, err)) ||
      (rc = li2_verify_param_long(c, quick, "loglog", "0", 0, 1, &loglog, err)))
    return rc;
  if (!li2_verify_in_list(sweep_metric_names, headline)) {
    li2_error_set(err, LI2_EINVAL, "'%s' is not test_acc, coverage, generalised, purity, "
                  "test_loss, grok_epoch or energy", headline);
    return li2_verify_param_fail(c, quick, "headline", err);
  }
  char *list = strdup(values), *names[32];
  if (!list)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  size_t nv = li2_verify_split_list(list, names, 32);
  if (nv < 2) {
    free(list);
    li2_error_set(err, LI2_EINVAL, "needs at least two values");
    return li2_verify_param_fail(c, quick, "values", err);
  }
  double vnum[32];
  for (size_t v = 0; v < nv && loglog; v++) {
    char *end;
    vnum[v] = strtod(names[v], &end);
    if (*end || !(vnum[v] > 0)) {
      li2_error_set(err, LI2_EINVAL, "loglog = 1: '%s' is not a positive number", names[v]);
      free(list);
      return li2_verify_param_fail(c, quick, "values", err);
    }
  }
  if (li2_verify_checking(c)) {
    /* the configuration, then every value in it as sweep_run_one sets it */
    li2_train_config cfg;
    const char *spec = li2_verify_claim_param(c, "train", quick, NULL);
    rc = li2_verify_train_config(c, quick, "train", NULL, &cfg, err);
    /* a value of a key the parser validates fully and the trainer's
     * allocation never looks at needs no trainer built (a Z71, K 2048
     * trainer per value made C39's check take a second) */
    static const char *const parse_only[] = {"weight_decay", "learning_rate",
                                             "top_layer_init_multiplier", "output_multiplier",
                                             "num_epochs", "eval_interval", NULL};
    for (size_t v = 0; v < nv && !rc; v++) {
      char extra[512];
      int full = !li2_verify_in_list(parse_only, vary) || strpbrk(names[v], "= \t");
      snprintf(extra, sizeof extra, "%s=%s seed=%ld", vary, names[v], seed0);
      if ((rc = config_parse(spec, extra, full, &cfg, err)))
        rc = li2_verify_param_fail(c, quick, "values", err);
    }
    free(list);
    return rc;
  }
  size_t ns = (size_t)seeds;
  double *x = malloc(nv * ns * SWEEP_METRICS * sizeof *x);  /* [value][metric][seed] */
  int *cens = calloc(nv * ns, sizeof *cens);
  li2_verify_text t = {0};
  if (!x || !cens) {
    free(x);
    free(cens);
    free(list);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  sweep_job job = {c, quick, vary, (const char *const *)names, ns, seed0, threshold,
                   (int)energy, (int)stop, x, cens};
  rc = li2_verify_run_jobs(r, nv * ns, threads, sweep_one, &job, err);
  if (!rc) {
    li2_verify_printf(&t, "Trainer: `%s`, %s varied, %zu seeds from %ld; generalised: test acc >= %g.\n\n"
                "| %s | test acc (mean, sd) | coverage (mean, sd) | generalised | "
                "purity of active nodes (mean, sd) | test loss (mean, sd) | "
                "epoch of test acc 0.95 (mean, sd; never) | E of active nodes on the "
                "training set (mean, sd) |\n|---|---|---|---|---|---|---|---|\n",
            li2_verify_claim_param(c, "train", quick, NULL), vary, ns, seed0, threshold, vary);
    for (size_t v = 0; v < nv; v++) {
      double m[SWEEP_METRICS], sd[SWEEP_METRICS];
      for (int k = 0; k < SWEEP_METRICS; k++)
        li2_stats_mean_sd(x + (v * SWEEP_METRICS + (size_t)k) * ns, ns, &m[k], &sd[k]);
      size_t nc = 0;
      for (size_t q = 0; q < ns; q++)
        nc += (size_t)cens[v * ns + q];
      li2_verify_printf(&t, "| %s | %.4f (%.4f) | %.4f (%.4f) | %.0f / %zu | %.4f (%.4f) | "
                        "%.4g (%.3g) | %.0f (%.0f; %zu) | %.4g (%.3g) |\n", names[v],
              m[0], sd[0], m[1], sd[1], m[2] * (double)ns, ns, m[3], sd[3], m[4], sd[4],
              m[5], sd[5], nc, m[6], sd[6]);
      if (v == 0 || v == nv - 1)
        li2_verify_measure_set(r, v == 0 ? "grok_censored_first" : "grok_censored_last",
                               (double)nc);
    }
    li2_verify_printf(&t, "\n| metric | %s = %s | %s = %s | difference | %.0f%% interval | effect size |\n"
                "|---|---|---|---|---|---|\n", vary, names[0], vary, names[nv - 1], 100 * conf);
    li2_verify_measure_set(r, "runs", (double)(nv * ns));
    for (int k = 0; k < SWEEP_METRICS; k++) {
      const double *a = x + ((size_t)k) * ns, *b = x + ((nv - 1) * SWEEP_METRICS + (size_t)k) * ns;
      double ma, sa, mb, sb, diff, lo, hi, eff;
      char name[32];
      li2_stats_mean_sd(a, ns, &ma, &sa);
      li2_stats_mean_sd(b, ns, &mb, &sb);
      if (k == 2)
        li2_stats_newcombe(ma, mb, ns, conf, &diff, &lo, &hi, &eff);
      else
        li2_stats_welch(a, b, ns, conf, &diff, &lo, &hi, &eff);
#define M_(suffix, val)                                               \
      snprintf(name, sizeof name, "%s_" suffix, sweep_metric[k]);      \
      li2_verify_measure_set(r, name, val)
      M_("first", ma);
      M_("last", mb);
      M_("diff", diff);
      M_("ci_low", lo);
      M_("ci_high", hi);
      M_("effect", eff);
#undef M_
      li2_verify_printf(&t, "| %s | %.4f | %.4f | %+.4f | [%+.4f, %+.4f] | %s %.3f |\n", sweep_metric[k],
              ma, mb, diff, lo, hi, k == 2 ? "Cohen's h" : "Cohen's d", eff);
    }
    /* the headline's ratio last / first, and with loglog its power law
     * over every run: log metric = a + slope log value (paper Sec. 7) */
    int hk = 0;
    while (strcmp(sweep_metric[hk], headline))
      hk++;
    double rat, rlo, rhi, sl = NAN, slo = NAN, shi = NAN, r2 = NAN;
    li2_stats_ratio(x + ((nv - 1) * SWEEP_METRICS + (size_t)hk) * ns, ns,
                    x + ((size_t)hk) * ns, ns, conf, &rat, &rlo, &rhi);
    li2_verify_measure_set(r, "ratio", rat);
    li2_verify_measure_set(r, "ratio_ci_low", rlo);
    li2_verify_measure_set(r, "ratio_ci_high", rhi);
    li2_verify_printf(&t, "\nRatio of the %s means, %s = %s over %s = %s: %.4g, %.0f%% interval "
                      "[%.4g, %.4g] (delta method on the log ratio).\n", headline, vary,
                      names[nv - 1], vary, names[0], rat, 100 * conf, rlo, rhi);
    if (loglog) {
      double *lx = malloc(nv * ns * sizeof *lx), *ly = malloc(nv * ns * sizeof *ly);
      size_t np = 0;
      if (!lx || !ly) {
        free(lx);
        free(ly);
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      } else {
        for (size_t v = 0; v < nv; v++)
          for (size_t q = 0; q < ns; q++) {
            double y = x[(v * SWEEP_METRICS + (size_t)hk) * ns + q];
            if (y > 0) {
              lx[np] = log(vnum[v]);
              ly[np++] = log(y);
            }
          }
        li2_stats_linfit(lx, ly, np, conf, &sl, &slo, &shi, &r2);
        free(lx);
        free(ly);
        li2_verify_printf(&t, "\nPower law over the %zu runs with %s > 0: log %s = a + b log %s, "
                          "b = %.4f, %.0f%% interval [%.4f, %.4f], R^2 = %.4f.\n", np, headline,
                          headline, vary, sl, 100 * conf, slo, shi, r2);
      }
    }
    li2_verify_measure_set(r, "slope", sl);
    li2_verify_measure_set(r, "slope_ci_low", slo);
    li2_verify_measure_set(r, "slope_ci_high", shi);
    li2_verify_measure_set(r, "slope_r2", r2);
    {
      size_t kh = 0, eq;
      double pd, plo, phi;
      while (strcmp(sweep_metric[kh], headline))
        kh++;
      li2_stats_paired(x + kh * ns, x + ((nv - 1) * SWEEP_METRICS + kh) * ns, ns, conf, &pd, &plo,
                       &phi, &eq);
      li2_verify_measure_set(r, "paired_diff", pd);
      li2_verify_measure_set(r, "paired_ci_low", plo);
      li2_verify_measure_set(r, "paired_ci_high", phi);
      li2_verify_measure_set(r, "paired_equal", (double)eq);
      li2_verify_printf(&t, "\n%s paired by seed (%s = %s minus %s = %s): mean %+.4f, %.0f%% t "
                        "interval [%+.4f, %+.4f], equal in %zu of %zu seeds; per seed:",
                        headline, vary, names[nv - 1], vary, names[0], pd, 100 * conf, plo, phi,
                        eq, ns);
      for (size_t q = 0; q < ns; q++)
        li2_verify_printf(&t, " %.4g/%.4g", x[kh * ns + q],
                          x[((nv - 1) * SWEEP_METRICS + kh) * ns + q]);
      li2_verify_printf(&t, "\n");
    }
    /* the headline: the difference of one metric, with its interval */
    char hname[40];
    snprintf(hname, sizeof hname, "%s_diff", headline);
    r->measured = li2_verify_operand(c, quick, r, hname);
    snprintf(hname, sizeof hname, "%s_ci_low", headline);
    double hlo = li2_verify_operand(c, quick, r, hname);
    snprintf(hname, sizeof hname, "%s_ci_high", headline);
    double hhi = li2_verify_operand(c, quick, r, hname);
    snprintf(r->what, sizeof r->what, "%s difference %s -> %s, %.0f%% CI [%+.3f, %+.3f]",
             headline, names[0], names[nv - 1], 100 * conf, hlo, hhi);
    if (loglog) {
      /* the power law is the headline of a loglog sweep */
      r->measured = sl;
      snprintf(r->what, sizeof r->what, "log-log slope of %s against %s over %zu values, "
               "%.0f%% CI [%+.3f, %+.3f], R^2 %.3f", headline, vary, nv, 100 * conf, slo, shi,
               r2);
    }
  }
  r->detail = t.s;
  free(x);
  free(cens);
  free(list);
  return rc;
}

const li2_verify_kind li2_verify_kind_weight_decay = {"weight_decay", wd_params, wd_measures, kind_weight_decay, 1};
const li2_verify_kind li2_verify_kind_seed_sweep = {"seed_sweep", sweep_params, sweep_measures, kind_seed_sweep, 1};
