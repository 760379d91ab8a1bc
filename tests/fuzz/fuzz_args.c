/* libFuzzer harness: key=value arguments (li2_args_parse with li2 train's
 * table, the configuration built from them, its text and the text read
 * back as a checkpoint's configuration is: li2_train_args_from_text), and
 * the list parsers of other parameters (eta=, nodes=, sweep value lists,
 * shard=, format=, milestones) on the same bytes (issue 15).  The input's
 * words are separated by NUL bytes or newlines.  tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "figures.h"
#include "gradient.h"
#include "optim.h"
#include "sweep.h"
#include "train.h"
#include "fuzz_train.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  li2_error err = {0};
  char *text = malloc(size + 1), *argv[64];
  int argc = 0;
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = 0;
  /* the whole input as one value, for the list parsers */
  {
    double *eta = NULL;
    size_t n = 0, *comp = NULL;
    char **values = NULL;
    li2_sweep_shard sh;
    unsigned mask;
    li2_lr_schedule ls;
    li2_args *a = NULL;
    if (!li2_gradient_eta_parse(text, "eta", &eta, &n, &err))
      free(eta);
    if (!li2_gradient_nodes_parse(text, "nodes", 35, &comp, &n, &err))
      free(comp);
    /* a range A:B expands to up to 10^6 values by design
     * (LI2_SWEEP_MAX_VALUES): seconds under ASan, a timeout, not a fault */
    if (!strchr(text, ':') && !li2_sweep_values_parse("M", text, &values, &n, &err))
      li2_sweep_values_free(values, n);
    (void)li2_sweep_shard_parse(text, "shard", &sh, &err);
    (void)li2_figures_formats_parse(text, "format", &mask, &err);
    memset(&ls, 0, sizeof ls);
    (void)li2_lr_parse_milestones(&ls, text, &err);
    if (!li2_train_args_from_text(text, &a, &err)) {
      li2_train_config cfg;
      (void)li2_train_config_from_args(a, &cfg, &err);
    }
    li2_args_free(a);
  }
  /* words: the command line of li2 train */
  argc = fuzz_train_words(text, size, argv, 64);
  li2_args *a = NULL;
  if (!li2_args_parse(&a, li2_train_spec, argc, argv, &err))
    fuzz_train_config(a);
  li2_args_free(a);
  free(text);
  return 0;
}
