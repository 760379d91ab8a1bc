/* Trainer checkpoints (format in doc/checkpoint.md). */
#include "checkpoint.h"
#include "transformer.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io.h"

static const char magic[8] = {'L', 'I', '2', 'C', 'K', 'P', 'T', '\n'};
#define BOM UINT32_C(0x01020304)
#define NHEAD 16  /* u64 header fields in the payload */

uint64_t li2_fnv64(uint64_t h, const void *data, size_t len)
{
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= UINT64_C(1099511628211);
  }
  return h;
}

typedef struct {
  FILE *fp;
  uint64_t h;
} hwriter;

static void put(hwriter *w, const void *p, size_t n)
{
  if (n) {
    fwrite(p, 1, n, w->fp);
    w->h = li2_fnv64(w->h, p, n);
  }
}

int li2_checkpoint_write(const char *path, const li2_checkpoint *c, li2_error *err)
{
  li2_io_file f;
  hwriter w;
  uint32_t version = c->transformer ? LI2_CHECKPOINT_VERSION_TRANSFORMER
                     : c->cplx        ? LI2_CHECKPOINT_VERSION_COMPLEX
                     : c->flags       ? LI2_CHECKPOINT_VERSION_OPTIONS
                                      : LI2_CHECKPOINT_VERSION,
           bom = BOM;
  size_t nall = c->ntrain + c->ntest, clen = c->config ? strlen(c->config) : 0;
  uint64_t head[NHEAD] = {0}, plen;
  int rc;
  head[0] = c->M;
  head[1] = c->K;
  head[2] = c->nops;
  head[3] = c->other_layers;
  head[4] = c->nparams;
  head[5] = c->nopt;
  head[6] = (uint64_t)c->opt_steps;
  head[7] = (uint64_t)c->epoch;
  head[8] = (uint64_t)(int64_t)c->grok_epoch;
  head[9] = c->ntrain;
  head[10] = c->ntest;
  head[11] = clen;
  head[12] = c->rng_len;
  head[13] = c->cplx ? 1 : 0;
  if (c->flags && !c->transformer && !c->cplx) {
    head[14] = c->flags;
    head[15] = c->nbuf;
  }
  if (c->transformer) {
    head[14] = 1;
    head[15] = (uint64_t)c->num_layers | (uint64_t)c->nhead << 8 |
               (uint64_t)c->dim_feedforward << 24;
  }
  plen = sizeof head + clen + nall * sizeof(uint32_t) +
         (c->nparams + c->nopt + (version == LI2_CHECKPOINT_VERSION_OPTIONS ? c->nbuf : 0)) *
             sizeof(double) + c->rng_len;
  rc = li2_io_open_atomic(&f, path, err);
  if (rc)
    return rc;
  fwrite(magic, 1, sizeof magic, f.fp);
  fwrite(&version, sizeof version, 1, f.fp);
  fwrite(&bom, sizeof bom, 1, f.fp);
  fwrite(&plen, sizeof plen, 1, f.fp);
  w.fp = f.fp;
  w.h = LI2_FNV64_INIT;
  put(&w, head, sizeof head);
  put(&w, c->config, clen);
  put(&w, c->split, nall * sizeof(uint32_t));
  put(&w, c->params, c->nparams * sizeof(double));
  put(&w, c->opt_state, c->nopt * sizeof(double));
  if (version == LI2_CHECKPOINT_VERSION_OPTIONS)
    put(&w, c->buf, c->nbuf * sizeof(double));
  put(&w, c->rng, c->rng_len);
  fwrite(&w.h, sizeof w.h, 1, f.fp);
  return li2_io_commit(&f, err);
}

void li2_checkpoint_free(li2_checkpoint *c)
{
  if (!c)
    return;
  free(c->config);
  free(c->split);
  free(c->params);
  free(c->opt_state);
  free(c->buf);
  free(c->rng);
  free(c->keys);
  free(c->values);
  free(c);
}

const char *li2_checkpoint_config(const li2_checkpoint *c, const char *key)
{
  for (size_t i = 0; i < c->nconfig; i++)
    if (!strcmp(c->keys[i], key))
      return c->values[i];
  return NULL;
}

