/* The group-arithmetic data set and its train/test split (doc/mathematics.md
 * sections 1 and 4).  See dataset.h for the numbering and the file format. */
#include "dataset.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "io.h"
#include "refrng.h"

/* Largest M^k accepted: the sample arrays are int and the shuffle holds
 * every sample number; 2^28 samples already need several GB. */
#define LI2_DATASET_MAX_SAMPLES ((size_t)1 << 28)

void li2_split_params_default(li2_split_params *p)
{
  p->test_size = 0.7;
  p->train_size = 0;
  p->use_critical_ratio = 0;
  p->critical_ratio_multiplier = 2.7482;
  p->critical_ratio_delta = 0.0;
  p->group_collection_max_dk = 0.0;
  p->seed = 0;
  p->reference = 0;
}

double li2_split_critical_test_size(const li2_split_params *p, size_t M)
{
  /* Reference trainer: test_size = 1 - s log(M)/M (c - delta), clamped
   * to [0, 1] (doc/mathematics.md section 4), where its scaling_law_correction s is
   * group_collection_max_dk / 2 for collections of non-abelian groups (the
   * sample-size bound grows with the irreducible degree) and 1 otherwise. */
  double s = p->group_collection_max_dk > 0 ? p->group_collection_max_dk / 2 : 1.0;
  double t = 1.0 - s * log((double)M) / (double)M
                     * (p->critical_ratio_multiplier - p->critical_ratio_delta);
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

int li2_split_train_count(const li2_split_params *p, size_t M, size_t nall,
                          size_t *ntrain, li2_error *err)
{
  size_t n;
  if (p->train_size > 0) {
    if ((size_t)p->train_size >= nall)
      return li2_error_set(err, LI2_EINVAL,
                           "train_size=%ld: must be less than the %zu samples",
                           p->train_size, nall);
    n = (size_t)p->train_size;
  } else if (p->train_size < 0) {
    return li2_error_set(err, LI2_EINVAL, "train_size=%ld: must be positive",
                         p->train_size);
  } else {
    double t = p->use_critical_ratio ? li2_split_critical_test_size(p, M)
                                     : p->test_size;
    const char *key = p->use_critical_ratio ? "critical_ratio_multiplier"
                                            : "test_size";
    double ntest;
    if (!(t >= 0 && t <= 1))
      return li2_error_set(err, LI2_EINVAL, "%s: test fraction %g outside [0, 1]",
                           key, t);
    /* As sklearn's train_test_split: n_test = ceil(test_size * n). */
    ntest = ceil(t * (double)nall);
    if (ntest >= (double)nall || ntest <= 0)
      return li2_error_set(err, LI2_EINVAL,
                           "%s: test fraction %g leaves %s of the %zu samples for training",
                           key, t, ntest <= 0 ? "all" : "none", nall);
    n = nall - (size_t)ntest;
  }
  if (n == 0)
    return li2_error_set(err, LI2_EINVAL, "train_size: empty training set");
  *ntrain = n;
  return LI2_SUCCESS;
}

static int count_samples(const li2_group *g, int nops, size_t *nall, li2_error *err)
{
  size_t n = 1;
  if (nops < 2)
    return li2_error_set(err, LI2_EINVAL, "num_of_ops=%d: must be at least 2", nops);
  for (int i = 0; i < nops; i++) {
    if (n > LI2_DATASET_MAX_SAMPLES / g->order)
      return li2_error_set(err, LI2_EINVAL,
                           "num_of_ops=%d: %zu^%d samples is too many (limit %zu)",
                           nops, g->order, nops, LI2_DATASET_MAX_SAMPLES);
    n *= g->order;
  }
  *nall = n;
  return LI2_SUCCESS;
}

/* Decode sample number S (mixed radix, first operand most significant)
 * into X[0..k-1]; return the label x_0 · x_1 · ... · x_{k-1}. */
static int decode(const li2_group *g, int k, size_t s, int *x)
{
  int y;
  for (int i = k - 1; i >= 0; i--) {
    x[i] = (int)(s % g->order);
    s /= g->order;
  }
  y = x[0];
  for (int i = 1; i < k; i++)
    y = li2_group_mul(g, y, x[i]);
  return y;
}

static li2_dataset *alloc_sizes(const li2_group *g, int nops, size_t nall,
                                size_t ntrain, li2_error *err)
{
  li2_dataset *d = calloc(1, sizeof *d);
  size_t ntest = nall - ntrain;
  if (!d)
    goto nomem;
  d->order = g->order;
  d->nops = nops;
  d->nall = nall;
  d->ntrain = ntrain;
  d->ntest = ntest;
  /* +1 keeps malloc(0) from returning NULL for an empty test set. */
  d->train_x = malloc((ntrain * (size_t)nops + 1) * sizeof(int));
  d->train_y = malloc((ntrain + 1) * sizeof(int));
  d->test_x = malloc((ntest * (size_t)nops + 1) * sizeof(int));
  d->test_y = malloc((ntest + 1) * sizeof(int));
  if (!d->train_x || !d->train_y || !d->test_x || !d->test_y)
    goto nomem;
  return d;
nomem:
  li2_dataset_free(d);
  li2_error_set(err, LI2_ENOMEM, "out of memory for a data set of %zu samples", nall);
  return NULL;
}

/* Fill D from the list of sample numbers IDX (training samples first). */
static void fill(li2_dataset *d, const li2_group *g, const size_t *idx)
{
  int k = d->nops;
  for (size_t i = 0; i < d->ntrain; i++)
    d->train_y[i] = decode(g, k, idx[i], d->train_x + i * (size_t)k);
  for (size_t i = 0; i < d->ntest; i++)
    d->test_y[i] = decode(g, k, idx[d->ntrain + i], d->test_x + i * (size_t)k);
}

li2_dataset *li2_dataset_alloc_split(const li2_group *g, int nops,
                                     const li2_split_params *p, li2_error *err)
{
  size_t nall, ntrain, *idx;
  li2_dataset *d;
  gsl_rng *r;
  if (count_samples(g, nops, &nall, err) ||
      li2_split_train_count(p, g->order, nall, &ntrain, err))
    return NULL;
  d = alloc_sizes(g, nops, nall, ntrain, err);
  if (!d)
    return NULL;
  idx = malloc(nall * sizeof *idx);
  r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!idx || !r) {
    free(idx);
    gsl_rng_free(r);
    li2_dataset_free(d);
    li2_error_set(err, LI2_ENOMEM, "out of memory for a data set of %zu samples", nall);
    return NULL;
  }
  if (p->reference) {
    /* train_test_split: test = perm[:ntest], train = perm[ntest:]; li2
     * lists the training samples first, so rotate by ntest */
    size_t ntest = nall - ntrain, *perm = malloc(nall * sizeof *perm);
    if (!perm) {
      free(idx);
      gsl_rng_free(r);
      li2_dataset_free(d);
      li2_error_set(err, LI2_ENOMEM, "out of memory for a data set of %zu samples", nall);
      return NULL;
    }
    li2_refrng_sklearn_split((uint32_t)p->seed, nall, perm);
    memcpy(idx, perm + ntest, ntrain * sizeof *idx);
    memcpy(idx + ntrain, perm, ntest * sizeof *idx);
    free(perm);
  } else {
    for (size_t i = 0; i < nall; i++)
      idx[i] = i;
    gsl_rng_set(r, p->seed);
    gsl_ran_shuffle(r, idx, nall, sizeof *idx);
  }
  fill(d, g, idx);
  free(idx);
  gsl_rng_free(r);
  return d;
}

