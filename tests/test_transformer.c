/* The reference transformer (transformer.h):
 *   - parity with PyTorch: the recorded float64 run of tests/data/
 *     transformer-torch.txt (written by transformer-torch.py, the
 *     reference's architecture with every parameter perturbed): logits,
 *     nll loss and the gradient of every parameter agree to 1e-12;
 *   - precision=float (li2_transformer_work_alloc_precision): the float32
 *     PyTorch run of tests/data/transformer-torch32.txt on the same
 *     weights (transformer-torch32.py): logits and loss to float32
 *     rounding, 16 eps32 of the largest logit, while the two float32 runs
 *     each differ from the float64 one by about that much; gradient within
 *     1e-5 of the largest (80 float32 eps: rounding grown through two
 *     layers' sums of a few hundred terms); against li2's double path on
 *     larger sizes (d 64, 3 layers, relu and silu) the same bounds;
 *   - the gradient against central differences of the loss, for nll and
 *     mse, activations relu, sqr, relusqr and silu, one to three layers,
 *     T = 2 and 3 tokens, beta = 1 and 1.7: every parameter block checked;
 *   - the initialisation: every layer a copy of the first, LayerNorm gains
 *     1 and biases 0, zero attention biases, bounds as PyTorch's;
 *   - bad sizes refused with the parameter named. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "transformer.h"
#include "tap.h"

#ifndef LI2_SRCDIR
#define LI2_SRCDIR "."
#endif

/* The values after the word KEY on its line of the data file. */
static double *read_line(FILE *fp, const char *key, size_t *n)
{
  char *line = NULL, *p, *end;
  size_t cap = 0, got = 0, room = 64;
  double *v = malloc(room * sizeof *v);
  rewind(fp);
  while (getline(&line, &cap, fp) > 0) {
    size_t kl = strlen(key);
    if (strncmp(line, key, kl) || line[kl] != ' ')
      continue;
    for (p = line + kl;; p = end) {
      double x = strtod(p, &end);
      if (end == p)
        break;
      if (got == room)
        v = realloc(v, (room *= 2) * sizeof *v);
      v[got++] = x;
    }
    break;
  }
  free(line);
  *n = got;
  return v;
}

static void test_torch(void)
{
  char path[1024];
  FILE *fp;
  size_t ns, np, nx, ny, nl, nloss, ng;
  double *sizes, *par, *xs, *ys, *lg, *lo, *gr;
  li2_error err = {0};
  snprintf(path, sizeof path, "%s/tests/data/transformer-torch.txt", LI2_SRCDIR);
  if (!ok((fp = fopen(path, "r")) != NULL, "open %s", path))
    return;
  sizes = read_line(fp, "sizes", &ns);
  par = read_line(fp, "params", &np);
  xs = read_line(fp, "x", &nx);
  ys = read_line(fp, "y", &ny);
  lg = read_line(fp, "logits", &nl);
  lo = read_line(fp, "loss", &nloss);
  gr = read_line(fp, "grad", &ng);
  fclose(fp);
  if (ok(ns >= 7 && nloss == 1, "sizes and loss recorded")) {
    size_t M = (size_t)sizes[0], T = (size_t)sizes[1], d = (size_t)sizes[2], H = (size_t)sizes[3];
    size_t L = (size_t)sizes[4], dff = (size_t)sizes[5], n = (size_t)sizes[6];
    li2_transformer *tf = li2_transformer_alloc(M, T, d, H, L, dff, LI2_ACT_SQR, LI2_LOSS_NLL, &err);
    li2_transformer_work *w = tf ? li2_transformer_work_alloc(tf, n, &err) : NULL;
    int *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y);
    double *g = tf ? malloc(tf->nparams * sizeof *g) : NULL, loss = NAN, el = 0, eg = 0, gmax = 0;
    if (ok(w && g && np == tf->nparams && ng == np && nx == n * T && ny == n && nl == n * M,
           "the recorded parameters fit li2's layout (%zu)", np)) {
      memcpy(tf->params, par, np * sizeof *par);
      for (size_t i = 0; i < nx; i++)
        x[i] = (int)xs[i];
      for (size_t i = 0; i < ny; i++)
        y[i] = (int)ys[i];
      ok(li2_transformer_forward(tf, w, n, x, y, &loss, NULL, &err) == 0, "forward (%s)", err.msg);
      for (size_t i = 0; i < nl; i++)
        el = fmax(el, fabs(li2_transformer_logits(w)[i] - lg[i]));
      ok_close(el, 0, 1e-12, "logits equal PyTorch's (max abs difference %.2e)", el);
      ok_close(loss, lo[0], 1e-12, "nll loss equals PyTorch's");
      ok(li2_transformer_backward(tf, w, g, &err) == 0, "backward (%s)", err.msg);
      for (size_t i = 0; i < np; i++) {
        eg = fmax(eg, fabs(g[i] - gr[i]));
        gmax = fmax(gmax, fabs(gr[i]));
      }
      ok_close(eg / gmax, 0, 1e-12, "every gradient equals PyTorch's (max relative %.2e)",
               eg / gmax);
    }
    free(x);
    free(y);
    free(g);
    li2_transformer_work_free(w);
    li2_transformer_free(tf);
  }
  free(sizes);
  free(par);
  free(xs);
  free(ys);
  free(lg);
  free(lo);
  free(gr);
}

