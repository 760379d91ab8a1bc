/* The table reader (src/table.h): layout, columns by name, lenient and
 * strict cells, and the limits of a hostile file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table.h"
#include "tap.h"

static char path[] = "/tmp/li2-test-table-XXXXXX";

static void put(const char *text)
{
  FILE *fp = fopen(path, "w");
  fputs(text, fp);
  fclose(fp);
}

int main(void)
{
  li2_table t;
  li2_error err = {0};
  double x;
  long e;
  int fd = mkstemp(path);
  close(fd);

  put("\n# epoch\tacc\tname\n0\t0.5\ta\n\n# a comment\n10\t-\n20\tnan\tb\textra\n");
  ok(li2_table_read(path, &t, &err) == 0, "read: %s", err.msg);
  ok(t.ncols == 3 && t.nrows == 3 && t.header_line == 2, "header after a blank line, '# ' dropped; "
     "blank and comment lines skipped (%zu cols, %zu rows, header line %zu)", t.ncols, t.nrows,
     t.header_line);
  ok(li2_table_col(&t, "acc") == 1 && li2_table_col(&t, "none") == -1, "columns by name");
  ok(t.line[0] == 3 && t.line[1] == 6 && t.line[2] == 7, "rows know their lines (%zu %zu %zu)",
     t.line[0], t.line[1], t.line[2]);
  ok(t.width[1] == 2 && t.width[2] == 4 && !strcmp(li2_table_str(&t, 1, 2), "") &&
         !strcmp(li2_table_str(&t, 2, 2), "b"),
     "a short row reads \"\", a long one keeps its width (%zu, %zu)", t.width[1], t.width[2]);
  ok(li2_table_num(&t, 0, 1) == 0.5 && isnan(li2_table_num(&t, 1, 1)) &&
         isnan(li2_table_num(&t, 2, 1)) && isnan(li2_table_num(&t, 0, 7)),
     "lenient numbers: '-', nan and a missing column are NaN");
  ok(li2_table_epoch(&t, 2, 0) == 20 && li2_table_epoch(&t, 0, -1) == -1, "epochs");
  ok(li2_table_long(&t, 1, 0, &e, &err) == 0 && e == 10, "strict integer");
  ok(li2_table_double(&t, 2, 1, &x, &err) == 0 && isnan(x), "strict number: nan is a number");
  ok(li2_table_double(&t, 1, 1, &x, &err) == LI2_EFORMAT && strstr(err.msg, ":6: column acc: '-'"),
     "strict number refused naming line and column (%s)", err.msg);
  ok(li2_table_long(&t, 0, 2, &e, &err) == LI2_EFORMAT && strstr(err.msg, ":3: column name"),
     "strict integer refused (%s)", err.msg);
  li2_table_free(&t);

  put("9999999999999999999999\t1\n99999999999999999999999\t2\n");
  li2_table_read(path, &t, &err);
  ok(li2_table_long(&t, 0, 0, &e, &err) == LI2_EFORMAT && li2_table_epoch(&t, 0, 0) == -1,
     "an integer beyond long is refused, not wrapped (%s)", err.msg);
  li2_table_free(&t);

  put("\n\n#\n");
  ok(li2_table_read(path, &t, &err) == LI2_EFORMAT && strstr(err.msg, "no header line"),
     "no header: %s", err.msg);
  {
    /* one column more than the limit */
    size_t n = LI2_TABLE_MAX_COLS;
    char *h = malloc(2 * n + 2);
    for (size_t i = 0; i < n; i++) {
      h[2 * i] = 'c';
      h[2 * i + 1] = '\t';
    }
    h[2 * n] = 'c';
    h[2 * n + 1] = 0;
    put(h);
    free(h);
    ok(li2_table_read(path, &t, &err) == LI2_EFORMAT && strstr(err.msg, "line 1: more than"),
       "too many columns refused: %s", err.msg);
  }
  {
    /* a wide header over many short rows: each row keeps only its cells */
    size_t n = 1u << 16, rows = 20000;
    char *h = malloc(2 * n + 2 * rows + 2), *q = h;
    for (size_t i = 0; i < n; i++) {
      *q++ = 'c';
      *q++ = i + 1 < n ? '\t' : '\n';
    }
    for (size_t i = 0; i < rows; i++) {
      *q++ = '1';
      *q++ = '\n';
    }
    *q = 0;
    put(h);
    free(h);
    ok(li2_table_read(path, &t, &err) == 0 && t.nrows == rows && t.ncols == n &&
           li2_table_num(&t, rows - 1, 0) == 1 && !*li2_table_str(&t, rows - 1, 5),
       "%zu columns x %zu one-cell rows read as one cell each (not %zu cells)", n, rows,
       n * rows);
    li2_table_free(&t);
  }
  unlink(path);
  ok(li2_table_read(path, &t, &err) == LI2_EIO, "a missing file is I/O");
  return tap_done();
}
