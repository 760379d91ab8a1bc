/* The reference trainer (see train.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "train.h"
#include "refrng.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef HAVE_OPENBLAS
void openblas_set_num_threads(int n);
#endif

void li2_train_set_threads(int n)
{
#ifdef _OPENMP
  if (n > 0)
    omp_set_num_threads(n);
#endif
#ifdef HAVE_OPENBLAS
  /* The model splits its products over the OpenMP threads itself, each
   * calling single-threaded BLAS: OpenBLAS's own pool would compete with
   * them for the cores (measured: 10-40% slower on 2 cores). */
  openblas_set_num_threads(1);
#else
  (void)n;
#endif
}

void li2_train_set_blas_threads(int n)
{
#ifdef HAVE_OPENBLAS
  openblas_set_num_threads(n > 0 ? n : 1);
#else
  (void)n;
#endif
}

void li2_train_wait_passive(char *const argv[])
{
  const char *p = getenv("OMP_WAIT_POLICY"), *b = getenv("OPENBLAS_THREAD_TIMEOUT");
  const char *keep = getenv("LI2_OMP_ENV");
  if (keep && !strcmp(keep, "keep"))  /* the caller's choice, e.g. bench/wait-policy.sh's "before" */
    return;
  if (p && !strcasecmp(p, "passive") && !getenv("GOMP_SPINCOUNT") && b && !strcmp(b, "4"))
    return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) || unsetenv("GOMP_SPINCOUNT") ||
      setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1))
    return;
#ifdef __linux__
  execv("/proc/self/exe", argv);
#else
  (void)argv;
#endif
}

