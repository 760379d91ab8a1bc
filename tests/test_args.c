/* key=value parameter tables: parsing, defaults, ranges, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "tap.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "group", NULL, "group", 1, 0, NULL, 1},
  {LI2_ARG_INT, "hidden_size", "512", "K", 1, 1e6, NULL, 0},
  {LI2_ARG_DOUBLE, "learning_rate", "0.001", "lr", 0, 10, NULL, 0},
  {LI2_ARG_CHOICE, "activation", "sqr", "act", 1, 0, "sqr|relu|silu|relusqr", 0},
  {LI2_ARG_BOOL, "use_critical_ratio", "false", "crit", 1, 0, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "json", 1, 0, NULL, 0},
  {0}
};

static int parse(const char *line, li2_args **a, li2_error *err)
{
  char buf[256], *argv[16];
  int argc = 0;
  snprintf(buf, sizeof buf, "%s", line);
  for (char *t = strtok(buf, " "); t && argc < 16; t = strtok(NULL, " "))
    argv[argc++] = t;
  return li2_args_parse(a, spec, argc, argv, err);
}

static void expect_error(const char *line, const char *needle)
{
  li2_args *a = NULL;
  li2_error err = {0};
  int rc = parse(line, &a, &err);
  ok(rc == LI2_EINVAL && strstr(err.msg, needle) && !strchr(err.msg, '\n'),
     "'%s' rejected naming '%s' (%s)", line, needle, err.msg);
  li2_args_free(a);
}

int main(void)
{
  li2_args *a = NULL;
  li2_error err = {0};

  ok(parse("S4 hidden_size=2048 learning_rate=1e-2 --json", &a, &err) == 0,
     "valid line parses");
  ok(strcmp(li2_args_string(a, "group"), "S4") == 0, "positional fills group");
  ok(li2_args_int(a, "hidden_size") == 2048, "integer value");
  ok_close(li2_args_double(a, "learning_rate"), 1e-2, 0, "double value");
  ok(strcmp(li2_args_string(a, "activation"), "sqr") == 0, "choice default");
  ok(li2_args_bool(a, "json") == 1, "flag set");
  ok(li2_args_bool(a, "use_critical_ratio") == 0, "bool default false");
  ok(li2_args_given(a, "hidden_size") && !li2_args_given(a, "activation"),
     "given distinguishes defaults");
  ok(li2_args_set(a, "activation", "relu", &err) == 0 &&
     strcmp(li2_args_string(a, "activation"), "relu") == 0, "set after parse");
  ok(li2_args_set(a, "activation", "tanh", &err) == LI2_EINVAL, "set validates");
  li2_args_free(a);

  ok(parse("", &a, &err) == 0 && !li2_args_has(a, "group"), "no default for group");
  li2_args_free(a);

  expect_error("foo=1", "foo");
  expect_error("hidden_size=0", "hidden_size");
  expect_error("hidden_size=12x", "hidden_size");
  expect_error("learning_rate=-1", "learning_rate");
  expect_error("learning_rate=nan", "learning_rate");
  expect_error("activation=tanh", "activation");
  expect_error("use_critical_ratio=maybe", "use_critical_ratio");
  expect_error("hidden_size=1 hidden_size=2", "twice");
  expect_error("--nojson", "--nojson");
  expect_error("S4 S5", "S5");
  {
    /* name tables: one list macro gives the choice string and the array */
