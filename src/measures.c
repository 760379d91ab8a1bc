/* Progress measures of grokking for any finite group (measures.h). */
#define _POSIX_C_SOURCE 200809L
#include "measures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "compare.h"
#include "fourier.h"
#include "model.h"
#include "train.h"

struct li2_measures {
  const li2_group *g;
  const li2_characters *ct;
  li2_fourier *f;
  size_t trivial;     /* the trivial component */
  double *lbar;       /* M x M: lbar[c M + g] = Lbar_c(g) */
  double *keypart;    /* M x M: sum over KEY of P_k Lbar_c, same layout */
  double *trivpart;   /* M x M: P_trivial Lbar_c */
  double *proj;       /* M */
};

li2_measures *li2_measures_alloc(const li2_group *g, const li2_characters *ct, li2_error *err)
{
  const size_t M = g->order;
  li2_measures *w = calloc(1, sizeof *w);
  if (!w)
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  w->g = g;
  w->ct = ct;
  if (!(w->f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err))) {
    free(w);
    return NULL;
  }
  w->lbar = malloc(M * M * sizeof(double));
  w->keypart = malloc(M * M * sizeof(double));
  w->trivpart = malloc(M * M * sizeof(double));
  w->proj = malloc(M * sizeof(double));
  if (!w->lbar || !w->keypart || !w->trivpart || !w->proj) {
    li2_measures_free(w);
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  }
  /* the trivial irrep: character 1 on every class */
  w->trivial = (size_t)-1;
  for (size_t i = 0; i < ct->nirreps && w->trivial == (size_t)-1; i++) {
    size_t nc = ct->nirreps, c = 0;
    while (c < nc && cabs(ct->chi[i * nc + c] - 1) < 1e-9)
      c++;
    if (c == nc)
      w->trivial = (size_t)ct->component_of[i];
  }
  if (w->trivial == (size_t)-1) {
    li2_measures_free(w);
    return li2_error_set(err, LI2_EINVAL, "measures: no trivial character"), NULL;
  }
  return w;
}

void li2_measures_free(li2_measures *w)
{
  if (!w)
    return;
  li2_fourier_free(w->f);
  free(w->lbar);
  free(w->keypart);
  free(w->trivpart);
  free(w->proj);
  free(w);
}

int li2_measures_split(li2_measures *w, const double *L, const int *key, size_t nkey,
                       double *restricted, double *excluded, li2_error *err)
{
  const size_t M = w->g->order, nc = w->ct->ncomponents;
  for (size_t i = 0; i < nkey; i++)
    if (key[i] < 0 || (size_t)key[i] >= nc || (size_t)key[i] == w->trivial)
      return li2_error_set(err, LI2_EINVAL, "key component %d: not a non-trivial component of "
                                            "0..%zu (%zu is the trivial one)", key[i], nc - 1,
                          w->trivial);
  /* Lbar_c(g) = (1/M) sum_{ab = g} L(a, b, c): every g has exactly M pairs */
  memset(w->lbar, 0, M * M * sizeof(double));
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      const double *row = L + (a * M + b) * M;
      size_t g = (size_t)li2_group_mul(w->g, (int)a, (int)b);
      for (size_t c = 0; c < M; c++)
        w->lbar[c * M + g] += row[c];
    }
  for (size_t i = 0; i < M * M; i++)
    w->lbar[i] /= (double)M;
  memset(w->keypart, 0, M * M * sizeof(double));
  for (size_t c = 0; c < M; c++) {
    const double *u = w->lbar + c * M;
    int rc = li2_fourier_project(w->f, u, w->trivial, w->trivpart + c * M);
    for (size_t i = 0; !rc && i < nkey; i++) {
      if ((rc = li2_fourier_project(w->f, u, (size_t)key[i], w->proj)))
        break;
      for (size_t g = 0; g < M; g++)
        w->keypart[c * M + g] += w->proj[g];
    }
    if (rc)
      return li2_error_set(err, rc, "measures: projection failed");
  }
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      size_t s = a * M + b, g = (size_t)li2_group_mul(w->g, (int)a, (int)b);
      for (size_t c = 0; c < M; c++) {
        double key_c = w->keypart[c * M + g];
        if (restricted)
          restricted[s * M + c] = key_c + w->trivpart[c * M + g];
        if (excluded)
          excluded[s * M + c] = L[s * M + c] - key_c;
      }
    }
  return LI2_SUCCESS;
}

