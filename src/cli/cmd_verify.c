/* li2 verify: run the claims of theory/ and print their verdicts. */
#define _GNU_SOURCE  /* strverscmp: C2 before C10 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../io.h"
#include "../json.h"
#include "../provenance.h"
#include "../verify.h"
#include "cli.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "claim", NULL, "claim id (C1) or .claim file; several: C1,C2 or C1 C2 ...", 1, 0, NULL, LI2_ARG_POS_LIST},
  {LI2_ARG_FLAG, "quick", NULL, "reduced parameters (quick.KEY) of every claim", 0, 0, NULL, 0},
  {LI2_ARG_FLAG, "json", NULL, "print the results as JSON instead of the table", 0, 0, NULL, 0},
  {LI2_ARG_STRING, "out", ".", "directory for verify.json and verify.md", 1, 0, NULL, 0},
  {LI2_ARG_STRING, "theory", NULL, "claims directory (default ./theory, else the installed one)", 1, 0, NULL, 0},
  {LI2_ARG_INT, "threads", "0", "OpenMP threads (0: the default)", 0, 1024, NULL, 0},
  {LI2_ARG_DOUBLE, "progress_interval", "30", "seconds between progress lines when stderr is not a terminal (0: none)", 0, 1e9, NULL, 0},
  {LI2_ARG_FLAG, "list", NULL, "list the claims and exit", 0, 0, NULL, 0},
  {0}
};

static const char *theory_dir(const li2_args *a)
{
  if (li2_args_has(a, "theory"))
    return li2_args_string(a, "theory");
  if (li2_io_is_dir("theory"))
    return "theory";
#ifdef LI2_SRCDIR
  if (li2_io_is_dir(LI2_SRCDIR "/theory"))
    return LI2_SRCDIR "/theory";
#endif
#ifdef LI2_PKGDATADIR
  return LI2_PKGDATADIR "/theory";
#else
  return "theory";
#endif
}

static int cmp_str(const void *x, const void *y)
{
  return strverscmp(*(char *const *)x, *(char *const *)y);
}

typedef struct claims {
  li2_verify_claim **c;
  size_t n;
} claims;

static void claims_free(claims *cl)
{
  for (size_t i = 0; i < cl->n; i++)
    li2_verify_claim_free(cl->c[i]);
  free(cl->c);
}

/* every DIR/ *.claim, sorted by file name in version order (C2 before
 * C10), parsed */
static int load_all(const char *dir, claims *cl, li2_error *err)
{
  DIR *d = opendir(dir);
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = LI2_SUCCESS;
  if (!d)
    return li2_error_set(err, LI2_EIO, "parameter theory: cannot open directory '%s'", dir);
  for (struct dirent *e; (e = readdir(d));) {
    size_t l = strlen(e->d_name);
    if (l < 7 || strcmp(e->d_name + l - 6, ".claim") || e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 16;
      char **nn = realloc(names, cap * sizeof *nn);
      if (!nn) {
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        break;
      }
      names = nn;
    }
    if (!(names[n] = li2_io_path(dir, e->d_name))) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      break;
    }
    n++;
  }
  closedir(d);
  if (!rc && n)
    qsort(names, n, sizeof *names, cmp_str);
  if (!rc && !(cl->c = calloc(n ? n : 1, sizeof *cl->c)))
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (size_t i = 0; !rc && i < n; i++) {
    if (!(rc = li2_verify_claim_load(names[i], &cl->c[cl->n], err)))
      cl->n++;
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  if (!rc && cl->n == 0)
    rc = li2_error_set(err, LI2_EIO, "parameter theory: no .claim files in '%s'", dir);
  return rc;
}

/* the claims named on the command line (claim=A,B and positional ids,
 * any number), in the order given */
