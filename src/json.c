#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- writer ---------------- */

void li2_json_writer_init(li2_json_writer *w, FILE *fp, int pretty)
{
  memset(w, 0, sizeof *w);
  w->fp = fp;
  w->pretty = pretty;
}

static void indent(li2_json_writer *w)
{
  if (!w->pretty)
    return;
  fputc('\n', w->fp);
  for (int i = 0; i < w->depth; i++)
    fputs("  ", w->fp);
}

/* Separator before a value (or a key) at the current depth. */
static void before_item(li2_json_writer *w)
{
  if (w->after_key) {
    w->after_key = 0;
    return;
  }
  if (w->depth > 0) {
    if (w->count[w->depth]++)
      fputc(',', w->fp);
    indent(w);
  }
}

static void open_container(li2_json_writer *w, int c)
{
  before_item(w);
  fputc(c, w->fp);
  if (w->depth + 1 < LI2_JSON_MAX_DEPTH)
    w->depth++;
  w->count[w->depth] = 0;
}

static void close_container(li2_json_writer *w, int c)
{
  int had = w->count[w->depth];
  if (w->depth > 0)
    w->depth--;
  if (had)
    indent(w);
  fputc(c, w->fp);
}

void li2_json_object_begin(li2_json_writer *w) { open_container(w, '{'); }
void li2_json_object_end(li2_json_writer *w) { close_container(w, '}'); }
void li2_json_array_begin(li2_json_writer *w) { open_container(w, '['); }
void li2_json_array_end(li2_json_writer *w) { close_container(w, ']'); }

static void put_string(FILE *fp, const char *s)
{
  fputc('"', fp);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", fp); break;
    case '\\': fputs("\\\\", fp); break;
    case '\n': fputs("\\n", fp); break;
    case '\t': fputs("\\t", fp); break;
    case '\r': fputs("\\r", fp); break;
    default:
      if (*p < 0x20)
        fprintf(fp, "\\u%04x", *p);
      else
        fputc(*p, fp);
    }
  }
  fputc('"', fp);
}

void li2_json_key(li2_json_writer *w, const char *key)
{
  before_item(w);
  put_string(w->fp, key);
  fputs(w->pretty ? ": " : ":", w->fp);
  w->after_key = 1;
}

void li2_json_string(li2_json_writer *w, const char *s)
{
  before_item(w);
  if (s)
    put_string(w->fp, s);
  else
    fputs("null", w->fp);
}

void li2_json_number(li2_json_writer *w, double x)
{
  before_item(w);
  if (isfinite(x))
    fprintf(w->fp, "%.17g", x);
  else
    fputs("null", w->fp);
}

/* JSON's number grammar (RFC 8259 section 6), whole string. */
static int json_number_syntax(const char *s)
{
  if (*s == '-')
    s++;
  if (*s == '0')
    s++;
  else if (*s >= '1' && *s <= '9')
    while (*s >= '0' && *s <= '9')
      s++;
  else
    return 0;
  if (*s == '.') {
    s++;
    if (!(*s >= '0' && *s <= '9'))
      return 0;
    while (*s >= '0' && *s <= '9')
      s++;
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-')
      s++;
    if (!(*s >= '0' && *s <= '9'))
      return 0;
    while (*s >= '0' && *s <= '9')
      s++;
  }
  return *s == 0;
}

void li2_json_number_text(li2_json_writer *w, const char *text)
{
  double x;
  if (json_number_syntax(text)) {
    before_item(w);
    fputs(text, w->fp);
    return;
  }
  x = strtod(text, NULL);
  li2_json_number(w, x);
}

void li2_json_int(li2_json_writer *w, long x)
{
  before_item(w);
  fprintf(w->fp, "%ld", x);
}

void li2_json_bool(li2_json_writer *w, int b)
{
  before_item(w);
  fputs(b ? "true" : "false", w->fp);
}

void li2_json_null(li2_json_writer *w)
{
  before_item(w);
  fputs("null", w->fp);
}

