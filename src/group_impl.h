/* The group module's own functions, shared by group.c (core),
 * group_families.c (names) and group_load.c (files); not installed, and
 * hidden from libli2's users by the export list ('^li2_'). */
#ifndef LI2_GROUP_IMPL_H
#define LI2_GROUP_IMPL_H

#include <stddef.h>
#include "error.h"
#include "group.h"

/* A group of order M named NAME with table and inverse allocated, not filled. */
li2_group *group_new(size_t M, const char *name, li2_error *err);
/* Identity, inverses and the abelian flag of a table known to be a group. */
void group_finish(li2_group *g);
/* The group axioms on table T (values 0..M-1); BASE only changes how
 * indices are printed (files may be 1-based). */
int group_validate_base(size_t M, const int *T, int base, li2_error *err);
/* Parse a decimal number at *S (digits only), advancing *S.  Returns 0 when
 * there are no digits or the value exceeds LIMIT (reported as *OVER). */
int group_parse_count(const char **s, size_t limit, size_t *out, int *over);
/* "file:PATH", "file:PATH#K", "file:PATH#NAME" (group_load.c). */
li2_group *group_load_file(const char *spec, li2_error *err);

#endif
