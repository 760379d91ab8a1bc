/* The trainer's state, shared by the files that implement train.h:
 * train.c (allocation, the epoch loop, checkpoints) and train_test.c (the
 * evaluation and the reference's statistics).  Private: not installed. */
#ifndef LI2_TRAIN_IMPL_H
#define LI2_TRAIN_IMPL_H

#include <stdint.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_rng.h>

#include "train.h"

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

/* |A|_F of N values. */
static inline double li2_train_frob(const double *a, size_t n)
{
  return n ? cblas_dnrm2((int)n, a, 1) : 0.0;
}

#endif
