/* Parameter sweeps: expansion, points, shards, sweep directory (sweep.h). */
#define _POSIX_C_SOURCE 200809L
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io.h"
#include "json.h"
#include "provenance.h"

typedef struct {
  char *key;
  char **v;
  size_t n;
} sweep_key;

struct li2_sweep {
  char *command;
  sweep_key *keys;
  size_t nkeys;
  size_t npoints;
  char *spec;  /* canonical text */
};

/* ------------------------------------------------------------------ */
/* value lists and ranges                                               */

void li2_sweep_values_free(char **values, size_t n)
{
  if (!values)
    return;
  for (size_t i = 0; i < n; i++)
    free(values[i]);
  free(values);
}

typedef struct {
  char **v;
  size_t n, cap;
} strvec;

static int vec_push(strvec *a, char *s)
{
  if (!s)
    return LI2_ENOMEM;
  if (a->n == a->cap) {
    size_t nc = a->cap ? 2 * a->cap : 8;
    char **p = realloc(a->v, nc * sizeof *p);
    if (!p) {
      free(s);
      return LI2_ENOMEM;
    }
    a->v = p;
    a->cap = nc;
  }
  a->v[a->n++] = s;
  return LI2_SUCCESS;
}

/* A whole string that is a finite number; *INTEGRAL when written without
 * '.', exponent or a fraction (so the range prints integers). */
static int parse_number(const char *s, double *x, int *integral)
{
  if (!li2_args_number(s, x))
    return 0;
  *integral = !strpbrk(s, ".eEnN") && fabs(*x) < 9007199254740992.0;
  return 1;
}

static char *format_value(double x, int integral)
{
  char buf[64];
  if (integral)
    snprintf(buf, sizeof buf, "%.0f", x);
  else
    snprintf(buf, sizeof buf, "%.10g", x == 0 ? 0.0 : x);  /* no "-0" */
  return strdup(buf);
}

/* ITEM has two or three ':'-separated parts that are all numbers: append
 * the range to A (*IS_RANGE = 1); otherwise leave A alone. */
static int expand_range(const char *key, const char *item, strvec *a, int *is_range,
                        li2_error *err)
{
  char buf[256], *part[4];
  size_t np = 0;
  double x[3];
  int integral[3], all_int = 1;
  double start, end, step;
  double count;
  *is_range = 0;
  if (!strchr(item, ':') || strlen(item) >= sizeof buf)
    return LI2_SUCCESS;
  strcpy(buf, item);
  for (char *p = buf, *c;; p = c + 1) {
    if (np == 4)
      return LI2_SUCCESS;
    part[np++] = p;
    if (!(c = strchr(p, ':')))
      break;
    *c = 0;
  }
  if (np > 3)
    return LI2_SUCCESS;
  for (size_t i = 0; i < np; i++) {
    if (!parse_number(part[i], &x[i], &integral[i]))
      return LI2_SUCCESS;  /* a literal such as the group Z7:Z3 */
    all_int &= integral[i];
  }
  *is_range = 1;
  start = x[0];
  end = x[1];
  step = np == 3 ? x[2] : 1;
  if (step == 0)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: range %s has step 0", key, item);
  if ((end - start) * step < 0)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: range %s is empty (%s end %s start%s)",
                         key, item, step > 0 ? "the" : "with a negative step the",
                         step > 0 ? "is before the" : "is after the",
                         np == 3 ? "" : "; A:B counts up by 1, A:B:S by S");
  /* start + i step for i = 0 .. n-1; the tolerance of 1e-9 steps keeps the
   * end point that rounding would push just past B (0.5:0.95:0.05) */
  count = floor((end - start) / step + 1e-9) + 1;
  if (count > LI2_SWEEP_MAX_VALUES)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: range %s has %.0f values (at most %d)",
                         key, item, count, LI2_SWEEP_MAX_VALUES);
  for (long i = 0; i < (long)count; i++)
    if (vec_push(a, format_value(start + (double)i * step, all_int)))
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
  return LI2_SUCCESS;
}

