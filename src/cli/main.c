/* li2 <subcommand> key=value ... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli.h"
#include "config.h"
#include "../process.h"
#include "train.h"
#include "../provenance.h"
#include "../sweep.h"

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
  &li2_command_export,
  &li2_command_solutions,
  &li2_command_completion,
  NULL
};

const li2_command *const *li2_cli_commands(void)
{
  return commands;
}

static const li2_words_command *const words_commands[] = {
  &li2_words_command_sweep,
  &li2_words_command_train,
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

/* "li2 VERSION (revision REV)": the build's git revision (provenance.h) */
static void print_version(void)
{
  printf("li2 %s (revision %s)\n", PACKAGE_VERSION, li2_provenance_revision());
}

static int wants_flag(int argc, char **argv, const char *flag)
{
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], flag))
      return 1;
  return 0;
}

static int wants_help(int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return 1;
  return 0;
}

/* The command name for the GSL handler's message (set once in main). */
static const char *gsl_command = "li2";

/* GSL's default handler aborts (SIGABRT, a core) on an error li2 did not
 * turn off locally, e.g. an allocation no machine holds: one line and the
 * exit code of li2's own errors instead (issue 15, defect 6). */
static void gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
  int code = gsl_errno == GSL_ENOMEM ? LI2_ENOMEM : gsl_errno == GSL_EINVAL ? LI2_EINVAL
                                                                             : LI2_ENUMERIC;
  fflush(stdout);
  fprintf(stderr, "li2 %s: %s (GSL, %s:%d)\n", gsl_command, reason, file, line);
  exit(li2_status_exit_code(code));
}

/* A point of li2 sweep dies with the sweep: a sweep killed by -9 must not
 * leave children writing into its directory (issue 15, defect 4). */
static void die_with_parent(void)
{
  const char *v = getenv(LI2_SWEEP_PARENT_ENV);
  long parent;
  if (!v)
    return;
  parent = strtol(v, NULL, 10);
  unsetenv(LI2_SWEEP_PARENT_ENV);  /* not for grandchildren (gnuplot) */
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  /* the parent may have died before prctl: then we were reparented */
  if (parent > 0 && getppid() != (pid_t)parent)
    _exit(1);
}

int main(int argc, char **argv)
{
  /* OpenMP's and OpenBLAS's waiting threads sleep, not spin, whatever the
   * environment said (issue 15, defect 14): may execute li2 again */
  li2_process_wait_passive(argv);
  li2_process_init(gsl_handler);
  die_with_parent();
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    print_version();
    return 0;
  }
  for (size_t i = 0; commands[i]; i++) {
    const li2_command *c = commands[i];
    if (strcmp(argv[1], c->name))
      continue;
    gsl_command = c->name;
    if (wants_help(argc - 2, argv + 2)) {
      li2_args_print_help(stdout, c->name, c->synopsis, c->spec);
      return 0;
    }
    if (wants_flag(argc - 2, argv + 2, "--version")) {
      print_version();
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
  {
    const char *names[sizeof commands / sizeof *commands];
    const char *hint;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
      names[i] = commands[i] ? commands[i]->name : NULL;
    hint = li2_args_closest_word(names, argv[1]);
    if (hint)
      fprintf(stderr, "li2: unknown subcommand '%s' (did you mean %s?)\n", argv[1], hint);
    else
      fprintf(stderr, "li2: unknown subcommand '%s' (try li2 --help)\n", argv[1]);
  }
  return 2;
}
