# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: removing the one leg that is not write-mostly from an active
# volume would leave a table the kernel refuses ("not every leg may be
# write_mostly"). The remove is refused before anything is written: the
# metadata stays as it was, the live table too, and the volume still
# deactivates and reactivates.
L0=/dev/vda
L1=/dev/vdb

ours() { echo "$(sum_mib $L0 0 $KMETA) $(sum_mib $L1 0 $KMETA)"; }
expect_rc 0 dmirrorctl create vol9 $L0 $L1 --yes --assume-clean --region-size 1M
head -c $((2 * MIB)) /dev/urandom >/tmp/d1
check "write" dd if=/tmp/d1 of=/dev/mapper/vol9 bs=1M seek=2 oflag=direct
expect_rc 0 dmirrorctl set vol9 --write-mostly 0
before=$(ours)
table=$(dm-fault table vol9)
expect_rc 8 dmirrorctl remove vol9 --leg 1 --force
contains "write-mostly legs only"
check "the refused remove wrote nothing to our metadata" test "$(ours)" = "$before"
check "the refused remove left the live table" test "$(dm-fault table vol9)" = "$table"
check "the volume reads its data" test "$(sum /dev/mapper/vol9 $((2 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/d1 | cut -d' ' -f1)"
expect_rc 0 dmirrorctl deactivate vol9
expect_rc 0 dmirrorctl activate $L0 $L1
expect_rc 0 dmirrorctl deactivate vol9
