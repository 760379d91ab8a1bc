/* libFuzzer harness: group tables from files (li2_group_alloc_name with
 * file:PATH, file:PATH#K and file:PATH#NAME): plain-text Cayley tables and
 * JSON Lines records (issue 15); small groups also through the character
 * table, which trusts the group axioms the reader checked.
 * tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "characters.h"
#include "group.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const sel[] = {"", "#0", "#1", "#Z2", "#S3", "#"};
  li2_error err = {0};
  const char *path = fuzz_file_put(data, size);
  if (!path)
    return 0;
  for (size_t k = 0; k < sizeof sel / sizeof sel[0]; k++) {
    char spec[512];
    snprintf(spec, sizeof spec, "file:%s%s", path, sel[k]);
    li2_group *g = li2_group_alloc_name(spec, &err);
    if (g && g->order <= 24)
      li2_characters_free(li2_characters_alloc(g, &err));
    li2_group_free(g);
  }
  return 0;
}
