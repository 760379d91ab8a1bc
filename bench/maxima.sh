#!/bin/sh
# Wall-clock time of li2 maxima on the two speed targets
# (full data, sqr, raw energy, default bfgs2, every start certified; besides
# the random starts li2 maxima makes its default one start inside each
# non-trivial real component: 63 for Z127, 6 for S5):
#   Z127, 256 starts: target under 10 s on 2 cores
#   S5,    64 starts: target under 60 s on 2 cores
#   bench/maxima.sh [BUILD_DIR]   (default: ../build, else the current dir)
# Prints one line per case: group, starts, seconds (as li2 measures the
# search), certified maxima, highest found vs predicted energy.
dir=${1:-}
if [ -z "$dir" ]; then
  if [ -x ../build/src/li2 ]; then dir=../build; else dir=.; fi
fi
li2="$dir/src/li2"
if [ ! -x "$li2" ]; then
  echo "maxima.sh: no li2 in '$dir/src' (build there with make first)" >&2
  exit 2
fi
status=0
for case in "Z127 256 10" "S5 64 60"; do
  set -- $case
  out=$("$li2" maxima "$1" starts="$2" threads=2) || { echo "$1: failed"; status=1; continue; }
  secs=$(printf '%s\n' "$out" | awk -F'\t' '$1 == "seconds" { print $2 }')
  nmax=$(printf '%s\n' "$out" | awk -F'\t' '$1 == "max" { print $2 }')
  ncs=$(printf '%s\n' "$out" | awk -F'\t' '$1 == "component_starts" { print $2 }')
  reached=$(printf '%s\n' "$out" | awk -F'\t' '$1 == "components_reached" { print $2 }')
  found=$(printf '%s\n' "$out" | awk -F'\t' '$1 == "highest_found_energy" { print $2 }')
  pred=$(printf '%s\n' "$out" | awk -F'\t' '$1 == "highest_predicted_energy" { print $2 }')
  verdict=$(awk -v s="$secs" -v t="$3" 'BEGIN { print (s < t) ? "ok" : "SLOW" }')
  printf 'maxima %-5s starts=%-4s+%s %7.2f s (target < %s s: %s)  certified max %s/%s  components %s  highest %s (predicted %s)\n' \
    "$1" "$2" "$ncs" "$secs" "$3" "$verdict" "$nmax" "$(($2 + ncs))" "$reached" "$found" "$pred"
  [ "$verdict" = ok ] || status=1
done
exit $status
