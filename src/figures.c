/* The figures of li2 plot and li2 report (see figures.h). */
#define _POSIX_C_SOURCE 200809L
#include "figures.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "compare.h"
#include "io.h"
#include "json.h"
#include "phase.h"
#include "sweep.h"
#include "table.h"
#include "provenance.h"

void li2_figures_params_default(li2_figures_params *p)
{
  memset(p, 0, sizeof *p);
  p->formats = 1u << LI2_PLOT_PDF;
  p->style = LI2_PLOT_PAPER;
  p->dpi = 300;
  p->run_gnuplot = 1;
}

int li2_figures_formats_parse(const char *s, const char *key, unsigned *mask, li2_error *err)
{
  char word[16];
  *mask = 0;
  while (s && *s) {
    size_t n = strcspn(s, ",");
    int f;
    if (n == 0 || n >= sizeof word)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: '%s' is not a list of pdf, png, svg, tex",
                           key, s);
    memcpy(word, s, n);
    word[n] = 0;
    if ((f = li2_plot_format_from_name(word)) < 0)
      return li2_error_set(err, LI2_EINVAL, "parameter %s: unknown format '%s' (pdf, png, svg, tex)",
                           key, word);
    *mask |= 1u << f;
    s += n + (s[n] == ',');
  }
  if (!*mask)
    return li2_error_set(err, LI2_EINVAL, "parameter %s: no format given", key);
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* finding data                                                         */

static const char *const subdirs[] = {"", "run", "maxima", "gradient", "power", NULL};

/* IN/NAME or IN/SUB/NAME for the subdirectories above; caller frees. */
static char *find(const char *in, const char *name)
{
  for (size_t i = 0; subdirs[i]; i++) {
    char *d = *subdirs[i] ? li2_io_path(in, subdirs[i]) : strdup(in), *p;
    if (!d)
      return NULL;
    p = li2_io_path(d, name);
    free(d);
    if (p && li2_io_is_file(p))
      return p;
    free(p);
  }
  return NULL;
}

/* Reads NAME (find) into T; *FOUND = 0 and T untouched when there is none. */
static int table_find(const char *in, const char *name, li2_table *t, int *found, li2_error *err)
{
  char *path = find(in, name);
  int rc;
  *found = path != NULL;
  if (!path)
    return LI2_SUCCESS;
  rc = li2_table_read(path, t, err);
  free(path);
  return rc;
}

/* The directory holding the run's checkpoints (IN or IN/run), or NULL. */
static char *find_run(const char *in)
{
  char *p = find(in, "checkpoint.li2"), *slash;
  if (!p)
    return NULL;
  slash = strrchr(p, '/');
  if (slash)
    *slash = 0;
  return p;
}

/* ------------------------------------------------------------------ */
/* writing figures                                                      */

typedef struct {
  const char *out;
  const li2_figures_params *p;
  li2_figures_list *list;
  int gnuplot;     /* found on PATH */
} fig_ctx;

/* Scripts for every requested format, gnuplot run on each. */
static int emit(fig_ctx *F, const char *base, const char *tmpl, const li2_plot_var *vars,
                size_t nvars, int wide, double height, li2_error *err)
{
  for (int fmt = 0; fmt < LI2_PLOT_NFORMATS; fmt++) {
    li2_plot_options o;
    char script[256];
    int rc;
    if (!(F->p->formats & (1u << fmt)))
      continue;
    li2_plot_options_default(&o);
    o.format = fmt;
    o.style = F->p->style;
    o.wide = wide;
    o.height = height;
    o.dpi = F->p->dpi > 0 ? F->p->dpi : 300;
    if ((rc = li2_plot_write_script_opt(F->out, base, tmpl, vars, nvars, &o, err)))
      return rc;
    li2_plot_names(base, fmt, script, sizeof script, NULL, 0);
    if (F->gnuplot && F->p->run_gnuplot) {
      li2_error perr = {0};
      if (li2_plot_run(F->out, script, &perr)) {
        if (!F->list->failed++)
          snprintf(F->list->first_failure, sizeof F->list->first_failure, "%s", perr.msg);
      }
    }
  }
  if (F->list->n < LI2_FIGURES_MAX)
    snprintf(F->list->name[F->list->n++], sizeof F->list->name[0], "%s", base);
  return LI2_SUCCESS;
}

