/* The reference trainer (doc/mathematics.md sections 1, 2, 4, 6): a 2-layer network
 * on group arithmetic trained full batch (or in minibatches) with the
 * reference's optimisers, schedules and options.
 *
 * GSL-style set / iterate / test: li2_trainer_alloc builds the group, the
 * split, the model (initialised from the seed), the optimiser and every
 * workspace; li2_trainer_iterate runs one epoch; li2_trainer_test measures
 * the metrics at the current parameters.  The caller owns the loop (the
 * command logs, checkpoints and stops between epochs).  Nothing is
 * allocated per epoch.  For a given thread count the run is bit-for-bit
 * reproducible, and resuming from a checkpoint continues it exactly.
 *
 * The trainer keeps its training samples in increasing sample number (the
 * split is a set; li2_trainer_dataset shows this order).
 *
 * Configuration keys are the reference trainer's (li2_train_spec): the
 * table serves the command line (li2 train key=value ...) and the
 * "key=value" configuration text stored in checkpoints.
 *
 * Files: train_config.c (the table, the configuration), train.c (the
 * trainer: alloc, iterate, checkpoints, budgets), train_test.c
 * (li2_trainer_test), train_impl.h (the state they share). */
#ifndef LI2_TRAIN_H
#define LI2_TRAIN_H

#include <stddef.h>
#include "args.h"
#include "checkpoint.h"
#include "dataset.h"
#include "error.h"
#include "group.h"
#include "model.h"
#include "optim.h"
#include "transformer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_train_config {
  char group[1024];          /* group spec: `group`, else `M` ("71", "2x3x4") */
  int nops;                  /* num_of_ops */
  size_t hidden_size;        /* K */
  li2_activation activation;
  li2_loss loss;             /* loss_func */
  li2_optim_params optim;    /* optim, weight_decay, muon_exact */
  li2_lr_schedule schedule;  /* learning_rate, lr_decay_* , num_epochs */
  long num_epochs;
  li2_split_params split;    /* test_size, train_size, use_critical_ratio, ..., seed */
  char load_dataset_split[1024];  /* "" unless given */
  long batch_size;           /* 0: full batch */
  int use_ridge;             /* set_weight_reg given */
  double set_weight_reg;     /* ridge lambda for V */
  int ridge_center;          /* centre F and Y over samples (doc/mathematics.md's V*) */
  int other_layers;
  int normalize;             /* centre W's and V's node weights after each step */
  int scale_down_top;        /* V scaled to |V|_F = 1 after a step that leaves it larger */
  double init_scale;
  int init_reference;
  long init_save_range;      /* > 0: also checkpoint before epochs < it and at 0 (the reference's) */        /* init=reference: torch's nn.Linear draws (refrng.h) */
  double top_init;           /* top_layer_init_multiplier: V(0) scaled by it (1 unless given) */
  int stage1_stats;          /* per-evaluation P F F^T and cosine-distance statistics */
  double output_multiplier;  /* beta: outputs beta F V (the reference's; li2_model.out_mult) */
  int cplx;                  /* use_complex_weights (li2_model.cplx) */
  int use_bn;                /* use_bn: BatchNorm1d after W (li2_model.bn) */
  int embed_trainable;       /* embed_trainable: E before W (li2_model.embed) */
  int inner;                 /* use_inner_product_act: prod_t W_t x_t (li2_model.inner) */
  int complex_init_uniform;  /* complex_init=uniform: imaginary parts drawn (li2's; else 0) */
  int single;                /* precision=float (see li2_model_work_alloc) */
  li2_kernel kernel;         /* products of the training step (li2_model_work_set_kernel) */
  unsigned long seed;
  long eval_interval, save_interval;
  double early_stop_acc;     /* early_stop_acc; 0: off (li2_early_stop) */
  long early_stop_window;    /* early_stop_window: evaluations */
  int transformer;           /* model_type=transformer (transformer.h); 0: the 2-layer mlp */
  size_t nhead, num_layers, dim_feedforward;  /* the transformer's sizes */
} li2_train_config;

