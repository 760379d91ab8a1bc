/* NumPy .npy/.npz writers and li2 export (export.h). */
#define _POSIX_C_SOURCE 200809L
#include "export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "dataset.h"
#include "io.h"
#include "train.h"
#include "table.h"

static int little_endian(void)
{
  const uint16_t one = 1;
  return *(const unsigned char *)&one == 1;
}

const char *li2_export_descr_f8(void) { return little_endian() ? "<f8" : ">f8"; }
const char *li2_export_descr_u4(void) { return little_endian() ? "<u4" : ">u4"; }
const char *li2_export_descr_i8(void) { return little_endian() ? "<i8" : ">i8"; }
const char *li2_export_descr_i4(void)
{
  /* int is 4 bytes on every platform li2 builds on (LP64, ILP32) */
  return little_endian() ? "<i4" : ">i4";
}

static size_t nelem(const li2_export_array *a)
{
  size_t n = 1;
  for (int d = 0; d < a->ndim; d++)
    n *= a->shape[d];
  return n;
}

/* The header dict without padding; returns its length (snprintf style). */
static int header_dict(const li2_export_array *a, char *buf, size_t cap)
{
  size_t len = 0;
  int k;
  const char *q = a->descr[0] == '[' ? "" : "'";
  k = snprintf(buf, cap, "{'descr': %s%s%s, 'fortran_order': False, 'shape': (", q, a->descr, q);
  if (k < 0)
    return -1;
  len += (size_t)k;
  for (int d = 0; d < a->ndim; d++) {
    /* a 1-tuple needs its comma: (3,) */
    k = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%zu%s", a->shape[d],
                 a->ndim == 1 ? "," : d + 1 < a->ndim ? ", " : "");
    if (k < 0)
      return -1;
    len += (size_t)k;
  }
  k = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "), }");
  if (k < 0)
    return -1;
  return (int)(len + (size_t)k);
}

/* Preamble (magic, version, length) + padded header: a multiple of 64. */
static size_t header_total(const li2_export_array *a)
{
  int d = header_dict(a, NULL, 0);
  if (d < 0)
    return 0;
  return ((size_t)10 + (size_t)d + 1 + 63) / 64 * 64;
}

size_t li2_export_npy_size(const li2_export_array *a)
{
  return header_total(a) + nelem(a) * a->itemsize;
}

int li2_export_npy_encode(const li2_export_array *a, unsigned char *buf, li2_error *err)
{
  size_t total = header_total(a), hlen, dlen;
  if (!total || total - 10 > 65535)
    return li2_error_set(err, LI2_EINVAL, "%s: .npy header too long (%zu bytes)", a->name,
                         total);
  hlen = total - 10;
  memcpy(buf, "\x93NUMPY\x01\x00", 8);
  buf[8] = (unsigned char)(hlen & 0xff);
  buf[9] = (unsigned char)(hlen >> 8);
  dlen = (size_t)header_dict(a, (char *)buf + 10, hlen + 1);  /* writes a NUL we overwrite */
  memset(buf + 10 + dlen, ' ', hlen - dlen - 1);
  buf[total - 1] = '\n';
  if (nelem(a))
    memcpy(buf + total, a->data, nelem(a) * a->itemsize);
  return LI2_SUCCESS;
}

