/* Character tables: orthogonality and integrality on every built-in group,
 * textbook tables (S3, D4, Q8, A4, S4) up to the order of rows and of
 * classes with equal size and element order, Frobenius-Schur indicators,
 * the predicted energies M/(2 d_R) of doc/mathematics.md section 3, direct products
 * (degrees, indicators and class sizes multiply: an independent check on
 * groups with many classes), permutation 2-groups of order 64 and 128, and
 * Burnside-Dixon against the closed form on abelian groups. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/tap.h"
#include "characters.h"

#define TOL 1e-9

static const char *builtin[] = {
  "Z1", "Z2", "Z11", "Z10", "Z12", "2x3x4", "Z4xZ6", "D3", "D4", "D5", "D6", "S3", "S4",
  "S5", "A4", "A5", "Q8", "Dic3", "Dic4", "Dic16", "Dic32", "D64", "Z7:Z3", "Z11:Z5",
  "Z13:Z4", "Z128", NULL};

/* ------------------------------------------------------------------ */

static int cmp_long(const void *a, const void *b)
{
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int same_multiset(long *a, long *b, size_t n)
{
  qsort(a, n, sizeof *a, cmp_long);
  qsort(b, n, sizeof *b, cmp_long);
  return memcmp(a, b, n * sizeof *a) == 0;
}

/* The documented order (characters.h), re-implemented for the check. */
static int order_ok(const li2_characters *ct)
{
  size_t r = ct->nirreps;
  for (size_t i = 1; i + 1 < r; i++) {
    if (ct->degree[i] != ct->degree[i + 1]) {
      if (ct->degree[i] > ct->degree[i + 1])
        return 0;
      continue;
    }
    const double complex *x = ct->chi + i * r, *y = ct->chi + (i + 1) * r;
    for (size_t c = 0; c < r; c++) {
      if (fabs(creal(x[c]) - creal(y[c])) > 1e-7) {
        if (creal(x[c]) < creal(y[c]))
          return 0;
        break;
      }
      if (fabs(cimag(x[c]) - cimag(y[c])) > 1e-7) {
        if (cimag(x[c]) < cimag(y[c]))
          return 0;
        break;
      }
    }
  }
  return 1;
}

/* Properties every character table has, checked independently of how it
 * was computed. */
static void check_table(const li2_group *g, const li2_characters *ct)
{
  const char *nm = g->name;
  size_t M = g->order, r = ct->nirreps;
  const li2_group_classes *cl = ct->classes;

  ok(r == cl->nclasses, "%s: %zu irreps = %zu classes", nm, r, cl->nclasses);

  /* (li2_characters_alloc itself enforces sum d^2 = M, d | M, chi(1) = d,
   * indicators in {-1, 0, 1} and conjugates matching the indicators, and
   * checks orthogonality with li2_characters_orthogonality: not re-asserted
   * here.)  Orthogonality by element sums, from the Cayley table alone:
   *   rows     sum_x chi_i(x) conj chi_j(x) = M delta_ij
   *   columns  sum_i chi_i(c) conj chi_i(e) = delta_ce |C_G(c)|,
   * the centraliser counted here as #{h : h z = z h}; class_of checked
   * first to be closed under conjugation (so chi(x) = chi[class_of x] is
   * a class function). */
  {
    int closed = 1;
    double re = 0, ce = 0;
    for (size_t x = 0; x < M && closed; x++)
      for (size_t h = 0; h < M; h++) {
        size_t y = (size_t)g->table[(size_t)g->table[h * M + x] * M + (size_t)g->inverse[h]];
        closed &= cl->class_of[y] == cl->class_of[x];
      }
    ok(closed, "%s: classes closed under conjugation", nm);
    for (size_t i = 0; i < r; i++)
      for (size_t j = i; j < r; j++) {
        double complex s = 0;
        for (size_t x = 0; x < M; x++) {
          size_t c = (size_t)cl->class_of[x];
          s += ct->chi[i * r + c] * conj(ct->chi[j * r + c]);
        }
        re = fmax(re, cabs(s - (i == j ? (double)M : 0)) / (double)M);
      }
    for (size_t c = 0; c < r; c++) {
      size_t z = (size_t)cl->rep[c], cent = 0;
      for (size_t h = 0; h < M; h++)
        cent += g->table[h * M + z] == g->table[z * M + h];
      for (size_t e = c; e < r; e++) {
        double complex s = 0;
        for (size_t i = 0; i < r; i++)
          s += ct->chi[i * r + c] * conj(ct->chi[i * r + e]);
        ce = fmax(ce, cabs(s - (c == e ? (double)cent : 0)) / (double)cent);
      }
    }
    ok(re <= TOL && ce <= TOL, "%s: orthogonality by element sums: rows %.2g, columns %.2g "
       "(centralisers counted)", nm, re, ce);
  }

  int triv = 1;
  for (size_t c = 0; c < r; c++)
    triv &= ct->chi[c] == 1;
  ok(triv, "%s: irrep 0 is trivial", nm);
  ok(order_ok(ct), "%s: irreps in the documented order", nm);

  /* Frobenius-Schur count: sum_chi nu(chi) chi(1) = #{x : x^2 = e}. */
  long inv = 0, fs = 0;
  for (size_t x = 0; x < M; x++)
    inv += g->table[x * M + x] == g->identity;
  for (size_t i = 0; i < r; i++)
    fs += (long)ct->indicator[i] * ct->degree[i];
  ok(fs == inv, "%s: sum nu d = %ld = #{x^2 = e} = %ld", nm, fs, inv);

  /* Components: real dims and a partition of the irreps. */
  int comp_ok = ct->component_of[0] == 0 && ct->ncomponents <= r;
  size_t expect = 0;
  for (size_t i = 0; i < r; i++) {
    int k = ct->component_of[i];
    expect += ct->indicator[i] != 0 ? 2 : 1;
    comp_ok &= k >= 0 && (size_t)k < ct->ncomponents && ct->component_irrep[k] <= (int)i &&
               ct->component_of[ct->component_irrep[k]] == k &&
               ct->component_real_dim[k] ==
                 (ct->indicator[i] == 1 ? 1 : 2) * ct->degree[i];
  }
  ok(comp_ok && 2 * ct->ncomponents == expect, "%s: %zu real components", nm,
     ct->ncomponents);

  /* Tensor products decompose with non-negative integer multiplicities. */
  double worst = 0;
  size_t step = r > 40 ? r / 20 : 1;
  for (size_t i = 0; i < r; i += step)
    for (size_t j = i; j < r; j++)
      for (size_t k = 0; k < r; k++) {
        double complex s = 0;
        for (size_t c = 0; c < r; c++)
          s += (double)cl->size[c] * ct->chi[i * r + c] * ct->chi[j * r + c] *
               conj(ct->chi[k * r + c]);
        s /= (double)M;
        double n = nearbyint(creal(s));
        worst = fmax(worst, n < 0 ? 1 : cabs(s - n));
      }
  ok(worst < 1e-8, "%s: tensor multiplicities integral (dev %.2g)", nm, worst);
}

/* ------------------------------------------------------------------ */
/* Textbook tables                                                     */

typedef struct textbook {
  const char *group;
  size_t r;
  int size[6], order[6];   /* class signatures, textbook column order */
  double complex chi[6][6];
} textbook;

/* Does some bijection of rows, and of columns among classes with equal
 * (size, element order), map the computed table onto the textbook one? */
static int match_columns(const li2_characters *ct, const textbook *tb, const size_t *col)
{
  size_t r = tb->r;
  int used[6] = {0};
  for (size_t a = 0; a < r; a++) {
    int found = 0;
    for (size_t i = 0; i < r && !found; i++) {
      if (used[i])
        continue;
      int eq = 1;
      for (size_t c = 0; c < r && eq; c++)
        eq = cabs(ct->chi[i * r + col[c]] - tb->chi[a][c]) < TOL;
      if (eq)
        used[i] = found = 1;
    }
    if (!found)
      return 0;
  }
  return 1;
}

static int match_rec(const li2_characters *ct, const textbook *tb, size_t *col, int *taken,
                     size_t c)
{
  const li2_group_classes *cl = ct->classes;
  if (c == tb->r)
    return match_columns(ct, tb, col);
  for (size_t k = 0; k < tb->r; k++) {
    if (taken[k] || cl->size[k] != (size_t)tb->size[c] || cl->order[k] != tb->order[c])
      continue;
    taken[k] = 1;
    col[c] = k;
    if (match_rec(ct, tb, col, taken, c + 1))
      return 1;
    taken[k] = 0;
  }
  return 0;
}

static void test_textbook(void)
{
  const double complex w = -0.5 + I * sqrt(3.0) / 2;  /* omega = e^{2 pi i/3} */
  const textbook tables[] = {
    {"S3", 3, {1, 3, 2}, {1, 2, 3}, {{1, 1, 1}, {1, -1, 1}, {2, 0, -1}}},
    /* e, r^2, {r, r^3}, {s, r^2 s}, {rs, r^3 s} */
    {"D4", 5, {1, 1, 2, 2, 2}, {1, 2, 4, 2, 2},
     {{1, 1, 1, 1, 1}, {1, 1, 1, -1, -1}, {1, 1, -1, 1, -1}, {1, 1, -1, -1, 1},
      {2, -2, 0, 0, 0}}},
    /* 1, -1, {+-i}, {+-j}, {+-k} */
    {"Q8", 5, {1, 1, 2, 2, 2}, {1, 2, 4, 4, 4},
     {{1, 1, 1, 1, 1}, {1, 1, 1, -1, -1}, {1, 1, -1, 1, -1}, {1, 1, -1, -1, 1},
      {2, -2, 0, 0, 0}}},
    /* e, (12)(34), (123), (132) */
    {"A4", 4, {1, 3, 4, 4}, {1, 2, 3, 3},
     {{1, 1, 1, 1}, {1, 1, w, w * w}, {1, 1, w * w, w}, {3, -1, 0, 0}}},
    /* e, (12), (12)(34), (123), (1234) */
    {"S4", 5, {1, 6, 3, 8, 6}, {1, 2, 2, 3, 4},
     {{1, 1, 1, 1, 1}, {1, -1, 1, 1, -1}, {2, 0, 2, -1, 0}, {3, 1, -1, 0, -1},
      {3, -1, -1, 0, 1}}},
  };
  for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
    const textbook *tb = &tables[t];
    li2_error err = {0};
    li2_group *g = li2_group_alloc_name(tb->group, &err);
    li2_characters *ct = g ? li2_characters_alloc(g, &err) : NULL;
    size_t col[6];
    int taken[6] = {0};
    if (!ct)
      diag("%s: %s", tb->group, err.msg);
    ok(ct && ct->nirreps == tb->r && match_rec(ct, tb, col, taken, 0),
       "%s: textbook character table (rows and same-signature classes permuted)", tb->group);
    li2_characters_free(ct);
    li2_group_free(g);
  }
}

