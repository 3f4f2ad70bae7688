# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: `dmirrorctl set`. A rate set offline reaches the table at
# activation; while the initial sync runs, `set` changes the rate and marks
# a leg write-mostly online: the live table (read with dm-fault) holds the
# new options, the sync goes on from where it was (never back to 0), and
# the data written through the volume survives. A refusal online changes
# neither the table nor our metadata. After deactivation and reactivation
# the settings are still in the table, with no sync.
L0=/dev/vda
L1=/dev/vdb

progress() { kernel_line "$@" | sed -n 's/.* sync \([0-9]*\)\/.*/\1/p'; }

expect_rc 0 dmirrorctl create vol0 $L0 $L1 --yes --region-size 512K --no-activate
expect_rc 0 dmirrorctl set vol0 --max-recovery-rate 1M
contains "maximum recovery rate 1 MiB/s (was kernel default)"
expect_rc 2 dmirrorctl status $L0 $L1
contains "Recovery:    min kernel default, max 1 MiB/s per leg"
expect_rc 0 dmirrorctl activate vol0
contains "full initial sync"
expect_rc 0 dm-fault table vol0
contains "max_recovery_rate 1024"

head -c $((3 * MIB)) /dev/urandom >/tmp/pattern
want=$(md5sum </tmp/pattern | cut -d' ' -f1)
check "write 3 MiB at 3 MiB through the volume" dd if=/tmp/pattern of=/dev/mapper/vol0 bs=1M seek=3 oflag=direct

# Let the throttled sync get going, then change the settings while it runs.
before=
i=0
while [ $i -lt 120 ]; do
  before=$(progress $L0 $L1)
  [ -n "$before" ] && [ "$before" -ge 4096 ] && break
  sleep 0.5
  i=$((i + 1))
done
info "initial sync at $before sectors before the online set: $(kernel_line $L0 $L1)"
check "the initial sync runs, throttled" test -n "$before"
expect_rc 0 dmirrorctl set vol0 --write-mostly $L1 --max-recovery-rate 2M
contains "slot 1 write-mostly"
contains "maximum recovery rate 2 MiB/s (was 1 MiB/s)"
contains "Live table:   write-mostly 1; recovery min kernel default, max 2 MiB/s per leg"
after=$(progress $L0 $L1)
info "after the online set: $(kernel_line $L0 $L1)"
# Still throttled: a sync restarted from 0 could not have caught up.
check "the sync went on from where it was ($before -> $after sectors)" test -n "$after" -a "${after:-0}" -ge "$before"
expect_rc 0 dm-fault table vol0
contains "write_mostly 1"
contains "max_recovery_rate 2048"
# Linux 6.1 reports a resync continued after a table reload as 'repair'
# (AA); a reload during a check or repair is refused, so `set` waits.
action=$(kernel_line $L0 $L1 | sed -n 's/^Kernel: *[A-Za-z-]* \([a-z]*\).*/\1/p')
info "the kernel's sync action after the reload: '$action'"
case $action in
  check | repair)
    table=$(dm-fault table vol0)
    expect_rc 8 dmirrorctl set vol0 --max-recovery-rate 0
    contains "wait until it is idle"
    check "the refused set left the table alone" test "$(dm-fault table vol0)" = "$table"
    ;;
esac
wait_idle 180 $L0 $L1
expect_rc 0 dmirrorctl set vol0 --max-recovery-rate 0
contains "maximum recovery rate kernel default (was 2 MiB/s)"
expect_rc 0 dm-fault table vol0
contains "write_mostly 1"
check "the table no longer limits the rate" sh -c "! echo \"\$1\" | grep -q recovery_rate" - "$OUT"
check "no sync after the set" sh -c "dmirrorctl status $L0 $L1 | grep -Eq '^Kernel: +AA idle'"
expect_rc 0 dmirrorctl status vol0
contains "write-mostly"
contains "Recovery:    min kernel default, max kernel default per leg"
expect_rc 0 dmirrorctl --json status vol0
contains '"write_mostly": true'

# A refusal online: every in-sync leg write-mostly. Nothing changes.
meta0=$(sum_mib $L0 0 $((2 * MIB)))
meta1=$(sum_mib $L1 0 $((2 * MIB)))
table=$(dm-fault table vol0)
expect_rc 8 dmirrorctl set vol0 --write-mostly 0
contains "would be write-mostly"
expect_rc 16 dmirrorctl set vol0 --max-recovery-rate 2M --min-recovery-rate 4M
contains "would be above the maximum"
check "the refusals left the table alone" test "$(dm-fault table vol0)" = "$table"
check "the refusals left leg 0's metadata alone" test "$(sum_mib $L0 0 $((2 * MIB)))" = "$meta0"
check "the refusals left leg 1's metadata alone" test "$(sum_mib $L1 0 $((2 * MIB)))" = "$meta1"

check "data reads back after the set" test "$(sum /dev/mapper/vol0 $((3 * MIB)) $((3 * MIB)))" = "$want"
expect_rc 0 dmirrorctl set vol0 --min-recovery-rate 2M --max-recovery-rate 100M
expect_rc 0 dm-fault table vol0
contains "min_recovery_rate 2048"
contains "max_recovery_rate 102400"
contains "write_mostly 1"
check "no sync after the set" sh -c "dmirrorctl status $L0 $L1 | grep -Eq '^Kernel: +AA idle'"

expect_rc 0 dmirrorctl deactivate vol0
contains "final kernel status AA idle"
expect_rc 0 dmirrorctl status $L0 $L1
contains "Recovery:    min 2 MiB/s, max 100 MiB/s per leg"
contains "write-mostly"
check "leg 0 holds the data" test "$(sum $L0 $((DATA + 3 * MIB)) $((3 * MIB)))" = "$want"
check "leg 1 holds the data" test "$(sum $L1 $((DATA + 3 * MIB)) $((3 * MIB)))" = "$want"

expect_rc 0 dmirrorctl activate vol0
check "no sync after reactivation" sh -c "dmirrorctl status $L0 $L1 | grep -Eq '^Kernel: +AA idle'"
expect_rc 0 dm-fault table vol0
contains "write_mostly 1"
contains "min_recovery_rate 2048"
contains "max_recovery_rate 102400"
check "data reads back after reactivation" test "$(sum /dev/mapper/vol0 $((3 * MIB)) $((3 * MIB)))" = "$want"

# Back to reading from both legs, online; kept over a reactivation too.
expect_rc 0 dmirrorctl set vol0 --no-write-mostly $L1
contains "slot 1 no longer write-mostly"
expect_rc 0 dmirrorctl deactivate vol0
expect_rc 0 dmirrorctl activate vol0
expect_rc 0 dm-fault table vol0
check "no write_mostly after reactivation" sh -c "! echo \"\$1\" | grep -q write_mostly" - "$OUT"
check "data reads back at the end" test "$(sum /dev/mapper/vol0 $((3 * MIB)) $((3 * MIB)))" = "$want"
expect_rc 0 dmirrorctl deactivate vol0
