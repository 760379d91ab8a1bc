/* li2 error reporting: one status enum, one message buffer.
 *
 * Memory contract: every li2 function that can fail returns an int status
 * from enum li2_status and, when given a non-NULL li2_error, writes a
 * one-line human-readable message into it naming the offending parameter,
 * file and line, or entry.  No global state: the caller owns the buffer. */
#ifndef LI2_ERROR_H
#define LI2_ERROR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

enum li2_status {
  LI2_SUCCESS = 0,
  LI2_EINVAL,     /* invalid parameter or argument (usage error) */
  LI2_ENOMEM,     /* allocation failed */
  LI2_EIO,        /* cannot open, read or write a file */
  LI2_EFORMAT,    /* malformed or truncated input file */
  LI2_ENOTGROUP,  /* a Cayley table that is not a group */
  LI2_ENUMERIC,   /* numerical failure: NaN/Inf, no convergence */
  LI2_EUNSUP,     /* valid request this build or group cannot serve */
  LI2_NSTATUS
};

typedef struct li2_error {
  int code;
  char msg[512];
} li2_error;

/* Record CODE and a printf-style message in ERR (which may be NULL);
 * returns CODE so callers can write `return li2_error_set(err, ...)`. */
int li2_error_set(li2_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Prefix the existing message of ERR with a context string ("file x: "). */
void li2_error_prefix(li2_error *err, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* Reset ERR to success with an empty message. */
void li2_error_clear(li2_error *err);

/* Short description of a status code. */
const char *li2_strerror(int code);

/* Process exit status used by the command for a status code
 * (documented in li2(1)): 0 success, 2 usage, 3 I/O, 4 bad input data,
 * 5 numerical failure, 6 out of memory, 7 unsupported. */
int li2_status_exit_code(int code);

#ifdef __cplusplus
}
#endif

#endif