uint32_t li2_export_crc32(uint32_t crc, const void *data, size_t len)
{
  /* bitwise CRC-32, reflected polynomial 0xEDB88320 (zip, PNG); a table
   * buys nothing at export sizes */
  const unsigned char *p = data;
  crc = ~crc;
  for (size_t i = 0; i < len; i++) {
    crc ^= p[i];
    for (int b = 0; b < 8; b++)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static unsigned char *encode_alloc(const li2_export_array *a, size_t *size, li2_error *err)
{
  unsigned char *buf;
  *size = li2_export_npy_size(a);
  if (!(buf = malloc(*size ? *size : 1)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory for %s (%zu bytes)", a->name, *size),
           NULL;
  if (li2_export_npy_encode(a, buf, err)) {
    free(buf);
    return NULL;
  }
  return buf;
}

int li2_export_npy_save(const char *path, const li2_export_array *a, li2_error *err)
{
  size_t size;
  unsigned char *buf = encode_alloc(a, &size, err);
  li2_io_file f;
  int rc;
  if (!buf)
    return err ? err->code : LI2_ENOMEM;
  if ((rc = li2_io_open_atomic(&f, path, err))) {
    free(buf);
    return rc;
  }
  fwrite(buf, 1, size, f.fp);
  free(buf);
  return li2_io_commit(&f, err);
}

static void put16(unsigned char *p, unsigned v)
{
  p[0] = (unsigned char)(v & 0xff);
  p[1] = (unsigned char)((v >> 8) & 0xff);
}

static void put32(unsigned char *p, uint32_t v)
{
  put16(p, v & 0xffff);
  put16(p + 2, v >> 16);
}

/* Zip (PKWARE APPNOTE 4.3): local header, stored data, central directory,
 * end record.  Dates fixed at 1980-01-01 00:00 so equal arrays give equal
 * archives. */
#define ZIP_DATE 0x21u  /* (1980 - 1980) << 9 | 1 << 5 | 1 */

int li2_export_npz_save(const char *path, const li2_export_array *a, size_t n,
                        li2_error *err)
{
  li2_io_file f;
  uint32_t *crc = calloc(n ? n : 1, sizeof *crc), *off = calloc(n ? n : 1, sizeof *off);
  uint32_t *size = calloc(n ? n : 1, sizeof *size);
  uint64_t pos = 0, cdstart, cdsize = 0;
  unsigned char h[46];
  int rc;
  if (!crc || !off || !size) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if (n > 0xffff) {
    rc = li2_error_set(err, LI2_EUNSUP, "%s: %zu arrays (zip without zip64 holds 65535)", path, n);
    goto done;
  }
  if ((rc = li2_io_open_atomic(&f, path, err)))
    goto done;
  for (size_t i = 0; i < n; i++) {
    size_t len, nlen = strlen(a[i].name) + 4;
    unsigned char *buf = encode_alloc(&a[i], &len, err);
    if (!buf) {
      rc = err ? err->code : LI2_ENOMEM;
      li2_io_abort(&f);
      goto done;
    }
    if ((uint64_t)len + pos + nlen + 30 > UINT32_MAX) {
      free(buf);
      li2_io_abort(&f);
      rc = li2_error_set(err, LI2_EUNSUP, "%s: larger than 4 GiB (zip64 not written)", path);
      goto done;
    }
    crc[i] = li2_export_crc32(0, buf, len);
    off[i] = (uint32_t)pos;
    size[i] = (uint32_t)len;
    memset(h, 0, 30);
    put32(h, 0x04034b50u);
    put16(h + 4, 20);  /* version needed: 2.0 */
    put16(h + 12, ZIP_DATE);
    put32(h + 14, crc[i]);
    put32(h + 18, size[i]);
    put32(h + 22, size[i]);
    put16(h + 26, (unsigned)nlen);
    fwrite(h, 1, 30, f.fp);
    fprintf(f.fp, "%s.npy", a[i].name);
    fwrite(buf, 1, len, f.fp);
    free(buf);
    pos += 30 + nlen + len;
  }
  cdstart = pos;
  for (size_t i = 0; i < n; i++) {
    size_t nlen = strlen(a[i].name) + 4;
    memset(h, 0, 46);
    put32(h, 0x02014b50u);
    put16(h + 4, 20);  /* made by: MS-DOS attributes, 2.0 */
    put16(h + 6, 20);
    put16(h + 14, ZIP_DATE);
    put32(h + 16, crc[i]);
    put32(h + 20, size[i]);
    put32(h + 24, size[i]);
    put16(h + 28, (unsigned)nlen);
    put32(h + 42, off[i]);
    fwrite(h, 1, 46, f.fp);
    fprintf(f.fp, "%s.npy", a[i].name);
    cdsize += 46 + nlen;
  }
  if (cdstart + cdsize > UINT32_MAX) {
    li2_io_abort(&f);
    rc = li2_error_set(err, LI2_EUNSUP, "%s: larger than 4 GiB (zip64 not written)", path);
    goto done;
  }
  memset(h, 0, 22);
  put32(h, 0x06054b50u);
  put16(h + 8, (unsigned)n);
  put16(h + 10, (unsigned)n);
  put32(h + 12, (uint32_t)cdsize);
  put32(h + 16, (uint32_t)cdstart);
  fwrite(h, 1, 22, f.fp);
  rc = li2_io_commit(&f, err);
done:
  free(crc);
  free(off);
  free(size);
  return rc;
}

/* ------------------------------------------------------------------ */
/* li2 export                                                           */

static li2_export_array arr(const char *name, const char *descr, size_t itemsize, int ndim,
                            size_t d0, size_t d1, size_t d2, const void *data)
{
  li2_export_array a = {name, descr, itemsize, ndim, {d0, d1, d2, 0}, data};
  return a;
}

/* metrics.tsv: header of column names, then numeric rows.  *DESCR is the
 * structured dtype, *DATA rows x ncols doubles (rows with epoch <= EPOCH;
 * all when EPOCH < 0). */
typedef struct {
  char *descr;
  double *data;
  size_t nrows, ncols;
} metrics_table;

static void metrics_free(metrics_table *m)
{
  free(m->descr);
  free(m->data);
  memset(m, 0, sizeof *m);
}

static int metrics_read(const char *path, long epoch, metrics_table *m, li2_error *err)
{
  li2_table t;
  size_t cap, dlen;
  int rc;
  memset(m, 0, sizeof *m);
  if ((rc = li2_table_read(path, &t, err)))
    return rc;
  /* the structured dtype: [('name', '<f8'), ...] */
  m->ncols = t.ncols;
  cap = 64;
  for (size_t c = 0; c < t.ncols; c++) {
    cap += 2 * strlen(t.names[c]) + 16;
    for (const char *q = t.names[c]; *q; q++)
      if (*q == '\'' || *q == '\\' || (unsigned char)*q < 0x20) {
        rc = li2_error_set(err, LI2_EFORMAT, "%s:%zu: column name with a quote or backslash",
                           path, t.header_line);
        goto fail;
      }
  }
  if (!(m->descr = malloc(cap)) ||
      !(m->data = malloc((t.nrows ? t.nrows : 1) * t.ncols * sizeof *m->data))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto fail;
  }
  dlen = (size_t)snprintf(m->descr, cap, "[");
  for (size_t c = 0; c < t.ncols; c++)
    dlen += (size_t)snprintf(m->descr + dlen, cap - dlen, "('%s', '%s'), ", t.names[c],
                             li2_export_descr_f8());
  snprintf(m->descr + dlen, cap - dlen, "]");
  /* rows: every cell a number; those of epochs up to EPOCH (the first column) */
  for (size_t i = 0; i < t.nrows; i++) {
    double *row = m->data + m->nrows * m->ncols;
    if (t.width[i] > t.ncols) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s:%zu: more columns than the header", path,
                         t.line[i]);
      goto fail;
    }
    for (size_t c = 0; c < t.ncols; c++)
      if ((rc = li2_table_double(&t, i, (int)c, &row[c], err)))
        goto fail;
    if (epoch < 0 || row[0] <= (double)epoch)
      m->nrows++;
  }
  li2_table_free(&t);
  return LI2_SUCCESS;
fail:
  li2_table_free(&t);
  metrics_free(m);
  return rc;
}

/* Operands of every sample of SPLIT (N numbers) into X (N x k). */
static void decode_samples(const uint32_t *split, size_t n, size_t M, size_t k, int *x)
{
  for (size_t i = 0; i < n; i++) {
    uint64_t s = split[i];
    for (size_t t = k; t-- > 0;) {
      x[i * k + t] = (int)(s % M);
      s /= M;
    }
  }
}

static int log_file(FILE *log, const char *path)
{
  if (log)
    fprintf(log, "%s\n", path);
  return 0;
}

static int save_npy_in(const char *out, const li2_export_array *a, FILE *log, li2_error *err)
{
  char name[128], *path;
  int rc;
  snprintf(name, sizeof name, "%s.npy", a->name);
  if (!(path = li2_io_path(out, name)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_export_npy_save(path, a, err);
  if (!rc)
    log_file(log, path);
  free(path);
  return rc;
}

static int save_npz_in(const char *out, const char *name, const li2_export_array *a, size_t n,
                       FILE *log, li2_error *err)
{
  char *path = li2_io_path(out, name);
  int rc;
  if (!path)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_export_npz_save(path, a, n, err);
  if (!rc)
    log_file(log, path);
  free(path);
  return rc;
}

/* The weight arrays of checkpoint C (at most LI2_EXPORT_WEIGHTS; the count
 * returned): W, V, L, complex128 for complex weights ((re, im) pairs are
 * NumPy's layout); with use_bn gamma, beta (K each; after V in params) and
 * the running statistics bn_running_mean, bn_running_var (the buffers);
 * with embed_trainable E (M x M, after them).  Every parameter of the
 * checkpoint is in one array: nothing trained is left out. */
#define LI2_EXPORT_WEIGHTS 8
static size_t weight_arrays(const li2_checkpoint *c, li2_export_array *a)
{
  const char *f8 = li2_export_descr_f8();
  const char *w8 = c->cplx ? (little_endian() ? "<c16" : ">c16") : f8;
  size_t iw = c->cplx ? 16 : 8, n = 0;
  const double *extra = c->V + c->K * c->M;
  a[n++] = arr("W", w8, iw, 2, c->nops * c->M, c->K, 0, c->W);
  a[n++] = arr("V", w8, iw, 2, c->K, c->M, 0, c->V);
  a[n++] = arr("L", w8, iw, 3, c->other_layers, c->K, c->K, c->L);
  if (c->flags & LI2_CHECKPOINT_BN) {
    a[n++] = arr("gamma", f8, 8, 1, c->K, 0, 0, extra);
    a[n++] = arr("beta", f8, 8, 1, c->K, 0, 0, extra + c->K);
    a[n++] = arr("bn_running_mean", f8, 8, 1, c->K, 0, 0, c->buf);
    a[n++] = arr("bn_running_var", f8, 8, 1, c->K, 0, 0, c->buf + c->K);
    extra += 2 * c->K;
  }
  if (c->flags & LI2_CHECKPOINT_EMBED)
    a[n++] = arr("E", f8, 8, 2, c->M, c->M, 0, extra);
  return n;
}

/* weight_arrays covers every parameter of a 2-layer checkpoint (the
 * reader checked nparams and nbuf against the dimensions and flags); a
 * transformer's are not W, L, V: refused, never a part written. */
static int weights_exportable(const li2_checkpoint *c, const char *path, li2_error *err)
{
  if (c->transformer)
    return li2_error_set(err, LI2_EUNSUP,
                         "%s: a transformer run (model_type=transformer): li2 export writes the "
                         "2-layer network's W, L, V; a transformer's weights are not exported",
                         path);
  return LI2_SUCCESS;
}

/* The run directory of RUN: RUN itself, or the directory of a file. */
static char *run_dir(const char *run)
{
  const char *slash;
  if (!li2_io_is_file(run))
    return strdup(run);
  slash = strrchr(run, '/');
  return slash ? strndup(run, (size_t)(slash - run) + (slash == run)) : strdup(".");
}

int li2_export_run(const char *run, const char *checkpoint, const char *out, FILE *log,
                   li2_error *err)
{
  long epoch = -1;
  int all = 0, rc;
  char *path = NULL, *dir = NULL, *mpath = NULL;
  li2_checkpoint *ck = NULL;
  li2_trainer *t = NULL;
  metrics_table mt = {0};
  int *xtr = NULL, *xte = NULL;
  int64_t ep, grok;
  li2_export_array a[LI2_EXPORT_WEIGHTS + 16];
  size_t na = 0;

  if (checkpoint && strcmp(checkpoint, "latest")) {
    if (!strcmp(checkpoint, "all"))
      all = 1;
    else {
      char *end;
      errno = 0;
      epoch = strtol(checkpoint, &end, 10);
      if (end == checkpoint || *end || errno || epoch < 0)
        return li2_error_set(err, LI2_EINVAL,
                             "parameter checkpoint: '%s' is not latest, all or an epoch number",
                             checkpoint);
    }
  }
  if ((rc = li2_checkpoint_find(run, epoch, &path, err)))
    return rc;
  if (!(ck = li2_checkpoint_read(path, err))) {
    rc = err ? err->code : LI2_EFORMAT;
    goto done;
  }
  if ((rc = weights_exportable(ck, path, err)))
    goto done;
  /* the trainer's own data set: labels of every group li2 train accepts */
  if (!(t = li2_trainer_load(path, err))) {
    rc = err ? err->code : LI2_EFORMAT;
    goto done;
  }
  if ((rc = li2_io_mkdir(out, err)))
    goto done;
  {
    const li2_dataset *d = li2_trainer_dataset(t);
    size_t k = ck->nops;
    if (d->ntrain != ck->ntrain || d->ntest != ck->ntest) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s: split sizes disagree with the data set", path);
      goto done;
    }
    xtr = malloc((ck->ntrain ? ck->ntrain : 1) * k * sizeof *xtr);
    xte = malloc((ck->ntest ? ck->ntest : 1) * k * sizeof *xte);
    if (!xtr || !xte) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    decode_samples(ck->split, ck->ntrain, ck->M, k, xtr);
    decode_samples(ck->split + ck->ntrain, ck->ntest, ck->M, k, xte);
    /* the split and the data set are one order (the trainer's) */
    if ((ck->ntrain && memcmp(xtr, d->train_x, ck->ntrain * k * sizeof *xtr)) ||
        (ck->ntest && memcmp(xte, d->test_x, ck->ntest * k * sizeof *xte))) {
      rc = li2_error_set(err, LI2_EFORMAT, "%s: split order differs from the data set", path);
      goto done;
    }
    na = weight_arrays(ck, a);
    a[na++] = arr("train_samples", li2_export_descr_u4(), 4, 1, ck->ntrain, 0, 0, ck->split);
    a[na++] = arr("test_samples", li2_export_descr_u4(), 4, 1, ck->ntest, 0, 0,
                  ck->split + ck->ntrain);
    a[na++] = arr("X_train", li2_export_descr_i4(), sizeof(int), 2, ck->ntrain, k, 0, xtr);
    a[na++] = arr("y_train", li2_export_descr_i4(), sizeof(int), 1, ck->ntrain, 0, 0, d->train_y);
    a[na++] = arr("X_test", li2_export_descr_i4(), sizeof(int), 2, ck->ntest, k, 0, xte);
    a[na++] = arr("y_test", li2_export_descr_i4(), sizeof(int), 1, ck->ntest, 0, 0, d->test_y);
  }
  /* metrics.tsv next to the checkpoint, rows up to its epoch */
  if (!(dir = run_dir(run)) || !(mpath = li2_io_path(dir, "metrics.tsv"))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  if (li2_io_is_file(mpath)) {
    if ((rc = metrics_read(mpath, ck->epoch, &mt, err)))
      goto done;
    a[na++] = arr("metrics", mt.descr, mt.ncols * sizeof(double), 1, mt.nrows, 0, 0, mt.data);
  }
  for (size_t i = 0; i < na; i++)
    if ((rc = save_npy_in(out, &a[i], log, err)))
      goto done;
  ep = ck->epoch;
  grok = ck->grok_epoch;
  a[na++] = arr("epoch", li2_export_descr_i8(), 8, 0, 0, 0, 0, &ep);
  a[na++] = arr("grok_epoch", li2_export_descr_i8(), 8, 0, 0, 0, 0, &grok);
  a[na++] = arr("config", "|u1", 1, 1, strlen(ck->config), 0, 0, ck->config);
  if ((rc = save_npz_in(out, "run.npz", a, na, log, err)))
    goto done;
  if (all) {
    char **paths = NULL;
    long *epochs = NULL;
    size_t n = 0;
    if ((rc = li2_checkpoint_list(dir, &paths, &epochs, &n, err)))
      goto done;
    for (size_t i = 0; i < n && !rc; i++) {
      li2_checkpoint *c = li2_checkpoint_read(paths[i], err);
      li2_export_array w[LI2_EXPORT_WEIGHTS + 1];
      size_t nw;
      char name[64];
      int64_t e;
      if (!c) {
        rc = err ? err->code : LI2_EFORMAT;
        break;
      }
      if ((rc = weights_exportable(c, paths[i], err))) {
        li2_checkpoint_free(c);
        break;
      }
      nw = weight_arrays(c, w);
      e = c->epoch;
      w[nw++] = arr("epoch", li2_export_descr_i8(), 8, 0, 0, 0, 0, &e);
      snprintf(name, sizeof name, "ckpt-%06ld.npz", epochs[i]);
      rc = save_npz_in(out, name, w, nw, log, err);
      li2_checkpoint_free(c);
    }
    for (size_t i = 0; i < n; i++)
      free(paths[i]);
    free(paths);
    free(epochs);
  }
done:
  metrics_free(&mt);
  free(xtr);
  free(xte);
  free(mpath);
  free(dir);
  free(path);
  li2_trainer_free(t);
  li2_checkpoint_free(ck);
  return rc;
}
