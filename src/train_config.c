/* The trainer's parameter table and the configuration read from it (see
 * train.h): the reference's keys and defaults, the stored configuration
 * text of a run, the keys li2 accepts only at the reference's defaults. */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defaults are the reference's config/dyn_madd.yaml. */
const li2_arg_spec li2_train_spec[] = {
  {LI2_ARG_STRING, "M", "127", "group order, or a product of cyclic orders (71, 2x3x4)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "group", NULL, "any group li2 knows (S4, D5, Z7:Z3, file:PATH#K); overrides M", 1, 0, NULL, 0},
  {LI2_ARG_INT, "num_of_ops", "2", "operands per sample: the product of k elements", 2, 8, NULL, 0},
  {LI2_ARG_INT, "hidden_size", "512", "hidden nodes K", 1, 1 << 20, NULL, 0},
  {LI2_ARG_CHOICE, "activation", "sqr", "activation", 1, 0, LI2_NAMES_CHOICES(LI2_ACT_TRAINER_NAMES), 0},
  {LI2_ARG_CHOICE, "loss_func", "nll", "loss: centred MSE or cross-entropy", 1, 0, LI2_NAMES_CHOICES(LI2_LOSS_NAMES), 0},
  {LI2_ARG_CHOICE, "optim", "adam", "optimiser (sgd has momentum 0.9; muon: Muon on W, Adam on V)", 1, 0, LI2_NAMES_CHOICES(LI2_OPTIM_NAMES), 0},
  {LI2_ARG_BOOL, "muon_exact", "false", "muon: exact polar factor by SVD instead of Newton-Schulz", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "learning_rate", "0.001", "learning rate (> 0)", 0, 1e12, NULL, 0},
  {LI2_ARG_DOUBLE, "weight_decay", "1e-4", "weight decay (L2 in the gradient for sgd, adam and muon's V; decoupled for adamw and muon's W)", 0, 1e12, NULL, 0},
  {LI2_ARG_CHOICE, "lr_decay_type", "none", "learning-rate schedule", 1, 0, LI2_NAMES_CHOICES(LI2_LR_DECAY_NAMES), 0},
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
  {LI2_ARG_CHOICE, "kernel", "auto", "products of the training step: hand-tiled AVX-512 / AVX2 kernels or BLAS (auto: the widest this CPU runs; they differ by rounding)", 1, 0, LI2_NAMES_CHOICES(LI2_KERNEL_NAMES), 0},
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
  {LI2_ARG_BOOL, "embed_trainable", NULL, "the reference's trainable nn.Embedding(M, M) E before W, shared by the operands (h = W [E x_1; ...; E x_k]; E starts N(0, 1), trained and decayed) [false]", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "use_inner_product_act", NULL, "the reference's per-operand projections multiplied: F = prod_t W_t x_t with no activation after the product (other_layers keep theirs); normalize then scales each node's W_t rows to norm <= 1 [false]", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "use_bn", NULL, "the reference's BatchNorm1d between W and the activation: batch statistics in the training step, running ones (momentum 0.1) in evaluation; gamma, beta trained [false]", 1, 0, NULL, 0},
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

/* What the reference's model options (use_bn, embed_trainable,
 * use_inner_product_act) do not cover, refused in one line naming KEY:
 * complex weights (the reference drops BatchNorm there silently; the others
 * are not implemented), muon (the reference's muon optimises W and V only:
 * gamma, beta and E would stay untrained; with the product there is no W
 * and it fails), the ridge solve and the Stage I statistics (defined for
 * the plain network), and with NO_INIT_REF init=reference (torch's normal_
 * draws of the embedding, Box-Muller in float32 on its vectorised log and
 * cos, are not reproduced bit for bit). */
static int model_option_conflicts(const li2_train_config *c, const char *key, const char *what,
                                  int no_init_ref, li2_error *err)
{
  const char *bad = c->cplx                           ? "use_complex_weights=true"
                    : c->optim.type == LI2_OPTIM_MUON ? "optim=muon"
                    : c->use_ridge                    ? "set_weight_reg"
                    : c->stage1_stats                 ? "stage1_stats"
                    : no_init_ref && c->init_reference ? "init=reference"
                                                      : NULL;
  if (bad)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: %s is not implemented with %s", key,
                         bad, what);
  return LI2_SUCCESS;
}

void li2_split_critical_from_args(const li2_args *a, li2_split_params *p)
{
  p->use_critical_ratio = li2_args_bool(a, "use_critical_ratio");
  p->critical_ratio_multiplier = li2_args_double(a, "critical_ratio_multiplier");
  p->critical_ratio_delta = li2_args_double(a, "critical_ratio_delta");
  p->group_collection_max_dk = li2_args_double(a, "group_collection_max_dk");
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
    if (!li2_args_whole(g, NULL))
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
    if (!li2_args_whole(g, NULL) || strlen(g) > 3)
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
  c->use_bn = li2_args_has(a, "use_bn") && li2_args_bool(a, "use_bn");
  c->embed_trainable = li2_args_has(a, "embed_trainable") && li2_args_bool(a, "embed_trainable");
  c->inner = li2_args_has(a, "use_inner_product_act") && li2_args_bool(a, "use_inner_product_act");
  if ((c->use_bn && (rc = model_option_conflicts(c, "use_bn", "BatchNorm", 0, err))) ||
      (c->embed_trainable &&
       (rc = model_option_conflicts(c, "embed_trainable", "a trainable embedding", 1, err))) ||
      (c->inner && (rc = model_option_conflicts(c, "use_inner_product_act",
                                                "the product of projections", 0, err))))
    return rc;
  if (c->inner && c->use_bn)  /* modular_addition_simple2.py:302-318 */
    return li2_error_set(err, LI2_EINVAL, "parameter use_inner_product_act: use_bn=true is not "
                                          "applied on the reference's product branch (its "
                                          "BatchNorm follows W only); use one of them");
  c->transformer = !strcmp(li2_args_string(a, "model_type"), "transformer");
  c->nhead = (size_t)li2_args_int(a, "nhead");
  c->num_layers = (size_t)li2_args_int(a, "num_layers");
  c->dim_feedforward = (size_t)li2_args_int(a, "dim_feedforward");
  if (c->transformer) {
    /* options of the 2-layer network that the transformer does not have */
    const char *bad = c->cplx                              ? "use_complex_weights"
                      : c->use_bn                          ? "use_bn"
                      : c->embed_trainable                 ? "embed_trainable"
                      : c->inner                           ? "use_inner_product_act"
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
  c->kernel = (li2_kernel)li2_args_choice(a, "kernel");
  c->eval_interval = li2_args_int(a, "eval_interval");
  c->save_interval = li2_args_int(a, "save_interval");
  c->early_stop_acc = li2_args_has(a, "early_stop_acc") ? li2_args_double(a, "early_stop_acc") : 0;
  c->early_stop_window = li2_args_has(a, "early_stop_window") ? li2_args_int(a, "early_stop_window") : 5;
  return LI2_SUCCESS;
}
