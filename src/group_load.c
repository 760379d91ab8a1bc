/* Finite groups from Cayley-table files (file:PATH[#K|#NAME]: a text
 * table or JSON lines), checked against the group axioms first, and the
 * reference's group collection (li2_group_collection_find). */
#include "group.h"
#include "group_impl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "json.h"

/* ------------------------------------------------------------------ */
/* Files                                                               */

/* Text table: integers separated by blanks, one row per line; blank lines
 * and '#' comments skipped.  Fills *T (0-based) and *M, *base. */
static int read_text_table(const char *path, const char *text, int **T, size_t *M,
                           int *base, li2_error *err)
{
  size_t cap = 0, n = 0, rows = 0, width = 0, line = 0;
  int *v = NULL, has_zero = 0;
  const char *p = text;
  while (*p) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p), count = 0;
    line++;
    const char *q = p, *stop = p + len;
    while (q < stop && *q != '#') {
      if (isspace((unsigned char)*q)) {
        q++;
        continue;
      }
      const char *tok = q;
      while (q < stop && !isspace((unsigned char)*q) && *q != '#')
        q++;
      char buf[32];
      size_t tl = (size_t)(q - tok);
      char *e;
      long x = 0;
      int good = tl < sizeof buf;
      if (good) {
        memcpy(buf, tok, tl);
        buf[tl] = '\0';
        errno = 0;
        x = strtol(buf, &e, 10);
        good = *e == '\0' && errno == 0 && x >= INT_MIN && x <= INT_MAX;
      }
      if (!good) {
        free(v);
        return li2_error_set(err, LI2_EFORMAT, "%s line %zu: '%.*s' is not an integer", path,
                             line, (int)(tl > 40 ? 40 : tl), tok);
      }
      if (n == cap) {
        size_t nc = cap ? 2 * cap : 256;
        int *nv = realloc(v, nc * sizeof *nv);
        if (!nv) {
          free(v);
          return li2_error_set(err, LI2_ENOMEM, "%s: out of memory", path);
        }
        v = nv;
        cap = nc;
      }
      v[n++] = (int)x;
      has_zero |= x == 0;
      count++;
    }
    if (count) {
      if (rows == 0)
        width = count;
      else if (count != width) {
        free(v);
        return li2_error_set(err, LI2_EFORMAT,
                             "%s line %zu: row has %zu entries, expected %zu (ragged table)",
                             path, line, count, width);
      }
      rows++;
      if (width > LI2_GROUP_MAX_ORDER || rows > LI2_GROUP_MAX_ORDER) {
        free(v);
        return li2_error_set(err, LI2_EINVAL, "%s line %zu: table larger than the limit %d",
                             path, line, LI2_GROUP_MAX_ORDER);
      }
    }
    p = end ? end + 1 : p + len;
  }
  if (rows == 0) {
    free(v);
    return li2_error_set(err, LI2_EFORMAT, "%s: empty file (no table rows)", path);
  }
  if (rows != width) {
    free(v);
    return li2_error_set(err, LI2_EFORMAT, "%s: table has %zu rows of %zu entries, not square",
                         path, rows, width);
  }
  *base = has_zero ? 0 : 1;
  for (size_t i = 0; i < n; i++)
    v[i] -= *base;
  *T = v;
  *M = rows;
  return LI2_SUCCESS;
}

