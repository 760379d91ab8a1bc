/* Groups: every constructor satisfies the axioms, follows its documented
 * indexing convention and has the textbook class structure; files load
 * and bad input is rejected with a message naming the problem. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "tap.h"

static char data_dir[1024];

static const char *data(const char *file)
{
  static char buf[2048];
  snprintf(buf, sizeof buf, "%s/%s", data_dir, file);
  return buf;
}

static int cmp_size(const void *a, const void *b)
{
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

/* Group axioms re-checked directly on the struct (independently of
 * li2_group_validate): identity and inverses as stored. */
static int check_struct(const li2_group *g)
{
  size_t M = g->order;
  for (size_t x = 0; x < M; x++) {
    if (li2_group_mul(g, g->identity, (int)x) != (int)x ||
        li2_group_mul(g, (int)x, g->identity) != (int)x)
      return 0;
    if (li2_group_mul(g, (int)x, g->inverse[x]) != g->identity ||
        li2_group_mul(g, g->inverse[x], (int)x) != g->identity)
      return 0;
  }
  int ab = 1;
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++)
      ab &= li2_group_mul(g, (int)a, (int)b) == li2_group_mul(g, (int)b, (int)a);
  return ab == g->abelian;
}

/* Class structure invariants: partition, class 0 = {e}, representatives
 * smallest and increasing, classes closed under conjugation, sizes divide
 * M, orders and inverse classes consistent, power map = class of x^k. */
static void check_classes(const li2_group *g, const li2_group_classes *c)
{
  size_t M = g->order, total = 0;
  int good = c->class_of[g->identity] == 0 && c->size[0] == 1 && c->rep[0] == g->identity;
  for (size_t k = 0; k < c->nclasses; k++) {
    total += c->size[k];
    good &= M % c->size[k] == 0;
    good &= c->class_of[c->rep[k]] == (int)k;
    if (k >= 2)
      good &= c->rep[k] > c->rep[k - 1];
  }
  good &= total == M;
  int minimal = 1, closed = 1, orders = 1, power = 1;
  size_t *count = calloc(c->nclasses, sizeof *count);
  for (size_t x = 0; x < M; x++) {
    int k = c->class_of[x];
    count[k]++;
    if (k != 0 && (int)x < c->rep[k])
      minimal = 0;
    for (size_t h = 0; h < M; h++) {
      int y = li2_group_mul(g, li2_group_mul(g, (int)h, (int)x), g->inverse[h]);
      if (c->class_of[y] != k)
        closed = 0;
    }
    if (li2_group_element_order(g, (int)x) != c->order[k] ||
        c->class_of[g->inverse[x]] != c->inverse[k])
      orders = 0;
    static const long ks[] = {-7, -2, -1, 0, 1, 2, 3, 5, 13, 1000003, LONG_MAX, LONG_MIN};
    for (size_t i = 0; i < sizeof ks / sizeof *ks; i++)
      if (c->class_of[li2_group_pow(g, (int)x, ks[i])] !=
          li2_group_classes_power(g, c, (size_t)k, ks[i]))
        power = 0;
  }
  for (size_t k = 0; k < c->nclasses; k++)
    good &= count[k] == c->size[k];
  free(count);
  ok(good, "%s: %zu classes partition the %zu elements, class 0 = {e}, sizes divide M",
     g->name, c->nclasses, M);
  ok(minimal && closed, "%s: classes closed under conjugation, rep = smallest element",
     g->name);
  ok(orders, "%s: class orders and inverse classes agree with every element", g->name);
  ok(power, "%s: power map on classes = class of x^k (k = -7..13, 10^6+3, LONG_MAX/MIN)",
     g->name);
}

