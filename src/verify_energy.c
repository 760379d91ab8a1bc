/* li2 verify: Theorem 1 (Sec. 4.1), the independent dynamics of a node is
 * gradient ascent of the energy (doc/mathematics.md section 3).
 *   energy_ascent (C12)   Eq. 6's right side X^T D_j g_j with
 *                         g_j = Y~ Y~^T sigma(X w_j), the chain rule through
 *                         the samples (li2_energy_eval on the direct path),
 *                         against the gradient of Eq. 7 by two independent
 *                         routes: fourth-order central differences of E's
 *                         values, and on
 *                         the full table with sigma = x^2 of an abelian group
 *                         the closed Fourier form (the FFT path).
 *   energy_boundary (C6b) the sample-size boundary of the landscape: the
 *                         share of Fourier maxima that survive on the
 *                         trainer's random subset, through the boundary
 *                         search (verify_boundary.h). */
#include "verify_kind.h"
#include "verify_boundary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "characters.h"
#include "dataset.h"
#include "energy.h"
#include "fourier.h"
#include "gradient.h"
#include "group.h"
#include "maxima.h"
#include "model.h"
#include "problem.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static const char *const ascent_params[] = {"groups", "activations", "train_fraction",
                                            "points", "seed", "fd_step", NULL};
static const char *const ascent_measures[] = {"max_rel_fd", "max_rel_fft", "cases", "fft_cases",
                                              "min_ascent", NULL};

/* |a - b| / max(|b|, tiny) over the vector, as a norm ratio */
static double rel_diff(size_t n, const double *a, const double *b)
{
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += b[i] * b[i];
  }
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

