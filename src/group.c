/* Finite groups from names or Cayley tables (doc/mathematics.md section 1).
 *
 * Built-in families are generated from their multiplication rules; tables
 * loaded from files (or passed to li2_group_alloc_table) are checked against
 * the group axioms first.  Conventions for every family are in group.h. */
#include "group.h"
#include "expr.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "json.h"

/* ------------------------------------------------------------------ */
/* Allocation and derived data                                         */

static li2_group *group_new(size_t M, const char *name, li2_error *err)
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
static void group_finish(li2_group *g)
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
static int validate_base(size_t M, const int *T, int base, li2_error *err)
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
  for (size_t a = 0; a < M; a++) {
    memset(seen, 0, M);
    for (size_t b = 0; b < M; b++) {
      int v = T[a * M + b];
      if (seen[v]) {
        rc = li2_error_set(err, LI2_ENOTGROUP,
                           "row %zu repeats element %d (column %zu): not a Latin square",
                           a + (size_t)base, v + base, b + (size_t)base);
        goto out;
      }
      seen[v] = 1;
    }
  }
  for (size_t b = 0; b < M; b++) {
    memset(seen, 0, M);
    for (size_t a = 0; a < M; a++) {
      int v = T[a * M + b];
      if (seen[v]) {
        rc = li2_error_set(err, LI2_ENOTGROUP,
                           "column %zu repeats element %d (row %zu): not a Latin square",
                           b + (size_t)base, v + base, a + (size_t)base);
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
  return validate_base(M, table, 0, err);
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
/* Built-in families                                                   */

/* Parse a decimal number at *S (digits only), advancing *S.  Returns 0 when
 * there are no digits or the value exceeds LIMIT (reported as *OVER). */
static int parse_count(const char **s, size_t limit, size_t *out, int *over)
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

static li2_group *make_product(const size_t *n, size_t r, li2_error *err)
{
  size_t M = 1;
  char name[LI2_GROUP_MAX_FACTORS * 8 + 1] = "";
  for (size_t i = 0; i < r; i++) {
    M *= n[i]; /* bounded: every partial product is checked by the caller */
    snprintf(name + strlen(name), sizeof name - strlen(name), "%sZ%zu", i ? "x" : "", n[i]);
  }
  li2_group *g = group_new(M, name, err);
  if (!g)
    return NULL;
  /* Mixed radix, first factor most significant: digit i of a has weight
   * stride[i] = n[i+1] * ... * n[r-1].  Adding digit-wise with carry-free
   * wrap-around gives a·b. */
  int *digits = malloc(M * r * sizeof *digits);
  size_t stride[LI2_GROUP_MAX_FACTORS];
  if (!digits) {
    li2_group_free(g);
    li2_error_set(err, LI2_ENOMEM, "group %s: out of memory", name);
    return NULL;
  }
  stride[r - 1] = 1;
  for (size_t i = r - 1; i > 0; i--)
    stride[i - 1] = stride[i] * n[i];
  for (size_t a = 0; a < M; a++)
    for (size_t i = 0; i < r; i++)
      digits[a * r + i] = (int)((a / stride[i]) % n[i]);
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      size_t idx = 0;
      for (size_t i = 0; i < r; i++) {
        int d = digits[a * r + i] + digits[b * r + i];
        idx += (size_t)(d >= (int)n[i] ? d - (int)n[i] : d) * stride[i];
      }
      g->table[a * M + b] = (int)idx;
    }
  free(digits);
  g->nfactors = r;
  for (size_t i = 0; i < r; i++)
    g->factors[i] = n[i];
  group_finish(g);
  return g;
}

/* "71", "Z71", "2x3x4", "Z4xZ6" (factors may mix both spellings). */
static li2_group *parse_product(const char *spec, li2_error *err)
{
  size_t n[LI2_GROUP_MAX_FACTORS], r = 0, M = 1;
  const char *p = spec;
  for (;;) {
    int over;
    if (*p == 'Z')
      p++;
    if (r == LI2_GROUP_MAX_FACTORS) {
      li2_error_set(err, LI2_EINVAL, "group %s: more than %d cyclic factors", spec,
                    LI2_GROUP_MAX_FACTORS);
      return NULL;
    }
    if (!parse_count(&p, (size_t)LI2_GROUP_MAX_ORDER * 10, &n[r], &over)) {
      if (over)
        li2_error_set(err, LI2_EINVAL, "group %s: order exceeds the limit %d", spec,
                      LI2_GROUP_MAX_ORDER);
      else
        li2_error_set(err, LI2_EINVAL,
                      "group %s: unknown group name (expected e.g. 71, Z71, Z4xZ6, D5, "
                      "S4, A5, Q8, Dic3, Z7:Z3, file:PATH)",
                      spec);
      return NULL;
    }
    if (n[r] < 1) {
      li2_error_set(err, LI2_EINVAL, "group %s: cyclic order must be >= 1", spec);
      return NULL;
    }
    M *= n[r];
    if (M > LI2_GROUP_MAX_ORDER) {
      li2_error_set(err, LI2_EINVAL, "group %s: order exceeds the limit %d", spec,
                    LI2_GROUP_MAX_ORDER);
      return NULL;
    }
    r++;
    if (*p == '\0')
      break;
    if (*p != 'x' || p[1] == '\0') {
      li2_error_set(err, LI2_EINVAL,
                    "group %s: unknown group name (expected e.g. 71, Z71, Z4xZ6, D5, S4, "
                    "A5, Q8, Dic3, Z7:Z3, file:PATH)",
                    spec);
      return NULL;
    }
    p++;
  }
  return make_product(n, r, err);
}

/* Number N after PREFIX in SPEC, within [lo, hi]; 0 on success. */
static int parse_param(const char *spec, const char *prefix, size_t lo, size_t hi,
                       const char *what, size_t *out, li2_error *err)
{
  const char *p = spec + strlen(prefix);
  int over;
  size_t v;
  if (!parse_count(&p, (size_t)LI2_GROUP_MAX_ORDER * 10, &v, &over) || *p != '\0') {
    if (over)
      return li2_error_set(err, LI2_EINVAL, "group %s: order exceeds the limit %d", spec,
                           LI2_GROUP_MAX_ORDER);
    return li2_error_set(err, LI2_EINVAL, "group %s: expected %s<n> with a decimal n", spec,
                         prefix);
  }
  if (v < lo || v > hi)
    return li2_error_set(err, LI2_EINVAL, "group %s: %s must be in %zu..%zu", spec, what, lo,
                         hi);
  *out = v;
  return LI2_SUCCESS;
}

/* D<n>: r^k s^e has index k + n e, s r s = r^-1, so
 * (r^k1 s^e1)(r^k2 s^e2) = r^(k1 + (-1)^e1 k2) s^(e1 + e2). */
static li2_group *make_dihedral(size_t n, li2_error *err)
{
  char name[32];
  snprintf(name, sizeof name, "D%zu", n);
  size_t M = 2 * n;
  li2_group *g = group_new(M, name, err);
  if (!g)
    return NULL;
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      size_t k1 = a % n, e1 = a / n, k2 = b % n, e2 = b / n;
      size_t k = e1 ? (k1 + n - k2) % n : (k1 + k2) % n;
      g->table[a * M + b] = (int)(k + n * (e1 ^ e2));
    }
  group_finish(g);
  return g;
}

/* Dic<n>: a^k x^e has index k + 2n e, with a^(2n) = 1, x^2 = a^n and
 * x a x^-1 = a^-1, so (a^k1 x^e1)(a^k2 x^e2) = a^(k1 + (-1)^e1 k2 + n e1 e2)
 * x^(e1 + e2 mod 2). */
static li2_group *make_dicyclic(size_t n, li2_error *err)
{
  char name[32];
  snprintf(name, sizeof name, "Dic%zu", n);
  size_t N = 2 * n, M = 4 * n;
  li2_group *g = group_new(M, name, err);
  if (!g)
    return NULL;
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      size_t k1 = a % N, e1 = a / N, k2 = b % N, e2 = b / N;
      size_t k = e1 ? k1 + N - k2 : k1 + k2;
      if (e1 && e2)
        k += n;
      g->table[a * M + b] = (int)(k % N + N * (e1 ^ e2));
    }
  group_finish(g);
  return g;
}

