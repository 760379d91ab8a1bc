/* Expression tasks (the reference's group_type=expression, issue 14 item 2):
 * z = expr(x, y) mod M for x, y in Z_M, where expr is the Python
 * expression the reference evaluates with eval(expr, {}, {x, y}) % M
 * (modular_addition_simple2.py:120-127).
 *
 * A small, bounded recursive-descent parser (no eval): integer literals,
 * x and y, parentheses, Python's operators with Python's precedence and
 * semantics on integers (** right-associative and binding tighter than a
 * unary minus on its left; // and % floor toward minus infinity; unary
 * - + ~; << >> & ^ |, where ^ is exclusive or, as in Python), and the
 * builtins abs, min, max and pow(a, b[, m]) that eval's default builtins
 * give the reference.  Values are exact 64-bit integers; when one
 * overflows and the expression uses only + - * ** (ring operations, which
 * commute with reduction mod M) the value is computed mod M instead, which
 * is the same z; otherwise the pair is refused.  True division '/', a
 * negative exponent (Python gives a float), division by zero, comparisons
 * and any other name are refused with a one-line message naming the
 * column.  At most LI2_EXPR_MAX_LEN characters and LI2_EXPR_MAX_DEPTH
 * nesting. */
#ifndef LI2_EXPR_H
#define LI2_EXPR_H

#include <stddef.h>
#include "error.h"

#define LI2_EXPR_MAX_LEN 1000
#define LI2_EXPR_MAX_DEPTH 64

typedef struct li2_expr li2_expr;

/* Parse TEXT; NULL with ERR ("expression: ... at column C") on an error. */
li2_expr *li2_expr_parse(const char *text, li2_error *err);
void li2_expr_free(li2_expr *e);

/* 1 when the expression uses only + - * ** and literals, x, y (then it
 * is a polynomial and its value mod M is computed mod M). */
int li2_expr_is_ring(const li2_expr *e);

/* z = expr(x, y) mod M in [0, M) (Python's % for M > 0).  LI2_EINVAL
 * naming x and y when Python would raise or give a float, or when a
 * non-ring value leaves 64 bits. */
int li2_expr_eval_mod(const li2_expr *e, long x, long y, long M, long *z, li2_error *err);

/* The M x M table z[x * M + y]; LI2_EINVAL as above. */
int li2_expr_table(const li2_expr *e, size_t M, int *table, li2_error *err);

#endif
