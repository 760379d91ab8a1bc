/* The reference trainer (see train.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "train_impl.h"
#include "process.h"
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
  if (m->inner) {
    /* use_inner_product_act: Ws[0], Ws[1], ... each nn.Linear(M, K) */
    for (int op = 0; op < m->nops; op++) {
      li2_refrng_torch_linear(&r, M, K, w);
      for (size_t e = 0; e < M; e++)
        for (size_t j = 0; j < K; j++)
          m->W[((size_t)op * M + e) * K + j] = w[j * M + lab[e]];
    }
  } else {
    li2_refrng_torch_linear(&r, kM, K, w);
    for (int op = 0; op < m->nops; op++)
      for (size_t e = 0; e < M; e++)
        for (size_t j = 0; j < K; j++)
          m->W[(((size_t)op * M + e) * K + j) * st] = w[j * kM + (size_t)op * M + lab[e]];
  }
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
  if (t->m)
    li2_model_bn_reset(t->m);  /* use_bn: BatchNorm1d's gamma 1, beta 0, running 0 and 1 */
  t->have_prev = 0;
  memset(li2_optim_state(t->opt), 0, li2_optim_state_size(t->opt) * sizeof(double));
  li2_optim_set_steps(t->opt, 0);
  t->epoch = 0;
  t->grok_epoch = -1;
  t->last_loss = NAN;
}

/* The checkpoint's option flags of model M (version 4; 0: versions 1-2). */
static unsigned checkpoint_flags(const li2_model *m)
{
  return (m->bn ? LI2_CHECKPOINT_BN : 0u) | (m->embed ? LI2_CHECKPOINT_EMBED : 0u) |
         (m->inner ? LI2_CHECKPOINT_INNER : 0u);
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
      ck->cplx != m->cplx || ck->flags != checkpoint_flags(m) ||
      ck->nbuf != (m->bn ? 2 * m->K : 0) ||
      ck->nopt != li2_optim_state_size(t->opt) || ck->rng_len != gsl_rng_size(t->rng))
    return li2_error_set(err, LI2_EFORMAT,
                         "checkpoint dimensions (M=%zu K=%zu ops=%zu layers=%zu) do not match "
                         "its configuration", ck->M, ck->K, ck->nops, ck->other_layers);
  else {
    memcpy(t->m->params, ck->params, m->nparams * sizeof(double));
    if (m->bn)  /* bn_mean and bn_var are one block of 2K */
      memcpy(t->m->bn_mean, ck->buf, ck->nbuf * sizeof(double));
  }
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
     * threads, as many as OpenMP's (li2_process_set_threads gives it one) */
    li2_process_set_blas_threads(omp_get_max_threads());
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
      (c->cplx && li2_model_set_complex(t->m, err)) ||
      (c->use_bn && li2_model_set_bn(t->m, err)) ||
      (c->embed_trainable && li2_model_set_embed(t->m, err)) ||
      (c->inner && li2_model_set_inner(t->m, err)))
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
  if (t->c.normalize && m->inner) {
    /* the reference's normalize() on the product branch: each Ws[i] row
     * (node j's M input weights of operand i) divided by max(|row|, 1) */
    for (int op = 0; op < m->nops; op++)
      for (size_t j = 0; j < K; j++) {
        double *wj = m->W + (size_t)op * M * K + j, s = 0;
        for (size_t e = 0; e < M; e++)
          s += wj[e * K] * wj[e * K];
        s = sqrt(s);
        if (s > 1)
          for (size_t e = 0; e < M; e++)
            wj[e * K] /= s;
      }
  } else if (t->c.normalize) {
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
    double c = li2_train_frob(m->V, m->nV);
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
    if ((rc = li2_model_step_grad(t->m, t->wtrain, n, x, y, t->grad, loss, NULL, err)) ||
        (rc = li2_model_bn_update(t->m, t->wtrain, err)))  /* use_bn: running statistics */
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
    /* version 4: the options' flags; use_bn's running statistics after
     * the optimiser state */
    ck.flags = checkpoint_flags(t->m);
    if (t->m->bn) {
      ck.nbuf = 2 * t->m->K;
      ck.buf = t->m->bn_mean;
    }
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
