#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) and runs
# each one for SECONDS (default 20) starting from its committed seed corpus
# tests/fuzz/corpus/<target>/. Fails on any crash, sanitizer report, leak,
# timeout or out-of-memory, and when a target cannot be built or run.
#   scripts/fuzz.sh [SECONDS]
# Environment: FUZZ_BUILD_DIR (default ./build-fuzz), FUZZ_CXX (default
# clang++-19), FUZZ_TARGETS (space-separated names; default all).
# New inputs found go to $FUZZ_BUILD_DIR/fuzz-work/<target>/ (not committed);
# a crashing input is saved as $FUZZ_BUILD_DIR/fuzz-artifacts/<target>-crash-*.
# Reproduce one with:  build-fuzz/tests/fuzz/fuzz_<target> FILE
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
cxx=${FUZZ_CXX:-clang++-19}
cc=${cxx/clang++/clang}

if ! command -v "$cxx" >/dev/null; then
  echo "fuzz: $cxx not found; install the packages in scripts/debian-packages.txt" >&2
  exit 1
fi
# -O1 with line tables and the library's asserts on, as OSS-Fuzz builds
# (a library file: 4.1 s of CPU to build, 4.6 s at -O2 -g).
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -gline-tables-only" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_C_COMPILER="$cc" -DDMIRROR_FUZZ=ON -DDMIRROR_BUILD_TESTS=OFF -DDMIRROR_INSTALL=OFF >/dev/null
cmake --build "$build" -j2 --target dmirror_fuzzers

if [ -n "${FUZZ_TARGETS:-}" ]; then
  targets=($FUZZ_TARGETS)
else
  targets=()
  for src in "$top"/tests/fuzz/*_fuzz.cc; do
    t=$(basename "$src" _fuzz.cc)
    targets+=("$t")
  done
fi
[ "${#targets[@]}" -gt 0 ] || { echo "fuzz: no fuzz targets" >&2; exit 1; }

mkdir -p "$build/fuzz-artifacts"
failed=()
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  seeds=$top/tests/fuzz/corpus/$t
  work=$build/fuzz-work/$t
  log=$build/fuzz-work/$t.log
  if [ ! -x "$bin" ] || [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
    echo "fuzz: $t: missing binary $bin or empty seed corpus $seeds" >&2
    failed+=("$t")
    continue
  fi
  mkdir -p "$work"
  start=$SECONDS
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$build/fuzz-artifacts/$t-" "$work" "$seeds" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $t: ok, ${runs:-?} runs in $((SECONDS - start)) s"
  else
    echo "fuzz: $t: FAILED (log: $log)" >&2
    grep -E 'ERROR|SUMMARY|check failed|runtime error|Test unit written' "$log" | head -20 >&2 || true
    failed+=("$t")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets passed"
