/* A small JSON writer (streaming, with comma bookkeeping) and reader
 * (a tree of values), enough for run summaries and JSON Lines group files.
 *
 * Reader memory contract: li2_json_parse returns a tree owned by the caller
 * and released with li2_json_free; strings and children belong to the tree. */
#ifndef LI2_JSON_H
#define LI2_JSON_H

#include <stddef.h>
#include <stdio.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- writer ---- */
#define LI2_JSON_MAX_DEPTH 32

typedef struct li2_json_writer {
  FILE *fp;
  int depth;
  int count[LI2_JSON_MAX_DEPTH];  /* items written at each depth */
  int after_key;
  int pretty;
} li2_json_writer;

void li2_json_writer_init(li2_json_writer *w, FILE *fp, int pretty);
void li2_json_object_begin(li2_json_writer *w);
void li2_json_object_end(li2_json_writer *w);
void li2_json_array_begin(li2_json_writer *w);
void li2_json_array_end(li2_json_writer *w);
void li2_json_key(li2_json_writer *w, const char *key);
void li2_json_string(li2_json_writer *w, const char *s);
/* Non-finite numbers are written as null. */
void li2_json_number(li2_json_writer *w, double x);
/* A number given as text (a parameter's value), written as it is when it
 * is a JSON number (1e-4 stays 1e-4), else as li2_json_number(strtod). */
void li2_json_number_text(li2_json_writer *w, const char *text);
void li2_json_int(li2_json_writer *w, long x);
void li2_json_bool(li2_json_writer *w, int b);
void li2_json_null(li2_json_writer *w);
/* Ends the document with a newline. */
void li2_json_writer_finish(li2_json_writer *w);

/* ---- reader ---- */
typedef enum {
  LI2_JSON_NULL, LI2_JSON_BOOL, LI2_JSON_NUMBER, LI2_JSON_STRING,
  LI2_JSON_ARRAY, LI2_JSON_OBJECT
} li2_json_type;

typedef struct li2_json {
  li2_json_type type;
  double number;          /* NUMBER, BOOL (0/1) */
  char *string;           /* STRING; NUMBER: its text as written */
  size_t n;               /* ARRAY/OBJECT: number of children */
  struct li2_json *item;  /* ARRAY/OBJECT: children */
  char **keys;            /* OBJECT: n keys */
} li2_json;

/* Parse TEXT[0..len-1].  On error ERR says what and at which character. */
li2_json *li2_json_parse(const char *text, size_t len, li2_error *err);
void li2_json_free(li2_json *v);

/* Object member by key, or NULL. */
const li2_json *li2_json_get(const li2_json *obj, const char *key);

/* Write a parsed value V (and its children) through W. */
void li2_json_value(li2_json_writer *w, const li2_json *v);

#ifdef __cplusplus
}
#endif

#endif