void li2_json_value(li2_json_writer *w, const li2_json *v)
{
  switch (v->type) {
  case LI2_JSON_NULL: li2_json_null(w); break;
  case LI2_JSON_BOOL: li2_json_bool(w, v->number != 0); break;
  case LI2_JSON_NUMBER:
    if (v->string)
      li2_json_number_text(w, v->string);
    else
      li2_json_number(w, v->number);
    break;
  case LI2_JSON_STRING: li2_json_string(w, v->string); break;
  case LI2_JSON_ARRAY:
  case LI2_JSON_OBJECT:
    if (v->type == LI2_JSON_OBJECT)
      li2_json_object_begin(w);
    else
      li2_json_array_begin(w);
    for (size_t i = 0; i < v->n; i++) {
      if (v->type == LI2_JSON_OBJECT)
        li2_json_key(w, v->keys[i]);
      li2_json_value(w, &v->item[i]);
    }
    if (v->type == LI2_JSON_OBJECT)
      li2_json_object_end(w);
    else
      li2_json_array_end(w);
    break;
  }
}

void li2_json_writer_finish(li2_json_writer *w)
{
  fputc('\n', w->fp);
  fflush(w->fp);
}

/* ---------------- reader ---------------- */

typedef struct {
  const char *s;
  size_t len, pos;
  int depth;
  li2_error *err;
} parser;

static int fail(parser *p, const char *what)
{
  return li2_error_set(p->err, LI2_EFORMAT, "JSON: %s at character %zu", what,
                       p->pos + 1);
}

static void skip_ws(parser *p)
{
  while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
    p->pos++;
}

static int parse_value(parser *p, li2_json *v);

static int parse_string(parser *p, char **out)
{
  size_t cap = 16, n = 0;
  char *buf = malloc(cap);
  if (!buf)
    return li2_error_set(p->err, LI2_ENOMEM, "out of memory");
  p->pos++; /* opening quote */
  for (;;) {
    if (p->pos >= p->len) {
      free(buf);
      return fail(p, "unterminated string");
    }
    char c = p->s[p->pos++];
    if (c == '"')
      break;
    if ((unsigned char)c < 0x20) {
      free(buf);
      return fail(p, "control character in string");
    }
    if (c == '\\') {
      if (p->pos >= p->len) {
        free(buf);
        return fail(p, "unterminated string");
      }
      char e = p->s[p->pos++];
      switch (e) {
      case '"': case '\\': case '/': c = e; break;
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'u': {
        unsigned code = 0;
        if (p->pos + 4 > p->len) {
          free(buf);
          return fail(p, "bad \\u escape");
        }
        for (int i = 0; i < 4; i++) {
          char h = p->s[p->pos++];
          code <<= 4;
          if (h >= '0' && h <= '9') code |= (unsigned)(h - '0');
          else if (h >= 'a' && h <= 'f') code |= (unsigned)(h - 'a' + 10);
          else if (h >= 'A' && h <= 'F') code |= (unsigned)(h - 'A' + 10);
          else {
            free(buf);
            return fail(p, "bad \\u escape");
          }
        }
        if (code == 0) {
          /* a NUL would silently cut the name short (issue 15) */
          free(buf);
          return fail(p, "\\u0000 in string");
        }
        c = code < 0x80 ? (char)code : '?';  /* names are ASCII in practice */
        break;
      }
      default:
        free(buf);
        return fail(p, "bad escape");
      }
    }
    if (n + 2 > cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) {
        free(buf);
        return li2_error_set(p->err, LI2_ENOMEM, "out of memory");
      }
      buf = nb;
    }
    buf[n++] = c;
  }
  buf[n] = '\0';
  *out = buf;
  return LI2_SUCCESS;
}

static int push_child(parser *p, li2_json *v, size_t *cap)
{
  if (v->n == *cap) {
    size_t nc = *cap ? 2 * *cap : 4;
    li2_json *ni = realloc(v->item, nc * sizeof *ni);
    if (!ni)
      return li2_error_set(p->err, LI2_ENOMEM, "out of memory");
    v->item = ni;
    if (v->type == LI2_JSON_OBJECT) {
      char **nk = realloc(v->keys, nc * sizeof *nk);
      if (!nk)
        return li2_error_set(p->err, LI2_ENOMEM, "out of memory");
      v->keys = nk;
    }
    *cap = nc;
  }
  memset(&v->item[v->n], 0, sizeof v->item[v->n]);
  return LI2_SUCCESS;
}