/* precision=float against the float32 PyTorch run on the recorded weights. */
static void test_torch32(void)
{
  char path[1024];
  FILE *fp, *fp32;
  size_t ns, np, nx, ny, nl, nl32, nloss, ng;
  double *sizes, *par, *xs, *ys, *lg, *lg32, *lo32, *gr32;
  li2_error err = {0};
  snprintf(path, sizeof path, "%s/tests/data/transformer-torch.txt", LI2_SRCDIR);
  fp = fopen(path, "r");
  snprintf(path, sizeof path, "%s/tests/data/transformer-torch32.txt", LI2_SRCDIR);
  fp32 = fopen(path, "r");
  if (!ok(fp && fp32, "open %s and its float64 weights", path)) {
    if (fp)
      fclose(fp);
    if (fp32)
      fclose(fp32);
    return;
  }
  sizes = read_line(fp, "sizes", &ns);
  par = read_line(fp, "params", &np);
  xs = read_line(fp, "x", &nx);
  ys = read_line(fp, "y", &ny);
  lg = read_line(fp, "logits", &nl);
  lg32 = read_line(fp32, "logits32", &nl32);
  lo32 = read_line(fp32, "loss32", &nloss);
  gr32 = read_line(fp32, "grad32", &ng);
  fclose(fp);
  fclose(fp32);
  if (ok(ns >= 7 && nloss == 1, "float32 sizes and loss recorded")) {
    size_t M = (size_t)sizes[0], T = (size_t)sizes[1], d = (size_t)sizes[2], H = (size_t)sizes[3];
    size_t L = (size_t)sizes[4], dff = (size_t)sizes[5], n = (size_t)sizes[6];
    li2_transformer *tf = li2_transformer_alloc(M, T, d, H, L, dff, LI2_ACT_SQR, LI2_LOSS_NLL, &err);
    li2_transformer_work *w = tf ? li2_transformer_work_alloc_precision(tf, n, 1, &err) : NULL;
    int *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y);
    double *g = tf ? malloc(tf->nparams * sizeof *g) : NULL, loss = NAN, el = 0, e64 = 0, lmax = 0;
    double eg = 0, gmax = 0;
    const double eps32 = 1.0 / (1 << 23);
    if (ok(w && g && np == tf->nparams && ng == np && nl32 == n * M && nl == n * M,
           "the float32 record fits li2's layout")) {
      memcpy(tf->params, par, np * sizeof *par);
      for (size_t i = 0; i < nx; i++)
        x[i] = (int)xs[i];
      for (size_t i = 0; i < ny; i++)
        y[i] = (int)ys[i];
      ok(li2_transformer_forward(tf, w, n, x, y, &loss, NULL, &err) == 0, "float forward (%s)",
         err.msg);
      for (size_t i = 0; i < nl; i++) {
        el = fmax(el, fabs(li2_transformer_logits(w)[i] - lg32[i]));
        e64 = fmax(e64, fabs(lg32[i] - lg[i]));
        lmax = fmax(lmax, fabs(lg32[i]));
      }
      ok(el <= 16 * eps32 * lmax,
         "float32 logits equal PyTorch's float32 to float32 rounding: max abs difference %.2e "
         "<= 16 eps32 max|logit| = %.2e (PyTorch float32 against float64: %.2e)",
         el, 16 * eps32 * lmax, e64);
      ok(fabs(loss - lo32[0]) <= 16 * eps32 * fabs(lo32[0]),
         "float32 nll loss equals PyTorch's float32 (%.9g against %.9g)", loss, lo32[0]);
      ok(li2_transformer_backward(tf, w, g, &err) == 0, "float backward (%s)", err.msg);
      for (size_t i = 0; i < np; i++) {
        eg = fmax(eg, fabs(g[i] - gr32[i]));
        gmax = fmax(gmax, fabs(gr32[i]));
      }
      ok(eg / gmax <= 1e-5, "float32 gradient equals PyTorch's float32 (max relative %.2e <= 1e-5)",
         eg / gmax);
    }
    free(x);
    free(y);
    free(g);
    li2_transformer_work_free(w);
    li2_transformer_free(tf);
  }
  free(sizes);
  free(par);
  free(xs);
  free(ys);
  free(lg);
  free(lg32);
  free(lo32);
  free(gr32);
}

