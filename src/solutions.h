/* Solutions of modular addition by frequency: the reference's analysis
 * scripts (yuandong-tian/understanding, ssl/real-dataset/cogo:
 * sol_distri.py, factorize_sol.py, draw_dyn_fig3.py's compute_mps) for li2
 * runs.  They support Tian (2025), "Composing global solutions to
 * reasoning tasks via algebraic objects in neural nets" (arXiv
 * 2410.01779), which the Li2 paper cites for the structure of the grokked
 * solutions: Table 2 (solution types), Fig. 4 (solution orders) and the
 * r_{k1 k2 k} dynamics.  The Li2 paper's Thm. 3 counts the same nodes
 * (K = 2M - 2 suffice for an abelian group).
 *
 * Fourier coefficients (analyze_util.py:load_model_traj), for Z_d with d = M,
 * node j, frequency k = 0..d-1, W the first layer ((2d) x K, u_j = W[0:d, j],
 * v_j = W[d:2d, j]) and V the top layer (K x d):
 *   A[k, j] = (1/d) sum_n u_j[n] exp(-2 pi i n k / d)
 *   B[k, j] = (1/d) sum_n v_j[n] exp(-2 pi i n k / d)
 *   C[k, j] = (1/d) sum_n V[j, n] exp(+2 pi i n k / d)
 * (the reference's layera.weight, layerb.weight, layerc.weight are li2's
 * W[0:d]^T, W[d:2d]^T and V^T).
 *
 * Solution order (sol_distri.py): at frequency k = 1..(d-1)/2, the number
 * of nodes with |A[k, j]| > threshold (0.05).
 *
 * Factorisation (factorize_sol.py:analyze_solution): every node with
 * max_{k <= (d-1)/2} |A[k, j]| > threshold is assigned to its best
 * frequency (the first maximiser, k = 0 included); a frequency with q = 4 or
 * 6 such nodes gives the 3 x q matrix F = [A_k; B_k; C_k] over them, which
 * is tested as the ring product (CoGS) of an order-2 and an order-q/2
 * solution: the column permutation making F[2, :q/2] / F[2, q/2:] most
 * nearly constant (first minimum over all q! permutations in lexicographic
 * order), the [-1, -1, 1] sign fix where F[0, q/2:] / F[0, :q/2] departs
 * from its first entry by more than 0.2, then ratio = F[:, q/2:] / F[:, :q/2],
 * err = |ratio - its row means|_F, component1 = [1, row means] (3 x 2),
 * component2 = F[:, :q/2] / F[:, 0] (3 x q/2).  The frequency is
 * non-factorable when err > 0.1 sqrt(3 q).  Each component is classified
 * (check_component) after dividing every column by the principal cube root
 * of its product:
 *   order 2 (second column a, b, c): order-2-xi when c = +-i (parameter
 *     xi = a), order-2-4c when c = 1 and a = +-i (parameter a),
 *     order-2-nu when a + b = 0 (parameter nu = a), else order-2-unknown;
 *   order 3: after negating rows a, b of a column whose a has positive real
 *     part and conjugating when the second column's c has negative
 *     imaginary part: order-3-syn when the columns are omega and omega-bar
 *     (omega = exp(2 pi i / 3)) to 0.1 sqrt(3), order-3-syn-ab when only
 *     the c's are (parameters alpha, beta = a / omega of the two columns),
 *     else order-3-unknown;
 * every test to 0.1 in modulus.  The pair is ordered by name, as the
 * reference's string comparison does.
 *
 * r_{k1 k2 k} (draw_dyn_fig3.py:compute_mps): r_{k1 k2 k} = sum_j A[k1, j]
 * B[k2, j] C[k, j], and the rotations r_{a, m, k, k'} = sum_j A[k, j]
 * conj(A[k + m, j]) C[k', j] (same with B).  The figure's diagonal sum
 * sum_k Re r_{kkk} and off-diagonal sum (every other triple) are computed
 * here with sum_{k1 k2 k} r_{k1 k2 k} = sum_j (sum_k A[k, j]) (sum_k B[k, j])
 * (sum_k C[k, j]) = sum_j u_j[0] v_j[0] V[j, 0], O(d K) instead of the
 * reference's O(d^3 K) (the identity is tested against the direct sum).
 *
 * Differences from the reference: double precision (the reference
 * transforms in float32); every threshold is a parameter with the
 * reference's value as default.  Memory contract: results are owned by the
 * caller and released with li2_solutions_result_free (NULL accepted); no
 * state is kept between calls; deterministic. */
