#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One leg of two missing at boot: udev's incremental assembly records leg 0
# and schedules the transient last-resort timer; after the degraded timeout
# (5 s) it starts the array degraded, and /etc/fstab (nofail, device
# timeout 60 s) mounts it. `dmirrorctl status` exits 2. A file is written
# while degraded; then the host plugs leg 1 in (qemu device_add), udev's
# incremental path re-adds it to the live volume, the rebuild ends, and
# `dmirrorctl status` exits 0. The host checks both files on leg 1.
source /usr/local/lib/dmirror-boot/lib.sh
leg1=/dev/disk/by-id/virtio-dmleg1
if [[ $DMIRROR_BOOT == 1 ]] && grep -q -s '^dmleg1$' /sys/block/vd*/serial; then
  # A first boot with both legs: the array is activated once.
  check "the array was activated at the first boot with both legs" wait_for 120 \
    bash -c "dmsetup status vol0 2>/dev/null | grep -q ' raid raid1 2 AA '"
  observe dmsetup-status-boot1 dmsetup status vol0
  finish
fi
up() { dmsetup status vol0 2>/dev/null | grep -q ' raid raid1 '; }
mounted() { [[ $(findmnt -n -o SOURCE /mnt/vol0) == /dev/mapper/vol0 ]]; }
check "the array was started at boot with leg 1 missing" wait_for 120 up
check "/mnt/vol0 is mounted from /dev/mapper/vol0 (nofail, after the last resort)" wait_for 90 mounted
observe findmnt findmnt -n -o SOURCE,FSTYPE,TARGET /mnt/vol0
observe dmsetup-status dmsetup status vol0
observe timers systemctl list-timers --all --no-pager 'dmirror-last-resort-*'
observe last-resort-units systemctl list-units --all --no-legend --no-pager 'dmirror-last-resort-*' 'dmirror-incremental-*'
observe last-resort-journal journalctl -b --no-pager -o short-monotonic -u 'dmirror-last-resort-*'
check "a transient dmirror-last-resort timer was made" bash -c \
  "journalctl -b -o cat -u 'dmirror-last-resort-*' | grep -q . || systemctl list-units --all --no-legend 'dmirror-last-resort-*.timer' | grep -q ."
check "the last-resort service started the array degraded" bash -c \
  "journalctl -b -o cat -u 'dmirror-last-resort-*.service' | grep -q 'starting degraded'"
observe status-degraded dmirrorctl status vol0
dmirrorctl status vol0 >/dev/null 2>&1; rc=$?
[[ $rc -eq 2 ]] && pass "dmirrorctl status vol0 exits 2 (degraded)" || fail "dmirrorctl status vol0 exited $rc, not 2"
check "the degraded volume takes a write" bash -c \
  'head -c 4M /dev/urandom >/mnt/vol0/during.bin && sync -f /mnt/vol0/during.bin'
during=$(md5sum </mnt/vol0/during.bin | cut -d' ' -f1)
echo "DMIRROR-OBSERVE: md5-during: $during"
observe md5-before md5sum /mnt/vol0/before.bin

host_request hotplug
check "leg 1 appeared in the guest (hot-plugged)" wait_for 90 test -b "$leg1"
observe udev-leg1 udevadm info --query=property "$leg1"
# Re-added: the rebuild runs, then ends with both legs in sync.
insync() { dmirrorctl status vol0 >/dev/null 2>&1; }
check "the volume is back in sync with leg 1 (status exits 0)" wait_for 400 insync
observe re-add-units systemctl list-units --all --no-legend --no-pager 'dmirror-re-add-*' 'dmirror-incremental-*'
observe re-add-journal journalctl -b --no-pager -o short-monotonic -u 'dmirror-re-add-*' -u 'dmirror-incremental-*'
observe dmsetup-after dmsetup status vol0
observe dmsetup-table-after dmsetup table vol0
observe status-after dmirrorctl status vol0
# The table after a replace may keep the retired position: no rebuilding leg.
check "dm-raid reports no leg rebuilding" bash -c "dmsetup status vol0 | awk '{exit !(\$4 == \"raid1\" && \$6 !~ /a/)}'"
sync; echo 3 >/proc/sys/vm/drop_caches
check "during.bin reads back after the rebuild" test "$(md5sum </mnt/vol0/during.bin | cut -d' ' -f1)" = "$during"
observe failed-units systemctl --failed --no-legend
finish
