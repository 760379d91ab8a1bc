/* li2 verify: the lazy-stage kinds: closed form, independence and
 * top-down modulation of G_F (doc/mathematics.md sections 2 and 5). */
#include "verify_kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "characters.h"
#include "dataset.h"
#include "fourier.h"
#include "gradient.h"
#include "group.h"
#include "lazy.h"
#include "model.h"
#include "train.h"

/* ------------------------------------------------------------------ */
/* features for the lazy-stage claims (doc/mathematics.md sections 2 and 5)      */

static const char *const lazy_params[] = {"group", "train_size", "seed", "fresh", "fresh_scale",
                                          "nodes", "activation", "eta", "features", "train",
                                          NULL};

typedef struct lazy_setup {
  li2_group *g;
  li2_characters *ct;
  li2_fourier *f;
  li2_dataset *d;          /* owned (built features) */
  li2_model *m;            /* owned (built features) */
  li2_trainer *t;          /* trained features */
  li2_lazy *A;
  size_t *comp, ns, fresh;
  double *eta;
  size_t neta;
  char desc[256];
} lazy_setup;

static void lazy_free(lazy_setup *s)
{
  li2_lazy_free(s->A);
  li2_trainer_free(s->t);
  li2_model_free(s->m);
  li2_dataset_free(s->d);
  li2_fourier_free(s->f);
  li2_characters_free(s->ct);
  li2_group_free(s->g);
  free(s->comp);
  free(s->eta);
  memset(s, 0, sizeof *s);
}


static int lazy_prepare(const li2_verify_claim *c, int quick, int threads, int want_nodes,
                        lazy_setup *s, li2_error *err)
{
  const char *features, *gname, *act_name, *eta_spec, *nodes;
  long train_size, seed, fresh;
  double fresh_scale;
  li2_activation act;
  int rc;
  memset(s, 0, sizeof *s);
  if ((rc = li2_verify_param_string(c, quick, "features", "built", &features, err)) ||
      (rc = li2_verify_param_string(c, quick, "eta", NULL, &eta_spec, err)))
    return rc;
  if ((rc = li2_gradient_eta_parse(eta_spec, "eta", &s->eta, &s->neta, err)))
    return li2_verify_param_fail(c, quick, "eta", err);
  if (!strcmp(features, "trained")) {
    li2_train_config cfg;
    li2_train_metrics tm;
    if (li2_verify_checking(c))
      return li2_verify_train_config(c, quick, "train", NULL, &cfg, err);
    if ((rc = li2_verify_train_trained(c, quick, threads, NULL, &cfg, &s->t, &tm, err)))
      goto fail;
    const li2_dataset *d = li2_trainer_dataset(s->t);
    if (!(s->g = li2_group_alloc_name(cfg.group, err)) ||
        !(s->ct = li2_characters_alloc(s->g, err)) ||
        !(s->f = li2_fourier_alloc(s->g, s->ct, LI2_FOURIER_AUTO, err)) ||
        !(s->A = li2_lazy_alloc(li2_trainer_model(s->t), d->ntrain, err))) {
      rc = err->code;
      goto fail;
    }
    if ((rc = li2_lazy_set(s->A, d->train_x, d->train_y, err)))
      goto fail;
    snprintf(s->desc, sizeof s->desc,
             "features of a trained network: %s, K = %zu, n = %zu, %ld epochs "
             "(train acc %.3f, test acc %.3f)",
             s->g->name, cfg.hidden_size, d->ntrain, cfg.num_epochs, tm.train_acc, tm.test_acc);
    return LI2_SUCCESS;
  }
  if (strcmp(features, "built")) {
    rc = li2_error_set(err, LI2_EINVAL, "'%s' is not built or trained", features);
    return li2_verify_param_fail(c, quick, "features", err);
  }
  if ((rc = li2_verify_param_string(c, quick, "group", NULL, &gname, err)) ||
      (rc = li2_verify_param_string(c, quick, "activation", "sqr", &act_name, err)) ||
      (rc = li2_verify_param_long(c, quick, "train_size", "0", 0, 1L << 40, &train_size, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)) ||
      (rc = li2_verify_param_long(c, quick, "fresh", "8", 0, 1000000, &fresh, err)) ||
      (rc = li2_verify_param_double(c, quick, "fresh_scale", "0.05", 0, 1e6, &fresh_scale, err)))
    goto fail;
  if ((rc = li2_activation_parse(act_name, &act, "activation", err))) {
    rc = li2_verify_param_fail(c, quick, "activation", err);
    goto fail;
  }
  if (!(s->g = li2_group_alloc_name(gname, err))) {
    rc = li2_verify_param_fail(c, quick, "group", err);
    goto fail;
  }
  if (!(s->ct = li2_characters_alloc(s->g, err)) ||
      !(s->f = li2_fourier_alloc(s->g, s->ct, LI2_FOURIER_AUTO, err))) {
    rc = err->code;
    goto fail;
  }
  nodes = li2_verify_claim_param(c, "nodes", quick, NULL);
  if (want_nodes && !nodes) {
    rc = li2_error_set(err, LI2_EFORMAT, "%s: missing parameter 'nodes' (kind %s)", li2_verify_claim_path(c),
                       li2_verify_claim_kind(c));
    goto fail;
  }
  if (nodes && (rc = li2_gradient_nodes_parse(nodes, "nodes", li2_fourier_ncomponents(s->f),
                                              &s->comp, &s->ns, err))) {
    rc = li2_verify_param_fail(c, quick, "nodes", err);
    goto fail;
  }
  s->fresh = (size_t)fresh;
  if (s->fresh + s->ns == 0) {
    rc = li2_error_set(err, LI2_EINVAL, "no nodes (fresh = 0 and no nodes)");
    rc = li2_verify_param_fail(c, quick, "fresh", err);
    goto fail;
  }
  s->d = li2_dataset_alloc_pairs(s->g, 2, train_size, (unsigned long)seed, err);
  if (!s->d) {
    rc = li2_verify_param_fail(c, quick, "train_size", err);
    goto fail;
  }
  if (li2_verify_checking(c))
    return LI2_SUCCESS;  /* every parameter read and parsed */
  if (!(s->m = li2_lazy_model_alloc(s->g, s->f, act, s->fresh, fresh_scale, s->comp, s->ns,
                                    (unsigned long)seed, err)) ||
      !(s->A = li2_lazy_alloc(s->m, s->d->ntrain, err))) {
    rc = err->code;
    goto fail;
  }
  if ((rc = li2_lazy_set(s->A, s->d->train_x, s->d->train_y, err)))
    goto fail;
  snprintf(s->desc, sizeof s->desc,
           "built features: %s, n = %zu, %zu fresh nodes (std %g) and %zu exact nodes",
           s->g->name, s->d->ntrain, s->fresh, fresh_scale, s->ns);
  return LI2_SUCCESS;
fail:
  lazy_free(s);
  return rc;
}

