/* libFuzzer harness: li2 train's Hydra command line (li2_hydra_translate
 * for li2 train's table: null, true/false in any case, [a,b] lists,
 * quotes, +key=value metadata, hydra.run.dir, -m multirun with
 * comma-separated sweeps, range() and choice()), then what li2 does with
 * the words: one run's parameters (li2_args_parse, li2_train_config_from_args,
 * the configuration text read back: fuzz_train.h)
 * or, with -m, the sweep li2 sweep train builds from them (li2_sweep_alloc,
 * its first and last points' parameters).  The input's words are separated
 * by NUL bytes or newlines.  Errors are expected outcomes;
 * tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "hydra.h"
#include "sweep.h"
#include "train.h"
#include "fuzz_train.h"

/* the parameters of point P of sweep S, as the child li2 train gets them */
static void point(const li2_sweep *s, size_t p)
{
  size_t nk = li2_sweep_nkeys(s);
  char **w = calloc(nk + 1, sizeof *w);
  li2_args *a = NULL;
  li2_error err = {0};
  size_t n = 0;
  if (!w)
    return;
  for (size_t k = 0; k < nk; k++) {
    const char *key = li2_sweep_key(s, k), *v = li2_sweep_value(s, p, k);
    size_t l = strlen(key) + strlen(v) + 2;
    if (!(w[n] = malloc(l)))
      break;
    snprintf(w[n++], l, "%s=%s", key, v);
  }
  if (n == nk && !li2_args_parse(&a, li2_train_spec, (int)n, w, &err))
    fuzz_train_config(a);
  li2_args_free(a);
  for (size_t k = 0; k < n; k++)
    free(w[k]);
  free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  li2_error err = {0};
  char *text = malloc(size + 1), *argv[64];
  int argc = 0;
  li2_hydra h;
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = 0;
  argc = fuzz_train_words(text, size, argv, 64);
  if (li2_hydra_translate(li2_train_spec, argc, argv, &h, &err)) {
    free(text);
    return 0;
  }
  if (!h.multirun) {
    li2_args *a = NULL;
    if (!li2_args_parse(&a, li2_train_spec, h.nwords, h.words, &err))
      fuzz_train_config(a);
    li2_args_free(a);
  } else {
    /* li2 sweep train WORDS: its options (out=, --json, ...) are not swept
     * (cmd_sweep.c takes them apart first); a range A:B of li2 sweep's own
     * syntax expands to up to 10^6 values by design (LI2_SWEEP_MAX_VALUES),
     * and so do long translated lists: seconds under ASan, not a fault */
    static const char *const reserved[] = {"out", "resume", "json", NULL};
    char **w = calloc((size_t)h.nwords + 1, sizeof *w);
    int n = 0;
    size_t total = 0;
    for (int i = 0; w && i < h.nwords; i++) {
      total += strlen(h.words[i]);
      if (strchr(h.words[i], ':'))
        total = SIZE_MAX / 2;
      if (h.words[i][0] != '-' && strncmp(h.words[i], "out=", 4))
        w[n++] = h.words[i];
    }
    if (w && total <= 16384) {
      li2_sweep *s = li2_sweep_alloc("train", li2_train_spec, reserved, n, w, &err);
      if (s) {
        point(s, 0);
        point(s, li2_sweep_npoints(s) - 1);
        li2_sweep_free(s);
      }
    }
    free(w);
  }
  li2_hydra_clear(&h);
  free(text);
  return 0;
}
