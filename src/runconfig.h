/* Parameters from a file: li2 train config=FILE.
 *
 * FILE is either a li2 run.json (its "configuration" object; a flat JSON
 * object is read the same way) or a YAML file such as the reference's Hydra
 * config (yuandong-tian/understanding, ssl/real-dataset/cogo/config/
 * dyn_madd.yaml), read with libyaml.  Either gives key=value words for the
 * subcommand's table SPEC:
 *   - a key of SPEC is taken with its value: YAML plain scalars
 *     true/True/TRUE/yes/on (false, ...) become true (false), a YAML
 *     sequence [1000, 2000] becomes 1000,2000, null/~ (and JSON null)
 *     leaves the key at its default;
 *   - a key of the reference li2 does not implement is accepted only at
 *     the value whose behaviour li2 has (use_bn: false, model_type: mlp,
 *     ...; the table in runconfig.c), else refused;
 *   - keys in SKIP (where to write: out, resume) are left out;
 *   - anything else is refused with one line naming FILE:LINE and the key
 *     (with the closest known key when one is close).
 * Each word's value is checked against SPEC with FILE:LINE in the error. */
#ifndef LI2_RUNCONFIG_H
#define LI2_RUNCONFIG_H

#include <stddef.h>
#include "args.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_runconfig {
  size_t n;
  char **words;  /* "key=value" */
  int *line;     /* line of each word in the file (1-based; 0 unknown) */
} li2_runconfig;

int li2_runconfig_load(li2_runconfig *rc, const char *path, const li2_arg_spec *spec,
                       const char *const *skip, li2_error *err);
void li2_runconfig_clear(li2_runconfig *rc);

/* The words of RC whose keys CMD did not give, then "key=value" of every
 * key CMD gave except those in DROP (NULL-terminated), parsed by CMD's
 * table into *OUT: the command line overrides the file. */
int li2_runconfig_merge(const li2_runconfig *rc, const li2_args *cmd,
                        const char *const *drop, li2_args **out, li2_error *err);

#ifdef __cplusplus
}
#endif

#endif
