/* The paper's claims as numeric checks: claim files, rules, and the
 * registry of measurement procedures (see verify.h). */
#include "verify.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "characters.h"
#include "dataset.h"
#include "fourier.h"
#include "gradient.h"
#include "group.h"
#include "io.h"
#include "lazy.h"
#include "maxima.h"
#include "model.h"
#include "stages.h"
#include "train.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* ------------------------------------------------------------------ */
/* claim files                                                         */

typedef struct entry {
  char *key, *value;
  int line;
} entry;

struct li2_verify_claim {
  char *path;
  entry *e;
  size_t n, cap;
  const struct kind *kind;
};

typedef int (*kind_fn)(const li2_verify_claim *c, int quick, int threads,
                       li2_verify_result *r, li2_error *err);

typedef struct kind {
  const char *name;
  const char *const *params;    /* parameters it reads */
  const char *const *measures;  /* measures it reports, usable in rules */
  kind_fn run;
} kind;

static const kind *kind_find(const char *name);

/* keys every claim may hold besides the kind's parameters */
static const char *const common_keys[] = {"id", "statement", "source", "kind", "verdict",
                                          "fail_if", "tolerance", "quick", NULL};

static int in_list(const char *const *list, const char *s)
{
  for (size_t i = 0; list && list[i]; i++)
    if (!strcmp(list[i], s))
      return 1;
  return 0;
}

static const entry *find(const li2_verify_claim *c, const char *key)
{
  for (size_t i = 0; i < c->n; i++)
    if (!strcmp(c->e[i].key, key))
      return &c->e[i];
  return NULL;
}

void li2_verify_claim_free(li2_verify_claim *c)
{
  if (!c)
    return;
  for (size_t i = 0; i < c->n; i++) {
    free(c->e[i].key);
    free(c->e[i].value);
  }
  free(c->e);
  free(c->path);
  free(c);
}

static char *trim(char *s)
{
  while (isspace((unsigned char)*s))
    s++;
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1]))
    s[--n] = 0;
  return s;
}

static int valid_key(const char *k)
{
  if (!*k)
    return 0;
  for (const char *p = k; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
      return 0;
  return 1;
}

static int add_entry(li2_verify_claim *c, const char *key, const char *value, int line,
                     li2_error *err)
{
  const entry *old = find(c, key);
  if (old)
    return li2_error_set(err, LI2_EFORMAT, "%s:%d: key '%s' repeated (first on line %d)",
                         c->path, line, key, old->line);
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 16;
    entry *e = realloc(c->e, cap * sizeof *e);
    if (!e)
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    c->e = e;
    c->cap = cap;
  }
  entry *e = &c->e[c->n];
  e->key = strdup(key);
  e->value = strdup(value);
  e->line = line;
  if (!e->key || !e->value) {
    free(e->key);
    free(e->value);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  c->n++;
  return LI2_SUCCESS;
}

static int is_number(const char *s, double *x)
{
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end || errno)
    return 0;
  if (x)
    *x = v;
  return 1;
}

/* Syntax of a rule and whether its names exist (measure of the kind or a
 * key of the claim). */
static int rule_check(const li2_verify_claim *c, const entry *rule, li2_error *err)
{
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", rule->value);
  char *save = NULL, *tok[64];
  size_t nt = 0;
  for (char *t = strtok_r(buf, " \t", &save); t && nt < 64; t = strtok_r(NULL, " \t", &save))
    tok[nt++] = t;
  if (nt == 0 || nt % 4 != 3)
    return li2_error_set(err, LI2_EFORMAT,
                         "%s:%d: %s: expected 'NAME OP VALUE [and|or NAME OP VALUE ...]', got '%s'",
                         c->path, rule->line, rule->key, rule->value);
  for (size_t i = 0; i < nt; i += 4) {
    const char *op = tok[i + 1];
    if (strcmp(op, "<=") && strcmp(op, "<") && strcmp(op, ">=") && strcmp(op, ">"))
      return li2_error_set(err, LI2_EFORMAT, "%s:%d: %s: unknown operator '%s' (<=, <, >=, >)",
                           c->path, rule->line, rule->key, op);
    if (i + 3 < nt && strcmp(tok[i + 3], "and") && strcmp(tok[i + 3], "or"))
      return li2_error_set(err, LI2_EFORMAT, "%s:%d: %s: expected 'and' or 'or', got '%s'",
                           c->path, rule->line, rule->key, tok[i + 3]);
    for (int s = 0; s < 3; s += 2) {
      const char *name = tok[i + s];
      if (is_number(name, NULL) || in_list(c->kind->measures, name))
        continue;
      const entry *p = find(c, name);
      if (p && p != rule && strcmp(name, "verdict") && strcmp(name, "fail_if") &&
          is_number(p->value, NULL))
        continue;
      return li2_error_set(err, LI2_EFORMAT,
                           "%s:%d: %s: '%s' is neither a number, a measure of kind %s nor a "
                           "numeric parameter of the claim",
                           c->path, rule->line, rule->key, name, c->kind->name);
    }
  }
  return LI2_SUCCESS;
}

int li2_verify_claim_parse(const char *text, const char *path, li2_verify_claim **out,
                           li2_error *err)
{
  li2_verify_claim *c = calloc(1, sizeof *c);
  char *line = NULL;
  size_t cap = 0;
  int rc = LI2_SUCCESS;
  *out = NULL;
  if (!c || !(c->path = strdup(path ? path : "(claim)"))) {
    free(c);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  const char *p = text;
  int lineno = 0;
  while (*p) {
    /* one logical line: physical lines joined at a trailing '\' */
    int first = lineno + 1;
    size_t len = 0;
    for (;;) {
      if (len > 0)  /* a continuation: its indentation is not content */
        while (*p == ' ' || *p == '\t')
          p++;
      const char *nl = strchr(p, '\n');
      size_t l = nl ? (size_t)(nl - p) : strlen(p);
      lineno++;
      if (len + l + 2 > cap) {
        size_t nc = 2 * (len + l + 2);
        char *b = realloc(line, nc);
        if (!b) {
          rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
          goto fail;
        }
        line = b;
        cap = nc;
      }
      memcpy(line + len, p, l);
      len += l;
      line[len] = 0;
      p = nl ? nl + 1 : p + l;
      while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        line[--len] = 0;
      if (len > 0 && line[len - 1] == '\\' && *p) {
        /* join with exactly one space */
        line[--len] = 0;
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
          line[--len] = 0;
        line[len++] = ' ';
        line[len] = 0;
        continue;
      }
      break;
    }
    char *s = trim(line);
    if (!*s || *s == '#')
      continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s:%d: expected 'key = value', got '%.60s'",
                         c->path, first, s);
      goto fail;
    }
    *eq = 0;
    char *key = trim(s), *value = trim(eq + 1);
    if (!valid_key(key)) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s:%d: bad key '%.60s' (letters, digits, '_', '.')",
                         c->path, first, key);
      goto fail;
    }
    if (!*value) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s:%d: key '%s' has an empty value", c->path, first,
                         key);
      goto fail;
    }
    if ((rc = add_entry(c, key, value, first, err)))
      goto fail;
  }
  static const char *const required[] = {"id", "statement", "source", "kind", "verdict", NULL};
  for (size_t i = 0; required[i]; i++)
    if (!find(c, required[i])) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s: missing required key '%s'", c->path,
                         required[i]);
      goto fail;
    }
  const entry *k = find(c, "kind");
  if (!(c->kind = kind_find(k->value))) {
    char list[256] = "";
    for (const char *const *n = li2_verify_kinds(); *n; n++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", n == li2_verify_kinds() ? "" : ", ", *n);
    rc = li2_error_set(err, LI2_EFORMAT, "%s:%d: unknown kind '%s' (known: %s)", c->path,
                       k->line, k->value, list);
    goto fail;
  }
  for (size_t i = 0; i < c->n; i++) {
    const char *key = c->e[i].key;
    int quick = !strncmp(key, "quick.", 6);
    const char *base = quick ? key + 6 : key;
    if ((!quick && in_list(common_keys, base)) || in_list(c->kind->params, base) ||
        (quick && !strcmp(base, "tolerance")))
      continue;
    rc = li2_error_set(err, LI2_EFORMAT, "%s:%d: key '%s' is not a parameter of kind %s",
                       c->path, c->e[i].line, key, c->kind->name);
    goto fail;
  }
  const entry *q = find(c, "quick");
  if (q && strcmp(q->value, "yes") &&
      (strncmp(q->value, "no", 2) || (q->value[2] && q->value[2] != ':'))) {
    rc = li2_error_set(err, LI2_EFORMAT, "%s:%d: quick: expected 'yes' or 'no: REASON', got '%s'",
                       c->path, q->line, q->value);
    goto fail;
  }
  if ((rc = rule_check(c, find(c, "verdict"), err)))
    goto fail;
  if (find(c, "fail_if") && (rc = rule_check(c, find(c, "fail_if"), err)))
    goto fail;
  free(line);
  *out = c;
  return LI2_SUCCESS;
fail:
  free(line);
  li2_verify_claim_free(c);
  return rc;
}

int li2_verify_claim_load(const char *path, li2_verify_claim **out, li2_error *err)
{
  char *text = NULL;
  size_t len;
  int rc;
  *out = NULL;
  if ((rc = li2_io_read_file(path, &text, &len, err)))
    return rc;
  if (strlen(text) != len) {
    free(text);
    return li2_error_set(err, LI2_EFORMAT, "%s: contains a NUL byte", path);
  }
  rc = li2_verify_claim_parse(text, path, out, err);
  free(text);
  return rc;
}

