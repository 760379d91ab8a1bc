/* The landscape commands' keys into a problem; see landscape.h. */
#include "landscape.h"

#include <string.h>

/* Any split key selects the trainer's split; test_size=0 alone is the
 * full table (the trainer refuses it, the landscape means it). */
static int split_given(const li2_args *a)
{
  return (li2_args_has(a, "test_size") && li2_args_double(a, "test_size") > 0) ||
         (li2_args_has(a, "train_size") && li2_args_int(a, "train_size") > 0) ||
         li2_args_bool(a, "use_critical_ratio") ||
         li2_args_has(a, "load_dataset_split");
}

int li2_landscape_setup(li2_problem *P, const li2_args *a, const char *wspec,
                        li2_error *err)
{
  li2_problem_params pp;
  li2_problem_params_default(&pp);
  pp.radius = li2_args_double(a, "radius");
  pp.seed = (unsigned long)li2_args_int(a, "seed");
  pp.variant = li2_args_choice(a, "energy");
  if (wspec && !strncmp(wspec, "node:", 5))
    pp.node = wspec;
  if (li2_args_has(a, "group"))
    pp.group = li2_args_string(a, "group");
  else if (li2_args_has(a, "M"))
    pp.group = li2_args_string(a, "M");
  /* with a node, the run's activation unless one is given */
  if (li2_args_given(a, "activation") || !pp.node)
    pp.activation = li2_args_string(a, "activation");
  pp.act_a = li2_args_double(a, "act_a");
  pp.act_b = li2_args_double(a, "act_b");
  pp.act_a_given = li2_args_given(a, "act_a");
  pp.act_b_given = li2_args_given(a, "act_b");
  if (li2_args_has(a, "load_dataset_split")) {
    pp.data = LI2_PROBLEM_DATA_FILE;
    pp.split_file = li2_args_string(a, "load_dataset_split");
  } else if (split_given(a)) {
    pp.data = LI2_PROBLEM_DATA_SPLIT;
    if (li2_args_has(a, "test_size"))
      pp.split.test_size = li2_args_double(a, "test_size");
    if (li2_args_has(a, "train_size"))
      pp.split.train_size = li2_args_int(a, "train_size"); /* 0: use test_size */
    li2_split_critical_from_args(a, &pp.split);
  }
  return li2_problem_setup(P, &pp, err);
}
