#!/bin/sh
# Per-epoch time of `li2 train` against the equivalent PyTorch CPU script
# (bench/train_torch.py), both full batch with 2 threads (THREADS), on the issue's two
# configurations:
#   (a) Z_71,  K = 2048, train_size = 2016, Adam, MSE, sqr
#   (b) Z_127, K = 512,  test_size = 0.1,   Adam, MSE, sqr
# and Fig. 11's complex weights (use_complex_weights; torch: the reference's
# cfloat conversion, li2: double only, so its float column is empty):
#   (c) Z_127, K = 256,  test_size = 0.2,   Adam, MSE, sqr, complex
# and the reference's other model options (issue 14 item 3), on (b)'s task:
#   (d) use_bn=true                (BatchNorm1d between W and the activation)
#   (e) embed_trainable=true       (nn.Embedding(M, M) trained before W)
#   (f) use_inner_product_act=true (per-operand Ws[i] multiplied, no activation)
# Measured 2026-12-07 (2 threads, 20 epochs, best of 3, load 3.5 on the 2
# cores; torch 1.13 float32, the reference's modules; seconds per epoch):
#   (b) plain            torch 0.233  li2 double 0.125 (1.87x)  float 0.064 (3.65x)
#   (d) use_bn           torch 0.248  li2 double 0.191 (1.30x)  float 0.115 (2.15x)
#   (e) embed_trainable  torch 0.284  li2 double 0.125 (2.27x)  float 0.070 (4.06x)
#   (f) inner product    torch 0.441  li2 double 0.264 (1.67x)  float 0.142 (3.11x)
# An epoch is one full-batch training step (forward, loss, backward,
# optimiser step); start-up and evaluation are excluded on both sides, and
# each run reports the median over its epochs.  The
# runs alternate (li2 double, li2 float, torch) REPS times and the best time
# of each is kept, so a busy shared machine disturbs the ratio less.
#
#   bench/train.sh [BUILD_DIR]      (li2 is BUILD_DIR/src/li2; default . or ../build)
#   EPOCHS=20 REPS=3 bench/train.sh
#   CONFIGS=c bench/train.sh  only the complex configuration
#   THREADS=1 bench/train.sh  both sides on one thread (less disturbed by other
#                             jobs on a shared machine)
#   GATHER=1 bench/train.sh   also times torch with indexed weight rows (li2's
#                             formulation, not the reference's one-hot product)
#
# Needs python3 with torch (Debian: apt-get install python3-torch); without
# it the script says so and exits 0 (skip).
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-}
if [ -z "$dir" ]; then
  if [ -x ./src/li2 ]; then dir=.; else dir=../build; fi
fi
LI2=${LI2:-$dir/src/li2}
if [ ! -x "$LI2" ]; then
  echo "train.sh: $LI2 not found (build li2 first)" >&2
  exit 2
fi
PY=
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
  echo "train: skipped (no python3 with torch; apt-get install python3-torch)"
  exit 0
fi
EPOCHS=${EPOCHS:-20}
REPS=${REPS:-3}
THREADS=${THREADS:-2}
# OpenMP threads sleep rather than spin between parallel regions: on a
# shared 2-core machine spinning threads steal the cores (both sides).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/li2-bench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

li2_epoch() {  # li2_epoch PRECISION ARGS...: seconds per training epoch
  prec=$1; shift
  "$LI2" train "$@" precision="$prec" loss_func=mse activation=sqr optim=adam \
    learning_rate=1e-3 weight_decay=2e-4 num_epochs="$EPOCHS" eval_interval=100000 threads="$THREADS" --json |
    sed -n 's/.*"train_seconds_per_epoch_median": \([0-9.e+-]*\).*/\1/p'
}
torch_epoch() {
  "$PY" "$here/train_torch.py" "$@" --loss_func mse --activation sqr --optim adam \
    --learning_rate 1e-3 --weight_decay 2e-4 --num_epochs "$EPOCHS" --threads "$THREADS" |
    sed -n 's/.*"seconds_per_epoch_median": \([0-9.e+-]*\).*/\1/p'
}
min() { sort -g | head -1; }

echo "threads=$THREADS epochs=$EPOCHS reps=$REPS load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
printf '%-34s %10s %10s %10s %8s %8s\n' configuration torch_s li2_double li2_float ratio_d ratio_f
[ -n "${GATHER:-}" ] && printf '%-34s %10s\n' "" torch_gather
for cfg in ${CONFIGS:-a b c d e f}; do
  if [ $cfg = a ]; then
    label="(a) Z71 K=2048 train_size=2016"
    l="M=71 hidden_size=2048 train_size=2016"; t="--M 71 --hidden_size 2048 --train_size 2016"
  elif [ $cfg = c ]; then
    label="(c) Z127 K=256 test=0.2 complex"
    l="M=127 hidden_size=256 test_size=0.2 use_complex_weights=true"
    t="--M 127 --hidden_size 256 --test_size 0.2 --complex"
  elif [ $cfg = d ] || [ $cfg = e ] || [ $cfg = f ]; then
    opt=$(case $cfg in d) echo use_bn ;; e) echo embed_trainable ;; f) echo use_inner_product_act ;; esac)
    label="($cfg) Z127 K=512 ${opt%_act}"
    l="M=127 hidden_size=512 test_size=0.1 $opt=true"; t="--M 127 --hidden_size 512 --test_size 0.1 --$opt"
  else
    label="(b) Z127 K=512 test_size=0.1"
    l="M=127 hidden_size=512 test_size=0.1"; t="--M 127 --hidden_size 512 --test_size 0.1"
  fi
  : > "$tmp/d"; : > "$tmp/f"; : > "$tmp/t"; : > "$tmp/g"
  r=0
  while [ $r -lt "$REPS" ]; do
    li2_epoch double $l >> "$tmp/d"
    [ $cfg != c ] && li2_epoch float $l >> "$tmp/f"
    torch_epoch $t >> "$tmp/t"
    [ -n "${GATHER:-}" ] && torch_epoch $t --gather >> "$tmp/g"
    r=$((r + 1))
  done
  d=$(min < "$tmp/d"); f=$(min < "$tmp/f"); tt=$(min < "$tmp/t")
  [ -z "$f" ] && f=nan
  awk -v L="$label" -v d="$d" -v f="$f" -v t="$tt" \
    'BEGIN { printf "%-34s %10.4f %10.4f %10.4f %7.2fx %7.2fx\n", L, t, d, f, t / d, t / f }'
  if [ -n "${GATHER:-}" ]; then
    g=$(min < "$tmp/g")
    awk -v g="$g" -v d="$d" -v f="$f" \
      'BEGIN { printf "%-34s %10.4f %10s %10s %7.2fx %7.2fx  (torch with indexed rows)\n", "", g, "", "", g / d, g / f }'
  fi
done
