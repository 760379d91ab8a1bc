#!/bin/sh
# Progress measures of a grokking transformer (issue 18; Nanda et al. 2023,
# "Progress measures for grokking via mechanistic interpretability"): the
# reference's transformer (model_type=transformer) on modular addition,
# trained with AdamW and weight decay 1 on 30% of the table; then li2
# compare's progress measures over its checkpoints (progress.tsv: the
# embedding's Fourier spectrum and its key frequencies, the loss of the
# logits restricted to the key frequencies of a + b and with them excluded)
# and li2 plot's figures (OUT/plot/grokking.pdf, OUT/plot/progress.pdf).
# The literature's qualitative result: a handful of key frequencies, and
# the excluded loss on the training set rising (the network comes to rely
# on the key frequencies) before the test loss falls.
# Departure from Nanda et al.: the reference's readout, the mean over the
# two tokens (no "=" token), and its post-norm encoder layer with biases.
#
#   REDUCED=1 examples/transformer-progress.sh [OUT]  Z_31, d 64, 4 heads, 1 layer,
#                                                     d_ff 256, lr 3e-3, 4000 epochs
#   examples/transformer-progress.sh [OUT]            Z_113, d 128, 4 heads, 1 layer,
#                                                     d_ff 512, lr 1e-3, 5000 epochs,
#                                                     a checkpoint every 250
#
# The full form runs in precision=float (float32 products, the optimiser's
# state in double) with threads=2: over 100 epochs of Z_113 float took 0.14 s
# per epoch and double 0.27 s (load ~3.6).  Grokking in this setting comes
# at epoch ~2900 (Nanda et al. see ~10k epochs with their readout), so 5000
# epochs cover memorisation, circuit formation and cleanup.
#
# Measured (full, 2026-12-07, under nice -n 10 on this 2-core machine shared
# with other jobs, load 6-13): 2107 s in all, 2090 s of it training (0.42 s
# per epoch), 17 s progress measures and figures.  Training accuracy 1 from
# epoch 100 (the first evaluation; a slingshot dropped it to 0.33 at epochs
# 900-1300); test accuracy 0.30 until epoch 2000 (the pairs whose swap
# (b, a) is a training pair: the mean over the two tokens makes the network
# nearly symmetric), above 0.95 from epoch 2900, 1 from epoch 3300.  Key
# frequencies 36, 13, 3, 2, 19, 48, 26, 4 (8 of 56, by 90% of the
# embedding's power at epoch 5000).  The excluded training loss rose from
# 0.088 (epoch 250) to above 5 times that from epoch 2000 (1.30; 4.77 at the
# end), while the test loss stayed at 4.5-5.7 until epoch 1750 and fell below
# half its first value from epoch 2500 (1.25; 0.041 at the end): the
# network relies on the key frequencies before it generalises, Nanda et
# al.'s order.  The restricted test loss fell from 3.89 to 0.032, the Gini
# coefficient of the spectrum rose from 0.046 to 0.864.
# Resume: a 20000-epoch run of the same setting, killed after epoch 3100
# and resumed from its epoch-3000 checkpoint, wrote rows 0-3200 of
# metrics.tsv byte for byte as this uninterrupted run did.
# Reduced (2026-12-07): 237 s under a load of ~18; key frequencies 2, 14,
# 11, 4 (4 of 15, by 90% of the embedding's power at epoch 4000); the
# excluded training loss rose from 0.097 (epoch 250) above 5 times that from
# epoch 1250 (0.54) to 3.2, while the test loss stayed at 4.1-4.5 until
# epoch 1000 and fell below half its first value from epoch 2000 (1.75;
# 0.18 at epoch 4000, test accuracy 1); the restricted test loss fell first
# (2.45 to 0.12), and the Gini coefficient of the spectrum rose from 0.05 to
# 0.75.
set -e
LI2=${LI2:-li2}
out=${1:-transformer-progress}
if [ -n "$REDUCED" ]; then
  set -- M=31 hidden_size=64 dim_feedforward=256 learning_rate=3e-3 num_epochs=4000 save_interval=250
else
  set -- M=113 hidden_size=128 dim_feedforward=512 learning_rate=1e-3 num_epochs=5000 save_interval=250 precision=float
fi
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
start=$(date +%s)
"$LI2" train model_type=transformer nhead=4 num_layers=1 activation=relu optim=adamw \
  weight_decay=1 test_size=0.7 loss_func=nll eval_interval=100 threads=2 "$@" out="$out/run" >/dev/null
"$LI2" compare "$out/run" > "$out/compare.txt"
"$LI2" plot "$out/run" out="$out/plot" --format pdf >/dev/null
key=$(sed -n 's/^key\t//p' "$out/compare.txt")
awk -F'\t' -v key="$key" '
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { e = $c["epoch"]; x = $c["excluded_train_loss"]; t = $c["test_loss"]
    if (x0 == "") { x0 = x; t0 = t }
    if (xe == "" && x > 5 * x0) xe = e
    if (te == "" && t < t0 / 2) te = e
    printf "epoch %6d  test loss %8.4f  excluded train loss %8.4f  restricted test loss %8.4f  Gini %.3f\n",
           e, t, x, $c["restricted_test_loss"], $c["gini"] }
  END { n = split(key, k, ",")
        printf "key frequencies: %s (%d)\n", key, n
        printf "excluded training loss above 5x its first value from epoch %s; test loss below half its first value from epoch %s\n", xe, te
        printf "excluded loss rises before test loss falls: %s\n", (xe != "" && te != "" && xe + 0 < te + 0) ? "yes" : "no" }' \
  "$out/run/progress.tsv" | tee "$out/summary.txt"
echo "figures: $out/plot/grokking.pdf $out/plot/progress.pdf ($(( $(date +%s) - start )) s)"
