/* The backpropagated gradient G_F of the lazy stage (doc/mathematics.md section 2).
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
#include <gsl/gsl_rng.h>
#include "error.h"
#include "fourier.h"
#include "group.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_gradient li2_gradient;

/* Largest workspace li2_gradient_alloc accepts (bytes). */
#define LI2_GRADIENT_MAX_BYTES (16.0 * 1073741824.0)
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

/* The same from a G_F (n x K) already computed at ETA by
 * li2_gradient_closed_form; L (n x K) receives the large-eta form. */
void li2_gradient_independence_of(li2_gradient *g, double eta, const double *GF, double *L,
                                  double *rel_distance, double *own_share);

/* Label space: OUT (M x ncols) = Y~^T X for X (n x ncols, leading
 * dimension ldx): each column becomes a vector over the group. */
void li2_gradient_label_space(const li2_gradient *g, const double *X, size_t ncols,
                              size_t ldx, double *out);

/* Relative Frobenius difference |A - B| / max(|B|, tiny) of two arrays. */
double li2_gradient_rel_diff(const double *A, const double *B, size_t len);

/* ---- the chain rule through a network's top layer ----
 * The lazy-stage loss as a loss layer on outputs O = F V (n x M): returns
 * L = 1/2 |P (Y - O)|^2 and writes DO = dL/dO = P O - Y~ (n x M).  With
 * O = F V* and dF = DO V^T through the top layer, -dF is G_F: the route the
 * closed form is checked against (li2 gradient). */
double li2_gradient_lazy_loss(li2_gradient *g, const double *O, double *dO);

/* ---- label space (doc/mathematics.md section 5) ----
 * For every column x of X (n x ncols, leading dimension ldx) the vector
 * z = Y~^T x over the group, and POWER[c] = sum over columns of |P_c z|^2
 * for each real component c (li2_fourier_ncomponents(F) values).  The
 * trivial component is always 0: the columns of Y~ sum to zero. */
int li2_gradient_label_power(li2_gradient *g, li2_fourier *f, const double *X, size_t ncols,
                             size_t ldx, double *power, li2_error *err);

/* ---- exact features ----
 * Weights u, v (M values each) of a node carrying real component
 * COMPONENT (>= 1).  Cyclic Z_M (G->nfactors == 1): component k is
 * frequency k and u[a] = cos(2 pi k a/M + phi), v[b] = cos(2 pi k b/M + psi)
 * with phases uniform on [0, 2 pi) from R.  Any other group: u and v are
 * the projections (li2_fourier_project) of standard Gaussian vectors onto
 * the component, scaled to |u|^2 = |v|^2 = M/2 (the norm of a unit
 * cosine), so features have the same scale in every group.  LI2_EINVAL for
 * the trivial component or one out of range. */
int li2_gradient_exact_node(const li2_group *G, li2_fourier *f, size_t component, gsl_rng *r,
                            double *u, double *v, li2_error *err);

/* ---- parameter syntax (li2 gradient) ----
 * eta: "X" (one value), "X,Y,Z" (a list) or "A:B:log:N" / "A:B:lin:N"
 * (N values from A to B, geometric or even spacing; N >= 2, and A, B > 0
 * for log).  Every value must be > 0 and finite.  *ETA is malloc'ed.
 * KEY names the parameter in error messages. */
int li2_gradient_eta_parse(const char *spec, const char *key, double **eta, size_t *n,
                           li2_error *err);

/* nodes: groups separated by '+', each "LIST" or "LISTxN": LIST is a
 * comma-separated list of components or ranges "a-b", N (default 1) the
 * nodes per component.  "1,2,3x6" = components 1, 2, 3 with six nodes each;
 * "1x6+4-5x2" = six nodes of component 1, two each of 4 and 5.  *COMP
 * (malloc'ed, *NNODES entries) lists the component of every node in the
 * order given.  Components must lie in 1..NCOMPONENTS-1 (0 is the trivial
 * one, which centring removes). */
int li2_gradient_nodes_parse(const char *spec, const char *key, size_t ncomponents,
                             size_t **comp, size_t *nnodes, li2_error *err);

/* After set: F~ (n x K), Y~ (n x M), F~^T F~ (K x K), F~^T Y~ (K x M) and
 * the signal term Y~ Y~^T F~ (n x K) of Eqs. 3-5, row-major. */
const double *li2_gradient_centred_features(const li2_gradient *g);
const double *li2_gradient_centred_labels(const li2_gradient *g);
const double *li2_gradient_gram(const li2_gradient *g);
const double *li2_gradient_top_target(const li2_gradient *g);
const double *li2_gradient_signal(const li2_gradient *g);

size_t li2_gradient_n(const li2_gradient *g);
size_t li2_gradient_K(const li2_gradient *g);
size_t li2_gradient_M(const li2_gradient *g);

#ifdef __cplusplus
}
#endif

#endif
