/* Flat entry points for foreign-function interfaces (the Python package
 * in python/, over ctypes): plain pointers, sizes and caller-allocated
 * arrays instead of li2's structures, so a binding never mirrors a C
 * struct layout.  Every array argument has the size stated; the caller
 * allocates it.  Objects come from the library's own allocators
 * (li2_group_alloc_name, li2_characters_alloc, li2_fourier_alloc,
 * li2_checkpoint_read, ...) and are released by their own free functions;
 * strings returned by li2_ffi_*_json are released with li2_ffi_free. */
#ifndef LI2_FFI_H
#define LI2_FFI_H

#include <stddef.h>
#include <stdint.h>
#include "characters.h"
#include "checkpoint.h"
#include "error.h"
#include "group.h"

#ifdef __cplusplus
extern "C" {
#endif

/* sizeof(li2_error), for a binding to check its own copy of the layout. */
size_t li2_ffi_error_size(void);
void li2_ffi_free(void *p);

/* ---- groups ---- */
size_t li2_ffi_group_order(const li2_group *g);
const char *li2_ffi_group_name(const li2_group *g);
int li2_ffi_group_abelian(const li2_group *g);
int li2_ffi_group_identity(const li2_group *g);
/* TABLE: M x M, row-major, TABLE[a M + b] = a b. */
void li2_ffi_group_table(const li2_group *g, int *table);

/* ---- character tables ---- */
size_t li2_ffi_characters_nirreps(const li2_characters *ct);
size_t li2_ffi_characters_ncomponents(const li2_characters *ct);
/* RE, IM: nirreps x nclasses (square), chi_i(class c) at [i n + c]. */
void li2_ffi_characters_table(const li2_characters *ct, double *re, double *im);
/* CLASS_OF: M (the group's order); SIZE, REP, ORDER: nclasses. */
void li2_ffi_characters_classes(const li2_group *g, const li2_characters *ct, int *class_of,
                                long *size, int *rep, int *order);
/* Per irrep (nirreps each): degree d_i, Frobenius-Schur indicator,
 * real component and that component's real dimension d_R. */
void li2_ffi_characters_irreps(const li2_characters *ct, int *degree, int *indicator,
                               int *component, int *real_dim);

/* ---- energy (Stage II) and its maxima ---- */
typedef struct li2_ffi_energy li2_ffi_energy;
/* The energy of one node for group G (borrowed), two operands, the
 * training pairs of li2_dataset_alloc_pairs(NTRAIN, SEED) (NTRAIN <= 0:
 * the full table), ACTIVATION and VARIANT by name. */
li2_ffi_energy *li2_ffi_energy_alloc(const li2_group *g, const char *activation,
                                     const char *variant, long ntrain, unsigned long seed,
                                     li2_error *err);
void li2_ffi_energy_free(li2_ffi_energy *e);
size_t li2_ffi_energy_dim(const li2_ffi_energy *e);
/* *E and, when GRAD is not NULL, its gradient (dim values) at W (dim). */
int li2_ffi_energy_eval(li2_ffi_energy *e, const double *w, double *E, double *grad);

/* li2_maxima_search on E's group, data and activation (raw energy,
 * default parameters, THREADS OpenMP threads) from STARTS random starts
 * and one start per real component; NULL with ERR set on failure. */
struct li2_maxima_result;
struct li2_maxima_result *li2_ffi_maxima_search(const li2_ffi_energy *e, const li2_group *g,
                                                const li2_characters *ct, size_t starts,
                                                unsigned long seed, int threads,
                                                li2_error *err);
/* SIZES[3] = nstarts, dim, ncomponents. */
void li2_ffi_maxima_sizes(const struct li2_maxima_result *r, size_t *sizes);
/* Per start (nstarts each): energy, label (0 max, 1 saddle, 2 degenerate),
 * dominant component (-1: none), purity; W: nstarts x dim end points;
 * LEVEL: ncomponents predicted maximal energies (NaN: no prediction).
 * Any pointer may be NULL. */
void li2_ffi_maxima_points(const struct li2_maxima_result *r, double *energy, int *label,
                           int *component, double *purity, double *w, double *level);

/* ---- training ---- */
struct li2_trainer;
/* A trainer for CONFIG ("key=value\n" lines, the keys of li2 train; the
 * rest default), set up at epoch 0. */
struct li2_trainer *li2_ffi_trainer_alloc(const char *config, li2_error *err);
/* DIMS[6] = M, K, num_of_ops, other_layers, ntrain, ntest. */
void li2_ffi_trainer_dims(struct li2_trainer *t, size_t *dims);
/* Copies of W ((k M) x K), L (r K K) and V (K x M); any may be NULL. */
void li2_ffi_trainer_params(struct li2_trainer *t, double *W, double *L, double *V);
/* METRICS[11] = epoch, train_acc, test_acc, train_loss, test_loss, gf_norm,
 * w_norm, v_norm, ftf_diag, ftf_offdiag, lr: metrics.tsv's row now. */
int li2_ffi_trainer_test(struct li2_trainer *t, double *metrics, li2_error *err);

/* ---- checkpoints and compare ---- */
/* DIMS[8] = M, K, num_of_ops, other_layers, ntrain, ntest, epoch, grok_epoch. */
void li2_ffi_checkpoint_dims(const li2_checkpoint *c, long *dims);
/* Copies of W, L, V (as li2_ffi_trainer_params) and SPLIT (ntrain + ntest
 * sample numbers, training first); any may be NULL. */
void li2_ffi_checkpoint_arrays(const li2_checkpoint *c, double *W, double *L, double *V,
                               uint32_t *split);
const char *li2_ffi_checkpoint_config_text(const li2_checkpoint *c);
/* compare.json of li2 compare for the checkpoint file PATH with default
 * parameters (li2_compare_checkpoint); caller frees with li2_ffi_free. */
char *li2_ffi_compare_json(const char *path, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
