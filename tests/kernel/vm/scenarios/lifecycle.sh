# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario (a): create (formats and activates), status, deactivate,
# activate by name; data written through the volume reads back afterwards
# and sits on both legs. Then the same with image files on loop devices,
# which deactivate detaches again.
L0=/dev/vda
L1=/dev/vdb

expect_rc 0 dmirrorctl create vol0 $L0 $L1 --yes --region-size 512K
contains "Activated 'vol0' as /dev/mapper/vol0"
contains "full initial sync"
check "/dev/mapper/vol0 exists" test -b /dev/mapper/vol0
wait_idle 120 $L0 $L1
expect_rc 0 dmirrorctl status $L0 $L1
contains "Online:      /dev/mapper/vol0"

head -c $((3 * MIB)) /dev/urandom >/tmp/pattern
want=$(md5sum </tmp/pattern | cut -d' ' -f1)
check "write 3 MiB at 3 MiB through the volume" dd if=/tmp/pattern of=/dev/mapper/vol0 bs=1M seek=3 oflag=direct
expect_rc 0 dmirrorctl deactivate vol0
contains "final kernel status AA idle"
check "/dev/mapper/vol0 is gone" test ! -e /dev/mapper/vol0
expect_rc 0 dmirrorctl status $L0 $L1
contains "State:       clean, in sync"
expect_rc 0 dmirrorctl examine $L0
contains "deactivated"

info "pattern $want, leg 0 $(sum $L0 $((DATA + 3 * MIB)) $((3 * MIB))), leg 1 $(sum $L1 $((DATA + 3 * MIB)) $((3 * MIB)))"
check "leg 0 holds the data" test "$(sum $L0 $((DATA + 3 * MIB)) $((3 * MIB)))" = "$want"
check "leg 1 holds the data" test "$(sum $L1 $((DATA + 3 * MIB)) $((3 * MIB)))" = "$want"

expect_rc 0 dmirrorctl activate vol0
contains "Activated 'vol0'"
check "no sync after a clean deactivation" sh -c "dmirrorctl status $L0 $L1 | grep -Eq '^Kernel: +AA idle'"
check "data reads back after reactivation" test "$(sum /dev/mapper/vol0 $((3 * MIB)) $((3 * MIB)))" = "$want"
expect_rc 0 dmirrorctl --json status vol0
contains '"active": true'
contains '"health_chars": "AA"'
expect_rc 16 dmirrorctl activate vol0 --bogus-option
expect_rc 8 dmirrorctl activate vol0
contains "already active"
expect_rc 0 dmirrorctl deactivate vol0
expect_rc 8 dmirrorctl deactivate vol0
contains "no volume 'vol0' is active"

# A degraded start only on request; the missing leg is recorded missing
# (not failed), misses writes, and is rebuilt in full when it returns.
expect_rc 8 dmirrorctl activate $L0
contains "--degraded"
expect_rc 0 dmirrorctl activate $L0 --degraded
contains "starting degraded: slot(s) 1 missing"
contains "warning: array 'vol0' is active but degraded"
check "write while degraded" dd if=/tmp/pattern of=/dev/mapper/vol0 bs=1M seek=20 oflag=direct
expect_rc 0 dmirrorctl deactivate vol0
check "the missing leg is not recorded as failed" sh -c "! echo \"\$1\" | grep -q 'recorded as failed'" - "$OUT"
contains "warning: 'vol0' was deactivated while degraded"
dmirrorctl examine $L0 --events 10 >/tmp/examine.out 2>&1
check "the event history records the leg missing" grep -q leg_missing /tmp/examine.out
expect_rc 0 dmirrorctl activate $L0 $L1
contains "slot 1 is stale (it missed updates): rebuilt in full from the others"
wait_idle 120 $L0 $L1
expect_rc 0 dmirrorctl deactivate vol0
check "the returning leg was rebuilt" test "$(sum $L1 $((DATA + 20 * MIB)) $((3 * MIB)))" = "$want"

# Image files: put on loop devices by activate, detached by deactivate.
truncate -s 24M /tmp/a.img /tmp/b.img
expect_rc 0 dmirrorctl create vimg /tmp/a.img /tmp/b.img --yes --assume-clean
contains "no initial sync (nosync)"
check "loop devices attached" sh -c "losetup -a | grep -q a.img && losetup -a | grep -q b.img"
check "data of the image volume" dd if=/tmp/pattern of=/dev/mapper/vimg bs=1M oflag=direct
expect_rc 0 dmirrorctl deactivate vimg
contains "detached"
check "loop devices detached" sh -c "! losetup -a | grep -q img"
expect_rc 0 dmirrorctl activate /tmp/a.img /tmp/b.img
check "image volume data reads back" test "$(sum /dev/mapper/vimg 0 $((3 * MIB)))" = "$want"
expect_rc 0 dmirrorctl deactivate vimg
