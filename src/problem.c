/* The problem set-up; see problem.h. */
#include "problem.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "io.h"
#include "maxima.h"

/* node:RUN[#EPOCH]#J: read the checkpoint and the column. */
static int read_node_checkpoint(li2_problem *L, const char *spec, li2_error *err)
{
  const char *body = spec + 5, *h1 = strrchr(body, '#'), *h0;
  char run[4096], epoch[64] = "", *path, *end;
  long j;
  if (!h1)
    return li2_error_set(err, LI2_EINVAL, "parameter w: %s: expected node:RUN[#EPOCH]#J", spec);
  j = strtol(h1 + 1, &end, 10);
  if (end == h1 + 1 || *end || j < 0)
    return li2_error_set(err, LI2_EINVAL, "parameter w: %s: node index '%s' is not a number >= 0",
                         spec, h1 + 1);
  h0 = h1;
  while (h0 > body && h0[-1] != '#')
    h0--;
  if (h0 > body) { /* RUN#EPOCH#J */
    if ((size_t)(h1 - h0) >= sizeof epoch || (size_t)(h0 - 1 - body) >= sizeof run)
      return li2_error_set(err, LI2_EINVAL, "parameter w: %s: too long", spec);
    memcpy(epoch, h0, (size_t)(h1 - h0));
    epoch[h1 - h0] = '\0';
    memcpy(run, body, (size_t)(h0 - 1 - body));
    run[h0 - 1 - body] = '\0';
  } else {
    if ((size_t)(h1 - body) >= sizeof run)
      return li2_error_set(err, LI2_EINVAL, "parameter w: %s: too long", spec);
    memcpy(run, body, (size_t)(h1 - body));
    run[h1 - body] = '\0';
  }
  if (li2_io_is_dir(run)) {
    long ep = -1;
    if (epoch[0] && strcmp(epoch, "last")) {
      ep = strtol(epoch, &end, 10);
      if (*end || ep < 0)
        return li2_error_set(err, LI2_EINVAL, "parameter w: %s: epoch '%s' is not a number",
                             spec, epoch);
    }
    path = li2_checkpoint_path(run, ep);
  } else
    path = strdup(run);
  if (!path)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  L->ck = li2_checkpoint_read(path, err);
  free(path);
  if (!L->ck) {
    li2_error_prefix(err, "parameter w: ");
    return err->code;
  }
  if (!li2_io_is_dir(run) && epoch[0] && strcmp(epoch, "last") && strtol(epoch, NULL, 10) != L->ck->epoch)
    return li2_error_set(err, LI2_EINVAL, "parameter w: %s is at epoch %ld, not %s", run,
                         L->ck->epoch, epoch);
  if (L->ck->transformer)
    return li2_error_set(err, LI2_EUNSUP,
                         "parameter w: %s is a transformer (model_type=transformer); the energy "
                         "E is defined for the 2-layer network's nodes", run);
  if (L->ck->cplx)
    return li2_error_set(err, LI2_EUNSUP,
                         "parameter w: %s has complex weights (use_complex_weights=true); the "
                         "energy E is defined for real w (doc/mathematics.md section 3)", run);
  if (L->ck->flags)
    return li2_error_set(err, LI2_EUNSUP,
                         "parameter w: %s has %s; the energy E is defined for F = sigma(W x) on "
                         "one-hot inputs (doc/mathematics.md section 3)", run,
                         (L->ck->flags & LI2_CHECKPOINT_BN) ? "BatchNorm after W (use_bn=true)"
                                                            : "a trainable embedding (embed_trainable=true)");
  if (L->ck->nops != 2)
    return li2_error_set(err, LI2_EUNSUP,
                         "parameter w: %s: the run has num_of_ops=%zu; the energy takes 2 operands",
                         run, L->ck->nops);
  if ((size_t)j >= L->ck->K)
    return li2_error_set(err, LI2_EINVAL, "parameter w: node %ld out of range (hidden_size %zu)",
                         j, L->ck->K);
  L->node = j;
  return LI2_SUCCESS;
}

void li2_problem_params_default(li2_problem_params *p)
{
  memset(p, 0, sizeof *p);
  p->act_a = p->act_b = 1;
  p->variant = LI2_ENERGY_RAW;
  p->radius = 1;
  p->data = LI2_PROBLEM_DATA_AUTO;
  li2_split_params_default(&p->split);
}

