/* Predicted versus emergent features (see compare.h). */
#define _POSIX_C_SOURCE 200809L
#include "compare.h"

#include <complex.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "energy.h"
#include "fourier.h"
#include "io.h"
#include "json.h"
#include "node.h"
#include "train.h"
#include "provenance.h"

struct li2_compare {
  const li2_group *g;
  const li2_characters *ct;
  li2_compare_params p;
  size_t M, dim, ncomp;
  li2_dataset *full;        /* owned: the full table (data=full) */
  li2_energy *e;
  li2_fourier *f;
  li2_maximizer *mx;
  li2_certifier *cert;
  li2_classifier *cls;
  double complex *coef;     /* nirreps */
  double *w, *wn, *wend;    /* dim */
  int abelian;              /* li2_fourier_coefficients works */
};

/* The energy and G_F are the paper's for sigma(W x) V (Sec. 3, Stage I:
 * G_F with V at its ridge solution; Thm 1, Eq. 7: each node ascends E);
 * the progress measures need only the logits and the embedding. */
static const li2_compare_scope transformer_scope[] = {
  {"training: metrics.tsv, checkpoints, resume", "li2 train", 1,
   "full-batch steps of the reference's transformer; loss and accuracy on the run's split"},
  {"progress measures: the embedding's Fourier spectrum, key frequencies, restricted and "
   "excluded loss, Gini coefficient (progress.tsv)", "li2 compare", 1,
   "they read only the logits on the whole table and the embedding E (Nanda et al. 2023)"},
  {"grokking and progress figures", "li2 plot", 1, "drawn from metrics.tsv and progress.tsv"},
  {"energy landscape E(w) = 1/2 |Y~^T sigma~(Xw)|^2 and its maxima at M/(2 d_R)", "li2 maxima", 0,
   "E is the energy one hidden node of the 2-layer network sigma(W x) V ascends (paper Thm 1, "
   "Eq. 7); a transformer's units see the tokens through attention and LayerNorm, so no E(w) "
   "is defined for them"},
  {"nodes at a predicted maximum, coverage, emergence.tsv", "li2 compare", 0,
   "they compare the columns of the 2-layer network's W with the maxima of E"},
  {"G_F closed form against backprop, independence over eta, Stages I-III", "li2 gradient", 0,
   "the closed form G_F = eta (F~F~^T + eta I)^-1 Y~Y~^T F~ (F~^T F~ + eta I)^-1 (paper Sec. 3) "
   "holds for any features under a linear top layer at its ridge solution, but the stages and "
   "the independence are about features sigma(X w_j) of one weight vector each; the "
   "transformer's pooled features are coupled through attention and LayerNorm"},
};

const li2_compare_scope *li2_compare_transformer_scope(size_t *n)
{
  *n = sizeof transformer_scope / sizeof transformer_scope[0];
  return transformer_scope;
}

void li2_compare_params_default(li2_compare_params *p)
{
  memset(p, 0, sizeof *p);
  p->active_ratio = 0.1;
  p->purity_min = 0.9;
  p->angle_max = 10.0;
  p->data = LI2_COMPARE_FULL;
  p->variant = LI2_ENERGY_RAW;
  p->maximise = 1;
  p->certify = 1;
  li2_maxima_params_default(&p->maxima);
}

void li2_compare_free(li2_compare *c)
{
  if (!c)
    return;
  li2_classifier_free(c->cls);
  li2_certifier_free(c->cert);
  li2_maximizer_free(c->mx);
  li2_fourier_free(c->f);
  li2_energy_free(c->e);
  li2_dataset_free(c->full);
  free(c->coef);
  free(c->w);
  free(c->wn);
  free(c->wend);
  free(c);
}

