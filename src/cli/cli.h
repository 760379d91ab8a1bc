/* The li2 command: one subcommand per file, dispatched from a table. */
#ifndef LI2_CLI_H
#define LI2_CLI_H

#include <stdio.h>

#include "../args.h"
#include "../error.h"

typedef struct li2_command {
  const char *name;
  const char *summary;            /* one line for `li2 --help` */
  const char *synopsis;           /* after "li2 NAME" in --help */
  const li2_arg_spec *spec;       /* parameters, ending with {0} */
  int (*run)(const li2_args *args, li2_error *err);
} li2_command;

/* A command whose words are not all its own parameters (li2 sweep
 * SUBCOMMAND KEY=LIST ...): RUN gets the raw words after its name;
 * COMMAND gives its name, summary and options for --help. */
typedef struct li2_words_command {
  const li2_command *command;
  int (*run)(int argc, char **argv, li2_error *err);
} li2_words_command;

/* The subcommands, NULL-terminated. */
const li2_command *const *li2_cli_commands(void);
/* Write the bash completion script of every subcommand to FP; 0 or -1. */
int li2_cli_completion_bash(FILE *fp);

/* The subcommand called NAME, or NULL. */
const li2_command *li2_cli_command_find(const char *name);

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
extern const li2_command li2_command_sweep;
extern const li2_command li2_command_export;
extern const li2_command li2_command_solutions;
extern const li2_command li2_command_completion;
extern const li2_words_command li2_words_command_sweep;
extern const li2_words_command li2_words_command_train;

#endif
