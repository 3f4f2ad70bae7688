#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Host side of scrub_timer: three arrays, each with dmirror-scrub@NAME.timer
# enabled as its comment says (systemctl enable, here --root on the guest
# root) and a drop-in that makes the calendar fire every 10 seconds:
#   clean  2 legs, identical                      -> the service succeeds
#   mism   2 legs, 4 KiB differ on leg 1 (planted) -> it fails (exit bit 4)
#   deg    3 legs, only 2 attached                 -> it fails (a leg missing)
# assert: the guest's observations, then the planted bytes are still on
# leg 1 of mism (the scheduled scrub only checks, never repairs).
source "$(dirname "$0")/../host-lib.sh"
mism_off=$((1 << 20))   # into the data area
case $1 in
setup)
  new_array clean 32 "$RUN/clean0.img" "$RUN/clean1.img"
  new_array mism 32 "$RUN/mism0.img" "$RUN/mism1.img"
  new_array deg 32 "$RUN/deg0.img" "$RUN/deg1.img" "$RUN/deg2.img"
  # The mismatch, written offline at the data offset examine reports.
  off=$(sb_field "$RUN/mism1.img" data_offset)
  head -c 4096 /dev/zero | tr '\0' 'Z' |
    dd of="$RUN/mism1.img" bs=4096 oflag=seek_bytes seek=$((off + mism_off)) conv=notrunc status=none
  cmp -s -n 4096 -i $((off + mism_off)):$((off + mism_off)) "$RUN/mism0.img" "$RUN/mism1.img" &&
    hfail "the planted mismatch is not there"
  add_disk dmclean0 "$RUN/clean0.img"; add_disk dmclean1 "$RUN/clean1.img"
  add_disk dmmism0 "$RUN/mism0.img"; add_disk dmmism1 "$RUN/mism1.img"
  add_disk dmdeg0 "$RUN/deg0.img"; add_disk dmdeg1 "$RUN/deg1.img"   # deg2 stays out
  systemctl --root="$STAGE" enable dmirror-scrub@clean.timer dmirror-scrub@mism.timer dmirror-scrub@deg.timer \
    >/dev/null 2>&1 || hfail "systemctl --root enable of the scrub timers"
  mkdir -p "$STAGE/etc/systemd/system/dmirror-scrub@.timer.d"
  cat >"$STAGE/etc/systemd/system/dmirror-scrub@.timer.d/every-10s.conf" <<'CONF'
[Timer]
OnCalendar=
OnCalendar=*:*:0/10
RandomizedDelaySec=0
AccuracySec=1s
CONF
  ;;
assert)
  log=$2
  console_has "$log" 'DMIRROR-OBSERVE: result-clean: Result=success ExecMainStatus=0$' "the scheduled scrub of the clean array succeeded"
  console_has "$log" 'DMIRROR-OBSERVE: result-mism: Result=exit-code ExecMainStatus=([4567]|1[2-5])$' \
    "the scheduled scrub of the array with a mismatch failed with exit bit 4"
  console_has "$log" 'DMIRROR-OBSERVE: result-deg: Result=exit-code ExecMainStatus=([2-9]|[1-9][0-9]+)$' \
    "the scheduled scrub of the degraded array failed"
  off=$(sb_field "$RUN/mism1.img" data_offset)
  cmp -s -n 4096 -i $((off + mism_off)):$((off + mism_off)) "$RUN/mism0.img" "$RUN/mism1.img" &&
    hfail "the mismatch is gone: the check-only scrub repaired it"
  hpass "the mismatch is still on leg 1 (check only)"
  ;;
esac
