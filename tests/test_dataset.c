/* Data set and split: sizes, labels, determinism, save/load round trip,
 * critical-ratio size, malformed split files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "tap.h"

static int same_split(const li2_dataset *a, const li2_dataset *b)
{
  return a->ntrain == b->ntrain && a->ntest == b->ntest && a->nops == b->nops &&
         !memcmp(a->train_x, b->train_x, a->ntrain * a->nops * sizeof(int)) &&
         !memcmp(a->train_y, b->train_y, a->ntrain * sizeof(int)) &&
         !memcmp(a->test_x, b->test_x, a->ntest * a->nops * sizeof(int)) &&
         !memcmp(a->test_y, b->test_y, a->ntest * sizeof(int));
}

/* Every label is the group product and every sample occurs exactly once. */
static int labels_and_partition(const li2_group *g, const li2_dataset *d)
{
  size_t nall = d->nall;
  unsigned char *seen = calloc(nall, 1);
  int good = seen != NULL;
  for (int part = 0; part < 2 && good; part++) {
    size_t n = part ? d->ntest : d->ntrain;
    const int *x = part ? d->test_x : d->train_x, *y = part ? d->test_y : d->train_y;
    for (size_t i = 0; i < n && good; i++) {
      const int *xi = x + i * d->nops;
      int prod = xi[0];
      size_t s = li2_dataset_sample_index(d, xi);
      for (int j = 1; j < d->nops; j++)
        prod = li2_group_mul(g, prod, xi[j]);
      good = prod == y[i] && s < nall && !seen[s];
      if (good)
        seen[s] = 1;
    }
  }
  free(seen);
  return good;
}

