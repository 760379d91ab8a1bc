#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct li2_args {
  const li2_arg_spec *spec;
  size_t n;
  char **value;  /* n: current value text or NULL */
  int *given;    /* n */
};

static size_t spec_count(const li2_arg_spec *spec)
{
  size_t n = 0;
  while (spec[n].type != LI2_ARG_END)
    n++;
  return n;
}

static long find_key(const li2_args *a, const char *key, size_t len)
{
  for (size_t i = 0; i < a->n; i++)
    if (strlen(a->spec[i].key) == len && strncmp(a->spec[i].key, key, len) == 0)
      return (long)i;
  return -1;
}

static int parse_bool(const char *s, int *out)
{
  static const char *yes[] = {"true", "1", "yes", "on", NULL};
  static const char *no[] = {"false", "0", "no", "off", NULL};
  for (int i = 0; yes[i]; i++)
    if (strcmp(s, yes[i]) == 0)
      return *out = 1, 0;
  for (int i = 0; no[i]; i++)
    if (strcmp(s, no[i]) == 0)
      return *out = 0, 0;
  return -1;
}

static int choice_ok(const char *choices, const char *s)
{
  size_t len = strlen(s);
  const char *p = choices;
  while (*p) {
    const char *bar = strchr(p, '|');
    size_t wl = bar ? (size_t)(bar - p) : strlen(p);
    if (wl == len && strncmp(p, s, len) == 0)
      return 1;
    if (!bar)
      break;
    p = bar + 1;
  }
  return 0;
}

/* Validate VALUE against spec S; ERR names the key. */
static int check_value(const li2_arg_spec *s, const char *value, li2_error *err)
{
  char *end;
  int b;
  /* no value holds a control character: a newline in out= would become
   * lines of a generated script (sweep.sbatch) or of a report (issue 15) */
  for (const char *c = value; *c; c++)
    if ((unsigned char)*c < 0x20 || *c == 0x7f)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: control character 0x%02x in its value",
                           s->key, (unsigned)(unsigned char)*c);
  switch (s->type) {
  case LI2_ARG_INT: {
    /* strtol would skip leading blanks: "hidden_size= 8" is not a number */
    if (!(isdigit((unsigned char)value[0]) || ((value[0] == '-' || value[0] == '+') &&
                                              isdigit((unsigned char)value[1]))))
      return li2_error_set(err, LI2_EINVAL, "parameter %s: '%s' is not an integer",
                           s->key, value);
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: '%s' is not an integer",
                           s->key, value);
    if (s->min <= s->max && (v < s->min || v > s->max))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s: %ld is out of range [%.15g, %.15g]",
                           s->key, v, s->min, s->max);
    return LI2_SUCCESS;
  }
  case LI2_ARG_DOUBLE: {
    double v;
    if (!li2_args_number(value, &v))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s: '%s' is not a finite number", s->key, value);
    if (s->min <= s->max && (v < s->min || v > s->max))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s: %g is out of range [%.15g, %.15g]",
                           s->key, v, s->min, s->max);
    return LI2_SUCCESS;
  }
  case LI2_ARG_BOOL:
  case LI2_ARG_FLAG:
    if (parse_bool(value, &b))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s: '%s' is not true or false", s->key, value);
    return LI2_SUCCESS;
  case LI2_ARG_CHOICE:
    if (!choice_ok(s->choices, value))
      return li2_error_set(err, LI2_EINVAL, "parameter %s: '%s' is not one of %s",
                           s->key, value, s->choices);
    return LI2_SUCCESS;
  case LI2_ARG_STRING:
    if (!*value)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: empty value", s->key);
    return LI2_SUCCESS;
  default:
    return LI2_SUCCESS;
  }
}

static int store(li2_args *a, size_t i, const char *value, li2_error *err)
{
  int rc = check_value(&a->spec[i], value, err);
  if (rc)
    return rc;
  char *copy = strdup(value);
  if (!copy)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  free(a->value[i]);
  a->value[i] = copy;
  return LI2_SUCCESS;
}

