/* The readers under test take a path: each input is written to one file
 * per process (under $TMPDIR), overwritten for every execution. */
#ifndef LI2_FUZZ_FILE_H
#define LI2_FUZZ_FILE_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *fuzz_file_put(const uint8_t *data, size_t size)
{
  static char path[256];
  FILE *fp;
  if (!path[0]) {
    const char *t = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/li2-fuzz.%ld", t && *t ? t : "/tmp", (long)getpid());
  }
  if (!(fp = fopen(path, "wb")))
    return NULL;
  if (size && fwrite(data, 1, size, fp) != size) {
    fclose(fp);
    return NULL;
  }
  return fclose(fp) == 0 ? path : NULL;
}
#endif
