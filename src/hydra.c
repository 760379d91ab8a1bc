/* Hydra command lines as researchers paste them (see hydra.h). */
#include "hydra.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values a list key may hold as Hydra's [a,b,...] (li2 keeps them as
 * comma-separated text). */
static const char *const list_keys[] = {"lr_decay_milestones", NULL};

/* Largest expansion of one range(...) */
#define HYDRA_MAX_RANGE 100000

typedef struct buf {
  char *s;
  size_t len, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *p = realloc(b->s, cap);
    if (!p)
      return -1;
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
  return 0;
}

static int buf_str(buf *b, const char *s) { return buf_add(b, s, strlen(s)); }

static const li2_arg_spec *find_spec(const li2_arg_spec *spec, const char *key, size_t len)
{
  for (const li2_arg_spec *p = spec; p->type != LI2_ARG_END; p++)
    if (strlen(p->key) == len && !strncmp(p->key, key, len))
      return p;
  return NULL;
}

static int is_list_key(const char *key)
{
  for (size_t i = 0; list_keys[i]; i++)
    if (!strcmp(list_keys[i], key))
      return 1;
  return 0;
}

static int ci_equal(const char *s, size_t n, const char *word)
{
  size_t k = strlen(word);
  if (n != k)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (tolower((unsigned char)s[i]) != word[i])
      return 0;
  return 1;
}

/* Trim blanks around S[0..*n). */
static const char *trim(const char *s, size_t *n)
{
  while (*n && isspace((unsigned char)*s))
    s++, (*n)--;
  while (*n && isspace((unsigned char)s[*n - 1]))
    (*n)--;
  return s;
}

static int quoted(const char *s, size_t n)
{
  return n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0];
}

/* Split S[0..n) at commas outside brackets, parentheses and quotes: the
 * item starts go to START, their lengths to LEN (at most MAX items); the
 * count, or -1 when there are more or the brackets do not balance. */
static int split_top(const char *s, size_t n, const char **start, size_t *len, int max)
{
  int depth = 0, k = 0;
  char q = 0;
  size_t from = 0;
  for (size_t i = 0; i <= n; i++) {
    char c = i < n ? s[i] : ',';
    if (q) {
      if (c == q)
        q = 0;
      continue;
    }
    if (i < n && (c == '\'' || c == '"')) {
      q = c;
    } else if (c == '[' || c == '(') {
      depth++;
    } else if (c == ']' || c == ')') {
      if (--depth < 0)
        return -1;
    } else if (c == ',' && depth == 0) {
      if (k >= max)
        return -1;
      start[k] = s + from;
      len[k++] = i - from;
      from = i + 1;
    }
  }
  return q || depth ? -1 : k;
}

/* The value lr_decay_milestones=null stands for: lr_decay_step's word in
 * ARGV, else its default (the reference: milestones = [lr_decay_step]). */
static const char *step_value(const li2_arg_spec *spec, int argc, char **argv)
{
  const li2_arg_spec *s = find_spec(spec, "lr_decay_step", strlen("lr_decay_step"));
  for (int i = 0; i < argc; i++)
    if (!strncmp(argv[i], "lr_decay_step=", 14))
      return argv[i] + 14;
  return s ? s->defval : NULL;
}

enum { ITEM_OK, ITEM_DROP };

/* Translate one value ITEM of key S to B (escaping ',' as "\," when SWEEP).
 * ITEM_DROP: null for a key whose li2 default is unset (say nothing). */
