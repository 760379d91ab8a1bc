/* The 2-layer network on group arithmetic (doc/mathematics.md section 1).
 *
 * Node j's pre-activation on a k-tuple (a_1, ..., a_k) is the gather
 * h_j = W[a_1][j] + W[M + a_2][j] + ... + W[(k-1)M + a_k][j]: the one-hot
 * input is never materialised.  Features F = sigma(H) (n x K), optional
 * residual layers F <- sigma(F + F L_l) (the reference's `other_layers`),
 * output O = F V (n x M).
 *
 * Parameters live in one contiguous vector  W | L_1 .. L_r | V  so the
 * optimisers can treat them as flat arrays:
 *   W  (k M) x K row-major: row t*M + a holds operand t's value a for every
 *      node (the transpose of the reference's W.weight, K x kM);
 *   L_l K x K: z = f + f L_l (the transpose of the reference's layer weight);
 *   V  K x M (the transpose of the reference's V.weight).
 *
 * Memory contract: li2_model and li2_model_work own their arrays; the
 * workspace is sized once for at most NMAX samples and the forward and
 * backward passes allocate nothing.  Results are deterministic for a given
 * OpenMP thread count (static schedules, sums in a fixed order).  Matrix
 * products are split over the OpenMP threads, each calling BLAS on its
 * block, so BLAS should run single-threaded (li2_process_set_threads); the
 * training step uses hand-tiled kernels instead where the CPU has them
 * (li2_kernel below). */
#ifndef LI2_MODEL_H
#define LI2_MODEL_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LI2_ACT_SQR,      /* x^2 */
  LI2_ACT_RELU,     /* max(x, 0) */
  LI2_ACT_SILU,     /* x sigmoid(x) */
  LI2_ACT_RELUSQR,  /* max(x, 0)^2 */
  /* Landscape-only activations (li2 energy/maxima/flow; the trainer
   * rejects them, li2_activation_trainer): */
  LI2_ACT_TANH,     /* tanh(x) (Theorem 5) */
  LI2_ACT_SIGMOID,  /* 1/(1 + e^-x) (Theorem 5) */
  LI2_ACT_QUAD,     /* a x + b x^2 (Theorem 2's extension); a = b = 1 here,
                     * other coefficients through li2_energy_set_quad */
  LI2_ACT_COUNT
} li2_activation;

/* Activations the trainer (li2_model) runs: sqr, relu, silu, relusqr. */
#define LI2_ACT_TRAINER_COUNT 4
int li2_activation_trainer(li2_activation a);

typedef enum {
  LI2_LOSS_MSE,     /* centred MSE of the reference (doc/mathematics.md section 1) */
  LI2_LOSS_NLL,     /* cross-entropy of the logits */
  LI2_LOSS_COUNT
} li2_loss;

/* Names as the reference spells them ("sqr", ..., "mse", "nll"), in enum
 * order (the name tables of li2_names_*, args.h); parse returns LI2_EINVAL
 * with ERR naming KEY. */
#define LI2_ACT_TRAINER_NAMES(X) X(sqr) X(relu) X(silu) X(relusqr)
#define LI2_ACT_NAMES(X) LI2_ACT_TRAINER_NAMES(X) X(tanh) X(sigmoid) X(quad)
#define LI2_LOSS_NAMES(X) X(mse) X(nll)
extern const char *const li2_activation_names[LI2_ACT_COUNT];
extern const char *const li2_loss_names[LI2_LOSS_COUNT];
const char *li2_activation_name(li2_activation a);
int li2_activation_parse(const char *s, li2_activation *a, const char *key, li2_error *err);
const char *li2_loss_name(li2_loss l);
int li2_loss_parse(const char *s, li2_loss *l, const char *key, li2_error *err);

/* sigma(x) and sigma'(x) (quad with a = b = 1). */
double li2_activation_eval(li2_activation a, double x);
double li2_activation_deriv(li2_activation a, double x);

