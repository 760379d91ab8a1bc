#!/bin/sh
# Build li2's libFuzzer harnesses with clang (ASan + UBSan + libFuzzer) and
# replay their seed corpora, or fuzz each for SECONDS:
#   tests/fuzz/run.sh            replay tests/fuzz/corpus/NAME (and crashes/)
#   tests/fuzz/run.sh SECONDS    fuzz each harness SECONDS seconds, 1 job
# Run from the top of a configured source tree (config.h is needed).
# Executions are reported from libFuzzer's final "stat::number_of_executed_units".
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_BUILD:-$top/tests/fuzz/build}
secs=${1:-0}
mkdir -p "$out"
status=0
log="$out/run.log"
# run HARNESS ARGS...: libFuzzer's summary lines; a finding fails the script
run() {
  h=$1; shift
  "$out/fuzz_$h" "$@" > "$log" 2>&1 || status=1
  grep -E 'INITED|Executed|stat::number_of_executed_units|ERROR|SUMMARY' "$log" | sed "s/^/$h: /"
  ! grep -q 'ERROR' "$log" || status=1
}
libs="-lgsl -lopenblas -lfftw3 -lm"
src=$(sed -n '/^src_libli2_la_SOURCES/,/^$/p' "$top/Makefile.am" | grep -o 'src/[a-z_0-9]*\.c' | sed "s|^|$top/|")
for h in split checkpoint; do
  if [ ! -x "$out/fuzz_$h" ] || [ "$top/tests/fuzz/fuzz_$h.c" -nt "$out/fuzz_$h" ]; then
    # clang 14 has no CMPLX in glibc's complex.h: the arithmetic form folds to a constant
    clang -g -O1 -std=gnu11 -fopenmp -DHAVE_CONFIG_H -D"CMPLX(x,y)=((double)(x)+(double)(y)*_Complex_I)" -I"$top" -I"$top/src" \
      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      "$top/tests/fuzz/fuzz_$h.c" $src $libs -o "$out/fuzz_$h"
  fi
  corpus="$top/tests/fuzz/corpus/$h"
  if [ "$secs" = 0 ]; then
    # replay: every seed and every past crash, once
    run "$h" -runs=0 "$corpus"
    set --
    for c in "$top/tests/fuzz/crashes/$h"-*; do [ -e "$c" ] && set -- "$@" "$c"; done
    # files as arguments: each is run once (a past crash must stay fixed)
    [ $# = 0 ] || run "$h" "$@"
  else
    work="$out/corpus-$h"
    mkdir -p "$work"
    OMP_NUM_THREADS=1 run "$h" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$out/crash-$h-" "$work" "$corpus"
  fi
done
exit $status
