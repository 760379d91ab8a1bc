/* Optimisers: each step equals a hand-derived step on a tiny problem;
 * Newton-Schulz against the exact polar factor; the polar factor's
 * defining properties; learning-rate schedules; the ridge solve against
 * GSL's QR least squares on the augmented system. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

#include "optim.h"
#include "tap.h"

static double maxdiff(const double *a, const double *b, size_t n)
{
  double d = 0;
  for (size_t i = 0; i < n; i++)
    d = fmax(d, fabs(a[i] - b[i]));
  return d;
}

static double frob(const double *a, size_t n)
{
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += a[i] * a[i];
  return sqrt(s);
}

/* The polar factor of a 2x2 matrix with det > 0, in closed form:
 * U = (A + cof A) / sqrt(det(A + cof A)), cof [[a,b],[c,d]] = [[d,-c],[-b,a]]. */
static void polar2(const double *A, double *U)
{
  double B[4] = {A[0] + A[3], A[1] - A[2], A[2] - A[1], A[3] + A[0]};
  double s = sqrt(B[0] * B[3] - B[1] * B[2]);
  for (int i = 0; i < 4; i++)
    U[i] = B[i] / s;
}

static void test_steps(void)
{
  const double lr = 0.01, wd = 0.1, eps = 1e-8;
  const double x0[3] = {0.5, -1.0, 2.0}, g1[3] = {0.1, -0.2, 0.3}, g2[3] = {-0.05, 0.4, 0.1};
  li2_error err = {0};
  li2_optim_params p;
  li2_optim *o;
  double x[3], g[3], want[3];

  /* SGD, momentum 0.9: b1 = g1 + wd x0; x1 = x0 - lr b1;
   * b2 = 0.9 b1 + g2 + wd x1; x2 = x1 - lr b2 */
  li2_optim_params_default(&p, LI2_OPTIM_SGD, wd);
  o = li2_optim_alloc(&p, 3, 0, 0, &err);
  memcpy(x, x0, sizeof x);
  memcpy(g, g1, sizeof g);
  li2_optim_step(o, lr, x, g, &err);
  memcpy(g, g2, sizeof g);
  {
    double x1[3], b1[3];
    for (int i = 0; i < 3; i++) {
      b1[i] = g1[i] + wd * x0[i];
      x1[i] = x0[i] - lr * b1[i];
    }
    for (int i = 0; i < 3; i++)
      want[i] = x1[i] - lr * (0.9 * b1[i] + g2[i] + wd * x1[i]);
  }
  li2_optim_step(o, lr, x, g, &err);
  ok(maxdiff(x, want, 3) <= 1e-15, "sgd: two steps by hand (diff %.1e)", maxdiff(x, want, 3));
  li2_optim_free(o);

  /* Adam (L2 in the gradient).  Step 1: m^ = g', v^ = g'^2, so
   * x1 = x0 - lr g'/(|g'| + eps).  Step 2 by Kingma & Ba's bias-corrected
   * moments: m^ = m/(1-b1^2), v^ = v/(1-b2^2), x2 = x1 - lr m^/(sqrt(v^)+eps). */
  li2_optim_params_default(&p, LI2_OPTIM_ADAM, wd);
  o = li2_optim_alloc(&p, 3, 0, 0, &err);
  memcpy(x, x0, sizeof x);
  memcpy(g, g1, sizeof g);
  li2_optim_step(o, lr, x, g, &err);
  {
    double x1[3], gp[3];
    int good1;
    for (int i = 0; i < 3; i++) {
      gp[i] = g1[i] + wd * x0[i];
      x1[i] = x0[i] - lr * gp[i] / (fabs(gp[i]) + eps);
    }
    good1 = maxdiff(x, x1, 3) <= 1e-15;
    ok(good1, "adam: first step is lr sign(g + wd x) (diff %.1e)", maxdiff(x, x1, 3));
    memcpy(g, g2, sizeof g);
    li2_optim_step(o, lr, x, g, &err);
    for (int i = 0; i < 3; i++) {
      double q = g2[i] + wd * x1[i];
      double m = 0.9 * 0.1 * gp[i] + 0.1 * q, v = 0.999 * 0.001 * gp[i] * gp[i] + 0.001 * q * q;
      double mh = m / (1 - 0.81), vh = v / (1 - 0.999 * 0.999);
      want[i] = x1[i] - lr * mh / (sqrt(vh) + eps);
    }
    ok(maxdiff(x, want, 3) <= 1e-15, "adam: second step by hand (diff %.1e)",
       maxdiff(x, want, 3));
  }
  li2_optim_free(o);

  /* AdamW: x1 = x0 (1 - lr wd) - lr g/(|g| + eps) (decay not in the moments) */
  li2_optim_params_default(&p, LI2_OPTIM_ADAMW, wd);
  o = li2_optim_alloc(&p, 3, 0, 0, &err);
  memcpy(x, x0, sizeof x);
  memcpy(g, g1, sizeof g);
  li2_optim_step(o, lr, x, g, &err);
  for (int i = 0; i < 3; i++)
    want[i] = x0[i] * (1 - lr * wd) - lr * g1[i] / (fabs(g1[i]) + eps);
  ok(maxdiff(x, want, 3) <= 1e-15, "adamw: decoupled decay step by hand (diff %.1e)",
     maxdiff(x, want, 3));
  li2_optim_free(o);

  /* Muon with the exact polar factor on a 2x2 W plus two Adam parameters:
   * mu = 0.01 g, polar(mu) = polar(g) (scale invariant), W1 = W0 (1 - lr wd)
   * - lr polar(g); the rest as Adam's first step. */
  {
    double W0[6] = {0.3, -0.2, 0.1, 0.4, 1.5, -0.7}, G[6] = {0.2, 0.1, -0.3, 0.5, 0.05, 0.3};
    double xw[6], gw[6], U[4];
    li2_optim_params_default(&p, LI2_OPTIM_MUON, wd);
    p.muon_exact = 1;
    o = li2_optim_alloc(&p, 6, 2, 2, &err);
    memcpy(xw, W0, sizeof xw);
    memcpy(gw, G, sizeof gw);
    ok(li2_optim_step(o, lr, xw, gw, &err) == 0, "muon exact step");
    polar2(G, U);
    {
      double w6[6];
      for (int i = 0; i < 4; i++)
        w6[i] = W0[i] * (1 - lr * wd) - lr * U[i];
      for (int i = 4; i < 6; i++) {
        double q = G[i] + wd * W0[i];
        w6[i] = W0[i] - lr * q / (fabs(q) + eps);
      }
      ok(maxdiff(xw, w6, 6) <= 1e-15,
         "muon: W step uses the closed-form 2x2 polar factor, V an Adam step (diff %.1e)",
         maxdiff(xw, w6, 6));
    }
    li2_optim_free(o);
  }

  /* Muon over three steps, exact polar factor, no weight decay and no
   * Adam part: mu_t = beta mu_{t-1} + (1 - beta) g_t with mu_0 = 0, so
   * mu_3 = (1-beta) (beta^2 g1 + beta g2 + g3), and W_t = W_{t-1} -
   * lr polar(mu_t).  The gradients differ enough that the momentum weight
   * changes the direction of every later step (polar is scale invariant,
   * so one step alone cannot see beta). */
  {
    const double beta = 0.99, lrm = 0.05;
    const double W0[4] = {0.3, -0.2, 0.1, 0.4};
    const double gs[3][4] = {{1.0, 0.2, -0.1, 0.8}, {0.3, -0.9, 1.1, 0.4},
                             {-0.2, 0.5, 0.3, 1.2}};
    double xw[4], gw[4], mu[4] = {0, 0, 0, 0}, Wh[4], U[4], d = 0;
    li2_optim_params_default(&p, LI2_OPTIM_MUON, 0.0);
    p.muon_exact = 1;
    ok(p.muon_beta == beta, "muon: default momentum 0.99 (the reference's beta2)");
    o = li2_optim_alloc(&p, 4, 2, 2, &err);
    memcpy(xw, W0, sizeof xw);
    memcpy(Wh, W0, sizeof Wh);
    for (int t = 0; t < 3; t++) {
      memcpy(gw, gs[t], sizeof gw);
      li2_optim_step(o, lrm, xw, gw, &err);
      for (int i = 0; i < 4; i++)
        mu[i] = beta * mu[i] + (1 - beta) * gs[t][i];
      /* the closed form needs det(mu) > 0 (else it is the polar factor of
       * a reflection): asserted so the hand route is valid */
      ok(mu[0] * mu[3] - mu[1] * mu[2] > 0, "muon step %d: det(mu) > 0", t + 1);
      polar2(mu, U);
      for (int i = 0; i < 4; i++)
        Wh[i] -= lrm * U[i];
      d = fmax(d, maxdiff(xw, Wh, 4));
    }
    ok(d <= 1e-14, "muon: three steps with momentum 0.99 by hand (max diff %.1e)", d);
    li2_optim_free(o);
  }
}