/* Z<p>:Z<q>: a^x b^y has index x q + y, with b a b^-1 = a^r, so
 * (a^x1 b^y1)(a^x2 b^y2) = a^(x1 + r^y1 x2) b^(y1 + y2). */
static li2_group *make_semidirect(const char *spec, size_t p, size_t q, li2_error *err)
{
  if (p < 2) {
    li2_error_set(err, LI2_EINVAL, "group %s: p must be >= 2 in Z<p>:Z<q>", spec);
    return NULL;
  }
  if (q < 1) {
    li2_error_set(err, LI2_EINVAL, "group %s: q must be >= 1 in Z<p>:Z<q>", spec);
    return NULL;
  }
  if ((p - 1) % q != 0) {
    li2_error_set(err, LI2_EINVAL, "group %s: q = %zu does not divide p-1 = %zu", spec, q,
                  p - 1);
    return NULL;
  }
  /* Smallest unit r mod p of multiplicative order exactly q (r = 1 when
   * q = 1: the direct product). */
  size_t r = 0;
  for (size_t c = 1; c < p && !r; c++) {
    size_t x = c % p, ord = 1;
    while (x != 1 && ord <= q) {
      x = x * c % p;
      ord++;
      if (x == 0)
        break;
    }
    if (x == 1 && ord == q)
      r = c;
  }
  if (!r) {
    li2_error_set(err, LI2_EINVAL,
                  "group %s: no r in 2..%zu has multiplicative order %zu mod %zu", spec, p - 1,
                  q, p);
    return NULL;
  }
  char name[48];
  snprintf(name, sizeof name, "Z%zu:Z%zu", p, q);
  size_t M = p * q;
  li2_group *g = group_new(M, name, err);
  size_t *rpow = malloc(q * sizeof *rpow);
  if (!g || !rpow) {
    if (g)
      li2_error_set(err, LI2_ENOMEM, "group %s: out of memory", spec);
    li2_group_free(g);
    free(rpow);
    return NULL;
  }
  rpow[0] = 1;
  for (size_t y = 1; y < q; y++)
    rpow[y] = rpow[y - 1] * r % p;
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      size_t x1 = a / q, y1 = a % q, x2 = b / q, y2 = b % q;
      size_t x = (x1 + rpow[y1] * x2) % p, y = (y1 + y2) % q;
      g->table[a * M + b] = (int)(x * q + y);
    }
  free(rpow);
  group_finish(g);
  return g;
}

