/* li2 solutions on a sweep of li2 train (solutions.h): sol_distri.py's
 * orders per setting and factorize_sol.py's Table 2 over seeds. */
#define _XOPEN_SOURCE 700
#include "solutions.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "io.h"
#include "sweep.h"

/* ---- angles (factorize_sol.py's histograms) ---- */

static const char *const angle_kind[LI2_SOL_NANGLES] = {"xi", "nu", "alpha", "beta"};

const char *li2_solutions_angle_name(int kind)
{
  return kind >= 0 && kind < LI2_SOL_NANGLES ? angle_kind[kind] : "?";
}

size_t li2_solutions_angles(const li2_solutions_result *r, int *kind, int *freq, double *angle)
{
  size_t n = 0;
#define PUT(K, F, X) (kind[n] = (K), freq[n] = (F), angle[n] = (X), n++)
  for (size_t i = 0; i < r->nfactor; i++) {
    const li2_solutions_factor *f = &r->factor[i];
    if (!f->factorable)
      continue;
    if (f->q == 4 && f->type1 == LI2_SOL_ORDER2_4C && f->type2 == LI2_SOL_ORDER2_XI)
      PUT(LI2_SOL_ANGLE_XI, f->k, carg(f->param2[0]));
    if (f->q == 6 && (f->type1 == LI2_SOL_ORDER2_NU || f->type1 == LI2_SOL_ORDER2_4C) &&
        f->type2 == LI2_SOL_ORDER3_SYN)
      PUT(LI2_SOL_ANGLE_NU, f->k, carg(f->param1[0]));
    if (f->q == 6 && f->type1 == LI2_SOL_ORDER2_4C && f->type2 == LI2_SOL_ORDER3_SYN_AB) {
      PUT(LI2_SOL_ANGLE_ALPHA, f->k, carg(f->param2[0]));
      PUT(LI2_SOL_ANGLE_BETA, f->k, carg(f->param2[1]));
    }
    if (f->q == 6 && f->type1 == LI2_SOL_ORDER2_4C && f->type2 == LI2_SOL_ORDER3_SYN) {
      /* the reference counts syn as alpha = beta = 0 */
      PUT(LI2_SOL_ANGLE_ALPHA, f->k, 0.0);
      PUT(LI2_SOL_ANGLE_BETA, f->k, 0.0);
    }
  }
#undef PUT
  return n;
}

/* the angles of R in fresh arrays (3 per frequency at most); -1 on no memory */
static long angles_alloc(const li2_solutions_result *r, int **kind, int **freq, double **angle)
{
  size_t cap = 3 * r->nfactor + 1;
  *kind = malloc(cap * sizeof **kind);
  *freq = malloc(cap * sizeof **freq);
  *angle = malloc(cap * sizeof **angle);
  if (!*kind || !*freq || !*angle) {
    free(*kind), free(*freq), free(*angle);
    return -1;
  }
  return (long)li2_solutions_angles(r, *kind, *freq, *angle);
}

int li2_solutions_angle_count(const li2_solutions_result *r, size_t nbins, size_t *counts)
{
  int *kind, *freq;
  double *angle;
  long n = angles_alloc(r, &kind, &freq, &angle);
  if (n < 0)
    return LI2_ENOMEM;
  for (long i = 0; i < n; i++) {
    /* bins of width 2 pi / nbins on [-pi, pi]; pi itself in the last */
    long b = (long)floor((angle[i] + M_PI) / (2 * M_PI) * (double)nbins);
    if (b < 0)
      b = 0;
    if (b >= (long)nbins)
      b = (long)nbins - 1;
    counts[(size_t)kind[i] * nbins + (size_t)b]++;
  }
  free(kind), free(freq), free(angle);
  return LI2_SUCCESS;
}

