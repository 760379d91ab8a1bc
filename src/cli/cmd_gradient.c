/* li2 gradient: the backpropagated gradient G_F of the lazy stage
 * (THEORY.md sections 2 and 5) on a trained network's checkpoints or on
 * features built from chosen components, and the three stages of a
 * training run (src/stages.h).
 *
 * "Backprop" G_F: THEORY.md's G_F is -dL/dF of the lazy-stage loss
 *   L(F, V) = 1/2 |P (Y - F V)|^2 + eta/2 |V|^2   (P centres over samples).
 * It is computed by the chain rule through the network's own top layer
 * (li2_model_forward_outputs with V = V*, dL/dO = P O - Y~ from
 * li2_gradient_lazy_loss, li2_model_backward_from_outputs) and compared
 * with the closed form eta (F~F~^T + eta I)^{-1} Y~Y~^T F~ (F~^T F~ + eta I)^{-1},
 * which never forms V*.
 *
 * The trainer's own objective for V is (1/n) sum_s |Q o_s - (e_c - 1/M)|^2
 * + wd/2 |V|^2 (centred MSE, Q centring over the M outputs, L2 weight
 * decay as Adam/SGD add it to the gradient).  Times n/2 this is
 * 1/2 |Y_c - F V Q|^2 + (n wd/4) |V|^2: a ridge problem with
 * eta = n wd / 2, the default eta for checkpoints (set_weight_reg runs:
 * their lambda).  It differs from the lazy-stage loss in centring the
 * outputs over classes instead of the features over samples (the network
 * has no bias); "trainer_gf_rel_diff" reports how far the trainer's own
 * -(n/2) dLoss/dF at the checkpoint's V is from the closed form. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "cli.h"
#include "../characters.h"
#include "../checkpoint.h"
#include "../dataset.h"
#include "../fourier.h"
#include "../gradient.h"
#include "../group.h"
#include "../io.h"
#include "../json.h"
#include "../model.h"
#include "../plot.h"
#include "../stages.h"
#include "../train.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "run", NULL, "run directory of li2 train: analyse its checkpoints", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "epoch", NULL, "run: checkpoint epochs N[,N,...] (default: the latest)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "group", NULL, "built features: the group (23, Z4xZ6, S4, D5, ...)", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "M", NULL, "built features: the trainer's name for the group; group overrides", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "nodes", NULL, "exact-feature nodes: 1,2,3x6 = components 1-3, six nodes each; 1x6+4-5x2", 1, 0, NULL, 0},
  {LI2_ARG_INT, "fresh", "8", "built features: fresh (small random) nodes", 0, 1e6, NULL, 0},
  {LI2_ARG_DOUBLE, "fresh_scale", "0.05", "built features: std. deviation of the fresh nodes' weights", 0, 1e6, NULL, 0},
  {LI2_ARG_CHOICE, "activation", "sqr", "built features: activation", 1, 0, "sqr|relu|silu|relusqr", 0},
  {LI2_ARG_INT, "train_size", "0", "built features: random training set of this size (0: full table)", 0, 1e15, NULL, 0},
  {LI2_ARG_INT, "seed", "0", "built features: phases, fresh nodes and the split", 0, 4294967295.0, NULL, 0},
  {LI2_ARG_STRING, "eta", NULL, "ridge eta: X | X,Y,... | A:B:log:N | A:B:lin:N (default: run n*weight_decay/2, built 1e-3)", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "stages", "true", "run: mark stages I, II, III over all checkpoints", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "fit_acc", "0.99", "stage I ends when the training accuracy reaches this", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "active_ratio", "0.1", "a node is active when |w_j| >= active_ratio max |w| (as compare)", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "purity_min", "0.9", "a node is pure when its dominant component's share >= this", 0, 1, NULL, 0},
  {LI2_ARG_INT, "pure_nodes", "1", "stage II ends when this many active nodes are pure", 1, 1e9, NULL, 0},
  {LI2_ARG_DOUBLE, "plateau", "0.01", "stage III: test accuracy within this of its best, for good", 0, 1, NULL, 0},
  {LI2_ARG_STRING, "out", NULL, "directory: gradient.tsv, independence.tsv, modulation.tsv, stages.tsv, plots", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "plot", "true", "run gnuplot on the scripts when it is on PATH", 1, 0, NULL, 0},
  {LI2_ARG_INT, "threads", "0", "OpenMP and BLAS threads (0: all cores)", 0, 1024, NULL, 0},
  {LI2_ARG_FLAG, "json", "false", "print the summary as JSON", 1, 0, NULL, 0},
  {0}
};

/* ---- results ---- */

typedef struct {
  long epoch;              /* -1: built features */
  double eta;
  double cf_rel, r_rel;    /* closed form vs backprop: G_F, residual */
  double gf_norm, r_norm, lazy_loss;
  double rel_distance, own_share;
} grad_row;

typedef struct {
  long epoch;
  size_t n, K;
  double trainer_eta, trainer_loss, trainer_gf_rel, trainer_v_rel;
} ckpt_row;

typedef struct {
  double eta;
  size_t step;             /* S nodes included */
  double resid_in, fresh_in;          /* share inside the final S */
  double resid_in_now, fresh_in_now;  /* share inside the S of this step */
  double *resid, *fresh;   /* nc shares per component */
} mod_row;

typedef struct {
  grad_row *g;
  size_t ng, capg;
  ckpt_row *c;
  size_t nc_rows, capc;
  mod_row *m;
  size_t nm, capm;
  size_t ncomp;            /* real components (modulation) */
  int *in_final;           /* ncomp: component in the final S */
  double predicted_baseline;
  li2_stage stages[3];
  int have_stages;
  li2_stages_point *pts;
  size_t npts;
  li2_stages_metric *metrics;
  size_t nmetrics;
} results;

static void results_free(results *r)
{
  for (size_t i = 0; i < r->nm; i++) {
    free(r->m[i].resid);
    free(r->m[i].fresh);
  }
  free(r->g);
  free(r->c);
  free(r->m);
  free(r->in_final);
  free(r->pts);
  free(r->metrics);
}

/* grow *P (elements of SIZE) to hold N + 1 */
static int grow(void **p, size_t *cap, size_t n, size_t size)
{
  if (n < *cap)
    return 0;
  size_t nc = *cap ? 2 * *cap : 16;
  void *q = realloc(*p, nc * size);
  if (!q)
    return -1;
  *p = q;
  *cap = nc;
  return 0;
}

/* ---- closed form versus backprop on one set of features ---- */

typedef struct {
  li2_model *m;            /* borrowed */
  li2_model_work *w;
  li2_gradient *g;
  size_t n, K, M;
  const int *x, *y;
  double *Vstar, *Vsave, *R, *G, *L, *dO;
} analysis;

