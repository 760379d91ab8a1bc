/* A hidden node's summary: the one definition that li2 maxima (the
 * classifier), li2 compare and stage detection share (doc/mathematics.md
 * section 3.2: a node's power per real component, its dominant component
 * and purity).
 *
 * Node j has weights w_j = [u_j; v_j; ...] (one block of M values per
 * operand) and power p_c = sum over blocks of |P_c u|^2 in each real
 * irreducible component c (li2_fourier_power; c = 0 is the trivial one):
 *   dominant   the non-trivial component c >= 1 with the most power (the
 *              first on ties): constants are no feature;
 *   purity     its share of the non-trivial power, p_dominant / sum_{c>=1} p_c;
 *   active     |w_j| > 0 and |w_j| >= ratio max_i |w_i|: weight decay
 *              switches off the nodes that learn nothing, so the active set
 *              is where the features are. */
#ifndef LI2_NODE_H
#define LI2_NODE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The dominant component of POWER (NCOMP values, one per real component)
 * and, in *PURITY, its purity; -1 and purity 0 when there is no
 * non-trivial power. */
int li2_node_dominant(size_t ncomp, const double *power, double *purity);

/* 1 when a node of norm NORM is active among nodes of largest norm MAXNORM. */
int li2_node_active(double norm, double maxnorm, double ratio);

#ifdef __cplusplus
}
#endif

#endif
