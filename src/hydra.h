/* Hydra command lines as researchers paste them (issue 14 item 4).
 *
 * The reference trainer (modular_addition_simple2.py) reads its options
 * through Hydra, so its command lines hold Hydra's override grammar:
 * `key=null`, `True`/`false` in any case, bracketed lists
 * (`lr_decay_milestones=[1000,2000]`), quoted strings, `+key=value` (a new
 * key: run metadata such as +run_name, +githash), `hydra.run.dir=DIR`, and
 * with `-m`/`--multirun` comma-separated sweeps, range(a,b[,s]) and
 * choice(...), run in the order of Hydra's BasicSweeper (itertools.product
 * over the keys as given: the last key varies fastest).
 *
 * li2_hydra_translate turns such words into li2's key=value words for one
 * parameter table: values of BOOL keys lower-cased, quotes removed,
 * `null` mapped (a key whose li2 default is unset: dropped; save_interval:
 * no periodic checkpoints, as the reference saves none; lr_decay_milestones:
 * lr_decay_step's value, as the reference's fallback; any other key:
 * refused, the reference needs a value there too), lists to li2's
 * comma-separated text (escaped `\,` inside a sweep), `+key=value` words
 * collected into one `metadata=key=value;...` word (refused when the table
 * has no `metadata` key, or when key is already a parameter, as Hydra
 * refuses), hydra.run.dir / hydra.sweep.dir to out=.  With multirun each
 * comma-separated item is translated alone and the list is kept for
 * li2 sweep; without it a top-level comma is refused as Hydra refuses it
 * ("Ambiguous value"), except for list keys.  Words that are not Hydra
 * overrides (--json, positional words) pass unchanged; a Hydra feature li2
 * has no equivalent for (~key deletion, --config-name, other hydra.* keys)
 * is refused in one line naming the word.
 *
 * Memory contract: li2_hydra owns its words; li2_hydra_clear frees them. */
#ifndef LI2_HYDRA_H
#define LI2_HYDRA_H

#include "args.h"
#include "error.h"

typedef struct li2_hydra {
  int multirun;      /* -m or --multirun was given */
  int nwords;
  char **words;      /* li2 words, NULL-terminated */
  int has_out;       /* one of the words is out=... */
  int nextra;        /* multirun: li2 sweep options passed through (-j N) */
  char **extra;      /* NULL-terminated */
} li2_hydra;

/* Translate ARGV[0..ARGC-1] for the parameter table SPEC into H.  LI2_EINVAL
 * naming the word on a refusal; H is then cleared. */
int li2_hydra_translate(const li2_arg_spec *spec, int argc, char **argv, li2_hydra *h,
                        li2_error *err);
void li2_hydra_clear(li2_hydra *h);

#endif
