#!/bin/sh
# The reference transformer's training step (forward + backward, full batch)
# in li2 (double) against PyTorch (float32 and float64) on this CPU, ms per
# step and the ratios.  Sizes: the reference's defaults (hidden_size 512,
# nhead 4, num_layers 2, dim_feedforward 2048) on Z_113 with its default
# split (30% of 113^2 = 3831 training pairs), unless given:
#   bench/transformer.sh [BUILD_DIR] [M d nhead layers dff n]
# Environment: REPS (3), THREADS (2), PYTHON (/usr/bin/python3).
dir=${1:-.}
[ $# -gt 0 ] && shift
sizes=${*:-113 512 4 2 2048 3831}
reps=${REPS:-3} threads=${THREADS:-2} py=${PYTHON:-/usr/bin/python3}
here=$(dirname "$0")
export OMP_WAIT_POLICY=passive
li2=$("$dir/bench/bench_transformer" $sizes "$reps" "$threads" | sed 's/.*ms_per_step //') || exit 1
echo "li2 (double):      $li2 ms per step  [sizes M d nhead layers dff n = $sizes, $threads threads]"
if "$py" -c 'import torch' 2>/dev/null; then
  for dt in float32 float64; do
    t=$("$py" "$here/transformer_torch.py" $sizes "$reps" "$threads" $dt) || exit 1
    echo "torch ($dt): $t ms per step; ratio torch/li2 $(echo "$t $li2" | awk '{printf "%.2f", $1 / $2}')x"
  done
else
  echo "torch: not installed (python3-torch), no ratio"
fi
