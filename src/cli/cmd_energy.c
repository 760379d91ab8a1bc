/* li2 energy GROUP w=SPEC: E(w), its gradient and the power of w per real
 * irreducible component (doc/mathematics.md section 3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landscape.h"
#include "../flow.h"
#include "../maxima.h"

static const li2_arg_spec spec[] = {
  LI2_LANDSCAPE_SPEC,
  {LI2_ARG_STRING, "w", NULL, "the node: fourier:K[+K2][,PHASE] | random[:SEED] | node:RUN[#EPOCH]#J | file:PATH[#ROW]", 1, 0, NULL, 0},
  {LI2_ARG_CHOICE, "eval", "auto", "evaluation path: FFT (full data, sqr, raw, abelian) or direct sum", 1, 0, LI2_NAMES_CHOICES(LI2_ENERGY_METHOD_NAMES), 0},
  {LI2_ARG_FLAG, "certify", "false", "also certify w: tangent Hessian eigenvalues and label", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "grad_tol", "1e-6", "certify: critical when |grad_R| <= grad_tol |E|/r", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "hess_tol", "1e-5", "certify: zero eigenvalue when |lambda| <= hess_tol max|lambda|", 0, 1, NULL, 0},
  {LI2_ARG_DOUBLE, "purity_min", "0.9", "pure when the dominant component's share >= purity_min", 0, 1, NULL, 0},
  {LI2_ARG_INT, "mem_pairs", "10", "memorisation score: the largest pairs counted", 1, 1e9, NULL, 0},
  {0}
};

static int run(const li2_args *a, li2_error *err)
{
  li2_problem L;
  li2_energy *e = NULL;
  li2_classifier *cl = NULL;
  li2_certifier *ce = NULL;
  li2_maxima_params p;
  li2_maxima_point pt;
  double *w = NULL, *grad = NULL, E, gn, gr, norm, pred;
  li2_flow_measures fm;
  int rc, method, certify = li2_args_bool(a, "certify");
  const char *wspec = li2_args_has(a, "w") ? li2_args_string(a, "w") : NULL;
  size_t M, n;

  if (!wspec)
    return li2_error_set(err, LI2_EINVAL, "parameter w: missing (e.g. w=fourier:1 or w=node:RUN#J)");
  if ((rc = li2_landscape_setup(&L, a, wspec, err)))
    goto done;
  M = L.g->order;
  n = 2 * M;
  method = li2_args_choice(a, "eval"); /* enum li2_energy_method */
  li2_maxima_params_default(&p);
  p.radius = L.radius;
  p.grad_tol = li2_args_double(a, "grad_tol");
  p.hess_tol = li2_args_double(a, "hess_tol");
  p.purity_min = li2_args_double(a, "purity_min");
  p.mem_pairs = (size_t)li2_args_int(a, "mem_pairs");
  w = malloc(n * sizeof *w);
  grad = malloc(n * sizeof *grad);
  if (!w || !grad) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_problem_point(&L, wspec, w, err)))
    goto done;
  if (!(e = li2_problem_energy(&L, method, err)) ||
      !(cl = li2_classifier_alloc(e, L.g, L.ct, &p, err)) ||
      (certify && !(ce = li2_certifier_alloc(e, &p, err)))) {
    rc = err->code;
    goto done;
  }
  if ((rc = li2_flow_measure(e, w, grad, &fm))) {
    rc = li2_error_set(err, rc, "the energy is not finite at w (%s)", wspec);
    goto done;
  }
  E = fm.energy;
  gn = fm.grad_norm;
  gr = fm.riemannian_grad_norm;
  norm = fm.norm;
  if ((rc = li2_classifier_classify(cl, w, &pt, err)))
    goto done;
  if (certify) {
    /* The certifier works on the sphere through w, |w| as given. */
    pt.energy = E;
    if ((rc = li2_certifier_certify(ce, w, &pt, err)))
      goto done;
  }
  pred = li2_maxima_predicted_energy(L.ct, e, M, pt.pure ? pt.component : -1, norm);
  {
    const double *pu = li2_classifier_power_u(cl), *pv = li2_classifier_power_v(cl);
    size_t nc = li2_classifier_ncomponents(cl);
    const char *path = li2_energy_method_used(e) == LI2_ENERGY_FFT ? "fft" : "direct";
    if (li2_args_bool(a, "json")) {
      li2_json_writer jw;
      li2_json_writer_init(&jw, stdout, 1);
      li2_json_object_begin(&jw);
      li2_problem_json(&L, &jw);
      li2_json_key(&jw, "eval");
      li2_json_string(&jw, path);
      li2_json_key(&jw, "w");
      li2_json_string(&jw, wspec);
      li2_json_key(&jw, "norm");
      li2_json_number(&jw, norm);
      li2_json_key(&jw, "energy");
      li2_json_number(&jw, E);
      li2_json_key(&jw, "grad_norm");
      li2_json_number(&jw, gn);
      li2_json_key(&jw, "riemannian_grad_norm");
      li2_json_number(&jw, gr);
      li2_json_key(&jw, "dominant_component");
      if (pt.component > 0)
        li2_json_int(&jw, pt.component);
      else
        li2_json_null(&jw);
      li2_json_key(&jw, "purity");
      li2_json_number(&jw, pt.purity);
      li2_json_key(&jw, "pure");
      li2_json_bool(&jw, pt.pure);
      li2_json_key(&jw, "memorisation");
      li2_json_number(&jw, pt.mem_score);
      li2_json_key(&jw, "predicted_energy");
      li2_json_number(&jw, pred);
      if (certify) {
        li2_json_key(&jw, "label");
        li2_json_string(&jw, li2_maxima_label_name(pt.label));
        li2_json_key(&jw, "hess_max");
        li2_json_number(&jw, pt.hess_max);
        li2_json_key(&jw, "hess_min");
        li2_json_number(&jw, pt.hess_min);
        li2_json_key(&jw, "zero_modes");
        li2_json_int(&jw, pt.zero_modes);
      }
      li2_json_key(&jw, "components");
      li2_json_array_begin(&jw);
      for (size_t c = 0; c < nc; c++) {
        int irr = L.ct->component_irrep[c];
        li2_json_object_begin(&jw);
        li2_json_key(&jw, "component");
        li2_json_int(&jw, (long)c);
        li2_json_key(&jw, "degree");
        li2_json_int(&jw, L.ct->degree[irr]);
        li2_json_key(&jw, "indicator");
        li2_json_int(&jw, L.ct->indicator[irr]);
        li2_json_key(&jw, "real_dim");
        li2_json_int(&jw, L.ct->component_real_dim[c]);
        li2_json_key(&jw, "power_u");
        li2_json_number(&jw, pu[c]);
        li2_json_key(&jw, "power_v");
        li2_json_number(&jw, pv[c]);
        li2_json_key(&jw, "predicted_energy");
        li2_json_number(&jw, li2_maxima_predicted_energy(L.ct, e, M, (int)c, norm));
        li2_json_object_end(&jw);
      }
      li2_json_array_end(&jw);
      li2_json_object_end(&jw);
      li2_json_writer_finish(&jw);
    } else {
      li2_problem_print(&L, stdout);
      printf("eval\t%s\nw\t%s\nnorm\t%.10g\nenergy\t%.15g\ngrad_norm\t%.6g\n"
             "riemannian_grad_norm\t%.6g\n",
             path, wspec, norm, E, gn, gr);
      if (pt.component > 0)
        printf("dominant_component\t%d\n", pt.component);
      else
        printf("dominant_component\t-\n");
      printf("purity\t%.10g\npure\t%s\nmemorisation\t%.6g\n", pt.purity, pt.pure ? "yes" : "no",
             pt.mem_score);
      if (isnan(pred))
        printf("predicted_energy\t-\n");
      else
        printf("predicted_energy\t%.15g\n", pred);
      if (certify)
        printf("label\t%s\nhess_max\t%.6g\nhess_min\t%.6g\nzero_modes\t%d\n",
               li2_maxima_label_name(pt.label), pt.hess_max, pt.hess_min, pt.zero_modes);
      printf("\ncomponent\tdegree\tindicator\treal_dim\tpower_u\tpower_v\tpredicted_energy\n");
      for (size_t c = 0; c < nc; c++) {
        int irr = L.ct->component_irrep[c];
        double pc = li2_maxima_predicted_energy(L.ct, e, M, (int)c, norm);
        printf("%zu\t%d\t%+d\t%d\t%.6g\t%.6g\t", c, L.ct->degree[irr], L.ct->indicator[irr],
               L.ct->component_real_dim[c], pu[c], pv[c]);
        if (isnan(pc))
          printf("-\n");
        else
          printf("%.10g\n", pc);
      }
    }
  }
done:
  li2_certifier_free(ce);
  li2_classifier_free(cl);
  li2_energy_free(e);
  free(w);
  free(grad);
  li2_problem_free(&L);
  return rc;
}

const li2_command li2_command_energy = {
  "energy", "the Stage II energy E(w) of one node, its gradient and Fourier power",
  "GROUP w=SPEC [activation=..] [energy=raw|normalized] [test_size=..] [--certify] [--json]",
  spec, run,
};
