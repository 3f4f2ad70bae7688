#!/usr/bin/env bash
# The hardening jobs CI runs after the normal test tiers (run-tests.sh):
#   1. scripts/sanitize.sh asan   ASan + UBSan: unit, cli, loop tiers
#   2. scripts/sanitize.sh tsan   TSan: the engine tests
#   3. scripts/fuzz.sh SECONDS    every libFuzzer target (FUZZ_SECONDS, default 10)
# Each job builds in its own directory (build-asan, build-tsan, build-fuzz).
# Fails when any job fails or cannot run; prints how long each one took.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
status=0
for job in "sanitize.sh asan" "sanitize.sh tsan" "fuzz.sh ${FUZZ_SECONDS:-10}"; do
  start=$SECONDS
  if "$top/scripts/"$job; then
    echo "ci-extra: $job: passed in $((SECONDS - start)) s"
  else
    echo "ci-extra: $job: FAILED after $((SECONDS - start)) s" >&2
    status=1
  fi
done
exit $status
