/* NumPy export (export.h): CRC-32 against its published check value, the
 * .npy header layout of NumPy's format 1.0, the stored zip's structure
 * (local headers, central directory, end record, CRCs recomputed here),
 * and li2_export_run on a small trained checkpoint: the arrays' bytes
 * equal the checkpoint's, labels equal the group's products, metrics rows
 * stop at the checkpoint's epoch, bad input is refused with one line.
 * (tests/python.test loads the files with NumPy itself.) */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "export.h"
#include "group.h"
#include "io.h"
#include "train.h"
#include "ffi.h"
#include "tap.h"

static unsigned rd16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t rd32(const unsigned char *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }

static unsigned char *slurp(const char *dir, const char *name, size_t *len)
{
  char *path = li2_io_path(dir, name), *data = NULL;
  li2_error err = {0};
  if (li2_io_read_file(path, &data, len, &err))
    *len = 0;
  free(path);
  return (unsigned char *)data;
}

/* The data of a .npy buffer (after its header) and the header text. */
static const unsigned char *npy_data(const unsigned char *b, size_t len, char *hdr, size_t cap)
{
  size_t h;
  if (len < 10 || memcmp(b, "\x93NUMPY\x01\x00", 8))
    return NULL;
  h = rd16(b + 8);
  if (10 + h > len)
    return NULL;
  snprintf(hdr, cap, "%.*s", (int)h, (const char *)b + 10);
  return b + 10 + h;
}

static void test_crc(void)
{
  const char *s = "123456789";
  uint32_t c = li2_export_crc32(0, s, 9);
  ok(c == 0xCBF43926u, "crc32(\"123456789\") = 0x%08X (the CRC-32/ISO-HDLC check value CBF43926)",
     (unsigned)c);
  ok(li2_export_crc32(li2_export_crc32(0, s, 4), s + 4, 5) == c, "crc32 continues over pieces");
  ok(li2_export_crc32(0, "", 0) == 0, "crc32 of nothing is 0");
}

static void test_npy(void)
{
  double x[6] = {1, 2, 3, 4, 5, -0.5};
  int64_t s = 42;
  li2_export_array a = {"x", "<f8", 8, 2, {2, 3}, x};
  li2_export_array v = {"v", "<f8", 8, 1, {6}, x};
  li2_export_array z = {"z", "<i8", 8, 0, {0}, &s};
  li2_error err = {0};
  size_t n = li2_export_npy_size(&a);
  unsigned char *b = malloc(n);
  char hdr[256];
  const unsigned char *d;
  ok(b && !li2_export_npy_encode(&a, b, &err), "encode a 2 x 3 float64 array");
  d = npy_data(b, n, hdr, sizeof hdr);
  ok(d && (size_t)(d - b) % 64 == 0, "header padded to a multiple of 64 bytes (%zu)",
     d ? (size_t)(d - b) : 0);
  ok(d && !strncmp(hdr, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 59) &&
         hdr[strlen(hdr) - 1] == '\n',
     "header dict: %.60s", hdr);
  ok(d && n - (size_t)(d - b) == sizeof x && !memcmp(d, x, sizeof x), "data in C order");
  free(b);
  n = li2_export_npy_size(&v);
  b = malloc(n);
  li2_export_npy_encode(&v, b, &err);
  npy_data(b, n, hdr, sizeof hdr);
  ok(strstr(hdr, "'shape': (6,), }") != NULL, "1-D shape written as a 1-tuple (6,)");
  free(b);
  n = li2_export_npy_size(&z);
  b = malloc(n);
  li2_export_npy_encode(&z, b, &err);
  d = npy_data(b, n, hdr, sizeof hdr);
  ok(strstr(hdr, "'shape': (), }") && d && !memcmp(d, &s, 8), "0-d scalar: shape ()");
  free(b);
}

static void test_npz(const char *dir)
{
  double x[3] = {1, 2, 3};
  uint32_t u[2] = {7, 9};
  li2_export_array a[2] = {{"first", "<f8", 8, 1, {3}, x}, {"second", "<u4", 4, 1, {2}, u}};
  li2_error err = {0};
  char *path = li2_io_path(dir, "t.npz");
  size_t len, pos = 0, i;
  unsigned char *b;
  int good = 1;
  ok(!li2_export_npz_save(path, a, 2, &err), "npz of two arrays: %s", err.msg);
  b = slurp(dir, "t.npz", &len);
  for (i = 0; i < 2 && good; i++) {
    size_t nlen, size;
    good = len >= pos + 30 && rd32(b + pos) == 0x04034b50u && rd16(b + pos + 8) == 0;
    if (!good)
      break;
    size = rd32(b + pos + 18);
    nlen = rd16(b + pos + 26);
    good = rd32(b + pos + 22) == size && nlen == strlen(a[i].name) + 4 &&
           !memcmp(b + pos + 30, a[i].name, strlen(a[i].name)) &&
           li2_export_crc32(0, b + pos + 30 + nlen, size) == rd32(b + pos + 14) &&
           size == li2_export_npy_size(&a[i]);
    pos += 30 + nlen + size;
  }
  ok(good, "local headers: stored (method 0), names NAME.npy, CRC-32 of the data");
  ok(good && len >= 22 && rd32(b + len - 22) == 0x06054b50u && rd16(b + len - 12) == 2 &&
         rd32(b + len - 6) == pos && rd32(b + pos) == 0x02014b50u,
     "end record: 2 entries, central directory right after the data");
  free(b);
  free(path);
}

