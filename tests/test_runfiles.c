/* The run directory's files (src/runfiles.h): metrics.tsv rows and their
 * truncation on resume, the reader of the analyses, the checkpoint
 * cadence, run.json's summary. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "json.h"
#include "runfiles.h"
#include "tap.h"

static li2_train_metrics metric(long epoch)
{
  li2_train_metrics m;
  memset(&m, 0, sizeof m);
  m.epoch = epoch;
  m.train_acc = 0.5;
  m.test_acc = NAN;
  m.train_loss = 1.0 / 3.0;
  return m;
}

static void test_metrics(void)
{
  char dir[] = "/tmp/li2-test-runfiles-XXXXXX";
  char *path, *text = NULL;
  size_t len;
  li2_error err = {0};
  FILE *fp;
  if (!mkdtemp(dir)) {
    ok(0, "mkdtemp");
    return;
  }
  path = li2_io_path(dir, "metrics.tsv");
  fp = li2_io_open_write(path, 0, &err);
  li2_runfiles_metrics_header(fp, 1);
  for (long e = 0; e < 40; e += 10) {
    li2_train_metrics m = metric(e);
    ok(li2_runfiles_metrics_row(fp, path, &m, 0.001, 1, &err) == 0, "row of epoch %ld", e);
  }
  fclose(fp);
  li2_io_read_file(path, &text, &len, &err);
  {
    const char *want = "epoch\ttrain_acc\ttest_acc\ttrain_loss\ttest_loss\tgf_norm\tw_norm"
                       "\tv_norm\tftf_diag\tftf_offdiag\tlr\tpff_diag\tpff_offdiag\tdw_cos"
                       "\tdv_cos\tff_dist_ideal\tdf_norm\n";
    ok(!strncmp(text, want, strlen(want)), "header: the columns of li2 train, stage1 columns after lr");
  }
  ok(strstr(text, "\n10\t0.5\tnan\t0.33333333333333331\t") != NULL,
     "row: %%.17g, NaN printed as nan (read back as NaN)");
  free(text);
  ok(li2_runfiles_metrics_truncate(path, 20, 1, &err) == 0, "truncate");
  li2_io_read_file(path, &text, &len, &err);
  {
    size_t lines = 0;
    for (char *p = text; *p; p++)
      lines += *p == '\n';
    ok(lines == 3 && strstr(text, "\n10\t") && !strstr(text, "\n20\t"),
       "truncate at 20 keeps the header and epochs 0, 10 (%zu lines)", lines);
  }
  free(text);
  unlink(path);
  free(path);
  rmdir(dir);
}

static void test_metrics_read(void)
{
  char path[] = "/tmp/li2-test-runfiles-m-XXXXXX";
  int fd = mkstemp(path);
  li2_runfiles_metric *rows = NULL;
  size_t n = 0;
  li2_error err = {0};
  FILE *fp = fdopen(fd, "w");
  fputs("epoch\ttrain_loss\ttest_acc\ttrain_acc\tlr\n0\t1\tnan\t0.25\t0.001\n5\t0.5\t0.75\t0.5\t0.001\n",
        fp);
  fclose(fp);
  ok(li2_runfiles_metrics_read(path, &rows, &n, &err) == 0 && n == 2 && rows[1].epoch == 5 &&
         rows[0].train_acc == 0.25 && isnan(rows[0].test_acc) && rows[1].test_acc == 0.75,
     "metrics: columns found by name, nan read");
  free(rows);
  fp = fopen(path, "w");
  fputs("epoch\ttrain_acc\ttest_acc\n0\t0.1\t0.1\n0\t0.2\t0.2\n", fp);
  fclose(fp);
  ok(li2_runfiles_metrics_read(path, &rows, &n, &err) == LI2_EFORMAT && strstr(err.msg, "line 3"),
     "metrics: repeated epoch rejected naming the line (%s)", err.msg);
  fp = fopen(path, "w");
  fputs("epoch\ttrain_acc\n0\t0.1\n", fp);
  fclose(fp);
  ok(li2_runfiles_metrics_read(path, &rows, &n, &err) == LI2_EFORMAT && strstr(err.msg, "line 1"),
     "metrics: missing column rejected (%s)", err.msg);
  fp = fopen(path, "w");
  fputs("epoch\ttrain_acc\ttest_acc\n0\t0.1\tx\n", fp);
  fclose(fp);
  ok(li2_runfiles_metrics_read(path, &rows, &n, &err) == LI2_EFORMAT && strstr(err.msg, "line 2"),
     "metrics: bad number rejected (%s)", err.msg);
  unlink(path);
  ok(li2_runfiles_metrics_read(path, &rows, &n, &err) == LI2_EIO, "metrics: missing file is I/O");
}

static void test_cadence(void)
{
  li2_train_config c;
  int before = 0, after = 0;
  memset(&c, 0, sizeof c);
  c.save_interval = 10;
  for (long e = 0; e < 30; e++) {
    before += li2_runfiles_save_before(&c, e);
    after += li2_runfiles_save_after(&c, e);
  }
  ok(before == 0 && after == 3, "cadence: every save_interval after the step (%d, %d)", before,
     after);
  c.init_save_range = 15;
  before = 0;
  for (long e = 0; e < 30; e++)
    before += li2_runfiles_save_before(&c, e);
  /* epochs 0..14 not multiples of 10, and 0: 0..9 and 11..14 (10 is saved after step 9) */
  ok(before == 14 && li2_runfiles_save_before(&c, 0) && !li2_runfiles_save_before(&c, 10),
     "cadence: init_save_range saves before epochs below it, off the multiples (%d)", before);
}