/* The quintic Newton-Schulz map acts on each singular value alone:
 * G = U S V^T gives Q = U f(S/|G|_F) V^T with f the composition of the
 * five scalar polynomials p(s) = a s + b s^3 + c s^5 (the reference's
 * coefficients, muon_opt.py).  G is built from two Householder
 * reflections and chosen singular values, so Q is known without any
 * matrix iteration. */
static void householder(size_t n, const double *v, double *H)
{
  double vv = 0;
  for (size_t i = 0; i < n; i++)
    vv += v[i] * v[i];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      H[i * n + j] = (i == j) - 2 * v[i] * v[j] / vv;
}

static void test_newton_schulz_scalar(void)
{
  static const double coef[5][3] = {
    {4.01, -9.22, 5.80}, {3.49, -6.38, 3.23}, {3.34, -6.21, 3.20},
    {3.64, -7.48, 4.43}, {3.46, -5.35, 2.85},
  };
  const double sv[3] = {2.0, 0.7, 0.05};
  const double vu[3] = {1.0, -2.0, 0.5}, vv[5] = {0.3, 1.0, -0.4, 2.0, -1.0};
  double Hu[9], Hv[25], G[15], Q[15], Qt[15], want[15], f[3], nrm = 0;
  double *work = malloc(li2_optim_ns_work_size(3, 5) * sizeof(double));
  householder(3, vu, Hu);
  householder(5, vv, Hv);
  for (int k = 0; k < 3; k++)
    nrm += sv[k] * sv[k];
  nrm = sqrt(nrm);
  for (int k = 0; k < 3; k++) {
    double s = sv[k] / (nrm + 1e-7);
    for (int it = 0; it < 5; it++)
      s = coef[it][0] * s + coef[it][1] * s * s * s + coef[it][2] * s * s * s * s * s;
    f[k] = s;
  }
  /* G = Hu [S 0] Hv (3 x 5), want = Hu [f 0] Hv */
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 5; j++) {
      double gij = 0, wij = 0;
      for (int k = 0; k < 3; k++) {
        gij += Hu[i * 3 + k] * sv[k] * Hv[k * 5 + j];
        wij += Hu[i * 3 + k] * f[k] * Hv[k * 5 + j];
      }
      G[i * 5 + j] = gij;
      want[i * 5 + j] = wij;
    }
  li2_optim_newton_schulz(3, 5, G, Q, work);
  ok(maxdiff(Q, want, 15) <= 1e-12,
     "Newton-Schulz (3 x 5) = U f(S/|G|) V^T by the scalar quintics (diff %.1e; f = %.6f %.6f "
     "%.6f)", maxdiff(Q, want, 15), f[0], f[1], f[2]);
  /* the tall orientation: the transpose */
  {
    double Gt[15], wt[15];
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 5; j++) {
        Gt[j * 3 + i] = G[i * 5 + j];
        wt[j * 3 + i] = want[i * 5 + j];
      }
    li2_optim_newton_schulz(5, 3, Gt, Qt, work);
    ok(maxdiff(Qt, wt, 15) <= 1e-12, "Newton-Schulz (5 x 3) = the transpose (diff %.1e)",
       maxdiff(Qt, wt, 15));
  }
  free(work);
}

