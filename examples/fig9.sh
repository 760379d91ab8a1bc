#!/bin/sh
# Fig. 9 of the Li2 paper (Appendix D; Sec. 6): modular addition with 2, 3
# and 4 layer ReLU networks.  li2's deeper network is the reference's:
# other_layers = 0, 1, 2 residual K x K layers between W and V
# (x <- ReLU(x + L x)).  The caption states no M, K or optimiser setting:
# the script uses Fig. 17's (Adam, learning rate 5e-3, weight decay 1e-4,
# ReLU, MSE) on Z23 with the reference sweep's test_size 0.1 (li2 verify
# C36 tests the caption's "with more layers the training takes longer",
# C37 Sec. 6's "the lowest layer learns first", C38 Fig. 17).  Draws
#   OUT/plot/curves.pdf   mean test accuracy and test loss against epoch,
#                         one curve per depth (Fig. 9 left)
#   OUT/features-D/power.pdf  (D = other_layers 0, 1, 2) the lowest layer W
#                         of seed 1: each active node's weight power per
#                         Fourier component at four checkpoints (Fig. 9
#                         right: Fourier features at the lowest layer);
#                         grokking.pdf beside it: that run's curves
#   OUT/summary.txt       mean epoch of test accuracy 0.95 per depth
#
#   examples/fig9.sh [OUT]            full: K = 512, 2000 epochs, 4 seeds,
#                                     the regular initialisation (as Fig. 9)
#   REDUCED=1 examples/fig9.sh [OUT]  reduced: K = 256, 800 epochs, 2 seeds,
#                                     V(0) = 0 (top_layer_init_multiplier=0:
#                                     the deeper networks then grok within
#                                     the budget; Fig. 17: zero-init is much
#                                     faster in deeper networks)
#
# Runtime on this 2-core machine (shared with other jobs, load about 20):
# reduced 96 s; it printed: 2 layers reach test accuracy 0.95 at epoch 95
# (mean of 2 seeds), 3 layers at 510, 4 layers never within 800 epochs
# (final test accuracy 0.623).  Full mode not timed here; its runs are
# those of li2 verify C36 without the stop at 0.95 (C36: 2 layers 212
# epochs, 3 layers 1228, 4 layers never within 2000; 1526 s with the stop).
set -e
LI2=${LI2:-li2}
out=${1:-fig9}
if [ -n "$REDUCED" ]; then
  set -- hidden_size=256 num_epochs=800 seed=1:2 top_layer_init_multiplier=0
else
  set -- hidden_size=512 num_epochs=2000 seed=1:4
fi
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
mkdir -p "$out"
start=$(date +%s)
"$LI2" sweep train other_layers=0,1,2 "$@" M=23 test_size=0.1 loss_func=mse activation=relu \
  optim=adam learning_rate=5e-3 weight_decay=1e-4 precision=float eval_interval=10 \
  save_interval=200 out="$out/sweep" -j 2 >/dev/null
"$LI2" plot "$out/sweep" out="$out/plot" --format pdf >/dev/null
# the lowest layer's features: seed 1 of each depth (li2 sweep --list order:
# other_layers varies slowest, so seed 1 of depth d is point d * seeds)
seeds=$(( ($("$LI2" sweep train other_layers=0,1,2 "$@" out="$out/sweep" --list | wc -l) - 1) / 3 ))
for d in 0 1 2; do
  p=$(printf '%04d' $(( d * seeds )))
  "$LI2" plot "$out/sweep/points/$p" out="$out/features-$d" --format pdf >/dev/null
done
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { k = $c["other_layers"]; n[k]++; g = $c["grok_epoch"];
    if (g == "nan" || g == "" || g < 0) never[k]++; else { s[k] += g; m[k]++ }
    acc[k] += $c["test_acc"] }
  END { for (k in n) printf "%d layers (other_layers=%s): %d runs, mean epoch of test acc 0.95 %.0f over %d, never %d, mean final test acc %.3f\n", k + 2, k, n[k], m[k] ? s[k] / m[k] : 0, m[k], never[k], acc[k] / n[k] }' \
  "$out/sweep/results.tsv" | sort > "$out/summary.txt"
cat "$out/summary.txt"
echo "figures: $out/plot/curves.pdf, $out/features-*/ ($(( $(date +%s) - start )) s)"