static void analysis_free(analysis *A)
{
  li2_model_work_free(A->w);
  li2_gradient_free(A->g);
  free(A->Vstar);
  free(A->Vsave);
  free(A->R);
  free(A->G);
  free(A->L);
  free(A->dO);
  memset(A, 0, sizeof *A);
}

/* Features of model M on N samples by its own forward pass. */
static int analysis_setup(analysis *A, li2_model *m, size_t n, const int *x, const int *y,
                          li2_error *err)
{
  int rc;
  memset(A, 0, sizeof *A);
  A->m = m;
  A->n = n;
  A->K = m->K;
  A->M = m->M;
  A->x = x;
  A->y = y;
  if (!(A->w = li2_model_work_alloc(m, n, 1, 0, err)))
    return err->code;
  if ((rc = li2_model_forward_features(m, A->w, n, x, err)))
    return rc;
  if (!(A->g = li2_gradient_alloc(n, m->K, m->M, err)))
    return err->code;
  if ((rc = li2_gradient_set(A->g, li2_model_work_top(A->w), y, err)))
    return rc;
  A->Vstar = malloc(m->K * m->M * sizeof(double));
  A->Vsave = malloc(m->K * m->M * sizeof(double));
  A->R = malloc(n * m->M * sizeof(double));
  A->dO = malloc(n * m->M * sizeof(double));
  A->G = malloc(n * m->K * sizeof(double));
  A->L = malloc(n * m->K * sizeof(double));
  if (!A->Vstar || !A->Vsave || !A->R || !A->dO || !A->G || !A->L)
    return li2_error_set(err, LI2_ENOMEM, "out of memory for n=%zu K=%zu", n, m->K);
  return LI2_SUCCESS;
}

static double frob(const double *a, size_t len)
{
  double s = 0;
  for (size_t i = 0; i < len; i++)
    s += a[i] * a[i];
  return sqrt(s);
}

/* Closed form and backprop at ETA, and independence; leaves the closed-form
 * R and G_F in A->R, A->G. */
static int analysis_check(analysis *A, double eta, grad_row *row, li2_error *err)
{
  const size_t n = A->n, K = A->K, M = A->M;
  li2_model *m = A->m;
  const double *O, *dF;
  double gsq = 0, dsq = 0, rsq = 0, drsq = 0, lazy = 0;
  int rc;
  row->eta = eta;
  if ((rc = li2_gradient_ridge(A->g, eta, A->Vstar, err)) ||
      (rc = li2_gradient_closed_form(A->g, eta, A->R, A->G, err)))
    return rc;
  /* backprop: V = V*, the network's own top layer forward and backward */
  memcpy(A->Vsave, m->V, K * M * sizeof(double));
  memcpy(m->V, A->Vstar, K * M * sizeof(double));
  rc = li2_model_forward_outputs(m, A->w, A->y, NULL, NULL, err);
  if (!rc) {
    O = li2_model_work_outputs(A->w);
    lazy = li2_gradient_lazy_loss(A->g, O, A->dO);
    rc = li2_model_backward_from_outputs(m, A->w, A->dO, err);
  }
  memcpy(m->V, A->Vsave, K * M * sizeof(double));
  if (rc)
    return rc;
  dF = li2_model_work_dfeatures(A->w);
  /* G_F(backprop) = -dF, R(backprop) = -dO */
  for (size_t i = 0; i < n * K; i++) {
    double d = -dF[i] - A->G[i];
    dsq += d * d;
    gsq += A->G[i] * A->G[i];
  }
  for (size_t i = 0; i < n * M; i++) {
    double d = -A->dO[i] - A->R[i];
    drsq += d * d;
    rsq += A->R[i] * A->R[i];
  }
  row->cf_rel = sqrt(dsq) / fmax(sqrt(gsq), 1e-300);
  row->r_rel = sqrt(drsq) / fmax(sqrt(rsq), 1e-300);
  row->gf_norm = sqrt(gsq);
  row->r_norm = sqrt(rsq);
  row->lazy_loss = lazy + 0.5 * eta * frob(A->Vstar, K * M) * frob(A->Vstar, K * M);
  li2_gradient_independence_of(A->g, eta, A->G, A->L, &row->rel_distance, &row->own_share);
  return LI2_SUCCESS;
}

static int add_grad_row(results *res, const grad_row *r, li2_error *err)
{
  if (grow((void **)&res->g, &res->capg, res->ng, sizeof *res->g))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  res->g[res->ng++] = *r;
  return LI2_SUCCESS;
}

static int check_all(analysis *A, long epoch, const double *eta, size_t neta, results *res,
                     li2_progress *prog, long *done, li2_error *err)
{
  for (size_t i = 0; i < neta; i++) {
    grad_row r;
    int rc;
    memset(&r, 0, sizeof r);
    r.epoch = epoch;
    if ((rc = analysis_check(A, eta[i], &r, err)) || (rc = add_grad_row(res, &r, err)))
      return rc;
    li2_progress_update(prog, ++*done, NULL);
  }
  return LI2_SUCCESS;
}

/* ---- run mode ---- */

static int parse_epochs(const char *s, long **out, size_t *n, li2_error *err)
{
  size_t cnt = 1;
  for (const char *p = s; *p; p++)
    cnt += *p == ',';
  long *e = malloc(cnt * sizeof *e);
  if (!e)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  cnt = 0;
  for (const char *p = s;;) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || v < 0 || (*end && *end != ',')) {
      free(e);
      return li2_error_set(err, LI2_EINVAL, "parameter epoch: '%s' is not a list of epochs N,N,...",
                           s);
    }
    e[cnt++] = v;
    if (!*end)
      break;
    p = end + 1;
  }
  *out = e;
  *n = cnt;
  return LI2_SUCCESS;
}

static int cmp_long(const void *a, const void *b)
{
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

/* Epochs of the ckpt-NNNNNN.li2 files of DIR, sorted. */
static int list_checkpoints(const char *dir, long **out, size_t *n, li2_error *err)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  long *e = NULL;
  size_t cnt = 0, cap = 0;
  *out = NULL;
  *n = 0;
  if (!d)
    return li2_error_set(err, LI2_EIO, "parameter run: cannot open directory %s", dir);
  while ((de = readdir(d))) {
    long v;
    char tail[8];
    if (sscanf(de->d_name, "ckpt-%ld.li%7s", &v, tail) != 2 || strcmp(tail, "2"))
      continue;
    if (grow((void **)&e, &cap, cnt, sizeof *e)) {
      closedir(d);
      free(e);
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    }
    e[cnt++] = v;
  }
  closedir(d);
  if (cnt)
    qsort(e, cnt, sizeof *e, cmp_long);
  *out = e;
  *n = cnt;
  return LI2_SUCCESS;
}

