/* Expression tasks (expr.h): every table recorded from Python's eval as the
 * reference computes it (tests/data/gen_expression_tables.py), the
 * refusals, and the group built from "expr:M:EXPRESSION" (a table without
 * group structure that the analyses refuse). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "characters.h"
#include "expr.h"
#include "group.h"
#include "tap.h"

static void test_recorded(void)
{
  char path[4096], line[65536];
  const char *top = getenv("top_srcdir");
  FILE *f;
  int cases = 0, match = 0;
  snprintf(path, sizeof path, "%s/tests/data/expression-tables.txt", top ? top : ".");
  if (!ok((f = fopen(path, "r")) != NULL, "tests/data/expression-tables.txt readable"))
    return;
  while (fgets(line, sizeof line, f)) {
    char *tab1, *tab2, *p;
    size_t M;
    int *t, same = 1;
    li2_error err = {0};
    li2_expr *e;
    if (line[0] == '#')
      continue;
    tab1 = strchr(line, '\t');
    tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    if (!tab2)
      break;
    *tab1 = *tab2 = 0;
    M = strtoul(line, NULL, 10);
    e = li2_expr_parse(tab1 + 1, &err);
    t = malloc(M * M * sizeof *t);
    same = e && t && li2_expr_table(e, M, t, &err) == 0;
    p = tab2 + 1;
    for (size_t i = 0; i < M * M && same; i++) {
      char *end;
      long v = strtol(p, &end, 10);
      same = end != p && v == t[i];
      p = end;
    }
    cases++;
    match += same;
    ok(same, "%s mod %zu: Python's table%s%s", tab1 + 1, M, same ? "" : " -- ", same ? "" : err.msg);
    free(t);
    li2_expr_free(e);
  }
  fclose(f);
  ok(cases >= 20 && match == cases, "%d of %d recorded expression tables match", match, cases);
}

static void refused(const char *text, const char *part)
{
  li2_error err = {0};
  li2_expr *e = li2_expr_parse(text, &err);
  int r = !e && strstr(err.msg, part) != NULL;
  ok(r, "'%s' refused: %s", text, e ? "(parsed)" : err.msg);
  li2_expr_free(e);
}

static void eval_refused(const char *text, long M, const char *part)
{
  li2_error err = {0};
  li2_expr *e = li2_expr_parse(text, &err);
  int *t = malloc((size_t)(M * M) * sizeof *t);
  int r = e && t && li2_expr_table(e, (size_t)M, t, &err) == LI2_EINVAL && strstr(err.msg, part);
  ok(r, "'%s' mod %ld refused at evaluation: %s", text, M, err.msg);
  free(t);
  li2_expr_free(e);
}

int main(void)
{
  char deep[200];
  li2_error err = {0};
  li2_group *g;
  test_recorded();
  refused("x/y", "true division");
  refused("x + z", "unknown name");
  refused("__import__('os')", "unknown name");
  refused("x +", "unexpected end");
  refused("(x + y", "expected ')'");
  refused("x < y", "comparisons");
  refused("1.5*x", "integer literals");
  refused("x y", "unexpected text");
  refused("", "empty");
  refused("max(x)", "number of arguments");
  memset(deep, '(', 150);
  deep[150] = 'x';
  deep[151] = 0;
  refused(deep, "nested too deeply");
  eval_refused("x // y", 5, "division by zero");
  eval_refused("x ** -1", 5, "negative exponent");
  eval_refused("(x**y**3) // 2", 23, "outside 64 bits");
  /* pow's modulus: 0 refused before any '%' (a division by zero fuzz_expr
   * found: tests/fuzz/crashes/expr-pow-modulus-zero); +-1 gives 0 even for
   * LLONG_MIN, whose floormod by -1 overflowed; a negative modulus gives
   * the sign of m.  Python 3: pow(3,2,-7) % 100 = 95, pow(3,0,-3) % 100 = 98,
   * pow(-2**63, 5, -1) = 0, pow(0, 2, 0) raises ValueError. */
  eval_refused("pow(x, y, x*7)", 5, "modulus 0");
  /* an exponent outside 64 bits inside a ring expression: refused, where
   * the modular route used its -1 as a residue (-(2**(3**50)) mod 7 was 1;
   * Python's value is 6 after computing 2**(3**50) whole) */
  eval_refused("-(2**(3**50))", 7, "exponent outside 64 bits");
  eval_refused("x + 2**(3**50)", 7, "exponent outside 64 bits");
  eval_refused("(2**62*4) + x**(y-1)", 7, "negative exponent");
  {
    static const struct { const char *text; long x, y, M, z; } pw[] = {
      {"pow(x, y, -7)", 3, 2, 100, 95}, {"pow(x, y, -3)", 3, 0, 100, 98},
      {"pow(-9223372036854775807-1, x+1, -1)", 4, 0, 100, 0},
      {"pow(-9223372036854775807-1, x+1, 1)", 4, 0, 100, 0}};
    for (size_t i = 0; i < sizeof pw / sizeof *pw; i++) {
      li2_expr *e = li2_expr_parse(pw[i].text, &err);
      long z = -1;
      int r = e && !li2_expr_eval_mod(e, pw[i].x, pw[i].y, pw[i].M, &z, &err);
      ok(r && z == pw[i].z, "%s at x=%ld y=%ld mod %ld: %ld (Python: %ld)", pw[i].text, pw[i].x, pw[i].y, pw[i].M,
         z, pw[i].z);
      li2_expr_free(e);
    }
  }
  {
    li2_expr *r1 = li2_expr_parse("x**2 - 3*x*y", &err), *r2 = li2_expr_parse("x**2 // 3", &err);
    ok(r1 && r2 && li2_expr_is_ring(r1) == 1 && li2_expr_is_ring(r2) == 0,
       "x**2 - 3*x*y is a ring expression, x**2 // 3 is not");
    li2_expr_free(r1);
    li2_expr_free(r2);
  }
  /* the group built from the name: a table, not a group */
  g = li2_group_alloc_name("expr:23:x**2+x*y+y**2", &err);
  ok(g && g->order == 23 && g->not_group && g->table[3 * 23 + 5] == (9 + 15 + 25) % 23 &&
         g->abelian,
     "expr:23:x**2+x*y+y**2: order 23, z(3,5) = 49 mod 23, commutative, not a group");
  ok(g && !li2_characters_alloc(g, &err) && strstr(err.msg, "no group structure"),
     "characters refused: %s", err.msg);
  ok(g && !li2_group_classes_alloc(g, &err) && strstr(err.msg, "no group structure"),
     "classes refused: %s", err.msg);
  li2_group_free(g);
  ok(!li2_group_alloc_name("expr:23:x/y", &err) && strstr(err.msg, "true division"),
     "expr:23:x/y refused: %s", err.msg);
  return tap_done();
}