int li2_solutions_write_angles(FILE *fp, const li2_solutions_result *r, const char *prefix)
{
  int *kind, *freq;
  double *angle;
  long n = angles_alloc(r, &kind, &freq, &angle);
  if (n < 0)
    return LI2_ENOMEM;
  for (long j = 0; j < n; j++)
    fprintf(fp, "%s%d\t%s\t%.10g\n", prefix ? prefix : "", freq[j], li2_solutions_angle_name(kind[j]),
            angle[j]);
  free(kind), free(freq), free(angle);
  return LI2_SUCCESS;
}

/* ---- the sweep ---- */

/* summarize46's fields in factorize_sol.py's print_row order (sorted) */
static const char *const table_field[] = {
  "0_n0", "0_n4", "0_n6", "0_non_4_6_0", "1nonfact_4", "1nonfact_6", "err_4", "err_6",
  "sol_4_4cxi", "sol_6_4csynab", "sol_6_nusyn", "sol_others",
};
#define NFIELDS (sizeof table_field / sizeof table_field[0])

static void table_values(const li2_solutions_summary *s, double *v)
{
  v[0] = (double)s->n0, v[1] = (double)s->n4, v[2] = (double)s->n6;
  v[3] = (double)s->non_4_6_0;
  v[4] = s->nonfact4_frac, v[5] = s->nonfact6_frac;
  v[6] = s->err4, v[7] = s->err6;
  v[8] = s->sol_4_4cxi, v[9] = s->sol_6_4csynab, v[10] = s->sol_6_nusyn, v[11] = s->sol_others;
}

void li2_solutions_sweep_free(li2_solutions_sweep *w)
{
  if (!w)
    return;
  for (size_t i = 0; i < w->nsettings; i++)
    free(w->setting_name[i]);
  free(w->setting_name);
  free(w->setting_of);
  free(w->point);
  free(w->histogram);
  free(w->angle_counts);
  free(w->mean);
  free(w->sem);
  free(w->runs);
  free(w);
}

/* the setting of point P: the values of every key swept over more than
 * one value but seed, "k=v, k=v" ("all" when there is none) */
static char *setting_text(const li2_sweep *s, size_t p)
{
  char *t = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&t, &len);
  int first = 1;
  if (!fp)
    return NULL;
  for (size_t k = 0; k < li2_sweep_nkeys(s); k++) {
    if (!strcmp(li2_sweep_key(s, k), "seed") || li2_sweep_nvalues(s, k) < 2)
      continue;
    fprintf(fp, "%s%s=%s", first ? "" : ", ", li2_sweep_key(s, k), li2_sweep_value(s, p, k));
    first = 0;
  }
  if (first)
    fprintf(fp, "all");
  if (fclose(fp))
    return NULL;
  return t;
}