typedef struct li2_model {
  size_t M;          /* group order: values per operand and outputs */
  size_t K;          /* hidden_size */
  int nops;          /* operands per sample (num_of_ops) */
  int nlayers;       /* other_layers */
  li2_activation act;
  li2_loss loss;
  size_t nparams;    /* k M K + r K^2 + K M (+ 2K with use_bn, + M^2 with embed_trainable) */
  size_t nW, nL, nV; /* block sizes */
  double *params;    /* W | L_1..L_r | V (| gamma | beta with use_bn) (| E with embed_trainable) */
  double *W, *L, *V; /* views into params */
  /* output_multiplier beta (the reference's, modular_addition_simple2.py:
   * output = V(x) * output_multiplier; paper Sec. 7): outputs O = beta F V.
   * Applied in the loss of one output row (dLoss/dO = beta dLoss/d(beta o)),
   * so every pass and kernel uses it exactly; 1 after li2_model_alloc, must
   * be > 0 (argmax unchanged). */
  double out_mult;
  /* use_complex_weights (the reference's, modular_addition_simple2.py,
   * ModularAdditionNN: W.weight and V.weight converted to torch.cfloat,
   * x.pow(2) on the complex pre-activation, the loss and the argmax on the
   * real part of the output).  Set by li2_model_set_complex: every weight
   * is then a complex number stored as the pair (re, im) of doubles
   * (C11's layout of double complex), so W is (k M) x K and V is K x M
   * complex, nW, nL, nV and nparams count doubles (twice the weights), and
   * GRAD holds dLoss/dRe + i dLoss/dIm, torch's gradient of a real loss in
   * a complex parameter: the optimisers act on the (re, im) doubles one by
   * one, as torch's Adam and SGD do on view_as_real. */
  int cplx;
  /* use_bn (the reference's nn.BatchNorm1d(hidden_size) between W and the
   * activation, modular_addition_simple2.py, ModularAdditionNN): each
   * node's pre-activation h is normalised, y = gamma (h - mu) / sqrt(var +
   * 1e-5) + beta, then F = sigma(y).  Set by li2_model_set_bn: gamma and
   * beta (K each, trained: in the optimiser's vector and its weight decay,
   * as in torch's model.parameters()) follow V in PARAMS; the running
   * statistics (not trained) are BN_MEAN and BN_VAR.  The training step
   * (li2_model_step_grad: blocked BLAS passes, no tiled kernels; forward +
   * backward with other_layers) and a workspace in batch mode
   * (li2_model_work_set_bn_batch) use the batch's mean and biased variance
   * (torch's model.train()); every other forward uses the running ones
   * (model.eval(), the reference's test_model).  After a training step
   * li2_model_bn_update moves the running statistics as torch does:
   * r = 0.9 r + 0.1 b, with the unbiased batch variance for var. */
  int bn;
  size_t nB;         /* 2 K with use_bn, else 0 */
  double *gamma, *beta;      /* views into params (after V) */
  double *bn_mean, *bn_var;  /* running statistics, K each (one allocation) */
  /* embed_trainable (the reference's trainable nn.Embedding(M, M) before W,
   * shared by the operands): node j's pre-activation on (a_1, ..., a_k) is
   * h_j = sum_t sum_b E[a_t][b] W[t M + b][j], i.e. the gather of P = E W_t
   * per operand.  Set by li2_model_set_embed: E (M x M row-major, row a =
   * the embedding of value a, the reference's embedding.weight) follows
   * V (and gamma | beta) in PARAMS, trained and decayed as the rest;
   * initialised N(0, 1) (torch's nn.Embedding) before W.  Without it E = I. */
  int embed;
  size_t nE;         /* M^2 with embed_trainable, else 0 */
  double *E;         /* view into params */
  /* use_inner_product_act (the reference's per-operand Ws[i] = nn.Linear(M,
   * K) multiplied): F_0 = prod_t W_t x_t elementwise, with no activation
   * after the product (the reference applies act_fun only on its other
   * branch); the residual layers and V follow as usual.  W keeps its layout
   * (block t of M rows = the transpose of Ws[t].weight); li2_model_init
   * draws it with fan_in M (each Ws[i] is its own nn.Linear(M, K)).  Set
   * with li2_model_set_inner before the initialisation. */
  int inner;
} li2_model;

/* BatchNorm1d's defaults (torch.nn.BatchNorm1d: eps, momentum). */
#define LI2_BN_EPS 1e-5
#define LI2_BN_MOMENTUM 0.1

li2_model *li2_model_alloc(size_t M, int nops, size_t K, int other_layers,
                           li2_activation act, li2_loss loss, li2_error *err);
void li2_model_free(li2_model *m);

/* PyTorch's default nn.Linear initialisation, uniform on
 * [-s/sqrt(fan_in), s/sqrt(fan_in)) with s = INIT_SCALE (1 = PyTorch):
 * fan_in = k M for W, K for the residual layers and V.  Drawn in the
 * reference's construction order W, L_1..L_r, V from R. */
void li2_model_init(li2_model *m, gsl_rng *r, double init_scale);

/* Make M complex (li2_model.cplx) before it is initialised: the parameter
 * vector grows to twice its size, zero.  Takes activation sqr (the complex
 * square z^2, holomorphic, as x.pow(2) on torch.cfloat) and other_layers = 0
 * only; LI2_EINVAL naming the parameter otherwise.  li2_model_init then
 * draws the real parts exactly as for a real model (same values, same
 * order) and leaves the imaginary parts 0, as the reference's conversion of
 * nn.Linear's real initialisation does; li2_model_init_imag draws the
 * imaginary parts too (li2's complex_init=uniform: the same uniform bound,
 * W then V, after every real part). */
