/* libFuzzer harness: every TSV li2 reads back (issue 15): the tables of li2
 * plot (metrics.tsv, stages.tsv, emergence.tsv, progress.tsv, power.tsv,
 * power-EPOCH.tsv, spectrum.tsv, maxima.tsv, summary.tsv, compare.tsv,
 * independence.tsv, results.tsv, sweep.tsv; with a sweep's manifest.json
 * and its first point's metrics.tsv, the curves figure) through
 * li2_figures_render (scripts and data written, gnuplot not run), and
 * metrics.tsv through
 * li2_runfiles_metrics_read (li2 gradient run=).  The input holds the files
 * separated by NUL bytes, in that order.  tests/fuzz/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "figures.h"
#include "stages.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const names[] = {
    "metrics.tsv", "stages.tsv", "emergence.tsv", "progress.tsv", "power.tsv",
    "power-000010.tsv", "spectrum.tsv", "maxima.tsv", "summary.tsv", "compare.tsv",
    "independence.tsv", "results.tsv", "sweep.tsv", "manifest.json",
    "points/0000/metrics.tsv", NULL};
  li2_error err = {0};
  const char *in = fuzz_file_dir("tsv"), *out = fuzz_file_dir("tsv-out");
  li2_figures_params p;
  li2_figures_list list;
  char path[600];
  if (!in || !out)
    return 0;
  snprintf(path, sizeof path, "%s/points", in);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/points/0000", in);
  mkdir(path, 0700);
  fuzz_file_parts(in, names, data, size);
  li2_figures_params_default(&p);
  p.run_gnuplot = 0;
  (void)li2_figures_render(in, out, &p, &list, &err);
  li2_stages_metric *rows = NULL;
  size_t n = 0;
  snprintf(path, sizeof path, "%s/metrics.tsv", in);
  if (!li2_runfiles_metrics_read(path, &rows, &n, &err))
    free(rows);
  return 0;
}
