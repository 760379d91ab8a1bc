/* Stage I module: the exact V flow against a small-step RK4 integration,
 * its limit against the ridge solution and Eq. 4; Lemma 1's dual-only
 * G_F and inner products against li2_gradient's closed form; diagonal
 * ratios against the formed matrices; random features' mean; the trainer
 * trace and its summary; bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "tap.h"
#include "dataset.h"
#include "gradient.h"
#include "group.h"
#include "stage1.h"

static double rel(const double *a, const double *b, size_t n)
{
  return li2_gradient_rel_diff(a, b, n);
}

/* dV/dt = F~^T Y~ - (F~^T F~ + eta I) V, RK4 with step h to time T */
static void rk4(li2_gradient *g, double eta, double *V, double T, size_t steps)
{
  size_t K = li2_gradient_K(g), M = li2_gradient_M(g), KM = K * M;
  const double *A = li2_gradient_gram(g), *B = li2_gradient_top_target(g);
  double h = T / (double)steps, *k[4], *tmp = malloc(KM * sizeof *tmp);
  for (int i = 0; i < 4; i++)
    k[i] = malloc(KM * sizeof *k[i]);
  for (size_t s = 0; s < steps; s++) {
    for (int st = 0; st < 4; st++) {
      double c = st == 0 ? 0 : st == 3 ? h : h / 2;
      for (size_t i = 0; i < KM; i++)
        tmp[i] = V[i] + (st ? c * k[st - 1][i] : 0);
      for (size_t a = 0; a < K; a++)
        for (size_t m = 0; m < M; m++) {
          double v = B[a * M + m] - eta * tmp[a * M + m];
          for (size_t b = 0; b < K; b++)
            v -= A[a * K + b] * tmp[b * M + m];
          k[st][a * M + m] = v;
        }
    }
    for (size_t i = 0; i < KM; i++)
      V[i] += h / 6 * (k[0][i] + 2 * k[1][i] + 2 * k[2][i] + k[3][i]);
  }
  for (int i = 0; i < 4; i++)
    free(k[i]);
  free(tmp);
}

