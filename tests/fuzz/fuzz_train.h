/* Helpers of the harnesses that feed li2 train's parameters (fuzz_args,
 * fuzz_hydra, fuzz_runconfig). */
#ifndef LI2_FUZZ_TRAIN_H
#define LI2_FUZZ_TRAIN_H
#include <stdlib.h>

#include "args.h"
#include "train.h"

#if defined(__GNUC__)
#define FUZZ_TRAIN_UNUSED __attribute__((unused))
#else
#define FUZZ_TRAIN_UNUSED
#endif

/* TEXT[0..SIZE) (TEXT[SIZE] == 0) cut in place into at most MAX words at
 * NUL bytes and newlines; their count. */
FUZZ_TRAIN_UNUSED static int fuzz_train_words(char *text, size_t size, char **argv, int max)
{
  int argc = 0;
  for (char *p = text, *end = text + size; p < end && argc < max;) {
    char *q = p;
    while (q < end && *q && *q != '\n')
      q++;
    *q = 0;
    argv[argc++] = p;
    p = q + 1;
  }
  return argc;
}

/* The configuration li2 train builds from A and, when it is valid, its
 * text read back as a checkpoint's configuration is: li2's own text must
 * read back (abort otherwise: a finding). */
FUZZ_TRAIN_UNUSED static void fuzz_train_config(const li2_args *a)
{
  li2_error err = {0};
  li2_train_config cfg;
  if (!li2_train_config_from_args(a, &cfg, &err)) {
    char *t = li2_train_config_text(a);
    li2_args *b = NULL;
    if (t && li2_train_args_from_text(t, &b, &err))
      abort();
    li2_args_free(b);
    free(t);
  }
}
#endif
