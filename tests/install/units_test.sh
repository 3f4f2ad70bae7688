#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `systemd-analyze verify` of the installed systemd units (instances named
# after an array, as they are used). The units name the installed
# /usr/.../dmirrorctl, which verify insists exists, so they are checked as
# copies pointing at the dmirrorctl of a temporary DESTDIR. Any message from
# verify is a failure; so is a missing systemd-analyze (never a skip).
# Usage: units_test.sh BUILD_DIR
set -euo pipefail
build=${1:?build dir}
tmp=$(mktemp -d /tmp/dmirror-units-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "units_test: FAIL: $*" >&2; exit 1; }
command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (Debian package systemd)"

DESTDIR=$tmp/root cmake --install "$build" >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
unitdir=$(sed -n 's/^DMIRROR_SYSTEMDUNITDIR:STRING=//p' "$build/CMakeCache.txt")
case $unitdir in /*) ;; *) unitdir=$prefix/$unitdir ;; esac
sbin=$prefix/sbin/dmirrorctl
[ -x "$tmp/root$sbin" ] || fail "no $sbin installed"
mkdir "$tmp/units"
n=0
for f in "$tmp/root$unitdir"/dmirror*; do
  grep -q "$sbin" "$f" || [[ $f == *.timer ]] || fail "$(basename "$f") does not run $sbin"
  sed "s|$sbin|$tmp/root$sbin|g" "$f" >"$tmp/units/$(basename "$f")"
  n=$((n + 1))
done
[ "$n" -eq 5 ] || fail "expected 5 unit files, found $n"
cd "$tmp/units"
units=(dmirror-scrub@vol0.service dmirror-scrub@vol0.timer dmirror-scrub-continue@vol0.service
       dmirror-scrub-continue@vol0.timer dmirror-monitor.service)
if ! systemd-analyze verify --man=no "${units[@]}" >"$tmp/verify.log" 2>&1 || [ -s "$tmp/verify.log" ]; then
  cat "$tmp/verify.log" >&2
  fail "systemd-analyze verify"
fi
while read -r spec; do
  systemd-analyze calendar "$spec" >/dev/null || fail "calendar spec '$spec'"
done < <(sed -n 's/^OnCalendar=//p' dmirror-scrub@.timer dmirror-scrub-continue@.timer)
grep -q '^Persistent=true' dmirror-scrub@.timer || fail "monthly timer is not Persistent"
grep -q '^RandomizedDelaySec=' dmirror-scrub@.timer || fail "monthly timer has no RandomizedDelaySec"
grep -q -- '--max-runtime' dmirror-scrub@.service || fail "scrub service is not time-boxed"
grep -q -- 'scrub --continue' dmirror-scrub-continue@.service || fail "continue service does not pass --continue"
for u in dmirror-scrub@.service dmirror-scrub-continue@.service; do
  # Scheduled scrubs check; repairing is the administrator's explicit choice.
  grep -q '^Environment=DMIRROR_SCRUB_MODE=--check-only$' "$u" || fail "$u does not check by default"
  grep -q 'scrub.*\$DMIRROR_SCRUB_MODE' "$u" || fail "$u does not pass \$DMIRROR_SCRUB_MODE"
  # Only exit 0 is success: a repair, a rewritten block or a degraded array fails the unit.
  ! grep -q '^SuccessExitStatus=' "$u" || fail "$u treats a non-zero exit as success"
done
cron=$(dirname "$0")/../../contrib/cron.d/dmirror
while read -r line; do
  [[ $line == *--check-only* ]] || fail "cron line does not check: $line"
done < <(grep -v '^#' "$cron" | grep 'dmirrorctl scrub')
echo "units_test: ${units[*]}: verified"
