#!/usr/bin/env bash
# Mutation testing of li2's core numerics (issue 19).  Not part of make check.
#
#   tests/mutate.sh [-j JOBS] [-t SECONDS] [-k] [ID ...]
#
# The catalogue is tests/mutants.tsv: one mutant per line, tab-separated,
#     ID  FILE  ORIGINAL  REPLACEMENT  TESTS
# ORIGINAL is an exact snippet of FILE (it must occur exactly once),
# REPLACEMENT what it becomes, TESTS the tests that should notice
# (test_x: the unit test program tests/test_x; x.test: the script).
# Lines starting with # are comments.
#
# The tracked files of this tree (as they are in the working tree, edits
# included) are copied to a scratch directory (MUTATE_DIR, else a fresh
# mktemp -d), configured with --disable-shared (test programs link the
# static library, so relinking is all an incremental build needs) and built
# once; every test named in the catalogue must pass there first.  Then for
# each mutant: apply it, rebuild, run its tests (first failure stops),
# restore the file.  A mutant is
#   KILLED     a test failed (non-zero exit, a "not ok" line, or -t SECONDS
#              passed: default 150, several times the slowest unit test)
#   SURVIVED   every test passed
#   STALE      ORIGINAL not found (the code moved on): not counted as killed
#   AMBIGUOUS  ORIGINAL found more than once: not counted as killed
#   NOBUILD    the mutant does not compile: not counted as killed
# The score is KILLED / (number of mutants run); survivors and the rest are
# listed at the end.  The source tree is never modified.  -k keeps the
# scratch directory.  IDs select mutants (default: all).
set -u
here=$(cd "$(dirname "$0")/.." && pwd) || exit 2
jobs=1 tmo=150 keep=0
while getopts "j:t:k" o; do
  case $o in
    j) jobs=$OPTARG ;;
    t) tmo=$OPTARG ;;
    k) keep=1 ;;
    *) echo "usage: tests/mutate.sh [-j JOBS] [-t SECONDS] [-k] [ID ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
cat_file=$here/tests/mutants.tsv
[ -r "$cat_file" ] || { echo "mutate.sh: cannot read $cat_file" >&2; exit 2; }