/* ------------------------------------------------------------------ */
/* Indicators and predicted energies                                   */

static void test_indicators(void)
{
  li2_error err = {0};
  li2_group *g;
  li2_characters *ct;

  g = li2_group_alloc_name("S4", &err);
  ct = li2_characters_alloc(g, &err);
  int all = 1;
  for (size_t i = 0; i < ct->nirreps; i++)
    all &= ct->indicator[i] == 1;
  ok(all, "S4: every indicator is +1");
  li2_characters_free(ct);
  li2_group_free(g);

  g = li2_group_alloc_name("Q8", &err);
  ct = li2_characters_alloc(g, &err);
  int nminus = 0, which = -1;
  for (size_t i = 0; i < ct->nirreps; i++)
    if (ct->indicator[i] == -1) {
      nminus++;
      which = ct->degree[i];
    }
  ok(nminus == 1 && which == 2, "Q8: one quaternionic irrep, of degree 2");
  li2_characters_free(ct);
  li2_group_free(g);

  g = li2_group_alloc_name("Z7:Z3", &err);
  ct = li2_characters_alloc(g, &err);
  int n3 = 0, pair = 1;
  for (size_t i = 0; i < ct->nirreps; i++)
    if (ct->degree[i] == 3) {
      n3++;
      pair &= ct->indicator[i] == 0 && ct->degree[ct->conjugate[i]] == 3 &&
              ct->conjugate[i] != (int)i;
    }
  ok(n3 == 2 && pair, "Z7:Z3: two complex conjugate 3-dim irreps (nu = 0)");
  li2_characters_free(ct);
  li2_group_free(g);

  /* Z_M: irreps 0, 1, M-1, 2, M-2, ...; component k = {k, M-k}; complex
   * except k = 0 and k = M/2. */
  const size_t ms[] = {1, 2, 10, 11, 12, 127};
  for (size_t t = 0; t < sizeof ms / sizeof *ms; t++) {
    size_t M = ms[t];
    char name[16];
    snprintf(name, sizeof name, "Z%zu", M);
    g = li2_group_alloc_name(name, &err);
    for (int method = LI2_CHARACTERS_DIXON; method <= LI2_CHARACTERS_ABELIAN; method++) {
      ct = li2_characters_alloc_method(g, method, &err);
      int freq_ok = ct != NULL && ct->ncomponents == M / 2 + 1, ind = 1;
      for (size_t i = 0; freq_ok && i < M; i++) {
        size_t k = i % 2 ? (i + 1) / 2 : (M - i / 2) % M;
        double complex want = cexp(2 * M_PI * I * (double)k / (double)M);
        size_t e1 = M > 1 ? (size_t)ct->classes->class_of[1] : 0;
        size_t comp = k <= M / 2 ? k : M - k;
        freq_ok &= cabs(ct->chi[i * M + e1] - want) < TOL &&
                   ct->component_of[i] == (int)comp &&
                   ct->component_irrep[comp] == (int)(comp == 0 ? 0 : 2 * comp - 1);
        ind &= ct->indicator[i] == ((k == 0 || 2 * k == M) ? 1 : 0);
      }
      ok(freq_ok, "Z%zu (%s): irrep i is frequency 0, 1, M-1, 2, ...; component k = {k, M-k}",
         M, method == LI2_CHARACTERS_DIXON ? "Dixon" : "closed form");
      ok(ind, "Z%zu: indicator 0 except k = 0, M/2", M);
      li2_characters_free(ct);
    }
    li2_group_free(g);
  }
}