/* Permutations of {0..n-1} (n <= 5) in lexicographic order; EVEN keeps only
 * even ones.  Product (p·q)(i) = p(q(i)). */
static li2_group *make_permutations(size_t n, int even, li2_error *err)
{
  enum { NMAX = 5, CODES = 5 * 5 * 5 * 5 * 5 };
  char name[16];
  snprintf(name, sizeof name, "%c%zu", even ? 'A' : 'S', n);
  int perms[120][NMAX], lookup[CODES];
  size_t count = 0, fact = 1;
  for (size_t i = 2; i <= n; i++)
    fact *= i;
  /* Enumerate in lexicographic order with next_permutation. */
  int cur[NMAX];
  for (size_t i = 0; i < n; i++)
    cur[i] = (int)i;
  for (size_t t = 0; t < fact; t++) {
    int inversions = 0;
    for (size_t i = 0; i < n; i++)
      for (size_t j = i + 1; j < n; j++)
        inversions += cur[i] > cur[j];
    if (!even || inversions % 2 == 0)
      memcpy(perms[count++], cur, sizeof cur);
    if (n < 2)
      break;
    size_t i = n - 1;
    while (i > 0 && cur[i - 1] > cur[i])
      i--;
    if (i == 0)
      break;
    size_t j = n - 1;
    while (cur[j] < cur[i - 1])
      j--;
    int tmp = cur[i - 1];
    cur[i - 1] = cur[j];
    cur[j] = tmp;
    for (size_t lo = i, hi = n - 1; lo < hi; lo++, hi--) {
      tmp = cur[lo];
      cur[lo] = cur[hi];
      cur[hi] = tmp;
    }
  }
  /* Base-n code of a permutation -> index. */
  for (size_t k = 0; k < count; k++) {
    size_t code = 0;
    for (size_t i = 0; i < n; i++)
      code = code * n + (size_t)perms[k][i];
    lookup[code] = (int)k;
  }
  li2_group *g = group_new(count, name, err);
  if (!g)
    return NULL;
  for (size_t a = 0; a < count; a++)
    for (size_t b = 0; b < count; b++) {
      size_t code = 0;
      for (size_t i = 0; i < n; i++)
        code = code * n + (size_t)perms[a][perms[b][i]];
      g->table[a * count + b] = lookup[code];
    }
  group_finish(g);
  return g;
}