int li2_problem_setup(li2_problem *L, const li2_problem_params *pp, li2_error *err)
{
  const char *gname = pp->group;
  int rc;
  memset(L, 0, sizeof *L);
  L->node = -1;
  L->radius = pp->radius;
  L->seed = pp->seed;
  L->variant = pp->variant;
  if (pp->node && (rc = read_node_checkpoint(L, pp->node, err)))
    return rc;
  if (!gname && L->ck) {
    gname = li2_checkpoint_config(L->ck, "group");
    if (!gname)
      gname = li2_checkpoint_config(L->ck, "M");
  }
  if (!gname)
    return li2_error_set(err, LI2_EINVAL, "parameter group: missing (e.g. group=S4 or M=71)");
  if (!(L->g = li2_group_alloc_name(gname, err)))
    return err->code;
  if (L->ck && L->ck->M != L->g->order)
    return li2_error_set(err, LI2_EINVAL, "parameter group: %s has order %zu, the run's group %zu",
                         L->g->name, L->g->order, L->ck->M);
  if (!(L->ct = li2_characters_alloc(L->g, err)))
    return err->code;
  if (pp->fourier && !(L->f = li2_fourier_alloc(L->g, L->ct, LI2_FOURIER_AUTO, err)))
    return err->code;
  {
    const char *an = pp->activation;
    if (!an && L->ck)
      an = li2_checkpoint_config(L->ck, "activation");
    if ((rc = li2_activation_parse(an ? an : "sqr", &L->act, "activation", err)))
      return rc;
    L->act_a = pp->act_a;
    L->act_b = pp->act_b;
    if (L->act != LI2_ACT_QUAD && (pp->act_a_given || pp->act_b_given))
      return li2_error_set(err, LI2_EINVAL, "parameter %s: only with activation=quad",
                           pp->act_a_given ? "act_a" : "act_b");
  }
  /* The data set: as the trainer (li2_dataset, same keys and seed). */
  if (pp->data == LI2_PROBLEM_DATA_FILE) {
    L->d = li2_dataset_alloc_load(L->g, 2, pp->split_file, err);
    snprintf(L->data, sizeof L->data, "split file %s", pp->split_file);
  } else if (pp->data == LI2_PROBLEM_DATA_SPLIT) {
    li2_split_params sp = pp->split;
    sp.seed = L->seed;
    L->d = li2_dataset_alloc_split(L->g, 2, &sp, err);
    snprintf(L->data, sizeof L->data, "split seed=%lu", L->seed);
  } else if (pp->data == LI2_PROBLEM_DATA_AUTO && L->ck) {
    size_t nall = L->ck->ntrain + L->ck->ntest, *s = malloc(nall * sizeof *s);
    if (!s)
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    for (size_t i = 0; i < nall; i++)
      s[i] = L->ck->split[i];
    L->d = li2_dataset_alloc_samples(L->g, 2, L->ck->ntrain, s, err);
    free(s);
    snprintf(L->data, sizeof L->data, "the run's training set");
  } else {
    L->d = li2_dataset_alloc_full(L->g, 2, err);
    snprintf(L->data, sizeof L->data, "full");
  }
  return L->d ? LI2_SUCCESS : err->code;
}

int li2_problem_setup_full(li2_problem *P, const char *group, int fourier, li2_error *err)
{
  li2_problem_params pp;
  li2_problem_params_default(&pp);
  pp.group = group;
  pp.data = LI2_PROBLEM_DATA_FULL;
  pp.fourier = fourier;
  return li2_problem_setup(P, &pp, err);
}

li2_energy *li2_problem_energy(const li2_problem *L, int method, li2_error *err)
{
  li2_energy *e = li2_energy_alloc(L->g, L->d, L->act, L->variant, method, err);
  if (e && L->act == LI2_ACT_QUAD && li2_energy_set_quad(e, L->act_a, L->act_b, err)) {
    li2_energy_free(e);
    return NULL;
  }
  return e;
}

void li2_problem_free(li2_problem *L)
{
  li2_dataset_free(L->d);
  li2_fourier_free(L->f);
  li2_characters_free(L->ct);
  li2_checkpoint_free(L->ck);
  li2_group_free(L->g);
  memset(L, 0, sizeof *L);
}

static void scale_to(double *w, size_t n, double r)
{
  double s = 0;
  for (size_t k = 0; k < n; k++)
    s += w[k] * w[k];
  s = sqrt(s);
  for (size_t k = 0; k < n; k++)
    w[k] *= r / s;
}

static int fourier_point(const li2_problem *L, const char *spec, double *w, li2_error *err)
{
  size_t M = L->g->order, ks[64], nk = 0;
  const char *p = spec + 8;
  char *end;
  double phase = 0;
  if (L->g->nfactors != 1)
    return li2_error_set(err, LI2_EUNSUP, "parameter w: fourier:K needs a cyclic group, not %s",
                         L->g->name);
  for (;;) {
    /* digits only: strtol would take "+2" in "1++2" and " 2" */
    long k = isdigit((unsigned char)*p) ? strtol(p, &end, 10) : 0;
    if (!isdigit((unsigned char)*p) || k < 1 || (size_t)k >= M || nk == 64)
      return li2_error_set(err, LI2_EINVAL,
                           "parameter w: %s: frequencies must be integers in 1..%zu", spec, M - 1);
    ks[nk++] = (size_t)k;
    p = end;
    if (*p != '+')
      break;
    p++;
  }
  if (*p == ',') {
    if (!li2_args_number(p + 1, &phase))
      return li2_error_set(err, LI2_EINVAL, "parameter w: %s: bad phase '%s'", spec, p + 1);
  } else if (*p)
    return li2_error_set(err, LI2_EINVAL, "parameter w: %s: expected fourier:K[+K2...][,PHASE]",
                         spec);
  /* Equal parts of each frequency in u and in v (doc/mathematics.md section 3:
   * one frequency is a maximum, an equal mix a saddle). */
  memset(w, 0, 2 * M * sizeof *w);
  for (size_t j = 0; j < nk; j++)
    for (size_t x = 0; x < M; x++) {
      double t = 2 * M_PI * (double)((ks[j] * x) % M) / (double)M;
      w[x] += cos(t);
      w[M + x] += cos(t + phase);
    }
  scale_to(w, 2 * M, L->radius);
  return LI2_SUCCESS;
}

