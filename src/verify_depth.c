/* li2 verify: the depth_trace kind (paper Sec. 6, "the lowest layer learns
 * first"): seeds of a deeper network traced by li2_depth_trace, each
 * block's onset of change compared between the lowest layer W and the
 * next layer. */
#include "verify_kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depth.h"
#include "process.h"
#include "stats.h"
#include "train.h"

static const char *const depth_params[] = {"train", "seeds", "seed0", "every", "frac",
                                           "acc_from", "confidence", NULL};
static const char *const depth_measures[] = {
  "seeds", "onset_lowest", "onset_second", "onset_top", "onset_diff", "onset_diff_ci_low",
  "onset_diff_ci_high", "lowest_first", "peak_lowest", "peak_second", "grok_epoch",
  "never_grokked", "final_test_acc", "centroid_lowest", "centroid_second", "centroid_top",
  "centroid_diff", "centroid_diff_ci_low", "centroid_diff_ci_high", "centroid_lowest_first",
  "stage1_end", NULL};

typedef struct depth_job {
  const li2_verify_claim *c;
  int quick;
  long seed0, every;
  double frac;
  li2_depth_row **rows;  /* [seed] */
  size_t *nrows, *nblocks;
  long *grok;
} depth_job;

static int depth_one(void *ctx, size_t i, int thread, li2_error *err)
{
  (void)thread;
  depth_job *j = ctx;
  li2_train_config cfg;
  char extra[64];
  int rc;
  snprintf(extra, sizeof extra, "seed=%ld", j->seed0 + (long)i);
  if ((rc = li2_verify_train_config(j->c, j->quick, "train", extra, &cfg, err)))
    return rc;
  rc = li2_depth_trace(&cfg, j->every, &j->rows[i], &j->nrows[i], &j->nblocks[i], &j->grok[i],
                       err);
  return rc ? li2_verify_param_fail(j->c, j->quick, "train", err) : rc;
}

