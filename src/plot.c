/* gnuplot scripts from templates, written next to their data; see plot.h. */
#define _POSIX_C_SOURCE 200809L
#include "plot.h"
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
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
    if (li2_io_is_file(p)) {
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
        /* last line of defence: li2 writes neither command substitution nor
         * system() into a script, so a value holding one came from data
         * that escaped li2_plot_quote */
        if (strchr(v, '`') || strstr(v, "system"))
          return li2_error_set(err, LI2_EINVAL,
                               "plot template %s: value of @%.*s@ holds a shell command", where,
                               (int)(e - k), k);
        fputs(v, fp);
        s = e + 1;
        continue;
      }
    }
    fputc(*s++, fp);
  }
  return LI2_SUCCESS;
}

int li2_plot_quote(const char *s, char *out, size_t n)
{
  /* Letters, digits and punctuation inert in every context the string can
   * reach: a gnuplot single-quoted string (no backslash escapes, no `...`
   * substitution), enhanced text (no ^ _ @ & ~ { } \\) and the LaTeX of the
   * tex format (no $ % # \\). */
  static const char safe[] = " .,:;()[]+-/=!?*";
  size_t len = strlen(s);
  if (n < len + 3)
    return -1;
  for (size_t i = 0; i < len; i++)
    if (!isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
      if (!memchr(safe, s[i], sizeof safe - 1))
        return -1;
  out[0] = '\'';
  memcpy(out + 1, s, len);
  out[len + 1] = '\'';
  out[len + 2] = '\0';
  return 0;
}

static const char *const format_names[LI2_PLOT_NFORMATS] = {"pdf", "png", "svg", "tex"};
static const char *const style_names[] = {LI2_PLOT_STYLE_NAMES(LI2_NAME_STRING)};
enum { NSTYLES = sizeof style_names / sizeof *style_names };

int li2_plot_format_from_name(const char *name)
{
  for (int i = 0; i < LI2_PLOT_NFORMATS; i++)
    if (name && !strcmp(name, format_names[i]))
      return i;
  return -1;
}

const char *li2_plot_format_name(int format)
{
  return format >= 0 && format < LI2_PLOT_NFORMATS ? format_names[format] : "?";
}

int li2_plot_style_from_name(const char *name)
{
  return name ? li2_names_find(style_names, NSTYLES, name) : -1;
}

const char *li2_plot_style_name(int style)
{
  return style >= 0 && style < NSTYLES ? style_names[style] : "?";
}

void li2_plot_options_default(li2_plot_options *o)
{
  o->format = LI2_PLOT_PDF;
  o->style = LI2_PLOT_PAPER;
  o->wide = 0;
  o->height = 2.2;
  o->dpi = 300;
}

/* Paper: the column widths of two-column journals; slides: larger, with
 * the font growing faster than the figure so it reads from a distance. */
static double style_scale(int style)
{
  return style == LI2_PLOT_SLIDES ? 1.6 : 1.0;
}

void li2_plot_size(const li2_plot_options *o, double *width_in, double *height_in,
                   long *width_px, long *height_px)
{
  double s = style_scale(o->style);
  double w = (o->wide ? 6.75 : 3.25) * s, h = (o->height > 0 ? o->height : 2.2) * s;
  if (width_in)
    *width_in = w;
  if (height_in)
    *height_in = h;
  if (width_px)
    *width_px = lround(w * o->dpi);
  if (height_px)
    *height_px = lround(h * o->dpi);
}

void li2_plot_names(const char *base, int format, char *script, size_t nscript, char *figure,
                    size_t nfigure)
{
  if (script) {
    if (format == LI2_PLOT_PDF)
      snprintf(script, nscript, "%s", base);
    else
      snprintf(script, nscript, "%s-%s", base, li2_plot_format_name(format));
  }
  if (figure) {
    if (format == LI2_PLOT_TEX)
      snprintf(figure, nfigure, "%s-tex.tex", base);
    else
      snprintf(figure, nfigure, "%s.%s", base, li2_plot_format_name(format));
  }
}

/* The `set terminal` line of a format and style. */
static void terminal_line(const li2_plot_options *o, char *buf, size_t n)
{
  double w, h;
  long wp, hp;
  int slides = o->style == LI2_PLOT_SLIDES;
  double font = slides ? 14 : 8, lw = slides ? 1.6 : 1.0;
  li2_plot_size(o, &w, &h, &wp, &hp);
  switch (o->format) {
  case LI2_PLOT_PNG: {
    /* pngcairo counts points at 72 per inch: fonts, lines and symbols
     * are scaled to the pixel density so the PNG looks like the PDF. */
    double s = o->dpi / 72.0;
    snprintf(buf, n,
             "set terminal pngcairo enhanced color size %ld,%ld font \"Helvetica,%g\" "
             "fontscale %.6g linewidth %.6g pointscale %.6g background \"#ffffff\"",
             wp, hp, font, s, lw * s, s);
    break;
  }
  case LI2_PLOT_SVG:
    snprintf(buf, n,
             "set terminal svg enhanced size %ld,%ld font \"Helvetica,%g\" linewidth %g "
             "background \"#ffffff\"",
             lround(w * 72), lround(h * 72), font, lw);
    break;
  case LI2_PLOT_TEX:
    /* LaTeX sets the text: at the size gnuplot lays it out with, not the
     * document's (10-12 pt), which would push labels over the axes */
    snprintf(buf, n,
             "set terminal cairolatex pdf color size %.4gin,%.4gin font \",%g\" linewidth %g "
             "header \"\\\\fontsize{%g}{%g}\\\\selectfont\"",
             w, h, font, lw, font, 1.2 * font);
    break;
  default:
    snprintf(buf, n,
             "set terminal pdfcairo enhanced color size %.4gin,%.4gin font \"Helvetica,%g\" "
             "linewidth %g",
             w, h, font, lw);
  }
}

/* Text markup for LaTeX (cairolatex): {/:Italic X} and the older
 * {/Helvetica-Oblique X} become $X$ with Greek letters as macros, and
 * 10^{%L} becomes $10^{%L}$. */
static const char *const greek[][2] = {
  {"α", "\\alpha"}, {"β", "\\beta"}, {"γ", "\\gamma"}, {"δ", "\\delta"}, {"ε", "\\epsilon"},
  {"η", "\\eta"}, {"θ", "\\theta"}, {"λ", "\\lambda"}, {"μ", "\\mu"}, {"ν", "\\nu"},
  {"π", "\\pi"}, {"ρ", "\\rho"}, {"σ", "\\sigma"}, {"φ", "\\phi"}, {"χ", "\\chi"},
  {"ω", "\\omega"}, {"Δ", "\\Delta"}, {NULL, NULL}};

/* Inside a double-quoted gnuplot string a backslash starts an escape
 * ("\e" is read as "e"): the macro's backslash is doubled there. */
static void tex_math(FILE *fp, const char *s, size_t len, int dquoted)
{
  fputc('$', fp);
  for (size_t i = 0; i < len;) {
    int done = 0;
    for (size_t g = 0; greek[g][0] && !done; g++) {
      size_t gl = strlen(greek[g][0]);
      if (i + gl <= len && !strncmp(s + i, greek[g][0], gl)) {
        fprintf(fp, "%s%s ", dquoted ? "\\" : "", greek[g][1]);
        i += gl;
        done = 1;
      }
    }
    if (!done)
      fputc(s[i++], fp);
  }
  fputc('$', fp);
}

static void tex_translate(FILE *fp, const char *s)
{
  static const char *const opens[] = {"{/:Italic ", "{/Helvetica-Oblique ", NULL};
  char quote = 0;  /* the gnuplot string S is in: '"', '\'' or none */
  while (*s) {
    int done = 0;
    if (!quote && *s == '#') {  /* a comment: copied to the end of its line */
      size_t n = strcspn(s, "\n");
      fwrite(s, 1, n, fp);
      s += n;
      continue;
    }
    if (quote == '"' && *s == '\\' && s[1]) {
      fputc(*s++, fp);
      fputc(*s++, fp);
      continue;
    }
    if (*s == '"' || *s == '\'') {
      if (!quote)
        quote = *s;
      else if (quote == *s)
        quote = 0;
    }
    for (int k = 0; opens[k] && !done; k++) {
      size_t ol = strlen(opens[k]);
      if (!strncmp(s, opens[k], ol)) {
        const char *b = s + ol, *e = b;
        int depth = 1;
        while (*e && depth > 0) {
          depth += *e == '{';
          depth -= *e == '}';
          if (depth > 0)
            e++;
        }
        if (*e == '}') {
          tex_math(fp, b, (size_t)(e - b), quote == '"');
          s = e + 1;
          done = 1;
        }
      }
    }
    if (!done && !strncmp(s, "10^{%L}", 7)) {
      fputs("$10^{%L}$", fp);
      s += 7;
      done = 1;
    }
    if (!done)
      fputc(*s++, fp);
  }
}

int li2_plot_write_script_opt(const char *dir, const char *base, const char *name,
                              const li2_plot_var *vars, size_t nvars,
                              const li2_plot_options *opt, li2_error *err)
{
  char *style = NULL, *body = NULL, *path = NULL, *text = NULL, out[512], gp[520], sb[512];
  char term[512], height[32], font[64], keyfont[32], fontpt[16], widthpt[32], heightpt[32];
  size_t textlen = 0;
  FILE *mem = NULL;
  li2_io_file f;
  li2_plot_options o = *opt;
  int rc;
  const char *defs[][2] = {{"OUTPUT", out}, {"HEIGHT", height}, {"TERMINAL", term},
                           {"FONT", font}, {"KEYFONT", keyfont}, {"FONTPT", fontpt},
                           {"WIDTHPT", widthpt}, {"HEIGHTPT", heightpt}, {NULL, NULL}};
  /* a HEIGHT variable ("3.2in") sets the height, as in li2_plot_write_script */
  for (size_t i = 0; i < nvars; i++)
    if (!strcmp(vars[i].key, "HEIGHT"))
      o.height = strtod(vars[i].value, NULL);
  if (o.format < 0 || o.format >= LI2_PLOT_NFORMATS)
    return li2_error_set(err, LI2_EINVAL, "plot: unknown format %d", o.format);
  if (!(o.height > 0) || o.dpi < 10)
    return li2_error_set(err, LI2_EINVAL, "plot: bad figure height or dpi");
  li2_plot_names(base, o.format, sb, sizeof sb, out, sizeof out);
  snprintf(gp, sizeof gp, "%s.gp", sb);
  terminal_line(&o, term, sizeof term);
  {
    double w, h, pt = o.style == LI2_PLOT_SLIDES ? 14.0 : 8.0;
    li2_plot_size(&o, &w, &h, NULL, NULL);
    snprintf(height, sizeof height, "%.4gin", h);
    /* the canvas in points: templates set margins in ems of the font */
    snprintf(widthpt, sizeof widthpt, "%.6g", w * 72);
    snprintf(heightpt, sizeof heightpt, "%.6g", h * 72);
    snprintf(fontpt, sizeof fontpt, "%g", pt);
    snprintf(font, sizeof font, "Helvetica,%g", pt);
    /* LaTeX sets every label at the terminal's size */
    snprintf(keyfont, sizeof keyfont, ",%g",
             o.format == LI2_PLOT_TEX ? pt : o.style == LI2_PLOT_SLIDES ? 12.0 : 7.0);
  }
  if ((rc = read_template("style", &style, err)) || (rc = read_template(name, &body, err)))
    goto done;
  if (!(mem = open_memstream(&text, &textlen))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  fprintf(mem, "# %s: written by li2 from the templates style.gp and %s.gp.\n"
               "# Run `gnuplot %s` in this directory to redraw %s.\n",
          gp, name, gp, out);
  rc = substitute(mem, style, "style.gp", vars, nvars, defs, err);
  if (!rc) {
    char where[300];
    snprintf(where, sizeof where, "%s.gp", name);
    /* where the style ends: scripts of one's own (examples/) take the
     * lines above it to draw in li2's style */
    fprintf(mem, "\n# ---- end of style.gp; the figure (%s) ----\n", where);
    rc = substitute(mem, body, where, vars, nvars, defs, err);
  }
  if (fclose(mem) && !rc)
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  mem = NULL;
  if (rc)
    goto done;
  if (!(path = li2_io_path(dir, gp))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = li2_io_open_atomic(&f, path, err)))
    goto done;
  if (o.format == LI2_PLOT_TEX)
    tex_translate(f.fp, text);
  else
    fputs(text, f.fp);
  rc = li2_io_commit(&f, err);
done:
  free(text);
  free(style);
  free(body);
  free(path);
  return rc;
}

int li2_plot_write_script(const char *dir, const char *base, const char *name,
                          const li2_plot_var *vars, size_t nvars, li2_error *err)
{
  li2_plot_options o;
  li2_plot_options_default(&o);
  return li2_plot_write_script_opt(dir, base, name, vars, nvars, &o, err);
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
    if (li2_io_is_file(cand) && access(cand, X_OK) == 0)
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

int li2_plot_stages(char *buf, size_t size, const double *x0, const double *x1,
                    const char *const *name, size_t n, double xmin, double xmax, int logx,
                    int style)
{
  static const char *const colors[3] = {"#56B4E9", "#E69F00", "#009E73"};
  size_t len = 0;
  int drawn = 0;
  if (size)
    buf[0] = 0;
  for (size_t i = 0; i < n && i < 3; i++) {
    double a = x0[i], b = x1[i];
    char label[64];
    int k;
    if (isnan(a))
      continue;
    if (isnan(b))
      b = xmax;  /* an open stage runs to the end */
    a = fmax(a, xmin);
    b = fmin(b, xmax);
    if (!(b > a))
      continue;
    k = snprintf(buf + len, size - len,
                 "set object %zu rect from %.10g, graph 0 to %.10g, graph 1 behind "
                 "fc rgb \"%s\" fs transparent solid 0.18 noborder\n",
                 i + 1, a, b, colors[i]);
    if (k < 0 || (size_t)k >= size - len)
      goto full;
    len += (size_t)k;
    /* staggered heights: short early stages would overlap at one */
    if (name && name[i] && li2_plot_quote(name[i], label, sizeof label) == 0) {
      k = snprintf(buf + len, size - len, "set label %zu %s at %.10g, graph %.2f center font \",%d\"\n",
                   i + 1, label, logx ? sqrt(a * b) : 0.5 * (a + b), i % 2 ? 0.84 : 0.93,
                   style == LI2_PLOT_SLIDES ? 12 : 7);
      if (k < 0 || (size_t)k >= size - len)
        goto full;
      len += (size_t)k;
    }
    drawn++;
  }
  return drawn;
full:
  if (size)
    buf[0] = 0;
  return -1;
}
