# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: the leg count of an active volume changes while an ext4 file
# system on it stays mounted and in use. `add` joins a third leg that the
# kernel rebuilds (AAA), `remove` takes a leg out (recorded first, then the
# live table reloaded); the refusals (the last in-sync copy, a single copy
# without --force, a leg of the volume given as the new one) change nothing;
# the removed leg says so and is never assembled again; the data is checked
# after each step, and the legs that stay are identical.
L0=/dev/vda
L1=/dev/vdb
L2=/dev/vdc

expect_rc 0 dmirrorctl create vol5 $L0 $L1 --yes --assume-clean --region-size 512K
expect_rc 0 /sbin/mke2fs -q -F -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 /dev/mapper/vol5
mkdir -p /mnt
check "mount" mount -t ext4 /dev/mapper/vol5 /mnt
head -c $((6 * MIB)) /dev/urandom >/mnt/before
want=$(md5sum </mnt/before | cut -d' ' -f1)
sync

# Writers keep going while the third leg is rebuilt.
(n=0; while [ ! -e /tmp/stop ]; do
  head -c 65536 /dev/urandom >/mnt/churn.$((n % 8)); n=$((n + 1)); sync
done) &
writer=$!
expect_rc 0 dmirrorctl add vol5 --new $L2
contains "added as slot 2 online"
contains "table reloaded with the extra leg"
touch /tmp/stop
wait $writer
sync
expect_rc 0 dmirrorctl status vol5
contains "AAA idle"
check "the file written before the add is intact" test "$(md5sum </mnt/before | cut -d' ' -f1)" = "$want"
expect_rc 0 dmirrorctl --json status vol5
contains '"health_chars": "AAA"'
dmirrorctl examine $L0 --events 20 >/tmp/examine.out 2>&1
check "the event history records the add" grep -q 'rebuilt by the kernel: in sync (online)' /tmp/examine.out

# Refusals change nothing: a member as the new leg, a slot that is not one.
# (Our metadata is the first 2 MiB of each leg; the kernel's follows it.)
ours() { echo "$(sum_mib $L0 0 $KMETA) $(sum_mib $L1 0 $KMETA) $(sum_mib $L2 0 $KMETA)"; }
before_refusals=$(ours)
expect_rc 16 dmirrorctl add vol5 --new $L1
contains "already slot 1"
expect_rc 16 dmirrorctl remove vol5 --leg 7
contains "not a leg of volume"
# A second path to a live leg's disk (a loop device over it) as the new leg
# of a replace: refused even with --force, its superblock is a member's.
alias=$(losetup -f)
check "a loop device over leg 1" losetup $alias $L1
expect_rc 8 dmirrorctl replace vol5 --old 0 --new $alias --force
contains "same disk space as slot 1"
losetup -d $alias
# A window onto leg 1 from 1 MiB on (no superblock at its start): the
# same disk space, refused as well.
expect_rc 0 dm-fault create shift "0 $((32 * MIB / 512)) linear $L1 2048"
expect_rc 8 dmirrorctl replace vol5 --old 0 --new /dev/mapper/shift --force
contains "same disk space as slot 1"
expect_rc 8 dmirrorctl add vol5 --new /dev/mapper/shift --force
contains "same disk space as slot 1"
expect_rc 0 dm-fault remove shift
check "the refused add, remove and replace wrote nothing to our metadata" test "$(ours)" = "$before_refusals"

# Remove slot 0 online: the file system stays mounted.
expect_rc 0 dmirrorctl remove vol5 --leg $L0
contains "slot 0 removed from 'vol5' online; 2 in-sync legs left"
expect_rc 0 dmirrorctl status vol5
contains "AA idle"
expect_rc 0 dmirrorctl examine $L0
contains "removed"
check "the file is intact after the remove" test "$(md5sum </mnt/before | cut -d' ' -f1)" = "$want"

# One more would leave a single copy: refused without --force.
before_refusals=$(ours)
expect_rc 8 dmirrorctl remove vol5 --leg 1
contains "single in-sync leg"
check "the refused remove wrote nothing to our metadata" test "$(ours)" = "$before_refusals"
expect_rc 0 dmirrorctl status vol5
contains "AA idle"

check "umount" umount /mnt
expect_rc 0 dmirrorctl deactivate vol5
# The legs that stay are identical; the removed leg is not assembled again.
check "slots 1 and 2 hold the same data" test "$(sum_mib $L1 $DATA $((16 * MIB)))" = "$(sum_mib $L2 $DATA $((16 * MIB)))"
expect_rc 0 dmirrorctl activate $L1 $L2
contains "Activated 'vol5'"
expect_rc 0 /sbin/e2fsck -f -n /dev/mapper/vol5
check "mount again" mount -t ext4 /dev/mapper/vol5 /mnt
check "the file is intact after reactivation" test "$(md5sum </mnt/before | cut -d' ' -f1)" = "$want"
check "umount again" umount /mnt
expect_rc 0 dmirrorctl scrub vol5 --check-only
expect_rc 0 dmirrorctl deactivate vol5
expect_rc 16 dmirrorctl activate $L0 $L1 $L2
contains "is no longer a member (it was removed or replaced)"