int main(void)
{
  li2_error err = {0};
  li2_group *z71 = li2_group_alloc_name("71", &err);
  li2_group *s4 = li2_group_alloc_name("S4", &err);
  li2_split_params p;
  li2_dataset *a, *b, *c;
  size_t n;
  char path[64];

  if (!z71 || !s4) {
    ok(0, "groups: %s", err.msg);
    return tap_done();
  }
  li2_split_params_default(&p);
  ok(p.test_size == 0.7 && p.critical_ratio_multiplier == 2.7482,
     "defaults are the reference's");

  /* sklearn: n_test = ceil(0.7 * 5041) = 3529 */
  a = li2_dataset_alloc_split(z71, 2, &p, &err);
  ok(a && a->ntest == 3529 && a->ntrain == 5041 - 3529,
     "test_size 0.7 on Z71: ntest = ceil(0.7 * 5041) = 3529");
  ok(a && labels_and_partition(z71, a), "labels are a+b mod 71, split is a partition");
  b = li2_dataset_alloc_split(z71, 2, &p, &err);
  ok(a && b && same_split(a, b), "same seed gives the same split");
  p.seed = 1;
  c = li2_dataset_alloc_split(z71, 2, &p, &err);
  ok(a && c && !same_split(a, c), "another seed gives another split");
  li2_dataset_free(b);
  li2_dataset_free(c);

  /* save / load round trip */
  snprintf(path, sizeof path, "test_dataset.%ld.split", (long)getpid());
  ok(a && li2_dataset_save(a, path, &err) == 0, "save split");
  b = li2_dataset_alloc_load(z71, 2, path, &err);
  ok(a && b && same_split(a, b), "load gives the same split back");
  li2_dataset_free(b);
  b = li2_dataset_alloc_load(s4, 2, path, &err);
  ok(!b && err.code == LI2_EFORMAT && strstr(err.msg, path) && strstr(err.msg, ":1:"),
     "loading for another group fails naming file and line: %s", err.msg);
  {
    /* truncate the file: the error names the line where samples stop */
    FILE *fp = fopen(path, "r+");
    ok(fp && ftruncate(fileno(fp), 200) == 0, "truncate split file");
    if (fp)
      fclose(fp);
    b = li2_dataset_alloc_load(z71, 2, path, &err);
    ok(!b && err.code == LI2_EFORMAT && strstr(err.msg, path), "truncated split: %s",
       err.msg);
  }
  {
    /* issue 15 defect 1: counts near 2^64 must not wrap ntrain + ntest onto
     * M^2 (a tiny buffer then overfilled), and "-1" is not a count */
    static const char *bad[] = {
      "li2-split 1 7 2 9223372036854775833 9223372036854775832\n",
      "li2-split 1 7 2 18446744073709551615 50\n",
      "li2-split 1 7 2 -1 50\n",
      "li2-split 1 7 2 49 -0\n",
      "li2-split 1 -7 2 49 0\n",
      "li2-split 1 7 2 49 0\n", /* no test set: the command line refuses it too */
    };
    li2_group *z7 = li2_group_alloc_name("7", &err);
    for (size_t t = 0; t < sizeof bad / sizeof *bad; t++) {
      FILE *fp = fopen(path, "w");
      if (fp) {
        fputs(bad[t], fp);
        for (int i = 0; i < 49; i++)
          fprintf(fp, "%d\n", i);
        fclose(fp);
      }
      b = li2_dataset_alloc_load(z7, 2, path, &err);
      ok(!b && err.code == LI2_EFORMAT && strstr(err.msg, ":1:") && !strchr(err.msg, '\n'),
         "split header %zu refused on line 1: %s", t, err.msg);
      li2_dataset_free(b);
    }
    li2_group_free(z7);
  }
  remove(path);
  li2_dataset_free(a);

  /* train_size overrides test_size */
  li2_split_params_default(&p);
  p.train_size = 2016;
  a = li2_dataset_alloc_split(z71, 2, &p, &err);
  ok(a && a->ntrain == 2016 && a->ntest == 5041 - 2016, "train_size=2016");
  li2_dataset_free(a);

  /* critical ratio: test fraction 1 - c log(M)/M (doc/mathematics.md section 4) */
  li2_split_params_default(&p);
  p.use_critical_ratio = 1;
  ok(li2_split_train_count(&p, 71, 5041, &n, &err) == 0, "critical ratio count");
  {
    double t = 1 - 2.7482 * log(71.0) / 71.0;
    size_t want = 5041 - (size_t)ceil(t * 5041);
    ok(n == want, "critical ratio on Z71: ntrain %zu = 5041 - ceil(%.6f * 5041) = %zu",
       n, t, want);
    /* n ~ c M log M */
    ok(fabs((double)n - 2.7482 * 71 * log(71.0)) <= 1.0,
       "critical ntrain %zu is c M log M = %.2f", n, 2.7482 * 71 * log(71.0));
  }
  p.critical_ratio_delta = 0.5;
  n = 0;
  if (li2_split_train_count(&p, 71, 5041, &n, &err))
    n = 0;
  ok(fabs((double)n - 2.2482 * 71 * log(71.0)) <= 1.0,
     "critical_ratio_delta moves c: ntrain %zu", n);
  /* the reference's collection correction s = max_dk/2: max_dk = 2 is the
   * plain ratio, max_dk = 4 doubles the training fraction */
  p.critical_ratio_delta = 0;
  {
    double t1 = li2_split_critical_test_size(&p, 71), t2, t4;
    p.group_collection_max_dk = 2;
    t2 = li2_split_critical_test_size(&p, 71);
    p.group_collection_max_dk = 4;
    t4 = li2_split_critical_test_size(&p, 71);
    ok(t2 == t1 && fabs((1 - t4) - 2 * (1 - t1)) <= 1e-15,
       "group_collection_max_dk: train fractions %.6f (s=1), %.6f (dk 2), %.6f (dk 4)", 1 - t1,
       1 - t2, 1 - t4);
    p.group_collection_max_dk = 1e3;
    ok(li2_split_critical_test_size(&p, 71) == 0, "the corrected fraction is clamped to [0, 1]");
  }

  /* invalid requests name the parameter */
  li2_split_params_default(&p);
  p.test_size = 1.0;
  ok(li2_split_train_count(&p, 71, 5041, &n, &err) == LI2_EINVAL &&
     strstr(err.msg, "test_size"), "test_size=1 rejected: %s", err.msg);
  p.test_size = 0.7;
  p.train_size = 5041;
  ok(li2_split_train_count(&p, 71, 5041, &n, &err) == LI2_EINVAL &&
     strstr(err.msg, "train_size"), "train_size=M^2 rejected: %s", err.msg);

  /* three operands: labels are a·b·c in S4 (non-abelian, order matters) */
  li2_split_params_default(&p);
  p.test_size = 0.9;
  a = li2_dataset_alloc_split(s4, 3, &p, &err);
  ok(a && a->nall == 24 * 24 * 24 && labels_and_partition(s4, a),
     "num_of_ops=3 on S4: labels are left-to-right products");
  li2_dataset_free(a);
  a = li2_dataset_alloc_full(s4, 2, &err);
  ok(a && a->ntrain == 576 && a->ntest == 0 && labels_and_partition(s4, a),
     "full table of S4");
  li2_dataset_free(a);
  a = li2_dataset_alloc_split(z71, 1, &p, &err);
  ok(!a && strstr(err.msg, "num_of_ops"), "num_of_ops=1 rejected: %s", err.msg);

  /* alloc_pairs: the trainer's split with train_size = n, or the full table */
  li2_split_params_default(&p);
  p.train_size = 300;
  p.seed = 7;
  b = li2_dataset_alloc_split(z71, 2, &p, &err);
  c = li2_dataset_alloc_pairs(z71, 2, 300, 7, &err);
  ok(b && c && c->ntrain == 300 && same_split(b, c),
     "alloc_pairs(300, seed 7) is the split with train_size 300 and seed 7");
  li2_dataset_free(b);
  li2_dataset_free(c);
  c = li2_dataset_alloc_pairs(s4, 2, 0, 7, &err);
  ok(c && c->ntrain == 576 && c->ntest == 0 && labels_and_partition(s4, c),
     "alloc_pairs(0) is the full table");
  li2_dataset_free(c);

  li2_group_free(z71);
  li2_group_free(s4);
  return tap_done();
}
