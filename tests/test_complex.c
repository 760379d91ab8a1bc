/* Complex weights (use_complex_weights, li2_model.cplx): the gradient of
 * every (re, im) double against central finite differences of an
 * independent complex forward (C11 complex arithmetic), both losses, two and
 * three operands, with output_multiplier; the fused step against the
 * unfused passes; the reference's real initialisation (imaginary parts 0)
 * equal to the real model, imaginary gradients exactly 0; loss, gradient
 * and two optimiser steps against PyTorch (tests/data/complex_torch.txt,
 * written by tests/data/complex_torch.py); trainer resume bit for bit,
 * the checkpoint's version 2, and the refusals. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "model.h"
#include "optim.h"
#include "process.h"
#include "tap.h"
#include "train.h"

static char data_dir[1024];

/* Independent loss of real outputs (doc/mathematics.md section 1). */
static double row_loss(li2_loss l, const double *o, size_t M, int c)
{
  double s = 0;
  if (l == LI2_LOSS_MSE) {
    double mean = 0;
    for (size_t k = 0; k < M; k++)
      mean += o[k] / (double)M;
    for (size_t k = 0; k < M; k++) {
      double d = o[k] - mean - ((int)k == c ? 1.0 : 0.0) + 1.0 / (double)M;
      s += d * d;
    }
    return s;
  }
  for (size_t k = 0; k < M; k++)
    s += exp(o[k]);
  return log(s) - o[c];
}

/* The reference's forward by plain complex loops: h = sum_t W[t M + x_t],
 * f = h^2, o = beta Re(f V); mean loss. */
static double loss_naive(const li2_model *m, size_t n, const int *x, const int *y)
{
  const size_t K = m->K, M = m->M;
  const double complex *W = (const double complex *)(const void *)m->W;
  const double complex *V = (const double complex *)(const void *)m->V;
  double complex *f = malloc(K * sizeof *f);
  double *o = malloc(M * sizeof *o), total = 0;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < K; j++) {
      double complex h = 0;
      for (int t = 0; t < m->nops; t++)
        h += W[((size_t)t * M + (size_t)x[i * (size_t)m->nops + t]) * K + j];
      f[j] = h * h;
    }
    for (size_t c = 0; c < M; c++) {
      double complex s = 0;
      for (size_t j = 0; j < K; j++)
        s += f[j] * V[j * M + c];
      o[c] = m->out_mult * creal(s);
    }
    total += row_loss(m->loss, o, M, y[i]);
  }
  free(f);
  free(o);
  return total / (double)n;
}

static double rel_err(const double *a, const double *b, size_t len)
{
  double num = 0, den = 0;
  for (size_t i = 0; i < len; i++) {
    num = fmax(num, fabs(a[i] - b[i]));
    den = fmax(den, fabs(b[i]));
  }
  return den > 0 ? num / den : num;
}

static void random_data(gsl_rng *r, size_t M, int nops, size_t n, int *x, int *y)
{
  for (size_t i = 0; i < n; i++) {
    int s = 0;
    for (int t = 0; t < nops; t++) {
      x[i * (size_t)nops + t] = (int)gsl_rng_uniform_int(r, M);
      s += x[i * (size_t)nops + t];
    }
    y[i] = s % (int)M;
  }
}

/* Backprop (unfused and fused) against fourth-order central differences of
 * loss_naive in every double of the parameters. */
