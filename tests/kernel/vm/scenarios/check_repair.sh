# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario (d): an online check finds a mismatch planted offline (the kernel
# cannot know about it); a scrub without --from only checks (no repair
# without evidence), the kernel's repair runs only when --from names the leg
# it copies from (the first in-sync one), and a second check is clean; the
# scrub results land in our metadata.
L0=/dev/vda
L1=/dev/vdb
ROFF=$((4 * MIB))

expect_rc 0 dmirrorctl create vol3 $L0 $L1 --yes --assume-clean --region-size 1M
head -c $MIB /dev/urandom >/tmp/pattern
want=$(md5sum </tmp/pattern | cut -d' ' -f1)
check "write 1 MiB at 4 MiB" dd if=/tmp/pattern of=/dev/mapper/vol3 bs=1M seek=4 oflag=direct
expect_rc 0 dmirrorctl deactivate vol3
info "planting a mismatch: 8 KiB of leg 1 at 4 MiB + 64 KiB"
check "plant" scribble $L1 $((DATA + ROFF + 65536)) 8192
expect_rc 0 dmirrorctl activate vol3
expect_rc 4 dmirrorctl scrub vol3 --check-only
contains "online check mismatches"
# raid1 compares in 64 KiB resync blocks: an 8 KiB difference counts as
# one whole block, 128 sectors (Linux 6.1, raid1 process_checks).
contains "65536 bytes differed (128 sectors"
expect_rc 4 dmirrorctl status $L0 $L1 --json
contains '"mismatch_count": 128'
expect_rc 8 dmirrorctl scrub vol3 --from 1
contains "copies from its first in-sync leg"
expect_rc 4 dmirrorctl scrub vol3
contains "online check mismatches"
expect_rc 1 dmirrorctl scrub vol3 --from 0
contains "online repair repaired"
expect_rc 0 dmirrorctl scrub vol3 --check-only
contains "online check clean"
check "data reads back as written" test "$(sum /dev/mapper/vol3 $ROFF $MIB)" = "$want"
expect_rc 0 dmirrorctl deactivate vol3
check "leg 1 repaired from leg 0" test "$(sum $L1 $((DATA + ROFF)) $MIB)" = "$want"
expect_rc 0 dmirrorctl status $L0 $L1
contains "Last scrub:  clean"
