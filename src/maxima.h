/* Local maxima of the energy on the sphere |w| = r: find, certify, classify
 * (doc/mathematics.md section 3).
 *
 * Finding.  GSL's multimin minimises
 *     F(x) = -E(r x/|x|) + c (|x|^2/r^2 - 1)^2,      x in R^{2M} \ {0}.
 * The first term is constant along rays, so its critical points are the
 * rays through critical points of E on the sphere; the penalty fixes the
 * free radial direction at |x| = r without moving them (at |x| = r it has
 * zero gradient), and makes the radial curvature 8c/r^2 > 0, so minima of
 * F are exactly the points r x/|x| where E has a local maximum on the
 * sphere.  c is set at each start from the energy scale there, so the
 * radial and tangential curvatures are comparable.  No projection step is
 * needed inside GSL's line searches, which is why this form was chosen over
 * a projected scheme.  The caller owns the loop: _set, _iterate, _test.
 *
 * Certifying.  At w = r x/|x|: the Riemannian gradient (tangent part of
 * grad E), and the Riemannian Hessian on the tangent space,
 *     Hess_R = Q^T (H - (w.grad E / r^2) I) Q,
 * H the Euclidean Hessian (analytic on the FFT path, li2_energy_hessian;
 * else central differences of the analytic gradient, symmetrised), Q an
 * orthonormal basis of w's tangent space (a GSL
 * Householder reflection), eigenvalues by gsl_eigen_symm.  With
 * s = max |eigenvalue|:
 *   max        |grad_R| <= grad_tol (|E| + tiny)/r and every eigenvalue
 *              <= hess_tol s (negative semidefinite: near-zero modes
 *              allowed -- the continuous symmetries, phase rotations and
 *              group action, give exact zero modes; they are counted);
 *   saddle     |grad_R| small and some eigenvalue > hess_tol s;
 *   degenerate the second-order test cannot decide: the gradient is not
 *              small (no critical point reached), or the Hessian is
 *              numerically zero (s = 0: a flat region, e.g. dead relu).
 * zero_modes counts eigenvalues with |lambda| <= hess_tol s.
 *
 * Classifying.  Power of u and v in each real irreducible component
 * (li2_fourier_power); the dominant component is the non-trivial one with
 * most power in u and v together; purity is its share of the non-trivial
 * power (the trivial component only shifts every pre-activation).  A point
 * is pure when purity >= purity_min.  The memorisation score is the share
 * of the centred feature's squared norm sum_i sigma~_i^2 carried by its
 * mem_pairs largest training pairs (near 1: a feature that memorises a few
 * pairs; about mem_pairs/n: spread evenly).
 *
 * Workspaces (maximizer, certifier, classifier) are per thread; they borrow
 * the energy workspace given at alloc. */
#ifndef LI2_MAXIMA_H
#define LI2_MAXIMA_H

#include <stddef.h>
#include <stdio.h>
#include "characters.h"
#include "dataset.h"
#include "energy.h"
#include "error.h"
#include "group.h"
#include "io.h"

