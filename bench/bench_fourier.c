/* Component spectrum of 10^5 random vectors on Z_127 through the FFT path
 * and through the character projectors (fourier.h).  Prints vectors per
 * second for each and their ratio; the last line is the one-line summary
 * bench/run.sh shows.  Usage: bench_fourier [M] [NVEC] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fourier.h"

#define POOL 1024   /* distinct vectors, reused: generation stays out of the timing */

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double uniform(uint64_t *s)
{
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return (double)(z >> 11) * 0x1.0p-52 - 1.0;
}

/* Seconds for NVEC power spectra; CHECK accumulates the result so the
 * work cannot be optimised away. */
static double run(li2_fourier *f, const double *pool, size_t M, size_t nvec, double *power,
                  size_t nc, double *check)
{
  double t0 = now();
  for (size_t n = 0; n < nvec; n++) {
    li2_fourier_power(f, pool + (n % POOL) * M, power);
    *check += power[n % nc];
  }
  return now() - t0;
}

int main(int argc, char **argv)
{
  size_t M = argc > 1 ? strtoul(argv[1], NULL, 10) : 127;
  size_t nvec = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
  char name[32];
  li2_error err = {0};
  snprintf(name, sizeof name, "Z%zu", M);
  li2_group *g = li2_group_alloc_name(name, &err);
  li2_characters *ct = g ? li2_characters_alloc(g, &err) : NULL;
  li2_fourier *ff = ct ? li2_fourier_alloc(g, ct, LI2_FOURIER_FFT, &err) : NULL;
  li2_fourier *fc = ff ? li2_fourier_alloc(g, ct, LI2_FOURIER_CHARACTERS, &err) : NULL;
  if (!fc || nvec == 0) {
    fprintf(stderr, "bench_fourier: %s\n", nvec ? err.msg : "NVEC must be positive");
    return 1;
  }
  size_t nc = ct->ncomponents;
  double *pool = malloc(POOL * M * sizeof *pool), *power = malloc(nc * sizeof *power);
  uint64_t seed = 1;
  for (size_t i = 0; i < POOL * M; i++)
    pool[i] = uniform(&seed);
  double cf = 0, cc = 0, cw = 0;
  run(ff, pool, M, nvec / 10 + 1, power, nc, &cw);   /* warm up */
  double tf = run(ff, pool, M, nvec, power, nc, &cf);
  double tc = run(fc, pool, M, nvec, power, nc, &cc);
  printf("# %s, %zu vectors (checksums %.6g %.6g)\n", name, nvec, cf, cc);
  printf("fft        %12.0f vectors/s\n", (double)nvec / tf);
  printf("characters %12.0f vectors/s\n", (double)nvec / tc);
  printf("fourier Z%zu: fft %.3g vec/s, characters %.3g vec/s, ratio fft/characters %.1f\n", M,
         (double)nvec / tf, (double)nvec / tc, tc / tf);
  free(pool);
  free(power);
  li2_fourier_free(ff);
  li2_fourier_free(fc);
  li2_characters_free(ct);
  li2_group_free(g);
  return 0;
}
