#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Three legs and a spare, dmirror-monitor.service running: a leg fails
# under write load (its data sub-device vol0-data1 swapped to an error
# table); dm-raid marks it failed, the monitor records it and replaces it
# online by the spare, the rebuild ends, and every file the writer synced
# reads back with the checksum it had when written.
source /usr/local/lib/dmirror-boot/lib.sh
up() { dmsetup status vol0 2>/dev/null | grep -q ' raid raid1 3 AAA '; }
check "udev activated vol0 with three in-sync legs" wait_for 120 up
check "/mnt/vol0 is mounted" wait_for 60 mountpoint -q /mnt/vol0
check "dmirror-monitor.service is running" wait_for 30 systemctl is-active --quiet dmirror-monitor.service
observe status-before dmirrorctl status vol0
observe dmsetup-table dmsetup table
mkdir -p /mnt/vol0/w
# The writer: 256 KiB files, each synced before its checksum is recorded.
writer() {
  local i=0
  while [[ ! -e /run/stop-writer ]]; do
    head -c 256K /dev/urandom >/mnt/vol0/w/w$i && sync -f /mnt/vol0/w/w$i || { echo "writer: w$i failed" >&2; return 1; }
    echo "$(md5sum </mnt/vol0/w/w$i | cut -d' ' -f1)  w$i" >>/root/synced.md5
    i=$((i + 1))
  done
}
writer & wpid=$!
written() { [[ $(wc -l </root/synced.md5 2>/dev/null || echo 0) -ge $1 ]]; }
check "the writer synced 5 files" wait_for 60 written 5
observe table-data1 dmsetup table vol0-data1
sectors=$(dmsetup table vol0-data1 | awk 'NR == 1 {print $2}')
check "leg 1's data sub-device swapped to an error table" bash -c \
  "dmsetup reload vol0-data1 --table '0 $sectors error' && dmsetup resume vol0-data1"
failed() { dmsetup status vol0 | grep -q -E ' raid raid1 [34] [AaD]*D'; }
check "dm-raid marked the leg failed" wait_for 60 failed
observe dmsetup-failed dmsetup status vol0
n_fail=$(wc -l </root/synced.md5)
written_more() { written $((n_fail + 5)); }
check "the writer synced 5 more files after the failure" wait_for 120 written_more
# The take-over: the spare rebuilt, the failed slot removed; status exits 0.
insync() { dmirrorctl status vol0 >/dev/null 2>&1; }
check "the volume is back in sync on the spare (status exits 0)" wait_for 400 insync
touch /run/stop-writer
wait "$wpid"; wrc=$?
[[ $wrc -eq 0 ]] && pass "the writer never saw an error" || fail "the writer stopped with an error (rc $wrc)"
observe monitor-journal journalctl -b --no-pager -o short-monotonic -u dmirror-monitor.service
observe dmsetup-after dmsetup status vol0
observe status-after dmirrorctl status vol0
# The table after a replace may keep the retired position: no rebuilding leg.
check "dm-raid reports no leg rebuilding" bash -c "dmsetup status vol0 | awk '{exit !(\$4 == \"raid1\" && \$6 !~ /a/)}'"
sync; echo 3 >/proc/sys/vm/drop_caches
check "every synced file reads back with its checksum" bash -c "cd /mnt/vol0/w && md5sum --quiet -c /root/synced.md5"
echo "DMIRROR-OBSERVE: synced-count: $(wc -l </root/synced.md5)"
sed 's/^/DMIRROR-OBSERVE: synced: /' /root/synced.md5
observe failed-units systemctl --failed --no-legend
finish