/* Q8 = {1, -1, i, -i, j, -j, k, -k} in this order: index 2u + s for unit
 * u in (1, i, j, k) and sign s (0 = +, 1 = -). */
static li2_group *make_quaternion(li2_error *err)
{
  /* unit products u*v = sign * unit, Hamilton's rules ij = k, ji = -k. */
  static const int unit[4][4] = {{0, 1, 2, 3}, {1, 0, 3, 2}, {2, 3, 0, 1}, {3, 2, 1, 0}};
  static const int neg[4][4] = {{0, 0, 0, 0}, {0, 1, 0, 1}, {0, 1, 1, 0}, {0, 0, 1, 1}};
  li2_group *g = group_new(8, "Q8", err);
  if (!g)
    return NULL;
  for (int a = 0; a < 8; a++)
    for (int b = 0; b < 8; b++) {
      int u = a / 2, v = b / 2, s = (a % 2) ^ (b % 2) ^ neg[u][v];
      g->table[a * 8 + b] = 2 * unit[u][v] + s;
    }
  group_finish(g);
  return g;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

/* Text table: integers separated by blanks, one row per line; blank lines
 * and '#' comments skipped.  Fills *T (0-based) and *M, *base. */
static int read_text_table(const char *path, const char *text, int **T, size_t *M,
                           int *base, li2_error *err)
{
  size_t cap = 0, n = 0, rows = 0, width = 0, line = 0;
  int *v = NULL, has_zero = 0;
  const char *p = text;
  while (*p) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p), count = 0;
    line++;
    const char *q = p, *stop = p + len;
    while (q < stop && *q != '#') {
      if (isspace((unsigned char)*q)) {
        q++;
        continue;
      }
      const char *tok = q;
      while (q < stop && !isspace((unsigned char)*q) && *q != '#')
        q++;
      char buf[32];
      size_t tl = (size_t)(q - tok);
      char *e;
      long x = 0;
      int good = tl < sizeof buf;
      if (good) {
        memcpy(buf, tok, tl);
        buf[tl] = '\0';
        errno = 0;
        x = strtol(buf, &e, 10);
        good = *e == '\0' && errno == 0 && x >= INT_MIN && x <= INT_MAX;
      }
      if (!good) {
        free(v);
        return li2_error_set(err, LI2_EFORMAT, "%s line %zu: '%.*s' is not an integer", path,
                             line, (int)(tl > 40 ? 40 : tl), tok);
      }
      if (n == cap) {
        size_t nc = cap ? 2 * cap : 256;
        int *nv = realloc(v, nc * sizeof *nv);
        if (!nv) {
          free(v);
          return li2_error_set(err, LI2_ENOMEM, "%s: out of memory", path);
        }
        v = nv;
        cap = nc;
      }
      v[n++] = (int)x;
      has_zero |= x == 0;
      count++;
    }
    if (count) {
      if (rows == 0)
        width = count;
      else if (count != width) {
        free(v);
        return li2_error_set(err, LI2_EFORMAT,
                             "%s line %zu: row has %zu entries, expected %zu (ragged table)",
                             path, line, count, width);
      }
      rows++;
      if (width > LI2_GROUP_MAX_ORDER || rows > LI2_GROUP_MAX_ORDER) {
        free(v);
        return li2_error_set(err, LI2_EINVAL, "%s line %zu: table larger than the limit %d",
                             path, line, LI2_GROUP_MAX_ORDER);
      }
    }
    p = end ? end + 1 : p + len;
  }
  if (rows == 0) {
    free(v);
    return li2_error_set(err, LI2_EFORMAT, "%s: empty file (no table rows)", path);
  }
  if (rows != width) {
    free(v);
    return li2_error_set(err, LI2_EFORMAT, "%s: table has %zu rows of %zu entries, not square",
                         path, rows, width);
  }
  *base = has_zero ? 0 : 1;
  for (size_t i = 0; i < n; i++)
    v[i] -= *base;
  *T = v;
  *M = rows;
  return LI2_SUCCESS;
}

