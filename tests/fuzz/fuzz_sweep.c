/* libFuzzer harness: a sweep directory read back (issue 15): manifest.json
 * (li2_sweep_manifest_load, as li2 sweep --collect), the points' point.json
 * (li2_sweep_point_complete, li2_sweep_results_write, which reads every
 * complete point's summary into results.tsv), and a child's output turned
 * into point.json (li2_sweep_point_json).  The input holds the files
 * separated by NUL bytes: manifest.json, points/0000/point.json,
 * points/0001/point.json, the child's stdout.  tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sweep.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const names[] = {"manifest.json", "points/0000/point.json",
                                      "points/0001/point.json", "stdout.txt", NULL};
  static char out[600];
  li2_error err = {0};
  const char *dir = fuzz_file_dir("sweep");
  if (!dir)
    return 0;
  if (!out[0]) {
    snprintf(out, sizeof out, "%s/points", dir);
    mkdir(out, 0700);
    snprintf(out, sizeof out, "%s/points/0000", dir);
    mkdir(out, 0700);
    snprintf(out, sizeof out, "%s/points/0001", dir);
    mkdir(out, 0700);
  }
  fuzz_file_parts(dir, names, data, size);
  li2_sweep *s = li2_sweep_manifest_load(dir, &err);
  if (!s)
    return 0;
  /* a manifest may declare many points; each is one stat for --collect */
  if (li2_sweep_npoints(s) <= 64) {
    for (size_t p = 0; p < 2 && p < li2_sweep_npoints(s); p++)
      (void)li2_sweep_point_complete(s, dir, p);
    (void)li2_sweep_results_write(s, dir, NULL, &err);
  }
  /* the child's stdout: the 4th part */
  size_t at = 0;
  for (int k = 0; k < 3 && at <= size; k++) {
    while (at < size && data[at])
      at++;
    at++;
  }
  if (at < size) {
    char *text = malloc(size - at + 1);
    if (text) {
      memcpy(text, data + at, size - at);
      text[size - at] = 0;
      free(li2_sweep_point_json(s, 0, NULL, 0, 1.5, "1", text));
      free(text);
    }
  }
  li2_sweep_free(s);
  return 0;
}
