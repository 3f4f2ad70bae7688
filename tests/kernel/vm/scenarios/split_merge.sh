# SPDX-License-Identifier: LGPL-2.1-or-later
# Split and merge on an active volume (lvconvert --splitmirrors 1
# --trackchanges / --merge). Three legs, ext4 mounted on the first 24 MiB of
# the volume. Leg 2 is split off while the file system is in use: it holds
# the data as of the split (point in time), the volume goes on degraded and
# its kernel bitmap keeps what is written since. The split-off array is
# written offline (`dmirrorctl io`), a pattern is planted on it in a region
# nobody writes, then it is merged back online: the split side's region is
# copied back from the volume, the array side's from the kernel's bitmap,
# and the pattern survives (no full copy). Every leg ends identical where
# it was written, the files are intact, the array is clean and in sync.
# Then a split online merged offline, after the deactivation's import.
L0=/dev/vda
L1=/dev/vdb
L2=/dev/vdc
FS=$((24 * MIB))

expect_rc 0 dmirrorctl create vol20 $L0 $L1 $L2 --yes --assume-clean --region-size 1M
expect_rc 0 /sbin/mke2fs -q -F -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 /dev/mapper/vol20 24M
mkdir -p /mnt
check "mount" mount -t ext4 -o noatime /dev/mapper/vol20 /mnt
head -c $((3 * MIB)) /dev/urandom >/mnt/before
before=$(md5sum </mnt/before | cut -d' ' -f1)
sync
wait_idle 120 vol20

# Refusals first, each leaving our metadata on every leg as it was.
meta0=$(sum_mib $L0 0 $KMETA); meta1=$(sum_mib $L1 0 $KMETA); meta2=$(sum_mib $L2 0 $KMETA)
expect_rc 8 dmirrorctl split vol20 --leg 2 --name vol20
contains "exists already"
expect_rc 16 dmirrorctl split vol20 --leg 5 --name vol20-snap
contains "not a leg of volume 'vol20'"
check "the refusals wrote nothing" test "$(sum_mib $L0 0 $KMETA) $(sum_mib $L1 0 $KMETA) $(sum_mib $L2 0 $KMETA)" = "$meta0 $meta1 $meta2"

sync
expect_rc 0 dmirrorctl split vol20 --leg 2 --name vol20-snap
contains "split off active volume 'vol20' as array 'vol20-snap'"
at_split=$(sum_mib $L2 $DATA $FS)
expect_rc 2 dmirrorctl status vol20
info "$(kernel_line vol20)"
check "the kernel runs without leg 2 (AA-)" sh -c "dmirrorctl status vol20 2>/dev/null | grep -Eq '^Kernel: +AA- '"
expect_rc 2 dmirrorctl examine $L0 --events 3   # a split slot: one copy fewer, degraded
contains "leg_split"

# Written on the volume after the split (array side).
head -c $((2 * MIB)) /dev/urandom >/mnt/after
after=$(md5sum </mnt/after | cut -d' ' -f1)
sync
check "leg 2 did not get the writes since the split" test "$(sum_mib $L2 $DATA $FS)" = "$at_split"
check "the volume did" test "$(sum_mib /dev/mapper/vol20 0 $FS)" != "$at_split"

# The split leg holds the file system as of the split (the reload's
# suspend froze it): clean, with the file written before and not the one
# written after. Read through a read-only linear view of its data area.
expect_rc 0 dm-fault create snapview "0 $((FS / 512)) linear $L2 $((DATA / 512))"
expect_rc 0 /sbin/e2fsck -f -n /dev/mapper/snapview
mkdir -p /snap
check "mount the split leg's file system read-only" mount -t ext4 -o ro,noload /dev/mapper/snapview /snap
check "it holds the file written before the split" test "$(md5sum </snap/before | cut -d' ' -f1)" = "$before"
check "it does not hold the file written after the split" test ! -e /snap/after
umount /snap
expect_rc 0 dm-fault remove snapview
check "leg 2 is unchanged by the look" test "$(sum_mib $L2 $DATA $FS)" = "$at_split"

# The split-off array is not activated while tracked.
expect_rc 8 dmirrorctl activate $L2
contains "dmirrorctl merge vol20 vol20-snap"