/* Defaults are the reference's config/dyn_madd.yaml. */
const li2_arg_spec li2_train_spec[] = {
  {LI2_ARG_STRING, "M", "127", "group order, or a product of cyclic orders (71, 2x3x4)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "group", NULL, "any group li2 knows (S4, D5, Z7:Z3, file:PATH#K); overrides M", 1, 0, NULL, 0},
  {LI2_ARG_INT, "num_of_ops", "2", "operands per sample: the product of k elements", 2, 8, NULL, 0},
  {LI2_ARG_INT, "hidden_size", "512", "hidden nodes K", 1, 1 << 20, NULL, 0},
  {LI2_ARG_CHOICE, "activation", "sqr", "activation", 1, 0, "sqr|relu|silu|relusqr", 0},
  {LI2_ARG_CHOICE, "loss_func", "nll", "loss: centred MSE or cross-entropy", 1, 0, "mse|nll", 0},
  {LI2_ARG_CHOICE, "optim", "adam", "optimiser (sgd has momentum 0.9; muon: Muon on W, Adam on V)", 1, 0, "sgd|adam|adamw|muon", 0},
  {LI2_ARG_BOOL, "muon_exact", "false", "muon: exact polar factor by SVD instead of Newton-Schulz", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "learning_rate", "0.001", "learning rate (> 0)", 0, 1e12, NULL, 0},
  {LI2_ARG_DOUBLE, "weight_decay", "1e-4", "weight decay (L2 in the gradient for sgd, adam and muon's V; decoupled for adamw and muon's W)", 0, 1e12, NULL, 0},
  {LI2_ARG_CHOICE, "lr_decay_type", "none", "learning-rate schedule", 1, 0, "none|step|exponential|cosine|multistep", 0},
  {LI2_ARG_DOUBLE, "lr_decay_rate", "0.1", "decay factor (gamma) of step, exponential, multistep", 0, 1e12, NULL, 0},
  {LI2_ARG_INT, "lr_decay_step", "1000", "step: epochs between decays", 1, 1e15, NULL, 0},
  {LI2_ARG_STRING, "lr_decay_milestones", "1000", "multistep: increasing epochs, comma-separated", 1, 0, NULL, 0},
  {LI2_ARG_INT, "num_epochs", "3000", "epochs (full-batch steps)", 0, 1e15, NULL, 0},
  {LI2_ARG_DOUBLE, "test_size", "0.7", "fraction of the samples held out", 0, 1, NULL, 0},
  {LI2_ARG_INT, "train_size", "0", "exact number of training samples (0: use test_size)", 0, 1e15, NULL, 0},
  LI2_CRITICAL_RATIO_ARG_SPECS,
  {LI2_ARG_INT, "seed", "0", "random seed (split, initialisation, minibatches)", 0, 4294967295.0, NULL, 0},
  {LI2_ARG_CHOICE, "split", NULL, "li2: GSL shuffle [default]; reference: the reference's split for the same seed and test_size (sklearn train_test_split, numpy RandomState)", 1, 0, "li2|reference", 0},
  {LI2_ARG_CHOICE, "init", NULL, "li2: GSL uniform draws [default]; reference: torch's CPU nn.Linear initialisation after manual_seed(seed+2), bit for bit in float32", 1, 0, "li2|reference", 0},
  {LI2_ARG_INT, "eval_interval", "100", "epochs between rows of metrics.tsv", 1, 1e15, NULL, 0},
  {LI2_ARG_INT, "save_interval", "1000", "epochs between checkpoints", 1, 1e15, NULL, 0},
  {LI2_ARG_DOUBLE, "early_stop_acc", NULL, "stop once test accuracy >= this at early_stop_window consecutive evaluations (off when absent)", 0, 1, NULL, 0},
  {LI2_ARG_INT, "early_stop_window", NULL, "early_stop_acc: consecutive evaluations (eval_interval apart) [5]", 1, 1e15, NULL, 0},
  {LI2_ARG_INT, "batch_size", "0", "minibatch size (0: full batch, as the reference)", 0, 1e15, NULL, 0},
  {LI2_ARG_DOUBLE, "set_weight_reg", NULL, "solve V by ridge regression with this lambda each step", 0, 1e12, NULL, 0},
  {LI2_ARG_BOOL, "ridge_center", "false", "set_weight_reg: centre F and Y over samples (doc/mathematics.md section 2: V*)", 1, 0, NULL, 0},
  {LI2_ARG_INT, "other_layers", "0", "extra residual hidden layers", 0, 16, NULL, 0},
  {LI2_ARG_BOOL, "normalize", "false", "after each step centre every node's input weights (over the kM inputs) and output weights (over the M outputs)", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "scale_down_top", "false", "after each step scale V down to |V|_F = 1 when larger", 1, 0, NULL, 0},
  {LI2_ARG_CHOICE, "precision", "double", "float: BLAS products and activations in single precision (faster)", 1, 0, "double|float", 0},
  {LI2_ARG_CHOICE, "kernel", "auto", "products of the training step: hand-tiled AVX-512 / AVX2 kernels or BLAS (auto: the widest this CPU runs; they differ by rounding)", 1, 0, "auto|blas|avx2|avx512", 0},
  {LI2_ARG_DOUBLE, "init_scale", "1", "initial weights uniform +-init_scale/sqrt(fan_in)", 0, 1e6, NULL, 0},
  {LI2_ARG_DOUBLE, "top_layer_init_multiplier", NULL, "V's initial weights times this (the reference's key; default 1; 0: zero-init)", 0, 1e6, NULL, 0},
  {LI2_ARG_BOOL, "stage1_stats", NULL, "metrics.tsv also gets the Fig. 3 diagnostics: |diag| and |offdiag| means of P F F^T, cosine distances of W and V to the previous epoch", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "output_multiplier", "1", "outputs beta F V (beta > 0, paper Sec. 7; applied in the loss, so every kernel uses it)", 1e-12, 1e6, NULL, 0},
  {LI2_ARG_BOOL, "use_complex_weights", "false", "complex W and V (the reference's): H = W x, F = H^2, loss and argmax on Re(F V); Adam/SGD on (re, im) as torch; activation sqr, other_layers 0", 1, 0, NULL, 0},
  {LI2_ARG_CHOICE, "complex_init", "real", "use_complex_weights: real = imaginary parts start at 0 (the reference: then they stay 0 and the run equals the real one); uniform = drawn as the real parts (li2's)", 1, 0, "real|uniform", 0},
  {LI2_ARG_CHOICE, "model_type", "mlp", "mlp: the 2-layer network of the paper; transformer: the reference's ModularAdditionTransformer (transformer.h)", 1, 0, "mlp|transformer", 0},
  {LI2_ARG_INT, "nhead", "4", "transformer: attention heads (hidden_size must be a multiple)", 1, 4096, NULL, 0},
  {LI2_ARG_INT, "num_layers", "2", "transformer: encoder layers", 1, 64, NULL, 0},
  {LI2_ARG_INT, "dim_feedforward", "2048", "transformer: width of the feed-forward block", 1, 1 << 20, NULL, 0},
  /* The reference's other keys (modular_addition_simple2.py, config/dyn_madd.yaml;
   * doc/reference-options.md): each accepted at the reference's default, or
   * implemented, or refused with the reason in li2_train_config_from_args. */
  {LI2_ARG_CHOICE, "group_type", NULL, "the reference's task: modular_addition (M), sym (S_M, li2's numbering), collection (the M-th group with max irrep degree group_collection_max_dk in collection_file), expression", 1, 0, "modular_addition|sym|collection|expression", 0},
  {LI2_ARG_STRING, "expression", NULL, "group_type=expression: z = EXPRESSION(x, y) mod M (Python syntax: + - * ** // % ^ & | << >> ~, abs, min, max, pow)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "collection_file", NULL, "group_type=collection: the reference's smallgroups_nonabelian_upto_128.jsonl [that name in the current directory]", 1, 0, NULL, 0},
  {LI2_ARG_INT, "init_save_range", NULL, "also checkpoint before every epoch below this, and at epoch 0 (the reference's saves; off when absent)", 0, 1e15, NULL, 0},
  {LI2_ARG_BOOL, "embed_trainable", NULL, "the reference's trainable embedding: only false (not implemented)", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "use_inner_product_act", NULL, "the reference's product of per-operand projections: only false (not implemented)", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "use_bn", NULL, "the reference's BatchNorm1d after W: only false (not implemented)", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "post_process", NULL, "the reference's data.pth post-processing: only false", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "load_initial_layerab", NULL, "in the reference's config, never read by its trainer: only null", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "load_dataset_split", NULL, "read the split from a file (li2-split format)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "out", NULL, "run directory: metrics.tsv, run.json, split.txt, checkpoints", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "metadata", NULL, "KEY=VALUE;... kept in run.json's metadata object (Hydra's +KEY=VALUE words become this)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "resume", NULL, "continue the run in this directory", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "config", NULL, "parameters from a run.json (re-run it) or a Hydra YAML config (the reference's dyn_madd.yaml); key=value arguments override it", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "progress_interval", "30", "seconds between progress lines when stderr is not a terminal (0: none)", 0, 1e9, NULL, 0},
  {LI2_ARG_INT, "threads", "0", "threads (OpenMP; BLAS runs one per thread; 0: all cores)", 0, 1024, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "print the summary as JSON", 1, 0, NULL, 0},
  {0}
};

/* Keys that say where and how to run, not what: left out of the stored
 * configuration so a resumed run's checkpoints match an uninterrupted one. */
static int is_run_key(const char *k)
{
  return !strcmp(k, "out") || !strcmp(k, "resume") || !strcmp(k, "threads") ||
         !strcmp(k, "json") || !strcmp(k, "metadata") || !strcmp(k, "config") ||
         !strcmp(k, "progress_interval");
}

char *li2_train_config_text(const li2_args *a)
{
  size_t cap = 1, n = li2_args_count(a), len = 0;
  char *s;
  for (size_t i = 0; i < n; i++) {
    const char *v;
    const li2_arg_spec *sp = li2_args_spec(a, i, &v);
    if (v && !is_run_key(sp->key))
      cap += strlen(sp->key) + strlen(v) + 2;
  }
  s = malloc(cap);
  if (!s)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    const char *v;
    const li2_arg_spec *sp = li2_args_spec(a, i, &v);
    if (v && !is_run_key(sp->key))
      len += (size_t)sprintf(s + len, "%s=%s\n", sp->key, v);
  }
  s[len] = 0;
  return s;
}

int li2_train_args_from_text(const char *text, li2_args **args, li2_error *err)
{
  size_t n = 0, k = 0;
  char *copy = strdup(text), **argv, *p;
  int rc;
  if (!copy)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (p = copy; *p; p++)
    n += *p == '\n';
  argv = malloc((n + 1) * sizeof *argv);
  if (!argv) {
    free(copy);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  for (p = copy; *p;) {
    char *nl = strchr(p, '\n');
    if (nl)
      *nl = 0;
    if (*p)
      argv[k++] = p;
    if (!nl)
      break;
    p = nl + 1;
  }
  rc = li2_args_parse(args, li2_train_spec, (int)k, argv, err);
  free(argv);
  free(copy);
  return rc;
}

/* The reference's keys li2 accepts only at their defaults: one line each
 * saying why and what to use instead (doc/reference-options.md). */
static int reference_options(const li2_args *a, li2_train_config *c, li2_error *err)
{
  static const struct { const char *key, *why; } bools[] = {
    {"embed_trainable", "a trainable embedding E before W is not implemented (li2's first layer "
                        "is W on one-hot inputs; E W has the same functions)"},
    {"use_inner_product_act", "the product of per-operand projections is not implemented"},
    {"use_bn", "BatchNorm1d after W is not implemented"},
    {"post_process", "modular_addition_load.process_one's data.pth is not written; li2 compare "
                     "and li2 plot read the run directory"}};
  (void)c;
  for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
    if (li2_args_has(a, bools[i].key) && li2_args_bool(a, bools[i].key))
      return li2_error_set(err, LI2_EINVAL, "parameter %s=true: %s", bools[i].key, bools[i].why);
  if (li2_args_has(a, "load_initial_layerab"))
    return li2_error_set(err, LI2_EINVAL, "parameter load_initial_layerab: the reference's trainer "
                                          "never reads it (config only); to start from saved "
                                          "weights use resume=DIR");
  return LI2_SUCCESS;
}

/* group_type=collection (modular_addition_simple2.py:95-118): the M-th
 * record (0-based) among those of the collection file whose largest irrep
 * degree is group_collection_max_dk; li2 reads it as file:PATH#LINE. */
static int collection_group(const li2_args *a, const char *Mtext, li2_train_config *c,
                            li2_error *err)
{
  const char *path = li2_args_has(a, "collection_file") ? li2_args_string(a, "collection_file")
                                                        : "smallgroups_nonabelian_upto_128.jsonl";
  double dk = li2_args_double(a, "group_collection_max_dk");
  long want, line;
  char *end;
  int rc;
  want = strtol(Mtext, &end, 10);
  if (*end || want < 0)
    return li2_error_set(err, LI2_EINVAL, "parameter M=%s: group_type=collection takes an index",
                         Mtext);
  if (!(dk > 0))
    return li2_error_set(err, LI2_EINVAL, "parameter group_collection_max_dk: group_type="
                                          "collection needs the largest irrep degree (> 0)");
  if ((rc = li2_group_collection_find(path, dk, want, &line, err)))
    return rc;
  if (snprintf(c->group, sizeof c->group, "file:%s#%ld", path, line) >= (int)sizeof c->group)
    return li2_error_set(err, LI2_EINVAL, "parameter collection_file: path too long");
  return LI2_SUCCESS;
}

int li2_train_config_from_args(const li2_args *a, li2_train_config *c, li2_error *err)
{
  const char *g = li2_args_has(a, "group") ? li2_args_string(a, "group") : li2_args_string(a, "M");
  const char *gt = li2_args_has(a, "group_type") ? li2_args_string(a, "group_type") : NULL;
  int rc;
  memset(c, 0, sizeof *c);
  if (strlen(g) >= sizeof c->group)
    return li2_error_set(err, LI2_EINVAL, "parameter group: name too long");
  strcpy(c->group, g);
  if ((rc = reference_options(a, c, err)))
    return rc;
  if (gt && strcmp(gt, "modular_addition") && li2_args_has(a, "group"))
    return li2_error_set(err, LI2_EINVAL, "parameter group_type=%s: the reference's task is "
                                          "chosen by group_type and M, not group=", gt);
  if (li2_args_has(a, "expression") && !(gt && !strcmp(gt, "expression")))
    return li2_error_set(err, LI2_EINVAL, "parameter expression: only with group_type=expression");
  if (gt && !strcmp(gt, "expression")) {
    /* modular_addition_simple2.py:448: load_expression(int(M), expression),
     * pairs (x, y) only */
    const char *ex = li2_args_has(a, "expression") ? li2_args_string(a, "expression") : NULL;
    if (!ex)
      return li2_error_set(err, LI2_EINVAL, "parameter expression: group_type=expression needs "
                                            "one (e.g. expression='x**2+x*y+y**2')");
    if (strspn(g, "0123456789") != strlen(g))
      return li2_error_set(err, LI2_EINVAL, "parameter M=%s: group_type=expression needs an "
                                            "integer modulus", g);
    if (li2_args_int(a, "num_of_ops") != 2)
      return li2_error_set(err, LI2_EINVAL, "parameter num_of_ops: group_type=expression has "
                                            "pairs (x, y) only, as the reference");
    if (snprintf(c->group, sizeof c->group, "expr:%s:%s", g, ex) >= (int)sizeof c->group)
      return li2_error_set(err, LI2_EINVAL, "parameter expression: too long");
  } else if (gt && !strcmp(gt, "sym")) {
    /* modular_addition_simple2.py:440: SymmetricGroup(M), elements in
     * sympy's generate_schreier_sims order; li2's S_M numbers them its own way */
    if (strspn(g, "0123456789") != strlen(g) || strlen(g) > 3)
      return li2_error_set(err, LI2_EINVAL, "parameter M=%s: group_type=sym needs the degree n "
                                            "of S_n", g);
    snprintf(c->group, sizeof c->group, "S%s", g);
  } else if (gt && !strcmp(gt, "collection")) {
    if ((rc = collection_group(a, g, c, err)))
      return rc;
  }
  c->nops = (int)li2_args_int(a, "num_of_ops");
  c->hidden_size = (size_t)li2_args_int(a, "hidden_size");
  if ((rc = li2_activation_parse(li2_args_string(a, "activation"), &c->activation, "activation",
                                 err)) ||
      (rc = li2_loss_parse(li2_args_string(a, "loss_func"), &c->loss, "loss_func", err)))
    return rc;
  {
    li2_optim_type ot;
    if ((rc = li2_optim_parse(li2_args_string(a, "optim"), &ot, "optim", err)))
      return rc;
    li2_optim_params_default(&c->optim, ot, li2_args_double(a, "weight_decay"));
    c->optim.muon_exact = li2_args_bool(a, "muon_exact");
  }
  c->num_epochs = li2_args_int(a, "num_epochs");
  c->schedule.lr = li2_args_double(a, "learning_rate");
  if (!(c->schedule.lr > 0))
    return li2_error_set(err, LI2_EINVAL, "parameter learning_rate: must be positive");
  if ((rc = li2_lr_decay_parse(li2_args_string(a, "lr_decay_type"), &c->schedule.type,
                               "lr_decay_type", err)))
    return rc;
  c->schedule.rate = li2_args_double(a, "lr_decay_rate");
  c->schedule.step = li2_args_int(a, "lr_decay_step");
  c->schedule.total = c->num_epochs;
  if ((rc = li2_lr_parse_milestones(&c->schedule, li2_args_string(a, "lr_decay_milestones"),
                                    err)))
    return rc;
  li2_split_params_default(&c->split);
  c->split.test_size = li2_args_double(a, "test_size");
  c->split.train_size = li2_args_int(a, "train_size");
  li2_split_critical_from_args(a, &c->split);
  /* the reference applies s = group_collection_max_dk / 2 only to
   * group_type=collection (modular_addition_simple2.py:444) */
  if (c->split.group_collection_max_dk > 0 && !(gt && !strcmp(gt, "collection")))
    return li2_error_set(err, LI2_EINVAL,
                         "parameter group_collection_max_dk: only with group_type=collection, as "
                         "the reference; for the same test fraction on another group use "
                         "critical_ratio_multiplier=%.10g",
                         c->split.group_collection_max_dk / 2 *
                                 (c->split.critical_ratio_multiplier - c->split.critical_ratio_delta) +
                             c->split.critical_ratio_delta);
  c->seed = (unsigned long)li2_args_int(a, "seed");
  c->split.seed = c->seed;
  c->split.reference = li2_args_has(a, "split") && !strcmp(li2_args_string(a, "split"), "reference");
  c->init_reference = li2_args_has(a, "init") && !strcmp(li2_args_string(a, "init"), "reference");
  if ((c->split.reference || c->init_reference) && gt && strcmp(gt, "modular_addition") &&
      strcmp(gt, "expression"))
    return li2_error_set(err, LI2_EINVAL,
                         "parameter %s=reference: group_type=%s numbers its elements unlike the "
                         "reference (sympy's or the collection file's order)",
                         c->split.reference ? "split" : "init", gt);
  if (c->split.reference || c->init_reference) {
    /* The reference numbers samples and elements as li2 does only for its
     * own groups: M = n or a product n1xn2x... (group_type=modular_addition). */
    const char *key = c->split.reference ? "split" : "init";
    if (li2_args_has(a, "group"))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s=reference: needs M=N or M=N1xN2... (the reference's "
                           "modular_addition numbering), not group=", key);
    if (strspn(g, "0123456789x") != strlen(g))
      return li2_error_set(err, LI2_EINVAL,
                           "parameter %s=reference: needs M=N or M=N1xN2..., not M=%s", key, g);
  }
  if (li2_args_has(a, "load_dataset_split")) {
    const char *f = li2_args_string(a, "load_dataset_split");
    if (strlen(f) >= sizeof c->load_dataset_split)
      return li2_error_set(err, LI2_EINVAL, "parameter load_dataset_split: path too long");
    strcpy(c->load_dataset_split, f);
  }
  c->batch_size = li2_args_int(a, "batch_size");
  c->use_ridge = li2_args_has(a, "set_weight_reg");
  c->set_weight_reg = c->use_ridge ? li2_args_double(a, "set_weight_reg") : 0;
  c->ridge_center = li2_args_bool(a, "ridge_center");
  if (c->use_ridge && c->loss != LI2_LOSS_MSE)
    return li2_error_set(err, LI2_EINVAL,
                         "parameter set_weight_reg: needs loss_func=mse (as the reference)");
  c->other_layers = (int)li2_args_int(a, "other_layers");
  c->normalize = li2_args_bool(a, "normalize");
  c->scale_down_top = li2_args_bool(a, "scale_down_top");
  c->init_scale = li2_args_double(a, "init_scale");
  c->init_save_range = li2_args_has(a, "init_save_range") ? li2_args_int(a, "init_save_range") : 0;
  if (c->init_reference && li2_args_given(a, "init_scale"))
    return li2_error_set(err, LI2_EINVAL,
                         "parameter init_scale: not with init=reference (torch's bound 1/sqrt(fan_in)); "
                         "use top_layer_init_multiplier for V");
  c->top_init = li2_args_has(a, "top_layer_init_multiplier")
                    ? li2_args_double(a, "top_layer_init_multiplier") : 1.0;
  c->stage1_stats = li2_args_has(a, "stage1_stats") && li2_args_bool(a, "stage1_stats");
  c->output_multiplier = li2_args_double(a, "output_multiplier");
  c->cplx = li2_args_bool(a, "use_complex_weights");
  c->complex_init_uniform = !strcmp(li2_args_string(a, "complex_init"), "uniform");
  if (c->cplx) {
    /* what the complex model does not cover, refused here with the key */
    const char *bad = c->optim.type == LI2_OPTIM_MUON ? "optim=muon"
                      : c->use_ridge                   ? "set_weight_reg"
                      : c->stage1_stats                ? "stage1_stats"
                                                       : NULL;
    if (bad)
      return li2_error_set(err, LI2_EINVAL,
                           "parameter use_complex_weights: %s is not implemented with complex "
                           "weights", bad);
  } else if (c->complex_init_uniform) {
    return li2_error_set(err, LI2_EINVAL,
                         "parameter complex_init: needs use_complex_weights=true");
  }
  c->transformer = !strcmp(li2_args_string(a, "model_type"), "transformer");
  c->nhead = (size_t)li2_args_int(a, "nhead");
  c->num_layers = (size_t)li2_args_int(a, "num_layers");
  c->dim_feedforward = (size_t)li2_args_int(a, "dim_feedforward");
  if (c->transformer) {
    /* options of the 2-layer network that the transformer does not have */
    const char *bad = c->cplx                              ? "use_complex_weights"
                      : c->use_ridge                       ? "set_weight_reg"
                      : c->other_layers                    ? "other_layers"
                      : c->stage1_stats                    ? "stage1_stats"
                      : c->normalize                       ? "normalize"
                      : c->scale_down_top                  ? "scale_down_top"
                      : c->init_reference                  ? "init=reference"
                      : c->optim.type == LI2_OPTIM_MUON    ? "optim=muon"
                      : strcmp(li2_args_string(a, "kernel"), "auto") ? "kernel"
                      : li2_args_double(a, "init_scale") != 1 ? "init_scale"
                                                           : NULL;
    if (bad)
      return li2_error_set(err, LI2_EINVAL, "parameter model_type=transformer: %s is an option "
                                            "of the 2-layer network (model_type=mlp)", bad);
    if (c->hidden_size % c->nhead)
      return li2_error_set(err, LI2_EINVAL, "parameter nhead: hidden_size %zu is not a multiple "
                                            "of nhead %zu", c->hidden_size, c->nhead);
  }
  c->single = !strcmp(li2_args_string(a, "precision"), "float");
  for (int k = LI2_KERNEL_AUTO; k <= LI2_KERNEL_AVX512; k++)
    if (!strcmp(li2_kernel_name((li2_kernel)k), li2_args_string(a, "kernel")))
      c->kernel = (li2_kernel)k;
  c->eval_interval = li2_args_int(a, "eval_interval");
  c->save_interval = li2_args_int(a, "save_interval");
  c->early_stop_acc = li2_args_has(a, "early_stop_acc") ? li2_args_double(a, "early_stop_acc") : 0;
  c->early_stop_window = li2_args_has(a, "early_stop_window") ? li2_args_int(a, "early_stop_window") : 5;
  return LI2_SUCCESS;
}

/* rows per block of dF_norm */
#define LI2_DF_BLOCK 256

struct li2_trainer {
  li2_train_config c;
  char *config_text;
  li2_group *g;
  li2_dataset *d;
  li2_model *m;            /* the 2-layer network, or NULL for a transformer */
  li2_transformer *tf;     /* model_type=transformer */
  li2_transformer_work *tw;/* its workspace: the largest of batch, training and test set */
  li2_model_work *wtrain;  /* backward workspace: training set or one batch */
  li2_model_work *weval;   /* evaluation: test set (and the training set with minibatches) */
  li2_optim *opt;
  size_t nopt;             /* parameters the optimiser updates (V excluded with ridge) */
  li2_ridge *ridge;
  gsl_rng *rng;            /* initialisation and minibatch order */
  double *grad;
  uint32_t *split;         /* sample numbers, training first (checkpoints) */
  size_t nbatch;           /* batch size in use */
  size_t *perm;            /* minibatch permutation of the training set */
  int *bx, *by;            /* one batch */
  float *gram, *fc;        /* F~^T F~ and F~ (float) for the kernel statistics */
  double *colmean;
  float *pff;              /* stage1_stats: P F F^T (n x n) */
  double *fmean;           /* stage1_stats: F~ mu (n) */
  double *dfb;             /* stage1_stats: dF_norm's row block (LI2_DF_BLOCK x (M + K)) */
  double *prev;            /* stage1_stats: parameters before the last epoch */
  int have_prev;
  long epoch, grok_epoch;
  double last_loss;
  float *initbuf;          /* init=reference: one layer's torch weights */
  size_t *initlab;         /* init=reference: reference label of each element */
};

void li2_trainer_free(li2_trainer *t)
{
  if (!t)
    return;
  free(t->config_text);
  li2_group_free(t->g);
  li2_dataset_free(t->d);
  li2_model_free(t->m);
  li2_transformer_free(t->tf);
  li2_transformer_work_free(t->tw);
  li2_model_work_free(t->wtrain);
  li2_model_work_free(t->weval);
  li2_optim_free(t->opt);
  li2_ridge_free(t->ridge);
  gsl_rng_free(t->rng);
  free(t->grad);
  free(t->split);
  free(t->perm);
  free(t->bx);
  free(t->by);
  free(t->gram);
  free(t->fc);
  free(t->colmean);
  free(t->pff);
  free(t->fmean);
  free(t->dfb);
  free(t->prev);
  free(t->initbuf);
  free(t->initlab);
  free(t);
}

/* The initialisation stream is seeded apart from the split's (which is
 * mt19937 at SEED itself) so the two do not share random numbers. */
static unsigned long init_seed(unsigned long seed)
{
  return (unsigned long)((uint64_t)seed * UINT64_C(6364136223846793005) +
                         UINT64_C(1442695040888963407));
}

/* Reference label of li2 element E of the group Z_n1 x ... x Z_nr: li2
 * numbers elements first factor most significant, the reference
 * (modular_addition_simple2.py:58, flattern) first factor least. */
static size_t reference_label(const li2_group *g, size_t e)
{
  size_t label = 0, w = 1;
  size_t nf = g->nfactors ? g->nfactors : 1;
  size_t digit[LI2_GROUP_MAX_FACTORS];
  for (size_t i = nf; i-- > 0;) {
    size_t o = g->nfactors ? g->factors[i] : g->order;
    digit[i] = e % o;
    e /= o;
  }
  for (size_t i = 0; i < nf; i++) {
    label += digit[i] * w;
    w *= g->nfactors ? g->factors[i] : g->order;
  }
  return label;
}

/* init=reference: the weights torch's CPU generator gives the reference's
 * ModularAdditionNN (modular_addition_simple2.py:238-253) after
 * set_all_seeds(seed), i.e. torch.manual_seed(seed + 2): the embedding's
 * normal_ draws are skipped, then W (K x kM), the residual layers (K x K)
 * and V (M x K) are drawn in float32 and transposed into li2's layout, with
 * each reference one-hot index mapped to li2's element number; V is then
 * multiplied by top_layer_init_multiplier in float32 as torch does. */
static void init_reference(li2_trainer *t)
{
  li2_model *m = t->m;
  /* complex weights: the real parts (stride 2), imaginary parts 0, as the
   * reference's .to(torch.cfloat) of these real draws */
  size_t M = m->M, K = m->K, kM = (size_t)m->nops * M, st = m->cplx ? 2 : 1;
  float *w = t->initbuf;
  size_t *lab = t->initlab;
  li2_mt19937 r;
  for (size_t e = 0; e < M; e++)
    lab[e] = reference_label(t->g, e);
  if (m->cplx)
    memset(m->params, 0, m->nparams * sizeof(double));
  li2_mt19937_seed(&r, (uint32_t)(t->c.seed + 2));
  for (size_t i = li2_refrng_torch_normal_draws(M * M); i > 0; i--)
    li2_mt19937_next(&r);
  li2_refrng_torch_linear(&r, kM, K, w);
  for (int op = 0; op < m->nops; op++)
    for (size_t e = 0; e < M; e++)
      for (size_t j = 0; j < K; j++)
        m->W[(((size_t)op * M + e) * K + j) * st] = w[j * kM + (size_t)op * M + lab[e]];
  for (int l = 0; l < m->nlayers; l++) {
    li2_refrng_torch_linear(&r, K, K, w);
    for (size_t i = 0; i < K; i++)
      for (size_t j = 0; j < K; j++)
        m->L[(size_t)l * K * K + i * K + j] = w[j * K + i];
  }
  li2_refrng_torch_linear(&r, K, M, w);
  for (size_t j = 0; j < K; j++)
    for (size_t e = 0; e < M; e++)
      m->V[(j * M + e) * st] = t->c.top_init != 1.0
                                   ? (double)(w[lab[e] * K + j] * (float)t->c.top_init)
                                   : (double)w[lab[e] * K + j];
}

void li2_trainer_set(li2_trainer *t)
{
  gsl_rng_set(t->rng, init_seed(t->c.seed));
  /* complex_init=uniform (li2's): imaginary parts drawn after the real
   * ones, V's scaled by top_layer_init_multiplier as its real parts */
  const int imag = t->c.cplx && t->c.complex_init_uniform;
  if (t->tf) {
    li2_transformer_init(t->tf, t->rng, t->c.top_init);
  } else if (t->c.init_reference) {
    init_reference(t);
    if (imag) {
      li2_model_init_imag(t->m, t->rng, t->c.init_scale);
      if (t->c.top_init != 1.0)
        cblas_dscal((int)t->m->nV / 2, t->c.top_init, t->m->V + 1, 2);
    }
  } else {
    li2_model_init(t->m, t->rng, t->c.init_scale);
    if (imag)
      li2_model_init_imag(t->m, t->rng, t->c.init_scale);
    /* the reference's top_layer_init_multiplier: V.weight *= multiplier
     * after nn.Linear's initialisation (Prop. 1's alpha scales with it) */
    if (t->c.top_init != 1.0)
      cblas_dscal((int)t->m->nV, t->c.top_init, t->m->V, 1);
  }
  t->have_prev = 0;
  memset(li2_optim_state(t->opt), 0, li2_optim_state_size(t->opt) * sizeof(double));
  li2_optim_set_steps(t->opt, 0);
  t->epoch = 0;
  t->grok_epoch = -1;
  t->last_loss = NAN;
}

static int restore(li2_trainer *t, const li2_checkpoint *ck, li2_error *err)
{
  const li2_model *m = t->m;
  if (t->tf) {
    const li2_transformer *tf = t->tf;
    if (!ck->transformer || ck->nparams != tf->nparams || ck->nhead != tf->nhead ||
        ck->num_layers != tf->nlayers || ck->dim_feedforward != tf->dff ||
        ck->nopt != li2_optim_state_size(t->opt) || ck->rng_len != gsl_rng_size(t->rng))
      return li2_error_set(err, LI2_EFORMAT, "checkpoint: its transformer (%zu parameters) does "
                                             "not match its configuration", ck->nparams);
    memcpy(tf->params, ck->params, tf->nparams * sizeof(double));
  } else if (ck->transformer) {
    return li2_error_set(err, LI2_EFORMAT, "checkpoint: a transformer, its configuration says "
                                           "model_type=mlp");
  } else if (ck->M != m->M || ck->K != m->K || ck->nops != (size_t)m->nops ||
      ck->other_layers != (size_t)m->nlayers || ck->nparams != m->nparams ||
      ck->cplx != m->cplx ||
      ck->nopt != li2_optim_state_size(t->opt) || ck->rng_len != gsl_rng_size(t->rng))
    return li2_error_set(err, LI2_EFORMAT,
                         "checkpoint dimensions (M=%zu K=%zu ops=%zu layers=%zu) do not match "
                         "its configuration", ck->M, ck->K, ck->nops, ck->other_layers);
  else
    memcpy(t->m->params, ck->params, m->nparams * sizeof(double));
  memcpy(li2_optim_state(t->opt), ck->opt_state, ck->nopt * sizeof(double));
  li2_optim_set_steps(t->opt, ck->opt_steps);
  memcpy(gsl_rng_state(t->rng), ck->rng, ck->rng_len);
  t->epoch = ck->epoch;
  t->grok_epoch = ck->grok_epoch;
  t->last_loss = NAN;
  t->have_prev = 0;
  return LI2_SUCCESS;
}

static li2_dataset *make_dataset(const li2_train_config *c, const li2_group *g,
                                 const li2_checkpoint *ck, li2_error *err)
{
  if (ck) {
    size_t nall = ck->ntrain + ck->ntest, *s = malloc(nall * sizeof *s);
    li2_dataset *d;
    if (!s)
      return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
    for (size_t i = 0; i < nall; i++)
      s[i] = ck->split[i];
    d = li2_dataset_alloc_samples(g, c->nops, ck->ntrain, s, err);
    free(s);
    return d;
  }
  if (c->load_dataset_split[0])
    return li2_dataset_alloc_load(g, c->nops, c->load_dataset_split, err);
  return li2_dataset_alloc_split(g, c->nops, &c->split, err);
}

/* Training samples in increasing sample number (a, then b): the split is a
 * set, and this order makes the gradient scatter of W read dLoss/dF
 * sequentially for the first operand (one block per value a). */
static int sort_training_set(li2_dataset *d, li2_error *err)
{
  const int k = d->nops;
  size_t n = d->ntrain, *key = malloc(n * sizeof *key);
  int *x = malloc(n * (size_t)k * sizeof(int)), *y = malloc(n * sizeof(int));
  size_t *cnt = calloc(d->nall + 1, sizeof *cnt);
  if (!key || !x || !y || !cnt) {
    free(key);
    free(x);
    free(y);
    free(cnt);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  /* counting sort on the sample numbers (distinct, < nall) */
  for (size_t i = 0; i < n; i++) {
    key[i] = li2_dataset_sample_index(d, d->train_x + i * (size_t)k);
    cnt[key[i] + 1] = 1;
  }
  for (size_t s = 0; s < d->nall; s++)
    cnt[s + 1] += cnt[s];
  for (size_t i = 0; i < n; i++) {
    size_t p = cnt[key[i]];
    memcpy(x + p * (size_t)k, d->train_x + i * (size_t)k, (size_t)k * sizeof(int));
    y[p] = d->train_y[i];
  }
  memcpy(d->train_x, x, n * (size_t)k * sizeof(int));
  memcpy(d->train_y, y, n * sizeof(int));
  free(key);
  free(x);
  free(y);
  free(cnt);
  return LI2_SUCCESS;
}

/* Minibatch buffers: the permutation of the training set and one batch;
 * nonzero when out of memory. */
static int alloc_batches(li2_trainer *t)
{
  t->perm = malloc(t->d->ntrain * sizeof(size_t));
  t->bx = malloc(t->nbatch * (size_t)t->c.nops * sizeof(int));
  t->by = malloc(t->nbatch * sizeof(int));
  return !t->perm || !t->bx || !t->by;
}

li2_trainer *li2_trainer_alloc(const li2_train_config *c, const char *config_text,
                               const li2_checkpoint *resume, li2_error *err)
{
  li2_trainer *t = calloc(1, sizeof *t);
  const li2_dataset *d;
  size_t K = c->hidden_size, nevalmax;
  int full;
  if (!t)
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  t->c = *c;
  if (config_text && !(t->config_text = strdup(config_text)))
    goto nomem;
  if (!(t->g = li2_group_alloc_name(c->group, err)))
    goto fail;
  /* Every dimension the split and the parameters are sized by, before either
   * is filled: a header that disagrees with its own configuration would
   * otherwise size one and fill the other (issue 15, defect 3). */
  if (resume && resume->M != t->g->order) {
    li2_error_set(err, LI2_EFORMAT, "checkpoint: group order %zu, configuration says %s (%zu)",
                  resume->M, c->group, t->g->order);
    goto fail;
  }
  if (resume && (resume->nops != (size_t)c->nops || resume->K != K ||
                 resume->other_layers != (size_t)c->other_layers)) {
    li2_error_set(err, LI2_EFORMAT,
                  "checkpoint: header says num_of_ops=%zu hidden_size=%zu other_layers=%zu, "
                  "its configuration num_of_ops=%d hidden_size=%zu other_layers=%d",
                  resume->nops, resume->K, resume->other_layers, c->nops, K, c->other_layers);
    goto fail;
  }
  if (!(t->d = make_dataset(c, t->g, resume, err)) || sort_training_set(t->d, err))
    goto fail;
  d = t->d;
  if (c->transformer) {
    size_t nmax;
    full = c->batch_size <= 0 || (size_t)c->batch_size >= d->ntrain;
    t->nbatch = full ? d->ntrain : (size_t)c->batch_size;
    nmax = d->ntrain > d->ntest ? d->ntrain : d->ntest;
    if (!(t->tf = li2_transformer_alloc(t->g->order, (size_t)c->nops, K, c->nhead, c->num_layers,
                                        c->dim_feedforward, c->activation, c->loss, err)) ||
        !(t->tw = li2_transformer_work_alloc_precision(t->tf, nmax, c->single, err)))
      goto fail;
    t->tf->out_mult = c->output_multiplier;
#ifdef _OPENMP
    /* the transformer's products are plain BLAS calls: OpenBLAS's own
     * threads, as many as OpenMP's (li2_train_set_threads gives it one) */
    li2_train_set_blas_threads(omp_get_max_threads());
#endif
    t->nopt = t->tf->nparams;
    if (!(t->opt = li2_optim_alloc(&c->optim, t->nopt, 0, 0, err)))
      goto fail;
    t->rng = gsl_rng_alloc(gsl_rng_mt19937);
    t->grad = malloc(t->nopt * sizeof(double));
    t->split = malloc(d->nall * sizeof(uint32_t));
    if (!t->rng || !t->grad || !t->split)
      goto nomem;
    if (!full && alloc_batches(t))
      goto nomem;
    goto filled;
  }
  if (!(t->m = li2_model_alloc(t->g->order, c->nops, K, c->other_layers, c->activation, c->loss,
                               err)) ||
      (c->cplx && li2_model_set_complex(t->m, err)))
    goto fail;
  t->m->out_mult = c->output_multiplier;
  full = c->batch_size <= 0 || (size_t)c->batch_size >= d->ntrain;
  t->nbatch = full ? d->ntrain : (size_t)c->batch_size;
  if (!(t->wtrain = li2_model_work_alloc(t->m, t->nbatch, 1, c->single, err)) ||
      (c->kernel != LI2_KERNEL_AUTO && li2_model_work_set_kernel(t->wtrain, c->kernel, err)))
    goto fail;
  /* evaluation needs the test set, and with minibatches also the whole
   * training set with G_F (a backward workspace) */
  nevalmax = full ? d->ntest : (d->ntest > d->ntrain ? d->ntest : d->ntrain);
  if (nevalmax && !(t->weval = li2_model_work_alloc(t->m, nevalmax, !full, c->single, err)))
    goto fail;
  t->nopt = c->use_ridge ? t->m->nW + t->m->nL : t->m->nparams;
  if (!(t->opt = li2_optim_alloc(&c->optim, t->nopt, (size_t)c->nops * t->g->order, K, err)))
    goto fail;
  if (c->use_ridge &&
      !(t->ridge = li2_ridge_alloc(t->nbatch, K, t->g->order, c->ridge_center, err)))
    goto fail;
  t->rng = gsl_rng_alloc(gsl_rng_mt19937);
  t->grad = malloc(t->m->nparams * sizeof(double));
  t->split = malloc(d->nall * sizeof(uint32_t));
  t->gram = malloc(K * K * sizeof(float));
  t->fc = malloc(d->ntrain * K * sizeof(float));
  t->colmean = malloc(2 * K * sizeof(double));  /* complex: (re, im) columns */
  if (!t->rng || !t->grad || !t->split || !t->gram || !t->fc || !t->colmean)
    goto nomem;
  if (c->stage1_stats && (!(t->pff = malloc(d->ntrain * d->ntrain * sizeof(float))) ||
                          !(t->fmean = malloc((d->ntrain + 1) * sizeof(double))) ||
                          !(t->dfb = malloc(LI2_DF_BLOCK * (t->g->order + K) * sizeof(double))) ||
                          !(t->prev = malloc(t->m->nparams * sizeof(double)))))
    goto nomem;
  if (!full && alloc_batches(t))
    goto nomem;
  if (c->init_reference) {
    size_t M = t->g->order, kM = (size_t)c->nops * M, big = kM * K > K * K ? kM * K : K * K;
    t->initbuf = malloc((big > K * M ? big : K * M) * sizeof(float));
    t->initlab = malloc(M * sizeof(size_t));
    if (!t->initbuf || !t->initlab)
      goto nomem;
  }
filled:
  for (size_t i = 0; i < d->ntrain; i++)
    t->split[i] = (uint32_t)li2_dataset_sample_index(d, d->train_x + i * (size_t)c->nops);
  for (size_t i = 0; i < d->ntest; i++)
    t->split[d->ntrain + i] =
        (uint32_t)li2_dataset_sample_index(d, d->test_x + i * (size_t)c->nops);
  li2_trainer_set(t);
  if (resume && restore(t, resume, err))
    goto fail;
  return t;
nomem:
  li2_error_set(err, LI2_ENOMEM, "out of memory for the trainer (hidden_size=%zu)", K);
fail:
  li2_trainer_free(t);
  return NULL;
}

/* The trained parameters, of the 2-layer network or of the transformer. */
static double *params_of(const li2_trainer *t)
{
  return t->tf ? t->tf->params : t->m->params;
}

static size_t nparams_of(const li2_trainer *t)
{
  return t->tf ? t->tf->nparams : t->m->nparams;
}

static int params_finite(const li2_trainer *t)
{
  const double *p = params_of(t);
  const size_t n = nparams_of(t);
  int bad = 0;
#pragma omp parallel for schedule(static) reduction(| : bad)
  for (size_t i = 0; i < n; i++)
    bad |= !isfinite(p[i]);
  return !bad;
}

static double frob(const double *a, size_t n)
{
  return n ? cblas_dnrm2((int)n, a, 1) : 0.0;
}

/* The reference's optional projections after each optimiser step.
 * normalize: node j's input weights (column j of W, kM entries: the
 * reference's W.weight row) and output weights (row j of V, M entries: its
 * V.weight column) lose their means; scale_down_top: V -> V / |V|_F when
 * |V|_F > 1. */
static void project_params(li2_trainer *t)
{
  li2_model *m = t->m;
  /* complex weights: the mean of complex numbers is taken on the real and
   * the imaginary parts apart (torch's mean of a cfloat tensor), so the
   * (re, im) doubles are columns of their own (Kc) and V's rows have
   * stride st */
  const size_t st = m->cplx ? 2 : 1, K = m->K, Kc = st * K, M = m->M,
               rows = (size_t)m->nops * M;
  if (t->c.normalize) {
    double *mu = t->colmean;
    li2_column_means(rows, Kc, m->W, mu);
    for (size_t r = 0; r < rows; r++)
      for (size_t j = 0; j < Kc; j++)
        m->W[r * Kc + j] -= mu[j];
    for (size_t j = 0; j < K; j++)
      for (size_t part = 0; part < st; part++) {
        double *v = m->V + j * M * st + part, s = 0;
        for (size_t c = 0; c < M; c++)
          s += v[c * st];
        s /= (double)M;
        for (size_t c = 0; c < M; c++)
          v[c * st] -= s;
      }
  }
  if (t->c.scale_down_top) {
    double c = frob(m->V, m->nV);
    if (c > 1)
      cblas_dscal((int)m->nV, 1.0 / c, m->V, 1);
  }
}

/* One optimiser step on the gradient in t->grad, then the projections. */
static int step(li2_trainer *t, double lr, li2_error *err)
{
  int rc = li2_optim_step(t->opt, lr, t->m->params, t->grad, err);
  if (!rc)
    project_params(t);
  return rc;
}

static int run_batch(li2_trainer *t, size_t n, const int *x, const int *y, double lr,
                     double *loss, li2_error *err)
{
  int rc;
  if (t->tf) {
    if ((rc = li2_transformer_forward(t->tf, t->tw, n, x, y, loss, NULL, err)))
      return rc;
    if (!isfinite(*loss))
      return li2_error_set(err, LI2_ENUMERIC,
                           "epoch %ld: training loss is %s (diverged; a smaller learning_rate may help)",
                           t->epoch, isnan(*loss) ? "NaN" : "Inf");
    if ((rc = li2_transformer_backward(t->tf, t->tw, t->grad, err)))
      return rc;
    return li2_optim_step(t->opt, lr, t->tf->params, t->grad, err);
  }
  if (!t->ridge) {
    /* the usual step: one blocked pass for loss and gradient */
    if ((rc = li2_model_step_grad(t->m, t->wtrain, n, x, y, t->grad, loss, NULL, err)))
      return rc;
    if (!isfinite(*loss))
      return li2_error_set(err, LI2_ENUMERIC,
                           "epoch %ld: training loss is %s (diverged; a smaller learning_rate may help)",
                           t->epoch, isnan(*loss) ? "NaN" : "Inf");
    return step(t, lr, err);
  }
  if ((rc = li2_model_forward_features(t->m, t->wtrain, n, x, err)))
    return rc;
  /* set_weight_reg: V is the ridge solution for this batch's features
   * (doc/mathematics.md section 2), then the loss and dW at that V */
  if (t->ridge &&
      (rc = li2_ridge_solve_labels(t->ridge, n, li2_model_work_top(t->wtrain), y,
                                   t->c.set_weight_reg, t->m->V, err)))
    return rc;
  if ((rc = li2_model_forward_outputs(t->m, t->wtrain, y, loss, NULL, err)))
    return rc;
  if (!isfinite(*loss))
    return li2_error_set(err, LI2_ENUMERIC,
                         "epoch %ld: training loss is %s (diverged; a smaller learning_rate may help)",
                         t->epoch, isnan(*loss) ? "NaN" : "Inf");
  if ((rc = li2_model_backward(t->m, t->wtrain, t->grad, t->ridge != NULL, 0, err)) ||
      (rc = step(t, lr, err)))
    return rc;
  return LI2_SUCCESS;
}

int li2_trainer_iterate(li2_trainer *t, li2_error *err)
{
  const li2_dataset *d = t->d;
  const int k = t->c.nops;
  double lr = li2_lr_at(&t->c.schedule, t->epoch), loss, total = 0;
  int rc;
  if (t->prev) {
    memcpy(t->prev, t->m->params, t->m->nparams * sizeof(double));
    t->have_prev = 1;
  }
  if (t->nbatch == d->ntrain) {
    rc = run_batch(t, d->ntrain, d->train_x, d->train_y, lr, &loss, err);
    if (rc)
      return rc;
    total = loss;
  } else {
    for (size_t i = 0; i < d->ntrain; i++)
      t->perm[i] = i;
    gsl_ran_shuffle(t->rng, t->perm, d->ntrain, sizeof(size_t));
    for (size_t b = 0; b < d->ntrain; b += t->nbatch) {
      size_t n = d->ntrain - b < t->nbatch ? d->ntrain - b : t->nbatch;
      for (size_t i = 0; i < n; i++) {
        size_t s = t->perm[b + i];
        memcpy(t->bx + i * (size_t)k, d->train_x + s * (size_t)k, (size_t)k * sizeof(int));
        t->by[i] = d->train_y[s];
      }
      rc = run_batch(t, n, t->bx, t->by, lr, &loss, err);
      if (rc)
        return rc;
      total += loss * (double)n;
    }
    total /= (double)d->ntrain;
  }
  if (!params_finite(t))
    return li2_error_set(err, LI2_ENUMERIC,
                         "epoch %ld: parameters became NaN or Inf (diverged; a smaller learning_rate may help)",
                         t->epoch);
  t->last_loss = total;
  t->epoch++;
  return LI2_SUCCESS;
}

/* Mean |.| of the diagonal and off-diagonal of F~^T F~ (the reference's
 * compute_diag_off_diag_avg on the centred kernel).  A logged statistic:
 * F~ is centred in double, the n K^2 product runs in single precision
 * (half the time of double; relative error ~1e-6 on these means). */
static void kernel_stats(li2_trainer *t, size_t n, const double *F, double *diag, double *off)
{
  const size_t K = t->m->K;
  float *G = t->gram, *Fc = t->fc;
  double *mu = t->colmean, sd = 0, so = 0;
  li2_column_means(n, K, F, mu);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < K; j++)
      Fc[i * K + j] = (float)(F[i * K + j] - mu[j]);
  /* Lower triangle in row blocks over the OpenMP threads (BLAS runs
   * single-threaded, li2_train_set_threads); block edges at K sqrt(t/nt)
   * give each thread about the same share of the triangle. */
#pragma omp parallel
  {
#ifdef _OPENMP
    double th = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    double th = 0, nt = 1;
#endif
    size_t r0 = (size_t)((double)K * sqrt(th / nt)), r1 = (size_t)((double)K * sqrt((th + 1) / nt));
    if (th + 1 == nt)
      r1 = K;
    if (r1 > r0)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(r1 - r0), (int)r1, (int)n, 1.0f,
                  Fc + r0, (int)K, Fc, (int)K, 0.0f, G + r0 * K, (int)K);
  }
  for (size_t a = 0; a < K; a++) {
    for (size_t b = 0; b < a; b++)
      so += fabs((double)G[a * K + b]);
    sd += fabs((double)G[a * K + a]);
  }
  *diag = sd / (double)K;
  *off = K > 1 ? 2 * so / ((double)K * (double)(K - 1)) : NAN;
}

/* Mean |.| of the diagonal and off-diagonal of P F F^T (n x n), the
 * reference's FF^t statistics (kernel2 - kernel2.mean(dim=0): rows
 * centred).  After kernel_stats, whose float F~ (t->fc) and column means
 * it reuses: F^T = F~^T + mu 1^T, so P F F^T = F~F~^T + (F~ mu) 1^T. */
static void pff_stats(li2_trainer *t, size_t n, double *diag, double *off)
{
  const size_t K = t->m->K;
  float *G = t->pff;
  double sd = 0, so = 0;
#pragma omp parallel
  {
#ifdef _OPENMP
    size_t th = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
#else
    size_t th = 0, nt = 1;
#endif
    size_t r0 = n * th / nt, r1 = n * (th + 1) / nt;
    if (r1 > r0)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)n, (int)K, 1.0f,
                  t->fc + r0 * K, (int)K, t->fc, (int)K, 0.0f, G + r0 * n, (int)n);
  }
