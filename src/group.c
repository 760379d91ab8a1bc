/* Finite groups: the core (doc/mathematics.md section 1): allocation,
 * the group axioms, elements and conjugacy classes.  The named families
 * and li2_group_alloc_name are in group_families.c, the Cayley-table files
 * in group_load.c; conventions for every family are in group.h. */
#include "group.h"
#include "group_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Allocation and derived data                                         */

li2_group *group_new(size_t M, const char *name, li2_error *err)
{
  li2_group *g = calloc(1, sizeof *g);
  if (!g)
    goto nomem;
  g->order = M;
  g->table = malloc(M * M * sizeof *g->table);
  g->inverse = malloc(M * sizeof *g->inverse);
  g->name = strdup(name ? name : "");
  if (!g->table || !g->inverse || !g->name)
    goto nomem;
  return g;
nomem:
  li2_group_free(g);
  li2_error_set(err, LI2_ENOMEM, "group %s: out of memory (order %zu)", name ? name : "",
                M);
  return NULL;
}

void li2_group_free(li2_group *g)
{
  if (!g)
    return;
  free(g->table);
  free(g->inverse);
  free(g->name);
  free(g);
}

/* Identity, inverses and the abelian flag of a table known to be a group. */
void group_finish(li2_group *g)
{
  size_t M = g->order;
  const int *T = g->table;
  g->identity = 0;
  for (size_t a = 0; a < M; a++)
    if (T[a * M + a] == (int)a) { /* the only idempotent of a group */
      g->identity = (int)a;
      break;
    }
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++)
      if (T[a * M + b] == g->identity) {
        g->inverse[a] = (int)b;
        break;
      }
  g->abelian = 1;
  for (size_t a = 0; a < M && g->abelian; a++)
    for (size_t b = a + 1; b < M; b++)
      if (T[a * M + b] != T[b * M + a]) {
        g->abelian = 0;
        break;
      }
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */

/* BASE only changes how indices are printed (files may be 1-based). */
int group_validate_base(size_t M, const int *T, int base, li2_error *err)
{
  int rc = LI2_SUCCESS;
  unsigned char *seen = NULL;
  if (M == 0)
    return li2_error_set(err, LI2_ENOTGROUP, "empty table (order 0)");
  if (M > LI2_GROUP_MAX_ORDER)
    return li2_error_set(err, LI2_EINVAL, "table order %zu exceeds the limit %d", M,
                         LI2_GROUP_MAX_ORDER);
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      int v = T[a * M + b];
      if (v < 0 || (size_t)v >= M)
        return li2_error_set(err, LI2_ENOTGROUP,
                             "row %zu, column %zu: value %lld out of range %d..%lld",
                             a + (size_t)base, b + (size_t)base, (long long)v + base, base,
                             (long long)M - 1 + base);
    }
  seen = malloc(M);
  if (!seen) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory validating a table of order %zu", M);
    goto out;
  }
  /* Latin square: every row and every column a permutation. */
  for (int by_col = 0; by_col < 2; by_col++)
    for (size_t a = 0; a < M; a++) {
      memset(seen, 0, M);
      for (size_t b = 0; b < M; b++) {
        int v = by_col ? T[b * M + a] : T[a * M + b];
        if (seen[v]) {
          rc = li2_error_set(err, LI2_ENOTGROUP,
                             "%s %zu repeats element %d (%s %zu): not a Latin square",
                             by_col ? "column" : "row", a + (size_t)base, v + base,
                             by_col ? "row" : "column", b + (size_t)base);
          goto out;
        }
        seen[v] = 1;
      }
    }
  /* Two-sided identity e: row e and column e are the identity map. */
  size_t e;
  for (e = 0; e < M; e++) {
    size_t x;
    for (x = 0; x < M; x++)
      if (T[e * M + x] != (int)x || T[x * M + e] != (int)x)
        break;
    if (x == M)
      break;
  }
  if (e == M) {
    rc = li2_error_set(err, LI2_ENOTGROUP, "no two-sided identity element");
    goto out;
  }
  /* Associativity (ab)c = a(bc) over all triples.  For fixed a and b the
   * left side is row T[ab] and the right side is row b mapped through row
   * a: two contiguous row reads per (a, b), so M^3 work stays cache-bound
   * on rows only. */
  for (size_t a = 0; a < M; a++) {
    const int *ra = T + a * M;
    for (size_t b = 0; b < M; b++) {
      const int *rab = T + (size_t)ra[b] * M, *rb = T + b * M;
      for (size_t c = 0; c < M; c++)
        if (rab[c] != ra[rb[c]]) {
          rc = li2_error_set(err, LI2_ENOTGROUP,
                             "(a·b)·c != a·(b·c) for a=%zu b=%zu c=%zu (%d vs %d): "
                             "not associative",
                             a + (size_t)base, b + (size_t)base, c + (size_t)base,
                             rab[c] + base, ra[rb[c]] + base);
          goto out;
        }
    }
  }
out:
  free(seen);
  return rc;
}

int li2_group_validate(size_t M, const int *table, li2_error *err)
{
  if (!table)
    return li2_error_set(err, LI2_EINVAL, "table: NULL");
  return group_validate_base(M, table, 0, err);
}

