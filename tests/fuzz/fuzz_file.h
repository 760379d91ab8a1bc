/* The readers under test take a path: each input is written to one file
 * per process (under $TMPDIR), overwritten for every execution. */
#ifndef LI2_FUZZ_FILE_H
#define LI2_FUZZ_FILE_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__GNUC__)
#define FUZZ_UNUSED __attribute__((unused))
#else
#define FUZZ_UNUSED
#endif

/* li2's atomic writes fsync every file; here durability does not matter
 * and an fsync per execution would make the harness 100x slower. */
int fsync(int fd)
{
  (void)fd;
  return 0;
}

/* DATA into PATH (overwritten); 0 on success. */
FUZZ_UNUSED static int fuzz_file_write(const char *path, const uint8_t *data, size_t size)
{
  FILE *fp = fopen(path, "wb");
  if (!fp)
    return -1;
  if (size && fwrite(data, 1, size, fp) != size) {
    fclose(fp);
    return -1;
  }
  return fclose(fp);
}

FUZZ_UNUSED static const char *fuzz_file_put(const uint8_t *data, size_t size)
{
  static char path[256];
  if (!path[0]) {
    const char *t = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/li2-fuzz.%ld", t && *t ? t : "/tmp", (long)getpid());
  }
  return fuzz_file_write(path, data, size) == 0 ? path : NULL;
}

/* A directory of this process (under $TMPDIR), created once: NAME is its
 * last component ("li2-fuzz-NAME.PID"). */
FUZZ_UNUSED static const char *fuzz_file_dir(const char *name)
{
  static char dir[4][256];
  static const char *names[4];
  for (int i = 0; i < 4; i++) {
    if (names[i] && !strcmp(names[i], name))
      return dir[i];
    if (!names[i]) {
      const char *t = getenv("TMPDIR");
      snprintf(dir[i], sizeof dir[i], "%s/li2-fuzz-%s.%ld", t && *t ? t : "/tmp", name,
               (long)getpid());
      mkdir(dir[i], 0700);
      names[i] = name;
      return dir[i];
    }
  }
  return NULL;
}

/* The input cut at NUL bytes: part K (0-based) is written to DIR/NAMES[K]
 * (a NULL-terminated list), or removed when the part is empty or absent:
 * one input describes several files of a directory. */
FUZZ_UNUSED static void fuzz_file_parts(const char *dir, const char *const *names, const uint8_t *data,
                            size_t size)
{
  size_t at = 0;
  int past = 0;
  for (size_t k = 0; names[k]; k++) {
    char path[512];
    size_t end = at;
    while (!past && end < size && data[end])
      end++;
    snprintf(path, sizeof path, "%s/%s", dir, names[k]);
    if (past || end == at)
      unlink(path);
    else
      fuzz_file_write(path, data + at, end - at);
    if (end >= size)
      past = 1;
    at = end + 1;
  }
}
#endif