#pragma omp parallel for schedule(static) reduction(+ : sd, so)
  for (size_t i = 0; i < n; i++) {
    double fm = 0, s = 0;
    for (size_t j = 0; j < K; j++)
      fm += (double)t->fc[i * K + j] * t->colmean[j];
    for (size_t j = 0; j < n; j++)
      if (j != i)
        s += fabs((double)G[i * n + j] + fm);
    so += s;
    sd += fabs((double)G[i * n + i] + fm);
  }
  *diag = sd / (double)n;
  *off = n > 1 ? so / ((double)n * (double)(n - 1)) : NAN;
}

/* The reference's FF^t_dist_from_ideal (fit_diag_11 of F F^T, n x n):
 * after pff_stats, whose G = F~ F~^T it reuses with
 * (F F^T)_ij = G_ij + fm_i + fm_j + |mu|^2, fm = F~ mu.  Two passes: the
 * means, then the residual, so a good fit does not cancel. */
static double ff_dist_ideal(li2_trainer *t, size_t n)
{
  const size_t K = t->m->K;
  const float *G = t->pff;
  double mu2 = 0, tr = 0, sum = 0, d, o, res = 0, all = 0;
  double *fm = t->fmean;
  for (size_t j = 0; j < K; j++)
    mu2 += t->colmean[j] * t->colmean[j];
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    double s = 0;
    for (size_t j = 0; j < K; j++)
      s += (double)t->fc[i * K + j] * t->colmean[j];
    fm[i] = s;
  }