static int item(const li2_arg_spec *s, const char *it, size_t n, int sweep,
                const li2_arg_spec *spec, int argc, char **argv, buf *b, int *what,
                li2_error *err)
{
  *what = ITEM_OK;
  if (quoted(it, n)) {
    /* a string as it stands; in a sweep its commas are escaped for li2 sweep */
    for (size_t i = 1; i + 1 < n; i++)
      if ((sweep && it[i] == ',' && buf_str(b, "\\")) || buf_add(b, it + i, 1))
        return li2_error_set(err, LI2_ENOMEM, "out of memory");
    return LI2_SUCCESS;
  }
  if (ci_equal(it, n, "null")) {
    const char *v = NULL;
    if (!s->defval) {
      *what = ITEM_DROP;
      return LI2_SUCCESS;
    }
    if (!strcmp(s->key, "save_interval"))
      v = "1000000000000000";  /* the reference saves no model (modular_addition_simple2.py:598) */
    else if (!strcmp(s->key, "lr_decay_milestones"))
      v = step_value(spec, argc, argv);
    if (!v)
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s: null is not a value li2 (or the reference) can use here",
                           s->key);
    if (strchr(v, ','))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s=null: lr_decay_step '%s' is a list", s->key, v);
    return buf_str(b, v) ? li2_error_set(err, LI2_ENOMEM, "out of memory") : 0;
  }
  if (n >= 2 && it[0] == '[' && it[n - 1] == ']') {
    const char *st[256];
    size_t ln[256];
    int k;
    if (!is_list_key(s->key))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s: a list value [...]; it takes one value", s->key);
    k = split_top(it + 1, n - 2, st, ln, 256);
    if (k < 0)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: malformed list '%.*s'", s->key,
                           (int)n, it);
    for (int j = 0; j < k; j++) {
      size_t l = ln[j];
      const char *e = trim(st[j], &l);
      if (quoted(e, l))
        e++, l -= 2;
      if ((j && buf_str(b, sweep ? "\\," : ",")) || buf_add(b, e, l))
        return li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
    return LI2_SUCCESS;
  }
  if (s->type == LI2_ARG_BOOL && (ci_equal(it, n, "true") || ci_equal(it, n, "false")))
    return buf_str(b, tolower((unsigned char)it[0]) == 't' ? "true" : "false")
               ? li2_error_set(err, LI2_ENOMEM, "out of memory") : 0;
  return buf_add(b, it, n) ? li2_error_set(err, LI2_ENOMEM, "out of memory") : 0;
}

/* Hydra's range(start, stop[, step]) (stop excluded) as "a,b,..." in B. */
static int expand_range(const char *key, const char *args, size_t n, buf *b, li2_error *err)
{
  const char *st[3];
  size_t ln[3];
  double v[3] = {0, 0, 1};
  int k = split_top(args, n, st, ln, 3), integral = 1;
  if (k < 1 || k > 3)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: range(start, stop[, step]) expected", key);
  for (int j = 0; j < k; j++) {
    char tmp[64], *end;
    size_t l = ln[j];
    const char *e = trim(st[j], &l);
    if (l == 0 || l >= sizeof tmp)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: bad range bound", key);
    memcpy(tmp, e, l);
    tmp[l] = 0;
    v[k == 1 ? 1 : j] = strtod(tmp, &end);
    if (*end || !isfinite(v[k == 1 ? 1 : j]))
      return li2_error_set(err, LI2_EINVAL, "parameter %s: '%s' is not a number", key, tmp);
    integral &= strspn(tmp, "+-0123456789") == l;
  }
  if (v[2] == 0)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: range step 0", key);
  for (long i = 0;; i++) {
    double x = v[0] + (double)i * v[2];
    char num[64];
    if (v[2] > 0 ? x >= v[1] - 1e-12 * fabs(v[2]) : x <= v[1] + 1e-12 * fabs(v[2]))
      break;
    if (i >= HYDRA_MAX_RANGE)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: range of more than %d values", key,
                           HYDRA_MAX_RANGE);
    snprintf(num, sizeof num, integral ? "%.0f" : "%.10g", x);
    if ((b->len && b->s[b->len - 1] != '=' && buf_str(b, ",")) || buf_str(b, num))
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  return LI2_SUCCESS;
}

static int push(char ***w, int *n, char *s)
{
  char **p = realloc(*w, (size_t)(*n + 2) * sizeof *p);
  if (!p)
    return -1;
  p[(*n)++] = s;
  p[*n] = NULL;
  *w = p;
  return 0;
}

static int valid_key(const char *k, size_t n)
{
  if (!n || !(isalpha((unsigned char)k[0]) || k[0] == '_'))
    return 0;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum((unsigned char)k[i]) || k[i] == '_' || k[i] == '.' || k[i] == '-'))
      return 0;
  return 1;
}