/* One JSON Lines record (already parsed) -> 0-based table. */
static int json_record_table(const char *where, const li2_json *rec, int **T, size_t *M,
                             int *base, li2_error *err)
{
  if (rec->type != LI2_JSON_OBJECT)
    return li2_error_set(err, LI2_EFORMAT, "%s: record is not a JSON object", where);
  const li2_json *tab = li2_json_get(rec, "table");
  const li2_json *ib = li2_json_get(rec, "index_base");
  const li2_json *ord = li2_json_get(rec, "order");
  const li2_json *nm = li2_json_get(rec, "name");
  if (!tab)
    return li2_error_set(err, LI2_EFORMAT, "%s: missing field \"table\"", where);
  if (tab->type != LI2_JSON_ARRAY)
    return li2_error_set(err, LI2_EFORMAT, "%s: field \"table\" is not an array of arrays",
                         where);
  if (nm && nm->type != LI2_JSON_STRING)
    return li2_error_set(err, LI2_EFORMAT, "%s: field \"name\" is not a string", where);
  *base = 1;
  if (ib) {
    if (ib->type != LI2_JSON_NUMBER || (ib->number != 0 && ib->number != 1))
      return li2_error_set(err, LI2_EFORMAT, "%s: field \"index_base\" must be 0 or 1", where);
    *base = (int)ib->number;
  }
  size_t m = tab->n;
  if (m == 0)
    return li2_error_set(err, LI2_EFORMAT, "%s: field \"table\" is empty", where);
  if (m > LI2_GROUP_MAX_ORDER)
    return li2_error_set(err, LI2_EINVAL, "%s: table of order %zu exceeds the limit %d", where,
                         m, LI2_GROUP_MAX_ORDER);
  if (ord && (ord->type != LI2_JSON_NUMBER || ord->number != (double)m))
    return li2_error_set(err, LI2_EFORMAT,
                         "%s: field \"order\" does not equal the table size %zu", where, m);
  int *v = malloc(m * m * sizeof *v);
  if (!v)
    return li2_error_set(err, LI2_ENOMEM, "%s: out of memory", where);
  for (size_t i = 0; i < m; i++) {
    const li2_json *row = &tab->item[i];
    if (row->type != LI2_JSON_ARRAY) {
      free(v);
      return li2_error_set(err, LI2_EFORMAT, "%s: table row %zu is not an array", where,
                           i + (size_t)*base);
    }
    if (row->n != m) {
      free(v);
      return li2_error_set(err, LI2_EFORMAT,
                           "%s: table row %zu has %zu entries, expected %zu (ragged or "
                           "non-square table)",
                           where, i + (size_t)*base, row->n, m);
    }
    for (size_t j = 0; j < m; j++) {
      const li2_json *x = &row->item[j];
      if (x->type != LI2_JSON_NUMBER || !(x->number >= INT_MIN + 1 && x->number <= INT_MAX) ||
          x->number != (double)(long)x->number) {
        free(v);
        return li2_error_set(err, LI2_EFORMAT,
                             "%s: table row %zu, column %zu: entry is not an integer", where,
                             i + (size_t)*base, j + (size_t)*base);
      }
      v[i * m + j] = (int)x->number - *base;
    }
  }
  *T = v;
  *M = m;
  return LI2_SUCCESS;
}

