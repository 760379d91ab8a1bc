/* Model: backprop gradients dW, dL, dV and G_F against central finite
 * differences for every activation and both losses, with two and three
 * operands and with a residual layer; the fused step's tiled kernels
 * against its BLAS path; initialisation bounds; loss values against
 * independent formulas. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "model.h"
#include "process.h"
#include "tap.h"

/* The activations as literal formulas (model.h), so the naive forward
 * below does not call the library. */
static double act_literal(li2_activation a, double x)
{
  switch (a) {
  case LI2_ACT_SQR: return x * x;
  case LI2_ACT_RELU: return x > 0 ? x : 0;
  case LI2_ACT_SILU: return x / (1 + exp(-x));
  case LI2_ACT_RELUSQR: return x > 0 ? x * x : 0;
  default: return NAN;
  }
}

/* Independent loss of one output row (doc/mathematics.md section 1). */
static double row_loss(li2_loss l, const double *o, size_t M, int c)
{
  double s = 0;
  if (l == LI2_LOSS_MSE) {
    /* |o' - (e_c - 1/M)|^2 with o' = o - mean(o) */
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

/* Independent forward from first-layer features F0 (n x K) through the
 * residual layers to the mean loss, by plain loops. */
static double loss_from_f0(const li2_model *m, size_t n, const double *F0, const int *y)
{
  size_t K = m->K, M = m->M;
  double *f = malloc(K * sizeof(double)), *z = malloc(K * sizeof(double)),
         *o = malloc(M * sizeof(double)), total = 0;
  for (size_t i = 0; i < n; i++) {
    memcpy(f, F0 + i * K, K * sizeof(double));
    for (int l = 0; l < m->nlayers; l++) {
      const double *L = m->L + (size_t)l * K * K;
      for (size_t j = 0; j < K; j++) {
        z[j] = f[j];
        for (size_t q = 0; q < K; q++)
          z[j] += f[q] * L[q * K + j];
      }
      for (size_t j = 0; j < K; j++)
        f[j] = act_literal(m->act, z[j]);
    }
    for (size_t c = 0; c < M; c++) {
      o[c] = 0;
      for (size_t j = 0; j < K; j++)
        o[c] += f[j] * m->V[j * M + c];
      o[c] *= m->out_mult;  /* output_multiplier: outputs beta F V */
    }
    total += row_loss(m->loss, o, M, y[i]);
  }
  free(f);
  free(z);
  free(o);
  return total / (double)n;
}

/* Independent first layer: F0 = sigma(sum_t W[t M + x_t]). */
static void features_naive(const li2_model *m, size_t n, const int *x, double *F0)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < m->K; j++) {
      double h = 0;
      for (int t = 0; t < m->nops; t++)
        h += m->W[((size_t)t * m->M + (size_t)x[i * m->nops + t]) * m->K + j];
      F0[i * m->K + j] = act_literal(m->act, h);
    }
}

/* Smallest |pre-activation| over all layers: finite differences across
 * the kink of relu (or the second-derivative kink of relusqr) are only
 * first-order accurate, so the data are redrawn until it exceeds 1e-3. */
static double kink_margin(const li2_model *m, size_t n, const int *x)
{
  size_t K = m->K;
  double *f = malloc(K * sizeof(double)), *z = malloc(K * sizeof(double)), mn = INFINITY;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < K; j++) {
      double h = 0;
      for (int t = 0; t < m->nops; t++)
        h += m->W[((size_t)t * m->M + (size_t)x[i * m->nops + t]) * K + j];
      mn = fmin(mn, fabs(h));
      f[j] = act_literal(m->act, h);
    }
    for (int l = 0; l < m->nlayers; l++) {
      const double *L = m->L + (size_t)l * K * K;
      for (size_t j = 0; j < K; j++) {
        z[j] = f[j];
        for (size_t q = 0; q < K; q++)
          z[j] += f[q] * L[q * K + j];
        mn = fmin(mn, fabs(z[j]));
      }
      for (size_t j = 0; j < K; j++)
        f[j] = act_literal(m->act, z[j]);
    }
  }
  free(f);
  free(z);
  return mn;
}

static double loss_naive(const li2_model *m, size_t n, const int *x, const int *y, double *F0)
{
  features_naive(m, n, x, F0);
  return loss_from_f0(m, n, F0, y);
}

/* max |a - b| / max |b| */
static double rel_err(const double *a, const double *b, size_t len)
{
  double num = 0, den = 0;
  for (size_t i = 0; i < len; i++) {
    num = fmax(num, fabs(a[i] - b[i]));
    den = fmax(den, fabs(b[i]));
  }
  return den > 0 ? num / den : num;
}

/* li2_activation_eval and _deriv against literal values: x^2, max(x, 0),
 * x sigmoid(x) (silu(1) = 1/(1 + e^-1) = 0.7310585786300049, silu(-2) =
 * -2/(1 + e^2)), max(x, 0)^2; derivatives 2x, step (relu'(0) = 0 as
 * PyTorch), silu' = s (1 + x (1 - s)) checked by central differences of
 * the literal silu, 2 max(x, 0). */
