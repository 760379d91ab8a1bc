/* libFuzzer harness: the expression parser of group_type=expression
 * (li2_expr_parse, bounded to LI2_EXPR_MAX_LEN characters and
 * LI2_EXPR_MAX_DEPTH levels), its evaluation mod M (li2_expr_eval_mod on a
 * grid of x, y up to 2^31 - 2 and M up to INT_MAX, where exact 64-bit
 * values overflow and ring expressions are reduced mod M instead), the
 * table of M = 7 (li2_expr_table) and the group li2 builds from
 * expr:M:EXPRESSION (li2_group_alloc_name).  Checked, whichever of the
 * exact and the modular routes a value takes: every z is in [0, M); the
 * value mod M' = 2^31 - 2 reduced mod a divisor M of M' is the value mod M;
 * a polynomial (+ - * only) has the same value mod M at x and x + M.  The
 * input is the expression.  Errors are expected outcomes;
 * tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "group.h"

#define NM 6
#define NX 6

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* M' = 2147483646 = 2 * 3^2 * 7 * 11 * 31 * 151 * 331: the first four
   * divide it; 2^31 - 1 (a prime) is the largest modulus */
  static const long mods[NM] = {1, 2, 7, 331, 2147483646, 2147483647};
  static const long xs[NX] = {0, 1, 2, 330, 65536, 2147483646};
  li2_error err = {0};
  char *text = malloc(size + 8);
  li2_expr *e;
  if (!text)
    return 0;
  memcpy(text, "expr:7:", 7);
  memcpy(text + 7, data, size);
  text[size + 7] = 0;
  if ((e = li2_expr_parse(text + 7, &err))) {
    int table[49];
    int poly = li2_expr_is_ring(e) && !strstr(text + 7, "**") && !strstr(text + 7, "pow");
    for (int i = 0; i < NX; i++)
      for (int j = 0; j < NX; j++) {
        long z[NM];
        int ok[NM];
        for (int m = 0; m < NM; m++) {
          long M = mods[m], z2;
          ok[m] = !li2_expr_eval_mod(e, xs[i], xs[j], M, &z[m], &err);
          if (!ok[m])
            continue;
          if (z[m] < 0 || z[m] >= M)
            abort();
          if (poly && !li2_expr_eval_mod(e, xs[i] + M, xs[j], M, &z2, &err) && z2 != z[m])
            abort();
        }
        for (int m = 0; m < 4; m++)
          if (ok[m] && ok[4] && z[4] % mods[m] != z[m])
            abort();
      }
    if (!li2_expr_table(e, 7, table, &err))
      for (int i = 0; i < 49; i++)
        if (table[i] < 0 || table[i] >= 7)
          abort();
    li2_expr_free(e);
    li2_group_free(li2_group_alloc_name(text, &err));
  }
  free(text);
  return 0;
}
