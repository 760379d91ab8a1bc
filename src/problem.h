/* The problem set-up shared by the landscape (energy, maxima, flow), the
 * claim checks and the Python interface: group -> characters -> (Fourier
 * workspace) -> data set (chosen exactly as the trainer chooses its
 * training set) -> activation and energy variant, optionally read from a
 * trainer checkpoint's node (node:RUN[#EPOCH]#J).
 *
 * One li2_problem owns everything it builds; li2_problem_free releases it.
 * The command line's keys (group=, activation=, test_size=, ...) are read
 * into li2_problem_params by src/cli/landscape.c. */
#ifndef LI2_PROBLEM_H
#define LI2_PROBLEM_H

#include <stdio.h>

#include "characters.h"
#include "checkpoint.h"
#include "dataset.h"
#include "energy.h"
#include "error.h"
#include "fourier.h"
#include "group.h"
#include "json.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which data set the problem uses. */
enum li2_problem_data {
  LI2_PROBLEM_DATA_AUTO = 0, /* the checkpoint's training set when a node is
                                given, else the full table */
  LI2_PROBLEM_DATA_FULL,     /* the full table M^2 */
  LI2_PROBLEM_DATA_SPLIT,    /* the trainer's split with params.split */
  LI2_PROBLEM_DATA_FILE      /* a split file (li2-split format) */
};

typedef struct li2_problem_params {
  const char *group;        /* group name; NULL: the checkpoint's (group, else M) */
  const char *activation;   /* NULL: the checkpoint's, else sqr */
  double act_a, act_b;      /* activation=quad: a x + b x^2 */
  int act_a_given, act_b_given; /* given: refused unless activation is quad */
  int variant;              /* enum li2_energy_variant */
  double radius;            /* the sphere |w| = radius of the points */
  unsigned long seed;       /* the split's and the random points' seed */
  int data;                 /* enum li2_problem_data */
  li2_split_params split;   /* data=SPLIT (its seed is set from .seed) */
  const char *split_file;   /* data=FILE */
  const char *node;         /* node:RUN[#EPOCH]#J or NULL */
  int fourier;              /* also build the Fourier workspace (f) */
} li2_problem_params;

/* Defaults: no group, sqr, act_a = act_b = 1, raw, radius 1, seed 0, data
 * AUTO, the trainer's split defaults, no node, no Fourier workspace. */
void li2_problem_params_default(li2_problem_params *p);

typedef struct li2_problem {
  li2_group *g;
  li2_characters *ct;
  li2_fourier *f;         /* when params.fourier, else NULL */
  li2_dataset *d;
  li2_checkpoint *ck;     /* when params.node */
  long node;              /* its column (-1: none) */
  li2_activation act;
  double act_a, act_b;    /* activation=quad */
  int variant;
  double radius;
  unsigned long seed;
  char data[256];         /* "full", "split seed=0", ... */
} li2_problem;

/* Build P from PARAMS.  With a node the checkpoint supplies the group when
 * none is given, the activation when none is given, and the training set
 * when data is AUTO.  Errors name the parameter (group, activation, w, ...).
 * On error P holds what was built; li2_problem_free releases it. */
int li2_problem_setup(li2_problem *P, const li2_problem_params *params, li2_error *err);
void li2_problem_free(li2_problem *P);

/* The theorems' setting in one call: GROUP's full table, sigma = x^2, the
 * raw energy, |w| = 1, with the Fourier workspace when FOURIER.  On error
 * P->g is NULL when the group itself was refused (the caller names its
 * parameter). */
int li2_problem_setup_full(li2_problem *P, const char *group, int fourier, li2_error *err);

/* The energy workspace of P (activation, variant, quad coefficients). */
li2_energy *li2_problem_energy(const li2_problem *P, int method, li2_error *err);

/* The node w (2M values) from a spec:
 *   fourier:K[+K2...][,PHASE]  Z_M only: u = sum cos(2 pi k x/M),
 *                              v = sum cos(2 pi k x/M + PHASE), |w| = radius
 *   random[:SEED]              Gaussian direction, |w| = radius (default seed)
 *   node:RUN[#EPOCH]#J         hidden node J of the checkpoint (as is)
 *   file:PATH[#ROW] or PATH    row ROW (0-based, default 0) of a text file of
 *                              2M numbers per line ('#' lines skipped), as is */
int li2_problem_point(const li2_problem *P, const char *spec, double *w, li2_error *err);

/* JSON members describing the setting (group, order, data, ...). */
void li2_problem_json(const li2_problem *P, li2_json_writer *w);
/* The same as "key\tvalue" lines. */
void li2_problem_print(const li2_problem *P, FILE *fp);

#ifdef __cplusplus
}
#endif

#endif