static void test_activations(void)
{
  const double xs[] = {-2.0, -0.5, 0.0, 0.3, 1.0, 3.5};
  int vals = 1, ders = 1;
  double worst = 0;
  ok_close(li2_activation_eval(LI2_ACT_SILU, 1.0), 0.7310585786300049, 1e-15,
           "silu(1) = 1/(1 + e^-1) = 0.7310585786300049");
  ok_close(li2_activation_eval(LI2_ACT_SILU, -2.0), -2 / (1 + exp(2.0)), 1e-15,
           "silu(-2) = -2/(1 + e^2)");
  ok(li2_activation_deriv(LI2_ACT_RELU, 0.0) == 0 && li2_activation_deriv(LI2_ACT_RELU, 1e-300) == 1,
     "relu'(0) = 0, relu'(1e-300) = 1");
  for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
    double x = xs[i], h = 1e-5;
    for (int a = 0; a < LI2_ACT_TRAINER_COUNT; a++)
      vals &= fabs(li2_activation_eval((li2_activation)a, x) - act_literal((li2_activation)a, x)) <=
              1e-15 * fmax(1, fabs(x * x));
    ders &= li2_activation_deriv(LI2_ACT_SQR, x) == 2 * x &&
            li2_activation_deriv(LI2_ACT_RELU, x) == (x > 0 ? 1 : 0) &&
            li2_activation_deriv(LI2_ACT_RELUSQR, x) == (x > 0 ? 2 * x : 0);
    worst = fmax(worst, fabs(li2_activation_deriv(LI2_ACT_SILU, x) -
                             (act_literal(LI2_ACT_SILU, x + h) - act_literal(LI2_ACT_SILU, x - h)) /
                                 (2 * h)));
  }
  ok(vals, "sqr, relu, silu, relusqr equal their literal formulas at 6 points");
  ok(ders, "derivatives of sqr, relu, relusqr: 2x, step, 2 max(x, 0)");
  ok(worst < 1e-9, "silu' = central difference of x/(1 + e^-x) (max err %.1e)", worst);
}

static void check_case(li2_activation act, li2_loss loss, int nops, int layers, double beta,
                       gsl_rng *r)
{
  const size_t M = 5, K = 4, n = 13;
  li2_error err = {0};
  li2_model *m = li2_model_alloc(M, nops, K, layers, act, loss, &err);
  if (m)
    m->out_mult = beta;
  li2_model_work *w = m ? li2_model_work_alloc(m, n, 1, 0, &err) : NULL;
  int *x = malloc(n * (size_t)nops * sizeof(int)), *y = malloc(n * sizeof(int));
  double *grad, *fd, *F0, *GF, *GFfd, l0, lnaive;
  const double h = 1e-5;
  if (!m || !w) {
    ok(0, "alloc: %s", err.msg);
    return;
  }
  grad = malloc(m->nparams * sizeof(double));
  fd = malloc(m->nparams * sizeof(double));
  F0 = malloc(n * K * sizeof(double));
  GF = malloc(n * K * sizeof(double));
  GFfd = malloc(n * K * sizeof(double));
  do {
    li2_model_init(m, r, 1.0);
    /* make the scale interesting: larger weights give non-trivial outputs */
    for (size_t i = 0; i < m->nparams; i++)
      m->params[i] *= 2.0;
    for (size_t i = 0; i < n * (size_t)nops; i++)
      x[i] = (int)gsl_rng_uniform_int(r, M);
    for (size_t i = 0; i < n; i++)
      y[i] = (int)gsl_rng_uniform_int(r, M);
  } while ((act == LI2_ACT_RELU || act == LI2_ACT_RELUSQR) && kink_margin(m, n, x) < 1e-3);

  li2_model_forward(m, w, n, x, y, &l0, NULL, &err);
  lnaive = loss_naive(m, n, x, y, F0);
  li2_model_backward(m, w, grad, 0, 0, &err);
  memcpy(GF, li2_model_work_dfeatures(w), n * K * sizeof(double));
  for (size_t i = 0; i < n * K; i++)
    GF[i] = -GF[i];

  /* d loss / d params by central differences of the independent forward */
  for (size_t p = 0; p < m->nparams; p++) {
    double keep = m->params[p], lp, lm;
    m->params[p] = keep + h;
    lp = loss_naive(m, n, x, y, F0);
    m->params[p] = keep - h;
    lm = loss_naive(m, n, x, y, F0);
    m->params[p] = keep;
    fd[p] = (lp - lm) / (2 * h);
  }
  /* G_F = -d loss / d F0 */
  features_naive(m, n, x, F0);
  for (size_t q = 0; q < n * K; q++) {
    double keep = F0[q], lp, lm;
    F0[q] = keep + h;
    lp = loss_from_f0(m, n, F0, y);
    F0[q] = keep - h;
    lm = loss_from_f0(m, n, F0, y);
    F0[q] = keep;
    GFfd[q] = -(lp - lm) / (2 * h);
  }
  {
    double eW = rel_err(grad, fd, m->nW), eL = layers ? rel_err(grad + m->nW, fd + m->nW, m->nL) : 0,
           eV = rel_err(grad + m->nW + m->nL, fd + m->nW + m->nL, m->nV), eG = rel_err(GF, GFfd, n * K);
    const char *an = li2_activation_name(act), *ln = li2_loss_name(loss);
    ok_close(l0, lnaive, 1e-12, "%s/%s ops=%d layers=%d beta=%g: loss %.6g equals the plain-loop loss",
             an, ln, nops, layers, beta, l0);
    ok(eW <= 1e-6, "%s/%s ops=%d layers=%d beta=%g: dW = finite differences (rel %.2e)", an, ln,
       nops, layers, beta, eW);
    if (layers)
      ok(eL <= 1e-6, "%s/%s ops=%d layers=%d: dL = finite differences (rel %.2e)", an, ln, nops,
         layers, eL);
    ok(eV <= 1e-6, "%s/%s ops=%d layers=%d beta=%g: dV = finite differences (rel %.2e)", an, ln,
       nops, layers, beta, eV);
    ok(eG <= 1e-6, "%s/%s ops=%d layers=%d: G_F = -dLoss/dF finite differences (rel %.2e)", an,
       ln, nops, layers, eG);
  }
  /* the fused training step gives the same loss and gradient */
  {
    double *g2 = malloc(m->nparams * sizeof(double)), l2 = NAN, e2;
    size_t nc1 = 0, nc2 = 1;
    int rc2;
    li2_model_forward(m, w, n, x, y, NULL, &nc1, &err);
    rc2 = li2_model_step_grad(m, w, n, x, y, g2, &l2, &nc2, &err);
    e2 = rel_err(g2, grad, m->nparams);
    ok(rc2 == 0 && e2 <= 1e-13 && fabs(l2 - l0) <= 1e-14 * fabs(l0) && nc1 == nc2,
       "%s/%s ops=%d layers=%d: step_grad = forward + backward (rel %.1e)",
       li2_activation_name(act), li2_loss_name(loss), nops, layers, e2);
    free(g2);
  }
  /* li2_model_grad_features gives the same G_F; with no residual layer so
   * does the hand-built-features entry point */
  {
    double *F = malloc(n * K * sizeof(double)), *G2 = malloc(n * K * sizeof(double)), lg;
    li2_model_grad_features(m, w, n, x, y, F, G2, &lg, &err);
    ok(rel_err(G2, GF, n * K) == 0 && lg == l0, "grad_features agrees with backward");
    if (!layers && beta == 1) {  /* the hand-built entry point has no beta */
      double *O = malloc(n * M * sizeof(double)), *dO = malloc(n * M * sizeof(double)),
             *rl = malloc(n * sizeof(double)), *G3 = malloc(n * K * sizeof(double));
      double lh = li2_model_gf_from_features(loss, n, K, M, F, m->V, y, O, dO, rl, G3);
      ok(rel_err(G3, GF, n * K) <= 1e-14 && fabs(lh - l0) <= 1e-14 * fabs(l0),
         "gf_from_features on the network's F agrees (rel %.1e)", rel_err(G3, GF, n * K));
      free(O);
      free(dO);
      free(rl);
      free(G3);
    }
    free(F);
    free(G2);
  }
  free(grad);
  free(fd);
  free(F0);
  free(GF);
  free(GFfd);
  free(x);
  free(y);
  li2_model_work_free(w);
  li2_model_free(m);
}

