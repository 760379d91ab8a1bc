/* Figures (figures.h) and the plot module's formats and styles (plot.h).
 *   - sizes: paper 3.25 in / 6.75 in wide, PNG pixels = inches x dpi;
 *   - script names and figure names per format;
 *   - for a directory holding data for every figure (written here, in the
 *     formats li2 train, compare, maxima and gradient write), every figure
 *     is drawn in pdf, png, svg and tex; when gnuplot is installed every
 *     script runs without errors or warnings (no .log file is left) and
 *     every PNG is non-empty with the width and height requested in its
 *     header, every PDF starts with %PDF;
 *   - the tex scripts carry LaTeX math ($E$, $\eta$) and no enhanced-text
 *     markup; the slides style is larger than the paper style;
 *   - a template token without a value is an error naming it;
 *   - a directory without data is an error. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "figures.h"
#include "io.h"
#include "plot.h"
#include "tap.h"

static void put(const char *dir, const char *name, const char *text)
{
  char *p = li2_io_path(dir, name);
  FILE *fp = fopen(p, "w");
  if (fp) {
    fputs(text, fp);
    fclose(fp);
  }
  free(p);
}

static void putf(const char *dir, const char *name, void (*fn)(FILE *))
{
  char *p = li2_io_path(dir, name);
  FILE *fp = fopen(p, "w");
  if (fp) {
    fn(fp);
    fclose(fp);
  }
  free(p);
}

/* A grokking-like run: train accuracy rises at ~40, test at ~250. */
static void metrics(FILE *fp)
{
  /* with li2 train's stage1_stats columns (the stage1 figure) */
  fputs("epoch\ttrain_acc\ttest_acc\ttrain_loss\ttest_loss\tgf_norm\tw_norm\tv_norm\tftf_diag\t"
        "ftf_offdiag\tlr\tpff_diag\tpff_offdiag\tdw_cos\tdv_cos\n", fp);
  for (int e = 0; e <= 1000; e += 10) {
    double tr = 1 / (1 + exp(-(e - 25) / 6.0)), te = 1 / (1 + exp(-(e - 250) / 40.0));
    fprintf(fp, "%d\t%g\t%g\t%g\t%g\t%g\t1\t1\t1\t0.03\t0.003\t2\t0.1\t", e, tr, te,
            1 - 0.999 * tr, 1.2 - 1.19 * te, 0.01 + exp(-(e - 100) * (e - 100) / 2000.0));
    if (e == 0)
      fputs("nan\tnan\n", fp);
    else
      fprintf(fp, "%g\t%g\n", 1e-4 * exp(-e / 300.0), 1e-3 * exp(-e / 50.0) + 1e-6);
  }
}

static void emergence(FILE *fp)
{
  fputs("epoch\ttrain_acc\ttest_acc\tactive_nodes\tat_max_nodes\tat_predicted_max_fraction\t"
        "mean_purity\tcovered\tmissing\n", fp);
  for (int e = 0; e <= 1000; e += 50) {
    double f = e < 200 ? 0 : fmin(1, (e - 200) / 600.0);
    int cov = e < 200 ? 0 : e > 450 ? 11 : (e - 200) / 25;
    fprintf(fp, "%d\t1\t%g\t%d\t%d\t%g\t%g\t%d\t%d\n", e, fmin(1, e / 300.0), 128 - e / 10,
            (int)(f * 50), f, 0.4 + 0.6 * f, cov, 11 - cov);
  }
}

static void spectrum(FILE *fp)
{
  fputs("epoch", fp);
  for (int k = 1; k <= 11; k++)
    fprintf(fp, "\tc%d", k);
  fputc('\n', fp);
  for (int e = 0; e <= 1000; e += 50) {
    fprintf(fp, "%d", e);
    for (int k = 1; k <= 11; k++)
      fprintf(fp, "\t%g", (1.0 + 0.3 * sin(k + e / 200.0)) / 11);
    fputc('\n', fp);
  }
}

