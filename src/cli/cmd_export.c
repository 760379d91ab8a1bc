/* li2 export RUN [out=DIR] [checkpoint=latest|EPOCH|all]: a run's
 * checkpoints, split and metrics as NumPy .npy/.npz (src/export.h). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../export.h"
#include "../io.h"
#include "../json.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "run", NULL, "run directory of li2 train (or one checkpoint file)", 1, 0, NULL, 1},
  {LI2_ARG_STRING, "out", NULL, "output directory (default: RUN/npy)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "checkpoint", "latest",
   "latest (checkpoint.li2), an epoch (ckpt-EPOCH.li2), or all (also ckpt-EPOCH.npz for each)",
   1, 0, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "print {\"out\": DIR, \"files\": [...]} instead of one path a line", 1, 0, NULL, 0},
  {0}
};

static int run(const li2_args *a, li2_error *err)
{
  const char *runp = li2_args_has(a, "run") ? li2_args_string(a, "run") : NULL;
  char *dflt = NULL;
  const char *out;
  int rc;
  if (!runp)
    return li2_error_set(err, LI2_EINVAL, "parameter run: missing (li2 export RUN)");
  if (li2_args_has(a, "out"))
    out = li2_args_string(a, "out");
  else {
    /* next to the checkpoints: RUN/npy, or DIR/npy for a checkpoint file */
    const char *slash = strrchr(runp, '/');
    char *dir = li2_io_is_file(runp) ? (slash ? strndup(runp, (size_t)(slash - runp) + (slash == runp))
                                              : strdup("."))
                                     : strdup(runp);
    if (!dir || !(dflt = li2_io_path(dir, "npy"))) {
      free(dir);
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
    free(dir);
    out = dflt;
  }
  if (!li2_args_bool(a, "json"))
    rc = li2_export_run(runp, li2_args_string(a, "checkpoint"), out, stdout, err);
  else {
    /* the paths written, one a line, then as a JSON array */
    char *list = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&list, &len);
    if (!fp) {
      free(dflt);
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
    rc = li2_export_run(runp, li2_args_string(a, "checkpoint"), out, fp, err);
    if (fclose(fp) && !rc)
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    if (!rc) {
      li2_json_writer w;
      char *save = NULL, *line;
      li2_json_writer_init(&w, stdout, 1);
      li2_json_object_begin(&w);
      li2_json_key(&w, "out");
      li2_json_string(&w, out);
      li2_json_key(&w, "files");
      li2_json_array_begin(&w);
      for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        li2_json_string(&w, line);
      li2_json_array_end(&w);
      li2_json_object_end(&w);
      li2_json_writer_finish(&w);
    }
    free(list);
  }
  free(dflt);
  return rc;
}

const li2_command li2_command_export = {
  "export", "a run's weights, split and metrics as NumPy .npy/.npz files",
  "RUN [out=DIR] [checkpoint=latest|EPOCH|all] [--json]",
  spec, run,
};
