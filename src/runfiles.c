/* The files of a run directory and a maxima search's summary.tsv (see
 * runfiles.h). */
#include "runfiles.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "provenance.h"
#include "table.h"

/* ------------------------------------------------------------------ */
/* metrics.tsv                                                         */

#define METRICS_HEADER                                                                     \
  "epoch\ttrain_acc\ttest_acc\ttrain_loss\ttest_loss\tgf_norm\tw_norm\tv_norm\tftf_diag\t" \
  "ftf_offdiag\tlr"
/* stage1_stats: these columns follow lr */
#define STAGE1_HEADER "\tpff_diag\tpff_offdiag\tdw_cos\tdv_cos\tff_dist_ideal\tdf_norm"

void li2_runfiles_metrics_header(FILE *fp, int stage1)
{
  fprintf(fp, "%s%s\n", METRICS_HEADER, stage1 ? STAGE1_HEADER : "");
}

int li2_runfiles_metrics_row(FILE *fp, const char *path, const li2_train_metrics *m, double lr,
                             int stage1, li2_error *err)
{
  fprintf(fp, "%ld\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g",
          m->epoch, m->train_acc, m->test_acc, m->train_loss, m->test_loss, m->gf_norm,
          m->w_norm, m->v_norm, m->ftf_diag, m->ftf_offdiag, lr);
  if (stage1)
    fprintf(fp, "\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g", m->pff_diag, m->pff_offdiag,
            m->dw_cos, m->dv_cos, m->ff_dist_ideal, m->df_norm);
  fputc('\n', fp);
  return li2_io_flush(fp, path, err);
}

int li2_runfiles_metrics_truncate(const char *path, long epoch, int stage1, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  char *text = NULL;
  size_t len;
  int ce, blank, rc = li2_io_read_file(path, &text, &len, err);
  if (rc)
    return rc;
  blank = text[strspn(text, "\n")] == 0;
  free(text);
  if (blank) {
    /* killed before its header was flushed: a new one */
    if ((rc = li2_io_open_atomic(&f, path, err)))
      return rc;
    li2_runfiles_metrics_header(f.fp, stage1);
    return li2_io_commit(&f, err);
  }
  if ((rc = li2_table_read(path, &t, err)))
    return rc;
  if ((ce = li2_table_col(&t, "epoch")) < 0) {
    rc = li2_error_set(err, LI2_EFORMAT, "%s line %zu: header lacks epoch", path, t.header_line);
    li2_table_free(&t);
    return rc;
  }
  if ((rc = li2_io_open_atomic(&f, path, err))) {
    li2_table_free(&t);
    return rc;
  }
  for (size_t k = 0; k < t.ncols; k++)
    fprintf(f.fp, "%s%s", k ? "\t" : "", t.names[k]);
  fputc('\n', f.fp);
  for (size_t i = 0; i < t.nrows; i++) {
    long e;
    li2_error e2 = {0};
    /* rows of epochs before EPOCH; a row whose epoch is not a number is dropped */
    if (li2_table_long(&t, i, ce, &e, &e2) || e < 0 || e >= epoch)
      continue;
    for (size_t k = 0; k < t.ncols && k < t.width[i]; k++)
      fprintf(f.fp, "%s%s", k ? "\t" : "", li2_table_str(&t, i, (int)k));
    fputc('\n', f.fp);
  }
  li2_table_free(&t);
  return li2_io_commit(&f, err);
}