/* power-EPOCH.tsv as li2_compare_write_power writes it. */
static void power_table(FILE *fp, int sharp)
{
  fputs("# rank\tnode\tactive\tcomponent", fp);
  for (int k = 1; k <= 11; k++)
    fprintf(fp, "\tc%d", k);
  fputc('\n', fp);
  for (int j = 0; j < 30; j++) {
    int c = 1 + j * 11 / 30;
    fprintf(fp, "%d\t%d\t%d\t%d", j, j, j < 25, c);
    for (int k = 1; k <= 11; k++)
      fprintf(fp, "\t%g", k == c ? (sharp ? 0.98 : 0.3) : (sharp ? 0.002 : 0.07));
    fputc('\n', fp);
  }
}
static void power0(FILE *fp) { power_table(fp, 0); }
static void power1(FILE *fp) { power_table(fp, 1); }

static void maxima(FILE *fp)
{
  fputs("start\tenergy\tlabel\tcomponent\tpurity\tgrad_norm\thess_max\thess_min\tzero_modes\t"
        "memorisation\titerations\n", fp);
  for (int i = 0; i < 40; i++)
    fprintf(fp, "%d\t%.15g\t%s\t%d\t1\t1e-9\t-1e-3\t-2\t2\t0.1\t20\n", i,
            i % 10 ? 12.0 : 4.0 + 0.01 * i, i % 10 ? "max" : "saddle", 1 + i % 3);
}

static void compare_tsv(FILE *fp)
{
  fputs("node\tactive\tnorm\tnorm_u\tnorm_v\tcomponent\tpurity\tphase_u\tphase_v\tenergy\t"
        "predicted\tenergy_ratio\tangle\tenergy_end\tlabel_end\tcomponent_end\titerations\tat_max\n",
        fp);
  for (int j = 0; j < 20; j++)
    fprintf(fp, "%d\t%d\t1\t0.7\t0.7\t1\t0.99\t0\t0\t%g\t12\t1\t0.5\t12\tmax\t1\t9\t1\n", j,
            j < 15, 11.5 + 0.03 * j);
}

static void independence(FILE *fp)
{
  fputs("epoch\teta\trel_distance\town_share\n", fp);
  for (int k = 0; k < 2; k++)
    for (int i = 0; i <= 8; i++) {
      double eta = pow(10, -6 + i);
      fprintf(fp, "%d\t%g\t%g\t%g\n", k * 1000, eta, 1 / (1 + eta * (k ? 0.1 : 10)),
              1 - 0.7 / (1 + eta * 10));
    }
}

static void sweep(FILE *fp)
{
  fputs("M\ttrain_fraction\tseed\ttest_acc\n", fp);
  for (int M = 23; M <= 127; M += 26)
    for (int q = 1; q <= 9; q++)
      for (int s = 0; s < 2; s++) {
        double p = q / 10.0, b = 2.7482 * log(M) / M;
        fprintf(fp, "%d\t%g\t%d\t%g\n", M, p, s, p > b ? 1.0 - 0.1 * s : 0.05 * s);
      }
}

static void make_data(const char *dir)
{
  char *sub;
  putf(dir, "metrics.tsv", metrics);
  put(dir, "stages.tsv", "stage\tstart_epoch\tend_epoch\tcriterion\nI\t0\t40\ttrain_acc\n"
                         "II\t40\t200\tpure_nodes\nIII\t200\t-\topen\n");
  putf(dir, "emergence.tsv", emergence);
  putf(dir, "spectrum.tsv", spectrum);
  sub = li2_io_path(dir, "power");
  mkdir(sub, 0777);
  putf(sub, "power-000000.tsv", power0);
  putf(sub, "power-000500.tsv", power1);
  putf(sub, "power-001000.tsv", power1);
  free(sub);
  putf(dir, "maxima.tsv", maxima);
  put(dir, "summary.tsv", "component\tdegree\tindicator\treal_dim\tenergy\tpredicted_energy\t"
                          "rel_error\tcount\tzero_modes\n1\t1\t+1\t1\t12\t12\t0\t12\t2\n"
                          "3\t3\t+1\t3\t4\t4\t0\t12\t2\n");
  putf(dir, "compare.tsv", compare_tsv);
  put(dir, "compare.json",
      "{\"group\": \"Z23\", \"nodes_per_component\": [0, 4, 4, 5, 4, 4, 0, 6, 6, 4, 4, 3],\n"
      " \"at_max_per_component\": [0, 4, 3, 5, 4, 4, 0, 6, 6, 4, 4, 3]}\n");
  putf(dir, "independence.tsv", independence);
  putf(dir, "sweep.tsv", sweep);
}