#ifndef LI2_SOLUTIONS_H
#define LI2_SOLUTIONS_H

#include <stddef.h>
#include <stdio.h>
#include "characters.h"
#include "error.h"
#include "figures.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Component types of check_component, in the reference's names. */
enum li2_solutions_type {
  LI2_SOL_ORDER2_UNNORMALIZED = 0,
  LI2_SOL_ORDER2_XI,
  LI2_SOL_ORDER2_4C,
  LI2_SOL_ORDER2_NU,
  LI2_SOL_ORDER2_UNKNOWN,
  LI2_SOL_ORDER3_UNNORMALIZED1,
  LI2_SOL_ORDER3_UNNORMALIZED2,
  LI2_SOL_ORDER3_SYN,
  LI2_SOL_ORDER3_SYN_AB,
  LI2_SOL_ORDER3_UNKNOWN,
  LI2_SOL_ERROR,
  LI2_SOL_NTYPES
};

/* "order-2-xi", ... ("error" for out of range). */
const char *li2_solutions_type_name(int type);

typedef struct li2_solutions_params {
  double threshold;   /* |A[k, j]| > threshold: node j at frequency k (0.05) */
  double sign_tol;    /* [-1, -1, 1] fix where the a-ratio departs by more (0.2) */
  double type_tol;    /* check_component's tests (0.1) */
  double factor_tol;  /* non-factorable when err > factor_tol sqrt(3 q) (0.1) */
} li2_solutions_params;

void li2_solutions_params_default(li2_solutions_params *p);

/* A, B, C (each d x K, row-major: X[k K + j]) from W ((2d) x K) and V
 * (K x d) as above.  CPLX: W and V hold (re, im) pairs (complex weights,
 * checkpoint version 2).  LI2_EINVAL when d < 3 or K = 0. */
int li2_solutions_fourier(const double *W, const double *V, size_t d, size_t K, int cplx,
                          li2_complex *A, li2_complex *B, li2_complex *C, li2_error *err);

/* ORDER[k] = #{j : |A[k, j]| > threshold} for k = 0..(d-1)/2
 * ((d-1)/2 + 1 values; sol_distri.py uses k >= 1). */
void li2_solutions_orders(const li2_complex *A, size_t d, size_t K, double threshold,
                          size_t *order);

/* BEST[j]: node j's best frequency in 0..(d-1)/2 (first maximiser of
 * |A[k, j]|), or -1 when its maximum is not above THRESHOLD. */
void li2_solutions_best(const li2_complex *A, size_t d, size_t K, double threshold, int *best);

/* Classify one component, 3 x M (row-major, M = 2 or 3 columns; any other M
 * gives LI2_SOL_ERROR): the type, and its parameters in PARAM (up to 2;
 * *NPARAM of them).  COMP is not changed. */
int li2_solutions_classify(const li2_complex *comp, size_t m, const li2_solutions_params *p,
                           li2_complex *param, size_t *nparam);

/* The factorisation of one frequency. */
typedef struct li2_solutions_factor {
  int k;                  /* frequency */
  size_t q;               /* nodes: 4 or 6 */
  int node[6];            /* the nodes, ascending */
  int perm[6];            /* the column permutation chosen (indices into node) */
  double err;             /* |ratio - row means|_F after the sign fix */
  int factorable;         /* err <= factor_tol sqrt(3 q) */
  li2_complex comp1[6];   /* 3 x 2, row-major */
  li2_complex comp2[9];   /* 3 x q/2, row-major */
  int type1, type2;       /* ordered by name */
  size_t nparam1, nparam2;
  li2_complex param1[2], param2[2];
} li2_solutions_factor;

