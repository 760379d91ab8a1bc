/* Local maxima of E on the sphere: the multi-start search over threads,
 * classification (power per real irreducible component), the start points
 * and the grouping of the results.  Finding is in maxima_climb.c,
 * certifying in maxima_certify.c; maxima.h has the formulation and labels. */
#include "maxima.h"
#include "args.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "fourier.h"
#include "maxima_impl.h"
#include "node.h"
#include "process.h"

static const char *const method_names[] = {LI2_MAXIMA_METHOD_NAMES(LI2_NAME_STRING)};
enum { NMETHODS = sizeof method_names / sizeof *method_names };
static const char *const label_names[] = {"max", "saddle", "degenerate"};

int li2_maxima_method_from_name(const char *name)
{
  return name ? li2_names_find(method_names, NMETHODS, name) : -1;
}

const char *li2_maxima_method_name(int method)
{
  return method >= 0 && method < NMETHODS ? method_names[method] : "?";
}

const char *li2_maxima_label_name(int label)
{
  return label >= 0 && label < 3 ? label_names[label] : "?";
}

void li2_maxima_params_default(li2_maxima_params *p)
{
  p->radius = 1.0;
  p->method = LI2_MAXIMA_BFGS2;
  p->step = 0.1;
  p->line_tol = 0.1;
  p->opt_tol = 1e-10;
  p->max_iter = 20000;
  p->grad_tol = 1e-6;
  p->hess_tol = 1e-5;
  p->fd_step = 1e-4;
  p->purity_min = 0.9;
  p->mem_pairs = 10;
  p->energy_tol = 1e-6;
  p->threads = 0;
  p->component_starts = 1;
  p->act_a = 1.0;
  p->act_b = 1.0;
}

/* ------------------------------------------------------------------ */
/* Classifying                                                         */

struct li2_classifier {
  li2_energy *e;
  li2_maxima_params p;
  size_t M, n, ncomp;
  li2_fourier *f;
  double *pu, *pv, *ps, *feat, *top;  /* ps: pu + pv, the node's power (node.h) */
};

void li2_classifier_free(li2_classifier *c)
{
  if (!c)
    return;
  li2_fourier_free(c->f);
  free(c->pu);
  free(c->pv);
  free(c->ps);
  free(c->feat);
  free(c->top);
  free(c);
}

li2_classifier *li2_classifier_alloc(li2_energy *e, const li2_group *g,
                                     const li2_characters *ct,
                                     const li2_maxima_params *p, li2_error *err)
{
  li2_classifier *c = calloc(1, sizeof *c);
  if (!c) {
    li2_error_set(err, LI2_ENOMEM, "maxima: out of memory");
    return NULL;
  }
  c->e = e;
  c->p = *p;
  c->M = g->order;
  c->n = li2_energy_nsamples(e);
  if (c->p.mem_pairs < 1)
    c->p.mem_pairs = 1;
  if (c->p.mem_pairs > c->n)
    c->p.mem_pairs = c->n;
  c->f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err);
  if (!c->f) {
    li2_classifier_free(c);
    return NULL;
  }
  c->ncomp = li2_fourier_ncomponents(c->f);
  c->pu = malloc(c->ncomp * sizeof(double));
  c->pv = malloc(c->ncomp * sizeof(double));
  c->ps = malloc(c->ncomp * sizeof(double));
  c->feat = malloc(c->n * sizeof(double));
  c->top = malloc(c->p.mem_pairs * sizeof(double));
  if (!c->pu || !c->pv || !c->ps || !c->feat || !c->top) {
    li2_classifier_free(c);
    li2_error_set(err, LI2_ENOMEM, "maxima: out of memory");
    return NULL;
  }
  return c;
}

size_t li2_classifier_ncomponents(const li2_classifier *c) { return c->ncomp; }
const double *li2_classifier_power_u(const li2_classifier *c) { return c->pu; }
const double *li2_classifier_power_v(const li2_classifier *c) { return c->pv; }