/* The hand-tiled kernels of the fused step (AVX2, AVX-512: whichever the
 * CPU runs) against its BLAS path on the same data: loss, accuracy and
 * gradient.  Shapes with M not a multiple of the vector length, K odd or
 * below one vector, n not a multiple of the tile rows and several blocks
 * per thread, one sample (a thread without rows).  The sums run in other
 * orders, so they agree to rounding:
 * double to 1e-12 relative (max-norm), float to 2e-5 (its epsilon 6e-8
 * times the growth of sums over K and n terms).  Also: the same kernel
 * twice gives the same bits. */
static void check_kernels(li2_activation act, li2_loss loss, size_t M, size_t K, size_t n,
                          int nops, int single, double beta, gsl_rng *r)
{
  li2_error err = {0};
  li2_model *m = li2_model_alloc(M, nops, K, 0, act, loss, &err);
  if (m)
    m->out_mult = beta;
  li2_model_work *w = m ? li2_model_work_alloc(m, n, 1, single, &err) : NULL;
  int *x = malloc(n * (size_t)nops * sizeof(int)), *y = malloc(n * sizeof(int));
  double *g0, *g1, *g2, l0 = 0, l1 = 0, l2 = 0;
  const double tol = single ? 2e-5 : 1e-12;
  if (!w) {
    ok(0, "alloc: %s", err.msg);
    return;
  }
  g0 = malloc(m->nparams * sizeof(double));
  g1 = malloc(m->nparams * sizeof(double));
  g2 = malloc(m->nparams * sizeof(double));
  li2_model_init(m, r, 2.0);
  for (size_t i = 0; i < n * (size_t)nops; i++)
    x[i] = (int)gsl_rng_uniform_int(r, M);
  for (size_t i = 0; i < n; i++)
    y[i] = (int)gsl_rng_uniform_int(r, M);
  if (li2_model_work_set_kernel(w, LI2_KERNEL_BLAS, &err) == 0) {
    size_t nc0 = 0, nc1 = 0;
    li2_model_step_grad(m, w, n, x, y, g0, &l0, &nc0, &err);
    for (int k = LI2_KERNEL_AVX2; k <= LI2_KERNEL_AVX512; k++) {
      double e;
      if (li2_model_work_set_kernel(w, (li2_kernel)k, &err)) {
        tap_skip("kernel %s %s M=%zu K=%zu: not on this CPU (%s)",
                 li2_kernel_name((li2_kernel)k), single ? "float" : "double", M, K, err.msg);
        tap_skip("kernel %s: same bits twice: not on this CPU", li2_kernel_name((li2_kernel)k));
        continue;
      }
      li2_model_step_grad(m, w, n, x, y, g1, &l1, &nc1, &err);
      li2_model_step_grad(m, w, n, x, y, g2, &l2, NULL, &err);
      e = rel_err(g1, g0, m->nparams);
      ok(e <= tol && fabs(l1 - l0) <= tol * fabs(l0) && (single || nc1 == nc0),
         "kernel %s %s %s/%s M=%zu K=%zu n=%zu ops=%d beta=%g: gradient rel %.1e, loss rel %.1e, "
         "correct %zu/%zu", li2_kernel_name((li2_kernel)k), single ? "float" : "double",
         li2_activation_name(act), li2_loss_name(loss), M, K, n, nops, beta, e,
         fabs(l1 - l0) / fabs(l0), nc1, nc0);
      ok(!memcmp(g1, g2, m->nparams * sizeof(double)) && l1 == l2,
         "kernel %s: the same step twice gives the same bits", li2_kernel_name((li2_kernel)k));
    }
  } else {
    ok(0, "kernel=blas: %s", err.msg);
  }
  free(g0);
  free(g1);
  free(g2);
  free(x);
  free(y);
  li2_model_work_free(w);
  li2_model_free(m);
}