static int kind_depth_trace(const li2_verify_claim *c, int quick, int threads,
                            li2_verify_result *r, li2_error *err)
{
  long seeds, seed0, every;
  double frac, conf, acc_from;
  int rc;
  if ((rc = li2_verify_param_long(c, quick, "seeds", "5", 2, 10000, &seeds, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed0", "1", 0, 4294967295L, &seed0, err)) ||
      (rc = li2_verify_param_long(c, quick, "every", "10", 1, 1000000, &every, err)) ||
      (rc = li2_verify_param_double(c, quick, "frac", "0.5", 0.01, 1, &frac, err)) ||
      (rc = li2_verify_param_double(c, quick, "acc_from", "0.99", 0, 1, &acc_from, err)) ||
      (rc = li2_verify_param_double(c, quick, "confidence", "0.95", 0.5, 0.9999, &conf, err)))
    return rc;
  {
    /* the configuration as each job builds it (read before any run, and
     * all li2_verify_checking wants) */
    li2_train_config cfg;
    char extra[64];
    snprintf(extra, sizeof extra, "seed=%ld", seed0);
    if ((rc = li2_verify_train_config(c, quick, "train", extra, &cfg, err)))
      return rc;
    if (cfg.other_layers < 1 || cfg.other_layers + 2 > LI2_DEPTH_MAX_BLOCKS) {
      li2_error_set(err, LI2_EINVAL, "other_layers=%d: the depth trace needs 1 to %d layers "
                    "above W", cfg.other_layers, LI2_DEPTH_MAX_BLOCKS - 2);
      return li2_verify_param_fail(c, quick, "train", err);
    }
    if (li2_verify_checking(c))
      return LI2_SUCCESS;
  }
  size_t ns = (size_t)seeds;
  li2_depth_row **rows = calloc(ns, sizeof *rows);
  size_t *nrows = calloc(ns, sizeof *nrows), *nblocks = calloc(ns, sizeof *nblocks);
  long *grok = calloc(ns, sizeof *grok);
  double *d = calloc(ns, sizeof *d), *z = calloc(ns, sizeof *z), *x = calloc(ns, sizeof *x),
         *dc = calloc(ns, sizeof *dc);
  li2_verify_text t = {0};
  if (!rows || !nrows || !nblocks || !grok || !d || !z || !x || !dc) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  depth_job job = {c, quick, seed0, every, frac, rows, nrows, nblocks, grok};
  if ((rc = li2_verify_run_jobs(r, ns, threads, depth_one, &job, err)))
    goto done;
  size_t nb = nblocks[0], nr = nrows[0];
  long on[LI2_DEPTH_MAX_BLOCKS], pk[LI2_DEPTH_MAX_BLOCKS];
  double s_on[LI2_DEPTH_MAX_BLOCKS] = {0}, s_pk[LI2_DEPTH_MAX_BLOCKS] = {0}, first = 0,
         gsum = 0, acc = 0, never = 0, cen[LI2_DEPTH_MAX_BLOCKS],
         s_cen[LI2_DEPTH_MAX_BLOCKS] = {0}, cfirst = 0, s_from = 0;
  long from;
  li2_verify_printf(&t, "Trainer: `%s`, %zu seeds from %ld, a row every %ld epochs; onset: the "
                    "first epoch at which a block's relative change from its initial value "
                    "|theta(t) - theta(0)| / |theta(0)| reaches %g of its largest; movement "
                    "centroid: sum t step(t) / sum step(t) of the cosine distance step(t) between "
                    "consecutive rows (Fig. 3's measure), from the first row with training "
                    "accuracy >= %g (the end of Stage I).\n\n"
                    "| seed | end of Stage I | centroid W | centroid L_1 | centroid V | onset W (lowest) |",
                    li2_verify_claim_param(c, "train", quick, NULL), ns, seed0, every, frac,
                    acc_from);
  for (size_t b = 1; b + 1 < nb; b++)
    li2_verify_printf(&t, " onset L_%zu |", b);
  li2_verify_printf(&t, " onset V (top) | gradient peak W | gradient peak L_1 | epoch of test "
                    "acc 0.95 | final test acc |\n|---|---|");
  for (size_t b = 1; b < nb + 8; b++)
    li2_verify_printf(&t, "---|");
  li2_verify_printf(&t, "\n");
  for (size_t s = 0; s < ns; s++) {
    li2_depth_onsets(rows[s], nrows[s], nb, frac, on);
    li2_depth_grad_peaks(rows[s], nrows[s], nb, pk);
    li2_depth_centroids(rows[s], nrows[s], nb, acc_from, cen, &from);
    dc[s] = cen[1] - cen[0];
    s_from += (double)from;
    cfirst += cen[0] <= cen[1];
    for (size_t b = 0; b < nb; b++)
      s_cen[b] += cen[b];
    int lowest = on[0] >= 0;
    for (size_t b = 1; b + 1 < nb; b++)
      lowest &= on[b] < 0 || on[0] <= on[b];
    first += lowest;
    for (size_t b = 0; b < nb; b++) {
      s_on[b] += (double)on[b];
      s_pk[b] += (double)pk[b];
    }
    d[s] = (double)(on[1] - on[0]);
    x[s] = grok[s] < 0 ? NAN : (double)grok[s];
    never += grok[s] < 0;
    if (grok[s] >= 0)
      gsum += (double)grok[s];
    acc += rows[s][nrows[s] - 1].test_acc;
    li2_verify_printf(&t, "| %ld | %ld | %.1f | %.1f | %.1f | %ld |", seed0 + (long)s, from, cen[0],
                      cen[1], cen[nb - 1], on[0]);
    for (size_t b = 1; b < nb; b++)
      li2_verify_printf(&t, " %ld |", on[b]);
    li2_verify_printf(&t, " %ld | %ld | %ld | %.4f |\n", pk[0], pk[1], grok[s],
                      rows[s][nrows[s] - 1].test_acc);
  }
  double diff, lo, hi, eff;
  /* one-sample t interval of the paired differences onset(L_1) - onset(W):
   * Welch against a sample of zeros has exactly its variance and n - 1
   * degrees of freedom */
  li2_stats_welch(z, d, ns, conf, &diff, &lo, &hi, &eff);
  double dn = (double)ns, cd, clo, chi;
  li2_stats_welch(z, dc, ns, conf, &cd, &clo, &chi, &eff);
  li2_verify_measure_set(r, "centroid_lowest", s_cen[0] / dn);
  li2_verify_measure_set(r, "centroid_second", s_cen[1] / dn);
  li2_verify_measure_set(r, "centroid_top", s_cen[nb - 1] / dn);
  li2_verify_measure_set(r, "centroid_diff", cd);
  li2_verify_measure_set(r, "centroid_diff_ci_low", clo);
  li2_verify_measure_set(r, "centroid_diff_ci_high", chi);
  li2_verify_measure_set(r, "centroid_lowest_first", cfirst / dn);
  li2_verify_measure_set(r, "stage1_end", s_from / dn);
  li2_verify_measure_set(r, "seeds", dn);
  li2_verify_measure_set(r, "onset_lowest", s_on[0] / dn);
  li2_verify_measure_set(r, "onset_second", s_on[1] / dn);
  li2_verify_measure_set(r, "onset_top", s_on[nb - 1] / dn);
  li2_verify_measure_set(r, "onset_diff", diff);
  li2_verify_measure_set(r, "onset_diff_ci_low", lo);
  li2_verify_measure_set(r, "onset_diff_ci_high", hi);
  li2_verify_measure_set(r, "lowest_first", first / dn);
  li2_verify_measure_set(r, "peak_lowest", s_pk[0] / dn);
  li2_verify_measure_set(r, "peak_second", s_pk[1] / dn);
  li2_verify_measure_set(r, "grok_epoch", never < dn ? gsum / (dn - never) : NAN);
  li2_verify_measure_set(r, "never_grokked", never);
  li2_verify_measure_set(r, "final_test_acc", acc / dn);
  /* the mean trace over seeds (same epochs in every seed), at most ~25 rows */
  li2_verify_printf(&t, "\nMovement centroid of L_1 minus W (paired over seeds): %+.1f epochs, "
                    "%.0f%% interval [%+.1f, %+.1f]; onset of L_1 minus W: %+.1f, [%+.1f, %+.1f].\n",
                    cd, 100 * conf, clo, chi, diff, lo, hi);
  li2_verify_printf(&t, "\nMean over seeds of each block's relative change from its initial "
                    "value, cosine step from the previous row and gradient norm:"
                    "\n\n| epoch | test acc |");
  for (size_t b = 0; b < nb; b++)
    li2_verify_printf(&t, b == 0 ? " W |" : b + 1 == nb ? " V |" : " L_%zu |", b);
  li2_verify_printf(&t, "\n|---|---|");
  for (size_t b = 0; b < nb; b++)
    li2_verify_printf(&t, "---|");
  li2_verify_printf(&t, "\n");
  size_t stride = nr > 25 ? (nr + 24) / 25 : 1;
  for (size_t i = 0; i < nr; i += (i + stride < nr || i + 1 == nr) ? stride : nr - 1 - i) {
    double ta = 0;
    for (size_t s = 0; s < ns; s++)
      ta += rows[s][i].test_acc;
    li2_verify_printf(&t, "| %ld | %.3f |", rows[0][i].epoch, ta / dn);
    for (size_t b = 0; b < nb; b++) {
      double ch = 0, g = 0, st = 0;
      for (size_t s = 0; s < ns; s++) {
        ch += rows[s][i].change[b];
        g += rows[s][i].grad[b];
        st += rows[s][i].step[b];
      }
      li2_verify_printf(&t, " %.3g / %.2g / %.2g |", ch / dn, st / dn, g / dn);
    }
    li2_verify_printf(&t, "\n");
    if (i + 1 == nr)
      break;
  }
  r->measured = cd;
  snprintf(r->what, sizeof r->what, "movement centroid after Stage I of L_1 minus W (lowest), "
           "%.0f%% CI [%+.1f, %+.1f] epochs; W first in %.0f of %zu seeds", 100 * conf, clo, chi,
           cfirst, ns);
done:
  for (size_t s = 0; rows && s < ns; s++)
    free(rows[s]);
  free(rows);
  free(nrows);
  free(nblocks);
  free(grok);
  free(d);
  free(z);
  free(x);
  free(dc);
  r->detail = t.s;
  return rc;
}

const li2_verify_kind li2_verify_kind_depth_trace = {"depth_trace", depth_params, depth_measures,
                                                     kind_depth_trace, 1};