/* The lazy checks at every eta of S into *CHK (caller frees, also on failure). */
static int lazy_sweep(lazy_setup *s, li2_lazy_check **chk, li2_error *err)
{
  if (!(*chk = calloc(s->neta, sizeof **chk)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  return li2_lazy_check_sweep(s->A, -1, s->eta, s->neta, *chk, err);
}

/* ---- C2: closed form = chain rule (doc/mathematics.md section 2) ---- */

static const char *const closed_measures[] = {"max_rel_error", "min_gf_norm", NULL};

static int kind_closed_form(const li2_verify_claim *c, int quick, int threads,
                            li2_verify_result *r, li2_error *err)
{
  lazy_setup s;
  int rc;
  if ((rc = lazy_prepare(c, quick, threads, 0, &s, err)))
    return rc;
  if (li2_verify_checking(c)) {
    lazy_free(&s);
    return LI2_SUCCESS;
  }
  li2_lazy_check *chk = NULL;
  li2_verify_text t = {0};
  if (!(rc = lazy_sweep(&s, &chk, err))) {
    double worst = 0, gmin = INFINITY;
    li2_verify_printf(&t, "%s.\n\n| eta | rel. diff G_F | rel. diff R | \\|G_F\\| |\n|---|---|---|---|\n",
            s.desc);
    for (size_t i = 0; i < s.neta; i++) {
      double e = chk[i].cf_rel > chk[i].r_rel ? chk[i].cf_rel : chk[i].r_rel;
      if (!(e <= worst))
        worst = e;  /* NaN propagates */
      if (chk[i].gf_norm < gmin)
        gmin = chk[i].gf_norm;
      li2_verify_printf(&t, "| %g | %.3e | %.3e | %.6g |\n", chk[i].eta, chk[i].cf_rel, chk[i].r_rel,
              chk[i].gf_norm);
    }
    li2_verify_measure_set(r, "max_rel_error", worst);
    li2_verify_measure_set(r, "min_gf_norm", gmin);
    r->predicted = 0;
    r->measured = worst;
    snprintf(r->what, sizeof r->what, "rel. difference closed-form G_F, R vs chain rule");
  }
  r->detail = t.s;
  free(chk);
  lazy_free(&s);
  return rc;
}

/* ---- C3: independence grows with eta (doc/mathematics.md section 2) ---- */

static const char *const indep_measures[] = {"rel_distance_first", "rel_distance_last",
                                             "own_share_first", "own_share_last", "monotone",
                                             "decay_exponent", "exponent_error", NULL};

static int kind_independence(const li2_verify_claim *c, int quick, int threads,
                             li2_verify_result *r, li2_error *err)
{
  lazy_setup s;
  int rc;
  if ((rc = lazy_prepare(c, quick, threads, 0, &s, err)))
    return rc;
  if (s.neta < 3) {
    lazy_free(&s);
    rc = li2_error_set(err, LI2_EINVAL, "needs at least 3 values, ascending");
    return li2_verify_param_fail(c, quick, "eta", err);
  }
  if (li2_verify_checking(c)) {
    lazy_free(&s);
    return LI2_SUCCESS;
  }
  li2_lazy_check *chk = NULL;
  li2_verify_text t = {0};
  if (!(rc = lazy_sweep(&s, &chk, err))) {
    int mono = 1;
    li2_verify_printf(&t, "%s.\n\n| eta | rel. distance to (1/eta) Y~Y~^T F~ | own share |\n"
                "|---|---|---|\n", s.desc);
    for (size_t i = 0; i < s.neta; i++) {
      li2_verify_printf(&t, "| %g | %.4e | %.6f |\n", chk[i].eta, chk[i].rel_distance, chk[i].own_share);
      /* slack for round-off once both are at machine precision */
      if (i > 0 && (s.eta[i] <= s.eta[i - 1] ||
                    chk[i].rel_distance > chk[i - 1].rel_distance * (1 + 1e-9) + 1e-13 ||
                    chk[i].own_share < chk[i - 1].own_share * (1 - 1e-9) - 1e-13))
        mono = 0;
    }
    size_t a = s.neta - 2, b = s.neta - 1;
    /* G_F - (1/eta) Y~Y~^T F~ = O(1/eta^2), so the relative distance
     * decays like eta^-1 for large eta: exponent -1 (Neumann series of
     * (F~F~^T + eta I)^{-1}) */
    double slope = log(chk[b].rel_distance / chk[a].rel_distance) / log(s.eta[b] / s.eta[a]);
    li2_verify_measure_set(r, "rel_distance_first", chk[0].rel_distance);
    li2_verify_measure_set(r, "rel_distance_last", chk[b].rel_distance);
    li2_verify_measure_set(r, "own_share_first", chk[0].own_share);
    li2_verify_measure_set(r, "own_share_last", chk[b].own_share);
    li2_verify_measure_set(r, "monotone", mono);
    li2_verify_measure_set(r, "decay_exponent", slope);
    li2_verify_measure_set(r, "exponent_error", fabs(slope + 1));
    r->predicted = -1;
    r->measured = slope;
    snprintf(r->what, sizeof r->what,
             "large-eta decay exponent of the distance to the independent form");
    li2_verify_printf(&t, "\nDistance decreasing and own share increasing in eta: %s.  Decay exponent "
                "between the two largest eta: %.4f (predicted -1).\n",
            mono ? "yes" : "no", slope);
  }
  r->detail = t.s;
  free(chk);
  lazy_free(&s);
  return rc;
}

/* ---- C5: top-down modulation (doc/mathematics.md section 5) ---- */

static const char *const modulation_measures[] = {"baseline", "residual_inside", "fresh_inside",
                                                  "residual_ratio", "fresh_ratio",
                                                  "fresh_inside_without_s", NULL};

static int kind_modulation(const li2_verify_claim *c, int quick, int threads,
                           li2_verify_result *r, li2_error *err)
{
  lazy_setup s;
  li2_lazy_modulation mod;
  int rc;
  memset(&mod, 0, sizeof mod);
  if ((rc = lazy_prepare(c, quick, threads, 1, &s, err)))
    return rc;
  if (li2_verify_checking(c)) {
    lazy_free(&s);
    return LI2_SUCCESS;
  }
  li2_verify_text t = {0};
  if (!(rc = li2_lazy_modulation_compute(s.A, s.f, s.ct, s.fresh, s.comp, s.ns, s.eta, 1, &mod,
                                         NULL, err))) {
    const li2_lazy_modulation_row *base = NULL, *last = NULL;
    li2_lazy_modulation_ends(&mod, 0, &base, &last);
    li2_verify_measure_set(r, "baseline", mod.baseline);
    li2_verify_measure_set(r, "residual_inside", last->resid_in);
    li2_verify_measure_set(r, "fresh_inside", last->fresh_in);
    li2_verify_measure_set(r, "residual_ratio", last->resid_in / mod.baseline);
    li2_verify_measure_set(r, "fresh_ratio", last->fresh_in / mod.baseline);
    li2_verify_measure_set(r, "fresh_inside_without_s", base ? base->fresh_in : NAN);
    r->predicted = 0;
    r->measured = last->fresh_in / mod.baseline;
    snprintf(r->what, sizeof r->what,
             "fresh nodes' G_F power inside S / no-modulation share %.4f", mod.baseline);
    li2_verify_printf(&t, "%s, eta = %g.\n\n| quantity | share inside S |\n|---|---|\n"
                "| no modulation (sum of d^2/(M-1) over S) | %.4f |\n"
                "| fresh G_F before S is learned | %.4f |\n"
                "| residual R with S learned | %.4f |\n"
                "| fresh G_F with S learned | %.4f |\n",
            s.desc, s.eta[0], mod.baseline, base ? base->fresh_in : NAN, last->resid_in,
            last->fresh_in);
  }
  r->detail = t.s;
  li2_lazy_modulation_clear(&mod);
  lazy_free(&s);
  return rc;
}

const li2_verify_kind li2_verify_kind_lazy_closed_form = {"lazy_closed_form", lazy_params, closed_measures, kind_closed_form, 1};
const li2_verify_kind li2_verify_kind_independence = {"independence", lazy_params, indep_measures, kind_independence, 1};
const li2_verify_kind li2_verify_kind_modulation = {"modulation", lazy_params, modulation_measures, kind_modulation, 1};
