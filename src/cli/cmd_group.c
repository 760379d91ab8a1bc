/* li2 group NAME [--json] [--check]: structure and character table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "../characters.h"
#include "../group.h"
#include "../json.h"

static const li2_arg_spec spec[] = {
  {LI2_ARG_STRING, "group", NULL, "group name (71, Z4xZ6, S4, D5, Z7:Z3, file:PATH#K, ...)", 1, 0, NULL, 1},
  {LI2_ARG_FLAG, "json", "false", "print one JSON object", 1, 0, NULL, 0},
  {LI2_ARG_FLAG, "check", "false", "verify the orthogonality relations (tolerance 1e-9)", 1, 0, NULL, 0},
  {LI2_ARG_DOUBLE, "tol", "1e-9", "tolerance of --check", 0, 1, NULL, 0},
  {0}
};

static void print_text(const li2_group *g, const li2_characters *ct)
{
  const li2_group_classes *cl = ct->classes;
  size_t r = ct->nirreps;
  printf("group\t%s\norder\t%zu\nabelian\t%s\nclasses\t%zu\n", g->name, g->order,
         g->abelian ? "yes" : "no", cl->nclasses);
  printf("class_sizes");
  for (size_t c = 0; c < cl->nclasses; c++)
    printf("\t%zu", cl->size[c]);
  printf("\nclass_orders");
  for (size_t c = 0; c < cl->nclasses; c++)
    printf("\t%d", cl->order[c]);
  printf("\n\nirrep\tdegree\tindicator\treal_dim\tcomponent\tpredicted_energy\n");
  for (size_t i = 0; i < r; i++) {
    int comp = ct->component_of[i];
    double e = li2_characters_predicted_energy(ct, g->order, (size_t)comp);
    printf("%zu\t%d\t%+d\t%d\t%d\t", i, ct->degree[i], ct->indicator[i],
           ct->component_real_dim[comp], comp);
    if (isnan(e))
      printf("-\n");
    else
      printf("%.10g\n", e);
  }
  printf("\ncharacter table (rows irreps, columns classes)\n");
  for (size_t i = 0; i < r; i++) {
    for (size_t c = 0; c < r; c++) {
      double complex z = ct->chi[i * r + c];
      double re = fabs(creal(z)) < 5e-13 ? 0 : creal(z);
      double im = fabs(cimag(z)) < 5e-13 ? 0 : cimag(z);
      if (im == 0)
        printf("%s%.6g", c ? "\t" : "", re);
      else
        printf("%s%.6g%+.6gi", c ? "\t" : "", re, im);
    }
    putchar('\n');
  }
}

static void print_json(const li2_group *g, const li2_characters *ct, int checked,
                       double row_err, double col_err)
{
  const li2_group_classes *cl = ct->classes;
  li2_json_writer w;
  li2_json_writer_init(&w, stdout, 1);
  li2_json_object_begin(&w);
  li2_json_key(&w, "name");
  li2_json_string(&w, g->name);
  li2_json_key(&w, "order");
  li2_json_int(&w, (long)g->order);
  li2_json_key(&w, "abelian");
  li2_json_bool(&w, g->abelian);
  li2_json_key(&w, "class_sizes");
  li2_json_array_begin(&w);
  for (size_t c = 0; c < cl->nclasses; c++)
    li2_json_int(&w, (long)cl->size[c]);
  li2_json_array_end(&w);
  li2_json_key(&w, "irreps");
  li2_json_array_begin(&w);
  for (size_t i = 0; i < ct->nirreps; i++) {
    int comp = ct->component_of[i];
    li2_json_object_begin(&w);
    li2_json_key(&w, "index");
    li2_json_int(&w, (long)i);
    li2_json_key(&w, "degree");
    li2_json_int(&w, ct->degree[i]);
    li2_json_key(&w, "indicator");
    li2_json_int(&w, ct->indicator[i]);
    li2_json_key(&w, "real_dim");
    li2_json_int(&w, ct->component_real_dim[comp]);
    li2_json_key(&w, "component");
    li2_json_int(&w, comp);
    li2_json_key(&w, "predicted_energy");
    li2_json_number(&w, li2_characters_predicted_energy(ct, g->order, (size_t)comp));
    li2_json_object_end(&w);
  }
  li2_json_array_end(&w);
  if (checked) {
    li2_json_key(&w, "row_orthogonality_error");
    li2_json_number(&w, row_err);
    li2_json_key(&w, "column_orthogonality_error");
    li2_json_number(&w, col_err);
  }
  li2_json_object_end(&w);
  li2_json_writer_finish(&w);
}

static int run(const li2_args *a, li2_error *err)
{
  if (!li2_args_has(a, "group"))
    return li2_error_set(err, LI2_EINVAL, "parameter group: missing (e.g. li2 group S4)");
  li2_group *g = li2_group_alloc_name(li2_args_string(a, "group"), err);
  if (!g)
    return err->code;
  li2_characters *ct = li2_characters_alloc(g, err);
  if (!ct) {
    li2_group_free(g);
    return err->code;
  }
  int check = li2_args_bool(a, "check"), rc = LI2_SUCCESS;
  double row_err = 0, col_err = 0, tol = li2_args_double(a, "tol");
  if (check)
    li2_characters_orthogonality(ct, g->order, &row_err, &col_err);
  if (li2_args_bool(a, "json"))
    print_json(g, ct, check, row_err, col_err);
  else {
    print_text(g, ct);
    if (check)
      printf("\northogonality\trows %.3g\tcolumns %.3g\ttolerance %.3g\t%s\n", row_err,
             col_err, tol, row_err <= tol && col_err <= tol ? "PASS" : "FAIL");
  }
  if (check && !(row_err <= tol && col_err <= tol))
    rc = li2_error_set(err, LI2_ENUMERIC,
                       "character table of %s fails orthogonality: rows %.3g, columns %.3g > %.3g",
                       g->name, row_err, col_err, tol);
  li2_characters_free(ct);
  li2_group_free(g);
  return rc;
}

const li2_command li2_command_group = {
  "group", "order, conjugacy classes, irreps and character table of a group",
  "NAME [--json] [--check]", spec, run,
};