/* Multisets of M/(2 d_R) over the nontrivial components: doc/mathematics.md section 3.3 table. */
static void test_energies(void)
{
  static const struct {
    const char *group;
    size_t n;
    double e[8];
  } want[] = {
    {"Z11", 5, {2.75, 2.75, 2.75, 2.75, 2.75}},
    {"Z10", 5, {2.5, 2.5, 2.5, 2.5, 5.0}},
    {"S3", 2, {1.5, 3.0}},
    {"S4", 4, {4, 4, 6, 12}},
    {"D5", 3, {2.5, 2.5, 5.0}},
    {"Q8", 4, {1, 4, 4, 4}},
    {"Z7:Z3", 2, {1.75, 5.25}},
    {"A5", 4, {6, 7.5, 10, 10}},
  };
  for (size_t t = 0; t < sizeof want / sizeof *want; t++) {
    li2_error err = {0};
    li2_group *g = li2_group_alloc_name(want[t].group, &err);
    li2_characters *ct = li2_characters_alloc(g, &err);
    double e[64];
    size_t n = ct->ncomponents - 1;
    int pass = n == want[t].n && isnan(li2_characters_predicted_energy(ct, g->order, 0));
    for (size_t k = 1; k < ct->ncomponents && k <= 64; k++)
      e[k - 1] = li2_characters_predicted_energy(ct, g->order, k);
    qsort(e, n, sizeof *e, cmp_double);
    for (size_t k = 0; pass && k < n; k++)
      pass = fabs(e[k] - want[t].e[k]) < 1e-12;
    ok(pass, "%s: predicted energies M/(2 d_R) as in doc/mathematics.md", want[t].group);
    li2_characters_free(ct);
    li2_group_free(g);
  }
}