static void check_fd(li2_loss loss, int nops, double beta)
{
  const size_t M = 5, K = 4, n = 23;
  li2_error err = {0};
  li2_model *m = li2_model_alloc(M, nops, K, 0, LI2_ACT_SQR, loss, &err);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int x[23 * 3], y[23];
  double *g, *gf, *fd, l, lf, ln;
  li2_model_work *w;
  size_t nc;
  if (!m || li2_model_set_complex(m, &err)) {
    ok(0, "complex model: %s", err.msg);
    return;
  }
  m->out_mult = beta;
  gsl_rng_set(r, 11u + (unsigned)nops + 7u * (unsigned)loss);
  li2_model_init(m, r, 1.0);
  li2_model_init_imag(m, r, 1.0);
  random_data(r, M, nops, n, x, y);
  w = li2_model_work_alloc(m, n, 1, 0, &err);
  g = calloc(m->nparams, sizeof *g);
  gf = calloc(m->nparams, sizeof *gf);
  fd = calloc(m->nparams, sizeof *fd);
  li2_model_forward(m, w, n, x, y, &l, &nc, &err);
  li2_model_backward(m, w, g, 0, 0, &err);
  li2_model_step_grad(m, w, n, x, y, gf, &lf, NULL, &err);
  ln = loss_naive(m, n, x, y);
  for (size_t p = 0; p < m->nparams; p++) {
    const double h = 1e-3, p0 = m->params[p];
    double lp2, lp1, lm1, lm2;
    m->params[p] = p0 + 2 * h; lp2 = loss_naive(m, n, x, y);
    m->params[p] = p0 + h;     lp1 = loss_naive(m, n, x, y);
    m->params[p] = p0 - h;     lm1 = loss_naive(m, n, x, y);
    m->params[p] = p0 - 2 * h; lm2 = loss_naive(m, n, x, y);
    m->params[p] = p0;
    fd[p] = (-lp2 + 8 * lp1 - 8 * lm1 + lm2) / (12 * h);
  }
  {
    const char *ln_name = li2_loss_name(loss);
    double e = rel_err(g, fd, m->nparams), ef = rel_err(gf, g, m->nparams);
    ok_close(l, ln, 1e-13, "complex %s, %d operands, beta %g: loss = independent complex forward",
             ln_name, nops, beta);
    ok_close(lf, l, 1e-13, "complex %s, %d operands: fused step's loss = forward's", ln_name,
             nops);
    ok(e < 1e-7, "complex %s, %d operands, beta %g: dLoss/d(re, im) of all %zu doubles against "
                 "central differences (rel. err %.1e)", ln_name, nops, beta, m->nparams, e);
    ok(ef < 1e-13, "complex %s, %d operands: fused step's gradient = unfused (rel. diff %.1e)",
       ln_name, nops, ef);
    diag("fd check %s nops=%d beta=%g: max rel err %.2e", ln_name, nops, beta, e);
  }
  free(g);
  free(gf);
  free(fd);
  li2_model_work_free(w);
  li2_model_free(m);
  gsl_rng_free(r);
}

/* The reference's initialisation: the real model's values in the real
 * parts, 0 in the imaginary parts; then loss and gradient equal the real
 * model's and the imaginary gradients are exactly 0, so the imaginary parts
 * never move (the complex run is the real run). */
