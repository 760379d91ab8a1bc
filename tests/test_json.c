/* JSON writer and reader: round trip and malformed input. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

static void expect_bad(const char *text, const char *needle)
{
  li2_error err = {0};
  li2_json *v = li2_json_parse(text, strlen(text), &err);
  ok(!v && err.code == LI2_EFORMAT && strstr(err.msg, needle),
     "malformed '%s' rejected (%s)", text, err.msg);
  li2_json_free(v);
}

int main(void)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  li2_json_writer w;
  li2_json_writer_init(&w, fp, 1);
  li2_json_object_begin(&w);
  li2_json_key(&w, "name");
  li2_json_string(&w, "a \"quoted\"\tname\n");
  li2_json_key(&w, "x");
  li2_json_number(&w, 0.1);
  li2_json_key(&w, "nan");
  li2_json_number(&w, NAN);
  li2_json_key(&w, "list");
  li2_json_array_begin(&w);
  for (int i = 0; i < 3; i++)
    li2_json_int(&w, i * i);
  li2_json_array_end(&w);
  li2_json_key(&w, "empty");
  li2_json_array_begin(&w);
  li2_json_array_end(&w);
  li2_json_key(&w, "nested");
  li2_json_object_begin(&w);
  li2_json_key(&w, "ok");
  li2_json_bool(&w, 1);
  li2_json_object_end(&w);
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
  fclose(fp);

  li2_error err = {0};
  li2_json *v = li2_json_parse(buf, len, &err);
  ok(v != NULL, "writer output parses (%s)", err.msg);
  if (v) {
    const li2_json *name = li2_json_get(v, "name");
    ok(name && name->type == LI2_JSON_STRING &&
       strcmp(name->string, "a \"quoted\"\tname\n") == 0, "string escapes round trip");
    const li2_json *x = li2_json_get(v, "x");
    ok(x && x->type == LI2_JSON_NUMBER && x->number == 0.1, "double round trips exactly");
    ok(li2_json_get(v, "nan") && li2_json_get(v, "nan")->type == LI2_JSON_NULL,
       "NaN written as null");
    const li2_json *l = li2_json_get(v, "list");
    ok(l && l->type == LI2_JSON_ARRAY && l->n == 3 && l->item[2].number == 4, "array");
    ok(li2_json_get(v, "empty") && li2_json_get(v, "empty")->n == 0, "empty array");
    const li2_json *ok_ = li2_json_get(li2_json_get(v, "nested"), "ok");
    ok(ok_ && ok_->type == LI2_JSON_BOOL && ok_->number == 1, "nested object");
    ok(li2_json_get(v, "missing") == NULL, "missing key is NULL");
  }
  if (v) {
    /* a parsed tree written back through li2_json_value is the same text */
    char *again = NULL;
    size_t alen = 0;
    FILE *fp2 = open_memstream(&again, &alen);
    li2_json_writer w2;
    li2_json_writer_init(&w2, fp2, 1);
    li2_json_value(&w2, v);
    li2_json_writer_finish(&w2);
    fclose(fp2);
    ok(again && alen == len && !memcmp(again, buf, len), "li2_json_value writes the tree back");
    free(again);
  }
  li2_json_free(v);
  free(buf);

  const char *rec = "{\"table\": [[1,2],[2,1]], \"index_base\": 1, \"name\": \"Z2\"}";
  v = li2_json_parse(rec, strlen(rec), &err);
  ok(v && li2_json_get(v, "table")->n == 2 &&
     li2_json_get(v, "table")->item[1].item[0].number == 2, "JSON Lines record");
  li2_json_free(v);

  expect_bad("{\"a\": }", "character 7");
  expect_bad("{\"a\": 1", "expected");
  expect_bad("[1, 2", "expected");
  expect_bad("\"abc", "unterminated");
  expect_bad("{\"a\": 1} x", "trailing");
  expect_bad("", "end of input");
  expect_bad("[1.2.3]", "malformed number");
  /* issue 15: numbers of any length; no NUL inside a name; no overflow */
  {
    const char *longnum =
        "{\"x\": 0.00000000000000000000000000000000000000000000000000000000000000000000000001}";
    li2_error err = {0};
    li2_json *v = li2_json_parse(longnum, strlen(longnum), &err);
    const li2_json *x = v ? li2_json_get(v, "x") : NULL;
    ok(x && x->type == LI2_JSON_NUMBER && fabs(x->number - 1e-74) < 1e-88,
       "a 77-character number parses (%s)", err.msg);
    li2_json_free(v);
  }
  expect_bad("{\"na\\u0000me\": 1}", "u0000");
  expect_bad("[1e999]", "out of range");
  {
    /* a number keeps its text: parsed and written again it is 1e-4, not
     * 0.0001 (run.json's configuration read back by config=) */
    const char *text = "[1e-4,0.7,-0,12345678901234567890]";
    li2_error err = {0};
    li2_json *v = li2_json_parse(text, strlen(text), &err);
    char *out = NULL;
    size_t olen = 0;
    FILE *mf = open_memstream(&out, &olen);
    li2_json_writer mw;
    ok(v && v->n == 4 && v->item[0].number == 1e-4 && !strcmp(v->item[0].string, "1e-4"),
       "number 1e-4: value and text");
    li2_json_writer_init(&mw, mf, 0);
    li2_json_value(&mw, v);
    li2_json_number_text(&mw, ".5");   /* not JSON's grammar: as a number */
    li2_json_number_text(&mw, "nan");  /* not finite: null */
    li2_json_number_text(&mw, "1E+3");
    fclose(mf);
    ok(out && !strcmp(out, "[1e-4,0.7,-0,12345678901234567890]0.5null1E+3"),
       "numbers written back as their text: %s", out ? out : "(null)");
    free(out);
    li2_json_free(v);
  }
  return tap_done();
}