/* One JSON Lines record (already parsed) -> 0-based table. */
static int json_record_table(const char *where, const li2_json *rec, int **T, size_t *M,
                             int *base, li2_error *err)
{
  if (rec->type != LI2_JSON_OBJECT)
    return li2_error_set(err, LI2_EFORMAT, "%s: record is not a JSON object", where);
  const li2_json *tab = li2_json_get(rec, "table");
  const li2_json *ib = li2_json_get(rec, "index_base");
  const li2_json *ord = li2_json_get(rec, "order");
  const li2_json *nm = li2_json_get(rec, "name");
  if (!tab)
    return li2_error_set(err, LI2_EFORMAT, "%s: missing field \"table\"", where);
  if (tab->type != LI2_JSON_ARRAY)
    return li2_error_set(err, LI2_EFORMAT, "%s: field \"table\" is not an array of arrays",
                         where);
  if (nm && nm->type != LI2_JSON_STRING)
    return li2_error_set(err, LI2_EFORMAT, "%s: field \"name\" is not a string", where);
  *base = 1;
  if (ib) {
    if (ib->type != LI2_JSON_NUMBER || (ib->number != 0 && ib->number != 1))
      return li2_error_set(err, LI2_EFORMAT, "%s: field \"index_base\" must be 0 or 1", where);
    *base = (int)ib->number;
  }
  size_t m = tab->n;
  if (m == 0)
    return li2_error_set(err, LI2_EFORMAT, "%s: field \"table\" is empty", where);
  if (m > LI2_GROUP_MAX_ORDER)
    return li2_error_set(err, LI2_EINVAL, "%s: table of order %zu exceeds the limit %d", where,
                         m, LI2_GROUP_MAX_ORDER);
  if (ord && (ord->type != LI2_JSON_NUMBER || ord->number != (double)m))
    return li2_error_set(err, LI2_EFORMAT,
                         "%s: field \"order\" does not equal the table size %zu", where, m);
  int *v = malloc(m * m * sizeof *v);
  if (!v)
    return li2_error_set(err, LI2_ENOMEM, "%s: out of memory", where);
  for (size_t i = 0; i < m; i++) {
    const li2_json *row = &tab->item[i];
    if (row->type != LI2_JSON_ARRAY) {
      free(v);
      return li2_error_set(err, LI2_EFORMAT, "%s: table row %zu is not an array", where,
                           i + (size_t)*base);
    }
    if (row->n != m) {
      free(v);
      return li2_error_set(err, LI2_EFORMAT,
                           "%s: table row %zu has %zu entries, expected %zu (ragged or "
                           "non-square table)",
                           where, i + (size_t)*base, row->n, m);
    }
    for (size_t j = 0; j < m; j++) {
      const li2_json *x = &row->item[j];
      if (x->type != LI2_JSON_NUMBER || !(x->number >= INT_MIN + 1 && x->number <= INT_MAX) ||
          x->number != (double)(long)x->number) {
        free(v);
        return li2_error_set(err, LI2_EFORMAT,
                             "%s: table row %zu, column %zu: entry is not an integer", where,
                             i + (size_t)*base, j + (size_t)*base);
      }
      v[i * m + j] = (int)x->number - *base;
    }
  }
  *T = v;
  *M = m;
  return LI2_SUCCESS;
}

/* Select record SEL (a 0-based number, a name, or NULL for the first) from
 * JSON Lines TEXT. */
static int read_jsonl(const char *path, const char *text, const char *sel, int **T,
                      size_t *M, int *base, li2_error *err)
{
  int by_index = 0, found = 0;
  size_t want = 0, k = 0, line = 0, found_line = 0;
  if (!sel)
    by_index = 1;
  else if (*sel && strspn(sel, "0123456789") == strlen(sel)) {
    int over;
    const char *s = sel;
    by_index = 1;
    if (!group_parse_count(&s, (size_t)-1 / 16, &want, &over))
      return li2_error_set(err, LI2_EINVAL, "%s: record index #%s out of range", path, sel);
  }
  const char *p = text;
  while (*p) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    line++;
    size_t b = 0;
    while (b < len && isspace((unsigned char)p[b]))
      b++;
    if (b < len) {
      char where[512];
      int need_parse = !by_index || k == want;
      if (need_parse) {
        li2_error perr = {0, ""};
        snprintf(where, sizeof where, "%s line %zu (record %zu)", path, line, k);
        li2_json *rec = li2_json_parse(p, len, &perr);
        if (!rec)
          return li2_error_set(err, perr.code, "%s: %s", where, perr.msg);
        int match = 1;
        if (!by_index) {
          const li2_json *nm = li2_json_get(rec, "name");
          match = nm && nm->type == LI2_JSON_STRING && strcmp(nm->string, sel) == 0;
        }
        if (match && found) {
          /* a name selects one record: two would be a silent choice */
          li2_json_free(rec);
          free(*T);
          *T = NULL;
          return li2_error_set(err, LI2_EFORMAT, "%s: name \"%s\" on lines %zu and %zu", path,
                               sel, found_line, line);
        }
        if (match) {
          int rc = json_record_table(where, rec, T, M, base, err);
          li2_json_free(rec);
          if (rc || by_index)
            return rc;
          found = 1;
          found_line = line;
        } else
          li2_json_free(rec);
      }
      k++;
    }
    p = end ? end + 1 : p + len;
  }
  if (found)
    return LI2_SUCCESS;
  if (k == 0)
    return li2_error_set(err, LI2_EFORMAT, "%s: empty file (no records)", path);
  if (by_index)
    return li2_error_set(err, LI2_EINVAL, "%s: record #%zu out of range (file has %zu records)",
                         path, want, k);
  return li2_error_set(err, LI2_EINVAL, "%s: no record with name \"%s\" (%zu records)", path,
                       sel, k);
}

