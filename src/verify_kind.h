/* Internal interface between the verify engine (verify.c) and the
 * measurement kinds (verify_*.c); not installed.
 *
 * A kind reads its parameters from the claim with the typed getters below
 * (errors name the claim file and line), measures through li2's library,
 * records named measures with li2_verify_measure_set (usable in the
 * claim's rules), the headline pair in r->predicted / r->measured / r->what,
 * and markdown for verify.md in r->detail (li2_verify_printf on a
 * li2_verify_text, then r->detail = t.s).  The engine decides the verdict.
 * To add a kind: define a `const li2_verify_kind li2_verify_kind_NAME` in a
 * verify_*.c file, declare it below, and list it in verify.c's registry. */
#ifndef LI2_VERIFY_KIND_H
#define LI2_VERIFY_KIND_H

#include <stddef.h>

#include "error.h"
#include "process.h"
#include "verify.h"

typedef int (*li2_verify_kind_fn)(const li2_verify_claim *c, int quick, int threads,
                                  li2_verify_result *r, li2_error *err);

typedef struct li2_verify_kind {
  const char *name;
  const char *const *params;    /* parameters it reads, NULL-terminated */
  const char *const *measures;  /* measures it reports, usable in rules */
  li2_verify_kind_fn run;
  /* 1: RUN honours li2_verify_checking (reads and parses every parameter,
   * then returns LI2_SUCCESS before measuring); 0: li2_verify_check does
   * not run the kind (only the tolerance is checked) */
  int checks;
} li2_verify_kind;

/* the registered kinds (verify_*.c) */
extern const li2_verify_kind li2_verify_kind_maxima_energies;
extern const li2_verify_kind li2_verify_kind_energy_ascent;
extern const li2_verify_kind li2_verify_kind_maxima_other;
extern const li2_verify_kind li2_verify_kind_maxima_flatness;
extern const li2_verify_kind li2_verify_kind_maxima_cyclic;
extern const li2_verify_kind li2_verify_kind_lazy_closed_form;
extern const li2_verify_kind li2_verify_kind_independence;
extern const li2_verify_kind li2_verify_kind_modulation;
extern const li2_verify_kind li2_verify_kind_weight_decay;
extern const li2_verify_kind li2_verify_kind_seed_sweep;
extern const li2_verify_kind li2_verify_kind_boundary;
extern const li2_verify_kind li2_verify_kind_energy_boundary;
extern const li2_verify_kind li2_verify_kind_prop1_flow;
extern const li2_verify_kind li2_verify_kind_lemma1_width;
extern const li2_verify_kind li2_verify_kind_fig3_trace;
extern const li2_verify_kind li2_verify_kind_quad_maxima;
extern const li2_verify_kind li2_verify_kind_reconstruction;
extern const li2_verify_kind li2_verify_kind_memorisation;
extern const li2_verify_kind li2_verify_kind_repulsion;
extern const li2_verify_kind li2_verify_kind_modulated_maxima;
extern const li2_verify_kind li2_verify_kind_muon_ascent;
extern const li2_verify_kind li2_verify_kind_muon_dynamics;
extern const li2_verify_kind li2_verify_kind_depth_trace;

/* Typed parameters: KEY (quick.KEY first when QUICK), DEF when absent (NULL:
 * required); out-of-range values are errors naming file and line. */
int li2_verify_param_string(const li2_verify_claim *c, int quick, const char *key,
                            const char *def, const char **out, li2_error *err);
int li2_verify_param_double(const li2_verify_claim *c, int quick, const char *key,
                            const char *def, double min, double max, double *out,
                            li2_error *err);
int li2_verify_param_long(const li2_verify_claim *c, int quick, const char *key,
                          const char *def, long min, long max, long *out, li2_error *err);
/* An error from a library call on KEY's value: prefix file and line; returns its code. */
int li2_verify_param_fail(const li2_verify_claim *c, int quick, const char *key,
                          li2_error *err);

/* 1 during li2_verify_check: the kind, once it has read and parsed every
 * parameter it would use (in the mode given by its QUICK argument),
 * returns LI2_SUCCESS without measuring. */
int li2_verify_checking(const li2_verify_claim *c);

/* A kind's N independent jobs (seeds, grid points) in parallel:
 * li2_process_run_jobs (FN, CTX, THREADS as there), each job done counted
 * on the claim's progress (R->progress, restarted with N) when there is one. */
int li2_verify_run_jobs(li2_verify_result *r, size_t n, int threads, li2_process_job_fn fn,
                        void *ctx, li2_error *err);

/* Record measure NAME = X (replacing an earlier value). */
void li2_verify_measure_set(li2_verify_result *r, const char *name, double x);

/* Growing markdown text (s is malloc'ed; hand it to r->detail). */
typedef struct li2_verify_text {
  char *s;
  size_t len, cap;
} li2_verify_text;
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void li2_verify_printf(li2_verify_text *t, const char *fmt, ...);

/* NAME's value: a number, a measure in R, or a numeric parameter of the
 * claim (quick.NAME first when QUICK); NaN when none. */
double li2_verify_operand(const li2_verify_claim *c, int quick, const li2_verify_result *r,
                          const char *name);

/* Split a comma-separated list into at most MAX trimmed words, in place. */
size_t li2_verify_split_list(char *s, char **words, size_t max);
/* KEY's comma-separated words (as li2_verify_param_string, DEF when
 * absent), split in a copy: *BUF receives the malloc'ed copy the at most
 * MAX WORDS point into (the caller frees it, also NULL), *N their count. */
int li2_verify_param_list(const li2_verify_claim *c, int quick, const char *key,
                          const char *def, char **buf, char **words, size_t max, size_t *n,
                          li2_error *err);
/* Each of the N group names (PREFIX, may be NULL, before each) builds a
 * group; else an error naming KEY's file and line.  No name is an error. */
int li2_verify_check_groups(const li2_verify_claim *c, int quick, const char *key,
                            const char *prefix, char *const *names, size_t n, li2_error *err);
/* The group list KEY (li2_verify_param_list, no default), and during
 * li2_verify_check the groups checked (li2_verify_check_groups with PREFIX)
 * and the list freed, *BUF set to NULL: a kind returns on an error or a
 * NULL *BUF, else measures the groups. */
int li2_verify_param_groups(const li2_verify_claim *c, int quick, const char *key,
                            const char *prefix, char **buf, char **names, size_t max, size_t *n,
                            li2_error *err);
/* 1 when S is in the NULL-terminated LIST. */
int li2_verify_in_list(const char *const *list, const char *s);

/* Trainer configuration from the claim's KEY ("key=value ...") followed by
 * EXTRA (may be NULL), through li2 train's own parser. */
struct li2_train_config;
struct li2_trainer;
struct li2_train_metrics;
int li2_verify_train_config(const li2_verify_claim *c, int quick, const char *key,
                            const char *extra, struct li2_train_config *cfg, li2_error *err);
/* The claim's "train" configuration (with EXTRA) trained for its epochs and
 * tested into TM.  *T, when allocated, is the caller's to free, also on
 * failure.  THREADS < 0: inside a parallel job (threads untouched). */
int li2_verify_train_trained(const li2_verify_claim *c, int quick, int threads,
                             const char *extra, struct li2_train_config *cfg,
                             struct li2_trainer **t, struct li2_train_metrics *tm,
                             li2_error *err);

#endif
