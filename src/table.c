/* Tab-separated tables with a header line (see table.h). */
#include "table.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"

void li2_table_free(li2_table *t)
{
  free(t->path);
  free(t->buf);
  free(t->names);
  free(t->cells);
  free(t->line);
  free(t->start);
  free(t->width);
  memset(t, 0, sizeof *t);
}

/* Cut LINE at its tabs into OUT[0..MAX-1]; the number of cells. */
static size_t split_tabs(char *line, char **out, size_t max)
{
  size_t n = 0;
  for (;;) {
    char *tab = strchr(line, '\t');
    if (n < max)
      out[n] = line;
    n++;
    if (!tab)
      break;
    *tab = 0;
    line = tab + 1;
  }
  return n;
}

static int fail(li2_table *t, li2_error *err, int code, const char *fmt, size_t lineno,
                size_t limit)
{
  int rc = code == LI2_ENOMEM ? li2_error_set(err, LI2_ENOMEM, "out of memory")
                              : li2_error_set(err, code, fmt, t->path, lineno, limit);
  li2_table_free(t);
  return rc;
}

int li2_table_read(const char *path, li2_table *t, li2_error *err)
{
  size_t len, cap = 0, lineno = 1, ncells = 0, cellcap = 0;
  char *p, *line;
  int rc;
  memset(t, 0, sizeof *t);
  if (!(t->path = strdup(path)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if ((rc = li2_io_read_file(path, &t->buf, &len, err))) {
    li2_table_free(t);
    return rc;
  }
  p = t->buf;
  /* header: the first non-blank line; a leading "# " is dropped */
  for (; *p == '\n'; p++)
    lineno++;
  t->header_line = lineno;
  line = p;
  p = strchr(p, '\n');
  if (p)
    *p++ = 0;
  if (line[0] == '#')
    line += line[1] == ' ' ? 2 : 1;
  if (!*line) {
    rc = li2_error_set(err, LI2_EFORMAT, "%s: no header line", path);
    li2_table_free(t);
    return rc;
  }
  t->ncols = 1;
  for (const char *c = line; *c; c++)
    if (*c == '\t' && ++t->ncols > LI2_TABLE_MAX_COLS)
      return fail(t, err, LI2_EFORMAT, "%s line %zu: more than %zu columns", lineno,
                  (size_t)LI2_TABLE_MAX_COLS);
  if (!(t->names = malloc(t->ncols * sizeof *t->names)))
    return fail(t, err, LI2_ENOMEM, NULL, 0, 0);
  split_tabs(line, t->names, t->ncols);
  while (p && *p) {
    char *nl = strchr(p, '\n');
    size_t w = 1;
    line = p;
    if (nl)
      *nl = 0;
    p = nl ? nl + 1 : NULL;
    lineno++;
    if (!*line || *line == '#')
      continue;
    /* every row holds only its own cells: memory follows the file's size,
     * not rows x header columns */
    for (const char *c = line; *c; c++)
      w += *c == '\t';
    if (w > LI2_TABLE_MAX_CELLS - ncells)
      return fail(t, err, LI2_EFORMAT, "%s line %zu: more than %zu cells", lineno,
                  (size_t)LI2_TABLE_MAX_CELLS);
    if (ncells + w > cellcap) {
      size_t nc = 2 * (ncells + w);
      char **c;
      if (nc > LI2_TABLE_MAX_CELLS)
        nc = LI2_TABLE_MAX_CELLS;
      if (!(c = realloc(t->cells, nc * sizeof *c)))
        return fail(t, err, LI2_ENOMEM, NULL, 0, 0);
      t->cells = c;
      cellcap = nc;
    }
    if (t->nrows == cap) {
      /* rows <= cells <= LI2_TABLE_MAX_CELLS: no product can wrap */
      size_t nc = cap ? 2 * cap : 64, *l, *s, *wd;
      if (!(l = realloc(t->line, nc * sizeof *l)))
        return fail(t, err, LI2_ENOMEM, NULL, 0, 0);
      t->line = l;
      if (!(s = realloc(t->start, nc * sizeof *s)))
        return fail(t, err, LI2_ENOMEM, NULL, 0, 0);
      t->start = s;
      if (!(wd = realloc(t->width, nc * sizeof *wd)))
        return fail(t, err, LI2_ENOMEM, NULL, 0, 0);
      t->width = wd;
      cap = nc;
    }
    split_tabs(line, t->cells + ncells, w);
    t->start[t->nrows] = ncells;
    t->width[t->nrows] = w;
    t->line[t->nrows] = lineno;
    t->nrows++;
    ncells += w;
  }
  return LI2_SUCCESS;
}

int li2_table_col(const li2_table *t, const char *name)
{
  for (size_t k = 0; k < t->ncols; k++)
    if (!strcmp(t->names[k], name))
      return (int)k;
  return -1;
}

const char *li2_table_str(const li2_table *t, size_t row, int col)
{
  const char *s = col >= 0 && (size_t)col < t->ncols && row < t->nrows &&
                          (size_t)col < t->width[row]
                      ? t->cells[t->start[row] + (size_t)col] : NULL;
  return s ? s : "";
}

double li2_table_num(const li2_table *t, size_t row, int col)
{
  const char *s = li2_table_str(t, row, col);
  char *end;
  double x;
  if (!*s)
    return NAN;
  x = strtod(s, &end);
  return end == s ? NAN : x;
}

long li2_table_epoch(const li2_table *t, size_t row, int col)
{
  /* a cast of 4.7e19 to long is undefined (found by fuzz_tsv) */
  double x = col >= 0 ? li2_table_num(t, row, col) : NAN;
  return x >= -1 && x < 9.2e18 ? (long)x : -1;
}

static int bad_cell(const li2_table *t, size_t row, int col, const char *what, li2_error *err)
{
  const char *s = li2_table_str(t, row, col);
  return li2_error_set(err, LI2_EFORMAT, "%s:%zu: column %s: '%.40s%s' is not %s", t->path,
                       row < t->nrows ? t->line[row] : 0,
                       col >= 0 && (size_t)col < t->ncols ? t->names[col] : "?", s,
                       strlen(s) > 40 ? "..." : "", what);
}

int li2_table_double(const li2_table *t, size_t row, int col, double *x, li2_error *err)
{
  const char *s = li2_table_str(t, row, col);
  char *end;
  *x = strtod(s, &end);
  if (end == s || *end)
    return bad_cell(t, row, col, "a number", err);
  return LI2_SUCCESS;
}

int li2_table_long(const li2_table *t, size_t row, int col, long *x, li2_error *err)
{
  const char *s = li2_table_str(t, row, col);
  char *end;
  errno = 0;
  *x = strtol(s, &end, 10);
  if (end == s || *end || errno == ERANGE)
    return bad_cell(t, row, col, "an integer", err);
  return LI2_SUCCESS;
}