static int select_claims(const li2_args *a, claims *all, claims *sel, li2_error *err)
{
  const char *given = li2_args_has(a, "claim") ? li2_args_string(a, "claim") : NULL;
  size_t words = 1;
  int rc = LI2_SUCCESS;
  for (const char *p = given; p && *p; p++)
    words += *p == ',';
  if (!(sel->c = calloc(all->n + words, sizeof *sel->c)))
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  if (!given) {
    for (size_t i = 0; i < all->n; i++)
      sel->c[sel->n++] = all->c[i];
    all->n = 0;  /* ownership moved */
    return LI2_SUCCESS;
  }
  int *taken = calloc(all->n + 1, sizeof *taken);
  if (!taken)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  char *list = strdup(given), *save = NULL;
  size_t ll = strlen(given);
  if (!list)
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
  else if (!ll || list[0] == ',' || list[ll - 1] == ',' || strstr(list, ",,"))
    /* strtok would skip the empty name (issue 15, defect 13) */
    rc = li2_error_set(err, LI2_EINVAL, "parameter claim: empty claim name in '%s'", given);
  for (char *w = rc ? NULL : strtok_r(list, ",", &save); !rc && w; w = strtok_r(NULL, ",", &save)) {
    size_t l = strlen(w);
    if (strchr(w, '/') || (l > 6 && !strcmp(w + l - 6, ".claim"))) {
      /* a claim file: owned by SEL, freed with it */
      li2_verify_claim *c;
      if (!(rc = li2_verify_claim_load(w, &c, err)))
        sel->c[sel->n++] = c;
      continue;
    }
    size_t i;
    for (i = 0; i < all->n; i++)
      if (!strcasecmp(li2_verify_claim_id(all->c[i]), w))
        break;
    if (i == all->n) {
      rc = li2_error_set(err, LI2_EINVAL, "parameter claim: no claim '%s' (try li2 verify --list)",
                         w);
      break;
    }
    if (taken[i]) {
      rc = li2_error_set(err, LI2_EINVAL, "parameter claim: claim '%s' given twice", w);
      break;
    }
    taken[i] = 1;
    sel->c[sel->n++] = all->c[i];
  }
  free(list);
  /* move ownership: selected from ALL leave it, files loaded stay in SEL */
  size_t keep = 0;
  for (size_t i = 0; i < all->n; i++)
    if (!taken[i])
      all->c[keep++] = all->c[i];
  all->n = keep;
  free(taken);
  return rc;
}

static void json_results(FILE *fp, claims *sel, const li2_verify_result *r, size_t n, int quick)
{
  li2_json_writer w;
  li2_json_writer_init(&w, fp, 1);
  /* {"claims": [...], "provenance": {...}} */
  li2_json_object_begin(&w);
  li2_json_key(&w, "claims");
  li2_json_array_begin(&w);
  for (size_t i = 0; i < n; i++) {
    li2_json_object_begin(&w);
    li2_json_key(&w, "claim");
    li2_json_string(&w, r[i].id);
    li2_json_key(&w, "verdict");
    li2_json_string(&w, li2_verify_verdict_name(r[i].verdict));
    li2_json_key(&w, "predicted");
    li2_json_number(&w, r[i].predicted);
    li2_json_key(&w, "measured");
    li2_json_number(&w, r[i].measured);
    li2_json_key(&w, "tolerance");
    li2_json_number(&w, r[i].tolerance);
    li2_json_key(&w, "what");
    li2_json_string(&w, r[i].what);
    li2_json_key(&w, "rule");
    li2_json_string(&w, li2_verify_claim_rule(sel->c[i]));
    li2_json_key(&w, "statement");
    li2_json_string(&w, li2_verify_claim_statement(sel->c[i]));
    li2_json_key(&w, "source");
    li2_json_string(&w, li2_verify_claim_source(sel->c[i]));
    li2_json_key(&w, "section");
    li2_json_string(&w, li2_verify_claim_section(sel->c[i]));
    li2_json_key(&w, "quick");
    li2_json_bool(&w, quick);
    li2_json_key(&w, "seconds");
    li2_json_number(&w, r[i].seconds);
    li2_json_key(&w, "measures");
    li2_json_object_begin(&w);
    for (size_t k = 0; k < r[i].nmeasures; k++) {
      li2_json_key(&w, r[i].measure_name[k]);
      li2_json_number(&w, r[i].measure[k]);
    }
    li2_json_object_end(&w);
    li2_json_object_end(&w);
  }
  li2_json_array_end(&w);
  li2_json_key(&w, "provenance");
  li2_provenance_write(&w);
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
}

