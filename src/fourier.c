/* Power of a real vector in each real irreducible component of a finite
 * group (doc/mathematics.md section 3), by FFTW for abelian groups with a known
 * cyclic decomposition and by character projectors for any group.
 *
 * FFT path.  The r2c transform of u on Z_n1 x ... x Z_nr (row-major, dims =
 * factors) gives X_k = sum_g u[g] conj(chi_k(g)) on the half spectrum
 * (last dimension n_r/2 + 1).  Plancherel on an abelian group:
 * |P_chi_k u|^2 = |X_k|^2 / M.  The bin -k of a stored bin k with
 * 0 < k_r < n_r/2 is not stored and has the same modulus, so such bins
 * count twice; bins with k_r = 0 or k_r = n_r/2 have their partner -k
 * stored (or are their own partner) and count once.  k and -k are
 * conjugate characters and always lie in one real component.  Each bin is
 * mapped to its component once, at alloc, by reading the frequency vector
 * off the character table and checking it against every element.
 *
 * Character path.  P_c = sum_g W_c(g) L_g with W_c(g) = sum_{chi in c}
 * (d/M) conj(chi(g)) (real: a component is closed under conjugation) and
 * (L_g u)[h] = u[g^-1 h].  P_c is an orthogonal projector, so
 * |P_c u|^2 = <u, P_c u> = sum_cls W_c(cls) A(cls) with the autocorrelation
 * A(cls) = sum over h, k with h k^-1 in cls of u[h] u[k]; O(M^2) per vector
 * through a precomputed table of class(h k^-1). */
#include "fourier.h"

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* <complex.h> first: fftw_complex is then C99 double complex. */
#include <fftw3.h>
#include <gsl/gsl_cblas.h>

#define TOL_MATCH 1e-6   /* a character equals exp(2 pi i k.x/n) */

struct li2_fourier {
  const li2_group *g;
  const li2_characters *ct;
  int method;
  size_t M, r, ncomp;
  /* FFT path */
  int rank;
  int dims[LI2_GROUP_MAX_FACTORS];
  size_t nbins;
  double *in, *back;        /* M real */
  fftw_complex *spec;       /* nbins */
  fftw_plan fwd, bwd;
  int *bin_comp;            /* nbins */
  double *bin_weight;       /* nbins: 1 or 2 */
  size_t *irrep_bin;        /* r: stored bin of k or of -k */
  unsigned char *irrep_conj;/* r: 1 when the stored bin is -k */
  size_t *irrep_freq;       /* r x rank frequency vectors */
  /* character path */
  uint16_t *dcls;           /* M x M: class of h k^-1 */
  double *W;                /* ncomp x r */
  double *A;                /* r */
};

void li2_fourier_free(li2_fourier *f)
{
  if (!f)
    return;
  if (f->fwd)
    fftw_destroy_plan(f->fwd);
  if (f->bwd)
    fftw_destroy_plan(f->bwd);
  fftw_free(f->in);
  fftw_free(f->back);
  fftw_free(f->spec);
  free(f->bin_comp);
  free(f->bin_weight);
  free(f->irrep_bin);
  free(f->irrep_conj);
  free(f->irrep_freq);
  free(f->dcls);
  free(f->W);
  free(f->A);
  free(f);
}

/* Row-major index of frequency vector k in the half spectrum. */
static size_t bin_index(const li2_fourier *f, const size_t *k)
{
  size_t b = 0;
  for (int j = 0; j < f->rank; j++) {
    size_t n = j + 1 < f->rank ? (size_t)f->dims[j] : (size_t)f->dims[j] / 2 + 1;
    b = b * n + k[j];
  }
  return b;
}