/* Split the configuration text into key/value pairs, in place in a copy. */
static int parse_config(li2_checkpoint *c, const char *text, size_t len, const char *path,
                        li2_error *err)
{
  size_t lines = 0;
  char *p;
  c->config = malloc(len + 1);
  if (!c->config)
    return li2_error_set(err, LI2_ENOMEM, "out of memory reading %s", path);
  memcpy(c->config, text, len);
  c->config[len] = 0;
  for (size_t i = 0; i < len; i++)
    lines += text[i] == '\n';
  /* keys/values point into a second copy so c->config stays intact */
  c->keys = calloc(lines + 1, sizeof(char *) + len + 1);
  c->values = calloc(lines + 1, sizeof(char *));
  if (!c->keys || !c->values)
    return li2_error_set(err, LI2_ENOMEM, "out of memory reading %s", path);
  p = (char *)(c->keys + lines + 1);
  memcpy(p, text, len);
  while (*p) {
    char *nl = strchr(p, '\n'), *eq = strchr(p, '=');
    if (!nl || !eq || eq > nl)
      return li2_error_set(err, LI2_EFORMAT, "%s: malformed configuration line in checkpoint",
                           path);
    *nl = *eq = 0;
    c->keys[c->nconfig] = p;
    c->values[c->nconfig++] = eq + 1;
    p = nl + 1;
  }
  return LI2_SUCCESS;
}

static int dup_block(void **dst, const unsigned char *src, size_t n, const char *path,
                     li2_error *err)
{
  *dst = malloc(n ? n : 1);
  if (!*dst)
    return li2_error_set(err, LI2_ENOMEM, "out of memory reading %s", path);
  memcpy(*dst, src, n);
  return LI2_SUCCESS;
}

