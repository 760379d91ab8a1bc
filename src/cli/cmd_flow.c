/* li2 flow GROUP: the Stage II dynamics of one node (doc/mathematics.md section 3),
 *   flow=sphere  dw/dt = P_w grad E(w)         (Riemannian gradient: |w| kept)
 *   flow=decay   dw/dt = grad E(w) - eta w     (weight decay, free norm)
 * integrated by GSL's adaptive Runge-Kutta (rkf45 or rk8pd; src/flow.c), logging
 * E, the dominant component and its purity at evenly spaced times. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landscape.h"
#include "../flow.h"
#include "../io.h"
#include "../maxima.h"
#include "../plot.h"

static const li2_arg_spec spec[] = {
  LI2_LANDSCAPE_SPEC,
  {LI2_ARG_STRING, "w", "random", "start: random[:SEED] | fourier:K[+K2][,PHASE] | node:RUN[#EPOCH]#J | file:PATH[#ROW]", 1, 0, NULL, 0},
  {LI2_ARG_CHOICE, "flow", "sphere", "sphere: projected gradient flow; decay: grad E - eta w", 1, 0, LI2_NAMES_CHOICES(LI2_FLOW_KIND_NAMES), 0},
  {LI2_ARG_DOUBLE, "eta", "0", "weight decay of flow=decay", 0, 1e12, NULL, 0},
  {LI2_ARG_DOUBLE, "time", "10", "integrate over [0, time]", 1e-12, 1e12, NULL, 0},
  {LI2_ARG_INT, "samples", "200", "log rows after t = 0 (evenly spaced)", 1, 1e7, NULL, 0},
  {LI2_ARG_CHOICE, "stepper", "rkf45", "GSL odeiv2 stepper (adaptive)", 1, 0, LI2_NAMES_CHOICES(LI2_FLOW_STEPPER_NAMES), 0},
  {LI2_ARG_DOUBLE, "epsabs", "1e-9", "absolute error per step", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "epsrel", "1e-9", "relative error per step", 0, 1, NULL, 0},
  {LI2_ARG_INT, "max_steps", "100000", "steps allowed between two log rows", 1, 1e12, NULL, 0},
  {LI2_ARG_DOUBLE, "purity_min", "0.9", "pure when the dominant component's share >= purity_min", 0, 1, NULL, 0},
  {LI2_ARG_STRING, "out", NULL, "directory: flow.tsv and flow.gp (else the table goes to stdout)", 1, 0, NULL, 0},
  {LI2_ARG_BOOL, "plot", "true", "run gnuplot on the script when it is on PATH", 1, 0, NULL, 0},
  {0}
};

typedef struct {
  double t;
  li2_flow_measures m;
  li2_maxima_point pt;
} row;

static int measure(li2_energy *e, li2_classifier *cl, const double *y, double *g, double t, row *r,
                   li2_error *err)
{
  r->t = t;
  if (li2_flow_measure(e, y, g, &r->m))
    return li2_error_set(err, LI2_ENUMERIC, "the energy is not finite at t = %g", t);
  return li2_classifier_classify(cl, y, &r->pt, err);
}

static void print_row(FILE *fp, const row *r)
{
  fprintf(fp, "%.10g\t%.15g\t%.10g\t%.6g\t", r->t, r->m.energy, r->m.norm,
          r->m.riemannian_grad_norm);
  if (r->pt.component > 0)
    fprintf(fp, "%d\t", r->pt.component);
  else
    fprintf(fp, "-\t");
  fprintf(fp, "%.10g\t%.6g\n", r->pt.purity, r->pt.mem_score);
}

static const char header[] =
  "time\tenergy\tnorm\triemannian_grad_norm\tcomponent\tpurity\tmemorisation\n";

static int run(const li2_args *a, li2_error *err)
{
  li2_problem L;
  li2_maxima_params p;
  li2_classifier *cl = NULL;
  li2_energy *e = NULL;
  li2_flow *fl = NULL;
  li2_flow_params fp_;
  size_t n;
  li2_io_file f = {0};
  FILE *fp = stdout;
  row r0, r;
  double *y = NULL, *g = NULL, t = 0, T = li2_args_double(a, "time"), pred = NAN;
  long samples = li2_args_int(a, "samples");
  const char *out = li2_args_has(a, "out") ? li2_args_string(a, "out") : NULL;
  const char *wspec = li2_args_string(a, "w");
  int rc, json = li2_args_bool(a, "json");
  li2_progress prog;

  if ((rc = li2_landscape_setup(&L, a, wspec, err)))
    goto done;
  li2_maxima_params_default(&p);
  p.radius = L.radius;
  p.purity_min = li2_args_double(a, "purity_min");
  n = 2 * L.g->order;
  li2_flow_params_default(&fp_);
  fp_.kind = li2_args_choice(a, "flow");
  fp_.eta = li2_args_double(a, "eta");
  fp_.stepper = li2_args_choice(a, "stepper");
  fp_.h0 = 1e-3 * T / (double)samples;
  fp_.epsabs = li2_args_double(a, "epsabs");
  fp_.epsrel = li2_args_double(a, "epsrel");
  fp_.max_steps = (unsigned long)li2_args_int(a, "max_steps");
  y = malloc(n * sizeof *y);
  g = malloc(n * sizeof *g);
  if (!y || !g) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_problem_point(&L, wspec, y, err)))
    goto done;
  if (!(e = li2_problem_energy(&L, LI2_ENERGY_AUTO, err)) ||
      !(cl = li2_classifier_alloc(e, L.g, L.ct, &p, err)) ||
      !(fl = li2_flow_alloc(e, &fp_, err))) {
    rc = err->code;
    goto done;
  }
  if (out) {
    char *path;
    if ((rc = li2_io_mkdir(out, err)))
      goto done;
    if (!(path = li2_io_path(out, "flow.tsv"))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    rc = li2_io_open_atomic(&f, path, err);
    free(path);
    if (rc)
      goto done;
    fp = f.fp;
  } else if (json)
    fp = NULL;
  if ((rc = measure(e, cl, y, g, 0, &r0, err)))
    goto done;
  if (fp) {
    fputs(header, fp);
    print_row(fp, &r0);
  }
  r = r0;
  li2_progress_init(&prog, "flow", samples);
  for (long i = 1; i <= samples; i++) {
    double ti = T * (double)i / (double)samples;
    if ((rc = li2_flow_advance(fl, &t, ti, y, err)) || (rc = measure(e, cl, y, g, t, &r, err)))
      break;
    if (fp)
      print_row(fp, &r);
    li2_progress_update(&prog, i, NULL);
  }
  li2_progress_finish(&prog);
  if (rc)
    goto done;
  pred = li2_maxima_predicted_energy(L.ct, e, L.g->order, r.pt.pure ? r.pt.component : -1,
                                     r.m.norm);
  if (out) {
    char predplot[128] = "";
    rc = li2_io_commit(&f, err);
    f.fp = NULL;
    if (rc)
      goto done;
    if (!isnan(pred))
      snprintf(predplot, sizeof predplot,
               ", %.12g with lines lt 2 dt 2 title \"predicted {/Helvetica-Oblique M}/(2{/Helvetica-Oblique d_R})\"",
               pred);
    li2_plot_var vars[] = {{"DATA", "flow.tsv"}, {"XSCALE", ""}, {"PREDICTED_PLOT", predplot},
                           {"HEIGHT", "3.2in"}};
    if ((rc = li2_plot_write_script(out, "flow", "flow", vars, 4, err)))
      goto done;
    if (li2_args_bool(a, "plot")) {
      char *gp = li2_plot_gnuplot_path();
      li2_error perr = {0};
      if (gp && li2_plot_run(out, "flow", &perr))
        fprintf(stderr, "li2 flow: warning: %s\n", perr.msg);
      free(gp);
    }
  }
  if (json) {
    li2_json_writer jw;
    li2_json_writer_init(&jw, stdout, 1);
    li2_json_object_begin(&jw);
    li2_problem_json(&L, &jw);
    li2_json_key(&jw, "flow");
    li2_json_string(&jw, li2_args_string(a, "flow"));
    li2_json_key(&jw, "eta");
    li2_json_number(&jw, fp_.eta);
    li2_json_key(&jw, "time");
    li2_json_number(&jw, T);
    li2_json_key(&jw, "initial_energy");
    li2_json_number(&jw, r0.m.energy);
    li2_json_key(&jw, "final_energy");
    li2_json_number(&jw, r.m.energy);
    li2_json_key(&jw, "final_norm");
    li2_json_number(&jw, r.m.norm);
    li2_json_key(&jw, "final_riemannian_grad_norm");
    li2_json_number(&jw, r.m.riemannian_grad_norm);
    li2_json_key(&jw, "component");
    if (r.pt.component > 0)
      li2_json_int(&jw, r.pt.component);
    else
      li2_json_null(&jw);
    li2_json_key(&jw, "purity");
    li2_json_number(&jw, r.pt.purity);
    li2_json_key(&jw, "predicted_energy");
    li2_json_number(&jw, pred);
    li2_json_object_end(&jw);
    li2_json_writer_finish(&jw);
  } else if (out) {
    li2_problem_print(&L, stdout);
    printf("flow\t%s\ntime\t%.10g\ninitial_energy\t%.15g\nfinal_energy\t%.15g\nfinal_norm\t%.10g\n",
           li2_args_string(a, "flow"), T, r0.m.energy, r.m.energy, r.m.norm);
    if (r.pt.component > 0)
      printf("component\t%d\n", r.pt.component);
    else
      printf("component\t-\n");
    printf("purity\t%.10g\n", r.pt.purity);
    if (isnan(pred))
      printf("predicted_energy\t-\n");
    else
      printf("predicted_energy\t%.15g\n", pred);
  }
done:
  if (f.fp)
    li2_io_abort(&f);
  li2_flow_free(fl);
  li2_classifier_free(cl);
  li2_energy_free(e);
  free(y);
  free(g);
  li2_problem_free(&L);
  return rc;
}

const li2_command li2_command_flow = {
  "flow", "the Stage II gradient flow of one node on E (GSL odeiv2)",
  "GROUP [w=random] [flow=sphere|decay] [eta=..] [time=10] [out=DIR] [--json]",
  spec, run,
};
