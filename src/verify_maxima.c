/* li2 verify: the landscape's certified maxima (THEORY.md section 3). */
#include "verify_kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "characters.h"
#include "dataset.h"
#include "group.h"
#include "maxima.h"

/* ------------------------------------------------------------------ */
/* C1: certified maxima energies M/(2 d_R) (THEORY.md section 3)        */

static const char *const maxima_params[] = {"groups", "starts", "seed", NULL};
static const char *const maxima_measures[] = {"max_rel_error", "maxima", "impure_maxima",
                                              "groups_without_max", "components_found",
                                              "components_total", NULL};

static int kind_maxima(const li2_verify_claim *c, int quick, int threads, li2_verify_result *r,
                       li2_error *err)
{
  const char *groups;
  long starts, seed;
  int rc;
  if ((rc = li2_verify_param_string(c, quick, "groups", NULL, &groups, err)) ||
      (rc = li2_verify_param_long(c, quick, "starts", "16", 1, 100000, &starts, err)) ||
      (rc = li2_verify_param_long(c, quick, "seed", "1", 0, 4294967295L, &seed, err)))
    return rc;
  char *list = strdup(groups), *names[64];
  if (!list)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  size_t ng = li2_verify_split_list(list, names, 64);
  li2_verify_text t = {0};
  double worst = -1;
  size_t nmax = 0, nimpure = 0, nwithout = 0, found = 0, total = 0;
  li2_verify_printf(&t, "| group | M | component | d_R | predicted M/(2 d_R) | measured | maxima |\n"
              "|---|---|---|---|---|---|---|\n");
  for (size_t gi = 0; gi < ng && !rc; gi++) {
    li2_group *g = NULL;
    li2_characters *ct = NULL;
    li2_dataset *d = NULL;
    li2_maxima_result *res = NULL;
    li2_maxima_params mp;
    if (!(g = li2_group_alloc_name(names[gi], err))) {
      rc = li2_verify_param_fail(c, quick, "groups", err);
      goto next;
    }
    if (!(ct = li2_characters_alloc(g, err)) || !(d = li2_dataset_alloc_full(g, 2, err))) {
      rc = err->code;
      goto next;
    }
    li2_maxima_params_default(&mp);
    mp.threads = threads;
    if ((rc = li2_maxima_search(g, ct, d, LI2_ACT_SQR, LI2_ENERGY_RAW, &mp, (size_t)starts,
                                (unsigned long)seed, NULL, &res, err)))
      goto next;
    int *seen = calloc(ct->ncomponents, sizeof *seen);
    size_t here = 0;
    for (size_t i = 0; i < res->ngroups; i++) {
      const li2_maxima_group *mg = &res->groups[i];
      if (mg->label != LI2_MAXIMA_MAX)
        continue;
      here++;
      nmax += mg->count;
      if (mg->component < 1 || !mg->pure) {
        nimpure += mg->count;
        li2_verify_printf(&t, "| %s | %zu | impure (dominant %d) | - | - | %.10g | %zu |\n", g->name,
                g->order, mg->component, mg->energy, mg->count);
        continue;
      }
      /* the prediction: li2's closed form from the character table */
      double pred = li2_characters_predicted_energy(ct, g->order, (size_t)mg->component);
      double e1 = fabs(mg->energy_min - pred) / pred, e2 = fabs(mg->energy_max - pred) / pred;
      double rel = e1 > e2 ? e1 : e2;
      if (seen)
        seen[mg->component] = 1;
      if (rel > worst) {
        worst = rel;
        r->predicted = pred;
        r->measured = e1 > e2 ? mg->energy_min : mg->energy_max;
      }
      li2_verify_printf(&t, "| %s | %zu | %d | %d | %.10g | %.10g | %zu |\n", g->name, g->order,
              mg->component, ct->component_real_dim[mg->component], pred, mg->energy,
              mg->count);
    }
    if (!here)
      nwithout++;
    for (size_t k = 1; k < ct->ncomponents; k++)
      found += seen && seen[k];
    total += ct->ncomponents - 1;
    free(seen);
  next:
    li2_maxima_result_free(res);
    li2_dataset_free(d);
    li2_characters_free(ct);
    li2_group_free(g);
  }
  free(list);
  if (!rc) {
    li2_verify_measure_set(r, "max_rel_error", worst >= 0 ? worst : NAN);
    li2_verify_measure_set(r, "maxima", (double)nmax);
    li2_verify_measure_set(r, "impure_maxima", (double)nimpure);
    li2_verify_measure_set(r, "groups_without_max", (double)nwithout);
    li2_verify_measure_set(r, "components_found", (double)found);
    li2_verify_measure_set(r, "components_total", (double)total);
    snprintf(r->what, sizeof r->what, "worst certified maximum: energy M/(2 d_R) vs found");
    li2_verify_printf(&t, "\n%zu certified maxima from %ld starts per group; %zu of %zu nontrivial "
                "components reached (the claim is about the energies of the maxima found, "
                "not that random starts reach every component).\n",
            nmax, starts, found, total);
  }
  r->detail = t.s;
  return rc;
}

const li2_verify_kind li2_verify_kind_maxima_energies = {"maxima_energies", maxima_params, maxima_measures, kind_maxima};
