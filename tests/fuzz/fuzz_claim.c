/* libFuzzer harness: claim files (li2_verify_claim_parse: key = value
 * lines, continuations, the kind's parameters, rules) and what li2 verify
 * reads from a parsed claim before running it: its rules evaluated, the
 * quick form, the parameters (issue 15).  The check pass is left out: it
 * builds groups and trainers of whatever size the claim names.
 * tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  li2_error err = {0};
  li2_verify_claim *c = NULL;
  li2_verify_result r;
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = 0;
  if (!li2_verify_claim_parse(text, "fuzz.claim", &c, &err)) {
    const char *why;
    memset(&r, 0, sizeof r);
    for (int quick = 0; quick < 2; quick++) {
      (void)li2_verify_rule_eval(c, li2_verify_claim_rule(c), quick, &r, &err);
      const char *f = li2_verify_claim_param(c, "fail_if", quick, NULL);
      if (f)
        (void)li2_verify_rule_eval(c, f, quick, &r, &err);
      (void)li2_verify_claim_param(c, "groups", quick, NULL);
    }
    (void)li2_verify_claim_has_quick(c, &why);
    (void)li2_verify_claim_section(c);
    li2_verify_claim_free(c);
  }
  free(text);
  return 0;
}
