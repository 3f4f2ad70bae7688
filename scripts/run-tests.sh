#!/usr/bin/env bash
# Runs every test tier of a configured build directory, building what it
# needs first. The loop-device, real-kernel and boot tiers need root; they
# fail (never skip) when they cannot run, and this script fails when a tier
# has no test at all.
#
# Order (CI's time is bounded and CPU-bound, the machine has two cores):
#   1. dmirrorctl, its man pages, dm-fault and the in-guest test program
#      are built (all the boot tier's `cmake --install` needs), then
#      the VM tiers (kernel, boot) start in the background: each boots one
#      qemu guest at a time (TCG: one busy host thread).
#   2. Beside them, at a lower priority (nice 10), with the hardening jobs
#      on (the default, and always in CI): the oracle (its full 10^5 steps)
#      and the crash tier (every power-cut replay, CPU-heavy) run on this
#      build, and scripts/ci-extra.sh builds and runs the unit, cli and loop
#      tiers under ASan + UBSan (the same tests, with every sanitizer check
#      on the library, kernel glue and dmirrorctl), the engine tests under
#      TSan, and the fuzzers. The unit, cli and loop test programs of this
#      build are then not built at all: they would not run here. With
#      DMIRROR_HARDENING=0 everything is built and those tiers run on this
#      build instead.
set -euo pipefail
build=${1:?usage: run-tests.sh BUILD_DIR}
if [ "$(id -u)" -ne 0 ]; then
  echo "run-tests: the loop-device and kernel tiers need root; run as root" >&2
  exit 1
fi
hardening=0
if [ -n "${CI:-}" ] || [ "${DMIRROR_HARDENING:-1}" != 0 ]; then
  hardening=1
fi
vm_tiers='kernel|boot'
# What the VM tiers use: the boot tier installs the build (`cmake --install`:
# the libraries, dmirrorctl and its man pages) into its guest.
cmake --build "$build" -j2 --target dmirrorctl man_pages dm-fault kernel_glue_vm_test
log=$(mktemp)
vmlog=$(mktemp)
vm_start=$SECONDS
ctest --test-dir "$build" --output-on-failure --no-tests=error -j1 -L "^($vm_tiers)\$" >"$vmlog" 2>&1 &
vm_pid=$!
# A failure below ends the script: the VM tiers stop with it.
trap 'kill "$vm_pid" 2>/dev/null || true; rm -f "$log" "$vmlog"' EXIT
# Everything from here on runs at a lower priority than the VM tiers: a qemu
# guest sharing a core with two compilers got half of it (a kernel scenario:
# 26 CPU-s in 43 s), and the VM tiers, one guest at a time, are the longest
# chain of the run. The builds and tests below take whatever CPU the guests
# leave, and both cores once the VM tiers end.
renice -n 10 -p $$ >/dev/null

tiers_here="kernel boot"
if [ "$hardening" = 1 ]; then
  cmake --build "$build" -j2 --target oracle_tests crash_tests
  tiers_here="$tiers_here oracle crash"
else
  cmake --build "$build" -j2
  tiers_here="$tiers_here unit crash cli loop"
fi
echo "run-tests: built $((SECONDS - vm_start)) s after the VM tiers started"
for tier in $tiers_here; do
  n=$(ctest --test-dir "$build" -N -L "^${tier}\$" | sed -n 's/^Total Tests: //p')
  if [ "${n:-0}" -eq 0 ]; then
    echo "run-tests: tier '$tier' has no tests in $build" >&2
    exit 1
  fi
  echo "run-tests: tier $tier: $n tests"
done
passed() { sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$1" | tail -n 1; }

fast=0
extra=0
if [ "$hardening" = 1 ]; then
  # The oracle's full run (its ASan run takes a fraction of the steps) and
  # the crash tier.
  ctest --test-dir "$build" --output-on-failure --no-tests=error -j2 -L '^(oracle|crash)$' -LE crash-long |
    tee "$log" || fast=$?
  start=$SECONDS
  if "$(dirname "$0")/ci-extra.sh"; then
    echo "run-tests: hardening jobs passed in $((SECONDS - start)) s"
  else
    extra=$?
  fi
else
  ctest --test-dir "$build" --output-on-failure --no-tests=error -j2 -LE "crash-long|$vm_tiers" | tee "$log" || fast=$?
fi
total=$(passed "$log")

vm=0
wait "$vm_pid" || vm=$?
echo "run-tests: the VM tiers ($vm_tiers) ended after $((SECONDS - vm_start)) s:"
cat "$vmlog"
if [ "$fast" -ne 0 ] || [ "$vm" -ne 0 ] || [ "$extra" -ne 0 ]; then
  echo "run-tests: FAILED: tests on $build exit $fast, VM tiers exit $vm, hardening jobs exit $extra" >&2
  exit 1
fi
vm_total=$(passed "$vmlog")
# One closing line for whoever reads the end of the log (the hardening
# jobs print their own counts).
echo "tests: $((${total:-0} + ${vm_total:-0})) passed on $build, 0 failed"
