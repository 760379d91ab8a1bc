/* The reference trainer's random streams (refrng.h) against values recorded
 * from numpy/scikit-learn and torch (tests/data/gen_reference_*.py): the
 * split of every recorded (seed, M, num_of_ops, test_size) case, through
 * refrng and through li2_dataset_alloc_split, and the initial weights of
 * every recorded model through the trainer's init=reference, bit for bit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "refrng.h"
#include "train.h"
#include "tap.h"

static char *slurp(const char *name)
{
  char path[4096];
  const char *top = getenv("top_srcdir");
  FILE *f;
  long n;
  char *s;
  snprintf(path, sizeof path, "%s/tests/data/%s", top ? top : ".", name);
  if (!(f = fopen(path, "rb")))
    return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  rewind(f);
  s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s)
    s[n] = 0;
  fclose(f);
  return s;
}

/* Read the numbers after the word TAG on the line at *P into OUT (up to N). */
static size_t read_list(char **p, const char *tag, size_t *out, size_t n)
{
  char *line = *p, *nl = strchr(line, '\n'), *q;
  size_t k = 0;
  if (!nl || strncmp(line, tag, strlen(tag)))
    return (size_t)-1;
  *nl = 0;
  q = line + strlen(tag);
  while (*q && k < n) {
    char *end;
    unsigned long long v = strtoull(q, &end, 10);
    if (end == q)
      break;
    out[k++] = (size_t)v;
    q = end;
  }
  *p = nl + 1;
  return k;
}

static void test_mt(void)
{
  /* genrand_int32 after init_genrand(5489): Matsumoto-Nishimura's mt19937ar
   * (and std::mt19937's default): 3499211612 first, 4123659995 at 10000. */
  li2_mt19937 r;
  uint32_t first, v = 0;
  li2_mt19937_seed(&r, 5489);
  first = li2_mt19937_next(&r);
  for (int i = 1; i < 10000; i++)
    v = li2_mt19937_next(&r);
  ok(first == 3499211612u, "mt19937(5489) first output %u", first);
  ok(v == 4123659995u, "mt19937(5489) 10000th output %u", v);
}

static void test_splits(void)
{
  char *text = slurp("reference-splits.txt"), *p;
  int cases = 0, match = 0, match_ds = 0;
  if (!ok(text != NULL, "tests/data/reference-splits.txt readable"))
    return;
  for (p = text; *p;) {
    unsigned long seed;
    size_t M, n, ntest;
    int k;
    double ts;
    if (*p == '#') {
      p = strchr(p, '\n') + 1;
      continue;
    }
    if (sscanf(p, "case %lu %zu %d %lf %zu %zu", &seed, &M, &k, &ts, &n, &ntest) != 6)
      break;
    p = strchr(p, '\n') + 1;
    size_t *want = malloc(n * sizeof *want), *perm = malloc(n * sizeof *perm);
    size_t got_test = read_list(&p, "test", want, n);
    size_t got_train = read_list(&p, "train", want + ntest, n - ntest);
    int same = got_test == ntest && got_train == n - ntest &&
               li2_refrng_sklearn_ntest(ts, n) == ntest;
    li2_refrng_sklearn_split((uint32_t)seed, n, perm);
    same = same && !memcmp(perm, want, n * sizeof *perm);
    cases++;
    match += same;
    ok(same, "split seed=%lu M=%zu num_of_ops=%d test_size=%g: %zu test indices as sklearn",
       seed, M, k, ts, ntest);
    {
      /* the trainer's data set: training samples (perm[ntest:]) in order,
       * then the test samples; sample numbers first operand most significant */
      char name[32];
      li2_error err;
      li2_group *g;
      li2_dataset *d;
      li2_split_params sp;
      int ds = 0;
      snprintf(name, sizeof name, "%s", M == 24 ? "2x3x4" : "");
      if (M != 24)
        snprintf(name, sizeof name, "%zu", M);
      g = li2_group_alloc_name(name, &err);
      li2_split_params_default(&sp);
      sp.seed = seed;
      sp.test_size = ts;
      sp.reference = 1;
      d = g ? li2_dataset_alloc_split(g, k, &sp, &err) : NULL;
      if (d && d->ntest == ntest) {
        ds = 1;
        for (size_t i = 0; i < d->ntrain && ds; i++)
          ds = li2_dataset_sample_index(d, d->train_x + i * (size_t)k) == want[ntest + i];
        for (size_t i = 0; i < d->ntest && ds; i++)
          ds = li2_dataset_sample_index(d, d->test_x + i * (size_t)k) == want[i];
      }
      match_ds += ds;
      ok(ds, "  li2_dataset_alloc_split(reference) on M=%s gives the same samples", name);
      li2_dataset_free(d);
      li2_group_free(g);
    }
    free(want);
    free(perm);
  }
  ok(cases >= 20 && match == cases && match_ds == cases,
     "%d of %d recorded splits match (refrng), %d through the data set", match, cases, match_ds);
  free(text);
}

/* Parse 8-hex-digit float bit patterns after TAG into OUT. */
static size_t read_bits(char **p, const char *tag, float *out, size_t n)
{
  char *line = *p, *nl = strchr(line, '\n'), *q;
  size_t k = 0;
  if (!nl || strncmp(line, tag, strlen(tag)) || line[strlen(tag)] != ' ')
    return (size_t)-1;
  *nl = 0;
  q = line + strlen(tag);
  while (*q && k < n) {
    char *end;
    unsigned long v = strtoul(q, &end, 16);
    uint32_t u = (uint32_t)v;
    if (end == q)
      break;
    memcpy(&out[k++], &u, sizeof u);
    q = end;
  }
  *p = nl + 1;
  return k;
}