static const char *const figures[] = {"grokking", "emergence", "energy", "coverage", "power",
                                      "spectrum", "gf-eta", "phase", "stage1", NULL};

static int read_png_size(const char *path, long *w, long *h, long *size)
{
  unsigned char b[24];
  FILE *fp = fopen(path, "rb");
  struct stat st;
  if (!fp)
    return -1;
  if (fread(b, 1, 24, fp) != 24) {
    fclose(fp);
    return -1;
  }
  fclose(fp);
  stat(path, &st);
  *size = (long)st.st_size;
  if (memcmp(b, "\x89PNG\r\n\x1a\n", 8) || memcmp(b + 12, "IHDR", 4))
    return -1;
  *w = ((long)b[16] << 24) | ((long)b[17] << 16) | ((long)b[18] << 8) | b[19];
  *h = ((long)b[20] << 24) | ((long)b[21] << 16) | ((long)b[22] << 8) | b[23];
  return 0;
}

static int file_starts(const char *path, const char *magic)
{
  char b[16] = {0};
  FILE *fp = fopen(path, "rb");
  size_t n = strlen(magic);
  int okk;
  if (!fp)
    return 0;
  okk = fread(b, 1, n, fp) == n && !memcmp(b, magic, n);
  fclose(fp);
  return okk;
}

static int contains(const char *path, const char *s)
{
  char *text = NULL;
  size_t len;
  int found;
  if (li2_io_read_file(path, &text, &len, NULL))
    return 0;
  found = strstr(text, s) != NULL;
  free(text);
  return found;
}

/* Logs left by gnuplot (warnings) in DIR. */
static size_t count_logs(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  size_t n = 0;
  if (!d)
    return 0;
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l > 4 && !strcmp(de->d_name + l - 4, ".log")) {
      char *p = li2_io_path(dir, de->d_name), *text = NULL;
      size_t len;
      n++;
      if (!li2_io_read_file(p, &text, &len, NULL))
        diag("%s: %.300s", de->d_name, text);
      free(text);
      free(p);
    }
  }
  closedir(d);
  return n;
}

static void rmtree(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  if (!d)
    return;
  while ((de = readdir(d))) {
    char *p;
    struct stat st;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    p = li2_io_path(dir, de->d_name);
    if (!stat(p, &st) && S_ISDIR(st.st_mode))
      rmtree(p);
    else
      remove(p);
    free(p);
  }
  closedir(d);
  rmdir(dir);
}

static void test_sizes(void)
{
  li2_plot_options o;
  double w, h;
  long wp, hp;
  char s[64], f[64];
  li2_plot_options_default(&o);
  li2_plot_size(&o, &w, &h, &wp, &hp);
  ok(w == 3.25 && h == 2.2 && wp == 975 && hp == 660, "paper column: 3.25 x 2.2 in, 975 x 660 px");
  o.wide = 1;
  o.dpi = 200;
  li2_plot_size(&o, &w, NULL, &wp, NULL);
  ok(w == 6.75 && wp == 1350, "paper two columns: 6.75 in, 1350 px at 200 dpi");
  o.style = LI2_PLOT_SLIDES;
  li2_plot_size(&o, &w, NULL, NULL, NULL);
  ok(w > 6.75, "slides are larger than paper");
  li2_plot_names("fig", LI2_PLOT_PDF, s, sizeof s, f, sizeof f);
  ok(!strcmp(s, "fig") && !strcmp(f, "fig.pdf"), "pdf: fig.gp draws fig.pdf");
  li2_plot_names("fig", LI2_PLOT_PNG, s, sizeof s, f, sizeof f);
  ok(!strcmp(s, "fig-png") && !strcmp(f, "fig.png"), "png: fig-png.gp draws fig.png");
  li2_plot_names("fig", LI2_PLOT_TEX, s, sizeof s, f, sizeof f);
  ok(!strcmp(s, "fig-tex") && !strcmp(f, "fig-tex.tex"), "tex: fig-tex.gp draws fig-tex.tex");
  ok(li2_plot_format_from_name("svg") == LI2_PLOT_SVG && li2_plot_format_from_name("jpg") < 0,
     "format names");
}

