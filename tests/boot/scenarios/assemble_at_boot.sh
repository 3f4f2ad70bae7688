#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Three legs present at boot: udev (69-dmirror.rules) assembles the array,
# /etc/fstab mounts its volume at boot, `dmirrorctl status` exits 0. Booted
# twice: the volume wants dmirror-volume@vol0.service, which deactivates it
# at shutdown after /mnt/vol0 is unmounted, so boot 2's activation finds a
# clean array (event history: deactivated, then activated; no unclean
# shutdown) and resyncs nothing.
source /usr/local/lib/dmirror-boot/lib.sh
volume_unit_active() { systemctl is-active --quiet dmirror-volume@vol0.service; }
if [[ $DMIRROR_BOOT == 2 ]]; then
  check "udev assembled vol0 again" wait_for 120 bash -c "dmsetup status vol0 2>/dev/null | grep -q ' raid raid1 3 AAA '"
  check "/mnt/vol0 is mounted again" wait_for 60 mountpoint -q /mnt/vol0
  observe activation-journal journalctl -b --no-pager -o cat -u 'dmirror-incremental-*'
  if journalctl -b -o cat -u 'dmirror-incremental-*' | grep -q -i 'not been deactivated cleanly\|unclean'; then
    fail "the activation at boot 2 reported an unclean shutdown"
  else
    pass "the activation at boot 2 reported no unclean shutdown"
  fi
  observe examine-events dmirrorctl examine /dev/disk/by-id/virtio-dmleg0
  # The event types, oldest first (no jq in the guest: "type" is a key of
  # the events only).
  types=$(dmirrorctl --json status vol0 | grep -o '"type": *"[a-z_]*"' | sed 's/.*"\([a-z_]*\)"$/\1/' | tr '\n' ' ')
  types=${types% }
  echo "DMIRROR-OBSERVE: event-types: $types"
  [[ $types == *"activated deactivated activated" ]] && pass "the event history ends: activated, deactivated, activated" ||
    fail "the event history does not end with activated, deactivated, activated: $types"
  [[ $types != *unclean_shutdown* ]] && pass "no unclean_shutdown event" || fail "an unclean_shutdown event was recorded: $types"
  check "dmirror-volume@vol0.service is active again" wait_for 30 volume_unit_active
  observe status dmirrorctl status vol0
  check "dmirrorctl status vol0 exits 0" dmirrorctl status vol0
  finish
fi
for i in 0 1 2; do
  dev=/dev/disk/by-id/virtio-dmleg$i
  observe udev-leg$i udevadm info --query=property "$dev"
  if udevadm info --query=property "$dev" | grep -q '^ID_FS_TYPE=dmirror_member$'; then
    pass "udev tagged leg $i as dmirror_member"
  else
    fail "udev did not tag leg $i as dmirror_member"
  fi
done
observe dmsetup-table dmsetup table vol0
observe dmsetup-status dmsetup status vol0
check "dm-raid reports three in-sync legs" bash -c "dmsetup status vol0 | grep -q ' raid raid1 3 AAA '"
observe udev-volume udevadm info --query=property /dev/mapper/vol0
observe findmnt findmnt -n -o SOURCE,FSTYPE,TARGET /mnt/vol0
check "/mnt/vol0 is mounted from /dev/mapper/vol0" bash -c '[[ $(findmnt -n -o SOURCE /mnt/vol0) == /dev/mapper/vol0 ]]'
observe mount-unit systemctl show -p ActiveState -p Result mnt-vol0.mount
check "mnt-vol0.mount is active" systemctl is-active --quiet mnt-vol0.mount
observe status dmirrorctl status vol0
check "dmirrorctl status vol0 exits 0" dmirrorctl status vol0
check "the volume wants dmirror-volume@vol0.service, which is active" wait_for 30 volume_unit_active
observe volume-unit systemctl show -p ActiveState -p WantedBy -p Before dmirror-volume@vol0.service
check "the volume takes a write" bash -c 'echo "written at boot through /dev/mapper/vol0" >/mnt/vol0/hello && sync'
observe failed-units systemctl --failed --no-legend
finish
