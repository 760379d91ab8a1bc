/* Character tables from the Cayley table alone (Burnside-Dixon), Frobenius-
 * Schur indicators and real irreducible components (doc/mathematics.md section 3).
 *
 * Irreps are ordered deterministically: trivial first, then by degree; ties
 * are broken by the characters' values on the classes in class order
 * (real part descending, then imaginary part descending), so for cyclic
 * groups the irreps come as frequencies 0, 1, M-1, 2, M-2, ...
 * Precisely: the first class (in class order) where two characters differ
 * by more than 1e-7 decides, comparing real parts and, when those agree,
 * imaginary parts.
 *
 * Method (characters.c): Burnside's class matrices, made simultaneously
 * normal by the scaling sqrt|C_i|, diagonalised through a random Hermitian
 * combination with recursive re-splitting of near-degenerate eigenvalue
 * clusters (Dixon).  Fixed seeds make the result reproducible bit for bit.
 * Each table is checked (eigen-residual, integral degrees dividing M with
 * sum d^2 = M, orthogonality <= 1e-9, indicators in {-1, 0, 1}); values on
 * real classes are exactly real, on rational classes exactly integral, and
 * linear characters take exact roots of unity (cos/sin rounding aside).
 * Cross-checked when written against GAP 4.12 (SmallGroups library) on
 * every group of order <= 128: degrees, indicators and class sizes agree.
 * Cost O(M r + r^3) for r classes.  Abelian groups with a known cyclic
 * decomposition (g->nfactors > 0) use the closed form
 * chi_k(x) = exp(2 pi i sum_j k_j x_j / n_j) instead (O(M^2)).
 *
 * A real component is one irrep of indicator +1 or -1, or a conjugate pair
 * of indicator 0.  Components are numbered in order of their first irrep,
 * so component 0 is the trivial one and, for Z_M, component k is the pair
 * of frequencies {k, M-k}. */
#ifndef LI2_CHARACTERS_H
#define LI2_CHARACTERS_H

#include <stddef.h>
#include "error.h"
#include "group.h"

/* The library's complex numbers: C's double complex; from C++ the
 * layout-compatible std::complex<double> (C++11 [complex.numbers] p4). */
#ifdef __cplusplus
#include <complex>
typedef std::complex<double> li2_complex;
#else
#include <complex.h>
typedef double complex li2_complex;
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_characters {
  size_t nirreps;              /* = number of conjugacy classes */
  li2_group_classes *classes;  /* owned */
  li2_complex *chi;            /* nirreps x nclasses: chi[i*n + c] */
  int *degree;                 /* d_i */
  int *indicator;              /* Frobenius-Schur nu_i in {+1, 0, -1} */
  int *conjugate;              /* index of the conjugate irrep */
  size_t ncomponents;          /* real irreducible components */
  int *component_of;           /* nirreps: component of each irrep */
  int *component_irrep;        /* ncomponents: its first irrep */
  int *component_real_dim;     /* ncomponents: d_R (doc/mathematics.md section 3) */
} li2_characters;

li2_characters *li2_characters_alloc(const li2_group *g, li2_error *err);

enum li2_characters_method {
  LI2_CHARACTERS_AUTO = 0, /* closed form when g->nfactors > 0, else Dixon */
  LI2_CHARACTERS_DIXON,    /* Burnside-Dixon from the Cayley table, always */
  LI2_CHARACTERS_ABELIAN   /* closed form; LI2_EUNSUP without nfactors */
};

/* As li2_characters_alloc with an explicit METHOD (tests compare them). */
li2_characters *li2_characters_alloc_method(const li2_group *g, int method,
                                            li2_error *err);
void li2_characters_free(li2_characters *ct);

/* Largest deviation from the row and column orthogonality relations
 *   sum_c |C_c| chi_i(c) conj(chi_j(c)) = M delta_ij
 *   sum_i chi_i(c) conj(chi_i(c'))     = (M/|C_c|) delta_cc'
 * divided by M (rows) and by M/|C_c| (columns). */
void li2_characters_orthogonality(const li2_characters *ct, size_t M,
                                  double *row_err, double *col_err);

/* Predicted maximal energy M/(2 d_R) of a component (doc/mathematics.md section 3);
 * NaN for the trivial component, which centering removes. */
double li2_characters_predicted_energy(const li2_characters *ct, size_t M,
                                       size_t component);

/* The level printed in the paper's Theorem 2 (v5, Sec. 4.3) for the same
 * component: M/(8 d_k) for a real irrep (indicator +1), M/(16 d_k) for a
 * pair of complex irreps (indicator 0), d_k the complex degree.  The paper
 * does not treat quaternionic irreps (indicator -1); their real irreducible
 * representation has real dimension 2 d_k, and its "real irrep" formula at
 * that dimension, M/(8 * 2 d_k) = M/(16 d_k), is returned.  Exactly 1/4 of
 * li2_characters_predicted_energy: the paper's proof (Appendix A.1, Eq. 21)
 * writes the quadratic feature matrix as S = (u o u) 1^T + 1 (v o v)^T + u v^T,
 * whose cross term should be 2 u v^T ((u_i + v_j)^2 = u_i^2 + v_j^2 +
 * 2 u_i v_j), so every z_h and hence E of its Eq. 13-14 is 2^2 = 4 times too
 * small; the normalisation |w| = 1 (sum_k c_k = 1) is the same in both.
 * NaN for the trivial component. */
double li2_characters_paper_energy(const li2_characters *ct, size_t M, size_t component);

/* Number of zero eigenvalues of the tangent Hessian of E (sigma = x^2, full
 * data, on the sphere) predicted at a maximum of COMPONENT: the dimension
 * of the manifold of maxima through it, which is the orbit of the
 * maximiser under the continuous symmetries of E restricted to the
 * component.  The component of the real group algebra is M_n(D) (D = R,
 * C or H: indicator +1, 0, -1), E there is proportional to |A B|_F^2 with
 * A, B the component's parts of u and v, and its maxima on the sphere are
 * A = s x y^*, B = s y z^* (rank one, the middle factor shared, |A| = |B|),
 * x, y, z unit vectors of D^n, defined up to y -> y q, x -> x q, z -> z q for
 * a unit q of D.  So the dimension is 3 (n dim D - 1) - (dim D - 1):
 * real degree d: 3 (d - 1); complex pair of degree d: 6 d - 4;
 * quaternionic degree d (n = d/2): 6 d - 6.  -1 for the trivial component. */
int li2_characters_maximum_zero_modes(const li2_characters *ct, size_t component);

#ifdef __cplusplus
}
#endif

#endif