/* Order of the paper's sections: by the leading section number ("3 Stage
 * I ..." before "10 ..."), appendix letters after, claims without a
 * section last; ties by the text. */
static int section_cmp(const char *a, const char *b)
{
  if (!*a || !*b)
    return !*a - !*b;
  char *ea, *eb;
  long na = strtol(a, &ea, 10), nb = strtol(b, &eb, 10);
  int da = ea != a, db = eb != b;
  if (da != db)
    return db - da;
  if (da && na != nb)
    return na < nb ? -1 : 1;
  return strcmp(a, b);
}

/* Indices of the claims grouped by section (stable within a section). */
static void section_order(claims *sel, size_t n, size_t *idx)
{
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  for (size_t i = 1; i < n; i++)  /* insertion sort: stable, n is small */
    for (size_t j = i; j > 0 &&
                       section_cmp(li2_verify_claim_section(sel->c[idx[j - 1]]),
                                   li2_verify_claim_section(sel->c[idx[j]])) > 0;
         j--) {
      size_t t = idx[j];
      idx[j] = idx[j - 1];
      idx[j - 1] = t;
    }
}

static void md_results(FILE *fp, claims *sel, const li2_verify_result *r, size_t n, int quick)
{
  size_t *idx = malloc((n ? n : 1) * sizeof *idx);
  if (!idx)
    return;
  section_order(sel, n, idx);
  fprintf(fp, "# li2 verify%s\n\n| section | claim | source | prediction | measured | tolerance | "
              "verdict |\n|---|---|---|---|---|---|---|\n", quick ? " --quick" : "");
  for (size_t k = 0; k < n; k++) {
    size_t i = idx[k];
    const li2_verify_claim *c = sel->c[i];
    fprintf(fp, "| %s | %s | %s ", li2_verify_claim_section(c), r[i].id,
            li2_verify_claim_source(c));
    if (r[i].verdict == LI2_VERIFY_NOT_RUN || r[i].verdict == LI2_VERIFY_ERROR)
      fprintf(fp, "| - | - | - | %s (%s) |\n", li2_verify_verdict_name(r[i].verdict), r[i].what);
    else
      fprintf(fp, "| %.6g | %.6g | %.3g | %s |\n", r[i].predicted, r[i].measured,
              r[i].tolerance, li2_verify_verdict_name(r[i].verdict));
  }
  const char *section = NULL;
  for (size_t k = 0; k < n; k++) {
    size_t i = idx[k];
    const li2_verify_claim *c = sel->c[i];
    const char *s = li2_verify_claim_section(c);
    if (!section || strcmp(section, s))
      fprintf(fp, "\n# %s%s\n", *s ? "Section " : "", *s ? s : "Claims without a section");
    section = s;
    fprintf(fp, "\n## %s: %s\n\n%s\n\nSource: %s.  Kind `%s`, claim file `%s`.\n\n"
                "Headline: %s.  Rule: `%s` -> **%s** (%.1f s).\n\nMeasures:",
            r[i].id, li2_verify_verdict_name(r[i].verdict), li2_verify_claim_statement(c),
            li2_verify_claim_source(c), li2_verify_claim_kind(c), li2_verify_claim_path(c),
            r[i].what, li2_verify_claim_rule(c), li2_verify_verdict_name(r[i].verdict),
            r[i].seconds);
    for (size_t m = 0; m < r[i].nmeasures; m++)
      fprintf(fp, "%s %s = %.6g", m ? "," : "", r[i].measure_name[m], r[i].measure[m]);
    fprintf(fp, ".\n\n%s\n", r[i].detail ? r[i].detail : "");
  }
  free(idx);
}