li2_compare *li2_compare_alloc(const li2_group *g, const li2_characters *ct,
                               const li2_dataset *d, li2_activation act,
                               const li2_compare_params *p, li2_error *err)
{
  li2_compare *c;
  const li2_dataset *data = d;
  if (!(p->active_ratio >= 0 && p->active_ratio <= 1))
    return li2_error_set(err, LI2_EINVAL, "parameter active_ratio: must be in [0, 1]"), NULL;
  if (!(p->purity_min >= 0 && p->purity_min <= 1))
    return li2_error_set(err, LI2_EINVAL, "parameter purity_min: must be in [0, 1]"), NULL;
  if (!(p->angle_max > 0 && p->angle_max <= 180))
    return li2_error_set(err, LI2_EINVAL, "parameter angle_max: must be in (0, 180]"), NULL;
  if (p->data == LI2_COMPARE_TRAIN && (!d || d->order != g->order || d->nops != 2))
    return li2_error_set(err, LI2_EINVAL,
                         "parameter data: train needs the run's two-operand training set"),
           NULL;
  if (!(c = calloc(1, sizeof *c)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory"), NULL;
  c->g = g;
  c->ct = ct;
  c->p = *p;
  c->p.maxima.radius = 1.0;
  c->M = g->order;
  c->dim = 2 * c->M;
  if (p->data == LI2_COMPARE_FULL) {
    if (!(c->full = li2_dataset_alloc_full(g, 2, err)))
      goto fail;
    data = c->full;
  }
  if (!(c->e = li2_energy_alloc(g, data, act, p->variant, LI2_ENERGY_AUTO, err)) ||
      !(c->f = li2_fourier_alloc(g, ct, LI2_FOURIER_AUTO, err)) ||
      !(c->cls = li2_classifier_alloc(c->e, g, ct, &c->p.maxima, err)))
    goto fail;
  if (p->maximise && !(c->mx = li2_maximizer_alloc(c->e, &c->p.maxima, err)))
    goto fail;
  if (p->maximise && p->certify && !(c->cert = li2_certifier_alloc(c->e, &c->p.maxima, err)))
    goto fail;
  c->ncomp = li2_fourier_ncomponents(c->f);
  c->coef = malloc(ct->nirreps * sizeof *c->coef);
  c->w = malloc(c->dim * sizeof *c->w);
  c->wn = malloc(c->dim * sizeof *c->wn);
  c->wend = malloc(c->dim * sizeof *c->wend);
  if (!c->coef || !c->w || !c->wn || !c->wend) {
    li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto fail;
  }
  {
    /* Phases need the abelian coefficients; probe once. */
    memset(c->w, 0, c->dim * sizeof *c->w);
    c->w[0] = 1;
    c->abelian = g->abelian && li2_fourier_coefficients(c->f, c->w, c->coef) == LI2_SUCCESS;
  }
  return c;
fail:
  li2_compare_free(c);
  return NULL;
}

void li2_compare_result_free(li2_compare_result *r)
{
  if (!r)
    return;
  free(r->group);
  free(r->nodes);
  free(r->power_u);
  free(r->power_v);
  free(r->real_dim);
  free(r->nodes_per_component);
  free(r->at_max_per_component);
  free(r->covered);
  free(r->missing);
  free(r->spectrum);
  free(r);
}

static li2_compare_result *result_alloc(size_t M, size_t K, size_t nc)
{
  li2_compare_result *r = calloc(1, sizeof *r);
  if (!r)
    return NULL;
  r->M = M;
  r->K = K;
  r->ncomponents = nc;
  r->epoch = -1;
  r->train_acc = r->test_acc = NAN;
  r->nodes = calloc(K ? K : 1, sizeof *r->nodes);
  r->power_u = calloc(K * nc + 1, sizeof *r->power_u);
  r->power_v = calloc(K * nc + 1, sizeof *r->power_v);
  r->real_dim = calloc(nc, sizeof *r->real_dim);
  r->nodes_per_component = calloc(nc, sizeof *r->nodes_per_component);
  r->at_max_per_component = calloc(nc, sizeof *r->at_max_per_component);
  r->covered = calloc(nc, sizeof *r->covered);
  r->missing = calloc(nc, sizeof *r->missing);
  r->spectrum = calloc(nc, sizeof *r->spectrum);
  if (!r->nodes || !r->power_u || !r->power_v || !r->real_dim || !r->nodes_per_component ||
      !r->at_max_per_component || !r->covered || !r->missing || !r->spectrum) {
    li2_compare_result_free(r);
    return NULL;
  }
  return r;
}

/* Column j of W as w = [u; v]. */
static void gather(const double *W, size_t M, size_t K, size_t j, double *w)
{
  for (size_t a = 0; a < 2 * M; a++)
    w[a] = W[a * K + j];
}

static double dot(size_t n, const double *a, const double *b)
{
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

int li2_compare_power(li2_compare *c, const double *W, size_t K, double *power_u,
                      double *power_v, li2_error *err)
{
  for (size_t j = 0; j < K; j++) {
    gather(W, c->M, K, j, c->w);
    if (li2_fourier_power(c->f, c->w, power_u + j * c->ncomp) ||
        li2_fourier_power(c->f, c->w + c->M, power_v + j * c->ncomp))
      return li2_error_set(err, LI2_ENUMERIC, "compare: Fourier power of node %zu failed", j);
  }
  return LI2_SUCCESS;
}

/* The maximiser started at the node's normalised weights (c->wn): angle
 * moved, end energy, certified label and end component. */
static int climb(li2_compare *c, li2_compare_node *nd, li2_error *err)
{
  li2_maxima_point pt;
  int rc;
  if ((rc = li2_maximizer_ascend(c->mx, c->wn, c->wend, err)))
    return rc;
  nd->iterations = li2_maximizer_iterations(c->mx);
  {
    double cs = dot(c->dim, c->wn, c->wend);
    cs = cs > 1 ? 1 : cs < -1 ? -1 : cs;
    nd->angle = acos(cs) * (180.0 / 3.14159265358979323846);
  }
  memset(&pt, 0, sizeof pt);
  if (c->cert) {
    if ((rc = li2_certifier_certify(c->cert, c->wend, &pt, err)))
      return rc;
    nd->energy_end = pt.energy;
    nd->label_end = pt.label;
  } else if ((rc = li2_energy_eval(c->e, c->wend, &nd->energy_end, NULL))) {
    return li2_error_set(err, rc, "compare: energy not finite at the maximiser's end point");
  }
  if ((rc = li2_classifier_classify(c->cls, c->wend, &pt, err)))
    return rc;
  nd->component_end = pt.component;
  return LI2_SUCCESS;
}

int li2_compare_nodes(li2_compare *c, const double *W, size_t K, li2_compare_result **out,
                      li2_error *err)
{
  size_t M = c->M, nc = c->ncomp;
  li2_compare_result *r = result_alloc(M, K, nc);
  double maxnorm = 0, total = 0, puresum = 0;
  int rc = LI2_SUCCESS;
  *out = NULL;
  if (!r)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (size_t k = 1; k < nc; k++)
    r->real_dim[k] = c->ct->component_real_dim[k];
  for (size_t j = 0; j < K; j++) {
    li2_compare_node *nd = &r->nodes[j];
    gather(W, M, K, j, c->w);
    nd->norm_u = sqrt(dot(M, c->w, c->w));
    nd->norm_v = sqrt(dot(M, c->w + M, c->w + M));
    nd->norm = hypot(nd->norm_u, nd->norm_v);
    if (nd->norm > maxnorm)
      maxnorm = nd->norm;
  }
  if ((rc = li2_compare_power(c, W, K, r->power_u, r->power_v, err)))
    goto done;
  for (size_t j = 0; j < K; j++) {
    li2_compare_node *nd = &r->nodes[j];
    li2_maxima_point pt;
    nd->active = li2_node_active(nd->norm, maxnorm, c->p.active_ratio);
    nd->component = -1;
    nd->phase_u = nd->phase_v = nd->energy = nd->predicted = NAN;
    nd->angle = nd->energy_end = NAN;
    nd->label_end = nd->component_end = -1;
    for (size_t k = 1; k < nc; k++) {
      double s = r->power_u[j * nc + k] + r->power_v[j * nc + k];
      r->spectrum[k] += s;
      total += s;
    }
    if (!(nd->norm > 0))
      continue;
    gather(W, M, K, j, c->w);
    for (size_t a = 0; a < c->dim; a++)
      c->wn[a] = c->w[a] / nd->norm;
    memset(&pt, 0, sizeof pt);
    if ((rc = li2_classifier_classify(c->cls, c->wn, &pt, err)))
      goto done;
    nd->component = pt.component;
    nd->purity = pt.purity;
    if ((rc = li2_energy_eval(c->e, c->wn, &nd->energy, NULL))) {
      rc = li2_error_set(err, rc, "compare: energy of node %zu is not finite", j);
      goto done;
    }
    nd->predicted = li2_maxima_predicted_energy(c->ct, c->e, M, nd->component, 1.0);
    if (c->abelian && nd->component > 0) {
      int irr = c->ct->component_irrep[nd->component];
      li2_fourier_coefficients(c->f, c->w, c->coef);
      nd->phase_u = carg(c->coef[irr]);
      li2_fourier_coefficients(c->f, c->w + M, c->coef);
      nd->phase_v = carg(c->coef[irr]);
    }
    if (!nd->active)
      continue;
    if (c->mx && (rc = climb(c, nd, err)))
      goto done;
    nd->at_max = nd->component > 0 && nd->purity > c->p.purity_min &&
                 (!c->mx || nd->angle < c->p.angle_max);
  }
  for (size_t k = 1; k < nc; k++)
    r->spectrum[k] = total > 0 ? r->spectrum[k] / total : 0;
  for (size_t j = 0; j < K; j++) {
    const li2_compare_node *nd = &r->nodes[j];
    if (!nd->active)
      continue;
    r->active_nodes++;
    puresum += nd->purity;
    if (nd->component > 0)
      r->nodes_per_component[nd->component]++;
    if (nd->at_max) {
      r->at_max_nodes++;
      r->at_max_per_component[nd->component]++;
    }
  }
  r->at_predicted_max_fraction =
      r->active_nodes ? (double)r->at_max_nodes / (double)r->active_nodes : NAN;
  r->mean_purity = r->active_nodes ? puresum / (double)r->active_nodes : NAN;
  for (size_t k = 1; k < nc; k++) {
    if (r->at_max_per_component[k])
      r->covered[r->ncovered++] = (int)k;
    else
      r->missing[r->nmissing++] = (int)k;
  }
done:
  if (rc)
    li2_compare_result_free(r);
  else
    *out = r;
  return rc;
}

int li2_compare_checkpoint(const char *path, const li2_compare_params *p,
                           li2_compare_result **out, li2_error *err)
{
  li2_trainer *t = li2_trainer_load(path, err);
  li2_characters *ct = NULL;
  li2_compare *c = NULL;
  li2_train_metrics m;
  li2_model *mod;
  int rc;
  *out = NULL;
  if (!t)
    return err && err->code ? err->code : LI2_EIO;
  mod = li2_trainer_model(t);
  if (!mod && p->transformer_ok && li2_trainer_transformer(t)) {
    /* node analyses do not apply; say so without reading the file again */
    if (!(*out = calloc(1, sizeof **out)) ||
        !((*out)->group = strdup(li2_trainer_group(t)->name))) {
      li2_compare_result_free(*out);
      *out = NULL;
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    (*out)->transformer = 1;
    (*out)->M = li2_trainer_group(t)->order;
    (*out)->epoch = li2_trainer_epoch(t);
    (*out)->train_acc = (*out)->test_acc = NAN;
    rc = LI2_SUCCESS;
    goto done;
  }
  if ((rc = li2_model_require_real(mod, "li2 compare", err))) {
    li2_error_prefix(err, "%s: ", path);
    goto done;
  }
  if (mod->nops != 2) {
    rc = li2_error_set(err, LI2_EUNSUP, "%s: num_of_ops = %d; compare needs two operands", path,
                       mod->nops);
    goto done;
  }
  if ((rc = li2_trainer_test(t, &m, err)))
    goto done;
  if (!(ct = li2_characters_alloc(li2_trainer_group(t), err))) {
    rc = err->code;
    goto done;
  }
  if (!(c = li2_compare_alloc(li2_trainer_group(t), ct, li2_trainer_dataset(t), mod->act, p,
                              err))) {
    rc = err->code;
    goto done;
  }
  if ((rc = li2_compare_nodes(c, mod->W, mod->K, out, err))) {
    li2_error_prefix(err, "%s: ", path);
    goto done;
  }
  (*out)->epoch = li2_trainer_epoch(t);
  if (!((*out)->group = strdup(li2_trainer_group(t)->name))) {
    li2_compare_result_free(*out);
    *out = NULL;
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto done;
  }
  (*out)->train_acc = m.train_acc;
  (*out)->test_acc = m.test_acc;
done:
  li2_compare_free(c);
  li2_characters_free(ct);
  li2_trainer_free(t);
  return rc;
}

/* ---- output ---- */

static void num(FILE *fp, double x, const char *fmt)
{
  if (isnan(x))
    fputc('-', fp);
  else
    fprintf(fp, fmt, x);
}

void li2_compare_write_tsv(FILE *fp, const li2_compare_result *r)
{
  size_t nc = r->ncomponents;
  fprintf(fp, "node\tactive\tnorm\tnorm_u\tnorm_v\tcomponent\tpurity\tphase_u\tphase_v\tenergy"
              "\tpredicted\tenergy_ratio\tangle\tenergy_end\tlabel_end\tcomponent_end"
              "\titerations\tat_max");
  for (size_t k = 1; k < nc; k++)
    fprintf(fp, "\tpu%zu", k);
  for (size_t k = 1; k < nc; k++)
    fprintf(fp, "\tpv%zu", k);
  fputc('\n', fp);
  for (size_t j = 0; j < r->K; j++) {
    const li2_compare_node *n = &r->nodes[j];
    fprintf(fp, "%zu\t%d\t%.10g\t%.10g\t%.10g\t", j, n->active, n->norm, n->norm_u, n->norm_v);
    if (n->component > 0)
      fprintf(fp, "%d\t", n->component);
    else
      fputs("-\t", fp);
    num(fp, n->purity, "%.6f");
    fputc('\t', fp);
    num(fp, n->phase_u, "%.6f");
    fputc('\t', fp);
    num(fp, n->phase_v, "%.6f");
    fputc('\t', fp);
    num(fp, n->energy, "%.10g");
    fputc('\t', fp);
    num(fp, n->predicted, "%.10g");
    fputc('\t', fp);
    num(fp, n->energy / n->predicted, "%.6f");
    fputc('\t', fp);
    num(fp, n->angle, "%.4f");
    fputc('\t', fp);
    num(fp, n->energy_end, "%.10g");
    fprintf(fp, "\t%s\t", n->label_end >= 0 ? li2_maxima_label_name(n->label_end) : "-");
    if (n->component_end > 0)
      fprintf(fp, "%d", n->component_end);
    else
      fputc('-', fp);
    fprintf(fp, "\t%ld\t%d", n->iterations, n->at_max);
    for (size_t k = 1; k < nc; k++)
      fprintf(fp, "\t%.6g", r->power_u[j * nc + k]);
    for (size_t k = 1; k < nc; k++)
      fprintf(fp, "\t%.6g", r->power_v[j * nc + k]);
    fputc('\n', fp);
  }
}

static int node_before(const li2_compare_result *r, size_t a, size_t b)
{
  const li2_compare_node *x = &r->nodes[a], *y = &r->nodes[b];
  int cx = x->component > 0 ? x->component : (int)r->ncomponents;
  int cy = y->component > 0 ? y->component : (int)r->ncomponents;
  if (x->active != y->active)
    return x->active > y->active;
  if (cx != cy)
    return cx < cy;
  if (x->purity != y->purity)
    return x->purity > y->purity;
  return a < b;
}

void li2_compare_power_order(const li2_compare_result *r, size_t *ord)
{
  for (size_t j = 0; j < r->K; j++)
    ord[j] = j;
  for (size_t i = 1; i < r->K; i++)
    for (size_t k = i; k > 0 && node_before(r, ord[k], ord[k - 1]); k--) {
      size_t t = ord[k];
      ord[k] = ord[k - 1];
      ord[k - 1] = t;
    }
}

double li2_compare_power_share(const li2_compare_result *r, size_t j, size_t k)
{
  size_t nc = r->ncomponents;
  double tot = 0;
  for (size_t q = 1; q < nc; q++)
    tot += r->power_u[j * nc + q] + r->power_v[j * nc + q];
  return tot > 0 ? (r->power_u[j * nc + k] + r->power_v[j * nc + k]) / tot : 0;
}

void li2_compare_write_power(FILE *fp, const li2_compare_result *r)
{
  size_t K = r->K, nc = r->ncomponents, *ord = malloc((K ? K : 1) * sizeof *ord);
  if (!ord)
    return;
  li2_compare_power_order(r, ord);
  fprintf(fp, "# rank\tnode\tactive\tcomponent");
  for (size_t k = 1; k < nc; k++)
    fprintf(fp, "\tc%zu", k);
  fputc('\n', fp);
  for (size_t i = 0; i < K; i++) {
    size_t j = ord[i];
    fprintf(fp, "%zu\t%zu\t%d\t%d", i, j, r->nodes[j].active, r->nodes[j].component);
    for (size_t k = 1; k < nc; k++)
      fprintf(fp, "\t%.6g", li2_compare_power_share(r, j, k));
    fputc('\n', fp);
  }
  free(ord);
}

static void json_int_array(li2_json_writer *w, const int *a, size_t n)
{
  li2_json_array_begin(w);
  for (size_t i = 0; i < n; i++)
    li2_json_int(w, a[i]);
  li2_json_array_end(w);
}

void li2_compare_write_json(FILE *fp, const li2_compare_result *r,
                            const li2_compare_params *p)
{
  li2_json_writer w;
  size_t nc = r->ncomponents;
  li2_json_writer_init(&w, fp, 1);
  li2_json_object_begin(&w);
  if (r->group) {
    li2_json_key(&w, "group");
    li2_json_string(&w, r->group);
  }
  li2_json_key(&w, "order");
  li2_json_int(&w, (long)r->M);
  li2_json_key(&w, "epoch");
  if (r->epoch >= 0)
    li2_json_int(&w, r->epoch);
  else
    li2_json_null(&w);
  li2_json_key(&w, "train_acc");
  li2_json_number(&w, r->train_acc);
  li2_json_key(&w, "test_acc");
  li2_json_number(&w, r->test_acc);
  li2_json_key(&w, "hidden_nodes");
  li2_json_int(&w, (long)r->K);
  li2_json_key(&w, "active_nodes");
  li2_json_int(&w, (long)r->active_nodes);
  li2_json_key(&w, "at_max_nodes");
  li2_json_int(&w, (long)r->at_max_nodes);
  li2_json_key(&w, "at_predicted_max_fraction");
  li2_json_number(&w, r->at_predicted_max_fraction);
  li2_json_key(&w, "mean_purity");
  li2_json_number(&w, r->mean_purity);
  li2_json_key(&w, "components");
  li2_json_int(&w, (long)(nc - 1));
  li2_json_key(&w, "coverage");
  json_int_array(&w, r->covered, r->ncovered);
  li2_json_key(&w, "missing");
  json_int_array(&w, r->missing, r->nmissing);
  /* Indexed by component, entry 0 (trivial) always 0. */
  li2_json_key(&w, "nodes_per_component");
  li2_json_array_begin(&w);
  for (size_t k = 0; k < nc; k++)
    li2_json_int(&w, (long)r->nodes_per_component[k]);
  li2_json_array_end(&w);
  li2_json_key(&w, "at_max_per_component");
  li2_json_array_begin(&w);
  for (size_t k = 0; k < nc; k++)
    li2_json_int(&w, (long)r->at_max_per_component[k]);
  li2_json_array_end(&w);
  li2_json_key(&w, "real_dim");
  li2_json_array_begin(&w);
  for (size_t k = 0; k < nc; k++)
    li2_json_int(&w, r->real_dim[k]);
  li2_json_array_end(&w);
  li2_json_key(&w, "predicted_energy");
  li2_json_array_begin(&w);
  for (size_t k = 0; k < nc; k++)
    li2_json_number(&w, k ? (double)r->M / (2.0 * r->real_dim[k]) : NAN);
  li2_json_array_end(&w);
  if (p) {
    li2_json_key(&w, "criteria");
    li2_json_object_begin(&w);
    li2_json_key(&w, "active_ratio");
    li2_json_number(&w, p->active_ratio);
    li2_json_key(&w, "purity_min");
    li2_json_number(&w, p->purity_min);
    li2_json_key(&w, "angle_max_degrees");
    li2_json_number(&w, p->angle_max);
    li2_json_key(&w, "energy_data");
    li2_json_string(&w, p->data == LI2_COMPARE_TRAIN ? "train" : "full");
    li2_json_key(&w, "energy");
    li2_json_string(&w, li2_energy_variant_name(p->variant));
    li2_json_key(&w, "maximise");
    li2_json_bool(&w, p->maximise);
    li2_json_object_end(&w);
  }
  li2_json_key(&w, "provenance");
  li2_provenance_write(&w);
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
}

void li2_compare_write_emergence_row(FILE *fp, const li2_compare_result *r, int header)
{
  if (header)
    fprintf(fp, "epoch\ttrain_acc\ttest_acc\tactive_nodes\tat_max_nodes"
                "\tat_predicted_max_fraction\tmean_purity\tcovered\tmissing\n");
  fprintf(fp, "%ld\t", r->epoch);
  num(fp, r->train_acc, "%.6f");
  fputc('\t', fp);
  num(fp, r->test_acc, "%.6f");
  fprintf(fp, "\t%zu\t%zu\t", r->active_nodes, r->at_max_nodes);
  num(fp, r->at_predicted_max_fraction, "%.6f");
  fputc('\t', fp);
  num(fp, r->mean_purity, "%.6f");
  fprintf(fp, "\t%zu\t%zu\n", r->ncovered, r->nmissing);
}

void li2_compare_write_spectrum_row(FILE *fp, const li2_compare_result *r, int header)
{
  if (header) {
    fputs("epoch", fp);
    for (size_t k = 1; k < r->ncomponents; k++)
      fprintf(fp, "\tc%zu", k);
    fputc('\n', fp);
  }
  fprintf(fp, "%ld", r->epoch);
  for (size_t k = 1; k < r->ncomponents; k++)
    fprintf(fp, "\t%.6g", r->spectrum[k]);
  fputc('\n', fp);
}

/* ---- a whole run ---- */

typedef void (*writer_fn)(FILE *, const li2_compare_result *);

static int write_with(const char *dir, const char *name, writer_fn fn, const li2_compare_result *r,
                      const li2_compare_params *p, li2_error *err)
{
  li2_io_file f;
  int rc = li2_io_open_atomic_in(&f, dir, name, err);
  if (rc)
    return rc;
  if (fn)
    fn(f.fp, r);
  else
    li2_compare_write_json(f.fp, r, p);
  return li2_io_commit(&f, err);
}

int li2_compare_run(const char *run, long epoch, const li2_compare_params *p,
                    const char *outdir, int emergence, li2_progress *progress,
                    li2_compare_result **out, li2_error *err)
{
  char *path = NULL, **paths = NULL, *powdir = NULL;
  long *epochs = NULL;
  size_t n = 0;
  li2_compare_result *r = NULL;
  li2_io_file fe, fs;
  int rc, open_e = 0, open_s = 0;
  if (out)
    *out = NULL;
  if ((rc = li2_checkpoint_find(run, epoch, &path, err)))
    return rc;
  if (emergence && li2_io_is_dir(run) && (rc = li2_checkpoint_list(run, &paths, &epochs, &n, err)))
    goto done;
  /* the run's own checkpoint first: the emergence rows must be of its run */
  if ((rc = li2_compare_checkpoint(path, p, &r, err)))
    goto done;
  if (r->transformer)
    goto deliver;
  if ((rc = li2_io_mkdir(outdir, err)))
    goto done;
  if (n) {
    char *pe = li2_io_path(outdir, "emergence.tsv"), *psp = li2_io_path(outdir, "spectrum.tsv");
    if (!pe || !psp) {
      free(pe);
      free(psp);
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    rc = li2_io_open_atomic(&fe, pe, err);
    open_e = !rc;
    if (!rc) {
      rc = li2_io_open_atomic(&fs, psp, err);
      open_s = !rc;
    }
    free(pe);
    free(psp);
    if (rc)
      goto done;
    if (progress)
      li2_progress_init(progress, "compare", (long)n + 1);
    if (!(powdir = li2_io_path(outdir, "power"))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto done;
    }
    if ((rc = li2_io_mkdir(powdir, err)))
      goto done;
    for (size_t i = 0; i < n; i++) {
      char name[64];
      li2_compare_result *ri = NULL;
      if ((rc = li2_compare_checkpoint(paths[i], p, &ri, err)))
        goto done;
      if (ri->M != r->M || ri->K != r->K ||
          strcmp(ri->group ? ri->group : "", r->group ? r->group : "")) {
        /* a checkpoint of another run copied into this one (issue 15) */
        rc = li2_error_set(err, LI2_EFORMAT, "%s: not of this run (group %s, hidden_size %zu; "
                                             "%s has group %s, hidden_size %zu)", paths[i],
                           ri->group ? ri->group : "?", ri->K, path,
                           r->group ? r->group : "?", r->K);
        li2_compare_result_free(ri);
        goto done;
      }
      li2_compare_write_emergence_row(fe.fp, ri, i == 0);
      li2_compare_write_spectrum_row(fs.fp, ri, i == 0);
      snprintf(name, sizeof name, "power-%06ld.tsv", epochs[i]);
      rc = write_with(powdir, name, li2_compare_write_power, ri, p, err);
      li2_compare_result_free(ri);
      if (rc)
        goto done;
      if (progress)
        li2_progress_update(progress, (long)i + 1, NULL);
    }
    open_e = 0;
    if ((rc = li2_io_commit(&fe, err)))
      goto done;
    open_s = 0;
    if ((rc = li2_io_commit(&fs, err)))
      goto done;
  }
  if ((rc = write_with(outdir, "compare.tsv", li2_compare_write_tsv, r, p, err)) ||
      (rc = write_with(outdir, "power.tsv", li2_compare_write_power, r, p, err)) ||
      (rc = write_with(outdir, "compare.json", NULL, r, p, err)))
    goto done;
deliver:
  if (out) {
    *out = r;
    r = NULL;
  }
done:
  if (progress && n)
    li2_progress_finish(progress);
  if (open_e)
    li2_io_abort(&fe);
  if (open_s)
    li2_io_abort(&fs);
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  free(epochs);
  free(path);
  free(powdir);
  li2_compare_result_free(r);
  return rc;
}
