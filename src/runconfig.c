/* Parameters from a run.json or a Hydra YAML file (see runconfig.h). */
#include "runconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "io.h"
#include "json.h"

/* The reference's keys li2 accepts only at the value that is li2's
 * behaviour (dyn_madd.yaml's defaults; doc/reference-options.md; a NULL
 * value: only null).  modular_addition_simple2.py reads them in main(); a
 * value other than this one is refused by name and line here (li2 train
 * refuses it on the command line with the reason). */
static const struct {
  const char *key, *value;
} reference_defaults[] = {
  {"load_initial_layerab", NULL}, /* only null reaches here (null = default) */
  {"post_process", "false"},
  {NULL, NULL}};

static int spec_has(const li2_arg_spec *spec, const char *key)
{
  for (size_t i = 0; spec[i].type != LI2_ARG_END; i++)
    if (!strcmp(spec[i].key, key) && spec[i].type != LI2_ARG_FLAG)
      return 1;
  return 0;
}

static int in_list(const char *const *list, const char *key)
{
  for (size_t i = 0; list && list[i]; i++)
    if (!strcmp(list[i], key))
      return 1;
  return 0;
}

void li2_runconfig_clear(li2_runconfig *rc)
{
  for (size_t i = 0; i < rc->n; i++)
    free(rc->words[i]);
  free(rc->words);
  free(rc->line);
  memset(rc, 0, sizeof *rc);
}

/* Add KEY=VALUE (VALUE NULL: null, left at its default), checked against
 * SPEC; LINE for the messages. */
