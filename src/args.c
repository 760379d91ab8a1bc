#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
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

/* Optimal string alignment distance of A and B (Damerau-Levenshtein with
 * swaps of neighbours), or a value above LIMIT when longer than 64. */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
  size_t la = strlen(a), lb = strlen(b);
  size_t d[65][65];
  if (la > 64 || lb > 64)
    return limit + 1;
  for (size_t i = 0; i <= la; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;
      if (d[i - 1][j] + 1 < v)
        v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v)
        v = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1;
      d[i][j] = v;
    }
  return d[la][lb];
}

static size_t close_limit(const char *key)
{
  size_t l = strlen(key);
  return l <= 4 ? 1 : l <= 9 ? 2 : 3;
}

const char *li2_args_closest_word(const char *const *words, const char *key)
{
  size_t limit = close_limit(key), best = limit + 1;
  const char *hit = NULL;
  for (size_t i = 0; words[i]; i++) {
    size_t d = edit_distance(key, words[i], limit);
    /* the first of equally close keys: the table's order */
    if (d < best && d < strlen(words[i]))
      best = d, hit = words[i];
  }
  return hit;
}

const char *li2_args_closest(const li2_arg_spec *spec, const char *key)
{
  size_t limit = close_limit(key), best = limit + 1;
  const char *hit = NULL;
  for (size_t i = 0; spec[i].type != LI2_ARG_END; i++) {
    size_t d = edit_distance(key, spec[i].key, limit);
    if (d < best && d < strlen(spec[i].key))
      best = d, hit = spec[i].key;
  }
  return hit;
}

