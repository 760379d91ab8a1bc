/* Expression tasks: a bounded parser and evaluator (see expr.h). */
#include "expr.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
  N_NUM, N_X, N_Y, N_NEG, N_POS, N_INV, N_ADD, N_SUB, N_MUL, N_FDIV, N_MOD, N_POW,
  N_SHL, N_SHR, N_AND, N_XOR, N_OR, N_ABS, N_MIN, N_MAX, N_POW3
} node_op;

typedef struct node {
  node_op op;
  long long v;       /* N_NUM */
  int a, b, c;       /* operands: node indices (-1 none) */
} node;

struct li2_expr {
  node *n;
  int count, cap, root;
  int ring;          /* only + - * ** and leaves */
};

typedef struct parser {
  const char *s;
  size_t pos;
  int depth;
  li2_expr *e;
  li2_error *err;
  int failed;
} parser;

static int fail(parser *p, const char *what)
{
  if (!p->failed)
    li2_error_set(p->err, LI2_EINVAL, "expression: %s at column %zu", what, p->pos + 1);
  p->failed = 1;
  return -1;
}

static void skip(parser *p)
{
  while (isspace((unsigned char)p->s[p->pos]))
    p->pos++;
}

static int peek(parser *p, const char *tok)
{
  skip(p);
  return !strncmp(p->s + p->pos, tok, strlen(tok));
}

static int eat(parser *p, const char *tok)
{
  if (!peek(p, tok))
    return 0;
  p->pos += strlen(tok);
  return 1;
}

static int add(parser *p, node_op op, long long v, int a, int b, int c)
{
  li2_expr *e = p->e;
  if (p->failed)
    return -1;
  if (e->count == e->cap) {
    int cap = e->cap ? 2 * e->cap : 32;
    node *n = realloc(e->n, (size_t)cap * sizeof *n);
    if (!n) {
      li2_error_set(p->err, LI2_ENOMEM, "out of memory");
      p->failed = 1;
      return -1;
    }
    e->n = n;
    e->cap = cap;
  }
  if (!(op == N_NUM || op == N_X || op == N_Y || op == N_NEG || op == N_POS || op == N_ADD ||
        op == N_SUB || op == N_MUL || op == N_POW))
    e->ring = 0;
  e->n[e->count] = (node){op, v, a, b, c};
  return e->count++;
}

static int or_expr(parser *p);

static int enter(parser *p)
{
  if (++p->depth > LI2_EXPR_MAX_DEPTH)
    return fail(p, "nested too deeply");
  return 0;
}