#pragma omp parallel for schedule(static) reduction(+ : tr, sum)
  for (size_t i = 0; i < n; i++) {
    double s = 0;
    for (size_t j = 0; j < n; j++)
      s += (double)G[i * n + j] + fm[i] + fm[j] + mu2;
    sum += s;
    tr += (double)G[i * n + i] + 2 * fm[i] + mu2;
  }
  if (n < 2)
    return NAN;
  d = tr / (double)n;
  o = (sum - tr) / ((double)n * (double)(n - 1));
#pragma omp parallel for schedule(static) reduction(+ : res, all)
  for (size_t i = 0; i < n; i++) {
    double r = 0, a = 0;
    for (size_t j = 0; j < n; j++) {
      double g = (double)G[i * n + j] + fm[i] + fm[j] + mu2, e = (i == j ? d : o) - g;
      r += e * e;
      a += g * g;
    }
    res += r;
    all += a;
  }
  return all > 0 ? sqrt(res / all) : NAN;
}

/* The reference's dF_norm = |(Y - F V) V^T|_F (Y = one-hot - 1/M) on the
 * training set, in blocks of rows (workspace t->dfb: B x (M + K)). */
static double df_norm(li2_trainer *t, const double *Fe, size_t n)
{
  const size_t K = t->m->K, M = t->m->M, B = LI2_DF_BLOCK;
  const int *y = t->d->train_y;
  double *R = t->dfb, *Gb = t->dfb + B * M, ss = 0;
  for (size_t r0 = 0; r0 < n; r0 += B) {
    size_t nb = n - r0 < B ? n - r0 : B;
    for (size_t i = 0; i < nb; i++)
      for (size_t m = 0; m < M; m++)
        R[i * M + m] = (m == (size_t)y[r0 + i] ? 1.0 : 0.0) - 1.0 / (double)M;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)M, (int)K, -1.0,
                Fe + r0 * K, (int)K, t->m->V, (int)M, 1.0, R, (int)M);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)K, (int)M, 1.0, R, (int)M,
                t->m->V, (int)M, 0.0, Gb, (int)K);
    for (size_t i = 0; i < nb * K; i++)
      ss += Gb[i] * Gb[i];
  }
  return sqrt(ss);
}

