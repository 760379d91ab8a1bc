#!/bin/sh
# Run li2's benchmark programs from a build directory and print one summary
# line per benchmark.  Builds nothing: run `make` in the build dir first.
#   bench/run.sh [BUILD_DIR]     (default: ../build, else the current dir)
# Each bench program prints its summary as its last line of output.
# To add a benchmark: append its program name to BENCHES.
BENCHES="bench_fourier bench_step"

dir=${1:-}
if [ -z "$dir" ]; then
  if [ -d ../build/bench ]; then dir=../build; else dir=.; fi
fi
if [ ! -d "$dir/bench" ]; then
  echo "run.sh: no bench/ directory in build dir '$dir' (build there with make first)" >&2
  exit 2
fi

status=0
for b in $BENCHES; do
  prog="$dir/bench/$b"
  if [ ! -x "$prog" ]; then
    echo "$b: not built ($prog missing)"
    status=1
    continue
  fi
  out=$("$prog") || { echo "$b: failed"; status=1; continue; }
  printf '%s\n' "$out" | tail -n 1
done
# li2 maxima against the issue's time targets
sh "$(dirname "$0")/maxima.sh" "$dir" || status=1
# li2 train against PyTorch (skips itself when torch is missing)
sh "$(dirname "$0")/train.sh" "$dir" | tail -n +2 || status=1
# li2 sweep -j 2 against serial
sh "$(dirname "$0")/sweep.sh" "$dir" | grep '^ratio' || status=1
exit $status