int li2_solutions_sweep_run(const char *dir, long epoch, const li2_solutions_params *prm,
                            const char *outdir, li2_solutions_sweep **out, li2_error *err)
{
  li2_sweep *s;
  li2_solutions_sweep *w;
  li2_io_file fp = {0}, fa = {0};
  int rc = LI2_SUCCESS, open_p = 0, open_a = 0;
  size_t np, nbins = LI2_SOL_ANGLE_BINS;
  double *val = NULL;
  *out = NULL;
  if (!(s = li2_sweep_manifest_load(dir, err)))
    return err ? err->code : LI2_EIO;
  if (strcmp(li2_sweep_command(s), "train")) {
    rc = li2_error_set(err, LI2_EUNSUP, "%s: a sweep of li2 %s; li2 solutions needs li2 sweep train",
                       dir, li2_sweep_command(s));
    li2_sweep_free(s);
    return rc;
  }
  np = li2_sweep_npoints(s);
  if (!(w = calloc(1, sizeof *w))) {
    li2_sweep_free(s);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  w->setting_name = calloc(np ? np : 1, sizeof *w->setting_name);
  w->setting_of = calloc(np ? np : 1, sizeof *w->setting_of);
  w->point = calloc(np ? np : 1, sizeof *w->point);
  w->runs = calloc(np ? np : 1, sizeof *w->runs);
  w->angle_counts = calloc(LI2_SOL_NANGLES * nbins, sizeof *w->angle_counts);
  val = calloc(NFIELDS * (np ? np : 1), sizeof *val);
  if (!w->setting_name || !w->setting_of || !w->point || !w->runs || !w->angle_counts || !val) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  w->nbins = nbins;
  w->norders = 11;   /* orders 0..10 (sol_distri.py's bins), grown below */
  if ((rc = li2_io_mkdir(outdir, err)) ||
      (rc = li2_io_open_atomic_in(&fp, outdir, "points.tsv", err)))
    goto done;
  open_p = 1;
  if ((rc = li2_io_open_atomic_in(&fa, outdir, "angles.tsv", err)))
    goto done;
  open_a = 1;
  fprintf(fp.fp, "point\tsetting");
  for (size_t k = 0; k < li2_sweep_nkeys(s); k++)
    fprintf(fp.fp, "\t%s", li2_sweep_key(s, k));
  fprintf(fp.fp, "\tepoch\tM\thidden_size");
  for (size_t f = 0; f < NFIELDS; f++)
    fprintf(fp.fp, "\t%s", table_field[f]);
  fprintf(fp.fp, "\torders\n");
  fprintf(fa.fp, "point\tk\tkind\tangle\n");
  /* pass 1: every complete point; the histogram grows as orders appear */
  for (size_t p = 0; p < np; p++) {
    char *pdir, *path = NULL, *set, prefix[32];
    li2_solutions_result *r = NULL;
    long ep = -1;
    size_t si;
    if (!li2_sweep_point_complete(s, dir, p)) {
      w->skipped++;
      continue;
    }
    if (!(pdir = li2_sweep_point_dir(s, dir, p)) || !(set = setting_text(s, p))) {
      free(pdir);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    rc = li2_checkpoint_find(pdir, epoch, &path, err);
    free(pdir);
    if (!rc)
      rc = li2_solutions_checkpoint(path, prm, &r, &ep, err);
    free(path);
    if (rc) {
      free(set);
      goto done;
    }
    for (si = 0; si < w->nsettings && strcmp(w->setting_name[si], set); si++)
      ;
    if (si == w->nsettings)
      w->setting_name[w->nsettings++] = set;
    else
      free(set);
    w->point[w->npoints] = p;
    w->setting_of[w->npoints] = si;
    w->runs[si]++;
    table_values(&r->summary, val + NFIELDS * w->npoints);
    /* orders of this point into the histogram of its setting */
    for (size_t k = 1; k <= r->nfreq; k++)
      if (r->order[k] + 1 > w->norders) {
        size_t grow = r->order[k] + 1;
        size_t *h = calloc(np * grow, sizeof *h);
        if (!h) {
          li2_solutions_result_free(r);
          rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
          goto done;
        }
        for (size_t a = 0; w->histogram && a < np; a++)
          memcpy(h + a * grow, w->histogram + a * w->norders, w->norders * sizeof *h);
        free(w->histogram);
        w->histogram = h;
        w->norders = grow;
      }
    if (!w->histogram && !(w->histogram = calloc(np * w->norders, sizeof *w->histogram))) {
      li2_solutions_result_free(r);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    for (size_t k = 1; k <= r->nfreq; k++)
      w->histogram[si * w->norders + r->order[k]]++;
    if (li2_solutions_angle_count(r, nbins, w->angle_counts)) {
      li2_solutions_result_free(r);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    /* points.tsv and angles.tsv rows */
    fprintf(fp.fp, "%zu\t%zu", p, si);
    for (size_t k = 0; k < li2_sweep_nkeys(s); k++)
      fprintf(fp.fp, "\t%s", li2_sweep_value(s, p, k));
    fprintf(fp.fp, "\t%ld\t%zu\t%zu", ep, r->d, r->K);
    for (size_t f = 0; f < NFIELDS; f++)
      fprintf(fp.fp, "\t%.10g", val[NFIELDS * w->npoints + f]);
    fputc('\t', fp.fp);
    for (size_t k = 1; k <= r->nfreq; k++)
      fprintf(fp.fp, "%s%zu", k > 1 ? "," : "", r->order[k]);
    fputc('\n', fp.fp);
    snprintf(prefix, sizeof prefix, "%zu\t", p);
    rc = li2_solutions_write_angles(fa.fp, r, prefix);
    w->npoints++;
    li2_solutions_result_free(r);
    if (rc) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
  }
  if (w->npoints == 0) {
    rc = li2_error_set(err, LI2_EINVAL, "%s: no complete point to analyse", dir);
    goto done;
  }
  open_p = 0;
  if ((rc = li2_io_commit(&fp, err)))
    goto done;
  open_a = 0;
  if ((rc = li2_io_commit(&fa, err)))
    goto done;
  /* Table 2: mean and standard error (std with n - 1, over sqrt(n)) of
   * every field over the runs of a setting, as print_row does; NaN
   * propagates like torch's mean */
  w->nfields = NFIELDS;
  w->field = table_field;
  if (!(w->mean = calloc(w->nsettings * NFIELDS, sizeof *w->mean)) ||
      !(w->sem = calloc(w->nsettings * NFIELDS, sizeof *w->sem))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t si = 0; si < w->nsettings; si++)
    for (size_t f = 0; f < NFIELDS; f++) {
      double m = 0, v = 0, n = (double)w->runs[si];
      for (size_t i = 0; i < w->npoints; i++)
        if (w->setting_of[i] == si)
          m += val[NFIELDS * i + f];
      m /= n;
      for (size_t i = 0; i < w->npoints; i++)
        if (w->setting_of[i] == si)
          v += (val[NFIELDS * i + f] - m) * (val[NFIELDS * i + f] - m);
      w->mean[si * NFIELDS + f] = m;
      w->sem[si * NFIELDS + f] = n > 1 ? sqrt(v / (n - 1)) / sqrt(n) : NAN;
    }
  {
    li2_io_file f;
    if ((rc = li2_io_open_atomic_in(&f, outdir, "table.tsv", err)))
      goto done;
    fprintf(f.fp, "setting\tname\truns");
    for (size_t k = 0; k < NFIELDS; k++)
      fprintf(f.fp, "\t%s\t%s_sem", table_field[k], table_field[k]);
    fputc('\n', f.fp);
    for (size_t si = 0; si < w->nsettings; si++) {
      fprintf(f.fp, "%zu\t%s\t%zu", si, w->setting_name[si], w->runs[si]);
      for (size_t k = 0; k < NFIELDS; k++)
        fprintf(f.fp, "\t%.10g\t%.10g", w->mean[si * NFIELDS + k], w->sem[si * NFIELDS + k]);
      fputc('\n', f.fp);
    }
    if ((rc = li2_io_commit(&f, err)))
      goto done;
    if ((rc = li2_io_open_atomic_in(&f, outdir, "sweep-orders.tsv", err)))
      goto done;
    fprintf(f.fp, "setting\torder\tfrequencies\n");
    for (size_t si = 0; si < w->nsettings; si++)
      for (size_t o = 0; o < w->norders; o++)
        fprintf(f.fp, "%zu\t%zu\t%zu\n", si, o, w->histogram[si * w->norders + o]);
    if ((rc = li2_io_commit(&f, err)))
      goto done;
    if ((rc = li2_io_open_atomic_in(&f, outdir, "angle-histogram.tsv", err)))
      goto done;
    fprintf(f.fp, "center\txi\tnu\talpha\tbeta\n");
    for (size_t b = 0; b < nbins; b++) {
      fprintf(f.fp, "%.10g", -M_PI + (2 * M_PI) * ((double)b + 0.5) / (double)nbins);
      for (int k = 0; k < LI2_SOL_NANGLES; k++)
        fprintf(f.fp, "\t%zu", w->angle_counts[(size_t)k * nbins + b]);
      fputc('\n', f.fp);
    }
    rc = li2_io_commit(&f, err);
  }
done:
  if (open_p)
    li2_io_abort(&fp);
  if (open_a)
    li2_io_abort(&fa);
  free(val);
  li2_sweep_free(s);
  if (rc)
    li2_solutions_sweep_free(w);
  else
    *out = w;
  return rc;
}