int li2_model_set_complex(li2_model *m, li2_error *err);
void li2_model_init_imag(li2_model *m, gsl_rng *r, double init_scale);

/* Give M the reference's BatchNorm1d (li2_model.bn) before it is
 * initialised: PARAMS grows by gamma | beta, set to 1 and 0, running mean 0
 * and variance 1 (torch's initialisation; no random draws).  LI2_EINVAL
 * with complex weights (the reference silently drops BatchNorm there:
 * torch's BatchNorm1d has no complex tensors). */
int li2_model_set_bn(li2_model *m, li2_error *err);
/* Give M the reference's trainable embedding (li2_model.embed) before it is
 * initialised: PARAMS grows by E (M x M).  li2_model_init then draws E
 * from N(0, 1) first (the reference constructs the embedding before W),
 * then W, L, V as without it.  LI2_EINVAL with complex weights (not
 * implemented). */
int li2_model_set_embed(li2_model *m, li2_error *err);
/* Make M's first layer the reference's product of per-operand projections
 * (li2_model.inner).  LI2_EINVAL with complex weights or use_bn (the
 * reference applies its BatchNorm only on the other branch). */
int li2_model_set_inner(li2_model *m, li2_error *err);
/* gamma = 1, beta = 0, running mean 0, running variance 1 (no-op without bn). */
void li2_model_bn_reset(li2_model *m);

/* LI2_EUNSUP with a one-line message when M is not the paper's 2-layer
 * network sigma(W x) V with real weights: NULL (li2_trainer_model of a
 * transformer run), complex weights, use_bn, embed_trainable or
 * use_inner_product_act.  WHAT (a subcommand or analysis) reads the real W
 * and V of that network; EUNSUP (exit 7) lets a caller that draws many
 * things (li2 plot) skip this one with the reason. */
int li2_model_require_real(const li2_model *m, const char *what, li2_error *err);

/* Workspace for at most NMAX samples.  BACKWARD = 0 gives a smaller
 * forward-only workspace (evaluation).  SINGLE = 1 computes in single
 * precision (precision=float): the BLAS products and the n x K and n x M
 * arrays are float, the parameters stay double and are converted at each
 * forward, and gradient sums, losses and GRAD are double. */
typedef struct li2_model_work li2_model_work;
li2_model_work *li2_model_work_alloc(const li2_model *m, size_t nmax, int backward, int single,
                                     li2_error *err);
int li2_model_work_single(const li2_model_work *w);

/* Products of the fused training step (li2_model_step_grad): hand-tiled
 * kernels for AVX-512 or AVX2 + FMA (x86-64 with GCC), or BLAS, the
 * reference and the only choice elsewhere and with other_layers > 0.
 * AUTO (the default of a backward workspace) takes the widest the CPU
 * runs.  Each gives results fixed for a given thread count; they differ
 * from one another by rounding (other summation orders). */
typedef enum {
  LI2_KERNEL_AUTO,
  LI2_KERNEL_BLAS,
  LI2_KERNEL_AVX2,
  LI2_KERNEL_AVX512
} li2_kernel;
#define LI2_KERNEL_COUNT 4
#define LI2_KERNEL_NAMES(X) X(auto) X(blas) X(avx2) X(avx512)
extern const char *const li2_kernel_names[LI2_KERNEL_COUNT];
const char *li2_kernel_name(li2_kernel k);
/* LI2_EINVAL if the CPU or build lacks K, or K is tiled and W has no
 * fused step; may allocate (LI2_ENOMEM). */
int li2_model_work_set_kernel(li2_model_work *w, li2_kernel k, li2_error *err);
li2_kernel li2_model_work_kernel(const li2_model_work *w);  /* never AUTO */
/* use_bn: ON = 1 makes the forward passes on W use the batch statistics
 * (torch's train mode) instead of the running ones (the default, eval mode);
 * li2_model_step_grad always uses batch statistics. */
void li2_model_work_set_bn_batch(li2_model_work *w, int on);
/* use_bn: the running statistics after a training step, from the batch
 * statistics of the last batch-mode forward on W (li2_model_step_grad):
 * mean <- 0.9 mean + 0.1 mu, var <- 0.9 var + 0.1 var_b n/(n-1).  No-op
 * without bn; LI2_EINVAL when W holds no batch statistics. */
int li2_model_bn_update(li2_model *m, const li2_model_work *w, li2_error *err);
void li2_model_work_free(li2_model_work *w);