li2_dataset *li2_dataset_alloc_full(const li2_group *g, int nops, li2_error *err)
{
  size_t nall;
  li2_dataset *d;
  if (count_samples(g, nops, &nall, err))
    return NULL;
  d = alloc_sizes(g, nops, nall, nall, err);
  if (!d)
    return NULL;
  for (size_t s = 0; s < nall; s++)
    d->train_y[s] = decode(g, nops, s, d->train_x + s * (size_t)nops);
  return d;
}

li2_dataset *li2_dataset_alloc_pairs(const li2_group *g, int nops, long ntrain,
                                     unsigned long seed, li2_error *err)
{
  if (ntrain <= 0)
    return li2_dataset_alloc_full(g, nops, err);
  li2_split_params sp;
  li2_split_params_default(&sp);
  sp.train_size = ntrain;
  sp.seed = seed;
  return li2_dataset_alloc_split(g, nops, &sp, err);
}

li2_dataset *li2_dataset_alloc_samples(const li2_group *g, int nops, size_t ntrain,
                                       const size_t *samples, li2_error *err)
{
  size_t nall;
  unsigned char *seen;
  li2_dataset *d;
  if (count_samples(g, nops, &nall, err))
    return NULL;
  if (ntrain == 0 || ntrain > nall) {
    li2_error_set(err, LI2_EINVAL, "train_size=%zu: outside 1..%zu", ntrain, nall);
    return NULL;
  }
  seen = calloc(nall, 1);
  if (!seen) {
    li2_error_set(err, LI2_ENOMEM, "out of memory for a data set of %zu samples", nall);
    return NULL;
  }
  for (size_t i = 0; i < nall; i++) {
    if (samples[i] >= nall || seen[samples[i]]) {
      li2_error_set(err, LI2_EFORMAT, "split: sample %zu %s", samples[i],
                    samples[i] >= nall ? "out of range" : "listed twice");
      free(seen);
      return NULL;
    }
    seen[samples[i]] = 1;
  }
  free(seen);
  d = alloc_sizes(g, nops, nall, ntrain, err);
  if (d)
    fill(d, g, samples);
  return d;
}

