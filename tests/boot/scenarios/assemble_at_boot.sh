#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Three legs present at boot: udev (69-dmirror.rules) assembles the array,
# /etc/fstab mounts its volume at boot, `dmirrorctl status` exits 0.
source /usr/local/lib/dmirror-boot/lib.sh
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
check "the volume takes a write" bash -c 'echo "written at boot through /dev/mapper/vol0" >/mnt/vol0/hello && sync'
observe failed-units systemctl --failed --no-legend
finish
