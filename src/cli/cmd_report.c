/* li2 report [out=DIR] [key=value ...]: the end-to-end report (src/report.h)
 * on a built-in default that generalises in seconds on 2 cores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../plot.h"
#include "../process.h"
#include "../io.h"
#include "../json.h"
#include "../report.h"
#include "../runfiles.h"
#include "../train.h"

/* The default task: Z_23, 128 nodes, 60% of the table for training, Adam
 * with weight decay.  Measured (seeds 0-7, 2000 epochs): the training set is
 * fit by epoch 50, the test accuracy reaches 1 by epoch 300, and at the end
 * 96-100% of the active nodes (50-52 of 128) sit at a predicted maximum
 * with all 11 frequencies covered; training takes about a second on one
 * core and the whole report a few seconds.  With
 * test_size = 0.5 a few active nodes stay mixed (memorisation, doc/mathematics.md
 * section 4) and the fraction at a maximum drops to 0.88-0.94. */
static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "out", "li2-report", "output directory", 1, 0, NULL, 0},
  /* the trainer's keys (li2 train), with the report's defaults */
  {LI2_ARG_STRING, "M", "23", "group order, or a product of cyclic orders (li2 train)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "group", NULL, "any group li2 knows; overrides M", 1, 0, NULL, 0},
  {LI2_ARG_INT, "hidden_size", "128", "hidden nodes K", 1, 1 << 20, NULL, 0},
  {LI2_ARG_CHOICE, "activation", "sqr", "activation", 1, 0, LI2_NAMES_CHOICES(LI2_ACT_TRAINER_NAMES), 0},
  {LI2_ARG_CHOICE, "loss_func", "mse", "loss", 1, 0, LI2_NAMES_CHOICES(LI2_LOSS_NAMES), 0},
  {LI2_ARG_CHOICE, "optim", "adam", "optimiser", 1, 0, LI2_NAMES_CHOICES(LI2_OPTIM_NAMES), 0},
  {LI2_ARG_DOUBLE, "learning_rate", "0.003", "learning rate", 0, 1e12, NULL, 0},
  {LI2_ARG_DOUBLE, "weight_decay", "5e-4", "weight decay", 0, 1e12, NULL, 0},
  {LI2_ARG_INT, "num_epochs", "2000", "epochs (full-batch steps)", 1, 1e15, NULL, 0},
  {LI2_ARG_DOUBLE, "test_size", "0.4", "fraction of the pairs held out", 0, 1, NULL, 0},
  {LI2_ARG_INT, "train_size", "0", "exact number of training pairs (0: use test_size)", 0, 1e15, NULL, 0},
  {LI2_ARG_INT, "seed", "0", "random seed of the split and the initialisation", 0, 4294967295.0, NULL, 0},
  {LI2_ARG_DOUBLE, "init_scale", "1", "initial weights uniform +-init_scale/sqrt(fan_in)", 0, 1e6, NULL, 0},
  {LI2_ARG_INT, "eval_interval", "10", "epochs between rows of metrics.tsv", 1, 1e15, NULL, 0},
  {LI2_ARG_INT, "save_interval", "50", "epochs between checkpoints (the emergence curve)", 1, 1e15, NULL, 0},
  {LI2_ARG_CHOICE, "model_type", "mlp", "mlp: the 2-layer network; transformer: the reference's transformer (train, progress measures, figures; the report says which analyses apply)", 1, 0, "mlp|transformer", 0},
  {LI2_ARG_INT, "nhead", NULL, "transformer: attention heads (4)", 1, 4096, NULL, 0},
  {LI2_ARG_INT, "num_layers", NULL, "transformer: encoder layers (1)", 1, 64, NULL, 0},
  {LI2_ARG_INT, "dim_feedforward", NULL, "transformer: feed-forward width (256)", 1, 1 << 20, NULL, 0},
  {LI2_ARG_CHOICE, "precision", "double", "double, or float (single-precision products, faster)", 1, 0, "double|float", 0},
  /* the other stages */
  {LI2_ARG_INT, "starts", "64", "maxima: random starts", 1, 1e7, NULL, 0},
  {LI2_ARG_STRING, "eta", "1e-6:1e2:log:17", "gradient: ridge eta grid of the independence check", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "format", "pdf,png", "figure formats: pdf, png, svg, tex (comma-separated)", 1, 0, NULL, 0},
  {LI2_ARG_CHOICE, "style", "paper", "figure style", 1, 0, LI2_NAMES_CHOICES(LI2_PLOT_STYLE_NAMES), 0},
  {LI2_ARG_BOOL, "plot", "true", "run gnuplot when it is on PATH", 1, 0, NULL, 0},
  {LI2_ARG_INT, "threads", "1", "OpenMP and BLAS threads (1: small tasks run fastest serially)", 0, 1024, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "print a JSON summary (the run's summary, compare.json's numbers, the files) instead of the stage lines", 1, 0, NULL, 0},
  {0}
};

static const char *const train_keys[] = {
  "M", "group", "hidden_size", "activation", "loss_func", "optim", "learning_rate",
  "weight_decay", "num_epochs", "test_size", "train_size", "seed", "init_scale",
  "eval_interval", "save_interval", "model_type", "nhead", "num_layers", "dim_feedforward",
  "precision", NULL};

