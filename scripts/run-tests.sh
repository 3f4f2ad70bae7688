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
# The tiers that boot a qemu guest (tests/kernel/vm, tests/boot).
vm_tiers='kernel|boot'
for tier in unit crash cli loop kernel boot; do
  n=$(ctest --test-dir "$build" -N -L "^${tier}\$" | sed -n 's/^Total Tests: //p')
  if [ "${n:-0}" -eq 0 ]; then
    echo "run-tests: tier '$tier' has no tests in $build" >&2
    exit 1
  fi
  echo "run-tests: tier $tier: $n tests"
done
# Everything except the optional long randomized crash run and the VM
# tiers, on both cores.
log=$(mktemp)
vmlog=$(mktemp)
trap 'rm -f "$log" "$vmlog"' EXIT
ctest --test-dir "$build" --output-on-failure --no-tests=error -j2 -LE "crash-long|$vm_tiers" | tee "$log"
total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log" | tail -n 1)
# The VM tiers boot one qemu guest at a time (TCG: one busy host thread), so
# they run beside the sanitizer and fuzzing jobs (scripts/ci-extra.sh), which
# keep the other core busy. Their log is printed when both are done.
# Outside CI, DMIRROR_HARDENING=0 leaves the hardening jobs out.
vm_start=$SECONDS
ctest --test-dir "$build" --output-on-failure --no-tests=error -j1 -L "^($vm_tiers)\$" >"$vmlog" 2>&1 &
vm_pid=$!
extra=0
if [ -n "${CI:-}" ] || [ "${DMIRROR_HARDENING:-1}" != 0 ]; then
  "$(dirname "$0")/ci-extra.sh" || extra=$?
fi
vm=0
wait "$vm_pid" || vm=$?
echo "run-tests: the VM tiers ($vm_tiers) ended after $((SECONDS - vm_start)) s:"
cat "$vmlog"
if [ "$vm" -ne 0 ] || [ "$extra" -ne 0 ]; then
  echo "run-tests: FAILED: VM tiers exit $vm, hardening jobs exit $extra" >&2
  exit 1
fi
vm_total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$vmlog" | tail -n 1)
# One closing line for whoever reads the end of the log.
echo "tests: $((${total:-0} + ${vm_total:-0})) passed, 0 failed"