li2_checkpoint *li2_checkpoint_read(const char *path, li2_error *err)
{
  char *data = NULL;
  size_t len, off, nall, need;
  uint32_t version, bom;
  uint64_t plen, head[NHEAD], sum;
  const unsigned char *pl;
  li2_checkpoint *c = NULL;
  const size_t pre = sizeof magic + 2 * sizeof(uint32_t) + sizeof(uint64_t);

  if (li2_io_read_file(path, &data, &len, err))
    return NULL;
  if (len < pre || memcmp(data, magic, sizeof magic)) {
    li2_error_set(err, LI2_EFORMAT, "%s: not an li2 checkpoint (bad magic)", path);
    goto fail;
  }
  memcpy(&version, data + 8, 4);
  memcpy(&bom, data + 12, 4);
  memcpy(&plen, data + 16, 8);
  if (bom != BOM) {
    li2_error_set(err, LI2_EFORMAT, "%s: checkpoint written on a machine of other byte order",
                  path);
    goto fail;
  }
  if (version != LI2_CHECKPOINT_VERSION && version != LI2_CHECKPOINT_VERSION_COMPLEX &&
      version != LI2_CHECKPOINT_VERSION_TRANSFORMER && version != LI2_CHECKPOINT_VERSION_OPTIONS) {
    li2_error_set(err, LI2_EFORMAT, "%s: checkpoint version %u, this li2 reads versions %d to %d",
                  path, (unsigned)version, LI2_CHECKPOINT_VERSION,
                  LI2_CHECKPOINT_VERSION_OPTIONS);
    goto fail;
  }
  if (plen > len || len - pre < plen + 8) {
    li2_error_set(err, LI2_EFORMAT, "%s: truncated checkpoint (%zu of %llu bytes)", path, len,
                  (unsigned long long)(pre + plen + 8));
    goto fail;
  }
  if (len != pre + plen + 8) {
    li2_error_set(err, LI2_EFORMAT, "%s: corrupt checkpoint (%zu bytes, header says %llu)",
                  path, len, (unsigned long long)(pre + plen + 8));
    goto fail;
  }
  pl = (const unsigned char *)data + pre;
  memcpy(&sum, pl + plen, 8);
  if (li2_fnv64(LI2_FNV64_INIT, pl, plen) != sum) {
    li2_error_set(err, LI2_EFORMAT, "%s: corrupt checkpoint (checksum mismatch)", path);
    goto fail;
  }
  if (plen < sizeof head) {
    li2_error_set(err, LI2_EFORMAT, "%s: corrupt checkpoint (short header)", path);
    goto fail;
  }
  memcpy(head, pl, sizeof head);
  c = calloc(1, sizeof *c);
  if (!c) {
    li2_error_set(err, LI2_ENOMEM, "out of memory reading %s", path);
    goto fail;
  }
  c->M = head[0];
  c->K = head[1];
  c->nops = head[2];
  c->other_layers = head[3];
  c->nparams = head[4];
  c->nopt = head[5];
  c->opt_steps = (long)head[6];
  c->epoch = (long)head[7];
  c->grok_epoch = (long)(int64_t)head[8];
  c->ntrain = head[9];
  c->ntest = head[10];
  c->rng_len = head[12];
  c->cplx = version == LI2_CHECKPOINT_VERSION_COMPLEX;
  c->transformer = version == LI2_CHECKPOINT_VERSION_TRANSFORMER;
  if (version == LI2_CHECKPOINT_VERSION_OPTIONS) {
    c->flags = (unsigned)(head[14] & 0xffffffffu);
    c->nbuf = head[15];
  }
  if (c->transformer) {
    c->num_layers = (size_t)(head[15] & 0xff);
    c->nhead = (size_t)((head[15] >> 8) & 0xffff);
    c->dim_feedforward = (size_t)(head[15] >> 24);
  }
  nall = c->ntrain + c->ntest;
  /* dimensions must agree with each other and with the payload length */
  {
    int ok = c->M >= 2 && c->M < (1u << 20) && c->K >= 1 && c->K < (1u << 24) &&
             c->nops >= 2 && c->nops < 16 && c->other_layers < 64;
    size_t want = 0, pw = 1;
    if (ok && c->transformer) {
      /* sizes bounded before the count is formed (no wrap) */
      ok = head[14] == 1 && c->other_layers == 0 && c->num_layers >= 1 &&
           c->num_layers <= 64 && c->nhead >= 1 && c->K % c->nhead == 0 &&
           c->dim_feedforward >= 1 && c->dim_feedforward <= (1u << 20);
      if (ok)
        want = li2_transformer_param_count(c->M, c->nops, c->K, c->dim_feedforward,
                                           c->num_layers);
    } else if (ok) {
      want = (c->nops * c->M * c->K + c->other_layers * c->K * c->K + c->K * c->M) *
             (c->cplx ? 2 : 1);
      if (version == LI2_CHECKPOINT_VERSION_OPTIONS) {
        /* known flags only, and the sizes they imply */
        ok = c->flags &&
             !(c->flags & ~(LI2_CHECKPOINT_BN | LI2_CHECKPOINT_EMBED | LI2_CHECKPOINT_INNER)) &&
             head[14] == c->flags && c->nbuf == ((c->flags & LI2_CHECKPOINT_BN) ? 2 * c->K : 0);
        if (c->flags & LI2_CHECKPOINT_BN)
          want += 2 * c->K;
        if (c->flags & LI2_CHECKPOINT_EMBED)
          want += c->M * c->M;
      }
    }
    ok = ok && c->nparams == want;
    for (size_t i = 0; ok && i < c->nops; i++) {
      ok = pw <= SIZE_MAX / c->M;
      pw *= c->M;
    }
    /* each block bounded by the payload before any product is formed: nall
     * * 4 and nparams * 8 could otherwise wrap and match plen */
    if (!ok || pw != nall || c->ntrain > nall || head[11] > plen || c->nopt > plen / 8 ||
        c->rng_len > plen || nall > plen / sizeof(uint32_t) || c->nparams > plen / 8 ||
        c->nbuf > plen / 8) {
      li2_error_set(err, LI2_EFORMAT, "%s: corrupt checkpoint (inconsistent dimensions)", path);
      goto fail;
    }
  }
  /* counters a writer produces: epochs and steps >= 0, a grok epoch in
   * [-1, epoch], reserved fields zero, a test set (issue 15, defect 10) */
  if ((int64_t)head[6] < 0 || (int64_t)head[7] < 0 || (int64_t)head[8] < -1 ||
      (int64_t)head[8] > (int64_t)head[7] || head[13] != (uint64_t)c->cplx ||
      (!c->transformer && version != LI2_CHECKPOINT_VERSION_OPTIONS && (head[14] || head[15])) ||
      c->ntest == 0) {
    li2_error_set(err, LI2_EFORMAT,
                  "%s: corrupt checkpoint (epoch %lld, steps %lld, grok epoch %lld, ntest %zu, "
                  "reserved %llx %llx %llx)", path, (long long)(int64_t)head[7],
                  (long long)(int64_t)head[6], (long long)(int64_t)head[8], c->ntest,
                  (unsigned long long)head[13], (unsigned long long)head[14],
                  (unsigned long long)head[15]);
    goto fail;
  }
  need = sizeof head + head[11] + nall * sizeof(uint32_t) +
         (c->nparams + c->nopt + c->nbuf) * sizeof(double) + c->rng_len;
  if (need != plen) {
    li2_error_set(err, LI2_EFORMAT, "%s: corrupt checkpoint (payload %llu bytes, fields need %zu)",
                  path, (unsigned long long)plen, need);
    goto fail;
  }
  off = sizeof head;
  if (parse_config(c, (const char *)pl + off, head[11], path, err))
    goto fail;
  off += head[11];
  if (dup_block((void **)&c->split, pl + off, nall * sizeof(uint32_t), path, err))
    goto fail;
  off += nall * sizeof(uint32_t);
  if (dup_block((void **)&c->params, pl + off, c->nparams * sizeof(double), path, err))
    goto fail;
  off += c->nparams * sizeof(double);
  if (dup_block((void **)&c->opt_state, pl + off, c->nopt * sizeof(double), path, err))
    goto fail;
  off += c->nopt * sizeof(double);
  if (c->nbuf) {
    if (dup_block((void **)&c->buf, pl + off, c->nbuf * sizeof(double), path, err))
      goto fail;
    off += c->nbuf * sizeof(double);
    for (size_t i = 0; i < c->nbuf; i++)
      if (!isfinite(c->buf[i]) || ((c->flags & LI2_CHECKPOINT_BN) && i >= c->K && c->buf[i] < 0)) {
        li2_error_set(err, LI2_EFORMAT, "%s: corrupt checkpoint (buffer value %zu is not a "
                                        "finite statistic)", path, i);
        goto fail;
      }
  }
  if (dup_block((void **)&c->rng, pl + off, c->rng_len, path, err))
    goto fail;
  for (size_t i = 0; i < nall; i++)
    if (c->split[i] >= nall) {
      li2_error_set(err, LI2_EFORMAT, "%s: corrupt checkpoint (sample number out of range)",
                    path);
      goto fail;
    }
  for (size_t i = 0; i < c->nparams; i++)
    if (!isfinite(c->params[i])) {
      li2_error_set(err, LI2_EFORMAT, "%s: corrupt checkpoint (parameter %zu is not finite)",
                    path, i);
      goto fail;
    }
  /* the optimiser's moments too: a NaN there turns the parameters NaN at
   * the first resumed step (issue 15, defect 10) */
  for (size_t i = 0; i < c->nopt; i++)
    if (!isfinite(c->opt_state[i])) {
      li2_error_set(err, LI2_EFORMAT,
                    "%s: corrupt checkpoint (optimiser state value %zu is not finite)", path, i);
      goto fail;
    }
  if (!c->transformer) {
    c->W = c->params;
    c->L = c->W + c->nops * c->M * c->K * (c->cplx ? 2 : 1);
    c->V = c->L + c->other_layers * c->K * c->K * (c->cplx ? 2 : 1);
  }
  free(data);
  return c;
fail:
  free(data);
  li2_checkpoint_free(c);
  return NULL;
}