/* ---- use_bn: BatchNorm1d between W and the activation ---- */

/* Node j's pre-activation on sample XI by plain loops: sum_t W[t M + x_t][j],
 * with embed_trainable sum_t sum_b E[x_t][b] W[t M + b][j]; with
 * use_inner_product_act the product over t instead of the sum. */
static double pre_naive(const li2_model *m, const int *xi, size_t j)
{
  const size_t M = m->M, K = m->K;
  double h = m->inner ? 1 : 0;
  for (int t = 0; t < m->nops; t++) {
    double p = 0;  /* operand t's projection */
    if (m->embed) {
      for (size_t b = 0; b < M; b++)
        p += m->E[(size_t)xi[t] * M + b] * m->W[((size_t)t * M + b) * K + j];
    } else {
      p = m->W[((size_t)t * M + (size_t)xi[t]) * K + j];
    }
    /* use_inner_product_act: the product of the projections */
    h = m->inner ? h * p : h + p;
  }
  return h;
}

/* Independent forward of the network with the reference's options by
 * plain loops: H (pre_naive); use_bn: per node mu and biased var over the
 * N samples (BATCH) or the running statistics, y = gamma (h - mu) /
 * sqrt(var + 1e-5) + beta; F = sigma(y); residual layers, outputs; the mean
 * loss.  *MARGIN (may be NULL): the smallest |y| (relu's kink). */
static double opt_loss_naive(const li2_model *m, size_t n, const int *x, const int *y, int batch,
                             double *margin)
{
  const size_t K = m->K;
  double *H = malloc(n * K * sizeof(double)), *F0 = malloc(n * K * sizeof(double)), loss;
  double mn = INFINITY;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < K; j++)
      H[i * K + j] = pre_naive(m, x + i * (size_t)m->nops, j);
  for (size_t j = 0; j < K; j++) {
    double mu = 0, var = 0;
    if (m->bn && batch) {
      for (size_t i = 0; i < n; i++)
        mu += H[i * K + j] / (double)n;
      for (size_t i = 0; i < n; i++)
        var += (H[i * K + j] - mu) * (H[i * K + j] - mu) / (double)n;
    } else if (m->bn) {
      mu = m->bn_mean[j];
      var = m->bn_var[j];
    }
    for (size_t i = 0; i < n; i++) {
      double v = m->bn ? m->gamma[j] * (H[i * K + j] - mu) / sqrt(var + 1e-5) + m->beta[j]
                       : H[i * K + j];
      mn = fmin(mn, fabs(v));
      F0[i * K + j] = m->inner ? v : act_literal(m->act, v);  /* no activation after the product */
    }
  }
  loss = loss_from_f0(m, n, F0, y);
  if (margin)
    *margin = mn;
  free(H);
  free(F0);
  return loss;
}

/* use_bn and embed_trainable: loss of the training step (batch statistics)
 * and of the eval-mode forward against the plain loops (1e-12 relative);
 * the training step's gradient of every parameter (W, L, V, gamma, beta,
 * E) against central differences (h = 1e-5) of the plain-loop batch-mode
 * loss, and the eval-mode forward + backward against those of the
 * eval-mode loss, both to 1e-6 relative (max-norm over each block); the
 * running statistics after li2_model_bn_update against the formula. */
