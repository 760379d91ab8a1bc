/* li2 maxima GROUP: maximisation of E on the sphere from starts inside
 * every non-trivial real component (deterministic: each component's
 * maximum is found) and from random starts (any other maximum would show),
 * certification, classification and grouping (doc/mathematics.md section 3; the
 * paper's Theorem 2, Corollaries 1 and 2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landscape.h"
#include "../io.h"
#include "../maxima.h"
#include "../plot.h"
#include "../provenance.h"
#include "../runfiles.h"

static const li2_arg_spec spec[] = {
  LI2_LANDSCAPE_SPEC,
  {LI2_ARG_INT, "component_starts", "1", "starts inside each non-trivial real component", 0, 1000, NULL, 0},
  {LI2_ARG_INT, "starts", "32", "random starts (besides the component starts)", 0, 1e7, NULL, 0},
  {LI2_ARG_INT, "start_seed", NULL, "seed of the starts (default: seed)", 0, 4294967295.0, NULL, 0},
  {LI2_ARG_CHOICE, "method", "bfgs2", "GSL multimin method", 1, 0, LI2_NAMES_CHOICES(LI2_MAXIMA_METHOD_NAMES), 0},
  {LI2_ARG_INT, "max_iter", "20000", "iterations per start", 1, 1e9, NULL, 0},
  {LI2_ARG_DOUBLE, "opt_tol", "1e-10", "stop when |grad F| <= opt_tol (|E| + c)/r", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "grad_tol", "1e-6", "certify: critical when |grad_R| <= grad_tol |E|/r", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "hess_tol", "1e-5", "certify: zero eigenvalue when |lambda| <= hess_tol max|lambda|", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "fd_step", "1e-4", "Hessian: finite-difference step of the gradient, times radius", 1e-12, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "purity_min", "0.9", "pure when the dominant component's share >= purity_min", 0, 1, NULL, 0},
  {LI2_ARG_INT, "mem_pairs", "10", "memorisation score: the largest pairs counted", 1, 1e9, NULL, 0},
  {LI2_ARG_DOUBLE, "energy_tol", "1e-6", "grouping: equal energies within this relative tolerance", 0, 1, NULL, 0},
  {LI2_ARG_INT, "threads", "0", "OpenMP threads over starts (0: all cores)", 0, 1024, NULL, 0},
  {LI2_ARG_DOUBLE, "progress_interval", "30", "seconds between progress lines when stderr is not a terminal (0: none)", 0, 1e9, NULL, 0},
  {LI2_ARG_STRING, "out", NULL, "directory: maxima.tsv, components.tsv, other-maxima.tsv, summary.tsv, points.tsv, maxima.json, energy-histogram.gp", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "plot", "true", "run gnuplot on the script when it is on PATH", 1, 0, NULL, 0},
  {0}
};

typedef struct {
  const li2_problem *L;
  const li2_maxima_result *r;
  const li2_maxima_params *p;
  const char *method;
  size_t counts[3];
  double seconds, top_predicted, top_found;
  double *level;               /* per component: li2_maxima_predicted_energy (NaN: none) */
  li2_maxima_component *comp;  /* every non-trivial component */
  size_t ncomp, nreached, nother;
} report;

static void json_group(li2_json_writer *w, const report *R, const li2_maxima_group *gr)
{
  const li2_characters *ct = R->L->ct;
  int c = gr->component, irr = c > 0 ? ct->component_irrep[c] : -1;
  li2_json_object_begin(w);
  li2_json_key(w, "component");
  if (c > 0)
    li2_json_int(w, c);
  else
    li2_json_null(w);
  li2_json_key(w, "degree");
  if (c > 0)
    li2_json_int(w, ct->degree[irr]);
  else
    li2_json_null(w);
  li2_json_key(w, "indicator");
  if (c > 0)
    li2_json_int(w, ct->indicator[irr]);
  else
    li2_json_null(w);
  li2_json_key(w, "real_dim");
  if (c > 0)
    li2_json_int(w, ct->component_real_dim[c]);
  else
    li2_json_null(w);
  li2_json_key(w, "energy");
  li2_json_number(w, gr->energy);
  li2_json_key(w, "energy_min");
  li2_json_number(w, gr->energy_min);
  li2_json_key(w, "energy_max");
  li2_json_number(w, gr->energy_max);
  li2_json_key(w, "predicted_energy");
  li2_json_number(w, gr->predicted);
  li2_json_key(w, "relative_error");
  li2_json_number(w, fabs(gr->energy - gr->predicted) / gr->predicted);
  li2_json_key(w, "count");
  li2_json_int(w, (long)gr->count);
  li2_json_key(w, "label");
  li2_json_string(w, li2_maxima_label_name(gr->label));
  li2_json_key(w, "zero_modes");
  li2_json_int(w, R->r->points[gr->first].zero_modes);
  li2_json_key(w, "purity");
  li2_json_number(w, R->r->points[gr->first].purity);
  li2_json_key(w, "memorisation");
  li2_json_number(w, R->r->points[gr->first].mem_score);
  li2_json_key(w, "example_start");
  li2_json_int(w, (long)gr->first);
  li2_json_object_end(w);
}