/* Select record SEL (a 0-based number, a name, or NULL for the first) from
 * JSON Lines TEXT. */
static int read_jsonl(const char *path, const char *text, const char *sel, int **T,
                      size_t *M, int *base, li2_error *err)
{
  int by_index = 0, found = 0;
  size_t want = 0, k = 0, line = 0, found_line = 0;
  if (!sel)
    by_index = 1;
  else if (*sel && strspn(sel, "0123456789") == strlen(sel)) {
    int over;
    const char *s = sel;
    by_index = 1;
    if (!parse_count(&s, (size_t)-1 / 16, &want, &over))
      return li2_error_set(err, LI2_EINVAL, "%s: record index #%s out of range", path, sel);
  }
  const char *p = text;
  while (*p) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    line++;
    size_t b = 0;
    while (b < len && isspace((unsigned char)p[b]))
      b++;
    if (b < len) {
      char where[512];
      int need_parse = !by_index || k == want;
      if (need_parse) {
        li2_error perr = {0, ""};
        snprintf(where, sizeof where, "%s line %zu (record %zu)", path, line, k);
        li2_json *rec = li2_json_parse(p, len, &perr);
        if (!rec)
          return li2_error_set(err, perr.code, "%s: %s", where, perr.msg);
        int match = 1;
        if (!by_index) {
          const li2_json *nm = li2_json_get(rec, "name");
          match = nm && nm->type == LI2_JSON_STRING && strcmp(nm->string, sel) == 0;
        }
        if (match && found) {
          /* a name selects one record: two would be a silent choice */
          li2_json_free(rec);
          free(*T);
          *T = NULL;
          return li2_error_set(err, LI2_EFORMAT, "%s: name \"%s\" on lines %zu and %zu", path,
                               sel, found_line, line);
        }
        if (match) {
          int rc = json_record_table(where, rec, T, M, base, err);
          li2_json_free(rec);
          if (rc || by_index)
            return rc;
          found = 1;
          found_line = line;
        } else
          li2_json_free(rec);
      }
      k++;
    }
    p = end ? end + 1 : p + len;
  }
  if (found)
    return LI2_SUCCESS;
  if (k == 0)
    return li2_error_set(err, LI2_EFORMAT, "%s: empty file (no records)", path);
  if (by_index)
    return li2_error_set(err, LI2_EINVAL, "%s: record #%zu out of range (file has %zu records)",
                         path, want, k);
  return li2_error_set(err, LI2_EINVAL, "%s: no record with name \"%s\" (%zu records)", path,
                       sel, k);
}

/* "file:PATH", "file:PATH#K", "file:PATH#NAME".  The selector is after the
 * last '#'. */