/* Forward pass on N samples: operands X (n * nops, sample-major), labels Y
 * (both must stay valid until the backward pass that follows).
 * Writes the mean loss to *LOSS and the number of samples whose largest
 * output is the label to *NCORRECT (either may be NULL).  LI2_EINVAL if
 * N exceeds the workspace. */
int li2_model_forward(const li2_model *m, li2_model_work *w, size_t n,
                      const int *x, const int *y, double *loss, size_t *ncorrect,
                      li2_error *err);

/* The two halves of li2_model_forward, so V can be set in between (the
 * ridge solve of set_weight_reg): features F_0..F_r of N samples, then the
 * outputs, loss and accuracy of the samples of the last features call. */
int li2_model_forward_features(const li2_model *m, li2_model_work *w, size_t n,
                               const int *x, li2_error *err);
int li2_model_forward_outputs(const li2_model *m, li2_model_work *w, const int *y,
                              double *loss, size_t *ncorrect, li2_error *err);

/* Backward pass for the samples of the last forward (backward workspace):
 * GRAD (nparams, same layout as params) = d mean-loss / d params.  Parts
 * may be skipped: with SKIP_V the V block of GRAD is left untouched (V
 * solved by ridge regression), with FEATURES_ONLY only dLoss/dF of the first
 * hidden layer is computed (GRAD unused, may be NULL). */
int li2_model_backward(const li2_model *m, li2_model_work *w, double *grad,
                       int skip_v, int features_only, li2_error *err);

/* Loss (*LOSS, mean), accuracy (*NCORRECT) and GRAD = d loss / d params
 * of N samples in one blocked pass that keeps the n x K arrays in cache
 * (the training step; other_layers = 0, else forward + backward).  Same
 * values as li2_model_forward + li2_model_backward up to rounding (the
 * sums run in another order).  Leaves no state for li2_model_backward. */
int li2_model_step_grad(const li2_model *m, li2_model_work *w, size_t n, const int *x,
                        const int *y, double *grad, double *loss, size_t *ncorrect,
                        li2_error *err);

/* Views into the workspace after forward / backward (n x K).  In single
 * precision they are double copies in one shared buffer, valid until the
 * next view call (and NULL on a forward-only single workspace). */
const double *li2_model_work_features(const li2_model_work *w);  /* F of layer 1 */
const double *li2_model_work_top(const li2_model_work *w);       /* F of the last layer */
const double *li2_model_work_dfeatures(const li2_model_work *w); /* dLoss/dF */

/* G_F = -dLoss/dF (doc/mathematics.md section 2) for the first hidden layer on N
 * samples by backprop: forward, then backward as far as F.  F and GF
 * (n x K each, may be NULL) receive copies; *LOSS the mean loss. */
int li2_model_grad_features(const li2_model *m, li2_model_work *w, size_t n,
                            const int *x, const int *y, double *F, double *GF,
                            double *loss, li2_error *err);

/* The loss on outputs O (n x M) with labels Y: returns the mean loss, and
 * when DO is not NULL writes dLoss/dO (n x M).  ROWLOSS (n) is scratch.
 *   mse: o' = o - mean(o); loss = |o'|^2 - 2 o'[c] + 1 - 1/M
 *        = |o' - (e_c - 1/M)|^2, dLoss/do = (2/n)(o' - e_c + 1/M);
 *   nll: loss = logsumexp(o) - o[c], dLoss/do = (softmax(o) - e_c)/n. */
double li2_loss_eval(li2_loss l, size_t n, size_t M, const double *O, const int *y,
                     double *dO, double *rowloss, size_t *ncorrect);

/* G_F = -dLoss/dF for hand-built features: the loss of O = F V (F n x K,
 * V K x M) with labels Y, by the same code as the network's top layer.
 * O and DO are n x M scratch, ROWLOSS n; returns the mean loss. */
double li2_model_gf_from_features(li2_loss l, size_t n, size_t K, size_t M,
                                  const double *F, const double *V, const int *y,
                                  double *O, double *dO, double *rowloss, double *GF);

/* ---- added for the gradient analysis (li2 gradient) ----
 * Outputs O = F V (n x M) of the last forward_outputs on a double
 * workspace (NULL on a single-precision one). */
const double *li2_model_work_outputs(const li2_model_work *w);

/* Backward from an externally supplied DO = dLoss/dO (n x M) for the
 * samples of the last li2_model_forward_features, with the current V:
 * dLoss/dF of the first hidden layer (read it with li2_model_work_dfeatures)
 * through the top layer and the residual layers.  Lets another loss (the
 * lazy-stage loss of doc/mathematics.md section 2) be backpropagated by the
 * network's own code.  Backward workspace required. */
int li2_model_backward_from_outputs(const li2_model *m, li2_model_work *w, const double *dO,
                                    li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
