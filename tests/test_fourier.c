/* Fourier power per real component: Parseval on every built-in group by
 * both methods, FFT = character projectors on abelian groups, invariance
 * under left and right translation, projections (sum to u, idempotent,
 * mutually orthogonal, linear), pure characters landing in their own
 * component, and the Z_M frequency/phase conventions. */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/tap.h"
#include "fourier.h"

static const char *builtin[] = {
  "Z1", "Z2", "Z11", "Z10", "Z12", "2x3x4", "Z4xZ6", "D3", "D4", "D5", "D6", "S3", "S4",
  "S5", "A4", "A5", "Q8", "Dic3", "Dic4", "Z7:Z3", "Z11:Z5", "Z13:Z4", "Z127", "Z128",
  "2x2x2x2", NULL};

/* splitmix64: reproducible uniform numbers in [-1, 1). */
static double uniform(uint64_t *s)
{
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return (double)(z >> 11) * 0x1.0p-52 - 1.0;
}

static double dot(const double *a, const double *b, size_t n)
{
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

static double sum(const double *a, size_t n)
{
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += a[i];
  return s;
}

typedef struct setup {
  li2_group *g;
  li2_characters *ct;
  li2_fourier *fc, *ff;   /* character path; FFT path or NULL */
} setup;

static int setup_alloc(setup *s, const char *name)
{
  li2_error err = {0};
  memset(s, 0, sizeof *s);
  s->g = li2_group_alloc_name(name, &err);
  if (s->g)
    s->ct = li2_characters_alloc(s->g, &err);
  if (s->ct)
    s->fc = li2_fourier_alloc(s->g, s->ct, LI2_FOURIER_CHARACTERS, &err);
  if (s->fc && s->g->nfactors > 0)
    s->ff = li2_fourier_alloc(s->g, s->ct, LI2_FOURIER_FFT, &err);
  if (!s->fc || (s->g->nfactors > 0 && !s->ff)) {
    ok(0, "%s: setup: %s", name, err.msg);
    return 0;
  }
  return 1;
}

static void setup_free(setup *s)
{
  li2_fourier_free(s->fc);
  li2_fourier_free(s->ff);
  li2_characters_free(s->ct);
  li2_group_free(s->g);
}

/* ------------------------------------------------------------------ */

static void test_parseval(const char *name, uint64_t *seed)
{
  setup s;
  if (!setup_alloc(&s, name))
    return;
  size_t M = s.g->order, nc = s.ct->ncomponents;
  double *u = malloc(M * sizeof *u), *pc = malloc(nc * sizeof *pc),
         *pf = malloc(nc * sizeof *pf), *pt = malloc(nc * sizeof *pt), *v = malloc(M * sizeof *v);
  for (size_t x = 0; x < M; x++)
    u[x] = uniform(seed);
  double n2 = dot(u, u, M);

  ok(li2_fourier_method_used(s.fc) == LI2_FOURIER_CHARACTERS &&
       li2_fourier_ncomponents(s.fc) == nc,
     "%s: character path, %zu components", name, nc);
  li2_fourier_power(s.fc, u, pc);
  ok_close(sum(pc, nc), n2, 1e-12, "%s: Parseval, characters (|u|^2 = %.6g)", name, n2);

  if (s.ff) {
    ok(li2_fourier_method_used(s.ff) == LI2_FOURIER_FFT, "%s: FFT path", name);
    li2_fourier_power(s.ff, u, pf);
    ok_close(sum(pf, nc), n2, 1e-12, "%s: Parseval, FFT", name);
    double dev = 0;
    for (size_t c = 0; c < nc; c++)
      dev = fmax(dev, fabs(pf[c] - pc[c]));
    ok(dev <= 1e-10 * n2, "%s: FFT = characters per component (dev %.2g |u|^2)", name, dev / n2);
  }

  /* Translations act inside each isotypic component: left u[g^-1 h] and
   * right u[h g] translates have the same spectrum. */
  double dl = 0, dr = 0;
  for (size_t t = 0; t < 3 && M > 1; t++) {
    size_t gg = (t * 7 + 1) % M;
    int gi = s.g->inverse[gg];
    for (size_t h = 0; h < M; h++)
      v[h] = u[s.g->table[(size_t)gi * M + h]];
    li2_fourier_power(s.fc, v, pt);
    for (size_t c = 0; c < nc; c++)
      dl = fmax(dl, fabs(pt[c] - pc[c]));
    if (s.ff) {
      li2_fourier_power(s.ff, v, pt);
      for (size_t c = 0; c < nc; c++)
        dl = fmax(dl, fabs(pt[c] - pc[c]));
    }
    for (size_t h = 0; h < M; h++)
      v[h] = u[s.g->table[h * M + gg]];
    li2_fourier_power(s.fc, v, pt);
    for (size_t c = 0; c < nc; c++)
      dr = fmax(dr, fabs(pt[c] - pc[c]));
  }
  ok(dl <= 1e-12 * n2 && dr <= 1e-12 * n2,
     "%s: spectrum invariant under left (%.2g) and right (%.2g) translation", name, dl / n2,
     dr / n2);
  free(u);
  free(v);
  free(pc);
  free(pf);
  free(pt);
  setup_free(&s);
}

/* Projections: sum to u, idempotent, orthogonal, linear, |P_c u|^2 = power;
 * FFT and character projections agree. */
static void test_projections(const char *name, uint64_t *seed)
{
  setup s;
  if (!setup_alloc(&s, name))
    return;
  size_t M = s.g->order, nc = s.ct->ncomponents;
  double *u = malloc(M * sizeof *u), *v = malloc(M * sizeof *v), *w = malloc(M * sizeof *w);
  double *P = malloc(nc * M * sizeof *P), *Q = malloc(M * sizeof *Q), *R = malloc(M * sizeof *R);
  double *pw = malloc(nc * sizeof *pw);
  for (size_t x = 0; x < M; x++) {
    u[x] = uniform(seed);
    v[x] = uniform(seed);
    w[x] = 0.75 * u[x] - 2.5 * v[x];
  }
  double n2 = dot(u, u, M);
  li2_fourier *fs[2] = {s.fc, s.ff};
  for (int m = 0; m < 2 && fs[m]; m++) {
    li2_fourier *f = fs[m];
    const char *how = m ? "FFT" : "characters";
    double e_sum = 0, e_idem = 0, e_orth = 0, e_pow = 0, e_lin = 0;
    li2_fourier_power(f, u, pw);
    for (size_t c = 0; c < nc; c++)
      li2_fourier_project(f, u, c, P + c * M);
    for (size_t x = 0; x < M; x++) {
      double t = 0;
      for (size_t c = 0; c < nc; c++)
        t += P[c * M + x];
      e_sum = fmax(e_sum, fabs(t - u[x]));
    }
    for (size_t c = 0; c < nc; c++) {
      li2_fourier_project(f, P + c * M, c, Q);
      for (size_t x = 0; x < M; x++)
        e_idem = fmax(e_idem, fabs(Q[x] - P[c * M + x]));
      for (size_t c2 = c + 1; c2 < nc; c2++)
        e_orth = fmax(e_orth, fabs(dot(P + c * M, P + c2 * M, M)));
      e_pow = fmax(e_pow, fabs(dot(P + c * M, P + c * M, M) - pw[c]));
      /* P(0.75 u - 2.5 v) = 0.75 P u - 2.5 P v */
      li2_fourier_project(f, w, c, Q);
      li2_fourier_project(f, v, c, R);
      for (size_t x = 0; x < M; x++)
        e_lin = fmax(e_lin, fabs(Q[x] - (0.75 * P[c * M + x] - 2.5 * R[x])));
    }
    ok(e_sum < 1e-12 * sqrt(n2) + 1e-14, "%s (%s): projections sum to u (%.2g)", name, how, e_sum);
    ok(e_idem < 1e-12 * sqrt(n2) + 1e-14, "%s (%s): P_c P_c = P_c (%.2g)", name, how, e_idem);
    ok(e_orth < 1e-12 * n2, "%s (%s): P_c u orthogonal to P_c' u (%.2g)", name, how, e_orth);
    ok(e_pow < 1e-12 * n2, "%s (%s): |P_c u|^2 = power (%.2g)", name, how, e_pow);
    ok(e_lin < 1e-11 * sqrt(n2), "%s (%s): projection linear (%.2g)", name, how, e_lin);
  }
  if (s.ff) {
    double dev = 0;
    for (size_t c = 0; c < nc; c++) {
      li2_fourier_project(s.fc, u, c, Q);
      li2_fourier_project(s.ff, u, c, R);
      for (size_t x = 0; x < M; x++)
        dev = fmax(dev, fabs(Q[x] - R[x]));
    }
    ok(dev < 1e-11 * sqrt(n2), "%s: FFT projection = character projection (%.2g)", name, dev);
  }
  free(u);
  free(v);
  free(w);
  free(P);
  free(Q);
  free(R);
  free(pw);
  setup_free(&s);
}

/* u = Re chi_i (a class function) lies in the component of i. */
static void test_pure_characters(const char *name)
{
  setup s;
  if (!setup_alloc(&s, name))
    return;
  size_t M = s.g->order, r = s.ct->nirreps, nc = s.ct->ncomponents;
  double *u = malloc(M * sizeof *u), *p = malloc(nc * sizeof *p);
  double worst = 0;
  for (size_t i = 0; i < r; i++) {
    for (size_t x = 0; x < M; x++)
      u[x] = creal(s.ct->chi[i * r + (size_t)s.ct->classes->class_of[x]]);
    double n2 = dot(u, u, M);
    li2_fourier *fs[2] = {s.fc, s.ff};
    for (int m = 0; m < 2 && fs[m]; m++) {
      li2_fourier_power(fs[m], u, p);
      for (size_t c = 0; c < nc; c++) {
        double want = c == (size_t)s.ct->component_of[i] ? n2 : 0;
        worst = fmax(worst, fabs(p[c] - want) / n2);
      }
    }
  }
  ok(worst < 1e-12, "%s: Re chi_i has all its power in the component of i (%.2g)", name, worst);
  free(u);
  free(p);
  setup_free(&s);
}

/* Z_M: cos(2 pi k g / M + phi) is in component k with coefficient
 * (M/2) e^{i phi} at the component's first irrep (frequency k). */
static void test_cyclic(size_t M)
{
  char name[16];
  snprintf(name, sizeof name, "Z%zu", M);
  setup s;
  if (!setup_alloc(&s, name))
    return;
  size_t nc = s.ct->ncomponents;
  double *u = malloc(M * sizeof *u), *p = malloc(nc * sizeof *p);
  double complex *cf = malloc(M * sizeof *cf), *cc = malloc(M * sizeof *cc);
  double e_pow = 0, e_coef = 0, e_meth = 0;
  int freq = nc == M / 2 + 1;
  for (size_t k = 0; k < nc; k++) {
    double phi = 0.3 + 0.7 * (double)k;
    int real = k == 0 || 2 * k == M;
    if (real)
      phi = 0;   /* a real character: cos(pi g + phi) has no free phase */
    for (size_t x = 0; x < M; x++)
      u[x] = cos(2 * M_PI * (double)(k * x) / (double)M + phi);
    li2_fourier_power(s.ff, u, p);
    for (size_t c = 0; c < nc; c++)
      e_pow = fmax(e_pow, fabs(p[c] - (c == k ? dot(u, u, M) : 0)));
    li2_fourier_coefficients(s.ff, u, cf);
    li2_fourier_coefficients(s.fc, u, cc);
    size_t i = (size_t)s.ct->component_irrep[k];
    double complex want = (real ? (double)M : (double)M / 2) * cexp(I * phi);
    e_coef = fmax(e_coef, cabs(cf[i] - want));
    for (size_t j = 0; j < M; j++)
      e_meth = fmax(e_meth, cabs(cf[j] - cc[j]));
    size_t kk = 99;
    freq &= li2_fourier_frequency(s.ff, i, &kk) == LI2_SUCCESS && kk == k;
  }
  ok(e_pow < 1e-10, "Z%zu: cos(2 pi k g/M + phi) has its power in component k (%.2g)", M, e_pow);
  ok(e_coef < 1e-10, "Z%zu: coefficient (M/2) e^{i phi} at the first irrep of k (%.2g)", M,
     e_coef);
  ok(e_meth < 1e-10, "Z%zu: coefficients FFT = characters (%.2g)", M, e_meth);
  ok(freq, "Z%zu: first irrep of component k has frequency k", M);
  free(u);
  free(p);
  free(cf);
  free(cc);
  setup_free(&s);
}

/* Products: the plane wave cos(2 pi sum_j k_j x_j / n_j) has its power in
 * the component whose first irrep has frequency k or -k. */
static void test_product_waves(const char *name)
{
  setup s;
  if (!setup_alloc(&s, name))
    return;
  const li2_group *g = s.g;
  size_t M = g->order, nf = g->nfactors, nc = s.ct->ncomponents;
  double *u = malloc(M * sizeof *u), *p = malloc(nc * sizeof *p);
  size_t k[LI2_GROUP_MAX_FACTORS], x[LI2_GROUP_MAX_FACTORS];
  int pass = 1;
  for (size_t q = 0; q < M; q++) {
    for (size_t j = nf, rest = q; j-- > 0; rest /= g->factors[j])
      k[j] = rest % g->factors[j];
    for (size_t e = 0; e < M; e++) {
      double ph = 0;
      for (size_t j = nf, rest = e; j-- > 0; rest /= g->factors[j]) {
        x[j] = rest % g->factors[j];
        ph += (double)(k[j] * x[j]) / (double)g->factors[j];
      }
      u[e] = cos(2 * M_PI * ph);
    }
    li2_fourier_power(s.ff, u, p);
    size_t best = 0;
    for (size_t c = 1; c < nc; c++)
      if (p[c] > p[best])
        best = c;
    size_t f[LI2_GROUP_MAX_FACTORS];
    li2_fourier_frequency(s.ff, (size_t)s.ct->component_irrep[best], f);
    int plus = 1, minus = 1;
    for (size_t j = 0; j < nf; j++) {
      plus &= f[j] == k[j];
      minus &= f[j] == (g->factors[j] - k[j]) % g->factors[j];
    }
    pass &= (plus || minus) && fabs(p[best] - dot(u, u, M)) < 1e-10;
  }
  ok(pass, "%s: every plane wave lands in the component of its frequency pair", name);
  free(u);
  free(p);
  setup_free(&s);
}

static void test_errors(void)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name("S3", &err);
  li2_characters *ct = li2_characters_alloc(g, &err);
  ok(li2_fourier_alloc(g, ct, LI2_FOURIER_FFT, &err) == NULL && err.code == LI2_EUNSUP &&
       strstr(err.msg, "S3"),
     "FFT path on S3: LI2_EUNSUP naming the group (%s)", err.msg);
  ok(li2_fourier_alloc(g, NULL, LI2_FOURIER_AUTO, &err) == NULL && err.code == LI2_EINVAL,
     "NULL table: LI2_EINVAL");
  ok(li2_fourier_alloc(g, ct, 42, &err) == NULL && err.code == LI2_EINVAL,
     "unknown method: LI2_EINVAL");
  li2_fourier *f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, &err);
  double u[6] = {1, 2, 3, 4, 5, 6}, out[6];
  double complex cf[3];
  size_t k;
  ok(f && li2_fourier_method_used(f) == LI2_FOURIER_CHARACTERS, "S3: auto picks characters");
  ok(li2_fourier_project(f, u, 3, out) == LI2_EINVAL, "project: component out of range");
  ok(li2_fourier_coefficients(f, u, cf) == LI2_EUNSUP, "coefficients: non-abelian unsupported");
  ok(li2_fourier_frequency(f, 0, &k) == LI2_EUNSUP, "frequency: character path unsupported");
  li2_fourier_free(f);
  li2_fourier_free(NULL);

  /* A table from another group of the same order is refused. */
  li2_group *z6 = li2_group_alloc_name("Z6", &err);
  li2_characters *c6 = li2_characters_alloc(z6, &err);
  ok(li2_fourier_alloc(g, c6, LI2_FOURIER_AUTO, &err) == NULL && err.code == LI2_EINVAL,
     "S3 with the table of Z6: LI2_EINVAL");
  f = li2_fourier_alloc(z6, c6, LI2_FOURIER_AUTO, &err);
  ok(f && li2_fourier_method_used(f) == LI2_FOURIER_FFT, "Z6: auto picks FFT");
  li2_fourier_free(f);
  li2_characters_free(c6);
  li2_group_free(z6);
  li2_characters_free(ct);
  li2_group_free(g);
}

int main(void)
{
  uint64_t seed = 20250921;
  for (const char **nm = builtin; *nm; nm++) {
    test_parseval(*nm, &seed);
    test_pure_characters(*nm);
  }
  const char *proj[] = {"Z1", "Z2", "Z11", "Z12", "2x3x4", "Z4xZ6", "S4", "Q8", "A5", "Z7:Z3",
                        "Dic4"};
  for (size_t t = 0; t < sizeof proj / sizeof *proj; t++)
    test_projections(proj[t], &seed);
  const size_t cyc[] = {1, 2, 3, 10, 11, 12, 127, 128};
  for (size_t t = 0; t < sizeof cyc / sizeof *cyc; t++)
    test_cyclic(cyc[t]);
  test_product_waves("2x3x4");
  test_product_waves("Z4xZ6");
  test_product_waves("3x3x2");
  test_errors();
  return tap_done();
}