li2_group *li2_group_alloc_table(size_t M, const int *table, const char *name,
                                 li2_error *err)
{
  if (li2_group_validate(M, table, err))
    return NULL;
  li2_group *g = group_new(M, name ? name : "table", err);
  if (!g)
    return NULL;
  memcpy(g->table, table, M * M * sizeof *table);
  group_finish(g);
  return g;
}

/* ------------------------------------------------------------------ */
/* Elements                                                            */

int li2_group_pow(const li2_group *g, int a, long k)
{
  int x = g->identity, base = a;
  unsigned long n;
  if (k < 0) {
    base = g->inverse[a];
    n = (unsigned long)(-(k + 1)) + 1; /* no overflow at LONG_MIN */
  } else {
    n = (unsigned long)k;
  }
  /* Reduce by the element order first so huge exponents stay cheap. */
  n %= (unsigned long)li2_group_element_order(g, base);
  while (n) {
    if (n & 1)
      x = li2_group_mul(g, x, base);
    base = li2_group_mul(g, base, base);
    n >>= 1;
  }
  return x;
}

int li2_group_element_order(const li2_group *g, int a)
{
  int n = 1, x = a;
  /* a·x rather than x·a: powers of a commute, and row a is contiguous. */
  while (x != g->identity) {
    x = li2_group_mul(g, a, x);
    n++;
  }
  return n;
}

/* ------------------------------------------------------------------ */
/* Conjugacy classes                                                   */

void li2_group_classes_free(li2_group_classes *c)
{
  if (!c)
    return;
  free(c->class_of);
  free(c->size);
  free(c->rep);
  free(c->order);
  free(c->inverse);
  free(c);
}

li2_group_classes *li2_group_classes_alloc(const li2_group *g, li2_error *err)
{
  if (g->not_group) {
    li2_error_set(err, LI2_EINVAL, "%s: an expression task has no group structure (no "
                                   "conjugacy classes)", g->name);
    return NULL;
  }
  size_t M = g->order, nc = 0;
  li2_group_classes *c = calloc(1, sizeof *c);
  if (!c)
    goto nomem;
  c->class_of = malloc(M * sizeof *c->class_of);
  c->size = calloc(M, sizeof *c->size);
  c->rep = malloc(M * sizeof *c->rep);
  c->order = malloc(M * sizeof *c->order);
  c->inverse = malloc(M * sizeof *c->inverse);
  if (!c->class_of || !c->size || !c->rep || !c->order || !c->inverse)
    goto nomem;
  for (size_t x = 0; x < M; x++)
    c->class_of[x] = -1;
  /* Identity class first, then classes by smallest element: scanning x in
   * increasing order, a new class starts at its smallest member.  Its class
   * is {h x h^-1 : h in G}, O(M) per class, O(M * #classes) <= O(M^2). */
  int e = g->identity;
  c->class_of[e] = 0;
  c->size[0] = 1;
  c->rep[0] = e;
  nc = 1;
  if (g->abelian) /* every class is a single element */
    for (size_t x = 0; x < M; x++)
      if ((int)x != e) {
        c->class_of[x] = (int)nc;
        c->size[nc] = 1;
        c->rep[nc++] = (int)x;
      }
  for (size_t x = 0; x < M; x++) {
    if (c->class_of[x] >= 0)
      continue;
    size_t k = nc++;
    c->rep[k] = (int)x;
    for (size_t h = 0; h < M; h++) {
      int y = li2_group_mul(g, li2_group_mul(g, (int)h, (int)x), g->inverse[h]);
      if (c->class_of[y] < 0) {
        c->class_of[y] = (int)k;
        c->size[k]++;
      }
    }
  }
  c->nclasses = nc;
  for (size_t k = 0; k < nc; k++) {
    c->order[k] = li2_group_element_order(g, c->rep[k]);
    c->inverse[k] = c->class_of[g->inverse[c->rep[k]]];
  }
  return c;
nomem:
  li2_group_classes_free(c);
  li2_error_set(err, LI2_ENOMEM, "group %s: out of memory for conjugacy classes", g->name);
  return NULL;
}

int li2_group_classes_power(const li2_group *g, const li2_group_classes *c,
                            size_t cls, long k)
{
  /* Conjugation commutes with powers, so any representative will do. */
  return c->class_of[li2_group_pow(g, c->rep[cls], k)];
}

/* ------------------------------------------------------------------ */
/* Numbers in names and selectors                                      */

/* Parse a decimal number at *S (digits only), advancing *S.  Returns 0 when
 * there are no digits or the value exceeds LIMIT (reported as *OVER). */
int group_parse_count(const char **s, size_t limit, size_t *out, int *over)
{
  const char *p = *s;
  size_t v = 0;
  *over = 0;
  if (!isdigit((unsigned char)*p))
    return 0;
  while (isdigit((unsigned char)*p)) {
    if (v > (limit - (size_t)(*p - '0')) / 10)
      *over = 1;
    else
      v = 10 * v + (size_t)(*p - '0');
    p++;
  }
  *s = p;
  *out = v;
  return !*over;
}