static int fft_setup(li2_fourier *f, li2_error *err)
{
  const li2_group *g = f->g;
  const li2_characters *ct = f->ct;
  const li2_group_classes *cl = ct->classes;
  size_t M = f->M, r = f->r, nf = g->nfactors;
  size_t prod = 1;
  for (size_t j = 0; j < nf; j++)
    prod *= g->factors[j];
  if (!g->abelian || nf == 0 || prod != M || r != M)
    return li2_error_set(err, LI2_EUNSUP,
                         "fourier: group %s has no known cyclic decomposition for the FFT path",
                         g->name);
  f->rank = (int)nf;
  for (size_t j = 0; j < nf; j++)
    f->dims[j] = (int)g->factors[j];
  f->nbins = M / g->factors[nf - 1] * (g->factors[nf - 1] / 2 + 1);

  f->in = fftw_alloc_real(M);
  f->back = fftw_alloc_real(M);
  f->spec = fftw_alloc_complex(f->nbins);
  f->bin_comp = malloc(f->nbins * sizeof *f->bin_comp);
  f->bin_weight = malloc(f->nbins * sizeof *f->bin_weight);
  f->irrep_bin = malloc(r * sizeof *f->irrep_bin);
  f->irrep_conj = malloc(r * sizeof *f->irrep_conj);
  f->irrep_freq = malloc(r * nf * sizeof *f->irrep_freq);
  size_t *coord = malloc(M * nf * sizeof *coord);
  size_t *kneg = malloc(nf * sizeof *kneg);
  double complex *w = malloc(M * sizeof *w);
  if (!f->in || !f->back || !f->spec || !f->bin_comp || !f->bin_weight || !f->irrep_bin ||
      !f->irrep_conj || !f->irrep_freq || !coord || !kneg || !w) {
    free(coord);
    free(kneg);
    free(w);
    return li2_error_set(err, LI2_ENOMEM, "fourier: out of memory (group %s)", g->name);
  }
  /* FFTW_ESTIMATE: the plan, hence the rounding, is the same on every run
   * (FFTW_MEASURE could pick different algorithms from timings). */
  f->fwd = fftw_plan_dft_r2c(f->rank, f->dims, f->in, f->spec, FFTW_ESTIMATE);
  f->bwd = fftw_plan_dft_c2r(f->rank, f->dims, f->spec, f->back, FFTW_ESTIMATE);
  if (!f->fwd || !f->bwd) {
    free(coord);
    free(kneg);
    free(w);
    return li2_error_set(err, LI2_EUNSUP, "fourier: FFTW cannot plan dims of %s", g->name);
  }

  for (size_t x = 0; x < M; x++) {
    size_t rest = x;
    for (size_t j = nf; j-- > 0;) {
      coord[x * nf + j] = rest % g->factors[j];
      rest /= g->factors[j];
    }
  }
  for (size_t b = 0; b < f->nbins; b++)
    f->bin_comp[b] = -1;
  for (size_t t = 0; t < M; t++)
    w[t] = cos(2 * M_PI * (double)t / (double)M) + I * sin(2 * M_PI * (double)t / (double)M);

  int status = LI2_SUCCESS;
  for (size_t i = 0; i < r && !status; i++) {
    size_t *k = f->irrep_freq + i * nf;
    /* k_j from the value on the generator e_j of factor j. */
    size_t stride = 1;
    for (size_t j = nf; j-- > 0;) {
      size_t n = g->factors[j];
      k[j] = 0;
      if (n > 1) {
        double complex z = ct->chi[i * r + (size_t)cl->class_of[stride]];
        long kj = lround(carg(z) * (double)n / (2 * M_PI));
        k[j] = (size_t)(((kj % (long)n) + (long)n) % (long)n);
      }
      stride *= n;
    }
    /* The whole character must be exp(2 pi i sum_j k_j x_j / n_j) = w[t]. */
    for (size_t x = 0; x < M && !status; x++) {
      size_t t = 0;
      for (size_t j = 0; j < nf; j++) {
        size_t n = g->factors[j];
        t = (t + ((k[j] * coord[x * nf + j]) % n) * (M / n)) % M;
      }
      if (cabs(ct->chi[i * r + (size_t)cl->class_of[x]] - w[t]) > TOL_MATCH)
        status = li2_error_set(err, LI2_EINVAL,
                               "fourier: irrep %zu of the table is not a character of %s "
                               "with its cyclic factors",
                               i, g->name);
    }
    if (status)
      break;
    size_t nl = g->factors[nf - 1];
    if (2 * k[nf - 1] <= nl) {
      f->irrep_bin[i] = bin_index(f, k);
      f->irrep_conj[i] = 0;
      size_t b = f->irrep_bin[i];
      if (f->bin_comp[b] >= 0) {
        status = li2_error_set(err, LI2_EINVAL,
                               "fourier: two irreps of %s share a frequency", g->name);
        break;
      }
      f->bin_comp[b] = ct->component_of[i];
      f->bin_weight[b] = (k[nf - 1] == 0 || 2 * k[nf - 1] == nl) ? 1.0 : 2.0;
    } else {
      for (size_t j = 0; j < nf; j++)
        kneg[j] = (g->factors[j] - k[j]) % g->factors[j];
      f->irrep_bin[i] = bin_index(f, kneg);
      f->irrep_conj[i] = 1;
    }
  }
  for (size_t b = 0; b < f->nbins && !status; b++)
    if (f->bin_comp[b] < 0)
      status = li2_error_set(err, LI2_EINVAL,
                             "fourier: frequency bin %zu of %s has no irrep", b, g->name);
  free(coord);
  free(kneg);
  free(w);
  return status;
}

