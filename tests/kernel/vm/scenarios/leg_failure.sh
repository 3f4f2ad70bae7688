# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario (b): leg 1 fails live (its data sub-device's table is swapped to
# `error`). The kernel fails it ('D'), status exits with the degraded bit,
# writes go on to leg 0, the monitor records the failure in our
# superblocks, and an online replace onto a third disk restores redundancy
# without ever dropping the surviving copy.
L0=/dev/vda
L1=/dev/vdb
L2=/dev/vdc

# A recovery rate limit makes each rebuild take a few seconds, long enough
# to watch the health characters while it runs.
expect_rc 0 dmirrorctl create vol1 $L0 $L1 --yes --assume-clean --region-size 1M --max-recovery-rate 16M
head -c $((2 * MIB)) /dev/urandom >/tmp/before
head -c $((2 * MIB)) /dev/urandom >/tmp/after
check "write before the failure" dd if=/tmp/before of=/dev/mapper/vol1 bs=1M seek=2 oflag=direct

expect_rc 0 dm-fault error vol1-data1
check "write while leg 1 fails" dd if=/tmp/after of=/dev/mapper/vol1 bs=1M seek=10 oflag=direct
expect_rc 2 dmirrorctl status $L0 $L1
contains "Kernel:      AD"
contains "slot 1  position 1  D failed"
check "data written before the failure reads back" test "$(sum /dev/mapper/vol1 $((2 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/before | cut -d' ' -f1)"
check "data written during the failure reads back" test "$(sum /dev/mapper/vol1 $((10 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
check "leg 0 has the new data" test "$(sum $L0 $((DATA + 10 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
check "leg 1 missed it" test "$(sum $L1 $((DATA + 10 * MIB)) $((2 * MIB)))" != "$(md5sum </tmp/after | cut -d' ' -f1)"

expect_rc 2 dmirrorctl monitor --oneshot --stderr --exec 'env | grep ^DMIRROR_ >/tmp/hook1'
contains "slot 1 (/dev/vdb) failed; recorded in the array metadata"
check "the hook saw the failure" grep -q '^DMIRROR_EVENT=leg-failed' /tmp/hook1
check "the hook got the slot" grep -q '^DMIRROR_LEG=1' /tmp/hook1
check "the hook got the array" grep -q '^DMIRROR_ARRAY=vol1' /tmp/hook1
expect_rc 2 dmirrorctl status $L0 $L1
contains "slot 1  /dev/vdb                 failed"
expect_rc 0 dmirrorctl deactivate vol1
contains "final kernel status AD"
contains "warning: 'vol1' was deactivated while degraded"
expect_rc 2 dmirrorctl status $L0 $L1
contains "failed"
expect_rc 2 dmirrorctl examine $L0 --events 20
contains "leg_failed"

# Back online with leg 1 still failed: it is left out unless re-added;
# --re-add rebuilds it (passed with `rebuild` exactly once).
expect_rc 0 dmirrorctl activate --re-add $L0 $L1
contains "slot 1 is marked failed and re-added (--re-add): rebuilt in full from the others"
wait_idle 120 $L0 $L1
check "leg 1 rebuilt" test "$(sum $L1 $((DATA + 10 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
expect_rc 0 dmirrorctl deactivate vol1
expect_rc 0 dmirrorctl status $L0 $L1

# Leg 1 fails live again; an online replace onto a third disk restores
# redundancy while the volume stays in use.
expect_rc 0 dmirrorctl activate $L0 $L1
contains "Activated 'vol1'"
dmirrorctl monitor --stderr --exec 'env | grep ^DMIRROR_ >>/tmp/hook2' >/tmp/monitor.log 2>&1 &
monitor=$!
sleep 1
expect_rc 0 dm-fault error vol1-data1
check "write while leg 1 fails again" dd if=/tmp/before of=/dev/mapper/vol1 bs=1M seek=20 oflag=direct
sleep 2
check "the waiting monitor saw the failure" grep -q '^DMIRROR_EVENT=leg-failed' /tmp/hook2
kill -TERM $monitor
# SIGTERM (systemd's stop) ends the waiting monitor at its next check, exit 0.
monitor_rc=0
wait $monitor || monitor_rc=$?
check "the monitor stops on SIGTERM with exit 0 (got $monitor_rc)" test "$monitor_rc" -eq 0
sed 's/^/    | /' /tmp/monitor.log
expect_rc 2 dmirrorctl status vol1
expect_rc 0 dmirrorctl replace vol1 --old 1 --new $L2
contains "replaced by $L2 (slot 2) online"
expect_rc 0 dmirrorctl status $L0 $L2
contains "Kernel:      AA idle"
check "new leg holds the data" test "$(sum $L2 $((DATA + 20 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/before | cut -d' ' -f1)"
check "new leg holds older data too" test "$(sum $L2 $((DATA + 10 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
check "old sub-devices are gone" test ! -e /dev/mapper/vol1-data1
expect_rc 0 dmirrorctl examine $L0 --events 30
contains "replace_finished"
expect_rc 0 dmirrorctl deactivate vol1
expect_rc 0 dmirrorctl status $L0 $L2
contains "removed"
expect_rc 0 dmirrorctl activate vol1
contains "2 of 2 legs"

