# SPDX-License-Identifier: LGPL-2.1-or-later
# A leg missing from an active volume comes back: `activate --incremental`
# re-adds it from the kernel's write-intent bitmap, without a full copy.
# Leg 1 is away for an offline write (journal) and for writes to the volume
# activated degraded (kernel bitmap). A pattern planted on it in a region
# nobody wrote survives (a full copy would overwrite it); the written
# regions end identical on both legs; the array ends in sync. Then the
# fallback: leg 1's kernel superblock claims to be newer than the live
# set's, which cannot be proven safe, so it is re-added by a full copy.
L0=/dev/vda
L1=/dev/vdb

# failed_mask LEG: the dm-raid superblock's failed_devices (bit i: position i).
failed_mask() {
  dd if="$1" bs=4096 skip=$((KMETA / 4096)) count=1 iflag=direct 2>/dev/null | od -An -tu8 -j24 -N8 | tr -d ' '
}
# kernel_events LEG [N]: the dm-raid superblock's events (read, or set to N).
kernel_events() {
  dd if="$1" bs=4096 skip=$((KMETA / 4096)) count=1 iflag=direct 2>/dev/null | od -An -tu8 -j16 -N8 | tr -d ' '
}

expect_rc 0 dmirrorctl create vol10 $L0 $L1 --yes --assume-clean --region-size 1M
head -c $((2 * MIB)) /dev/urandom >/tmp/both
both=$(md5sum </tmp/both | cut -d' ' -f1)
check "write with both legs" dd if=/tmp/both of=/dev/mapper/vol10 bs=1M seek=2 oflag=direct
expect_rc 0 dmirrorctl deactivate vol10

# Away offline: written through the engine without it (journal-marked).
head -c $MIB /dev/urandom >/tmp/off
off=$(md5sum </tmp/off | cut -d' ' -f1)
expect_rc 0 dmirrorctl io write $L0 --degraded --offset $((20 * MIB)) --from /tmp/off

# A pattern of its own in region 30, which nobody writes.
head -c $MIB /dev/urandom >/tmp/pat
pat=$(md5sum </tmp/pat | cut -d' ' -f1)
check "pattern planted on leg 1, region 30" dd if=/tmp/pat of=$L1 bs=1M seek=$(((DATA + 30 * MIB) / MIB)) oflag=direct conv=notrunc 2>/dev/null
check "region 30 differs between the legs" test "$(sum $L0 $((DATA + 30 * MIB)) $MIB)" != "$pat"

# Away while the volume runs degraded.
expect_rc 0 dmirrorctl activate --degraded $L0
contains "starting degraded: slot(s) 1 missing"
head -c $((2 * MIB)) /dev/urandom >/tmp/new
new=$(md5sum </tmp/new | cut -d' ' -f1)
check "write while leg 1 is missing" dd if=/tmp/new of=/dev/mapper/vol10 bs=1M seek=6 oflag=direct
check "write again while leg 1 is missing" dd if=/tmp/new of=/dev/mapper/vol10 bs=1M seek=12 count=1 oflag=direct
# The bitmap path needs proof that md went on without leg 1: leg 0's
# dm-raid superblock written since (higher events, the position marked
# failed). md writes it on its own schedule: give it time.
n=0
while [ "$(kernel_events $L0)" -le "$(kernel_events $L1)" ] && [ $n -lt 30 ]; do sleep 1; n=$((n + 1)); done
info "kernel events after ${n} s: leg 0 $(kernel_events $L0), leg 1 $(kernel_events $L1)"
proven=0
[ "$(kernel_events $L0)" -gt "$(kernel_events $L1)" ] && proven=1

# It returns.
expect_rc 0 dmirrorctl activate --incremental $L1
if [ $proven = 1 ]; then
  contains "slot 1 re-added to active volume 'vol10' from the write-intent bitmap"
  contains "no full copy"