static int char_setup(li2_fourier *f, li2_error *err)
{
  const li2_group *g = f->g;
  const li2_characters *ct = f->ct;
  const li2_group_classes *cl = ct->classes;
  size_t M = f->M, r = f->r;
  if (r > UINT16_MAX)
    return li2_error_set(err, LI2_EUNSUP, "fourier: %zu classes are too many", r);
  f->dcls = malloc(M * M * sizeof *f->dcls);
  f->W = calloc(f->ncomp * r, sizeof *f->W);
  f->A = malloc(r * sizeof *f->A);
  if (!f->dcls || !f->W || !f->A)
    return li2_error_set(err, LI2_ENOMEM, "fourier: out of memory (group %s)", g->name);
  for (size_t h = 0; h < M; h++)
    for (size_t k = 0; k < M; k++)
      f->dcls[h * M + k] =
        (uint16_t)cl->class_of[g->table[h * M + (size_t)g->inverse[k]]];
  /* W_c(cls) = sum_{chi in c} (d/M) Re chi(cls): the imaginary parts of a
   * conjugate pair cancel, and a single irrep of a component is real. */
  for (size_t i = 0; i < r; i++) {
    double *w = f->W + (size_t)ct->component_of[i] * r;
    for (size_t c = 0; c < r; c++)
      w[c] += ct->degree[i] * creal(ct->chi[i * r + c]) / (double)M;
  }
  return LI2_SUCCESS;
}

/* The table's classes are closed under conjugation in G and cover G:
 * a table computed for another group of the same order fails. */
static int table_fits(const li2_group *g, const li2_characters *ct)
{
  const li2_group_classes *cl = ct->classes;
  size_t M = g->order, r = ct->nirreps, tot = 0;
  if (!cl || cl->nclasses != r)
    return 0;
  for (size_t c = 0; c < r; c++)
    tot += cl->size[c];
  if (tot != M)
    return 0;
  for (size_t x = 0; x < M; x++) {
    if (cl->class_of[x] < 0 || (size_t)cl->class_of[x] >= r)
      return 0;
    const int *tx = g->table + x * M;
    for (size_t y = 0; y < M; y++) {
      size_t xy = (size_t)tx[y];
      if (cl->class_of[g->table[xy * M + (size_t)g->inverse[x]]] != cl->class_of[y])
        return 0;
    }
  }
  return 1;
}

li2_fourier *li2_fourier_alloc(const li2_group *g, const li2_characters *ct,
                               int method, li2_error *err)
{
  if (!g || !ct) {
    li2_error_set(err, LI2_EINVAL, "fourier: %s is NULL", g ? "character table" : "group");
    return NULL;
  }
  if (method < LI2_FOURIER_AUTO || method > LI2_FOURIER_CHARACTERS) {
    li2_error_set(err, LI2_EINVAL, "fourier: unknown method %d", method);
    return NULL;
  }
  if (!table_fits(g, ct)) {
    li2_error_set(err, LI2_EINVAL, "fourier: character table does not belong to group %s",
                  g->name);
    return NULL;
  }
  li2_fourier *f = calloc(1, sizeof *f);
  if (!f) {
    li2_error_set(err, LI2_ENOMEM, "fourier: out of memory");
    return NULL;
  }
  f->g = g;
  f->ct = ct;
  f->M = g->order;
  f->r = ct->nirreps;
  f->ncomp = ct->ncomponents;
  if (method == LI2_FOURIER_AUTO)
    method = g->abelian && g->nfactors > 0 ? LI2_FOURIER_FFT : LI2_FOURIER_CHARACTERS;
  f->method = method;
  int status = method == LI2_FOURIER_FFT ? fft_setup(f, err) : char_setup(f, err);
  if (status) {
    li2_fourier_free(f);
    return NULL;
  }
  return f;
}