static void test_polar(gsl_rng *r)
{
  li2_error err = {0};
  /* exact polar factor: Q^T Q = I and Q^T G symmetric positive definite */
  {
    size_t m = 30, n = 5;
    double *G = malloc(m * n * sizeof(double)), *Q = malloc(m * n * sizeof(double));
    double *wk = malloc(li2_optim_polar_work_size(m, n) * sizeof(double)), H[25], I[25],
           orth = 0, sym = 0;
    for (size_t i = 0; i < m * n; i++)
      G[i] = gsl_ran_gaussian(r, 1.0);
    ok(li2_optim_polar(m, n, G, Q, wk, &err) == 0, "polar factor of a 30 x 5 matrix");
    for (size_t a = 0; a < n; a++)
      for (size_t b = 0; b < n; b++) {
        double qq = 0, qg = 0;
        for (size_t i = 0; i < m; i++) {
          qq += Q[i * n + a] * Q[i * n + b];
          qg += Q[i * n + a] * G[i * n + b];
        }
        I[a * n + b] = qq - (a == b);
        H[a * n + b] = qg;
      }
    for (size_t a = 0; a < n; a++)
      for (size_t b = 0; b < n; b++) {
        orth = fmax(orth, fabs(I[a * n + b]));
        sym = fmax(sym, fabs(H[a * n + b] - H[b * n + a]));
      }
    {
      gsl_matrix_view Hv = gsl_matrix_view_array(H, n, n);
      ok(orth <= 1e-13 && sym <= 1e-12 && gsl_linalg_cholesky_decomp1(&Hv.matrix) == 0,
         "Q^T Q = I (%.1e), Q^T G symmetric (%.1e) and positive definite", orth, sym);
    }
    free(G);
    free(Q);
    free(wk);
  }
  /* rank-deficient G, tall and wide: Q = U sign(S) V^T, so Q = 0 at G = 0,
   * and for G = a b^T (rank 1) Q = a b^T / (|a| |b|), |Q|_F = 1 */
  for (int tall = 0; tall < 2; tall++) {
    size_t m = tall ? 7 : 3, n = tall ? 3 : 7;
    double G[21] = {0}, Q[21], a[7], b[7], na = 0, nb = 0, dq = 0, nq = 0;
    double *wk = malloc(li2_optim_polar_work_size(m, n) * sizeof(double));
    int rc = li2_optim_polar(m, n, G, Q, wk, &err);
    ok(rc == 0 && frob(Q, m * n) == 0, "polar factor of G = 0 (%zu x %zu) is 0 (norm %g)", m, n,
       frob(Q, m * n));
    for (size_t i = 0; i < m; i++)
      na += (a[i] = gsl_ran_gaussian(r, 1.0)) * a[i];
    for (size_t j = 0; j < n; j++)
      nb += (b[j] = gsl_ran_gaussian(r, 1.0)) * b[j];
    for (size_t i = 0; i < m; i++)
      for (size_t j = 0; j < n; j++)
        G[i * n + j] = a[i] * b[j];
    li2_optim_polar(m, n, G, Q, wk, &err);
    for (size_t i = 0; i < m; i++)
      for (size_t j = 0; j < n; j++) {
        dq = fmax(dq, fabs(Q[i * n + j] - a[i] * b[j] / sqrt(na * nb)));
        nq += Q[i * n + j] * Q[i * n + j];
      }
    ok(dq < 1e-14 && fabs(nq - 1) < 1e-14,
       "polar factor of a rank-1 %zu x %zu matrix: a b^T/(|a||b|) (%.1e), norm 1", m, n, dq);
    free(wk);
  }
  /* Newton-Schulz against the exact polar factor, wide and tall, on a
   * Gaussian matrix the shape of Z_71's W (142 x 512) */
  for (int tall = 0; tall < 2; tall++) {
    size_t m = tall ? 512 : 142, n = tall ? 142 : 512;
    double *G = malloc(m * n * sizeof(double)), *Q = malloc(m * n * sizeof(double)),
           *N = malloc(m * n * sizeof(double));
    double *wk = malloc(li2_optim_polar_work_size(m, n) * sizeof(double)),
           *wn = malloc(li2_optim_ns_work_size(m, n) * sizeof(double)), d;
    for (size_t i = 0; i < m * n; i++)
      G[i] = gsl_ran_gaussian(r, 1.0);
    li2_optim_polar(m, n, G, Q, wk, &err);
    li2_optim_newton_schulz(m, n, G, N, wn);
    for (size_t i = 0; i < m * n; i++)
      N[i] -= Q[i];
    d = frob(N, m * n) / frob(Q, m * n);
    /* The five tuned iterations do not converge: they push the singular
     * values into a band around 1 (Jordan's Muon); measured 0.082 here. */
    ok(d < 0.15, "Newton-Schulz vs exact polar factor (%zu x %zu): relative Frobenius %.3f < 0.15",
       m, n, d);
    free(G);
    free(Q);
    free(N);
    free(wk);
    free(wn);
  }
}