/* Powers against repeated multiplication, and element orders. */
static void check_powers(const li2_group *g)
{
  int good = 1;
  for (size_t x = 0; x < g->order; x++) {
    int y = g->identity;
    for (long k = 0; k <= 2 * (long)g->order + 1 && k < 300; k++) {
      good &= li2_group_pow(g, (int)x, k) == y;
      good &= li2_group_pow(g, (int)x, -k) == li2_group_pow(g, g->inverse[x], k);
      y = li2_group_mul(g, y, (int)x);
    }
    int n = li2_group_element_order(g, (int)x);
    good &= g->order % (size_t)n == 0 && li2_group_pow(g, (int)x, n) == g->identity;
    for (int d = 1; d < n; d++)
      good &= li2_group_pow(g, (int)x, d) != g->identity;
  }
  ok(good, "%s: pow agrees with repeated products; orders divide M", g->name);
}

static size_t count_order(const li2_group *g, int n)
{
  size_t c = 0;
  for (size_t x = 0; x < g->order; x++)
    c += li2_group_element_order(g, (int)x) == n;
  return c;
}

struct known {
  const char *spec, *name;
  size_t order;
  int abelian;
  size_t nclasses;
  size_t sizes[8]; /* sorted multiset, only for the first nclasses <= 8 */
};

/* Textbook facts: class sizes of S_n from cycle types, A5 = icosahedral
 * group, Q8/D4 five classes, D5 = {1, 2, 2, 5}, Frobenius group of order
 * 21, Dic3 = Z3 : Z4. */
static const struct known known[] = {
  {"71", "Z71", 71, 1, 71, {0}},
  {"Z71", "Z71", 71, 1, 71, {0}},
  {"Z1", "Z1", 1, 1, 1, {1}},
  {"2x3x4", "Z2xZ3xZ4", 24, 1, 24, {0}},
  {"Z4xZ6", "Z4xZ6", 24, 1, 24, {0}},
  {"Z2xZ2xZ2", "Z2xZ2xZ2", 8, 1, 8, {1, 1, 1, 1, 1, 1, 1, 1}},
  {"D1", "D1", 2, 1, 2, {1, 1}},
  {"D2", "D2", 4, 1, 4, {1, 1, 1, 1}},
  {"D3", "D3", 6, 0, 3, {1, 2, 3}},
  {"D4", "D4", 8, 0, 5, {1, 1, 2, 2, 2}},
  {"D5", "D5", 10, 0, 4, {1, 2, 2, 5}},
  {"D6", "D6", 12, 0, 6, {1, 1, 2, 2, 3, 3}},
  {"S1", "S1", 1, 1, 1, {1}},
  {"S2", "S2", 2, 1, 2, {1, 1}},
  {"S3", "S3", 6, 0, 3, {1, 2, 3}},
  {"S4", "S4", 24, 0, 5, {1, 3, 6, 6, 8}},
  {"S5", "S5", 120, 0, 7, {1, 10, 15, 20, 20, 24, 30}},
  {"A4", "A4", 12, 0, 4, {1, 3, 4, 4}},
  {"A5", "A5", 60, 0, 5, {1, 12, 12, 15, 20}},
  {"Q8", "Q8", 8, 0, 5, {1, 1, 2, 2, 2}},
  {"Dic2", "Dic2", 8, 0, 5, {1, 1, 2, 2, 2}},
  {"Dic3", "Dic3", 12, 0, 6, {1, 1, 2, 2, 3, 3}},
  {"Dic5", "Dic5", 20, 0, 8, {1, 1, 2, 2, 2, 2, 5, 5}},
  {"Z7:Z3", "Z7:Z3", 21, 0, 5, {1, 3, 3, 7, 7}},
  {"Z5:Z4", "Z5:Z4", 20, 0, 5, {1, 4, 5, 5, 5}},
  {"Z3:Z2", "Z3:Z2", 6, 0, 3, {1, 2, 3}},
  {"Z7:Z1", "Z7:Z1", 7, 1, 7, {1, 1, 1, 1, 1, 1, 1}},
};