/* model_type=transformer: the report's defaults for the keys not given, a
 * task that groks on 2 cores in a minute or two (measured: Z_23, 60% of the
 * table, training set fit at epoch 40, test accuracy 0.95 at epoch 1080 and
 * 1 at 2000; 12 s of CPU, the whole report 95 s wall at a load of 13; the
 * recipe of examples/transformer-progress.sh, made smaller); init_scale is
 * the 2-layer network's. */
static const char *const transformer_defaults[][2] = {
  {"hidden_size", "64"}, {"activation", "relu"}, {"loss_func", "nll"}, {"optim", "adamw"},
  {"learning_rate", "3e-3"}, {"weight_decay", "1"}, {"nhead", "4"}, {"num_layers", "1"},
  {"dim_feedforward", "256"}, {"init_scale", NULL}, {NULL, NULL}};

/* The trainer's configuration text: these keys as key=value lines, then
 * parsed and re-emitted by the trainer's own table (every default filled). */
static int train_text(const li2_args *a, char **text, li2_error *err)
{
  char *argv[32];
  char buf[32][1100];
  int argc = 0, rc, tf = !strcmp(li2_args_string(a, "model_type"), "transformer");
  li2_args *ta = NULL;
  for (size_t i = 0; train_keys[i]; i++) {
    const char *v = li2_args_has(a, train_keys[i]) ? li2_args_string(a, train_keys[i]) : NULL;
    for (size_t k = 0; tf && transformer_defaults[k][0]; k++)
      if (!strcmp(train_keys[i], transformer_defaults[k][0]) && !li2_args_given(a, train_keys[i]))
        v = transformer_defaults[k][1];
    if (!v)
      continue;
    snprintf(buf[argc], sizeof buf[argc], "%s=%s", train_keys[i], v);
    argv[argc] = buf[argc];
    argc++;
  }
  if ((rc = li2_args_parse(&ta, li2_train_spec, argc, argv, err)))
    return rc;
  *text = li2_train_config_text(ta);
  li2_args_free(ta);
  return *text ? LI2_SUCCESS : li2_error_set(err, LI2_ENOMEM, "out of memory");
}

/* --json: what the stage lines say, from the files the report wrote. */
static void print_json(const char *out, const char *command)
{
  char *rundir = li2_io_path(out, "run");
  li2_json *run = rundir ? li2_runfiles_run_json_read(rundir) : NULL,
           *cmp = li2_runfiles_json_read(out, "compare.json");
  const li2_json *sm = li2_json_get(run, "summary");
  li2_json_writer w;
  li2_json_writer_init(&w, stdout, 1);
  li2_json_object_begin(&w);
  li2_json_key(&w, "out");
  li2_json_string(&w, out);
  li2_json_key(&w, "report");
  li2_json_string(&w, "report.md");
  li2_json_key(&w, "html");
  li2_json_string(&w, "report.html");
  li2_json_key(&w, "command");
  li2_json_string(&w, command);
  if (sm) {
    li2_json_key(&w, "train");
    li2_json_value(&w, sm);
  }
  if (cmp && cmp->type == LI2_JSON_OBJECT) {
    /* the scalar measures (per-node tables are in compare.json) */
    li2_json_key(&w, "compare");
    li2_json_object_begin(&w);
    for (size_t i = 0; i < cmp->n; i++)
      if (cmp->item[i].type != LI2_JSON_ARRAY && cmp->item[i].type != LI2_JSON_OBJECT) {
        li2_json_key(&w, cmp->keys[i]);
        li2_json_value(&w, &cmp->item[i]);
      }
    li2_json_object_end(&w);
  }
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
  li2_json_free(run);
  li2_json_free(cmp);
  free(rundir);
}

static int run(const li2_args *a, li2_error *err)
{
  li2_report_params p;
  char *text = NULL, *command = NULL;
  int rc;
  li2_process_set_threads((int)li2_args_int(a, "threads"));
  if ((rc = train_text(a, &text, err)))
    return rc;
  memset(&p, 0, sizeof p);
  p.out = li2_args_string(a, "out");
  p.train_config = text;
  p.maxima_starts = li2_args_int(a, "starts");
  p.maxima_seed = (unsigned long)li2_args_int(a, "seed");
  p.eta = li2_args_string(a, "eta");
  p.formats = li2_args_string(a, "format");
  p.style = li2_args_string(a, "style");
  p.run_gnuplot = li2_args_bool(a, "plot");
  p.threads = (int)li2_args_int(a, "threads");
  p.log = li2_args_bool(a, "json") ? NULL : stdout;
  {
    static const char *const always[] = {"out", NULL};
    if (!(command = li2_args_command_line(a, "report", always))) {
      free(text);
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
  }
  p.command = command;
  rc = li2_report_run(&p, err);
  if (!rc && li2_args_bool(a, "json"))
    print_json(p.out, command);
  free(command);
  free(text);
  return rc;
}

const li2_command li2_command_report = {
  "report", "the end-to-end Li2 report: train, maxima, gradient, compare, figures, report.md",
  "[out=li2-report] [key=value ...] [--json]   (li2 train's keys, e.g. M=23 hidden_size=128)",
  spec, run,
};
