/* Trainer checkpoints: a documented binary format (doc/checkpoint.md).
 *
 *   magic "LI2CKPT\n", u32 version, u32 byte-order mark 0x01020304,
 *   u64 payload length, payload, u64 FNV-1a-64 of the payload.
 *   Payload: 16 u64 header fields (dimensions, counters), the configuration
 *   as "key=value\n" text, the split (every sample number as u32, training
 *   samples first), the parameters W | L | V and the optimiser state (f64),
 *   the RNG state (bytes).
 *
 * Files are written atomically (li2_io_open_atomic / li2_io_commit).  A
 * truncated, corrupt or foreign file is rejected with LI2_EFORMAT and a
 * message naming the file.  Other modules (gradient analysis, compare)
 * read the group, configuration, W and V through li2_checkpoint_read.
 *
 * Memory contract: a checkpoint returned by li2_checkpoint_read owns all
 * its arrays; li2_checkpoint_free releases them (NULL accepted).  For
 * writing, the caller fills a li2_checkpoint whose pointers it owns. */
#ifndef LI2_CHECKPOINT_H
#define LI2_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version 1: real weights.  Version 2 (use_complex_weights): the same
 * layout with header field 13 = 1 and every weight a (re, im) pair of f64,
 * so nparams is twice the weights; li2 before version 2 refuses these
 * files by their version, li2 now reads both. */
#define LI2_CHECKPOINT_VERSION 1
#define LI2_CHECKPOINT_VERSION_COMPLEX 2
/* Version 3 (model_type=transformer): header field 14 = 1, field 15 =
 * num_layers | nhead << 8 | dim_feedforward << 24, the parameters in the
 * layout of transformer.h (nparams = li2_transformer_param_count); W, L
 * and V are not set (NULL). */
#define LI2_CHECKPOINT_VERSION_TRANSFORMER 3
/* Version 4 (the 2-layer network with the reference's model options):
 * header field 14 = the option flags below, field 15 = NBUF, the count of
 * f64 buffers (not trained, not in the optimiser) written between the
 * optimiser state and the RNG state; the parameters W | L | V are followed
 * by the options' trained blocks (use_bn: gamma | beta, K each; then
 * embed_trainable: E, M x M), and nparams counts them.  use_bn's buffers: running mean | running variance (K each).
 * Runs without these options keep writing versions 1 and 2. */
#define LI2_CHECKPOINT_VERSION_OPTIONS 4
#define LI2_CHECKPOINT_BN 1u     /* use_bn: + gamma | beta (2K), buffers 2K */
#define LI2_CHECKPOINT_EMBED 2u  /* embed_trainable: + E (M x M) after them */
#define LI2_CHECKPOINT_INNER 4u  /* use_inner_product_act: the same parameters */

typedef struct li2_checkpoint {
  size_t M;             /* group order */
  size_t K;             /* hidden_size */
  size_t nops;          /* num_of_ops */
  size_t other_layers;
  size_t nparams;       /* nops M K + other_layers K^2 + K M, twice that when cplx */
  int cplx;             /* complex weights (version 2): (re, im) pairs */
  int transformer;      /* version 3: the reference's transformer (K = hidden_size) */
  size_t nhead, num_layers, dim_feedforward;  /* its sizes (version 3) */
  unsigned flags;       /* version 4: LI2_CHECKPOINT_BN | _EMBED | _INNER (0 in versions 1-3) */
  size_t nbuf;          /* version 4: buffer doubles (use_bn: 2K) */
  double *buf;          /* nbuf: use_bn's running mean | running variance */
  size_t nopt;          /* optimiser state doubles */
  long opt_steps;       /* optimiser steps taken */
  long epoch;           /* completed epochs */
  long grok_epoch;      /* first logged epoch with test acc >= 0.95, -1 if none */
  size_t ntrain, ntest; /* split sizes; ntrain + ntest = M^nops */
  char *config;         /* "key=value\n" lines, NUL-terminated */
  uint32_t *split;      /* ntrain + ntest sample numbers, training first */
  double *params;       /* nparams: W ((nops M) x K) | L (K x K each) | V (K x M) */
  double *opt_state;    /* nopt */
  unsigned char *rng;   /* rng_len bytes of generator state */
  size_t rng_len;
  /* filled by li2_checkpoint_read: views into params and parsed config */
  double *W, *L, *V;
  size_t nconfig;
  char **keys, **values;
} li2_checkpoint;

int li2_checkpoint_write(const char *path, const li2_checkpoint *c, li2_error *err);
li2_checkpoint *li2_checkpoint_read(const char *path, li2_error *err);
void li2_checkpoint_free(li2_checkpoint *c);

/* Value of a configuration key ("group", "activation", "weight_decay",
 * ...) or NULL. */
const char *li2_checkpoint_config(const li2_checkpoint *c, const char *key);

/* ---- run directories ---- */

/* The checkpoint file of run directory DIR at EPOCH: DIR/ckpt-EPOCH.li2
 * (six digits), DIR/checkpoint.li2 for EPOCH < 0.  Caller frees; NULL on
 * no memory. */
char *li2_checkpoint_path(const char *dir, long epoch);

/* Checkpoint file of RUN at EPOCH: RUN itself when it is a file; else
 * li2_checkpoint_path(RUN, EPOCH).  Caller frees.  LI2_EIO naming the path
 * when it does not exist. */
int li2_checkpoint_find(const char *run, long epoch, char **path, li2_error *err);

/* The checkpoints of a run directory, ckpt-EPOCH.li2, in increasing epoch:
 * *PATHS (caller frees each and the array) and *EPOCHS (caller frees).
 * Zero checkpoints is not an error (*N = 0). */
int li2_checkpoint_list(const char *dir, char ***paths, long **epochs, size_t *n,
                        li2_error *err);

/* FNV-1a 64-bit hash of LEN bytes continuing from H (start with
 * LI2_FNV64_INIT). */
#define LI2_FNV64_INIT UINT64_C(14695981039346656037)
uint64_t li2_fnv64(uint64_t h, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