int li2_runfiles_metrics_read(const char *path, li2_runfiles_metric **rows, size_t *n,
                              li2_error *err)
{
  li2_table t;
  li2_runfiles_metric *out = NULL;
  int ce, ctr, cte, rc;
  *rows = NULL;
  *n = 0;
  if ((rc = li2_table_read(path, &t, err)))
    return rc;
  ce = li2_table_col(&t, "epoch");
  ctr = li2_table_col(&t, "train_acc");
  cte = li2_table_col(&t, "test_acc");
  if (ce < 0 || ctr < 0 || cte < 0) {
    rc = li2_error_set(err, LI2_EFORMAT, "%s line %zu: header lacks epoch, train_acc or test_acc",
                       path, t.header_line);
    goto done;
  }
  if (t.nrows == 0) {
    rc = li2_error_set(err, LI2_EFORMAT, "%s: no metrics rows", path);
    goto done;
  }
  if (!(out = malloc(t.nrows * sizeof *out))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < t.nrows; i++) {
    li2_runfiles_metric *m = &out[i];
    if (t.width[i] != t.ncols) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s line %zu: expected %zu tab-separated numbers",
                         path, t.line[i], t.ncols);
      goto done;
    }
    /* NaN (no test set) is written as "nan" by printf, read by strtod */
    if (li2_table_long(&t, i, ce, &m->epoch, err) ||
        li2_table_double(&t, i, ctr, &m->train_acc, err) ||
        li2_table_double(&t, i, cte, &m->test_acc, err)) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s line %zu: expected %zu tab-separated numbers",
                         path, t.line[i], t.ncols);
      goto done;
    }
    if (i && m->epoch <= out[i - 1].epoch) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s line %zu: epoch %ld does not increase", path,
                         t.line[i], m->epoch);
      goto done;
    }
  }
  *rows = out;
  *n = t.nrows;
  out = NULL;
done:
  free(out);
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* run.json                                                            */

void li2_runfiles_summary_json(li2_json_writer *w, const li2_runfiles_summary *s)
{
  li2_json_object_begin(w);
  li2_json_key(w, "status");
  li2_json_string(w, s->status);
  li2_json_key(w, "group");
  li2_json_string(w, s->group);
  li2_json_key(w, "kernel");
  li2_json_string(w, s->kernel);
  li2_json_key(w, "ntrain");
  li2_json_int(w, (long)s->ntrain);
  li2_json_key(w, "ntest");
  li2_json_int(w, (long)s->ntest);
  li2_json_key(w, "epochs");
  li2_json_int(w, s->epochs);
  li2_json_key(w, "start_epoch");
  li2_json_int(w, s->start_epoch);
  li2_json_key(w, "train_acc");
  li2_json_number(w, s->last.train_acc);
  li2_json_key(w, "test_acc");
  li2_json_number(w, s->last.test_acc);
  li2_json_key(w, "train_loss");
  li2_json_number(w, s->last.train_loss);
  li2_json_key(w, "test_loss");
  li2_json_number(w, s->last.test_loss);
  li2_json_key(w, "grok_epoch");
  if (s->grok_epoch >= 0)
    li2_json_int(w, s->grok_epoch);
  else
    li2_json_null(w);
  li2_json_key(w, "seconds");
  li2_json_number(w, s->seconds);
  li2_json_key(w, "train_seconds_per_epoch");
  li2_json_number(w, s->epochs > s->start_epoch
                         ? s->iterate_seconds / (double)(s->epochs - s->start_epoch) : NAN);
  li2_json_key(w, "train_seconds_per_epoch_median");
  li2_json_number(w, s->median_epoch);
  li2_json_key(w, "eval_seconds");
  li2_json_number(w, s->eval_seconds);
  li2_json_object_end(w);
}

/* "metadata": {KEY: VALUE, ...} from metadata=KEY=VALUE;... (Hydra's
 * +KEY=VALUE words, e.g. the reference's +run_name, +githash) */
static void json_metadata(li2_json_writer *w, const char *text)
{
  li2_json_key(w, "metadata");
  li2_json_object_begin(w);
  while (*text) {
    size_t n = strcspn(text, ";"), k = strcspn(text, "=");
    char key[256], val[1024];
    if (k > n)
      k = n;
    snprintf(key, sizeof key, "%.*s", (int)k, text);
    snprintf(val, sizeof val, "%.*s", k < n ? (int)(n - k - 1) : 0, text + (k < n ? k + 1 : k));
    li2_json_key(w, key);
    li2_json_string(w, val);
    text += n + (text[n] == ';');
  }
  li2_json_object_end(w);
}

li2_json *li2_runfiles_json_read(const char *dir, const char *name)
{
  char *path = li2_io_path(dir, name), *text = NULL;
  size_t len;
  li2_json *js = NULL;
  if (path && li2_io_is_file(path) && !li2_io_read_file(path, &text, &len, NULL))
    js = li2_json_parse(text, len, NULL);
  free(text);
  free(path);
  return js;
}

