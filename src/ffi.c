/* Flat entry points for ctypes (ffi.h). */
#define _POSIX_C_SOURCE 200809L
#include "ffi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "dataset.h"
#include "energy.h"
#include "maxima.h"
#include "model.h"
#include "train.h"

size_t li2_ffi_error_size(void) { return sizeof(li2_error); }
void li2_ffi_free(void *p) { free(p); }

size_t li2_ffi_group_order(const li2_group *g) { return g->order; }
const char *li2_ffi_group_name(const li2_group *g) { return g->name; }
int li2_ffi_group_abelian(const li2_group *g) { return g->abelian; }
int li2_ffi_group_identity(const li2_group *g) { return g->identity; }

void li2_ffi_group_table(const li2_group *g, int *table)
{
  memcpy(table, g->table, g->order * g->order * sizeof *table);
}

size_t li2_ffi_characters_nirreps(const li2_characters *ct) { return ct->nirreps; }
size_t li2_ffi_characters_ncomponents(const li2_characters *ct) { return ct->ncomponents; }

void li2_ffi_characters_table(const li2_characters *ct, double *re, double *im)
{
  size_t n = ct->nirreps;
  for (size_t i = 0; i < n * n; i++) {
    re[i] = creal(ct->chi[i]);
    im[i] = cimag(ct->chi[i]);
  }
}

void li2_ffi_characters_classes(const li2_group *g, const li2_characters *ct, int *class_of,
                                long *size, int *rep, int *order)
{
  const li2_group_classes *c = ct->classes;
  memcpy(class_of, c->class_of, g->order * sizeof *class_of);
  for (size_t k = 0; k < c->nclasses; k++) {
    size[k] = (long)c->size[k];
    rep[k] = c->rep[k];
    order[k] = c->order[k];
  }
}

void li2_ffi_characters_irreps(const li2_characters *ct, int *degree, int *indicator,
                               int *component, int *real_dim)
{
  for (size_t i = 0; i < ct->nirreps; i++) {
    degree[i] = ct->degree[i];
    indicator[i] = ct->indicator[i];
    component[i] = ct->component_of[i];
    real_dim[i] = ct->component_real_dim[ct->component_of[i]];
  }
}

struct li2_ffi_energy {
  li2_dataset *d;
  li2_energy *e;
  li2_activation act;
};

li2_ffi_energy *li2_ffi_energy_alloc(const li2_group *g, const char *activation,
                                     const char *variant, long ntrain, unsigned long seed,
                                     li2_error *err)
{
  li2_ffi_energy *fe = calloc(1, sizeof *fe);
  int v = li2_energy_variant_from_name(variant ? variant : "raw");
  if (!fe)
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  if (v < 0) {
    li2_error_set(err, LI2_EINVAL, "parameter variant: unknown '%s' (raw|normalized|uncentred)",
                  variant);
    goto fail;
  }
  if (li2_activation_parse(activation ? activation : "sqr", &fe->act, "activation", err))
    goto fail;
  if (!(fe->d = li2_dataset_alloc_pairs(g, 2, ntrain, seed, err)) ||
      !(fe->e = li2_energy_alloc(g, fe->d, fe->act, v, LI2_ENERGY_AUTO, err)))
    goto fail;
  return fe;
fail:
  li2_ffi_energy_free(fe);
  return NULL;
}

void li2_ffi_energy_free(li2_ffi_energy *e)
{
  if (!e)
    return;
  li2_energy_free(e->e);
  li2_dataset_free(e->d);
  free(e);
}

size_t li2_ffi_energy_dim(const li2_ffi_energy *e) { return li2_energy_dim(e->e); }

int li2_ffi_energy_eval(li2_ffi_energy *e, const double *w, double *E, double *grad)
{
  return li2_energy_eval(e->e, w, E, grad);
}

li2_maxima_result *li2_ffi_maxima_search(const li2_ffi_energy *e, const li2_group *g,
                                         const li2_characters *ct, size_t starts,
                                         unsigned long seed, int threads, li2_error *err)
{
  li2_maxima_params p;
  li2_maxima_result *r = NULL;
  li2_maxima_params_default(&p);
  p.threads = threads;
  if (li2_maxima_search(g, ct, e->d, e->act, li2_energy_variant(e->e), &p, starts, seed, NULL,
                        &r, err))
    return NULL;
  return r;
}

void li2_ffi_maxima_sizes(const li2_maxima_result *r, size_t *sizes)
{
  sizes[0] = r->nstarts;
  sizes[1] = r->dim;
  sizes[2] = r->ncomponents;
}