#define FRUIT_NAMES(X) X(apple) X(pear) X(fig)
    static const char *const fruit[] = {FRUIT_NAMES(LI2_NAME_STRING)};
    static const li2_arg_spec fspec[] = {
      {LI2_ARG_CHOICE, "fruit", "pear", "f", 1, 0, LI2_NAMES_CHOICES(FRUIT_NAMES), 0}, {0}};
    char *fw[1] = {"fruit=fig"}, *bad[1] = {"fruit=plum"}, buf[64];
    li2_args *f = NULL;
    int v = -1, rc;
    ok(!strcmp(fspec[0].choices, "apple|pear|fig") && sizeof fruit / sizeof *fruit == 3 &&
           !strcmp(fruit[2], "fig"),
       "LI2_NAMES_CHOICES: %s", fspec[0].choices);
    ok(li2_names_find(fruit, 3, "pear") == 1 && li2_names_find(fruit, 3, "plum") == -1 &&
           li2_names_find(fruit, 2, "fig") == -1 && li2_names_find(fruit, 3, NULL) == -1,
       "li2_names_find: index, -1 unknown, -1 beyond N");
    rc = li2_names_parse(fruit, 3, "plum", "fruit", &v, &err);
    ok(rc == LI2_EINVAL && !strcmp(err.msg, "parameter fruit: 'plum' is not one of apple|pear|fig"),
       "li2_names_parse: %s", err.msg);
    ok(!strcmp(li2_names_get(fruit, 3, 0), "apple") && !strcmp(li2_names_get(fruit, 3, 3), "?") &&
           !strcmp(li2_names_join(fruit, 2, buf, sizeof buf), "apple|pear"),
       "li2_names_get / _join");
    rc = li2_args_parse(&f, fspec, 0, fw, &err);
    ok(!rc && li2_args_choice(f, "fruit") == 1, "li2_args_choice: the default pear is 1");
    li2_args_free(f);
    rc = li2_args_parse(&f, fspec, 1, fw, &err);
    ok(!rc && li2_args_choice(f, "fruit") == 2, "li2_args_choice: fig is 2");
    li2_args_free(f);
    rc = li2_args_parse(&f, fspec, 1, bad, &err);
    ok(rc == LI2_EINVAL && strstr(err.msg, "not one of apple|pear|fig"), "plum refused: %s",
       err.msg);
  }
  {
    /* a positional list: any number of words, appended after commas */
    static const li2_arg_spec lspec[] = {
      {LI2_ARG_STRING, "claim", NULL, "ids", 1, 0, NULL, LI2_ARG_POS_LIST},
      {LI2_ARG_FLAG, "quick", "false", "q", 1, 0, NULL, 0},
      {0}};
    char *w[12] = {"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "--quick", "C11"};
    char *w2[3] = {"claim=A,B", "C", "D"};
    char *w3[2] = {"A", ""};
    li2_args *l = NULL;
    int rc = li2_args_parse(&l, lspec, 12, w, &err);
    ok(!rc && !strcmp(li2_args_string(l, "claim"), "C1,C2,C3,C4,C5,C6,C7,C8,C9,C10,C11") &&
           li2_args_bool(l, "quick"),
       "11 positional words join one list: %s", rc ? err.msg : li2_args_string(l, "claim"));
    li2_args_free(l);
    rc = li2_args_parse(&l, lspec, 3, w2, &err);
    ok(!rc && !strcmp(li2_args_string(l, "claim"), "A,B,C,D"), "claim=A,B C D: A,B,C,D");
    li2_args_free(l);
    rc = li2_args_parse(&l, lspec, 2, w3, &err);
    ok(rc == LI2_EINVAL && strstr(err.msg, "claim: empty value"), "an empty word refused: %s",
       err.msg);
  }
  expect_error("group=", "group");
  {
    /* issue 15: leading blanks are not numbers; control characters are in
     * no value; every message is one line */
    static const char *const cases[][2] = {
        {"hidden_size= 8", "hidden_size"},  {"learning_rate= 0.1", "learning_rate"},
        {"group=a\nb", "control character"}, {"group=a\rb", "control character"},
        {"fo\no=1", "unknown parameter"},    {"x\ny", "control character"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
      char *argv[2] = {(char *)cases[i][0], (char *)"S4"};
      int rc = li2_args_parse(&a, spec, strchr(cases[i][0], '=') ? 1 : 2, argv, &err);
      ok(rc == LI2_EINVAL && strstr(err.msg, cases[i][1]) && !strchr(err.msg, '\n') &&
             !strchr(err.msg, '\r'),
         "rejected in one line: %s", err.msg);
      li2_args_free(a);
      a = NULL;
    }
  }
  {
    /* did you mean: the closest key by edit distance, only when close */
    ok(li2_args_closest(spec, "hiden_size") && !strcmp(li2_args_closest(spec, "hiden_size"), "hidden_size"),
       "hiden_size -> hidden_size (one deletion)");
    ok(li2_args_closest(spec, "learnign_rate") &&
           !strcmp(li2_args_closest(spec, "learnign_rate"), "learning_rate"),
       "learnign_rate -> learning_rate (one swap)");
    ok(li2_args_closest(spec, "jsno") && !strcmp(li2_args_closest(spec, "jsno"), "json"),
       "jsno -> json");
    ok(!li2_args_closest(spec, "seed"), "seed: nothing close");
    ok(!li2_args_closest(spec, "xyz"), "xyz: nothing close (no 3-edit match for a short key)");
    ok(!li2_args_closest(spec, "hidden_sizes_of_layers"), "a long unrelated key: nothing");
    expect_error("hiden_size=8", "did you mean hidden_size?");
    expect_error("--jsn", "did you mean --json?");
    {
      static const char *const words[] = {"group", "train", "energy", NULL};
      ok(li2_args_closest_word(words, "trian") && !strcmp(li2_args_closest_word(words, "trian"), "train"),
         "subcommands: trian -> train");
    }
  }
  {
    /* shell quoting and the command line of the given keys */
    char *s = NULL;
    size_t len = 0;
    ok(!li2_args_quote_append(&s, &len, "li2") && !li2_args_quote_append(&s, &len, "out=a b") &&
           !li2_args_quote_append(&s, &len, "it's") && !li2_args_quote_append(&s, &len, "") &&
           !strcmp(s, "li2 'out=a b' 'it'\\''s' ''") && len == strlen(s),
       "quoting: %s", s ? s : "(null)");
    free(s);
    ok(!parse("S4 learning_rate=0.01 --json", &a, &err), "parse for the command line");
    {
      static const char *const always[] = {"hidden_size", NULL};
      char *c = li2_args_command_line(a, "train", always);
      ok(c && !strcmp(c, "li2 train group=S4 hidden_size=512 learning_rate=0.01 --json"),
         "command line: given keys in table order, always-keys, flags: %s", c ? c : "(null)");
      free(c);
    }
    li2_args_free(a);
    a = NULL;
  }
  {
    /* the values as JSON: numbers keep their text */
    char *buf = NULL;
    size_t blen = 0;
    FILE *fp = open_memstream(&buf, &blen);
    li2_json_writer w;
    ok(!parse("S4 learning_rate=1e-4 use_critical_ratio=yes", &a, &err), "parse for JSON");
    li2_json_writer_init(&w, fp, 0);
    li2_args_write_json(a, &w, NULL);
    fclose(fp);
    ok(buf && !strcmp(buf, "{\"group\":\"S4\",\"hidden_size\":512,\"learning_rate\":1e-4,"
                           "\"activation\":\"sqr\",\"use_critical_ratio\":true}"),
       "li2_args_write_json: %s", buf ? buf : "(null)");
    free(buf);
    li2_args_free(a);
    a = NULL;
  }
  {
    long *e = NULL;
    size_t n = 0;
    li2_error er;
    ok(li2_args_epochs("epochs", "0,10,200", 0, &e, &n, &er) == 0 && n == 3 && e[0] == 0 &&
           e[1] == 10 && e[2] == 200,
       "epoch list 0,10,200");
    free(e);
    e = NULL;
    const char *bad[] = {"", "1,,2", "1,", "-1", "1,a", " 1", "99999999999999999999", "1,2,3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
      int rc = li2_args_epochs("epochs", bad[i], 2, &e, &n, &er);
      ok(rc == LI2_EINVAL && e == NULL && strstr(er.msg, "parameter epochs: ") &&
             !strchr(er.msg, '\n'),
         "epoch list '%s' refused: %s", bad[i], er.msg);
    }
  }
  return tap_done();
}