/* ------------------------------------------------------------------ */
/* Products and permutation groups, built as bare tables               */

static li2_group *product(const li2_group *a, const li2_group *b)
{
  size_t m = a->order, n = b->order, M = m * n;
  int *T = malloc(M * M * sizeof *T);
  char name[128];
  for (size_t x = 0; x < M; x++)
    for (size_t y = 0; y < M; y++)
      T[x * M + y] = a->table[(x / n) * m + y / n] * (int)n + b->table[(x % n) * n + y % n];
  snprintf(name, sizeof name, "(%s)x(%s)", a->name, b->name);
  li2_error err = {0};
  li2_group *g = li2_group_alloc_table(M, T, name, &err);
  if (!g)
    diag("product %s: %s", name, err.msg);
  free(T);
  return g;
}

/* Irreps of A x B are chi (x) psi: degrees, indicators and class sizes
 * multiply. */
static void check_product(const li2_group *a, const li2_group *b)
{
  li2_error err = {0};
  li2_group *g = product(a, b);
  li2_characters *ca = li2_characters_alloc(a, &err), *cb = li2_characters_alloc(b, &err);
  li2_characters *ct = g ? li2_characters_alloc_method(g, LI2_CHARACTERS_DIXON, &err) : NULL;
  if (!ct) {
    ok(0, "product %s x %s: %s", a->name, b->name, err.msg);
    goto out;
  }
  check_table(g, ct);
  size_t ra = ca->nirreps, rb = cb->nirreps, r = ct->nirreps;
  int pass = r == ra * rb;
  if (pass) {
    long *x = malloc(r * sizeof *x), *y = malloc(r * sizeof *y);
    for (size_t i = 0; i < ra; i++)
      for (size_t j = 0; j < rb; j++)
        x[i * rb + j] = 10L * ca->degree[i] * cb->degree[j] +
                        (ca->indicator[i] * cb->indicator[j] + 1);
    for (size_t k = 0; k < r; k++)
      y[k] = 10L * ct->degree[k] + (ct->indicator[k] + 1);
    pass = same_multiset(x, y, r);
    ok(pass, "%s: (degree, indicator) = products of the factors'", g->name);
    for (size_t i = 0; i < ra; i++)
      for (size_t j = 0; j < rb; j++)
        x[i * rb + j] = (long)(ca->classes->size[i] * cb->classes->size[j]);
    for (size_t k = 0; k < r; k++)
      y[k] = (long)ct->classes->size[k];
    ok(same_multiset(x, y, r), "%s: class sizes = products", g->name);
    free(x);
    free(y);
  } else {
    ok(0, "%s: %zu irreps, expected %zu x %zu", g->name, r, ra, rb);
  }
out:
  li2_characters_free(ca);
  li2_characters_free(cb);
  li2_characters_free(ct);
  li2_group_free(g);
}

