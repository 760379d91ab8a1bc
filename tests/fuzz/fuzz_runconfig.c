/* libFuzzer harness: li2 train config=FILE (li2_runconfig_load: a run.json's
 * "configuration" object or a flat JSON object when the text starts with
 * '{', the reference's Hydra YAML through libyaml otherwise), then what
 * li2 train does with the words: li2_runconfig_merge under a command line
 * (config=FILE seed=3, the command line overriding the file), the
 * configuration built from them (li2_train_config_from_args), and its text
 * read back as a checkpoint's configuration is (li2_train_args_from_text,
 * which must accept li2's own text).  The input is the file.  Errors are
 * expected outcomes; tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "runconfig.h"
#include "train.h"
#include "fuzz_file.h"
#include "fuzz_train.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* as li2 train (src/cli/cmd_train.c: run) */
  static const char *const skip[] = {"out", "resume", "config", "json", NULL};
  static const char *const drop[] = {"config", NULL};
  static char config[300];
  li2_error err = {0};
  li2_runconfig rc;
  li2_args *cmd = NULL, *merged = NULL;
  const char *path = fuzz_file_put(data, size);
  char *argv[2] = {config, "seed=3"};
  if (!path)
    return 0;
  snprintf(config, sizeof config, "config=%s", path);
  if (li2_runconfig_load(&rc, path, li2_train_spec, skip, &err))
    return 0;
  if (!li2_args_parse(&cmd, li2_train_spec, 2, argv, &err) &&
      !li2_runconfig_merge(&rc, cmd, drop, &merged, &err))
    fuzz_train_config(merged);
  li2_args_free(merged);
  li2_args_free(cmd);
  li2_runconfig_clear(&rc);
  return 0;
}