size_t li2_dataset_sample_index(const li2_dataset *d, const int *x)
{
  size_t s = 0;
  for (int i = 0; i < d->nops; i++)
    s = s * d->order + (size_t)x[i];
  return s;
}

int li2_dataset_save(const li2_dataset *d, const char *path, li2_error *err)
{
  li2_io_file f;
  int rc = li2_io_open_atomic(&f, path, err);
  if (rc)
    return rc;
  fprintf(f.fp, "li2-split 1 %zu %d %zu %zu\n", d->order, d->nops, d->ntrain, d->ntest);
  for (size_t i = 0; i < d->ntrain; i++)
    fprintf(f.fp, "%zu\n", li2_dataset_sample_index(d, d->train_x + i * (size_t)d->nops));
  for (size_t i = 0; i < d->ntest; i++)
    fprintf(f.fp, "%zu\n", li2_dataset_sample_index(d, d->test_x + i * (size_t)d->nops));
  return li2_io_commit(&f, err);
}

/* One unsigned decimal count: digits only (sscanf's %zu would take "-1"
 * as SIZE_MAX), no overflow; *P is advanced past it. */
static int split_count(const char **p, size_t *out)
{
  const char *s = *p;
  char *end;
  unsigned long long v;
  while (*s == ' ' || *s == '\t')
    s++;
  if (*s < '0' || *s > '9')
    return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno || v > SIZE_MAX)
    return -1;
  *out = (size_t)v;
  *p = end;
  return 0;
}

/* "li2-split VERSION M K NTRAIN NTEST"; *USED is the header's length. */
static int split_header(const char *text, int *version, size_t *M, int *k,
                        size_t *ntrain, size_t *ntest, int *used)
{
  const char *p = text;
  size_t v, kk;
  if (strncmp(p, "li2-split ", 10) != 0)
    return -1;
  p += 9;
  if (split_count(&p, &v) || v > INT_MAX || split_count(&p, M) || split_count(&p, &kk) ||
      kk > INT_MAX || split_count(&p, ntrain) || split_count(&p, ntest))
    return -1;
  *version = (int)v;
  *k = (int)kk;
  *used = (int)(p - text);
  return 0;
}