/* A growing string for generated plot commands. */
typedef struct {
  char *s;
  size_t len, cap;
  int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
  va_list ap;
  int n;
  if (b->oom)
    return;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->oom = 1;
    return;
  }
  if (b->len + (size_t)n + 1 > b->cap) {
    size_t nc = (b->len + (size_t)n + 1) * 2;
    char *s = realloc(b->s, nc);
    if (!s) {
      b->oom = 1;
      return;
    }
    b->s = s;
    b->cap = nc;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static const char *sb_str(sbuf *b)
{
  if (!b->s)
    sb_printf(b, "%s", "");
  return b->s ? b->s : "";
}

/* ------------------------------------------------------------------ */
/* stages (li2 gradient's stages.tsv): shaded rectangles and labels     */

/* Shading for stages.tsv (li2_plot_stages), clipped to [XMIN, XMAX]. */
static int stage_objects(const fig_ctx *F, const char *in, double xmin, double xmax, int logx,
                         sbuf *b)
{
  char *path = find(in, "stages.tsv"), buf[2048];
  li2_table t;
  li2_error e = {0};
  double x0[3], x1[3];
  const char *name[3];
  size_t n = 0;
  int cs, c0, c1, drawn;
  if (!path)
    return 0;
  if (li2_table_read(path, &t, &e)) {
    free(path);
    return 0;
  }
  free(path);
  cs = li2_table_col(&t, "stage");
  c0 = li2_table_col(&t, "start_epoch");
  c1 = li2_table_col(&t, "end_epoch");
  for (; c0 >= 0 && c1 >= 0 && n < t.nrows && n < 3; n++) {
    x0[n] = li2_table_num(&t, n, c0);
    x1[n] = li2_table_num(&t, n, c1);
    name[n] = cs >= 0 ? li2_table_str(&t, n, cs) : "";
  }
  drawn = li2_plot_stages(buf, sizeof buf, x0, x1, name, n, xmin, xmax, logx, F->p->style);
  sb_printf(b, "%s", buf);
  li2_table_free(&t);
  return drawn;
}

/* ------------------------------------------------------------------ */
/* grokking: metrics.tsv                                                */

static int fig_grokking(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  sbuf stages = {0}, xs = {0};
  double xmin = INFINITY, xmax = -INFINITY;
  int rc, found, ce, ctr, cte, clr, cle, logx, have_test = 0, have_loss = 0;
  if ((rc = table_find(in, "metrics.tsv", &t, &found, err)) || !found)
    return rc;
  ce = li2_table_col(&t, "epoch");
  ctr = li2_table_col(&t, "train_acc");
  cte = li2_table_col(&t, "test_acc");
  clr = li2_table_col(&t, "train_loss");
  cle = li2_table_col(&t, "test_loss");
  if (ce < 0 || ctr < 0 || t.nrows < 2) {
    li2_table_free(&t);
    return LI2_SUCCESS;
  }
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce);
    if (e > 0)
      xmin = fmin(xmin, e);
    xmax = fmax(xmax, e);
    have_test |= !isnan(li2_table_num(&t, i, cte));
    have_loss |= li2_table_num(&t, i, clr) > 0;
  }
  /* a log axis when the run spans decades (fit early, generalise late) */
  logx = isfinite(xmin) && xmax / xmin >= 50;
  if ((rc = li2_io_open_atomic_in(&f, F->out, "grokking.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\ttrain_acc\ttest_acc\ttrain_loss\ttest_loss\n");
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce), v[4];
    if (isnan(e) || (logx && !(e > 0)))
      continue;
    v[0] = li2_table_num(&t, i, ctr);
    v[1] = li2_table_num(&t, i, cte);
    v[2] = li2_table_num(&t, i, clr);
    v[3] = li2_table_num(&t, i, cle);
    fprintf(f.fp, "%.10g", e);
    for (int k = 0; k < 4; k++)
      if (isnan(v[k]) || (k >= 2 && !(v[k] > 0)))
        fputs("\t-", f.fp);
      else
        fprintf(f.fp, "\t%.10g", v[k]);
    fputc('\n', f.fp);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  stage_objects(F, in, logx ? xmin : 0, xmax, logx, &stages);
  if (logx)
    sb_printf(&xs, "set logscale x\nset xrange [%.10g:%.10g]", xmin, xmax);
  else
    sb_printf(&xs, "set xrange [0:%.10g]", xmax);
  {
    sbuf acc = {0}, loss = {0};
    sb_printf(&acc, "plot \"grokking.dat\" using 1:2 with lines lt 1 title \"train\"");
    if (have_test)
      sb_printf(&acc, ", \\\n     \"grokking.dat\" using 1:3 with lines lt 2 title \"test\"");
    if (have_loss) {
      /* the accuracy panel's legend names both curves */
      sb_printf(&loss, "plot \"grokking.dat\" using 1:4 with lines lt 1 notitle");
      if (have_test)
        sb_printf(&loss, ", \\\n     \"grokking.dat\" using 1:5 with lines lt 2 notitle");
    } else {
      sb_printf(&loss, "unset logscale y\nplot NaN notitle");
    }
    if (stages.oom || xs.oom || acc.oom || loss.oom)
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    else {
      li2_plot_var v[] = {{"DATA", "grokking.dat"}, {"XSCALE", sb_str(&xs)},
                          {"XFORMAT", logx ? "\"10^{%L}\"" : "\"%g\""},
                          {"STAGES", sb_str(&stages)}, {"ACC_PLOT", sb_str(&acc)},
                          {"LOSS_PLOT", sb_str(&loss)}};
      rc = emit(F, "grokking", "grokking", v, 6, 0, 3.0, err);
    }
    free(acc.s);
    free(loss.s);
  }
done:
  free(stages.s);
  free(xs.s);
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* emergence: emergence.tsv                                             */

static int fig_emergence(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  sbuf stages = {0};
  double xmax = 0;
  int rc, found, ce, cf, cc, cm, ct;
  if ((rc = table_find(in, "emergence.tsv", &t, &found, err)) || !found)
    return rc;
  ce = li2_table_col(&t, "epoch");
  cf = li2_table_col(&t, "at_predicted_max_fraction");
  cc = li2_table_col(&t, "covered");
  cm = li2_table_col(&t, "missing");
  ct = li2_table_col(&t, "test_acc");
  if (ce < 0 || cf < 0 || cc < 0 || cm < 0 || t.nrows == 0) {
    li2_table_free(&t);
    return LI2_SUCCESS;
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "emergence.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\tat_predicted_max_fraction\tcoverage\ttest_acc\n");
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce), fr = li2_table_num(&t, i, cf), cov = li2_table_num(&t, i, cc),
           mis = li2_table_num(&t, i, cm), ta = li2_table_num(&t, i, ct);
    xmax = fmax(xmax, e);
    fprintf(f.fp, "%.10g\t", e);
    if (isnan(fr))
      fputs("-\t", f.fp);
    else
      fprintf(f.fp, "%.6g\t", fr);
    fprintf(f.fp, "%.6g\t", cov + mis > 0 ? cov / (cov + mis) : 0);
    if (isnan(ta))
      fputs("-\n", f.fp);
    else
      fprintf(f.fp, "%.6g\n", ta);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  stage_objects(F, in, 0, xmax, 0, &stages);
  {
    int have_test = 0;
    char xr[64];
    for (size_t i = 0; i < t.nrows; i++)
      have_test |= !isnan(li2_table_num(&t, i, ct));
    snprintf(xr, sizeof xr, "%.10g", xmax > 0 ? xmax : 1);
    li2_plot_var v[] = {{"DATA", "emergence.dat"}, {"STAGES", sb_str(&stages)}, {"XMAX", xr},
                        {"TEST_PLOT", have_test ? ", \\\n     \"emergence.dat\" using 1:4 with "
                                                  "lines lt 2 dt 2 title \"test accuracy\""
                                                : ""}};
    rc = stages.oom ? li2_error_set(err, LI2_ENOMEM, "out of memory")
                    : emit(F, "emergence", "emergence", v, 4, 0, 2.2, err);
  }
done:
  free(stages.s);
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* progress measures: progress.tsv (li2 compare progress=true)          */

static int fig_progress(fig_ctx *F, const char *in, li2_error *err)
{
  static const char *const cols[] = {"epoch", "train_loss", "test_loss", "restricted_test_loss",
                                     "excluded_train_loss", "gini", "key_share"};
  enum { NCOL = sizeof cols / sizeof cols[0] };
  li2_table t;
  li2_io_file f;
  double xmax = 0;
  int rc, found, c[NCOL];
  if ((rc = table_find(in, "progress.tsv", &t, &found, err)) || !found)
    return rc;
  for (int i = 0; i < NCOL; i++)
    if ((c[i] = li2_table_col(&t, cols[i])) < 0 || t.nrows == 0) {
      li2_table_free(&t);
      return LI2_SUCCESS;
    }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "progress.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\ttrain_loss\ttest_loss\trestricted_test_loss\texcluded_train_loss"
                "\tgini\tkey_share\n");
  for (size_t r = 0; r < t.nrows; r++) {
    for (int i = 0; i < NCOL; i++) {
      double x = li2_table_num(&t, r, c[i]);
      /* losses on a log axis: non-positive values are missing points */
      if (isnan(x) || (i >= 1 && i <= 4 && !(x > 0)))
        fputs(i ? "\t-" : "-", f.fp);
      else
        fprintf(f.fp, i ? "\t%.9g" : "%.10g", x);
    }
    fputc('\n', f.fp);
    xmax = fmax(xmax, li2_table_num(&t, r, c[0]));
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  {
    char xr[64];
    snprintf(xr, sizeof xr, "%.10g", xmax > 0 ? xmax : 1);
    li2_plot_var v[] = {{"DATA", "progress.dat"}, {"XMAX", xr}};
    rc = emit(F, "progress", "progress", v, 2, 0, 3.2, err);
  }
done:
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* power heatmaps: power.tsv, power-EPOCH.tsv, or checkpoints           */

typedef struct {
  long epoch;
  size_t nrows, ncomp;     /* active nodes, non-trivial components */
  double *share;           /* nrows x ncomp */
} panel;

static void panel_free(panel *p)
{
  free(p->share);
  memset(p, 0, sizeof *p);
}

/* Active rows of a power.tsv (li2_compare_write_power). */
static int panel_from_tsv(const char *path, long epoch, panel *pn, li2_error *err)
{
  li2_table t;
  int rc = li2_table_read(path, &t, err), ca, c1;
  memset(pn, 0, sizeof *pn);
  if (rc)
    return rc;
  ca = li2_table_col(&t, "active");
  c1 = li2_table_col(&t, "c1");
  pn->epoch = epoch;
  if (ca < 0 || c1 < 0) {
    li2_table_free(&t);
    return li2_error_set(err, LI2_EFORMAT, "%s: not a power table (columns active, c1, ...)", path);
  }
  pn->ncomp = t.ncols - (size_t)c1;
  if (!(pn->share = malloc((t.nrows ? t.nrows : 1) * pn->ncomp * sizeof *pn->share))) {
    li2_table_free(&t);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < t.nrows; i++) {
    if (!(li2_table_num(&t, i, ca) > 0))
      continue;
    for (size_t k = 0; k < pn->ncomp; k++) {
      double x = li2_table_num(&t, i, c1 + (int)k);
      pn->share[pn->nrows * pn->ncomp + k] = isnan(x) ? 0 : x;
    }
    pn->nrows++;
  }
  li2_table_free(&t);
  return LI2_SUCCESS;
}

/* Active nodes of a checkpoint, ordered as power.tsv (power only). */
static int panel_from_checkpoint(const char *path, panel *pn, li2_error *err)
{
  li2_compare_params cp;
  li2_compare_result *r = NULL;
  size_t *ord = NULL, nc;
  int rc;
  li2_compare_params_default(&cp);
  cp.maximise = 0;
  memset(pn, 0, sizeof *pn);
  if ((rc = li2_compare_checkpoint(path, &cp, &r, err)))
    return rc;
  nc = r->ncomponents - 1;
  pn->epoch = r->epoch;
  pn->ncomp = nc;
  /* one ordering rule and one share: power.tsv's (compare.h) */
  if (!(ord = malloc((r->K ? r->K : 1) * sizeof *ord)) ||
      !(pn->share = malloc((r->K ? r->K : 1) * (nc ? nc : 1) * sizeof *pn->share)))
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  else {
    li2_compare_power_order(r, ord);
    for (size_t i = 0; i < r->K; i++) {
      if (!(r->nodes[ord[i]].active > 0))
        continue;
      for (size_t k = 0; k < nc; k++)
        pn->share[pn->nrows * nc + k] = li2_compare_power_share(r, ord[i], k + 1);
      pn->nrows++;
    }
  }
  free(ord);
  li2_compare_result_free(r);
  return rc;
}

/* power-EPOCH.tsv files under IN (in power/ or IN itself). */
static size_t list_power_epochs(const char *in, long *epochs, size_t max)
{
  size_t n = 0;
  for (int s = 0; s < 2; s++) {
    char *d = s ? li2_io_path(in, "power") : strdup(in);
    DIR *dir = d ? opendir(d) : NULL;
    struct dirent *de;
    free(d);
    if (!dir)
      continue;
    while ((de = readdir(dir)) && n < max) {
      char *end;
      long e;
      if (strncmp(de->d_name, "power-", 6))
        continue;
      e = strtol(de->d_name + 6, &end, 10);
      if (end != de->d_name + 6 && !strcmp(end, ".tsv") && e >= 0)
        epochs[n++] = e;
    }
    closedir(dir);
  }
  /* sort, unique */
  for (size_t i = 1; i < n; i++)
    for (size_t k = i; k > 0 && epochs[k - 1] > epochs[k]; k--) {
      long t = epochs[k];
      epochs[k] = epochs[k - 1];
      epochs[k - 1] = t;
    }
  {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (!m || epochs[m - 1] != epochs[i])
        epochs[m++] = epochs[i];
    n = m;
  }
  return n;
}

/* Up to 4 epochs from the sorted AVAIL: first, last and two in between. */
static size_t pick_epochs(const long *avail, size_t n, long *out)
{
  size_t m = 0;
  if (n <= 4) {
    for (size_t i = 0; i < n; i++)
      out[m++] = avail[i];
    return m;
  }
  for (size_t q = 0; q < 4; q++) {
    size_t i = (q * (n - 1) + 1) / 3;
    if (!m || out[m - 1] != avail[i])
      out[m++] = avail[i];
  }
  return m;
}

static int load_panel(const char *in, long epoch, panel *pn, li2_error *err)
{
  char name[64], *path;
  int rc;
  snprintf(name, sizeof name, "power-%06ld.tsv", epoch);
  if ((path = find(in, name))) {
    rc = panel_from_tsv(path, epoch, pn, err);
    free(path);
    return rc;
  }
  {
    char *run = find_run(in);
    if (!run)
      return li2_error_set(err, LI2_EIO, "parameter epochs: no %s and no checkpoints under %s",
                           name, in);
    snprintf(name, sizeof name, "ckpt-%06ld.li2", epoch);
    path = li2_io_path(run, name);
    free(run);
    if (!path || !li2_io_is_file(path)) {
      rc = li2_error_set(err, LI2_EIO, "parameter epochs: epoch %ld: neither power-%06ld.tsv nor %s",
                         epoch, epoch, path ? path : name);
      free(path);
      return rc;
    }
    rc = panel_from_checkpoint(path, pn, err);
    free(path);
    return rc;
  }
}

static int fig_power(fig_ctx *F, const char *in, li2_error *err)
{
  long avail[4096], ep[4];
  size_t na, np = 0;
  panel pn[4];
  li2_io_file f;
  sbuf panels = {0};
  int rc = LI2_SUCCESS;
  memset(pn, 0, sizeof pn);
  if (F->p->epochs && F->p->nepochs) {
    for (size_t i = 0; i < F->p->nepochs && np < 4; i++)
      ep[np++] = F->p->epochs[i];
  } else {
    na = list_power_epochs(in, avail, 4096);
    if (na == 0) {
      /* a bare training run: its checkpoints */
      char *run = find_run(in);
      char **paths = NULL;
      long *eps = NULL;
      size_t nc = 0;
      li2_error e2 = {0};
      if (run && !li2_checkpoint_list(run, &paths, &eps, &nc, &e2)) {
        for (size_t i = 0; i < nc && na < 4096; i++)
          avail[na++] = eps[i];
      }
      for (size_t i = 0; i < nc; i++)
        free(paths[i]);
      free(paths);
      free(eps);
      free(run);
    }
    np = pick_epochs(avail, na, ep);
  }
  if (np == 0) {
    /* power.tsv alone (li2 compare epoch=N) */
    char *path = find(in, "power.tsv");
    if (!path)
      return LI2_SUCCESS;
    rc = panel_from_tsv(path, -1, &pn[0], err);
    free(path);
    if (rc)
      return rc;
    np = 1;
  } else {
    for (size_t i = 0; i < np; i++)
      if ((rc = load_panel(in, ep[i], &pn[i], err))) {
        /* a run whose network has no nodes to analyse (a transformer):
         * no power figure, the others are drawn */
        if (rc == LI2_EUNSUP) {
          li2_error_clear(err);
          rc = LI2_SUCCESS;
        }
        goto done;
      }
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "power.dat", err)))
    goto done;
  fprintf(f.fp, "# component\tnode_rank\tshare   (one block per panel; active nodes sorted by "
                "dominant component, then purity)\n");
  for (size_t i = 0; i < np; i++) {
    fprintf(f.fp, "# epoch %ld: %zu active nodes\n", pn[i].epoch, pn[i].nrows);
    for (size_t r = 0; r < pn[i].nrows; r++) {
      for (size_t k = 0; k < pn[i].ncomp; k++)
        fprintf(f.fp, "%zu\t%zu\t%.6g\n", k + 1, r, pn[i].share[r * pn[i].ncomp + k]);
      fputc('\n', f.fp);
    }
    if (pn[i].nrows == 0)  /* keep the block numbering: one dummy zero cell */
      fprintf(f.fp, "1\t0\t0\n\n");
    fputs("\n", f.fp);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  {
    /* panels side by side; the colour box on the right */
    double left = 0.1, right = 0.86, gap = 0.06, w = (right - left - gap * (double)(np - 1)) / (double)np;
    size_t nc = pn[0].ncomp;
    for (size_t i = 0; i < np; i++) {
      double l = left + (double)i * (w + gap);
      sb_printf(&panels, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n", l, l + w);
      sb_printf(&panels, "set xrange [0.5:%zu.5]\nset yrange [-0.5:%.1f]\n", pn[i].ncomp,
                (double)(pn[i].nrows ? pn[i].nrows : 1) - 0.5);
      if (i == 0)
        sb_printf(&panels, "set ylabel \"active node {/:Italic j} (sorted)\"\n");
      else
        sb_printf(&panels, "set ylabel \"\"\n");
      if (i + 1 == np)
        sb_printf(&panels, "set colorbox default\n");
      else
        sb_printf(&panels, "unset colorbox\n");
      if (pn[i].epoch >= 0)
        sb_printf(&panels, "set title \"epoch %ld\"\n", pn[i].epoch);
      else
        sb_printf(&panels, "unset title\n");
      sb_printf(&panels, "plot \"power.dat\" index %zu using 1:2:3 with image notitle\n", i);
    }
    {
      char xt[32];
      snprintf(xt, sizeof xt, "%s", nc > 24 ? "autofreq" : nc > 8 ? "1,2" : "1,1");
      li2_plot_var v[] = {{"DATA", "power.dat"}, {"PANELS", sb_str(&panels)}, {"XTICS", xt}};
      rc = panels.oom ? li2_error_set(err, LI2_ENOMEM, "out of memory")
                      : emit(F, "power", "power", v, 3, 1, 2.6, err);
    }
  }
done:
  for (size_t i = 0; i < 4; i++)
    panel_free(&pn[i]);
  free(panels.s);
  return rc;
}

/* ------------------------------------------------------------------ */
/* spectrum: spectrum.tsv                                               */

static int fig_spectrum(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  int rc, found, ce, c1;
  size_t nc;
  double xmin = INFINITY, xmax = -INFINITY, smax = 0;
  if ((rc = table_find(in, "spectrum.tsv", &t, &found, err)) || !found)
    return rc;
  ce = li2_table_col(&t, "epoch");
  c1 = li2_table_col(&t, "c1");
  if (ce < 0 || c1 < 0 || t.nrows == 0) {
    li2_table_free(&t);
    return LI2_SUCCESS;
  }
  nc = t.ncols - (size_t)c1;
  if ((rc = li2_io_open_atomic_in(&f, F->out, "spectrum.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\tcomponent\tshare\tepoch_low\tepoch_high   (cells of the heatmap)\n");
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce);
    double lo = i > 0 ? 0.5 * (e + li2_table_num(&t, i - 1, ce)) : e;
    double hi = i + 1 < t.nrows ? 0.5 * (e + li2_table_num(&t, i + 1, ce)) : e;
    /* the end cells as wide as their neighbours' halves */
    if (i == 0 && t.nrows > 1)
      lo = e - (hi - e);
    if (i + 1 == t.nrows && t.nrows > 1)
      hi = e + (e - lo);
    if (t.nrows == 1) {
      lo = e - 0.5;
      hi = e + 0.5;
    }
    xmin = fmin(xmin, lo);
    xmax = fmax(xmax, hi);
    for (size_t k = 0; k < nc; k++) {
      double s = li2_table_num(&t, i, c1 + (int)k);
      s = isnan(s) ? 0 : s;
      smax = fmax(smax, s);
      fprintf(f.fp, "%.10g\t%zu\t%.6g\t%.10g\t%.10g\n", e, k + 1, s, lo, hi);
    }
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  {
    char xr[96], yr[64], cb[64], yt[32];
    snprintf(xr, sizeof xr, "%.10g:%.10g", fmax(xmin, 0), xmax);
    snprintf(yr, sizeof yr, "0.5:%zu.5", nc);
    snprintf(cb, sizeof cb, "0:%.4g", smax > 0 ? smax : 1);
    snprintf(yt, sizeof yt, "%s", nc > 24 ? "autofreq" : nc > 8 ? "1,2" : "1,1");
    li2_plot_var v[] = {{"DATA", "spectrum.dat"}, {"XRANGE", xr}, {"YRANGE", yr},
                        {"CBRANGE", cb}, {"YTICS", yt}};
    rc = emit(F, "spectrum", "spectrum", v, 5, 0, 2.2, err);
  }
done:
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* energy histogram: maxima.tsv, summary.tsv, compare.tsv               */

static int fig_energy(fig_ctx *F, const char *in, li2_error *err)
{
  char *pm = find(in, "maxima.tsv"), *ps = find(in, "summary.tsv"), *pc = find(in, "compare.tsv");
  li2_table tm, ts, tc;
  li2_io_file f;
  sbuf arrows = {0}, plots = {0};
  double emin = INFINITY, emax = -INFINITY, levels[256];
  size_t nl = 0, counts[3] = {0, 0, 0};
  int rc = LI2_SUCCESS, hm = 0, hs = 0, hc = 0;
  memset(&tm, 0, sizeof tm);
  memset(&ts, 0, sizeof ts);
  memset(&tc, 0, sizeof tc);
  if (!pm && !pc)
    goto done;
  if (pm && !(rc = li2_table_read(pm, &tm, err)))
    hm = li2_table_col(&tm, "energy") >= 0 && li2_table_col(&tm, "label") >= 0;
  if (!rc && ps && !(rc = li2_table_read(ps, &ts, err)))
    hs = li2_table_col(&ts, "predicted_energy") >= 0;
  if (!rc && pc && !(rc = li2_table_read(pc, &tc, err)))
    hc = li2_table_col(&tc, "energy") >= 0 && li2_table_col(&tc, "active") >= 0;
  if (rc || (!hm && !hc))
    goto done;
  if ((rc = li2_io_open_atomic_in(&f, F->out, "energy.dat", err)))
    goto done;
  fprintf(f.fp, "# kind\tenergy   (kind 0: certified maximum from a random start, 1: other end "
                "point, 2: active trained node E(w/|w|))\n");
  if (hm) {
    int ce = li2_table_col(&tm, "energy"), cl = li2_table_col(&tm, "label");
    for (size_t i = 0; i < tm.nrows; i++) {
      double e = li2_table_num(&tm, i, ce);
      int kind = strcmp(li2_table_str(&tm, i, cl), "max") ? 1 : 0;
      if (isnan(e))
        continue;
      counts[kind]++;
      emin = fmin(emin, e);
      emax = fmax(emax, e);
      fprintf(f.fp, "%d\t%.12g\n", kind, e);
    }
  }
  if (hc) {
    int ce = li2_table_col(&tc, "energy"), ca = li2_table_col(&tc, "active"),
        cp = li2_table_col(&tc, "predicted");
    for (size_t i = 0; i < tc.nrows; i++) {
      double e = li2_table_num(&tc, i, ce), p = li2_table_num(&tc, i, cp);
      if (isnan(e) || !(li2_table_num(&tc, i, ca) > 0))
        continue;
      counts[2]++;
      emin = fmin(emin, e);
      emax = fmax(emax, e);
      fprintf(f.fp, "2\t%.12g\n", e);
      if (!isnan(p) && nl < 256) {
        size_t j;
        for (j = 0; j < nl && fabs(levels[j] - p) > 1e-9 * p; j++)
          ;
        if (j == nl)
          levels[nl++] = p;
      }
    }
  }
  if (hs) {
    int cp = li2_table_col(&ts, "predicted_energy");
    for (size_t i = 0; i < ts.nrows && nl < 256; i++) {
      double p = li2_table_num(&ts, i, cp);
      size_t j;
      if (isnan(p))
        continue;
      for (j = 0; j < nl && fabs(levels[j] - p) > 1e-9 * p; j++)
        ;
      if (j == nl)
        levels[nl++] = p;
    }
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  if (counts[0] + counts[1] + counts[2] == 0)
    goto done;
  for (size_t j = 0; j < nl; j++) {
    emin = fmin(emin, levels[j]);
    emax = fmax(emax, levels[j]);
    sb_printf(&arrows, "set arrow from first %.12g, graph 0 to first %.12g, graph 1 nohead front "
                       "lt 8 dt 2 lw 1\n",
              levels[j], levels[j]);
  }
  {
    const char *sep = "plot ";
    if (counts[0]) {
      sb_printf(&plots, "%s\"energy.dat\" using (bin($2)):($1 == 0 ? 1 : 0) smooth frequency "
                        "with boxes lt 1 title \"maxima, random starts\"",
                sep);
      sep = ", \\\n     ";
    }
    if (counts[1]) {
      sb_printf(&plots, "%s\"energy.dat\" using (bin($2)):($1 == 1 ? 1 : 0) smooth frequency "
                        "with boxes lt 4 title \"saddles, degenerate\"",
                sep);
      sep = ", \\\n     ";
    }
    if (counts[2]) {
      sb_printf(&plots, "%s\"energy.dat\" using (bin($2)):($1 == 2 ? 1 : 0) smooth frequency "
                        "with boxes lt 2 fs transparent solid 0.55 noborder title "
                        "\"trained nodes\"",
                sep);
      sep = ", \\\n     ";
    }
    if (nl)
      sb_printf(&plots, "%sNaN with lines lt 8 dt 2 lw 1 title \"predicted {/:Italic M}/(2{/:Italic d_R})\"",
                sep);
  }
  {
    /* E >= 0 for the raw energy: the axis from 0 shows every level and
     * how far below them the nodes that are not at a maximum sit */
    double lo = emin >= 0 ? 0 : emin, bw = (emax - lo) / 60.0;
    char bws[64], xr[96];
    if (!(bw > 0))
      bw = fabs(emax) > 0 ? fabs(emax) / 60.0 : 1;
    snprintf(bws, sizeof bws, "%.6g", bw);
    snprintf(xr, sizeof xr, "%.6g:%.6g", lo, emax + 3 * bw);
    li2_plot_var v[] = {{"DATA", "energy.dat"}, {"BINWIDTH", bws}, {"XRANGE", xr},
                        {"LEVEL_ARROWS", sb_str(&arrows)}, {"PLOT", sb_str(&plots)}};
    rc = arrows.oom || plots.oom ? li2_error_set(err, LI2_ENOMEM, "out of memory")
                                 : emit(F, "energy", "energy", v, 5, 0, 2.2, err);
  }
done:
  free(arrows.s);
  free(plots.s);
  li2_table_free(&tm);
  li2_table_free(&ts);
  li2_table_free(&tc);
  free(pm);
  free(ps);
  free(pc);
  return rc;
}

/* ------------------------------------------------------------------ */
/* G_F against eta: independence.tsv                                    */

static int fig_gf_eta(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  sbuf dist = {0}, share = {0};
  long epochs[8];
  size_t ne = 0;
  int rc, found, ce, ceta, cd, cs;
  if ((rc = table_find(in, "independence.tsv", &t, &found, err)) || !found)
    return rc;
  ce = li2_table_col(&t, "epoch");
  ceta = li2_table_col(&t, "eta");
  cd = li2_table_col(&t, "rel_distance");
  cs = li2_table_col(&t, "own_share");
  if (ceta < 0 || cd < 0 || cs < 0 || t.nrows == 0) {
    li2_table_free(&t);
    return LI2_SUCCESS;
  }
  /* one block per epoch (at most 8), in order of first appearance */
  for (size_t i = 0; i < t.nrows && ne < 8; i++) {
    long e = li2_table_epoch(&t, i, ce);
    int seen = 0;
    for (size_t k = 0; k < ne; k++)
      seen |= epochs[k] == e;
    if (!seen)
      epochs[ne++] = e;
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "gf-eta.dat", err)))
    goto done;
  fprintf(f.fp, "# eta\trel_distance\town_share   (one block per checkpoint epoch)\n");
  for (size_t k = 0; k < ne; k++) {
    size_t rows = 0;
    fprintf(f.fp, "# epoch %ld\n", epochs[k]);
    for (size_t i = 0; i < t.nrows; i++) {
      long e = li2_table_epoch(&t, i, ce);
      double eta = li2_table_num(&t, i, ceta), d = li2_table_num(&t, i, cd), s = li2_table_num(&t, i, cs);
      if (e != epochs[k] || !(eta > 0))
        continue;
      fprintf(f.fp, "%.10g\t", eta);
      if (d > 0)
        fprintf(f.fp, "%.10g\t", d);
      else
        fputs("-\t", f.fp);
      if (isnan(s))
        fputs("-\n", f.fp);
      else
        fprintf(f.fp, "%.10g\n", s);
      rows++;
    }
    fputs("\n\n", f.fp);
    if (rows) {
      char title[64];
      if (epochs[k] >= 0)
        snprintf(title, sizeof title, "epoch %ld", epochs[k]);
      else
        snprintf(title, sizeof title, "built features");
      sb_printf(&dist, "%s\"gf-eta.dat\" index %zu using 1:2 with linespoints lt %zu title \"%s\"",
                dist.len ? ", \\\n     " : "plot ", k, k + 1, title);
      sb_printf(&share, "%s\"gf-eta.dat\" index %zu using 1:3 with linespoints lt %zu notitle",
                share.len ? ", \\\n     " : "plot ", k, k + 1);
    }
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  if (!dist.len)
    goto done;
  {
    /* a label every decade, or every other one over a wide range */
    double emin = INFINITY, emax = 0;
    char step[16];
    for (size_t i = 0; i < t.nrows; i++) {
      double eta = li2_table_num(&t, i, ceta);
      if (eta > 0) {
        emin = fmin(emin, eta);
        emax = fmax(emax, eta);
      }
    }
    snprintf(step, sizeof step, "%s", emax / emin > 1e5 ? "100" : "10");
    li2_plot_var v[] = {{"DATA", "gf-eta.dat"}, {"DIST_PLOT", sb_str(&dist)},
                        {"SHARE_PLOT", sb_str(&share)}, {"XTICS", step}};
    rc = dist.oom || share.oom ? li2_error_set(err, LI2_ENOMEM, "out of memory")
                               : emit(F, "gf-eta", "gf-eta", v, 4, 0, 3.0, err);
  }
done:
  free(dist.s);
  free(share.s);
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* coverage: compare.json                                               */

/* A step of 1, 2 or 5 times a power of ten giving at most N + 1 ticks
 * over [0, MAX] (the panels of the slides style hold few labels). */
static double tick_step(double max, int n)
{
  double raw = max > 0 && isfinite(max) ? max / n : 1, p = pow(10, floor(log10(raw)));
  return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}


static int fig_coverage(fig_ctx *F, const char *in, li2_error *err)
{
  char *path = find(in, "compare.json"), *text = NULL;
  li2_json *js = NULL;
  const li2_json *npc, *amc;
  li2_io_file f;
  size_t len, nc, nmissing = 0;
  double ymax = 1;
  int rc;
  if (!path)
    return LI2_SUCCESS;
  rc = li2_io_read_file(path, &text, &len, err);
  if (!rc && !(js = li2_json_parse(text, len, err))) {
    li2_error_prefix(err, "%s: ", path);
    rc = err->code ? err->code : LI2_EFORMAT;
  }
  free(path);
  free(text);
  if (rc)
    return rc;
  npc = li2_json_get(js, "nodes_per_component");
  amc = li2_json_get(js, "at_max_per_component");
  if (!npc || !amc || npc->type != LI2_JSON_ARRAY || amc->type != LI2_JSON_ARRAY ||
      npc->n != amc->n || npc->n < 2) {
    li2_json_free(js);
    return LI2_SUCCESS;
  }
  nc = npc->n - 1;
  if ((rc = li2_io_open_atomic_in(&f, F->out, "coverage.dat", err)))
    goto done;
  fprintf(f.fp, "# component\tactive_nodes\tat_max_nodes\tmissing\n");
  for (size_t k = 1; k <= nc; k++) {
    int miss = amc->item[k].number == 0;
    nmissing += (size_t)miss;
    ymax = fmax(ymax, npc->item[k].number);
    fprintf(f.fp, "%zu\t%.0f\t%.0f\t%d\n", k, npc->item[k].number, amc->item[k].number, miss);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  {
    char xr[32], xt[32], yt[32];
    /* at most 5 counts labelled: they fit the slides style's large font */
    double step = fmax(1, tick_step(ymax, 4));
    snprintf(xr, sizeof xr, "0.5:%zu.5", nc);
    snprintf(xt, sizeof xt, "%s", nc > 16 ? "autofreq" : "1,1");
    snprintf(yt, sizeof yt, "0, %.0f", step);
    li2_plot_var v[] = {{"DATA", "coverage.dat"}, {"XRANGE", xr}, {"XTICS", xt}, {"YTICS", yt},
                        {"MISSING_PLOT", nmissing ? ", \\\n     \"coverage.dat\" using 1:($4 > 0 "
                                                    "? 0 : NaN) with points lt 2 pt 2 ps 2 "
                                                    "title \"missing\""
                                                  : ""}};
    rc = emit(F, "coverage", "coverage", v, 5, 0, 2.2, err);
  }
done:
  li2_json_free(js);
  return rc;
}

/* ------------------------------------------------------------------ */
/* phase diagram: sweep.tsv, or a sweep's results.tsv                   */

static int curves_keys(const char *in, char keys[][64], size_t *n, size_t *npoints,
                       li2_error *err);

/* Whether the sweep IN varies the training split (train_fraction,
 * train_size or test_size) and the group (M or group): the axes of a
 * phase diagram.  Any other training sweep (optimisers, seeds) has none. */
static int sweeps_phase_axes(const char *in, int *yes, li2_error *err)
{
  char keys[8][64];
  size_t nk = 0, npoints = 0;
  int split = 0, group = 0, rc = curves_keys(in, keys, &nk, &npoints, err);
  for (size_t k = 0; k < nk; k++) {
    split |= !strcmp(keys[k], "train_fraction") || !strcmp(keys[k], "train_size") ||
             !strcmp(keys[k], "test_size");
    group |= !strcmp(keys[k], "M") || !strcmp(keys[k], "group");
  }
  *yes = split && group;
  return rc;
}

static int fig_phase(fig_ctx *F, const char *in, li2_error *err)
{
  char *path = find(in, "sweep.tsv");
  int from_sweep = path != NULL;
  li2_table t;
  li2_io_file f;
  int rc, cm, cp, ca;
  double *M = NULL, *P = NULL, *A = NULL, mmin = INFINITY, mmax = -INFINITY;
  li2_phase_diagram d;
  memset(&d, 0, sizeof d);
  if (!path && !(path = find(in, "results.tsv")))
    return LI2_SUCCESS;
  if (!from_sweep) {
    int axes = 0;
    if ((rc = sweeps_phase_axes(in, &axes, err)) || !axes) {
      free(path);
      return rc;
    }
  }
  rc = li2_table_read(path, &t, err);
  if (rc) {
    free(path);
    return rc;
  }
  cm = li2_table_col(&t, "M");
  cp = li2_table_col(&t, "train_fraction");
  ca = li2_table_col(&t, "test_acc");
  if (cm < 0 || cp < 0 || ca < 0) {
    /* a sweep over other parameters has no phase diagram */
    rc = from_sweep ? li2_error_set(err, LI2_EFORMAT, "%s: needs the columns M, train_fraction, "
                                                      "test_acc", path)
                    : LI2_SUCCESS;
    free(path);
    li2_table_free(&t);
    return rc;
  }
  free(path);
  M = malloc((t.nrows + 1) * sizeof *M);
  P = malloc((t.nrows + 1) * sizeof *P);
  A = malloc((t.nrows + 1) * sizeof *A);
  if (!M || !P || !A) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < t.nrows; i++) {
    M[i] = li2_table_num(&t, i, cm);
    P[i] = li2_table_num(&t, i, cp);
    A[i] = li2_table_num(&t, i, ca);
  }
  /* the grid, the boundaries and c (phase.h): computed, then drawn */
  if ((rc = li2_phase_diagram_compute(M, P, A, t.nrows, LI2_PHASE_THRESHOLD,
                                      LI2_PHASE_CONFIDENCE, &d, err)) || d.ncells == 0)
    goto done;
  for (size_t k = 0; k < d.ncells; k++) {
    mmin = fmin(mmin, d.cells[k].M);
    mmax = fmax(mmax, d.cells[k].M);
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "phase.dat", err)))
    goto done;
  fprintf(f.fp, "# M\ttrain_fraction\tmean_test_acc\truns\n");
  for (size_t k = 0; k < d.ncells; k++)
    fprintf(f.fp, "%.10g\t%.10g\t%.6g\t%zu\n", d.cells[k].M, d.cells[k].p, d.cells[k].acc,
            d.cells[k].runs);
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  if ((rc = li2_phase_diagram_write(F->out, &d, err)))
    goto done;
  {
    char xr[64], fitplot[512];
    double pad = 0.05 * fmax(mmax - mmin, 1);
    snprintf(xr, sizeof xr, "%.6g:%.6g", fmax(mmin - pad, 1.5), mmax + pad);
    if (d.fit.n > 0 && d.fit.n >= 2)
      snprintf(fitplot, sizeof fitplot,
               ", \\\n     %.6g * log(x) / x with lines lt 1 lw 2 title \"fit c = %.3g [%.3g, %.3g]\"",
               d.fit.c, d.fit.c, d.fit.c_low, d.fit.c_high);
    else if (d.fit.n > 0)
      snprintf(fitplot, sizeof fitplot,
               ", \\\n     %.6g * log(x) / x with lines lt 1 lw 2 title \"fit c = %.3g\"", d.fit.c,
               d.fit.c);
    else
      fitplot[0] = 0;
    li2_plot_var v[] = {{"DATA", "phase.dat"}, {"XRANGE", xr}, {"BOUNDARY", "phase-boundary.dat"},
                        {"FIT_PLOT", fitplot}};
    rc = emit(F, "phase", "phase", v, 4, 0, 2.4, err);
  }
done:
  free(M);
  free(P);
  free(A);
  li2_phase_diagram_free(&d);
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */
/* curves: a sweep's runs grouped by the swept keys other than seed      */

#define CURVES_MAX 24

/* The swept keys (manifest.json) with more than one value, seed excluded;
 * *NPOINTS the sweep's point count, 0 when IN is not a training sweep. */
static int curves_keys(const char *in, char keys[][64], size_t *n, size_t *npoints,
                       li2_error *err)
{
  char *path = li2_io_path(in, "manifest.json"), *text = NULL;
  size_t len;
  li2_json *j = NULL;
  int rc = LI2_SUCCESS;
  *n = 0;
  *npoints = 0;
  if (!path || !li2_io_is_file(path)) {
    free(path);
    return LI2_SUCCESS;
  }
  if ((rc = li2_io_read_file(path, &text, &len, err)) || !(j = li2_json_parse(text, len, err))) {
    rc = rc ? rc : LI2_EFORMAT;
    goto done;
  }
  const li2_json *pts = li2_json_get(j, "points"), *ks = li2_json_get(j, "keys");
  const li2_json *cmd = li2_json_get(j, "command");
  if (!pts || pts->type != LI2_JSON_NUMBER || !ks || ks->type != LI2_JSON_ARRAY || !cmd ||
      cmd->type != LI2_JSON_STRING || strcmp(cmd->string, "train"))
    goto done;  /* not a training sweep: no curves */
  if (!(pts->number >= 0 && pts->number <= LI2_SWEEP_MAX_POINTS &&
        pts->number == floor(pts->number)))
    goto done;  /* not a count li2 sweep writes (a cast would be undefined) */
  *npoints = (size_t)pts->number;
  for (size_t i = 0; i < ks->n && *n < 8; i++) {
    const li2_json *k = li2_json_get(&ks->item[i], "key"), *v = li2_json_get(&ks->item[i], "values");
    if (k && k->type == LI2_JSON_STRING && v && v->type == LI2_JSON_ARRAY && v->n > 1 &&
        strcmp(k->string, "seed") && strlen(k->string) < 64)
      snprintf(keys[(*n)++], 64, "%s", k->string);
  }
done:
  if (rc)
    li2_error_prefix(err, "%s: ", path);
  li2_json_free(j);
  free(text);
  free(path);
  return rc;
}

/* Mean test accuracy and test loss over each group's runs against epoch
 * (the epochs the runs share: the shortest metrics.tsv of the group),
 * e.g. Adam against Muon (Fig. 8) or V(0) = 0 against the default
 * initialisation (Figs 14-16) over seeds. */
static int fig_curves(fig_ctx *F, const char *in, li2_error *err)
{
  char keys[8][64], label[CURVES_MAX][160];
  size_t nk = 0, npoints = 0, ng = 0;
  li2_table t;
  int rc, found, cp, ck[8];
  if ((rc = curves_keys(in, keys, &nk, &npoints, err)) || npoints == 0)
    return rc;
  if ((rc = table_find(in, "results.tsv", &t, &found, err)) || !found)
    return rc;
  cp = li2_table_col(&t, "point");
  for (size_t k = 0; k < nk; k++)
    ck[k] = li2_table_col(&t, keys[k]);
  size_t *group = malloc((t.nrows + 1) * sizeof *group);
  double *ep = NULL, *sum = NULL;  /* [group][row][2] */
  size_t *rows = NULL, *runs = NULL, maxrows = 0;
  li2_io_file f;
  sbuf acc = {0}, loss = {0};
  if (!group) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < t.nrows; i++) {
    char l[160] = "all runs";
    size_t len = 0;
    for (size_t k = 0; k < nk; k++)
      len += (size_t)snprintf(l + len, len < sizeof l ? sizeof l - len : 0, "%s%s=%s",
                              k ? " " : "", keys[k], li2_table_str(&t, i, ck[k]));
    size_t g = 0;
    while (g < ng && strcmp(label[g], l))
      g++;
    if (g == ng) {
      if (ng == CURVES_MAX)
        break;
      snprintf(label[ng++], sizeof label[0], "%s", l);
    }
    group[i] = g;
  }
  /* first pass: the rows each group shares */
  rows = calloc(ng, sizeof *rows);
  runs = calloc(ng, sizeof *runs);
  if (!rows || !runs) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < t.nrows; i++) {
      if (group[i] >= ng)
        continue;
      double pt = li2_table_num(&t, i, cp);
      char *dir = pt >= 0 && pt < (double)npoints ? li2_sweep_point_path(in, npoints, (size_t)pt)
                                                  : NULL;
      li2_table m;
      int mf = 0;
      if (!dir) {
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        goto done;
      }
      rc = table_find(dir, "metrics.tsv", &m, &mf, err);
      free(dir);
      if (rc)
        goto done;
      if (!mf)
        continue;
      int ce = li2_table_col(&m, "epoch"), ca = li2_table_col(&m, "test_acc"), cl = li2_table_col(&m, "test_loss");
      size_t g = group[i];
      if (ce >= 0 && ca >= 0 && cl >= 0) {
        if (pass == 0) {
          rows[g] = runs[g]++ ? (m.nrows < rows[g] ? m.nrows : rows[g]) : m.nrows;
        } else {
          for (size_t r = 0; r < rows[g]; r++) {
            double *s2 = sum + (g * maxrows + r) * 2;
            ep[g * maxrows + r] = li2_table_num(&m, r, ce);
            s2[0] += li2_table_num(&m, r, ca) / (double)runs[g];
            s2[1] += li2_table_num(&m, r, cl) / (double)runs[g];
          }
        }
      }
      li2_table_free(&m);
    }
    if (pass == 0) {
      for (size_t g = 0; g < ng; g++)
        maxrows = rows[g] > maxrows ? rows[g] : maxrows;
      if (maxrows < 2)
        goto done;  /* nothing to draw */
      ep = calloc(ng * maxrows, sizeof *ep);
      sum = calloc(ng * maxrows * 2, sizeof *sum);
      if (!ep || !sum) {
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        goto done;
      }
    }
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "curves.dat", err)))
    goto done;
  for (size_t g = 0; g < ng; g++) {
    fprintf(f.fp, "%s# %s (%zu runs)\n# epoch\ttest_acc\ttest_loss\n", g ? "\n\n" : "", label[g],
            runs[g]);
    for (size_t r = 0; r < rows[g]; r++)
      fprintf(f.fp, "%.10g\t%.10g\t%.10g\n", ep[g * maxrows + r], sum[(g * maxrows + r) * 2],
              sum[(g * maxrows + r) * 2 + 1]);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  for (size_t g = 0; g < ng; g++) {
    /* labels come from data (results.tsv): quoted by li2_plot_quote, '_'
     * shown as a space (outside its character set), else a plain name */
    char q[200], t2[160];
    snprintf(t2, sizeof t2, "%s", label[g]);
    for (char *c = t2; *c; c++)
      if (*c == '_')
        *c = ' ';
    if (li2_plot_quote(t2, q, sizeof q))
      snprintf(q, sizeof q, "'setting %zu'", g + 1);
    sb_printf(&acc, "%s\"curves.dat\" index %zu using 1:2 with lines lt %zu title %s",
              g ? ", \\\n     " : "plot ", g, g + 1,
              q);
    sb_printf(&loss, "%s\"curves.dat\" index %zu using 1:3 with lines lt %zu notitle",
              g ? ", \\\n     " : "plot ", g, g + 1);
  }
  if (acc.oom || loss.oom) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  {
    /* the grokking template: accuracy above, loss below */
    li2_plot_var v[] = {{"DATA", "curves.dat"}, {"XSCALE", "set xrange [0:*]"},
                        {"XFORMAT", "\"%g\""}, {"STAGES", ""}, {"ACC_PLOT", sb_str(&acc)},
                        {"LOSS_PLOT", sb_str(&loss)}};
    rc = emit(F, "curves", "grokking", v, 6, 0, 3.0, err);
  }
done:
  li2_table_free(&t);
  free(acc.s);
  free(loss.s);
  free(group);
  free(rows);
  free(runs);
  free(ep);
  free(sum);
  return rc;
}