static void test_products(void)
{
  li2_error err = {0};
  li2_group *s3 = li2_group_alloc_name("S3", &err), *z4 = li2_group_alloc_name("Z4", &err);
  li2_group *q8 = li2_group_alloc_name("Q8", &err), *z2 = li2_group_alloc_name("Z2", &err);
  li2_group *d4 = li2_group_alloc_name("D4", &err), *a5 = li2_group_alloc_name("A5", &err);
  li2_group *z48 = li2_group_alloc_name("Z4xZ8", &err);
  check_product(s3, z4);
  check_product(q8, z2);
  check_product(d4, q8);
  check_product(a5, z2);
  li2_group *q8q8 = product(q8, q8);
  check_product(q8q8, z2);                 /* order 128, 50 classes */
  check_product(z4, z48);                  /* abelian of order 128 as a bare table */
  li2_group *d4z2 = product(d4, z2);
  check_product(d4z2, d4);                 /* order 128, 50 classes, all real */
  li2_group_free(d4z2);
  li2_group_free(q8q8);
  li2_group_free(s3);
  li2_group_free(z4);
  li2_group_free(q8);
  li2_group_free(z2);
  li2_group_free(d4);
  li2_group_free(a5);
  li2_group_free(z48);
}

/* The group generated by permutations of 8 points, (p.q)(i) = p(q(i)). */
static li2_group *perm_group(const char *name, const unsigned char (*gen)[8], size_t ngen)
{
  enum { MAXG = 256 };
  static unsigned char el[MAXG][8];
  size_t n = 1;
  for (int i = 0; i < 8; i++)
    el[0][i] = (unsigned char)i;
  for (size_t x = 0; x < n; x++)
    for (size_t s = 0; s < ngen; s++) {
      unsigned char y[8];
      for (int i = 0; i < 8; i++)
        y[i] = gen[s][el[x][i]];
      size_t k = 0;
      while (k < n && memcmp(el[k], y, 8))
        k++;
      if (k == n && n < MAXG)
        memcpy(el[n++], y, 8);
    }
  int *T = malloc(n * n * sizeof *T);
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < n; b++) {
      unsigned char y[8];
      for (int i = 0; i < 8; i++)
        y[i] = el[a][el[b][i]];
      size_t k = 0;
      while (k < n && memcmp(el[k], y, 8))
        k++;
      T[a * n + b] = (int)k;
    }
  li2_error err = {0};
  li2_group *g = li2_group_alloc_table(n, T, name, &err);
  free(T);
  return g;
}