#ifdef __cplusplus
extern "C" {
#endif

enum li2_maxima_method {
  LI2_MAXIMA_BFGS2 = 0,          /* gsl_multimin_fdfminimizer_vector_bfgs2 */
  LI2_MAXIMA_CONJUGATE_PR,       /* ..._conjugate_pr */
  LI2_MAXIMA_STEEPEST_DESCENT    /* ..._steepest_descent */
};
/* The methods' names in enum order (a name table: args.h). */
#define LI2_MAXIMA_METHOD_NAMES(X) X(bfgs2) X(conjugate_pr) X(steepest_descent)

enum li2_maxima_label {
  LI2_MAXIMA_MAX = 0,
  LI2_MAXIMA_SADDLE,
  LI2_MAXIMA_DEGENERATE
};

/* "bfgs2|conjugate_pr|steepest_descent" <-> enum (-1 if unknown). */
int li2_maxima_method_from_name(const char *name);
const char *li2_maxima_method_name(int method);
const char *li2_maxima_label_name(int label);

typedef struct li2_maxima_params {
  double radius;      /* sphere |w| = radius (1) */
  int method;         /* enum li2_maxima_method (bfgs2) */
  double step;        /* first trial step, times radius (0.1) */
  double line_tol;    /* GSL line-search tolerance (0.1) */
  double opt_tol;     /* stop when |grad F| <= opt_tol (|E| + c)/r (1e-10) */
  long max_iter;      /* iterations per start (20000) */
  double grad_tol;    /* certification, relative as above (1e-6) */
  double hess_tol;    /* zero eigenvalue: |lambda| <= hess_tol max|lambda| (1e-5) */
  double fd_step;     /* Hessian finite-difference step, times radius (1e-4) */
  double purity_min;  /* pure when purity >= this (0.9) */
  size_t mem_pairs;   /* memorisation score: largest pairs counted (10) */
  double energy_tol;  /* grouping: same energy within this relative tolerance (1e-6) */
  int threads;        /* OpenMP threads over starts; 0: the OpenMP default */
  size_t component_starts; /* starts inside each non-trivial real component (1) */
  double act_a, act_b; /* activation=quad: sigma = act_a x + act_b x^2 (1, 1) */
} li2_maxima_params;

void li2_maxima_params_default(li2_maxima_params *p);

/* One end point, certified and classified. */
typedef struct li2_maxima_point {
  double energy;
  double grad_norm;   /* Riemannian gradient norm */
  double hess_max;    /* largest tangent Hessian eigenvalue */
  double hess_min;    /* smallest */
  int zero_modes;     /* near-zero tangent eigenvalues */
  int label;          /* enum li2_maxima_label */
  int component;      /* dominant non-trivial component (-1: none) */
  int pure;           /* purity >= purity_min */
  double purity;
  double mem_score;
  long iterations;    /* optimiser iterations */
  int start_component; /* the component a component start was drawn in; -1: random start */
} li2_maxima_point;

/* ---- finding: the caller owns the loop ---- */
typedef struct li2_maximizer li2_maximizer;

li2_maximizer *li2_maximizer_alloc(li2_energy *e, const li2_maxima_params *p,
                                   li2_error *err);
void li2_maximizer_free(li2_maximizer *m);
/* Start at W0 (dim values, any non-zero norm). */
int li2_maximizer_set(li2_maximizer *m, const double *w0, li2_error *err);
/* One iteration.  LI2_SUCCESS, or LI2_ENUMERIC when E is not finite. */
int li2_maximizer_iterate(li2_maximizer *m, li2_error *err);
/* 0: continue; 1: converged (gradient test); 2: no further progress
 * (GSL_ENOPROG: the line search cannot improve in double precision);
 * 3: iteration limit. */
int li2_maximizer_test(const li2_maximizer *m);
long li2_maximizer_iterations(const li2_maximizer *m);
/* Current energy and point, projected on the sphere: W = r x/|x|. */
double li2_maximizer_energy(const li2_maximizer *m);
void li2_maximizer_point(const li2_maximizer *m, double *w);
/* The ascent: set at W0, iterate while li2_maximizer_test says continue
 * (a start already at a critical point takes no step); W (dim values)
 * receives the end point. */
int li2_maximizer_ascend(li2_maximizer *m, const double *w0, double *w, li2_error *err);

/* ---- certifying ---- */
typedef struct li2_certifier li2_certifier;

li2_certifier *li2_certifier_alloc(li2_energy *e, const li2_maxima_params *p,
                                   li2_error *err);
void li2_certifier_free(li2_certifier *c);
/* Fill energy, grad_norm, hess_max, hess_min, zero_modes and label of PT
 * for W (on the sphere of radius p->radius). */
int li2_certifier_certify(li2_certifier *c, const double *w, li2_maxima_point *pt,
                          li2_error *err);
/* Newton polish of a certified near-maximum: when the tangent Hessian of
 * the last certify (at W) is negative semidefinite, up to STEPS Newton
 * steps (-Hess_R + mu)^{-1} grad_R on the sphere with that Hessian, which
 * take W from the optimiser's floor (the line search cannot see E change
 * below |grad| ~ sqrt(eps |E| |lambda|)) to round-off.  W, energy,
 * grad_norm and label are updated only if the gradient decreased; the
 * eigenvalues are kept (W moves by about |grad|/|lambda|). */
int li2_certifier_polish(li2_certifier *c, double *w, li2_maxima_point *pt, int steps,
                         li2_error *err);
/* Eigenvalues of the last certified tangent Hessian, ascending (dim - 1). */
const double *li2_certifier_eigenvalues(const li2_certifier *c);

/* ---- classifying ---- */
typedef struct li2_classifier li2_classifier;

/* G and CT are borrowed; the classifier owns a li2_fourier workspace. */
li2_classifier *li2_classifier_alloc(li2_energy *e, const li2_group *g,
                                     const li2_characters *ct,
                                     const li2_maxima_params *p, li2_error *err);
void li2_classifier_free(li2_classifier *c);
/* Fill component, pure, purity and mem_score of PT for W. */
int li2_classifier_classify(li2_classifier *c, const double *w, li2_maxima_point *pt,
                            li2_error *err);
/* Power of u and of v per real component from the last call
 * (li2_classifier_ncomponents values each). */
size_t li2_classifier_ncomponents(const li2_classifier *c);
const double *li2_classifier_power_u(const li2_classifier *c);
const double *li2_classifier_power_v(const li2_classifier *c);

/* One local search: ascend from W0 until li2_maximizer_test stops, then
 * certify (with two Newton polish steps) and classify the end point, which
 * W (dim values) receives with its description in PT. */
int li2_maxima_climb(li2_maximizer *m, li2_certifier *c, li2_classifier *k, const double *w0,
                     double *w, li2_maxima_point *pt, li2_error *err);

/* ---- multi-start search ---- */

/* Equivalent end points: same label, same dominant component and purity
 * class, energies within energy_tol relative. */
typedef struct li2_maxima_group {
  int label, component, pure;
  size_t count;
  double energy;            /* mean over the members */
  double energy_min, energy_max;
  double predicted;         /* r^4 M/(2 d_R), or NaN (see below) */
  size_t first;             /* a member (start index) */
} li2_maxima_group;

typedef struct li2_maxima_result {
  size_t nstarts, dim;
  size_t ncomponent_starts;   /* the first ones: component starts, then random */
  li2_maxima_point *points;   /* nstarts */
  double *w;                  /* nstarts x dim end points */
  size_t ngroups;
  li2_maxima_group *groups;   /* max first, then saddle, degenerate; energy descending */
  size_t ncomponents;         /* real components (0: trivial) */
  double *share;              /* nstarts x ncomponents: share of |u|^2 + |v|^2 per
                               * component at each end point (the structure) */
  double *level;              /* ncomponents: li2_maxima_predicted_energy (NaN: none) */
  double *paper_level;        /* ncomponents: the paper's printed level, same scale */
} li2_maxima_result;

/* Per non-trivial component, what a search found there. */
typedef struct li2_maxima_component {
  int component;
  int degree, indicator, real_dim;
  double level, paper_level;  /* as in li2_maxima_result (NaN: no prediction) */
  int reached;                /* a certified pure maximum at this component */
  int by_component_start;     /* ... from one of its own component starts */
  double energy;              /* that maximum's energy (the highest; NaN if none) */
  int zero_modes;             /* its tangent Hessian's near-zero eigenvalues */
  int predicted_zero_modes;   /* li2_characters_maximum_zero_modes */
  size_t component_hits;      /* its component starts that ended at a pure max there */
  size_t random_hits;         /* random starts that ended at a pure max there */
  size_t first;               /* start index of the reported maximum */
} li2_maxima_component;

/* Fill OUT[c - 1] for every non-trivial component c (r->ncomponents - 1
 * entries). */
void li2_maxima_result_components(const li2_maxima_result *r, const li2_characters *ct,
                                  li2_maxima_component *out);

/* The structure of end point I: its components in decreasing share, as
 * "c:share" pairs ("3:0.5012,5:0.4988"), those with share >= MIN_SHARE,
 * written into BUF (at most LEN bytes). */
void li2_maxima_result_structure(const li2_maxima_result *r, size_t i, double min_share,
                                 char *buf, size_t len);

/* Predicted maximal energy of COMPONENT on the sphere of radius R:
 * R^4 M/(2 d_R) (doc/mathematics.md section 3), times b^2 for activation=quad
 * (a x + b x^2: the linear part cancels on the full table).  The theorem
 * covers full data, sigma = x^2 (or quad) and the raw energy only; NaN
 * otherwise and for the trivial component or component < 0. */
double li2_maxima_predicted_energy(const li2_characters *ct, const li2_energy *e,
                                   size_t M, int component, double radius);

/* Start W (dim values) of start number INDEX: Gaussian coordinates from
 * GSL's mt19937 seeded by a hash of (seed, index), scaled to |W| = radius.
 * Each start has its own stream, so results do not depend on threads.
 * LI2_ENOMEM if the generator cannot be allocated. */
int li2_maxima_start(unsigned long seed, size_t index, size_t dim, double radius,
                     double *w);

/* Component start REP of COMPONENT: Gaussian u and v (as li2_maxima_start,
 * from their own streams) each projected onto the real component with F
 * (li2_fourier_project), scaled to |W| = radius.  W has 2M values, M the
 * group's order.  On the full table with sigma = x^2 the gradient of E at a
 * point inside one component stays inside it, so the ascent from here finds
 * the component's own maximum deterministically; the certification (the
 * Hessian in all 2M - 1 tangent directions) then decides whether it is a
 * local maximum of E.  LI2_EINVAL for the trivial component or one out of
 * range. */
struct li2_fourier;
int li2_maxima_component_start(struct li2_fourier *f, unsigned long seed, size_t component,
                               size_t rep, size_t M, double radius, double *w);

/* The maximiser printed in Theorem 2, w = [u; SIGN P u] with (P u)[b] =
 * u[b^-1] (P the group inverse operator), u a Gaussian vector (stream
 * INDEX) projected onto COMPONENT; scaled to |W| = radius (2M values).
 * LI2_EINVAL for the trivial component or one out of range. */
int li2_maxima_paper_form(struct li2_fourier *f, const li2_group *g, unsigned long seed,
                          size_t component, size_t index, int sign, double radius, double *w);

/* Separation of the zero modes in the last certified tangent Hessian of C:
 * *ZERO_MAX the largest |lambda| counted as zero, *NONZERO_MIN the
 * smallest |lambda| not counted, both divided by max |lambda| (NaN when a
 * set is empty). */
void li2_certifier_zero_gap(const li2_certifier *c, double *zero_max, double *nonzero_min);

/* Run p->component_starts starts inside each non-trivial real component
 * (li2_maxima_component_start; start index c' rep for component 1 + c')
 * and then STARTS random starts (li2_maxima_start, index i - number of
 * component starts), OpenMP over starts when available; certify and
 * classify every end point and group them.  PROGRESS may be NULL. */
int li2_maxima_search(const li2_group *g, const li2_characters *ct,
                      const li2_dataset *d, li2_activation activation, int variant,
                      const li2_maxima_params *p, size_t starts, unsigned long seed,
                      li2_progress *progress, li2_maxima_result **out,
                      li2_error *err);
void li2_maxima_result_free(li2_maxima_result *r);

/* maxima.tsv: a header and one row per start (start, energy, label,
 * component, purity, grad_norm, hess_max, hess_min, zero_modes,
 * memorisation, iterations). */
void li2_maxima_write_starts(FILE *fp, const li2_maxima_result *r);

#ifdef __cplusplus
}
#endif

#endif