static void json_num(li2_json_writer *w, const char *key, double x)
{
  li2_json_key(w, key);
  if (isnan(x))
    li2_json_null(w);
  else
    li2_json_number(w, x);
}

/* every non-trivial component: the paper's level, li2's, the measured one */
static void json_components(li2_json_writer *w, const report *R)
{
  li2_json_key(w, "components");
  li2_json_array_begin(w);
  for (size_t i = 0; i < R->ncomp; i++) {
    const li2_maxima_component *o = &R->comp[i];
    li2_json_object_begin(w);
    li2_json_key(w, "component");
    li2_json_int(w, o->component);
    li2_json_key(w, "degree");
    li2_json_int(w, o->degree);
    li2_json_key(w, "indicator");
    li2_json_int(w, o->indicator);
    li2_json_key(w, "real_dim");
    li2_json_int(w, o->real_dim);
    json_num(w, "paper_level", o->paper_level);
    json_num(w, "level", o->level);
    json_num(w, "energy", o->energy);
    json_num(w, "relative_error", fabs(o->energy - o->level) / o->level);
    li2_json_key(w, "reached");
    li2_json_bool(w, o->reached);
    li2_json_key(w, "by_component_start");
    li2_json_bool(w, o->by_component_start);
    li2_json_key(w, "zero_modes");
    li2_json_int(w, o->zero_modes);
    li2_json_key(w, "predicted_zero_modes");
    li2_json_int(w, o->predicted_zero_modes);
    li2_json_key(w, "random_hits");
    li2_json_int(w, (long)o->random_hits);
    li2_json_object_end(w);
  }
  li2_json_array_end(w);
  /* certified maxima not at one component (Theorem 2: there are none) */
  li2_json_key(w, "other_maxima");
  li2_json_array_begin(w);
  for (size_t i = 0; i < R->r->nstarts; i++) {
    const li2_maxima_point *q = &R->r->points[i];
    char buf[256];
    if (q->label != LI2_MAXIMA_MAX || q->pure)
      continue;
    li2_maxima_result_structure(R->r, i, 0.01, buf, sizeof buf);
    li2_json_object_begin(w);
    li2_json_key(w, "start");
    li2_json_int(w, (long)i);
    li2_json_key(w, "energy");
    li2_json_number(w, q->energy);
    li2_json_key(w, "purity");
    li2_json_number(w, q->purity);
    li2_json_key(w, "structure");
    li2_json_string(w, buf);
    li2_json_object_end(w);
  }
  li2_json_array_end(w);
}

