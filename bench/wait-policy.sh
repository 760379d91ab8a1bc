#!/bin/sh
# OpenMP wait policy (issue 15, defect 14): wall time of a 2-thread
# `li2 train` on the machine as it is ("idle") and with BUSY busy-loop
# processes beside it, before and after li2 sets its own policy:
#   before    LI2_OMP_ENV=keep, OMP_WAIT_POLICY unset (libgomp's default:
#             spin about 3 ms before sleeping)
#   before-A  LI2_OMP_ENV=keep, OMP_WAIT_POLICY=active (spin)
#   after     OMP_WAIT_POLICY unset: li2 sets passive and executes itself
#   after-A   OMP_WAIT_POLICY=active GOMP_SPINCOUNT=infinite: overridden
# Each is run REPS times, the modes interleaved; prints min, median and max
# wall seconds (the whole command, start-up and li2's exec included), and
# the ratios of medians busy/idle and after/before.
#   bench/wait-policy.sh [BUILD_DIR]         (li2 is BUILD_DIR/src/li2)
#   REPS=7 BUSY=2 ARGS="M=23 hidden_size=256 num_epochs=300" bench/wait-policy.sh
# On a shared machine "idle" means whatever else runs: the load average is
# printed with each block; run it several times and compare the spread.
# Measured 2026-12-07 on an idle machine (load 0.03; REPS=5 BUSY=2), median
# wall seconds idle / busy: before 0.217 / 0.785, before-A 0.214 / 0.611,
# after 0.179 / 0.396, after-A 0.180 / 0.326: li2's own policy (passive,
# with its re-execution included) costs nothing idle (after/before 0.82) and
# halves the time beside two busy loops (0.50).
dir=${1:-.}
LI2=${LI2:-$dir/src/li2}
[ -x "$LI2" ] || { echo "wait-policy.sh: $LI2 not found (build li2 first)" >&2; exit 2; }
REPS=${REPS:-5}
BUSY=${BUSY:-2}
ARGS=${ARGS:-M=23 hidden_size=256 num_epochs=300}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/li2-wait.XXXXXX") || exit 2
busy=""
trap 'for p in $busy; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT INT TERM

now() { date +%s.%N; }
# one MODE: wall seconds of one li2 train
one() {
  rm -rf "$tmp/run"
  case $1 in
    before) set -- env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT LI2_OMP_ENV=keep ;;
    before-A) set -- env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=active LI2_OMP_ENV=keep ;;
    after) set -- env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u LI2_OMP_ENV ;;
    after-A) set -- env -u LI2_OMP_ENV OMP_WAIT_POLICY=active GOMP_SPINCOUNT=infinite ;;
  esac
  t0=$(now)
  "$@" "$LI2" train $ARGS threads=2 out="$tmp/run" >/dev/null 2>&1 || echo "li2 train failed" >&2
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}
modes="before before-A after after-A"
# block NAME: REPS interleaved runs of every mode into $tmp/NAME.MODE
block() {
  echo "# $1: load average $(cut -d' ' -f1-3 /proc/loadavg)"
  i=0
  while [ $i -lt "$REPS" ]; do
    for m in $modes; do one "$m" >> "$tmp/$1.$m"; done
    i=$((i + 1))
  done
}
stat() {  # min median max of a file of numbers
  sort -g "$1" | awk '{v[NR] = $1} END {printf "%.3f %.3f %.3f", v[1], v[int((NR + 1) / 2)], v[NR]}'
}
block idle
b=0
while [ $b -lt "$BUSY" ]; do
  sh -c 'while :; do :; done' &
  busy="$busy $!"
  b=$((b + 1))
done
sleep 1
block busy
for p in $busy; do kill "$p" 2>/dev/null; done
busy=""
echo "# li2 train $ARGS threads=2; $REPS runs each; busy: $BUSY busy-loop processes"
printf '%-9s %-23s %-23s %s\n' mode "idle min/median/max s" "busy min/median/max s" "busy/idle"
for m in $modes; do
  set -- $(stat "$tmp/idle.$m") $(stat "$tmp/busy.$m")
  printf '%-9s %-23s %-23s %.2f\n' "$m" "$1 $2 $3" "$4 $5 $6" "$(echo "$5 / $2" | bc -l)"
  eval "med_idle_$(echo "$m" | tr -d -)=$2 med_busy_$(echo "$m" | tr -d -)=$5"
done
printf 'after/before (median): idle %.2f, busy %.2f; after-A/before-A: idle %.2f, busy %.2f\n' \
  "$(echo "$med_idle_after / $med_idle_before" | bc -l)" \
  "$(echo "$med_busy_after / $med_busy_before" | bc -l)" \
  "$(echo "$med_idle_afterA / $med_idle_beforeA" | bc -l)" \
  "$(echo "$med_busy_afterA / $med_busy_beforeA" | bc -l)"
