/* Finite groups given by their Cayley table (THEORY.md section 1).
 *
 * Elements are indexed 0..M-1; table[a*M + b] is the index of a·b.
 * A li2_group owns its arrays; li2_group_free accepts NULL.
 *
 * Names understood by li2_group_alloc_name (see li2(1)):
 *   71, Z71            cyclic group of order 71 (element k = k mod 71)
 *   2x3x4, Z4xZ6       direct products of cyclic groups; element index is
 *                      the mixed-radix number of the coordinates, first
 *                      factor most significant
 *   D<n>               dihedral group of order 2n (symmetries of the n-gon):
 *                      element r^k s^e has index k + n e
 *   S3..S5, A4, A5     symmetric and alternating groups: permutations in
 *                      lexicographic order, (p·q)(i) = p(q(i))
 *   Q8                 quaternion group
 *   Dic<n>             dicyclic group of order 4n
 *   Z<p>:Z<q>          semidirect product, q | p-1, order pq
 *   file:PATH[#K|#NAME] Cayley table from a text table or JSON Lines file */
#ifndef LI2_GROUP_H
#define LI2_GROUP_H

#include <stddef.h>
#include "error.h"

#define LI2_GROUP_MAX_FACTORS 16
#define LI2_GROUP_MAX_ORDER 4096

typedef struct li2_group {
  size_t order;     /* M */
  int *table;       /* M*M Cayley table, row-major */
  int identity;     /* index of the identity */
  int *inverse;     /* M: index of a^{-1} */
  char *name;       /* canonical name, e.g. "Z71", "S4", "file:x.jsonl#3" */
  int abelian;      /* 1 when ab = ba for all a, b */
  /* Cyclic factors n_1..n_r when the group is Z_n1 x ... x Z_nr with the
   * mixed-radix indexing above (nfactors = 1 for cyclic groups).  Zero when
   * the decomposition is not known (non-abelian, or loaded from a file):
   * the FFT fast paths need it. */
  size_t nfactors;
  size_t factors[LI2_GROUP_MAX_FACTORS];
} li2_group;

/* Build a group from a name as above.  NULL on failure, with ERR set. */
li2_group *li2_group_alloc_name(const char *spec, li2_error *err);

/* Build a group from an M x M table (copied) after full validation. */
li2_group *li2_group_alloc_table(size_t M, const int *table, const char *name,
                                 li2_error *err);

void li2_group_free(li2_group *g);

/* Check the group axioms on an M x M table: entries in range, Latin square,
 * a two-sided identity, associativity over all M^3 triples.  ERR names the
 * first offending entry or triple. */
int li2_group_validate(size_t M, const int *table, li2_error *err);

static inline int li2_group_mul(const li2_group *g, int a, int b)
{
  return g->table[(size_t)a * g->order + (size_t)b];
}

/* a^k for any integer k (negative powers use inverses). */
int li2_group_pow(const li2_group *g, int a, long k);

/* Order of element a. */
int li2_group_element_order(const li2_group *g, int a);

/* Conjugacy classes.  Class 0 holds the identity; the other classes are
 * ordered by their smallest element index, so the order is deterministic. */
typedef struct li2_group_classes {
  size_t nclasses;
  int *class_of;     /* M: class index of each element */
  size_t *size;      /* nclasses */
  int *rep;          /* nclasses: smallest element of each class */
  int *order;        /* nclasses: element order within the class */
  int *inverse;      /* nclasses: class of the inverses */
} li2_group_classes;

li2_group_classes *li2_group_classes_alloc(const li2_group *g, li2_error *err);
void li2_group_classes_free(li2_group_classes *c);

/* Power map on classes: the class of x^k for x in class c. */
int li2_group_classes_power(const li2_group *g, const li2_group_classes *c,
                            size_t cls, long k);

#endif
