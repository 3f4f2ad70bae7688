#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The installed dmirror-scrub@.timer (calendar made every 5 s by a drop-in)
# starts dmirror-scrub@.service for three arrays: it must succeed on a clean
# one, fail on a planted mismatch, fail on a degraded one. Only runs that
# started after the arrays were up are judged.
source /usr/local/lib/dmirror-boot/lib.sh
for a in clean mism; do
  check "udev activated array $a at boot" wait_for 60 dmsetup info "$a" >/dev/null
done
# deg has a leg missing: never activated by udev; the administrator starts it.
observe activate-deg dmirrorctl activate --degraded deg
observe dmsetup-status dmsetup status
since=$(awk '{printf "%d", $1 * 1000000}' /proc/uptime)
observe timers systemctl list-timers --all --no-pager 'dmirror-scrub@*'
ran_since() {  # the unit's last run started after $since and has ended
  local start state
  start=$(systemctl show -P ExecMainStartTimestampMonotonic "dmirror-scrub@$1.service")
  state=$(systemctl show -P ActiveState "dmirror-scrub@$1.service")
  [[ ${start:-0} -gt $since && $state != activating ]]
}
for a in clean mism deg; do
  check "dmirror-scrub@$a.service ran from its timer" wait_for 150 ran_since "$a"
  echo "DMIRROR-OBSERVE: result-$a: $(systemctl show -P Result "dmirror-scrub@$a.service" | sed 's/^/Result=/') ExecMainStatus=$(systemctl show -P ExecMainStatus "dmirror-scrub@$a.service")"
  observe journal-$a journalctl -b --no-pager -o cat -u "dmirror-scrub@$a.service" -n 12
done
systemctl stop 'dmirror-scrub@*.timer'
status() { systemctl show -P ExecMainStatus "dmirror-scrub@$1.service"; }
check "clean: the service succeeded" bash -c "[[ \$(systemctl show -P Result dmirror-scrub@clean.service) == success ]]"
check "mism: the service failed with exit bit 4 (mismatches)" bash -c "(( \$(systemctl show -P ExecMainStatus dmirror-scrub@mism.service) & 4 ))"
check "mism: the unit is failed" bash -c "[[ \$(systemctl show -P Result dmirror-scrub@mism.service) == exit-code ]]"
check "deg: the service failed with exit bit 2 (degraded)" bash -c "(( \$(systemctl show -P ExecMainStatus dmirror-scrub@deg.service) & 2 ))"
check "deg: the unit is failed" bash -c "[[ \$(systemctl show -P Result dmirror-scrub@deg.service) == exit-code ]]"
observe failed-units systemctl --failed --no-legend
finish
