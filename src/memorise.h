/* Theorem 5 (memorisation): the single-target landscape and its closed form
 * (the paper's Section 4.5 and Appendix A.4).
 *
 * Data: only the pairs (g, g^-1 h) of one target h, pair g with probability
 * p_g.  With w = [u; v], |w| = 1, and the pair sums s_g = u_g + v_{g^-1 h}
 * (each u_g and each v entry in exactly one pair), sum_g s_g^2 <= 2 with
 * equality iff u_g = v_{g^-1 h}; the energy is a function of
 *     F(s) = sum_g p_g sigma(s_g),      E = F^2 / 2
 * (li2's LI2_ENERGY_UNCENTRED variant with weights p: centring would give
 * Y~ = 0 for a single label).  With phi(x) = sigma'(x)/x the paper's
 * Lemmas 5-6: if phi is nondecreasing (x^2, relu^2), the maximum is focused,
 * s_{g*} = sqrt 2 at g* = argmax p_g; if phi strictly decreases (relu,
 * silu, tanh, sigmoid: phi(0+) = infinity), it spreads,
 *     s_g = phi^-1(2 lambda / p_g),    lambda fixed by sum_g s_g^2 = 2. */
#ifndef LI2_MEMORISE_H
#define LI2_MEMORISE_H

#include <stddef.h>
#include "dataset.h"
#include "error.h"
#include "group.h"
#include "maxima.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The data set whose training set is the M pairs (g, g^-1 h), g = 0..M-1
 * in order (training sample g), the rest of the table as test set. */
li2_dataset *li2_memorise_dataset(const li2_group *g, int h, li2_error *err);

/* phi(x) = sigma'(x)/x for x > 0. */
double li2_memorise_phi(li2_activation a, double x);

/* 1 when the theorem predicts focused memorisation (phi nondecreasing on
 * (0, sqrt 2]: sqr, relusqr), 0 for spreading (phi strictly decreasing:
 * relu, silu, tanh, sigmoid), -1 for an activation it does not decide
 * (quad). */
int li2_memorise_focused(li2_activation a);

/* The closed form: S (M values) the optimal pair sums for probabilities P
 * (M values, > 0, a unique largest for the focused case), *LAMBDA the
 * multiplier (p_g phi(s_g) = 2 lambda on the support).  Spreading: lambda
 * by Brent's method (GSL) on log lambda with phi^-1 by Brent's method on
 * log x, both to relative 1e-14.  LI2_EUNSUP for quad, LI2_EINVAL for bad P. */
int li2_memorise_closed_form(li2_activation a, size_t M, const double *p, double *s,
                             double *lambda, li2_error *err);

/* F(s) = sum_g p_g sigma(s_g). */
double li2_memorise_objective(li2_activation a, size_t M, const double *p, const double *s);

/* S[g] = u_g + v_{g^-1 h} for W = [u; v] (2M values). */
void li2_memorise_profile(const li2_group *g, int h, const double *w, double *s);

/* The landscape measured: STARTS ascents (li2_maxima_climb from
 * li2_maxima_start points, seed SEED) of E = F^2/2 on the sphere
 * |w| = MP->radius with the uncentred energy weighted by P; every end point
 * certified.  The global maximum is the best certified one. */
typedef struct li2_memorise_result {
  size_t starts, nmax;       /* ascents, certified maxima among them */
  double best_energy;        /* highest certified maximum (NaN: none) */
  double best_F;             /* its F, sign-fixed to >= 0 (w -> -w for odd sigma) */
  double *best_s;            /* M: its pair sums s_g, same sign fix (malloc'ed) */
  double split;              /* max_g |u_g - v_{g^-1 h}| there (0: even split) */
  size_t n_at_best;          /* certified maxima within energy_tol of the best */
  size_t n_other;            /* certified maxima with F >= 0 below it by more
                              * than energy_tol: what the theorem excludes */
  double other_energy;       /* the highest of those (NaN: none) */
  size_t n_negative;         /* certified maxima of E with F < 0 below the best:
                              * minima of F, outside the theorem's s >= 0 */
  double negative_energy;    /* the highest of those (NaN: none) */
} li2_memorise_result;

int li2_memorise_search(const li2_group *g, int h, li2_activation a, const double *p,
                        const li2_maxima_params *mp, size_t starts, unsigned long seed,
                        li2_memorise_result *r, li2_error *err);
void li2_memorise_result_clear(li2_memorise_result *r);

#ifdef __cplusplus
}
#endif

#endif