static int parse_container(parser *p, li2_json *v, int object)
{
  size_t cap = 0;
  int rc;
  char close = object ? '}' : ']';
  v->type = object ? LI2_JSON_OBJECT : LI2_JSON_ARRAY;
  if (++p->depth > 64)
    return fail(p, "nesting too deep");
  p->pos++;
  skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == close) {
    p->pos++;
    p->depth--;
    return LI2_SUCCESS;
  }
  for (;;) {
    char *key = NULL;
    skip_ws(p);
    if (object) {
      if (p->pos >= p->len || p->s[p->pos] != '"')
        return fail(p, "expected a key");
      if ((rc = parse_string(p, &key)))
        return rc;
      skip_ws(p);
      if (p->pos >= p->len || p->s[p->pos] != ':') {
        free(key);
        return fail(p, "expected ':'");
      }
      p->pos++;
    }
    if ((rc = push_child(p, v, &cap))) {
      free(key);
      return rc;
    }
    if (object)
      v->keys[v->n] = key;
    v->n++;
    if ((rc = parse_value(p, &v->item[v->n - 1])))
      return rc;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ',') {
      p->pos++;
      continue;
    }
    if (p->pos < p->len && p->s[p->pos] == close) {
      p->pos++;
      p->depth--;
      return LI2_SUCCESS;
    }
    return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static int match_word(parser *p, const char *word)
{
  size_t n = strlen(word);
  if (p->pos + n <= p->len && strncmp(p->s + p->pos, word, n) == 0) {
    p->pos += n;
    return 1;
  }
  return 0;
}

static int parse_value(parser *p, li2_json *v)
{
  skip_ws(p);
  if (p->pos >= p->len)
    return fail(p, "unexpected end of input");
  char c = p->s[p->pos];
  if (c == '{' || c == '[')
    return parse_container(p, v, c == '{');
  if (c == '"') {
    v->type = LI2_JSON_STRING;
    return parse_string(p, &v->string);
  }
  if (match_word(p, "true")) {
    v->type = LI2_JSON_BOOL;
    v->number = 1;
    return LI2_SUCCESS;
  }
  if (match_word(p, "false")) {
    v->type = LI2_JSON_BOOL;
    return LI2_SUCCESS;
  }
  if (match_word(p, "null")) {
    v->type = LI2_JSON_NULL;
    return LI2_SUCCESS;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    /* any length (a 0.000...1 of 80 digits is a number), copied for strtod */
    /* the text is kept in v->string: a configuration read back from
     * run.json gets 1e-4, not 0.0001 (li2 train config=run.json) */
    char *num, *end;
    size_t n = 0;
    while (p->pos + n < p->len && strchr("+-0123456789.eE", p->s[p->pos + n]) &&
           p->s[p->pos + n])
      n++;
    if (!(num = malloc(n + 1)))
      return li2_error_set(p->err, LI2_ENOMEM, "out of memory");
    memcpy(num, p->s + p->pos, n);
    num[n] = '\0';
    v->type = LI2_JSON_NUMBER;
    v->number = strtod(num, &end);
    {
      int bad = end != num + n, huge = !bad && !isfinite(v->number);
      if (bad || huge)
        free(num);
      else
        v->string = num;
      if (bad)
        return fail(p, "malformed number");
      if (huge)
        return fail(p, "number out of range");
    }
    p->pos += n;
    return LI2_SUCCESS;
  }
  return fail(p, "unexpected character");
}

static void free_children(li2_json *v)
{
  for (size_t i = 0; i < v->n; i++) {
    free_children(&v->item[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->item);
  free(v->keys);
  free(v->string);
}

li2_json *li2_json_parse(const char *text, size_t len, li2_error *err)
{
  parser p = {text, len, 0, 0, err};
  li2_json *v = calloc(1, sizeof *v);
  if (!v) {
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    return NULL;
  }
  int rc = parse_value(&p, v);
  if (!rc) {
    skip_ws(&p);
    if (p.pos < p.len)
      rc = fail(&p, "trailing characters");
  }
  if (rc) {
    li2_json_free(v);
    return NULL;
  }
  return v;
}

void li2_json_free(li2_json *v)
{
  if (!v)
    return;
  free_children(v);
  free(v);
}

const li2_json *li2_json_get(const li2_json *obj, const char *key)
{
  if (!obj || obj->type != LI2_JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (obj->keys[i] && strcmp(obj->keys[i], key) == 0)
      return &obj->item[i];
  return NULL;
}