/* ------------------------------------------------------------------ */
/* stage1: metrics.tsv with li2 train's stage1_stats columns (Fig. 3)   */

static int fig_stage1(fig_ctx *F, const char *in, li2_error *err)
{
  li2_table t;
  li2_io_file f;
  double xmax = 0, rmax = 0.08;  /* the ratios' panel: data and the 0.08 line */
  char xm[32], rt[32];
  int rc, found, ce, cg, cfd, cfo, cpd, cpo, cw, cv;
  if ((rc = table_find(in, "metrics.tsv", &t, &found, err)) || !found)
    return rc;
  ce = li2_table_col(&t, "epoch");
  cg = li2_table_col(&t, "gf_norm");
  cfd = li2_table_col(&t, "ftf_diag");
  cfo = li2_table_col(&t, "ftf_offdiag");
  cpd = li2_table_col(&t, "pff_diag");
  cpo = li2_table_col(&t, "pff_offdiag");
  cw = li2_table_col(&t, "dw_cos");
  cv = li2_table_col(&t, "dv_cos");
  if (ce < 0 || cg < 0 || cfd < 0 || cfo < 0 || cpd < 0 || cpo < 0 || cw < 0 || cv < 0 ||
      t.nrows < 2) {
    li2_table_free(&t);
    return LI2_SUCCESS;
  }
  if ((rc = li2_io_open_atomic_in(&f, F->out, "stage1.dat", err)))
    goto done;
  fprintf(f.fp, "# epoch\tgf_norm\tftf_ratio\tpff_ratio\tdw_cos\tdv_cos\n");
  for (size_t i = 0; i < t.nrows; i++) {
    double e = li2_table_num(&t, i, ce), v[5];
    if (isnan(e))
      continue;
    xmax = fmax(xmax, e);
    v[0] = li2_table_num(&t, i, cg);
    v[1] = li2_table_num(&t, i, cfo) / li2_table_num(&t, i, cfd);
    v[2] = li2_table_num(&t, i, cpo) / li2_table_num(&t, i, cpd);
    v[3] = li2_table_num(&t, i, cw);
    v[4] = li2_table_num(&t, i, cv);
    for (int k = 1; k <= 2; k++)
      if (isfinite(v[k]))
        rmax = fmax(rmax, v[k]);
    fprintf(f.fp, "%.10g", e);
    for (int k = 0; k < 5; k++)
      if (!(v[k] > 0) || !isfinite(v[k]))  /* log axes: no zeros, no NaN */
        fputs("\t-", f.fp);
      else
        fprintf(f.fp, "\t%.10g", v[k]);
    fputc('\n', f.fp);
  }
  if ((rc = li2_io_commit(&f, err)))
    goto done;
  snprintf(xm, sizeof xm, "%.10g", xmax);
  snprintf(rt, sizeof rt, "%.6g", tick_step(rmax, 4));
  {
    li2_plot_var v[] = {{"DATA", "stage1.dat"}, {"XMAX", xm}, {"RATIO_TICS", rt}};
    rc = emit(F, "stage1", "stage1", v, 3, 0, 4.5, err);
  }
done:
  li2_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------------ */

int li2_figures_render(const char *in, const char *out, const li2_figures_params *p,
                       li2_figures_list *list, li2_error *err)
{
  li2_figures_list local;
  fig_ctx F;
  char *gp;
  int rc;
  if (!list)
    list = &local;
  memset(list, 0, sizeof *list);
  if (!li2_io_is_dir(in))
    return li2_error_set(err, LI2_EIO, "%s: not a directory", in);
  if ((rc = li2_io_mkdir(out, err)))
    return rc;
  gp = li2_plot_gnuplot_path();
  F.out = out;
  F.p = p;
  F.list = list;
  F.gnuplot = gp != NULL;
  free(gp);
  if ((rc = fig_grokking(&F, in, err)) || (rc = fig_emergence(&F, in, err)) ||
      (rc = fig_progress(&F, in, err)) ||
      (rc = fig_energy(&F, in, err)) || (rc = fig_coverage(&F, in, err)) ||
      (rc = fig_power(&F, in, err)) || (rc = fig_spectrum(&F, in, err)) ||
      (rc = fig_gf_eta(&F, in, err)) || (rc = fig_phase(&F, in, err)) ||
      (rc = fig_curves(&F, in, err)) ||
      (rc = fig_stage1(&F, in, err)))
    return rc;
  if (list->n == 0)
    return li2_error_set(err, LI2_EINVAL,
                         "%s: no data to plot (metrics.tsv, emergence.tsv, compare.json, "
                         "maxima.tsv, independence.tsv, sweep.tsv, power/spectrum tables or "
                         "checkpoints)",
                         in);
  list->rendered = F.gnuplot && p->run_gnuplot && list->failed == 0;
  return LI2_SUCCESS;
}
