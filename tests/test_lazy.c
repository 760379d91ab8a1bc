/* Lazy-stage analysis (src/lazy.h) and a run's stage glue (src/stages.h),
 * by properties: backprop equals the closed form and the model is left
 * untouched; the loss at V* is the ridge minimum 1/2 <Y~, R>; the
 * trainer's gradient differs from G_F by the sample-constant term the two
 * centrings predict; exact nodes are pure; the modulation of doc/mathematics.md
 * section 5 and its no-modulation baseline; a trained run's checkpoints
 * (W_0 reproduced exactly) and the table files. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "characters.h"
#include "dataset.h"
#include "fourier.h"
#include "gradient.h"
#include "group.h"
#include "io.h"
#include "lazy.h"
#include "stages.h"
#include "tap.h"
#include "train.h"

/* Y~ (n x M): one-hot labels centred over samples. */
static double *centred_labels(const int *y, size_t n, size_t M)
{
  double *Yt = calloc(n * M, sizeof *Yt), *freq = calloc(M, sizeof *freq);
  for (size_t s = 0; s < n; s++)
    freq[y[s]] += 1.0 / (double)n;
  for (size_t s = 0; s < n; s++)
    for (size_t c = 0; c < M; c++)
      Yt[s * M + c] = (y[s] == (int)c) - freq[c];
  free(freq);
  return Yt;
}

/* A group with its characters, Fourier workspace and full data table. */
typedef struct {
  li2_group *g;
  li2_characters *ct;
  li2_fourier *f;
  li2_dataset *d;
} fixture;

static fixture fixture_alloc(const char *name)
{
  li2_error err = {0};
  fixture x = {NULL, NULL, NULL, NULL};
  if ((x.g = li2_group_alloc_name(name, &err)) && (x.ct = li2_characters_alloc(x.g, &err)))
    x.f = li2_fourier_alloc(x.g, x.ct, LI2_FOURIER_AUTO, &err);
  if (x.f)
    x.d = li2_dataset_alloc_full(x.g, 2, &err);
  if (!x.d)
    diag("fixture %s: %s", name, err.msg);
  return x;
}

static void fixture_free(fixture *x)
{
  li2_dataset_free(x->d);
  li2_fourier_free(x->f);
  li2_characters_free(x->ct);
  li2_group_free(x->g);
}

/* A random 2-layer network on N random samples of Z_M: closed form against
 * backprop over an eta sweep (primal K <= n and dual K > n paths). */