static void check_real_init(void)
{
  const size_t M = 11, K = 16, n = 60;
  li2_error err = {0};
  li2_model *mr = li2_model_alloc(M, 2, K, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
  li2_model *mc = li2_model_alloc(M, 2, K, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int x[120], y[60];
  double *gr, *gc, *re, lr, lc, maxim = 0;
  li2_model_work *wr, *wc;
  size_t same = 1;
  li2_model_set_complex(mc, &err);
  gsl_rng_set(r, 5);
  li2_model_init(mr, r, 1.0);
  gsl_rng_set(r, 5);
  li2_model_init(mc, r, 1.0);
  random_data(r, M, 2, n, x, y);
  for (size_t p = 0; p < mr->nparams; p++)
    same &= mc->params[2 * p] == mr->params[p] && mc->params[2 * p + 1] == 0;
  ok(same, "real initialisation: the real model's draws in the real parts, imaginary parts 0");
  wr = li2_model_work_alloc(mr, n, 1, 0, &err);
  wc = li2_model_work_alloc(mc, n, 1, 0, &err);
  li2_model_work_set_kernel(wr, LI2_KERNEL_BLAS, &err);
  gr = malloc(mr->nparams * sizeof *gr);
  gc = malloc(mc->nparams * sizeof *gc);
  re = malloc(mr->nparams * sizeof *re);
  li2_model_step_grad(mr, wr, n, x, y, gr, &lr, NULL, &err);
  li2_model_step_grad(mc, wc, n, x, y, gc, &lc, NULL, &err);
  for (size_t p = 0; p < mr->nparams; p++) {
    re[p] = gc[2 * p];
    maxim = fmax(maxim, fabs(gc[2 * p + 1]));
  }
  ok_close(lc, lr, 1e-14, "real initialisation: complex loss = real loss");
  ok(rel_err(re, gr, mr->nparams) < 1e-13,
     "real initialisation: real parts of the gradient = real model's (rel. diff %.1e)",
     rel_err(re, gr, mr->nparams));
  ok(maxim == 0, "real initialisation: imaginary gradients exactly 0 (max %g)", maxim);
  free(gr);
  free(gc);
  free(re);
  li2_model_work_free(wr);
  li2_model_work_free(wc);
  li2_model_free(mr);
  li2_model_free(mc);
  gsl_rng_free(r);
}

/* Whitespace-separated numbers after KEY on its line of the current case. */
static int read_numbers(FILE *fp, const char *key, double *v, size_t n)
{
  char tok[64];
  if (fscanf(fp, "%63s", tok) != 1 || strcmp(tok, key))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (fscanf(fp, "%lf", &v[i]) != 1)
      return 0;
  return 1;
}

/* One case of complex_torch.txt: loss, argmax count, gradient and the
 * parameters after each of two optimiser steps, against torch. */
static int torch_case(FILE *fp)
{
  char name[32], lossname[8], optname[8];
  size_t M, K, n;
  double beta, lr, wd, e_loss, e_grad = 0, e_par = 0;
  li2_error err = {0};
  li2_model *m;
  li2_model_work *w;
  li2_optim *o;
  li2_optim_params op;
  li2_loss loss;
  int x[64], y[32], corr_ok = 1;
  double *g, *want;
  if (fscanf(fp, " case %31s M %zu K %zu n %zu loss %7s beta %lf optim %7s lr %lf wd %lf", name,
             &M, &K, &n, lossname, &beta, optname, &lr, &wd) != 9)
    return 0;
  li2_loss_parse(lossname, &loss, "loss", &err);
  m = li2_model_alloc(M, 2, K, 0, LI2_ACT_SQR, loss, &err);
  li2_model_set_complex(m, &err);
  m->out_mult = beta;
  {
    double xv[64];
    if (!read_numbers(fp, "x", xv, 2 * n))
      return 0;
    for (size_t i = 0; i < 2 * n; i++)
      x[i] = (int)xv[i];
    for (size_t i = 0; i < n; i++)
      y[i] = (x[2 * i] + x[2 * i + 1]) % (int)M;
  }
  if (!read_numbers(fp, "params0", m->params, m->nparams))
    return 0;
  li2_optim_params_default(&op, !strcmp(optname, "adam") ? LI2_OPTIM_ADAM : LI2_OPTIM_SGD, wd);
  o = li2_optim_alloc(&op, m->nparams, 2 * M, K, &err);
  w = li2_model_work_alloc(m, n, 1, 0, &err);
  g = malloc(m->nparams * sizeof *g);
  want = malloc(m->nparams * sizeof *want);
  e_loss = 0;
  for (int step = 0; step < 2; step++) {
    char key[16];
    double l, wl, wc;
    size_t nc;
    li2_model_step_grad(m, w, n, x, y, g, &l, &nc, &err);
    snprintf(key, sizeof key, "loss%d", step);
    read_numbers(fp, key, &wl, 1);
    e_loss = fmax(e_loss, fabs(l - wl) / fabs(wl));
    snprintf(key, sizeof key, "correct%d", step);
    read_numbers(fp, key, &wc, 1);
    corr_ok &= (double)nc == wc;
    snprintf(key, sizeof key, "grad%d", step);
    if (!read_numbers(fp, key, want, m->nparams))
      return 0;
    e_grad = fmax(e_grad, rel_err(g, want, m->nparams));
    li2_optim_step(o, lr, m->params, g, &err);
    snprintf(key, sizeof key, "params%d", step + 1);
    if (!read_numbers(fp, key, want, m->nparams))
      return 0;
    e_par = fmax(e_par, rel_err(m->params, want, m->nparams));
  }
  ok(e_loss < 1e-14, "torch %s: loss of two steps (rel. diff %.1e)", name, e_loss);
  ok(corr_ok, "torch %s: argmax of Re o counts", name);
  ok(e_grad < 1e-13, "torch %s: gradient dLoss/dRe + i dLoss/dIm (rel. diff %.1e)", name, e_grad);
  ok(e_par < 1e-14, "torch %s: parameters after %s steps 1 and 2 (rel. diff %.1e)", name, optname,
     e_par);
  diag("torch parity %s: loss %.1e, gradient %.1e, parameters %.1e", name, e_loss, e_grad, e_par);
  free(g);
  free(want);
  li2_model_work_free(w);
  li2_optim_free(o);
  li2_model_free(m);
  return 1;
}

static void check_torch(void)
{
  char path[1100];
  FILE *fp;
  int cases = 0;
  snprintf(path, sizeof path, "%s/complex_torch.txt", data_dir);
  fp = fopen(path, "r");
  if (!fp) {
    ok(0, "%s: not readable", path);
    return;
  }
  {
    int c;  /* skip the comment line */
    while ((c = fgetc(fp)) != EOF && c != '\n')
      ;
  }
  while (torch_case(fp))
    cases++;
  ok(cases == 2, "torch: both cases of complex_torch.txt read (%d)", cases);
  fclose(fp);
}

static li2_trainer *make(const char *const *kv, int n, li2_error *err)
{
  li2_args *a = NULL;
  li2_train_config c;
  li2_trainer *t = NULL;
  char *text;
  if (li2_args_parse(&a, li2_train_spec, n, (char **)kv, err))
    return NULL;
  text = li2_train_config_text(a);
  if (!li2_train_config_from_args(a, &c, err))
    t = li2_trainer_alloc(&c, text, NULL, err);
  free(text);
  li2_args_free(a);
  return t;
}

/* 40 epochs straight against 20, checkpoint, reload, 20 more. */
static void check_resume(const char *init)
{
  char ci[32];
  const char *kv[] = {"M=13", "hidden_size=24", "loss_func=mse", "learning_rate=5e-3",
                      "weight_decay=5e-5", "test_size=0.3", "use_complex_weights=true", ci,
                      "threads=1"};
  li2_error err = {0};
  char path[96];
  li2_trainer *a, *b, *c;
  li2_train_metrics ma, mc;
  int rc = 0;
  snprintf(ci, sizeof ci, "complex_init=%s", init);
  snprintf(path, sizeof path, "test_complex_%d.li2", (int)getpid());
  a = make(kv, 9, &err);
  b = make(kv, 9, &err);
  if (!a || !b) {
    ok(0, "complex trainer: %s", err.msg);
    return;
  }
  for (int e = 0; e < 40 && !rc; e++)
    rc = li2_trainer_iterate(a, &err);
  for (int e = 0; e < 20 && !rc; e++)
    rc = li2_trainer_iterate(b, &err);
  if (!rc)
    rc = li2_trainer_save(b, path, &err);
  c = rc ? NULL : li2_trainer_load(path, &err);
  for (int e = 0; c && e < 20 && !rc; e++)
    rc = li2_trainer_iterate(c, &err);
  ok(c && !rc && !memcmp(li2_trainer_model(a)->params, li2_trainer_model(c)->params,
                         li2_trainer_model(a)->nparams * sizeof(double)),
     "complex_init=%s: resume from a checkpoint continues bit for bit", init);
  if (c) {
    li2_trainer_test(a, &ma, &err);
    li2_trainer_test(c, &mc, &err);
    ok(ma.test_loss == mc.test_loss && ma.train_loss == mc.train_loss,
       "complex_init=%s: resumed metrics identical", init);
  }
  {
    FILE *fp = fopen(path, "rb");
    unsigned char hd[12] = {0};
    unsigned v;
    if (fp) {
      if (fread(hd, 1, 12, fp) != 12)
        hd[8] = 0;
      fclose(fp);
    }
    memcpy(&v, hd + 8, 4);
    ok(v == LI2_CHECKPOINT_VERSION_COMPLEX, "complex checkpoint has version %u (%d)", v,
       LI2_CHECKPOINT_VERSION_COMPLEX);
  }
  {
    double maxim = 0;
    const li2_model *m = li2_trainer_model(a);
    for (size_t p = 1; p < m->nparams; p += 2)
      maxim = fmax(maxim, fabs(m->params[p]));
    if (!strcmp(init, "real"))
      ok(maxim == 0, "complex_init=real: imaginary parts still exactly 0 after 40 epochs");
    else
      ok(maxim > 0, "complex_init=uniform: imaginary parts non-zero (max %g)", maxim);
  }
  unlink(path);
  li2_trainer_free(a);
  li2_trainer_free(b);
  li2_trainer_free(c);
}

static void check_refusals(void)
{
  static const char *const bad[][2] = {
    {"activation=relu", "activation=sqr only"},
    {"other_layers=1", "other_layers"},
    {"optim=muon", "optim=muon"},
    {"set_weight_reg=1e-3", "set_weight_reg"},
    {"precision=float", "precision=float"},
    {"stage1_stats=true", "stage1_stats"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *kv[] = {"M=7", "hidden_size=4", "loss_func=mse", "use_complex_weights=true",
                        bad[i][0]};
    li2_error err = {0};
    li2_trainer *t = make(kv, 5, &err);
    ok(!t && strstr(err.msg, bad[i][1]) && !strchr(err.msg, '\n'),
       "use_complex_weights with %s: refused in one line (%s)", bad[i][0], err.msg);
    li2_trainer_free(t);
  }
  {
    const char *kv[] = {"M=7", "complex_init=uniform"};
    li2_error err = {0};
    li2_trainer *t = make(kv, 2, &err);
    ok(!t && strstr(err.msg, "use_complex_weights"), "complex_init without complex weights: %s",
       err.msg);
    li2_trainer_free(t);
  }
  {
    li2_error err = {0};
    li2_model *m = li2_model_alloc(7, 2, 4, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
    li2_model_set_complex(m, &err);
    ok(li2_model_require_real(m, "li2 compare", &err) == LI2_EUNSUP &&
           strstr(err.msg, "complex weights"),
       "analyses of real weights refuse a complex model: %s", err.msg);
    li2_model_free(m);
  }
}

/* init=reference (torch's nn.Linear draws): the complex run gets the same
 * values in its real parts and 0 in its imaginary parts, as the
 * reference's .to(torch.cfloat). */
static void check_init_reference(void)
{
  const char *kr[] = {"M=11", "hidden_size=8", "loss_func=mse", "init=reference",
                      "top_layer_init_multiplier=0.5", "seed=3"};
  const char *kc[] = {"M=11", "hidden_size=8", "loss_func=mse", "init=reference",
                      "top_layer_init_multiplier=0.5", "seed=3", "use_complex_weights=true"};
  li2_error err = {0};
  li2_trainer *a = make(kr, 6, &err), *b = a ? make(kc, 7, &err) : NULL;
  int same = a && b;
  if (same) {
    const li2_model *mr = li2_trainer_model(a), *mc = li2_trainer_model(b);
    for (size_t p = 0; p < mr->nparams; p++)
      same &= mc->params[2 * p] == mr->params[p] && mc->params[2 * p + 1] == 0;
  }
  ok(same, "init=reference: complex weights = the real draws, imaginary parts 0 (%s)",
     same ? "" : err.msg);
  li2_trainer_free(a);
  li2_trainer_free(b);
}

int main(void)
{
  const char *top = getenv("top_srcdir");
  snprintf(data_dir, sizeof data_dir, "%s/tests/data", top ? top : ".");
  li2_process_set_threads(1);
  check_fd(LI2_LOSS_MSE, 2, 1.0);
  check_fd(LI2_LOSS_NLL, 2, 1.0);
  check_fd(LI2_LOSS_MSE, 3, 1.7);
  check_fd(LI2_LOSS_NLL, 3, 0.6);
  check_real_init();
  check_torch();
  check_resume("real");
  check_resume("uniform");
  check_refusals();
  check_init_reference();
  return tap_done();
}
