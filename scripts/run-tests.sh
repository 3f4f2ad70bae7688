#!/usr/bin/env bash
# Runs every test tier of an existing build directory. The loop-device,
# real-kernel and boot tiers need root; they fail (never skip) when they cannot run,
# and this script fails when a tier has no test at all.
set -euo pipefail
build=${1:?usage: run-tests.sh BUILD_DIR}
if [ "$(id -u)" -ne 0 ]; then
  echo "run-tests: the loop-device and kernel tiers need root; run as root" >&2
  exit 1
fi
for tier in unit crash cli loop kernel boot; do
  n=$(ctest --test-dir "$build" -N -L "^${tier}\$" | sed -n 's/^Total Tests: //p')
  if [ "${n:-0}" -eq 0 ]; then
    echo "run-tests: tier '$tier' has no tests in $build" >&2
    exit 1
  fi
  echo "run-tests: tier $tier: $n tests"
done
# Everything except the optional long randomized crash run.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ctest --test-dir "$build" --output-on-failure --no-tests=error -j2 -LE 'crash-long' | tee "$log"
total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log" | tail -n 1)
# Then the sanitizer and fuzzing jobs (scripts/ci-extra.sh). Outside CI,
# DMIRROR_HARDENING=0 leaves them out.
if [ -n "${CI:-}" ] || [ "${DMIRROR_HARDENING:-1}" != 0 ]; then
  "$(dirname "$0")/ci-extra.sh"
fi
# One closing line for whoever reads the end of the log.
echo "tests: ${total:-0} passed, 0 failed"