static int primary(parser *p)
{
  int r;
  skip(p);
  if (enter(p))
    return -1;
  if (isdigit((unsigned char)p->s[p->pos])) {
    long long v = 0;
    while (isdigit((unsigned char)p->s[p->pos])) {
      int d = p->s[p->pos] - '0';
      if (v > (LLONG_MAX - d) / 10) {
        p->depth--;
        return fail(p, "integer literal too large");
      }
      v = v * 10 + d;
      p->pos++;
    }
    if (isalpha((unsigned char)p->s[p->pos]) || p->s[p->pos] == '.' || p->s[p->pos] == '_') {
      p->depth--;
      return fail(p, "only decimal integer literals");
    }
    r = add(p, N_NUM, v, -1, -1, -1);
  } else if (isalpha((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_') {
    size_t st = p->pos, len;
    while (isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_')
      p->pos++;
    len = p->pos - st;
    if (len == 1 && (p->s[st] == 'x' || p->s[st] == 'y')) {
      r = add(p, p->s[st] == 'x' ? N_X : N_Y, 0, -1, -1, -1);
    } else {
      static const struct { const char *name; node_op op; int nmin, nmax; } fn[] = {
        {"abs", N_ABS, 1, 1}, {"min", N_MIN, 2, 2}, {"max", N_MAX, 2, 2}, {"pow", N_POW, 2, 3}};
      int f = -1, args[3] = {-1, -1, -1}, na = 0;
      for (int i = 0; i < 4; i++)
        if (strlen(fn[i].name) == len && !strncmp(fn[i].name, p->s + st, len))
          f = i;
      if (f < 0) {
        p->pos = st;
        p->depth--;
        return fail(p, "unknown name (the reference's expressions use x and y; li2 knows "
                       "abs, min, max, pow)");
      }
      if (!eat(p, "(")) {
        p->depth--;
        return fail(p, "expected '(' after a function name");
      }
      do {
        if (na == 3) {
          p->depth--;
          return fail(p, "too many arguments");
        }
        args[na++] = or_expr(p);
      } while (!p->failed && eat(p, ","));
      if (!p->failed && !eat(p, ")")) {
        p->depth--;
        return fail(p, "expected ')'");
      }
      if (!p->failed && (na < fn[f].nmin || na > fn[f].nmax)) {
        p->depth--;
        return fail(p, "wrong number of arguments");
      }
      r = add(p, na == 3 ? N_POW3 : fn[f].op, 0, args[0], args[1], args[2]);
    }
  } else if (eat(p, "(")) {
    r = or_expr(p);
    if (!p->failed && !eat(p, ")")) {
      p->depth--;
      return fail(p, "expected ')'");
    }
  } else {
    p->depth--;
    return fail(p, p->s[p->pos] ? "unexpected character" : "unexpected end");
  }
  p->depth--;
  return p->failed ? -1 : r;
}

static int u_expr(parser *p);

/* power: primary ['**' u_expr] (right-associative through u_expr) */
static int power(parser *p)
{
  int a = primary(p);
  if (!p->failed && eat(p, "**")) {
    int b = u_expr(p);
    return add(p, N_POW, 0, a, b, -1);
  }
  return a;
}

static int u_expr(parser *p)
{
  int r;
  if (enter(p))
    return -1;
  if (eat(p, "-"))
    r = add(p, N_NEG, 0, u_expr(p), -1, -1);
  else if (eat(p, "+"))
    r = add(p, N_POS, 0, u_expr(p), -1, -1);
  else if (eat(p, "~"))
    r = add(p, N_INV, 0, u_expr(p), -1, -1);
  else
    r = power(p);
  p->depth--;
  return r;
}

static int m_expr(parser *p)
{
  int a = u_expr(p);
  while (!p->failed) {
    node_op op;
    if (peek(p, "**"))
      break;
    if (eat(p, "*"))
      op = N_MUL;
    else if (eat(p, "//"))
      op = N_FDIV;
    else if (peek(p, "/"))
      return fail(p, "'/' is Python's true division (a float); use //");
    else if (eat(p, "%"))
      op = N_MOD;
    else
      break;
    a = add(p, op, 0, a, u_expr(p), -1);
  }
  return a;
}

static int a_expr(parser *p)
{
  int a = m_expr(p);
  while (!p->failed) {
    if (eat(p, "+"))
      a = add(p, N_ADD, 0, a, m_expr(p), -1);
    else if (eat(p, "-"))
      a = add(p, N_SUB, 0, a, m_expr(p), -1);
    else
      break;
  }
  return a;
}

static int shift_expr(parser *p)
{
  int a = a_expr(p);
  while (!p->failed) {
    if (eat(p, "<<"))
      a = add(p, N_SHL, 0, a, a_expr(p), -1);
    else if (eat(p, ">>"))
      a = add(p, N_SHR, 0, a, a_expr(p), -1);
    else
      break;
  }
  return a;
}

static int and_expr(parser *p)
{
  int a = shift_expr(p);
  while (!p->failed && !peek(p, "&&") && eat(p, "&"))
    a = add(p, N_AND, 0, a, shift_expr(p), -1);
  return a;
}

static int xor_expr(parser *p)
{
  int a = and_expr(p);
  while (!p->failed && eat(p, "^"))
    a = add(p, N_XOR, 0, a, and_expr(p), -1);
  return a;
}

static int or_expr(parser *p)
{
  int a;
  if (enter(p))
    return -1;
  a = xor_expr(p);
  while (!p->failed && !peek(p, "||") && eat(p, "|"))
    a = add(p, N_OR, 0, a, xor_expr(p), -1);
  p->depth--;
  return a;
}

li2_expr *li2_expr_parse(const char *text, li2_error *err)
{
  parser p = {0};
  li2_expr *e;
  if (!text || !*text) {
    li2_error_set(err, LI2_EINVAL, "expression: empty");
    return NULL;
  }
  if (strlen(text) > LI2_EXPR_MAX_LEN) {
    li2_error_set(err, LI2_EINVAL, "expression: longer than %d characters", LI2_EXPR_MAX_LEN);
    return NULL;
  }
  if (!(e = calloc(1, sizeof *e))) {
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    return NULL;
  }
  e->ring = 1;
  p.s = text;
  p.e = e;
  p.err = err;
  e->root = or_expr(&p);
  skip(&p);
  if (!p.failed && p.s[p.pos]) {
    if (strchr("<>=!", p.s[p.pos]))
      fail(&p, "comparisons are not supported");
    else
      fail(&p, "unexpected text after the expression");
  }
  if (p.failed) {
    li2_expr_free(e);
    return NULL;
  }
  return e;
}

void li2_expr_free(li2_expr *e)
{
  if (!e)
    return;
  free(e->n);
  free(e);
}

int li2_expr_is_ring(const li2_expr *e) { return e->ring; }

/* Python's floor division and modulo (b != 0). */
static long long floordiv(long long a, long long b)
{
  long long q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

static long long floormod(long long a, long long b)
{
  long long r = a % b;
  if (r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

enum { E_OK, E_OVERFLOW, E_ZERODIV, E_NEGPOW, E_NEGSHIFT, E_POWMOD0, E_BIGEXP };

/* Exact value of node I; E_OVERFLOW when it leaves 64 bits. */
static int exact(const li2_expr *e, int i, long long x, long long y, long long *out)
{
  const node *n = &e->n[i];
  long long a = 0, b = 0, c = 0, r = 0;
  int rc;
  if (n->a >= 0 && (rc = exact(e, n->a, x, y, &a)))
    return rc;
  if (n->b >= 0 && (rc = exact(e, n->b, x, y, &b)))
    return rc;
  if (n->c >= 0 && (rc = exact(e, n->c, x, y, &c)))
    return rc;
  switch (n->op) {
  case N_NUM: r = n->v; break;
  case N_X: r = x; break;
  case N_Y: r = y; break;
  case N_NEG:
    if (a == LLONG_MIN)
      return E_OVERFLOW;
    r = -a;
    break;
  case N_POS: r = a; break;
  case N_INV: r = ~a; break;
  case N_ADD: if (__builtin_add_overflow(a, b, &r)) return E_OVERFLOW; break;
  case N_SUB: if (__builtin_sub_overflow(a, b, &r)) return E_OVERFLOW; break;
  case N_MUL: if (__builtin_mul_overflow(a, b, &r)) return E_OVERFLOW; break;
  case N_FDIV:
    if (b == 0)
      return E_ZERODIV;
    if (a == LLONG_MIN && b == -1)
      return E_OVERFLOW;
    r = floordiv(a, b);
    break;
  case N_MOD:
    if (b == 0)
      return E_ZERODIV;
    r = b == -1 ? 0 : floormod(a, b);
    break;
  case N_POW:
  case N_POW3: {
    long long base = a, ex = b, m = c;
    if (ex < 0)
      return E_NEGPOW;
    if (n->op == N_POW3) {
      /* pow(a, b, m): Python's three-argument pow, result with the sign of m;
       * m = 0 refused before any '%' (Python: ValueError), m = +-1 gives 0
       * without floormod (LLONG_MIN % -1 overflows; fuzz_expr found both) */
      __int128 acc, bb;
      if (m == 0)
        return E_POWMOD0;
      if (m == 1 || m == -1) {
        r = 0;
        break;
      }
      acc = 1;
      bb = floormod(base, m);
      for (; ex; ex >>= 1) {
        if (ex & 1)
          acc = (acc * bb) % m;
        bb = (bb * bb) % m;
      }
      r = floormod((long long)acc, m);
      break;
    }
    r = 1;
    for (; ex; ex >>= 1) {
      if ((ex & 1) && __builtin_mul_overflow(r, base, &r))
        return E_OVERFLOW;
      if ((ex >> 1) && __builtin_mul_overflow(base, base, &base))
        return E_OVERFLOW;
    }
    break;
  }
  case N_SHL:
    if (b < 0)
      return E_NEGSHIFT;
    if (b >= 63 || (a && (a > (LLONG_MAX >> b) || a < (LLONG_MIN >> b))))
      return a ? E_OVERFLOW : (r = 0, E_OK);
    r = (long long)((unsigned long long)a << b);
    break;
  case N_SHR:
    if (b < 0)
      return E_NEGSHIFT;
    r = b >= 63 ? (a < 0 ? -1 : 0) : a >> b;  /* arithmetic: Python floors */
    break;
  case N_AND: r = a & b; break;
  case N_XOR: r = a ^ b; break;
  case N_OR: r = a | b; break;
  case N_ABS:
    if (a == LLONG_MIN)
      return E_OVERFLOW;
    r = a < 0 ? -a : a;
    break;
  case N_MIN: r = a < b ? a : b; break;
  case N_MAX: r = a > b ? a : b; break;
  }
  *out = r;
  return E_OK;
}

/* Value of node I mod M for a ring expression (M < 2^31). */
static long long modular(const li2_expr *e, int i, long long x, long long y, long long M)
{
  const node *n = &e->n[i];
  long long a = n->a >= 0 ? modular(e, n->a, x, y, M) : 0, b = 0;
  /* -1 (an exponent outside 64 bits below; -2 a negative one) goes up to
   * the root: used as a residue it gave a wrong z, -(2**(3**50)) mod 7 as 1 */
  if (a < 0)
    return a;
  if (n->b >= 0 && n->op != N_POW && (b = modular(e, n->b, x, y, M)) < 0)
    return b;
  switch (n->op) {
  case N_NUM: return n->v % M;
  case N_X: return floormod(x, M);
  case N_Y: return floormod(y, M);
  case N_NEG: return (M - a) % M;
  case N_POS: return a;
  case N_ADD: return (a + b) % M;
  case N_SUB: return (a - b + M) % M;
  case N_MUL: return (a * b) % M;
  case N_POW: {
    /* the exponent itself is exact (a negative one was refused before) */
    long long ex, r = 1 % M, base = a;
    int rc = exact(e, n->b, x, y, &ex);
    if (rc != E_OK || ex < 0)
      return rc == E_NEGPOW || (rc == E_OK && ex < 0) ? -2 : -1;
    for (; ex; ex >>= 1) {
      if (ex & 1)
        r = r * base % M;
      base = base * base % M;
    }
    return r;
  }
  default: return -1;
  }
}

int li2_expr_eval_mod(const li2_expr *e, long x, long y, long M, long *z, li2_error *err)
{
  long long v;
  int rc = exact(e, e->root, x, y, &v);
  const char *why = NULL;
  if (M <= 0 || M > INT_MAX)
    return li2_error_set(err, LI2_EINVAL, "expression: modulus %ld outside 1..%d", M, INT_MAX);
  if (rc == E_OK) {
    *z = (long)floormod(v, M);
    return LI2_SUCCESS;
  }
  if (rc == E_OVERFLOW && e->ring) {
    long long m = modular(e, e->root, x, y, M);
    if (m >= 0) {
      *z = (long)m;
      return LI2_SUCCESS;
    }
    rc = m == -2 ? E_NEGPOW : E_BIGEXP;
  }
  why = rc == E_ZERODIV ? "division by zero (Python raises ZeroDivisionError)"
        : rc == E_NEGPOW ? "a negative exponent (Python gives a float)"
        : rc == E_NEGSHIFT ? "a negative shift count (Python raises ValueError)"
        : rc == E_POWMOD0 ? "pow() with modulus 0 (Python raises ValueError)"
        : rc == E_BIGEXP ? "an exponent outside 64 bits (Python computes the whole power first)"
                           : "an intermediate value outside 64 bits with operators other than "
                             "+ - * ** (li2 then cannot reduce mod M)";
  return li2_error_set(err, LI2_EINVAL, "expression at x=%ld y=%ld: %s", x, y, why);
}

int li2_expr_table(const li2_expr *e, size_t M, int *table, li2_error *err)
{
  for (size_t x = 0; x < M; x++)
    for (size_t y = 0; y < M; y++) {
      long z;
      int rc = li2_expr_eval_mod(e, (long)x, (long)y, (long)M, &z, err);
      if (rc)
        return rc;
      table[x * M + y] = (int)z;
    }
  return LI2_SUCCESS;
}
