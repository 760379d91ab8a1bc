#!/usr/bin/env bash
# li2 set-up in one command (see README.md).
#   ./build.sh run [key=value ...]   install missing packages (as root), build,
#                                    and run the main job (li2 report)
#   ./build.sh test                  install, build, run the test suite and
#                                    print "N passed, N failed"
# Environment: CONFIGURE_FLAGS (e.g. --enable-asan), JOBS (default: nproc).
set -u
cd "$(dirname "$0")" || exit 1
mode=${1:-run}
[ $# -gt 0 ] && shift
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
packages="build-essential autoconf automake libtool pkg-config libgsl-dev libfftw3-dev libopenblas-dev libyaml-dev gnuplot-nox fonts-urw-base35 fonts-dejavu-core openmpi-bin libopenmpi-dev"

# Optional, each test skipping without its package: GAP and its
# small-groups library (the oracle of tests/gap.test); NumPy and pytest
# (tests/python.test: li2 export and the python/li2 package); tidy (the
# HTML validator of tests/report.test's report.html); Doxygen (the API
# reference, make doc and make install; tests/install.test checks it).
# Installed when root and the archive has them, never an error when it has not.
optional_packages="gap-core gap-libs gap-smallgrp python3-numpy python3-pytest tidy doxygen"
# clang and its libFuzzer runtime: only for CONFIGURE_FLAGS=--enable-fuzz
# (tests/fuzz; make check replays the fuzz corpora with the normal compiler)
fuzz_packages="clang libclang-rt-14-dev"

install_optional() {
  local missing=()
  [ "$(id -u)" = 0 ] || return 0
  local opt=$optional_packages
  case " ${CONFIGURE_FLAGS:-} " in *" --enable-fuzz "*) opt="$opt $fuzz_packages" ;; esac
  for p in $opt; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 &&
      apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; } ||
    echo "build.sh: optional ${missing[*]} not installed (tests/gap.test, tests/python.test report.html's validation or the API reference will skip; --enable-fuzz needs clang)" >&2
  return 0
}

install_packages() {
  local missing=()
  for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "build.sh: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    return 1
  fi
  echo "build.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  install_packages || return 1
  case " ${CONFIGURE_FLAGS:-} " in *" --enable-fuzz "*) install_optional ;; esac
  if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    autoreconf -fi || return 1
  fi
  if [ ! -f Makefile ] || [ configure -nt config.status ]; then
    # li2 sweep's MPI mode when OpenMPI is there (CI installs it)
    local mpi=
    command -v mpicc >/dev/null 2>&1 && mpi=--with-mpi
    ./configure $mpi ${CONFIGURE_FLAGS:-} || return 1
  fi
  make -j"$jobs" >/dev/null || make || return 1
}

count_results() {
  # One :test-result: line per TAP assertion in every .trs file.
  local pass fail skip
  pass=$(find . -name '*.trs' -exec grep -h '^:test-result: \(PASS\|XFAIL\)' {} + | wc -l)
  fail=$(find . -name '*.trs' -exec grep -h '^:test-result: \(FAIL\|XPASS\|ERROR\)' {} + | wc -l)
  skip=$(find . -name '*.trs' -exec grep -h '^:test-result: SKIP' {} + | wc -l)
  echo "$pass passed, $fail failed, $skip skipped"
}

case "$mode" in
  run)
    build || exit 1
    exec ./src/li2 report "$@"
    ;;
  test)
    install_optional
    if ! build; then
      echo "0 passed, 1 failed"
      exit 1
    fi
    find . -name '*.trs' -delete
    make -j"$jobs" check
    status=$?
    [ $status -ne 0 ] && cat test-suite.log 2>/dev/null | tail -60
    count_results
    exit $status
    ;;
  *)
    echo "usage: ./build.sh run|test" >&2
    exit 2
    ;;
esac