#define GETTER(name, key)                                                \
  const char *li2_verify_claim_##name(const li2_verify_claim *c)         \
  {                                                                      \
    const entry *e = find(c, key);                                       \
    return e ? e->value : "";                                            \
  }
GETTER(id, "id")
GETTER(statement, "statement")
GETTER(source, "source")
GETTER(kind, "kind")
GETTER(rule, "verdict")

const char *li2_verify_claim_path(const li2_verify_claim *c) { return c->path; }

int li2_verify_claim_has_quick(const li2_verify_claim *c, const char **reason)
{
  const entry *q = find(c, "quick");
  int yes = !q || !strcmp(q->value, "yes");
  if (reason) {
    const char *s = yes ? "" : q->value + 2;
    s += *s == ':';
    while (isspace((unsigned char)*s))
      s++;
    *reason = s;
  }
  return yes;
}

const char *li2_verify_claim_param(const li2_verify_claim *c, const char *key, int quick,
                                   int *line)
{
  const entry *e = NULL;
  if (quick) {
    char q[128];
    snprintf(q, sizeof q, "quick.%s", key);
    e = find(c, q);
  }
  if (!e)
    e = find(c, key);
  if (line)
    *line = e ? e->line : 0;
  return e ? e->value : NULL;
}

const char *li2_verify_verdict_name(int v)
{
  return v == LI2_VERIFY_PASS ? "PASS" : v == LI2_VERIFY_FAIL ? "FAIL"
       : v == LI2_VERIFY_NOT_RUN ? "NOT-RUN" : "INCONCLUSIVE";
}