static void test_known(void)
{
  li2_error err = {0};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    const struct known *k = &known[i];
    li2_group *g = li2_group_alloc_name(k->spec, &err);
    if (!ok(g != NULL, "%s builds (%s)", k->spec, g ? "" : err.msg))
      continue;
    ok(g->order == k->order && strcmp(g->name, k->name) == 0,
       "%s: order %zu (want %zu), canonical name %s", k->spec, g->order, k->order, g->name);
    ok(li2_group_validate(g->order, g->table, &err) == LI2_SUCCESS,
       "%s satisfies the group axioms (%s)", k->spec, err.msg);
    ok(check_struct(g) && g->abelian == k->abelian, "%s: identity, inverses, abelian = %d",
       k->spec, g->abelian);
    li2_group_classes *c = li2_group_classes_alloc(g, &err);
    if (ok(c != NULL, "%s: classes", k->spec)) {
      int same = c->nclasses == k->nclasses;
      if (same && k->nclasses <= 8) {
        size_t s[8];
        memcpy(s, c->size, k->nclasses * sizeof *s);
        qsort(s, k->nclasses, sizeof *s, cmp_size);
        same = memcmp(s, k->sizes, k->nclasses * sizeof *s) == 0;
      }
      ok(same, "%s: %zu conjugacy classes with the textbook sizes", k->spec, c->nclasses);
      check_classes(g, c);
    }
    li2_group_classes_free(c);
    check_powers(g);
    li2_group_free(g);
  }
}