/* Two 2-groups that are not direct products; degrees, indicators and class
 * sizes as reported by GAP 4.12 (CharacterTable, Indicator). */
static void test_perm_groups(void)
{
  /* Sylow 2-subgroup of S8 = Z2 wr Z2 wr Z2, order 128, SmallGroup(128,928):
   * gens (1 2), (1 3)(2 4), (1 5)(2 6)(3 7)(4 8) on points 0..7. */
  static const unsigned char syl[3][8] = {
    {1, 0, 2, 3, 4, 5, 6, 7}, {2, 3, 0, 1, 4, 5, 6, 7}, {4, 5, 6, 7, 0, 1, 2, 3}};
  /* Z2 wr Z4, order 64, SmallGroup(64,32): gens (1 2), (1 3 5 7)(2 4 6 8). */
  static const unsigned char wr[2][8] = {
    {1, 0, 2, 3, 4, 5, 6, 7}, {2, 3, 4, 5, 6, 7, 0, 1}};
  static const struct {
    const char *name;
    size_t order, r;
    long di[20];   /* 10 d + (nu + 1) */
    long size[20];
  } want[] = {
    {"Syl2(S8)", 128, 20,
     {12, 12, 12, 12, 12, 12, 12, 12, 22, 22, 22, 22, 22, 22, 42, 42, 42, 42, 42, 42},
     {1, 4, 2, 4, 4, 4, 4, 8, 8, 1, 4, 4, 4, 8, 4, 8, 16, 8, 16, 16}},
    {"Z2wrZ4", 64, 13, {12, 12, 12, 12, 11, 11, 11, 11, 22, 22, 42, 42, 42},
     {1, 4, 4, 2, 4, 1, 8, 8, 4, 8, 4, 8, 8}},
  };
  for (size_t t = 0; t < 2; t++) {
    li2_group *g = t == 0 ? perm_group(want[t].name, syl, 3) : perm_group(want[t].name, wr, 2);
    li2_error err = {0};
    li2_characters *ct = g ? li2_characters_alloc(g, &err) : NULL;
    if (!ct || g->order != want[t].order || ct->nirreps != want[t].r) {
      ok(0, "%s: order %zu, %zu classes (%s)", want[t].name, g ? g->order : 0,
         ct ? ct->nirreps : 0, err.msg);
    } else {
      check_table(g, ct);
      long x[20], y[20], s[20], z[20];
      for (size_t i = 0; i < want[t].r; i++) {
        x[i] = want[t].di[i];
        y[i] = 10L * ct->degree[i] + ct->indicator[i] + 1;
        s[i] = want[t].size[i];
        z[i] = (long)ct->classes->size[i];
      }
      ok(same_multiset(x, y, want[t].r), "%s: degrees and indicators as GAP", want[t].name);
      ok(same_multiset(s, z, want[t].r), "%s: class sizes as GAP", want[t].name);
    }
    li2_characters_free(ct);
    li2_group_free(g);
  }
}

