/* One table maps status codes to text and exit codes (libsndfile style). */
#include "error.h"

#include <stdio.h>
#include <string.h>

static const struct {
  const char *text;
  int exit_code;
} status_table[LI2_NSTATUS] = {
  [LI2_SUCCESS] = {"success", 0},
  [LI2_EINVAL] = {"invalid parameter", 2},
  [LI2_ENOMEM] = {"out of memory", 6},
  [LI2_EIO] = {"input/output error", 3},
  [LI2_EFORMAT] = {"malformed input", 4},
  [LI2_ENOTGROUP] = {"table is not a group", 4},
  [LI2_ENUMERIC] = {"numerical failure", 5},
  [LI2_EUNSUP] = {"unsupported", 7},
};

/* A message is one line whatever it quotes: control characters from data
 * (a newline in a value or a file name) become '?' (issue 15). */
static void one_line(char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      *s = '?';
}

int li2_error_set(li2_error *err, int code, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    one_line(err->msg);
  }
  return code;
}

void li2_error_prefix(li2_error *err, const char *fmt, ...)
{
  char prefix[256], old[sizeof err->msg];
  int n;
  va_list ap;
  if (!err)
    return;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  n = snprintf(err->msg, sizeof err->msg, "%s", prefix);
  if (n >= 0 && (size_t)n < sizeof err->msg)
    snprintf(err->msg + n, sizeof err->msg - (size_t)n, "%s", old);
  one_line(err->msg);
}

void li2_error_clear(li2_error *err)
{
  if (err) {
    err->code = LI2_SUCCESS;
    err->msg[0] = '\0';
  }
}

const char *li2_strerror(int code)
{
  if (code < 0 || code >= LI2_NSTATUS)
    return "unknown error";
  return status_table[code].text;
}

int li2_status_exit_code(int code)
{
  if (code < 0 || code >= LI2_NSTATUS)
    return 1;
  return status_table[code].exit_code;
}
