#!/bin/sh
# The reference transformer's training step (forward + backward, full batch)
# in li2 against PyTorch on this CPU, ms per step and the ratios: li2
# float32 (precision=float) against torch float32 (the issue's comparison)
# and li2 double against torch float64.  Sizes: the reference's defaults
# (hidden_size 512, nhead 4, num_layers 2, dim_feedforward 2048) on Z_113
# with its default split (30% of 113^2 = 3831 training pairs), unless given:
#   bench/transformer.sh [BUILD_DIR] [M d nhead layers dff n]
# Environment: REPS (3, best of REPS steps after a warm-up), ROUNDS (1: each
# round times li2 and torch back to back, so a shared machine's load hits
# both alike; the summary is the best of the rounds), THREADS (2),
# PYTHON (/usr/bin/python3), PRECISIONS ("float double").  Both sides report
# wall time and process CPU time (all threads, best of REPS); with THREADS=1
# the CPU time is the work itself, which another job's load disturbs least.
dir=${1:-.}
[ $# -gt 0 ] && shift
sizes=${*:-113 512 4 2 2048 3831}
reps=${REPS:-3} rounds=${ROUNDS:-1} threads=${THREADS:-2} py=${PYTHON:-/usr/bin/python3}
precisions=${PRECISIONS:-float double}
here=$(dirname "$0")
export OMP_WAIT_POLICY=passive
torch=yes
"$py" -c 'import torch' 2>/dev/null || torch=
echo "sizes M d nhead layers dff n = $sizes, $threads threads, best of $reps steps, $rounds round(s)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
res=$(mktemp) || exit 1
trap 'rm -f "$res"' EXIT
k=1
while [ "$k" -le "$rounds" ]; do
  for p in $precisions; do
    tdt=$([ "$p" = float ] && echo float32 || echo float64)
    l=$("$dir/bench/bench_transformer" $sizes "$reps" "$threads" "$p" |
       sed 's/.* ms_per_step \([^ ]*\) cpu_ms_per_step \([^ ]*\)/\1 \2/') || exit 1
    t="- -"
    [ -n "$torch" ] && { t=$("$py" "$here/transformer_torch.py" $sizes "$reps" "$threads" "$tdt") || exit 1; }
    echo "$p $l $t" >>"$res"
    echo "round $k: li2 ($p) $l, torch ($tdt) $t ms per step (wall cpu), load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null)"
  done
  k=$((k + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
for p in $precisions; do
  tdt=$([ "$p" = float ] && echo float32 || echo float64)
  awk -v p="$p" -v tdt="$tdt" '$1 == p { if (!l || $2 < l) l = $2; if (!lc || $3 < lc) lc = $3
      if ($4 != "-") { if (!t || $4 < t) t = $4; if (!tc || $5 < tc) tc = $5 } }
    END { if (t) printf "li2 (%s): %.1f ms per step (cpu %.1f); torch (%s): %.1f ms per step (cpu %.1f); ratio torch/li2 %.2fx wall, %.2fx cpu\n", p, l, lc, tdt, t, tc, t / l, tc / lc;
          else printf "li2 (%s): %.1f ms per step (cpu %.1f); torch: not installed (python3-torch), no ratio\n", p, l, lc }' "$res"
done
