# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario (c): the crash-resync gap of docs/kernel-facts.md §4, closed by the
# hand-off. Boot 1: create, wait for the initial sync, write region 10 over
# and over through the volume, and hard-reset the machine mid-write.
# Boot 2 (same disks): region 10's bit is set in the kernel's bitmap while
# array_resync_offset still says "in sync" (the gap); a torn write is
# planted in region 10 of leg 1 offline; activation sees the unclean
# shutdown, the kernel resyncs the dirty region, a check finds 0
# mismatches and both legs are byte-identical in region 10. Then it crashes
# once more while online, and boot 3 uses the OFFLINE tools: resync imports
# the kernel's state first (FORMAT.md §6.5) and repairs region 20.
L0=/dev/vda
L1=/dev/vdb
REGION=10
RSIZE=$((512 * 1024))
ROFF=$((REGION * RSIZE))   # region 10 in the data area

if [ "$DMIRROR_BOOT" = 1 ]; then
  expect_rc 0 dmirrorctl create vol2 $L0 $L1 --yes --region-size 512K
  wait_idle 120 $L0 $L1
  # Let the bitmap daemon clear the bits the initial sync left (two passes
  # of 5 s), so that only the region written below is dirty at the crash.
  sleep 12
  info "writing region $REGION continuously, then a hard reset"
  (while :; do
    dd if=/dev/urandom of=/dev/mapper/vol2 bs=64K count=8 seek=$((ROFF / 65536)) oflag=direct 2>/dev/null
  done) &
  sleep 3
  hard_reset
elif [ "$DMIRROR_BOOT" = 2 ]; then
  check "region $REGION is dirty in leg 0's kernel bitmap" test "$(bitmap_bit $L0 $REGION)" = 1
  check "region $REGION is dirty in leg 1's kernel bitmap" test "$(bitmap_bit $L1 $REGION)" = 1
  check "region 50 (not written) is clean in the kernel's bitmap" test "$(bitmap_bit $L0 50)" = 0
  info "array_resync_offset before activation: leg 0 $(resync_offset $L0), leg 1 $(resync_offset $L1)"
  check "the kernel metadata says 'in sync' (the gap)" test "$(resync_offset $L0)" = ffffffffffffffff
  expect_rc 2 dmirrorctl examine $L0
  contains "sync owned by the kernel"
  info "planting a torn write: 64 sectors of leg 1 in region $REGION"
  check "plant" dd if=/dev/urandom of=$L1 bs=512 count=64 seek=$(((DATA + ROFF) / 512)) oflag=direct conv=notrunc
  check "the legs now differ in region $REGION" test "$(sum $L0 $((DATA + ROFF)) $RSIZE)" != "$(sum $L1 $((DATA + ROFF)) $RSIZE)"
  expect_rc 0 dmirrorctl activate $L0 $L1
  contains "not been deactivated cleanly"
  contains "unclean shutdown"
  contains "1 region(s) not known in sync handed to the kernel"
  wait_idle 120 $L0 $L1
  expect_rc 0 dmirrorctl scrub vol2 --check-only
  contains "online check clean"
  contains "0 bytes differed"
  expect_rc 0 dmirrorctl deactivate vol2
  check "legs byte-identical in region $REGION" test "$(sum $L0 $((DATA + ROFF)) $RSIZE)" = "$(sum $L1 $((DATA + ROFF)) $RSIZE)"
  check "legs byte-identical in the whole data area" test "$(sum $L0 $DATA $((55 * MIB)))" = "$(sum $L1 $DATA $((55 * MIB)))"
  expect_rc 0 dmirrorctl examine $L0 --events 20
  contains "unclean_shutdown"
  contains "scrub_finished"
  # Crash again while online; this time the offline tools pick it up.
  expect_rc 0 dmirrorctl activate $L0 $L1
  sleep 11
  info "writing region 20 continuously, then a hard reset"
  (while :; do
    dd if=/dev/urandom of=/dev/mapper/vol2 bs=64K count=8 seek=$((20 * RSIZE / 65536)) oflag=direct 2>/dev/null
  done) &
  sleep 3
  hard_reset
elif [ "$DMIRROR_BOOT" = 3 ]; then
  check "region 20 is dirty in the kernel's bitmap" test "$(bitmap_bit $L0 20)" = 1
  check "plant" dd if=/dev/urandom of=$L1 bs=512 count=64 seek=$(((DATA + 20 * RSIZE) / 512)) oflag=direct conv=notrunc
  expect_rc 0 dmirrorctl resync $L0 $L1
  contains "the kernel's sync state was imported"
  expect_rc 0 dmirrorctl verify $L0 $L1
  check "legs byte-identical in region 20" test "$(sum $L0 $((DATA + 20 * RSIZE)) $RSIZE)" = "$(sum $L1 $((DATA + 20 * RSIZE)) $RSIZE)"
  expect_rc 0 dmirrorctl status $L0 $L1
  contains "State:       clean, in sync"
fi