/* precision=float against li2's double path on larger sizes: logits,
 * loss and gradient to float32 tolerance. */
static void test_single_double(li2_activation act, li2_loss lossf, size_t L)
{
  const size_t M = 13, T = 2, d = 64, H = 4, dff = 96, n = 60;  /* M H < n: the table */
  li2_error err = {0};
  li2_transformer *tf = li2_transformer_alloc(M, T, d, H, L, dff, act, lossf, &err);
  li2_transformer_work *wd = li2_transformer_work_alloc(tf, n, &err);
  li2_transformer_work *ws = li2_transformer_work_alloc_precision(tf, n, 1, &err);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int x[60 * 2], y[60];
  double *gd = malloc(tf->nparams * sizeof *gd), *gs = malloc(tf->nparams * sizeof *gs);
  double ld, ls, el = 0, lmax = 0, eg = 0, gmax = 0;
  const double eps32 = 1.0 / (1 << 23);
  gsl_rng_set(r, 5);
  li2_transformer_init(tf, r, 1.0);
  for (size_t i = 0; i < tf->nparams; i++)
    tf->params[i] += 0.1 * (gsl_rng_uniform(r) - 0.5);
  for (size_t i = 0; i < n; i++) {
    x[2 * i] = (int)gsl_rng_uniform_int(r, M);
    x[2 * i + 1] = (int)gsl_rng_uniform_int(r, M);
    y[i] = (x[2 * i] + x[2 * i + 1]) % (int)M;
  }
  li2_transformer_forward(tf, wd, n, x, y, &ld, NULL, &err);
  li2_transformer_backward(tf, wd, gd, &err);
  li2_transformer_forward(tf, ws, n, x, y, &ls, NULL, &err);
  li2_transformer_backward(tf, ws, gs, &err);
  for (size_t i = 0; i < n * M; i++) {
    el = fmax(el, fabs(li2_transformer_logits(ws)[i] - li2_transformer_logits(wd)[i]));
    lmax = fmax(lmax, fabs(li2_transformer_logits(wd)[i]));
  }
  for (size_t i = 0; i < tf->nparams; i++) {
    eg = fmax(eg, fabs(gs[i] - gd[i]));
    gmax = fmax(gmax, fabs(gd[i]));
  }
  ok(el <= 16 * eps32 * lmax && fabs(ls - ld) <= 16 * eps32 * ld,
     "float against double, %s, %s, %zu layers: logits %.2e <= %.2e, loss %.2e",
     li2_activation_name(act), li2_loss_name(lossf), L, el, 16 * eps32 * lmax, fabs(ls - ld));
  ok(eg / gmax <= 1e-5, "float against double, %s, %s, %zu layers: gradient max relative %.2e "
     "<= 1e-5", li2_activation_name(act), li2_loss_name(lossf), L, eg / gmax);
  free(gd);
  free(gs);
  gsl_rng_free(r);
  li2_transformer_work_free(wd);
  li2_transformer_work_free(ws);
  li2_transformer_free(tf);
}

/* Central differences of the loss against the backward pass on up to 400
 * parameters spread over every block; returns the worst relative error. */