/* The documented indexing conventions of every family. */
static void test_conventions(void)
{
  li2_error err = {0};
  /* Cyclic: element k is k mod n. */
  li2_group *g = li2_group_alloc_name("Z12", &err);
  int good = g->nfactors == 1 && g->factors[0] == 12;
  for (int a = 0; a < 12; a++)
    for (int b = 0; b < 12; b++)
      good &= li2_group_mul(g, a, b) == (a + b) % 12;
  ok(good, "Z12: a·b = a + b mod 12, factors {12}");
  li2_group_free(g);

  /* Products: mixed radix, first factor most significant. */
  g = li2_group_alloc_name("2x3x4", &err);
  good = g->nfactors == 3 && g->factors[0] == 2 && g->factors[1] == 3 && g->factors[2] == 4;
  for (int a = 0; a < 24; a++)
    for (int b = 0; b < 24; b++) {
      int x = ((a / 12 + b / 12) % 2) * 12 + ((a / 4 % 3 + b / 4 % 3) % 3) * 4 +
              (a % 4 + b % 4) % 4;
      good &= li2_group_mul(g, a, b) == x;
    }
  ok(good, "2x3x4: index 12 x + 4 y + z, coordinate-wise addition, factors {2,3,4}");
  li2_group_free(g);

  /* Dihedral: r = 1, s = n, r^k s^e = k + n e, s r s = r^-1. */
  for (size_t n = 1; n <= 7; n++) {
    char name[16];
    snprintf(name, sizeof name, "D%zu", n);
    g = li2_group_alloc_name(name, &err);
    int r = n > 1 ? 1 : 0, s = (int)n;
    good = li2_group_mul(g, li2_group_mul(g, s, r), s) == g->inverse[r] &&
           li2_group_mul(g, s, s) == 0 && li2_group_element_order(g, s) == 2;
    for (size_t k = 0; k < n; k++)
      for (int e = 0; e < 2; e++)
        good &= li2_group_mul(g, li2_group_pow(g, r, (long)k), e ? s : 0) ==
                (int)(k + n * (size_t)e);
    ok(good && g->identity == 0, "%s: r^k s^e has index k + n e and s r s = r^-1", name);
    li2_group_free(g);
  }

  /* Dicyclic: a = 1, x = 2n, a^(2n) = 1, x^2 = a^n, x a x^-1 = a^-1. */
  for (size_t n = 2; n <= 6; n++) {
    char name[16];
    snprintf(name, sizeof name, "Dic%zu", n);
    g = li2_group_alloc_name(name, &err);
    int a = 1, x = (int)(2 * n);
    good = li2_group_element_order(g, a) == (int)(2 * n) &&
           li2_group_mul(g, x, x) == li2_group_pow(g, a, (long)n) &&
           li2_group_mul(g, li2_group_mul(g, x, a), g->inverse[x]) == g->inverse[a];
    for (size_t k = 0; k < 2 * n; k++)
      for (int e = 0; e < 2; e++)
        good &= li2_group_mul(g, li2_group_pow(g, a, (long)k), e ? x : 0) ==
                (int)(k + 2 * n * (size_t)e);
    ok(good && count_order(g, 2) == 1,
       "%s: a^k x^e has index k + 2n e, x^2 = a^n, x a x^-1 = a^-1, one involution", name);
    li2_group_free(g);
  }

  /* Semidirect: a = (1,0) index q, b = (0,1) index 1, b a b^-1 = a^r with
   * r the smallest of multiplicative order q mod p (by hand: 2^3 = 8 = 1
   * mod 7, 2 has order 4 mod 5, 3^3 = 27 = 1 mod 13, 3^5 = 243 = 1 mod 11). */
  static const struct { const char *spec; int p, q, r; } sd[] = {
    {"Z7:Z3", 7, 3, 2}, {"Z5:Z4", 5, 4, 2}, {"Z13:Z3", 13, 3, 3}, {"Z11:Z5", 11, 5, 3},
  };
  for (size_t i = 0; i < sizeof sd / sizeof *sd; i++) {
    g = li2_group_alloc_name(sd[i].spec, &err);
    int p = sd[i].p, q = sd[i].q, a = q, b = 1;
    good = li2_group_mul(g, li2_group_mul(g, b, a), g->inverse[b]) ==
           li2_group_pow(g, a, sd[i].r);
    for (int x = 0; x < p; x++)
      for (int y = 0; y < q; y++)
        good &= li2_group_mul(g, li2_group_pow(g, a, x), li2_group_pow(g, b, y)) == x * q + y;
    ok(good && li2_group_element_order(g, a) == p && li2_group_element_order(g, b) == q,
       "%s: a^x b^y has index x q + y, b a b^-1 = a^%d", sd[i].spec, sd[i].r);
    li2_group_free(g);
  }

  /* Q8 = 1, -1, i, -i, j, -j, k, -k. */
  g = li2_group_alloc_name("Q8", &err);
  enum { ONE, MONE, I, MI, J, MJ, K, MK };
  good = li2_group_mul(g, I, J) == K && li2_group_mul(g, J, K) == I &&
         li2_group_mul(g, K, I) == J && li2_group_mul(g, J, I) == MK &&
         li2_group_mul(g, I, I) == MONE && li2_group_mul(g, J, J) == MONE &&
         li2_group_mul(g, K, K) == MONE && li2_group_mul(g, MI, MJ) == K &&
         li2_group_mul(g, MONE, I) == MI && g->identity == ONE;
  ok(good, "Q8: order 1,-1,i,-i,j,-j,k,-k with ij = k, jk = i, ki = j, i^2 = -1");
  ok(count_order(g, 1) == 1 && count_order(g, 2) == 1 && count_order(g, 4) == 6,
     "Q8: one element of order 2, six of order 4");
  li2_group_free(g);

  /* S_n, A_n: permutations in lexicographic order, (p·q)(i) = p(q(i)).
   * Rebuild the list by counting in base n and keeping the bijections. */
  for (int n = 1; n <= 5; n++)
    for (int alt = 0; alt < 2; alt++) {
      char name[16];
      snprintf(name, sizeof name, "%c%d", alt ? 'A' : 'S', n);
      g = li2_group_alloc_name(name, &err);
      int perms[120][5], count = 0, total = 1;
      for (int i = 0; i < n; i++)
        total *= n;
      for (int code = 0; code < total; code++) {
        int p[5], used = 0, c = code, bij = 1, inv = 0;
        for (int i = n - 1; i >= 0; i--, c /= n)
          p[i] = c % n;
        for (int i = 0; i < n; i++) {
          bij &= !(used >> p[i] & 1);
          used |= 1 << p[i];
          for (int j = i + 1; j < n; j++)
            inv += p[i] > p[j];
        }
        if (bij && (!alt || inv % 2 == 0))
          memcpy(perms[count++], p, sizeof p);
      }
      good = (size_t)count == g->order;
      for (int a = 0; a < count && good; a++)
        for (int b = 0; b < count; b++) {
          int want = -1;
          for (int c = 0; c < count && want < 0; c++) {
            int same = 1;
            for (int i = 0; i < n; i++)
              same &= perms[c][i] == perms[a][perms[b][i]];
            if (same)
              want = c;
          }
          good &= li2_group_mul(g, a, b) == want;
        }
      ok(good, "%s: %d permutations in lexicographic order, (p·q)(i) = p(q(i))", name, count);
      li2_group_free(g);
    }

  g = li2_group_alloc_name("S4", &err);
  ok(count_order(g, 2) == 9 && count_order(g, 3) == 8 && count_order(g, 4) == 6,
     "S4: 9 involutions, 8 elements of order 3, 6 of order 4");
  li2_group_free(g);
  g = li2_group_alloc_name("A5", &err);
  ok(count_order(g, 2) == 15 && count_order(g, 3) == 20 && count_order(g, 5) == 24,
     "A5: 15 involutions, 20 elements of order 3, 24 of order 5");
  li2_group_free(g);
  g = li2_group_alloc_name("Dic3", &err);
  ok(count_order(g, 2) == 1 && count_order(g, 3) == 2 && count_order(g, 4) == 6 &&
         count_order(g, 6) == 2,
     "Dic3: element orders 1, 2, 3^2, 4^6, 6^2");
  li2_group_free(g);
}