/* KEY=VALUE for one parameter of the table. */
static int translate_word(const li2_arg_spec *s, const char *value, int multirun,
                          const li2_arg_spec *spec, int argc, char **argv, char **out,
                          li2_error *err)
{
  const char *st[1024];
  size_t ln[1024], n = strlen(value);
  int k = split_top(value, n, st, ln, 1024), what, rc = LI2_SUCCESS, kept = 0;
  buf b = {0};
  *out = NULL;
  if (k < 0 && !multirun) {  /* not Hydra's grammar: li2 reads it as it stands */
    *out = malloc(strlen(s->key) + n + 2);
    if (!*out)
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    sprintf(*out, "%s=%s", s->key, value);
    return LI2_SUCCESS;
  }
  if (k < 0)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: unbalanced brackets or quotes in '%s'",
                         s->key, value);
  if (k > 1 && !multirun && !is_list_key(s->key))
    return li2_error_set(err, LI2_EINVAL,
                         "parameter %s: ambiguous value '%s' (as Hydra: a sweep needs -m, a list "
                         "[a,b], a string quotes)", s->key, value);
  if (buf_str(&b, s->key) || buf_str(&b, "="))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (k > 1 && !multirun) {  /* li2's own comma-separated list key */
    rc = buf_str(&b, value) ? li2_error_set(err, LI2_ENOMEM, "out of memory") : 0;
    kept = 1;
  }
  for (int j = 0; j < k && !rc && !kept; j++) {
    size_t l = ln[j];
    /* blanks around a sweep's items go, as Hydra's; a single value stays as
     * given (li2 refuses "hidden_size= 8") */
    const char *it = k > 1 ? trim(st[j], &l) : st[j];
    int sweep_fn = multirun && ((l > 6 && !strncmp(it, "range(", 6)) ||
                                (l > 7 && !strncmp(it, "choice(", 7))) && it[l - 1] == ')';
    if (sweep_fn && it[0] == 'r') {
      rc = expand_range(s->key, it + 6, l - 7, &b, err);
      continue;
    }
    if (sweep_fn) {  /* choice(a, b, ...): the items themselves */
      const char *cs[1024];
      size_t cl[1024];
      int kc = split_top(it + 7, l - 8, cs, cl, 1024);
      if (kc < 0)
        rc = li2_error_set(err, LI2_EINVAL, "parameter %s: malformed choice(...)", s->key);
      for (int c = 0; c < kc && !rc; c++) {
        if (b.s[b.len - 1] != '=' && buf_str(&b, ","))
          rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        if (!rc) {
          size_t l2 = cl[c];
          const char *e = trim(cs[c], &l2);
          rc = item(s, e, l2, 1, spec, argc, argv, &b, &what, err);
        }
        if (!rc && what == ITEM_DROP)
          rc = li2_error_set(err, LI2_EINVAL, "parameter %s: null in a sweep (li2 has no unset "
                                              "value to sweep over)", s->key);
      }
      continue;
    }
    if (j && buf_str(&b, ","))
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    if (!rc)
      rc = item(s, it, l, multirun, spec, argc, argv, &b, &what, err);
    if (!rc && what == ITEM_DROP) {
      if (k > 1)
        rc = li2_error_set(err, LI2_EINVAL, "parameter %s: null in a sweep (li2 has no unset "
                                            "value to sweep over)", s->key);
      else {
        free(b.s);
        return LI2_SUCCESS;  /* *out NULL: the word goes */
      }
    }
  }
  if (rc) {
    free(b.s);
    return rc;
  }
  *out = b.s;
  return LI2_SUCCESS;
}

void li2_hydra_clear(li2_hydra *h)
{
  if (!h)
    return;
  for (int i = 0; i < h->nwords; i++)
    free(h->words[i]);
  for (int i = 0; i < h->nextra; i++)
    free(h->extra[i]);
  free(h->words);
  free(h->extra);
  memset(h, 0, sizeof *h);
}

