/* Lazy-stage analysis of a network (see lazy.h). */
#include "lazy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stages.h"

struct li2_lazy {
  li2_model *m;            /* borrowed */
  li2_model_work *w;
  li2_gradient *g;
  size_t n, K, M;
  const int *y;            /* borrowed labels */
  double *Vstar, *Vsave;   /* K x M */
  double *R, *dO;          /* n x M */
  double *G, *L;           /* n x K */
  double *buf;             /* the six arrays above */
};

li2_lazy *li2_lazy_alloc(li2_model *m, size_t n, li2_error *err)
{
  li2_lazy *A;
  if (li2_model_require_real(m, "the lazy-stage closed form", err))
    return NULL;
  if (m->nlayers > 0) {
    /* the chain rule would reach the first hidden layer, not F */
    li2_error_set(err, LI2_EUNSUP, "lazy: other_layers=%d: the closed form is for the 2-layer "
                                   "network", m->nlayers);
    return NULL;
  }
  if (!(A = calloc(1, sizeof *A))) {
    li2_error_set(err, LI2_ENOMEM, "out of memory for n=%zu K=%zu", n, m->K);
    return NULL;
  }
  A->m = m;
  A->n = n;
  A->K = m->K;
  A->M = m->M;
  if (!(A->w = li2_model_work_alloc(m, n, 1, 0, err)) ||
      !(A->g = li2_gradient_alloc(n, m->K, m->M, err))) {
    li2_lazy_free(A);
    return NULL;
  }
  if (!(A->buf = malloc(2 * (A->K * A->M + n * A->M + n * A->K) * sizeof *A->buf))) {
    li2_error_set(err, LI2_ENOMEM, "out of memory for n=%zu K=%zu", n, m->K);
    li2_lazy_free(A);
    return NULL;
  }
  A->Vstar = A->buf;
  A->Vsave = A->Vstar + A->K * A->M;
  A->R = A->Vsave + A->K * A->M;
  A->dO = A->R + n * A->M;
  A->G = A->dO + n * A->M;
  A->L = A->G + n * A->K;
  return A;
}

void li2_lazy_free(li2_lazy *A)
{
  if (!A)
    return;
  li2_model_work_free(A->w);
  li2_gradient_free(A->g);
  free(A->buf);
  free(A);
}

int li2_lazy_set(li2_lazy *A, const int *x, const int *y, li2_error *err)
{
  int rc;
  A->y = y;
  if ((rc = li2_model_forward_features(A->m, A->w, A->n, x, err)))
    return rc;
  return li2_gradient_set(A->g, li2_model_work_top(A->w), y, err);
}

const double *li2_lazy_features(const li2_lazy *A) { return li2_model_work_top(A->w); }
li2_gradient *li2_lazy_gradient(li2_lazy *A) { return A->g; }

/* |S a - b| / max(|b|, tiny) with |b| in *BNORM: a route (scaled by S)
 * against the closed form. */
static double rel_err(double s, const double *a, const double *b, size_t len, double *bnorm)
{
  double num = 0, den = 0;
  for (size_t i = 0; i < len; i++) {
    double d = s * a[i] - b[i];
    num += d * d;
    den += b[i] * b[i];
  }
  if (bnorm)
    *bnorm = sqrt(den);
  return sqrt(num) / fmax(sqrt(den), 1e-300);
}

/* V* and the closed-form G_F (and R when given) at ETA into A. */
static int closed_form_at(li2_lazy *A, double eta, double *R, li2_error *err)
{
  int rc = li2_gradient_ridge(A->g, eta, A->Vstar, err);
  return rc ? rc : li2_gradient_closed_form(A->g, eta, R, A->G, err);
}