static char *ckpt_path(const char *dir, long epoch)
{
  char name[64];
  if (epoch < 0)
    return li2_io_path(dir, "checkpoint.li2");
  snprintf(name, sizeof name, "ckpt-%06ld.li2", epoch);
  return li2_io_path(dir, name);
}

/* The trainer's ridge-equivalent eta (see the top of this file). */
static double trainer_eta(const li2_train_config *c, size_t n)
{
  return c->use_ridge ? c->set_weight_reg : (double)n * c->optim.weight_decay / 2;
}

/* For information: the trainer's own loss at the checkpoint's V against the
 * closed form at its ridge-equivalent eta. */
static int trainer_info(analysis *A, double eta, ckpt_row *cr, li2_error *err)
{
  const size_t n = A->n, K = A->K, M = A->M;
  li2_model *m = A->m;
  const double *dF;
  double num = 0, den = 0, loss;
  int rc;
  cr->trainer_eta = eta;
  cr->trainer_loss = cr->trainer_gf_rel = cr->trainer_v_rel = NAN;
  if (!(eta > 0))
    return LI2_SUCCESS;
  if ((rc = li2_gradient_ridge(A->g, eta, A->Vstar, err)) ||
      (rc = li2_gradient_closed_form(A->g, eta, NULL, A->G, err)) ||
      (rc = li2_model_forward_outputs(m, A->w, A->y, &loss, NULL, err)) ||
      (rc = li2_model_backward(m, A->w, NULL, 1, 1, err)))
    return rc;
  cr->trainer_loss = loss;
  dF = li2_model_work_dfeatures(A->w);
  for (size_t i = 0; i < n * K; i++) {
    double d = -0.5 * (double)n * dF[i] - A->G[i];
    num += d * d;
    den += A->G[i] * A->G[i];
  }
  cr->trainer_gf_rel = sqrt(num) / fmax(sqrt(den), 1e-300);
  /* V against V*, both centred over the outputs (the loss ignores V 1) */
  num = den = 0;
  for (size_t j = 0; j < K; j++) {
    double mean = 0;
    for (size_t c = 0; c < M; c++)
      mean += m->V[j * M + c] / (double)M;
    for (size_t c = 0; c < M; c++) {
      double d = m->V[j * M + c] - mean - A->Vstar[j * M + c];
      num += d * d;
      den += A->Vstar[j * M + c] * A->Vstar[j * M + c];
    }
  }
  cr->trainer_v_rel = sqrt(num) / fmax(sqrt(den), 1e-300);
  return LI2_SUCCESS;
}

static int run_checkpoints(const li2_args *a, const char *dir, const double *eta_given,
                           size_t neta_given, results *res, char *group_name, size_t gsize,
                           li2_error *err)
{
  long *epochs = NULL;
  size_t nep = 1;
  int rc = LI2_SUCCESS;
  li2_progress prog;
  long done = 0;
  if (li2_args_has(a, "epoch")) {
    if ((rc = parse_epochs(li2_args_string(a, "epoch"), &epochs, &nep, err)))
      return rc;
  }
  li2_progress_init(&prog, "gradient", (long)(nep * (neta_given ? neta_given : 1)));
  for (size_t i = 0; i < nep && !rc; i++) {
    char *path = ckpt_path(dir, epochs ? epochs[i] : -1);
    li2_trainer *t = NULL;
    analysis A;
    ckpt_row cr;
    memset(&A, 0, sizeof A);
    if (!path) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      break;
    }
    if (!(t = li2_trainer_load(path, err))) {
      rc = err->code;
    } else {
      li2_model *m = li2_trainer_model(t);
      const li2_dataset *d = li2_trainer_dataset(t);
      double et = trainer_eta(li2_trainer_config(t), d->ntrain);
      const double *eta = eta_given;
      size_t neta = neta_given;
      snprintf(group_name, gsize, "%s", li2_trainer_group(t)->name);
      if (m->nlayers > 0)
        rc = li2_error_set(err, LI2_EUNSUP,
                           "%s: other_layers=%d: the closed form is for the 2-layer network",
                           path, m->nlayers);
      else if (!neta && !(et > 0))
        rc = li2_error_set(err, LI2_EINVAL,
                           "%s: the run has weight_decay=0, so its ridge-equivalent eta is 0 "
                           "(no closed form); give eta=X", path);
      if (!neta) {
        eta = &et;
        neta = 1;
      }
      if (!rc)
        rc = analysis_setup(&A, m, d->ntrain, d->train_x, d->train_y, err);
      if (!rc)
        rc = check_all(&A, li2_trainer_epoch(t), eta, neta, res, &prog, &done, err);
      if (!rc) {
        memset(&cr, 0, sizeof cr);
        cr.epoch = li2_trainer_epoch(t);
        cr.n = d->ntrain;
        cr.K = m->K;
        rc = trainer_info(&A, et, &cr, err);
        if (!rc && grow((void **)&res->c, &res->capc, res->nc_rows, sizeof *res->c))
          rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        if (!rc)
          res->c[res->nc_rows++] = cr;
      }
    }
    analysis_free(&A);
    li2_trainer_free(t);
    free(path);
  }
  li2_progress_finish(&prog);
  free(epochs);
  return rc;
}