/* ---- run directories ---- */

char *li2_checkpoint_path(const char *dir, long epoch)
{
  char name[64];
  if (epoch < 0)
    return li2_io_path(dir, "checkpoint.li2");
  snprintf(name, sizeof name, "ckpt-%06ld.li2", epoch);
  return li2_io_path(dir, name);
}

int li2_checkpoint_find(const char *run, long epoch, char **path, li2_error *err)
{
  *path = NULL;
  if (li2_io_is_file(run)) {
    if (epoch >= 0)
      return li2_error_set(err, LI2_EINVAL,
                           "parameter epoch: %s is a checkpoint file, not a run directory", run);
    if (!(*path = strdup(run)))
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    return LI2_SUCCESS;
  }
  if (!(*path = li2_checkpoint_path(run, epoch)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (!li2_io_is_file(*path)) {
    int rc = li2_error_set(err, LI2_EIO, "%s: no such checkpoint%s", *path,
                           epoch >= 0 ? " (epochs are those of the run's ckpt-EPOCH.li2 files)"
                                      : "");
    free(*path);
    *path = NULL;
    return rc;
  }
  return LI2_SUCCESS;
}

static int cmp_long_idx(const void *a, const void *b, void *ctx)
{
  const long *e = ctx;
  long x = e[*(const size_t *)a], y = e[*(const size_t *)b];
  return x < y ? -1 : x > y;
}

int li2_checkpoint_list(const char *dir, char ***paths, long **epochs, size_t *n,
                        li2_error *err)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  size_t cnt = 0, cap = 0, *idx = NULL;
  char **p = NULL, **ps = NULL;
  long *e = NULL, *es = NULL;
  int rc = LI2_SUCCESS;
  *paths = NULL;
  *epochs = NULL;
  *n = 0;
  if (!d)
    return li2_error_set(err, LI2_EIO, "%s: cannot open directory: %s", dir, strerror(errno));
  while ((de = readdir(d))) {
    const char *s = de->d_name;
    char *end;
    long ep;
    if (strncmp(s, "ckpt-", 5) || !(s[5] >= '0' && s[5] <= '9'))
      continue;
    errno = 0;
    ep = strtol(s + 5, &end, 10);
    if (errno || strcmp(end, ".li2") || ep < 0)
      continue;
    {
      /* only the name li2 writes (ckpt-%06ld.li2): ckpt-20.li2 beside
       * ckpt-000020.li2 is not a second epoch 20, ckpt-999...9.li2 (no
       * long) is not an epoch at all (issue 15) */
      char canon[64];
      snprintf(canon, sizeof canon, "ckpt-%06ld.li2", ep);
      if (strcmp(canon, s))
        continue;
    }
    if (cnt == cap) {
      size_t nc = cap ? 2 * cap : 16;
      char **np = realloc(p, nc * sizeof *np);
      long *ne;
      if (!np) {
        rc = LI2_ENOMEM;
        break;
      }
      p = np;
      if (!(ne = realloc(e, nc * sizeof *ne))) {
        rc = LI2_ENOMEM;
        break;
      }
      e = ne;
      cap = nc;
    }
    if (!(p[cnt] = li2_io_path(dir, s))) {
      rc = LI2_ENOMEM;
      break;
    }
    e[cnt++] = ep;
  }
  closedir(d);
  if (!rc && cnt) {
    idx = malloc(cnt * sizeof *idx);
    ps = malloc(cnt * sizeof *ps);
    es = malloc(cnt * sizeof *es);
    if (!idx || !ps || !es)
      rc = LI2_ENOMEM;
  }
  if (!rc && cnt) {
    for (size_t i = 0; i < cnt; i++)
      idx[i] = i;
    /* readdir's order is arbitrary: sort by epoch (insertion sort keeps
     * this free of non-standard qsort_r). */
    for (size_t i = 1; i < cnt; i++)
      for (size_t k = i; k > 0 && cmp_long_idx(&idx[k - 1], &idx[k], e) > 0; k--) {
        size_t t = idx[k];
        idx[k] = idx[k - 1];
        idx[k - 1] = t;
      }
    for (size_t i = 0; i < cnt; i++) {
      ps[i] = p[idx[i]];
      es[i] = e[idx[i]];
    }
    *paths = ps;
    *epochs = es;
    *n = cnt;
    ps = NULL;
    es = NULL;
  } else if (rc) {
    for (size_t i = 0; i < cnt; i++)
      free(p[i]);
  }
  free(idx);
  free(ps);
  free(es);
  free(p);
  free(e);
  if (rc)
    return li2_error_set(err, rc, "out of memory");
  return LI2_SUCCESS;
}
