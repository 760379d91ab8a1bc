/* Fourier analysis on a finite group: the power of a real vector in each
 * real irreducible component (doc/mathematics.md section 3), summing to |u|^2.
 *
 * Plan once, execute many: li2_fourier_alloc chooses the method and builds
 * every plan and buffer; li2_fourier_power does no allocation.
 *   - abelian groups with a known cyclic decomposition (Z_M, products):
 *     FFTW real-to-complex transforms (multi-dimensional for products);
 *   - any group: the character projectors P_chi = (d/M) sum_g conj(chi(g)) L_g,
 *     evaluated through the autocorrelation of u summed over classes. */
#ifndef LI2_FOURIER_H
#define LI2_FOURIER_H

#include <stddef.h>
#include "characters.h"
#include "error.h"
#include "group.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_fourier li2_fourier;

enum li2_fourier_method {
  LI2_FOURIER_AUTO = 0,   /* FFT when the group allows it */
  LI2_FOURIER_FFT,        /* require the FFT path (LI2_EUNSUP otherwise) */
  LI2_FOURIER_CHARACTERS  /* always use character projectors */
};

/* G and CT are borrowed and must outlive the workspace.  The FFT path plans
 * with FFTW_ESTIMATE, so the same input gives the same bits on every run;
 * FFTW's planner is not thread-safe: allocate workspaces from one thread
 * at a time (executing them in parallel, one per thread, is fine).
 * LI2_EINVAL when CT's classes are not G's conjugacy classes. */
li2_fourier *li2_fourier_alloc(const li2_group *g, const li2_characters *ct,
                               int method, li2_error *err);
void li2_fourier_free(li2_fourier *f);

int li2_fourier_method_used(const li2_fourier *f);
size_t li2_fourier_ncomponents(const li2_fourier *f);

/* POWER[c] = |P_c u|^2 for every real component c (ncomponents values).
 * No allocation; O(M log M) (FFT) or O(M^2) (characters).  A workspace is
 * not shared between threads (it holds the transform buffers). */
int li2_fourier_power(li2_fourier *f, const double *u, double *power);

/* OUT = P_c u, the orthogonal projection of u onto real component
 * COMPONENT (M values; OUT must not alias U).  Summed over all components
 * the projections give u back.  LI2_EINVAL for a component out of range. */
int li2_fourier_project(li2_fourier *f, const double *u, size_t component,
                        double *out);

/* Abelian groups only: COEF[i] = sum_g u[g] conj(chi_i(g)) for every irrep
 * i (nirreps values), the unnormalised DFT ^u_k of doc/mathematics.md section 3 at
 * the frequency of irrep i.  For Z_M the first irrep of component k is the
 * frequency k, so carg(COEF[ct->component_irrep[k]]) is the phase of u at
 * frequency k.  LI2_EUNSUP for a non-abelian group. */
int li2_fourier_coefficients(li2_fourier *f, const double *u,
                             li2_complex *coef);

/* FFT path only: the frequency vector K (g->nfactors values, k_j in
 * 0..n_j-1) of irrep IRREP, chi(x) = exp(2 pi i sum_j k_j x_j / n_j).
 * LI2_EUNSUP on the character path, LI2_EINVAL for an irrep out of range. */
int li2_fourier_frequency(const li2_fourier *f, size_t irrep, size_t *k);

#ifdef __cplusplus
}
#endif

#endif
