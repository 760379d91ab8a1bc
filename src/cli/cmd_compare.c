/* li2 compare RUN [epoch=N]: predicted versus emergent features of a
 * trained network (src/compare.h). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../process.h"
#include "../compare.h"
#include "../energy.h"
#include "../json.h"
#include "../measures.h"
#include "../train.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "run", NULL, "run directory of li2 train (or one checkpoint file)", 1, 0, NULL, 1},
  {LI2_ARG_INT, "epoch", NULL, "analyse ckpt-EPOCH.li2 (default: the latest, checkpoint.li2)", 0, 1e15, NULL, 0},
  {LI2_ARG_STRING, "out", NULL, "output directory (default: the run directory)", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "active_ratio", "0.1", "active node: |w_j| >= active_ratio max |w|", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "purity_min", "0.9", "at a predicted maximum: purity > purity_min", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "angle_max", "10", "... and the maximiser moves it less than angle_max degrees", 1e-9, 180, NULL, 0},
  {LI2_ARG_CHOICE, "data", "full", "energy on the full table (the theorem's) or the run's training set", 1, 0, "full|train", 0},
  {LI2_ARG_CHOICE, "energy", "raw", "energy variant (energy.h)", 1, 0, LI2_NAMES_CHOICES(LI2_ENERGY_CLI_VARIANT_NAMES), 0},
  {LI2_ARG_BOOL, "maximise", "true", "run the certified maximiser from every active node", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "emergence", "true", "also analyse every ckpt-EPOCH.li2: emergence.tsv, spectrum.tsv", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "progress", "false", "progress measures over every checkpoint (restricted and excluded loss, Gini, key components): progress.tsv", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "key", NULL, "key components of the progress measures, e.g. 3,7,12 (default: chosen by key_share)", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "key_share", "0.9", "key components: the fewest whose share of the last checkpoint's first-layer power adds up to key_share", 1e-9, 1, NULL, 0},
  {LI2_ARG_INT, "threads", "1", "OpenMP and BLAS threads for the accuracy pass (0: all cores)", 0, 1024, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "print compare.json on stdout", 1, 0, NULL, 0},
  {0}
};

/* "3,7,12" -> KEY (room for MAX); one line naming the parameter otherwise. */
static int parse_key(const char *s, int *key, size_t max, size_t *n, li2_error *err)
{
  char *copy = strdup(s), *save = NULL;
  *n = 0;
  if (!copy)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    double x;
    if (*n == max || !li2_args_number(t, &x) || x < 1 || x > 1e6 || x != floor(x)) {
      free(copy);
      return li2_error_set(err, LI2_EINVAL, "parameter key: '%s' is not a list of at most %zu "
                                            "component indices >= 1", s, max);
    }
    key[(*n)++] = (int)x;
  }
  free(copy);
  if (*n == 0)
    return li2_error_set(err, LI2_EINVAL, "parameter key: empty list");
  return LI2_SUCCESS;
}

