/* li2 solutions RUN | sweep=DIR: the reference's solution analyses
 * (sol_distri.py, factorize_sol.py, draw_dyn_fig3.py) on li2 runs and
 * sweeps; the numerics are in src/solutions.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../io.h"
#include "../json.h"
#include "../plot.h"
#include "../solutions.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "run", NULL, "run directory of li2 train (or one checkpoint file)", 1, 0, NULL, 1},
  {LI2_ARG_STRING, "sweep", NULL, "sweep directory of li2 sweep train (instead of run)", 1, 0, NULL, 0},
  {LI2_ARG_INT, "epoch", NULL, "analyse ckpt-EPOCH.li2 (default: the latest, checkpoint.li2)", 0, 1e15, NULL, 0},
  {LI2_ARG_STRING, "out", NULL, "output directory (default: RUN/solutions or SWEEP/solutions)", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "threshold", "0.05", "|A_k| above this: a node at frequency k (the reference's 0.05)", 0, 1e300, NULL, 0},
  {LI2_ARG_BOOL, "dynamics", "true", "r_{k1 k2 k} over every checkpoint of the run (draw_dyn_fig3.py)", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "plot", "true", "write the figures' gnuplot scripts into out and run gnuplot when it is on PATH", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "format", "pdf", "figures: comma-separated pdf, png, svg, tex (as li2 plot)", 1, 0, NULL, 0},
  {LI2_ARG_CHOICE, "style", "paper", "figures: paper or slides (as li2 plot)", 1, 0, LI2_NAMES_CHOICES(LI2_PLOT_STYLE_NAMES), 0},
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

/* the figures, when asked for; a gnuplot failure is reported on stderr
 * (the scripts and tables are there to re-plot by hand) */
static int figures(const li2_args *a, const char *out, li2_figures_list *list, li2_error *err)
{
  li2_figures_params fp;
  int rc;
  memset(list, 0, sizeof *list);
  if (!li2_args_bool(a, "plot"))
    return LI2_SUCCESS;
  li2_figures_params_default(&fp);
  if ((rc = li2_figures_formats_parse(li2_args_string(a, "format"), "format", &fp.formats, err)))
    return rc;
  fp.style = li2_plot_style_from_name(li2_args_string(a, "style"));
  rc = li2_solutions_figures(out, &fp, list, err);
  if (!rc && list->failed)
    fprintf(stderr, "li2 solutions: gnuplot failed on %zu script(s): %s\n", list->failed,
            list->first_failure);
  return rc;
}

static void json_figures(li2_json_writer *w, const li2_figures_list *list)
{
  li2_json_key(w, "figures");
  li2_json_array_begin(w);
  for (size_t i = 0; i < list->n; i++)
    li2_json_string(w, list->name[i]);
  li2_json_array_end(w);
}

static int run_sweep(const li2_args *a, const char *sweep, long epoch,
                     const li2_solutions_params *p, const char *out, li2_error *err)
{
  li2_solutions_sweep *w = NULL;
  li2_figures_list list;
  int rc = li2_solutions_sweep_run(sweep, epoch, p, out, &w, err);
  if (!rc)
    rc = figures(a, out, &list, err);
  if (!rc && li2_args_bool(a, "json")) {
    li2_json_writer j;
    li2_json_writer_init(&j, stdout, 1);
    li2_json_object_begin(&j);
    li2_json_key(&j, "out");
    li2_json_string(&j, out);
    li2_json_key(&j, "points");
    li2_json_int(&j, (long)w->npoints);
    li2_json_key(&j, "skipped");
    li2_json_int(&j, (long)w->skipped);
    li2_json_key(&j, "settings");
    li2_json_array_begin(&j);
    for (size_t si = 0; si < w->nsettings; si++) {
      li2_json_object_begin(&j);
      li2_json_key(&j, "setting");
      li2_json_string(&j, w->setting_name[si]);
      li2_json_key(&j, "runs");
      li2_json_int(&j, (long)w->runs[si]);
      for (size_t f = 0; f < w->nfields; f++) {
        li2_json_key(&j, w->field[f]);
        li2_json_number(&j, w->mean[si * w->nfields + f]);
      }
      li2_json_object_end(&j);
    }
    li2_json_array_end(&j);
    json_figures(&j, &list);
    li2_json_object_end(&j);
    li2_json_writer_finish(&j);
  } else if (!rc) {
    printf("out\t%s\npoints\t%zu\nskipped\t%zu\nsettings\t%zu\nfigures\t%zu\n", out, w->npoints,
           w->skipped, w->nsettings, list.n);
  }
  li2_solutions_sweep_free(w);
  return rc;
}

static int run(const li2_args *a, li2_error *err)
{
  const char *runp = li2_args_has(a, "run") ? li2_args_string(a, "run") : NULL;
  const char *sweep = li2_args_has(a, "sweep") ? li2_args_string(a, "sweep") : NULL;
  long epoch = li2_args_has(a, "epoch") ? li2_args_int(a, "epoch") : -1;
  li2_solutions_params p;
  li2_solutions_result *r = NULL;
  li2_figures_list list;
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
    rc = run_sweep(a, sweep, epoch, &p, out, err);
    free(dflt);
    return rc;
  }
  rc = li2_solutions_run(runp, epoch, &p, out, li2_args_bool(a, "dynamics") && epoch < 0, &r, &ep,
                         err);
  if (!rc)
    rc = figures(a, out, &list, err);
  if (!rc) {
    if (li2_args_bool(a, "json")) {
      li2_json_writer w;
      li2_json_writer_init(&w, stdout, 1);
      li2_json_object_begin(&w);
      li2_json_key(&w, "out");
      li2_json_string(&w, out);
      li2_solutions_summary_json(&w, r, ep);
      json_figures(&w, &list);
      li2_json_object_end(&w);
      li2_json_writer_finish(&w);
    } else {
      printf("out\t%s\n", out);
      li2_solutions_write_summary_lines(stdout, r, ep);
      printf("figures\t%zu\n", list.n);
    }
  }
  li2_solutions_result_free(r);
  free(dflt);
  return rc;
}

const li2_command li2_command_solutions = {
  "solutions", "solution orders per frequency, order-2 x order-3 factorisation, r_{k1 k2 k} dynamics",
  "RUN | sweep=DIR [epoch=N] [out=DIR] [threshold=0.05] [dynamics=true] [plot=true] [format=pdf] [style=paper] [--json]",
  spec, run,
};