static void test_check(gsl_rng *rng, size_t M, size_t K, size_t n)
{
  li2_error err = {0};
  li2_model *m = li2_model_alloc(M, 2, K, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
  int *x = malloc(2 * n * sizeof *x), *y = malloc(n * sizeof *y);
  double *V0 = malloc(K * M * sizeof *V0), *R = malloc(n * M * sizeof *R);
  double *G = malloc(n * K * sizeof *G), *Yt;
  const double eta[5] = {1e-3, 1e-1, 10, 1e3, 1e6};
  li2_lazy_check c[5];
  li2_lazy *L;
  double worst = 0, loss_dev = 0;
  int rc, decreasing = 1, epochs = 1;
  li2_model_init(m, rng, 1.0);
  for (size_t s = 0; s < n; s++) {
    x[2 * s] = (int)gsl_rng_uniform_int(rng, M);
    x[2 * s + 1] = (int)gsl_rng_uniform_int(rng, M);
    y[s] = (x[2 * s] + x[2 * s + 1]) % (int)M;
  }
  Yt = centred_labels(y, n, M);
  memcpy(V0, m->V, K * M * sizeof *V0);
  L = li2_lazy_alloc(m, n, &err);
  rc = L ? li2_lazy_set(L, x, y, &err) : err.code;
  if (!rc)
    rc = li2_lazy_check_sweep(L, 7, eta, 5, c, &err);
  ok(rc == 0, "M=%zu K=%zu n=%zu: sweep runs %s", M, K, n, rc ? err.msg : "");
  for (int i = 0; i < 5 && !rc; i++) {
    double yr = 0;
    worst = fmax(worst, fmax(c[i].cf_rel, c[i].r_rel));
    epochs &= c[i].epoch == 7 && c[i].eta == eta[i];
    if (i > 0)
      decreasing &= c[i].rel_distance < c[i - 1].rel_distance;
    /* ridge minimum: min_V 1/2 |Y~ - F~ V|^2 + eta/2 |V|^2 = 1/2 <Y~, R> */
    li2_gradient_closed_form(li2_lazy_gradient(L), eta[i], R, G, &err);
    for (size_t k = 0; k < n * M; k++)
      yr += Yt[k] * R[k];
    loss_dev = fmax(loss_dev, fabs(c[i].lazy_loss - 0.5 * yr) / (0.5 * yr));
  }
  ok(!rc && worst < 1e-9, "M=%zu K=%zu n=%zu: backprop = closed form for G_F and R (%.2e)", M,
     K, n, worst);
  ok(!rc && loss_dev < 1e-10, "lazy loss at V* = 1/2 <Y~, R> (rel. dev. %.2e)", loss_dev);
  ok(!rc && decreasing && c[4].rel_distance < 1e-3,
     "independence distance decreases with eta, to %.2e at eta = 1e6", c[4].rel_distance);
  ok(epochs, "rows carry the epoch and eta given");
  ok(!memcmp(V0, m->V, K * M * sizeof *V0), "the model's V is restored bit for bit");
  li2_lazy_free(L);
  li2_lazy_free(NULL);
  li2_model_free(m);
  m = li2_model_alloc(M, 2, K, 1, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
  L = li2_lazy_alloc(m, n, &err);
  ok(!L && err.code == LI2_EUNSUP, "other_layers refused: %s", err.msg);
  li2_model_free(m);
  free(x), free(y), free(V0), free(R), free(G), free(Yt);
}

/* The trainer's own gradient at V = V* (full table of Z_M: balanced
 * labels).  With V* 1 = 0 the output centring does nothing, so
 * -(n/2) dLoss/dF = (Y - 1/M - F V*) V*^T while G_F = (Y~ - F~ V*) V*^T:
 * they differ by the sample-constant 1 (V* V*^T mean(F))^T, whose norm is
 * sqrt(n) |V* V*^T mean(F)|. */
static void test_trainer(gsl_rng *rng)
{
  li2_error err = {0};
  const size_t M = 11, K = 9;
  const double eta = 0.3;
  fixture x = fixture_alloc("11");
  const li2_dataset *d = x.d;
  const size_t n = d->ntrain;
  li2_model *m = li2_model_alloc(M, 2, K, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
  li2_lazy *L = li2_lazy_alloc(m, n, &err);
  double *Vs = malloc(K * M * sizeof *Vs), *G = malloc(n * K * sizeof *G);
  double mean[9] = {0}, z[11], gn = 0, zn = 0;
  li2_lazy_trainer t;
  li2_train_config cfg;
  int rc;
  li2_model_init(m, rng, 1.0);
  li2_lazy_set(L, d->train_x, d->train_y, &err);
  ok(li2_lazy_trainer_compute(L, 0, &t, &err) == 0 && t.eta == 0 && isnan(t.loss) &&
         isnan(t.gf_rel) && isnan(t.v_rel), "eta = 0: no closed form, NaN");
  li2_gradient_ridge(li2_lazy_gradient(L), eta, Vs, &err);
  li2_gradient_closed_form(li2_lazy_gradient(L), eta, NULL, G, &err);
  /* V = V* plus a constant per node: centred over outputs it is V* */
  for (size_t j = 0; j < K; j++)
    for (size_t c = 0; c < M; c++)
      m->V[j * M + c] = Vs[j * M + c] + 0.1 * (double)j;
  rc = li2_lazy_trainer_compute(L, eta, &t, &err);
  ok(rc == 0 && t.v_rel < 1e-12, "V = V* + const per node: v_rel %.2e", t.v_rel);
  memcpy(m->V, Vs, K * M * sizeof *Vs);
  li2_lazy_trainer_compute(L, eta, &t, &err);
  for (size_t s = 0; s < n; s++)
    for (size_t j = 0; j < K; j++)
      mean[j] += li2_lazy_features(L)[s * K + j] / (double)n;
  for (size_t c = 0; c < M; c++) {
    z[c] = 0;
    for (size_t j = 0; j < K; j++)
      z[c] += Vs[j * M + c] * mean[j];
  }
  for (size_t j = 0; j < K; j++) {
    double v = 0;
    for (size_t c = 0; c < M; c++)
      v += Vs[j * M + c] * z[c];
    zn += v * v;
  }
  for (size_t i = 0; i < n * K; i++)
    gn += G[i] * G[i];
  ok_close(t.gf_rel, sqrt((double)n * zn / gn), 1e-8,
           "trainer gradient vs G_F = sqrt(n) |V* V*^T mean F| / |G_F| (%.6g)", t.gf_rel);
  ok(isfinite(t.loss) && t.loss > 0, "trainer loss %.6g", t.loss);
  memset(&cfg, 0, sizeof cfg);
  cfg.optim.weight_decay = 0.004;
  ok_close(li2_lazy_trainer_eta(&cfg, 50), 0.1, 1e-15, "weight decay: eta = n wd / 2");
  cfg.use_ridge = 1;
  cfg.set_weight_reg = 0.3;
  ok(li2_lazy_trainer_eta(&cfg, 50) == 0.3, "set_weight_reg: eta = lambda");
  li2_lazy_free(L);
  li2_model_free(m);
  fixture_free(&x);
  free(Vs), free(G);
}

/* Exact nodes carry their component alone; fresh ones have the asked
 * scale; the seed fixes everything. */
static void test_model(const char *name, const size_t *comp, size_t ns)
{
  li2_error err = {0};
  fixture x = fixture_alloc(name);
  const li2_group *g = x.g;
  li2_fourier *f = x.f;
  const size_t M = g->order, fresh = 6, K = fresh + ns;
  li2_model *a = li2_lazy_model_alloc(g, f, LI2_ACT_SQR, fresh, 0.05, comp, ns, 7, &err);
  li2_model *b = li2_lazy_model_alloc(g, f, LI2_ACT_SQR, fresh, 0.05, comp, ns, 7, &err);
  li2_model *c = li2_lazy_model_alloc(g, f, LI2_ACT_SQR, fresh, 0.05, comp, ns, 8, &err);
  li2_stages_work *w = li2_stages_work_alloc(f, M, K, 2, &err);
  li2_stages_params p;
  li2_stages_point pt;
  double ss = 0, worst = 1;
  int dom = 1;
  li2_stages_params_default(&p);
  if (!ok(a && b && c && a->K == K && a->M == M, "%s: models built", name))
    goto done;
  li2_stages_measure(w, &p, a->W, NULL, &pt, &err);
  for (size_t i = 0; i < ns; i++) {
    double purity;
    size_t d;
    li2_stages_node(w, fresh + i, &purity, &d, NULL, NULL);
    worst = fmin(worst, purity);
    dom &= d == comp[i];
  }
  ok(worst > 1 - 1e-10 && dom, "%s: exact nodes pure (min %.15f) on their components", name,
     worst);
  for (size_t r = 0; r < 2 * M; r++)
    for (size_t j = 0; j < fresh; j++)
      ss += a->W[r * K + j] * a->W[r * K + j];
  ok(fabs(sqrt(ss / (double)(2 * M * fresh)) - 0.05) < 0.015, "%s: fresh weights std %.4f ~ 0.05",
     name, sqrt(ss / (double)(2 * M * fresh)));
  ok(!memcmp(a->W, b->W, a->nW * sizeof *a->W) && memcmp(a->W, c->W, a->nW * sizeof *a->W),
     "%s: same seed same nodes, another seed others", name);
done:
  li2_stages_work_free(w);
  li2_model_free(a);
  li2_model_free(b);
  li2_model_free(c);
  fixture_free(&x);
}

/* Count the lines of DIR/NAME; its first line in FIRST. */
static size_t file_lines(const char *dir, const char *name, char *first, size_t len)
{
  char *path = li2_io_path(dir, name), *text = NULL;
  size_t n = 0, tl;
  li2_error err = {0};
  first[0] = 0;
  if (path && !li2_io_read_file(path, &text, &tl, &err)) {
    for (size_t i = 0; i < tl; i++)
      n += text[i] == '\n';
    snprintf(first, len, "%.*s", (int)strcspn(text, "\n"), text);
  }
  free(path);
  free(text);
  return n;
}

/* doc/mathematics.md section 5 on Z_23: S = {1, 2, 3} (six nodes each) and eight
 * fresh nodes at eta = 1e-3. */
static void test_modulation(const char *dir)
{
  li2_error err = {0};
  fixture x = fixture_alloc("23");
  li2_fourier *f = x.f;
  const li2_characters *ct = x.ct;
  const li2_dataset *d = x.d;
  size_t comp[18], nc = li2_fourier_ncomponents(f);
  const double eta = 1e-3;
  li2_model *m;
  li2_lazy *L;
  li2_lazy_modulation mod;
  const li2_lazy_modulation_row *base, *last;
  double sum_dev = 0;
  char head[1024];
  int rc, inside = 1;
  for (size_t i = 0; i < 18; i++)
    comp[i] = 1 + i / 6;
  m = li2_lazy_model_alloc(x.g, f, LI2_ACT_SQR, 8, 0.05, comp, 18, 0, &err);
  L = li2_lazy_alloc(m, d->ntrain, &err);
  li2_lazy_set(L, d->train_x, d->train_y, &err);
  rc = li2_lazy_modulation_compute(L, f, ct, 8, comp, 18, &eta, 1, &mod, NULL, &err);
  if (!ok(rc == 0 && mod.nrows == 19, "modulation: 19 steps %s", rc ? err.msg : ""))
    goto done;
  ok_close(mod.baseline, 3.0 / 11, 1e-15, "baseline: 3 two-dimensional components of 22 = 3/11");
  for (size_t c = 0; c < nc; c++)
    inside &= mod.inside[c] == (c >= 1 && c <= 3);
  ok(inside, "components 1-3 inside S");
  for (size_t i = 0; i < mod.nrows; i++) {
    double rs = 0, fs = 0;
    for (size_t c = 1; c < nc; c++) {
      rs += mod.rows[i].resid[c];
      fs += mod.rows[i].fresh[c];
    }
    sum_dev = fmax(sum_dev, fmax(fabs(rs - 1), fabs(fs - 1)));
  }
  ok(sum_dev < 1e-12, "shares over the nontrivial components sum to 1 (%.1e)", sum_dev);
  ok(li2_lazy_modulation_ends(&mod, 0, &base, &last) == 19 && base == &mod.rows[0] &&
         last == &mod.rows[18] && base->step == 0 && last->step == 18,
     "ends: step 0 and the full S");
  ok(fabs(base->resid_in - 3.0 / 11) < 0.03 && base->resid_in_now == 0,
     "no S nodes: residual %.4f inside S (about 3/11), none inside the empty S", base->resid_in);
  ok(last->resid_in < 0.1 && last->fresh_in < 0.1 && last->resid_in_now == last->resid_in,
     "full S: residual %.4f and fresh G_F %.4f inside S (>= 90%% outside)", last->resid_in,
     last->fresh_in);
  ok(li2_lazy_modulation_write(dir, &mod, &err) == 0 &&
         file_lines(dir, "modulation.tsv", head, sizeof head) == 20 &&
         !strncmp(head, "eta\tstep\tS\t", 11) && strstr(head, "\tfresh_c11"),
     "modulation.tsv: header and 19 rows");
  li2_lazy_modulation_clear(&mod);
  rc = li2_lazy_modulation_compute(L, f, ct, 7, comp, 18, &eta, 1, &mod, NULL, &err);
  ok(rc == LI2_EINVAL, "fresh + exact nodes must be the model's K (%s)", err.msg);
done:
  li2_lazy_modulation_clear(&mod);
  li2_lazy_free(L);
  li2_model_free(m);
  fixture_free(&x);
}

/* Without fresh nodes: S from its first node, fresh shares NaN, no step 0. */
static void test_modulation_no_fresh(void)
{
  li2_error err = {0};
  fixture x = fixture_alloc("S4");
  const size_t comp[3] = {1, 2, 2};
  const double eta[2] = {1e-2, 1};
  li2_model *m = li2_lazy_model_alloc(x.g, x.f, LI2_ACT_SQR, 0, 0.05, comp, 3, 1, &err);
  li2_lazy *L = li2_lazy_alloc(m, x.d->ntrain, &err);
  li2_lazy_modulation mod;
  const li2_lazy_modulation_row *base, *last;
  int rc;
  li2_lazy_set(L, x.d->train_x, x.d->train_y, &err);
  rc = li2_lazy_modulation_compute(L, x.f, x.ct, 0, comp, 3, eta, 2, &mod, NULL, &err);
  ok(rc == 0 && mod.nrows == 6 && mod.rows[0].step == 1 && isnan(mod.rows[0].fresh[1]) &&
         isnan(mod.rows[0].fresh_in), "S4 without fresh nodes: steps 1..3 per eta, fresh NaN");
  ok(!rc && li2_lazy_modulation_ends(&mod, 0, &base, &last) == 3 && !base &&
         last == &mod.rows[2] && li2_lazy_modulation_ends(&mod, 3, &base, &last) == 6 &&
         last->eta == 1, "ends: no step-0 row, one run per eta");
  li2_lazy_modulation_clear(&mod);
  li2_lazy_free(L);
  li2_model_free(m);
  fixture_free(&x);
}

/* A trainer from "key=value" configuration lines (as checkpoints store). */
static li2_trainer *make_trainer(const char *text, li2_error *err)
{
  li2_args *a = NULL;
  li2_train_config c;
  li2_trainer *t = NULL;
  if (!li2_train_args_from_text(text, &a, err) && !li2_train_config_from_args(a, &c, err))
    t = li2_trainer_alloc(&c, text, NULL, err);
  li2_args_free(a);
  return t;
}

/* A short Z_11 run saved at epochs 0, 10, 20: the checkpoint analysis and
 * the stage measures of its checkpoints. */
static void test_run(const char *dir)
{
  li2_error err = {0};
  li2_trainer *t = make_trainer("M=11\nhidden_size=24\ntrain_size=80\nloss_func=mse\noptim=adam\n"
                                "learning_rate=0.01\nweight_decay=0.002\nseed=3\n", &err);
  li2_trainer *t0 = make_trainer("M=11\nhidden_size=12\ntrain_size=80\nloss_func=mse\n"
                                 "weight_decay=0\nseed=3\n", &err);
  char *paths[4], *latest = li2_checkpoint_path(dir, -1), *other;
  li2_lazy_checkpoint info;
  li2_lazy_check ck[2];
  li2_stages_point *pts = NULL;
  li2_stages_params p;
  const double eta[2] = {0.01, 1};
  double et;
  int rc = 0;
  if (!ok(t && t0, "trainers %s", err.msg))
    return;
  for (int k = 0; k < 3; k++)
    paths[k] = li2_checkpoint_path(dir, 10L * k);
  other = li2_io_path(dir, "other.li2");
  paths[3] = other;
  {
    char want[512];
    snprintf(want, sizeof want, "%s/ckpt-000010.li2", dir);
    ok(!strcmp(paths[1], want) && strstr(latest, "/checkpoint.li2"),
       "checkpoint paths: %s, %s", paths[1], latest);
  }
  for (int e = 0; e <= 20 && !rc; e++) {
    if (e % 10 == 0)
      rc = li2_trainer_save(t, paths[e / 10], &err);
    if (!rc && e < 20)
      rc = li2_trainer_iterate(t, &err);
  }
  if (!rc)
    rc = li2_trainer_save(t, latest, &err);
  if (!rc)
    rc = li2_trainer_save(t0, other, &err);
  if (!ok(rc == 0, "run saved %s", rc ? err.msg : ""))
    goto done;
  et = li2_lazy_trainer_eta(li2_trainer_config(t), li2_trainer_dataset(t)->ntrain);
  rc = li2_lazy_checkpoint_analyse(latest, NULL, 0, &info, ck, &err);
  ok(rc == 0 && info.epoch == 20 && info.n == 80 && info.K == 24 && !strcmp(info.group, "Z11"),
     "latest checkpoint: epoch %ld, n %zu, K %zu, group %s", info.epoch, info.n, info.K,
     info.group);
  ok(!rc && ck[0].eta == et && info.trainer.eta == et && ck[0].epoch == 20,
     "default eta: the trainer's n wd / 2 = %g", et);
  ok(!rc && ck[0].cf_rel < 1e-9 && ck[0].r_rel < 1e-9 && isfinite(info.trainer.v_rel),
     "trained features: backprop = closed form (%.2e)", ck[0].cf_rel);
  rc = li2_lazy_checkpoint_analyse(paths[1], eta, 2, &info, ck, &err);
  ok(rc == 0 && info.epoch == 10 && ck[0].eta == 0.01 && ck[1].eta == 1 && ck[1].epoch == 10 &&
         ck[1].rel_distance < ck[0].rel_distance, "epoch 10 at two etas");
  rc = li2_lazy_checkpoint_analyse(other, NULL, 0, &info, ck, &err);
  ok(rc == LI2_EINVAL && strstr(err.msg, "weight_decay=0"), "weight_decay=0 and no eta: %s",
     err.msg);
  ok(li2_lazy_checkpoint_analyse(other, eta, 1, &info, ck, &err) == 0 && ck[0].eta == 0.01,
     "weight_decay=0 with an eta given");
  li2_stages_params_default(&p);
  rc = li2_stages_checkpoints_measure(&p, paths, 3, &pts, NULL, &err);
  ok(rc == 0 && pts[0].epoch == 0 && pts[1].epoch == 10 && pts[2].epoch == 20,
     "stage measures at epochs 0, 10, 20 %s", rc ? err.msg : "");
  ok(!rc && pts[0].w_moved == 0 && pts[1].w_moved > 0 && pts[2].w_moved > pts[1].w_moved,
     "W_0 reproduced exactly (w_moved 0 at epoch 0), then %.3g, %.3g", rc ? 0 : pts[1].w_moved,
     rc ? 0 : pts[2].w_moved);
  free(pts);
  pts = NULL;
  rc = li2_stages_checkpoints_measure(&p, paths + 2, 2, &pts, NULL, &err);
  ok(rc == LI2_EFORMAT && strstr(err.msg, "other.li2") && !pts, "another run's checkpoint: %s",
     err.msg);
  rc = li2_stages_checkpoints_measure(&p, paths, 0, &pts, NULL, &err);
  ok(rc == LI2_EINVAL, "no checkpoints: %s", err.msg);
done:
  for (int k = 0; k < 4; k++) {
    remove(paths[k]);
    free(paths[k]);
  }
  remove(latest);
  free(latest);
  li2_trainer_free(t);
  li2_trainer_free(t0);
}

/* The table files and their epoch convention. */
static void test_write(const char *dir)
{
  li2_error err = {0};
  const li2_stage st[3] = {{1, 0, 10, "train_acc"}, {2, 10, -1, "open"}, {3, -1, -1, "open"}};
  li2_stages_point pts[2];
  li2_lazy_check c[2];
  char head[256], *path = li2_io_path(dir, "stages.tsv"), *text = NULL, *gp, *gt = NULL;
  size_t len;
  memset(pts, 0, sizeof pts);
  memset(c, 0, sizeof c);
  pts[1].epoch = 10;
  c[0].epoch = -1;
  c[0].eta = 0.1;
  c[1].epoch = 20;
  c[1].eta = 1.0 / 3;
  ok(!strcmp(li2_stages_name(1), "I") && !strcmp(li2_stages_name(3), "III"), "stage names");
  ok(li2_stages_write(dir, st, pts, 2, &err) == 0 && !li2_io_read_file(path, &text, &len, &err) &&
         !strcmp(text, "stage\tstart_epoch\tend_epoch\tcriterion\nI\t0\t10\ttrain_acc\n"
                       "II\t10\t-\topen\nIII\t-\t-\topen\n"),
     "stages.tsv: open ends and unreached starts as '-'");
  ok(file_lines(dir, "stage-measures.tsv", head, sizeof head) == 3 && !strncmp(head, "epoch\t", 6),
     "stage-measures.tsv: header and a row per point");
  gp = li2_io_path(dir, "gradient.tsv");
  ok(li2_lazy_checks_write(dir, c, 2, &err) == 0 && !li2_io_read_file(gp, &gt, &len, &err) &&
         strstr(gt, "\n-\t0.10000000000000001\t") && strstr(gt, "\n20\t0.33333333333333331\t"),
     "gradient.tsv: epoch '-' for built features, eta to 17 digits");
  ok(file_lines(dir, "independence.tsv", head, sizeof head) == 3 &&
         !strcmp(head, "epoch\teta\trel_distance\town_share"), "independence.tsv");
  for (const char *const *n = (const char *const[]){"stages.tsv", "stage-measures.tsv",
                                                    "gradient.tsv", "independence.tsv",
                                                    "modulation.tsv", NULL};
       *n; n++) {
    char *p = li2_io_path(dir, *n);
    remove(p);
    free(p);
  }
  free(path);
  free(text);
  free(gp);
  free(gt);
}

int main(void)
{
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  char tmpl[] = "/tmp/li2-test-lazy.XXXXXX";
  char *dir = mkdtemp(tmpl);
  const size_t z23[4] = {1, 2, 2, 5}, s4[3] = {1, 2, 3};
  gsl_rng_set(rng, 11);
  if (!ok(dir != NULL, "temporary directory"))
    return tap_done();
  test_check(rng, 11, 8, 60);
  test_check(rng, 13, 40, 30);
  test_trainer(rng);
  test_model("23", z23, 4);
  test_model("S4", s4, 3);
  test_modulation(dir);
  test_modulation_no_fresh();
  test_run(dir);
  test_write(dir);
  rmdir(dir);
  gsl_rng_free(rng);
  return tap_done();
}
