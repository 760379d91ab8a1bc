/* li2 <subcommand> key=value ... */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"

static const li2_command *const commands[] = {
  &li2_command_group,
  &li2_command_train,
  &li2_command_energy,
  &li2_command_maxima,
  &li2_command_flow,
  &li2_command_compare,
  &li2_command_plot,
  &li2_command_report,
  &li2_command_gradient,
  &li2_command_verify,
  &li2_command_sweep,
  NULL
};

static const li2_words_command *const words_commands[] = {
  &li2_words_command_sweep,
  NULL
};

static const li2_words_command *words_command(const li2_command *c)
{
  for (size_t i = 0; words_commands[i]; i++)
    if (words_commands[i]->command == c)
      return words_commands[i];
  return NULL;
}

const li2_command *li2_cli_command_find(const char *name)
{
  for (size_t i = 0; commands[i]; i++)
    if (!strcmp(commands[i]->name, name))
      return commands[i];
  return NULL;
}

static void usage(FILE *fp)
{
  fprintf(fp, "usage: li2 <subcommand> [key=value ...] [--help]\n\n"
              "Li2 grokking toolkit " PACKAGE_VERSION ".  Subcommands:\n");
  for (size_t i = 0; commands[i]; i++)
    fprintf(fp, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
  fprintf(fp, "\nSee li2(1) or `li2 <subcommand> --help`.\n");
}

static int wants_help(int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return 1;
  return 0;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("li2 %s\n", PACKAGE_VERSION);
    return 0;
  }
  for (size_t i = 0; commands[i]; i++) {
    const li2_command *c = commands[i];
    if (strcmp(argv[1], c->name))
      continue;
    if (wants_help(argc - 2, argv + 2)) {
      li2_args_print_help(stdout, c->name, c->synopsis, c->spec);
      return 0;
    }
    li2_error err = {0};
    li2_args *args = NULL;
    const li2_words_command *wc = words_command(c);
    int rc = wc ? wc->run(argc - 2, argv + 2, &err)
                : li2_args_parse(&args, c->spec, argc - 2, argv + 2, &err);
    if (!rc && !wc)
      rc = c->run(args, &err);
    li2_args_free(args);
    if (rc) {
      fprintf(stderr, "li2 %s: %s\n", c->name,
              err.msg[0] ? err.msg : li2_strerror(rc));
      return li2_status_exit_code(rc);
    }
    return 0;
  }
  fprintf(stderr, "li2: unknown subcommand '%s' (try li2 --help)\n", argv[1]);
  return 2;
}
