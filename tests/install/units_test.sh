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
[ "$n" -eq 6 ] || fail "expected 6 unit files, found $n"
cd "$tmp/units"
# Array names may hold '-', '.', ':' and '@' ([A-Za-z0-9#+-.:=@_]): every
# one of them is a valid unit instance as written. (systemd-analyze 252
# cannot load a unit file argument whose name holds ':' -- "Couldn't process
# aliases", whatever the unit) so ':' is left out here.)
names=(vol0 db-main a-b.c@e)
units=(dmirror-monitor.service)
for n in "${names[@]}"; do
  units+=("dmirror-scrub@$n.service" "dmirror-scrub@$n.timer" "dmirror-scrub-continue@$n.service"
          "dmirror-scrub-continue@$n.timer" "dmirror-volume@$n.service")
done
if ! systemd-analyze verify --man=no "${units[@]}" >"$tmp/verify.log" 2>&1 || [ -s "$tmp/verify.log" ]; then
  cat "$tmp/verify.log" >&2
  fail "systemd-analyze verify"
fi
while read -r spec; do
  systemd-analyze calendar "$spec" >/dev/null || fail "calendar spec '$spec'"
done < <(sed -n 's/^OnCalendar=//p' dmirror-scrub@.timer dmirror-scrub-continue@.timer)
# The instance is the name as written: %I would unescape "db-main" to
# "db/main" (systemd-escape's '-' is a '/').
for u in dmirror-scrub@.service dmirror-scrub-continue@.service dmirror-scrub@.timer dmirror-scrub-continue@.timer \
         dmirror-volume@.service; do
  ! grep -v '^#' "$u" | grep -q '%I' || fail "$u uses %I (unescaped instance): dmirror-scrub@db-main would scrub 'db/main'"
done
for u in dmirror-scrub@.service dmirror-scrub-continue@.service; do
  grep -q '^ExecStart=.* %i$' "$u" || fail "$u does not pass the instance (%i) as the array"
done
# The volume unit deactivates its volume when stopped, after the file
# systems on it are unmounted (mounts come after local-fs-pre.target).
grep -q '^ExecStop=.*/dmirrorctl deactivate %i$' dmirror-volume@.service || fail "dmirror-volume@.service does not deactivate %i"
grep -q '^Before=.*local-fs-pre.target' dmirror-volume@.service || fail "dmirror-volume@.service is not ordered before local-fs-pre.target"
grep -q '^Conflicts=umount.target' dmirror-volume@.service || fail "dmirror-volume@.service is not stopped at shutdown (Conflicts=umount.target)"
[ "$(systemd-escape --unescape --instance dmirror-scrub@db-main.timer)" = db/main ] ||
  fail "systemd-escape no longer reads '-' as '/': recheck the %i rule"
# A name a unit cannot hold ('+') goes through systemd-escape --template;
# dmirrorctl decodes the \xHH of the instance (the man page says so).
inst=$(systemd-escape --template=dmirror-scrub@.service 'db+main.x@y')
inst=${inst#dmirror-scrub@}; inst=${inst%.service}
out=$("$build/tools/dmirrorctl/dmirrorctl" scrub --check-only "$inst" 2>&1) && fail "scrub of a missing array succeeded"
[[ $out == *"array 'db+main.x@y'"* ]] || fail "dmirrorctl did not decode the instance '$inst': $out"
# "6 hours a night": started at 01:00 plus the random delay, a run of at
# most --max-runtime must end by 08:00.
us() { systemd-analyze timespan "$1" | sed -n 's/^ *μs: //p'; }
runtime=$(sed -n 's/^Environment=DMIRROR_SCRUB_MAX_RUNTIME=//p' dmirror-scrub@.service)
for t in dmirror-scrub@.timer dmirror-scrub-continue@.timer; do
  sed -n 's/^OnCalendar=//p' "$t" | grep -q ' 01:00:00$' || fail "$t does not start at 01:00"
  delay=$(sed -n 's/^RandomizedDelaySec=//p' "$t")
  [ $(( $(us "$delay") + $(us "$runtime") )) -le $(us 7h) ] ||
    fail "$t: RandomizedDelaySec=$delay plus a $runtime run can end after 08:00"
done
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
# monitor logs under the identifier its unit declares (syslog(3) outside
# the service uses the same one).
src=$(dirname "$0")/../..
ident=$(sed -n 's/^SyslogIdentifier=//p' dmirror-monitor.service)
grep -q "kIdent = \"$ident\"" "$src/tools/dmirrorctl/cmd_monitor.cc" ||
  fail "dmirrorctl monitor does not log under the unit's SyslogIdentifier=$ident"
cron=$(dirname "$0")/../../contrib/cron.d/dmirror
while read -r line; do
  [[ $line == *--check-only* ]] || fail "cron line does not check: $line"
  [[ $line == *--quiet* ]] || fail "cron line mails clean runs (no --quiet): $line"
done < <(grep -v '^#' "$cron" | grep 'dmirrorctl scrub')
echo "units_test: ${units[*]}: verified"
