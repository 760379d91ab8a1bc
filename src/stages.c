/* Stage detection (see stages.h). */
#include "stages.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "characters.h"
#include "checkpoint.h"
#include "node.h"
#include "train.h"

void li2_stages_params_default(li2_stages_params *p)
{
  /* fit_acc, active_ratio, purity, pure_nodes, plateau */
  *p = (li2_stages_params){0.99, 0.1, 0.9, 1, 0.01};
}

struct li2_stages_work {
  li2_fourier *f;
  size_t M, K, nc;
  int nops;
  double *u;         /* M */
  double *pw, *acc;  /* nc each */
  double *mass;      /* K */
  double *purity;    /* K */
  size_t *dominant;  /* K; 0: no non-trivial power */
  int *active;       /* K */
  int *covered;      /* nc */
};

li2_stages_work *li2_stages_work_alloc(li2_fourier *f, size_t M, size_t K, int nops,
                                       li2_error *err)
{
  li2_stages_work *w = calloc(1, sizeof *w);
  if (!w)
    goto nomem;
  w->f = f;
  w->M = M;
  w->K = K;
  w->nops = nops;
  w->nc = li2_fourier_ncomponents(f);
  w->u = malloc(M * sizeof *w->u);
  w->pw = malloc(w->nc * sizeof *w->pw);
  w->acc = malloc(w->nc * sizeof *w->acc);
  w->mass = malloc(K * sizeof *w->mass);
  w->purity = malloc(K * sizeof *w->purity);
  w->dominant = malloc(K * sizeof *w->dominant);
  w->active = malloc(K * sizeof *w->active);
  w->covered = malloc(w->nc * sizeof *w->covered);
  if (!w->u || !w->pw || !w->acc || !w->mass || !w->purity || !w->dominant || !w->active ||
      !w->covered)
    goto nomem;
  return w;
nomem:
  li2_stages_work_free(w);
  li2_error_set(err, LI2_ENOMEM, "stages: out of memory for %zu nodes", K);
  return NULL;
}

void li2_stages_work_free(li2_stages_work *w)
{
  if (!w)
    return;
  free(w->u);
  free(w->pw);
  free(w->acc);
  free(w->mass);
  free(w->purity);
  free(w->dominant);
  free(w->active);
  free(w->covered);
  free(w);
}

/* qsort by mass, descending; ties by index so the order is deterministic */
typedef struct {
  const double *mass;
  size_t idx;
} mass_key;

