#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The installed dmirror-scrub@.timer (its calendar made every 10 s by a
# drop-in) starts dmirror-scrub@.service for three arrays: the service must
# succeed on the clean one and fail on the planted mismatch (exit bit 4) and
# on the degraded array (a leg absent, so udev never activated it: the
# scrub runs on its legs and refuses to go on without the missing one). Only a run that started after the
# arrays were up, and has ended, is judged; its timer is stopped then.
source /usr/local/lib/dmirror-boot/lib.sh
# Up: the raid table is live and no activation is running any more (the
# dm device exists from the start of an activation that still holds the
# array lock).
up() {
  dmsetup status "$1" 2>/dev/null | grep -q ' raid raid1 ' &&
    [[ -z $(systemctl list-units --no-legend --state=active,activating 'dmirror-incremental-*') ]]
}
for a in clean mism; do
  check "udev activated array $a at boot" wait_for 120 up "$a"
done
observe dmsetup-status dmsetup status
observe timers systemctl list-timers --all --no-pager 'dmirror-scrub@*'
since=$(awk '{printf "%d", $1 * 1000000}' /proc/uptime)
# One `systemctl show` per look, so the fields belong to the same run.
declare -A verdict
last_run() {  # NAME: prints "Result ExecMainStatus" of a run that started after $since and ended
  local -A p
  local k v
  while IFS='=' read -r k v; do p[$k]=$v; done < <(systemctl show "dmirror-scrub@$1.service" \
      -p ActiveState -p Result -p ExecMainStatus -p ExecMainStartTimestampMonotonic -p ExecMainExitTimestampMonotonic)
  [[ ${p[ActiveState]} == inactive || ${p[ActiveState]} == failed ]] || return 1
  (( ${p[ExecMainStartTimestampMonotonic]:-0} > since &&
     ${p[ExecMainExitTimestampMonotonic]:-0} >= ${p[ExecMainStartTimestampMonotonic]:-0} )) || return 1
  echo "${p[Result]} ${p[ExecMainStatus]}"
}
started() {  # NAME: a run started after $since (it may still be running)
  local t
  t=$(systemctl show "dmirror-scrub@$1.service" -p ExecMainStartTimestampMonotonic --value)
  (( ${t:-0} > since ))
}
deadline=$((SECONDS + 180))
while ((SECONDS < deadline && ${#verdict[@]} < 3)); do
  for a in clean mism deg; do
    [[ -n ${verdict[$a]:-} ]] && continue
    if v=$(last_run "$a"); then
      systemctl stop "dmirror-scrub@$a.timer"
      verdict[$a]=$v
    elif started "$a"; then
      # The timer is stopped once a run has started, so that this run is
      # the one judged: on a slow host a run can outlast the timer's 10 s,
      # and the next one started the moment it ended, never leaving the
      # unit inactive for a look to see.
      systemctl stop "dmirror-scrub@$a.timer"
    fi
  done
  sleep 0.5
done
systemctl stop 'dmirror-scrub@*.timer'
for a in clean mism deg; do
  observe journal-$a journalctl -b --no-pager -o cat -u "dmirror-scrub@$a.service" -n 8
  if [[ -z ${verdict[$a]:-} ]]; then
    fail "dmirror-scrub@$a.service did not run from its timer within 180 s"
    continue
  fi
  pass "dmirror-scrub@$a.service ran from its timer"
  read -r result status <<<"${verdict[$a]}"
  echo "DMIRROR-OBSERVE: result-$a: Result=$result ExecMainStatus=$status"
  case $a in
    clean) [[ $result == success && $status == 0 ]] && pass "clean: the service succeeded" ||
             fail "clean: the service did not succeed (Result=$result, status $status)" ;;
    mism) [[ $result == exit-code ]] && (( status & 4 )) && pass "mism: the service failed with exit bit 4 (mismatches)" ||
             fail "mism: expected a failure with exit bit 4 (Result=$result, status $status)" ;;
    # The legs of an inactive array are scrubbed offline, which refuses
    # (exit 8) to go on without an in-sync leg unless given --degraded;
    # an array already recorded degraded reports exit bit 2.
    deg) [[ $result == exit-code ]] && (( status & 10 )) && pass "deg: the service failed (exit $status)" ||
             fail "deg: expected a failure with exit bit 2 or 8 (Result=$result, status $status)"
         check "deg: the journal names the missing leg" bash -c \
           "journalctl -b -o cat -u dmirror-scrub@deg.service | grep -q -E 'slot 2 .*missing|degraded'" ;;
  esac
done
finish
