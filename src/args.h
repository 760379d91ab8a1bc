/* key=value command-line parameters, declared as data.
 *
 * Each subcommand declares a table of li2_arg_spec ending with {0}.  The
 * parser rejects unknown keys, malformed or out-of-range values and
 * repeated keys with a one-line message naming the parameter, fills in the
 * defaults, and answers typed look-ups.  Flags are written --name; any
 * other parameter may also be written --key=value or --key value; a
 * positional argument fills the first positional spec not yet given, or
 * joins a list (LI2_ARG_POS_LIST: any number of words). */
#ifndef LI2_ARGS_H
#define LI2_ARGS_H

#include <stdio.h>
#include "error.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LI2_ARG_END = 0,
  LI2_ARG_INT,     /* integer in [min, max] */
  LI2_ARG_DOUBLE,  /* finite real in [min, max] */
  LI2_ARG_STRING,  /* any string ("" allowed only if it is the default) */
  LI2_ARG_BOOL,    /* true/false/1/0/yes/no */
  LI2_ARG_CHOICE,  /* one of the '|'-separated words in choices */
  LI2_ARG_FLAG     /* --key with no value */
} li2_arg_type;

typedef struct li2_arg_spec {
  li2_arg_type type;
  const char *key;      /* "hidden_size", or "json" for the flag --json */
  const char *defval;   /* default as text; NULL means "not set" */
  const char *help;     /* one line for --help */
  double min, max;      /* numeric range (ignored when min > max) */
  const char *choices;  /* for LI2_ARG_CHOICE: "sqr|relu|silu|relusqr" */
  int positional;       /* LI2_ARG_POS_ONE: may be given without key=;
                           LI2_ARG_POS_LIST: every further positional word
                           too, appended after a comma (key=A,B works alike) */
} li2_arg_spec;

/* Name tables.  An enum's names are written once, beside the enum, as a
 * list macro in enum order: #define LI2_FOO_NAMES(X) X(first) X(second).
 * LI2_NAMES_CHOICES(LI2_FOO_NAMES) is the string constant "first|second"
 * of a choice spec (help text, check and error message follow from it);
 * { LI2_FOO_NAMES(LI2_NAME_STRING) } initialises the name array that
 * li2_names_* and the enum's _name/_parse functions read. */
#define LI2_NAME_STRING(n) #n,
#define LI2_NAME_BAR(n) "|" #n
#define LI2_NAMES_CHOICES(list) (list(LI2_NAME_BAR) + 1)

enum { LI2_ARG_POS_ONE = 1, LI2_ARG_POS_LIST = 2 };

typedef struct li2_args li2_args;

/* Parse argv[0..argc-1] (the words after the subcommand).  Returns
 * LI2_SUCCESS or LI2_EINVAL with ERR naming the parameter. */
int li2_args_parse(li2_args **out, const li2_arg_spec *spec, int argc,
                   char **argv, li2_error *err);
void li2_args_free(li2_args *a);

/* 1 when the key was given on the command line (not by default). */
int li2_args_given(const li2_args *a, const char *key);
/* 1 when the key has a value (given or defaulted). */
int li2_args_has(const li2_args *a, const char *key);

long li2_args_int(const li2_args *a, const char *key);
double li2_args_double(const li2_args *a, const char *key);

/* 1 when S as a whole is a finite number (strtod, nothing after it, no
 * overflow), stored in *X; 0 otherwise.  The rule of LI2_ARG_DOUBLE. */
int li2_args_number(const char *s, double *x);
/* 1 when S is a whole number written in digits only (no sign, no blank,
 * not empty) that fits an unsigned long, stored in *X when X is not NULL;
 * 0 otherwise.  The rule of every "N" inside a value (a row, an epoch, a
 * degree, a seed). */
int li2_args_whole(const char *s, unsigned long *x);
/* S as a comma list of epochs N,N,... (each li2_args_whole, at most
 * LONG_MAX), at most MAX of them (0: no limit), into *OUT (malloc'd, free)
 * and *N; errors name parameter KEY.  The rule of every epoch list. */
int li2_args_epochs(const char *key, const char *s, size_t max, long **out, size_t *n,
                    li2_error *err);
const char *li2_args_string(const li2_args *a, const char *key);
int li2_args_bool(const li2_args *a, const char *key);   /* also flags */
/* A choice parameter's value as its index among the words it accepts (the
 * enum value, for a spec made with LI2_NAMES_CHOICES); -1 when unset. */
int li2_args_choice(const li2_args *a, const char *key);

/* Overwrite a value after parsing (e.g. a resumed run's saved config);
 * the value is validated like a command-line one. */
int li2_args_set(li2_args *a, const char *key, const char *value,
                 li2_error *err);

/* Number of specs and the i-th spec with its current textual value. */
size_t li2_args_count(const li2_args *a);
const li2_arg_spec *li2_args_spec(const li2_args *a, size_t i,
                                  const char **value);

/* The key of SPEC closest to KEY by edit distance (insertions, deletions,
 * substitutions and swaps of neighbours), when it is close: at most 1 edit
 * for keys up to 4 characters, 2 up to 9, 3 beyond; NULL otherwise.  The
 * "did you mean" of an unknown key. */
const char *li2_args_closest(const li2_arg_spec *spec, const char *key);
/* The same over a NULL-terminated list of words (subcommand names). */
const char *li2_args_closest_word(const char *const *words, const char *key);

/* The values (given or defaulted) as one JSON object through W, keys in
 * the table's order, except flags and the keys in SKIP (NULL-terminated,
 * may be NULL): numbers as numbers (their text kept: 1e-4 stays 1e-4),
 * booleans as true/false, the rest as strings.  run.json's
 * "configuration"; li2 train config=run.json reads it back. */
void li2_args_write_json(const li2_args *a, li2_json_writer *w, const char *const *skip);

/* Append WORD to the string *S (of length *LEN, realloc'd), preceded by a
 * blank unless *S is empty, shell-quoted: a word that holds anything but
 * [A-Za-z0-9_./:=,+@%-] goes in single quotes.  0, or -1 on no memory. */
int li2_args_quote_append(char **s, size_t *len, const char *word);

/* "li2 COMMAND key=value ..." of the keys given (table order), plus the keys
 * in ALWAYS (NULL-terminated, may be NULL) at their value when not given;
 * shell-quoted.  NULL on no memory; caller frees.  The report's
 * Reproduce block. */
char *li2_args_command_line(const li2_args *a, const char *command, const char *const *always);

/* Name tables: NAMES[0..N-1] are the names of an enum's values in enum
 * order (one table per enum, beside the enum).  _find: the value named S,
 * or -1.  _parse: the same, or LI2_EINVAL "parameter KEY: 'S' is not one of
 * a|b|c".  _get: the name of value I, or "?" out of range.  _join: "a|b|c"
 * into BUF (truncated to SIZE), BUF returned. */
int li2_names_find(const char *const *names, int n, const char *s);
int li2_names_parse(const char *const *names, int n, const char *s, const char *key, int *out,
                    li2_error *err);
const char *li2_names_get(const char *const *names, int n, int i);
char *li2_names_join(const char *const *names, int n, char *buf, size_t size);

/* Usage text generated from the table. */
void li2_args_print_help(FILE *fp, const char *command, const char *synopsis,
                         const li2_arg_spec *spec);

#ifdef __cplusplus
}
#endif

#endif
