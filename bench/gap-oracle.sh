#!/bin/sh
# GAP as an oracle for li2's groups and characters (issue 19).
#
#   bench/gap-oracle.sh [-t] [MIN_ORDER] [MAX_ORDER]     (default 1 128)
#
# For every SmallGroup(n, i) with MIN_ORDER <= n <= MAX_ORDER, GAP (Debian
# packages gap-core, gap-libs, gap-smallgrp) writes the Cayley table of the
# group's sorted element list (MultiplicationTable, 1-based) as one JSON
# Lines record, and its own answers from CharacterTable(G): the multiset of
# (class size, element order) pairs and the multiset of (irrep degree,
# Frobenius-Schur indicator) pairs (Indicator(T, 2)).  li2 reads each table
# (li2 group file:PATH#K: validation, conjugacy classes, Dixon-Schneider
# characters, indicators), and the same two multisets are built from its
# output.  Both sides are sorted the same way, so the comparison is exact
# and independent of how either program numbers classes and irreps.
#
# With -t the output is TAP (one line per group, used by tests/gap.test);
# otherwise one line per order and a summary "gap-oracle: N groups of
# order MIN..MAX, F mismatches, S s (GAP G s, li2 L s)".  Exit status 0 when
# every group agrees, 1 on a mismatch, 77 when GAP or its small-groups
# library is missing (with -t: "1..0 # SKIP reason" and status 0).
# Environment: LI2 (the li2 binary; default src/li2 next to this script's
# tree, else li2 on PATH), GAP (default gap), TMPDIR.
set -u
tap=0
if [ "${1:-}" = -t ]; then tap=1; shift; fi
lo=${1:-1} hi=${2:-128}
here=$(cd "$(dirname "$0")/.." && pwd)
: "${GAP:=gap}"
if [ -z "${LI2:-}" ]; then
  if [ -x "$here/src/li2" ]; then LI2=$here/src/li2; else LI2=li2; fi
fi
case "$lo$hi" in *[!0-9]*|'') echo "usage: bench/gap-oracle.sh [-t] [MIN_ORDER] [MAX_ORDER]" >&2; exit 2 ;; esac

skip() {
  if [ $tap = 1 ]; then echo "1..0 # SKIP $1"; exit 0; fi
  echo "gap-oracle: skipped: $1" >&2
  exit 77
}
command -v "$GAP" >/dev/null 2>&1 || skip "GAP is not installed (apt-get install gap-core gap-libs gap-smallgrp)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/li2-gap.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
# GAP side: groups.jsonl (tables) and gap.txt ("n i <TAB> c size:order ...
# <TAB> r degree:indicator ..."), one line per group in the same order.
cat >"$tmp/oracle.g" <<EOF
if LoadPackage("smallgrp") = fail then
  Print("NOSMALLGRP\n");
  QUIT_GAP(3);
fi;
tab := OutputTextFile("$tmp/groups.jsonl", false);
ans := OutputTextFile("$tmp/gap.txt", false);
SetPrintFormattingStatus(tab, false);
SetPrintFormattingStatus(ans, false);
for n in [$lo..$hi] do
  for i in [1..NrSmallGroups(n)] do
    G := SmallGroup(n, i);
    el := AsSSortedList(G);
    mt := MultiplicationTable(el);
    PrintTo(tab, "{\"name\": \"SmallGroup(", n, ",", i, ")\", \"order\": ", n,
            ", \"table\": ", mt, "}\n");
    T := CharacterTable(G);
    deg := List(Irr(T), x -> x[1]);
    ind := Indicator(T, 2);
    PrintTo(ans, n, " ", i, "\tc");
    for k in [1..Length(deg)] do
      PrintTo(ans, " ", SizesConjugacyClasses(T)[k], ":", OrdersClassRepresentatives(T)[k]);
    od;
    PrintTo(ans, "\tr");
    for k in [1..Length(deg)] do
      PrintTo(ans, " ", deg[k], ":", ind[k]);
    od;
    PrintTo(ans, "\n");
  od;