int main(void)
{
  li2_error err = {0};
  li2_group *G = li2_group_alloc_name("Z7", &err);
  li2_dataset *d = li2_dataset_alloc_full(G, 2, &err);
  size_t n = d->ntrain, K = 10, M = 7;
  double *F = malloc(n * K * sizeof *F);
  ok(li2_stage1_random_features(d, LI2_ACT_SQR, K, 1.0, 3, F, &err) == 0, "random features %s",
     err.msg);
  li2_gradient *g = li2_gradient_alloc(n, K, M, &err);
  li2_gradient_set(g, F, d->train_y, &err);
  double eta = 0.3;
  li2_stage1_flow *f = li2_stage1_flow_alloc(g, eta, &err);
  ok(f != NULL, "flow: eigendecomposition");
  double *V0 = malloc(K * M * sizeof *V0), *V = malloc(K * M * sizeof *V);
  double *Vr = malloc(K * M * sizeof *Vr), *Vx = malloc(K * M * sizeof *Vx);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  for (size_t i = 0; i < K * M; i++)
    V0[i] = 0.1 * gsl_ran_gaussian(r, 1.0);
  li2_stage1_flow_start(f, V0);
  double T = 2.0 / li2_stage1_flow_lambda_max(f);
  li2_stage1_flow_at(f, T, V, NULL);
  memcpy(Vx, V0, K * M * sizeof *Vx);
  rk4(g, eta, Vx, T, 4000);
  ok(rel(V, Vx, K * M) < 1e-10, "exact flow = RK4 at t = 2/lambda_max: rel %.2e",
     rel(V, Vx, K * M));
  /* limit: ridge V* and Eq. 4 */
  li2_stage1_flow_at(f, INFINITY, V, NULL);
  li2_gradient_ridge(g, eta, Vr, &err);
  ok(rel(V, Vr, K * M) < 1e-10, "V(inf) = V_ridge: rel %.2e", rel(V, Vr, K * M));
  li2_stage1_prop1 p;
  int rc = li2_stage1_prop1_compute(f, 1e-3, 5, 40, &p, &err);
  ok(rc == 0 && p.limit_rel < 1e-10, "G_F(inf) = Eq. 4 closed form: rel %.2e", p.limit_rel);
  ok(fabs(p.rate_meas / p.rate_pred - 1) < 0.05, "decay rate %.6g (slowest mode %.6g)",
     p.rate_meas, p.rate_pred);
  ok(p.gf_peak > p.gf0 && p.gf_peak >= p.gf_inf, "|G_F| peak %.3g above start %.3g and limit %.3g",
     p.gf_peak, p.gf0, p.gf_inf);
  li2_stage1_prop1 p0;
  rc = li2_stage1_prop1_compute(f, 0, 5, 40, &p0, &err);
  ok(rc == 0 && p0.gf0 == 0 &&
     fabs(p0.eq3_slope0 - 2) < 0.01, "alpha = 0: G_F(0) = 0, Eq. 3 remainder slope %.4f (2)",
     p0.eq3_slope0);
  /* another eta keeps the eigenbasis */
  li2_stage1_flow_set_eta(f, 0.05);
  li2_stage1_flow_start(f, V0);
  li2_stage1_flow_at(f, INFINITY, V, NULL);
  li2_gradient_ridge(g, 0.05, Vr, &err);
  ok(rel(V, Vr, K * M) < 1e-10, "set_eta: V(inf) = V_ridge(0.05)");
  li2_stage1_flow_free(f);

  /* Lemma 1 quantities against li2_gradient */
  li2_stage1_lemma1 o;
  double *GF = malloc(n * K * sizeof *GF), *S = malloc(n * K * sizeof *S);
  rc = li2_stage1_lemma1_compute(n, K, M, F, d->train_y, eta, 1, &o, &err);
  ok(rc == 0, "lemma1 %s", err.msg);
  li2_gradient_closed_form(g, eta, NULL, GF, &err);
  li2_gradient_independent_form(g, 1.0, S); /* (1/1) Y~Y~^T F~ */
  double gg = 0, gs = 0, ss = 0, tr = 0;
  for (size_t i = 0; i < n * K; i++) {
    gg += GF[i] * GF[i];
    gs += GF[i] * S[i];
    ss += S[i] * S[i];
  }
  for (size_t i = 0; i < K; i++)
    tr += li2_gradient_gram(g)[i * K + i];
  double best = gs / ss, dir = sqrt(gg - gs * gs / ss) / sqrt(gg);
  ok(fabs(o.gf_norm - sqrt(gg)) < 1e-10 * sqrt(gg), "|G_F| by (1/eta) R R^T F~ %.12g = %.12g",
     o.gf_norm, sqrt(gg));
  ok(fabs(o.best_coef - best) < 1e-9 * fabs(best) && fabs(o.dist_dir - dir) < 1e-8,
     "best multiple %.10g (%.10g), distance %.10g (%.10g)", o.best_coef, best, o.dist_dir, dir);
  ok(fabs(o.c2 * (double)n * (double)K - tr) < 1e-9 * tr &&
     fabs(o.c1 * (double)(n - 1) - o.c2 * (double)n) < 1e-12 * o.c1 * (double)n,
     "c1, c2 from tr(F~^T F~): n c2 = (n - 1) c1");
  /* diagonal ratios against the formed matrices */
  {
    double *Ft = malloc(n * K * sizeof *Ft), mu[16] = {0}, ftf = 0, pff = 0;
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < K; j++)
        mu[j] += F[i * K + j] / (double)n;
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < K; j++)
        Ft[i * K + j] = F[i * K + j] - mu[j];
    double sd = 0, so = 0, pd = 0, po = 0;
    for (size_t a = 0; a < K; a++)
      for (size_t b = 0; b < K; b++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
          s += Ft[i * K + a] * Ft[i * K + b];
        *(a == b ? &sd : &so) += fabs(s);
      }
    for (size_t i = 0; i < n; i++)
      for (size_t l = 0; l < n; l++) {
        double s = 0;
        for (size_t j = 0; j < K; j++)
          s += Ft[i * K + j] * F[l * K + j];
        *(i == l ? &pd : &po) += fabs(s);
      }
    li2_stage1_diag_ratios(n, K, F, &ftf, &pff);
    double e1 = (so / (double)(K * (K - 1))) / (sd / (double)K);
    double e2 = (po / (double)(n * (n - 1))) / (pd / (double)n);
    ok(fabs(ftf - e1) < 1e-12 && fabs(pff - e2) < 1e-12 && fabs(o.ftf_ratio - e1) < 1e-12,
       "diagonal ratios %.6f %.6f (direct %.6f %.6f)", ftf, pff, e1, e2);
    free(Ft);
  }
  rc = li2_stage1_lemma1_compute(n, K, M, F, d->train_y, 0, 1, &o, &err);
  ok(rc == LI2_EINVAL, "lemma1: eta = 0 refused: %s", err.msg);
  /* random features of x^2: E (u + v)^2 = 2 for N(0,1) entries */
  {
    size_t KK = 4000;
    double *FF = malloc(n * KK * sizeof *FF), m = 0;
    li2_stage1_random_features(d, LI2_ACT_SQR, KK, 1.0, 9, FF, &err);
    for (size_t i = 0; i < n * KK; i++)
      m += FF[i] / (double)(n * KK);
    ok(fabs(m - 2) < 0.05, "random x^2 features: mean %.4f (2)", m);
    free(FF);
  }
  /* trainer trace */
  {
    li2_train_config c;
    li2_args *a = NULL;
    const char *kv[] = {"M=11", "hidden_size=16", "train_size=50", "loss_func=mse",
                        "num_epochs=30", "seed=2", "top_layer_init_multiplier=0.1"};
    li2_train_metrics *rows = NULL;
    size_t nr = 0;
    li2_stage1_trace_summary s;
    li2_args_parse(&a, li2_train_spec, 7, (char **)kv, &err);
    li2_train_config_from_args(a, &c, &err);
    int trc = li2_stage1_trace(&c, 10, 2, 10, &rows, &nr, &err);
    ok(trc == 0 && nr == 8 && rows[7].epoch == 30, "trace: epochs 0,2,..,10,20,30 (%zu rows)", nr);
    li2_stage1_trace_summarise(rows, nr, &s);
    ok(isnan(rows[0].dv_cos) && rows[1].dv_cos > 0 && s.gf_peak_epoch > 0 &&
       s.ftf_ratio_max > 0 && s.dv_peak_epoch >= 2, "summary: G_F peak at %ld, V moves most at %ld",
       s.gf_peak_epoch, s.dv_peak_epoch);
    free(rows);
    trc = li2_stage1_trace(&c, 10, 0, 10, &rows, &nr, &err);
    ok(trc == LI2_EINVAL, "trace: step 0 refused");
    li2_args_free(a);
  }
  free(GF);
  free(S);
  free(V0);
  free(V);
  free(Vr);
  free(Vx);
  free(F);
  gsl_rng_free(r);
  li2_gradient_free(g);
  li2_dataset_free(d);
  li2_group_free(G);
  return tap_done();
}
