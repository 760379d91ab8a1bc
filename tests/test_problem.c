/* The problem set-up (src/problem.c): each data choice gives the data set
 * the trainer's own calls give, bad settings are refused naming the
 * parameter, and the points have the norm and the properties the theory
 * gives them (a single frequency of Z_M is a critical point of E on the
 * sphere, doc/mathematics.md section 3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "energy.h"
#include "problem.h"
#include "tap.h"

static double norm(const double *w, size_t n)
{
  double s = 0;
  for (size_t k = 0; k < n; k++)
    s += w[k] * w[k];
  return sqrt(s);
}

static int same_data(const li2_dataset *a, const li2_dataset *b)
{
  return a->ntrain == b->ntrain && a->ntest == b->ntest &&
         !memcmp(a->train_x, b->train_x, a->ntrain * 2 * sizeof(int)) &&
         !memcmp(a->train_y, b->train_y, a->ntrain * sizeof(int));
}

int main(void)
{
  li2_problem P;
  li2_problem_params pp;
  li2_error err = {0};
  double w[22], w2[22], g[22], E, E2;
  int rc;

  /* the full table, no Fourier workspace unless asked */
  li2_problem_params_default(&pp);
  pp.group = "Z7";
  rc = li2_problem_setup(&P, &pp, &err);
  ok(!rc && P.g->order == 7 && P.ct && !P.f && P.d->ntrain == 49 && P.d->ntest == 0 &&
         !strcmp(P.data, "full") && P.act == LI2_ACT_SQR && P.node == -1,
     "Z7 full table: 49 pairs, sqr, no Fourier workspace (%s)", rc ? err.msg : "ok");
  li2_problem_free(&P);
  pp.fourier = 1;
  rc = li2_problem_setup(&P, &pp, &err);
  ok(!rc && P.f, "fourier=1 builds the Fourier workspace");
  li2_problem_free(&P);

  /* the trainer's split: the same pairs as li2_dataset_alloc_split */
  li2_problem_params_default(&pp);
  pp.group = "11";
  pp.data = LI2_PROBLEM_DATA_SPLIT;
  pp.split.test_size = 0.6;
  pp.seed = 5;
  rc = li2_problem_setup(&P, &pp, &err);
  {
    li2_split_params sp;
    li2_dataset *d;
    li2_split_params_default(&sp);
    sp.test_size = 0.6;
    sp.seed = 5;
    d = li2_dataset_alloc_split(P.g, 2, &sp, &err);
    ok(!rc && d && same_data(P.d, d) && !strcmp(P.data, "split seed=5"),
       "split test_size=0.6 seed=5: the trainer's training set (%zu pairs)", d ? d->ntrain : 0);
    li2_dataset_free(d);
  }

  /* the energy workspace evaluates as one built by hand */
  {
    li2_energy *e = li2_problem_energy(&P, LI2_ENERGY_DIRECT, &err);
    li2_energy *e2 = li2_energy_alloc(P.g, P.d, LI2_ACT_SQR, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, &err);
    int bad;
    rc = li2_problem_point(&P, "random:3", w, &err);
    bad = rc || !e || !e2 || li2_energy_eval(e, w, &E, NULL) || li2_energy_eval(e2, w, &E2, NULL);
    ok(!bad && E == E2 && E > 0,
       "li2_problem_energy: E = %.10g, by hand %.10g", E, E2);
    li2_energy_free(e);
    li2_energy_free(e2);
  }
  li2_problem_free(&P);

  /* refusals name the parameter */
  li2_problem_params_default(&pp);
  rc = li2_problem_setup(&P, &pp, &err);
  ok(rc == LI2_EINVAL && strstr(err.msg, "parameter group"), "no group: %s", err.msg);
  li2_problem_free(&P);
  pp.group = "Z7";
  pp.act_b_given = 1;
  rc = li2_problem_setup(&P, &pp, &err);
  ok(rc == LI2_EINVAL && strstr(err.msg, "parameter act_b"), "act_b without quad: %s", err.msg);
  li2_problem_free(&P);
  pp.act_b_given = 0;
  pp.activation = "cube";
  rc = li2_problem_setup(&P, &pp, &err);
  ok(rc && strstr(err.msg, "activation"), "unknown activation: %s", err.msg);
  li2_problem_free(&P);
  pp.activation = NULL;
  pp.node = "node:/nonexistent/run#0";
  rc = li2_problem_setup(&P, &pp, &err);
  ok(rc && strstr(err.msg, "parameter w"), "missing checkpoint: %s", err.msg);
  li2_problem_free(&P);

  /* points: on the sphere |w| = radius; fourier:K a critical point of E */
  li2_problem_params_default(&pp);
  pp.group = "Z11";
  pp.radius = 2.5;
  rc = li2_problem_setup(&P, &pp, &err);
  ok(!rc && !li2_problem_point(&P, "random", w, &err) && fabs(norm(w, 22) - 2.5) < 1e-12 &&
         !li2_problem_point(&P, "random:0", w2, &err) && !memcmp(w, w2, sizeof w),
     "random has |w| = radius; random = random:SEED with the problem's seed");
  ok(!li2_problem_point(&P, "random:1", w2, &err) && memcmp(w, w2, sizeof w),
     "random:1 differs from random:0");
  {
    li2_energy *e = li2_problem_energy(&P, LI2_ENERGY_AUTO, &err);
    double gn;
    rc = li2_problem_point(&P, "fourier:3", w, &err);
    ok(!rc && fabs(norm(w, 22) - 2.5) < 1e-12, "fourier:3 has |w| = radius");
    li2_energy_eval(e, w, &E, g);
    li2_energy_project_tangent(22, w, g);
    gn = norm(g, 22);
    ok(E > 0 && gn < 1e-9 * E, "fourier:3 is critical on the sphere: |P_w grad E| = %.3g, E = %.6g",
       gn, E);
    rc = li2_problem_point(&P, "fourier:3+5", w, &err);
    li2_energy_eval(e, w, &E2, g);
    li2_energy_project_tangent(22, w, g);
    ok(!rc && norm(g, 22) < 1e-9 * E2 && E2 < E,
       "fourier:3+5 is critical and lower (a saddle): E = %.6g < %.6g", E2, E);
    li2_energy_free(e);
  }
  ok(li2_problem_point(&P, "fourier:11", w, &err) == LI2_EINVAL, "fourier:11 refused: %s", err.msg);
  ok(li2_problem_point(&P, "fourier:1++2", w, &err) == LI2_EINVAL, "fourier:1++2 refused");

  /* a file point: row 1 as written, '#' lines skipped */
  {
    char path[] = "/tmp/test_problem_XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    for (int r = 0; fp && r < 2; r++) {
      fprintf(fp, "# row %d\n", r);
      for (int k = 0; k < 22; k++)
        fprintf(fp, "%s%.17g", k ? " " : "", (double)(r * 100 + k) / 7.0);
      fputc('\n', fp);
    }
    if (fp)
      fclose(fp);
    {
      char spec[64];
      int same = 1;
      snprintf(spec, sizeof spec, "file:%s#1", path);
      rc = li2_problem_point(&P, spec, w, &err);
      for (int k = 0; k < 22; k++)
        same &= w[k] == (double)(100 + k) / 7.0;
      ok(!rc && same, "file:PATH#1 reads row 1 as is");
      snprintf(spec, sizeof spec, "%s#2", path);
      rc = li2_problem_point(&P, spec, w, &err);
      ok(rc == LI2_EFORMAT && strstr(err.msg, "no data row 2"), "row 2 of 2: %s", err.msg);
    }
    remove(path);
  }
  li2_problem_free(&P);
  return tap_done();
}
