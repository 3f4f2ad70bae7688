# SPDX-License-Identifier: LGPL-2.1-or-later
# Degraded activation at boot, without systemd (the guest has none): the
# commands the udev rule and the last-resort timer run. One leg appears:
# incremental assembly records it, starts nothing and says no timer was
# scheduled; the last-resort command activates the array degraded; writes
# go on; a second last resort finds it active; the late leg appears:
# incremental assembly re-adds it to the live volume (from the kernel's
# write-intent bitmap, no full copy) and the data written while it was away
# is on it.
L0=/dev/vda
L1=/dev/vdb

expect_rc 0 dmirrorctl create vol8 $L0 $L1 --yes --assume-clean --region-size 1M --degraded-timeout 5
head -c $((2 * MIB)) /dev/urandom >/tmp/old
old=$(md5sum </tmp/old | cut -d' ' -f1)
check "write with both legs" dd if=/tmp/old of=/dev/mapper/vol8 bs=1M seek=2 oflag=direct
expect_rc 0 dmirrorctl deactivate vol8
expect_rc 0 dmirrorctl examine $L0
contains "Degraded boot: after 5 s when legs are missing"
uuid=$(echo "$OUT" | sed -n 's/.*(uuid \([0-9a-f-]*\)).*/\1/p' | head -n 1)
info "array uuid $uuid"

# Boot: only leg 0 appears.
expect_rc 0 dmirrorctl activate --incremental $L0
contains "1 of 2 legs present"
contains "no systemd"
contains "dmirrorctl activate --last-resort $uuid"
check "nothing activated by one leg" test ! -e /dev/mapper/vol8

# What dmirror-last-resort-UUID.timer runs once the timeout has passed.
expect_rc 0 dmirrorctl activate --last-resort $uuid
contains "starting degraded: slot(s) 1 missing"
check "the volume is up" test -b /dev/mapper/vol8
check "reads return the data written before" test "$(sum /dev/mapper/vol8 $((2 * MIB)) $((2 * MIB)))" = "$old"
head -c $((2 * MIB)) /dev/urandom >/tmp/new
new=$(md5sum </tmp/new | cut -d' ' -f1)
check "write while leg 1 is missing" dd if=/tmp/new of=/dev/mapper/vol8 bs=1M seek=6 oflag=direct
expect_rc 0 dmirrorctl activate --last-resort $uuid
contains "already active"

# The late leg appears: re-added to the live volume.
expect_rc 0 dmirrorctl activate --incremental $L1
contains "re-added to active volume 'vol8' from the write-intent bitmap"
wait_idle 120 $L0 $L1
check "reads still return the new data" test "$(sum /dev/mapper/vol8 $((6 * MIB)) $((2 * MIB)))" = "$new"
expect_rc 0 dmirrorctl activate --incremental $L1
contains "already slot"
expect_rc 0 dmirrorctl deactivate vol8
check "leg 1 holds the data written while it was away" test "$(sum $L1 $((DATA + 6 * MIB)) $((2 * MIB)))" = "$new"
check "leg 1 holds the data written before" test "$(sum $L1 $((DATA + 2 * MIB)) $((2 * MIB)))" = "$old"
expect_rc 0 dmirrorctl status $L0 $L1
contains "clean, in sync"