/* The critical-ratio rows of a parameter table (the reference's names),
 * shared by li2 train and the landscape commands. */
#define LI2_CRITICAL_RATIO_ARG_SPECS                                                       \
  {LI2_ARG_BOOL, "use_critical_ratio", "false", "test fraction 1 - s (c - delta) log(M)/M", 1, 0, NULL, 0}, \
  {LI2_ARG_DOUBLE, "critical_ratio_multiplier", "2.7482", "c of use_critical_ratio", -1e6, 1e6, NULL, 0}, \
  {LI2_ARG_DOUBLE, "critical_ratio_delta", "0", "delta of use_critical_ratio", -1e6, 1e6, NULL, 0}, \
  {LI2_ARG_DOUBLE, "group_collection_max_dk", "0", "s = max_dk/2 in use_critical_ratio (the reference's non-abelian collections; 0: s = 1)", 0, 1e6, NULL, 0}

/* Read the keys of LI2_CRITICAL_RATIO_ARG_SPECS from A into P. */
void li2_split_critical_from_args(const li2_args *a, li2_split_params *p);

/* The parameter table of `li2 train` (ends with {0}); src/train_config.c
 * holds it and the functions below up to li2_train_args_from_text. */
extern const li2_arg_spec li2_train_spec[];

/* Validate parsed arguments into C; LI2_EINVAL naming the parameter. */
int li2_train_config_from_args(const li2_args *a, li2_train_config *c, li2_error *err);

/* The configuration as "key=value\n" lines: every key of the table with a
 * value except those that only say where and how to run (out, resume,
 * threads, json).  Caller frees. */
char *li2_train_config_text(const li2_args *a);

/* Parse such text back into arguments (for resume and for analysis of a
 * checkpoint).  Caller frees *ARGS with li2_args_free. */
int li2_train_args_from_text(const char *text, li2_args **args, li2_error *err);

/* Thread policy and the waiting threads' policy: process.h. */

typedef struct li2_train_metrics {
  long epoch;
  double train_acc, test_acc;    /* test_* NaN with no test set */
  double train_loss, test_loss;
  double gf_norm;                /* |G_F|_F, G_F = -dLoss/dF on the training set */
  double w_norm, v_norm;         /* |W|_F, |V|_F */
  double ftf_diag, ftf_offdiag;  /* mean |.| of diagonal / off-diagonal of F~^T F~ */
  /* stage1_stats only (NaN otherwise): the same for P F F^T, and the
   * cosine distances 1 - cos of W and of V to their values one epoch
   * earlier (NaN at the first evaluation after set or resume) */
  double pff_diag, pff_offdiag;
  double dw_cos, dv_cos;
  /* stage1_stats, as the reference's stats_tracker records them
   * (modular_addition_simple2.py:334-367; NaN otherwise):
   * ff_dist_ideal = |est - F F^T|_F / |F F^T|_F with est the fit
   * (d - o) I + o 1 1^T of F F^T's mean diagonal d and off-diagonal o
   * (fit_diag_11); df_norm = |(Y - F V) V^T|_F with Y the centred one-hot
   * labels, the backpropagated gradient of the MSE without its factor 2/n
   * and without output_multiplier (NaN with other_layers or complex
   * weights, as the reference logs None there) */
  double ff_dist_ideal, df_norm;
} li2_train_metrics;

typedef struct li2_trainer li2_trainer;

/* Build everything for configuration C.  CONFIG_TEXT (may be NULL) is
 * stored in checkpoints.  With RESUME, the split, parameters, optimiser
 * and RNG state and epoch come from that checkpoint (whose dimensions must
 * match C); otherwise the split follows C and the parameters are
 * initialised from the seed. */
li2_trainer *li2_trainer_alloc(const li2_train_config *c, const char *config_text,
                               const li2_checkpoint *resume, li2_error *err);
void li2_trainer_free(li2_trainer *t);