static int cmp_double(const void *x, const void *y)
{
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

double li2_measures_gini(const double *x, size_t n)
{
  /* sorted ascending, sum_ij |x_i - x_j| = 2 sum_i (2 i - n + 1) x_(i) */
  double *s, sum = 0, acc = 0;
  if (n == 0 || !(s = malloc(n * sizeof *s)))
    return NAN;
  memcpy(s, x, n * sizeof *s);
  qsort(s, n, sizeof *s, cmp_double);
  for (size_t i = 0; i < n; i++) {
    sum += s[i];
    acc += (2.0 * (double)i - (double)n + 1.0) * s[i];
  }
  free(s);
  return sum > 0 ? acc / ((double)n * sum) : NAN;
}

size_t li2_measures_key_select(const double *spectrum, size_t ncomponents, double share_min,
                               int *key)
{
  size_t n = 0;
  double total = 0, acc = 0;
  for (size_t k = 1; k < ncomponents; k++)
    total += spectrum[k];
  if (!(total > 0))
    return 0;
  while (n + 1 < ncomponents && acc < share_min * total) {
    /* the largest share not yet taken (ties: the smaller index) */
    size_t best = 0;
    for (size_t k = 1; k < ncomponents; k++) {
      int taken = 0;
      for (size_t i = 0; i < n && !taken; i++)
        taken = key[i] == (int)k;
      if (!taken && (best == 0 || spectrum[k] > spectrum[best]))
        best = k;
    }
    key[n++] = (int)best;
    acc += spectrum[best];
  }
  return n;
}

/* Loss and accuracy of the logits LG (full table) on the NS samples X. */
static double subset_loss(li2_loss loss, size_t M, const double *lg, const int *x, const int *y,
                          size_t ns, double *buf, double *rowloss, double *acc)
{
  size_t correct = 0;
  double l;
  if (ns == 0) {
    *acc = NAN;
    return NAN;
  }
  for (size_t i = 0; i < ns; i++)
    memcpy(buf + i * M, lg + ((size_t)x[2 * i] * M + (size_t)x[2 * i + 1]) * M,
           M * sizeof(double));
  l = li2_loss_eval(loss, ns, M, buf, y, NULL, rowloss, &correct);
  *acc = (double)correct / (double)ns;
  return l;
}

/* The first layer's spectrum (share of the power per component, summed
 * over nodes: li2_compare_result.spectrum) and, for the 2-layer network,
 * the active nodes and those whose dominant component is in KEY.  For a
 * transformer the embedding E (M x d): each of its d columns is a function
 * on G, and the spectrum is their power per component (no nodes). */
static int first_layer(li2_trainer *t, li2_measures *w, const int *key, size_t nkey,
                       double *spectrum, size_t *active, size_t *in_key, li2_error *err)
{
  const li2_group *g = w->g;
  const li2_characters *ct = w->ct;
  li2_transformer *tf = li2_trainer_transformer(t);
  const size_t nc = ct->ncomponents;
  int rc = LI2_SUCCESS;
  *active = *in_key = 0;
  if (tf) {
    const size_t M = tf->M, d = tf->d;
    const double *E = li2_transformer_embedding(tf, tf->params);
    double *col = malloc(M * sizeof *col), *pw = malloc(nc * sizeof *pw), total = 0;
    if (!col || !pw) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    } else {
      memset(spectrum, 0, nc * sizeof *spectrum);
      for (size_t j = 0; j < d && !rc; j++) {
        for (size_t a = 0; a < M; a++)
          col[a] = E[a * d + j];
        if (!(rc = li2_fourier_power(w->f, col, pw)))
          for (size_t k = 0; k < nc; k++)
            spectrum[k] += pw[k];
      }
      for (size_t k = 1; k < nc; k++)
        total += spectrum[k];
      for (size_t k = 1; !rc && k < nc; k++)
        spectrum[k] = total > 0 ? spectrum[k] / total : 0;
      if (rc && !err->code)
        rc = li2_error_set(err, rc, "measures: Fourier power of the embedding failed");
    }
    free(col);
    free(pw);
    return rc;
  }
  {
    li2_model *m = li2_trainer_model(t);
    li2_compare *cmp = NULL;
    li2_compare_result *cr = NULL;
    li2_compare_params cp;
    li2_compare_params_default(&cp);
    cp.maximise = 0;
    if (!(cmp = li2_compare_alloc(g, ct, li2_trainer_dataset(t), m->act, &cp, err)) ||
        (rc = li2_compare_nodes(cmp, m->W, m->K, &cr, err))) {
      rc = rc ? rc : err->code;
    } else {
      memcpy(spectrum, cr->spectrum, nc * sizeof *spectrum);
      for (size_t j = 0; j < cr->K; j++)
        for (size_t i = 0; cr->nodes[j].active && i < nkey; i++)
          *in_key += key[i] == cr->nodes[j].component;
      *active = cr->active_nodes;
    }
    li2_compare_result_free(cr);
    li2_compare_free(cmp);
  }
  return rc;
}