int li2_lazy_check_compute(li2_lazy *A, double eta, li2_lazy_check *c, li2_error *err)
{
  const size_t n = A->n, K = A->K, M = A->M;
  li2_model *m = A->m;
  double lazy = 0, vsq = 0;
  int rc;
  c->eta = eta;
  if ((rc = closed_form_at(A, eta, A->R, err)))
    return rc;
  /* backprop: V = V*, the network's own top layer forward and backward */
  memcpy(A->Vsave, m->V, K * M * sizeof(double));
  memcpy(m->V, A->Vstar, K * M * sizeof(double));
  rc = li2_model_forward_outputs(m, A->w, A->y, NULL, NULL, err);
  if (!rc) {
    lazy = li2_gradient_lazy_loss(A->g, li2_model_work_outputs(A->w), A->dO);
    rc = li2_model_backward_from_outputs(m, A->w, A->dO, err);
  }
  memcpy(m->V, A->Vsave, K * M * sizeof(double));
  if (rc)
    return rc;
  /* G_F(backprop) = -dL/dF, R(backprop) = -dL/dO */
  c->cf_rel = rel_err(-1, li2_model_work_dfeatures(A->w), A->G, n * K, &c->gf_norm);
  c->r_rel = rel_err(-1, A->dO, A->R, n * M, &c->r_norm);
  for (size_t i = 0; i < K * M; i++)
    vsq += A->Vstar[i] * A->Vstar[i];
  c->lazy_loss = lazy + 0.5 * eta * vsq;
  li2_gradient_independence_of(A->g, eta, A->G, A->L, &c->rel_distance, &c->own_share);
  return LI2_SUCCESS;
}

int li2_lazy_check_sweep(li2_lazy *A, long epoch, const double *eta, size_t neta,
                         li2_lazy_check *c, li2_error *err)
{
  for (size_t i = 0; i < neta; i++) {
    int rc;
    memset(&c[i], 0, sizeof c[i]);
    c[i].epoch = epoch;
    if ((rc = li2_lazy_check_compute(A, eta[i], &c[i], err)))
      return rc;
  }
  return LI2_SUCCESS;
}

double li2_lazy_trainer_eta(const li2_train_config *c, size_t n)
{
  return c->use_ridge ? c->set_weight_reg : (double)n * c->optim.weight_decay / 2;
}

int li2_lazy_trainer_compute(li2_lazy *A, double eta, li2_lazy_trainer *t, li2_error *err)
{
  const size_t n = A->n, K = A->K, M = A->M;
  li2_model *m = A->m;
  double num = 0, den = 0, loss;
  int rc;
  t->eta = eta;
  t->loss = t->gf_rel = t->v_rel = NAN;
  if (!(eta > 0))
    return LI2_SUCCESS;
  if ((rc = closed_form_at(A, eta, NULL, err)) ||
      (rc = li2_model_forward_outputs(m, A->w, A->y, &loss, NULL, err)) ||
      (rc = li2_model_backward(m, A->w, NULL, 1, 1, err)))
    return rc;
  t->loss = loss;
  /* the trainer's loss is 2/n times the lazy one: -(n/2) dLoss/dF */
  t->gf_rel = rel_err(-0.5 * (double)n, li2_model_work_dfeatures(A->w), A->G, n * K, NULL);
  /* V against V*, both centred over the outputs (the loss ignores V 1) */
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
  t->v_rel = sqrt(num) / fmax(sqrt(den), 1e-300);
  return LI2_SUCCESS;
}

