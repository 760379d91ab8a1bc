/* Replay driver for a fuzz harness without libFuzzer (make check): runs
 * the harness's LLVMFuzzerTestOneInput once on every seed of
 * $top_srcdir/tests/fuzz/corpus/NAME and every past crash
 * $top_srcdir/tests/fuzz/crashes/NAME-*, one TAP line each, so the normal
 * build (and under --enable-asan the sanitizers) keeps them covered; with
 * files named on the command line, on those.  NAME is FUZZ_NAME, given when
 * compiling (Makefile.am: tests/fuzz/replay_NAME). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME: the harness's name"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count, failed;

static void replay(const char *path)
{
  char *data = NULL;
  size_t len = 0;
  li2_error err = {0};
  count++;
  if (li2_io_read_file(path, &data, &len, &err)) {
    failed++;
    printf("not ok %d - %s: %s\n", count, path, err.msg);
    return;
  }
  fflush(stdout);
  LLVMFuzzerTestOneInput((const uint8_t *)data, len);  /* a crash ends the test */
  free(data);
  printf("ok %d - " FUZZ_NAME ": %s (%zu bytes) read without a fault\n", count, path, len);
}

/* every regular file of DIR whose name starts with PREFIX, in name order */
static void replay_dir(const char *dir, const char *prefix)
{
  struct dirent **list = NULL;
  int n = scandir(dir, &list, NULL, alphasort);
  for (int i = 0; i < n; i++) {
    char path[4096];
    if (list[i]->d_name[0] != '.' && !strncmp(list[i]->d_name, prefix, strlen(prefix))) {
      snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
      replay(path);
    }
    free(list[i]);
  }
  free(list);
}

int main(int argc, char **argv)
{
  if (argc > 1) {
    for (int i = 1; i < argc; i++)
      replay(argv[i]);
  } else {
    const char *top = getenv("top_srcdir");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/" FUZZ_NAME, top ? top : ".");
    replay_dir(dir, "");
    snprintf(dir, sizeof dir, "%s/tests/fuzz/crashes", top ? top : ".");
    replay_dir(dir, FUZZ_NAME "-");
    if (count == 0) {
      printf("not ok 1 - no seed for " FUZZ_NAME " under %s/tests/fuzz\n", top ? top : ".");
      count = failed = 1;
    }
  }
  printf("1..%d\n", count);
  return failed != 0;
}