/* 1 - cos(a, b) (Fig. 3's cosine distance between consecutive weights). */
static double cos_distance(const double *a, const double *b, size_t n)
{
  double ab = cblas_ddot((int)n, a, 1, b, 1), na = frob(a, n), nb = frob(b, n);
  return na > 0 && nb > 0 ? 1 - ab / (na * nb) : NAN;
}

int li2_trainer_test(li2_trainer *t, li2_train_metrics *mt, li2_error *err)
{
  const li2_dataset *d = t->d;
  li2_model_work *wt = t->nbatch == d->ntrain ? t->wtrain : t->weval;
  size_t nc;
  int rc;
  mt->epoch = t->epoch;
  if (t->tf) {
    /* the transformer: losses and accuracies; the 2-layer network's
     * feature statistics do not apply */
    const size_t nV = t->tf->M * t->tf->d;
    if ((rc = li2_transformer_forward(t->tf, t->tw, d->ntrain, d->train_x, d->train_y,
                                      &mt->train_loss, &nc, err)))
      return rc;
    mt->train_acc = (double)nc / (double)d->ntrain;
    if ((rc = li2_transformer_forward(t->tf, t->tw, d->ntest, d->test_x, d->test_y,
                                      &mt->test_loss, &nc, err)))
      return rc;
    mt->test_acc = (double)nc / (double)d->ntest;
    mt->gf_norm = mt->ftf_diag = mt->ftf_offdiag = NAN;
    mt->pff_diag = mt->pff_offdiag = mt->dw_cos = mt->dv_cos = NAN;
    mt->ff_dist_ideal = mt->df_norm = NAN;
    mt->w_norm = frob(t->tf->params, t->tf->nparams - nV);  /* all but the top layer */
    mt->v_norm = frob(li2_transformer_top(t->tf, t->tf->params), nV);
    if (t->grok_epoch < 0 && mt->test_acc >= 0.95)
      t->grok_epoch = t->epoch;
    return LI2_SUCCESS;
  }
  /* training set: loss, accuracy, G_F and the kernel of its features */
  if ((rc = li2_model_forward(t->m, wt, d->ntrain, d->train_x, d->train_y, &mt->train_loss, &nc,
                              err)) ||
      (rc = li2_model_backward(t->m, wt, NULL, 1, 1, err)))
    return rc;
  mt->train_acc = (double)nc / (double)d->ntrain;
  /* complex: |G_F|_F over the (re, im) pairs */
  mt->gf_norm = frob(li2_model_work_dfeatures(wt), d->ntrain * t->m->K * (t->m->cplx ? 2 : 1));
  if (t->m->cplx)  /* the F~^T F~ statistics read real features: not logged */
    mt->ftf_diag = mt->ftf_offdiag = NAN;
  else
    kernel_stats(t, d->ntrain, li2_model_work_features(wt), &mt->ftf_diag, &mt->ftf_offdiag);
  mt->pff_diag = mt->pff_offdiag = mt->dw_cos = mt->dv_cos = NAN;
  mt->ff_dist_ideal = mt->df_norm = NAN;
  if (t->pff) {
    pff_stats(t, d->ntrain, &mt->pff_diag, &mt->pff_offdiag);
    if (!t->m->cplx) {
      mt->ff_dist_ideal = ff_dist_ideal(t, d->ntrain);
      if (t->m->nlayers == 0)
        mt->df_norm = df_norm(t, li2_model_work_features(wt), d->ntrain);
    }
    if (t->have_prev) {
      const li2_model *m = t->m;
      mt->dw_cos = cos_distance(t->prev + (size_t)(m->W - m->params), m->W, m->nW);
      mt->dv_cos = cos_distance(t->prev + (size_t)(m->V - m->params), m->V, m->nV);
    }
  }
  if (d->ntest) {
    if ((rc = li2_model_forward(t->m, t->weval, d->ntest, d->test_x, d->test_y, &mt->test_loss,
                                &nc, err)))
      return rc;
    mt->test_acc = (double)nc / (double)d->ntest;
  } else {
    mt->test_acc = mt->test_loss = NAN;
  }
  mt->w_norm = frob(t->m->W, t->m->nW);
  mt->v_norm = frob(t->m->V, t->m->nV);
  if (t->grok_epoch < 0 && mt->test_acc >= 0.95)
    t->grok_epoch = t->epoch;
  return LI2_SUCCESS;
}

