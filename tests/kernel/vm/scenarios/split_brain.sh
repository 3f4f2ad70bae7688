# SPDX-License-Identifier: LGPL-2.1-or-later
# Split brain: each leg is activated and written alone (--degraded).
# Activation of both is refused (exit 12, naming both legs) and writes
# nothing; `activate --force --from LEG` activates from the chosen leg,
# rebuilds the other from it and records the choice in the event history.
L0=/dev/vda
L1=/dev/vdb

expect_rc 0 dmirrorctl create vol8 $L0 $L1 --yes --assume-clean --region-size 1M
expect_rc 0 dmirrorctl deactivate vol8
head -c $((2 * MIB)) /dev/urandom >/tmp/a
head -c $((2 * MIB)) /dev/urandom >/tmp/b
a=$(md5sum </tmp/a | cut -d' ' -f1)
b=$(md5sum </tmp/b | cut -d' ' -f1)

expect_rc 0 dmirrorctl activate --degraded $L0
check "write A with leg 0 alone" dd if=/tmp/a of=/dev/mapper/vol8 bs=1M seek=12 oflag=direct
expect_rc 0 dmirrorctl deactivate vol8
expect_rc 0 dmirrorctl activate --degraded $L1
check "write B with leg 1 alone" dd if=/tmp/b of=/dev/mapper/vol8 bs=1M seek=12 oflag=direct
expect_rc 0 dmirrorctl deactivate vol8

before0=$(sum_mib $L0 0 $((64 * MIB)))
before1=$(sum_mib $L1 0 $((64 * MIB)))
expect_rc 12 dmirrorctl activate $L0 $L1
contains "split brain"
contains "$L0 (slot 0"
contains "$L1 (slot 1"
contains "--from"
check "nothing activated" test ! -e /dev/mapper/vol8
check "the refusal left leg 0 byte-identical" test "$(sum_mib $L0 0 $((64 * MIB)))" = "$before0"
check "the refusal left leg 1 byte-identical" test "$(sum_mib $L1 0 $((64 * MIB)))" = "$before1"

expect_rc 0 dmirrorctl activate --force --from $L1 $L0 $L1
contains "split brain resolved: slot 1 ($L1) chosen"
contains "slot 0 is stale"
check "reads return leg 1's data" test "$(sum /dev/mapper/vol8 $((12 * MIB)) $((2 * MIB)))" = "$b"
wait_idle 120 $L0 $L1
expect_rc 0 dmirrorctl deactivate vol8
check "leg 0 was rebuilt from leg 1" test "$(sum $L0 $((DATA + 12 * MIB)) $((2 * MIB)))" = "$b"
check "legs identical" test "$(sum_mib $L0 $DATA $((55 * MIB)))" = "$(sum_mib $L1 $DATA $((55 * MIB)))"
expect_rc 0 dmirrorctl status $L0 $L1
contains "clean, in sync"
expect_rc 0 dmirrorctl examine $L0 --events 20
contains "split_brain_resolved"