# ---- the catalogue, filtered by the IDs given ----
ids=() files=() origs=() repls=() tests=()
while IFS=$'\t' read -r id file orig repl tst; do
  case "$id" in ''|'#'*) continue ;; esac
  if [ $# -gt 0 ]; then
    sel=0
    for want in "$@"; do [ "$want" = "$id" ] && sel=1; done
    [ $sel = 1 ] || continue
  fi
  if [ -z "$file" ] || [ -z "$orig" ] || [ -z "$tst" ]; then
    echo "mutate.sh: $cat_file: mutant '$id' lacks a field" >&2
    exit 2
  fi
  ids+=("$id") files+=("$file") origs+=("$orig") repls+=("$repl") tests+=("$tst")
done <"$cat_file"
[ ${#ids[@]} -gt 0 ] || { echo "mutate.sh: no mutant selected" >&2; exit 2; }

# ---- scratch copy and build ----
work=${MUTATE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/li2-mutate.XXXXXX")} || exit 2
mkdir -p "$work" || exit 2
cleanup() { [ $keep = 1 ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "# scratch tree: $work"
(cd "$here" && git ls-files -z | tar --null -T - -cf -) | tar -C "$work" -xf - || exit 2
mkdir -p "$work/.pristine"
cd "$work" || exit 2
log=$work/build.log
echo "# building (make -j$jobs) ..."
if ! { autoreconf -fi && ./configure --disable-shared && make -j"$jobs"; } >"$log" 2>&1; then
  echo "mutate.sh: the unmutated tree does not build (see $log)" >&2
  keep=1
  exit 2
fi

targets_of() {  # the make targets the tests need
  local t out="src/li2"
  for t in $1; do
    case $t in
      test_*) out="$out tests/$t" ;;
      figures.test) out="$out tests/figcheck" ;;
    esac
  done
  echo "$out"
}

run_tests() {  # run_tests "TESTS" -> echo the first failing test, return 1
  local t rc
  for t in $1; do
    case $t in
      test_*) timeout "$tmo" "./tests/$t" >"$work/test.log" 2>&1 ;;
      *.test) LI2=$work/src/li2 top_srcdir=$work LC_ALL=C LI2_DATADIR=$work/plots \
                LI2_SKIP_SLOW=1 timeout "$tmo" sh "tests/$t" >"$work/test.log" 2>&1 ;;
      *) echo "mutate.sh: unknown test '$t'" >&2; return 2 ;;
    esac
    rc=$?
    if [ $rc -ne 0 ] || grep -q '^not ok' "$work/test.log"; then
      [ $rc = 124 ] && t="$t(timeout)"
      echo "$t"
      return 1
    fi
  done
  return 0
}

# baseline: every test the catalogue names passes on the unmutated tree
all_tests=$(printf '%s\n' "${tests[@]}" | tr ' ' '\n' | sort -u | tr '\n' ' ')
if ! make -j"$jobs" $(targets_of "$all_tests") >>"$log" 2>&1; then
  echo "mutate.sh: the tests do not build (see $log)" >&2
  keep=1
  exit 2
fi
echo "# baseline: $all_tests"
if bad=$(run_tests "$all_tests"); then :; else
  echo "mutate.sh: $bad fails on the unmutated tree; fix that first" >&2
  cat "$work/test.log" | grep -v '^ok' | head -20 >&2
  keep=1
  exit 2
fi

# ---- the mutants ----
# \n and \\ in the catalogue's snippets stand for a newline and a backslash
decode='my ($o, $r) = map { my $t = $ENV{$_} // ""; $t =~ s/\\(n|\\)/$1 eq "n" ? "\n" : "\\"/ge; $t } qw(ORIG REPL);'
n=0 killed=0
survivors=() others=()
start=$(date +%s)
for i in "${!ids[@]}"; do
  id=${ids[$i]} file=${files[$i]} t0=$(date +%s)
  n=$((n + 1))
  if [ ! -f "$file" ]; then
    status=STALE why="no file $file"
  else
    cp "$file" .pristine/cur
    count=$(ORIG=${origs[$i]} perl -0777 -ne "$decode"' my $c = () = /\Q$o\E/g; print $c' "$file")
    if [ "$count" = 0 ]; then
      status=STALE why="snippet not found"
    elif [ "$count" != 1 ]; then
      status=AMBIGUOUS why="snippet found $count times"
    else
      ORIG=${origs[$i]} REPL=${repls[$i]} perl -0777 -pi -e "$decode"' s/\Q$o\E/$r/' "$file"
      if ! make -j"$jobs" $(targets_of "${tests[$i]}") >"$work/make.log" 2>&1; then
        status=NOBUILD why="$(grep -m1 'error' "$work/make.log")"
      elif bad=$(run_tests "${tests[$i]}"); then
        status=SURVIVED why="${tests[$i]} pass"
      else
        status=KILLED why="by $bad: $(grep -m1 '^not ok' "$work/test.log" | cut -c1-90)"
      fi
      cp .pristine/cur "$file"   # new mtime: the next build recompiles it
    fi
  fi
  case $status in
    KILLED) killed=$((killed + 1)) ;;
    SURVIVED) survivors+=("$id ($file: '${origs[$i]}' -> '${repls[$i]}')") ;;
    *) others+=("$id $status: $why") ;;
  esac
  printf '%-4s %-28s %-9s %s [%ds]\n' "$n" "$id" "$status" "$why" $(($(date +%s) - t0))
done

echo
echo "mutation score: $killed of $n killed ($(awk -v k=$killed -v n=$n 'BEGIN{printf "%.1f", 100*k/n}')%)," \
  "$(($(date +%s) - start)) s"
if [ ${#survivors[@]} -gt 0 ]; then
  echo "survivors:"
  printf '  %s\n' "${survivors[@]}"
fi
if [ ${#others[@]} -gt 0 ]; then
  echo "not run (counted as not killed):"
  printf '  %s\n' "${others[@]}"
fi
[ ${#survivors[@]} -eq 0 ] && [ ${#others[@]} -eq 0 ]