int li2_trainer_save(li2_trainer *t, const char *path, li2_error *err)
{
  li2_checkpoint ck;
  li2_optim *o = t->opt;
  const li2_dataset *d = t->d;
  li2_model_work *w = t->nbatch == d->ntrain ? t->wtrain : t->weval;
  double loss;
  int rc;
  /* a checkpoint is good when its parameters are finite and so is their
   * training loss (huge finite weights can overflow the outputs) */
  if (!params_finite(t))
    return li2_error_set(err, LI2_ENUMERIC, "%s: not written, parameters are not finite", path);
  rc = t->tf ? li2_transformer_forward(t->tf, t->tw, d->ntrain, d->train_x, d->train_y, &loss,
                                       NULL, err)
             : li2_model_forward(t->m, w, d->ntrain, d->train_x, d->train_y, &loss, NULL, err);
  if (rc)
    return rc;
  if (!isfinite(loss))
    return li2_error_set(err, LI2_ENUMERIC,
                         "epoch %ld: training loss is %s (diverged; a smaller learning_rate may "
                         "help), %s not written", t->epoch, isnan(loss) ? "NaN" : "Inf", path);
  memset(&ck, 0, sizeof ck);
  ck.M = t->g->order;
  ck.K = t->c.hidden_size;
  ck.nops = (size_t)t->c.nops;
  ck.nparams = nparams_of(t);
  if (t->tf) {
    ck.transformer = 1;
    ck.nhead = t->tf->nhead;
    ck.num_layers = t->tf->nlayers;
    ck.dim_feedforward = t->tf->dff;
  } else {
    ck.other_layers = (size_t)t->m->nlayers;
    ck.cplx = t->m->cplx;
  }
  ck.nopt = li2_optim_state_size(o);
  ck.opt_steps = li2_optim_steps(o);
  ck.epoch = t->epoch;
  ck.grok_epoch = t->grok_epoch;
  ck.ntrain = t->d->ntrain;
  ck.ntest = t->d->ntest;
  ck.config = t->config_text;
  ck.split = t->split;
  ck.params = params_of(t);
  ck.opt_state = li2_optim_state(o);
  ck.rng = gsl_rng_state(t->rng);
  ck.rng_len = gsl_rng_size(t->rng);
  return li2_checkpoint_write(path, &ck, err);
}

