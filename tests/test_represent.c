/* Theorem 3's reconstruction (represent.h): exact with complex nodes and
 * with perturbed real nodes, the residual of missing irreps and of the
 * symmetric-only real span as predicted, on cyclic, non-abelian (complex
 * pair, quaternionic) groups; bad input refused. */
#include <math.h>
#include <stdlib.h>

#include "represent.h"
#include "tap.h"

static void run(const char *name, int mode, int omit_first)
{
  li2_error err = {0};
  li2_group *g = li2_group_alloc_name(name, &err);
  li2_characters *ct = li2_characters_alloc(g, &err);
  li2_represent_params p;
  li2_represent_result r;
  int *omit = calloc(ct->nirreps + 1, sizeof *omit);
  li2_represent_params_default(&p);
  p.mode = mode;
  omit[1] = omit_first;
  p.omit = omit;
  int rc = li2_represent_run(g, ct, &p, &r, &err);
  ok(rc == LI2_SUCCESS, "%s %s omit=%d: runs (%s)", name, li2_represent_mode_name(mode),
     omit_first, err.msg);
  ok_close(r.target_norm, sqrt((double)g->order * (double)(g->order - 1)), 1e-12,
           "%s: |Y~|_F^2 = M (M - 1)", name);
  ok(fabs(r.residual - r.predicted) <= 1e-9 * r.target_norm,
     "%s %s omit=%d: residual %.10g as predicted %.10g", name, li2_represent_mode_name(mode),
     omit_first, r.residual, r.predicted);
  if (mode != LI2_REPRESENT_REAL && !omit_first)
    ok(r.accuracy == 1.0, "%s %s: readout accuracy 1", name, li2_represent_mode_name(mode));
  if (mode == LI2_REPRESENT_REAL)
    ok(r.predicted > 0.1 * r.target_norm, "%s real: the symmetric span loses a share (%.3g)",
       name, r.predicted / r.target_norm);
  ok(r.K == li2_represent_nodes(ct, &p), "%s: K = %zu nodes", name, r.K);
  free(omit);
  li2_characters_free(ct);
  li2_group_free(g);
}

int main(void)
{
  li2_error err = {0};
  run("Z7", LI2_REPRESENT_COMPLEX, 0);
  run("Z7", LI2_REPRESENT_COMPLEX, 1);
  run("Z7", LI2_REPRESENT_REAL, 0);
  run("Z7", LI2_REPRESENT_REAL_PERTURBED, 0);
  run("S3", LI2_REPRESENT_COMPLEX, 1);
  run("Z7:Z3", LI2_REPRESENT_COMPLEX, 0);
  run("Z7:Z3", LI2_REPRESENT_REAL, 0);
  run("Q8", LI2_REPRESENT_REAL, 0);
  run("Q8", LI2_REPRESENT_REAL_PERTURBED, 0);
  {
    li2_group *g = li2_group_alloc_name("Z5", &err);
    li2_characters *ct = li2_characters_alloc(g, &err);
    li2_represent_params p;
    li2_represent_result r;
    int omit[5] = {0, 1, 1, 1, 1};
    li2_represent_params_default(&p);
    ok(li2_represent_nodes(ct, &p) == 8, "Z5: K = 2M - 2 = 8");
    p.omit = omit;
    ok(li2_represent_run(g, ct, &p, &r, &err) == LI2_EINVAL, "every irrep omitted: refused");
    p.omit = NULL;
    p.mode = 7;
    ok(li2_represent_run(g, ct, &p, &r, &err) == LI2_EINVAL, "unknown mode refused");
    ok(li2_represent_mode_from_name("real_perturbed") == LI2_REPRESENT_REAL_PERTURBED &&
           li2_represent_mode_from_name("imag") == -1,
       "mode names");
    li2_characters_free(ct);
    li2_group_free(g);
  }
  return tap_done();
}