int li2_hydra_translate(const li2_arg_spec *spec, int argc, char **argv, li2_hydra *h,
                        li2_error *err)
{
  buf meta = {0};
  int rc = LI2_SUCCESS;
  memset(h, 0, sizeof *h);
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "-m") || !strcmp(argv[i], "--multirun"))
      h->multirun = 1;
  for (int i = 0; i < argc && !rc; i++) {
    const char *w = argv[i], *eq = strchr(w, '=');
    char *out = NULL;
    if (!strcmp(w, "-m") || !strcmp(w, "--multirun"))
      continue;
    if (h->multirun && (!strncmp(w, "-j", 2) || !strncmp(w, "--jobs", 6))) {
      /* li2 sweep's worker count (not Hydra's) */
      int two = (!strcmp(w, "-j") || !strcmp(w, "--jobs")) && i + 1 < argc;
      char *a = strdup(w), *b2 = two ? strdup(argv[i + 1]) : NULL;
      if (!a || (two && !b2) || push(&h->extra, &h->nextra, a) ||
          (two && push(&h->extra, &h->nextra, b2)))
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      i += two;
      continue;
    }
    if (!strcmp(w, "-cn") || !strcmp(w, "-cp") || !strcmp(w, "-cd") || !strcmp(w, "-c") ||
        !strncmp(w, "--config-name", 13) || !strncmp(w, "--config-path", 13) ||
        !strncmp(w, "--config-dir", 12) || !strncmp(w, "--cfg", 5) || !strcmp(w, "--info") ||
        !strcmp(w, "--hydra-help") || !strncmp(w, "--run", 5)) {
      rc = li2_error_set(err, LI2_EINVAL, "'%s': a Hydra option li2 has no equivalent for "
                                          "(give the options as key=value)", w);
      break;
    }
    if (w[0] == '~') {
      rc = li2_error_set(err, LI2_EINVAL, "'%s': Hydra's key deletion; li2 keys cannot be "
                                          "deleted (leave the key out for its default)", w);
      break;
    }
    if (eq && (!strncmp(w, "hydra.", 6) || !strncmp(w, "hydra/", 6))) {
      size_t kl = (size_t)(eq - w);
      if ((kl == 13 && !strncmp(w, "hydra.run.dir", 13) && !h->multirun) ||
          (kl == 15 && !strncmp(w, "hydra.sweep.dir", 15) && h->multirun)) {
        size_t l = strlen(eq + 1);
        const char *v = eq + 1;
        if (quoted(v, l))
          v++, l -= 2;
        if (!(out = malloc(l + 5)))
          rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        else {
          snprintf(out, l + 5, "out=%.*s", (int)l, v);
          h->has_out = 1;
        }
      } else if ((kl == 13 && !strncmp(w, "hydra.run.dir", 13)) ||
                 (kl == 15 && !strncmp(w, "hydra.sweep.dir", 15))) {
        continue;  /* the other mode's directory: Hydra ignores it too */
      } else {
        rc = li2_error_set(err, LI2_EINVAL, "'%.*s': a Hydra setting li2 has no equivalent for "
                                            "(hydra.run.dir and hydra.sweep.dir become out=)",
                           (int)kl, w);
        break;
      }
    } else if (eq && w[0] == '+') {
      /* +key=value adds a key (Hydra refuses an existing one); ++key=value
       * adds or overrides */
      int force = w[1] == '+';
      const char *k = w + 1 + force, *v = eq + 1;
      size_t kl = (size_t)(eq - k), vl = strlen(v);
      const li2_arg_spec *s = find_spec(spec, k, kl);
      if (s && force) {
        rc = translate_word(s, v, h->multirun, spec, argc, argv, &out, err);
        if (!rc && !out)
          continue;
      } else if (s) {
        rc = li2_error_set(err, LI2_EINVAL, "'%s': %.*s is already a parameter (as Hydra: "
                                            "write %.*s=VALUE, or ++ to force)",
                           w, (int)kl, k, (int)kl, k);
        break;
      } else if (!find_spec(spec, "metadata", 8)) {
        rc = li2_error_set(err, LI2_EINVAL, "'%s': this command keeps no metadata", w);
        break;
      } else {
        if (quoted(v, vl))
          v++, vl -= 2;
        if (!valid_key(k, kl) || memchr(v, ';', vl) || memchr(v, ',', vl)) {
          rc = li2_error_set(err, LI2_EINVAL, "'%s': metadata is +KEY=VALUE with a name for KEY "
                                              "and no ',' or ';' in VALUE", w);
          break;
        }
        if ((meta.len && buf_str(&meta, ";")) || buf_add(&meta, k, kl) ||
            buf_str(&meta, "=") || buf_add(&meta, v, vl))
          rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        continue;
      }
    } else if (eq && eq != w && w[0] != '-') {
      const li2_arg_spec *s = find_spec(spec, w, (size_t)(eq - w));
      if (!s || s->type == LI2_ARG_FLAG) {
        out = strdup(w);  /* li2_args_parse names the unknown key */
      } else {
        rc = translate_word(s, eq + 1, h->multirun, spec, argc, argv, &out, err);
        if (!rc && !out)
          continue;
        if (!rc && !strcmp(s->key, "out"))
          h->has_out = 1;
      }
    } else {
      out = strdup(w);
    }
    if (!rc && (!out || push(&h->words, &h->nwords, out))) {
      free(out);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
  }
  if (!rc && meta.len) {
    char *m = malloc(meta.len + 10);
    if (!m || (snprintf(m, meta.len + 10, "metadata=%s", meta.s), push(&h->words, &h->nwords, m))) {
      free(m);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
  }
  free(meta.s);
  if (!rc && !h->words && push(&h->words, &h->nwords, NULL) == 0)
    h->nwords = 0;  /* an empty, NULL-terminated list */
  if (rc)
    li2_hydra_clear(h);
  return rc;
}