static li2_group *load_file(const char *spec, li2_error *err)
{
  const char *rest = spec + 5;
  char *path = strdup(rest), *text = NULL, *sel = NULL;
  int *T = NULL, base = 0, rc;
  size_t M = 0, len;
  li2_group *g = NULL;
  if (!path) {
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    return NULL;
  }
  char *hash = strrchr(path, '#');
  if (hash) {
    *hash = '\0';
    sel = hash + 1;
  }
  if (!*path) {
    li2_error_set(err, LI2_EINVAL, "group %s: empty file name", spec);
    goto out;
  }
  if (sel && !*sel) {
    li2_error_set(err, LI2_EINVAL, "group %s: empty record selector after '#'", spec);
    goto out;
  }
  if ((rc = li2_io_read_file(path, &text, &len, err)))
    goto out;
  if (strlen(text) != len) {
    li2_error_set(err, LI2_EFORMAT, "%s: binary file (NUL byte)", path);
    goto out;
  }
  const char *first = text + strspn(text, " \t\r\n");
  if (*first == '{')
    rc = read_jsonl(path, text, sel, &T, &M, &base, err);
  else if (sel && strcmp(sel, "0") != 0)
    rc = li2_error_set(err, LI2_EINVAL, "%s: plain text table has one record, #%s not found",
                       path, sel);
  else
    rc = read_text_table(path, text, &T, &M, &base, err);
  if (rc)
    goto out;
  if ((rc = validate_base(M, T, base, err))) {
    li2_error_prefix(err, "%s%s%s: ", path, sel ? "#" : "", sel ? sel : "");
    goto out;
  }
  if ((g = group_new(M, spec, err))) {
    memcpy(g->table, T, M * M * sizeof *T);
    group_finish(g);
  }
out:
  free(T);
  free(text);
  free(path);
  return g;
}

/* ------------------------------------------------------------------ */

/* "expr:M:EXPRESSION": the table of an expression task (expr.h). */
static li2_group *make_expression(const char *spec, li2_error *err)
{
  const char *p = spec + 5, *colon = strchr(p, ':');
  char *end;
  unsigned long M;
  li2_expr *e;
  li2_group *g;
  if (!colon || colon == p || !isdigit((unsigned char)*p)) {
    li2_error_set(err, LI2_EINVAL, "group %s: expected expr:M:EXPRESSION", spec);
    return NULL;
  }
  M = strtoul(p, &end, 10);
  if (end != colon || M < 2 || M > LI2_GROUP_MAX_ORDER) {
    li2_error_set(err, LI2_EINVAL, "group %s: M outside 2..%d", spec, LI2_GROUP_MAX_ORDER);
    return NULL;
  }
  if (!(e = li2_expr_parse(colon + 1, err)))
    return NULL;
  g = calloc(1, sizeof *g);
  if (!g || !(g->table = malloc(M * M * sizeof *g->table)) ||
      !(g->inverse = malloc(M * sizeof *g->inverse)) || !(g->name = strdup(spec))) {
    li2_group_free(g);
    li2_expr_free(e);
    li2_error_set(err, LI2_ENOMEM, "group %s: out of memory", spec);
    return NULL;
  }
  g->order = M;
  g->not_group = 1;
  g->identity = -1;
  for (size_t a = 0; a < M; a++)
    g->inverse[a] = -1;
  if (li2_expr_table(e, M, g->table, err)) {
    li2_group_free(g);
    li2_expr_free(e);
    return NULL;
  }
  li2_expr_free(e);
  g->abelian = 1;
  for (size_t a = 0; a < M && g->abelian; a++)
    for (size_t b = 0; b < a && g->abelian; b++)
      g->abelian = g->table[a * M + b] == g->table[b * M + a];
  return g;
}