/* Factorise F (3 x q row-major, q = 4 or 6: rows A_k, B_k, C_k over the
 * frequency's nodes); OUT's k and node are left to the caller.  LI2_EINVAL
 * for another q. */
int li2_solutions_factorize(const li2_complex *F, size_t q, const li2_solutions_params *p,
                            li2_solutions_factor *out, li2_error *err);

/* factorize_sol.py:summarize46 for one network.  The fractions divide by
 * (count + 1e-8) as the reference does, so an empty count gives 0. */
typedef struct li2_solutions_summary {
  size_t n;               /* (d-1)/2 frequencies */
  size_t n4, n6, n0;      /* frequencies with 4, 6 and 0 best nodes */
  size_t non_4_6_0;       /* the others */
  size_t nonfact4, nonfact6;
  size_t nfact;           /* n4 + n6 - nonfact4 - nonfact6 */
  size_t n4_4cxi;         /* (order-2-4c, order-2-xi) at q = 4 */
  size_t n6_nusyn;        /* (order-2-nu, order-3-syn) at q = 6 */
  size_t n6_4csynab;      /* (order-2-4c, order-3-syn-ab or order-3-syn) at q = 6 */
  double err4, err6;      /* mean err over the factorable ones (NaN: none) */
  double nonfact4_frac, nonfact6_frac;   /* nonfact4 / (n4 + 1e-8), nonfact6 / (n6 + 1e-8) */
  double sol_4_4cxi, sol_6_nusyn, sol_6_4csynab, sol_others;  /* / (nfact + 1e-8) */
} li2_solutions_summary;

typedef struct li2_solutions_result {
  size_t d, K, nfreq;     /* nfreq = (d-1)/2 */
  li2_solutions_params params;
  size_t *order;          /* nfreq + 1: li2_solutions_orders */
  size_t *best_nodes;     /* nfreq + 1: nodes whose best frequency is k */
  int *best;              /* K: li2_solutions_best */
  double *amax;           /* K: max_k |A[k, j]| over k <= nfreq */
  size_t nfactor;
  li2_solutions_factor *factor;  /* frequencies with 4 or 6 best nodes, ascending k */
  li2_solutions_summary summary;
} li2_solutions_result;

void li2_solutions_result_free(li2_solutions_result *r);

/* Everything above for one network, from its A, B, C. */
int li2_solutions_analyze(const li2_complex *A, const li2_complex *B, const li2_complex *C,
                          size_t d, size_t K, const li2_solutions_params *p,
                          li2_solutions_result **out, li2_error *err);

/* The same from a checkpoint file (li2 train, num_of_ops = 2, a 2-layer
 * network on Z_M: LI2_EUNSUP naming the file otherwise).  *EPOCH (may be
 * NULL) receives its epoch. */
int li2_solutions_checkpoint(const char *path, const li2_solutions_params *p,
                             li2_solutions_result **out, long *epoch, li2_error *err);

/* Load A, B, C of a checkpoint (each d x K; caller frees), with the same
 * checks. */
int li2_solutions_checkpoint_fourier(const char *path, size_t *d, size_t *K,
                                     li2_complex **A, li2_complex **B, li2_complex **C,
                                     long *epoch, li2_error *err);

/* ---- r_{k1 k2 k} ---- */

/* r_{k1 k2 k} = sum_j A[k1, j] B[k2, j] C[k, j]. */
li2_complex li2_solutions_r(const li2_complex *A, const li2_complex *B, const li2_complex *C,
                            size_t d, size_t K, size_t k1, size_t k2, size_t k);