li2_json *li2_runfiles_run_json_read(const char *dir)
{
  return li2_runfiles_json_read(dir, "run.json");
}

int li2_runfiles_run_json_write(const char *dir, const li2_args *cfg,
                                const li2_runfiles_summary *s, int resumed, li2_error *err)
{
  /* the configuration is what to run: config= is replaced by what it read */
  static const char *const skip[] = {"config", "metadata", NULL};
  li2_io_file f;
  li2_json_writer w;
  li2_json *old = NULL;
  int rc;
  /* an unreadable old run.json loses only its history */
  if (resumed)
    old = li2_runfiles_run_json_read(dir);
  if ((rc = li2_io_open_atomic_in(&f, dir, "run.json", err))) {
    li2_json_free(old);
    return rc;
  }
  li2_json_writer_init(&w, f.fp, 1);
  li2_json_object_begin(&w);
  li2_json_key(&w, "configuration");
  li2_args_write_json(cfg, &w, skip);
  if (li2_args_has(cfg, "metadata"))
    json_metadata(&w, li2_args_string(cfg, "metadata"));
  li2_json_key(&w, "summary");
  li2_runfiles_summary_json(&w, s);
  li2_json_key(&w, "provenance");
  li2_provenance_write(&w);
  if (old && old->type == LI2_JSON_OBJECT) {
    const li2_json *h = li2_json_get(old, "provenance_history"), *p = li2_json_get(old, "provenance");
    li2_json_key(&w, "provenance_history");
    li2_json_array_begin(&w);
    for (size_t i = 0; h && h->type == LI2_JSON_ARRAY && i < h->n; i++)
      li2_json_value(&w, &h->item[i]);
    if (p)
      li2_json_value(&w, p);
    li2_json_array_end(&w);
  }
  li2_json_free(old);
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
  return li2_io_commit(&f, err);
}

/* ------------------------------------------------------------------ */
/* checkpoints                                                         */

int li2_runfiles_save_before(const li2_train_config *c, long e)
{
  /* the saves at multiples of save_interval are the ones after step e - 1 */
  return c->init_save_range > 0 && (e == 0 || (e < c->init_save_range && e % c->save_interval));
}

int li2_runfiles_save_after(const li2_train_config *c, long e)
{
  return (e + 1) % c->save_interval == 0;
}

int li2_runfiles_checkpoint_save(li2_trainer *t, const char *dir, long *saved, li2_error *err)
{
  int rc = li2_trainer_save_in(t, dir, li2_trainer_epoch(t), err);
  if (!rc)
    rc = li2_trainer_save_in(t, dir, -1, err);
  if (!rc)
    *saved = li2_trainer_epoch(t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* summary.tsv                                                         */

static void print_num(FILE *fp, double x, const char *sep)
{
  if (isnan(x))
    fprintf(fp, "-%s", sep);
  else
    fprintf(fp, "%.12g%s", x, sep);
}

void li2_runfiles_maxima_summary_write(FILE *fp, const li2_maxima_result *r,
                                       const li2_characters *ct)
{
  fprintf(fp, "component\tdegree\tindicator\treal_dim\tenergy\tpredicted_energy\trel_error\tcount"
              "\tzero_modes\n");
  for (size_t i = 0; i < r->ngroups; i++) {
    const li2_maxima_group *gr = &r->groups[i];
    int c = gr->component;
    if (gr->label != LI2_MAXIMA_MAX)
      continue;
    if (c > 0) {
      int irr = ct->component_irrep[c];
      fprintf(fp, "%d\t%d\t%+d\t%d\t", c, ct->degree[irr], ct->indicator[irr],
              ct->component_real_dim[c]);
    } else
      fprintf(fp, "-\t-\t-\t-\t");
    print_num(fp, gr->energy, "\t");
    print_num(fp, gr->predicted, "\t");
    print_num(fp, fabs(gr->energy - gr->predicted) / gr->predicted, "\t");
    fprintf(fp, "%zu\t%d\n", gr->count, r->points[gr->first].zero_modes);
  }
}