/* Tables from files match the built-in groups. */
static void test_files(void)
{
  li2_error err = {0};
  char spec[4096];
  li2_group *ref, *g;

  ref = li2_group_alloc_name("Z4", &err);
  snprintf(spec, sizeof spec, "file:%s", data("z4.txt"));
  g = li2_group_alloc_name(spec, &err);
  ok(g && g->order == 4 && memcmp(g->table, ref->table, 16 * sizeof(int)) == 0 &&
         strcmp(g->name, spec) == 0 && g->nfactors == 0,
     "1-based text table z4.txt equals Z4 (%s)", g ? g->name : err.msg);
  li2_group_free(g);
  snprintf(spec, sizeof spec, "file:%s#0", data("z4.txt"));
  g = li2_group_alloc_name(spec, &err);
  ok(g && memcmp(g->table, ref->table, 16 * sizeof(int)) == 0, "z4.txt#0 selects the table");
  li2_group_free(g);
  snprintf(spec, sizeof spec, "file:%s", data("groups.jsonl"));
  g = li2_group_alloc_name(spec, &err);
  ok(g && g->order == 4 && memcmp(g->table, ref->table, 16 * sizeof(int)) == 0,
     "groups.jsonl without selector is record 0, 0-based Z4 (%s)", g ? "" : err.msg);
  li2_group_free(g);
  li2_group_free(ref);

  ref = li2_group_alloc_name("S3", &err);
  const char *sel[] = {"#1", "#S3"};
  for (int i = 0; i < 2; i++) {
    snprintf(spec, sizeof spec, "file:%s%s", data("groups.jsonl"), sel[i]);
    g = li2_group_alloc_name(spec, &err);
    ok(g && g->order == 6 && memcmp(g->table, ref->table, 36 * sizeof(int)) == 0 &&
           !g->abelian && strcmp(g->name, spec) == 0,
       "groups.jsonl%s (1-based, after a blank line) equals S3 (%s)", sel[i],
       g ? "" : err.msg);
    li2_group_free(g);
  }
  li2_group_free(ref);

  /* D4 relabelled with the identity last: same class structure as D4. */
  snprintf(spec, sizeof spec, "file:%s#D8", data("groups.jsonl"));
  g = li2_group_alloc_name(spec, &err);
  if (ok(g && g->order == 8 && g->identity == 7 && !g->abelian,
         "groups.jsonl#D8: order 8, identity is element 7, non-abelian (%s)",
         g ? "" : err.msg)) {
    li2_group_classes *c = li2_group_classes_alloc(g, &err);
    size_t s[5];
    int good = c->nclasses == 5;
    if (good) {
      memcpy(s, c->size, sizeof s);
      qsort(s, 5, sizeof *s, cmp_size);
      good = s[0] == 1 && s[1] == 1 && s[2] == 2 && s[3] == 2 && s[4] == 2;
    }
    ok(good, "groups.jsonl#D8: five classes of sizes 1, 1, 2, 2, 2");
    check_classes(g, c);
    li2_group_classes_free(c);
    check_powers(g);
  }
  li2_group_free(g);
}