int li2_trainer_save_in(li2_trainer *t, const char *dir, long epoch, li2_error *err)
{
  char *path = li2_checkpoint_path(dir, epoch);
  int rc;
  if (!path)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_trainer_save(t, path, err);
  free(path);
  return rc;
}

li2_trainer *li2_trainer_load(const char *path, li2_error *err)
{
  li2_checkpoint *ck = li2_checkpoint_read(path, err);
  li2_args *a = NULL;
  li2_train_config c;
  li2_trainer *t = NULL;
  if (!ck)
    return NULL;
  if (!li2_train_args_from_text(ck->config, &a, err) && !li2_train_config_from_args(a, &c, err))
    t = li2_trainer_alloc(&c, ck->config, ck, err);
  if (!t)
    li2_error_prefix(err, "%s: ", path);
  li2_args_free(a);
  li2_checkpoint_free(ck);
  return t;
}

void li2_early_stop_init(li2_early_stop *s, double acc, long window)
{
  s->acc = acc;
  s->window = window < 1 ? 1 : window;
  s->count = 0;
}

int li2_early_stop_update(li2_early_stop *s, double test_acc)
{
  if (!(s->acc > 0))
    return 0;
  s->count = test_acc >= s->acc ? s->count + 1 : 0;  /* NaN (no test set) resets */
  return s->count >= s->window;
}