/* sum_j X[k, j] conj(X[(k + m) mod d, j]) C[k2, j] (X = A: r_{a,m,k,k2};
 * X = B: r_{b,m,k,k2}). */
li2_complex li2_solutions_r_rot(const li2_complex *X, const li2_complex *C, size_t d, size_t K,
                                size_t m, size_t k, size_t k2);

/* DIAG = sum_k Re r_{kkk}, OFFDIAG = sum over the other d^3 - d triples of
 * Re r_{k1 k2 k} (unscaled; draw_dyn_fig3.py plots both times 2d). */
void li2_solutions_r_sums(const li2_complex *A, const li2_complex *B, const li2_complex *C,
                          size_t d, size_t K, double *diag, double *offdiag);

/* ---- output ---- */

/* orders.tsv: k, order, best_nodes (header first), k = 1..nfreq. */
void li2_solutions_write_orders(FILE *fp, const li2_solutions_result *r);
/* factorize.tsv: one row per frequency with 4 or 6 best nodes: k, q, err,
 * factorable, type1, type2, and the parameters' real, imaginary parts and
 * angles (nan when absent). */
void li2_solutions_write_factors(FILE *fp, const li2_solutions_result *r);

/* ---- run directories (solutions_run.c) ---- */

/* The analysis of `li2 solutions RUN`: for the checkpoint of RUN at EPOCH
 * (< 0: the latest, checkpoint.li2) OUTDIR (created) receives orders.tsv,
 * order-histogram.tsv (order, frequencies with that order; orders 0..10
 * and any larger one found), factorize.tsv and, with DYNAMICS (RUN a run
 * directory with ckpt-EPOCH.li2 files), the r_{k1 k2 k} dynamics over
 * every checkpoint: dynamics.tsv (epoch, diag, offdiag: the sums of
 * li2_solutions_r_sums times 2M, as draw_dyn_fig3.py plots them),
 * ra0.tsv and ra1.tsv (epoch, then |r_{a,m,k,k}| times 2M for k =
 * 1..(M-1)/2, m = 0 and 1); angles.tsv (k, kind, angle) and
 * angle-histogram.tsv as li2_solutions_sweep_run writes them, for this
 * network.  *OUT (may be NULL) receives the result. */
int li2_solutions_run(const char *run, long epoch, const li2_solutions_params *p,
                      const char *outdir, int dynamics, li2_solutions_result **out,
                      long *epoch_out, li2_error *err);

/* The summary's members (epoch, M, hidden_size, threshold, the counts and
 * fractions of li2_solutions_summary, the orders) into W's open object. */
void li2_solutions_summary_json(li2_json_writer *w, const li2_solutions_result *r, long epoch);
/* The same as "name<TAB>value" lines (the summary li2 sweep collects). */
void li2_solutions_write_summary_lines(FILE *fp, const li2_solutions_result *r, long epoch);

/* ---- the angles of factorize_sol.py's histograms ---- */

enum li2_solutions_angle {
  LI2_SOL_ANGLE_XI = 0,   /* xi of (order-2-4c, order-2-xi) at q = 4 */
  LI2_SOL_ANGLE_NU,       /* nu of (order-2-nu | order-2-4c, order-3-syn) at q = 6 */
  LI2_SOL_ANGLE_ALPHA,    /* alpha of (order-2-4c, order-3-syn-ab); 0 for order-3-syn */
  LI2_SOL_ANGLE_BETA,     /* beta, likewise */
  LI2_SOL_NANGLES
};
#define LI2_SOL_ANGLE_BINS 50

/* "xi", "nu", "alpha", "beta". */
const char *li2_solutions_angle_name(int kind);

/* The angles (carg, radians) of R's factorable frequencies as the
 * reference collects them: KIND, FREQ, ANGLE receive them (room for
 * 3 nfactor); returns their number. */
size_t li2_solutions_angles(const li2_solutions_result *r, int *kind, int *freq, double *angle);