static void test_schedules(void)
{
  li2_lr_schedule s = {LI2_LR_NONE, 0.1, 0.1, 1000, 3000, 0, {0}};
  li2_error err = {0};
  ok(li2_lr_at(&s, 2500) == 0.1, "none: constant");
  s.type = LI2_LR_STEP;
  ok_close(li2_lr_at(&s, 999), 0.1, 1e-15, "step: before the first step") ;
  ok_close(li2_lr_at(&s, 2500), 0.001, 1e-15, "step: 0.1 * 0.1^2 at epoch 2500");
  s.type = LI2_LR_EXPONENTIAL;
  s.rate = 0.5;
  ok_close(li2_lr_at(&s, 3), 0.0125, 1e-15, "exponential: 0.1 * 0.5^3");
  s.type = LI2_LR_COSINE;
  ok_close(li2_lr_at(&s, 0), 0.1, 1e-15, "cosine: lr at 0");
  ok_close(li2_lr_at(&s, 1500), 0.05, 1e-15, "cosine: lr/2 at T/2");
  ok(fabs(li2_lr_at(&s, 3000)) < 1e-17, "cosine: 0 at T");
  s.type = LI2_LR_MULTISTEP;
  ok(li2_lr_parse_milestones(&s, "10,20", &err) == 0 && s.nmilestones == 2, "milestones 10,20");
  ok_close(li2_lr_at(&s, 9), 0.1, 1e-15, "multistep: before 10");
  ok_close(li2_lr_at(&s, 10), 0.05, 1e-15, "multistep: at 10");
  ok_close(li2_lr_at(&s, 25), 0.025, 1e-15, "multistep: after 20");
  ok(li2_lr_parse_milestones(&s, "20,10", &err) == LI2_EINVAL &&
     strstr(err.msg, "lr_decay_milestones"), "decreasing milestones rejected: %s", err.msg);
}

