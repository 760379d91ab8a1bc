/* gnuplot scripts from templates, written next to their data; see plot.h. */
#define _POSIX_C_SOURCE 200809L
#include "plot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"

#ifndef LI2_PKGDATADIR
#define LI2_PKGDATADIR ""
#endif
#ifndef LI2_SRCDIR
#define LI2_SRCDIR ""
#endif

static int is_file(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int li2_plot_template_path(const char *name, char **path, li2_error *err)
{
  const char *env = getenv("LI2_DATADIR");
  char file[256], src[4096];
  const char *dirs[3];
  size_t nd = 0;
  *path = NULL;
  snprintf(file, sizeof file, "%s.gp", name);
  snprintf(src, sizeof src, "%s/plots", LI2_SRCDIR);
  if (env && *env)
    dirs[nd++] = env;
  if (*LI2_PKGDATADIR)
    dirs[nd++] = LI2_PKGDATADIR;
  if (*LI2_SRCDIR)
    dirs[nd++] = src;
  for (size_t i = 0; i < nd; i++) {
    char *p = li2_io_path(dirs[i], file);
    if (!p)
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    if (is_file(p)) {
      *path = p;
      return LI2_SUCCESS;
    }
    free(p);
  }
  return li2_error_set(err, LI2_EIO,
                       "plot template %s not found in %s%s%s%s%s (set LI2_DATADIR)", file,
                       nd > 0 ? dirs[0] : "(no directory)", nd > 1 ? ", " : "",
                       nd > 1 ? dirs[1] : "", nd > 2 ? ", " : "", nd > 2 ? dirs[2] : "");
}

static int read_template(const char *name, char **text, li2_error *err)
{
  char *path;
  int rc = li2_plot_template_path(name, &path, err);
  if (rc)
    return rc;
  rc = li2_io_read_file(path, text, NULL, err);
  free(path);
  return rc;
}

static const char *lookup(const li2_plot_var *vars, size_t nvars, const char *defs[][2],
                          const char *key, size_t klen)
{
  for (size_t i = nvars; i-- > 0;)
    if (strlen(vars[i].key) == klen && !strncmp(vars[i].key, key, klen))
      return vars[i].value;
  for (size_t i = 0; defs[i][0]; i++)
    if (strlen(defs[i][0]) == klen && !strncmp(defs[i][0], key, klen))
      return defs[i][1];
  return NULL;
}

/* Copy TEXT to FP replacing @KEY@ tokens (KEY: capitals, digits, '_').
 * The first unknown token is reported. */
static int substitute(FILE *fp, const char *text, const char *where,
                      const li2_plot_var *vars, size_t nvars, const char *defs[][2],
                      li2_error *err)
{
  const char *s = text;
  while (*s) {
    if (*s == '@') {
      const char *k = s + 1, *e = k;
      while (isupper((unsigned char)*e) || isdigit((unsigned char)*e) || *e == '_')
        e++;
      if (*e == '@' && e > k) {
        const char *v = lookup(vars, nvars, defs, k, (size_t)(e - k));
        if (!v)
          return li2_error_set(err, LI2_EINVAL, "plot template %s: no value for @%.*s@",
                               where, (int)(e - k), k);
        fputs(v, fp);
        s = e + 1;
        continue;
      }
    }
    fputc(*s++, fp);
  }
  return LI2_SUCCESS;
}

int li2_plot_write_script(const char *dir, const char *base, const char *name,
                          const li2_plot_var *vars, size_t nvars, li2_error *err)
{
  char *style = NULL, *body = NULL, *path = NULL, out[512], gp[512];
  li2_io_file f;
  int rc;
  const char *defs[][2] = {{"OUTPUT", out}, {"HEIGHT", "2.2in"}, {NULL, NULL}};
  snprintf(out, sizeof out, "%s.pdf", base);
  snprintf(gp, sizeof gp, "%s.gp", base);
  if ((rc = read_template("style", &style, err)) || (rc = read_template(name, &body, err)))
    goto done;
  path = li2_io_path(dir, gp);
  if (!path) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_io_open_atomic(&f, path, err)))
    goto done;
  fprintf(f.fp, "# %s: written by li2 from the templates style.gp and %s.gp.\n"
                "# Run `gnuplot %s` in this directory to redraw %s.\n",
          gp, name, gp, out);
  rc = substitute(f.fp, style, "style.gp", vars, nvars, defs, err);
  if (!rc) {
    char where[300];
    snprintf(where, sizeof where, "%s.gp", name);
    fputc('\n', f.fp);
    rc = substitute(f.fp, body, where, vars, nvars, defs, err);
  }
  if (rc)
    li2_io_abort(&f);
  else
    rc = li2_io_commit(&f, err);
done:
  free(style);
  free(body);
  free(path);
  return rc;
}

char *li2_plot_gnuplot_path(void)
{
  const char *p = getenv("PATH");
  if (!p || !*p)
    return NULL;
  while (*p) {
    const char *e = strchr(p, ':');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    /* An empty PATH entry means the current directory. */
    char *cand = malloc(n + 10);
    if (!cand)
      return NULL;
    if (n == 0)
      strcpy(cand, "./gnuplot");
    else {
      memcpy(cand, p, n);
      strcpy(cand + n, "/gnuplot");
    }
    if (is_file(cand) && access(cand, X_OK) == 0)
      return cand;
    free(cand);
    p += n;
    if (*p == ':')
      p++;
  }
  return NULL;
}

int li2_plot_run(const char *dir, const char *base, li2_error *err)
{
  char *gnuplot = li2_plot_gnuplot_path(), gp[512], log[512];
  pid_t pid;
  int status;
  if (!gnuplot)
    return li2_error_set(err, LI2_EUNSUP, "gnuplot not found on PATH (the script %s/%s.gp is written)",
                         dir, base);
  snprintf(gp, sizeof gp, "%s.gp", base);
  snprintf(log, sizeof log, "%s.log", base);
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    free(gnuplot);
    return li2_error_set(err, LI2_EIO, "cannot start gnuplot: %s", strerror(errno));
  }
  if (pid == 0) {
    int fd;
    if (chdir(dir) != 0)
      _exit(126);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd >= 0) {
      dup2(fd, STDERR_FILENO);
      dup2(fd, STDOUT_FILENO);
      close(fd);
    }
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
      dup2(fd, STDIN_FILENO);
      close(fd);
    }
    execl(gnuplot, "gnuplot", gp, (char *)NULL);
    _exit(127);
  }
  free(gnuplot);
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return li2_error_set(err, LI2_EIO, "gnuplot: %s", strerror(errno));
  {
    char *lp = li2_io_path(dir, log);
    struct stat st;
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok && lp && stat(lp, &st) == 0 && st.st_size == 0)
      remove(lp);
    free(lp);
    if (!ok)
      return li2_error_set(err, LI2_EIO, "gnuplot failed on %s/%s.gp (see %s/%s)", dir, base,
                           dir, log);
  }
  return LI2_SUCCESS;
}