static double fd_check(li2_activation act, li2_loss loss, size_t T, size_t L, double beta,
                       unsigned long seed, size_t M)
{
  const size_t d = 6, H = 2, dff = 7, n = 12;
  li2_error err = {0};
  li2_transformer *tf = li2_transformer_alloc(M, T, d, H, L, dff, act, loss, &err);
  li2_transformer_work *w = li2_transformer_work_alloc(tf, n, &err);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int x[12 * 3], y[12];
  double *g = malloc(tf->nparams * sizeof *g), worst = 0, l0;
  gsl_rng_set(r, seed);
  li2_transformer_init(tf, r, 1.0);
  tf->out_mult = beta;
  for (size_t i = 0; i < tf->nparams; i++)  /* break the clones' symmetry, move off zero */
    tf->params[i] += 0.3 * (gsl_rng_uniform(r) - 0.5);
  for (size_t i = 0; i < n; i++) {
    int s = 0;
    for (size_t t = 0; t < T; t++)
      s += (x[i * T + t] = (int)gsl_rng_uniform_int(r, M));
    y[i] = s % (int)M;
  }
  li2_transformer_forward(tf, w, n, x, y, &l0, NULL, &err);
  li2_transformer_backward(tf, w, g, &err);
  for (size_t k = 0; k < 400; k++) {
    size_t i = k < tf->nparams ? (k * 7919) % tf->nparams : k % tf->nparams;
    double save = tf->params[i], h = 1e-5, lp, lm, fd;
    tf->params[i] = save + h;
    li2_transformer_forward(tf, w, n, x, y, &lp, NULL, &err);
    tf->params[i] = save - h;
    li2_transformer_forward(tf, w, n, x, y, &lm, NULL, &err);
    tf->params[i] = save;
    fd = (lp - lm) / (2 * h);
    worst = fmax(worst, fabs(fd - g[i]) / fmax(1e-3, fabs(fd)));
  }
  free(g);
  gsl_rng_free(r);
  li2_transformer_work_free(w);
  li2_transformer_free(tf);
  return worst;
}

static void test_fd(void)
{
  static const struct {
    li2_activation act;
    li2_loss loss;
    size_t T, L;
    double beta;
    size_t M;  /* 5: M nhead 10 < 12 samples, the first layer on its table of M T rows
                * (transformer_impl.h); 11: on the samples' rows */
  } c[] = {
    {LI2_ACT_SQR, LI2_LOSS_NLL, 2, 2, 1.0, 5},  {LI2_ACT_RELU, LI2_LOSS_NLL, 2, 1, 1.0, 5},
    {LI2_ACT_SILU, LI2_LOSS_MSE, 2, 2, 1.7, 5}, {LI2_ACT_RELUSQR, LI2_LOSS_MSE, 3, 3, 1.0, 5},
    {LI2_ACT_SQR, LI2_LOSS_MSE, 3, 1, 1.7, 5},  {LI2_ACT_SQR, LI2_LOSS_NLL, 2, 2, 1.0, 11},
    {LI2_ACT_SILU, LI2_LOSS_MSE, 3, 2, 1.7, 11},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    double e = fd_check(c[i].act, c[i].loss, c[i].T, c[i].L, c[i].beta, 11 + i, c[i].M);
    ok(e < 1e-6, "gradient = central differences: %s, %s, M %zu, T %zu, %zu layers, beta %g "
       "(worst %.1e)", li2_activation_name(c[i].act), li2_loss_name(c[i].loss), c[i].M, c[i].T,
       c[i].L, c[i].beta, e);
  }
}

