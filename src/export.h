/* A run's checkpoints as NumPy files (li2 export; doc/checkpoint.md).
 *
 * .npy is NumPy's array format, version 1.0: the magic "\x93NUMPY", bytes
 * 1 and 0, a little-endian u16 header length, an ASCII Python dict
 * {'descr': ..., 'fortran_order': False, 'shape': (...), } padded with
 * spaces to a multiple of 64 bytes and ended by '\n', then the data in C
 * order.  .npz is a zip archive of .npy files (NAME.npy per array); li2
 * stores them uncompressed (method 0) with their CRC-32, so no zlib is
 * needed.  Every file is written atomically (li2_io_open_atomic).
 *
 * li2_export_run writes, from one checkpoint of a run (default the latest,
 * checkpoint.li2) into OUT:
 *   W.npy      (k M) x K float64    first layer, row t M + a: operand t's value a
 *   V.npy      K x M float64        output layer
 *   L.npy      r x K x K float64    other layers (r = other_layers, may be 0)
 *   train_samples.npy, test_samples.npy   uint32 sample numbers (the split,
 *              training samples in the trainer's order)
 *   X_train.npy, X_test.npy   n x k int32 operands;  y_train.npy, y_test.npy  labels
 *   metrics.npy  structured array, one float64 field per metrics.tsv column
 *              (rows up to the checkpoint's epoch); absent without metrics.tsv
 *   run.npz    all of the above plus epoch, grok_epoch (int64 scalars) and
 *              config (the configuration text as a uint8 array)
 * and with CHECKPOINTS "all" also ckpt-EPOCH.npz (W, V, L, epoch) for every
 * ckpt-EPOCH.li2 of the run.  W, V and L are complex128 for complex
 * weights; a run with use_bn adds gamma.npy, beta.npy (K, trained) and
 * bn_running_mean.npy, bn_running_var.npy (K); with embed_trainable E.npy
 * (M x M, row a the embedding of value a), in run.npz and every ckpt npz
 * too.  A transformer run is refused (LI2_EUNSUP): its weights are not
 * W, L, V. */
#ifndef LI2_EXPORT_H
#define LI2_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LI2_EXPORT_MAXDIM 4

/* One array: NAME (the .npz member without ".npy"), DESCR the NumPy type
 * string ("<f8", "<u4") or a structured descr starting with '[' (written
 * verbatim), ITEMSIZE bytes per element, NDIM <= LI2_EXPORT_MAXDIM. */
typedef struct li2_export_array {
  const char *name;
  const char *descr;
  size_t itemsize;
  int ndim;
  size_t shape[LI2_EXPORT_MAXDIM];
  const void *data;
} li2_export_array;

/* The native NumPy type string of double, int, uint32 and int64
 * ("<f8" on little-endian machines, ">f8" on big-endian ones). */
const char *li2_export_descr_f8(void);
const char *li2_export_descr_i4(void);
const char *li2_export_descr_u4(void);
const char *li2_export_descr_i8(void);

/* Bytes of the .npy encoding of A (header and data). */
size_t li2_export_npy_size(const li2_export_array *a);
/* The .npy encoding of A into BUF (li2_export_npy_size bytes).  LI2_EINVAL
 * when the header would not fit version 1.0's 65535 bytes. */
int li2_export_npy_encode(const li2_export_array *a, unsigned char *buf, li2_error *err);

/* CRC-32 (ISO-HDLC, zip's) of LEN bytes continuing from CRC (start with 0). */
uint32_t li2_export_crc32(uint32_t crc, const void *data, size_t len);

/* PATH as one .npy file, atomically. */
int li2_export_npy_save(const char *path, const li2_export_array *a, li2_error *err);
/* PATH as one .npz (stored zip) of the N arrays, atomically.  LI2_EUNSUP
 * beyond zip's 4 GiB (no zip64). */
int li2_export_npz_save(const char *path, const li2_export_array *a, size_t n,
                        li2_error *err);

/* Export RUN (a run directory, or one checkpoint file) into OUT (created).
 * CHECKPOINT: NULL or "latest" (checkpoint.li2), an epoch number
 * (ckpt-EPOCH.li2), or "all" (the latest plus ckpt-EPOCH.npz for every
 * saved epoch).  LOG (may be NULL) gets one line per file written. */
int li2_export_run(const char *run, const char *checkpoint, const char *out, FILE *log,
                   li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