static void write_text(const char *dir, const char *name, const char *text)
{
  char *p = li2_io_path(dir, name);
  FILE *fp = fopen(p, "w");
  fputs(text, fp);
  fclose(fp);
  free(p);
}

static void test_run(const char *dir)
{
  li2_error err = {0};
  li2_trainer *t = li2_ffi_trainer_alloc("group=S3\nhidden_size=8\nnum_epochs=4\nseed=3\n", &err);
  li2_checkpoint *ck;
  char *cpath = li2_io_path(dir, "checkpoint.li2"), *out = li2_io_path(dir, "npy");
  unsigned char *b;
  size_t len;
  char hdr[1024];
  const unsigned char *d;
  li2_group *g = li2_group_alloc_name("S3", &err);
  ok(t != NULL, "trainer S3 K=8: %s", err.msg);
  li2_trainer_iterate(t, &err);
  li2_trainer_iterate(t, &err);
  ok(!li2_trainer_save(t, cpath, &err), "checkpoint at epoch 2");
  write_text(dir, "metrics.tsv",
             "epoch\ttrain_acc\ttest_acc\n0\t0.1\t0.2\n1\t0.5\t0.25\n2\t1\tnan\n3\t1\t1\n");
  ok(!li2_export_run(dir, NULL, out, NULL, &err), "export: %s", err.msg);
  ck = li2_checkpoint_read(cpath, &err);
  b = slurp(out, "W.npy", &len);
  d = b ? npy_data(b, len, hdr, sizeof hdr) : NULL;
  ok(d && strstr(hdr, "'shape': (12, 8)") && len - (size_t)(d - b) == 12 * 8 * sizeof(double) &&
         !memcmp(d, ck->W, 12 * 8 * sizeof(double)),
     "W.npy: (2 M) x K, the checkpoint's bytes");
  free(b);
  b = slurp(out, "V.npy", &len);
  d = b ? npy_data(b, len, hdr, sizeof hdr) : NULL;
  ok(d && strstr(hdr, "'shape': (8, 6)") && !memcmp(d, ck->V, 8 * 6 * sizeof(double)),
     "V.npy: K x M, the checkpoint's bytes");
  free(b);
  b = slurp(out, "L.npy", &len);
  d = b ? npy_data(b, len, hdr, sizeof hdr) : NULL;
  ok(d && strstr(hdr, "'shape': (0, 8, 8)") && d == b + len, "L.npy: no other layers, (0, K, K)");
  free(b);
  b = slurp(out, "train_samples.npy", &len);
  d = b ? npy_data(b, len, hdr, sizeof hdr) : NULL;
  ok(d && strstr(hdr, "<u4") && len - (size_t)(d - b) == ck->ntrain * 4 &&
         !memcmp(d, ck->split, ck->ntrain * 4),
     "train_samples.npy: the split's training part (%zu)", ck->ntrain);
  free(b);
  {
    size_t lx, ly;
    unsigned char *bx = slurp(out, "X_test.npy", &lx), *by = slurp(out, "y_test.npy", &ly);
    char hx[256], hy[256];
    const int *x = (const int *)npy_data(bx, lx, hx, sizeof hx);
    const int *y = (const int *)npy_data(by, ly, hy, sizeof hy);
    int good = x && y && ck->ntest > 0;
    for (size_t i = 0; good && i < ck->ntest; i++) {
      uint32_t s = ck->split[ck->ntrain + i];
      good = x[2 * i] == (int)(s / 6) && x[2 * i + 1] == (int)(s % 6) &&
             y[i] == li2_group_mul(g, x[2 * i], x[2 * i + 1]);
    }
    ok(good, "X_test, y_test: operands of the sample numbers, labels their S3 product");
    free(bx);
    free(by);
  }
  b = slurp(out, "metrics.npy", &len);
  d = b ? npy_data(b, len, hdr, sizeof hdr) : NULL;
  ok(d && strstr(hdr, "'descr': [('epoch', '<f8'), ('train_acc', '<f8'), ('test_acc', '<f8'), ]") &&
         strstr(hdr, "'shape': (3,)") && len - (size_t)(d - b) == 9 * sizeof(double),
     "metrics.npy: structured, the 3 rows up to epoch 2");
  free(b);
  b = slurp(out, "run.npz", &len);
  ok(b && len > 22 && rd16(b + len - 12) == 13, "run.npz: 13 arrays");
  free(b);
  err.msg[0] = 0;
  ok(li2_export_run(dir, "soon", out, NULL, &err) == LI2_EINVAL && strstr(err.msg, "checkpoint") &&
         !strchr(err.msg, '\n'),
     "checkpoint=soon refused: %s", err.msg);
  ok(li2_export_run(dir, "7", out, NULL, &err) == LI2_EIO, "a missing epoch: %s", err.msg);
  write_text(dir, "metrics.tsv", "epoch\ttrain_acc\n0\t0.1\n1\tx\n");
  ok(li2_export_run(dir, NULL, out, NULL, &err) == LI2_EFORMAT && strstr(err.msg, "metrics.tsv:3"),
     "a bad metrics cell named by file:line: %s", err.msg);
  li2_checkpoint_free(ck);
  li2_trainer_free(t);
  li2_group_free(g);
  free(cpath);
  free(out);
}

int main(void)
{
  char tmpl[] = "/tmp/li2-export.XXXXXX";
  char *dir = mkdtemp(tmpl), cmd[256];
  test_crc();
  test_npy();
  if (!dir)
    return ok(0, "mkdtemp"), 1;
  test_npz(dir);
  test_run(dir);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd))
    fprintf(stderr, "could not remove %s\n", dir);
  return tap_done();
}
