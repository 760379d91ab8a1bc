/* Optimisers, learning-rate schedules and the ridge solve of the top
 * layer, as the reference trainer uses them (doc/mathematics.md sections 2 and 6).
 *
 * Parameters are one flat vector x[0..n-1] whose first ROWS x COLS entries
 * form the matrix W (row-major) that Muon orthogonalises; the rest (and all
 * of x for the other optimisers) are updated elementwise.  Step formulas,
 * with g the gradient, t the step count (1 at the first step), lr the
 * learning rate of the current epoch and wd = weight_decay:
 *
 *   sgd    (torch.optim.SGD, momentum 0.9, L2): g += wd x;  b = 0.9 b + g;
 *          x -= lr b                           (b = 0 before the first step)
 *   adam   (torch.optim.Adam, L2 weight decay added to the gradient):
 *          g += wd x;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *          x -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
 *          with b1 = 0.9, b2 = 0.999, eps = 1e-8
 *   adamw  (torch.optim.AdamW, decoupled): x *= 1 - lr wd; then adam with
 *          no L2 term
 *   muon   (the reference's MuonEnhanced on W with beta2 = 0.99, no
 *          Nesterov, no scale compensation, decay before the update):
 *          W *= 1 - lr wd;  mu = 0.99 mu + 0.01 g_W;  W -= lr O(mu)
 *          with O(mu) the Newton-Schulz orthogonalisation below (or the
 *          exact polar factor U V^T of mu = U S V^T when muon_exact);
 *          every other parameter uses adam (with L2) as above.
 *
 * Newton-Schulz (the reference's zeropower_via_newtonschulz5): X = G /
 * (|G|_F + 1e-7), oriented so X is wide (r <= c), then five iterations
 * A = X X^T, X = a X + (b A + c A^2) X with (a, b, c) = (4.01, -9.22, 5.80),
 * (3.49, -6.38, 3.23), (3.34, -6.21, 3.20), (3.64, -7.48, 4.43),
 * (3.46, -5.35, 2.85).
 *
 * Memory contract: li2_optim owns its state and workspaces, all allocated
 * by li2_optim_alloc; li2_optim_step allocates nothing. */
#ifndef LI2_OPTIM_H
#define LI2_OPTIM_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LI2_OPTIM_SGD, LI2_OPTIM_ADAM, LI2_OPTIM_ADAMW, LI2_OPTIM_MUON, LI2_OPTIM_COUNT
} li2_optim_type;

typedef enum {
  LI2_LR_NONE, LI2_LR_STEP, LI2_LR_EXPONENTIAL, LI2_LR_COSINE, LI2_LR_MULTISTEP,
  LI2_LR_COUNT
} li2_lr_decay;

/* Names in enum order (name tables, li2_names_* in args.h). */
#define LI2_OPTIM_NAMES(X) X(sgd) X(adam) X(adamw) X(muon)
#define LI2_LR_DECAY_NAMES(X) X(none) X(step) X(exponential) X(cosine) X(multistep)
extern const char *const li2_optim_names[LI2_OPTIM_COUNT];
extern const char *const li2_lr_decay_names[LI2_LR_COUNT];
const char *li2_optim_name(li2_optim_type t);
int li2_optim_parse(const char *s, li2_optim_type *t, const char *key, li2_error *err);
const char *li2_lr_decay_name(li2_lr_decay d);
int li2_lr_decay_parse(const char *s, li2_lr_decay *d, const char *key, li2_error *err);

typedef struct li2_optim_params {
  li2_optim_type type;
  double weight_decay;
  double momentum;        /* sgd: 0.9 */
  double beta1, beta2;    /* adam: 0.9, 0.999 */
  double eps;             /* adam: 1e-8 */
  double muon_beta;       /* muon momentum (reference beta2): 0.99 */
  int muon_exact;         /* exact polar factor by SVD instead of Newton-Schulz */
} li2_optim_params;

/* The reference's values for TYPE with the given weight decay. */
void li2_optim_params_default(li2_optim_params *p, li2_optim_type type, double weight_decay);

typedef struct li2_optim li2_optim;

/* N parameters; the first ROWS x COLS form the Muon matrix (ignored unless
 * type is muon). */
li2_optim *li2_optim_alloc(const li2_optim_params *p, size_t n, size_t rows, size_t cols,
                           li2_error *err);
void li2_optim_free(li2_optim *o);

