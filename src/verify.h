/* The paper's claims as executable numeric checks (li2 verify; theory/).
 *
 * A claim is a small declarative file (theory/C1-maxima-energies.claim):
 * lines `key = value`, '#' comments and blank lines ignored, a line ending
 * in '\' continued on the next.  Required keys:
 *   id         short name (C1)
 *   statement  the claim in words
 *   source     paper theorem / figure and doc/mathematics.md section
 *   kind       the measurement procedure, a name in the registry of
 *              src/verify.c ({kind, parameters, measures, function})
 *   verdict    the PASS rule: `COND [and|or COND ...]` ('and' binds
 *              tighter), COND = `NAME OP RHS` with OP one of <= < >= >
 *              and NAME, RHS a measure of the kind, a numeric parameter
 *              of the claim, or a number
 * Optional:
 *   fail_if    when given, a claim whose verdict rule does not hold FAILs
 *              only if this rule holds, else it is INCONCLUSIVE (for
 *              statistical tests whose data may not decide)
 *   tolerance  shown in the table; usually referenced by the rules
 *   section    the paper's section ("4 Stage II: independent feature
 *              learning"): verify.md groups claims by it
 *   quick      `yes` (the default) or `no: REASON`: whether the claim has a
 *              reduced form that still tests it.  With `no`, --quick does
 *              not run it (verdict NOT-RUN, REASON shown), rather than give
 *              a verdict its reduced data cannot support.
 *   any parameter of the kind, and `quick.KEY` overriding KEY for --quick.
 * A condition with a NaN operand is undecided (three-valued logic); an
 * undecided verdict rule gives INCONCLUSIVE.
 * The prediction is computed by li2's closed forms inside the kind, never
 * typed in the file.  Errors name the file and line.
 *
 * Memory contract: claims and results are owned by the caller and released
 * with their _free / _clear functions (accepting NULL). */
#ifndef LI2_VERIFY_H
#define LI2_VERIFY_H

#include <stddef.h>
#include <stdio.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum li2_verify_verdict {
  LI2_VERIFY_PASS = 0,
  LI2_VERIFY_FAIL,
  LI2_VERIFY_INCONCLUSIVE,
  LI2_VERIFY_NOT_RUN,          /* --quick and the claim has `quick = no` */
  LI2_VERIFY_ERROR             /* the measurement raised an error (WHAT holds it) */
};
const char *li2_verify_verdict_name(int verdict);

typedef struct li2_verify_claim li2_verify_claim;
struct li2_progress;

/* Parse claim TEXT; PATH names it in messages ("PATH:LINE: ...").
 * LI2_EFORMAT for syntax errors, missing or repeated keys, an unknown kind,
 * a parameter the kind does not take, a malformed rule or a rule naming
 * something that is neither a measure nor a numeric parameter. */
int li2_verify_claim_parse(const char *text, const char *path, li2_verify_claim **out,
                           li2_error *err);
/* Read and parse the file PATH (LI2_EIO if unreadable). */
int li2_verify_claim_load(const char *path, li2_verify_claim **out, li2_error *err);
void li2_verify_claim_free(li2_verify_claim *c);

const char *li2_verify_claim_id(const li2_verify_claim *c);
const char *li2_verify_claim_statement(const li2_verify_claim *c);
const char *li2_verify_claim_source(const li2_verify_claim *c);
/* The paper's section the claim belongs to ("3 Stage I: lazy learning"); "" if none. */
const char *li2_verify_claim_section(const li2_verify_claim *c);
const char *li2_verify_claim_kind(const li2_verify_claim *c);
const char *li2_verify_claim_rule(const li2_verify_claim *c);
const char *li2_verify_claim_path(const li2_verify_claim *c);

/* 1 when the claim has a quick form (`quick` absent or `yes`), 0 for
 * `quick = no: REASON`; *REASON (may be NULL) receives REASON ("" if none). */
int li2_verify_claim_has_quick(const li2_verify_claim *c, const char **reason);

/* Value of parameter KEY (quick.KEY first when QUICK); NULL when absent.
 * *LINE (may be NULL) receives its line. */
const char *li2_verify_claim_param(const li2_verify_claim *c, const char *key, int quick,
                                   int *line);

#define LI2_VERIFY_MAX_MEASURES 64

typedef struct li2_verify_result {
  char id[64];
  int verdict;                 /* enum li2_verify_verdict */
  double predicted, measured;  /* the headline pair (see the kind) */
  double tolerance;            /* the claim's tolerance parameter, NaN if none */
  char what[256];              /* what predicted/measured are */
  size_t nmeasures;
  char measure_name[LI2_VERIFY_MAX_MEASURES][32];
  double measure[LI2_VERIFY_MAX_MEASURES];
  char *detail;                /* markdown for verify.md (malloc'ed, may be NULL) */
  double seconds;              /* wall time of the measurement */
  struct li2_progress *progress; /* li2_verify_run's PROGRESS while the kind runs, else NULL */
} li2_verify_result;

void li2_verify_result_clear(li2_verify_result *r);

/* Run claim C (reduced parameters when QUICK) and decide its verdict;
 * with QUICK and `quick = no` nothing runs: verdict LI2_VERIFY_NOT_RUN,
 * WHAT holds the reason.
 * THREADS: OpenMP threads for the kinds that use them (0: default); the
 * kinds that repeat independent trainings or landscape searches run them
 * in parallel, each single-threaded, so their results do not depend on
 * THREADS.
 * PROGRESS (may be NULL; io.h): the kinds that run independent jobs (seeds,
 * grid points) report each job done on it, restarted with the jobs' count
 * at every batch, so a claim of many minutes shows where it is.
 * Errors (bad parameter values: file and line; a failure of the
 * measurement itself, e.g. a training run that diverges) are returned and
 * also recorded in R: verdict LI2_VERIFY_ERROR, WHAT the message, SECONDS
 * the time until the error, no measures. */
int li2_verify_run(const li2_verify_claim *c, int quick, int threads,
                   struct li2_progress *progress, li2_verify_result *r, li2_error *err);

/* Check claim C's parameter values without measuring: the full values
 * and the quick ones (also of a claim with `quick = no`), each read and
 * parsed by the kind as its run would, and the parameters its rules name
 * finite (defect 12 of issue 15: --quick must not hide a broken full-mode
 * value).  Errors name the file and line.  The check
 * records which keys the kind read (li2_verify_check_unread); C is not
 * otherwise changed, but must not be checked from two threads at once. */
int li2_verify_check(const li2_verify_claim *c, li2_error *err);
/* Measures the kind recorded during the last
 * li2_verify_check of C: 0 when it stopped before measuring, as it must. */
size_t li2_verify_check_measures(const li2_verify_claim *c);
/* The I-th parameter key of C that the last li2_verify_check did not read
 * (a value no check covers); NULL past the last, or when C's kind has no
 * check pass. */
const char *li2_verify_check_unread(const li2_verify_claim *c, size_t i);

/* Decide a rule (the verdict syntax) against measures R and the claim's
 * parameters: 1 holds, 0 does not, -1 undecided (a NaN operand). */
int li2_verify_rule_eval(const li2_verify_claim *c, const char *rule, int quick,
                         const li2_verify_result *r, li2_error *err);

/* Name of the I-th registered kind (0-based); NULL past the last. */
const char *li2_verify_kind_name(size_t i);
/* The number of measures kind I declares (each must fit a result's
 * LI2_VERIFY_MAX_MEASURES, else li2_verify_measure_set would drop some). */
size_t li2_verify_kind_nmeasures(size_t i);

#ifdef __cplusplus
}
#endif

#endif
