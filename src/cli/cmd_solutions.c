/* li2 solutions RUN | sweep=DIR: the reference's solution analyses
 * (sol_distri.py, factorize_sol.py, draw_dyn_fig3.py) on li2 runs and
 * sweeps; the numerics are in src/solutions.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../io.h"
#include "../json.h"
#include "../solutions.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "run", NULL, "run directory of li2 train (or one checkpoint file)", 1, 0, NULL, 1},
  {LI2_ARG_STRING, "sweep", NULL, "sweep directory of li2 sweep train (instead of run)", 1, 0, NULL, 0},
  {LI2_ARG_INT, "epoch", NULL, "analyse ckpt-EPOCH.li2 (default: the latest, checkpoint.li2)", 0, 1e15, NULL, 0},
  {LI2_ARG_STRING, "out", NULL, "output directory (default: RUN/solutions or SWEEP/solutions)", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "threshold", "0.05", "|A_k| above this: a node at frequency k (the reference's 0.05)", 0, 1e300, NULL, 0},
  {LI2_ARG_BOOL, "dynamics", "true", "r_{k1 k2 k} over every checkpoint of the run (draw_dyn_fig3.py)", 1, 0, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "print the summary as JSON", 1, 0, NULL, 0},
  {0}
};

static char *default_out(const char *in)
{
  /* next to the checkpoints: IN/solutions, or DIR/solutions for a file */
  const char *slash = strrchr(in, '/');
  char *dir, *out;
  if (li2_io_is_file(in))
    dir = slash ? strndup(in, (size_t)(slash - in) + (slash == in)) : strdup(".");
  else
    dir = strdup(in);
  out = dir ? li2_io_path(dir, "solutions") : NULL;
  free(dir);
  return out;
}

static int run(const li2_args *a, li2_error *err)
{
  const char *runp = li2_args_has(a, "run") ? li2_args_string(a, "run") : NULL;
  const char *sweep = li2_args_has(a, "sweep") ? li2_args_string(a, "sweep") : NULL;
  long epoch = li2_args_has(a, "epoch") ? li2_args_int(a, "epoch") : -1;
  li2_solutions_params p;
  li2_solutions_result *r = NULL;
  char *dflt = NULL;
  const char *out;
  long ep = -1;
  int rc;
  if (!runp == !sweep)
    return li2_error_set(err, LI2_EINVAL,
                         "parameter run: give a run directory or sweep=DIR (li2 solutions RUN)");
  li2_solutions_params_default(&p);
  p.threshold = li2_args_double(a, "threshold");
  if (li2_args_has(a, "out"))
    out = li2_args_string(a, "out");
  else if (!(out = dflt = default_out(runp ? runp : sweep)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (sweep) {
    free(dflt);
    return li2_error_set(err, LI2_EUNSUP, "parameter sweep: not implemented yet");
  }
  rc = li2_solutions_run(runp, epoch, &p, out, li2_args_bool(a, "dynamics") && epoch < 0, &r, &ep,
                         err);
  if (!rc) {
    if (li2_args_bool(a, "json")) {
      li2_json_writer w;
      li2_json_writer_init(&w, stdout, 1);
      li2_json_object_begin(&w);
      li2_json_key(&w, "out");
      li2_json_string(&w, out);
      li2_solutions_summary_json(&w, r, ep);
      li2_json_object_end(&w);
      li2_json_writer_finish(&w);
    } else {
      printf("out\t%s\n", out);
      li2_solutions_write_summary_lines(stdout, r, ep);
    }
  }
  li2_solutions_result_free(r);
  free(dflt);
  return rc;
}

const li2_command li2_command_solutions = {
  "solutions", "solution orders per frequency, order-2 x order-3 factorisation, r_{k1 k2 k} dynamics",
  "RUN | sweep=DIR [epoch=N] [out=DIR] [threshold=0.05] [dynamics=true] [--json]",
  spec, run,
};
