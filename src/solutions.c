/* Solutions of modular addition by frequency (solutions.h): orders,
 * factorisation into order-2 x order-q/2 components, r_{k1 k2 k}. */
#include "solutions.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "group.h"

static const char *const type_names[LI2_SOL_NTYPES] = {
  "order-2-unnormalized", "order-2-xi",  "order-2-4c",
  "order-2-nu",           "order-2-unknown", "order-3-unnormalized-1",
  "order-3-unnormalized-2", "order-3-syn", "order-3-syn-ab",
  "order-3-unknown",      "error",
};

const char *li2_solutions_type_name(int type)
{
  return type >= 0 && type < LI2_SOL_NTYPES ? type_names[type] : "error";
}

void li2_solutions_params_default(li2_solutions_params *p)
{
  /* factorize_sol.py: 0.05 (analyze_solution), 0.2 (analyze_component_v2),
   * 0.1 (check_component's thres and the non-factorable test) */
  p->threshold = 0.05;
  p->sign_tol = 0.2;
  p->type_tol = 0.1;
  p->factor_tol = 0.1;
}

int li2_solutions_fourier(const double *W, const double *V, size_t d, size_t K, int cplx,
                          li2_complex *A, li2_complex *B, li2_complex *C, li2_error *err)
{
  size_t s = cplx ? 2 : 1;
  double complex *tw;
  if (d < 3 || K == 0)
    return li2_error_set(err, LI2_EINVAL, "solutions: need M >= 3 and hidden_size >= 1 (M=%zu, K=%zu)",
                         d, K);
  /* exp(-2 pi i r / d) for r = n k mod d: exact indices, one table */
  if (!(tw = malloc(d * sizeof *tw)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (size_t r = 0; r < d; r++)
    tw[r] = cexp(-2.0 * M_PI * I * (double)r / (double)d);
  for (size_t k = 0; k < d; k++)
    for (size_t j = 0; j < K; j++) {
      double complex a = 0, b = 0, c = 0;
      for (size_t n = 0; n < d; n++) {
        size_t r = (n * k) % d;
        const double *u = W + (n * K + j) * s, *v = W + ((d + n) * K + j) * s;
        const double *o = V + (j * d + n) * s;
        double complex uu = cplx ? u[0] + I * u[1] : u[0];
        double complex vv = cplx ? v[0] + I * v[1] : v[0];
        double complex oo = cplx ? o[0] + I * o[1] : o[0];
        a += uu * tw[r];
        b += vv * tw[r];
        c += oo * conj(tw[r]);
      }
      A[k * K + j] = a / (double)d;
      B[k * K + j] = b / (double)d;
      C[k * K + j] = c / (double)d;
    }
  free(tw);
  return LI2_SUCCESS;
}

void li2_solutions_orders(const li2_complex *A, size_t d, size_t K, double threshold,
                          size_t *order)
{
  for (size_t k = 0; k <= (d - 1) / 2; k++) {
    order[k] = 0;
    for (size_t j = 0; j < K; j++)
      order[k] += cabs(A[k * K + j]) > threshold;
  }
}

static double best_of(const li2_complex *A, size_t d, size_t K, size_t j, int *kbest)
{
  double m = -1;
  for (size_t k = 0; k <= (d - 1) / 2; k++) {
    double x = cabs(A[k * K + j]);
    if (x > m) {   /* first maximiser, as torch's max(dim=0) */
      m = x;
      *kbest = (int)k;
    }
  }
  return m;
}

void li2_solutions_best(const li2_complex *A, size_t d, size_t K, double threshold, int *best)
{
  for (size_t j = 0; j < K; j++) {
    int k = -1;
    best[j] = best_of(A, d, K, j, &k) > threshold ? k : -1;
  }
}

/* ---- check_component ---- */

int li2_solutions_classify(const li2_complex *comp, size_t m, const li2_solutions_params *p,
                           li2_complex *param, size_t *nparam)
{
  const double thres = p->type_tol;
  const double complex omega = cexp(2.0 * M_PI * I / 3.0);
  double complex a[3][3];
  *nparam = 0;
  if (m != 2 && m != 3)
    return LI2_SOL_ERROR;
  /* divide each column by the principal cube root of its product (so
   * every column's product is 1: the normalisation of check_component) */
  for (size_t c = 0; c < m; c++) {
    double complex prod = comp[c] * comp[m + c] * comp[2 * m + c];
    double complex root = cpow(prod, 1.0 / 3.0);
    for (size_t r = 0; r < 3; r++)
      a[r][c] = comp[r * m + c] / root;
  }
  if (m == 2) {
    if (cabs(a[0][1] * a[1][1] * a[2][1] - 1) > thres)
      return LI2_SOL_ORDER2_UNNORMALIZED;
    if (cabs(a[2][1] - I) < thres || cabs(a[2][1] + I) < thres) {
      param[(*nparam)++] = a[0][1];
      return LI2_SOL_ORDER2_XI;
    }
    if (cabs(a[2][1] - 1) < thres && (cabs(a[0][1] - I) < thres || cabs(a[0][1] + I) < thres)) {
      param[(*nparam)++] = a[0][1];
      return LI2_SOL_ORDER2_4C;
    }
    if (cabs(a[0][1] + a[1][1]) < thres) {
      param[(*nparam)++] = a[0][1];
      return LI2_SOL_ORDER2_NU;
    }
    return LI2_SOL_ORDER2_UNKNOWN;
  }
  if (cabs(a[0][1] * a[1][1] * a[2][1] - 1) > thres)
    return LI2_SOL_ORDER3_UNNORMALIZED1;
  if (cabs(a[0][2] * a[1][2] * a[2][2] - 1) > thres)
    return LI2_SOL_ORDER3_UNNORMALIZED2;
  /* remove a [-1, -1, 1] factor from each column */
  for (size_t c = 1; c <= 2; c++)
    if (creal(a[0][c]) > 0)
      a[0][c] = -a[0][c], a[1][c] = -a[1][c];
  if (cimag(a[2][1]) < 0)
    for (size_t r = 0; r < 3; r++)
      for (size_t c = 0; c < 3; c++)
        a[r][c] = conj(a[r][c]);
  {
    double e1 = 0, e2 = 0;
    for (size_t r = 0; r < 3; r++) {
      e1 += pow(cabs(a[r][1] - omega), 2);
      e2 += pow(cabs(a[r][2] - conj(omega)), 2);
    }
    if (sqrt(e1) < thres * sqrt(3.0) && sqrt(e2) < thres * sqrt(3.0)) {
      param[0] = 1, param[1] = 1;
      *nparam = 2;
      return LI2_SOL_ORDER3_SYN;
    }
  }
  if (cabs(a[2][1] - omega) < thres && cabs(a[2][2] - conj(omega)) < thres) {
    param[0] = a[0][1] / omega;
    param[1] = a[0][2] / omega;
    *nparam = 2;
    return LI2_SOL_ORDER3_SYN_AB;
  }
  return LI2_SOL_ORDER3_UNKNOWN;
}

/* ---- analyze_component_v2 ---- */

/* next permutation in lexicographic order (itertools.permutations' order
 * for range(q)); 0 after the last */
static int next_perm(int *p, size_t n)
{
  size_t i = n - 1, j = n - 1;
  while (i > 0 && p[i - 1] >= p[i])
    i--;
  if (i == 0)
    return 0;
  while (p[j] <= p[i - 1])
    j--;
  {
    int t = p[i - 1];
    p[i - 1] = p[j];
    p[j] = t;
  }
  for (size_t a = i, b = n - 1; a < b; a++, b--) {
    int t = p[a];
    p[a] = p[b];
    p[b] = t;
  }
  return 1;
}

/* |x - mean(x)|_2 over H complex values */
static double spread(const double complex *x, size_t h)
{
  double complex mean = 0;
  double s = 0;
  for (size_t i = 0; i < h; i++)
    mean += x[i];
  mean /= (double)h;
  for (size_t i = 0; i < h; i++)
    s += pow(cabs(x[i] - mean), 2);
  return sqrt(s);
}

static int name_greater(int t1, int t2)
{
  return strcmp(li2_solutions_type_name(t1), li2_solutions_type_name(t2)) > 0;
}

int li2_solutions_factorize(const li2_complex *F0, size_t q, const li2_solutions_params *p,
                            li2_solutions_factor *out, li2_error *err)
{
  size_t h = q / 2;
  int perm[6], best[6];
  double min_err = 1e8;
  double complex F[3][6], ratio[3][3];
  if (q != 4 && q != 6)
    return li2_error_set(err, LI2_EINVAL, "solutions: factorisation needs 4 or 6 nodes (got %zu)", q);
  for (size_t i = 0; i < q; i++)
    perm[i] = best[i] = (int)i;
  /* the permutation making F[2, :h] / F[2, h:] most nearly constant */
  do {
    double complex r[3];
    double e;
    for (size_t i = 0; i < h; i++)
      r[i] = F0[2 * q + (size_t)perm[i]] / F0[2 * q + (size_t)perm[h + i]];
    e = spread(r, h);
    if (e < min_err) {
      min_err = e;
      memcpy(best, perm, sizeof perm);
    }
  } while (next_perm(perm, q));
  for (size_t r = 0; r < 3; r++)
    for (size_t i = 0; i < q; i++)
      F[r][i] = F0[r * q + (size_t)best[i]];
  /* [-1, -1, 1] fix: a column of the first half whose a-ratio departs from
   * the first one's */
  {
    double complex rt[3];
    for (size_t i = 0; i < h; i++)
      rt[i] = F[0][h + i] / F[0][i];
    for (size_t i = 0; i < h; i++)
      if (cabs(rt[i] - rt[0]) > p->sign_tol)
        F[0][i] = -F[0][i], F[1][i] = -F[1][i];
  }
  out->err = 0;
  for (size_t r = 0; r < 3; r++) {
    double complex mean = 0;
    for (size_t i = 0; i < h; i++)
      mean += ratio[r][i] = F[r][h + i] / F[r][i];
    mean /= (double)h;
    for (size_t i = 0; i < h; i++)
      out->err += pow(cabs(ratio[r][i] - mean), 2);
    out->comp1[r * 2] = 1;
    out->comp1[r * 2 + 1] = mean;
    for (size_t i = 0; i < h; i++)
      out->comp2[r * h + i] = F[r][i] / F[r][0];
  }
  out->err = sqrt(out->err);
  out->q = q;
  memcpy(out->perm, best, sizeof best);
  out->factorable = !(out->err > sqrt(3.0 * (double)q) * p->factor_tol);
  {
    li2_complex p1[2], p2[2];
    size_t n1, n2;
    int t1 = li2_solutions_classify(out->comp1, 2, p, p1, &n1);
    int t2 = li2_solutions_classify(out->comp2, h, p, p2, &n2);
    if (name_greater(t1, t2)) {
      int t = t1;
      li2_complex pp[2];
      size_t nn = n1;
      t1 = t2, t2 = t;
      memcpy(pp, p1, sizeof pp), memcpy(p1, p2, sizeof pp), memcpy(p2, pp, sizeof pp);
      n1 = n2, n2 = nn;
    }
    out->type1 = t1, out->type2 = t2;
    out->nparam1 = n1, out->nparam2 = n2;
    memcpy(out->param1, p1, sizeof p1);
    memcpy(out->param2, p2, sizeof p2);
  }
  return LI2_SUCCESS;
}

/* ---- one network ---- */

void li2_solutions_result_free(li2_solutions_result *r)
{
  if (!r)
    return;
  free(r->order);
  free(r->best_nodes);
  free(r->best);
  free(r->amax);
  free(r->factor);
  free(r);
}

static int pair_is(const li2_solutions_factor *f, int t1, int t2)
{
  return f->type1 == t1 && f->type2 == t2;
}

/* summarize46 of factorize_sol.py */
static void summarize(li2_solutions_result *r)
{
  li2_solutions_summary *s = &r->summary;
  double e4 = 0, e6 = 0;
  memset(s, 0, sizeof *s);
  s->n = r->nfreq;
  for (size_t k = 1; k <= r->nfreq; k++) {
    s->n4 += r->best_nodes[k] == 4;
    s->n6 += r->best_nodes[k] == 6;
    s->n0 += r->best_nodes[k] == 0;
  }
  for (size_t i = 0; i < r->nfactor; i++) {
    const li2_solutions_factor *f = &r->factor[i];
    if (!f->factorable) {
      if (f->q == 4)
        s->nonfact4++;
      else
        s->nonfact6++;
      continue;
    }
    if (f->q == 4) {
      e4 += f->err;
      s->n4_4cxi += pair_is(f, LI2_SOL_ORDER2_4C, LI2_SOL_ORDER2_XI);
    } else {
      e6 += f->err;
      s->n6_nusyn += pair_is(f, LI2_SOL_ORDER2_NU, LI2_SOL_ORDER3_SYN);
      s->n6_4csynab += pair_is(f, LI2_SOL_ORDER2_4C, LI2_SOL_ORDER3_SYN_AB) ||
                       pair_is(f, LI2_SOL_ORDER2_4C, LI2_SOL_ORDER3_SYN);
    }
  }
  s->non_4_6_0 = s->n - s->n4 - s->n6 - s->n0;
  s->nfact = s->n4 + s->n6 - s->nonfact4 - s->nonfact6;
  s->err4 = s->n4 > s->nonfact4 ? e4 / (double)(s->n4 - s->nonfact4) : NAN;
  s->err6 = s->n6 > s->nonfact6 ? e6 / (double)(s->n6 - s->nonfact6) : NAN;
  s->nonfact4_frac = (double)s->nonfact4 / ((double)s->n4 + 1e-8);
  s->nonfact6_frac = (double)s->nonfact6 / ((double)s->n6 + 1e-8);
  s->sol_4_4cxi = (double)s->n4_4cxi / ((double)s->nfact + 1e-8);
  s->sol_6_nusyn = (double)s->n6_nusyn / ((double)s->nfact + 1e-8);
  s->sol_6_4csynab = (double)s->n6_4csynab / ((double)s->nfact + 1e-8);
  s->sol_others = ((double)s->nfact - (double)s->n4_4cxi - (double)s->n6_nusyn -
                   (double)s->n6_4csynab) /
                  ((double)s->nfact + 1e-8);
}

int li2_solutions_analyze(const li2_complex *A, const li2_complex *B, const li2_complex *C,
                          size_t d, size_t K, const li2_solutions_params *p,
                          li2_solutions_result **out, li2_error *err)
{
  li2_solutions_result *r;
  size_t nf = (d - 1) / 2;
  *out = NULL;
  if (d < 3 || K == 0)
    return li2_error_set(err, LI2_EINVAL, "solutions: need M >= 3 and hidden_size >= 1");
  if (!(r = calloc(1, sizeof *r)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  r->d = d, r->K = K, r->nfreq = nf, r->params = *p;
  r->order = calloc(nf + 1, sizeof *r->order);
  r->best_nodes = calloc(nf + 1, sizeof *r->best_nodes);
  r->best = calloc(K, sizeof *r->best);
  r->amax = calloc(K, sizeof *r->amax);
  r->factor = calloc(nf + 1, sizeof *r->factor);
  if (!r->order || !r->best_nodes || !r->best || !r->amax || !r->factor) {
    li2_solutions_result_free(r);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  li2_solutions_orders(A, d, K, p->threshold, r->order);
  for (size_t j = 0; j < K; j++) {
    int k = -1;
    r->amax[j] = best_of(A, d, K, j, &k);
    r->best[j] = r->amax[j] > p->threshold ? k : -1;
    if (r->best[j] >= 0)
      r->best_nodes[r->best[j]]++;
  }
  for (size_t k = 1; k <= nf; k++) {
    size_t q = r->best_nodes[k], n = 0;
    li2_complex F[18];
    li2_solutions_factor *f;
    int rc;
    if (q != 4 && q != 6)
      continue;
    f = &r->factor[r->nfactor];
    for (size_t j = 0; j < K; j++)
      if (r->best[j] == (int)k) {
        f->node[n] = (int)j;
        F[n] = A[k * K + j];
        F[q + n] = B[k * K + j];
        F[2 * q + n] = C[k * K + j];
        n++;
      }
    if ((rc = li2_solutions_factorize(F, q, p, f, err))) {
      li2_solutions_result_free(r);
      return rc;
    }
    f->k = (int)k;
    r->nfactor++;
  }
  summarize(r);
  *out = r;
  return LI2_SUCCESS;
}

/* ---- checkpoints ---- */

/* 1 when the run's group is Z_M with element n = n mod M (no group key:
 * the trainer's default, modular addition) */
static int cyclic_group(const li2_checkpoint *c, li2_error *err)
{
  const char *name = li2_checkpoint_config(c, "group");
  li2_group *g;
  int ok = 1;
  if (!name || !*name)
    return 1;
  if (!(g = li2_group_alloc_name(name, err)))
    return -1;
  if (g->order != c->M || g->not_group)
    ok = 0;
  for (size_t a = 0; ok && a < g->order; a++)
    for (size_t b = 0; ok && b < g->order; b++)
      ok = (size_t)g->table[a * g->order + b] == (a + b) % g->order;
  li2_group_free(g);
  return ok;
}

int li2_solutions_checkpoint_fourier(const char *path, size_t *d, size_t *K,
                                     li2_complex **A, li2_complex **B, li2_complex **C,
                                     long *epoch, li2_error *err)
{
  li2_checkpoint *c;
  int rc = LI2_SUCCESS, cyc;
  *A = *B = *C = NULL;
  if (!(c = li2_checkpoint_read(path, err)))
    return err ? err->code : LI2_EIO;
  if (c->transformer || c->nops != 2 || c->other_layers != 0 || c->flags) {
    rc = li2_error_set(err, LI2_EUNSUP,
                       "%s: the solution analysis needs a 2-layer network with num_of_ops=2 "
                       "(model_type=mlp, other_layers=0, use_bn and embed_trainable false)",
                       path);
    goto done;
  }
  if ((cyc = cyclic_group(c, err)) < 0) {
    rc = err ? err->code : LI2_EINVAL;
    goto done;
  }
  if (!cyc) {
    rc = li2_error_set(err, LI2_EUNSUP,
                       "%s: the solution analysis is for modular addition Z_M (group=%s is not)",
                       path, li2_checkpoint_config(c, "group"));
    goto done;
  }
  *d = c->M, *K = c->K;
  if (epoch)
    *epoch = c->epoch;
  *A = malloc(c->M * c->K * sizeof **A);
  *B = malloc(c->M * c->K * sizeof **B);
  *C = malloc(c->M * c->K * sizeof **C);
  if (!*A || !*B || !*C)
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  else
    rc = li2_solutions_fourier(c->W, c->V, c->M, c->K, c->cplx, *A, *B, *C, err);
done:
  if (rc) {
    free(*A), free(*B), free(*C);
    *A = *B = *C = NULL;
  }
  li2_checkpoint_free(c);
  return rc;
}

int li2_solutions_checkpoint(const char *path, const li2_solutions_params *p,
                             li2_solutions_result **out, long *epoch, li2_error *err)
{
  li2_complex *A, *B, *C;
  size_t d, K;
  int rc;
  *out = NULL;
  if ((rc = li2_solutions_checkpoint_fourier(path, &d, &K, &A, &B, &C, epoch, err)))
    return rc;
  rc = li2_solutions_analyze(A, B, C, d, K, p, out, err);
  free(A), free(B), free(C);
  return rc;
}

/* ---- r_{k1 k2 k} ---- */

li2_complex li2_solutions_r(const li2_complex *A, const li2_complex *B, const li2_complex *C,
                            size_t d, size_t K, size_t k1, size_t k2, size_t k)
{
  double complex s = 0;
  (void)d;
  for (size_t j = 0; j < K; j++)
    s += A[k1 * K + j] * B[k2 * K + j] * C[k * K + j];
  return s;
}

li2_complex li2_solutions_r_rot(const li2_complex *X, const li2_complex *C, size_t d, size_t K,
                                size_t m, size_t k, size_t k2)
{
  double complex s = 0;
  size_t km = (k + m) % d;
  for (size_t j = 0; j < K; j++)
    s += X[k * K + j] * conj(X[km * K + j]) * C[k2 * K + j];
  return s;
}

void li2_solutions_r_sums(const li2_complex *A, const li2_complex *B, const li2_complex *C,
                          size_t d, size_t K, double *diag, double *offdiag)
{
  double dg = 0, all = 0;
  for (size_t k = 0; k < d; k++)
    dg += creal(li2_solutions_r(A, B, C, d, K, k, k, k));
  /* sum over every triple factorises per node (solutions.h) */
  for (size_t j = 0; j < K; j++) {
    double complex sa = 0, sb = 0, sc = 0;
    for (size_t k = 0; k < d; k++)
      sa += A[k * K + j], sb += B[k * K + j], sc += C[k * K + j];
    all += creal(sa * sb * sc);
  }
  *diag = dg;
  *offdiag = all - dg;
}

/* ---- output ---- */

void li2_solutions_write_orders(FILE *fp, const li2_solutions_result *r)
{
  fprintf(fp, "k\torder\tbest_nodes\n");
  for (size_t k = 1; k <= r->nfreq; k++)
    fprintf(fp, "%zu\t%zu\t%zu\n", k, r->order[k], r->best_nodes[k]);
}

static void write_param(FILE *fp, const li2_complex *p, size_t n, size_t i)
{
  if (i < n)
    fprintf(fp, "\t%.10g\t%.10g\t%.10g", creal(p[i]), cimag(p[i]), carg(p[i]));
  else
    fprintf(fp, "\tnan\tnan\tnan");
}

void li2_solutions_write_factors(FILE *fp, const li2_solutions_result *r)
{
  fprintf(fp, "k\tq\terr\tfactorable\ttype1\ttype2\tp1_re\tp1_im\tp1_angle\tp2_re\tp2_im\t"
              "p2_angle\tp3_re\tp3_im\tp3_angle\tnodes\n");
  for (size_t i = 0; i < r->nfactor; i++) {
    const li2_solutions_factor *f = &r->factor[i];
    fprintf(fp, "%d\t%zu\t%.10g\t%d\t%s\t%s", f->k, f->q, f->err, f->factorable,
            li2_solutions_type_name(f->type1), li2_solutions_type_name(f->type2));
    write_param(fp, f->param1, f->nparam1, 0);
    write_param(fp, f->param2, f->nparam2, 0);
    write_param(fp, f->param2, f->nparam2, 1);
    fputc('\t', fp);
    for (size_t n = 0; n < f->q; n++)
      fprintf(fp, "%s%d", n ? "," : "", f->node[n]);
    fputc('\n', fp);
  }
}
