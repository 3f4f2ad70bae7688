# SPDX-License-Identifier: LGPL-2.1-or-later
# A never-activated array is refused a degraded first start (the kernel
# needs every leg once). A missing leg: activation without it is refused (naming the leg and
# --degraded) and writes nothing; with --degraded it starts, the leg is
# recorded missing (not failed); when it returns it is rebuilt.
L0=/dev/vda
L1=/dev/vdb

# Never active (create --no-activate): no leg carries the kernel's metadata,
# and dm-raid creates it only with every leg there, so a degraded first
# start is refused before the kernel is asked, changing nothing.
expect_rc 0 dmirrorctl create vol7 $L0 $L1 --yes --assume-clean --region-size 1M --no-activate
before0=$(sum_mib $L0 0 $((64 * MIB)))
expect_rc 8 dmirrorctl activate --degraded $L0
contains "has never been active"
contains "slot(s) 1 absent"
check "nothing activated (never active)" test ! -e /dev/mapper/vol7
check "leg 0 byte-identical (never active)" test "$(sum_mib $L0 0 $((64 * MIB)))" = "$before0"
expect_rc 0 dmirrorctl activate $L0 $L1
expect_rc 0 dmirrorctl deactivate vol7

before0=$(sum_mib $L0 0 $((64 * MIB)))
before1=$(sum_mib $L1 0 $((64 * MIB)))
expect_rc 8 dmirrorctl activate $L0
contains "slot 1 (leg uuid"
contains "--degraded"
check "nothing activated" test ! -e /dev/mapper/vol7
check "the refusal left leg 0 byte-identical" test "$(sum_mib $L0 0 $((64 * MIB)))" = "$before0"
check "the refusal left leg 1 byte-identical" test "$(sum_mib $L1 0 $((64 * MIB)))" = "$before1"

expect_rc 0 dmirrorctl activate --degraded $L0
contains "starting degraded: slot(s) 1 missing"
contains "warning: array 'vol7' is active but degraded"
head -c $((2 * MIB)) /dev/urandom >/tmp/new
new=$(md5sum </tmp/new | cut -d' ' -f1)
check "write while leg 1 is missing" dd if=/tmp/new of=/dev/mapper/vol7 bs=1M seek=6 oflag=direct
expect_rc 0 dmirrorctl deactivate vol7
contains "warning: 'vol7' was deactivated while degraded"
expect_rc 2 dmirrorctl examine $L0 --events 10
contains "leg_missing"
expect_rc 2 dmirrorctl status $L0 $L1
contains "stale"
check "leg 1 was never written" test "$(sum_mib $L1 0 $((64 * MIB)))" = "$before1"

# It returns: rebuilt, and the array ends in sync.
expect_rc 0 dmirrorctl activate $L0 $L1
contains "slot 1 is stale (it missed updates): rebuilt in full from the others"
check "reads return the data written while it was missing" test "$(sum /dev/mapper/vol7 $((6 * MIB)) $((2 * MIB)))" = "$new"
wait_idle 120 $L0 $L1
expect_rc 0 dmirrorctl deactivate vol7
check "leg 1 holds the data" test "$(sum $L1 $((DATA + 6 * MIB)) $((2 * MIB)))" = "$new"
expect_rc 0 dmirrorctl status $L0 $L1
contains "clean, in sync"