void li2_ffi_maxima_points(const li2_maxima_result *r, double *energy, int *label,
                           int *component, double *purity, double *w, double *level)
{
  for (size_t i = 0; i < r->nstarts; i++) {
    const li2_maxima_point *pt = &r->points[i];
    if (energy)
      energy[i] = pt->energy;
    if (label)
      label[i] = pt->label;
    if (component)
      component[i] = pt->component;
    if (purity)
      purity[i] = pt->purity;
  }
  if (w)
    memcpy(w, r->w, r->nstarts * r->dim * sizeof *w);
  if (level)
    memcpy(level, r->level, r->ncomponents * sizeof *level);
}

li2_trainer *li2_ffi_trainer_alloc(const char *config, li2_error *err)
{
  li2_args *a = NULL;
  li2_train_config c;
  li2_trainer *t = NULL;
  char *text = NULL;
  if (!li2_train_args_from_text(config ? config : "", &a, err) &&
      !li2_train_config_from_args(a, &c, err)) {
    /* the complete configuration (defaults included), as li2 train stores it */
    if (!(text = li2_train_config_text(a)))
      li2_error_set(err, LI2_ENOMEM, "out of memory");
    else
      t = li2_trainer_alloc(&c, text, NULL, err);
  }
  free(text);
  li2_args_free(a);
  return t;
}

void li2_ffi_trainer_dims(li2_trainer *t, size_t *dims)
{
  const li2_model *m = li2_trainer_model(t);
  const li2_dataset *d = li2_trainer_dataset(t);
  dims[0] = m->M;
  dims[1] = m->K;
  dims[2] = (size_t)m->nops;
  dims[3] = (size_t)m->nlayers;
  dims[4] = d->ntrain;
  dims[5] = d->ntest;
}

void li2_ffi_trainer_params(li2_trainer *t, double *W, double *L, double *V)
{
  const li2_model *m = li2_trainer_model(t);
  if (W)
    memcpy(W, m->W, m->nW * sizeof *W);
  if (L && m->nL)
    memcpy(L, m->L, m->nL * sizeof *L);
  if (V)
    memcpy(V, m->V, m->nV * sizeof *V);
}

int li2_ffi_trainer_test(li2_trainer *t, double *out, li2_error *err)
{
  li2_train_metrics m;
  int rc = li2_trainer_test(t, &m, err);
  if (rc)
    return rc;
  out[0] = (double)li2_trainer_epoch(t);
  out[1] = m.train_acc;
  out[2] = m.test_acc;
  out[3] = m.train_loss;
  out[4] = m.test_loss;
  out[5] = m.gf_norm;
  out[6] = m.w_norm;
  out[7] = m.v_norm;
  out[8] = m.ftf_diag;
  out[9] = m.ftf_offdiag;
  out[10] = li2_trainer_lr(t);
  return LI2_SUCCESS;
}

void li2_ffi_checkpoint_dims(const li2_checkpoint *c, long *dims)
{
  dims[0] = (long)c->M;
  dims[1] = (long)c->K;
  dims[2] = (long)c->nops;
  dims[3] = (long)c->other_layers;
  dims[4] = (long)c->ntrain;
  dims[5] = (long)c->ntest;
  dims[6] = c->epoch;
  dims[7] = c->grok_epoch;
}

void li2_ffi_checkpoint_arrays(const li2_checkpoint *c, double *W, double *L, double *V,
                               uint32_t *split)
{
  if (W)
    memcpy(W, c->W, c->nops * c->M * c->K * sizeof *W);
  if (L && c->other_layers)
    memcpy(L, c->L, c->other_layers * c->K * c->K * sizeof *L);
  if (V)
    memcpy(V, c->V, c->K * c->M * sizeof *V);
  if (split)
    memcpy(split, c->split, (c->ntrain + c->ntest) * sizeof *split);
}

const char *li2_ffi_checkpoint_config_text(const li2_checkpoint *c) { return c->config; }

char *li2_ffi_compare_json(const char *path, li2_error *err)
{
  li2_compare_params p;
  li2_compare_result *r = NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *fp;
  li2_compare_params_default(&p);
  if (li2_compare_checkpoint(path, &p, &r, err))
    return NULL;
  if (!(fp = open_memstream(&buf, &len))) {
    li2_compare_result_free(r);
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  }
  li2_compare_write_json(fp, r, &p);
  li2_compare_result_free(r);
  if (fclose(fp)) {
    free(buf);
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  }
  return buf;
}