li2_group *li2_group_alloc_name(const char *spec, li2_error *err)
{
  size_t n, p, q;
  if (!spec || !*spec) {
    li2_error_set(err, LI2_EINVAL, "group: empty name");
    return NULL;
  }
  if (strncmp(spec, "file:", 5) == 0)
    return load_file(spec, err);
  if (strncmp(spec, "expr:", 5) == 0)
    return make_expression(spec, err);
  if (strcmp(spec, "Q8") == 0)
    return make_quaternion(err);
  if (strncmp(spec, "Dic", 3) == 0) {
    if (parse_param(spec, "Dic", 2, LI2_GROUP_MAX_ORDER / 4, "n", &n, err))
      return NULL;
    return make_dicyclic(n, err);
  }
  if (spec[0] == 'D' && isdigit((unsigned char)spec[1])) {
    if (parse_param(spec, "D", 1, LI2_GROUP_MAX_ORDER / 2, "n", &n, err))
      return NULL;
    return make_dihedral(n, err);
  }
  if ((spec[0] == 'S' || spec[0] == 'A') && isdigit((unsigned char)spec[1])) {
    char prefix[2] = {spec[0], '\0'};
    if (parse_param(spec, prefix, 1, 5, "n", &n, err))
      return NULL;
    return make_permutations(n, spec[0] == 'A', err);
  }
  const char *colon = strchr(spec, ':');
  if (colon && spec[0] == 'Z') {
    const char *s = spec + 1;
    int over1 = 0, over2 = 0;
    int ok1 = parse_count(&s, (size_t)LI2_GROUP_MAX_ORDER * 10, &p, &over1) && s == colon;
    s = colon + 1;
    int ok2 = *s++ == 'Z' &&
              parse_count(&s, (size_t)LI2_GROUP_MAX_ORDER * 10, &q, &over2) && *s == '\0';
    if (over1 || over2 || (ok1 && ok2 && p * q > LI2_GROUP_MAX_ORDER)) {
      li2_error_set(err, LI2_EINVAL, "group %s: order exceeds the limit %d", spec,
                    LI2_GROUP_MAX_ORDER);
      return NULL;
    }
    if (!ok1 || !ok2) {
      li2_error_set(err, LI2_EINVAL, "group %s: expected Z<p>:Z<q> with decimal p and q", spec);
      return NULL;
    }
    return make_semidirect(spec, p, q, err);
  }
  if (isdigit((unsigned char)spec[0]) || spec[0] == 'Z')
    return parse_product(spec, err);
  li2_error_set(err, LI2_EINVAL,
                "group %s: unknown group name (expected e.g. 71, Z71, Z4xZ6, D5, S4, A5, Q8, "
                "Dic3, Z7:Z3, file:PATH)",
                spec);
  return NULL;
}

int li2_group_collection_find(const char *path, double dk, long want, long *record,
                              li2_error *err)
{
  char *text = NULL;
  size_t len, k = 0, line = 0;
  long match = 0;
  int rc = li2_io_read_file(path, &text, &len, err);
  if (rc)
    return rc;
  for (const char *p = text; *p;) {
    const char *end = strchr(p, '\n');
    size_t n = end ? (size_t)(end - p) : strlen(p), b = 0;
    line++;
    while (b < n && isspace((unsigned char)p[b]))
      b++;
    if (b < n) {
      li2_error perr = {0, ""};
      li2_json *rec = li2_json_parse(p, n, &perr);
      const li2_json *deg = rec ? li2_json_get(rec, "irrep_degrees") : NULL;
      double mx = 0;
      if (!deg || deg->type != LI2_JSON_ARRAY || deg->n == 0) {
        li2_json_free(rec);
        free(text);
        return li2_error_set(err, LI2_EFORMAT, "%s:%zu: %s", path, line,
                             rec ? "no irrep_degrees array (the reference's collection format)"
                                 : perr.msg);
      }
      for (size_t i = 0; i < deg->n; i++)
        if (deg->item[i].type == LI2_JSON_NUMBER && deg->item[i].number > mx)
          mx = deg->item[i].number;
      li2_json_free(rec);
      if (mx == dk && match++ == want) {
        *record = (long)k;
        free(text);
        return LI2_SUCCESS;
      }
      k++;
    }
    p = end ? end + 1 : p + n;
  }
  free(text);
  return li2_error_set(err, LI2_EINVAL, "%s: %ld groups have largest irrep degree %g; index M=%ld "
                                        "is out of range", path, match, dk, want);
}
