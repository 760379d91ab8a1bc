/* The reference trainer's transformer (issue 18): ModularAdditionTransformer
 * of modular_addition_simple2.py (model_type=transformer), in double
 * precision (or float32: li2_transformer_work_alloc_precision) with explicit
 * forward and backward passes.
 *
 * Architecture, exactly as the reference builds it from PyTorch modules:
 *   X0[i, t]  = E[x_it] + P[t]        embedding (M x d, nn.Embedding) and a
 *                                      learned position (T x d), T = num_of_ops
 *   num_layers post-norm encoder layers (nn.TransformerEncoderLayer,
 *   batch_first, dropout 0, norm_first false), each
 *     S1 = X + MHA(X),  X1 = LN1(S1)   multi-head self-attention over the T
 *                                      tokens: nhead heads of d/nhead, one
 *                                      in-projection [Wq; Wk; Wv] (3d x d) with
 *                                      bias, out-projection Wo (d x d) with bias
 *     S2 = X1 + W2 act(W1 X1 + b1) + b2,  X2 = LN2(S2)
 *                                      feed-forward of width dim_feedforward;
 *                                      LayerNorm eps 1e-5 with gain and bias
 *   pooled[i] = (1/T) sum_t X_L[i, t]  the reference's mean over tokens
 *   logits    = beta pooled V^T        V: M x d, no bias
 * The loss is li2's (model.h: nll or the centred mse) on the logits.
 *
 * Parameters: one contiguous vector (li2_transformer.params) in the order
 * E, P, then per layer Win, bin, Wo, bo, W1, b1, W2, b2, g1, c1, g2, c2,
 * then V; matrices row-major as PyTorch stores them (out x in).
 *
 * Initialisation (li2_transformer_init) follows PyTorch's: E ~ N(0, 1),
 * P ~ N(0, 0.02^2), in-projection Xavier uniform with zero bias,
 * out-projection kaiming-uniform (bound 1/sqrt(d)) with zero bias, the
 * feed-forward nn.Linear default (weights and biases uniform with bound
 * 1/sqrt(fan_in)), LayerNorm gain 1 and bias 0, V the nn.Linear default
 * times top_layer_init_multiplier; every layer a copy of the first (as
 * nn.TransformerEncoder clones its layer).  Drawn from li2's GSL
 * generator, so the same seed does not give torch's numbers. */
#ifndef LI2_TRANSFORMER_H
#define LI2_TRANSFORMER_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "error.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_transformer {
  size_t M;          /* group order: tokens and outputs */
  size_t T;          /* num_of_ops: tokens per sample */
  size_t d;          /* hidden_size */
  size_t nhead;      /* heads; d % nhead == 0 */
  size_t nlayers;    /* num_layers */
  size_t dff;        /* dim_feedforward */
  li2_activation act;/* of the feed-forward: relu, sqr, relusqr or silu */
  li2_loss loss;
  double out_mult;   /* beta (output_multiplier), 1 by default */
  size_t nparams;
  size_t layer_size; /* parameters per encoder layer */
  double *params;    /* owned */
} li2_transformer;

/* Parameters of a transformer of these sizes (the layout above); the
 * caller bounds the sizes so that the count fits a size_t. */
size_t li2_transformer_param_count(size_t M, size_t T, size_t d, size_t dff, size_t nlayers);

/* LI2_EINVAL naming the parameter for sizes out of range (d not a multiple
 * of nhead, zero sizes, more than 2^31 parameters). */
li2_transformer *li2_transformer_alloc(size_t M, size_t T, size_t d, size_t nhead,
                                       size_t nlayers, size_t dff, li2_activation act,
                                       li2_loss loss, li2_error *err);
void li2_transformer_free(li2_transformer *tf);

/* Views into params. */
typedef struct li2_transformer_layer {
  double *Win, *bin, *Wo, *bo, *W1, *b1, *W2, *b2, *g1, *c1, *g2, *c2;
} li2_transformer_layer;
double *li2_transformer_embedding(const li2_transformer *tf, double *params);  /* E: M x d */
double *li2_transformer_position(const li2_transformer *tf, double *params);   /* P: T x d */
double *li2_transformer_top(const li2_transformer *tf, double *params);        /* V: M x d */
void li2_transformer_layer_views(const li2_transformer *tf, double *params, size_t l,
                                 li2_transformer_layer *v);

/* PyTorch's initialisation (above); TOP_MULT scales V. */
void li2_transformer_init(li2_transformer *tf, gsl_rng *r, double top_mult);

/* Workspace for at most NMAX samples (forward caches for the backward),
 * allocated once and reused by every pass. */
typedef struct li2_transformer_work li2_transformer_work;
li2_transformer_work *li2_transformer_work_alloc(const li2_transformer *tf, size_t nmax,
                                                 li2_error *err);
/* The same with SINGLE != 0 for the trainer's precision=float: the passes
 * run in float32 (cblas_sgemm) on the parameters rounded to float once per
 * forward, as torch's model.float() would hold them; logits, pooled
 * representation, loss and the returned gradient stay double (the
 * optimiser's master copy is the double parameter vector).  Forward equal
 * to a float32 PyTorch run to float32 rounding (tests/test_transformer). */
li2_transformer_work *li2_transformer_work_alloc_precision(const li2_transformer *tf, size_t nmax,
                                                           int single, li2_error *err);
void li2_transformer_work_free(li2_transformer_work *w);

/* Forward of N samples X (N x T tokens): the logits (N x M, the workspace's,
 * valid until the next call), and with Y the mean loss and the number
 * correct (either pointer may be NULL). */
int li2_transformer_forward(const li2_transformer *tf, li2_transformer_work *w, size_t n,
                            const int *x, const int *y, double *loss, size_t *ncorrect,
                            li2_error *err);
const double *li2_transformer_logits(const li2_transformer_work *w);
/* The pooled representation (N x d) of the last forward. */
const double *li2_transformer_pooled(const li2_transformer_work *w);

/* GRAD (nparams) = d(mean loss)/d(params) for the samples of the last
 * forward (which must have had labels). */
int li2_transformer_backward(const li2_transformer *tf, li2_transformer_work *w, double *grad,
                             li2_error *err);

/* Floating-point operations (2 per multiply-add) of the products of one
 * forward and backward pass of N samples: with TABLE != 0 as li2 runs them
 * (the first layer's in- and out-projections on its table of M T distinct
 * rows when M nhead < N, see transformer_impl.h), with TABLE = 0 on every
 * row, as PyTorch runs the reference.  The matrix products, the attention's
 * T x T scores and mixtures and the logits; the element-wise work
 * (LayerNorm, softmax, activation, biases: O(n T d) against O(n T d^2)) is
 * not counted.  bench/transformer.sh divides by the step's time. */
double li2_transformer_step_flops(const li2_transformer *tf, size_t n, int table);

#ifdef __cplusplus
}
#endif

#endif
