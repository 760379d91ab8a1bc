/* libFuzzer harness: checkpoints (li2_checkpoint_read, and li2_trainer_load,
 * which sizes a trainer from the header and its configuration: the path of
 * resume=, li2 compare and li2 gradient run=; issue 15).  tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "checkpoint.h"
#include "train.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  li2_error err = {0};
  const char *path = fuzz_file_put(data, size);
  li2_checkpoint *c;
  if (!path)
    return 0;
  if ((c = li2_checkpoint_read(path, &err))) {
    li2_checkpoint_free(c);
    li2_trainer_free(li2_trainer_load(path, &err));
  }
  return 0;
}
