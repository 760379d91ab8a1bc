/* The boundary search shared by the boundary kinds (internal to verify):
 * verify_boundary.c runs it and holds `boundary` (a trained network's test
 * accuracy), verify_energy.c holds `energy_boundary` (the share of Fourier
 * maxima that survive on the training subset).
 *
 * For each M of `orders` and each seed, a probe at training fractions
 * c' log(M)/M over the ascending `grid` until its score first reaches
 * `threshold`, the bracket bisected `refine` times; c = mean boundary c'
 * with a t interval (widened by half the bracket width) against the
 * reference trainer's constant, and the slope of c' against log M (the
 * log(M)/M scaling holds when it is near 0). */
#ifndef LI2_VERIFY_BOUNDARY_H
#define LI2_VERIFY_BOUNDARY_H

#include "verify_kind.h"

/* the parameters every boundary kind takes, and the measures they report */
#define LI2_VERIFY_BOUNDARY_COMMON                                                      \
  "orders", "groups", "reference_groups", "grid", "start", "seeds", "seed0", "threshold", \
      "confidence", "refine", "exhaustive", "pilot"
extern const char *const li2_verify_boundary_measures[];

/* A probe: the score (test accuracy, surviving share) of the group NAME
 * (order M) with N training pairs drawn with SEED, at each of the NB epoch
 * budgets (SCORE[b]); *EPOCHS the epochs it trained.  Runs inside a
 * parallel job. */
typedef int (*li2_verify_probe_fn)(const li2_verify_claim *c, int quick, const void *opt,
                                   const char *name, size_t M, long n, long seed, size_t nb,
                                   const long *budgets, double *score, long *epochs,
                                   long *settled, li2_error *err);

/* The search, the fits and the report of claim C with PROBE (OPT its
 * options); SETTING describes the probe in verify.md, SCORE_NAME its
 * score; NB epoch BUDGETS (one score per budget). */
int li2_verify_boundary_search(const li2_verify_claim *c, int quick, int threads,
                               li2_verify_probe_fn probe, const void *opt, const char *setting,
                               const char *score_name, size_t nb, const long *budgets,
                               li2_verify_result *r, li2_error *err);

#endif
