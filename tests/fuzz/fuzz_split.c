/* libFuzzer harness: li2-split files (li2_dataset_alloc_load), the reader of
 * load_dataset_split= (issue 15).  Build and run: tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dataset.h"
#include "group.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static li2_group *g[2];
  li2_error err = {0};
  const char *path = fuzz_file_put(data, size);
  if (!g[0]) {
    g[0] = li2_group_alloc_name("7", NULL);
    g[1] = li2_group_alloc_name("S3", NULL);
  }
  if (!path)
    return 0;
  for (int k = 0; k < 2; k++)
    for (int nops = 2; nops <= 3; nops++)
      li2_dataset_free(li2_dataset_alloc_load(g[k], nops, path, &err));
  return 0;
}