static void check_opts(li2_activation act, li2_loss loss, int nops, int layers, int bn,
                       int embed, int inner, gsl_rng *r)
{
  const size_t M = 5, K = 4, n = 13;
  const double h = 1e-5;
  li2_error err = {0};
  li2_model *m = li2_model_alloc(M, nops, K, layers, act, loss, &err);
  li2_model_work *w = m && (!bn || !li2_model_set_bn(m, &err)) &&
                              (!embed || !li2_model_set_embed(m, &err)) &&
                              (!inner || !li2_model_set_inner(m, &err))
                          ? li2_model_work_alloc(m, n, 1, 0, &err) : NULL;
  char opt[64];
  snprintf(opt, sizeof opt, "%s%s%s", bn ? "use_bn " : "", embed ? "embed_trainable " : "",
           inner ? "use_inner_product_act " : "");
  int *x = malloc(n * (size_t)nops * sizeof(int)), *y = malloc(n * sizeof(int));
  double *grad, *fd, margin, lb = 0, le = 0, lbn = 0, len = 0, eb[5], ee[5];
  const char *an = li2_activation_name(act), *ln = li2_loss_name(loss);
  if (!w) {
    ok(0, "%salloc: %s", opt, err.msg);
    return;
  }
  grad = malloc(m->nparams * sizeof(double));
  fd = malloc(m->nparams * sizeof(double));
  do {
    li2_model_init(m, r, 2.0);
    /* gamma, beta and the running statistics away from 1, 0 */
    for (size_t j = 0; bn && j < K; j++) {
      m->gamma[j] = 0.5 + gsl_rng_uniform(r);
      m->beta[j] = gsl_rng_uniform(r) - 0.5;
      m->bn_mean[j] = 0.2 * (gsl_rng_uniform(r) - 0.5);
      m->bn_var[j] = 0.05 + 0.2 * gsl_rng_uniform(r);
    }
    for (size_t i = 0; i < n * (size_t)nops; i++)
      x[i] = (int)gsl_rng_uniform_int(r, M);
    for (size_t i = 0; i < n; i++)
      y[i] = (int)gsl_rng_uniform_int(r, M);
    opt_loss_naive(m, n, x, y, 1, &margin);
    {
      double m2;
      opt_loss_naive(m, n, x, y, 0, &m2);
      margin = fmin(margin, m2);
    }
  } while ((act == LI2_ACT_RELU || act == LI2_ACT_RELUSQR) && !layers && margin < 1e-3);

  for (int batch = 1; batch >= 0; batch--) {
    double *e = batch ? eb : ee, l0;
    if (batch) {
      /* the fused step (step_fused_bn with use_bn) against the unfused
       * forward + backward on batch statistics */
      double *g2 = malloc(m->nparams * sizeof(double)), l2 = NAN, e2;
      li2_model_work_set_bn_batch(w, 1);
      li2_model_forward(m, w, n, x, y, &l2, NULL, &err);
      li2_model_backward(m, w, g2, 0, 0, &err);
      li2_model_step_grad(m, w, n, x, y, grad, &l0, NULL, &err);
      e2 = rel_err(grad, g2, m->nparams);
      ok(e2 <= 1e-12 && fabs(l2 - l0) <= 1e-13 * fabs(l0),
         "%s%s/%s ops=%d layers=%d: training step = batch-mode forward + backward (rel %.1e)",
         opt, an, ln, nops, layers, e2);
      free(g2);
      lb = l0;
      lbn = opt_loss_naive(m, n, x, y, 1, NULL);
    } else {
      li2_model_work_set_bn_batch(w, 0);
      li2_model_forward(m, w, n, x, y, &l0, NULL, &err);
      li2_model_backward(m, w, grad, 0, 0, &err);
      le = l0;
      len = opt_loss_naive(m, n, x, y, 0, NULL);
    }
    for (size_t p = 0; p < m->nparams; p++) {
      double keep = m->params[p], lp, lm;
      m->params[p] = keep + h;
      lp = opt_loss_naive(m, n, x, y, batch, NULL);
      m->params[p] = keep - h;
      lm = opt_loss_naive(m, n, x, y, batch, NULL);
      m->params[p] = keep;
      fd[p] = (lp - lm) / (2 * h);
    }
    e[0] = rel_err(grad, fd, m->nW);
    e[1] = layers ? rel_err(grad + m->nW, fd + m->nW, m->nL) : 0;
    e[2] = rel_err(grad + m->nW + m->nL, fd + m->nW + m->nL, m->nV);
    e[3] = bn ? rel_err(m->gamma - m->params + grad, m->gamma - m->params + fd, 2 * K) : 0;
    e[4] = embed ? rel_err(m->E - m->params + grad, m->E - m->params + fd, M * M) : 0;
  }
  ok_close(lb, lbn, 1e-12 * fabs(lbn), "%s%s/%s ops=%d layers=%d: training-step loss %.6g = plain loops",
           opt, an, ln, nops, layers, lb);
  ok_close(le, len, 1e-12 * fabs(len), "%s%s/%s ops=%d layers=%d: eval-mode loss %.6g = plain loops",
           opt, an, ln, nops, layers, le);
  ok(eb[0] <= 1e-6 && eb[1] <= 1e-6 && eb[2] <= 1e-6 && eb[3] <= 1e-6 && eb[4] <= 1e-6,
     "%s%s/%s ops=%d layers=%d: training-step gradient (kernel %s) = finite differences (rel dW "
     "%.1e, dL %.1e, dV %.1e, dgamma|dbeta %.1e, dE %.1e)", opt, an, ln, nops, layers,
     li2_kernel_name(li2_model_work_kernel(w)), eb[0], eb[1], eb[2], eb[3], eb[4]);
  ok(ee[0] <= 1e-6 && ee[1] <= 1e-6 && ee[2] <= 1e-6 && ee[3] <= 1e-6 && ee[4] <= 1e-6,
     "%s%s/%s ops=%d layers=%d: eval-mode forward + backward = finite differences (rel dW %.1e, "
     "dL %.1e, dV %.1e, dgamma|dbeta %.1e, dE %.1e)", opt, an, ln, nops, layers, ee[0], ee[1],
     ee[2], ee[3], ee[4]);
  diag("%sFD %s/%s ops=%d layers=%d: max rel step %.1e forward+backward %.1e", opt, an, ln, nops,
       layers, fmax(fmax(fmax(eb[0], eb[1]), fmax(eb[2], eb[3])), eb[4]),
       fmax(fmax(fmax(ee[0], ee[1]), fmax(ee[2], ee[3])), ee[4]));
  /* running statistics: r = 0.9 r + 0.1 b, unbiased variance */
  if (bn) {
    double *rm = malloc(2 * K * sizeof(double)), worst = 0;
    for (size_t j = 0; j < K; j++) {
      double mu = 0, var = 0;
      for (size_t i = 0; i < n; i++)
        mu += pre_naive(m, x + i * (size_t)nops, j) / (double)n;
      for (size_t i = 0; i < n; i++) {
        double hh = pre_naive(m, x + i * (size_t)nops, j);
        var += (hh - mu) * (hh - mu) / (double)(n - 1);
      }
      rm[j] = 0.9 * m->bn_mean[j] + 0.1 * mu;
      rm[K + j] = 0.9 * m->bn_var[j] + 0.1 * var;
    }
    li2_model_step_grad(m, w, n, x, y, grad, NULL, NULL, &err);
    ok(li2_model_bn_update(m, w, &err) == 0, "use_bn: running statistics updated (%s)", err.msg);
    worst = fmax(rel_err(m->bn_mean, rm, K), rel_err(m->bn_var, rm + K, K));
    ok(worst <= 1e-13, "use_bn %s ops=%d: running mean and unbiased variance, momentum 0.1 (rel %.1e)",
       an, nops, worst);
    li2_model_work_set_bn_batch(w, 0);
    li2_model_forward(m, w, n, x, y, NULL, NULL, &err);
    ok(li2_model_bn_update(m, w, &err) == LI2_EINVAL,
       "use_bn: no update from an eval-mode forward: %s", err.msg);
    free(rm);
  }
  free(grad);
  free(fd);
  free(x);
  free(y);
  li2_model_work_free(w);
  li2_model_free(m);
}