void li2_verify_result_clear(li2_verify_result *r)
{
  if (!r)
    return;
  free(r->detail);
  memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ */
/* typed parameters                                                    */

static int p_string(const li2_verify_claim *c, int quick, const char *key, const char *def,
                    const char **out, li2_error *err)
{
  *out = li2_verify_claim_param(c, key, quick, NULL);
  if (!*out)
    *out = def;
  if (!*out)
    return li2_error_set(err, LI2_EFORMAT, "%s: missing parameter '%s' (kind %s)", c->path,
                         key, c->kind->name);
  return LI2_SUCCESS;
}

static int p_double(const li2_verify_claim *c, int quick, const char *key, const char *def,
                    double min, double max, double *out, li2_error *err)
{
  int line;
  const char *v = li2_verify_claim_param(c, key, quick, &line);
  if (!v)
    v = def;
  if (!v)
    return li2_error_set(err, LI2_EFORMAT, "%s: missing parameter '%s' (kind %s)", c->path,
                         key, c->kind->name);
  if (!is_number(v, out) || !isfinite(*out) || *out < min || *out > max) {
    if (line)
      return li2_error_set(err, LI2_EFORMAT, "%s:%d: %s: '%s' is not a number in [%g, %g]",
                           c->path, line, key, v, min, max);
    return li2_error_set(err, LI2_EINVAL, "%s: default %s = %s invalid", c->path, key, v);
  }
  return LI2_SUCCESS;
}

static int p_long(const li2_verify_claim *c, int quick, const char *key, const char *def,
                  long min, long max, long *out, li2_error *err)
{
  double x;
  int line, rc;
  if ((rc = p_double(c, quick, key, def, (double)min, (double)max, &x, err)))
    return rc;
  li2_verify_claim_param(c, key, quick, &line);
  if (x != floor(x))
    return li2_error_set(err, LI2_EFORMAT, "%s:%d: %s: '%g' is not an integer", c->path, line,
                         key, x);
  *out = (long)x;
  return LI2_SUCCESS;
}

/* error from a library call on a parameter's value: prefix file and line */
static int p_fail(const li2_verify_claim *c, int quick, const char *key, li2_error *err)
{
  int line;
  li2_verify_claim_param(c, key, quick, &line);
  if (line)
    li2_error_prefix(err, "%s:%d: %s: ", c->path, line, key);
  else
    li2_error_prefix(err, "%s: %s: ", c->path, key);
  return err && err->code ? err->code : LI2_EINVAL;
}

/* ------------------------------------------------------------------ */
/* results                                                             */

static void measure_set(li2_verify_result *r, const char *name, double x)
{
  for (size_t i = 0; i < r->nmeasures; i++)
    if (!strcmp(r->measure_name[i], name)) {
      r->measure[i] = x;
      return;
    }
  if (r->nmeasures < LI2_VERIFY_MAX_MEASURES) {
    snprintf(r->measure_name[r->nmeasures], sizeof r->measure_name[0], "%s", name);
    r->measure[r->nmeasures++] = x;
  }
}

/* growing markdown text */
typedef struct text {
  char *s;
  size_t len, cap;
} text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void tprintf(text *t, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if (t->len + (size_t)n + 1 > t->cap) {
    size_t nc = 2 * (t->len + (size_t)n + 1);
    char *s = realloc(t->s, nc);
    if (!s)
      return;
    t->s = s;
    t->cap = nc;
  }
  va_start(ap, fmt);
  vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

static double operand(const li2_verify_claim *c, int quick, const li2_verify_result *r,
                      const char *name)
{
  double x;
  if (is_number(name, &x))
    return x;
  for (size_t i = 0; i < r->nmeasures; i++)
    if (!strcmp(r->measure_name[i], name))
      return r->measure[i];
  const char *v = li2_verify_claim_param(c, name, quick, NULL);
  return v && is_number(v, &x) ? x : NAN;
}

int li2_verify_rule_eval(const li2_verify_claim *c, const char *rule, int quick,
                         const li2_verify_result *r, li2_error *err)
{
  char buf[1024];
  char *save = NULL, *tok[64];
  size_t nt = 0;
  /* 'and' binds tighter than 'or'; three-valued: 1, 0, -1 (undecided) */
  int any_true = 0, any_undecided = 0, conj = 1;
  (void)err;
  snprintf(buf, sizeof buf, "%s", rule);
  for (char *t = strtok_r(buf, " \t", &save); t && nt < 64; t = strtok_r(NULL, " \t", &save))
    tok[nt++] = t;
  for (size_t i = 0; i + 2 < nt; i += 4) {
    double a = operand(c, quick, r, tok[i]), b = operand(c, quick, r, tok[i + 2]);
    const char *op = tok[i + 1];
    if (isnan(a) || isnan(b)) {
      if (conj == 1)
        conj = -1;
    } else {
      int holds = !strcmp(op, "<=") ? a <= b : !strcmp(op, "<") ? a < b
                : !strcmp(op, ">=") ? a >= b : a > b;
      if (!holds)
        conj = 0;
    }
    if (i + 3 >= nt || !strcmp(tok[i + 3], "or")) {
      any_true |= conj == 1;
      any_undecided |= conj == -1;
      conj = 1;
    }
  }
  return any_true ? 1 : any_undecided ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* list helpers                                                        */

/* Split a comma-separated list into trimmed words (in place). */
static size_t split_list(char *s, char **words, size_t max)
{
  size_t n = 0;
  char *save = NULL;
  for (char *t = strtok_r(s, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save)) {
    t = trim(t);
    if (*t)
      words[n++] = t;
  }
  return n;
}

/* ------------------------------------------------------------------ */
/* C1: certified maxima energies M/(2 d_R) (THEORY.md section 3)        */

static const char *const maxima_params[] = {"groups", "starts", "seed", NULL};
static const char *const maxima_measures[] = {"max_rel_error", "maxima", "impure_maxima",
                                              "groups_without_max", "components_found",
                                              "components_total", NULL};

static int kind_maxima(const li2_verify_claim *c, int quick, int threads, li2_verify_result *r,
                       li2_error *err)
{
  const char *groups;
  long starts, seed;
  int rc;
  if ((rc = p_string(c, quick, "groups", NULL, &groups, err)) ||
      (rc = p_long(c, quick, "starts", "16", 1, 100000, &starts, err)) ||
      (rc = p_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)))
    return rc;
  char *list = strdup(groups), *names[64];
  if (!list)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  size_t ng = split_list(list, names, 64);
  text t = {0};
  double worst = -1;
  size_t nmax = 0, nimpure = 0, nwithout = 0, found = 0, total = 0;
  tprintf(&t, "| group | M | component | d_R | predicted M/(2 d_R) | measured | maxima |\n"
              "|---|---|---|---|---|---|---|\n");
  for (size_t gi = 0; gi < ng && !rc; gi++) {
    li2_group *g = NULL;
    li2_characters *ct = NULL;
    li2_dataset *d = NULL;
    li2_maxima_result *res = NULL;
    li2_maxima_params mp;
    if (!(g = li2_group_alloc_name(names[gi], err))) {
      rc = p_fail(c, quick, "groups", err);
      goto next;
    }
    if (!(ct = li2_characters_alloc(g, err)) || !(d = li2_dataset_alloc_full(g, 2, err))) {
      rc = err->code;
      goto next;
    }
    li2_maxima_params_default(&mp);
    mp.threads = threads;
    if ((rc = li2_maxima_search(g, ct, d, LI2_ACT_SQR, LI2_ENERGY_RAW, &mp, (size_t)starts,
                                (unsigned long)seed, NULL, &res, err)))
      goto next;
    int *seen = calloc(ct->ncomponents, sizeof *seen);
    size_t here = 0;
    for (size_t i = 0; i < res->ngroups; i++) {
      const li2_maxima_group *mg = &res->groups[i];
      if (mg->label != LI2_MAXIMA_MAX)
        continue;
      here++;
      nmax += mg->count;
      if (mg->component < 1 || !mg->pure) {
        nimpure += mg->count;
        tprintf(&t, "| %s | %zu | impure (dominant %d) | - | - | %.10g | %zu |\n", g->name,
                g->order, mg->component, mg->energy, mg->count);
        continue;
      }
      /* the prediction: li2's closed form from the character table */
      double pred = li2_characters_predicted_energy(ct, g->order, (size_t)mg->component);
      double e1 = fabs(mg->energy_min - pred) / pred, e2 = fabs(mg->energy_max - pred) / pred;
      double rel = e1 > e2 ? e1 : e2;
      if (seen)
        seen[mg->component] = 1;
      if (rel > worst) {
        worst = rel;
        r->predicted = pred;
        r->measured = e1 > e2 ? mg->energy_min : mg->energy_max;
      }
      tprintf(&t, "| %s | %zu | %d | %d | %.10g | %.10g | %zu |\n", g->name, g->order,
              mg->component, ct->component_real_dim[mg->component], pred, mg->energy,
              mg->count);
    }
    if (!here)
      nwithout++;
    for (size_t k = 1; k < ct->ncomponents; k++)
      found += seen && seen[k];
    total += ct->ncomponents - 1;
    free(seen);
  next:
    li2_maxima_result_free(res);
    li2_dataset_free(d);
    li2_characters_free(ct);
    li2_group_free(g);
  }
  free(list);
  if (!rc) {
    measure_set(r, "max_rel_error", worst >= 0 ? worst : NAN);
    measure_set(r, "maxima", (double)nmax);
    measure_set(r, "impure_maxima", (double)nimpure);
    measure_set(r, "groups_without_max", (double)nwithout);
    measure_set(r, "components_found", (double)found);
    measure_set(r, "components_total", (double)total);
    snprintf(r->what, sizeof r->what, "worst certified maximum: energy M/(2 d_R) vs found");
    tprintf(&t, "\n%zu certified maxima from %ld starts per group; %zu of %zu nontrivial "
                "components reached (the claim is about the energies of the maxima found, "
                "not that random starts reach every component).\n",
            nmax, starts, found, total);
  }
  r->detail = t.s;
  return rc;
}

/* ------------------------------------------------------------------ */
/* features for the lazy-stage claims (THEORY.md sections 2 and 5)      */

static const char *const lazy_params[] = {"group", "train_size", "seed", "fresh", "fresh_scale",
                                          "nodes", "activation", "eta", "features", "train",
                                          NULL};

typedef struct lazy_setup {
  li2_group *g;
  li2_characters *ct;
  li2_fourier *f;
  li2_dataset *d;          /* owned (built features) */
  li2_model *m;            /* owned (built features) */
  li2_trainer *t;          /* trained features */
  li2_lazy *A;
  size_t *comp, ns, fresh;
  double *eta;
  size_t neta;
  char desc[256];
} lazy_setup;

static void lazy_free(lazy_setup *s)
{
  li2_lazy_free(s->A);
  li2_trainer_free(s->t);
  li2_model_free(s->m);
  li2_dataset_free(s->d);
  li2_fourier_free(s->f);
  li2_characters_free(s->ct);
  li2_group_free(s->g);
  free(s->comp);
  free(s->eta);
  memset(s, 0, sizeof *s);
}

/* Split "key=value key=value" into words and run the trainer's parser. */
static int train_config(const li2_verify_claim *c, int quick, const char *key,
                        const char *extra, li2_train_config *cfg, li2_error *err)
{
  const char *spec;
  int rc;
  if ((rc = p_string(c, quick, key, NULL, &spec, err)))
    return rc;
  size_t len = strlen(spec) + (extra ? strlen(extra) : 0) + 2;
  char *buf = malloc(len), *argv[128], *save = NULL;
  int argc = 0;
  li2_args *a = NULL;
  if (!buf)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  snprintf(buf, len, "%s %s", spec, extra ? extra : "");
  for (char *w = strtok_r(buf, " \t", &save); w && argc < 128; w = strtok_r(NULL, " \t", &save))
    argv[argc++] = w;
  rc = li2_args_parse(&a, li2_train_spec, argc, argv, err);
  if (!rc)
    rc = li2_train_config_from_args(a, cfg, err);
  li2_args_free(a);
  free(buf);
  if (rc)
    return p_fail(c, quick, key, err);
  return LI2_SUCCESS;
}

/* The claim's "train" configuration (with EXTRA) trained for its epochs
 * and tested into TM.  *T, when allocated, is the caller's to free, also
 * on failure. */
static int train_trained(const li2_verify_claim *c, int quick, int threads, const char *extra,
                         li2_train_config *cfg, li2_trainer **t, li2_train_metrics *tm,
                         li2_error *err)
{
  int rc;
  *t = NULL;
  if ((rc = train_config(c, quick, "train", extra, cfg, err)))
    return rc;
  if (threads >= 0)  /* < 0: inside a parallel job (run_jobs) */
    li2_train_set_threads(threads);
  if (!(*t = li2_trainer_alloc(cfg, NULL, NULL, err)))
    return p_fail(c, quick, "train", err);
  for (long e = 0; !rc && e < cfg->num_epochs; e++)
    rc = li2_trainer_iterate(*t, err);
  if (!rc)
    rc = li2_trainer_test(*t, tm, err);
  return rc;
}

static int lazy_prepare(const li2_verify_claim *c, int quick, int threads, int want_nodes,
                        lazy_setup *s, li2_error *err)
{
  const char *features, *gname, *act_name, *eta_spec, *nodes;
  long train_size, seed, fresh;
  double fresh_scale;
  li2_activation act;
  int rc;
  memset(s, 0, sizeof *s);
  if ((rc = p_string(c, quick, "features", "built", &features, err)) ||
      (rc = p_string(c, quick, "eta", NULL, &eta_spec, err)))
    return rc;
  if ((rc = li2_gradient_eta_parse(eta_spec, "eta", &s->eta, &s->neta, err)))
    return p_fail(c, quick, "eta", err);
  if (!strcmp(features, "trained")) {
    li2_train_config cfg;
    li2_train_metrics tm;
    if ((rc = train_trained(c, quick, threads, NULL, &cfg, &s->t, &tm, err)))
      goto fail;
    const li2_dataset *d = li2_trainer_dataset(s->t);
    if (!(s->g = li2_group_alloc_name(cfg.group, err)) ||
        !(s->ct = li2_characters_alloc(s->g, err)) ||
        !(s->f = li2_fourier_alloc(s->g, s->ct, LI2_FOURIER_AUTO, err)) ||
        !(s->A = li2_lazy_alloc(li2_trainer_model(s->t), d->ntrain, err))) {
      rc = err->code;
      goto fail;
    }
    if ((rc = li2_lazy_set(s->A, d->train_x, d->train_y, err)))
      goto fail;
    snprintf(s->desc, sizeof s->desc,
             "features of a trained network: %s, K = %zu, n = %zu, %ld epochs "
             "(train acc %.3f, test acc %.3f)",
             s->g->name, cfg.hidden_size, d->ntrain, cfg.num_epochs, tm.train_acc, tm.test_acc);
    return LI2_SUCCESS;
  }
  if (strcmp(features, "built")) {
    rc = li2_error_set(err, LI2_EINVAL, "'%s' is not built or trained", features);
    return p_fail(c, quick, "features", err);
  }
  if ((rc = p_string(c, quick, "group", NULL, &gname, err)) ||
      (rc = p_string(c, quick, "activation", "sqr", &act_name, err)) ||
      (rc = p_long(c, quick, "train_size", "0", 0, 1L << 40, &train_size, err)) ||
      (rc = p_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)) ||
      (rc = p_long(c, quick, "fresh", "8", 0, 1000000, &fresh, err)) ||
      (rc = p_double(c, quick, "fresh_scale", "0.05", 0, 1e6, &fresh_scale, err)))
    goto fail;
  if ((rc = li2_activation_parse(act_name, &act, "activation", err))) {
    rc = p_fail(c, quick, "activation", err);
    goto fail;
  }
  if (!(s->g = li2_group_alloc_name(gname, err))) {
    rc = p_fail(c, quick, "group", err);
    goto fail;
  }
  if (!(s->ct = li2_characters_alloc(s->g, err)) ||
      !(s->f = li2_fourier_alloc(s->g, s->ct, LI2_FOURIER_AUTO, err))) {
    rc = err->code;
    goto fail;
  }
  nodes = li2_verify_claim_param(c, "nodes", quick, NULL);
  if (want_nodes && !nodes) {
    rc = li2_error_set(err, LI2_EFORMAT, "%s: missing parameter 'nodes' (kind %s)", c->path,
                       c->kind->name);
    goto fail;
  }
  if (nodes && (rc = li2_gradient_nodes_parse(nodes, "nodes", li2_fourier_ncomponents(s->f),
                                              &s->comp, &s->ns, err))) {
    rc = p_fail(c, quick, "nodes", err);
    goto fail;
  }
  s->fresh = (size_t)fresh;
  if (s->fresh + s->ns == 0) {
    rc = li2_error_set(err, LI2_EINVAL, "no nodes (fresh = 0 and no nodes)");
    rc = p_fail(c, quick, "fresh", err);
    goto fail;
  }
  if (train_size > 0) {
    li2_split_params sp;
    li2_split_params_default(&sp);
    sp.train_size = train_size;
    sp.seed = (unsigned long)seed;
    s->d = li2_dataset_alloc_split(s->g, 2, &sp, err);
  } else {
    s->d = li2_dataset_alloc_full(s->g, 2, err);
  }
  if (!s->d) {
    rc = p_fail(c, quick, "train_size", err);
    goto fail;
  }
  if (!(s->m = li2_lazy_model_alloc(s->g, s->f, act, s->fresh, fresh_scale, s->comp, s->ns,
                                    (unsigned long)seed, err)) ||
      !(s->A = li2_lazy_alloc(s->m, s->d->ntrain, err))) {
    rc = err->code;
    goto fail;
  }
  if ((rc = li2_lazy_set(s->A, s->d->train_x, s->d->train_y, err)))
    goto fail;
  snprintf(s->desc, sizeof s->desc,
           "built features: %s, n = %zu, %zu fresh nodes (std %g) and %zu exact nodes",
           s->g->name, s->d->ntrain, s->fresh, fresh_scale, s->ns);
  return LI2_SUCCESS;
fail:
  lazy_free(s);
  return rc;
}

/* The lazy checks at every eta of S into *CHK (caller frees, also on failure). */
static int lazy_sweep(lazy_setup *s, li2_lazy_check **chk, li2_error *err)
{
  if (!(*chk = calloc(s->neta, sizeof **chk)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  return li2_lazy_check_sweep(s->A, -1, s->eta, s->neta, *chk, err);
}

/* ---- C2: closed form = chain rule (THEORY.md section 2) ---- */

static const char *const closed_measures[] = {"max_rel_error", "min_gf_norm", NULL};

static int kind_closed_form(const li2_verify_claim *c, int quick, int threads,
                            li2_verify_result *r, li2_error *err)
{
  lazy_setup s;
  int rc;
  if ((rc = lazy_prepare(c, quick, threads, 0, &s, err)))
    return rc;
  li2_lazy_check *chk = NULL;
  text t = {0};
  if (!(rc = lazy_sweep(&s, &chk, err))) {
    double worst = 0, gmin = INFINITY;
    tprintf(&t, "%s.\n\n| eta | rel. diff G_F | rel. diff R | \\|G_F\\| |\n|---|---|---|---|\n",
            s.desc);
    for (size_t i = 0; i < s.neta; i++) {
      double e = chk[i].cf_rel > chk[i].r_rel ? chk[i].cf_rel : chk[i].r_rel;
      if (!(e <= worst))
        worst = e;  /* NaN propagates */
      if (chk[i].gf_norm < gmin)
        gmin = chk[i].gf_norm;
      tprintf(&t, "| %g | %.3e | %.3e | %.6g |\n", chk[i].eta, chk[i].cf_rel, chk[i].r_rel,
              chk[i].gf_norm);
    }
    measure_set(r, "max_rel_error", worst);
    measure_set(r, "min_gf_norm", gmin);
    r->predicted = 0;
    r->measured = worst;
    snprintf(r->what, sizeof r->what, "rel. difference closed-form G_F, R vs chain rule");
  }
  r->detail = t.s;
  free(chk);
  lazy_free(&s);
  return rc;
}

/* ---- C3: independence grows with eta (THEORY.md section 2) ---- */

static const char *const indep_measures[] = {"rel_distance_first", "rel_distance_last",
                                             "own_share_first", "own_share_last", "monotone",
                                             "decay_exponent", "exponent_error", NULL};

static int kind_independence(const li2_verify_claim *c, int quick, int threads,
                             li2_verify_result *r, li2_error *err)
{
  lazy_setup s;
  int rc;
  if ((rc = lazy_prepare(c, quick, threads, 0, &s, err)))
    return rc;
  if (s.neta < 3) {
    lazy_free(&s);
    rc = li2_error_set(err, LI2_EINVAL, "needs at least 3 values, ascending");
    return p_fail(c, quick, "eta", err);
  }
  li2_lazy_check *chk = NULL;
  text t = {0};
  if (!(rc = lazy_sweep(&s, &chk, err))) {
    int mono = 1;
    tprintf(&t, "%s.\n\n| eta | rel. distance to (1/eta) Y~Y~^T F~ | own share |\n"
                "|---|---|---|\n", s.desc);
    for (size_t i = 0; i < s.neta; i++) {
      tprintf(&t, "| %g | %.4e | %.6f |\n", chk[i].eta, chk[i].rel_distance, chk[i].own_share);
      /* slack for round-off once both are at machine precision */
      if (i > 0 && (s.eta[i] <= s.eta[i - 1] ||
                    chk[i].rel_distance > chk[i - 1].rel_distance * (1 + 1e-9) + 1e-13 ||
                    chk[i].own_share < chk[i - 1].own_share * (1 - 1e-9) - 1e-13))
        mono = 0;
    }
    size_t a = s.neta - 2, b = s.neta - 1;
    /* G_F - (1/eta) Y~Y~^T F~ = O(1/eta^2), so the relative distance
     * decays like eta^-1 for large eta: exponent -1 (Neumann series of
     * (F~F~^T + eta I)^{-1}) */
    double slope = log(chk[b].rel_distance / chk[a].rel_distance) / log(s.eta[b] / s.eta[a]);
    measure_set(r, "rel_distance_first", chk[0].rel_distance);
    measure_set(r, "rel_distance_last", chk[b].rel_distance);
    measure_set(r, "own_share_first", chk[0].own_share);
    measure_set(r, "own_share_last", chk[b].own_share);
    measure_set(r, "monotone", mono);
    measure_set(r, "decay_exponent", slope);
    measure_set(r, "exponent_error", fabs(slope + 1));
    r->predicted = -1;
    r->measured = slope;
    snprintf(r->what, sizeof r->what,
             "large-eta decay exponent of the distance to the independent form");
    tprintf(&t, "\nDistance decreasing and own share increasing in eta: %s.  Decay exponent "
                "between the two largest eta: %.4f (predicted -1).\n",
            mono ? "yes" : "no", slope);
  }
  r->detail = t.s;
  free(chk);
  lazy_free(&s);
  return rc;
}

/* ---- C5: top-down modulation (THEORY.md section 5) ---- */

static const char *const modulation_measures[] = {"baseline", "residual_inside", "fresh_inside",
                                                  "residual_ratio", "fresh_ratio",
                                                  "fresh_inside_without_s", NULL};

static int kind_modulation(const li2_verify_claim *c, int quick, int threads,
                           li2_verify_result *r, li2_error *err)
{
  lazy_setup s;
  li2_lazy_modulation mod;
  int rc;
  memset(&mod, 0, sizeof mod);
  if ((rc = lazy_prepare(c, quick, threads, 1, &s, err)))
    return rc;
  text t = {0};
  if (!(rc = li2_lazy_modulation_compute(s.A, s.f, s.ct, s.fresh, s.comp, s.ns, s.eta, 1, &mod,
                                         NULL, err))) {
    const li2_lazy_modulation_row *base = NULL, *last = NULL;
    li2_lazy_modulation_ends(&mod, 0, &base, &last);
    measure_set(r, "baseline", mod.baseline);
    measure_set(r, "residual_inside", last->resid_in);
    measure_set(r, "fresh_inside", last->fresh_in);
    measure_set(r, "residual_ratio", last->resid_in / mod.baseline);
    measure_set(r, "fresh_ratio", last->fresh_in / mod.baseline);
    measure_set(r, "fresh_inside_without_s", base ? base->fresh_in : NAN);
    r->predicted = 0;
    r->measured = last->fresh_in / mod.baseline;
    snprintf(r->what, sizeof r->what,
             "fresh nodes' G_F power inside S / no-modulation share %.4f", mod.baseline);
    tprintf(&t, "%s, eta = %g.\n\n| quantity | share inside S |\n|---|---|\n"
                "| no modulation (sum of d^2/(M-1) over S) | %.4f |\n"
                "| fresh G_F before S is learned | %.4f |\n"
                "| residual R with S learned | %.4f |\n"
                "| fresh G_F with S learned | %.4f |\n",
            s.desc, s.eta[0], mod.baseline, base ? base->fresh_in : NAN, last->resid_in,
            last->fresh_in);
  }
  r->detail = t.s;
  li2_lazy_modulation_clear(&mod);
  lazy_free(&s);
  return rc;
}

/* ------------------------------------------------------------------ */
/* C4: weight decay is needed (THEORY.md sections 2 and 7)              */

static const char *const wd_params[] = {"train", "weight_decay_off", "weight_decay_on", NULL};
static const char *const wd_measures[] = {"test_acc_off", "test_acc_on", "train_acc_off",
                                          "train_acc_on", "chance", "gf_off", NULL};

static int train_run(const li2_verify_claim *c, int quick, int threads, double wd,
                     li2_train_metrics *tm, double *gf0, size_t *M, li2_error *err)
{
  char extra[64];
  li2_train_config cfg;
  li2_trainer *t;
  int rc;
  snprintf(extra, sizeof extra, "weight_decay=%.17g", wd);
  if ((rc = train_config(c, quick, "train", extra, &cfg, err)))
    return rc;
  li2_train_set_threads(threads);
  if (!(t = li2_trainer_alloc(&cfg, NULL, NULL, err)))
    return p_fail(c, quick, "train", err);
  *M = li2_trainer_group(t)->order;
  rc = li2_trainer_test(t, tm, err);
  *gf0 = tm->gf_norm;
  for (long e = 0; !rc && e < cfg.num_epochs; e++)
    rc = li2_trainer_iterate(t, err);
  if (!rc)
    rc = li2_trainer_test(t, tm, err);
  li2_trainer_free(t);
  return rc;
}

static int kind_weight_decay(const li2_verify_claim *c, int quick, int threads,
                             li2_verify_result *r, li2_error *err)
{
  double off, on, gf_off0, gf_on0;
  li2_train_metrics a, b;
  size_t M = 0;
  int rc;
  if ((rc = p_double(c, quick, "weight_decay_off", "0", 0, 0, &off, err)) ||
      (rc = p_double(c, quick, "weight_decay_on", "2e-4", 0, 1e6, &on, err)) ||
      (rc = train_run(c, quick, threads, off, &a, &gf_off0, &M, err)) ||
      (rc = train_run(c, quick, threads, on, &b, &gf_on0, &M, err)))
    return rc;
  text t = {0};
  measure_set(r, "test_acc_off", a.test_acc);
  measure_set(r, "test_acc_on", b.test_acc);
  measure_set(r, "train_acc_off", a.train_acc);
  measure_set(r, "train_acc_on", b.train_acc);
  measure_set(r, "chance", 1.0 / (double)M);
  measure_set(r, "gf_off", a.gf_norm);
  r->predicted = 1.0 / (double)M;
  r->measured = a.test_acc;
  snprintf(r->what, sizeof r->what,
           "test acc. without weight decay (chance 1/M); with it: %.3f", b.test_acc);
  tprintf(&t, "Trainer: `%s`.\n\n| weight decay | train acc | test acc | final \\|G_F\\| |\n"
              "|---|---|---|---|\n| %g | %.4f | %.4f | %.3e |\n| %g | %.4f | %.4f | %.3e |\n\n"
              "Chance level 1/M = %.4f.\n",
          li2_verify_claim_param(c, "train", quick, NULL), off, a.train_acc, a.test_acc,
          a.gf_norm, on, b.train_acc, b.test_acc, b.gf_norm, 1.0 / (double)M);
  r->detail = t.s;
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* independent runs in parallel                                        */

/* Jobs 0..N-1 of FN on THREADS OpenMP threads (0: the OpenMP default),
 * in order, each job on one thread (its own OpenMP regions and BLAS
 * single-threaded), so a job's result does not depend on THREADS.  The
 * error of the lowest failing job is returned. */
typedef int (*job_fn)(void *ctx, size_t i, li2_error *err);

static int run_jobs(size_t n, int threads, job_fn fn, void *ctx, li2_error *err)
{
  long first = -1;
  li2_error first_err = {0};
  int nt = 1;
  li2_train_set_threads(0);  /* BLAS single-threaded; the OpenMP count untouched */
#ifdef _OPENMP
  nt = threads > 0 ? threads : omp_get_max_threads();
#else
  (void)threads;
#endif
  if ((size_t)nt > n)
    nt = (int)n;
  if (nt < 1)
    nt = 1;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
#endif
  for (size_t i = 0; i < n; i++) {
    li2_error e1 = {0};
#ifdef _OPENMP
    omp_set_num_threads(1);  /* this thread's nested regions: one thread */
#endif
    int r1 = fn(ctx, i, &e1);
    if (r1) {
#ifdef _OPENMP
#pragma omp critical(li2_verify_jobs)
#endif
      if (first < 0 || (long)i < first) {
        first = (long)i;
        first_err = e1;
        first_err.code = r1;
      }
    }
  }
  if (first >= 0) {
    if (err)
      *err = first_err;
    return first_err.code;
  }
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* C7, C8: a trainer setting varied over seeds (THEORY.md sections 6, 7) */

static const char *const sweep_params[] = {"train", "vary", "values", "seeds", "seed0",
                                           "threshold", "confidence", "headline", NULL};
#define SWEEP_METRICS 4
static const char *const sweep_metric[SWEEP_METRICS] = {"test_acc", "coverage", "generalised",
                                                        "purity"};
static const char *const sweep_metric_names[] = {"test_acc", "coverage", "generalised",
                                                "purity", NULL};
static const char *const sweep_measures[] = {
  "runs",
  "test_acc_first", "test_acc_last", "test_acc_diff", "test_acc_ci_low", "test_acc_ci_high",
  "test_acc_effect",
  "coverage_first", "coverage_last", "coverage_diff", "coverage_ci_low", "coverage_ci_high",
  "coverage_effect",
  "generalised_first", "generalised_last", "generalised_diff", "generalised_ci_low",
  "generalised_ci_high", "generalised_effect",
  "purity_first", "purity_last", "purity_diff", "purity_ci_low", "purity_ci_high",
  "purity_effect", NULL};

static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
  double m = 0, v = 0;
  for (size_t i = 0; i < n; i++)
    m += x[i];
  m /= (double)n;
  for (size_t i = 0; i < n; i++)
    v += (x[i] - m) * (x[i] - m);
  *mean = m;
  *sd = n > 1 ? sqrt(v / (double)(n - 1)) : 0;
}

/* Welch's interval for mean(b) - mean(a) at level CONF; Cohen's d with
 * the pooled standard deviation (NaN when both samples are constant). */
static void welch(const double *a, const double *b, size_t n, double conf, double *diff,
                  double *lo, double *hi, double *effect)
{
  double ma, sa, mb, sb;
  mean_sd(a, n, &ma, &sa);
  mean_sd(b, n, &mb, &sb);
  double va = sa * sa / (double)n, vb = sb * sb / (double)n, se = sqrt(va + vb);
  *diff = mb - ma;
  if (se == 0 || n < 2) {
    *lo = *hi = *diff;
    *effect = *diff == 0 ? 0 : NAN;
    return;
  }
  double dof = (va + vb) * (va + vb) /
               (va * va / (double)(n - 1) + vb * vb / (double)(n - 1));
  double t = gsl_cdf_tdist_Pinv(0.5 + conf / 2, dof);
  *lo = *diff - t * se;
  *hi = *diff + t * se;
  double pooled = sqrt((sa * sa + sb * sb) / 2);
  *effect = pooled > 0 ? *diff / pooled : NAN;
}

/* Wilson score interval of a proportion, and Newcombe's hybrid interval
 * for a difference of two (Newcombe 1998, method 10); the effect size is
 * Cohen's h = 2 asin sqrt(p_b) - 2 asin sqrt(p_a). */
static void wilson(double p, size_t n, double z, double *lo, double *hi)
{
  double den = 1 + z * z / (double)n, c = p + z * z / (2 * (double)n);
  double h = z * sqrt(p * (1 - p) / (double)n + z * z / (4 * (double)n * (double)n));
  *lo = (c - h) / den;
  *hi = (c + h) / den;
}

static void newcombe(double pa, double pb, size_t n, double conf, double *diff, double *lo,
                     double *hi, double *effect)
{
  double z = gsl_cdf_ugaussian_Pinv(0.5 + conf / 2), la, ua, lb, ub;
  wilson(pa, n, z, &la, &ua);
  wilson(pb, n, z, &lb, &ub);
  *diff = pb - pa;
  *lo = *diff - sqrt((pb - lb) * (pb - lb) + (ua - pa) * (ua - pa));
  *hi = *diff + sqrt((ub - pb) * (ub - pb) + (pa - la) * (pa - la));
  *effect = 2 * asin(sqrt(pb)) - 2 * asin(sqrt(pa));
}

static int sweep_run_one(const li2_verify_claim *c, int quick, int threads, const char *vary,
                         const char *value, long seed, double threshold, double out[4],
                         li2_error *err)
{
  char extra[512];
  li2_train_config cfg;
  li2_train_metrics tm;
  li2_trainer *t;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_stages_work *sw = NULL;
  li2_stages_params sp;
  li2_stages_point pt;
  int rc;
  snprintf(extra, sizeof extra, "%s=%s seed=%ld", vary, value, seed);
  if ((rc = train_trained(c, quick, threads, extra, &cfg, &t, &tm, err)) && !t)
    return rc;
  const li2_group *g = li2_trainer_group(t);
  li2_model *m = li2_trainer_model(t);
  /* the FFTW planner (inside the Fourier workspace) is not thread-safe */
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  if (!rc && (!(ct = li2_characters_alloc(g, err)) ||
              !(f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err)) ||
              !(sw = li2_stages_work_alloc(f, g->order, m->K, m->nops, err))))
    rc = err->code;
  if (!rc) {
    li2_stages_params_default(&sp);
    rc = li2_stages_measure(sw, &sp, m->W, NULL, &pt, err);
  }
  if (!rc) {
    out[0] = tm.test_acc;
    out[1] = pt.coverage;
    out[2] = tm.test_acc >= threshold;
    out[3] = pt.purity;
  }
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  {
    li2_stages_work_free(sw);
    li2_fourier_free(f);
    li2_characters_free(ct);
  }
  li2_trainer_free(t);
  return rc;
}

/* job i = value i / seeds, seed i % seeds (values in the claim's order) */
typedef struct sweep_job {
  const li2_verify_claim *c;
  int quick;
  const char *vary;
  const char *const *names;
  size_t ns;
  long seed0;
  double threshold;
  double *x;  /* [value][metric][seed] */
} sweep_job;

static int sweep_one(void *ctx, size_t i, li2_error *err)
{
  const sweep_job *j = ctx;
  size_t v = i / j->ns, s = i % j->ns;
  double o[SWEEP_METRICS];
  int rc = sweep_run_one(j->c, j->quick, -1, j->vary, j->names[v], j->seed0 + (long)s,
                         j->threshold, o, err);
  if (!rc)
    for (int k = 0; k < SWEEP_METRICS; k++)
      j->x[(v * SWEEP_METRICS + (size_t)k) * j->ns + s] = o[k];
  return rc;
}

static int kind_seed_sweep(const li2_verify_claim *c, int quick, int threads,
                           li2_verify_result *r, li2_error *err)
{
  const char *vary, *values, *headline;
  long seeds, seed0;
  double threshold, conf;
  int rc;
  if ((rc = p_string(c, quick, "vary", NULL, &vary, err)) ||
      (rc = p_string(c, quick, "values", NULL, &values, err)) ||
      (rc = p_long(c, quick, "seeds", "5", 2, 100000, &seeds, err)) ||
      (rc = p_long(c, quick, "seed0", "1", 0, 4294967295L, &seed0, err)) ||
      (rc = p_double(c, quick, "threshold", "0.9", 0, 1, &threshold, err)) ||
      (rc = p_double(c, quick, "confidence", "0.95", 0.5, 0.9999, &conf, err)) ||
      (rc = p_string(c, quick, "headline", "test_acc", &headline, err)))
    return rc;
  if (!in_list(sweep_metric_names, headline)) {
    li2_error_set(err, LI2_EINVAL, "'%s' is not test_acc, coverage, generalised or purity",
                  headline);
    return p_fail(c, quick, "headline", err);
  }
  char *list = strdup(values), *names[32];
  if (!list)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  size_t nv = split_list(list, names, 32);
  if (nv < 2) {
    free(list);
    li2_error_set(err, LI2_EINVAL, "needs at least two values");
    return p_fail(c, quick, "values", err);
  }
  size_t ns = (size_t)seeds;
  double *x = malloc(nv * ns * SWEEP_METRICS * sizeof *x);  /* [value][metric][seed] */
  text t = {0};
  if (!x) {
    free(list);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  sweep_job job = {c, quick, vary, (const char *const *)names, ns, seed0, threshold, x};
  rc = run_jobs(nv * ns, threads, sweep_one, &job, err);
  if (!rc) {
    tprintf(&t, "Trainer: `%s`, %s varied, %zu seeds from %ld; generalised: test acc >= %g.\n\n"
                "| %s | test acc (mean, sd) | coverage (mean, sd) | generalised | "
                "purity of active nodes (mean, sd) |\n|---|---|---|---|---|\n",
            li2_verify_claim_param(c, "train", quick, NULL), vary, ns, seed0, threshold, vary);
    for (size_t v = 0; v < nv; v++) {
      double m[SWEEP_METRICS], sd[SWEEP_METRICS];
      for (int k = 0; k < SWEEP_METRICS; k++)
        mean_sd(x + (v * SWEEP_METRICS + (size_t)k) * ns, ns, &m[k], &sd[k]);
      tprintf(&t, "| %s | %.4f (%.4f) | %.4f (%.4f) | %.0f / %zu | %.4f (%.4f) |\n", names[v],
              m[0], sd[0], m[1], sd[1], m[2] * (double)ns, ns, m[3], sd[3]);
    }
    tprintf(&t, "\n| metric | %s = %s | %s = %s | difference | %.0f%% interval | effect size |\n"
                "|---|---|---|---|---|---|\n", vary, names[0], vary, names[nv - 1], 100 * conf);
    measure_set(r, "runs", (double)(nv * ns));
    for (int k = 0; k < SWEEP_METRICS; k++) {
      const double *a = x + ((size_t)k) * ns, *b = x + ((nv - 1) * SWEEP_METRICS + (size_t)k) * ns;
      double ma, sa, mb, sb, diff, lo, hi, eff;
      char name[32];
      mean_sd(a, ns, &ma, &sa);
      mean_sd(b, ns, &mb, &sb);
      if (k == 2)
        newcombe(ma, mb, ns, conf, &diff, &lo, &hi, &eff);
      else
        welch(a, b, ns, conf, &diff, &lo, &hi, &eff);
#define M_(suffix, val)                                               \
      snprintf(name, sizeof name, "%s_" suffix, sweep_metric[k]);      \
      measure_set(r, name, val)
      M_("first", ma);
      M_("last", mb);
      M_("diff", diff);
      M_("ci_low", lo);
      M_("ci_high", hi);
      M_("effect", eff);
#undef M_
      tprintf(&t, "| %s | %.4f | %.4f | %+.4f | [%+.4f, %+.4f] | %s %.3f |\n", sweep_metric[k],
              ma, mb, diff, lo, hi, k == 2 ? "Cohen's h" : "Cohen's d", eff);
    }
    /* the headline: the difference of one metric, with its interval */
    char hname[40];
    snprintf(hname, sizeof hname, "%s_diff", headline);
    r->measured = operand(c, quick, r, hname);
    snprintf(hname, sizeof hname, "%s_ci_low", headline);
    double hlo = operand(c, quick, r, hname);
    snprintf(hname, sizeof hname, "%s_ci_high", headline);
    double hhi = operand(c, quick, r, hname);
    snprintf(r->what, sizeof r->what, "%s difference %s -> %s, %.0f%% CI [%+.3f, %+.3f]",
             headline, names[0], names[nv - 1], 100 * conf, hlo, hhi);
  }
  r->detail = t.s;
  free(x);
  free(list);
  return rc;
}

/* ------------------------------------------------------------------ */
/* C6: the sample-size boundary c log(M)/M (THEORY.md section 4)        */

/* The boundary kinds share everything but the probe: for each M of
 * `orders` and each seed, a probe at training fractions c' log(M)/M over
 * the ascending `grid` until its score first reaches `threshold`, the
 * bracket bisected `refine` times; c = mean boundary c' with a t interval
 * (widened by half the bracket width) against the reference trainer's
 * constant, and the slope of c' against log M (the log(M)/M scaling holds
 * when it is near 0).  `boundary` probes a trained network's test
 * accuracy, `energy_boundary` the share of Fourier maxima that survive on
 * the random training subset. */
#define BOUNDARY_COMMON "orders", "grid", "start", "seeds", "seed0", "threshold", "confidence", \
                        "refine"
static const char *const boundary_params[] = {BOUNDARY_COMMON, "train", "hidden_per_order",
                                              NULL};
static const char *const energy_boundary_params[] = {BOUNDARY_COMMON, "energy", "frequencies",
                                                     "purity_min", NULL};
static const char *const boundary_measures[] = {"c", "c_ci_low", "c_ci_high", "reference",
                                                "censored", "spread", "runs", "slope",
                                                "slope_ci_low", "slope_ci_high", NULL};

/* Training pairs at c' log(M)/M of the M^2 pairs, within [1, M^2 - 1]. */
static long pairs(double cp, size_t M)
{
  long n = lround(cp * log((double)M) * (double)M);
  if (n < 1)
    n = 1;
  if (n > (long)(M * M) - 1)
    n = (long)(M * M) - 1;
  return n;
}

/* A probe: the score (test accuracy, surviving share) of Z_M with N
 * training pairs drawn with SEED.  Runs inside a parallel job. */
typedef int (*probe_fn)(const li2_verify_claim *c, int quick, const void *opt, size_t M, long n,
                        long seed, double *score, li2_error *err);

typedef struct boundary_job {
  const li2_verify_claim *c;
  int quick;
  probe_fn probe;
  const void *opt;
  const size_t *Ms;
  size_t no;
  long seeds, seed0, refine;
  const double *grid;
  size_t ng, start;  /* grid points, the first probed */
  double thr;
  /* [order][seed] outputs */
  double *found;  /* boundary c'; NaN: never reached on the grid */
  double *width;  /* final bracket width (0 when not bisected) */
  int *censored;  /* not reached, or already at the first grid point */
  long *runs;
} boundary_job;

/* One (M, seed): scan the grid from its point nearest `start` (default
 * its first) to the two neighbouring points that bracket the threshold,
 * then bisect the bracket; the boundary is the midpoint of the final
 * bracket.  Censored when no bracket is found: the score reaches the
 * threshold already at the first grid point (its c' is then an upper
 * bound) or never (NaN).  Jobs run the last of `orders` first (the
 * costliest when they ascend). */
static int boundary_one(void *ctx, size_t job, li2_error *err)
{
  boundary_job *b = ctx;
  size_t ns = (size_t)b->seeds, i = b->no - 1 - job / ns, s = job % ns, at = i * ns + s;
  size_t M = b->Ms[i];
  long seed = b->seed0 + (long)s, runs = 0;
  double lo = NAN, hi = NAN, score;
  int rc = LI2_SUCCESS;
  /* from the grid point START upwards while the score stays below the
   * threshold, or downwards while it reaches it */
  for (long k = (long)b->start, dir = 0; !rc && k >= 0 && k < (long)b->ng; k += dir) {
    if ((rc = b->probe(b->c, b->quick, b->opt, M, pairs(b->grid[k], M), seed, &score, err)))
      break;
    runs++;
    int up = score < b->thr;
    if (up)
      lo = b->grid[k];
    else
      hi = b->grid[k];
    if (dir == 0)
      dir = up ? 1 : -1;
    else if ((dir > 0) != up)
      break;  /* bracketed */
  }
  b->width[at] = 0;
  if (!rc && !isnan(hi) && !isnan(lo)) {
    for (long r = 0; !rc && r < b->refine; r++) {
      double mid = 0.5 * (lo + hi);
      if ((rc = b->probe(b->c, b->quick, b->opt, M, pairs(mid, M), seed, &score, err)))
        break;
      runs++;
      if (score >= b->thr)
        hi = mid;
      else
        lo = mid;
    }
    b->found[at] = 0.5 * (lo + hi);
    b->width[at] = hi - lo;
  } else {
    b->found[at] = hi;  /* the first grid point, or NaN */
  }
  b->censored[at] = isnan(lo) || isnan(hi);
  b->runs[at] = runs;
  return rc;
}

static int boundary_search(const li2_verify_claim *c, int quick, int threads, probe_fn probe,
                           const void *opt, const char *setting, const char *score_name,
                           li2_verify_result *r, li2_error *err)
{
  const char *orders, *grid;
  long seeds, seed0, refine;
  double thr, conf;
  li2_split_params sp;
  int rc;
  if ((rc = p_string(c, quick, "orders", NULL, &orders, err)) ||
      (rc = p_string(c, quick, "grid", NULL, &grid, err)) ||
      (rc = p_long(c, quick, "seeds", "5", 2, 100000, &seeds, err)) ||
      (rc = p_long(c, quick, "seed0", "1", 0, 4294967295L, &seed0, err)) ||
      (rc = p_double(c, quick, "threshold", "0.9", 0, 1, &thr, err)) ||
      (rc = p_double(c, quick, "confidence", "0.95", 0.5, 0.9999, &conf, err)) ||
      (rc = p_long(c, quick, "refine", "3", 0, 20, &refine, err)))
    return rc;
  /* the reference trainer's constant, as li2's split uses it */
  li2_split_params_default(&sp);
  const double ref = sp.critical_ratio_multiplier;
  char *ol = strdup(orders), *gl = strdup(grid), *ow[32], *gw[64];
  size_t no = ol ? split_list(ol, ow, 32) : 0, ng = gl ? split_list(gl, gw, 64) : 0;
  size_t Ms[32], ns = (size_t)seeds;
  double cg[64];
  text t = {0};
  boundary_job b = {c, quick, probe, opt, Ms, no, seeds, seed0, refine, cg, ng, 0, thr,
                    NULL, NULL, NULL, NULL};
  if (!ol || !gl) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  for (size_t i = 0; i < no; i++) {
    double x;
    if (!is_number(ow[i], &x) || x < 2 || x > 4096 || x != floor(x)) {
      li2_error_set(err, LI2_EINVAL, "'%s' is not a cyclic order in [2, 4096]", ow[i]);
      rc = p_fail(c, quick, "orders", err);
      goto end;
    }
    Ms[i] = (size_t)x;
  }
  for (size_t i = 0; i < ng; i++)
    if (!is_number(gw[i], &cg[i]) || !(cg[i] > 0) || (i > 0 && cg[i] <= cg[i - 1])) {
      li2_error_set(err, LI2_EINVAL, "'%s': the grid must be positive and ascending", gw[i]);
      rc = p_fail(c, quick, "grid", err);
      goto end;
    }
  if (no < 1 || ng < 2) {
    li2_error_set(err, LI2_EINVAL, "needs at least one order and two grid points");
    rc = p_fail(c, quick, no < 1 ? "orders" : "grid", err);
    goto end;
  }
  double start;
  if ((rc = p_double(c, quick, "start", gw[0], cg[0], cg[ng - 1], &start, err)))
    goto end;
  for (size_t k = 1; k < ng; k++)
    if (fabs(cg[k] - start) < fabs(cg[b.start] - start))
      b.start = k;
  b.found = malloc(no * ns * sizeof *b.found);
  b.width = malloc(no * ns * sizeof *b.width);
  b.censored = malloc(no * ns * sizeof *b.censored);
  b.runs = malloc(no * ns * sizeof *b.runs);
  if (!b.found || !b.width || !b.censored || !b.runs) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  if ((rc = run_jobs(no * ns, threads, boundary_one, &b, err)))
    goto end;

  /* statistics over the observed boundaries */
  size_t cnt = 0, censored = 0, runs = 0;
  double wsum = 0, lo_m = INFINITY, hi_m = -INFINITY;
  double *lx = malloc(no * ns * sizeof *lx), *cy = malloc(no * ns * sizeof *cy);
  if (!lx || !cy) {
    free(lx);
    free(cy);
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  tprintf(&t, "%s; training fraction p = c' log(M)/M of the M^2 pairs over c' in {%s}, "
              "first probe at %g; the boundary of a seed is where its %s reaches %g: the "
              "grid's bracket bisected %ld times, its midpoint.\n\n"
              "| M | c' per seed | mean c' | boundary "
              "fraction | boundary pairs n |\n|---|---|---|---|---|\n",
          setting, grid, cg[b.start], score_name, thr, refine);
  for (size_t i = 0; i < no; i++) {
    double ms = 0;
    size_t mc = 0;
    tprintf(&t, "| %zu |", Ms[i]);
    for (size_t s = 0; s < ns; s++) {
      size_t at = i * ns + s;
      double x = b.found[at];
      runs += (size_t)b.runs[at];
      censored += (size_t)b.censored[at];
      tprintf(&t, " %.3f%s", x, b.censored[at] ? "*" : "");
      if (isnan(x))
        continue;
      wsum += b.width[at];
      lx[cnt] = log((double)Ms[i]);
      cy[cnt] = x;
      cnt++;
      ms += x;
      mc++;
    }
    if (mc) {
      ms /= (double)mc;
      lo_m = ms < lo_m ? ms : lo_m;
      hi_m = ms > hi_m ? ms : hi_m;
    }
    double mean = mc ? ms : NAN;
    tprintf(&t, " | %.3f | %.4f | %.0f |\n", mean, mean * log((double)Ms[i]) / (double)Ms[i],
            mean * (double)Ms[i] * log((double)Ms[i]));
  }
  double chat = NAN, lo = NAN, hi = NAN, slope = NAN, slo = NAN, shi = NAN;
  if (cnt >= 2) {
    /* least squares of p*(M) = c log(M)/M in the c' coordinates is the
     * mean of the per-seed c'; t interval over the runs' boundaries.
     * Every boundary is known only to its bracket, and the brackets come
     * from one grid (their errors are correlated): widen by half the mean
     * bracket width. */
    double sd;
    mean_sd(cy, cnt, &chat, &sd);
    double tq = gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)(cnt - 1));
    double half = 0.5 * wsum / (double)cnt;
    lo = chat - tq * sd / sqrt((double)cnt) - half;
    hi = chat + tq * sd / sqrt((double)cnt) + half;
  }
  if (cnt >= 3 && lo_m < hi_m) {
    /* the scaling itself: c' = a + slope log M; p ~ log(M)/M holds when
     * the slope is 0 (a p ~ M^-gamma law would make c' drift with log M) */
    double a, c0, c01, c11, ss;
    gsl_fit_linear(lx, 1, cy, 1, cnt, &a, &slope, &c0, &c01, &c11, &ss);
    double tq = gsl_cdf_tdist_Pinv(0.5 + conf / 2, (double)(cnt - 2));
    slo = slope - tq * sqrt(c11);
    shi = slope + tq * sqrt(c11);
  }
  free(lx);
  free(cy);
  measure_set(r, "c", chat);
  measure_set(r, "c_ci_low", lo);
  measure_set(r, "c_ci_high", hi);
  measure_set(r, "reference", ref);
  measure_set(r, "censored", (double)censored);
  measure_set(r, "spread", cnt ? (hi_m - lo_m) / chat : NAN);
  measure_set(r, "runs", (double)runs);
  measure_set(r, "slope", slope);
  measure_set(r, "slope_ci_low", slo);
  measure_set(r, "slope_ci_high", shi);
  r->predicted = ref;
  r->measured = chat;
  snprintf(r->what, sizeof r->what, "c of p* = c log(M)/M, %.0f%% CI [%.3f, %.3f], reference",
           100 * conf, lo, hi);
  tprintf(&t, "\n(* censored: never reached on the grid (NaN), or already at its first "
              "point.)\n\nc = %.4f, %.0f%% interval [%.4f, %.4f] over %zu boundaries, against "
              "the reference trainer's %.4f: %s.  %zu of %zu boundaries censored; %zu probes.  "
              "Scaling: spread of the per-M means %.3f of c; slope of c' against log M "
              "%.3f, %.0f%% interval [%.3f, %.3f] (0: c log(M)/M holds).\n",
          chat, 100 * conf, lo, hi, cnt, ref,
          isnan(lo) ? "undecided" : (lo <= ref && ref <= hi) ? "they agree" : "they differ",
          censored, no * ns, runs, cnt ? (hi_m - lo_m) / chat : NAN, slope, 100 * conf, slo,
          shi);
end:
  r->detail = t.s;
  free(b.found);
  free(b.width);
  free(b.censored);
  free(b.runs);
  free(ol);
  free(gl);
  return rc;
}

/* The trained boundary: test accuracy of the claim's `train` setting on
 * Z_M, K = hidden_per_order x M when that is given. */
typedef struct trained_opt {
  double hpo;
} trained_opt;

static int probe_trained(const li2_verify_claim *c, int quick, const void *opt, size_t M,
                         long n, long seed, double *acc, li2_error *err)
{
  const trained_opt *o = opt;
  char extra[256];
  li2_train_config cfg;
  li2_train_metrics tm;
  li2_trainer *t;
  int rc;
  long K = o->hpo > 0 ? (long)ceil(o->hpo * (double)M) : 0;
  if (K > 0)
    snprintf(extra, sizeof extra, "M=%zu train_size=%ld seed=%ld hidden_size=%ld", M, n, seed, K);
  else
    snprintf(extra, sizeof extra, "M=%zu train_size=%ld seed=%ld", M, n, seed);
  if (!(rc = train_trained(c, quick, -1, extra, &cfg, &t, &tm, err)))
    *acc = tm.test_acc;
  li2_trainer_free(t);
  return rc;
}

static int kind_boundary(const li2_verify_claim *c, int quick, int threads, li2_verify_result *r,
                         li2_error *err)
{
  trained_opt o;
  char setting[1200];
  int rc;
  if ((rc = p_double(c, quick, "hidden_per_order", "0", 0, 1e6, &o.hpo, err)))
    return rc;
  snprintf(setting, sizeof setting, "Trainer: `%s`%s",
           li2_verify_claim_param(c, "train", quick, NULL), o.hpo > 0 ? " with K = hidden_per_order x M" : "");
  return boundary_search(c, quick, threads, probe_trained, &o, setting, "test accuracy", r,
                         err);
}

/* The landscape's boundary (THEORY.md sections 3 and 4): on the random
 * training subset the trainer's split would draw (same M, n, seed), the
 * energy E_D of sigma = x^2 (raw or normalized), and for each of
 * `frequencies` frequencies k spread over 1..(M-1)/2 a climb from the pure
 * Fourier node of frequency k (li2_gradient_exact_node, phases from the
 * seed) to a local maximum, certified by the tangent Hessian.  It survives
 * when the end point is a certified maximum whose dominant component is
 * still k with purity >= purity_min.  The score is the surviving share. */
typedef struct energy_opt {
  int variant;
  long freqs;
  double purity_min;
} energy_opt;

static int probe_energy(const li2_verify_claim *c, int quick, const void *opt, size_t M,
                        long n, long seed, double *share, li2_error *err)
{
  const energy_opt *o = opt;
  char name[32];
  li2_group *g = NULL;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_dataset *d = NULL;
  li2_energy *e = NULL;
  li2_maximizer *mx = NULL;
  li2_certifier *cf = NULL;
  li2_classifier *cl = NULL;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  double *w0 = malloc(4 * M * sizeof *w0), *w = w0 ? w0 + 2 * M : NULL;
  li2_split_params sp;
  li2_maxima_params mp;
  int rc = LI2_SUCCESS;
  (void)c;
  (void)quick;
  snprintf(name, sizeof name, "Z%zu", M);
  li2_split_params_default(&sp);
  sp.train_size = n;
  sp.seed = (unsigned long)seed;
  li2_maxima_params_default(&mp);
  mp.purity_min = o->purity_min;
  mp.threads = 1;
  if (!rng || !w0) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  gsl_rng_set(rng, (unsigned long)seed * 1000003UL + M);
  /* the FFTW planner (inside the Fourier workspaces) is not thread-safe */
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  {
    if (!(g = li2_group_alloc_name(name, err)) || !(ct = li2_characters_alloc(g, err)) ||
        !(f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err)) ||
        !(d = li2_dataset_alloc_split(g, 2, &sp, err)) ||
        !(e = li2_energy_alloc(g, d, LI2_ACT_SQR, o->variant, LI2_ENERGY_DIRECT, err)) ||
        !(mx = li2_maximizer_alloc(e, &mp, err)) || !(cf = li2_certifier_alloc(e, &mp, err)) ||
        !(cl = li2_classifier_alloc(e, g, ct, &mp, err)))
      rc = err->code ? err->code : LI2_ENOMEM;
  }
  if (rc)
    goto end;
  size_t ncomp = ct->ncomponents, nf = (size_t)o->freqs, survived = 0;
  if (nf == 0 || nf > ncomp - 1)
    nf = ncomp - 1;
  for (size_t j = 0; !rc && j < nf; j++) {
    /* components 1..ncomp-1, evenly spread */
    size_t comp = 1 + (j * (ncomp - 1)) / nf;
    li2_maxima_point pt;
    double norm = 0;
    if ((rc = li2_gradient_exact_node(g, f, comp, rng, w0, w0 + M, err)))
      break;
    for (size_t a = 0; a < 2 * M; a++)
      norm += w0[a] * w0[a];
    for (size_t a = 0; a < 2 * M; a++)
      w0[a] /= sqrt(norm);
    if ((rc = li2_maxima_climb(mx, cf, cl, w0, w, &pt, err)))
      break;
    survived += pt.label == LI2_MAXIMA_MAX && pt.component == (int)comp && pt.pure;
  }
  if (!rc)
    *share = (double)survived / (double)nf;
end:
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  {
    li2_classifier_free(cl);
    li2_certifier_free(cf);
    li2_maximizer_free(mx);
    li2_energy_free(e);
    li2_dataset_free(d);
    li2_fourier_free(f);
    li2_characters_free(ct);
    li2_group_free(g);
  }
  gsl_rng_free(rng);
  free(w0);
  return rc;
}

static int kind_energy_boundary(const li2_verify_claim *c, int quick, int threads,
                                li2_verify_result *r, li2_error *err)
{
  energy_opt o;
  const char *variant;
  char setting[512];
  int rc;
  if ((rc = p_string(c, quick, "energy", "normalized", &variant, err)) ||
      (rc = p_long(c, quick, "frequencies", "0", 0, 100000, &o.freqs, err)) ||
      (rc = p_double(c, quick, "purity_min", "0.5", 0, 1, &o.purity_min, err)))
    return rc;
  if ((o.variant = li2_energy_variant_from_name(variant)) < 0) {
    li2_error_set(err, LI2_EINVAL, "'%s' is not raw or normalized", variant);
    return p_fail(c, quick, "energy", err);
  }
  snprintf(setting, sizeof setting,
           "Energy: %s, sigma = x^2, on the trainer's random split (same M, n, seed); from "
           "the pure Fourier node of %s frequencies per M, a climb to a local maximum, "
           "surviving when certified (tangent Hessian) with dominant frequency unchanged and "
           "purity >= %g",
           variant, o.freqs ? "evenly spread" : "all", o.purity_min);
  if (o.freqs)
    snprintf(setting + strlen(setting), sizeof setting - strlen(setting), " (%ld)", o.freqs);
  return boundary_search(c, quick, threads, probe_energy, &o, setting,
                         "share of surviving Fourier maxima", r, err);
}

/* ------------------------------------------------------------------ */
/* registry                                                            */

static const kind kinds[] = {
  {"maxima_energies", maxima_params, maxima_measures, kind_maxima},
  {"lazy_closed_form", lazy_params, closed_measures, kind_closed_form},
  {"independence", lazy_params, indep_measures, kind_independence},
  {"modulation", lazy_params, modulation_measures, kind_modulation},
  {"weight_decay", wd_params, wd_measures, kind_weight_decay},
  {"seed_sweep", sweep_params, sweep_measures, kind_seed_sweep},
  {"boundary", boundary_params, boundary_measures, kind_boundary},
  {"energy_boundary", energy_boundary_params, boundary_measures, kind_energy_boundary},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const char *const kind_names[] = {"maxima_energies", "lazy_closed_form", "independence",
                                         "modulation", "weight_decay", "seed_sweep",
                                         "boundary", "energy_boundary", NULL};

const char *const *li2_verify_kinds(void) { return kind_names; }

static const kind *kind_find(const char *name)
{
  for (size_t i = 0; i < NKINDS; i++)
    if (!strcmp(kinds[i].name, name))
      return &kinds[i];
  return NULL;
}

int li2_verify_run(const li2_verify_claim *c, int quick, int threads, li2_verify_result *r,
                   li2_error *err)
{
  double tol, t0 = li2_io_seconds();
  int rc;
  memset(r, 0, sizeof *r);
  snprintf(r->id, sizeof r->id, "%s", li2_verify_claim_id(c));
  r->predicted = r->measured = NAN;
  r->tolerance = NAN;
  if (li2_verify_claim_param(c, "tolerance", quick, NULL) &&
      (rc = p_double(c, quick, "tolerance", NULL, -INFINITY, INFINITY, &tol, err)))
    return rc;
  else if (li2_verify_claim_param(c, "tolerance", quick, NULL))
    r->tolerance = tol;
  const char *why;
  if (quick && !li2_verify_claim_has_quick(c, &why)) {
    r->verdict = LI2_VERIFY_NOT_RUN;
    snprintf(r->what, sizeof r->what, "not run in quick mode%s%s", *why ? ": " : "", why);
    return LI2_SUCCESS;
  }
  if ((rc = c->kind->run(c, quick, threads, r, err)))
    return rc;
  r->seconds = li2_io_seconds() - t0;
  int pass = li2_verify_rule_eval(c, li2_verify_claim_rule(c), quick, r, err);
  if (pass == 1) {
    r->verdict = LI2_VERIFY_PASS;
  } else if (pass == -1) {
    r->verdict = LI2_VERIFY_INCONCLUSIVE;
  } else {
    const char *f = li2_verify_claim_param(c, "fail_if", 0, NULL);
    r->verdict = !f || li2_verify_rule_eval(c, f, quick, r, err) == 1 ? LI2_VERIFY_FAIL
                                                                        : LI2_VERIFY_INCONCLUSIVE;
  }
  return LI2_SUCCESS;
}
