#!/bin/sh
# Wall time of a sweep of 60 small trainings (Z_23, K = 128, 300 epochs,
# seed=1:60) run serially and with -j 2 local workers, on the issue's
# acceptance: -j 2 should take at most 0.6 of the serial time on 2 cores.
#
#   bench/sweep.sh [BUILD_DIR]      (li2 is BUILD_DIR/src/li2; default . or ../build)
#   REPS=3 POINTS=60 bench/sweep.sh
#   DEFAULT_THREADS=0 bench/sweep.sh   skips the serial run with default threads
#
# Three timings, each the best of REPS fresh sweeps, the three alternating
# (so a busy shared machine disturbs them less and alike):
#   serial          li2 sweep ... (each run with li2 train's default threads,
#                   all cores: what a user gets without -j)
#   serial-threads1 li2 sweep ... threads=1 (the same per-run work as -j 2)
#   j2              li2 sweep ... -j 2 (each child gets threads=1)
# and the ratios j2/serial and j2/serial-threads1.  /proc/loadavg before
# and after says how loaded the machine was.
dir=${1:-}
if [ -z "$dir" ]; then
  if [ -x ./src/li2 ]; then dir=.; else dir=../build; fi
fi
LI2=${LI2:-$dir/src/li2}
if [ ! -x "$LI2" ]; then
  echo "sweep.sh: $LI2 not found (build li2 first)" >&2
  exit 2
fi
REPS=${REPS:-3}
POINTS=${POINTS:-60}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/li2-bench-sweep.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
spec="train M=23 hidden_size=128 num_epochs=300 loss_func=mse test_size=0.5 seed=1:$POINTS"

# wall seconds of one fresh sweep with the extra arguments "$@"
one() {
  rm -rf "$tmp/s"
  t0=$(date +%s.%N)
  "$LI2" sweep $spec out="$tmp/s" "$@" >/dev/null || { echo "sweep.sh: li2 sweep failed" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{ print $2 - $1 }'
}
# the smaller of two times ("" is none yet)
min() { echo "$1 $2" | awk 'NF == 1 || $2 < $1 { print $NF; next } { print $1 }'; }

echo "load_before	$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "cores	$(nproc 2>/dev/null)"
echo "points	$POINTS"
serial= serial1= j2=
r=0
while [ $r -lt "$REPS" ]; do
  # the configurations alternate, so a change of load hits each alike
  if [ "${DEFAULT_THREADS:-1}" = 1 ]; then
    t=$(one) || exit 1
    serial=$(min "$serial" "$t")
  fi
  t=$(one threads=1) || exit 1
  serial1=$(min "$serial1" "$t")
  t=$(one -j 2) || exit 1
  j2=$(min "$j2" "$t")
  r=$((r + 1))
done
[ -n "$serial" ] && echo "serial_seconds	$serial"
echo "serial_threads1_seconds	$serial1"
echo "j2_seconds	$j2"
[ -n "$serial" ] && echo "$j2 $serial" | awk '{ printf "ratio_j2_serial\t%.3f\n", $1 / $2 }'
echo "$j2 $serial1" | awk '{ printf "ratio_j2_serial_threads1\t%.3f\n", $1 / $2 }'
echo "load_after	$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