# A healthy leg replaced online: while the new leg rebuilds, the old one
# still counts (three legs, health AAa), so redundancy never drops.
(while :; do dm-fault status vol1 2>/dev/null | cut -d' ' -f6; sleep 0.2; done) >/tmp/health &
watcher=$!
expect_rc 0 dmirrorctl replace vol1 --old 0 --new $L1 --force
kill $watcher
info "health seen during the replace: $(sort -u /tmp/health | tr '\n' ' ')"
check "three legs, the old ones in sync, while the new one rebuilt" grep -q '^AAa$' /tmp/health
check "never fewer than two in-sync legs" sh -c "! grep -q -e '^Aa$' -e '^aA$' -e '^A-' -e 'D' /tmp/health"
expect_rc 0 dmirrorctl status vol1
contains "Kernel:      AA idle"
check "the replacement holds the data" test "$(sum $L1 $((DATA + 20 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/before | cut -d' ' -f1)"
expect_rc 0 dmirrorctl deactivate vol1

# A leg that failed and was left out at the next activation ("- -" in the
# table) replaced online: the new leg is rebuilt in its place (no change
# of the leg count, "raid1 2 Aa recover"), and the replace waits for the
# new leg's own kernel superblock to prove it in sync, so what was written
# while the set ran degraded is on the new leg the moment it returns.
expect_rc 0 dmirrorctl activate vol1
expect_rc 0 dm-fault error vol1-data2
check "write while slot 2 fails" dd if=/tmp/after of=/dev/mapper/vol1 bs=1M seek=30 oflag=direct
expect_rc 2 dmirrorctl monitor --oneshot --stderr
expect_rc 0 dmirrorctl deactivate vol1
expect_rc 0 dmirrorctl activate vol1
contains "slot 2 is failed: left out"
head -c $((4 * MIB)) /dev/urandom >/tmp/degraded
check "write while slot 2 is left out" dd if=/tmp/degraded of=/dev/mapper/vol1 bs=1M seek=40 oflag=direct
(while :; do info "kernel during the replace: $(dm-fault status vol1 2>&1 | tr '\n' ' ')"; sleep 2; done) &
watcher=$!
expect_rc 0 dmirrorctl replace vol1 --old 2 --new $L0 --force
kill $watcher
contains "online"
check "the new leg holds the writes made while the set was degraded" test "$(sum $L0 $((DATA + 40 * MIB)) $((4 * MIB)))" = "$(md5sum </tmp/degraded | cut -d' ' -f1)"
check "the new leg holds the write made as slot 2 failed" test "$(sum $L0 $((DATA + 30 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
expect_rc 0 dmirrorctl status vol1
contains "Kernel:      AA idle"
expect_rc 0 dmirrorctl deactivate vol1
# The regions dirty when slot 2 failed stay in the journal (handed to the
# kernel at the degraded activation, they are kept at the import): a resync
# settles them.
expect_rc 0 dmirrorctl resync $L0 $L1
expect_rc 0 dmirrorctl status $L0 $L1
contains "clean, in sync"

# A leg whose every read fails, not only its data sub-device's (a disk gone
# bad, a dead network link): the online commands leave it out and go on
# with the others. Status reports it, the monitor records the failure and
# deactivate ends the volume; the leg is failed in the metadata after.
expect_rc 0 dm-fault linear bad2 $L2
expect_rc 0 dmirrorctl create vol9 $L1 /dev/mapper/bad2 --yes --assume-clean --force --region-size 1M
# The disk under bad2 shows the same superblock: the scan by name keeps
# the device on top, so the leg is not counted twice (a duplicate).
expect_rc 0 dmirrorctl status vol9
check "the leg is found as the dm device on top" sh -c "dmirrorctl status vol9 | grep -Eq '^  slot 1 +/dev/dm-'"
check "the disk under it is no second copy" sh -c "! dmirrorctl status vol9 | grep -q -e duplicate -e $L2"
check "write with both legs" dd if=/tmp/before of=/dev/mapper/vol9 bs=1M seek=2 oflag=direct
expect_rc 0 dm-fault error bad2
check "write while the whole of leg 1 fails" dd if=/tmp/after of=/dev/mapper/vol9 bs=1M seek=10 oflag=direct
expect_rc 2 dmirrorctl status vol9
contains "Kernel:      AD"
expect_rc 2 dmirrorctl monitor --oneshot --stderr
contains "failed; recorded in the array metadata"
expect_rc 0 dmirrorctl deactivate vol9
expect_rc 2 dmirrorctl status $L1
contains "failed"
check "the data written while leg 1 failed is on leg 0" test "$(sum $L1 $((DATA + 10 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
expect_rc 0 dm-fault remove bad2