/* use_bn (BN) or embed_trainable (EMBED) on a larger case: the fused step
 * on each tiled kernel the CPU runs against its BLAS path (1e-12
 * relative); threads=2 against threads=1 (the fused step adds per-thread
 * partial sums in thread order, fixed for a thread count (model.h): equal
 * to 1e-12) and twice the same bits;
 * precision=float against double (1e-5); the refusals. */
static void check_opt_misc(int bn, int embed, int inner, li2_activation act, gsl_rng *r)
{
  const size_t M = 23, K = 37, n = 300;
  const char *name = bn ? "use_bn" : embed ? "embed_trainable" : "use_inner_product_act";
  li2_error err = {0};
  li2_model *m = li2_model_alloc(M, 2, K, 0, act, LI2_LOSS_NLL, &err);
  li2_model_work *w, *wf;
  int *x = malloc(2 * n * sizeof(int)), *y = malloc(n * sizeof(int));
  double *g0, *g1, *g2, l0, l1, l2, lf;
  if ((bn && li2_model_set_bn(m, &err)) || (embed && li2_model_set_embed(m, &err)) ||
      (inner && li2_model_set_inner(m, &err))) {
    ok(0, "%s: %s", name, err.msg);
    return;
  }
  g0 = malloc(m->nparams * sizeof(double));
  g1 = malloc(m->nparams * sizeof(double));
  g2 = malloc(m->nparams * sizeof(double));
  li2_model_init(m, r, 1.0);
  for (size_t i = 0; i < 2 * n; i++)
    x[i] = (int)gsl_rng_uniform_int(r, M);
  for (size_t i = 0; i < n; i++)
    y[i] = (int)gsl_rng_uniform_int(r, M);
  li2_process_set_threads(1);
  w = li2_model_work_alloc(m, n, 1, 0, &err);
  li2_model_work_set_kernel(w, LI2_KERNEL_BLAS, &err);
  li2_model_step_grad(m, w, n, x, y, g0, &l0, NULL, &err);
  for (int k = LI2_KERNEL_AVX2; embed && k <= LI2_KERNEL_AVX512; k++) {
    if (li2_model_work_set_kernel(w, (li2_kernel)k, &err)) {
      tap_skip("%s kernel %s: not on this CPU", name, li2_kernel_name((li2_kernel)k));
      continue;
    }
    li2_model_step_grad(m, w, n, x, y, g1, &l1, NULL, &err);
    ok(rel_err(g1, g0, m->nparams) <= 1e-12 && fabs(l1 - l0) <= 1e-12 * l0,
       "%s: kernel %s = blas (gradient rel %.1e)", name, li2_kernel_name((li2_kernel)k),
       rel_err(g1, g0, m->nparams));
  }
  li2_model_step_grad(m, w, n, x, y, g1, &l1, NULL, &err);
  li2_model_work_free(w);
  li2_process_set_threads(2);
  w = li2_model_work_alloc(m, n, 1, 0, &err);
  li2_model_step_grad(m, w, n, x, y, g2, &l2, NULL, &err);
  ok(fabs(l1 - l2) <= 1e-13 * l1 && rel_err(g2, g1, m->nparams) <= 1e-12,
     "%s: threads=2 = threads=1 to rounding (kernel %s, gradient rel %.1e)", name,
     li2_kernel_name(li2_model_work_kernel(w)), rel_err(g2, g1, m->nparams));
  li2_model_step_grad(m, w, n, x, y, g1, &l1, NULL, &err);
  ok(l1 == l2 && !memcmp(g1, g2, m->nparams * sizeof(double)), "%s: threads=2 twice gives the same bits",
     name);
  wf = li2_model_work_alloc(m, n, 1, 1, &err);
  li2_model_step_grad(m, wf, n, x, y, g2, &lf, NULL, &err);
  ok(fabs(lf - l0) <= 1e-6 * l0 && rel_err(g2, g0, m->nparams) <= 1e-5,
     "%s precision=float: loss rel %.1e, gradient rel %.1e", name, fabs(lf - l0) / l0,
     rel_err(g2, g0, m->nparams));
  if (bn)
    ok(li2_model_step_grad(m, w, 1, x, y, g1, NULL, NULL, &err) == LI2_EINVAL &&
       strstr(err.msg, "use_bn"), "use_bn: a batch of one sample refused: %s", err.msg);
  if (!embed)
    ok(li2_model_work_set_kernel(w, LI2_KERNEL_AVX2, &err) == LI2_EINVAL && strstr(err.msg, name),
       "%s: tiled kernels refused: %s", name, err.msg);
  ok(li2_model_set_complex(m, &err) == LI2_EINVAL && strstr(err.msg, name),
     "%s then complex weights refused: %s", name, err.msg);
  ok(li2_model_require_real(m, "li2 compare", &err) == LI2_EUNSUP && strstr(err.msg, name),
     "the analyses of sigma(W x) refuse %s: %s", name, err.msg);
  li2_model_work_free(w);
  li2_model_work_free(wf);
  li2_model_free(m);
  m = li2_model_alloc(7, 2, 4, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
  li2_model_set_complex(m, &err);
  ok((bn ? li2_model_set_bn(m, &err) : embed ? li2_model_set_embed(m, &err)
                                             : li2_model_set_inner(m, &err)) == LI2_EINVAL &&
     strstr(err.msg, "complex"), "complex weights then %s refused: %s", name, err.msg);
  if (inner) {
    li2_model_free(m);
    m = li2_model_alloc(7, 2, 4, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
    li2_model_set_inner(m, &err);
    ok(li2_model_set_bn(m, &err) == LI2_EINVAL && strstr(err.msg, "use_inner_product_act"),
       "use_inner_product_act then use_bn refused: %s", err.msg);
  }
  li2_model_free(m);
  free(g0);
  free(g1);
  free(g2);
  free(x);
  free(y);
}

int main(void)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  li2_error err = {0};
  gsl_rng_set(r, 42);

  test_activations();
  /* the reference's options: use_bn, embed_trainable, both;
   * use_inner_product_act, also with embed_trainable (not with use_bn) */
  for (int o = 1; o <= 5; o++) {
    const int bn = o < 4 && (o & 1), embed = o < 4 ? (o >> 1) & 1 : o == 5, inner = o >= 4;
    for (int a = 0; a < LI2_ACT_TRAINER_COUNT; a++)
      for (int l = 0; l < LI2_LOSS_COUNT; l++)
        if (!inner || a == 0)  /* the product has no activation: one */
          check_opts((li2_activation)a, (li2_loss)l, 2, 0, bn, embed, inner, r);
    check_opts(LI2_ACT_SQR, LI2_LOSS_MSE, 3, 0, bn, embed, inner, r);
    check_opts(LI2_ACT_SILU, LI2_LOSS_NLL, 2, 1, bn, embed, inner, r);
    check_opts(LI2_ACT_SILU, LI2_LOSS_MSE, 3, 2, bn, embed, inner, r);
  }
  check_opt_misc(1, 0, 0, LI2_ACT_SQR, r);
  check_opt_misc(0, 1, 0, LI2_ACT_RELU, r);
  check_opt_misc(0, 0, 1, LI2_ACT_SQR, r);
  li2_process_set_threads(0);
  for (int a = 0; a < LI2_ACT_TRAINER_COUNT; a++)
    for (int l = 0; l < LI2_LOSS_COUNT; l++)
      check_case((li2_activation)a, (li2_loss)l, 2, 0, 1.0, r);
  for (int a = 0; a < LI2_ACT_TRAINER_COUNT; a++)
    check_case((li2_activation)a, LI2_LOSS_MSE, 3, 0, 1.0, r);
  for (int a = 0; a < LI2_ACT_TRAINER_COUNT; a++)
    check_case((li2_activation)a, (li2_loss)(a % 2), 2, 1, 1.0, r);
  check_case(LI2_ACT_SQR, LI2_LOSS_NLL, 3, 2, 1.0, r);
  /* output_multiplier beta: outputs beta F V, every activation and loss */
  for (int a = 0; a < LI2_ACT_TRAINER_COUNT; a++)
    for (int l = 0; l < LI2_LOSS_COUNT; l++)
      check_case((li2_activation)a, (li2_loss)l, 2, 0, a % 2 ? 0.3 : 2.5, r);
  check_case(LI2_ACT_SQR, LI2_LOSS_MSE, 2, 1, 3.0, r);

  /* precision=float: same loss and gradients to single-precision accuracy */
  for (int a = 0; a < LI2_ACT_TRAINER_COUNT; a++) {
    li2_model *m = li2_model_alloc(11, 2, 64, a == 2, (li2_activation)a, (li2_loss)(a % 2), &err);
    li2_model_work *wd = li2_model_work_alloc(m, 100, 1, 0, &err),
                   *wf = li2_model_work_alloc(m, 100, 1, 1, &err);
    double *gd = malloc(m->nparams * sizeof(double)), *gf = malloc(m->nparams * sizeof(double));
    double ld, lf, e;
    int x[200], y[100];
    li2_model_init(m, r, 1.0);
    for (int i = 0; i < 200; i++)
      x[i] = (int)gsl_rng_uniform_int(r, 11);
    for (int i = 0; i < 100; i++)
      y[i] = (int)gsl_rng_uniform_int(r, 11);
    li2_model_forward(m, wd, 100, x, y, &ld, NULL, &err);
    li2_model_backward(m, wd, gd, 0, 0, &err);
    li2_model_forward(m, wf, 100, x, y, &lf, NULL, &err);
    li2_model_backward(m, wf, gf, 0, 0, &err);
    e = rel_err(gf, gd, m->nparams);
    {
      double *g3 = malloc(m->nparams * sizeof(double)), l3, e3;
      li2_model_step_grad(m, wf, 100, x, y, g3, &l3, NULL, &err);
      e3 = rel_err(g3, gd, m->nparams);
      ok(fabs(l3 - ld) <= 1e-6 * ld && e3 <= 1e-5, "precision=float fused step: gradient rel %.1e",
         e3);
      free(g3);
    }
    ok(fabs(lf - ld) <= 1e-6 * ld && e <= 1e-5,
       "precision=float %s%s: loss rel %.1e, gradient rel %.1e", li2_activation_name(m->act),
       m->nlayers ? " +layer" : "", fabs(lf - ld) / ld, e);
    free(gd);
    free(gf);
    li2_model_work_free(wd);
    li2_model_work_free(wf);
    li2_model_free(m);
  }

  /* tiled kernels against BLAS: every activation and loss, ragged shapes */
  {
    static const size_t shapes[][4] = {
      /* M, K, n, nops */
      {5, 4, 13, 2}, {17, 33, 50, 2}, {71, 130, 301, 2}, {23, 64, 97, 3},
      {127, 47, 203, 2}, {3, 1, 7, 2}, {2, 5, 1, 2}, {29, 1001, 700, 2}};
    for (int single = 0; single < 2; single++)
      for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int a = 0; a < LI2_ACT_TRAINER_COUNT; a++)
          for (int l = 0; l < LI2_LOSS_COUNT; l++)
            check_kernels((li2_activation)a, (li2_loss)l, shapes[s][0], shapes[s][1],
                          shapes[s][2], (int)shapes[s][3], single, 1.0, r);
    /* output_multiplier: the kernels against BLAS with beta != 1 */
    for (int single = 0; single < 2; single++)
      for (int l = 0; l < LI2_LOSS_COUNT; l++) {
        check_kernels(LI2_ACT_SQR, (li2_loss)l, 71, 130, 301, 2, single, 3.0, r);
        check_kernels(LI2_ACT_RELU, (li2_loss)l, 17, 33, 50, 2, single, 0.25, r);
      }
  }
  /* kernel choice: names, and tiled kernels only where the fused step is */
  {
    li2_model *m = li2_model_alloc(7, 2, 8, 1, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
    li2_model_work *w = li2_model_work_alloc(m, 10, 1, 0, &err);
    ok(li2_model_work_kernel(w) == LI2_KERNEL_BLAS &&
       li2_model_work_set_kernel(w, LI2_KERNEL_AVX512, &err) == LI2_EINVAL &&
       strstr(err.msg, "kernel=avx512"), "other_layers=1 keeps BLAS: %s", err.msg);
    li2_model_work_free(w);
    w = li2_model_work_alloc(m, 10, 0, 0, &err);
    ok(li2_model_work_set_kernel(w, LI2_KERNEL_AUTO, &err) == 0 &&
       li2_model_work_kernel(w) == LI2_KERNEL_BLAS,
       "a forward-only workspace: auto is BLAS");
    li2_model_work_free(w);
    li2_model_free(m);
  }

  /* the MSE loss at zero output is 1 - 1/M: |e_c - 1/M|^2 */
  {
    double O[6] = {0}, rl[2];
    int y[2] = {0, 2};
    ok_close(li2_loss_eval(LI2_LOSS_MSE, 2, 3, O, y, NULL, rl, NULL), 1 - 1.0 / 3, 1e-15,
             "mse of zero outputs is 1 - 1/M");
    ok_close(li2_loss_eval(LI2_LOSS_NLL, 2, 3, O, y, NULL, rl, NULL), log(3.0), 1e-15,
             "nll of zero outputs is log M");
  }

  /* PyTorch default init: |W| <= 1/sqrt(2M), |V| <= 1/sqrt(K), and the
   * empirical variance matches the uniform law's b^2/3 */
  {
    li2_model *m = li2_model_alloc(71, 2, 512, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err);
    double bW = 1 / sqrt(142.0), bV = 1 / sqrt(512.0), mxW = 0, mxV = 0, vW = 0;
    li2_model_init(m, r, 1.0);
    for (size_t i = 0; i < m->nW; i++) {
      mxW = fmax(mxW, fabs(m->W[i]));
      vW += m->W[i] * m->W[i] / (double)m->nW;
    }
    for (size_t i = 0; i < m->nV; i++)
      mxV = fmax(mxV, fabs(m->V[i]));
    ok(mxW <= bW && mxW > 0.99 * bW && mxV <= bV && mxV > 0.99 * bV,
       "init bounds 1/sqrt(fan_in): W %.5f (%.5f), V %.5f (%.5f)", mxW, bW, mxV, bV);
    ok_close(vW, bW * bW / 3, 0.02 * bW * bW / 3, "init variance of W is b^2/3");
    li2_model_init(m, r, 0.5);
    mxW = 0;
    for (size_t i = 0; i < m->nW; i++)
      mxW = fmax(mxW, fabs(m->W[i]));
    ok(mxW <= 0.5 * bW && mxW > 0.49 * bW, "init_scale 0.5 halves the bound");
    li2_model_free(m);
  }
  ok(li2_model_alloc(71, 2, 0, 0, LI2_ACT_SQR, LI2_LOSS_MSE, &err) == NULL &&
     strstr(err.msg, "hidden_size"), "hidden_size=0 rejected: %s", err.msg);
  ok(li2_model_alloc(7, 2, 4, 0, LI2_ACT_TANH, LI2_LOSS_MSE, &err) == NULL &&
     strstr(err.msg, "tanh"), "landscape-only activation refused by the trainer: %s", err.msg);
  gsl_rng_free(r);
  return tap_done();
}