int li2_sweep_values_parse(const char *key, const char *list, char ***values, size_t *n,
                           li2_error *err)
{
  strvec a = {0};
  size_t len = strlen(list);
  char *item = malloc(len + 1);
  const char *p = list;
  int rc = LI2_SUCCESS;
  *values = NULL;
  *n = 0;
  if (!item)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (;;) {
    size_t k = 0;
    int is_range;
    /* one item: up to an unescaped comma; "\," and "\\" are literal */
    for (; *p && *p != ','; p++) {
      if (*p == '\\' && (p[1] == ',' || p[1] == '\\'))
        p++;
      item[k++] = *p;
    }
    item[k] = 0;
    if (!k) {
      rc = li2_error_set(err, LI2_EINVAL, "parameter %s: empty value in '%s'", key, list);
      break;
    }
    if ((rc = expand_range(key, item, &a, &is_range, err)))
      break;
    if (!is_range && vec_push(&a, strdup(item))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      break;
    }
    if (a.n > LI2_SWEEP_MAX_VALUES) {
      rc = li2_error_set(err, LI2_EINVAL, "parameter %s: more than %d values", key,
                         LI2_SWEEP_MAX_VALUES);
      break;
    }
    if (!*p)
      break;
    p++;  /* the comma */
  }
  free(item);
  if (rc) {
    li2_sweep_values_free(a.v, a.n);
    return rc;
  }
  *values = a.v;
  *n = a.n;
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* the sweep                                                            */

void li2_sweep_free(li2_sweep *s)
{
  if (!s)
    return;
  for (size_t k = 0; k < s->nkeys; k++) {
    free(s->keys[k].key);
    li2_sweep_values_free(s->keys[k].v, s->keys[k].n);
  }
  free(s->keys);
  free(s->command);
  free(s->spec);
  free(s);
}

/* Append S to the canonical text with ',' and '\' escaped. */
static void put_escaped(FILE *fp, const char *s)
{
  for (; *s; s++) {
    if (*s == ',' || *s == '\\')
      fputc('\\', fp);
    fputc(*s, fp);
  }
}

char *li2_sweep_list_text(const li2_sweep *s, size_t k)
{
  char *text = NULL;
  size_t len;
  FILE *fp = open_memstream(&text, &len);
  if (!fp)
    return NULL;
  for (size_t j = 0; j < s->keys[k].n; j++) {
    if (j)
      fputc(',', fp);
    put_escaped(fp, s->keys[k].v[j]);
  }
  if (fclose(fp)) {
    free(text);
    return NULL;
  }
  return text;
}

static int make_spec(li2_sweep *s)
{
  size_t len;
  int bad = 0;
  FILE *fp = open_memstream(&s->spec, &len);
  if (!fp)
    return LI2_ENOMEM;
  fputs(s->command, fp);
  for (size_t k = 0; k < s->nkeys; k++) {
    char *list = li2_sweep_list_text(s, k);
    bad |= !list;
    fprintf(fp, " %s=%s", s->keys[k].key, list ? list : "");
    free(list);
  }
  return fclose(fp) || bad ? LI2_ENOMEM : LI2_SUCCESS;
}

/* Each value of each key parses as the command's parameter. */
static int validate(const li2_sweep *s, const li2_arg_spec *spec, li2_error *err)
{
  for (size_t k = 0; k < s->nkeys; k++)
    for (size_t j = 0; j < s->keys[k].n; j++) {
      size_t l = strlen(s->keys[k].key) + strlen(s->keys[k].v[j]) + 2;
      char *word = malloc(l);
      li2_args *a = NULL;
      int rc;
      if (!word)
        return li2_error_set(err, LI2_ENOMEM, "out of memory");
      if (!strncmp(s->keys[k].key, "--", 2) && !strcmp(s->keys[k].v[j], "true"))
        snprintf(word, l, "%s", s->keys[k].key);  /* a flag, named as written */
      else
        snprintf(word, l, "%s=%s", s->keys[k].key, s->keys[k].v[j]);
      rc = li2_args_parse(&a, spec, 1, &word, err);
      li2_args_free(a);
      free(word);
      if (rc)
        return rc;
    }
  return LI2_SUCCESS;
}

li2_sweep *li2_sweep_alloc(const char *command, const li2_arg_spec *spec,
                           const char *const *reserved, int nwords, char **words,
                           li2_error *err)
{
  li2_sweep *s = calloc(1, sizeof *s);
  int rc = LI2_SUCCESS;
  if (!s || !(s->command = strdup(command)) ||
      (nwords > 0 && !(s->keys = calloc((size_t)nwords, sizeof *s->keys)))) {
    li2_sweep_free(s);
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    return NULL;
  }
  s->npoints = 1;
  for (int i = 0; i < nwords && !rc; i++) {
    const char *eq = strchr(words[i], '=');
    sweep_key *k = &s->keys[s->nkeys];
    char *flag = NULL;
    if (!eq && words[i][0] == '-' && words[i][1] == '-' && words[i][2]) {
      size_t l = strlen(words[i]);
      if (!(flag = malloc(l + 6))) {
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        break;
      }
      snprintf(flag, l + 6, "%s=true", words[i]);
      eq = flag + l;
    }
    if (!eq || eq == words[i]) {
      rc = li2_error_set(err, LI2_EINVAL, "'%s': expected KEY=V1,V2,... or KEY=A:B[:STEP]",
                         words[i]);
      break;
    }
    if (!(k->key = strndup(flag ? flag : words[i], (size_t)(eq - (flag ? flag : words[i]))))) {
      free(flag);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      break;
    }
    s->nkeys++;
    for (size_t r = 0; reserved && reserved[r]; r++)
      if (!strcmp(reserved[r], k->key + (k->key[0] == '-' && k->key[1] == '-' ? 2 : 0)))
        rc = li2_error_set(err, LI2_EINVAL, "parameter %s: set by the sweep for each point, "
                                            "cannot be swept", k->key);
    for (size_t j = 0; j + 1 < s->nkeys && !rc; j++)
      if (!strcmp(s->keys[j].key, k->key))
        rc = li2_error_set(err, LI2_EINVAL, "parameter %s: given twice (list its values "
                                            "once: %s=V1,V2,...)", k->key, k->key);
    if (!rc)
      rc = li2_sweep_values_parse(k->key, eq + 1, &k->v, &k->n, err);
    free(flag);
    if (!rc && (double)s->npoints * (double)k->n > LI2_SWEEP_MAX_POINTS)
      rc = li2_error_set(err, LI2_EINVAL, "parameter %s: the sweep would have more than %d "
                                          "points", k->key, LI2_SWEEP_MAX_POINTS);
    if (!rc)
      s->npoints *= k->n;
  }
  if (!rc && spec)
    rc = validate(s, spec, err);
  if (!rc && make_spec(s))
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (rc) {
    li2_sweep_free(s);
    return NULL;
  }
  return s;
}

const char *li2_sweep_command(const li2_sweep *s) { return s->command; }
size_t li2_sweep_npoints(const li2_sweep *s) { return s->npoints; }
size_t li2_sweep_nkeys(const li2_sweep *s) { return s->nkeys; }
const char *li2_sweep_key(const li2_sweep *s, size_t k) { return s->keys[k].key; }
size_t li2_sweep_nvalues(const li2_sweep *s, size_t k) { return s->keys[k].n; }
const char *li2_sweep_spec(const li2_sweep *s) { return s->spec; }

int li2_sweep_has_key(const li2_sweep *s, const char *key)
{
  for (size_t k = 0; k < s->nkeys; k++)
    if (!strcmp(s->keys[k].key, key))
      return 1;
  return 0;
}

/* Mixed radix, last key fastest (itertools.product). */
const char *li2_sweep_value(const li2_sweep *s, size_t point, size_t k)
{
  size_t stride = 1;
  for (size_t j = k + 1; j < s->nkeys; j++)
    stride *= s->keys[j].n;
  return s->keys[k].v[(point / stride) % s->keys[k].n];
}

/* ------------------------------------------------------------------ */
/* shards                                                               */

int li2_sweep_shard_parse(const char *text, const char *key, li2_sweep_shard *sh,
                          li2_error *err)
{
  char *end;
  const char *q;
  long i, n;
  errno = 0;
  i = strtol(text, &end, 10);
  if (end == text || *end != '/' || errno)
    goto bad;
  q = end + 1;
  n = strtol(q, &end, 10);
  if (end == q || *end || errno)
    goto bad;
  if (n < 1 || i < 1 || i > n)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: shard %ld/%ld does not exist (I/N "
                                          "needs 1 <= I <= N)", key, i, n);
  sh->index = (size_t)i;
  sh->count = (size_t)n;
  return LI2_SUCCESS;
bad:
  return li2_error_set(err, LI2_EINVAL, "parameter %s: '%s' is not I/N (shard I of N, "
                                        "1-based)", key, text);
}

int li2_sweep_shard_contains(const li2_sweep_shard *sh, size_t point)
{
  return !sh || point % sh->count == sh->index - 1;
}

/* ------------------------------------------------------------------ */
/* the sweep directory                                                  */

static int write_manifest_to(const li2_sweep *s, FILE *fp)
{
  li2_json_writer w;
  li2_json_writer_init(&w, fp, 1);
  li2_json_object_begin(&w);
  li2_json_key(&w, "li2_sweep");
  li2_json_int(&w, 1);
  li2_json_key(&w, "spec");
  li2_json_string(&w, s->spec);
  li2_json_key(&w, "command");
  li2_json_string(&w, s->command);
  li2_json_key(&w, "points");
  li2_json_int(&w, (long)s->npoints);
  li2_json_key(&w, "order");
  li2_json_string(&w, "product: first key slowest, last key fastest");
  li2_json_key(&w, "keys");
  li2_json_array_begin(&w);
  for (size_t k = 0; k < s->nkeys; k++) {
    li2_json_object_begin(&w);
    li2_json_key(&w, "key");
    li2_json_string(&w, s->keys[k].key);
    li2_json_key(&w, "values");
    li2_json_array_begin(&w);
    for (size_t j = 0; j < s->keys[k].n; j++)
      li2_json_string(&w, s->keys[k].v[j]);
    li2_json_array_end(&w);
    li2_json_object_end(&w);
  }
  li2_json_array_end(&w);
  li2_json_key(&w, "provenance");
  li2_provenance_write(&w);
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
  return LI2_SUCCESS;
}

/* Read DIR/manifest.json: LI2_EIO when absent, LI2_EINVAL when it differs. */
static int manifest_compare(const li2_sweep *s, const char *dir, li2_error *err)
{
  char *path = li2_io_path(dir, "manifest.json"), *text = NULL;
  size_t len;
  li2_json *js;
  const li2_json *spec;
  int rc;
  if (!path)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if ((rc = li2_io_read_file(path, &text, &len, err))) {
    free(path);
    return rc;
  }
  js = li2_json_parse(text, len, err);
  free(text);
  if (!js) {
    li2_error_prefix(err, "%s: ", path);
    free(path);
    return LI2_EFORMAT;
  }
  spec = li2_json_get(js, "spec");
  if (!spec || spec->type != LI2_JSON_STRING)
    rc = li2_error_set(err, LI2_EFORMAT, "%s: not a sweep manifest (no \"spec\")", path);
  else if (strcmp(spec->string, s->spec))
    rc = li2_error_set(err, LI2_EINVAL,
                       "out=%s holds a different sweep (%s: '%s'; this one: '%s'): use another "
                       "out= or remove it", dir, path, spec->string, s->spec);
  li2_json_free(js);
  free(path);
  return rc;
}

int li2_sweep_manifest_check(const li2_sweep *s, const char *dir, li2_error *err)
{
  return manifest_compare(s, dir, err);
}

li2_sweep *li2_sweep_manifest_load(const char *dir, li2_error *err)
{
  char *path = li2_io_path(dir, "manifest.json"), *text = NULL;
  size_t len;
  li2_json *js = NULL;
  const li2_json *cmd, *keys;
  char **words = NULL;
  size_t nw = 0;
  li2_sweep *s = NULL;
  if (!path) {
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    return NULL;
  }
  if (li2_io_read_file(path, &text, &len, err) || !(js = li2_json_parse(text, len, err))) {
    if (js == NULL && text)
      li2_error_prefix(err, "%s: ", path);
    goto done;
  }
  cmd = li2_json_get(js, "command");
  keys = li2_json_get(js, "keys");
  if (!cmd || cmd->type != LI2_JSON_STRING || !keys || keys->type != LI2_JSON_ARRAY) {
    li2_error_set(err, LI2_EFORMAT, "%s: not a sweep manifest (no \"command\" or \"keys\")", path);
    goto done;
  }
  if (!(words = calloc(keys->n + 1, sizeof *words))) {
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (nw = 0; nw < keys->n; nw++) {
    const li2_json *k = li2_json_get(&keys->item[nw], "key"), *v = li2_json_get(&keys->item[nw], "values");
    size_t wl;
    FILE *fp;
    if (!k || k->type != LI2_JSON_STRING || !v || v->type != LI2_JSON_ARRAY || v->n == 0) {
      li2_error_set(err, LI2_EFORMAT, "%s: keys[%zu] is not {\"key\", \"values\"}", path, nw);
      goto done;
    }
    if (!(fp = open_memstream(&words[nw], &wl))) {
      li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    fprintf(fp, "%s=", k->string);
    for (size_t j = 0; j < v->n; j++) {
      if (j)
        fputc(',', fp);
      if (v->item[j].type == LI2_JSON_STRING)
        put_escaped(fp, v->item[j].string);
    }
    fclose(fp);
  }
  s = li2_sweep_alloc(cmd->string, NULL, NULL, (int)nw, words, err);
done:
  li2_sweep_values_free(words, nw);
  li2_json_free(js);
  free(text);
  free(path);
  return s;
}

int li2_sweep_manifest_write(const li2_sweep *s, const char *dir, li2_error *err)
{
  char *points;
  li2_io_file f;
  li2_error e2 = {0};
  int rc = manifest_compare(s, dir, &e2);
  if (rc != LI2_EIO) {  /* present: same sweep, or an error to report */
    if (rc)
      *err = e2;
    return rc;
  }
  if (!(points = li2_io_path(dir, "points")))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_io_mkdir(points, err);
  free(points);
  if (rc || (rc = li2_io_open_atomic_in(&f, dir, "manifest.json", err)))
    return rc;
  write_manifest_to(s, f.fp);
  return li2_io_commit(&f, err);
}

char *li2_sweep_point_path(const char *dir, size_t npoints, size_t point)
{
  int width = 4;
  size_t len = strlen(dir) + 64;
  char *p = malloc(len);
  for (size_t n = npoints > 0 ? npoints - 1 : 0; n >= 10000; n /= 10)
    width++;
  if (p)
    snprintf(p, len, "%s/points/%0*zu", dir, width, point);
  return p;
}

char *li2_sweep_point_dir(const li2_sweep *s, const char *dir, size_t point)
{
  return li2_sweep_point_path(dir, s->npoints, point);
}

/* The parsed point.json of POINT, or NULL when absent or not this point's. */
static li2_json *point_read(const li2_sweep *s, const char *dir, size_t point)
{
  char *pd = li2_sweep_point_dir(s, dir, point), *path = pd ? li2_io_path(pd, "point.json") : NULL;
  char *text = NULL;
  size_t len;
  li2_json *js = NULL;
  const li2_json *p;
  struct stat st;
  if (path && stat(path, &st) == 0 && !li2_io_read_file(path, &text, &len, NULL)) {
    js = li2_json_parse(text, len, NULL);
    const li2_json *sm = js ? li2_json_get(js, "summary") : NULL;
    p = js ? li2_json_get(js, "point") : NULL;
    if (!p || p->type != LI2_JSON_NUMBER || p->number != (double)point || !sm ||
        sm->type != LI2_JSON_OBJECT || sm->n == 0) {
      li2_json_free(js);
      js = NULL;
    }
  }
  free(text);
  free(path);
  free(pd);
  return js;
}

int li2_sweep_point_complete(const li2_sweep *s, const char *dir, size_t point)
{
  li2_json *js = point_read(s, dir, point);
  li2_json_free(js);
  return js != NULL;
}

/* The child's stdout as a summary object: JSON, else "name<TAB>number".
 * Returns the number of its members: 0 means the output did not parse. */
static size_t write_summary(li2_json_writer *w, const char *text)
{
  li2_json *js = text ? li2_json_parse(text, strlen(text), NULL) : NULL;
  size_t n = 0;
  if (js && js->type == LI2_JSON_OBJECT) {
    n = js->n;
    li2_json_value(w, js);
    li2_json_free(js);
    return n;
  }
  li2_json_free(js);
  li2_json_object_begin(w);
  for (const char *p = text; p && *p;) {
    const char *nl = strchr(p, '\n'), *tab = strchr(p, '\t');
    size_t l = nl ? (size_t)(nl - p) : strlen(p);
    if (tab && tab < p + l && tab > p) {
      char name[128], val[128], *end;
      size_t kn = (size_t)(tab - p), vn = l - kn - 1;
      if (kn < sizeof name && vn < sizeof val && vn > 0) {
        double x;
        memcpy(name, p, kn);
        name[kn] = 0;
        memcpy(val, tab + 1, vn);
        val[vn] = 0;
        x = strtod(val, &end);
        if (end != val && !*end) {
          li2_json_key(w, name);
          li2_json_number(w, x);
          n++;
        }
      }
    }
    p += l + (nl != NULL);
  }
  li2_json_object_end(w);
  return n;
}

char *li2_sweep_point_json(const li2_sweep *s, size_t point, char *const *argv,
                           int exit_status, double seconds, const char *threads,
                           const char *stdout_text)
{
  char *buf = NULL;
  size_t len, nsummary;
  li2_json_writer w;
  FILE *fp = open_memstream(&buf, &len);
  if (!fp)
    return NULL;
  li2_json_writer_init(&w, fp, 1);
  li2_json_object_begin(&w);
  li2_json_key(&w, "point");
  li2_json_int(&w, (long)point);
  li2_json_key(&w, "parameters");
  li2_json_object_begin(&w);
  for (size_t k = 0; k < s->nkeys; k++) {
    li2_json_key(&w, s->keys[k].key);
    li2_json_string(&w, li2_sweep_value(s, point, k));
  }
  li2_json_object_end(&w);
  if (argv) {
    li2_json_key(&w, "argv");
    li2_json_array_begin(&w);
    for (size_t i = 0; argv[i]; i++)
      li2_json_string(&w, argv[i]);
    li2_json_array_end(&w);
  }
  li2_json_key(&w, "exit_status");
  li2_json_int(&w, exit_status);
  li2_json_key(&w, "seconds");
  li2_json_number(&w, seconds);
  if (threads) {
    li2_json_key(&w, "threads");
    li2_json_string(&w, threads);
  }
  li2_json_key(&w, "summary");
  nsummary = write_summary(&w, stdout_text);
  li2_json_key(&w, "provenance");
  li2_provenance_write(&w);
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
  /* a point is complete only with its summary: an empty one would be a row
   * of NaN in results.tsv that no rerun retries (issue 15) */
  if (fclose(fp) || nsummary == 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

int li2_sweep_point_commit(const li2_sweep *s, const char *dir, size_t point, const char *text,
                           li2_error *err)
{
  char *pd = li2_sweep_point_dir(s, dir, point);
  li2_io_file f;
  int rc;
  if (!pd)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (!(rc = li2_io_mkdir(pd, err)) && !(rc = li2_io_open_atomic_in(&f, pd, "point.json", err))) {
    fputs(text, f.fp);
    rc = li2_io_commit(&f, err);
  }
  free(pd);
  return rc;
}

/* ------------------------------------------------------------------ */
/* results.tsv                                                          */

/* Summary fields that describe how a run went, not its result. */
static int run_field(const char *name)
{
  return strstr(name, "seconds") != NULL || !strcmp(name, "start_epoch");
}

static int scalar(const li2_json *v)
{
  return v->type == LI2_JSON_NUMBER || v->type == LI2_JSON_BOOL || v->type == LI2_JSON_NULL;
}

static void put_number(FILE *fp, const li2_json *v)
{
  if (!v || v->type == LI2_JSON_NULL || !scalar(v))
    fputs("nan", fp);
  else
    fprintf(fp, "%.17g", v->number);
}

int li2_sweep_results_write(const li2_sweep *s, const char *dir, size_t *ncomplete,
                            li2_error *err)
{
  li2_json **pts = calloc(s->npoints ? s->npoints : 1, sizeof *pts);
  strvec cols = {0};
  li2_io_file f, ft;
  int rc = LI2_SUCCESS, frac = 0;
  size_t done = 0;
  if (!pts)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (size_t p = 0; p < s->npoints && !rc; p++) {
    const li2_json *sm;
    if (!(pts[p] = point_read(s, dir, p)))
      continue;
    done++;
    sm = li2_json_get(pts[p], "summary");
    for (size_t i = 0; sm && sm->type == LI2_JSON_OBJECT && i < sm->n; i++) {
      size_t c;
      if (!scalar(&sm->item[i]) || run_field(sm->keys[i]))
        continue;
      for (c = 0; c < cols.n && strcmp(cols.v[c], sm->keys[i]); c++)
        ;
      if (c == cols.n && vec_push(&cols, strdup(sm->keys[i])))
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
  }
  for (size_t c = 0; c < cols.n; c++)
    frac |= (!strcmp(cols.v[c], "ntrain") ? 1 : 0) | (!strcmp(cols.v[c], "ntest") ? 2 : 0) |
            (!strcmp(cols.v[c], "train_fraction") ? 4 : 0);
  frac = frac == 3;  /* ntrain and ntest, no train_fraction of its own */
  if (!rc && !(rc = li2_io_open_atomic_in(&f, dir, "results.tsv", err))) {
    if ((rc = li2_io_open_atomic_in(&ft, dir, "times.tsv", err)))
      li2_io_abort(&f);
  }
  if (rc)
    goto done;
  fputs("point", f.fp);
  for (size_t k = 0; k < s->nkeys; k++)
    fprintf(f.fp, "\t%s", s->keys[k].key);
  for (size_t c = 0; c < cols.n; c++)
    fprintf(f.fp, "\t%s", cols.v[c]);
  fputs(frac ? "\ttrain_fraction\n" : "\n", f.fp);
  fputs("point\tseconds\n", ft.fp);
  for (size_t p = 0; p < s->npoints; p++) {
    const li2_json *sm, *sec;
    if (!pts[p])
      continue;
    sm = li2_json_get(pts[p], "summary");
    fprintf(f.fp, "%zu", p);
    for (size_t k = 0; k < s->nkeys; k++)
      fprintf(f.fp, "\t%s", li2_sweep_value(s, p, k));
    for (size_t c = 0; c < cols.n; c++) {
      fputc('\t', f.fp);
      put_number(f.fp, sm ? li2_json_get(sm, cols.v[c]) : NULL);
    }
    if (frac) {
      const li2_json *a = sm ? li2_json_get(sm, "ntrain") : NULL;
      const li2_json *b = sm ? li2_json_get(sm, "ntest") : NULL;
      if (a && b && a->type == LI2_JSON_NUMBER && b->type == LI2_JSON_NUMBER &&
          a->number + b->number > 0)
        fprintf(f.fp, "\t%.17g", a->number / (a->number + b->number));
      else
        fputs("\tnan", f.fp);
    }
    fputc('\n', f.fp);
    sec = li2_json_get(pts[p], "seconds");
    fprintf(ft.fp, "%zu\t", p);
    put_number(ft.fp, sec);
    fputc('\n', ft.fp);
  }
  if ((rc = li2_io_commit(&f, err)))
    li2_io_abort(&ft);
  else
    rc = li2_io_commit(&ft, err);
done:
  for (size_t p = 0; p < s->npoints; p++)
    li2_json_free(pts[p]);
  free(pts);
  li2_sweep_values_free(cols.v, cols.n);
  if (!rc && ncomplete)
    *ncomplete = done;
  return rc;
}