static void test_render(const char *dir)
{
  li2_figures_params p;
  li2_figures_list list;
  li2_error err = {0};
  char *gp = li2_plot_gnuplot_path();
  int have = gp != NULL, rc;
  free(gp);
  make_data(dir);
  li2_figures_params_default(&p);
  p.formats = (1u << LI2_PLOT_PDF) | (1u << LI2_PLOT_PNG) | (1u << LI2_PLOT_SVG) |
              (1u << LI2_PLOT_TEX);
  p.dpi = 120;
  rc = li2_figures_render(dir, dir, &p, &list, &err);
  ok(rc == 0, "render every figure (%s)", err.msg);
  ok(list.n == 9, "9 figures drawn (got %zu)", list.n);
  for (size_t i = 0; figures[i]; i++) {
    char name[64], *path;
    int found = 0;
    for (size_t k = 0; k < list.n; k++)
      found |= !strcmp(list.name[k], figures[i]);
    snprintf(name, sizeof name, "%s.dat", figures[i]);
    path = li2_io_path(dir, name);
    ok(found && contains(path, "\t"), "%s: drawn, data %s written next to it", figures[i], name);
    free(path);
  }
  if (!have) {
    ok(1, "# SKIP gnuplot not installed: scripts written, not run");
    return;
  }
  ok(list.rendered && list.failed == 0, "gnuplot ran every script (%s)", list.first_failure);
  ok(count_logs(dir) == 0, "no gnuplot warnings (no .log left)");
  for (size_t i = 0; figures[i]; i++) {
    li2_plot_options o;
    char name[64], *path;
    long w, h, size, ww, hh;
    li2_plot_options_default(&o);
    o.dpi = 120;
    o.wide = !strcmp(figures[i], "power");
    o.height = !strcmp(figures[i], "stage1") ? 4.5
               : !strcmp(figures[i], "grokking") || !strcmp(figures[i], "gf-eta") ? 3.0
               : !strcmp(figures[i], "power") ? 2.6
               : !strcmp(figures[i], "phase") ? 2.4 : 2.2;
    li2_plot_size(&o, NULL, NULL, &ww, &hh);
    snprintf(name, sizeof name, "%s.png", figures[i]);
    path = li2_io_path(dir, name);
    w = h = size = 0;
    rc = read_png_size(path, &w, &h, &size);
    /* a blank image compresses to well under 2 kB */
    ok(rc == 0 && w == ww && h == hh && size > 2000, "%s: PNG %ldx%ld as requested (%ld bytes)",
       name, w, h, size);
    free(path);
    snprintf(name, sizeof name, "%s.pdf", figures[i]);
    path = li2_io_path(dir, name);
    ok(file_starts(path, "%PDF"), "%s is a PDF", name);
    free(path);
    snprintf(name, sizeof name, "%s.svg", figures[i]);
    path = li2_io_path(dir, name);
    ok(file_starts(path, "<?xml"), "%s is an SVG", name);
    free(path);
    snprintf(name, sizeof name, "%s-tex.tex", figures[i]);
    path = li2_io_path(dir, name);
    ok(contains(path, "includegraphics"), "%s includes its PDF", name);
    free(path);
  }
  {
    char *g = li2_io_path(dir, "energy-tex.gp"), *g2 = li2_io_path(dir, "gf-eta-tex.gp");
    ok(contains(g, "$E$") && !contains(g, "{/:Italic"), "tex script: math as $E$, no enhanced text");
    /* in a double-quoted gnuplot string the macro's backslash is doubled */
    ok(contains(g2, "$\\\\eta $") && contains(g2, "$10^{%L}$"), "tex script: eta and powers of ten");
    free(g);
    free(g2);
  }
}

