/* libFuzzer harness: the JSON reader (li2_json_parse: manifest.json,
 * point.json, JSON Lines group records, a child's summary), its lookups
 * and the writer on what it read (issue 15).  tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"

static void walk(const li2_json *v, int depth)
{
  if (!v || depth > 64)
    return;
  for (size_t i = 0; (v->type == LI2_JSON_ARRAY || v->type == LI2_JSON_OBJECT) && i < v->n; i++) {
    if (v->type == LI2_JSON_OBJECT)
      (void)li2_json_get(v, v->keys[i]);
    walk(&v->item[i], depth + 1);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static FILE *null;
  li2_error err = {0};
  li2_json *v = li2_json_parse((const char *)data, size, &err);
  if (!v)
    return 0;
  walk(v, 0);
  (void)li2_json_get(v, "summary");
  if (null || (null = fopen("/dev/null", "w"))) {
    li2_json_writer w;
    li2_json_writer_init(&w, null, 1);
    li2_json_value(&w, v);
    li2_json_writer_finish(&w);
  }
  li2_json_free(v);
  return 0;
}
