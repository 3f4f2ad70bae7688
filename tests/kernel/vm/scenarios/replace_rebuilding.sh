# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: an online replace interrupted while another leg is still
# recorded 'rebuilding' after the kernel rebuilt it at activation (no
# monitor running): the rerun of the same replace must finish it.
A=/dev/vda
B=/dev/vdb
C=/dev/vdc
head -c $((4 * MIB)) /dev/urandom >/tmp/d1
head -c $((4 * MIB)) /dev/urandom >/tmp/d2
expect_rc 0 dmirrorctl create vr $A $B --yes --assume-clean --region-size 1M --no-activate
expect_rc 0 dmirrorctl activate $A $B
check "write d1" dd if=/tmp/d1 of=/dev/mapper/vr bs=1M seek=4 oflag=direct
expect_rc 0 dmirrorctl deactivate vr
expect_rc 0 dmirrorctl activate --degraded $A
check "write d2" dd if=/tmp/d2 of=/dev/mapper/vr bs=1M seek=12 oflag=direct
expect_rc 0 dmirrorctl deactivate vr
expect_rc 0 dmirrorctl activate $A $B
wait_idle 90 $A $B
expect_rc 0 dmirrorctl status $A $B
# Slot 1 stays 'rebuilding' in our metadata while the volume is active (a
# known gap: the deactivation imports the kernel's state); list gives the
# exit bits status gives.
expect_rc 0 dmirrorctl list
expect_rc 0 dmirrorctl set vr --max-recovery-rate 4M
dmirrorctl replace vr --old 1 --new $C >/tmp/r.out 2>&1 &
bg=$!
sleep 3
interrupt INT $bg
sed 's/^/    r| /' /tmp/r.out
check "the interrupted replace exits 32 (got $RC)" test "$RC" -eq 32
# The replace of a leg still recorded rebuilding is a replace in progress:
# the rerun waits for the kernel and finishes it, a second rerun finds it
# finished, and the deactivation leaves slot 1 retired.
expect_rc 0 dmirrorctl replace vr --old 1 --new $C
wait_idle 60 $A $B $C
expect_rc 0 dmirrorctl replace vr --old 1 --new $C
dmirrorctl status $A $B $C 2>&1 | sed 's/^/    st| /'
expect_rc 0 dmirrorctl deactivate vr
expect_rc 0 dmirrorctl status $A $C
check "slot 1 was retired by the replace" sh -c "dmirrorctl status $A $B $C | sed '/^Online:/,\$d' | grep -Eq '^  slot 1 .*removed'"
check "A holds d1" test "$(sum $A $((DATA + 4 * MIB)) $((4 * MIB)))" = "$(md5f /tmp/d1)"
check "A holds d2" test "$(sum $A $((DATA + 12 * MIB)) $((4 * MIB)))" = "$(md5f /tmp/d2)"
check "C holds d2" test "$(sum $C $((DATA + 12 * MIB)) $((4 * MIB)))" = "$(md5f /tmp/d2)"
