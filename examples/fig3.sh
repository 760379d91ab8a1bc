#!/bin/sh
# Fig. 3 of the paper (Li2 v5; li2 verify C23): grokking dynamics of the
# modular addition task, Z_71, K = 2048, n = 2016 (40% of the 71^2 pairs),
# with weight decay 2e-4 (top row of Fig. 3) and without (bottom row).  The
# caption gives no optimiser, learning rate, loss or length: Adam lr 1e-3,
# the centred MSE (the paper's l2 loss), x^2, precision=float.  Every run
# logs the Fig. 3 diagnostics (li2 train stage1_stats=true): |G_F|, the
# off/diag ratio of F~^T F~ and of P F F^T, the cosine distances of W and
# V to the previous epoch.  The seeds are averaged (mean per column) into
# OUTDIR/wd2e-4/mean/metrics.tsv and OUTDIR/wd0/mean/metrics.tsv, and
# li2 plot draws grokking.pdf and stage1.pdf for each.
#
# Reduced mode (default): 3 seeds, 300 epochs, a test every 10 epochs;
# measured 395 s wall (113 s of CPU) on this 2-core machine shared with
# other jobs (load about 20); it printed: with weight decay |G_F| peaks at
# epoch 60, off/diag at most 0.035 (F~^T F~) and 0.065 (P F F^T), final
# test accuracy 1.000; without: peak at epoch 50, 0.028 and 0.027, 0.029.
# --full: the caption's 15 seeds, 600 epochs (10 times the reduced mode's
# training; not timed here).
#
# usage: examples/fig3.sh [--full] [OUTDIR]
set -e
LI2=${LI2:-li2}
seeds=3 epochs=300
if [ "$1" = --full ]; then seeds=15 epochs=600; shift; fi
out=${1:-fig3}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
for wd in 2e-4 0; do
  s=1
  while [ $s -le $seeds ]; do
    "$LI2" train M=71 hidden_size=2048 train_size=2016 loss_func=mse activation=sqr \
      optim=adam learning_rate=1e-3 weight_decay=$wd num_epochs=$epochs eval_interval=10 \
      save_interval=100000 precision=float stage1_stats=true seed=$s threads=2 \
      out="$out/wd$wd/seed$s" >/dev/null
    s=$((s + 1))
  done
  # the mean over seeds of every column, row by row (same epochs in every run)
  mkdir -p "$out/wd$wd/mean"
  awk -F'\t' -v OFS='\t' '
    FNR == 1 { if (NR == 1) print; next }
    { k = FNR; for (i = 1; i <= NF; i++) sum[k, i] += $i; cnt[k]++; nf = NF; if (k > last) last = k }
    END { for (k = 2; k <= last; k++) { line = "";
            for (i = 1; i <= nf; i++) line = line (i > 1 ? OFS : "") sum[k, i] / cnt[k];
            print line } }' "$out/wd$wd"/seed*/metrics.tsv > "$out/wd$wd/mean/metrics.tsv"
  "$LI2" plot "$out/wd$wd/mean" --format pdf >/dev/null
done
# what it measured: the epoch of the largest mean |G_F|, the largest mean
# off/diag ratios, the final mean test accuracy
for wd in 2e-4 0; do
  awk -F'\t' -v wd=$wd 'NR > 1 { if ($6 > g) { g = $6; ge = $1 }
      a = $10 / $9; b = $13 / $12; if (a > fa) fa = a; if (b > fb) fb = b; acc = $3 }
    END { printf "weight decay %s: |G_F| peaks at epoch %d; off/diag max F~^T F~ %.4f, P F F^T %.4f; final test acc %.4f\n", wd, ge, fa, fb, acc }' \
    "$out/wd$wd/mean/metrics.tsv"
done
ls "$out"/wd*/mean/*.pdf
