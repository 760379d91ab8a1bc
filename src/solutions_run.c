/* li2 solutions on run directories (solutions.h): the tables of one run. */
#include "solutions.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "io.h"

/* name, value pairs of the summary, shared by the JSON and the lines */
typedef struct {
  const char *name;
  double value;
  int integer;
} sfield;

static size_t summary_fields(const li2_solutions_result *r, long epoch, sfield *f)
{
  const li2_solutions_summary *s = &r->summary;
  size_t n = 0;
#define I_(k, v) f[n++] = (sfield){k, (double)(v), 1}
#define D_(k, v) f[n++] = (sfield){k, (v), 0}
  I_("epoch", epoch);
  I_("M", r->d);
  I_("hidden_size", r->K);
  D_("threshold", r->params.threshold);
  I_("frequencies", s->n);
  I_("n4", s->n4);
  I_("n6", s->n6);
  I_("n0", s->n0);
  I_("non_4_6_0", s->non_4_6_0);
  I_("nonfact4", s->nonfact4);
  I_("nonfact6", s->nonfact6);
  I_("nfact", s->nfact);
  D_("err_4", s->err4);
  D_("err_6", s->err6);
  D_("nonfact_4", s->nonfact4_frac);
  D_("nonfact_6", s->nonfact6_frac);
  D_("sol_4_4cxi", s->sol_4_4cxi);
  D_("sol_6_nusyn", s->sol_6_nusyn);
  D_("sol_6_4csynab", s->sol_6_4csynab);
  D_("sol_others", s->sol_others);
#undef I_
#undef D_
  return n;
}

void li2_solutions_summary_json(li2_json_writer *w, const li2_solutions_result *r, long epoch)
{
  sfield f[32];
  size_t n = summary_fields(r, epoch, f);
  for (size_t i = 0; i < n; i++) {
    li2_json_key(w, f[i].name);
    if (f[i].integer)
      li2_json_int(w, (long)f[i].value);
    else
      li2_json_number(w, f[i].value);
  }
  li2_json_key(w, "orders");
  li2_json_array_begin(w);
  for (size_t k = 1; k <= r->nfreq; k++)
    li2_json_int(w, (long)r->order[k]);
  li2_json_array_end(w);
}

void li2_solutions_write_summary_lines(FILE *fp, const li2_solutions_result *r, long epoch)
{
  sfield f[32];
  size_t n = summary_fields(r, epoch, f);
  for (size_t i = 0; i < n; i++)
    if (f[i].integer)
      fprintf(fp, "%s\t%ld\n", f[i].name, (long)f[i].value);
    else
      fprintf(fp, "%s\t%.10g\n", f[i].name, f[i].value);
}

/* order-histogram.tsv: frequencies k >= 1 by their order, 0..max(10, largest) */
static void write_histogram(FILE *fp, const li2_solutions_result *r)
{
  size_t top = 10;
  for (size_t k = 1; k <= r->nfreq; k++)
    if (r->order[k] > top)
      top = r->order[k];
  fprintf(fp, "order\tfrequencies\n");
  for (size_t o = 0; o <= top; o++) {
    size_t c = 0;
    for (size_t k = 1; k <= r->nfreq; k++)
      c += r->order[k] == o;
    fprintf(fp, "%zu\t%zu\n", o, c);
  }
}

typedef void (*table_writer)(FILE *, const li2_solutions_result *);

static int write_table(const char *dir, const char *name, table_writer fn,
                       const li2_solutions_result *r, li2_error *err)
{
  li2_io_file f;
  int rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, name, err)))
    return rc;
  fn(f.fp, r);
  return li2_io_commit(&f, err);
}