static int add(li2_runconfig *rc, const char *path, int line, const char *key,
               const char *value, const li2_arg_spec *spec, const char *const *skip,
               li2_error *err)
{
  char where[1100];
  if (line > 0)
    snprintf(where, sizeof where, "%s:%d", path, line);
  else
    snprintf(where, sizeof where, "%s", path);
  if (in_list(skip, key))
    return LI2_SUCCESS;
  for (size_t i = 0; i < rc->n; i++) {
    size_t l = strlen(key);
    if (!strncmp(rc->words[i], key, l) && rc->words[i][l] == '=')
      return li2_error_set(err, LI2_EINVAL, "%s: key %s given twice (also line %d)", where,
                           key, rc->line[i]);
  }
  for (size_t i = 0; reference_defaults[i].key; i++)
    if (!strcmp(reference_defaults[i].key, key)) {
      const char *want = reference_defaults[i].value;
      if (!value || (want && !strcmp(want, value)))
        return LI2_SUCCESS;  /* li2's behaviour: nothing to set */
      return li2_error_set(err, LI2_EINVAL,
                           "%s: key %s: li2 supports only %s: %s (the reference's default), "
                           "not '%s'", where, key, key, want ? want : "null", value);
    }
  if (!spec_has(spec, key)) {
    const char *hint;
    hint = li2_args_closest(spec, key);
    if (hint)
      return li2_error_set(err, LI2_EINVAL, "%s: unknown key '%s' (did you mean %s?)", where,
                           key, hint);
    return li2_error_set(err, LI2_EINVAL, "%s: unknown key '%s'", where, key);
  }
  if (!value)
    return LI2_SUCCESS;  /* null: the default */
  {
    size_t len = strlen(key) + strlen(value) + 2;
    char *w = malloc(len), **words;
    int *lines;
    li2_args *one = NULL;
    int r;
    if (!w)
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    snprintf(w, len, "%s=%s", key, value);
    /* the value is checked here so the message names the file's line */
    if ((r = li2_args_parse(&one, spec, 1, &w, err))) {
      free(w);
      li2_error_prefix(err, "%s: ", where);
      return r;
    }
    li2_args_free(one);
    words = realloc(rc->words, (rc->n + 1) * sizeof *words);
    if (words)
      rc->words = words;
    lines = realloc(rc->line, (rc->n + 1) * sizeof *lines);
    if (lines)
      rc->line = lines;
    if (!words || !lines) {
      free(w);
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
    rc->words[rc->n] = w;
    rc->line[rc->n++] = line;
  }
  return LI2_SUCCESS;
}

/* ---- run.json ---- */

/* The line of the first "KEY": in TEXT (for messages), 0 if not found. */
static int json_key_line(const char *text, const char *key)
{
  size_t l = strlen(key);
  int line = 1;
  for (const char *p = text; *p; p++) {
    if (*p == '\n')
      line++;
    else if (*p == '"' && !strncmp(p + 1, key, l) && p[l + 1] == '"')
      return line;
  }
  return 0;
}

static int load_json(li2_runconfig *rc, const char *path, const char *text, size_t len,
                     const li2_arg_spec *spec, const char *const *skip, li2_error *err)
{
  li2_json *js = li2_json_parse(text, len, err);
  const li2_json *cfg;
  int r = LI2_SUCCESS;
  if (!js) {
    li2_error_prefix(err, "%s: ", path);
    return LI2_EFORMAT;
  }
  cfg = li2_json_get(js, "configuration");
  if (!cfg)
    cfg = js;
  if (cfg->type != LI2_JSON_OBJECT) {
    li2_json_free(js);
    return li2_error_set(err, LI2_EFORMAT, "%s: not a run.json (no \"configuration\" object)",
                         path);
  }
  for (size_t i = 0; i < cfg->n && !r; i++) {
    const li2_json *v = &cfg->item[i];
    const char *key = cfg->keys[i];
    int line = json_key_line(text, key);
    switch (v->type) {
    case LI2_JSON_NULL:
      r = add(rc, path, line, key, NULL, spec, skip, err);
      break;
    case LI2_JSON_BOOL:
      r = add(rc, path, line, key, v->number ? "true" : "false", spec, skip, err);
      break;
    case LI2_JSON_NUMBER:
    case LI2_JSON_STRING:
      r = add(rc, path, line, key, v->string, spec, skip, err);
      break;
    default:
      r = li2_error_set(err, LI2_EFORMAT, "%s:%d: key %s: a number, string or boolean "
                                          "expected", path, line, key);
    }
  }
  li2_json_free(js);
  return r;
}

/* ---- YAML (libyaml's event stream) ---- */

static const char *yaml_bool(const char *s)
{
  static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", NULL};
  static const char *const f[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", NULL};
  for (int i = 0; t[i]; i++)
    if (!strcmp(s, t[i]))
      return "true";
  for (int i = 0; f[i]; i++)
    if (!strcmp(s, f[i]))
      return "false";
  return NULL;
}

static int yaml_null(const yaml_event_t *e)
{
  const char *s = (const char *)e->data.scalar.value;
  return e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
         (!*s || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL") || !strcmp(s, "~"));
}

/* A scalar's value: plain booleans canonical, the rest as written. */
static const char *yaml_value(const yaml_event_t *e)
{
  const char *s = (const char *)e->data.scalar.value;
  const char *b = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? yaml_bool(s) : NULL;
  return b ? b : s;
}

static int load_yaml(li2_runconfig *rc, const char *path, const char *text, size_t len,
                     const li2_arg_spec *spec, const char *const *skip, li2_error *err)
{
  yaml_parser_t p;
  yaml_event_t e;
  int r = LI2_SUCCESS, depth = 0, done = 0;
  char *key = NULL;
  int key_line = 0;
  char *list = NULL;  /* a sequence's values, comma-joined */
  size_t list_len = 0;
  int in_list = 0;
  if (!yaml_parser_initialize(&p))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  while (!done && !r) {
    if (!yaml_parser_parse(&p, &e)) {
      r = li2_error_set(err, LI2_EFORMAT, "%s:%lu: %s", path,
                        (unsigned long)p.problem_mark.line + 1,
                        p.problem ? p.problem : "malformed YAML");
      break;
    }
    int line = (int)e.start_mark.line + 1;
    switch (e.type) {
    case YAML_STREAM_END_EVENT:
      done = 1;
      break;
    case YAML_MAPPING_START_EVENT:
      if (depth == 0 && !key) {
        depth = 1;
      } else {
        r = li2_error_set(err, LI2_EINVAL, "%s:%d: key %s: nested mappings are not li2 "
                                           "parameters", path, line, key ? key : "?");
      }
      break;
    case YAML_MAPPING_END_EVENT:
      depth = 0;
      break;
    case YAML_SEQUENCE_START_EVENT:
      if (depth != 1 || !key || in_list) {
        r = li2_error_set(err, LI2_EINVAL, "%s:%d: a list is a value of a top-level key only "
                                           "(Hydra's defaults lists are not read)", path, line);
        break;
      }
      in_list = 1;
      free(list);
      list = strdup("");
      list_len = 0;
      if (!list)
        r = li2_error_set(err, LI2_ENOMEM, "out of memory");
      break;
    case YAML_SEQUENCE_END_EVENT:
      in_list = 0;
      r = add(rc, path, key_line, key, list, spec, skip, err);
      free(key);
      key = NULL;
      break;
    case YAML_SCALAR_EVENT:
      if (depth != 1) {
        r = li2_error_set(err, LI2_EINVAL, "%s:%d: not a mapping of key: value", path, line);
      } else if (in_list) {
        const char *v = yaml_value(&e);
        size_t l = strlen(v);
        char *n = realloc(list, list_len + l + 2);
        if (!n) {
          r = li2_error_set(err, LI2_ENOMEM, "out of memory");
          break;
        }
        list = n;
        if (list_len)
          list[list_len++] = ',';
        memcpy(list + list_len, v, l + 1);
        list_len += l;
      } else if (!key) {
        if (!(key = strdup((const char *)e.data.scalar.value)))
          r = li2_error_set(err, LI2_ENOMEM, "out of memory");
        key_line = line;
      } else {
        r = add(rc, path, key_line, key, yaml_null(&e) ? NULL : yaml_value(&e), spec, skip, err);
        free(key);
        key = NULL;
      }
      break;
    case YAML_ALIAS_EVENT:
      r = li2_error_set(err, LI2_EINVAL, "%s:%d: YAML aliases are not read", path, line);
      break;
    default:
      break;
    }
    yaml_event_delete(&e);
  }
  free(key);
  free(list);
  yaml_parser_delete(&p);
  return r;
}

int li2_runconfig_load(li2_runconfig *rc, const char *path, const li2_arg_spec *spec,
                       const char *const *skip, li2_error *err)
{
  char *text = NULL;
  size_t len, l = strlen(path);
  const char *p;
  int r;
  memset(rc, 0, sizeof *rc);
  if ((r = li2_io_read_file(path, &text, &len, err)))
    return r;
  for (p = text; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
    ;
  /* run.json (or any JSON object); YAML otherwise (JSON is YAML too, but
   * libyaml would lose the numbers' line of a run.json) */
  if (*p == '{' || (l > 5 && !strcmp(path + l - 5, ".json")))
    r = load_json(rc, path, text, len, spec, skip, err);
  else
    r = load_yaml(rc, path, text, len, spec, skip, err);
  free(text);
  if (r)
    li2_runconfig_clear(rc);
  return r;
}

int li2_runconfig_merge(const li2_runconfig *rc, const li2_args *cmd,
                        const char *const *drop, li2_args **out, li2_error *err)
{
  size_t n = li2_args_count(cmd), k = 0;
  char **argv = calloc(rc->n + n + 1, sizeof *argv);
  int r = LI2_SUCCESS;
  if (!argv)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (size_t i = 0; i < rc->n; i++) {
    const char *w = rc->words[i], *eq = strchr(w, '=');
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - w), w);
    if (!li2_args_given(cmd, key))
      argv[k++] = rc->words[i];
  }
  for (size_t i = 0; i < n && !r; i++) {
    const char *v;
    const li2_arg_spec *s = li2_args_spec(cmd, i, &v);
    size_t len;
    if (!li2_args_given(cmd, s->key) || in_list(drop, s->key))
      continue;
    len = strlen(s->key) + strlen(v) + 4;
    if (!(argv[k] = malloc(len))) {
      r = li2_error_set(err, LI2_ENOMEM, "out of memory");
      break;
    }
    if (s->type == LI2_ARG_FLAG)
      snprintf(argv[k], len, "--%s=%s", s->key, v);
    else
      snprintf(argv[k], len, "%s=%s", s->key, v);
    k++;
  }
  if (!r)
    r = li2_args_parse(out, li2_args_spec(cmd, 0, NULL), (int)k, argv, err);
  /* the words from CMD were allocated here, those of RC are RC's */
  for (size_t i = 0; i < k; i++) {
    int own = 1;
    for (size_t j = 0; j < rc->n && own; j++)
      own = argv[i] != rc->words[j];
    if (own)
      free(argv[i]);
  }
  free(argv);
  return r;
}