int li2_args_parse(li2_args **out, const li2_arg_spec *spec, int argc,
                   char **argv, li2_error *err)
{
  li2_args *a = calloc(1, sizeof *a);
  int rc = LI2_SUCCESS;
  *out = NULL;
  if (!a)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  a->spec = spec;
  a->n = spec_count(spec);
  a->value = calloc(a->n + 1, sizeof *a->value);
  a->given = calloc(a->n + 1, sizeof *a->given);
  if (!a->value || !a->given) {
    li2_args_free(a);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < a->n && !rc; i++)
    if (spec[i].defval)
      rc = store(a, i, spec[i].defval, err);

  for (int k = 0; k < argc && !rc; k++) {
    const char *w = argv[k];
    const char *eq = strchr(w, '=');
    long i;
    if (w[0] == '-' && w[1] == '-') {
      const char *name = w + 2;
      size_t len = eq ? (size_t)(eq - name) : strlen(name);
      i = find_key(a, name, len);
      if (i >= 0 && spec[i].type != LI2_ARG_FLAG) {
        /* --key=value or --key value: the same as key=value */
        const char *v = eq ? eq + 1 : k + 1 < argc ? argv[++k] : NULL;
        if (!v) {
          rc = li2_error_set(err, LI2_EINVAL, "option --%s needs a value", spec[i].key);
          break;
        }
        if (a->given[i]) {
          rc = li2_error_set(err, LI2_EINVAL, "parameter %s given twice", spec[i].key);
          break;
        }
        rc = store(a, (size_t)i, v, err);
        a->given[i] = 1;
        continue;
      }
      if (i < 0) {
        rc = li2_error_set(err, LI2_EINVAL, "unknown option '%s'", w);
        break;
      }
      if (a->given[i]) {
        rc = li2_error_set(err, LI2_EINVAL, "option --%s given twice", spec[i].key);
        break;
      }
      rc = store(a, (size_t)i, eq ? eq + 1 : "true", err);
      a->given[i] = 1;
      continue;
    }
    if (eq && eq != w) {
      i = find_key(a, w, (size_t)(eq - w));
      if (i < 0 || spec[i].type == LI2_ARG_FLAG) {
        rc = li2_error_set(err, LI2_EINVAL, "unknown parameter '%.*s'",
                           (int)(eq - w), w);
        break;
      }
      if (a->given[i]) {
        rc = li2_error_set(err, LI2_EINVAL, "parameter %s given twice", spec[i].key);
        break;
      }
      rc = store(a, (size_t)i, eq + 1, err);
      a->given[i] = 1;
      continue;
    }
    /* positional */
    i = -1;
    for (size_t j = 0; j < a->n; j++)
      if (spec[j].positional && !a->given[j]) {
        i = (long)j;
        break;
      }
    if (i < 0) {
      rc = li2_error_set(err, LI2_EINVAL, "unexpected argument '%s' (parameters are key=value)", w);
      break;
    }
    rc = store(a, (size_t)i, w, err);
    a->given[i] = 1;
  }
  if (rc) {
    li2_args_free(a);
    return rc;
  }
  *out = a;
  return LI2_SUCCESS;
}

void li2_args_free(li2_args *a)
{
  if (!a)
    return;
  if (a->value)
    for (size_t i = 0; i < a->n; i++)
      free(a->value[i]);
  free(a->value);
  free(a->given);
  free(a);
}

static long lookup(const li2_args *a, const char *key)
{
  long i = find_key(a, key, strlen(key));
  if (i < 0) {
    /* A programming error: the subcommand asked for a key it never
     * declared.  Fail loudly rather than return a silently wrong value. */
    fprintf(stderr, "li2: internal error: undeclared parameter '%s'\n", key);
    abort();
  }
  return i;
}

int li2_args_given(const li2_args *a, const char *key)
{
  return a->given[lookup(a, key)];
}

int li2_args_has(const li2_args *a, const char *key)
{
  return a->value[lookup(a, key)] != NULL;
}

long li2_args_int(const li2_args *a, const char *key)
{
  const char *v = a->value[lookup(a, key)];
  return v ? strtol(v, NULL, 10) : 0;
}

int li2_args_number(const char *s, double *x)
{
  char *end;
  double v;
  errno = 0;
  if (isspace((unsigned char)*s))
    return 0;  /* strtod would skip leading blanks */
  v = strtod(s, &end);
  if (errno || end == s || *end || !isfinite(v))
    return 0;
  *x = v;
  return 1;
}

double li2_args_double(const li2_args *a, const char *key)
{
  const char *v = a->value[lookup(a, key)];
  return v ? strtod(v, NULL) : NAN;
}

const char *li2_args_string(const li2_args *a, const char *key)
{
  return a->value[lookup(a, key)];
}

int li2_args_bool(const li2_args *a, const char *key)
{
  const char *v = a->value[lookup(a, key)];
  int b = 0;
  if (v)
    parse_bool(v, &b);
  return b;
}

int li2_args_set(li2_args *a, const char *key, const char *value, li2_error *err)
{
  long i = find_key(a, key, strlen(key));
  if (i < 0)
    return li2_error_set(err, LI2_EINVAL, "unknown parameter '%s'", key);
  return store(a, (size_t)i, value, err);
}

size_t li2_args_count(const li2_args *a)
{
  return a->n;
}

const li2_arg_spec *li2_args_spec(const li2_args *a, size_t i, const char **value)
{
  if (i >= a->n)
    return NULL;
  if (value)
    *value = a->value[i];
  return &a->spec[i];
}

void li2_args_print_help(FILE *fp, const char *command, const char *synopsis,
                         const li2_arg_spec *spec)
{
  fprintf(fp, "usage: li2 %s %s\n\n", command, synopsis);
  for (size_t i = 0; spec[i].type != LI2_ARG_END; i++) {
    const li2_arg_spec *s = &spec[i];
    char left[96];
    if (s->type == LI2_ARG_FLAG)
      snprintf(left, sizeof left, "--%s", s->key);
    else if (s->type == LI2_ARG_CHOICE)
      snprintf(left, sizeof left, "%s=%s", s->key, s->choices);
    else
      snprintf(left, sizeof left, "%s=%s", s->key,
               s->type == LI2_ARG_INT ? "N" : s->type == LI2_ARG_DOUBLE ? "X"
               : s->type == LI2_ARG_BOOL ? "BOOL" : "S");
    fprintf(fp, "  %-34s %s", left, s->help ? s->help : "");
    if (s->defval && s->type != LI2_ARG_FLAG)
      fprintf(fp, " [%s]", s->defval);
    if ((s->type == LI2_ARG_INT || s->type == LI2_ARG_DOUBLE) && s->min <= s->max)
      fprintf(fp, " (%.6g..%.6g)", s->min, s->max);
    fputc('\n', fp);
  }
}
