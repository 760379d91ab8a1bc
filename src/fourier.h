/* Fourier analysis on a finite group: the power of a real vector in each
 * real irreducible component (THEORY.md section 3), summing to |u|^2.
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

typedef struct li2_fourier li2_fourier;

enum li2_fourier_method {
  LI2_FOURIER_AUTO = 0,   /* FFT when the group allows it */
  LI2_FOURIER_FFT,        /* require the FFT path (LI2_EUNSUP otherwise) */
  LI2_FOURIER_CHARACTERS  /* always use character projectors */
};

/* G and CT are borrowed and must outlive the workspace. */
li2_fourier *li2_fourier_alloc(const li2_group *g, const li2_characters *ct,
                               int method, li2_error *err);
void li2_fourier_free(li2_fourier *f);

int li2_fourier_method_used(const li2_fourier *f);
size_t li2_fourier_ncomponents(const li2_fourier *f);

/* POWER[c] = |P_c u|^2 for every real component c (ncomponents values). */
int li2_fourier_power(li2_fourier *f, const double *u, double *power);

#endif