static void write_json(FILE *fp, const report *R)
{
  li2_json_writer w;
  li2_json_writer_init(&w, fp, 1);
  li2_json_object_begin(&w);
  li2_problem_json(R->L, &w);
  li2_json_key(&w, "component_starts");
  li2_json_int(&w, (long)R->r->ncomponent_starts);
  li2_json_key(&w, "starts");
  li2_json_int(&w, (long)(R->r->nstarts - R->r->ncomponent_starts));
  li2_json_key(&w, "method");
  li2_json_string(&w, R->method);
  li2_json_key(&w, "seconds");
  li2_json_number(&w, R->seconds);
  li2_json_key(&w, "labels");
  li2_json_object_begin(&w);
  for (int l = 0; l < 3; l++) {
    li2_json_key(&w, li2_maxima_label_name(l));
    li2_json_int(&w, (long)R->counts[l]);
  }
  li2_json_object_end(&w);
  li2_json_key(&w, "highest_predicted_energy");
  li2_json_number(&w, R->top_predicted);
  li2_json_key(&w, "highest_found_energy");
  li2_json_number(&w, R->top_found);
  json_components(&w, R);
  li2_json_key(&w, "distinct_maxima");
  li2_json_array_begin(&w);
  for (size_t i = 0; i < R->r->ngroups; i++)
    if (R->r->groups[i].label == LI2_MAXIMA_MAX)
      json_group(&w, R, &R->r->groups[i]);
  li2_json_array_end(&w);
  li2_json_key(&w, "other_critical_points");
  li2_json_array_begin(&w);
  for (size_t i = 0; i < R->r->ngroups; i++)
    if (R->r->groups[i].label != LI2_MAXIMA_MAX)
      json_group(&w, R, &R->r->groups[i]);
  li2_json_array_end(&w);
  li2_json_key(&w, "provenance");
  li2_provenance_write(&w);
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
}

static void print_num(FILE *fp, double x, const char *sep)
{
  if (isnan(x))
    fprintf(fp, "-%s", sep);
  else
    fprintf(fp, "%.12g%s", x, sep);
}

/* components.tsv: one row per non-trivial component: the paper's printed
 * level (Theorem 2), li2's derived level M/(2 d_R), the measured energy of
 * its certified maximum, the zero modes there and their prediction. */
static void write_components(FILE *fp, const report *R)
{
  fprintf(fp, "component\tdegree\tindicator\treal_dim\tpaper_level\tlevel\tenergy\trel_error"
              "\tzero_modes\tpredicted_zero_modes\trandom_hits\n");
  for (size_t i = 0; i < R->ncomp; i++) {
    const li2_maxima_component *o = &R->comp[i];
    fprintf(fp, "%d\t%d\t%+d\t%d\t", o->component, o->degree, o->indicator, o->real_dim);
    print_num(fp, o->paper_level, "\t");
    print_num(fp, o->level, "\t");
    print_num(fp, o->energy, "\t");
    print_num(fp, fabs(o->energy - o->level) / o->level, "\t");
    if (o->reached)
      fprintf(fp, "%d\t%d\t%zu\n", o->zero_modes, o->predicted_zero_modes, o->random_hits);
    else
      fprintf(fp, "-\t%d\t%zu\n", o->predicted_zero_modes, o->random_hits);
  }
}

/* other-maxima.tsv: certified maxima not at one component, with their
 * structure (component:share of |w|^2). */
static void write_other(FILE *fp, const report *R)
{
  fprintf(fp, "start\tenergy\tpurity\tzero_modes\tstructure\n");
  for (size_t i = 0; i < R->r->nstarts; i++) {
    const li2_maxima_point *q = &R->r->points[i];
    char buf[256];
    if (q->label != LI2_MAXIMA_MAX || q->pure)
      continue;
    li2_maxima_result_structure(R->r, i, 0.01, buf, sizeof buf);
    fprintf(fp, "%zu\t%.12g\t%.6g\t%d\t%s\n", i, q->energy, q->purity, q->zero_modes, buf);
  }
}

/* summary.tsv (runfiles.h) */
static void write_summary(FILE *fp, const report *R)
{
  li2_runfiles_maxima_summary_write(fp, R->r, R->L->ct);
}

static void write_points(FILE *fp, const li2_maxima_result *r)
{
  fprintf(fp, "# end point of each start (row i = start i): w = [u; v], %zu values;"
              " li2 energy w=file:points.tsv#i\n", r->dim);
  for (size_t i = 0; i < r->nstarts; i++)
    for (size_t k = 0; k < r->dim; k++)
      fprintf(fp, "%.17g%c", r->w[i * r->dim + k], k + 1 < r->dim ? '\t' : '\n');
}

static int write_file(const char *dir, const char *name, void (*fn)(FILE *, const report *),
                      void (*fn2)(FILE *, const li2_maxima_result *), const report *R,
                      li2_error *err)
{
  li2_io_file f;
  int rc = li2_io_open_atomic_in(&f, dir, name, err);
  if (rc)
    return rc;
  if (fn)
    fn(f.fp, R);
  else
    fn2(f.fp, R->r);
  return li2_io_commit(&f, err);
}