static int kind_ascent(const li2_verify_claim *c, int quick, int threads, li2_verify_result *r,
                       li2_error *err)
{
  const char *groups, *acts;
  long points, seed;
  double frac, h;
  int rc;
  (void)threads;
  if ((rc = li2_verify_param_string(c, quick, "groups", NULL, &groups, err)) ||
      (rc = li2_verify_param_string(c, quick, "activations", "sqr", &acts, err)) ||
      (rc = li2_verify_param_double(c, quick, "train_fraction", "1", 0.01, 1, &frac, err)) ||
      (rc = li2_verify_param_long(c, quick, "points", "4", 1, 10000, &points, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)) ||
      (rc = li2_verify_param_double(c, quick, "fd_step", "1e-5", 1e-9, 1e-2, &h, err)))
    return rc;
  char *gl = strdup(groups), *al = strdup(acts), *gw[64], *aw[16];
  li2_verify_text t = {0};
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!gl || !al || !rng) {
    free(gl);
    free(al);
    gsl_rng_free(rng);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  gsl_rng_set(rng, (unsigned long)seed);
  size_t ng = li2_verify_split_list(gl, gw, 64), na = li2_verify_split_list(al, aw, 16);
  double worst_fd = 0, worst_fft = NAN, min_ascent = INFINITY;
  size_t cases = 0, fft_cases = 0;
  li2_verify_printf(&t, "| group | M | activation | n | points | Eq. 6 vs central differences | "
                        "Eq. 6 vs Fourier closed form | min (E(w + tau g) - E(w)) / (tau |g|^2) |\n"
                        "|---|---|---|---|---|---|---|---|\n");
  if (li2_verify_checking(c)) {
    rc = li2_verify_check_groups(c, quick, "groups", NULL, gw, ng, err);
    for (size_t ai = 0; !rc && ai < na; ai++) {
      li2_activation act;
      if (li2_activation_parse(aw[ai], &act, "activations", err))
        rc = li2_verify_param_fail(c, quick, "activations", err);
    }
    ng = 0;  /* checked: no measurement */
  }
  for (size_t gi = 0; gi < ng && !rc; gi++) {
    li2_group *g = li2_group_alloc_name(gw[gi], err);
    if (!g) {
      rc = li2_verify_param_fail(c, quick, "groups", err);
      break;
    }
    size_t M = g->order, dim = 2 * M;
    li2_dataset *d = NULL;
    if (frac >= 1) {
      d = li2_dataset_alloc_full(g, 2, err);
    } else {
      li2_split_params sp;
      li2_split_params_default(&sp);
      sp.test_size = 1 - frac;
      sp.seed = (unsigned long)seed;
      d = li2_dataset_alloc_split(g, 2, &sp, err);
    }
    double *w = malloc(4 * dim * sizeof *w);
    if (!d || !w) {
      if (!d)
        rc = li2_verify_param_fail(c, quick, "train_fraction", err);
      else
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      free(w);
      li2_dataset_free(d);
      li2_group_free(g);
      break;
    }
    double *g6 = w + dim, *gf = w + 2 * dim, *wp = w + 3 * dim;
    for (size_t ai = 0; ai < na && !rc; ai++) {
      li2_activation act;
      if ((rc = li2_activation_parse(aw[ai], &act, "activations", err))) {
        rc = li2_verify_param_fail(c, quick, "activations", err);
        break;
      }
      /* Eq. 6 by the chain rule over the samples (direct path), Eq. 7's
       * value for the differences, the Fourier form where it applies */
      li2_energy *e6 = li2_energy_alloc(g, d, act, LI2_ENERGY_RAW, LI2_ENERGY_DIRECT, err);
      li2_energy *ef = e6 && act == LI2_ACT_SQR && li2_energy_full_data(e6)
                           ? li2_energy_alloc(g, d, act, LI2_ENERGY_RAW, LI2_ENERGY_AUTO, err)
                           : NULL;
      if (!e6) {
        rc = err && err->code ? err->code : LI2_EINVAL;
        break;
      }
      int has_fft = ef && li2_energy_method_used(ef) == LI2_ENERGY_FFT;
      double wfd = 0, wfft = 0, asc = INFINITY;
      for (long p = 0; p < points && !rc; p++) {
        double nrm = 0, E0, E1;
        for (size_t i = 0; i < dim; i++) {
          w[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
          nrm += w[i] * w[i];
        }
        for (size_t i = 0; i < dim; i++)
          w[i] /= sqrt(nrm);  /* |w| = 1 (Thm 1's constraint) */
        if ((rc = li2_energy_eval(e6, w, &E0, g6)))
          break;
        /* fourth-order central differences of E's values, coordinate by
         * coordinate: (8 (E(+h) - E(-h)) - (E(+2h) - E(-2h))) / (12 h) */
        memcpy(wp, w, dim * sizeof *wp);
        for (size_t i = 0; i < dim && !rc; i++) {
          double Es[4], off[4] = {h, -h, 2 * h, -2 * h};
          for (int s = 0; s < 4 && !rc; s++) {
            wp[i] = w[i] + off[s];
            rc = li2_energy_eval(e6, wp, &Es[s], NULL);
          }
          wp[i] = w[i];
          gf[i] = (8 * (Es[0] - Es[1]) - (Es[2] - Es[3])) / (12 * h);
        }
        if (rc)
          break;
        double d1 = rel_diff(dim, g6, gf);
        wfd = d1 > wfd ? d1 : wfd;
        if (has_fft) {
          double Ef;
          if ((rc = li2_energy_eval(ef, w, &Ef, gf)))
            break;
          double d2 = rel_diff(dim, g6, gf);
          wfft = d2 > wfft ? d2 : wfft;
        }
        /* ascent: a small step along Eq. 6 raises E by tau |g|^2 to first order */
        double g2 = 0;
        for (size_t i = 0; i < dim; i++)
          g2 += g6[i] * g6[i];
        if (g2 > 0) {
          double tau = 1e-4 / sqrt(g2);
          for (size_t i = 0; i < dim; i++)
            wp[i] = w[i] + tau * g6[i];
          if ((rc = li2_energy_eval(e6, wp, &E1, NULL)))
            break;
          double ratio = (E1 - E0) / (tau * g2);
          asc = ratio < asc ? ratio : asc;
        }
      }
      if (!rc) {
        cases++;
        worst_fd = wfd > worst_fd ? wfd : worst_fd;
        if (has_fft) {
          fft_cases++;
          worst_fft = isnan(worst_fft) || wfft > worst_fft ? wfft : worst_fft;
        }
        min_ascent = asc < min_ascent ? asc : min_ascent;
        li2_verify_printf(&t, "| %s | %zu | %s | %zu | %ld | %.2e | ", gw[gi], M, aw[ai],
                          d->ntrain, points, wfd);
        if (has_fft)
          li2_verify_printf(&t, "%.2e | %.6f |\n", wfft, asc);
        else
          li2_verify_printf(&t, "- | %.6f |\n", asc);
      }
      li2_energy_free(ef);
      li2_energy_free(e6);
    }
    free(w);
    li2_dataset_free(d);
    li2_group_free(g);
  }
  gsl_rng_free(rng);
  free(gl);
  free(al);
  if (rc || li2_verify_checking(c)) {  /* checked: nothing measured, nothing recorded */
    free(t.s);
    return rc;
  }
  li2_verify_measure_set(r, "max_rel_fd", worst_fd);
  li2_verify_measure_set(r, "max_rel_fft", worst_fft);
  li2_verify_measure_set(r, "cases", (double)cases);
  li2_verify_measure_set(r, "fft_cases", (double)fft_cases);
  li2_verify_measure_set(r, "min_ascent", min_ascent);
  r->predicted = 0;
  r->measured = worst_fd;
  snprintf(r->what, sizeof r->what,
           "largest relative difference between Eq. 6's right side and grad E by central "
           "differences (Fourier closed form: %.2g)", worst_fft);
  r->detail = t.s;
  return LI2_SUCCESS;
}

const li2_verify_kind li2_verify_kind_energy_ascent = {"energy_ascent", ascent_params,
                                                       ascent_measures, kind_ascent, 1};

static const char *const energy_boundary_params[] = {LI2_VERIFY_BOUNDARY_COMMON, "energy", "frequencies",
                                                     "purity_min", NULL};

/* The landscape's boundary (doc/mathematics.md sections 3 and 4): on the random
 * training subset the trainer's split would draw (same M, n, seed), the
 * energy E_D of sigma = x^2 (raw or normalized), and for each of
 * `frequencies` frequencies k spread over 1..(M-1)/2 a climb from the pure
 * Fourier node of frequency k (li2_gradient_exact_node, phases from the
 * seed) to a local maximum, certified by the tangent Hessian.  It survives
 * when the end point is a certified maximum whose dominant component is
 * still k with purity >= purity_min.  The score is the surviving share. */
typedef struct energy_opt {
  int variant;
  long freqs;
  double purity_min;
} energy_opt;

static int probe_energy(const li2_verify_claim *c, int quick, const void *opt, const char *name,
                        size_t M, long n, long seed, size_t nb, const long *budgets,
                        double *share, long *epochs, long *settled, li2_error *err)
{
  const energy_opt *o = opt;
  li2_problem P = {0};
  li2_problem_params pp;
  li2_group *g = NULL;
  li2_characters *ct = NULL;
  li2_fourier *f = NULL;
  li2_dataset *d = NULL;
  li2_energy *e = NULL;
  li2_maximizer *mx = NULL;
  li2_certifier *cf = NULL;
  li2_classifier *cl = NULL;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  double *w0 = malloc(4 * M * sizeof *w0), *w = w0 ? w0 + 2 * M : NULL;
  li2_maxima_params mp;
  int rc = LI2_SUCCESS;
  (void)c;
  (void)quick;
  (void)budgets;
  *epochs = 0;
  *settled = -1;
  li2_problem_params_default(&pp);
  pp.group = name;
  pp.data = LI2_PROBLEM_DATA_SPLIT;
  pp.split.train_size = n;
  pp.seed = (unsigned long)seed;
  pp.fourier = 1;
  li2_maxima_params_default(&mp);
  mp.purity_min = o->purity_min;
  mp.threads = 1;
  if (!rng || !w0) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  gsl_rng_set(rng, (unsigned long)seed * 1000003UL + M);
  /* the FFTW planner (inside the Fourier workspaces) is not thread-safe */
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  {
    if (li2_problem_setup(&P, &pp, err) ||
        (g = P.g, ct = P.ct, f = P.f, d = P.d,
         !(e = li2_energy_alloc(g, d, LI2_ACT_SQR, o->variant, LI2_ENERGY_DIRECT, err)) ||
         !(mx = li2_maximizer_alloc(e, &mp, err)) || !(cf = li2_certifier_alloc(e, &mp, err)) ||
         !(cl = li2_classifier_alloc(e, g, ct, &mp, err))))
      rc = err->code ? err->code : LI2_ENOMEM;
  }
  if (rc)
    goto end;
  size_t ncomp = ct->ncomponents, nf = (size_t)o->freqs, survived = 0;
  if (nf == 0 || nf > ncomp - 1)
    nf = ncomp - 1;
  for (size_t j = 0; !rc && j < nf; j++) {
    /* components 1..ncomp-1, evenly spread */
    size_t comp = 1 + (j * (ncomp - 1)) / nf;
    li2_maxima_point pt;
    double norm = 0;
    if ((rc = li2_gradient_exact_node(g, f, comp, rng, w0, w0 + M, err)))
      break;
    for (size_t a = 0; a < 2 * M; a++)
      norm += w0[a] * w0[a];
    for (size_t a = 0; a < 2 * M; a++)
      w0[a] /= sqrt(norm);
    if ((rc = li2_maxima_climb(mx, cf, cl, w0, w, &pt, err)))
      break;
    survived += pt.label == LI2_MAXIMA_MAX && pt.component == (int)comp && pt.pure;
  }
  for (size_t b = 0; !rc && b < nb; b++)
    share[b] = (double)survived / (double)nf;
end:
#ifdef _OPENMP
#pragma omp critical(li2_verify_fftw)
#endif
  {
    li2_classifier_free(cl);
    li2_certifier_free(cf);
    li2_maximizer_free(mx);
    li2_energy_free(e);
    li2_problem_free(&P);
  }
  gsl_rng_free(rng);
  free(w0);
  return rc;
}

static int kind_energy_boundary(const li2_verify_claim *c, int quick, int threads,
                                li2_verify_result *r, li2_error *err)
{
  energy_opt o;
  const char *variant;
  char setting[512];
  int rc;
  if ((rc = li2_verify_param_string(c, quick, "energy", "normalized", &variant, err)) ||
      (rc = li2_verify_param_long(c, quick, "frequencies", "0", 0, 100000, &o.freqs, err)) ||
      (rc = li2_verify_param_double(c, quick, "purity_min", "0.5", 0, 1, &o.purity_min, err)))
    return rc;
  if ((o.variant = li2_energy_variant_from_name(variant)) < 0) {
    li2_error_set(err, LI2_EINVAL, "'%s' is not raw or normalized", variant);
    return li2_verify_param_fail(c, quick, "energy", err);
  }
  snprintf(setting, sizeof setting,
           "Energy: %s, sigma = x^2, on the trainer's random split (same M, n, seed); from "
           "the pure Fourier node of %s frequencies per M, a climb to a local maximum, "
           "surviving when certified (tangent Hessian) with dominant frequency unchanged and "
           "purity >= %g",
           variant, o.freqs ? "evenly spread" : "all", o.purity_min);
  if (o.freqs)
    snprintf(setting + strlen(setting), sizeof setting - strlen(setting), " (%ld)", o.freqs);
  const long none = 0;  /* no epochs: one score per probe */
  return li2_verify_boundary_search(c, quick, threads, probe_energy, &o, setting,
                         "share of surviving Fourier maxima", 1, &none, r, err);
}

const li2_verify_kind li2_verify_kind_energy_boundary = {"energy_boundary", energy_boundary_params, li2_verify_boundary_measures, kind_energy_boundary, 1};