od;
CloseStream(tab);
CloseStream(ans);
QUIT_GAP(0);
EOF
t0=$(date +%s)
"$GAP" -q -b "$tmp/oracle.g" </dev/null >"$tmp/gap.log" 2>&1
rc=$?
if grep -q NOSMALLGRP "$tmp/gap.log"; then skip "GAP's small groups library is missing (gap-smallgrp)"; fi
if [ $rc != 0 ] || [ ! -s "$tmp/gap.txt" ]; then
  echo "gap-oracle: GAP failed (exit $rc):" >&2
  head -5 "$tmp/gap.log" >&2
  [ $tap = 1 ] && echo "not ok 1 - GAP ran" && echo "1..1"
  exit 1
fi
t1=$(date +%s)

# Canonical form of one group: "c" and the sorted size:order tokens, a tab,
# "r" and the sorted degree:indicator tokens (C-locale string order on both
# sides; insertion sort, as mawk has no asort).
canon_awk='
function srt(line,   a, n, i, j, t, out) {
  n = split(line, a, " ")
  for (i = 2; i <= n; i++) {
    t = a[i]
    for (j = i - 1; j >= 2 && a[j] > t; j--) a[j + 1] = a[j]
    a[j + 1] = t
  }
  out = a[1]
  for (i = 2; i <= n; i++) out = out " " a[i]
  return out
}'
export LC_ALL=C
awk -F'\t' "$canon_awk"' { print $1 "\t" srt($2) "\t" srt($3) }' "$tmp/gap.txt" >"$tmp/gap.canon"

# li2 side: classes from class_sizes/class_orders, irreps from the irrep
# table (indicator "+1" read as 1)
# one file per record: li2 reads a JSON Lines file up to the record asked
# for, so 3596 groups read from one 190 MB file would be quadratic
n=$(wc -l <"$tmp/gap.txt")
mkdir "$tmp/g" && split -l 1 -a 5 -d "$tmp/groups.jsonl" "$tmp/g/" && rm "$tmp/groups.jsonl"
k=0
while [ $k -lt "$n" ]; do
  rec=$(printf '%05d' $k)
  if ! "$LI2" group "file:$tmp/g/$rec" >"$tmp/out" 2>&1; then
    printf 'li2 failed: %s\n' "$(head -1 "$tmp/out")" >>"$tmp/li2.canon"
  else
    awk -F'\t' "$canon_awk"'
      $1 == "class_sizes" { for (i = 2; i <= NF; i++) s[i] = $i; ns = NF }
      $1 == "class_orders" { for (i = 2; i <= NF; i++) o[i] = $i }
      $1 == "irrep" { on = 1; next }
      on && NF >= 3 && $1 ~ /^[0-9]+$/ { ind = $3; sub(/^\+/, "", ind); r = r " " $2 ":" ind; next }
      { on = 0 }
      END {
        c = "c"
        for (i = 2; i <= ns; i++) c = c " " s[i] ":" o[i]
        print srt(c) "\t" srt("r" r)
      }' "$tmp/out" >>"$tmp/li2.canon"
  fi
  k=$((k + 1))
done
paste "$tmp/gap.canon" "$tmp/li2.canon" | awk -F'\t' -v tap=$tap '
  {
    why = ""
    if (NF < 5) why = $4
    else if ($2 != $4) why = "classes (size:order) GAP [" $2 "] li2 [" $4 "]"
    else if ($3 != $5) why = "irreps (degree:indicator) GAP [" $3 "] li2 [" $5 "]"
    if (why != "") bad++
    if (tap) print (why == "" ? "ok " : "not ok ") NR " - SmallGroup(" $1 ")" \
                   (why == "" ? ": classes and (degree, indicator) agree with GAP" : ": " why)
    else if (why != "") print "MISMATCH SmallGroup(" $1 "): " why
  }
  END { exit bad > 0 }'
ok=$?
bad=0
[ $ok = 0 ] || bad=$(paste "$tmp/gap.canon" "$tmp/li2.canon" | awk -F'\t' 'NF < 5 || $2 != $4 || $3 != $5' | wc -l)
t2=$(date +%s)
if [ $tap = 1 ]; then
  echo "# GAP $((t1 - t0)) s, li2 $((t2 - t1)) s"
  echo "1..$n"
else
  echo "gap-oracle: $n groups of order $lo..$hi, $bad mismatches, $((t2 - t0)) s" \
    "(GAP $((t1 - t0)) s, li2 $((t2 - t1)) s)"
fi
[ $bad = 0 ]
