#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The leg set of an active volume changes while its ext4 file system,
# mounted from /etc/fstab, stays mounted: udev assembles the two-leg vol0
# at boot; `add` joins dmleg2 while a writer keeps writing (AAA), `remove`
# takes slot 0 (dmleg0) out, `add` joins dmnew, `split` takes dmleg2 off as
# array snap0 (it holds the file system as of the split, checked read-only
# through a linear view of its data area), files are written on the volume,
# and `merge` brings snap0 back (AAA, idle). Every file written so far is
# checked after each step; `dmirrorctl status` exits 0 at the end.
source /usr/local/lib/dmirror-boot/lib.sh
ID=/dev/disk/by-id/virtio
# settled HEALTH: dm-raid's health characters of vol0 are HEALTH once the
# positions out of the table ('-') are left out, and no sync action runs.
settled() {
  local h
  h=$(dmsetup status vol0 2>/dev/null | awk '$4 == "raid1" && $8 == "idle" {print $6}')
  [[ -n $h && ${h//-/} == "$1" ]]
}
# run KEY WHAT COMMAND...: observes the command's output; PASS when it
# exits 0. Returns its status.
run() {
  local key=$1 what=$2 rc; shift 2
  observe "$key" "$@" >/tmp/run.out 2>&1; rc=$?
  cat /tmp/run.out
  if [[ $rc -eq 0 ]]; then pass "$what"; else fail "$what (exit $rc: $*)"; fi
  return $rc
}
# incremental_idle: no `activate --incremental` run of udev's (the transient
# dmirror-incremental-* services) is queued or running.
incremental_idle() {
  ! systemctl list-units --all --no-legend --plain 'dmirror-incremental-*' 2>/dev/null |
    awk '$3 ~ /^(active|activating|deactivating|reloading)$/' | grep -q . &&
    ! systemctl list-jobs --no-legend 2>/dev/null | grep -q dmirror-incremental
}
check "udev activated vol0 with two in-sync legs" wait_for 120 settled AA
check "/mnt/vol0 is mounted" wait_for 60 mountpoint -q /mnt/vol0
observe findmnt findmnt -n -o SOURCE,FSTYPE,TARGET /mnt/vol0
observe status-boot dmirrorctl status vol0
mkdir -p /mnt/vol0/w

# writer PREFIX: 128 KiB files, each synced before its md5 is recorded in
# /root/synced.md5, until /run/stop-writer exists.
writer() {
  local i=0 f
  while [[ ! -e /run/stop-writer ]]; do
    f=$1$i
    head -c 128K /dev/urandom >/mnt/vol0/w/$f && sync -f /mnt/vol0/w/$f || { echo "writer: $f failed" >&2; return 1; }
    echo "$(md5sum </mnt/vol0/w/$f | cut -d' ' -f1)  $f" >>/root/synced.md5
    i=$((i + 1))
  done
}
# write_files PREFIX N: N more files, each synced and recorded like the writer's.
write_files() {
  local i f
  for ((i = 0; i < $2; i++)); do
    f=$1$i
    head -c 128K /dev/urandom >/mnt/vol0/w/$f && sync -f /mnt/vol0/w/$f || return 1
    echo "$(md5sum </mnt/vol0/w/$f | cut -d' ' -f1)  $f" >>/root/synced.md5
  done
}
# verify WHEN: every recorded file reads back with its md5 (page cache dropped).
verify() {
  sync; echo 3 >/proc/sys/vm/drop_caches
  check "every file written so far reads back intact $1 ($(wc -l </root/synced.md5) files)" \
    bash -c "cd /mnt/vol0/w && md5sum --quiet -c /root/synced.md5"
}
check "16 files written on the mounted volume" write_files b 16
verify "at boot"

# add: a third leg, rebuilt by the kernel while the writer writes.
rm -f /run/stop-writer
writer a & wpid=$!
run add "dmirrorctl add vol0 --new dmleg2 (writer running) exits 0" dmirrorctl add vol0 --new $ID-dmleg2
touch /run/stop-writer
wait "$wpid"; wrc=$?
[[ $wrc -eq 0 ]] && pass "the writer saw no error during the add ($(grep -c '  a' /root/synced.md5) files)" ||
  fail "the writer stopped with an error during the add (rc $wrc)"
check "dm-raid runs three in-sync legs, idle (AAA)" wait_for 300 settled AAA
observe dmsetup-add dmsetup status vol0
verify "after the add"

# remove: slot 0 (dmleg0), the file system still mounted.
run remove "dmirrorctl remove vol0 --leg dmleg0 exits 0" dmirrorctl remove vol0 --leg $ID-dmleg0
check "dm-raid runs two in-sync legs, idle (AA)" wait_for 60 settled AA
observe dmsetup-remove dmsetup status vol0
observe examine-removed dmirrorctl examine $ID-dmleg0
verify "after the remove"

# add again: dmnew, so that a split leaves two in-sync legs.
run add2 "dmirrorctl add vol0 --new dmnew exits 0" dmirrorctl add vol0 --new $ID-dmnew
check "dm-raid runs three in-sync legs, idle, after the second add" wait_for 300 settled AAA
observe dmsetup-add2 dmsetup status vol0
check "8 files written after the second add" write_files c 8
verify "after the second add"

# split: dmleg2 off as snap0; the volume runs on without it.
sync
cp /root/synced.md5 /root/at-split.md5
# The uevents of the block devices from here on (the split-off leg's
# superblock is rewritten: udev's watch sends it a change event).
udevadm monitor --udev --subsystem-match=block >/root/uevents 2>&1 & monpid=$!
run split "dmirrorctl split vol0 --leg dmleg2 --name snap0 exits 0" dmirrorctl split vol0 --leg $ID-dmleg2 --name snap0
observe dmsetup-split dmsetup status vol0
observe status-split dmirrorctl status vol0
splitrc=$(dmirrorctl status vol0 >/dev/null 2>&1; echo $?)
[[ $splitrc -eq 2 ]] && pass "dmirrorctl status exits 2 while a slot is split off (one copy fewer)" ||
  fail "dmirrorctl status exits $splitrc while a slot is split off, not 2"
check "dm-raid runs two in-sync legs and the split position is out" \
  bash -c "[[ \$(dmsetup status vol0 | awk '{print \$6}' | tr -cd A) == AA ]]"
check "8 files written on the volume after the split" write_files d 8
verify "after the split"

# The split-off leg holds the file system as of the split: read through a
# read-only linear view of its data area (offset and size from examine).
ex=$(dmirrorctl examine --json $ID-dmleg2 2>/dev/null)
off=$(grep -o '"data_offset": *[0-9]*' <<<"$ex" | head -n1 | grep -o '[0-9]*$')
size=$(grep -o '"data_size": *[0-9]*' <<<"$ex" | head -n1 | grep -o '[0-9]*$')
echo "DMIRROR-OBSERVE: snap-area: offset=$off size=$size"
check "a read-only linear view of snap0's data area" \
  dmsetup create --readonly snapview --table "0 $((size / 512)) linear $(readlink -f $ID-dmleg2) $((off / 512))"
udevadm settle
run fsck-snap "e2fsck -f -n on the split-off leg exits 0" /sbin/e2fsck -f -n /dev/mapper/snapview
mkdir -p /snap
check "the split-off leg's file system mounts read-only" mount -t ext4 -o ro,noload /dev/mapper/snapview /snap
check "it holds every file written before the split, intact ($(wc -l </root/at-split.md5) files)" \
  bash -c "cd /snap/w && md5sum --quiet -c /root/at-split.md5"
check "it does not hold the files written after the split" bash -c "! ls /snap/w/d* >/dev/null 2>&1"
umount /snap
check "the linear view is removed" dmsetup remove snapview

# The split rewrote the split-off leg's superblock: udev's watch sends it a
# change event, and `activate --incremental` refuses the tracked split-off
# array (holding its leg's lock meanwhile: merge would refuse). The refusal
# opens nothing writable, so it starts no further change event (no loop).
refused() { journalctl -b -o cat -u 'dmirror-incremental-*' | grep -c "cannot activate array 'snap0'"; }
udevadm settle
check "udev's activate --incremental runs have ended" wait_for 120 incremental_idle
n_refused=$(refused)
sleep 15; udevadm settle
check "no activate --incremental run of the split-off leg started in 15 s (no change-event loop; $n_refused refused so far)" \
  test "$(refused)" = "$n_refused"
check "udev's activate --incremental runs have ended again" wait_for 120 incremental_idle
kill "$monpid" 2>/dev/null
observe uevents-split grep -a -E '^UDEV' /root/uevents
observe incremental-split journalctl -b --no-pager -o short-monotonic -u 'dmirror-incremental-*' -n 30

# merge: snap0 back into the volume, still mounted.
if run merge "dmirrorctl merge vol0 snap0 exits 0" dmirrorctl merge vol0 snap0; then
  check "dm-raid runs three in-sync legs, idle, after the merge" wait_for 300 settled AAA
fi
observe dmsetup-merge dmsetup status vol0
verify "after the merge"
check "8 files written after the merge" write_files e 8
verify "at the end"
run status-end "dmirrorctl status vol0 exits 0 at the end" dmirrorctl status vol0
observe examine-end dmirrorctl examine $ID-dmleg1
observe incremental-journal journalctl -b --no-pager -o short-monotonic -u 'dmirror-incremental-*'
echo "DMIRROR-OBSERVE: synced-count: $(wc -l </root/synced.md5)"
sed 's/^/DMIRROR-OBSERVE: synced: /' /root/synced.md5
observe failed-units systemctl --failed --no-legend
finish
