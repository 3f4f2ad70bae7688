# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario (e): an ext4 file system on the volume survives a hard reset in
# the middle of writing files: after the reboot the volume is activated
# (unclean shutdown: dirty regions resynced), e2fsck replays the journal
# and finds the file system consistent, it mounts, files written and
# synced before the crash are intact, and the legs are identical.
L0=/dev/vda
L1=/dev/vdb

if [ "$DMIRROR_BOOT" = 1 ]; then
  expect_rc 0 dmirrorctl create vol4 $L0 $L1 --yes --assume-clean --region-size 512K
  expect_rc 0 /sbin/mke2fs -q -F -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 /dev/mapper/vol4
  mkdir -p /mnt
  check "mount" mount -t ext4 /dev/mapper/vol4 /mnt
  head -c $((4 * MIB)) /dev/urandom >/mnt/kept
  md5sum </mnt/kept | cut -d' ' -f1 >/mnt/kept.md5
  sync
  info "writing files continuously, then a hard reset"
  (n=0; while :; do
    head -c 262144 /dev/urandom >/mnt/churn.$((n % 20))
    n=$((n + 1))
    [ $((n % 5)) = 0 ] && sync
  done) &
  sleep 4
  hard_reset
else
  expect_rc 0 dmirrorctl activate $L0 $L1
  contains "not been deactivated cleanly"
  wait_idle 120 $L0 $L1
  # -p: replay the journal and fix what is safe; 0 or 1 (fixed) are fine.
  /sbin/e2fsck -p /dev/mapper/vol4 >/tmp/fsck1 2>&1
  rc=$?
  sed 's/^/    | /' /tmp/fsck1
  check "e2fsck -p after the crash exits 0 or 1 (was $rc)" test $rc -le 1
  expect_rc 0 /sbin/e2fsck -f -n /dev/mapper/vol4
  mkdir -p /mnt
  check "mount after the crash" mount -t ext4 /dev/mapper/vol4 /mnt
  check "a file synced before the crash is intact" test "$(md5sum </mnt/kept | cut -d' ' -f1)" = "$(cat /mnt/kept.md5)"
  check "umount" umount /mnt
  expect_rc 0 dmirrorctl scrub vol4 --check-only
  contains "online check clean"
  expect_rc 0 dmirrorctl deactivate vol4
  check "legs identical" test "$(sum $L0 $DATA $((55 * MIB)))" = "$(sum $L1 $DATA $((55 * MIB)))"
fi