/* LI2_EUNSUP, naming PATH, unless the measures apply to the run of T. */
static int supported(li2_trainer *t, const char *path, li2_error *err)
{
  const li2_model *m = li2_trainer_model(t);
  if (li2_trainer_config(t)->nops != 2 || (m && (m->nlayers != 0 || m->cplx || m->bn || m->embed)))
    return li2_error_set(err, LI2_EUNSUP, "%s: progress measures are for 2-layer networks "
                                          "(other_layers 0, real weights, no use_bn or embed_trainable) and transformers on "
                                          "pairs (num_of_ops 2)", path);
  return LI2_SUCCESS;
}

/* The measures of one loaded trainer with KEY fixed, W the workspace of
 * its group. */
static int measure_one(li2_trainer *t, li2_measures *w, const int *key, size_t nkey,
                       const char *path, li2_measures_row *row, li2_error *err)
{
  li2_model *m = li2_trainer_model(t);
  li2_transformer *tf = li2_trainer_transformer(t);
  const li2_group *g = li2_trainer_group(t);
  const li2_dataset *d = li2_trainer_dataset(t);
  const size_t M = g->order, n = M * M, nmax = d->ntrain > d->ntest ? d->ntrain : d->ntest;
  const li2_loss loss = li2_trainer_config(t)->loss;
  const li2_characters *ct = w->ct;
  li2_model_work *mw = NULL;
  li2_transformer_work *tw = NULL;
  int *x = NULL, *y = NULL, rc = LI2_SUCCESS;
  double *lg = NULL, *res = NULL, *exc = NULL, *buf = NULL, *rowloss = NULL, *spec = NULL;
  size_t active = 0, in_key = 0;

  if ((rc = supported(t, path, err)))
    return rc;
  if (tf ? !(tw = li2_transformer_work_alloc(tf, n, err))
         : !(mw = li2_model_work_alloc(m, n, 0, 0, err))) {
    rc = err->code;
    goto done;
  }
  x = malloc(2 * n * sizeof *x);
  y = malloc(n * sizeof *y);
  lg = malloc(n * M * sizeof *lg);
  res = malloc(n * M * sizeof *res);
  exc = malloc(n * M * sizeof *exc);
  buf = malloc(nmax * M * sizeof *buf);
  rowloss = malloc((nmax ? nmax : 1) * sizeof *rowloss);
  spec = malloc(ct->ncomponents * sizeof *spec);
  if (!x || !y || !lg || !res || !exc || !buf || !rowloss || !spec) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      x[2 * (a * M + b)] = (int)a;
      x[2 * (a * M + b) + 1] = (int)b;
      y[a * M + b] = li2_group_mul(g, (int)a, (int)b);
    }
  if (tf) {
    /* the transformer's logits include beta */
    if ((rc = li2_transformer_forward(tf, tw, n, x, y, NULL, NULL, err)))
      goto done;
    memcpy(lg, li2_transformer_logits(tw), n * M * sizeof *lg);
  } else {
    /* outputs beta F V (model.h: beta is applied in the loss) */
    const double *o;
    if ((rc = li2_model_forward(m, mw, n, x, y, NULL, NULL, err)))
      goto done;
    o = li2_model_work_outputs(mw);
    for (size_t i = 0; i < n * M; i++)
      lg[i] = m->out_mult * o[i];
  }
  if ((rc = li2_measures_split(w, lg, key, nkey, res, exc, err)))
    goto done;
  row->epoch = li2_trainer_epoch(t);
  row->train_loss = subset_loss(loss, M, lg, d->train_x, d->train_y, d->ntrain, buf, rowloss,
                                &row->train_acc);
  row->test_loss = subset_loss(loss, M, lg, d->test_x, d->test_y, d->ntest, buf, rowloss,
                               &row->test_acc);
  row->restricted_train_loss = subset_loss(loss, M, res, d->train_x, d->train_y, d->ntrain,
                                           buf, rowloss, &row->restricted_train_acc);
  row->restricted_test_loss = subset_loss(loss, M, res, d->test_x, d->test_y, d->ntest, buf,
                                          rowloss, &row->restricted_test_acc);
  row->excluded_train_loss = subset_loss(loss, M, exc, d->train_x, d->train_y, d->ntrain, buf,
                                         rowloss, &row->excluded_train_acc);
  row->excluded_test_loss = subset_loss(loss, M, exc, d->test_x, d->test_y, d->ntest, buf,
                                        rowloss, &row->excluded_test_acc);
  /* the first layer's spectrum and nodes (compare.h, no maximiser) */
  if ((rc = first_layer(t, w, key, nkey, spec, &active, &in_key, err)))
    goto done;
  {
    double key_power = 0, total = 0;
    for (size_t k = 1; k < ct->ncomponents; k++) {
      total += spec[k];
      for (size_t i = 0; i < nkey; i++)
        if ((size_t)key[i] == k)
          key_power += spec[k];
    }
    row->gini = li2_measures_gini(spec + 1, ct->ncomponents - 1);
    row->key_share = total > 0 ? key_power / total : NAN;
    row->active_nodes = active;
    row->key_nodes = active ? (double)in_key / (double)active : NAN;
  }
