/* The backpropagated gradient G_F of the lazy stage (THEORY.md section 2).
 *
 * For features F (n x K, the hidden layer on the n training samples),
 * labels y (n) over M classes and weight decay eta:
 *   F~ = P F, Y~ = P Y       (P = I - 11^T/n centres over samples)
 *   V* = (F~^T F~ + eta I)^{-1} F~^T Y~                      (ridge)
 *   R  = eta (F~ F~^T + eta I)^{-1} Y~                      (residual)
 *   G_F = eta (F~F~^T + eta I)^{-1} Y~ Y~^T F~ (F~^T F~ + eta I)^{-1}
 * G_F = -dL/dF for the lazy-stage loss L(F, V) = 1/2 |P (Y - F V)|^2 +
 * eta/2 |V|^2 at V = V*.  The workspace is built once for (n, K, M); set()
 * loads F and the labels; every other call reuses the Gram matrices.
 * All matrices are row-major doubles. */
#ifndef LI2_GRADIENT_H
#define LI2_GRADIENT_H

#include <stddef.h>
#include "error.h"

typedef struct li2_gradient li2_gradient;

li2_gradient *li2_gradient_alloc(size_t n, size_t K, size_t M, li2_error *err);
void li2_gradient_free(li2_gradient *g);

/* Load features F (n x K) and labels (n values in 0..M-1). */
int li2_gradient_set(li2_gradient *g, const double *F, const int *labels,
                     li2_error *err);

/* V* (K x M) by a Cholesky solve of the K x K primal system. */
int li2_gradient_ridge(li2_gradient *g, double eta, double *Vstar, li2_error *err);

/* R (n x M, may be NULL) and G_F (n x K) by the closed form above: the
 * n x n dual system for R and both systems for G_F, never through V*. */
int li2_gradient_closed_form(li2_gradient *g, double eta, double *R, double *GF,
                             li2_error *err);

/* The chain rule at a given V (K x M): R = Y~ - F~ V and G_F = R V^T,
 * i.e. -dL/dF of the lazy-stage loss (R may be NULL). */
void li2_gradient_from_top(li2_gradient *g, const double *V, double *R, double *GF);

/* Large-eta form (1/eta) Y~ Y~^T F~ (n x K): column j depends on f_j alone. */
void li2_gradient_independent_form(li2_gradient *g, double eta, double *GF);

/* Independence at eta: relative Frobenius distance between G_F and its
 * large-eta form, and the mean over nodes of the squared cosine between
 * each column of G_F and the column its own feature alone gives
 * ("share explained by the node's own feature"). */
int li2_gradient_independence(li2_gradient *g, double eta, double *rel_distance,
                              double *own_share, li2_error *err);

/* Label space: OUT (M x ncols) = Y~^T X for X (n x ncols, leading
 * dimension ldx): each column becomes a vector over the group. */
void li2_gradient_label_space(const li2_gradient *g, const double *X, size_t ncols,
                              size_t ldx, double *out);

/* Relative Frobenius difference |A - B| / max(|B|, tiny) of two arrays. */
double li2_gradient_rel_diff(const double *A, const double *B, size_t len);

size_t li2_gradient_n(const li2_gradient *g);
size_t li2_gradient_K(const li2_gradient *g);
size_t li2_gradient_M(const li2_gradient *g);

#endif
