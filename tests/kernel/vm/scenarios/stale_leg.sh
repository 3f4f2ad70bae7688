# SPDX-License-Identifier: LGPL-2.1-or-later
# A stale leg: leg 1 is away while leg 0 is written offline
# (`io write --degraded`); when it is back, activation passes it to the
# kernel with `rebuild` (a full copy), reads never return its old data, and
# the array ends in sync.
L0=/dev/vda
L1=/dev/vdb

# A recovery rate limit keeps the rebuild running while we read.
expect_rc 0 dmirrorctl create vol6 $L0 $L1 --yes --assume-clean --region-size 1M --max-recovery-rate 2M
head -c $((2 * MIB)) /dev/urandom >/tmp/old
check "write the old data through the volume" dd if=/tmp/old of=/dev/mapper/vol6 bs=1M seek=40 oflag=direct
expect_rc 0 dmirrorctl deactivate vol6

# Leg 1 is away: leg 0 alone gets new data at the same place.
head -c $((2 * MIB)) /dev/urandom >/tmp/new
new=$(md5sum </tmp/new | cut -d' ' -f1)
old=$(md5sum </tmp/old | cut -d' ' -f1)
expect_rc 0 dmirrorctl io write $L0 --from /tmp/new --offset 40M --degraded
check "leg 1 still holds the old data" test "$(sum $L1 $((DATA + 40 * MIB)) $((2 * MIB)))" = "$old"
expect_rc 2 dmirrorctl status $L0 $L1
contains "stale"

# Back: activation rebuilds leg 1 in full and never reads it meanwhile.
expect_rc 0 dmirrorctl activate $L0 $L1
contains "slot 1 is stale (it missed updates): rebuilt in full from the others"
check "the first read returns the new data" test "$(sum /dev/mapper/vol6 $((40 * MIB)) $((2 * MIB)))" = "$new"
OUT=$(kernel_line $L0 $L1)
contains "Aa recover"
stale_reads=0
for i in 1 2 3 4 5 6 7; do
  [ "$(sum /dev/mapper/vol6 $((40 * MIB)) $((2 * MIB)))" = "$new" ] || stale_reads=$((stale_reads + 1))
done
check "seven more reads during the rebuild all return the new data" test $stale_reads -eq 0
wait_idle 120 $L0 $L1
check "leg 1 was rebuilt with the new data" test "$(sum $L1 $((DATA + 40 * MIB)) $((2 * MIB)))" = "$new"
expect_rc 0 dmirrorctl deactivate vol6
check "legs identical" test "$(sum_mib $L0 $DATA $((55 * MIB)))" = "$(sum_mib $L1 $DATA $((55 * MIB)))"
expect_rc 0 dmirrorctl status $L0 $L1
contains "clean, in sync"