static int by_mass_desc(const void *a, const void *b)
{
  const mass_key *x = a, *y = b;
  double ma = x->mass[x->idx], mb = y->mass[y->idx];
  if (ma != mb)
    return ma > mb ? -1 : 1;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int li2_stages_measure(li2_stages_work *w, const li2_stages_params *p, const double *W,
                       const double *W0, li2_stages_point *pt, li2_error *err)
{
  const size_t M = w->M, K = w->K, nc = w->nc;
  double dd = 0, d0 = 0;
  mass_key *keys;
  int rc;
  for (size_t j = 0; j < K; j++) {
    int dom;
    memset(w->acc, 0, nc * sizeof *w->acc);
    w->mass[j] = 0;
    for (int t = 0; t < w->nops; t++) {
      for (size_t a = 0; a < M; a++) {
        w->u[a] = W[((size_t)t * M + a) * K + j];
        w->mass[j] += w->u[a] * w->u[a];
      }
      if ((rc = li2_fourier_power(w->f, w->u, w->pw)))
        return li2_error_set(err, rc, "stages: Fourier power of node %zu failed", j);
      for (size_t c = 0; c < nc; c++)
        w->acc[c] += w->pw[c];
    }
    dom = li2_node_dominant(nc, w->acc, &w->purity[j]);
    w->dominant[j] = dom > 0 ? (size_t)dom : 0;
  }
  /* active (node.h); visited heaviest first, so the active ones come first */
  if (!(keys = malloc(K * sizeof *keys)))
    return li2_error_set(err, LI2_ENOMEM, "stages: out of memory");
  for (size_t j = 0; j < K; j++)
    keys[j] = (mass_key){w->mass, j};
  qsort(keys, K, sizeof *keys, by_mass_desc);
  memset(w->active, 0, K * sizeof *w->active);
  memset(w->covered, 0, nc * sizeof *w->covered);
  {
    const double maxnorm = sqrt(w->mass[keys[0].idx]);
    double psum = 0;
    size_t na = 0, npure = 0, ncov = 0;
    for (size_t i = 0; i < K && li2_node_active(sqrt(w->mass[keys[i].idx]), maxnorm,
                                                 p->active_ratio); i++) {
      size_t j = keys[i].idx;
      w->active[j] = 1;
      na++;
      psum += w->purity[j];
      if (w->dominant[j] && w->purity[j] >= p->purity) {
        npure++;
        if (!w->covered[w->dominant[j]]) {
          w->covered[w->dominant[j]] = 1;
          ncov++;
        }
      }
    }
    pt->nactive = na;
    pt->purity = psum / (double)na;
    pt->npure = npure;
    pt->pure_fraction = (double)npure / (double)na;
    pt->covered = ncov;
    pt->coverage = nc > 1 ? (double)ncov / (double)(nc - 1) : NAN;
  }
  free(keys);
  if (W0) {
    for (size_t i = 0; i < (size_t)w->nops * M * K; i++) {
      dd += (W[i] - W0[i]) * (W[i] - W0[i]);
      d0 += W0[i] * W0[i];
    }
    pt->w_moved = d0 > 0 ? sqrt(dd / d0) : NAN;
  } else {
    pt->w_moved = NAN;
  }
  return LI2_SUCCESS;
}

void li2_stages_node(const li2_stages_work *w, size_t j, double *purity, size_t *dominant,
                     double *mass, int *active)
{
  if (purity)
    *purity = w->purity[j];
  if (dominant)
    *dominant = w->dominant[j];
  if (mass)
    *mass = w->mass[j];
  if (active)
    *active = w->active[j];
}

/* Close stage S (0-based) at epoch E by CRITERION and open the next one
 * there; 0 when E < 0 (not reached: the stage stays open). */
static int stage_end(li2_stage out[3], int s, long e, const char *criterion)
{
  if (e < 0)
    return 0;
  out[s].end = e;
  out[s].criterion = criterion;
  if (s < 2)
    out[s + 1].start = e;
  return 1;
}

int li2_stages_detect(const li2_stages_params *p, const li2_stages_metric *rows, size_t nrows,
                      const li2_stages_point *pts, size_t npts, li2_stage out[3],
                      li2_error *err)
{
  long e1 = -1, e2 = -1, e3 = -1, plateau_from = -1;
  int have_test = 0;
  double best = -INFINITY;
  if (nrows == 0)
    return li2_error_set(err, LI2_EINVAL, "stages: no metrics");
  for (int s = 0; s < 3; s++)
    out[s] = (li2_stage){s + 1, -1, -1, "open"};
  out[0].start = rows[0].epoch;
  /* I: the top layer has fit the training set */
  for (size_t i = 0; i < nrows && e1 < 0; i++)
    if (rows[i].train_acc >= p->fit_acc)
      e1 = rows[i].epoch;
  if (!stage_end(out, 0, e1, "train_acc"))
    return LI2_SUCCESS;
  /* II: single-component features have emerged */
  for (size_t i = 0; i < npts && e2 < 0; i++)
    if (pts[i].epoch > e1 && pts[i].npure >= p->pure_nodes)
      e2 = pts[i].epoch;
  if (!stage_end(out, 1, e2, "pure_nodes"))
    return LI2_SUCCESS;
  /* III: complete coverage and the test accuracy on its plateau (the
   * earliest epoch from which it stays within PLATEAU of its best) */
  for (size_t i = 0; i < nrows; i++)
    if (!isnan(rows[i].test_acc)) {
      have_test = 1;
      best = fmax(best, rows[i].test_acc);
    }
  if (have_test)
    for (size_t i = nrows; i-- > 0;) {
      if (isnan(rows[i].test_acc))
        continue;
      if (rows[i].test_acc < best - p->plateau)
        break;
      plateau_from = rows[i].epoch;
    }
  for (size_t i = 0; i < npts && e3 < 0; i++)
    if (pts[i].epoch > e2 && pts[i].coverage >= 1 &&
        (!have_test || (plateau_from >= 0 && pts[i].epoch >= plateau_from)))
      e3 = pts[i].epoch;
  stage_end(out, 2, e3, have_test ? "coverage+test_plateau" : "coverage");
  return LI2_SUCCESS;
}

int li2_stages_checkpoints_measure(const li2_stages_params *p, char *const *paths, size_t n,
                                   li2_stages_point **pts, li2_progress *progress,
                                   li2_error *err)
{
  li2_trainer *t = NULL;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_stages_work *sw = NULL;
  li2_stages_point *out = NULL;
  double *W0 = NULL;
  li2_model *m;
  int rc = LI2_SUCCESS;
  *pts = NULL;
  if (n == 0)
    return li2_error_set(err, LI2_EINVAL, "stages: no checkpoints");
  /* the initialisation W_0: the first checkpoint's trainer reset to its seed */
  if (!(t = li2_trainer_load(paths[0], err)))
    return err->code;
  li2_trainer_set(t);
  m = li2_trainer_model(t);
  if ((rc = li2_model_require_real(m, "stage detection", err)))
    goto done;
  if (!(W0 = malloc(m->nW * sizeof *W0))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  memcpy(W0, m->W, m->nW * sizeof *W0);
  if (!(ct = li2_characters_alloc(li2_trainer_group(t), err)) ||
      !(f = li2_fourier_alloc(li2_trainer_group(t), ct, LI2_FOURIER_AUTO, err)) ||
      !(sw = li2_stages_work_alloc(f, m->M, m->K, m->nops, err))) {
    rc = err->code;
    goto done;
  }
  if (!(out = calloc(n, sizeof *out))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if (progress)
    li2_progress_init(progress, "stages", (long)n);
  for (size_t i = 0; i < n && !rc; i++) {
    li2_checkpoint *ck = li2_checkpoint_read(paths[i], err);
    if (!ck)
      rc = err->code;
    else if (ck->M != m->M || ck->K != m->K || ck->nops != (size_t)m->nops)
      rc = li2_error_set(err, LI2_EFORMAT, "%s: dimensions differ from the run's first "
                                           "checkpoint", paths[i]);
    else if (!(rc = li2_stages_measure(sw, p, ck->W, W0, &out[i], err)))
      out[i].epoch = ck->epoch;
    li2_checkpoint_free(ck);
    if (!rc && progress)
      li2_progress_update(progress, (long)i + 1, NULL);
  }
  if (progress)
    li2_progress_finish(progress);
done:
  li2_stages_work_free(sw);
  li2_fourier_free(f);
  li2_characters_free(ct);
  li2_trainer_free(t);
  free(W0);
  if (rc)
    free(out);
  else
    *pts = out;
  return rc;
}

const char *li2_stages_name(int stage)
{
  static const char *const names[3] = {"I", "II", "III"};
  return stage >= 1 && stage <= 3 ? names[stage - 1] : "?";
}

void li2_stages_epoch_print(FILE *fp, long epoch)
{
  if (epoch >= 0)
    fprintf(fp, "%ld", epoch);
  else
    fputc('-', fp);
}

int li2_stages_write(const char *dir, const li2_stage st[3], const li2_stages_point *pts,
                     size_t npts, li2_error *err)
{
  li2_io_file f;
  int rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, "stages.tsv", err)))
    return rc;
  fputs("stage\tstart_epoch\tend_epoch\tcriterion\n", f.fp);
  for (int s = 0; s < 3; s++) {
    fprintf(f.fp, "%s\t", li2_stages_name(s + 1));
    li2_stages_epoch_print(f.fp, st[s].start);
    fputc('\t', f.fp);
    li2_stages_epoch_print(f.fp, st[s].end);
    fprintf(f.fp, "\t%s\n", st[s].criterion);
  }
  if ((rc = li2_io_commit(&f, err)))
    return rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, "stage-measures.tsv", err)))
    return rc;
  fputs("epoch\tw_moved\tnactive\tnpure\tpure_fraction\tpurity\tcoverage\tcovered\n", f.fp);
  for (size_t i = 0; i < npts; i++) {
    const li2_stages_point *q = &pts[i];
    fprintf(f.fp, "%ld\t%.17g\t%zu\t%zu\t%.17g\t%.17g\t%.17g\t%zu\n", q->epoch, q->w_moved,
            q->nactive, q->npure, q->pure_fraction, q->purity, q->coverage, q->covered);
  }
  return li2_io_commit(&f, err);
}