li2_dataset *li2_dataset_alloc_load(const li2_group *g, int nops,
                                    const char *path, li2_error *err)
{
  char *text = NULL, *p, *end;
  size_t len, nall, M, ntrain, ntest, *idx = NULL, line = 1;
  unsigned char *seen = NULL;
  int version, k, used;
  li2_dataset *d = NULL;

  if (count_samples(g, nops, &nall, err))
    return NULL;
  if (li2_io_read_file(path, &text, &len, err))
    return NULL;
  if (split_header(text, &version, &M, &k, &ntrain, &ntest, &used)) {
    li2_error_set(err, LI2_EFORMAT,
                  "%s:1: expected header 'li2-split 1 M k ntrain ntest'", path);
    goto fail;
  }
  if (version != 1) {
    li2_error_set(err, LI2_EFORMAT, "%s:1: unsupported split version %d", path, version);
    goto fail;
  }
  if (M != g->order || k != nops) {
    li2_error_set(err, LI2_EFORMAT,
                  "%s:1: split is for M=%zu num_of_ops=%d, not M=%zu num_of_ops=%d",
                  path, M, k, g->order, nops);
    goto fail;
  }
  /* Compare without adding: ntrain + ntest can wrap around (issue 15). */
  if (ntrain == 0 || ntrain >= nall || ntest != nall - ntrain) {
    li2_error_set(err, LI2_EFORMAT,
                  "%s:1: ntrain %zu + ntest %zu must equal M^k = %zu with ntrain > 0 and ntest > 0",
                  path, ntrain, ntest, nall);
    goto fail;
  }
  idx = malloc(nall * sizeof *idx);
  seen = calloc(nall, 1);
  if (!idx || !seen) {
    li2_error_set(err, LI2_ENOMEM, "out of memory reading %s", path);
    goto fail;
  }
  p = text + used;
  for (size_t i = 0; i < nall; i++) {
    unsigned long long v;
    while (*p == ' ' || *p == '\t' || *p == '\r')
      p++;
    if (*p == '\0' || (p[0] == '\n' && p[1] == '\0')) {
      li2_error_set(err, LI2_EFORMAT, "%s:%zu: file ends after %zu of %zu samples (truncated?)",
                    path, line + (*p != 0), i, nall);
      goto fail;
    }
    if (*p != '\n') {
      li2_error_set(err, LI2_EFORMAT, "%s:%zu: expected end of line", path, line);
      goto fail;
    }
    p++;
    line++;
    if (*p < '0' || *p > '9') {
      li2_error_set(err, LI2_EFORMAT, "%s:%zu: expected a sample number (%zu of %zu)",
                    path, line, i + 1, nall);
      goto fail;
    }
    errno = 0;
    v = strtoull(p, &end, 10);
    if (errno || v >= nall) {
      li2_error_set(err, LI2_EFORMAT, "%s:%zu: sample number out of range [0, %zu)",
                    path, line, nall);
      goto fail;
    }
    if (seen[v]) {
      li2_error_set(err, LI2_EFORMAT, "%s:%zu: sample %llu listed twice", path, line, v);
      goto fail;
    }
    seen[v] = 1;
    idx[i] = (size_t)v;
    p = end;
  }
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    p++;
  if (*p) {
    li2_error_set(err, LI2_EFORMAT, "%s:%zu: trailing data after %zu samples", path,
                  line + 1, nall);
    goto fail;
  }
  d = alloc_sizes(g, nops, nall, ntrain, err);
  if (d)
    fill(d, g, idx);
fail:
  free(text);
  free(idx);
  free(seen);
  return d;
}

void li2_dataset_free(li2_dataset *d)
{
  if (!d)
    return;
  free(d->train_x);
  free(d->train_y);
  free(d->test_x);
  free(d->test_y);
  free(d);
}