done:
  li2_model_work_free(mw);
  li2_transformer_work_free(tw);
  free(spec);
  free(x);
  free(y);
  free(lg);
  free(res);
  free(exc);
  free(buf);
  free(rowloss);
  return rc;
}

int li2_measures_checkpoint(const char *path, const int *key, size_t nkey,
                            li2_measures_row *row, li2_error *err)
{
  li2_trainer *t = li2_trainer_load(path, err);
  li2_characters *ct = NULL;
  li2_measures *w = NULL;
  int rc;
  if (!t)
    return err->code ? err->code : LI2_EIO;
  if (!(rc = supported(t, path, err)) &&
      (!(ct = li2_characters_alloc(li2_trainer_group(t), err)) ||
       !(w = li2_measures_alloc(li2_trainer_group(t), ct, err))))
    rc = err->code;
  if (!rc)
    rc = measure_one(t, w, key, nkey, path, row, err);
  li2_measures_free(w);
  li2_characters_free(ct);
  li2_trainer_free(t);
  return rc;
}

void li2_measures_write_header(FILE *fp)
{
  fputs("epoch\ttrain_loss\ttest_loss\ttrain_acc\ttest_acc\trestricted_train_loss"
        "\trestricted_test_loss\trestricted_train_acc\trestricted_test_acc\texcluded_train_loss"
        "\texcluded_test_loss\texcluded_train_acc\texcluded_test_acc\tgini\tkey_share\tkey_nodes"
        "\tactive_nodes\n",
        fp);
}

void li2_measures_write_row(FILE *fp, const li2_measures_row *r)
{
  const double v[] = {r->train_loss, r->test_loss, r->train_acc, r->test_acc,
                      r->restricted_train_loss, r->restricted_test_loss,
                      r->restricted_train_acc, r->restricted_test_acc, r->excluded_train_loss,
                      r->excluded_test_loss, r->excluded_train_acc, r->excluded_test_acc,
                      r->gini, r->key_share, r->key_nodes};
  fprintf(fp, "%ld", r->epoch);
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (isnan(v[i]))
      fputs("\tnan", fp);
    else
      fprintf(fp, "\t%.9g", v[i]);
  fprintf(fp, "\t%zu\n", r->active_nodes);
}

/* The key components of a loaded trainer from its first layer's spectrum. */
static int key_from(li2_trainer *t, li2_measures *w, double share_min, int *key, size_t *nkey,
                    li2_error *err)
{
  double *spec = malloc(w->ct->ncomponents * sizeof *spec);
  size_t active, in_key;
  int rc;
  if (!spec)
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  else if (!(rc = first_layer(t, w, NULL, 0, spec, &active, &in_key, err)))
    *nkey = li2_measures_key_select(spec, w->ct->ncomponents, share_min, key);
  free(spec);
  return rc;
}