/* One step with learning rate LR on X given gradient G (which sgd
 * overwrites with the decayed gradient).  LI2_ENUMERIC if the SVD of
 * muon_exact fails. */
int li2_optim_step(li2_optim *o, double lr, double *x, double *g, li2_error *err);

/* Optimiser state for checkpoints: STATE (li2_optim_state_size doubles,
 * moments in a fixed order) and the step count. */
size_t li2_optim_state_size(const li2_optim *o);
double *li2_optim_state(li2_optim *o);
long li2_optim_steps(const li2_optim *o);
void li2_optim_set_steps(li2_optim *o, long t);

/* Orthogonalisations of an r x c row-major matrix G into Q (r x c).
 * WORK: li2_optim_ns_work_size(r, c) doubles. */
size_t li2_optim_ns_work_size(size_t r, size_t c);
void li2_optim_newton_schulz(size_t r, size_t c, const double *G, double *Q, double *work);
/* Exact polar factor U sign(S) V^T of G = U S V^T by GSL's SVD: singular
 * values below max(r, c) eps s_max count as zero and their directions give
 * 0 (Q = 0 at G = 0, |Q|_F^2 = rank G, Newton-Schulz's limit); LI2_ENUMERIC
 * on failure.
 * WORK: li2_optim_polar_work_size(r, c) doubles. */
size_t li2_optim_polar_work_size(size_t r, size_t c);
int li2_optim_polar(size_t r, size_t c, const double *G, double *Q, double *work,
                    li2_error *err);

/* Learning-rate schedules of the reference (torch.optim.lr_scheduler),
 * as a function of the number E of completed epochs:
 *   none        lr
 *   step        lr rate^floor(E / step)                    (StepLR)
 *   exponential lr rate^E                                  (ExponentialLR)
 *   cosine      lr (1 + cos(pi E / T)) / 2, T = num_epochs (CosineAnnealingLR,
 *               eta_min = 0, closed form)
 *   multistep   lr rate^#{milestones <= E}                 (MultiStepLR) */
#define LI2_LR_MAX_MILESTONES 32
typedef struct li2_lr_schedule {
  li2_lr_decay type;
  double lr;              /* learning_rate */
  double rate;            /* lr_decay_rate (0.1) */
  long step;              /* lr_decay_step (1000) */
  long total;             /* num_epochs (cosine) */
  size_t nmilestones;     /* lr_decay_milestones */
  long milestones[LI2_LR_MAX_MILESTONES];
} li2_lr_schedule;

double li2_lr_at(const li2_lr_schedule *s, long epoch);

/* Parse "1000,2000" into S->milestones (increasing, positive). */
int li2_lr_parse_milestones(li2_lr_schedule *s, const char *text, li2_error *err);

/* MEAN (d) = the column means of A (n x d, row-major): the sample mean that
 * the centring P = I - 11^T/n of doc/mathematics.md section 2 removes.  Summed in
 * row order, so every caller gets the same bits. */
void li2_column_means(size_t n, size_t d, const double *A, double *mean);

/* ---- ridge regression of the top layer (doc/mathematics.md section 2) ----
 *   V = (F^T F + lambda I)^{-1} F^T Y        (K x M)
 * F n x K features, Y n x M targets (row-major).  With CENTER the columns
 * of F and Y are first centred over the samples (F~ = P F, Y~ = P Y),
 * giving doc/mathematics.md's V*.  The smaller of the K x K primal and the n x n
 * dual system (F F^T + lambda I)^{-1} is factorised by Cholesky; both give
 * the same V since (F^T F + lambda I)^{-1} F^T = F^T (F F^T + lambda I)^{-1}.
 * One implementation, used by the trainer's set_weight_reg and by the
 * gradient analysis. */
typedef struct li2_ridge li2_ridge;
li2_ridge *li2_ridge_alloc(size_t nmax, size_t K, size_t M, int center, li2_error *err);
void li2_ridge_free(li2_ridge *r);
/* LI2_ENUMERIC (naming set_weight_reg) when the system is not positive
 * definite (lambda = 0 with rank-deficient features). */
int li2_ridge_solve(li2_ridge *r, size_t n, const double *F, const double *Y, double lambda,
                    double *V, li2_error *err);
/* Same with targets Y = one-hot(labels) - 1/M, as the reference's Y_train. */
int li2_ridge_solve_labels(li2_ridge *r, size_t n, const double *F, const int *labels,
                           double lambda, double *V, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