static int run_stages(const li2_args *a, const char *dir, results *res, li2_error *err)
{
  li2_stages_params p;
  long *ep = NULL;
  size_t nep = 0;
  char *path = NULL;
  li2_trainer *t = NULL;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_stages_work *sw = NULL;
  double *W0 = NULL;
  li2_progress prog;
  int rc;
  li2_stages_params_default(&p);
  p.fit_acc = li2_args_double(a, "fit_acc");
  p.active_ratio = li2_args_double(a, "active_ratio");
  p.purity = li2_args_double(a, "purity_min");
  p.pure_nodes = (size_t)li2_args_int(a, "pure_nodes");
  p.plateau = li2_args_double(a, "plateau");
  if (!(path = li2_io_path(dir, "metrics.tsv")))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_stages_metrics_read(path, &res->metrics, &res->nmetrics, err);
  free(path);
  path = NULL;
  if (rc || (rc = list_checkpoints(dir, &ep, &nep, err)))
    goto done;
  if (nep == 0) {
    rc = li2_error_set(err, LI2_EINVAL, "parameter run: %s has no ckpt-*.li2 checkpoints "
                                        "(train with out=DIR and a save_interval)", dir);
    goto done;
  }
  /* the initialisation W_0: the first checkpoint's trainer reset to its seed */
  if (!(path = ckpt_path(dir, ep[0]))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if (!(t = li2_trainer_load(path, err))) {
    rc = err->code;
    goto done;
  }
  li2_trainer_set(t);
  {
    li2_model *m = li2_trainer_model(t);
    const li2_group *g = li2_trainer_group(t);
    if (!(W0 = malloc(m->nW * sizeof *W0))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    memcpy(W0, m->W, m->nW * sizeof *W0);
    if (!(ct = li2_characters_alloc(g, err)) ||
        !(f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err)) ||
        !(sw = li2_stages_work_alloc(f, m->M, m->K, m->nops, err))) {
      rc = err->code;
      goto done;
    }
    if (!(res->pts = calloc(nep, sizeof *res->pts))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    li2_progress_init(&prog, "stages", (long)nep);
    for (size_t i = 0; i < nep; i++) {
      char *cp = ckpt_path(dir, ep[i]);
      li2_checkpoint *ck = cp ? li2_checkpoint_read(cp, err) : NULL;
      if (!cp)
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      else if (!ck)
        rc = err->code;
      else if (ck->M != m->M || ck->K != m->K || ck->nops != (size_t)m->nops)
        rc = li2_error_set(err, LI2_EFORMAT, "%s: dimensions differ from the run's first "
                                             "checkpoint", cp);
      else if (!(rc = li2_stages_measure(sw, &p, ck->W, W0, &res->pts[i], err)))
        res->pts[i].epoch = ck->epoch;
      li2_checkpoint_free(ck);
      free(cp);
      if (rc)
        break;
      res->npts = i + 1;
      li2_progress_update(&prog, (long)i + 1, NULL);
    }
    li2_progress_finish(&prog);
    if (rc)
      goto done;
  }
  rc = li2_stages_detect(&p, res->metrics, res->nmetrics, res->pts, res->npts, res->stages, err);
  if (!rc)
    res->have_stages = 1;
done:
  li2_stages_work_free(sw);
  li2_fourier_free(f);
  li2_characters_free(ct);
  li2_trainer_free(t);
  free(W0);
  free(path);
  free(ep);
  return rc;
}

/* ---- built features ---- */

static int run_built(const li2_args *a, const double *eta, size_t neta, results *res,
                     char *group_name, size_t gsize, size_t **out_comp, size_t *out_ns,
                     li2_error *err)
{
  const char *gspec = li2_args_has(a, "group") ? li2_args_string(a, "group")
                                               : li2_args_string(a, "M");
  size_t fresh = (size_t)li2_args_int(a, "fresh"), ns = 0, *comp = NULL, K, M, nc;
  double fscale = li2_args_double(a, "fresh_scale");
  li2_group *g = NULL;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_dataset *d = NULL;
  li2_model *m = NULL;
  li2_activation act;
  gsl_rng *rng = NULL;
  analysis A;
  li2_progress prog;
  long done = 0;
  double *Fall = NULL, *Fs = NULL, *Rs = NULL, *Gs = NULL, *pr = NULL, *pf = NULL;
  int rc, prog_started = 0;
  memset(&A, 0, sizeof A);
  if (!(g = li2_group_alloc_name(gspec, err))) {
    li2_error_prefix(err, "parameter %s: ", li2_args_has(a, "group") ? "group" : "M");
    return err->code;
  }
  snprintf(group_name, gsize, "%s", g->name);
  M = g->order;
  if (!(ct = li2_characters_alloc(g, err)) ||
      !(f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err))) {
    rc = err->code;
    goto done;
  }
  nc = li2_fourier_ncomponents(f);
  if (li2_args_has(a, "nodes") &&
      (rc = li2_gradient_nodes_parse(li2_args_string(a, "nodes"), "nodes", nc, &comp, &ns, err)))
    goto done;
  K = fresh + ns;
  if (K == 0) {
    rc = li2_error_set(err, LI2_EINVAL, "parameter fresh: no nodes (give nodes=... or fresh=N > 0)");
    goto done;
  }
  if ((rc = li2_activation_parse(li2_args_string(a, "activation"), &act, "activation", err)))
    goto done;
  if (li2_args_int(a, "train_size") > 0) {
    li2_split_params sp;
    li2_split_params_default(&sp);
    sp.train_size = li2_args_int(a, "train_size");
    sp.seed = (unsigned long)li2_args_int(a, "seed");
    d = li2_dataset_alloc_split(g, 2, &sp, err);
  } else {
    d = li2_dataset_alloc_full(g, 2, err);
  }
  if (!d) {
    rc = err->code;
    goto done;
  }
  if (!(m = li2_model_alloc(M, 2, K, 0, act, LI2_LOSS_MSE, err))) {
    rc = err->code;
    goto done;
  }
  /* nodes: fresh ones first (columns 0..fresh-1), then the exact ones in
   * the order given; u_j = W[a K + j], v_j = W[(M + b) K + j] */
  rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  gsl_rng_set(rng, (unsigned long)li2_args_int(a, "seed"));
  for (size_t j = 0; j < fresh; j++)
    for (size_t r = 0; r < 2 * M; r++)
      m->W[r * K + j] = gsl_ran_gaussian(rng, fscale);
  {
    double *u = malloc(2 * M * sizeof *u);
    if (!u) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    for (size_t i = 0; i < ns && !rc; i++) {
      rc = li2_gradient_exact_node(g, f, comp[i], rng, u, u + M, err);
      for (size_t r = 0; r < 2 * M && !rc; r++)
        m->W[r * K + fresh + i] = u[r];
    }
    free(u);
    if (rc)
      goto done;
  }
  li2_progress_init(&prog, "gradient", (long)(neta * (ns + 2)));
  prog_started = 1;
  if ((rc = analysis_setup(&A, m, d->ntrain, d->train_x, d->train_y, err)))
    goto done;
  if ((rc = check_all(&A, -1, eta, neta, res, &prog, &done, err)))
    goto done;

  /* top-down modulation (THEORY.md section 5): S grows node by node */
  if (ns > 0) {
    const size_t n = d->ntrain;
    res->ncomp = nc;
    res->in_final = calloc(nc, sizeof *res->in_final);
    int *in_now = calloc(nc, sizeof *in_now);
    Fall = malloc(n * K * sizeof *Fall);
    Fs = malloc(n * K * sizeof *Fs);
    Rs = malloc(n * M * sizeof *Rs);
    Gs = malloc(n * K * sizeof *Gs);
    pr = malloc(nc * sizeof *pr);
    pf = malloc(nc * sizeof *pf);
    if (!res->in_final || !in_now || !Fall || !Fs || !Rs || !Gs || !pr || !pf) {
      free(in_now);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    memcpy(Fall, li2_model_work_top(A.w), n * K * sizeof *Fall);
    /* the no-modulation expectation: the share of label space in S,
     * sum over S of dim(component) / (M - 1) */
    {
      double dim = 0;
      for (size_t i = 0; i < ns; i++)
        res->in_final[comp[i]] = 1;
      for (size_t i = 0; i < ct->nirreps; i++)
        if (res->in_final[ct->component_of[i]])
          dim += (double)ct->degree[i] * ct->degree[i];
      res->predicted_baseline = dim / (double)(M - 1);
    }
    for (size_t e = 0; e < neta && !rc; e++) {
      memset(in_now, 0, nc * sizeof *in_now);
      for (size_t step = fresh ? 0 : 1; step <= ns && !rc; step++) {
        size_t Kt = fresh + step;
        li2_gradient *gt = NULL;
        mod_row mr;
        double rt = 0, ft = 0;
        memset(&mr, 0, sizeof mr);
        if (step > 0)
          in_now[comp[step - 1]] = 1;
        for (size_t s = 0; s < n; s++)
          memcpy(Fs + s * Kt, Fall + s * K, Kt * sizeof *Fs);
        if (!(gt = li2_gradient_alloc(n, Kt, M, err)) ||
            (rc = li2_gradient_set(gt, Fs, d->train_y, err)) ||
            (rc = li2_gradient_closed_form(gt, eta[e], Rs, Gs, err)) ||
            (rc = li2_gradient_label_power(gt, f, Rs, M, M, pr, err)) ||
            (rc = fresh ? li2_gradient_label_power(gt, f, Gs, fresh, Kt, pf, err) : 0)) {
          if (!gt)
            rc = err->code;
          li2_gradient_free(gt);
          break;
        }
        li2_gradient_free(gt);
        mr.eta = eta[e];
        mr.step = step;
        mr.resid = malloc(nc * sizeof *mr.resid);
        mr.fresh = malloc(nc * sizeof *mr.fresh);
        if (!mr.resid || !mr.fresh || grow((void **)&res->m, &res->capm, res->nm, sizeof *res->m)) {
          free(mr.resid);
          free(mr.fresh);
          rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
          break;
        }
        for (size_t c = 1; c < nc; c++) {
          rt += pr[c];
          ft += fresh ? pf[c] : 0;
        }
        for (size_t c = 0; c < nc; c++) {
          mr.resid[c] = rt > 0 ? pr[c] / rt : NAN;
          mr.fresh[c] = fresh && ft > 0 ? pf[c] / ft : NAN;
          if (c == 0)
            continue;
          if (res->in_final[c]) {
            mr.resid_in += mr.resid[c];
            mr.fresh_in += mr.fresh[c];
          }
          if (in_now[c]) {
            mr.resid_in_now += mr.resid[c];
            mr.fresh_in_now += mr.fresh[c];
          }
        }
        res->m[res->nm++] = mr;
        li2_progress_update(&prog, ++done, NULL);
      }
    }
    free(in_now);
  }
  *out_comp = comp;
  *out_ns = ns;
  comp = NULL;
done:
  if (prog_started)
    li2_progress_finish(&prog);
  analysis_free(&A);
  free(Fall);
  free(Fs);
  free(Rs);
  free(Gs);
  free(pr);
  free(pf);
  free(comp);
  gsl_rng_free(rng);
  li2_model_free(m);
  li2_dataset_free(d);
  li2_fourier_free(f);
  li2_characters_free(ct);
  li2_group_free(g);
  return rc;
}

/* ---- output ---- */

static void put_epoch(FILE *fp, long epoch)
{
  if (epoch >= 0)
    fprintf(fp, "%ld", epoch);
  else
    fputs("-", fp);
}

static int open_out(const char *dir, const char *name, li2_io_file *f, li2_error *err)
{
  char *p = li2_io_path(dir, name);
  int rc;
  if (!p)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_io_open_atomic(f, p, err);
  free(p);
  return rc;
}

static int write_gradient_tsv(const char *dir, const results *r, li2_error *err)
{
  li2_io_file f;
  int rc;
  if ((rc = open_out(dir, "gradient.tsv", &f, err)))
    return rc;
  fputs("epoch\teta\tclosed_form_rel_error\tresidual_rel_error\tgf_norm\tresidual_norm\tlazy_loss\n",
        f.fp);
  for (size_t i = 0; i < r->ng; i++) {
    const grad_row *g = &r->g[i];
    put_epoch(f.fp, g->epoch);
    fprintf(f.fp, "\t%.17g\t%.6e\t%.6e\t%.17g\t%.17g\t%.17g\n", g->eta, g->cf_rel, g->r_rel,
            g->gf_norm, g->r_norm, g->lazy_loss);
  }
  if ((rc = li2_io_commit(&f, err)))
    return rc;
  if ((rc = open_out(dir, "independence.tsv", &f, err)))
    return rc;
  fputs("epoch\teta\trel_distance\town_share\n", f.fp);
  for (size_t i = 0; i < r->ng; i++) {
    const grad_row *g = &r->g[i];
    put_epoch(f.fp, g->epoch);
    fprintf(f.fp, "\t%.17g\t%.17g\t%.17g\n", g->eta, g->rel_distance, g->own_share);
  }
  return li2_io_commit(&f, err);
}

static int write_modulation_tsv(const char *dir, const results *r, const size_t *comp,
                                li2_error *err)
{
  li2_io_file f;
  int rc;
  if ((rc = open_out(dir, "modulation.tsv", &f, err)))
    return rc;
  fputs("eta\tstep\tS\tresidual_inside\tfresh_inside\tresidual_inside_now\tfresh_inside_now",
        f.fp);
  for (size_t c = 1; c < r->ncomp; c++)
    fprintf(f.fp, "\tresidual_c%zu", c);
  for (size_t c = 1; c < r->ncomp; c++)
    fprintf(f.fp, "\tfresh_c%zu", c);
  fputc('\n', f.fp);
  for (size_t i = 0; i < r->nm; i++) {
    const mod_row *m = &r->m[i];
    fprintf(f.fp, "%.17g\t%zu\t", m->eta, m->step);
    /* the components of S at this step, in first-seen order */
    if (m->step == 0)
      fputs("-", f.fp);
    for (size_t k = 0, first = 1; k < m->step; k++) {
      int seen = 0;
      for (size_t q = 0; q < k; q++)
        seen |= comp[q] == comp[k];
      if (!seen) {
        fprintf(f.fp, "%s%zu", first ? "" : ",", comp[k]);
        first = 0;
      }
    }
    fprintf(f.fp, "\t%.17g\t%.17g\t%.17g\t%.17g", m->resid_in, m->fresh_in, m->resid_in_now,
            m->fresh_in_now);
    for (size_t c = 1; c < r->ncomp; c++)
      fprintf(f.fp, "\t%.17g", m->resid[c]);
    for (size_t c = 1; c < r->ncomp; c++)
      fprintf(f.fp, "\t%.17g", m->fresh[c]);
    fputc('\n', f.fp);
  }
  return li2_io_commit(&f, err);
}

static const char *roman[3] = {"I", "II", "III"};

static long last_epoch(const results *r)
{
  long e = r->nmetrics ? r->metrics[r->nmetrics - 1].epoch : 0;
  if (r->npts && r->pts[r->npts - 1].epoch > e)
    e = r->pts[r->npts - 1].epoch;
  return e;
}

static int write_stages_tsv(const char *dir, const results *r, li2_error *err)
{
  li2_io_file f;
  int rc;
  if ((rc = open_out(dir, "stages.tsv", &f, err)))
    return rc;
  fputs("stage\tstart_epoch\tend_epoch\tcriterion\n", f.fp);
  for (int s = 0; s < 3; s++) {
    const li2_stage *st = &r->stages[s];
    fprintf(f.fp, "%s\t", roman[s]);
    put_epoch(f.fp, st->start);
    fputc('\t', f.fp);
    put_epoch(f.fp, st->end);
    fprintf(f.fp, "\t%s\n", st->criterion);
  }
  if ((rc = li2_io_commit(&f, err)))
    return rc;
  if ((rc = open_out(dir, "stage-measures.tsv", &f, err)))
    return rc;
  fputs("epoch\tw_moved\tnactive\tnpure\tpure_fraction\tpurity\tcoverage\tcovered\n", f.fp);
  for (size_t i = 0; i < r->npts; i++) {
    const li2_stages_point *p = &r->pts[i];
    fprintf(f.fp, "%ld\t%.17g\t%zu\t%zu\t%.17g\t%.17g\t%.17g\t%zu\n", p->epoch, p->w_moved,
            p->nactive, p->npure, p->pure_fraction, p->purity, p->coverage, p->covered);
  }
  if ((rc = li2_io_commit(&f, err)))
    return rc;
  /* the accuracies for the grokking plot (copied: scripts read their own
   * directory only) */
  if ((rc = open_out(dir, "grokking.tsv", &f, err)))
    return rc;
  fputs("epoch\ttrain_acc\ttest_acc\n", f.fp);
  for (size_t i = 0; i < r->nmetrics; i++) {
    const li2_stages_metric *m = &r->metrics[i];
    fprintf(f.fp, "%ld\t%.17g\t", m->epoch, m->train_acc);
    if (isnan(m->test_acc))
      fputs("-\n", f.fp);
    else
      fprintf(f.fp, "%.17g\n", m->test_acc);
  }
  return li2_io_commit(&f, err);
}

static void maybe_plot(const li2_args *a, const char *dir, const char *base)
{
  if (!li2_args_bool(a, "plot"))
    return;
  char *gp = li2_plot_gnuplot_path();
  li2_error perr = {0};
  if (gp && li2_plot_run(dir, base, &perr))
    fprintf(stderr, "li2 gradient: warning: %s\n", perr.msg);
  free(gp);
}

static int write_plots(const li2_args *a, const char *dir, const results *r, li2_error *err)
{
  int rc;
  int several_eta = 0;
  for (size_t i = 1; i < r->ng; i++)
    several_eta |= r->g[i].eta != r->g[0].eta;
  if (several_eta) {
    /* one curve per checkpoint epoch (at most 8), or one for built features */
    char dist[8192], share[8192];
    size_t ld = 0, ls = 0, ncurves = 0;
    for (size_t i = 0; i < r->ng && ncurves < 8; i++) {
      char title[64];
      int seen = 0;
      for (size_t q = 0; q < i; q++)
        seen |= r->g[q].epoch == r->g[i].epoch;
      if (seen)
        continue;
      ncurves++;
      if (r->g[i].epoch >= 0)
        snprintf(title, sizeof title, "epoch %ld", r->g[i].epoch);
      else
        snprintf(title, sizeof title, "built features");
      for (int col = 3; col <= 4; col++) {
        char usecol[96];
        char *buf = col == 3 ? dist : share;
        size_t *len = col == 3 ? &ld : &ls;
        /* checkpoints: the rows of this epoch; built features: all rows */
        if (r->g[i].epoch >= 0)
          snprintf(usecol, sizeof usecol, "(strcol(1) eq \"%ld\" ? $%d : NaN)", r->g[i].epoch,
                   col);
        else
          snprintf(usecol, sizeof usecol, "%d", col);
        *len += (size_t)snprintf(buf + *len, sizeof dist - *len,
                                 "%s\"independence.tsv\" using 2:%s skip 1 with linespoints "
                                 "lt %zu title \"%s\"", *len ? ", " : "", usecol, ncurves,
                                 title);
      }
    }
    li2_plot_var v[] = {{"DATA", "independence.tsv"}, {"DIST_PLOT", dist}, {"SHARE_PLOT", share},
                        {"HEIGHT", "3.2in"}};
    if ((rc = li2_plot_write_script(dir, "independence", "gradient-independence", v, 4, err)))
      return rc;
    maybe_plot(a, dir, "independence");
  }
  if (r->nm) {
    char eta[64], base[64];
    snprintf(eta, sizeof eta, "%.17g", r->m[0].eta);
    snprintf(base, sizeof base, "%.6g", r->predicted_baseline);
    li2_plot_var v[] = {{"DATA", "modulation.tsv"}, {"ETA", eta}, {"BASELINE", base}};
    if ((rc = li2_plot_write_script(dir, "modulation", "gradient-modulation", v, 3, err)))
      return rc;
    maybe_plot(a, dir, "modulation");
  }
  if (r->have_stages) {
    /* shaded stages: rectangles and labels, in both panels */
    static const char *const colors[3] = {"#56B4E9", "#E69F00", "#009E73"};
    char rects[2048];
    size_t len = 0;
    long last = last_epoch(r);
    for (int s = 0; s < 3; s++) {
      const li2_stage *st = &r->stages[s];
      long x0 = st->start, x1 = st->end >= 0 ? st->end : last;
      if (st->start < 0 || x1 <= x0)
        continue;
      len += (size_t)snprintf(rects + len, sizeof rects - len,
                              "set object %d rect from %ld, graph 0 to %ld, graph 1 behind "
                              "fc rgb \"%s\" fs transparent solid 0.18 noborder\n"
                              "set label %d \"%s\" at %g, graph 0.92 center font \",7\"\n",
                              s + 1, x0, x1, colors[s], s + 1, roman[s], 0.5 * (x0 + x1));
    }
    rects[len] = 0;
    li2_plot_var v[] = {{"ACC", "grokking.tsv"}, {"MEASURES", "stage-measures.tsv"},
                        {"STAGES", rects}, {"HEIGHT", "3.2in"}};
    if ((rc = li2_plot_write_script(dir, "grokking-stages", "grokking-stages", v, 4, err)))
      return rc;
    maybe_plot(a, dir, "grokking-stages");
  }
  return LI2_SUCCESS;
}

static void json_num_or_null(li2_json_writer *w, const char *key, long v)
{
  li2_json_key(w, key);
  if (v >= 0)
    li2_json_int(w, v);
  else
    li2_json_null(w);
}

static void print_json(const results *r, const char *source, const char *group)
{
  li2_json_writer w;
  double cf = 0, rr = 0;
  for (size_t i = 0; i < r->ng; i++) {
    cf = fmax(cf, r->g[i].cf_rel);
    rr = fmax(rr, r->g[i].r_rel);
  }
  li2_json_writer_init(&w, stdout, 1);
  li2_json_object_begin(&w);
  li2_json_key(&w, "source");
  li2_json_string(&w, source);
  li2_json_key(&w, "group");
  li2_json_string(&w, group);
  li2_json_key(&w, "closed_form_rel_error");
  li2_json_number(&w, r->ng ? cf : NAN);
  li2_json_key(&w, "residual_rel_error");
  li2_json_number(&w, r->ng ? rr : NAN);
  if (r->nc_rows) {
    li2_json_key(&w, "checkpoints");
    li2_json_array_begin(&w);
    for (size_t i = 0; i < r->nc_rows; i++) {
      const ckpt_row *c = &r->c[i];
      li2_json_object_begin(&w);
      li2_json_key(&w, "epoch");
      li2_json_int(&w, c->epoch);
      li2_json_key(&w, "n");
      li2_json_int(&w, (long)c->n);
      li2_json_key(&w, "K");
      li2_json_int(&w, (long)c->K);
      li2_json_key(&w, "trainer_eta");
      li2_json_number(&w, c->trainer_eta);
      li2_json_key(&w, "trainer_loss");
      li2_json_number(&w, c->trainer_loss);
      li2_json_key(&w, "trainer_gf_rel_diff");
      li2_json_number(&w, c->trainer_gf_rel);
      li2_json_key(&w, "trainer_v_rel_diff");
      li2_json_number(&w, c->trainer_v_rel);
      li2_json_object_end(&w);
    }
    li2_json_array_end(&w);
  }
  li2_json_key(&w, "gradient");
  li2_json_array_begin(&w);
  for (size_t i = 0; i < r->ng; i++) {
    const grad_row *g = &r->g[i];
    li2_json_object_begin(&w);
    json_num_or_null(&w, "epoch", g->epoch);
    li2_json_key(&w, "eta");
    li2_json_number(&w, g->eta);
    li2_json_key(&w, "closed_form_rel_error");
    li2_json_number(&w, g->cf_rel);
    li2_json_key(&w, "residual_rel_error");
    li2_json_number(&w, g->r_rel);
    li2_json_key(&w, "gf_norm");
    li2_json_number(&w, g->gf_norm);
    li2_json_key(&w, "residual_norm");
    li2_json_number(&w, g->r_norm);
    li2_json_key(&w, "lazy_loss");
    li2_json_number(&w, g->lazy_loss);
    li2_json_object_end(&w);
  }
  li2_json_array_end(&w);
  li2_json_key(&w, "independence");
  li2_json_array_begin(&w);
  for (size_t i = 0; i < r->ng; i++) {
    const grad_row *g = &r->g[i];
    li2_json_object_begin(&w);
    json_num_or_null(&w, "epoch", g->epoch);
    li2_json_key(&w, "eta");
    li2_json_number(&w, g->eta);
    li2_json_key(&w, "rel_distance");
    li2_json_number(&w, g->rel_distance);
    li2_json_key(&w, "own_share");
    li2_json_number(&w, g->own_share);
    li2_json_object_end(&w);
  }
  li2_json_array_end(&w);
  if (r->nm) {
    /* per component at the final S, first eta */
    const mod_row *last = NULL;
    for (size_t i = 0; i < r->nm && r->m[i].eta == r->m[0].eta; i++)
      last = &r->m[i];
    li2_json_key(&w, "modulation_eta");
    li2_json_number(&w, last->eta);
    li2_json_key(&w, "modulation");
    li2_json_array_begin(&w);
    for (size_t c = 1; c < r->ncomp; c++) {
      li2_json_object_begin(&w);
      li2_json_key(&w, "component");
      li2_json_int(&w, (long)c);
      li2_json_key(&w, "inside");
      li2_json_bool(&w, r->in_final[c]);
      li2_json_key(&w, "share");
      li2_json_number(&w, last->resid[c]);
      li2_json_key(&w, "fresh_share");
      li2_json_number(&w, last->fresh[c]);
      li2_json_object_end(&w);
    }
    li2_json_array_end(&w);
    li2_json_key(&w, "modulation_summary");
    li2_json_array_begin(&w);
    for (size_t i = 0; i < r->nm; i++) {
      const mod_row *m = &r->m[i], *base = NULL, *fin = NULL;
      if (i > 0 && r->m[i - 1].eta == m->eta)
        continue;
      for (size_t q = i; q < r->nm && r->m[q].eta == m->eta; q++) {
        if (r->m[q].step == 0)
          base = &r->m[q];
        fin = &r->m[q];
      }
      li2_json_object_begin(&w);
      li2_json_key(&w, "eta");
      li2_json_number(&w, m->eta);
      li2_json_key(&w, "residual_inside");
      li2_json_number(&w, fin->resid_in);
      li2_json_key(&w, "fresh_inside");
      li2_json_number(&w, fin->fresh_in);
      li2_json_key(&w, "baseline_residual_inside");
      li2_json_number(&w, base ? base->resid_in : NAN);
      li2_json_key(&w, "baseline_fresh_inside");
      li2_json_number(&w, base ? base->fresh_in : NAN);
      li2_json_key(&w, "predicted_baseline");
      li2_json_number(&w, r->predicted_baseline);
      li2_json_object_end(&w);
    }
    li2_json_array_end(&w);
  }
  if (r->have_stages) {
    li2_json_key(&w, "stages");
    li2_json_array_begin(&w);
    for (int s = 0; s < 3; s++) {
      const li2_stage *st = &r->stages[s];
      li2_json_object_begin(&w);
      li2_json_key(&w, "stage");
      li2_json_string(&w, roman[s]);
      json_num_or_null(&w, "start_epoch", st->start);
      json_num_or_null(&w, "end_epoch", st->end);
      li2_json_key(&w, "criterion");
      li2_json_string(&w, st->criterion);
      li2_json_object_end(&w);
    }
    li2_json_array_end(&w);
  }
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
}

static void print_text(const results *r, const char *source, const char *group)
{
  double cf = 0;
  for (size_t i = 0; i < r->ng; i++)
    cf = fmax(cf, r->g[i].cf_rel);
  printf("source\t%s\ngroup\t%s\n", source, group);
  if (r->ng)
    printf("closed_form_rel_error\t%.3e\n", cf);
  for (size_t i = 0; i < r->nc_rows; i++)
    printf("checkpoint\tepoch %ld\ttrainer_eta %.6g\ttrainer_gf_rel_diff %.4g\ttrainer_v_rel_diff %.4g\n",
           r->c[i].epoch, r->c[i].trainer_eta, r->c[i].trainer_gf_rel, r->c[i].trainer_v_rel);
  printf("epoch\teta\tclosed_form_rel_error\trel_distance\town_share\n");
  for (size_t i = 0; i < r->ng; i++) {
    const grad_row *g = &r->g[i];
    put_epoch(stdout, g->epoch);
    printf("\t%.6g\t%.3e\t%.6g\t%.6g\n", g->eta, g->cf_rel, g->rel_distance, g->own_share);
  }
  if (r->nm) {
    printf("modulation\teta\tstep\tresidual_inside\tfresh_inside\n");
    for (size_t i = 0; i < r->nm; i++)
      printf("modulation\t%.6g\t%zu\t%.6f\t%.6f\n", r->m[i].eta, r->m[i].step, r->m[i].resid_in,
             r->m[i].fresh_in);
    printf("predicted_baseline\t%.6f\n", r->predicted_baseline);
  }
  if (r->have_stages)
    for (int s = 0; s < 3; s++) {
      const li2_stage *st = &r->stages[s];
      printf("stage %s\t", roman[s]);
      put_epoch(stdout, st->start);
      putchar('\t');
      put_epoch(stdout, st->end);
      printf("\t%s\n", st->criterion);
    }
}

static const char *const run_only[] = {"epoch", "stages", NULL};
static const char *const built_only[] = {"nodes", "fresh", "fresh_scale", "activation",
                                         "train_size", "seed", NULL};

static int run(const li2_args *a, li2_error *err)
{
  results res;
  double *eta = NULL;
  size_t neta = 0, *comp = NULL, ns = 0;
  const char *out = li2_args_has(a, "out") ? li2_args_string(a, "out") : NULL;
  const char *dir = li2_args_has(a, "run") ? li2_args_string(a, "run") : NULL;
  char group[1024] = "", source[1100];
  int rc;
  memset(&res, 0, sizeof res);
  li2_train_set_threads((int)li2_args_int(a, "threads"));
  /* one source of features, and no parameter of the other */
  if (!dir && !li2_args_has(a, "group") && !li2_args_has(a, "M"))
    return li2_error_set(err, LI2_EINVAL,
                         "parameter run: give run=DIR (checkpoints) or group=G nodes=... "
                         "(built features)");
  if (dir && (li2_args_has(a, "group") || li2_args_has(a, "M")))
    return li2_error_set(err, LI2_EINVAL, "parameter %s: not with run=DIR (the run names its group)",
                         li2_args_has(a, "group") ? "group" : "M");
  for (const char *const *k = dir ? built_only : run_only; *k; k++)
    if (li2_args_given(a, *k))
      return li2_error_set(err, LI2_EINVAL, "parameter %s: only for %s", *k,
                           dir ? "built features (group=G)" : "runs (run=DIR)");
  if (li2_args_has(a, "eta") &&
      (rc = li2_gradient_eta_parse(li2_args_string(a, "eta"), "eta", &eta, &neta, err)))
    return rc;
  if (out && (rc = li2_io_mkdir(out, err)))
    goto done;
  if (dir) {
    snprintf(source, sizeof source, "run %s", dir);
    if ((rc = run_checkpoints(a, dir, eta, neta, &res, group, sizeof group, err)))
      goto done;
    if (li2_args_bool(a, "stages") && (rc = run_stages(a, dir, &res, err)))
      goto done;
  } else {
    static const double eta_default = 1e-3;
    snprintf(source, sizeof source, "features");
    if ((rc = run_built(a, neta ? eta : &eta_default, neta ? neta : 1, &res, group,
                        sizeof group, &comp, &ns, err)))
      goto done;
  }
  if (out) {
    if ((rc = write_gradient_tsv(out, &res, err)) ||
        (res.nm && (rc = write_modulation_tsv(out, &res, comp, err))) ||
        (res.have_stages && (rc = write_stages_tsv(out, &res, err))) ||
        (rc = write_plots(a, out, &res, err)))
      goto done;
  }
  if (li2_args_bool(a, "json"))
    print_json(&res, source, group);
  else
    print_text(&res, source, group);
  rc = LI2_SUCCESS;
done:
  results_free(&res);
  free(eta);
  free(comp);
  return rc;
}

const li2_command li2_command_gradient = {
  "gradient",
  "G_F of the lazy stage: closed form vs backprop, independence, modulation, stages",
  "run=DIR [epoch=N,...] | group=G [nodes=1,2,3x6] [fresh=N] [eta=1e-6:1e2:log:25] [out=DIR] [--json]\n\n"
  "G_F = -dL/dF of the lazy-stage loss L(F, V) = 1/2 |P(Y - F V)|^2 + eta/2 |V|^2 (P centres\n"
  "over samples, THEORY.md section 2) at the ridge optimum V*: by the chain rule through the\n"
  "network's top layer with V = V* (\"backprop\"), against the closed form\n"
  "eta (F~F~^T + eta I)^-1 Y~Y~^T F~ (F~^T F~ + eta I)^-1, which never forms V*.  Features: a\n"
  "checkpoint's hidden layer on its training split, or nodes built from components (exact\n"
  "Fourier features with random phases; for non-cyclic groups normalised projections) plus\n"
  "fresh small random nodes.  For checkpoints eta defaults to n*weight_decay/2, the ridge\n"
  "equivalent of the trainer's mean-over-samples MSE with L2 weight decay.  Independence:\n"
  "distance of G_F from (1/eta) Y~Y~^T F~ and each column's share explained by its own node.\n"
  "Modulation: label-space power (Y~^T R, Y~^T G_F of the fresh nodes) per component inside\n"
  "and outside S as S grows node by node.  Stages (run=DIR): I ends when train accuracy\n"
  "reaches fit_acc, II when pure_nodes active nodes are pure, III when coverage of the\n"
  "nontrivial components is complete and test accuracy is on its plateau (li2(1)).",
  spec, run,
};
