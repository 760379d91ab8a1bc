/* Hydra override words translated for li2's train table (hydra.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra.h"
#include "train.h"
#include "tap.h"

/* Translate the blank-separated words of LINE; the result words joined by
 * ' ' (or "ERR: message") in OUT. */
static void run(const char *line, char *out, size_t cap, int *multirun)
{
  char copy[1024], *argv[64], *tok;
  int argc = 0;
  li2_hydra h;
  li2_error err = {0};
  snprintf(copy, sizeof copy, "%s", line);
  for (tok = strtok(copy, " "); tok && argc < 64; tok = strtok(NULL, " "))
    argv[argc++] = tok;
  out[0] = 0;
  if (li2_hydra_translate(li2_train_spec, argc, argv, &h, &err)) {
    snprintf(out, cap, "ERR: %s", err.msg);
    return;
  }
  for (int i = 0; i < h.nwords; i++)
    snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "", h.words[i]);
  for (int i = 0; i < h.nextra; i++)
    snprintf(out + strlen(out), cap - strlen(out), " [%s]", h.extra[i]);
  if (multirun)
    *multirun = h.multirun;
  li2_hydra_clear(&h);
}

static void is(const char *line, const char *want)
{
  char got[2048];
  run(line, got, sizeof got, NULL);
  ok(!strcmp(got, want), "%s -> %s%s%s", line, got, strcmp(got, want) ? "   WANT " : "",
     strcmp(got, want) ? want : "");
}

static void refused(const char *line, const char *part)
{
  char got[2048];
  run(line, got, sizeof got, NULL);
  ok(!strncmp(got, "ERR: ", 5) && strstr(got, part), "%s refused: %s", line, got);
}

int main(void)
{
  int mr = 0;
  char got[256];
  is("M=23 seed=1", "M=23 seed=1");
  is("set_weight_reg=null load_dataset_split=NULL M=7", "M=7");
  is("save_interval=null", "save_interval=1000000000000000");
  is("lr_decay_milestones=null", "lr_decay_milestones=1000");
  is("lr_decay_step=7 lr_decay_milestones=null", "lr_decay_step=7 lr_decay_milestones=7");
  is("normalize=True use_critical_ratio=FALSE", "normalize=true use_critical_ratio=false");
  is("lr_decay_milestones=[1000,2000]", "lr_decay_milestones=1000,2000");
  is("lr_decay_milestones=1000,2000", "lr_decay_milestones=1000,2000");
  is("M='2x3x4' activation=\"relu\"", "M=2x3x4 activation=relu");
  is("+run_name=09-12_16-56 M=5 +githash=ba2de90", "M=5 metadata=run_name=09-12_16-56;githash=ba2de90");
  is("++seed=3 ++note=x", "seed=3 metadata=note=x");
  is("hydra.run.dir=/tmp/x", "out=/tmp/x");
  is("--json M=5", "--json M=5");
  is("bogus=1", "bogus=1");  /* left for li2_args_parse to name */
  /* multirun: lists kept for li2 sweep, each item translated */
  is("-m seed=1,2,3 M=23", "seed=1,2,3 M=23");
  is("-m seed=range(1,4) M=23", "seed=1,2,3 M=23");
  is("-m seed=range(3) learning_rate=range(0.1,0.35,0.1)", "seed=0,1,2 learning_rate=0.1,0.2,0.3");
  is("-m activation=choice(sqr,relu)", "activation=sqr,relu");
  is("-m normalize=True,False", "normalize=true,false");
  is("-m lr_decay_milestones=[10,20],[30]", "lr_decay_milestones=10\\,20,30");
  is("-m lr_decay_milestones='a,b'", "lr_decay_milestones=a\\,b");
  is("-m seed=1,2 -j 2 hydra.sweep.dir=d", "seed=1,2 out=d [-j] [2]");
  run("--multirun seed=1", got, sizeof got, &mr);
  ok(mr == 1 && !strcmp(got, "seed=1"), "--multirun sets multirun: %s", got);
  refused("seed=1,2", "ambiguous");
  refused("eval_interval=null", "null");
  refused("hidden_size=[8,16]", "list");
  refused("+M=3", "already a parameter");
  refused("+x=a;b", "metadata");
  refused("~seed", "deletion");
  refused("-cn other", "Hydra option");
  refused("hydra.job.chdir=false", "Hydra setting");
  refused("-m set_weight_reg=null,1", "null in a sweep");
  refused("-m seed=range(1,2,0)", "step 0");
  refused("-m lr_decay_milestones=[1,2", "brackets");
  is("lr_decay_milestones=[1,2", "lr_decay_milestones=[1,2");  /* li2 names it */
  is("hidden_size= 8", "hidden_size= 8");
  return tap_done();
}