# Written on the split-off array offline (split side), region 30.
head -c $MIB /dev/urandom >/tmp/snapw
snapw=$(md5sum </tmp/snapw | cut -d' ' -f1)
expect_rc 0 dmirrorctl io write $L2 --offset $((30 * MIB)) --from /tmp/snapw
check "the split-off array holds its own write" test "$(sum $L2 $((DATA + 30 * MIB)) $MIB)" = "$snapw"
check "region 30 of the volume differs" test "$(sum $L0 $((DATA + 30 * MIB)) $MIB)" != "$snapw"

# A pattern in region 45 of the split leg: written on neither side.
head -c $MIB /dev/urandom >/tmp/pat
pat=$(md5sum </tmp/pat | cut -d' ' -f1)
check "pattern planted on leg 2, region 45" dd if=/tmp/pat of=$L2 bs=1M seek=$(((DATA + 45 * MIB) / MIB)) oflag=direct conv=notrunc 2>/dev/null

# Merge back while the file system stays mounted.
expect_rc 0 dmirrorctl merge vol20 vol20-snap
contains "from the write-intent bitmap: in sync"
contains "1 region(s) written on 'vol20-snap'"
wait_idle 120 vol20
expect_rc 0 dmirrorctl status vol20
contains "in sync"
expect_rc 0 dmirrorctl merge vol20 $L2
contains "merged and in sync already"

check "the file written before the split is intact" test "$(md5sum </mnt/before | cut -d' ' -f1)" = "$before"
check "the file written after the split is intact" test "$(md5sum </mnt/after | cut -d' ' -f1)" = "$after"
check "umount" umount /mnt
expect_rc 0 /sbin/e2fsck -f -n /dev/mapper/vol20
expect_rc 0 dmirrorctl deactivate vol20

check "the pattern in region 45 survived: no full copy" test "$(sum $L2 $((DATA + 45 * MIB)) $MIB)" = "$pat"
check "the split side's write was copied back over" test "$(sum $L2 $((DATA + 30 * MIB)) $MIB)" = "$(sum $L0 $((DATA + 30 * MIB)) $MIB)"
check "the file system area is identical on legs 0 and 2" test "$(sum_mib $L2 $DATA $FS)" = "$(sum_mib $L0 $DATA $FS)"
check "the file system area is identical on legs 0 and 1" test "$(sum_mib $L1 $DATA $FS)" = "$(sum_mib $L0 $DATA $FS)"
for r in 24 30 40 50; do
  check "region $r identical on legs 0 and 1" test "$(sum $L0 $((DATA + r * MIB)) $MIB)" = "$(sum $L1 $((DATA + r * MIB)) $MIB)"
done
for r in 24 30 40 50; do
  check "region $r identical on legs 0 and 2" test "$(sum $L0 $((DATA + r * MIB)) $MIB)" = "$(sum $L2 $((DATA + r * MIB)) $MIB)"
done
expect_rc 0 dmirrorctl status $L0 $L1 $L2
contains "clean, in sync"
expect_rc 0 dmirrorctl examine $L0 --events 6
contains "leg_merged"

# Split online, merge offline: the deactivation imports the kernel's bitmap
# into the journal (the array side's changes) and keeps the tracking.
expect_rc 0 dmirrorctl activate $L0 $L1 $L2
expect_rc 0 dmirrorctl split vol20 --leg 1 --name vol20-b
head -c $MIB /dev/urandom >/tmp/late
late=$(md5sum </tmp/late | cut -d' ' -f1)
check "write on the volume after the split" dd if=/tmp/late of=/dev/mapper/vol20 bs=1M seek=35 oflag=direct 2>/dev/null
check "pattern planted on leg 1, region 47" dd if=/tmp/pat of=$L1 bs=1M seek=$(((DATA + 47 * MIB) / MIB)) oflag=direct conv=notrunc 2>/dev/null
expect_rc 0 dmirrorctl deactivate vol20
expect_rc 2 dmirrorctl status $L0 $L2
contains "tracking changes"
expect_rc 0 dmirrorctl merge vol20 vol20-b
contains "merged back into slot 1"
check "the pattern in region 47 survived: no full copy" test "$(sum $L1 $((DATA + 47 * MIB)) $MIB)" = "$pat"
check "leg 1 holds the write made while it was split off" test "$(sum $L1 $((DATA + 35 * MIB)) $MIB)" = "$late"
expect_rc 0 dmirrorctl status $L0 $L1 $L2
contains "clean, in sync"