else
  # md never wrote leg 0's superblock: the bitmap cannot be proven to cover
  # the absence, and the safe path is a full copy.
  info "md did not write leg 0's superblock in the degraded session: expecting the full copy"
  contains "by a full copy"
  contains "does not mark the position failed"
fi
wait_idle 120 $L0 $L1
expect_rc 0 dmirrorctl status vol10
contains "in sync"
expect_rc 0 dmirrorctl activate --incremental $L1
contains "already slot"
expect_rc 0 dmirrorctl deactivate vol10
if [ $proven = 1 ]; then
  check "the pattern in region 30 survived: no full copy" test "$(sum $L1 $((DATA + 30 * MIB)) $MIB)" = "$pat"
else
  check "the full copy overwrote region 30" test "$(sum $L1 $((DATA + 30 * MIB)) $MIB)" = "$(sum $L0 $((DATA + 30 * MIB)) $MIB)"
fi
check "leg 1 holds the offline write" test "$(sum $L1 $((DATA + 20 * MIB)) $MIB)" = "$off"
check "leg 1 holds the writes of the degraded session" test "$(sum $L1 $((DATA + 6 * MIB)) $((2 * MIB)))" = "$new"
check "leg 1 holds the data written before" test "$(sum $L1 $((DATA + 2 * MIB)) $((2 * MIB)))" = "$both"
for r in 2 3 6 7 12 20; do
  check "region $r identical on both legs" test "$(sum $L0 $((DATA + r * MIB)) $MIB)" = "$(sum $L1 $((DATA + r * MIB)) $MIB)"
done
expect_rc 0 dmirrorctl status $L0 $L1
contains "clean, in sync"
expect_rc 0 dmirrorctl examine $L0 --events 6
[ $proven = 1 ] && contains "leg_readded"

# The fallback: leg 1's kernel superblock says it is newer than the live
# set's (it would be the freshest): the bitmap path is not taken.
expect_rc 0 dmirrorctl activate --degraded $L0
check "write while leg 1 is missing (2)" dd if=/tmp/new of=/dev/mapper/vol10 bs=1M seek=40 count=1 oflag=direct
check "pattern planted on leg 1, region 45" dd if=/tmp/pat of=$L1 bs=1M seek=$(((DATA + 45 * MIB) / MIB)) oflag=direct conv=notrunc 2>/dev/null
printf '\350\003\000\000\000\000\000\000' | dd of=$L1 bs=1 seek=$((KMETA + 16)) conv=notrunc 2>/dev/null
sync
n=0
while [ $(( $(failed_mask $L0) & 2 )) -eq 0 ] && [ $n -lt 30 ]; do sleep 1; n=$((n + 1)); done
marked=$(( $(failed_mask $L0) & 2 ))
info "leg 0's kernel superblock failed mask after ${n} s: $(failed_mask $L0)"
info "kernel events: leg 0 $(kernel_events $L0), leg 1 $(kernel_events $L1)"
expect_rc 0 dmirrorctl activate --incremental $L1
contains "by a full copy"
# Its events are checked after the live superblocks' failed marks, which md
# writes on its own schedule: once leg 0's marks position 1 failed, the
# reason is the events; before, the mark (both refusals are right).
if [ $marked -ne 0 ]; then
  contains "its kernel superblock is not older than the live legs'"
else
  check "the full copy says why" sh -c "echo \"\$0\" | grep -q -e 'is not older than the live legs' -e 'does not mark the position failed'" "$OUT"
fi
wait_idle 180 $L0 $L1
expect_rc 0 dmirrorctl deactivate vol10
check "the full copy overwrote region 45" test "$(sum $L1 $((DATA + 45 * MIB)) $MIB)" = "$(sum $L0 $((DATA + 45 * MIB)) $MIB)"
check "leg 1 holds the write of the second absence" test "$(sum $L1 $((DATA + 40 * MIB)) $MIB)" = "$(head -c $MIB /tmp/new | md5sum | cut -d' ' -f1)"
expect_rc 0 dmirrorctl status $L0 $L1
contains "clean, in sync"
