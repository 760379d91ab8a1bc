/* The li2 command: one subcommand per file, dispatched from a table. */
#ifndef LI2_CLI_H
#define LI2_CLI_H

#include "../args.h"
#include "../error.h"

typedef struct li2_command {
  const char *name;
  const char *summary;            /* one line for `li2 --help` */
  const char *synopsis;           /* after "li2 NAME" in --help */
  const li2_arg_spec *spec;       /* parameters, ending with {0} */
  int (*run)(const li2_args *args, li2_error *err);
} li2_command;

extern const li2_command li2_command_group;
extern const li2_command li2_command_train;
extern const li2_command li2_command_energy;
extern const li2_command li2_command_maxima;
extern const li2_command li2_command_flow;
extern const li2_command li2_command_compare;
extern const li2_command li2_command_plot;
extern const li2_command li2_command_report;
extern const li2_command li2_command_gradient;
extern const li2_command li2_command_verify;

#endif