static void expect_bad(const char *spec, int code, const char *needle, const char *needle2)
{
  li2_error err = {0, ""};
  li2_group *g = li2_group_alloc_name(spec, &err);
  ok(!g && err.code == code && strstr(err.msg, needle) &&
         (!needle2 || strstr(err.msg, needle2)) && !strchr(err.msg, '\n'),
     "%s rejected: %s", spec, err.msg);
  li2_group_free(g);
}

static void expect_bad_file(const char *file, const char *sel, int code, const char *needle,
                            const char *needle2)
{
  char spec[4096];
  snprintf(spec, sizeof spec, "file:%s%s", data(file), sel);
  li2_error err = {0, ""};
  li2_group *g = li2_group_alloc_name(spec, &err);
  ok(!g && err.code == code && strstr(err.msg, file) && strstr(err.msg, needle) &&
         (!needle2 || strstr(err.msg, needle2)),
     "%s%s rejected: %s", file, sel, err.msg);
  li2_group_free(g);
}

static void test_bad(void)
{
  expect_bad("", LI2_EINVAL, "empty", NULL);
  expect_bad("foo", LI2_EINVAL, "foo", "unknown");
  expect_bad("0", LI2_EINVAL, "0", ">= 1");
  expect_bad("Z0", LI2_EINVAL, "Z0", ">= 1");
  expect_bad("Z-3", LI2_EINVAL, "Z-3", "unknown");
  expect_bad("3x0", LI2_EINVAL, "3x0", ">= 1");
  expect_bad("3x", LI2_EINVAL, "3x", "unknown");
  expect_bad("x3", LI2_EINVAL, "x3", "unknown");
  expect_bad("3xx4", LI2_EINVAL, "3xx4", "unknown");
  expect_bad("z7", LI2_EINVAL, "z7", "unknown");
  expect_bad("4097", LI2_EINVAL, "4097", "limit 4096");
  expect_bad("64x64x2", LI2_EINVAL, "64x64x2", "limit");
  expect_bad("99999999999999999999999", LI2_EINVAL, "999", "limit");
  expect_bad("2x2x2x2x2x2x2x2x2x2x2x1x1x1x1x1x1", LI2_EINVAL, "2x2", "more than 16");
  expect_bad("D0", LI2_EINVAL, "D0", "1..");
  expect_bad("D2049", LI2_EINVAL, "D2049", "1..2048");
  expect_bad("D5a", LI2_EINVAL, "D5a", "decimal");
  expect_bad("S0", LI2_EINVAL, "S0", "1..5");
  expect_bad("S6", LI2_EINVAL, "S6", "1..5");
  expect_bad("A6", LI2_EINVAL, "A6", "1..5");
  expect_bad("Q7", LI2_EINVAL, "Q7", "unknown");
  expect_bad("Dic1", LI2_EINVAL, "Dic1", "2..");
  expect_bad("Dic", LI2_EINVAL, "Dic", "Dic<n>");
  expect_bad("Z7:Z4", LI2_EINVAL, "Z7:Z4", "4 does not divide p-1 = 6");
  expect_bad("Z7:Z0", LI2_EINVAL, "Z7:Z0", ">= 1");
  expect_bad("Z1:Z1", LI2_EINVAL, "Z1:Z1", ">= 2");
  expect_bad("Z15:Z7", LI2_EINVAL, "Z15:Z7", "order 7 mod 15");
  expect_bad("Z7:3", LI2_EINVAL, "Z7:3", "Z<p>:Z<q>");
  expect_bad("Z4099:Z2", LI2_EINVAL, "Z4099:Z2", "limit");
  expect_bad("file:", LI2_EINVAL, "file:", "empty file name");

  expect_bad_file("no_such_file.txt", "", LI2_EIO, "cannot open", NULL);
  expect_bad_file("empty.txt", "", LI2_EFORMAT, "empty", NULL);
  expect_bad_file("bad_latin.txt", "", LI2_ENOTGROUP, "row 2 repeats element 1", "Latin");
  expect_bad_file("bad_assoc.txt", "", LI2_ENOTGROUP, "(a·b)·c != a·(b·c)", "associative");
  expect_bad_file("bad_identity.txt", "", LI2_ENOTGROUP, "identity", NULL);
  expect_bad_file("bad_range.txt", "", LI2_ENOTGROUP,
                  "row 2, column 2: value 9 out of range 0..3", NULL);
  expect_bad_file("bad_ragged.txt", "", LI2_EFORMAT, "line 2", "ragged");
  expect_bad_file("bad_nonsquare.txt", "", LI2_EFORMAT, "2 rows of 3", "not square");
  expect_bad_file("bad_token.txt", "", LI2_EFORMAT, "line 2: 'zero' is not an integer", NULL);
  expect_bad_file("z4.txt", "#1", LI2_EINVAL, "#1", NULL);
  expect_bad_file("bad_json.jsonl", "#1", LI2_EFORMAT, "line 2 (record 1)", "at character");
  expect_bad_file("bad_json.jsonl", "#Z3", LI2_EFORMAT, "line 2", "expected ',' or ']'");
  expect_bad_file("groups.jsonl", "#3", LI2_EINVAL, "record #3 out of range", "3 records");
  expect_bad_file("groups.jsonl", "#Q8", LI2_EINVAL, "no record with name \"Q8\"", NULL);
  expect_bad_file("groups.jsonl", "#", LI2_EINVAL, "empty record selector", NULL);
  expect_bad_file("bad_fields.jsonl", "#0", LI2_EFORMAT, "line 1", "missing field \"table\"");
  expect_bad_file("bad_fields.jsonl", "#1", LI2_EFORMAT, "row 2, column 2", "not an integer");
  expect_bad_file("bad_fields.jsonl", "#2", LI2_EFORMAT, "line 3", "index_base");
  expect_bad_file("bad_fields.jsonl", "#3", LI2_EFORMAT, "\"order\"", "table size 2");
  expect_bad_file("bad_fields.jsonl", "#4", LI2_EFORMAT, "row 2 has 1 entries", "ragged");
  expect_bad_file("bad_fields.jsonl", "#5", LI2_EFORMAT, "row 2 is not an array", NULL);
  expect_bad_file("bad_fields.jsonl", "#6", LI2_EFORMAT, "\"name\" is not a string", NULL);
  expect_bad_file("bad_fields.jsonl", "#7", LI2_EFORMAT, "line 8", "not a JSON object");
  expect_bad_file("bad_fields.jsonl", "#8", LI2_ENOTGROUP, "value 3 out of range 1..2",
                  "#8");
}