/* Re-initialise parameters and optimiser from the seed, epoch 0. */
void li2_trainer_set(li2_trainer *t);

/* One epoch: full batch, or shuffled minibatches of batch_size.  With
 * set_weight_reg, V is solved by ridge regression (li2_ridge_solve) from
 * each batch's features before the loss and is not trained.  LI2_ENUMERIC
 * (parameters untouched by the failing step) when the loss is NaN or Inf. */
int li2_trainer_iterate(li2_trainer *t, li2_error *err);

/* Metrics at the current parameters; records grok_epoch on the first
 * test accuracy >= 0.95. */
int li2_trainer_test(li2_trainer *t, li2_train_metrics *m, li2_error *err);

/* Write a checkpoint (atomically); LI2_ENUMERIC, writing nothing, if the
 * parameters or their training loss are not finite (so a diverged run
 * keeps its last good checkpoint).  Costs one forward pass. */
int li2_trainer_save(li2_trainer *t, const char *path, li2_error *err);
/* li2_trainer_save to li2_checkpoint_path(DIR, EPOCH): DIR/ckpt-EPOCH.li2,
 * or DIR/checkpoint.li2 for EPOCH < 0. */
int li2_trainer_save_in(li2_trainer *t, const char *dir, long epoch, li2_error *err);

/* Convenience for analysis: a trainer restored from a checkpoint file. */
li2_trainer *li2_trainer_load(const char *path, li2_error *err);

long li2_trainer_epoch(const li2_trainer *t);
long li2_trainer_grok_epoch(const li2_trainer *t);  /* -1 if none */
double li2_trainer_last_loss(const li2_trainer *t);  /* training loss of the last epoch */
double li2_trainer_lr(const li2_trainer *t);          /* learning rate of the next epoch */
const li2_train_config *li2_trainer_config(const li2_trainer *t);
li2_kernel li2_trainer_kernel(const li2_trainer *t);  /* the one in use, never AUTO */
const li2_group *li2_trainer_group(const li2_trainer *t);
const li2_dataset *li2_trainer_dataset(const li2_trainer *t);
/* The 2-layer model; NULL for a transformer run (model_type=transformer),
 * whose model is li2_trainer_transformer's (NULL otherwise). */
li2_model *li2_trainer_model(li2_trainer *t);
li2_transformer *li2_trainer_transformer(li2_trainer *t);

/* Early stop (issue 13 item 6a): a run is settled once its test accuracy
 * has been >= ACC at WINDOW consecutive evaluations (the run's
 * eval_interval apart); the caller stops there and reports the run as
 * reaching ACC.  Off when ACC <= 0.  The rule looks only at evaluations,
 * so a stopped run is a bit-identical prefix of the full run and its
 * false-stop rate (settled, yet below ACC at the full budget: grokked
 * then lost, as nll runs do, paper Sec. 7 "Early stopping") is measured
 * by replaying full runs' evaluations through the same function. */
typedef struct li2_early_stop {
  double acc;
  long window, count;
} li2_early_stop;
void li2_early_stop_init(li2_early_stop *s, double acc, long window);
/* Feed one evaluation's test accuracy; 1 once settled, else 0. */
int li2_early_stop_update(li2_early_stop *s, double test_acc);

/* Train T (from its current epoch) up to the largest of the NB ascending
 * epoch BUDGETS, evaluating every EVERY epochs and at each budget; ACC[b]
 * is the test accuracy at BUDGETS[b].  With ES (may be NULL), *SETTLED (may
 * be NULL) is the epoch at which the rule settled (-1: never); when STOP
 * the run stops there and the budgets not reached get the accuracy it
 * stopped at (>= ES's acc), else it runs on (the rule's shadow, to pair
 * its decision with the full run's outcome). */
int li2_trainer_run_budgets(li2_trainer *t, const long *budgets, size_t nb, long every,
                            li2_early_stop *es, int stop, double *acc, long *settled,
                            li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
