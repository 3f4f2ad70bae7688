# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: the monitor daemon and an administrator's online replace never
# write the array's metadata at once (one writer at a time, FORMAT.md 2.6
# rule 16), and whichever finishes an interrupted replace, the other finds
# it done.
# A. The monitor runs from before the rebuild; the replace is interrupted
#    (SIGINT, exit 32, the kernel keeps rebuilding); the monitor sees the
#    rebuild end and finishes the replace; the administrator's rerun says it
#    was already finished (exit 0, JSON already_finished).
# B. An interrupted replace rerun holds the array while a third leg fails
#    and while the rebuild ends: the monitor reports the failure as not
#    recorded yet and leaves the replace alone; the rerun finishes it (one
#    replace_finished); the monitor then records the failure. Data intact.
# C. The new leg fails while it is rebuilt: the replace is undone (the
#    new slot retired and out of the live table) and names the next step,
#    which, run with a device that works, restores redundancy.
L0=/dev/vda
L1=/dev/vdb
L2=/dev/vdc

expect_rc 0 dmirrorctl create vol9 $L0 $L1 --yes --assume-clean --region-size 1M --max-recovery-rate 4M
head -c $((4 * MIB)) /dev/urandom >/tmp/data
check "write before" dd if=/tmp/data of=/dev/mapper/vol9 bs=1M seek=4 oflag=direct

dmirrorctl monitor --stderr --interval 2 >/tmp/monitor.log 2>&1 &
monitor=$!
sleep 1

# A.
dmirrorctl replace vol9 --old 1 --new $L2 >/tmp/replace.out 2>&1 &
replace=$!
sleep 3
interrupt INT $replace
sed 's/^/    replace| /' /tmp/replace.out
check "the interrupted replace exits 32 (got $RC)" test "$RC" -eq 32
check "it left the rebuild running" grep -q 'Run the same replace again' /tmp/replace.out
eventually "the monitor finished the interrupted replace" 120 grep -q 'the replace is finished' /tmp/monitor.log
expect_rc 0 dmirrorctl replace vol9 --old 1 --new $L2
contains "already serves in sync (slot 2)"
expect_rc 0 dmirrorctl --json replace vol9 --old 1 --new $L2
contains '"already_finished": true'
expect_rc 0 dmirrorctl status vol9
contains "Kernel:      AA idle"

# B.
dmirrorctl replace vol9 --old 0 --new $L1 --force >/tmp/replace.out 2>&1 &
replace=$!
sleep 3
interrupt INT $replace
check "the second interrupted replace exits 32 (got $RC)" test "$RC" -eq 32
dmirrorctl replace vol9 --old 0 --new $L1 >/tmp/rerun.out 2>&1 &
rerun=$!
sleep 2
expect_rc 0 dm-fault error vol9-data2
check "write while slot 2 fails" dd if=/tmp/data of=/dev/mapper/vol9 bs=1M seek=12 oflag=direct
# Not recorded yet (the rerun holds the array): status and list show it
# failed from the kernel's view.
expect_rc 2 dmirrorctl status vol9
contains "slot 2 is failed in the active volume"
expect_rc 2 dmirrorctl --json list
contains '"health": "degraded"'
rerun_rc=0
wait $rerun || rerun_rc=$?
sed 's/^/    rerun| /' /tmp/rerun.out
check "the rerun finished the replace (exit $rerun_rc)" test "$rerun_rc" -eq 0
eventually "the monitor recorded the failure once the array was free" 30 \
  grep -q 'recorded in the array metadata now that the array is free' /tmp/monitor.log
interrupt TERM $monitor
sed 's/^/    monitor| /' /tmp/monitor.log
check "the monitor stops on SIGTERM with exit 0 (got $RC)" test "$RC" -eq 0
check "the monitor found the array held by the rerun" grep -q 'not recorded yet: .*locked by .*replace vol9' /tmp/monitor.log
check "the monitor never failed a write" sh -c "! grep -q 'failed:' /tmp/monitor.log"
expect_rc 2 dmirrorctl status vol9
contains "failed"
expect_rc 2 dmirrorctl examine $L1 --events 40
check "each replace finished once" test "$(echo "$OUT" | grep -c replace_finished)" -eq 2
want=$(md5sum </tmp/data | cut -d' ' -f1)
check "the volume reads back the write before" test "$(sum /dev/mapper/vol9 $((4 * MIB)) $((4 * MIB)))" = "$want"
check "the volume reads back the write during the failure" test "$(sum /dev/mapper/vol9 $((12 * MIB)) $((4 * MIB)))" = "$want"
check "the new leg holds them" test "$(sum $L1 $((DATA + 12 * MIB)) $((4 * MIB)))" = "$want"

# C.
dmirrorctl replace vol9 --old 2 --new $L0 --force >/tmp/c.out 2>&1 &
c=$!
sleep 2
expect_rc 0 dm-fault error vol9-data4
c_rc=0
wait $c || c_rc=$?
sed 's/^/    replace| /' /tmp/c.out
check "the replace whose new leg failed exits 8 (got $c_rc)" test "$c_rc" -eq 8
check "it names the next step" grep -q 'the replace is undone, slot 2 is as it was: run it again with another device (dmirrorctl replace vol9 --old 2 --new DEV)' /tmp/c.out
expect_rc 2 dmirrorctl status vol9
contains "slot 4  -                        removed"
check "the failed new leg left the table" test ! -e /dev/mapper/vol9-data4
expect_rc 0 dmirrorctl replace vol9 --old 2 --new $L0 --force
expect_rc 0 dmirrorctl status vol9
contains "Kernel:      AA idle"
check "the last replacement holds the data" test "$(sum $L0 $((DATA + 12 * MIB)) $((4 * MIB)))" = "$want"
expect_rc 0 dmirrorctl deactivate vol9
expect_rc 0 dmirrorctl activate vol9
expect_rc 0 dmirrorctl status vol9
expect_rc 0 dmirrorctl deactivate vol9
