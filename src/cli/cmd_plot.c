/* li2 plot RUN|DIR: every figure for which data exists (src/figures.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../plot.h"
#include "../process.h"
#include "../figures.h"
#include "../json.h"
#include "../train.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "dir", NULL, "a run directory, the output of li2 compare/maxima/gradient/report, or a sweep", 1, 0, NULL, 1},
  {LI2_ARG_STRING, "out", NULL, "where figures, scripts and data go (default: DIR)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "format", "pdf", "comma-separated: pdf (pdfcairo), png, svg, tex (cairolatex)", 1, 0, NULL, 0},
  {LI2_ARG_CHOICE, "style", "paper", "paper: 3.25/6.75 in, 8 pt; slides: larger", 1, 0, LI2_NAMES_CHOICES(LI2_PLOT_STYLE_NAMES), 0},
  {LI2_ARG_INT, "dpi", "300", "PNG pixels per inch", 30, 2400, NULL, 0},
  {LI2_ARG_STRING, "epochs", NULL, "heatmap epochs N,N,... (at most 4; default: first, last, two between)", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "plot", "true", "run gnuplot on the scripts when it is on PATH", 1, 0, NULL, 0},
  {LI2_ARG_INT, "threads", "1", "threads for checkpoints read to draw heatmaps", 0, 1024, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "print the list of figures as JSON", 1, 0, NULL, 0},
  {0}
};

static int run(const li2_args *a, li2_error *err)
{
  li2_figures_params p;
  li2_figures_list list;
  const char *in, *out;
  long *epochs = NULL;
  size_t ne = 0;
  int rc;
  if (!li2_args_has(a, "dir"))
    return li2_error_set(err, LI2_EINVAL, "parameter dir: missing (li2 plot DIR)");
  in = li2_args_string(a, "dir");
  out = li2_args_has(a, "out") ? li2_args_string(a, "out") : in;
  li2_process_set_threads((int)li2_args_int(a, "threads"));
  li2_figures_params_default(&p);
  if ((rc = li2_figures_formats_parse(li2_args_string(a, "format"), "format", &p.formats, err)))
    return rc;
  p.style = li2_plot_style_from_name(li2_args_string(a, "style"));
  p.dpi = (int)li2_args_int(a, "dpi");
  p.run_gnuplot = li2_args_bool(a, "plot");
  if (li2_args_has(a, "epochs")) {
    /* at most 4: the figure's panels */
    if ((rc = li2_args_epochs("epochs", li2_args_string(a, "epochs"), 4, &epochs, &ne, err)))
      return rc;
    p.epochs = epochs;
    p.nepochs = ne;
  }
  rc = li2_figures_render(in, out, &p, &list, err);
  free(epochs);
  if (rc)
    return rc;
  if (li2_args_bool(a, "json")) {
    li2_json_writer w;
    li2_json_writer_init(&w, stdout, 1);
    li2_json_object_begin(&w);
    li2_json_key(&w, "out");
    li2_json_string(&w, out);
    li2_json_key(&w, "figures");
    li2_json_array_begin(&w);
    for (size_t i = 0; i < list.n; i++)
      li2_json_string(&w, list.name[i]);
    li2_json_array_end(&w);
    li2_json_key(&w, "rendered");
    li2_json_string(&w, list.rendered ? "yes" : list.failed ? "failed" : "no");
    li2_json_key(&w, "failed");
    li2_json_int(&w, (long)list.failed);
    li2_json_key(&w, "skipped");
    li2_json_string(&w, list.skipped);
    li2_json_object_end(&w);
    li2_json_writer_finish(&w);
  } else {
    for (size_t i = 0; i < list.n; i++)
      printf("figure\t%s\n", list.name[i]);
    printf("out\t%s\nrendered\t%s\n", out,
           list.rendered ? "yes" : list.failed ? "failed" : "no (scripts and data written)");
  }
  if (list.skipped[0])
    fprintf(stderr, "li2 plot: warning: not drawn: %s\n", list.skipped);
  if (list.failed)
    fprintf(stderr, "li2 plot: warning: gnuplot failed on %zu script(s): %s\n", list.failed,
            list.first_failure);
  return LI2_SUCCESS;
}

const li2_command li2_command_plot = {
  "plot", "publication figures (gnuplot scripts with their data) for every result found",
  "DIR [out=DIR] [--format pdf|png|svg|tex[,...]] [--style paper|slides] [epochs=N,N] [--json]",
  spec, run,
};