/* "unknown parameter 'KEY'" with the closest known key when close. */
static int unknown(li2_error *err, const li2_arg_spec *spec, const char *what,
                   const char *shown, const char *key, size_t len)
{
  char k[128];
  const char *hint;
  snprintf(k, sizeof k, "%.*s", (int)(len < sizeof k ? len : sizeof k - 1), key);
  hint = li2_args_closest(spec, k);
  if (hint)
    return li2_error_set(err, LI2_EINVAL, "unknown %s '%s' (did you mean %s%s?)", what, shown,
                         !strcmp(what, "option") ? "--" : "", hint);
  return li2_error_set(err, LI2_EINVAL, "unknown %s '%s'", what, shown);
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

int li2_names_find(const char *const *names, int n, const char *s)
{
  for (int i = 0; s && i < n; i++)
    if (!strcmp(s, names[i]))
      return i;
  return -1;
}

char *li2_names_join(const char *const *names, int n, char *buf, size_t size)
{
  size_t len = 0;
  if (size)
    buf[0] = '\0';
  for (int i = 0; i < n && len < size; i++) {
    int w = snprintf(buf + len, size - len, "%s%s", i ? "|" : "", names[i]);
    if (w < 0)
      break;
    len += (size_t)w;
  }
  return buf;
}

int li2_names_parse(const char *const *names, int n, const char *s, const char *key, int *out,
                    li2_error *err)
{
  char words[512];
  int i = li2_names_find(names, n, s);
  if (i >= 0) {
    *out = i;
    return LI2_SUCCESS;
  }
  return li2_error_set(err, LI2_EINVAL, "parameter %s: '%s' is not one of %s", key, s ? s : "",
                       li2_names_join(names, n, words, sizeof words));
}

const char *li2_names_get(const char *const *names, int n, int i)
{
  return i >= 0 && i < n ? names[i] : "?";
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
        rc = unknown(err, spec, "option", w, name, len);
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
        char shown[128];
        snprintf(shown, sizeof shown, "%.*s", (int)(eq - w), w);
        rc = unknown(err, spec, "parameter", shown, w, (size_t)(eq - w));
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
    /* positional: the first one-word positional not yet given, else a list */
    i = -1;
    for (size_t j = 0; j < a->n; j++)
      if ((spec[j].positional == LI2_ARG_POS_ONE && !a->given[j]) ||
          spec[j].positional == LI2_ARG_POS_LIST) {
        i = (long)j;
        break;
      }
    if (i < 0) {
      rc = li2_error_set(err, LI2_EINVAL, "unexpected argument '%s' (parameters are key=value)", w);
      break;
    }
    if (spec[i].positional == LI2_ARG_POS_LIST && a->given[i]) {
      /* one more item: checked alone, then appended after a comma */
      size_t l0 = strlen(a->value[i]);
      char *joined;
      if ((rc = check_value(&spec[i], w, err)))
        break;
      if (!(joined = malloc(l0 + strlen(w) + 2))) {
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        break;
      }
      sprintf(joined, "%s,%s", a->value[i], w);
      rc = store(a, (size_t)i, joined, err);
      free(joined);
      continue;
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

int li2_args_whole(const char *s, unsigned long *x)
{
  char *end;
  unsigned long v;
  if (!isdigit((unsigned char)*s))
    return 0;  /* strtoul would take blanks, a sign, "-1" as ULONG_MAX */
  errno = 0;
  v = strtoul(s, &end, 10);
  if (errno || *end)
    return 0;
  if (x)
    *x = v;
  return 1;
}

int li2_args_epochs(const char *key, const char *s, size_t max, long **out, size_t *n,
                    li2_error *err)
{
  size_t cnt = 1, len = strlen(s);
  char *buf, *tok, *save = NULL;
  long *e;
  *out = NULL;
  *n = 0;
  if (!*s)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: empty", key);
  for (const char *p = s; *p; p++)
    cnt += *p == ',';
  if (max && cnt > max)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: at most %zu epochs", key, max);
  if (!(buf = malloc(len + 1)) || !(e = malloc(cnt * sizeof *e))) {
    free(buf);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  memcpy(buf, s, len + 1);
  cnt = 0;
  /* strtok_r would skip empty fields ("1,,2"): split by hand */
  for (tok = buf;; tok = save + 1) {
    unsigned long v;
    save = strchr(tok, ',');
    if (save)
      *save = '\0';
    if (!li2_args_whole(tok, &v) || v > (unsigned long)LONG_MAX) {
      free(buf);
      free(e);
      return li2_error_set(err, LI2_EINVAL, "parameter %s: '%s' is not a list of epochs N,N,...",
                           key, s);
    }
    e[cnt++] = (long)v;
    if (!save)
      break;
  }
  free(buf);
  *out = e;
  *n = cnt;
  return LI2_SUCCESS;
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

int li2_args_choice(const li2_args *a, const char *key)
{
  long i = lookup(a, key);
  const li2_arg_spec *s = &a->spec[i];
  const char *v = a->value[i], *p = s->choices;
  int k = 0;
  if (!v)
    return -1;
  while (p && *p) {
    const char *bar = strchr(p, '|');
    size_t wl = bar ? (size_t)(bar - p) : strlen(p);
    if (wl == strlen(v) && !strncmp(p, v, wl))
      return k;
    if (!bar)
      break;
    p = bar + 1;
    k++;
  }
  return -1;
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

int li2_args_quote_append(char **s, size_t *len, const char *word)
{
  static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,+@%-";
  size_t need = strlen(word) * 4 + 4, n = *len;
  int plain = *word != 0 && strspn(word, safe) == strlen(word);
  char *p = realloc(*s, n + need + 1);
  if (!p)
    return -1;
  *s = p;
  if (n)
    p[n++] = ' ';
  if (plain) {
    memcpy(p + n, word, strlen(word));
    n += strlen(word);
  } else {
    /* 'it'\''s': a quote ends the quoted run, is escaped, and restarts it */
    p[n++] = '\'';
    for (const char *c = word; *c; c++) {
      if (*c == '\'') {
        memcpy(p + n, "'\\''", 4);
        n += 4;
      } else {
        p[n++] = *c;
      }
    }
    p[n++] = '\'';
  }
  p[n] = 0;
  *len = n;
  return 0;
}

char *li2_args_command_line(const li2_args *a, const char *command, const char *const *always)
{
  char *s = NULL;
  size_t len = 0;
  if (li2_args_quote_append(&s, &len, "li2") || li2_args_quote_append(&s, &len, command))
    goto oom;
  for (size_t i = 0; i < a->n; i++) {
    const li2_arg_spec *sp = &a->spec[i];
    int want = a->given[i];
    char *w;
    for (size_t k = 0; always && always[k] && !want; k++)
      want = !strcmp(always[k], sp->key) && a->value[i];
    if (!want)
      continue;
    if (sp->type == LI2_ARG_FLAG) {
      if (!li2_args_bool(a, sp->key))
        continue;
      if (!(w = malloc(strlen(sp->key) + 3)))
        goto oom;
      sprintf(w, "--%s", sp->key);
    } else {
      if (!(w = malloc(strlen(sp->key) + strlen(a->value[i]) + 2)))
        goto oom;
      sprintf(w, "%s=%s", sp->key, a->value[i]);
    }
    if (li2_args_quote_append(&s, &len, w)) {
      free(w);
      goto oom;
    }
    free(w);
  }
  return s;
oom:
  free(s);
  return NULL;
}

void li2_args_write_json(const li2_args *a, li2_json_writer *w, const char *const *skip)
{
  li2_json_object_begin(w);
  for (size_t i = 0; i < a->n; i++) {
    const li2_arg_spec *s = &a->spec[i];
    const char *v = a->value[i];
    int skipped = !v || s->type == LI2_ARG_FLAG;
    for (size_t k = 0; skip && skip[k] && !skipped; k++)
      skipped = !strcmp(skip[k], s->key);
    if (skipped)
      continue;
    li2_json_key(w, s->key);
    if (s->type == LI2_ARG_INT || s->type == LI2_ARG_DOUBLE)
      li2_json_number_text(w, v);
    else if (s->type == LI2_ARG_BOOL)
      li2_json_bool(w, li2_args_bool(a, s->key));
    else
      li2_json_string(w, v);
  }
  li2_json_object_end(w);
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
