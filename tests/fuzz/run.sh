#!/bin/sh
# li2's libFuzzer harnesses (tests/fuzz/fuzz_NAME.c, issue 15), built with
# clang -fsanitize=fuzzer,address,undefined:
#   tests/fuzz/run.sh build           build every harness (configure --enable-fuzz
#                                     runs this from make)
#   tests/fuzz/run.sh                 replay tests/fuzz/corpus/NAME and every
#                                     past crash tests/fuzz/crashes/NAME-*
#   tests/fuzz/run.sh SECONDS [NAME...]  fuzz each harness SECONDS seconds, one
#                                     after the other (bench/fuzz.sh runs them
#                                     side by side and sums up)
# Run from the top of a configured source tree (config.h is needed; else set
# FUZZ_BUILDDIR to the build tree).  FUZZ_CC (clang) compiles; the library's
# objects are built once under FUZZ_BUILD (tests/fuzz/build) and rebuilt when
# a source or header is newer.  Executions are libFuzzer's final
# "stat::number_of_executed_units".  make check replays the same inputs with
# tests/fuzz/replay_NAME, the harnesses linked without libFuzzer (tests/fuzz.test).
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${FUZZ_BUILDDIR:-$top}
out=${FUZZ_BUILD:-$builddir/tests/fuzz/build}
cc=${FUZZ_CC:-clang}
HARNESSES="split checkpoint group json args claim sweep tsv runconfig hydra expr"
mode=${1:-replay}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && HARNESSES="$*"
mkdir -p "$out/obj"
# clang 14 has no CMPLX in glibc's complex.h: the arithmetic form folds to a constant
flags="-g -O1 -std=gnu11 -fopenmp -DHAVE_CONFIG_H -DCMPLX(x,y)=((double)(x)+(double)(y)*_Complex_I) -I$builddir -I$top/src -I$top/tests/fuzz -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
libs="-lyaml -lgsl -lopenblas -lfftw3 -lm"
src=$(sed -n '/^src_libli2_la_SOURCES/,/^$/p' "$top/Makefile.am" | grep -o 'src/[a-z_0-9]*\.c')
newest_h=$(ls -t "$top"/src/*.h "$builddir/config.h" | head -1)
# the harnesses' own headers: a change relinks the harnesses only
newest_fh=$(ls -t "$newest_h" "$top"/tests/fuzz/fuzz_*.h | head -1)
build() {
  objs=""
  for s in $src; do
    o="$out/obj/$(basename "$s" .c).o"
    if [ ! -f "$o" ] || [ "$top/$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
      $cc $flags -c "$top/$s" -o "$o"
    fi
    objs="$objs $o"
  done
  for h in $HARNESSES; do
    b="$out/fuzz_$h"
    if [ ! -x "$b" ] || [ "$top/tests/fuzz/fuzz_$h.c" -nt "$b" ] || [ "$newest_fh" -nt "$b" ] ||
       [ -n "$(find "$out/obj" -newer "$b" -name '*.o' | head -1)" ]; then
      $cc $flags -fsanitize=fuzzer "$top/tests/fuzz/fuzz_$h.c" $objs $libs -o "$b"
    fi
  done
}
build
[ "$mode" = build ] && exit 0
status=0
log="$out/run.log"
# the harnesses' files in memory when possible
[ -z "$TMPDIR" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
# run HARNESS ARGS...: libFuzzer's summary lines; a finding fails the script
run() {
  h=$1; shift
  "$out/fuzz_$h" "$@" > "$log.$h" 2>&1 || status=1
  grep -E 'INITED|Executed|stat::number_of_executed_units|ERROR|SUMMARY' "$log.$h" | sed "s/^/$h: /"
  ! grep -q 'ERROR' "$log.$h" || status=1
}
for h in $HARNESSES; do
  corpus="$top/tests/fuzz/corpus/$h"
  if [ "$mode" = replay ]; then
    run "$h" -runs=0 "$corpus"
    set --
    for c in "$top/tests/fuzz/crashes/$h"-*; do [ -e "$c" ] && set -- "$@" "$c"; done
    # files as arguments: each is run once (a past crash must stay fixed)
    [ $# = 0 ] || run "$h" "$@"
  else
    work="$out/corpus-$h"
    mkdir -p "$work"
    OMP_NUM_THREADS=1 run "$h" -max_total_time="$mode" -max_len=65536 -timeout=20 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/crash-$h-" "$work" "$corpus"
  fi
done
exit $status
