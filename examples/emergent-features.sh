#!/bin/sh
# Emergent features on non-abelian groups (doc/mathematics.md sections 3 and 5; the
# paper's S4 / A5 figures): train on S4 and on A5 (MSE, x^2, Adam lr 3e-3,
# weight decay 5e-4, 70% of the table for training, 2000 full-batch epochs),
# then li2 compare: each active node's power per real irreducible component,
# its purity, energy against M/(2 d_R), and coverage.  Writes per group
# OUT/GROUP/{emergence,power,spectrum,energy,coverage,grokking}.pdf.
# Measured when written: both reach test accuracy 1.0; every nontrivial
# component is covered (S4: nodes per component 1,8,30,30; A5: 30,30,63,105),
# mean purity of the active nodes > 0.99.
#
# Runtime on this 2-core machine: training S4 about 2 s, A5 about 30 s (one
# thread); the whole script with li2 compare and the figures 110 s (measured
# while another job shared the machine).
#
# usage: examples/emergent-features.sh [OUTDIR]
set -e
LI2=${LI2:-li2}
out=${1:-emergent-features}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
for spec in S4:128 A5:256; do
  g=${spec%%:*} K=${spec#*:}
  "$LI2" train group="$g" hidden_size="$K" test_size=0.3 loss_func=mse activation=sqr \
    learning_rate=0.003 weight_decay=5e-4 num_epochs=2000 eval_interval=50 save_interval=200 \
    threads=1 out="$out/$g/run" >/dev/null
  "$LI2" compare "$out/$g/run" out="$out/$g" > "$out/$g/compare.txt"
  "$LI2" plot "$out/$g" --format pdf >/dev/null
  echo "$g: $(grep -E '^(test_acc|coverage|mean_purity)' "$out/$g/compare.txt" | tr '\t\n' '  ')"
done
