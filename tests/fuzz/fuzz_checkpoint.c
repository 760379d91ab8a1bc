/* libFuzzer harness: checkpoints (li2_checkpoint_read, and li2_trainer_load,
 * which sizes a trainer from the header and its configuration: the path of
 * resume=, li2 compare and li2 gradient run=; issue 15).  A mutation almost
 * always breaks the payload length or the FNV-1a checksum, which stops the
 * reader before the header checks and the version 3 (transformer) layout:
 * so each input is read as given and, when they differ, once more with
 * both fields made consistent with the bytes.  tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "train.h"
#include "fuzz_file.h"

static void read_one(const uint8_t *data, size_t size)
{
  li2_error err = {0};
  const char *path = fuzz_file_put(data, size);
  li2_checkpoint *c;
  if (!path)
    return;
  if ((c = li2_checkpoint_read(path, &err))) {
    li2_checkpoint_free(c);
    li2_trainer_free(li2_trainer_load(path, &err));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* magic, version, byte-order mark, payload length; the checksum after
   * the payload (checkpoint.c) */
  const size_t pre = 8 + 4 + 4 + 8;
  read_one(data, size);
  if (size >= pre + 8) {
    uint8_t *fixed = malloc(size);
    uint64_t plen = size - pre - 8, sum;
    if (!fixed)
      return 0;
    memcpy(fixed, data, size);
    memcpy(fixed + 16, &plen, 8);
    sum = li2_fnv64(LI2_FNV64_INIT, fixed + pre, plen);
    memcpy(fixed + pre + plen, &sum, 8);
    if (memcmp(fixed, data, size))
      read_one(fixed, size);
    free(fixed);
  }
  return 0;
}
