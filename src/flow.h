/* The Stage II dynamics of one node on the energy E (doc/mathematics.md
 * section 3; the paper's Sec. 4: each node climbs E independently):
 *   sphere  dw/dt = P_w grad E(w)         (Riemannian gradient: |w| kept)
 *   decay   dw/dt = grad E(w) - eta w     (weight decay, free norm)
 * integrated by GSL's adaptive Runge-Kutta (rkf45 or rk8pd).
 *
 * Memory contract: the flow borrows the energy workspace E (it must outlive
 * the flow and is written by every evaluation: one flow per thread). */
#ifndef LI2_FLOW_H
#define LI2_FLOW_H

#include <stddef.h>

#include "energy.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum li2_flow_kind { LI2_FLOW_SPHERE = 0, LI2_FLOW_DECAY, LI2_FLOW_KIND_COUNT };
enum li2_flow_stepper { LI2_FLOW_RKF45 = 0, LI2_FLOW_RK8PD, LI2_FLOW_STEPPER_COUNT };
/* Name tables in enum order (li2_names_*, args.h). */
#define LI2_FLOW_KIND_NAMES(X) X(sphere) X(decay)
#define LI2_FLOW_STEPPER_NAMES(X) X(rkf45) X(rk8pd)
extern const char *const li2_flow_kind_names[LI2_FLOW_KIND_COUNT];       /* sphere, decay */
extern const char *const li2_flow_stepper_names[LI2_FLOW_STEPPER_COUNT]; /* rkf45, rk8pd */

typedef struct li2_flow_params {
  int kind;                 /* enum li2_flow_kind */
  double eta;               /* weight decay of LI2_FLOW_DECAY */
  int stepper;              /* enum li2_flow_stepper */
  double h0;                /* first step */
  double epsabs, epsrel;    /* error per step */
  unsigned long max_steps;  /* steps allowed in one li2_flow_advance */
} li2_flow_params;

/* sphere, eta 0, rkf45, h0 1e-3, epsabs = epsrel = 1e-9, 100000 steps. */
void li2_flow_params_default(li2_flow_params *p);

/* E, |w|, |grad E| and |P_w grad E| (the Riemannian gradient on the sphere
 * through w) at W; G (dim values) receives P_w grad E.  LI2_ENUMERIC when E
 * is not finite. */
typedef struct li2_flow_measures {
  double energy, norm, grad_norm, riemannian_grad_norm;
} li2_flow_measures;
int li2_flow_measure(li2_energy *e, const double *w, double *g, li2_flow_measures *m);

typedef struct li2_flow li2_flow;

li2_flow *li2_flow_alloc(li2_energy *e, const li2_flow_params *p, li2_error *err);
void li2_flow_free(li2_flow *fl);

/* Integrate from *T to T1, Y (dim values) in place; *T is where it got to.
 * LI2_ENUMERIC naming max_steps when the steps ran out, or saying that the
 * flow diverges (|w| over 1000 times its value at the first call, or E not
 * finite) or GSL's reason. */
int li2_flow_advance(li2_flow *fl, double *t, double t1, double *y, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
