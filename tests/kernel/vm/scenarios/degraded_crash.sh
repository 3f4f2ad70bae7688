# SPDX-License-Identifier: LGPL-2.1-or-later
# A crash while degraded: leg 1 failed live (recorded by the monitor), the
# machine is reset mid-write. After the reboot activation has to do both
# the unclean-shutdown resync (array_resync_offset = 0) and the rebuild of
# leg 1; afterwards both legs are identical.
L0=/dev/vda
L1=/dev/vdb
RSIZE=$((512 * 1024))

if [ "$DMIRROR_BOOT" = 1 ]; then
  expect_rc 0 dmirrorctl create vol5 $L0 $L1 --yes --assume-clean --region-size 512K
  expect_rc 0 dm-fault error vol5-data1
  check "write while leg 1 fails" dd if=/dev/urandom of=/dev/mapper/vol5 bs=64K count=16 oflag=direct
  expect_rc 2 dmirrorctl monitor --oneshot --stderr
  (while :; do
    dd if=/dev/urandom of=/dev/mapper/vol5 bs=64K count=8 seek=$((30 * RSIZE / 65536)) oflag=direct 2>/dev/null
  done) &
  sleep 2
  hard_reset
else
  expect_rc 0 dmirrorctl activate --re-add $L0 $L1
  contains "not been deactivated cleanly"
  contains "slot 1 is marked failed and re-added (--re-add): rebuilt in full from the others"
  wait_idle 120 $L0 $L1
  expect_rc 0 dmirrorctl scrub vol5 --check-only
  contains "online check clean"
  expect_rc 0 dmirrorctl deactivate vol5
  check "legs identical" test "$(sum $L0 $DATA $((55 * MIB)))" = "$(sum $L1 $DATA $((55 * MIB)))"
  expect_rc 0 dmirrorctl status $L0 $L1
fi