int li2_trainer_run_budgets(li2_trainer *t, const long *budgets, size_t nb, long every,
                            li2_early_stop *es, int stop, double *acc, long *settled,
                            li2_error *err)
{
  li2_train_metrics m;
  size_t b = 0;
  int rc = LI2_SUCCESS;
  if (settled)
    *settled = -1;
  if (every < 1)
    every = 1;
  while (b < nb && budgets[b] < t->epoch)
    acc[b++] = NAN;  /* already past: not measured */
  while (!rc && b < nb) {
    int at_budget = t->epoch == budgets[b];
    if (at_budget || t->epoch % every == 0) {
      if ((rc = li2_trainer_test(t, &m, err)))
        break;
      for (; b < nb && budgets[b] == t->epoch; b++)
        acc[b] = m.test_acc;
      if (b < nb && es && (!settled || *settled < 0) && li2_early_stop_update(es, m.test_acc)) {
        if (settled)
          *settled = t->epoch;
        if (stop) {
          for (; b < nb; b++)
            acc[b] = m.test_acc;  /* settled (>= es->acc): its last accuracy stands */
          break;
        }
      }
      if (b == nb)
        break;
    }
    rc = li2_trainer_iterate(t, err);
  }
  return rc;
}

long li2_trainer_epoch(const li2_trainer *t) { return t->epoch; }
long li2_trainer_grok_epoch(const li2_trainer *t) { return t->grok_epoch; }
double li2_trainer_last_loss(const li2_trainer *t) { return t->last_loss; }
double li2_trainer_lr(const li2_trainer *t) { return li2_lr_at(&t->c.schedule, t->epoch); }
li2_kernel li2_trainer_kernel(const li2_trainer *t)
{
  return t->tf ? LI2_KERNEL_BLAS : li2_model_work_kernel(t->wtrain);
}
const li2_train_config *li2_trainer_config(const li2_trainer *t) { return &t->c; }
const li2_group *li2_trainer_group(const li2_trainer *t) { return t->g; }
const li2_dataset *li2_trainer_dataset(const li2_trainer *t) { return t->d; }
li2_model *li2_trainer_model(li2_trainer *t) { return t->m; }
li2_transformer *li2_trainer_transformer(li2_trainer *t) { return t->tf; }
