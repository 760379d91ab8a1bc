/* The command-line keys shared by li2 energy, li2 maxima and li2 flow: the
 * group, the data set (chosen exactly as the trainer chooses its training
 * set), the energy settings; the set-up itself is src/problem.c. */
#ifndef LI2_CLI_LANDSCAPE_H
#define LI2_CLI_LANDSCAPE_H

#include <stdio.h>

#include "cli.h"
#include "../problem.h"
#include "../train.h" /* LI2_CRITICAL_RATIO_ARG_SPECS */

/* The parameters every landscape command takes (put first in its table). */
#define LI2_LANDSCAPE_SPEC                                                              \
  {LI2_ARG_STRING, "group", NULL, "group (71, Z4xZ6, S4, D5, Q8, Z7:Z3, A5, file:PATH#K, ...)", 1, 0, NULL, 1}, \
  {LI2_ARG_STRING, "M", NULL, "the trainer's name for the group (order or 2x3x4); group overrides", 1, 0, NULL, 0}, \
  {LI2_ARG_CHOICE, "activation", "sqr", "activation (with w=node: the run's); quad: act_a x + act_b x^2", 1, 0, LI2_NAMES_CHOICES(LI2_ACT_NAMES), 0}, \
  {LI2_ARG_DOUBLE, "act_a", "1", "activation=quad: coefficient a of a x + b x^2", -1e12, 1e12, NULL, 0}, \
  {LI2_ARG_DOUBLE, "act_b", "1", "activation=quad: coefficient b of a x + b x^2", -1e12, 1e12, NULL, 0}, \
  {LI2_ARG_CHOICE, "energy", "raw", "raw: 1/2 |Y~^T sigma~|^2; normalized: divided by |sigma~|^2", 1, 0, LI2_NAMES_CHOICES(LI2_ENERGY_CLI_VARIANT_NAMES), 0}, \
  {LI2_ARG_DOUBLE, "radius", "1", "the sphere |w| = radius", 1e-12, 1e12, NULL, 0},         \
  {LI2_ARG_DOUBLE, "test_size", NULL, "held-out fraction as the trainer (without any split key: full data)", 0, 1, NULL, 0}, \
  {LI2_ARG_INT, "train_size", NULL, "exact number of training pairs (overrides test_size; 0: unset)", 0, 1e15, NULL, 0}, \
  LI2_CRITICAL_RATIO_ARG_SPECS, \
  {LI2_ARG_INT, "seed", "0", "seed of the split (as the trainer's) and of random points", 0, 4294967295.0, NULL, 0}, \
  {LI2_ARG_STRING, "load_dataset_split", NULL, "training set from a split file (li2-split format)", 1, 0, NULL, 0}, \
  {LI2_ARG_FLAG, "json", "false", "print one JSON object", 1, 0, NULL, 0}

/* Read the keys of LI2_LANDSCAPE_SPEC into a problem (src/problem.h) and
 * build it.  WSPEC (may be NULL) is the w= value: with node:RUN[#EPOCH]#J
 * the checkpoint supplies the group when none is given, the activation when
 * none is given, and the training set when no split key is given. */
int li2_landscape_setup(li2_problem *P, const li2_args *a, const char *wspec,
                        li2_error *err);

#endif