/* Li2 element number of reference label LAB for the group named SPEC
 * (products first factor most significant in li2, least in the reference). */
static size_t li2_element(const size_t *fac, int nf, size_t lab)
{
  size_t d[8], e = 0;
  for (int i = 0; i < nf; i++) {
    d[i] = lab % fac[i];
    lab /= fac[i];
  }
  for (int i = 0; i < nf; i++)
    e = e * fac[i] + d[i];
  return e;
}

static int check_init(const char *Mspec, const size_t *fac, int nf, unsigned long seed,
                      size_t M, int k, size_t K, int r, double mult, const float *W,
                      const float *const *L, const float *V)
{
  char text[512];
  li2_args *a = NULL;
  li2_train_config c;
  li2_trainer *t = NULL;
  li2_error err;
  int good = 0;
  size_t kM = (size_t)k * M;
  snprintf(text, sizeof text,
           "M=%s\nnum_of_ops=%d\nhidden_size=%zu\nother_layers=%d\nseed=%lu\n"
           "top_layer_init_multiplier=%.17g\ninit=reference\nnum_epochs=0\ntest_size=0.5\n",
           Mspec, k, K, r, seed, mult);
  if (li2_train_args_from_text(text, &a, &err) || li2_train_config_from_args(a, &c, &err) ||
      !(t = li2_trainer_alloc(&c, text, NULL, &err))) {
    printf("# %s\n", err.msg);
    goto out;
  }
  {
    const li2_model *m = li2_trainer_model(t);
    good = m->M == M && m->K == K && m->nlayers == r;
    for (int op = 0; op < k && good; op++)
      for (size_t lab = 0; lab < M && good; lab++)
        for (size_t j = 0; j < K && good; j++)
          good = m->W[((size_t)op * M + li2_element(fac, nf, lab)) * K + j] ==
                 (double)W[j * kM + (size_t)op * M + lab];
    for (int l = 0; l < r && good; l++)
      for (size_t i = 0; i < K && good; i++)
        for (size_t j = 0; j < K && good; j++)
          good = m->L[(size_t)l * K * K + i * K + j] == (double)L[l][j * K + i];
    for (size_t lab = 0; lab < M && good; lab++)
      for (size_t j = 0; j < K && good; j++)
        good = m->V[j * M + li2_element(fac, nf, lab)] == (double)V[lab * K + j];
  }
out:
  li2_trainer_free(t);
  li2_args_free(a);
  return good;
}

static void test_init(void)
{
  char *text = slurp("reference-init.txt"), *p;
  int cases = 0, match = 0;
  if (!ok(text != NULL, "tests/data/reference-init.txt readable"))
    return;
  for (p = text; *p;) {
    unsigned long seed;
    size_t M, K;
    int k, r;
    double mult;
    if (*p == '#') {
      p = strchr(p, '\n') + 1;
      continue;
    }
    if (sscanf(p, "case %lu %zu %d %zu %d %lf", &seed, &M, &k, &K, &r, &mult) != 6)
      break;
    p = strchr(p, '\n') + 1;
    float *W = malloc(K * M * (size_t)k * sizeof *W), *V = malloc(K * M * sizeof *V);
    float *L[4] = {0};
    int same = read_bits(&p, "W", W, K * M * (size_t)k) == K * M * (size_t)k;
    for (int l = 0; l < r; l++) {
      char tag[8];
      snprintf(tag, sizeof tag, "L%d", l);
      L[l] = malloc(K * K * sizeof(float));
      same = same && read_bits(&p, tag, L[l], K * K) == K * K;
    }
    same = same && read_bits(&p, "V", V, K * M) == K * M;
    {
      char spec[32];
      size_t fac[1] = {M};
      snprintf(spec, sizeof spec, "%zu", M);
      same = same && check_init(spec, fac, 1, seed, M, k, K, r, mult, W,
                                (const float *const *)L, V);
    }
    cases++;
    match += same;
    ok(same, "init seed=%lu M=%zu num_of_ops=%d K=%zu other_layers=%d x%g: torch's weights bit for bit",
       seed, M, k, K, r, mult);
    if (M == 6) {
      /* the same draws on Z2 x Z3, each reference label mapped to li2's element */
      size_t fac[2] = {2, 3};
      ok(check_init("2x3", fac, 2, seed, M, k, K, r, mult, W, (const float *const *)L, V),
         "init on M=2x3: the reference's labels (first factor least significant) mapped");
    }
    for (int l = 0; l < r; l++)
      free(L[l]);
    free(W);
    free(V);
  }
  ok(cases >= 8 && match == cases, "%d of %d recorded initialisations match", match, cases);
  free(text);
}

static void test_refusals(void)
{
  li2_args *a = NULL;
  li2_train_config c;
  li2_error err;
  const char *t1 = "group=S4\nsplit=reference\n", *t2 = "M=127\ninit=reference\ninit_scale=0.5\n";
  ok(li2_train_args_from_text(t1, &a, &err) == 0 &&
         li2_train_config_from_args(a, &c, &err) == LI2_EINVAL && strstr(err.msg, "split=reference"),
     "split=reference with group=S4 refused: %s", err.msg);
  li2_args_free(a);
  ok(li2_train_args_from_text(t2, &a, &err) == 0 &&
         li2_train_config_from_args(a, &c, &err) == LI2_EINVAL && strstr(err.msg, "init_scale"),
     "init=reference with init_scale refused: %s", err.msg);
  li2_args_free(a);
}

int main(void)
{
  test_mt();
  test_splits();
  test_init();
  test_refusals();
  return tap_done();
}