int li2_fourier_method_used(const li2_fourier *f)
{
  return f->method;
}

size_t li2_fourier_ncomponents(const li2_fourier *f)
{
  return f->ncomp;
}

int li2_fourier_power(li2_fourier *f, const double *u, double *power)
{
  size_t M = f->M, r = f->r;
  if (f->method == LI2_FOURIER_FFT) {
    memcpy(f->in, u, M * sizeof *u);
    fftw_execute(f->fwd);
    for (size_t c = 0; c < f->ncomp; c++)
      power[c] = 0;
    for (size_t b = 0; b < f->nbins; b++) {
      double re = creal(f->spec[b]), im = cimag(f->spec[b]);
      power[f->bin_comp[b]] += f->bin_weight[b] * (re * re + im * im);
    }
    for (size_t c = 0; c < f->ncomp; c++)
      power[c] /= (double)M;
    return LI2_SUCCESS;
  }
  /* A(cls(h k^-1)) += u_h u_k over all (h, k); the pair (k, h) lands in the
   * inverse class, which has the same weight W, so half the pairs suffice. */
  double *A = f->A;
  for (size_t c = 0; c < r; c++)
    A[c] = 0;
  for (size_t h = 0; h < M; h++) {
    const uint16_t *row = f->dcls + h * M;
    double uh = u[h], t = 2 * uh;
    A[row[h]] += uh * uh;
    for (size_t k = 0; k < h; k++)
      A[row[k]] += t * u[k];
  }
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)f->ncomp, (int)r, 1.0, f->W, (int)r, A, 1,
              0.0, power, 1);
  /* <u, P u> >= 0 exactly; tiny negatives are rounding. */
  for (size_t c = 0; c < f->ncomp; c++)
    if (power[c] < 0)
      power[c] = 0;
  return LI2_SUCCESS;
}

int li2_fourier_project(li2_fourier *f, const double *u, size_t component, double *out)
{
  size_t M = f->M, r = f->r;
  if (component >= f->ncomp)
    return LI2_EINVAL;
  if (f->method == LI2_FOURIER_FFT) {
    memcpy(f->in, u, M * sizeof *u);
    fftw_execute(f->fwd);
    for (size_t b = 0; b < f->nbins; b++)
      if (f->bin_comp[b] != (int)component)
        f->spec[b] = 0;
    fftw_execute(f->bwd);  /* unnormalised inverse: M times the projection */
    for (size_t x = 0; x < M; x++)
      out[x] = f->back[x] / (double)M;
    return LI2_SUCCESS;
  }
  /* (P_c u)[h] = sum_k W_c(class(h k^-1)) u[k] */
  const double *w = f->W + component * r;
  for (size_t h = 0; h < M; h++) {
    const uint16_t *row = f->dcls + h * M;
    double s = 0;
    for (size_t k = 0; k < M; k++)
      s += w[row[k]] * u[k];
    out[h] = s;
  }
  return LI2_SUCCESS;
}

int li2_fourier_coefficients(li2_fourier *f, const double *u, double complex *coef)
{
  size_t M = f->M, r = f->r;
  const li2_characters *ct = f->ct;
  if (f->method == LI2_FOURIER_FFT) {
    memcpy(f->in, u, M * sizeof *u);
    fftw_execute(f->fwd);
    for (size_t i = 0; i < r; i++) {
      double complex z = f->spec[f->irrep_bin[i]];
      coef[i] = f->irrep_conj[i] ? conj(z) : z;
    }
    return LI2_SUCCESS;
  }
  if (!f->g->abelian)
    return LI2_EUNSUP;
  const int *cls = ct->classes->class_of;
  for (size_t i = 0; i < r; i++) {
    const double complex *chi = ct->chi + i * r;
    double complex s = 0;
    for (size_t x = 0; x < M; x++)
      s += u[x] * conj(chi[cls[x]]);
    coef[i] = s;
  }
  return LI2_SUCCESS;
}

int li2_fourier_frequency(const li2_fourier *f, size_t irrep, size_t *k)
{
  if (f->method != LI2_FOURIER_FFT || irrep >= f->r)
    return f->method != LI2_FOURIER_FFT ? LI2_EUNSUP : LI2_EINVAL;
  memcpy(k, f->irrep_freq + irrep * (size_t)f->rank, (size_t)f->rank * sizeof *k);
  return LI2_SUCCESS;
}