/* Add R's angles to COUNTS (LI2_SOL_NANGLES x NBINS, kind-major): NBINS
 * equal bins on [-pi, pi].  LI2_ENOMEM or 0. */
int li2_solutions_angle_count(const li2_solutions_result *r, size_t nbins, size_t *counts);

/* Rows "PREFIX k<TAB>kind<TAB>angle" of R's angles.  LI2_ENOMEM or 0. */
int li2_solutions_write_angles(FILE *fp, const li2_solutions_result *r, const char *prefix);

/* ---- sweeps (solutions_sweep.c) ---- */

/* A sweep of li2 train analysed point by point.  A setting is the values
 * of every key swept over several values but seed (sol_distri.py groups by
 * M and weight_decay, factorize_sol.py by M over seeds). */
typedef struct li2_solutions_sweep {
  size_t npoints;           /* points analysed (complete ones) */
  size_t skipped;           /* points not complete */
  size_t *point;            /* npoints: their numbers */
  size_t *setting_of;       /* npoints: their setting */
  size_t nsettings;
  char **setting_name;      /* "M=23, weight_decay=5e-5" */
  size_t *runs;             /* nsettings: points per setting */
  size_t norders;           /* orders 0..norders-1 (at least 0..10) */
  size_t *histogram;        /* nsettings x norders: frequencies by order */
  size_t nbins;
  size_t *angle_counts;     /* LI2_SOL_NANGLES x nbins over every point */
  size_t nfields;
  const char *const *field; /* summarize46's names, sorted as print_row */
  double *mean, *sem;       /* nsettings x nfields: mean, std/sqrt(n) */
} li2_solutions_sweep;

void li2_solutions_sweep_free(li2_solutions_sweep *w);

/* `li2 solutions sweep=DIR`: every complete point of the sweep DIR (li2
 * sweep train), its checkpoint at EPOCH (< 0: the latest) analysed as
 * li2_solutions_checkpoint does; OUTDIR (created) receives points.tsv
 * (point, setting, the keys, epoch, M, hidden_size, summarize46's fields,
 * the orders), table.tsv (per setting the mean and standard error of each
 * field over its runs: the reference's Table 2, print_row), sweep-orders.tsv
 * (setting, order, frequencies: sol_distri.py's Fig. 4 histograms),
 * angles.tsv (point, k, kind, angle) and angle-histogram.tsv (bin centre,
 * then the counts of xi, nu, alpha, beta in LI2_SOL_ANGLE_BINS bins on
 * [-pi, pi]).  LI2_EUNSUP for a sweep of another subcommand, LI2_EINVAL
 * when no point is complete. */
int li2_solutions_sweep_run(const char *dir, long epoch, const li2_solutions_params *p,
                            const char *outdir, li2_solutions_sweep **out, li2_error *err);

/* ---- figures (solutions_plot.c, templates plots/solutions-*.gp) ---- */

/* Draw, into DIR, the figures of the tables li2_solutions_run or
 * li2_solutions_sweep_run wrote in DIR (or DIR/solutions): solutions-orders
 * (order-histogram.tsv), solutions-dynamics (dynamics.tsv, the dashed
 * M - 1 from solutions.json), solutions-order4, solutions-order6
 * (|r_{a,0,k,k}| from ra0.tsv of the frequencies of order 4 and 6 in
 * orders.tsv), solutions-a1 (ra1.tsv), solutions-angle-xi, -nu,
 * -alpha-beta (angle-histogram.tsv, each when it has counts) and
 * solutions-sweep-orders (sweep-orders.tsv, one panel per setting named
 * from table.tsv).  Tables found elsewhere than DIR are copied into DIR as
 * solutions-NAME, so the scripts name their data relative to DIR.  li2 plot
 * draws the same through li2_figures_render.  In P's formats; gnuplot
 * failures are recorded in LIST as li2 plot does. */
int li2_solutions_figures(const char *dir, const li2_figures_params *p, li2_figures_list *list,
                          li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