/* "file:PATH", "file:PATH#K", "file:PATH#NAME".  The selector is after the
 * last '#'. */
li2_group *group_load_file(const char *spec, li2_error *err)
{
  const char *rest = spec + 5;
  char *path = strdup(rest), *text = NULL, *sel = NULL;
  int *T = NULL, base = 0, rc;
  size_t M = 0, len;
  li2_group *g = NULL;
  if (!path) {
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    return NULL;
  }
  char *hash = strrchr(path, '#');
  if (hash) {
    *hash = '\0';
    sel = hash + 1;
  }
  if (!*path) {
    li2_error_set(err, LI2_EINVAL, "group %s: empty file name", spec);
    goto out;
  }
  if (sel && !*sel) {
    li2_error_set(err, LI2_EINVAL, "group %s: empty record selector after '#'", spec);
    goto out;
  }
  if ((rc = li2_io_read_file(path, &text, &len, err)))
    goto out;
  if (strlen(text) != len) {
    li2_error_set(err, LI2_EFORMAT, "%s: binary file (NUL byte)", path);
    goto out;
  }
  const char *first = text + strspn(text, " \t\r\n");
  if (*first == '{')
    rc = read_jsonl(path, text, sel, &T, &M, &base, err);
  else if (sel && strcmp(sel, "0") != 0)
    rc = li2_error_set(err, LI2_EINVAL, "%s: plain text table has one record, #%s not found",
                       path, sel);
  else
    rc = read_text_table(path, text, &T, &M, &base, err);
  if (rc)
    goto out;
  if ((rc = group_validate_base(M, T, base, err))) {
    li2_error_prefix(err, "%s%s%s: ", path, sel ? "#" : "", sel ? sel : "");
    goto out;
  }
  if ((g = group_new(M, spec, err))) {
    memcpy(g->table, T, M * M * sizeof *T);
    group_finish(g);
  }
out:
  free(T);
  free(text);
  free(path);
  return g;
}

int li2_group_collection_find(const char *path, double dk, long want, long *record,
                              li2_error *err)
{
  char *text = NULL;
  size_t len, k = 0, line = 0;
  long match = 0;
  int rc = li2_io_read_file(path, &text, &len, err);
  if (rc)
    return rc;
  for (const char *p = text; *p;) {
    const char *end = strchr(p, '\n');
    size_t n = end ? (size_t)(end - p) : strlen(p), b = 0;
    line++;
    while (b < n && isspace((unsigned char)p[b]))
      b++;
    if (b < n) {
      li2_error perr = {0, ""};
      li2_json *rec = li2_json_parse(p, n, &perr);
      const li2_json *deg = rec ? li2_json_get(rec, "irrep_degrees") : NULL;
      double mx = 0;
      if (!deg || deg->type != LI2_JSON_ARRAY || deg->n == 0) {
        li2_json_free(rec);
        free(text);
        return li2_error_set(err, LI2_EFORMAT, "%s:%zu: %s", path, line,
                             rec ? "no irrep_degrees array (the reference's collection format)"
                                 : perr.msg);
      }
      for (size_t i = 0; i < deg->n; i++)
        if (deg->item[i].type == LI2_JSON_NUMBER && deg->item[i].number > mx)
          mx = deg->item[i].number;
      li2_json_free(rec);
      if (mx == dk && match++ == want) {
        *record = (long)k;
        free(text);
        return LI2_SUCCESS;
      }
      k++;
    }
    p = end ? end + 1 : p + n;
  }
  free(text);
  return li2_error_set(err, LI2_EINVAL, "%s: %ld groups have largest irrep degree %g; index M=%ld "
                                        "is out of range", path, match, dk, want);
}
