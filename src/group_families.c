/* Finite groups by name: the built-in families, generated from their
 * multiplication rules, expression tables, and li2_group_alloc_name, which
 * reads a name (group.h has every family's conventions). */
#include "group.h"
#include "group_impl.h"
#include "expr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Built-in families                                                   */

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
    if (!group_parse_count(&p, (size_t)LI2_GROUP_MAX_ORDER * 10, &n[r], &over)) {
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
  if (!group_parse_count(&p, (size_t)LI2_GROUP_MAX_ORDER * 10, &v, &over) || *p != '\0') {
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
  if (!(g = group_new(M, spec, err))) {
    li2_expr_free(e);
    return NULL;
  }
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
    return group_load_file(spec, err);
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
    int ok1 = group_parse_count(&s, (size_t)LI2_GROUP_MAX_ORDER * 10, &p, &over1) && s == colon;
    s = colon + 1;
    int ok2 = *s++ == 'Z' &&
              group_parse_count(&s, (size_t)LI2_GROUP_MAX_ORDER * 10, &q, &over2) && *s == '\0';
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