/* li2_group_alloc_table / li2_group_validate on in-memory tables. */
static void test_tables(void)
{
  li2_error err = {0, ""};
  /* Z3 with identity 2: x·y = x + y + 1 mod 3. */
  int t[9] = {1, 2, 0, 2, 0, 1, 0, 1, 2};
  li2_group *g = li2_group_alloc_table(3, t, "shifted Z3", &err);
  ok(g && g->identity == 2 && g->abelian && g->inverse[0] == 1 && g->inverse[2] == 2 &&
         strcmp(g->name, "shifted Z3") == 0 && g->nfactors == 0,
     "alloc_table: Z3 with identity 2, inverses found");
  li2_group_classes *c = li2_group_classes_alloc(g, &err);
  ok(c && c->nclasses == 3 && c->rep[0] == 2 && c->rep[1] == 0 && c->rep[2] == 1,
     "classes: class 0 is the identity 2, then 0, then 1");
  li2_group_classes_free(c);
  li2_group_free(g);

  int bad[9] = {1, 2, 0, 2, 0, 1, 0, 1, 3};
  ok(li2_group_validate(3, bad, &err) == LI2_ENOTGROUP &&
         strstr(err.msg, "row 2, column 2: value 3 out of range 0..2"),
     "validate names the out-of-range entry (%s)", err.msg);
  int col[4] = {0, 1, 0, 1};
  ok(li2_group_validate(2, col, &err) == LI2_ENOTGROUP && strstr(err.msg, "column 0 repeats"),
     "validate names the repeated column entry (%s)", err.msg);
  ok(!li2_group_alloc_table(0, t, "empty", &err) && err.code == LI2_ENOTGROUP,
     "order 0 is not a group (%s)", err.msg);
  ok(li2_group_validate(3, NULL, &err) == LI2_EINVAL, "NULL table rejected");

  /* Swapping columns 4 and 5 of S3 in all rows but the first leaves a
   * repeated entry in column 4. */
  li2_group *s3 = li2_group_alloc_name("S3", &err);
  int *u = malloc(36 * sizeof *u);
  memcpy(u, s3->table, 36 * sizeof *u);
  for (int j = 1; j < 6; j++) {
    int tmp = u[j * 6 + 4];
    u[j * 6 + 4] = u[j * 6 + 5];
    u[j * 6 + 5] = tmp;
  }
  int rc = li2_group_validate(6, u, &err);
  ok(rc == LI2_ENOTGROUP && strstr(err.msg, "column 4 repeats"),
     "S3 with columns 4, 5 swapped below row 0 is not Latin (%s)", err.msg);
  free(u);
  li2_group_free(s3);

  li2_group_free(NULL);
  li2_group_classes_free(NULL);
  ok(1, "free functions accept NULL");

  /* Every built-in table of moderate size passes validation again through
   * alloc_table and yields an identical group. */
  const char *names[] = {"S5", "Dic7", "Z13:Z4", "D12", "Z2xZ4xZ8"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    li2_group *a = li2_group_alloc_name(names[i], &err);
    li2_group *b = li2_group_alloc_table(a->order, a->table, names[i], &err);
    ok(b && b->identity == a->identity && b->abelian == a->abelian &&
           memcmp(a->inverse, b->inverse, a->order * sizeof(int)) == 0,
       "%s (order %zu) round-trips through alloc_table", names[i], a->order);
    li2_group_free(a);
    li2_group_free(b);
  }
}

int main(void)
{
  const char *top = getenv("top_srcdir");
  snprintf(data_dir, sizeof data_dir, "%s/tests/data", top ? top : ".");
  test_known();
  test_conventions();
  test_files();
  test_bad();
  test_tables();
  return tap_done();
}