static int run(const li2_args *a, li2_error *err)
{
  const char *runp = li2_args_has(a, "run") ? li2_args_string(a, "run") : NULL;
  const char *out;
  long epoch = li2_args_has(a, "epoch") ? li2_args_int(a, "epoch") : -1;
  li2_compare_params p;
  li2_compare_result *r = NULL;
  li2_progress prog;
  char *dflt = NULL;
  int rc, progress_done = 0, used[LI2_GROUP_MAX_ORDER];
  size_t nused = 0;

  if (!runp)
    return li2_error_set(err, LI2_EINVAL, "parameter run: missing (li2 compare RUN)");
  li2_process_set_threads((int)li2_args_int(a, "threads"));
  li2_compare_params_default(&p);
  p.active_ratio = li2_args_double(a, "active_ratio");
  p.purity_min = li2_args_double(a, "purity_min");
  p.angle_max = li2_args_double(a, "angle_max");
  p.data = strcmp(li2_args_string(a, "data"), "train") ? LI2_COMPARE_FULL : LI2_COMPARE_TRAIN;
  p.variant = li2_args_choice(a, "energy");
  p.maximise = li2_args_bool(a, "maximise");
  if (li2_args_has(a, "out"))
    out = li2_args_string(a, "out");
  else {
    /* a checkpoint file: its directory */
    const char *slash = strrchr(runp, '/');
    /* stat, not a read: opening a FIFO would block */
    int isfile = li2_io_is_file(runp);
    if (isfile && slash)
      dflt = strndup(runp, (size_t)(slash - runp) + (slash == runp));
    else
      dflt = strdup(isfile ? "." : runp);
    if (!dflt)
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    out = dflt;
  }
  p.transformer_ok = 1;
  rc = li2_compare_run(runp, epoch, &p, out, li2_args_bool(a, "emergence") && epoch < 0, &prog,
                       &r, err);
  if (rc)
    goto done;
  /* A transformer run: the node analyses (energy landscape, maxima) are
   * the 2-layer network's; the progress measures apply (measures.h). */
  if (r->transformer || li2_args_bool(a, "progress")) {
    int key[LI2_GROUP_MAX_ORDER];
    size_t nkey = 0;
    if (li2_args_has(a, "key") &&
        (rc = parse_key(li2_args_string(a, "key"), key, LI2_GROUP_MAX_ORDER, &nkey, err)))
      goto done;
    if ((rc = li2_measures_run(runp, key, nkey, li2_args_double(a, "key_share"), out, &prog, used,
                               &nused, err)))
      goto done;
    progress_done = 1;
  }
  if (r->transformer) {
    /* which analyses apply, the table li2 report prints too */
    size_t nsc;
    const li2_compare_scope *sc = li2_compare_transformer_scope(&nsc);
    if (li2_args_bool(a, "json")) {
      li2_json_writer w;
      li2_json_writer_init(&w, stdout, 1);
      li2_json_object_begin(&w);
      li2_json_key(&w, "model_type");
      li2_json_string(&w, "transformer");
      li2_json_key(&w, "node_analyses");
      li2_json_string(&w, "not applicable");
      li2_json_key(&w, "progress");
      li2_json_string(&w, "progress.tsv");
      li2_json_key(&w, "key");
      li2_json_array_begin(&w);
      for (size_t i = 0; i < nused; i++)
        li2_json_int(&w, used[i]);
      li2_json_array_end(&w);
      li2_json_key(&w, "analyses");
      li2_json_array_begin(&w);
      for (size_t i = 0; i < nsc; i++) {
        li2_json_object_begin(&w);
        li2_json_key(&w, "analysis");
        li2_json_string(&w, sc[i].analysis);
        li2_json_key(&w, "command");
        li2_json_string(&w, sc[i].command);
        li2_json_key(&w, "applies");
        li2_json_bool(&w, sc[i].applies);
        li2_json_key(&w, "why");
        li2_json_string(&w, sc[i].why);
        li2_json_object_end(&w);
      }
      li2_json_array_end(&w);
      li2_json_object_end(&w);
      li2_json_writer_finish(&w);
    } else {
      printf("model_type\ttransformer\nnode_analyses\tnot applicable: the energy landscape "
             "and its maxima are the 2-layer network's (model_type=mlp)\nprogress\t%s/"
             "progress.tsv\nkey\t", out);
      for (size_t i = 0; i < nused; i++)
        printf("%s%d", i ? "," : "", used[i]);
      printf("%s\n", nused ? "" : "-");
      for (size_t i = 0; i < nsc; i++)
        printf("analysis\t%s\t%s\t%s: %s\n", sc[i].applies ? "applies" : "not applicable",
               sc[i].command, sc[i].analysis, sc[i].why);
    }
    goto done;
  }
  if (li2_args_bool(a, "json"))
    li2_compare_write_json(stdout, r, &p);
  else {
    printf("group\t%s\nepoch\t%ld\ntest_acc\t%.6f\nhidden_nodes\t%zu\nactive_nodes\t%zu\n"
           "at_max_nodes\t%zu\nat_predicted_max_fraction\t%.6f\nmean_purity\t%.6f\n",
           r->group ? r->group : "?", r->epoch, r->test_acc, r->K, r->active_nodes,
           r->at_max_nodes, r->at_predicted_max_fraction, r->mean_purity);
    printf("coverage\t%zu/%zu\t", r->ncovered, r->ncomponents - 1);
    for (size_t i = 0; i < r->ncovered; i++)
      printf("%s%d", i ? "," : "", r->covered[i]);
    printf("\nmissing\t");
    for (size_t i = 0; i < r->nmissing; i++)
      printf("%s%d", i ? "," : "", r->missing[i]);
    printf("%s\nnodes_per_component\t", r->nmissing ? "" : "-");
    for (size_t k = 1; k < r->ncomponents; k++)
      printf("%s%zu", k > 1 ? "," : "", r->nodes_per_component[k]);
    printf("\nout\t%s\n", out);
    if (progress_done) {
      printf("progress\t%s/progress.tsv\nkey\t", out);
      for (size_t i = 0; i < nused; i++)
        printf("%s%d", i ? "," : "", used[i]);
      printf("%s\n", nused ? "" : "-");
    }
  }
done:
  li2_compare_result_free(r);
  free(dflt);
  return rc;
}

const li2_command li2_command_compare = {
  "compare", "predicted versus emergent features of a trained network, per node",
  "RUN [epoch=N] [out=DIR] [data=full|train] [progress=true [key=LIST]] [--json]",
  spec, run,
};
