/* The Stage II flow (src/flow.c) by its mathematical properties: the
 * measures decompose the gradient (|grad|^2 = |P_w grad|^2 + (w.grad/|w|)^2),
 * the sphere flow keeps |w| and never lowers E (it is a gradient ascent),
 * a single frequency of Z_M (a critical point, doc/mathematics.md section 3)
 * stays where it is, the decay flow shrinks |w| when eta |w|^2 > 4E (for
 * sigma = x^2, E is homogeneous of degree 4, so w.grad E = 4E), and the
 * failures are reported naming their cause. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "energy.h"
#include "flow.h"
#include "problem.h"
#include "tap.h"

static double dist(const double *a, const double *b, size_t n)
{
  double s = 0;
  for (size_t k = 0; k < n; k++)
    s += (a[k] - b[k]) * (a[k] - b[k]);
  return sqrt(s);
}

int main(void)
{
  li2_problem P;
  li2_problem_params pp;
  li2_error err = {0};
  li2_energy *e;
  li2_flow_params fp;
  li2_flow *fl;
  li2_flow_measures m0, m;
  double w[22], w0[22], g[22], gfull[22], t, E, wg = 0, ww = 0;
  int rc, monotone = 1;
  double worst_norm = 0, drop = 0;

  li2_problem_params_default(&pp);
  pp.group = "Z11";
  pp.data = LI2_PROBLEM_DATA_SPLIT;
  pp.split.test_size = 0.5;
  pp.seed = 1;
  if (li2_problem_setup(&P, &pp, &err) || !(e = li2_problem_energy(&P, LI2_ENERGY_AUTO, &err))) {
    ok(0, "set-up: %s", err.msg);
    return tap_done();
  }

  /* the measures */
  li2_problem_point(&P, "random:7", w, &err);
  for (size_t k = 0; k < 22; k++)
    w[k] *= 1.7;
  li2_energy_eval(e, w, &E, gfull);
  rc = li2_flow_measure(e, w, g, &m0);
  for (size_t k = 0; k < 22; k++) {
    wg += w[k] * gfull[k];
    ww += w[k] * w[k];
  }
  ok(!rc && m0.energy == E && fabs(m0.norm - 1.7) < 1e-12 && m0.riemannian_grad_norm < m0.grad_norm,
     "measure: E as li2_energy_eval, |w| = 1.7, |P_w grad| = %.6g < |grad| = %.6g",
     m0.riemannian_grad_norm, m0.grad_norm);
  ok_close(m0.grad_norm * m0.grad_norm,
           m0.riemannian_grad_norm * m0.riemannian_grad_norm + wg * wg / ww, 1e-12,
           "|grad|^2 = |P_w grad|^2 + (w.grad)^2/|w|^2");
  ok_close(wg, 4 * E, 1e-12, "Euler: w.grad E = 4E for sigma = x^2 (%.10g vs %.10g)", wg, 4 * E);

  /* the sphere flow: |w| kept, E non-decreasing */
  li2_flow_params_default(&fp);
  fp.h0 = 1e-4;
  fl = li2_flow_alloc(e, &fp, &err);
  li2_problem_point(&P, "random:7", w, &err);
  li2_flow_measure(e, w, g, &m0);
  t = 0;
  E = m0.energy;
  rc = 0;
  for (int i = 1; !rc && i <= 40; i++) {
    rc = li2_flow_advance(fl, &t, 0.5 * i, w, &err);
    li2_flow_measure(e, w, g, &m);
    if (m.energy < E - 1e-12 * fabs(E))
      monotone = 0;
    drop = fmax(drop, E - m.energy);
    E = m.energy;
    worst_norm = fmax(worst_norm, fabs(m.norm - 1));
  }
  ok(!rc && t == 20, "sphere flow integrates to t = 20 (%s)", rc ? err.msg : "ok");
  ok(monotone, "E never decreases along the ascent (largest drop %.3g), E: %.6g -> %.6g", drop,
     m0.energy, m.energy);
  ok(worst_norm < 1e-6, "|w| stays 1 within 1e-6 (worst %.3g)", worst_norm);
  ok(m.energy > m0.energy && m.riemannian_grad_norm < 1e-3 * m0.riemannian_grad_norm,
     "it climbs to a critical point: |P_w grad| %.3g -> %.3g", m0.riemannian_grad_norm,
     m.riemannian_grad_norm);
  li2_flow_free(fl);
  li2_energy_free(e);
  li2_problem_free(&P);

  /* a single frequency on the full table stays fixed */
  li2_problem_params_default(&pp);
  pp.group = "Z11";
  li2_problem_setup(&P, &pp, &err);
  e = li2_problem_energy(&P, LI2_ENERGY_AUTO, &err);
  fl = li2_flow_alloc(e, &fp, &err);
  li2_problem_point(&P, "fourier:3", w, &err);
  memcpy(w0, w, sizeof w);
  t = 0;
  rc = li2_flow_advance(fl, &t, 10, w, &err);
  ok(!rc && dist(w, w0, 22) < 1e-9, "fourier:3 is a fixed point: |w(10) - w(0)| = %.3g",
     dist(w, w0, 22));
  li2_flow_free(fl);

  /* the decay flow: d|w|^2/dt = 2 (4E - eta |w|^2) < 0 when eta > 4E/|w|^2 */
  li2_problem_point(&P, "random:2", w, &err);
  li2_flow_measure(e, w, g, &m0);
  fp.kind = LI2_FLOW_DECAY;
  fp.eta = 8 * m0.energy + 1;
  fl = li2_flow_alloc(e, &fp, &err);
  t = 0;
  monotone = 1;
  E = m0.norm;
  rc = 0;
  for (int i = 1; !rc && i <= 10; i++) {
    rc = li2_flow_advance(fl, &t, 0.1 * i, w, &err);
    li2_flow_measure(e, w, g, &m);
    monotone &= m.norm < E;
    E = m.norm;
  }
  ok(!rc && monotone && m.norm < m0.norm, "decay eta = %.4g: |w| shrinks, %.6g -> %.6g", fp.eta,
     m0.norm, m.norm);
  li2_flow_free(fl);

  /* failures: no decay lets the quartic E blow up; too few steps */
  fp.eta = 0;
  fl = li2_flow_alloc(e, &fp, &err);
  li2_problem_point(&P, "random:2", w, &err);
  for (size_t k = 0; k < 22; k++)
    w[k] *= 3;
  t = 0;
  rc = li2_flow_advance(fl, &t, 1e6, w, &err);
  ok(rc == LI2_ENUMERIC && strstr(err.msg, "diverges"), "eta = 0 diverges: %s", err.msg);
  li2_flow_free(fl);
  li2_flow_params_default(&fp);
  fp.max_steps = 2;
  fl = li2_flow_alloc(e, &fp, &err);
  li2_problem_point(&P, "random:2", w, &err);
  t = 0;
  rc = li2_flow_advance(fl, &t, 100, w, &err);
  ok(rc == LI2_ENUMERIC && strstr(err.msg, "parameter max_steps: 2 steps"), "max_steps: %s",
     err.msg);
  li2_flow_free(fl);
  li2_energy_free(e);
  li2_problem_free(&P);
  return tap_done();
}
