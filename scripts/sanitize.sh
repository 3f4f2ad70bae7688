#!/usr/bin/env bash
# Sanitizer builds and runs.
#   scripts/sanitize.sh asan   ASan + UBSan build (build-asan): the unit,
#                              cli and loop tiers (loop needs root); the
#                              crash tier too with ASAN_TIERS (see asan())
#   scripts/sanitize.sh tsan   TSan build (build-tsan): the engine tests,
#                              chosen by name (TSAN_TESTS, a ctest -R regex)
#   scripts/sanitize.sh all    both (the default)
# Any sanitizer report fails the test that triggered it (halt_on_error, no
# recovery); the script fails when a selection holds no test at all.
# Environment: ASAN_BUILD_DIR, ASAN_TIERS, TSAN_BUILD_DIR, TSAN_TESTS.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
case "$what" in asan|tsan|all) ;; *) echo "usage: $0 [asan|tsan|all]" >&2; exit 16 ;; esac

# Builds the listed targets of a sanitizer configuration.
build() {
  local dir=$1 sanitize=$2
  shift 2
  cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" \
    -DDMIRROR_SANITIZE="$sanitize" -DDMIRROR_INSTALL=OFF >/dev/null
  cmake --build "$dir" -j2 --target "$@"
}

# Runs ctest with the given selection; fails when it selects no test.
run_selected() {
  local dir=$1
  shift
  local n
  n=$(ctest --test-dir "$dir" -N "$@" | sed -n 's/^Total Tests: //p')
  if [ "${n:-0}" -eq 0 ]; then
    echo "sanitize: no test selected by '$*' in $dir" >&2
    return 1
  fi
  echo "sanitize: $dir: running $n tests ($*)"
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 "$@"
}

asan() {
  local dir=${ASAN_BUILD_DIR:-$top/build-asan}
  # The crash tier runs on the plain -O2 build in CI (run-tests.sh): its
  # power-cut replays are CPU-heavy and ASan adds nothing to a model check;
  # ASAN_TIERS='unit|crash|cli|loop' brings it back here.
  local labels=${ASAN_TIERS:-'unit|cli'}
  if [ "$(id -u)" -eq 0 ]; then
    labels=${ASAN_TIERS:-'unit|cli|loop'}
  else
    echo "sanitize: not root, so the loop tier is left out" >&2
    [ -z "${CI:-}" ] || { echo "sanitize: CI must run the loop tier: run as root" >&2; return 1; }
  fi
  local targets=(unit_tests cli_tests loop_tests kernel_glue_unit_tests kernel_glue_loop_tests oracle_tests dmirrorctl)
  [[ $labels == *crash* ]] && targets+=(crash_tests)
  build "$dir" address,undefined "${targets[@]}"
  # Each tier on its own: a tier left with no test fails the job (these
  # tiers run only here when the hardening jobs are on).
  local tier n
  for tier in ${labels//|/ }; do
    n=$(ctest --test-dir "$dir" -N -L "^${tier}\$" | sed -n 's/^Total Tests: //p')
    if [ "${n:-0}" -eq 0 ]; then
      echo "sanitize: tier '$tier' has no tests in $dir" >&2
      return 1
    fi
  done
  # The oracle's 10^5 steps run in the main tier; under ASan each of its 4
  # shards takes 500 (2500 took 270 s per shard, 30% of this job's test
  # time).
  DMIRROR_ORACLE_CI_STEPS=${DMIRROR_ORACLE_CI_STEPS:-500} \
  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_selected "$dir" -L "^($labels)\$" -LE crash-long
}

tsan() {
  local dir=${TSAN_BUILD_DIR:-$top/build-tsan}
  # The engine's threads meet in the unit tests of the mirror pipeline,
  # resync, replace, scrub and verify, and in the crash tier's two runs with
  # threads (worker-per-leg, concurrent writers); its other power-cut replays
  # drive the engine from one thread and are left to the plain build.
  local tests=${TSAN_TESTS:-'^((Mirror|Engine|Resync|Replace|Scrub|Verify)[A-Za-z]*\.|CrashConsistency\.Engine(ThreadsEngine|ConcurrentWriters)$)'}
  build "$dir" thread unit_tests crash_tests
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 run_selected "$dir" -R "$tests" -LE crash-long
}

start=$SECONDS
case "$what" in
  asan) asan ;;
  tsan) tsan ;;
  all) asan; echo "sanitize: asan done in $((SECONDS - start)) s"; tsan ;;
esac
echo "sanitize: $what passed in $((SECONDS - start)) s"
