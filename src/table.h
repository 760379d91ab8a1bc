/* Tab-separated tables with a header line: the one reader of every TSV li2
 * reads back (metrics.tsv, emergence.tsv, power.tsv, stages.tsv, a sweep's
 * results.tsv, ...).  Columns are found by their header names, never by
 * position.
 *
 * The file is data, possibly hostile: it is read whole (li2_io_read_file:
 * a regular file of at most LI2_IO_READ_MAX bytes), at most
 * LI2_TABLE_MAX_COLS header columns and LI2_TABLE_MAX_CELLS cells in all
 * (a row keeps only the cells it holds, so memory follows the file's size
 * and a wide header over many short rows cannot multiply it), every count
 * checked before it grows; errors are one line naming the file and
 * the line ("PATH:N: ..." for a cell, with the column's name).
 *
 * Layout: the header is the first non-blank line, a leading "#" or "# "
 * dropped; then every line that is neither blank nor starts with '#' is a
 * row.  A row may hold fewer cells than the header (li2_table_str gives ""
 * for the missing ones) or more (the extra ones are ignored; li2_table_width
 * tells). */
#ifndef LI2_TABLE_H
#define LI2_TABLE_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LI2_TABLE_MAX_COLS (1u << 20)
#define LI2_TABLE_MAX_CELLS (1u << 25)

typedef struct li2_table {
  char *path;          /* the file read (for messages) */
  char *buf;           /* its text, cut into cells */
  size_t ncols, nrows;
  size_t header_line;  /* 1-based line of the header */
  char **names;        /* ncols */
  char **cells;        /* every row's cells, row I's from start[I] (li2_table_str) */
  size_t *start;       /* nrows */
  size_t *width;       /* nrows: the cells each row holds */
  size_t *line;        /* nrows: the 1-based line of each row */
} li2_table;

/* Read PATH into T (li2_table_free in every case).  LI2_EFORMAT "PATH: no
 * header line" for a file without one, "PATH line N: ..." beyond the
 * limits; LI2_EIO / LI2_ENOMEM as li2_io_read_file. */
int li2_table_read(const char *path, li2_table *t, li2_error *err);
void li2_table_free(li2_table *t);

/* The column named NAME, or -1. */
int li2_table_col(const li2_table *t, const char *name);
/* Cell (ROW, COL) as text; "" when COL < 0 or the row is short. */
const char *li2_table_str(const li2_table *t, size_t row, int col);
/* Cell as a number; NaN for "-", an empty cell, a missing column or text
 * that does not start with a number (lenient: plotting skips such points). */
double li2_table_num(const li2_table *t, size_t row, int col);
/* An epoch cell as a long: -1 when absent, not a number or out of range. */
long li2_table_epoch(const li2_table *t, size_t row, int col);

/* Strict reads for tables whose every cell must be well formed: the whole
 * cell a number (strtod: "nan" and "inf" included) or an integer (strtol,
 * no overflow).  LI2_EFORMAT "PATH:N: column NAME: 'TEXT' is not a number"
 * (or "an integer") otherwise. */
int li2_table_double(const li2_table *t, size_t row, int col, double *x, li2_error *err);
int li2_table_long(const li2_table *t, size_t row, int col, long *x, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