/* --list: one TSV row per claim (or a JSON array with --json) */
static void list_claims(FILE *fp, claims *sel, int json)
{
  li2_json_writer w;
  if (json) {
    li2_json_writer_init(&w, fp, 1);
    li2_json_array_begin(&w);
  } else {
    fprintf(fp, "id\tsource\tsection\tkind\tquick\tstatement\n");
  }
  for (size_t i = 0; i < sel->n; i++) {
    const li2_verify_claim *c = sel->c[i];
    const char *why;
    int quick = li2_verify_claim_has_quick(c, &why);
    if (json) {
      li2_json_object_begin(&w);
      li2_json_key(&w, "claim");
      li2_json_string(&w, li2_verify_claim_id(c));
      li2_json_key(&w, "source");
      li2_json_string(&w, li2_verify_claim_source(c));
      li2_json_key(&w, "section");
      li2_json_string(&w, li2_verify_claim_section(c));
      li2_json_key(&w, "kind");
      li2_json_string(&w, li2_verify_claim_kind(c));
      li2_json_key(&w, "quick");
      li2_json_bool(&w, quick);
      li2_json_key(&w, "statement");
      li2_json_string(&w, li2_verify_claim_statement(c));
      li2_json_object_end(&w);
    } else {
      fprintf(fp, "%s\t%s\t%s\t%s\t%s\t%s\n", li2_verify_claim_id(c),
              li2_verify_claim_source(c), li2_verify_claim_section(c),
              li2_verify_claim_kind(c), quick ? "yes" : "no", li2_verify_claim_statement(c));
    }
  }
  if (json) {
    li2_json_array_end(&w);
    li2_json_writer_finish(&w);
  }
}

static int write_file(const char *dir, const char *name, claims *sel,
                      const li2_verify_result *r, size_t n, int quick,
                      void (*fn)(FILE *, claims *, const li2_verify_result *, size_t, int),
                      li2_error *err)
{
  li2_io_file f;
  int rc;
  if ((rc = li2_io_open_atomic_in(&f, dir, name, err)))
    return rc;
  fn(f.fp, sel, r, n, quick);
  return li2_io_commit(&f, err);
}

