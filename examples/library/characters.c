/* Using libli2 from C: the character table of S4 from its Cayley table, and
 * the energy E of the Fourier feature of Z_23 against its predicted maximum
 * M/(2 d_R) (the li2 mathematics document, section "energy").
 *
 *   cc characters.c $(pkg-config --cflags --libs li2) -lm -o characters
 *
 * li2's headers live in one li2/ folder, so this program can include glibc's
 * <error.h> next to li2's "error.h".  Exit status 0 only when every check
 * holds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__GLIBC__)
#include <error.h>  /* glibc's error(3): not li2/error.h */
#define DIE(...) error(EXIT_FAILURE, 0, __VA_ARGS__)
#else
#define DIE(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), exit(EXIT_FAILURE))
#endif
#include <li2/li2.h>

static void character_table(const char *name)
{
  li2_error err;
  li2_group *g = li2_group_alloc_name(name, &err);
  if (!g) DIE("%s", err.msg);
  li2_characters *ct = li2_characters_alloc(g, &err);
  if (!ct) DIE("%s", err.msg);
  size_t n = ct->nirreps;
  long sum_d2 = 0;
  printf("%s: order %zu, %zu classes, degrees", g->name, g->order, n);
  for (size_t i = 0; i < n; i++) {
    printf(" %d", ct->degree[i]);
    sum_d2 += (long)ct->degree[i] * ct->degree[i];
  }
  printf(", sum d^2 = %ld\n", sum_d2);
  for (size_t i = 0; i < n; i++) {
    printf("  chi_%zu:", i);
    for (size_t c = 0; c < n; c++)
      printf(" %6.2f%+6.2fi", creal(ct->chi[i * n + c]), cimag(ct->chi[i * n + c]));
    printf("   (indicator %+d)\n", ct->indicator[i]);
  }
  double row, col;
  li2_characters_orthogonality(ct, g->order, &row, &col);
  printf("  orthogonality error: rows %.1e, columns %.1e\n", row, col);
  if (sum_d2 != (long)g->order || row > 1e-9 || col > 1e-9)
    DIE("%s: character table fails sum d^2 = M or orthogonality", name);
  li2_characters_free(ct);
  li2_group_free(g);
}

/* E at w = [u; v], u = v = cos(2 pi k a / M) / sqrt(M) (|w| = 1), sigma = x^2
 * on the full table: the maximum of E in the real component of frequency k,
 * predicted M/(2 d_R) = M/4 (d_R = 2). */
static void fourier_energy(size_t M, size_t k)
{
  li2_error err;
  char name[32];
  snprintf(name, sizeof name, "Z%zu", M);
  li2_group *g = li2_group_alloc_name(name, &err);
  li2_characters *ct = g ? li2_characters_alloc(g, &err) : NULL;
  li2_dataset *d = ct ? li2_dataset_alloc_full(g, 2, &err) : NULL;
  li2_energy *e = d ? li2_energy_alloc(g, d, LI2_ACT_SQR, LI2_ENERGY_RAW,
                                       LI2_ENERGY_AUTO, &err) : NULL;
  if (!e) DIE("%s", err.msg);
  double *w = malloc(2 * M * sizeof *w);
  if (!w) DIE("out of memory");
  for (size_t a = 0; a < M; a++)
    w[a] = w[M + a] = cos(2 * acos(-1.0) * (double)(k * a) / (double)M) / sqrt((double)M);
  double E;
  if (li2_energy_eval(e, w, &E, NULL) != LI2_SUCCESS) DIE("energy evaluation failed");
  double pred = li2_characters_predicted_energy(ct, M, k);
  printf("%s: E(Fourier feature k=%zu) = %.12g, predicted M/(2 d_R) = %.12g (d_R = %d)\n",
         name, k, E, pred, ct->component_real_dim[k]);
  if (!(fabs(E - pred) <= 1e-9 * pred)) DIE("%s: E differs from M/(2 d_R)", name);
  free(w);
  li2_energy_free(e);
  li2_dataset_free(d);
  li2_characters_free(ct);
  li2_group_free(g);
}

int main(void)
{
  character_table("S4");
  fourier_energy(23, 3);
  printf("ok\n");
  return 0;
}