/* The histogram figure: predicted levels as vertical dashed lines. */
static int write_plot(const char *dir, const report *R, int run_gnuplot, li2_error *err)
{
  const li2_characters *ct = R->L->ct;
  double emin = INFINITY, emax = -INFINITY, bw, *levels;
  size_t nl = 0, cap = 4096;
  char *arrows = malloc(cap), bws[64];
  li2_plot_var vars[3];
  int rc;
  levels = malloc(ct->ncomponents * sizeof *levels);
  if (!arrows || !levels) {
    free(arrows);
    free(levels);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  arrows[0] = '\0';
  for (size_t i = 0; i < R->r->nstarts; i++) {
    emin = fmin(emin, R->r->points[i].energy);
    emax = fmax(emax, R->r->points[i].energy);
  }
  for (size_t i = 0; i < R->r->ngroups; i++)
    if (!isnan(R->r->groups[i].predicted)) {
      emin = fmin(emin, R->r->groups[i].predicted);
      emax = fmax(emax, R->r->groups[i].predicted);
    }
  for (size_t c = 1; c < ct->ncomponents; c++) {
    size_t j;
    /* Levels are drawn only where the theorem applies. */
    double pl = R->level ? R->level[c] : NAN;
    if (isnan(pl))
      continue;
    for (j = 0; j < nl && fabs(levels[j] - pl) > 1e-9 * pl; j++)
      ;
    if (j == nl) {
      size_t len = strlen(arrows);
      levels[nl++] = pl;
      emin = fmin(emin, pl);
      emax = fmax(emax, pl);
      if (len + 128 < cap)
        snprintf(arrows + len, cap - len,
                 "set arrow from first %.12g, graph 0 to first %.12g, graph 1 nohead back lt 2 dt 2 lw 1\n",
                 pl, pl);
    }
  }
  bw = fmax((emax - emin) / 50.0, fabs(emax) / 200.0);
  if (!(bw > 0))
    bw = 1;
  snprintf(bws, sizeof bws, "%.6g", bw);
  vars[0] = (li2_plot_var){"DATA", "maxima.tsv"};
  vars[1] = (li2_plot_var){"BINWIDTH", bws};
  vars[2] = (li2_plot_var){"LEVEL_ARROWS", arrows};
  rc = li2_plot_write_script(dir, "energy-histogram", "energy-histogram", vars, 3, err);
  free(arrows);
  free(levels);
  if (!rc && run_gnuplot) {
    char *gp = li2_plot_gnuplot_path();
    li2_error perr = {0};
    if (gp && li2_plot_run(dir, "energy-histogram", &perr))
      fprintf(stderr, "li2 maxima: warning: %s\n", perr.msg);
    free(gp);
  }
  return rc;
}

static int run(const li2_args *a, li2_error *err)
{
  li2_problem L;
  li2_maxima_params p;
  li2_maxima_result *r = NULL;
  li2_progress prog;
  report R = {0};
  size_t starts = (size_t)li2_args_int(a, "starts");
  size_t cstarts = (size_t)li2_args_int(a, "component_starts");
  unsigned long sseed;
  double t0;
  int rc;
  const char *out = li2_args_has(a, "out") ? li2_args_string(a, "out") : NULL;

  if ((rc = li2_landscape_setup(&L, a, NULL, err)))
    goto done;
  sseed = li2_args_has(a, "start_seed") ? (unsigned long)li2_args_int(a, "start_seed") : L.seed;
  li2_maxima_params_default(&p);
  p.radius = L.radius;
  p.method = li2_maxima_method_from_name(li2_args_string(a, "method"));
  p.max_iter = li2_args_int(a, "max_iter");
  p.opt_tol = li2_args_double(a, "opt_tol");
  p.grad_tol = li2_args_double(a, "grad_tol");
  p.hess_tol = li2_args_double(a, "hess_tol");
  p.fd_step = li2_args_double(a, "fd_step");
  p.purity_min = li2_args_double(a, "purity_min");
  p.mem_pairs = (size_t)li2_args_int(a, "mem_pairs");
  p.energy_tol = li2_args_double(a, "energy_tol");
  p.threads = (int)li2_args_int(a, "threads");
  p.component_starts = cstarts;
  p.act_a = L.act_a;
  p.act_b = L.act_b;
  if (out && (rc = li2_io_mkdir(out, err)))
    goto done;
  li2_progress_init(&prog, "maxima",
                    (long)(starts + cstarts * (L.ct->ncomponents > 0 ? L.ct->ncomponents - 1 : 0)));
  li2_progress_set_interval(&prog, li2_args_double(a, "progress_interval"));
  t0 = li2_io_seconds();
  if ((rc = li2_maxima_search(L.g, L.ct, L.d, L.act, L.variant, &p, starts, sseed, &prog, &r,
                              err)))
    goto done;
  R.seconds = li2_io_seconds() - t0;
  R.L = &L;
  R.r = r;
  R.p = &p;
  R.method = li2_maxima_method_name(p.method);
  R.top_predicted = NAN;
  R.top_found = NAN;
  {
    /* The prediction's settings come from an energy workspace. */
    li2_energy *e = li2_problem_energy(&L, LI2_ENERGY_DIRECT, err);
    if (!e) {
      rc = err->code;
      goto done;
    }
    if (!(R.level = malloc(L.ct->ncomponents * sizeof *R.level))) {
      li2_energy_free(e);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    R.level[0] = NAN;
    for (size_t c = 1; c < L.ct->ncomponents; c++) {
      double pc = li2_maxima_predicted_energy(L.ct, e, L.g->order, (int)c, L.radius);
      R.level[c] = pc;
      if (!isnan(pc) && !(pc <= R.top_predicted))
        R.top_predicted = pc;
    }
    li2_energy_free(e);
  }
  R.ncomp = r->ncomponents - 1;
  R.comp = calloc(R.ncomp ? R.ncomp : 1, sizeof *R.comp);
  if (!R.comp) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  li2_maxima_result_components(r, L.ct, R.comp);
  for (size_t i = 0; i < R.ncomp; i++)
    R.nreached += R.comp[i].reached;
  for (size_t i = 0; i < r->nstarts; i++) {
    if (r->points[i].label == LI2_MAXIMA_MAX && !r->points[i].pure)
      R.nother++;
    R.counts[r->points[i].label]++;
    if (r->points[i].label == LI2_MAXIMA_MAX && !(r->points[i].energy <= R.top_found))
      R.top_found = r->points[i].energy;
  }
  if (out && ((rc = write_file(out, "maxima.tsv", NULL, li2_maxima_write_starts, &R, err)) ||
              (rc = write_file(out, "components.tsv", write_components, NULL, &R, err)) ||
              (rc = write_file(out, "other-maxima.tsv", write_other, NULL, &R, err)) ||
              (rc = write_file(out, "summary.tsv", write_summary, NULL, &R, err)) ||
              (rc = write_file(out, "points.tsv", NULL, write_points, &R, err)) ||
              (rc = write_file(out, "maxima.json", write_json, NULL, &R, err)) ||
              (rc = write_plot(out, &R, li2_args_bool(a, "plot"), err))))
    goto done;
  if (li2_args_bool(a, "json"))
    write_json(stdout, &R);
  else {
    li2_problem_print(&L, stdout);
    printf("component_starts\t%zu\nstarts\t%zu\nmethod\t%s\nseconds\t%.3f\nmax\t%zu\nsaddle\t%zu\n"
           "degenerate\t%zu\ncomponents_reached\t%zu/%zu\nother_maxima\t%zu\n",
           r->ncomponent_starts, starts, R.method, R.seconds, R.counts[0], R.counts[1],
           R.counts[2], R.nreached, R.ncomp, R.nother);
    printf("highest_predicted_energy\t");
    print_num(stdout, R.top_predicted, "\n");
    printf("highest_found_energy\t");
    print_num(stdout, R.top_found, "\n");
    printf("\n");
    write_components(stdout, &R);
    if (R.nother) {
      printf("\n");
      write_other(stdout, &R);
    }
  }
done:
  free(R.comp);
  free(R.level);
  li2_maxima_result_free(r);
  li2_problem_free(&L);
  return rc;
}

const li2_command li2_command_maxima = {
  "maxima", "find, certify and classify the local maxima of E on the sphere",
  "GROUP [component_starts=1] [starts=32] [seed=0] [method=bfgs2] [out=DIR] [--json]",
  spec, run,
};