int li2_lazy_checkpoint_analyse(const char *path, const double *eta, size_t neta,
                                li2_lazy_checkpoint *info, li2_lazy_check *checks,
                                li2_error *err)
{
  li2_trainer *t = li2_trainer_load(path, err);
  li2_lazy *A = NULL;
  li2_model *m;
  const li2_dataset *d;
  double et;
  int rc = LI2_SUCCESS;
  if (!t)
    return err->code;
  m = li2_trainer_model(t);
  d = li2_trainer_dataset(t);
  if (!m) {
    rc = li2_model_require_real(m, "the lazy-stage closed form", err);
    li2_error_prefix(err, "%s: ", path);
    li2_trainer_free(t);
    return rc;
  }
  et = li2_lazy_trainer_eta(li2_trainer_config(t), d->ntrain);
  memset(info, 0, sizeof *info);
  snprintf(info->group, sizeof info->group, "%s", li2_trainer_group(t)->name);
  info->epoch = li2_trainer_epoch(t);
  info->n = d->ntrain;
  info->K = m->K;
  if (m->cplx)
    rc = li2_model_require_real(m, "the lazy-stage closed form", err);
  else if (m->nlayers > 0)
    rc = li2_error_set(err, LI2_EUNSUP,
                       "%s: other_layers=%d: the closed form is for the 2-layer network", path,
                       m->nlayers);
  else if (!neta && !(et > 0))
    rc = li2_error_set(err, LI2_EINVAL,
                       "%s: the run has weight_decay=0, so its ridge-equivalent eta is 0 "
                       "(no closed form); give eta=X", path);
  if (!neta) {
    eta = &et;
    neta = 1;
  }
  if (!rc && !(A = li2_lazy_alloc(m, d->ntrain, err)))
    rc = err->code;
  if (!rc)
    rc = li2_lazy_set(A, d->train_x, d->train_y, err);
  if (!rc)
    rc = li2_lazy_check_sweep(A, info->epoch, eta, neta, checks, err);
  if (!rc)
    rc = li2_lazy_trainer_compute(A, et, &info->trainer, err);
  li2_lazy_free(A);
  li2_trainer_free(t);
  return rc;
}

int li2_lazy_checks_write(const char *dir, const li2_lazy_check *c, size_t n, li2_error *err)
{
  li2_io_file f;
  int rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, "gradient.tsv", err)))
    return rc;
  fputs("epoch\teta\tclosed_form_rel_error\tresidual_rel_error\tgf_norm\tresidual_norm\tlazy_loss\n",
        f.fp);
  for (size_t i = 0; i < n; i++) {
    li2_stages_epoch_print(f.fp, c[i].epoch);
    fprintf(f.fp, "\t%.17g\t%.6e\t%.6e\t%.17g\t%.17g\t%.17g\n", c[i].eta, c[i].cf_rel,
            c[i].r_rel, c[i].gf_norm, c[i].r_norm, c[i].lazy_loss);
  }
  if ((rc = li2_io_commit(&f, err)))
    return rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, "independence.tsv", err)))
    return rc;
  fputs("epoch\teta\trel_distance\town_share\n", f.fp);
  for (size_t i = 0; i < n; i++) {
    li2_stages_epoch_print(f.fp, c[i].epoch);
    fprintf(f.fp, "\t%.17g\t%.17g\t%.17g\n", c[i].eta, c[i].rel_distance, c[i].own_share);
  }
  return li2_io_commit(&f, err);
}

/* ---- built features ---- */