static void test_summary(void)
{
  li2_runfiles_summary s;
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  li2_json_writer w;
  li2_json *j;
  li2_error err = {0};
  memset(&s, 0, sizeof s);
  s.status = "completed";
  s.group = "Z7";
  s.kernel = "generic";
  s.epochs = 10;
  s.start_epoch = 4;
  s.iterate_seconds = 3;
  s.grok_epoch = -1;
  s.last = metric(10);
  s.median_epoch = NAN;
  li2_json_writer_init(&w, fp, 0);
  li2_runfiles_summary_json(&w, &s);
  li2_json_writer_finish(&w);
  fclose(fp);
  j = li2_json_parse(buf, len, &err);
  ok(j && li2_json_get(j, "grok_epoch") && li2_json_get(j, "grok_epoch")->type == LI2_JSON_NULL &&
         li2_json_get(j, "train_seconds_per_epoch")->number == 0.5 &&
         li2_json_get(j, "test_acc")->type == LI2_JSON_NULL,
     "summary: per-epoch time over the epochs of this process, NaN and no grok as null");
  li2_json_free(j);
  free(buf);
}

/* run.json written, read back, and a resumed write keeping the history */
static void test_run_json(void)
{
  char dir[] = "/tmp/li2-test-runfiles-j-XXXXXX";
  li2_args *a = NULL;
  li2_runfiles_summary s;
  li2_error err = {0};
  li2_json *j;
  const li2_json *h;
  char *p;
  if (!mkdtemp(dir) || li2_train_args_from_text("M=7\nseed=3\n", &a, &err)) {
    ok(0, "set-up: %s", err.msg);
    return;
  }
  memset(&s, 0, sizeof s);
  s.status = "completed";
  s.group = "Z7";
  s.kernel = "generic";
  s.grok_epoch = -1;
  s.last = metric(0);
  ok(li2_runfiles_run_json_write(dir, a, &s, 0, &err) == 0 &&
         li2_runfiles_run_json_write(dir, a, &s, 1, &err) == 0,
     "run.json written, then rewritten as a resumed run");
  j = li2_runfiles_run_json_read(dir);
  h = li2_json_get(j, "provenance_history");
  ok(j && li2_json_get(li2_json_get(j, "configuration"), "M") &&
         !strcmp(li2_json_get(li2_json_get(j, "summary"), "status")->string, "completed") && h &&
         h->type == LI2_JSON_ARRAY && h->n == 1,
     "read back: configuration, summary, the first process in provenance_history");
  li2_json_free(j);
  p = li2_io_path(dir, "run.json");
  unlink(p);
  free(p);
  ok(li2_runfiles_run_json_read(dir) == NULL, "no run.json: NULL");
  rmdir(dir);
  li2_args_free(a);
}

int main(void)
{
  test_metrics();
  test_metrics_read();
  test_cadence();
  test_summary();
  test_run_json();
  return tap_done();
}