/* dynamics.tsv, ra0.tsv, ra1.tsv over the checkpoints of RUN */
static int write_dynamics(const char *run, const char *outdir, li2_error *err)
{
  char **paths = NULL;
  long *epochs = NULL;
  size_t n = 0;
  li2_io_file fd = {0}, f0 = {0}, f1 = {0};
  int rc, open_d = 0, open_0 = 0, open_1 = 0;
  if ((rc = li2_checkpoint_list(run, &paths, &epochs, &n, err)))
    return rc;
  if (n == 0)
    goto done;
  if ((rc = li2_io_open_atomic_in(&fd, outdir, "dynamics.tsv", err)))
    goto done;
  open_d = 1;
  if ((rc = li2_io_open_atomic_in(&f0, outdir, "ra0.tsv", err)))
    goto done;
  open_0 = 1;
  if ((rc = li2_io_open_atomic_in(&f1, outdir, "ra1.tsv", err)))
    goto done;
  open_1 = 1;
  fprintf(fd.fp, "epoch\tdiag\toffdiag\n");
  for (size_t i = 0; i < n; i++) {
    li2_complex *A, *B, *C;
    size_t d, K;
    double diag, off;
    if ((rc = li2_solutions_checkpoint_fourier(paths[i], &d, &K, &A, &B, &C, NULL, err)))
      goto done;
    if (i == 0) {
      fprintf(f0.fp, "epoch");
      fprintf(f1.fp, "epoch");
      for (size_t k = 1; k <= (d - 1) / 2; k++) {
        fprintf(f0.fp, "\tk%zu", k);
        fprintf(f1.fp, "\tk%zu", k);
      }
      fputc('\n', f0.fp);
      fputc('\n', f1.fp);
    }
    /* times 2d: draw_dyn_fig3.py's scale ("to fit our setup") */
    li2_solutions_r_sums(A, B, C, d, K, &diag, &off);
    fprintf(fd.fp, "%ld\t%.10g\t%.10g\n", epochs[i], 2.0 * (double)d * diag,
            2.0 * (double)d * off);
    fprintf(f0.fp, "%ld", epochs[i]);
    fprintf(f1.fp, "%ld", epochs[i]);
    for (size_t k = 1; k <= (d - 1) / 2; k++) {
      fprintf(f0.fp, "\t%.10g", 2.0 * (double)d * cabs(li2_solutions_r_rot(A, C, d, K, 0, k, k)));
      fprintf(f1.fp, "\t%.10g", 2.0 * (double)d * cabs(li2_solutions_r_rot(A, C, d, K, 1, k, k)));
    }
    fputc('\n', f0.fp);
    fputc('\n', f1.fp);
    free(A), free(B), free(C);
  }
  /* a commit closes its file whatever happens */
  open_d = 0;
  if ((rc = li2_io_commit(&fd, err)))
    goto done;
  open_0 = 0;
  if ((rc = li2_io_commit(&f0, err)))
    goto done;
  open_1 = 0;
  rc = li2_io_commit(&f1, err);
done:
  if (open_d)
    li2_io_abort(&fd);
  if (open_0)
    li2_io_abort(&f0);
  if (open_1)
    li2_io_abort(&f1);
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  free(epochs);
  return rc;
}

/* angles.tsv (k, kind, angle) and angle-histogram.tsv of one network */
static int write_angles(const char *dir, const li2_solutions_result *r, li2_error *err)
{
  li2_io_file f;
  size_t nb = LI2_SOL_ANGLE_BINS, *counts;
  int rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, "angles.tsv", err)))
    return rc;
  fprintf(f.fp, "k\tkind\tangle\n");
  if (li2_solutions_write_angles(f.fp, r, NULL)) {
    li2_io_abort(&f);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  if ((rc = li2_io_commit(&f, err)))
    return rc;
  if (!(counts = calloc(LI2_SOL_NANGLES * nb, sizeof *counts)) ||
      li2_solutions_angle_count(r, nb, counts)) {
    free(counts);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  if (!(rc = li2_io_open_atomic_in(&f, dir, "angle-histogram.tsv", err))) {
    fprintf(f.fp, "center\txi\tnu\talpha\tbeta\n");
    for (size_t b = 0; b < nb; b++) {
      fprintf(f.fp, "%.10g", -M_PI + 2 * M_PI * ((double)b + 0.5) / (double)nb);
      for (size_t k = 0; k < LI2_SOL_NANGLES; k++)
        fprintf(f.fp, "\t%zu", counts[k * nb + b]);
      fputc('\n', f.fp);
    }
    rc = li2_io_commit(&f, err);
  }
  free(counts);
  return rc;
}

int li2_solutions_run(const char *run, long epoch, const li2_solutions_params *p,
                      const char *outdir, int dynamics, li2_solutions_result **out,
                      long *epoch_out, li2_error *err)
{
  char *path = NULL;
  li2_solutions_result *r = NULL;
  long ep = -1;
  int rc;
  if (out)
    *out = NULL;
  if ((rc = li2_checkpoint_find(run, epoch, &path, err)))
    return rc;
  rc = li2_solutions_checkpoint(path, p, &r, &ep, err);
  free(path);
  if (rc)
    return rc;
  if ((rc = li2_io_mkdir(outdir, err)) ||
      (rc = write_table(outdir, "orders.tsv", li2_solutions_write_orders, r, err)) ||
      (rc = write_table(outdir, "order-histogram.tsv", write_histogram, r, err)) ||
      (rc = write_table(outdir, "factorize.tsv", li2_solutions_write_factors, r, err)))
    goto done;
  if (dynamics && li2_io_is_dir(run) && (rc = write_dynamics(run, outdir, err)))
    goto done;
  if ((rc = write_angles(outdir, r, err)))
    goto done;
  {
    li2_io_file f;
    li2_json_writer w;
    if ((rc = li2_io_open_atomic_in(&f, outdir, "solutions.json", err)))
      goto done;
    li2_json_writer_init(&w, f.fp, 1);
    li2_json_object_begin(&w);
    li2_json_key(&w, "run");
    li2_json_string(&w, run);
    li2_solutions_summary_json(&w, r, ep);
    li2_json_object_end(&w);
    li2_json_writer_finish(&w);
    if ((rc = li2_io_commit(&f, err)))
      goto done;
  }
done:
  if (!rc && out) {
    *out = r;
    r = NULL;
  }
  if (epoch_out)
    *epoch_out = ep;
  li2_solutions_result_free(r);
  return rc;
}