int li2_classifier_classify(li2_classifier *c, const double *w, li2_maxima_point *pt,
                            li2_error *err)
{
  double fsum = 0, tsum = 0;
  int rc = li2_fourier_power(c->f, w, c->pu);
  if (!rc)
    rc = li2_fourier_power(c->f, w + c->M, c->pv);
  if (rc)
    return li2_error_set(err, rc, "maxima: Fourier power failed");
  for (size_t k = 0; k < c->ncomp; k++)
    c->ps[k] = c->pu[k] + c->pv[k];
  pt->component = li2_node_dominant(c->ncomp, c->ps, &pt->purity);
  pt->pure = pt->component > 0 && pt->purity >= c->p.purity_min;
  /* Memorisation: share of |sigma~|^2 on the mem_pairs largest pairs. */
  if (li2_energy_feature(c->e, w, c->feat))
    return li2_error_set(err, LI2_ENUMERIC, "maxima: feature not finite");
  for (size_t i = 0; i < c->n; i++) {
    c->feat[i] *= c->feat[i];
    fsum += c->feat[i];
  }
  gsl_sort_largest(c->top, c->p.mem_pairs, c->feat, 1, c->n);
  for (size_t i = 0; i < c->p.mem_pairs; i++)
    tsum += c->top[i];
  pt->mem_score = fsum > 0 ? tsum / fsum : NAN;
  return LI2_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Multi-start search                                                  */

double li2_maxima_predicted_energy(const li2_characters *ct, const li2_energy *e,
                                   size_t M, int component, double radius)
{
  double a, b2 = 1.0;
  li2_activation act = li2_energy_activation(e);
  if (component <= 0 || (size_t)component >= ct->ncomponents ||
      (act != LI2_ACT_SQR && act != LI2_ACT_QUAD) ||
      li2_energy_variant(e) != LI2_ENERGY_RAW || !li2_energy_full_data(e))
    return NAN;
  /* sigma = a x + b x^2 on the full table: the linear part's class sums
   * sum_a u[a] + sum_b v[b] are the same for every label and vanish after
   * centring (the paper's remark after Theorem 2), so E = b^2 E_{x^2}. */
  if (act == LI2_ACT_QUAD) {
    li2_energy_quad(e, &a, &b2);
    b2 *= b2;
  }
  /* E is homogeneous of degree 4 in w (doc/mathematics.md section 3). */
  return b2 * pow(radius, 4) * li2_characters_predicted_energy(ct, M, (size_t)component);
}

static uint64_t splitmix64(uint64_t x)
{
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int li2_maxima_start(unsigned long seed, size_t index, size_t dim, double radius,
                     double *w)
{
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  uint64_t h = splitmix64(splitmix64((uint64_t)seed) ^ (uint64_t)index);
  double s;
  if (!rng)
    return LI2_ENOMEM;
  /* mt19937 uses 32 bits of its seed; fold the hash. */
  gsl_rng_set(rng, (unsigned long)((h ^ (h >> 32)) & 0xffffffffUL));
  for (size_t k = 0; k < dim; k++)
    w[k] = gsl_ran_gaussian(rng, 1.0);
  gsl_rng_free(rng);
  s = sqrt(li2_maxima_dot(dim, w, w));
  for (size_t k = 0; k < dim; k++)
    w[k] *= radius / s;
  return LI2_SUCCESS;
}

/* W *= radius / |W|; LI2_ENUMERIC when W = 0. */
static int scale_to_sphere(size_t n, double radius, double *w)
{
  double s = sqrt(li2_maxima_dot(n, w, w));
  if (!(s > 0))
    return LI2_ENUMERIC;
  for (size_t k = 0; k < n; k++)
    w[k] *= radius / s;
  return LI2_SUCCESS;
}

int li2_maxima_component_start(li2_fourier *f, unsigned long seed, size_t component,
                               size_t rep, size_t M, double radius, double *w)
{
  double *g;
  int rc;
  if (component == 0 || component >= li2_fourier_ncomponents(f))
    return LI2_EINVAL;
  if (!(g = malloc(2 * M * sizeof *g)))
    return LI2_ENOMEM;
  /* Streams of their own: index 2^40 + ... never meets a random start's. */
  rc = li2_maxima_start(seed, ((size_t)1 << 40) + component * ((size_t)1 << 20) + rep, 2 * M,
                        1.0, g);
  if (!rc)
    rc = li2_fourier_project(f, g, component, w);
  if (!rc)
    rc = li2_fourier_project(f, g + M, component, w + M);
  free(g);
  if (rc)
    return rc;
  return scale_to_sphere(2 * M, radius, w);
}

int li2_maxima_paper_form(li2_fourier *f, const li2_group *g, unsigned long seed,
                          size_t component, size_t index, int sign, double radius, double *w)
{
  size_t M = g->order;
  double *x;
  int rc;
  if (component == 0 || component >= li2_fourier_ncomponents(f))
    return LI2_EINVAL;
  if (!(x = malloc(M * sizeof *x)))
    return LI2_ENOMEM;
  rc = li2_maxima_start(seed, ((size_t)1 << 41) + index, M, 1.0, x);
  if (!rc)
    rc = li2_fourier_project(f, x, component, w);
  free(x);
  if (rc)
    return rc;
  for (size_t b = 0; b < M; b++)
    w[M + b] = (sign < 0 ? -1.0 : 1.0) * w[g->inverse[b]];
  return scale_to_sphere(2 * M, radius, w);
}

void li2_maxima_write_starts(FILE *fp, const li2_maxima_result *r)
{
  fprintf(fp, "start\tstart_component\tenergy\tlabel\tcomponent\tpurity\tgrad_norm\thess_max"
              "\thess_min\tzero_modes\tmemorisation\titerations\n");
  for (size_t i = 0; i < r->nstarts; i++) {
    const li2_maxima_point *q = &r->points[i];
    fprintf(fp, "%zu\t", i);
    if (q->start_component > 0)
      fprintf(fp, "%d\t", q->start_component);
    else
      fputs("random\t", fp);
    fprintf(fp, "%.15g\t%s\t", q->energy, li2_maxima_label_name(q->label));
    if (q->component > 0)
      fprintf(fp, "%d\t", q->component);
    else
      fputs("-\t", fp);
    fprintf(fp, "%.10g\t%.6g\t%.6g\t%.6g\t%d\t%.6g\t%ld\n", q->purity, q->grad_norm, q->hess_max,
            q->hess_min, q->zero_modes, q->mem_score, q->iterations);
  }
}

void li2_maxima_result_free(li2_maxima_result *r)
{
  if (!r)
    return;
  free(r->points);
  free(r->w);
  free(r->groups);
  free(r->share);
  free(r->level);
  free(r->paper_level);
  free(r);
}

typedef struct {
  li2_energy *e;
  li2_maximizer *m;
  li2_certifier *c;
  li2_classifier *k;
  double *w0;
} thread_ws;

static void thread_ws_free(thread_ws *t)
{
  li2_classifier_free(t->k);
  li2_certifier_free(t->c);
  li2_maximizer_free(t->m);
  li2_energy_free(t->e);
  free(t->w0);
}

static int climb(li2_maximizer *m, li2_certifier *c, li2_classifier *k, const double *w0,
                 double *w, li2_maxima_point *pt, li2_error *err)
{
  int rc;
  if ((rc = li2_maximizer_ascend(m, w0, w, err)))
    return rc;
  pt->iterations = li2_maximizer_iterations(m);
  if ((rc = li2_certifier_certify(c, w, pt, err)) ||
      (rc = li2_certifier_polish(c, w, pt, 2, err)))
    return rc;
  return li2_classifier_classify(k, w, pt, err);
}

int li2_maxima_climb(li2_maximizer *m, li2_certifier *c, li2_classifier *k, const double *w0,
                     double *w, li2_maxima_point *pt, li2_error *err)
{
  /* GSL's status codes are checked here (GSL's default handler aborts) */
  li2_process_gsl_mute();
  int rc = climb(m, c, k, w0, w, pt, err);
  li2_process_gsl_unmute();
  return rc;
}

/* Start I: component starts first (p->component_starts per non-trivial
 * component, in component order), then the random ones. */
static int run_start(thread_ws *t, const li2_maxima_params *p, unsigned long seed,
                     size_t i, size_t ncs, double *w, li2_maxima_point *pt, double *share,
                     li2_error *err)
{
  int rc;
  size_t dim = li2_energy_dim(t->e), nc = t->k->ncomp;
  if (i < ncs) {
    size_t comp = 1 + i / p->component_starts;
    if ((rc = li2_maxima_component_start(t->k->f, seed, comp, i % p->component_starts,
                                         dim / 2, p->radius, t->w0)))
      return li2_error_set(err, rc, "maxima: component start %zu failed", comp);
    pt->start_component = (int)comp;
  } else {
    if (li2_maxima_start(seed, i - ncs, dim, p->radius, t->w0))
      return li2_error_set(err, LI2_ENOMEM, "maxima: out of memory");
    pt->start_component = -1;
  }
  if ((rc = li2_maxima_climb(t->m, t->c, t->k, t->w0, w, pt, err)))
    return rc;
  {
    double tot = 0;
    for (size_t c = 0; c < nc; c++)
      tot += t->k->pu[c] + t->k->pv[c];
    for (size_t c = 0; c < nc; c++)
      share[c] = tot > 0 ? (t->k->pu[c] + t->k->pv[c]) / tot : 0;
  }
  return LI2_SUCCESS;
}

/* Sort key for grouping: label, purity class, component, energy down. */
typedef struct {
  const li2_maxima_point *pts;
} sort_ctx;

static int group_component(const li2_maxima_point *p)
{
  return p->pure ? p->component : -1;
}

static int cmp_points(const void *a, const void *b, void *ctx)
{
  const li2_maxima_point *pts = ((const sort_ctx *)ctx)->pts;
  const li2_maxima_point *p = &pts[*(const size_t *)a], *q = &pts[*(const size_t *)b];
  int cp = group_component(p), cq = group_component(q);
  if (p->label != q->label)
    return p->label - q->label;
  if (cp != cq)
    return cp - cq;
  if (p->energy != q->energy)
    return p->energy > q->energy ? -1 : 1;
  return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int cmp_groups(const void *a, const void *b)
{
  const li2_maxima_group *g = a, *h = b;
  if (g->label != h->label)
    return g->label - h->label;
  if (g->energy != h->energy)
    return g->energy > h->energy ? -1 : 1;
  return g->component - h->component;
}

/* Merge sort with a context pointer (qsort_r is not C11); stable. */
static void sort_indices(size_t *idx, size_t *tmp, size_t n, const sort_ctx *ctx)
{
  if (n < 2)
    return;
  size_t h = n / 2;
  sort_indices(idx, tmp, h, ctx);
  sort_indices(idx + h, tmp, n - h, ctx);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n)
    tmp[k++] = cmp_points(&idx[i], &idx[j], (void *)ctx) <= 0 ? idx[i++] : idx[j++];
  while (i < h)
    tmp[k++] = idx[i++];
  while (j < n)
    tmp[k++] = idx[j++];
  memcpy(idx, tmp, n * sizeof *idx);
}

static int group_points(li2_maxima_result *res, const li2_characters *ct,
                        const li2_energy *e, size_t M, const li2_maxima_params *p,
                        li2_error *err)
{
  size_t n = res->nstarts, *idx = malloc(n * sizeof *idx), *tmp = malloc(n * sizeof *tmp);
  sort_ctx ctx = {res->points};
  res->groups = calloc(n ? n : 1, sizeof *res->groups);
  if (!idx || !tmp || !res->groups) {
    free(idx);
    free(tmp);
    return li2_error_set(err, LI2_ENOMEM, "maxima: out of memory");
  }
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  sort_indices(idx, tmp, n, &ctx);
  res->ngroups = 0;
  for (size_t a = 0; a < n;) {
    const li2_maxima_point *p0 = &res->points[idx[a]];
    li2_maxima_group *gr = &res->groups[res->ngroups++];
    double sum = 0;
    size_t b = a;
    gr->label = p0->label;
    gr->component = group_component(p0);
    gr->pure = p0->pure;
    gr->energy_max = p0->energy;
    gr->first = idx[a];
    for (; b < n; b++) {
      const li2_maxima_point *q = &res->points[idx[b]];
      if (q->label != p0->label || group_component(q) != gr->component ||
          fabs(q->energy - p0->energy) > p->energy_tol * fmax(fabs(p0->energy), 1e-300))
        break;
      sum += q->energy;
      gr->energy_min = q->energy;
      if (idx[b] < gr->first)
        gr->first = idx[b];
    }
    gr->count = b - a;
    gr->energy = sum / (double)gr->count;
    gr->predicted = li2_maxima_predicted_energy(ct, e, M, gr->component, p->radius);
    a = b;
  }
  qsort(res->groups, res->ngroups, sizeof *res->groups, cmp_groups);
  free(idx);
  free(tmp);
  return LI2_SUCCESS;
}

/* the search over starts: one job per start, on per-thread workspaces */
typedef struct {
  thread_ws *ws;
  const li2_maxima_params *p;
  unsigned long seed;
  size_t ncs;
  li2_maxima_result *res;
  li2_progress *progress;
  size_t done, nmax;
} search_ctx;

static int search_one(void *ctx, size_t i, int thread, li2_error *err)
{
  search_ctx *s = ctx;
  size_t dim = s->res->dim;
  /* GSL's status codes are checked (its default handler aborts) */
  li2_process_gsl_mute();
  int rc = run_start(&s->ws[thread], s->p, s->seed, i, s->ncs, s->res->w + i * dim,
                     &s->res->points[i], s->res->share + i * s->res->ncomponents, err);
  li2_process_gsl_unmute();
  return rc;
}

static void search_done(void *ctx, size_t i, int status)
{
  search_ctx *s = ctx;
  s->done++;
  if (!status && s->res->points[i].label == LI2_MAXIMA_MAX)
    s->nmax++;
  if (s->progress) {
    char text[48];
    snprintf(text, sizeof text, "%zu certified maxima", s->nmax);
    li2_progress_update(s->progress, (long)s->done, text);
  }
}

int li2_maxima_search(const li2_group *g, const li2_characters *ct,
                      const li2_dataset *d, li2_activation activation, int variant,
                      const li2_maxima_params *p, size_t starts, unsigned long seed,
                      li2_progress *progress, li2_maxima_result **out,
                      li2_error *err)
{
  li2_maxima_result *res;
  thread_ws *ws;
  int nthreads, rc = LI2_SUCCESS;
  size_t dim, failed = 0;
  li2_error local = {0}, first_err = {0};

  if (!err)
    err = &local;
  *out = NULL;
  size_t ncs = ct->ncomponents > 1 ? p->component_starts * (ct->ncomponents - 1) : 0;
  size_t nrandom = starts;
  if (p->component_starts > 1000)
    return li2_error_set(err, LI2_EINVAL, "component_starts=%zu: at most 1000",
                         p->component_starts);
  starts += ncs;
  if (starts < 1)
    return li2_error_set(err, LI2_EINVAL,
                         "starts=%zu: must be at least 1 (no component starts)", nrandom);
  nthreads = li2_process_job_threads(starts, p->threads);
  res = calloc(1, sizeof *res);
  ws = calloc((size_t)nthreads, sizeof *ws);
  if (!res || !ws) {
    free(res);
    free(ws);
    return li2_error_set(err, LI2_ENOMEM, "maxima: out of memory");
  }
  /* Workspaces are built serially: the FFTW planner is not thread-safe. */
  for (int t = 0; t < nthreads && !rc; t++) {
    ws[t].e = li2_energy_alloc(g, d, activation, variant, LI2_ENERGY_AUTO, err);
    if (!ws[t].e || (activation == LI2_ACT_QUAD &&
                     li2_energy_set_quad(ws[t].e, p->act_a, p->act_b, err))) {
      rc = err->code;
      break;
    }
    ws[t].m = li2_maximizer_alloc(ws[t].e, p, err);
    ws[t].c = ws[t].m ? li2_certifier_alloc(ws[t].e, p, err) : NULL;
    ws[t].k = ws[t].c ? li2_classifier_alloc(ws[t].e, g, ct, p, err) : NULL;
    ws[t].w0 = malloc(2 * g->order * sizeof(double));
    if (!ws[t].k || !ws[t].w0)
      rc = err->code ? err->code : li2_error_set(err, LI2_ENOMEM, "maxima: out of memory");
  }
  if (!rc) {
    dim = li2_energy_dim(ws[0].e);
    res->nstarts = starts;
    res->ncomponent_starts = ncs;
    res->dim = dim;
    res->ncomponents = ct->ncomponents;
    res->points = calloc(starts, sizeof *res->points);
    res->w = malloc(starts * dim * sizeof *res->w);
    res->share = calloc(starts * ct->ncomponents, sizeof *res->share);
    res->level = malloc(ct->ncomponents * sizeof *res->level);
    res->paper_level = malloc(ct->ncomponents * sizeof *res->paper_level);
    if (!res->points || !res->w || !res->share || !res->level || !res->paper_level)
      rc = li2_error_set(err, LI2_ENOMEM, "maxima: out of memory (%zu starts)", starts);
  }
  if (rc) {
    for (int t = 0; t < nthreads; t++)
      thread_ws_free(&ws[t]);
    free(ws);
    li2_maxima_result_free(res);
    return rc;
  }

  search_ctx sc = {ws, p, seed, ncs, res, progress, 0, 0};
  rc = li2_process_run_jobs(starts, nthreads, search_one, search_done, &sc, &failed,
                            &first_err);
  if (progress)
    li2_progress_finish(progress);

  if (rc)
    rc = li2_error_set(err, rc, "start %zu: %s", failed, first_err.msg);
  else
    rc = group_points(res, ct, ws[0].e, g->order, p, err);
  for (size_t c = 0; !rc && c < ct->ncomponents; c++) {
    /* the paper's printed level on li2's scale (radius, activation) */
    res->level[c] = li2_maxima_predicted_energy(ct, ws[0].e, g->order, (int)c, p->radius);
    res->paper_level[c] = res->level[c] / li2_characters_predicted_energy(ct, g->order, c) *
                          li2_characters_paper_energy(ct, g->order, c);
  }
  for (int t = 0; t < nthreads; t++)
    thread_ws_free(&ws[t]);
  free(ws);
  if (rc) {
    li2_maxima_result_free(res);
    return rc;
  }
  *out = res;
  return LI2_SUCCESS;
}

void li2_maxima_result_components(const li2_maxima_result *r, const li2_characters *ct,
                                  li2_maxima_component *out)
{
  for (size_t c = 1; c < r->ncomponents; c++) {
    li2_maxima_component *o = &out[c - 1];
    int irr = ct->component_irrep[c];
    memset(o, 0, sizeof *o);
    o->component = (int)c;
    o->degree = ct->degree[irr];
    o->indicator = ct->indicator[irr];
    o->real_dim = ct->component_real_dim[c];
    o->level = r->level[c];
    o->paper_level = r->paper_level[c];
    o->energy = NAN;
    o->zero_modes = -1;
    o->predicted_zero_modes = li2_characters_maximum_zero_modes(ct, c);
  }
  for (size_t i = 0; i < r->nstarts; i++) {
    const li2_maxima_point *q = &r->points[i];
    li2_maxima_component *o;
    if (q->label != LI2_MAXIMA_MAX || !q->pure || q->component < 1)
      continue;
    o = &out[q->component - 1];
    if (q->start_component == q->component)
      o->component_hits++;
    if (q->start_component < 0)
      o->random_hits++;
    /* report the maximum from the component's own start when there is one */
    int own = q->start_component == q->component;
    if (!o->reached || (own && !o->by_component_start) ||
        (own == o->by_component_start && q->energy > o->energy)) {
      o->reached = 1;
      o->by_component_start = own;
      o->energy = q->energy;
      o->zero_modes = q->zero_modes;
      o->first = i;
    }
  }
}

typedef struct {
  double share;
  size_t c;
} share_item;

static int cmp_share(const void *a, const void *b)
{
  const share_item *x = a, *y = b;
  if (x->share != y->share)
    return x->share > y->share ? -1 : 1;
  return x->c < y->c ? -1 : 1;
}

void li2_maxima_result_structure(const li2_maxima_result *r, size_t i, double min_share,
                                 char *buf, size_t len)
{
  size_t nc = r->ncomponents, k = 0, pos = 0;
  share_item *it = malloc(nc * sizeof *it);
  if (len)
    buf[0] = '\0';
  if (!it || !len || i >= r->nstarts) {
    free(it);
    return;
  }
  for (size_t c = 0; c < nc; c++)
    it[c] = (share_item){r->share[i * nc + c], c};
  qsort(it, nc, sizeof *it, cmp_share);
  for (; k < nc && it[k].share >= min_share && pos + 1 < len; k++) {
    int n = snprintf(buf + pos, len - pos, "%s%zu:%.4f", k ? "," : "", it[k].c, it[k].share);
    if (n < 0 || (size_t)n >= len - pos)
      break;
    pos += (size_t)n;
  }
  free(it);
}
