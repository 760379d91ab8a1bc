#!/bin/sh
# Fuzz every libFuzzer harness (tests/fuzz/fuzz_NAME.c) for SECONDS, all of
# them side by side at nice NICE (19), and print per harness the seconds
# it ran, libFuzzer's executions, executions per second, the size of its
# working corpus and whether it found anything (a crash input is left as
# tests/fuzz/build/crash-NAME-*: add it to tests/fuzz/crashes/ as NAME-WHAT
# with the fix, and make check replays it).
#   bench/fuzz.sh SECONDS [NAME...]     (configure first; needs clang and
#                                       libclang-rt-14-dev, see build.sh)
# The working corpora (tests/fuzz/build/corpus-NAME) grow from run to run.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
secs=${1:?usage: bench/fuzz.sh SECONDS [NAME...]}
shift
NICE=${NICE:-19}
"$top/tests/fuzz/run.sh" build "$@" || exit 2
out=${FUZZ_BUILD:-${FUZZ_BUILDDIR:-$top}/tests/fuzz/build}
names=${*:-split checkpoint group json args claim sweep tsv runconfig hydra expr}
[ -z "$TMPDIR" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done' INT TERM
for h in $names; do
  mkdir -p "$out/corpus-$h"
  ( start=$(date +%s.%N)
    OMP_NUM_THREADS=1 nice -n "$NICE" "$out/fuzz_$h" -max_total_time="$secs" -max_len=65536 \
      -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/crash-$h-" \
      "$out/corpus-$h" "$top/tests/fuzz/corpus/$h" > "$out/fuzz-$h.log" 2>&1
    echo "$? $start $(date +%s.%N)" > "$out/fuzz-$h.status" ) &
  pids="$pids $!"
done
wait
status=0
printf '%-11s %9s %14s %9s %8s %s\n' harness seconds executions exec/s corpus finding
for h in $names; do
  read -r rc t0 t1 < "$out/fuzz-$h.status"
  ex=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz-$h.log" | tail -1)
  n=$(ls "$out/corpus-$h" | wc -l)
  f=none
  if grep -q '^==.*ERROR\|^SUMMARY\|deadly signal\|Test unit written' "$out/fuzz-$h.log"; then
    f=$(grep -m1 'SUMMARY\|ERROR' "$out/fuzz-$h.log" | cut -c1-80)
    status=1
  fi
  printf '%-11s %9.0f %14s %9.0f %8s %s\n' "$h" "$(echo "$t1 - $t0" | bc)" "${ex:-?}" \
    "$(echo "${ex:-0} / ($t1 - $t0)" | bc -l)" "$n" "$f"
done
exit $status
