#!/bin/sh
# The paper's weight-decay experiment (doc/mathematics.md section 7): Z_71,
# K = 2048 hidden nodes, n = 2016 training pairs, MSE loss, x^2 activation,
# Adam with learning rate 1e-3, full batch.
#   weight_decay 2e-4: test accuracy reaches 0.95 within 400 epochs (grokking)
#   weight_decay 0:    test accuracy stays near chance (< 0.2) through 1000 epochs
#
# Runtime: about 80 s on 2 idle cores (double precision; 1400 epochs of
# ~50 ms plus evaluations), up to ~3 minutes on a loaded machine.
# tests/grokking.test runs exactly this experiment and checks both claims.
# Writes OUT/wd2e-4/*.pdf and OUT/wd0/*.pdf (grokking curves, heatmaps).
#
# usage: examples/grokking-weight-decay.sh [OUTDIR] [extra li2 train parameters]
set -e
LI2=${LI2:-li2}
out=${1:-grokking-weight-decay}
[ $# -gt 0 ] && shift
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}  # do not spin on shared cores
common="M=71 hidden_size=2048 train_size=2016 loss_func=mse activation=sqr optim=adam learning_rate=1e-3 seed=0 threads=2 eval_interval=20 save_interval=1000"
"$LI2" train $common weight_decay=2e-4 num_epochs=400 out="$out/wd2e-4" "$@" >/dev/null
"$LI2" train $common weight_decay=0 num_epochs=1000 out="$out/wd0" "$@" >/dev/null
# figures: OUT/RUN/grokking.pdf (accuracies and losses against epochs) and
# the weight heatmaps of li2 plot
for run in wd2e-4 wd0; do
  "$LI2" plot "$out/$run" --format pdf >/dev/null
done
# summary: first epoch with test accuracy >= 0.95, and the largest test accuracy
for run in wd2e-4 wd0; do
  awk -F'\t' -v run="$run" 'NR > 1 { if ($3 >= 0.95 && g == "") g = $1; if ($3 > mx) mx = $3 }
    END { printf "%-7s grok_epoch %-5s max_test_acc %.4f (epochs 0..%d)\n", run, g == "" ? "none" : g, mx, $1 }' \
    "$out/$run/metrics.tsv"
done
