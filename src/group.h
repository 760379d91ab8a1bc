/* Finite groups given by their Cayley table (doc/mathematics.md section 1).
 *
 * Elements are indexed 0..M-1; table[a*M + b] is the index of a·b.
 * A li2_group owns its arrays; li2_group_free accepts NULL.
 *
 * Names understood by li2_group_alloc_name (see li2(1)); case-sensitive,
 * no whitespace; M <= LI2_GROUP_MAX_ORDER:
 *   71, Z71            cyclic group of order 71 (element k = k mod 71), n >= 1
 *   2x3x4, Z4xZ6       direct products of cyclic groups (at most
 *                      LI2_GROUP_MAX_FACTORS factors, each >= 1); element
 *                      index is the mixed-radix number of the coordinates,
 *                      first factor most significant: (x, y) in Z4xZ6 is
 *                      6x + y.  (The reference trainer's flattening puts the
 *                      first factor least significant.)
 *   D<n>               dihedral group of order 2n (symmetries of the n-gon),
 *                      n >= 1 (D1 = Z2, D2 = Klein four-group): element
 *                      r^k s^e has index k + n e, s r s = r^-1
 *   S1..S5, A1..A5     symmetric and alternating groups: permutations of
 *                      {0..n-1} (even ones for A) in lexicographic order,
 *                      (p·q)(i) = p(q(i))
 *   Q8                 quaternion group, elements 1, -1, i, -i, j, -j, k, -k
 *                      (indices 0..7), ij = k, jk = i, ki = j, i^2 = -1
 *   Dic<n>             dicyclic group of order 4n, n >= 2:
 *                      <a, x | a^2n = 1, x^2 = a^n, x a x^-1 = a^-1>,
 *                      a^k x^e has index k + 2n e (Dic2 = Q8 relabelled)
 *   Z<p>:Z<q>          semidirect product of order pq, p >= 2, q | p-1:
 *                      b a b^-1 = a^r with r the smallest unit mod p of
 *                      multiplicative order exactly q (r = 1 for q = 1);
 *                      a^x b^y has index x q + y.  An error if no such r
 *                      exists (possible when p is not prime).
 *   file:PATH[#K|#NAME] Cayley table from a file; the selector follows the
 *                      last '#': K (decimal) is the 0-based record number,
 *                      anything else matches a record's "name".  Without a
 *                      selector record 0 is used.  Formats:
 *                      - plain text: whitespace-separated integers, one row
 *                        per line, blank lines and '#' comments ignored;
 *                        0-based if any entry is 0, else 1-based;
 *                      - JSON Lines (first non-blank character '{'): one
 *                        object per non-blank line with "table" (array of
 *                        arrays of integers), optional "index_base" (0 or 1,
 *                        default 1), "name", "order" (must equal the table
 *                        size); other fields are ignored.
 *                      The canonical name is the spec as given.
 * Canonical names of the others: "Z71", "Z2xZ3xZ4", "D5", "S4", "Q8",
 * "Dic3", "Z7:Z3".
 *
 * Status codes: LI2_EINVAL for a bad or unknown name, an order over the
 * limit, a record index out of range or a record name not found; LI2_EIO
 * when the file cannot be read; LI2_EFORMAT for malformed files (messages
 * give file, line and, for JSON, record and character); LI2_ENOTGROUP when
 * the table fails the group axioms (indices printed in the file's base). */
#ifndef LI2_GROUP_H
#define LI2_GROUP_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

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
  /* 1 for an operation table without group structure: the reference's
   * expression tasks, name "expr:M:EXPRESSION" (z = EXPRESSION(x, y) mod M,
   * expr.h).  identity is -1 and inverse all -1; characters, classes and
   * every analysis built on them refuse such a table in one line. */
  int not_group;
} li2_group;

/* Build a group from a name as above.  NULL on failure, with ERR set. */
li2_group *li2_group_alloc_name(const char *spec, li2_error *err);

/* Build a group from an M x M table (copied) after full validation
 * (li2_group_validate, O(M^3): milliseconds for M <= 128).  The built-in
 * families of li2_group_alloc_name are correct by construction and are not
 * re-validated; the tests check them. */
li2_group *li2_group_alloc_table(size_t M, const int *table, const char *name,
                                 li2_error *err);

void li2_group_free(li2_group *g);

/* The reference's group_type=collection selection (modular_addition_simple2.py:95-118):
 * *RECORD is the 0-based record number, in the JSON Lines file PATH, of the
 * WANT-th (0-based) record whose irrep_degrees have maximum DK (li2 then
 * reads it as file:PATH#RECORD).  LI2_EINVAL when there are fewer. */
int li2_group_collection_find(const char *path, double dk, long want, long *record,
                              li2_error *err);

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

#ifdef __cplusplus
}
#endif

#endif
