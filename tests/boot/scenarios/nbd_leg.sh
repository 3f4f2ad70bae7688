#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One leg on a network block device: nbd-server in the guest exports a file
# on 127.0.0.1 and nbd-client makes it /dev/nbd0, leg 1 of vol0 (leg 0 is a
# virtio disk; the array's degraded timeout is `never`, so udev waits for
# the remote leg). Boot 1: udev assembles vol0 when nbd0 connects; 8 MiB are
# written, nbd-server is killed (-9: the link drops), 8 MiB more are
# written; dm-raid fails leg 1 ('D'), the volume keeps taking writes and
# reading back, `dmirrorctl status` exits 2. While the dead leg is held by
# the table, the kernel refuses a new connection on nbd0 ("already in use")
# and the online commands cannot read it, so the link comes back with the
# next boot. Boot 2: nbd0 connects again; udev activates vol0 with slot 1
# left out (recorded failed when boot 1's kernel state was imported); the
# administrator re-adds it: deactivate, `dmirrorctl resync --re-add` (a
# full copy onto it), activate; `dmirrorctl status` exits 0, the data
# reads back with the checksum written in boot 1, and vol0 is deactivated.
source /usr/local/lib/dmirror-boot/lib.sh
conf=/etc/dmirror-nbd/server.conf
nbd_server_pids() {
  local p
  for p in /proc/[0-9]*; do [[ $(cat "$p/comm" 2>/dev/null) == nbd-server ]] && echo "${p#/proc/}"; done
  return 0
}
connect() {
  observe modprobe modprobe nbd
  check "nbd-server serves leg1 on 127.0.0.1" nbd-server -C "$conf"
  # A request timeout, as README advises: without one, a request in flight
  # when the link drops can wait for ever (and the volume with it).
  observe nbd-client nbd-client 127.0.0.1 -N leg1 /dev/nbd0 -timeout 30
}
volume_md5() { dd if=/dev/mapper/vol0 bs=1M count=16 iflag=direct status=none | md5sum | cut -d' ' -f1; }
insync() { dmirrorctl status vol0 >/dev/null 2>&1; }

if [[ $DMIRROR_BOOT == 1 ]]; then
  connect
  up() { dmsetup status vol0 2>/dev/null | grep -q ' raid raid1 2 AA '; }
  check "udev activated vol0 once nbd0 connected (both legs alive)" wait_for 90 up
  observe table dmsetup table
  observe status-before dmirrorctl status vol0
  head -c 16M /dev/urandom >/root/data.bin
  md5=$(md5sum </root/data.bin | cut -d' ' -f1)
  echo "$md5" >/root/data.md5
  echo "DMIRROR-OBSERVE: md5-written: $md5"
  check "the first 8 MiB are written with both legs up" \
    dd if=/root/data.bin of=/dev/mapper/vol0 bs=1M count=8 oflag=direct conv=fsync status=none
  pids=$(nbd_server_pids)
  observe nbd-server-pids echo $pids
  check "nbd-server killed (the link to leg 1 drops)" kill -9 $pids
  check "the next 8 MiB are written after the link dropped" \
    dd if=/root/data.bin of=/dev/mapper/vol0 bs=1M skip=8 seek=8 count=8 oflag=direct conv=fsync status=none
  failed() { dmsetup status vol0 | grep -q ' raid raid1 2 AD '; }
  check "dm-raid failed leg 1 (AD)" wait_for 60 failed
  observe dmsetup-failed dmsetup status vol0
  check "the volume reads back what was written" test "$(volume_md5)" = "$md5"
  observe status-failed dmirrorctl status vol0
  observe kernel-log bash -c "dmesg | grep -E 'nbd0: (Dead|Receive)|md/raid1' | tail -n 6"
  finish
fi

# Boot 2: the link is back.
connect
active() { dmsetup status vol0 2>/dev/null | grep -q ' raid raid1 '; }
check "udev activated vol0 once nbd0 connected again" wait_for 90 active
observe dmsetup-boot2 dmsetup status vol0
observe status-boot2 dmirrorctl status vol0
check "the volume reads back the data written in boot 1 (from leg 0)" test "$(volume_md5)" = "$(cat /root/data.md5)"
# The re-add: a full copy onto the leg that failed, offline (the volume is
# taken down for it), as the finding above says; then activated again.
# dmirror's udev rule is masked meanwhile (/run/udev/rules.d): closing the
# legs after writing raises change events (udev watches vd* and nbd*), on
# which the incremental assembly would activate the array again before the
# copy. (Holding udev's whole queue would also hold the dm events that
# activate and deactivate wait for.)
udevadm settle
mkdir -p /run/udev/rules.d && : >/run/udev/rules.d/69-dmirror.rules && udevadm control --reload
check "vol0 deactivates with slot 1 left out" dmirrorctl deactivate vol0
udevadm settle
observe re-add dmirrorctl resync --re-add /dev/disk/by-id/virtio-dmleg0 /dev/nbd0
observe status-offline dmirrorctl status /dev/disk/by-id/virtio-dmleg0 /dev/nbd0
observe activate dmirrorctl activate vol0
udevadm settle
rm -f /run/udev/rules.d/69-dmirror.rules && udevadm control --reload
both() { dmsetup status vol0 2>/dev/null | grep -q ' raid raid1 2 AA '; }
check "vol0 is active again with both legs in sync (AA)" wait_for 60 both
observe dmsetup-after dmsetup status vol0
observe table-after dmsetup table
observe status-after dmirrorctl status vol0
echo 3 >/proc/sys/vm/drop_caches
check "the data written in boot 1 reads back" test "$(volume_md5)" = "$(cat /root/data.md5)"
# Taken down while the link is up (at shutdown nbd-server, a process of
# this scenario's service, would be gone before the volume is deactivated).
check "vol0 deactivates cleanly with both legs up" dmirrorctl deactivate vol0
observe nbd-disconnect nbd-client -d /dev/nbd0
finish