/* ------------------------------------------------------------------ */

static void test_builtin(void)
{
  for (const char **nm = builtin; *nm; nm++) {
    li2_error err = {0};
    li2_group *g = li2_group_alloc_name(*nm, &err);
    if (!g) {
      ok(0, "group %s: %s", *nm, err.msg);
      continue;
    }
    li2_characters *ct = li2_characters_alloc(g, &err);
    if (!ct) {
      ok(0, "characters of %s: %s", *nm, err.msg);
    } else {
      check_table(g, ct);
      /* The same numbers twice: fixed seeds. */
      li2_characters *again = li2_characters_alloc(g, &err);
      ok(again && memcmp(again->chi, ct->chi, ct->nirreps * ct->nirreps * sizeof *ct->chi) == 0,
         "%s: reproducible bit for bit", *nm);
      li2_characters_free(again);
    }
    li2_characters_free(ct);
    li2_group_free(g);
  }
}

/* Closed form and Burnside-Dixon agree value by value, in the same order. */
static void test_abelian_methods(void)
{
  const char *names[] = {"Z10", "Z11", "Z12", "2x3x4", "Z4xZ6", "2x2x2x2", "Z4xZ4xZ8"};
  for (size_t t = 0; t < sizeof names / sizeof *names; t++) {
    li2_error err = {0};
    li2_group *g = li2_group_alloc_name(names[t], &err);
    li2_characters *a = li2_characters_alloc_method(g, LI2_CHARACTERS_ABELIAN, &err);
    li2_characters *b = li2_characters_alloc_method(g, LI2_CHARACTERS_DIXON, &err);
    double dev = a && b && a->nirreps == b->nirreps ? 0 : INFINITY;
    int same = dev == 0;
    for (size_t i = 0; same && i < a->nirreps * a->nirreps; i++)
      dev = fmax(dev, cabs(a->chi[i] - b->chi[i]));
    for (size_t i = 0; same && i < a->nirreps; i++)
      same = a->indicator[i] == b->indicator[i] && a->component_of[i] == b->component_of[i];
    ok(same && dev < 1e-10, "%s: closed form = Burnside-Dixon (max dev %.2g)", names[t], dev);
    li2_characters_free(a);
    li2_characters_free(b);
    li2_group_free(g);
  }
}

static void test_errors(void)
{
  li2_error err = {0};
  ok(li2_characters_alloc(NULL, &err) == NULL && err.code == LI2_EINVAL,
     "NULL group: LI2_EINVAL");
  li2_group *g = li2_group_alloc_name("S3", &err);
  li2_error_clear(&err);
  ok(li2_characters_alloc_method(g, LI2_CHARACTERS_ABELIAN, &err) == NULL &&
       err.code == LI2_EUNSUP && strstr(err.msg, "S3"),
     "closed form on S3: LI2_EUNSUP naming the group (%s)", err.msg);
  li2_characters *ct = li2_characters_alloc(g, &err);
  ok(isnan(li2_characters_predicted_energy(ct, 6, 0)) &&
       isnan(li2_characters_predicted_energy(ct, 6, 99)),
     "predicted energy: NaN for trivial and out-of-range components");
  li2_characters_free(ct);
  li2_characters_free(NULL);
  li2_group_free(g);
}

int main(void)
{
  test_builtin();
  test_textbook();
  test_indicators();
  test_energies();
  test_abelian_methods();
  test_products();
  test_perm_groups();
  test_errors();
  return tap_done();
}