int li2_measures_run(const char *run, const int *key, size_t nkey, double share_min,
                     const char *outdir, li2_progress *progress, int *key_out, size_t *nkey_out,
                     li2_error *err)
{
  char *last = NULL, **paths = NULL, *out = NULL;
  long *epochs = NULL;
  size_t n = 0, M, nk = nkey;
  int *k = NULL, rc, open = 0;
  li2_trainer *t = NULL, *t0 = NULL;  /* a checkpoint's; the last one's, kept */
  const li2_group *g;           /* the run's group (of t0) */
  li2_characters *ct = NULL;    /* its characters and measures workspace, */
  li2_measures *w = NULL;       /* built once for every checkpoint */
  li2_io_file fo;
  if (!(share_min > 0 && share_min <= 1))
    return li2_error_set(err, LI2_EINVAL, "parameter key_share: %g must be in (0, 1]",
                         share_min);
  if (!li2_io_is_dir(run))
    return li2_error_set(err, LI2_EINVAL, "%s: progress measures need a run directory", run);
  if ((rc = li2_checkpoint_find(run, -1, &last, err)))
    return rc;
  if (!(t0 = li2_trainer_load(last, err))) {
    rc = err->code ? err->code : LI2_EIO;
    goto done;
  }
  g = li2_trainer_group(t0);
  M = g->order;
  if ((rc = supported(t0, last, err)))
    goto done;
  if (!(ct = li2_characters_alloc(g, err)) || !(w = li2_measures_alloc(g, ct, err))) {
    rc = err->code;
    goto done;
  }
  if (!(k = malloc(M * sizeof *k))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if (nkey) {
    if (nkey > M) {
      rc = li2_error_set(err, LI2_EINVAL, "parameter key: %zu components, the group has %zu "
                                          "elements", nkey, M);
      goto done;
    }
    memcpy(k, key, nkey * sizeof *k);
  } else if ((rc = key_from(t0, w, share_min, k, &nk, err)))
    goto done;
  if ((rc = li2_checkpoint_list(run, &paths, &epochs, &n, err)))
    goto done;
  if ((rc = li2_io_mkdir(outdir, err)))
    goto done;
  if (!(out = li2_io_path(outdir, "progress.tsv"))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_io_open_atomic(&fo, out, err)))
    goto done;
  open = 1;
  li2_measures_write_header(fo.fp);
  if (progress)
    li2_progress_init(progress, "progress measures", (long)n + 1);
  for (size_t i = 0; i <= n; i++) {
    /* every ckpt-EPOCH.li2, then the last checkpoint (t0) when it is later */
    const char *p = i < n ? paths[i] : last;
    li2_trainer *tc = t0;
    li2_measures_row row;
    if (i == n && n && li2_trainer_epoch(t0) <= epochs[n - 1])
      break;
    if (i < n) {
      if (!(tc = t = li2_trainer_load(p, err))) {
        rc = err->code ? err->code : LI2_EIO;
        goto done;
      }
      if (strcmp(li2_trainer_group(t)->name, g->name)) {
        rc = li2_error_set(err, LI2_EFORMAT, "%s: not of this run (group %s, %s has group %s)",
                           p, li2_trainer_group(t)->name, last, g->name);
        goto done;
      }
    }
    if ((rc = measure_one(tc, w, k, nk, p, &row, err)))
      goto done;
    li2_measures_write_row(fo.fp, &row);
    li2_trainer_free(t);
    t = NULL;
    if (progress)
      li2_progress_update(progress, (long)i + 1, NULL);
  }
  if (progress)
    li2_progress_finish(progress);
  open = 0;
  if ((rc = li2_io_commit(&fo, err)))
    goto done;
  if (key_out)
    memcpy(key_out, k, nk * sizeof *k);
  if (nkey_out)
    *nkey_out = nk;
done:
  if (open)
    li2_io_abort(&fo);
  li2_trainer_free(t);
  li2_measures_free(w);
  li2_characters_free(ct);
  li2_trainer_free(t0);
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  free(epochs);
  free(last);
  free(out);
  free(k);
  return rc;
}
