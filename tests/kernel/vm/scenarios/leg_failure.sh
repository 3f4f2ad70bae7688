# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario (b): leg 1 fails live (its data sub-device's table is swapped to
# `error`). The kernel fails it ('D'), status exits with the degraded bit,
# writes go on to leg 0, the monitor records the failure in our
# superblocks, and an online replace onto a third disk restores redundancy
# without ever dropping the surviving copy.
L0=/dev/vda
L1=/dev/vdb
L2=/dev/vdc

expect_rc 0 dmirrorctl create vol1 $L0 $L1 --yes --assume-clean --region-size 1M
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

expect_rc 2 dmirrorctl deactivate vol1
contains "slot 1 recorded as failed"
expect_rc 2 dmirrorctl status $L0 $L1
contains "failed"
expect_rc 2 dmirrorctl examine $L0 --events 20
contains "leg_failed"

# Back online with leg 1 still failed: it is rebuilt (passed with
# `rebuild` exactly once).
expect_rc 0 dmirrorctl activate $L0 $L1
contains "slot 1 is marked failed: rebuilt from the others"
wait_idle 120 $L0 $L1
check "leg 1 rebuilt" test "$(sum $L1 $((DATA + 10 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
expect_rc 0 dmirrorctl deactivate vol1
expect_rc 0 dmirrorctl status $L0 $L1

# Leg 1 fails live again; an online replace onto a third disk restores
# redundancy while the volume stays in use.
expect_rc 0 dmirrorctl activate $L0 $L1
contains "Activated 'vol1'"
expect_rc 0 dm-fault error vol1-data1
check "write while leg 1 fails again" dd if=/tmp/before of=/dev/mapper/vol1 bs=1M seek=20 oflag=direct
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
expect_rc 0 dmirrorctl deactivate vol1