/* Ridge V against QR least squares on [F; sqrt(lambda) I] V = [Y; 0]. */
static void ridge_case(gsl_rng *r, size_t n, size_t K, size_t M, int center, double lambda)
{
  li2_error err = {0};
  double *F = malloc(n * K * sizeof(double)), *Y = malloc(n * M * sizeof(double)),
         *V = malloc(K * M * sizeof(double)), *Vq = malloc(K * M * sizeof(double));
  int *lab = malloc(n * sizeof(int));
  li2_ridge *rw = li2_ridge_alloc(n, K, M, center, &err);
  gsl_matrix *A = gsl_matrix_alloc(n + K, K);
  gsl_vector *tau = gsl_vector_alloc(K), *b = gsl_vector_alloc(n + K),
             *xs = gsl_vector_alloc(K), *res = gsl_vector_alloc(n + K);
  double d, scale;
  for (size_t i = 0; i < n * K; i++)
    F[i] = gsl_ran_gaussian(r, 1.0) + 0.5;  /* nonzero means: centring matters */
  for (size_t i = 0; i < n; i++)
    lab[i] = (int)gsl_rng_uniform_int(r, M);
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < M; c++)
      Y[i * M + c] = (c == (size_t)lab[i]) - 1.0 / (double)M;
  ok(li2_ridge_solve_labels(rw, n, F, lab, lambda, V, &err) == 0, "ridge solve n=%zu K=%zu", n, K);
  /* the augmented system, centred in the test when asked */
  for (size_t j = 0; j < K; j++) {
    double mu = 0;
    for (size_t i = 0; i < n; i++)
      mu += F[i * K + j] / (double)n;
    for (size_t i = 0; i < n; i++)
      gsl_matrix_set(A, i, j, F[i * K + j] - (center ? mu : 0));
    for (size_t i = 0; i < K; i++)
      gsl_matrix_set(A, n + i, j, i == j ? sqrt(lambda) : 0);
  }
  gsl_linalg_QR_decomp(A, tau);
  for (size_t c = 0; c < M; c++) {
    double mu = 0;
    for (size_t i = 0; i < n; i++)
      mu += Y[i * M + c] / (double)n;
    for (size_t i = 0; i < n; i++)
      gsl_vector_set(b, i, Y[i * M + c] - (center ? mu : 0));
    for (size_t i = 0; i < K; i++)
      gsl_vector_set(b, n + i, 0);
    gsl_linalg_QR_lssolve(A, tau, b, xs, res);
    for (size_t j = 0; j < K; j++)
      Vq[j * M + c] = gsl_vector_get(xs, j);
  }
  d = maxdiff(V, Vq, K * M);
  scale = 0;
  for (size_t i = 0; i < K * M; i++)
    scale = fmax(scale, fabs(Vq[i]));
  ok(d <= 1e-10 * scale, "ridge V = QR least squares (%s, %s, lambda %g): max diff %.1e of %.2g",
     K <= n ? "primal K x K" : "dual n x n", center ? "centred" : "uncentred", lambda, d, scale);
  gsl_matrix_free(A);
  gsl_vector_free(tau);
  gsl_vector_free(b);
  gsl_vector_free(xs);
  gsl_vector_free(res);
  li2_ridge_free(rw);
  free(F);
  free(Y);
  free(V);
  free(Vq);
  free(lab);
}

int main(void)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  li2_error err = {0};
  gsl_rng_set(r, 7);
  test_steps();
  test_newton_schulz_scalar();
  test_polar(r);
  test_schedules();
  ridge_case(r, 40, 10, 5, 0, 0.3);
  ridge_case(r, 10, 40, 5, 0, 0.3);
  ridge_case(r, 40, 10, 5, 1, 1e-3);
  ridge_case(r, 10, 40, 5, 1, 0.3);
  {
    /* lambda = 0 with more nodes than samples in the primal is singular:
     * the dual handles it; rank-deficient primal is reported */
    li2_ridge *rw = li2_ridge_alloc(10, 3, 2, 0, &err);
    double F[30] = {0}, V[6];
    int lab[10] = {0};
    ok(li2_ridge_solve_labels(rw, 10, F, lab, 0.0, V, &err) == LI2_ENUMERIC &&
       strstr(err.msg, "set_weight_reg"), "singular ridge reported: %s", err.msg);
    li2_ridge_free(rw);
  }
  gsl_rng_free(r);
  return tap_done();
}