static int file_point(const li2_problem *L, const char *spec, double *w, li2_error *err)
{
  size_t M = L->g->order, n = 2 * M, row = 0, line = 0, data_line = 0;
  const char *body = strncmp(spec, "file:", 5) ? spec : spec + 5, *hash = strrchr(body, '#');
  char path[4096], *text, *p, *end;
  int rc;
  unsigned long r;
  if (hash && li2_args_whole(hash + 1, &r)) {
    row = (size_t)r;
    snprintf(path, sizeof path, "%.*s", (int)(hash - body), body);
  } else
    snprintf(path, sizeof path, "%s", body);
  if ((rc = li2_io_read_file(path, &text, NULL, err))) {
    li2_error_prefix(err, "parameter w: ");
    return rc;
  }
  p = text;
  while (*p) {
    char *nl = strchr(p, '\n');
    size_t k = 0;
    line++;
    if (nl)
      *nl = '\0';
    while (isspace((unsigned char)*p))
      p++;
    if (*p && *p != '#') {
      if (data_line++ == row) {
        while (*p) {
          double x = strtod(p, &end);
          if (end == p) {
            rc = li2_error_set(err, LI2_EFORMAT, "%s:%zu: expected a number near '%.20s'", path,
                               line, p);
            break;
          }
          if (k == n) {
            rc = li2_error_set(err, LI2_EFORMAT, "%s:%zu: more than 2M = %zu numbers", path, line,
                               n);
            break;
          }
          if (!isfinite(x)) {
            rc = li2_error_set(err, LI2_EFORMAT, "%s:%zu: value %zu is not finite", path, line,
                               k + 1);
            break;
          }
          w[k++] = x;
          p = end;
          while (isspace((unsigned char)*p))
            p++;
        }
        if (!rc && k != n)
          rc = li2_error_set(err, LI2_EFORMAT, "%s:%zu: %zu numbers, expected 2M = %zu", path,
                             line, k, n);
        free(text);
        return rc;
      }
    }
    if (!nl)
      break;
    p = nl + 1;
  }
  free(text);
  return li2_error_set(err, LI2_EFORMAT, "%s: no data row %zu (%zu rows)", path, row, data_line);
}

int li2_problem_point(const li2_problem *L, const char *spec, double *w, li2_error *err)
{
  size_t M = L->g->order;
  if (!strncmp(spec, "fourier:", 8))
    return fourier_point(L, spec, w, err);
  if (!strcmp(spec, "random") || !strncmp(spec, "random:", 7)) {
    unsigned long seed = L->seed;
    if (spec[6] == ':') {
      if (!li2_args_whole(spec + 7, &seed))
        return li2_error_set(err, LI2_EINVAL, "parameter w: %s: bad seed", spec);
    }
    if (li2_maxima_start(seed, 0, 2 * M, L->radius, w))
      return li2_error_set(err, LI2_ENOMEM, "out of memory");
    return LI2_SUCCESS;
  }
  if (!strncmp(spec, "node:", 5)) {
    if (!L->ck || L->node < 0)
      return li2_error_set(err, LI2_EINVAL, "parameter w: %s: checkpoint not loaded", spec);
    /* W is (2M) x K row-major: row a holds u[a], row M + b holds v[b]. */
    for (size_t r = 0; r < 2 * M; r++)
      w[r] = L->ck->W[r * L->ck->K + (size_t)L->node];
    return LI2_SUCCESS;
  }
  return file_point(L, spec, w, err);
}

void li2_problem_json(const li2_problem *L, li2_json_writer *w)
{
  li2_json_key(w, "group");
  li2_json_string(w, L->g->name);
  li2_json_key(w, "order");
  li2_json_int(w, (long)L->g->order);
  li2_json_key(w, "data");
  li2_json_string(w, L->data);
  li2_json_key(w, "ntrain");
  li2_json_int(w, (long)L->d->ntrain);
  li2_json_key(w, "activation");
  li2_json_string(w, li2_activation_name(L->act));
  li2_json_key(w, "energy_variant");
  li2_json_string(w, li2_energy_variant_name(L->variant));
  li2_json_key(w, "radius");
  li2_json_number(w, L->radius);
}

void li2_problem_print(const li2_problem *L, FILE *fp)
{
  fprintf(fp, "group\t%s\norder\t%zu\ndata\t%s\nntrain\t%zu\nactivation\t%s\nenergy_variant\t%s\n"
              "radius\t%.10g\n",
          L->g->name, L->g->order, L->data, L->d->ntrain, li2_activation_name(L->act),
          li2_energy_variant_name(L->variant), L->radius);
}