static int run(const li2_args *a, li2_error *err)
{
  claims all = {0}, sel = {0};
  li2_verify_result *res = NULL;
  int quick = li2_args_bool(a, "quick"), json = li2_args_bool(a, "json");
  int threads = (int)li2_args_int(a, "threads");
  const char *out = li2_args_string(a, "out");
  size_t done = 0, nfail = 0, nskip = 0, nerror = 0;
  char failed[256] = "", errored[256] = "";
  li2_error first = {0};
  char first_id[64] = "";
  li2_progress prog, runs;
  int rc;
  if ((rc = load_all(theory_dir(a), &all, err)) || (rc = select_claims(a, &all, &sel, err)))
    goto end;
  if (li2_args_bool(a, "list")) {
    list_claims(stdout, &sel, json);
    goto end;
  }
  /* every parameter value, full and quick, before anything runs: --quick
   * does not hide a full-mode value that would fail (issue 15, defect 12) */
  for (size_t i = 0; i < sel.n; i++)
    if ((rc = li2_verify_check(sel.c[i], err)))
      goto end;
  if ((rc = li2_io_mkdir(out, err)))
    goto end;
  if (!(res = calloc(sel.n, sizeof *res))) {
    rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    goto end;
  }
  if (!json)
    printf("%-5s %-14s %-14s %-10s %-12s %s\n", "claim", "prediction", "measured", "tolerance",
           "verdict", "seconds");
  /* lines only (when stderr is not a terminal): the table is on stdout */
  li2_progress_init(&prog, "verify", (long)sel.n);
  li2_progress_set_interval(&prog, li2_args_double(a, "progress_interval"));
  if (prog.enabled == 1)
    prog.enabled = 0;
  for (; done < sel.n; done++) {
    li2_verify_result *r = &res[done];
    char status[96], label[32];
    /* within a claim: its jobs (seeds, grid points) as they finish, a bar
     * on a terminal cleared before the claim's row, else lines */
    snprintf(label, sizeof label, "verify %s", li2_verify_claim_id(sel.c[done]));
    li2_progress_init(&runs, label, 0);
    li2_progress_set_interval(&runs, li2_args_double(a, "progress_interval"));
    /* a claim whose measurement raises an error gets an ERROR row and the
     * claims after it still run: one failure does not lose an hour of
     * results (issue 15, defect 11); the first error is li2's exit status */
    rc = li2_verify_run(sel.c[done], quick, threads, &runs, r, err);
    li2_progress_finish(&runs);
    if (rc) {
      if (r->verdict != LI2_VERIFY_ERROR)
        goto end;
      if (!nerror++) {
        first = *err;
        snprintf(first_id, sizeof first_id, "%s", r->id);
      }
      snprintf(errored + strlen(errored), sizeof errored - strlen(errored), "%s%s",
               nerror > 1 ? ", " : "", r->id);
      li2_error_clear(err);
      rc = LI2_SUCCESS;
    }
    snprintf(status, sizeof status, "%s %s", r->id, li2_verify_verdict_name(r->verdict));
    li2_progress_update(&prog, (long)done + 1, status);
    nskip += r->verdict == LI2_VERIFY_NOT_RUN;
    if (r->verdict == LI2_VERIFY_FAIL || r->verdict == LI2_VERIFY_INCONCLUSIVE) {
      nfail++;
      snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "%s%s %s",
               nfail > 1 ? ", " : "", r->id, li2_verify_verdict_name(r->verdict));
    }
    if (!json && (r->verdict == LI2_VERIFY_NOT_RUN || r->verdict == LI2_VERIFY_ERROR))
      printf("%-5s %-14s %-14s %-10s %-12s %s\n", r->id, "-", "-", "-",
             li2_verify_verdict_name(r->verdict), r->what);
    else if (!json)
      printf("%-5s %-14.6g %-14.6g %-10.3g %-12s %.2f\n", r->id, r->predicted, r->measured,
             r->tolerance, li2_verify_verdict_name(r->verdict), r->seconds);
    if (!json)
      fflush(stdout);
  }
  if ((rc = write_file(out, "verify.json", &sel, res, done, quick, json_results, err)) ||
      (rc = write_file(out, "verify.md", &sel, res, done, quick, md_results, err)))
    goto end;
  if (json) {
    /* the file's own text: one provenance (its date) for both */
    char *path = li2_io_path(out, "verify.json"), *text = NULL;
    size_t len;
    if (!path) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
      goto end;
    }
    rc = li2_io_read_file(path, &text, &len, err);
    free(path);
    if (rc)
      goto end;
    fwrite(text, 1, len, stdout);
    free(text);
  }
  if (nerror)
    rc = li2_error_set(err, first.code, "claim %s: %s (%zu of %zu claims raised an error: %s)",
                       first_id, first.msg, nerror, sel.n, errored);
  else if (nfail)
    /* exit status 0 only when every claim run PASSes; a FAIL or an
     * INCONCLUSIVE verdict is not an error of li2: exit status 1 (li2(1)) */
    rc = li2_error_set(err, -1, "%zu of %zu claims run do not PASS: %s", nfail,
                       done - nskip, failed);
end:
  for (size_t i = 0; res && i < sel.n; i++)
    li2_verify_result_clear(&res[i]);
  free(res);
  claims_free(&sel);
  claims_free(&all);
  return rc;
}

const li2_command li2_command_verify = {
  "verify",
  "run the paper's claims (theory/*.claim) as numeric checks",
  "[CLAIM ...] [--quick] [--json] [out=DIR] [theory=DIR]",
  spec,
  run
};