static void test_errors(const char *dir)
{
  li2_error err = {0};
  li2_plot_var v[] = {{"DATA", "x.dat"}};
  li2_figures_params p;
  char *empty = li2_io_path(dir, "empty");
  unsigned mask;
  mkdir(empty, 0777);
  ok(li2_plot_write_script(dir, "bad", "grokking", v, 1, &err) == LI2_EINVAL &&
         strstr(err.msg, "@XSCALE@"),
     "a token without a value is an error naming it (%s)", err.msg);
  li2_figures_params_default(&p);
  ok(li2_figures_render(empty, empty, &p, NULL, &err) == LI2_EINVAL && strstr(err.msg, "no data"),
     "a directory without data: error");
  ok(li2_figures_formats_parse("pdf,png", "format", &mask, &err) == 0 &&
         mask == ((1u << LI2_PLOT_PDF) | (1u << LI2_PLOT_PNG)),
     "formats pdf,png");
  ok(li2_figures_formats_parse("pdf,gif", "format", &mask, &err) == LI2_EINVAL &&
         strstr(err.msg, "gif"),
     "unknown format named");
  free(empty);
}

/* issue 15 defect 2: stages.tsv is data; its stage names must not reach a
 * script as gnuplot code (a backtick or a closed quote + system()). */
static void test_hostile_strings(const char *dir)
{
  li2_error err = {0};
  li2_figures_params p;
  char *in = li2_io_path(dir, "hostile"), *gp, *flag, q[64];
  size_t len = 0;
  char *text = NULL;
  mkdir(in, 0777);
  flag = li2_io_path(in, "PWNED");
  putf(in, "metrics.tsv", metrics);
  {
    char stages[1024];
    snprintf(stages, sizeof stages,
             "stage\tstart_epoch\tend_epoch\tcriterion\n"
             "I`touch %s`\t0\t40\ttrain_acc\n"
             "II\" . system(\"touch %s\") . \"\t40\t250\ttest_acc\n"
             "III\t250\t\ttest_acc\n", flag, flag);
    put(in, "stages.tsv", stages);
  }
  li2_figures_params_default(&p);
  p.formats = (1u << LI2_PLOT_PDF) | (1u << LI2_PLOT_TEX);
  ok(li2_figures_render(in, in, &p, NULL, &err) == 0, "figures of a hostile stages.tsv: %s",
     err.msg);
  gp = li2_io_path(in, "grokking.gp");
  {
    /* commands only: the comment lines quote `gnuplot NAME.gp` */
    int clean = li2_io_read_file(gp, &text, &len, &err) == 0, label = 0;
    for (char *line = text; clean && line && *line;) {
      char *nl = strchr(line, '\n');
      if (nl)
        *nl = 0;
      if (line[0] != '#')
        clean = !strchr(line, '`') && !strstr(line, "system") && !strstr(line, "PWNED");
      label |= strstr(line, "'III'") != NULL;
      line = nl ? nl + 1 : NULL;
    }
    ok(clean && label,
       "grokking.gp commands hold no backtick, no system(), and the clean label 'III'");
  }
  ok(access(flag, F_OK) != 0, "no command ran (%s absent)", flag);
  free(text);
  free(gp);
  free(flag);
  free(in);
  ok(li2_plot_quote("II", q, sizeof q) == 0 && !strcmp(q, "'II'"), "li2_plot_quote: 'II'");
  ok(li2_plot_quote("a`b", q, sizeof q) < 0 && li2_plot_quote("a'b", q, sizeof q) < 0 &&
         li2_plot_quote("a\"b", q, sizeof q) < 0 && li2_plot_quote("a@b", q, sizeof q) < 0 &&
         li2_plot_quote("a\\b", q, sizeof q) < 0 && li2_plot_quote("a$b", q, sizeof q) < 0 &&
         li2_plot_quote("a\nb", q, sizeof q) < 0 && li2_plot_quote("abcd", q, 6) < 0,
     "li2_plot_quote refuses ` ' \" @ \\ $ newline and what does not fit");
}