li2_model *li2_lazy_model_alloc(const li2_group *group, li2_fourier *f, li2_activation act,
                                size_t fresh, double fresh_scale, const size_t *comp,
                                size_t ns, unsigned long seed, li2_error *err)
{
  const size_t M = group->order, K = fresh + ns;
  li2_model *m = li2_model_alloc(M, 2, K, 0, act, LI2_LOSS_MSE, err);
  gsl_rng *rng = NULL;
  double *u = NULL;
  int rc = LI2_SUCCESS;
  if (!m)
    return NULL;
  /* fresh nodes first (columns 0..fresh-1), then the exact ones in the
   * order given; u_j = W[a K + j], v_j = W[(M + b) K + j] */
  if (!(rng = gsl_rng_alloc(gsl_rng_mt19937))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  gsl_rng_set(rng, seed);
  for (size_t j = 0; j < fresh; j++)
    for (size_t r = 0; r < 2 * M; r++)
      m->W[r * K + j] = gsl_ran_gaussian(rng, fresh_scale);
  if (!(u = malloc(2 * M * sizeof *u))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < ns && !rc; i++) {
    rc = li2_gradient_exact_node(group, f, comp[i], rng, u, u + M, err);
    for (size_t r = 0; r < 2 * M && !rc; r++)
      m->W[r * K + fresh + i] = u[r];
  }
done:
  free(u);
  gsl_rng_free(rng);
  if (rc) {
    li2_model_free(m);
    return NULL;
  }
  return m;
}

void li2_lazy_modulation_clear(li2_lazy_modulation *mod)
{
  if (!mod)
    return;
  for (size_t i = 0; i < mod->nrows; i++) {
    free(mod->rows[i].resid);
    free(mod->rows[i].fresh);
  }
  free(mod->rows);
  free(mod->comp);
  free(mod->inside);
  memset(mod, 0, sizeof *mod);
}

/* Shares of one step from the label-space powers PR (residual) and PF
 * (fresh G_F, unused without fresh nodes). */
static void modulation_shares(li2_lazy_modulation_row *r, const li2_lazy_modulation *mod,
                              const int *in_now, const double *pr, const double *pf)
{
  const size_t nc = mod->ncomponents;
  const int fresh = mod->fresh > 0;
  double rt = 0, ft = 0;
  for (size_t c = 1; c < nc; c++) {
    rt += pr[c];
    ft += fresh ? pf[c] : 0;
  }
  for (size_t c = 0; c < nc; c++) {
    r->resid[c] = rt > 0 ? pr[c] / rt : NAN;
    r->fresh[c] = fresh && ft > 0 ? pf[c] / ft : NAN;
    if (c == 0)
      continue;
    if (mod->inside[c]) {
      r->resid_in += r->resid[c];
      r->fresh_in += r->fresh[c];
    }
    if (in_now[c]) {
      r->resid_in_now += r->resid[c];
      r->fresh_in_now += r->fresh[c];
    }
  }
}

/* The closed form on the first KT columns of FALL (n x K) at ETA and the
 * label-space power per component of R (PR) and of the FRESH first
 * columns of G_F (PF). */
static int modulation_power(li2_fourier *f, const double *Fall, const int *y, size_t n,
                            size_t K, size_t M, size_t Kt, size_t fresh, double eta,
                            double *Fs, double *Rs, double *Gs, double *pr, double *pf,
                            li2_error *err)
{
  li2_gradient *gt;
  int rc;
  for (size_t s = 0; s < n; s++)
    memcpy(Fs + s * Kt, Fall + s * K, Kt * sizeof *Fs);
  if (!(gt = li2_gradient_alloc(n, Kt, M, err)))
    return err->code;
  if (!(rc = li2_gradient_set(gt, Fs, y, err)) &&
      !(rc = li2_gradient_closed_form(gt, eta, Rs, Gs, err)) &&
      !(rc = li2_gradient_label_power(gt, f, Rs, M, M, pr, err)) && fresh)
    rc = li2_gradient_label_power(gt, f, Gs, fresh, Kt, pf, err);
  li2_gradient_free(gt);
  return rc;
}

int li2_lazy_modulation_compute(li2_lazy *A, li2_fourier *f, const li2_characters *ct,
                                size_t fresh, const size_t *comp, size_t ns,
                                const double *eta, size_t neta, li2_lazy_modulation *out,
                                li2_progress *progress, li2_error *err)
{
  const size_t n = A->n, K = A->K, M = A->M, nc = li2_fourier_ncomponents(f);
  const size_t first = fresh ? 0 : 1, cap = neta * (ns + 1 - first);
  int *in_now = NULL, rc = LI2_SUCCESS;
  double *Fs = NULL, *Rs = NULL, *Gs = NULL, *pr = NULL, *pf = NULL, dim = 0;
  memset(out, 0, sizeof *out);
  if (fresh + ns != K)
    return li2_error_set(err, LI2_EINVAL, "modulation: %zu fresh + %zu exact nodes, model has %zu",
                         fresh, ns, K);
  out->ncomponents = nc;
  out->fresh = fresh;
  out->ns = ns;
  out->comp = malloc((ns ? ns : 1) * sizeof *out->comp);
  out->inside = calloc(nc, sizeof *out->inside);
  out->rows = calloc(cap ? cap : 1, sizeof *out->rows);
  in_now = calloc(nc, sizeof *in_now);
  Fs = malloc(n * K * sizeof *Fs);
  Rs = malloc(n * M * sizeof *Rs);
  Gs = malloc(n * K * sizeof *Gs);
  pr = malloc(nc * sizeof *pr);
  pf = malloc(nc * sizeof *pf);
  if (!out->comp || !out->inside || !out->rows || !in_now || !Fs || !Rs || !Gs || !pr || !pf) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if (ns)
    memcpy(out->comp, comp, ns * sizeof *comp);
  /* the no-modulation expectation: the share of label space in S,
   * sum over S of dim(component) / (M - 1) */
  for (size_t i = 0; i < ns; i++)
    out->inside[comp[i]] = 1;
  for (size_t i = 0; i < ct->nirreps; i++)
    if (out->inside[ct->component_of[i]])
      dim += (double)ct->degree[i] * ct->degree[i];
  out->baseline = dim / (double)(M - 1);
  if (progress)
    li2_progress_init(progress, "modulation", (long)cap);
  /* S grows node by node (doc/mathematics.md section 5) */
  for (size_t e = 0; e < neta && !rc; e++) {
    memset(in_now, 0, nc * sizeof *in_now);
    for (size_t step = first; step <= ns && !rc; step++) {
      li2_lazy_modulation_row *r = &out->rows[out->nrows];
      if (step > 0)
        in_now[comp[step - 1]] = 1;
      if ((rc = modulation_power(f, li2_lazy_features(A), A->y, n, K, M, fresh + step, fresh,
                                 eta[e], Fs, Rs, Gs, pr, pf, err)))
        break;
      r->eta = eta[e];
      r->step = step;
      r->resid = malloc(nc * sizeof *r->resid);
      r->fresh = malloc(nc * sizeof *r->fresh);
      out->nrows++;
      if (!r->resid || !r->fresh) {
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        break;
      }
      modulation_shares(r, out, in_now, pr, pf);
      if (progress)
        li2_progress_update(progress, (long)out->nrows, NULL);
    }
  }
  if (progress)
    li2_progress_finish(progress);
done:
  free(in_now);
  free(Fs);
  free(Rs);
  free(Gs);
  free(pr);
  free(pf);
  if (rc)
    li2_lazy_modulation_clear(out);
  return rc;
}

size_t li2_lazy_modulation_ends(const li2_lazy_modulation *mod, size_t first,
                                const li2_lazy_modulation_row **base,
                                const li2_lazy_modulation_row **last)
{
  size_t q = first;
  *base = *last = NULL;
  for (; q < mod->nrows && mod->rows[q].eta == mod->rows[first].eta; q++) {
    if (mod->rows[q].step == 0)
      *base = &mod->rows[q];
    *last = &mod->rows[q];
  }
  return q;
}

int li2_lazy_modulation_write(const char *dir, const li2_lazy_modulation *mod, li2_error *err)
{
  const size_t nc = mod->ncomponents;
  li2_io_file f;
  int rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, "modulation.tsv", err)))
    return rc;
  fputs("eta\tstep\tS\tresidual_inside\tfresh_inside\tresidual_inside_now\tfresh_inside_now",
        f.fp);
  for (int pass = 0; pass < 2; pass++)
    for (size_t c = 1; c < nc; c++)
      fprintf(f.fp, "\t%s_c%zu", pass ? "fresh" : "residual", c);
  fputc('\n', f.fp);
  for (size_t i = 0; i < mod->nrows; i++) {
    const li2_lazy_modulation_row *m = &mod->rows[i];
    fprintf(f.fp, "%.17g\t%zu\t", m->eta, m->step);
    /* the components of S at this step, in first-seen order */
    if (m->step == 0)
      fputs("-", f.fp);
    for (size_t k = 0, first = 1; k < m->step; k++) {
      int seen = 0;
      for (size_t q = 0; q < k; q++)
        seen |= mod->comp[q] == mod->comp[k];
      if (!seen) {
        fprintf(f.fp, "%s%zu", first ? "" : ",", mod->comp[k]);
        first = 0;
      }
    }
    fprintf(f.fp, "\t%.17g\t%.17g\t%.17g\t%.17g", m->resid_in, m->fresh_in, m->resid_in_now,
            m->fresh_in_now);
    for (int pass = 0; pass < 2; pass++)
      for (size_t c = 1; c < nc; c++)
        fprintf(f.fp, "\t%.17g", pass ? m->fresh[c] : m->resid[c]);
    fputc('\n', f.fp);
  }
  return li2_io_commit(&f, err);
}