static void test_init(void)
{
  li2_error err = {0};
  li2_transformer *tf = li2_transformer_alloc(11, 2, 16, 4, 3, 24, LI2_ACT_RELU, LI2_LOSS_NLL, &err);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  li2_transformer_layer a, b;
  double xmax = 0, vmax = 0;
  int same = 1, ln = 1;
  li2_transformer_init(tf, r, 0.5);
  li2_transformer_layer_views(tf, tf->params, 0, &a);
  for (size_t l = 1; l < 3; l++) {
    li2_transformer_layer_views(tf, tf->params, l, &b);
    same &= !memcmp(a.Win, b.Win, tf->layer_size * sizeof(double));
  }
  for (size_t j = 0; j < 16; j++)
    ln &= a.g1[j] == 1 && a.g2[j] == 1 && a.c1[j] == 0 && a.c2[j] == 0 && a.bo[j] == 0;
  for (size_t j = 0; j < 48; j++)
    ln &= a.bin[j] == 0;
  for (size_t j = 0; j < 3 * 16 * 16; j++)
    xmax = fmax(xmax, fabs(a.Win[j]));
  for (size_t j = 0; j < 11 * 16; j++)
    vmax = fmax(vmax, fabs(li2_transformer_top(tf, tf->params)[j]));
  ok(same, "every layer starts as a copy of the first (nn.TransformerEncoder's clones)");
  ok(ln, "LayerNorm gains 1, biases 0; attention biases 0");
  ok(xmax <= sqrt(6.0 / 64) && xmax > 0.8 * sqrt(6.0 / 64), "in-projection Xavier bound %.3f",
     xmax);
  ok(vmax <= 0.5 / 4 && vmax > 0.8 * 0.5 / 4, "V: nn.Linear bound times the multiplier (%.3f)",
     vmax);
  ok(tf->nparams == 11 * 16 * 2 + 2 * 16 + 3 * (4 * 16 * 16 + 4 * 16 + 2 * 24 * 16 + 24 + 16 + 4 * 16),
     "parameter count");
  gsl_rng_free(r);
  li2_transformer_free(tf);
  ok(!li2_transformer_alloc(11, 2, 10, 4, 1, 8, LI2_ACT_RELU, LI2_LOSS_NLL, &err) &&
         strstr(err.msg, "nhead"),
     "hidden_size not a multiple of nhead refused (%s)", err.msg);
  ok(!li2_transformer_alloc(11, 2, 8, 2, 0, 8, LI2_ACT_RELU, LI2_LOSS_NLL, &err) &&
         strstr(err.msg, "num_layers"),
     "num_layers=0 refused (%s)", err.msg);
  ok(!li2_transformer_alloc(11, 2, 1u << 16, 1, 64, 1u << 16, LI2_ACT_RELU, LI2_LOSS_NLL, &err) &&
         strstr(err.msg, "2^31"),
     "too many parameters refused (%s)", err.msg);
}

/* li2_transformer_step_flops against a count made another way: every
 * weight matrix (out x in) applied to R rows costs R out in multiply-adds
 * forward and twice that backward (its gradient and its input's), the
 * attention's T x T scores and mixtures 2 R T d forward and twice that
 * backward; the table (M nhead < n) replaces the first layer's projections
 * on R = 2n rows by M T rows and leaves the feed-forward as it is. */
static void test_flops(void)
{
  li2_error err = {0};
  const size_t M = 113, d = 512, H = 4, L = 2, F = 2048, n = 3831, T = 2, r = n * T;
  li2_transformer *tf = li2_transformer_alloc(M, T, d, H, L, F, LI2_ACT_RELU, LI2_LOSS_NLL, &err);
  double per_layer = 3.0 * r * (3.0 * d * d + d * d + 2.0 * F * d) + 6.0 * r * T * d;
  double want = 2 * (L * per_layer + 3.0 * n * M * d), ffn0 = 2 * 3.0 * r * 2.0 * F * d;
  double got0 = tf ? li2_transformer_step_flops(tf, n, 0) : 0;
  double got1 = tf ? li2_transformer_step_flops(tf, n, 1) : 0;
  ok(tf && fabs(got0 - want) <= 1e-12 * want, "step flops without the table: %.6g (want %.6g)",
     got0, want);
  ok(tf && fabs(li2_transformer_step_flops(tf, M * H, 1) - li2_transformer_step_flops(tf, M * H, 0)) == 0,
     "no table when M nhead >= n: the same count");
  /* with the table the first layer keeps its feed-forward, loses most of
   * its projections: between the count without them and the count with */
  ok(tf && got1 < got0 && got1 > got0 - 2 * per_layer + ffn0,
     "the table saves part of the first layer: %.6g of %.6g", got1, got0);
  li2_transformer_free(tf);
}

int main(void)
{
  test_torch();
  test_torch32();
  test_single_double(LI2_ACT_RELU, LI2_LOSS_NLL, 3);
  test_single_double(LI2_ACT_SILU, LI2_LOSS_MSE, 2);
  test_fd();
  test_init();
  test_flops();
  return tap_done();
}