/* curves: a training sweep (optim x seed) grouped by optim, means over
 * seeds per epoch: adam's test accuracies 0.2/0.4 and 0.4/0.8 average to
 * 0.3 and 0.6; a seed-only key and the seed never form groups. */
static void test_curves(const char *dir)
{
  char *sw = li2_io_path(dir, "sweep-curves"), *out = li2_io_path(dir, "curves-out");
  static const char *const pts[] = {"points/0000", "points/0001", "points/0002", "points/0003"};
  static const char *const met[] = {
    "epoch\ttrain_acc\ttest_acc\ttrain_loss\ttest_loss\n0\t0\t0.2\t1\t0.9\n10\t1\t0.4\t0.5\t0.7\n",
    "epoch\ttrain_acc\ttest_acc\ttrain_loss\ttest_loss\n0\t0\t0.4\t1\t0.7\n10\t1\t0.8\t0.5\t0.5\n",
    "epoch\ttrain_acc\ttest_acc\ttrain_loss\ttest_loss\n0\t0\t0.1\t1\t1\n10\t1\t0.1\t0.5\t1\n",
    "epoch\ttrain_acc\ttest_acc\ttrain_loss\ttest_loss\n0\t0\t0.3\t1\t1\n10\t1\t0.3\t0.5\t1\n"};
  li2_figures_params p;
  li2_figures_list list;
  li2_error err = {0};
  char *pdir = li2_io_path(sw, "points"), *dat = li2_io_path(out, "curves.dat");
  mkdir(sw, 0777);
  mkdir(pdir, 0777);
  put(sw, "manifest.json", "{\"li2_sweep\": 1, \"command\": \"train\", \"points\": 4, "
      "\"keys\": [{\"key\": \"optim\", \"values\": [\"adam\", \"muon\"]}, "
      "{\"key\": \"seed\", \"values\": [\"1\", \"2\"]}, "
      "{\"key\": \"M\", \"values\": [\"7\"]}]}\n");
  put(sw, "results.tsv", "point\toptim\tseed\tM\ttest_acc\n0\tadam\t1\t7\t0.4\n"
      "1\tadam\t2\t7\t0.8\n2\tmuon\t1\t7\t0.1\n3\tmuon\t2\t7\t0.3\n");
  for (int i = 0; i < 4; i++) {
    char *d = li2_io_path(sw, pts[i]);
    mkdir(d, 0777);
    put(d, "metrics.tsv", met[i]);
    free(d);
  }
  li2_figures_params_default(&p);
  p.run_gnuplot = 0;
  int rc = li2_figures_render(sw, out, &p, &list, &err);
  int has = 0;
  for (size_t i = 0; i < list.n; i++)
    has |= !strcmp(list.name[i], "curves");
  ok(rc == 0 && has, "curves: drawn for a training sweep (%s)", rc ? err.msg : "ok");
  ok(contains(dat, "# optim=adam (2 runs)") && contains(dat, "# optim=muon (2 runs)") &&
         contains(dat, "10\t0.6\t0.6") && contains(dat, "0\t0.2\t1") && !contains(dat, "seed="),
     "curves: one block per optim, means over the seeds");
  {
    char *gp = li2_io_path(out, "curves.gp");
    ok(contains(gp, "title 'optim=adam'") && contains(gp, "title 'optim=muon'"),
       "curves: titles quoted by li2_plot_quote");
    free(gp);
  }
  free(dat);
  free(pdir);
  free(sw);
  free(out);
}

int main(void)
{
  char tmpl[] = "/tmp/li2-test-figures.XXXXXX";
  char *dir = mkdtemp(tmpl);
  if (!ok(dir != NULL, "temporary directory"))
    return tap_done();
  test_sizes();
  test_render(dir);
  test_errors(dir);
  test_hostile_strings(dir);

  test_curves(dir);
  if (tap_failed || getenv("LI2_TEST_KEEP"))
    diag("kept %s for inspection", dir);
  else
    rmtree(dir);
  return tap_done();
}
