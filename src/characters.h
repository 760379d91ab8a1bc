/* Character tables from the Cayley table alone (Burnside-Dixon), Frobenius-
 * Schur indicators and real irreducible components (THEORY.md section 3).
 *
 * Irreps are ordered deterministically: trivial first, then by degree; ties
 * are broken by the characters' values on the classes in class order
 * (real part descending, then imaginary part descending), so for cyclic
 * groups the irreps come as frequencies 0, 1, M-1, 2, M-2, ...
 *
 * A real component is one irrep of indicator +1 or -1, or a conjugate pair
 * of indicator 0.  Components are numbered in order of their first irrep,
 * so component 0 is the trivial one and, for Z_M, component k is the pair
 * of frequencies {k, M-k}. */
#ifndef LI2_CHARACTERS_H
#define LI2_CHARACTERS_H

#include <complex.h>
#include <stddef.h>
#include "error.h"
#include "group.h"

typedef struct li2_characters {
  size_t nirreps;              /* = number of conjugacy classes */
  li2_group_classes *classes;  /* owned */
  double complex *chi;         /* nirreps x nclasses: chi[i*n + c] */
  int *degree;                 /* d_i */
  int *indicator;              /* Frobenius-Schur nu_i in {+1, 0, -1} */
  int *conjugate;              /* index of the conjugate irrep */
  size_t ncomponents;          /* real irreducible components */
  int *component_of;           /* nirreps: component of each irrep */
  int *component_irrep;        /* ncomponents: its first irrep */
  int *component_real_dim;     /* ncomponents: d_R (THEORY.md section 3) */
} li2_characters;

li2_characters *li2_characters_alloc(const li2_group *g, li2_error *err);
void li2_characters_free(li2_characters *ct);

/* Largest deviation from the row and column orthogonality relations
 *   sum_c |C_c| chi_i(c) conj(chi_j(c)) = M delta_ij
 *   sum_i chi_i(c) conj(chi_i(c'))     = (M/|C_c|) delta_cc'
 * divided by M (rows) and by M/|C_c| (columns). */
void li2_characters_orthogonality(const li2_characters *ct, size_t M,
                                  double *row_err, double *col_err);

/* Predicted maximal energy M/(2 d_R) of a component (THEORY.md section 3);
 * NaN for the trivial component, which centering removes. */
double li2_characters_predicted_energy(const li2_characters *ct, size_t M,
                                       size_t component);

#endif
