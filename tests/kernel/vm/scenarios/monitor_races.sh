# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: the monitor daemon against an administrator's commands on the
# same active volume, and what status, replace and the by-name scan show
# meanwhile. Every destructive step is followed by md5 checks of what was
# written against the volume and the legs.
# 0. status during the initial resync (every leg 'a'): resync pending, no
#    failed or degraded slot, no kernel-state finding; status by name.
# 1. a replace interrupted (SIGINT) whose rebuild ends with no monitor
#    running; a monitor started afterwards; the rerun finishes it.
# 2. replace run again after it finished: "already finished" only for the
#    replace that was made; an --old that never was a leg is refused.
# 3. a replace killed (SIGKILL) at its start: a rerun with another --new is
#    refused, the same --new finishes it.
# 4. a spare present, a leg failing while an interrupted replace rebuilds:
#    the spare takes the failed leg once the replace is finished.
# 5. the new leg fails during an online replace: undone, exit 8, the array
#    in sync afterwards with no failed slot; the suggested rerun onto
#    another device works.
# 6. the old leg fails while the administrator's replace holds the array:
#    the monitor defers the record; once the replace retired the slot, the
#    array is in sync with no failed slot.
# 7. the monitor with --interval 3600 stops promptly on SIGTERM, exit 0.
# 8. a dm device over a whole leg (and two): status by name lists each leg
#    once.
# 9. a leg the kernel fails with no monitor running shows failed at once;
# 10. the same on a new array.
# 11. an interrupted replace whose new leg fails, the monitor running.
A=/dev/vda
B=/dev/vdb
C=/dev/vdc
D=/dev/vdd
V=vmon

# `status` of the legs given by path ($LEGS: the devices serving now):
# status by name depends on the block-device scan, checked on its own.
st() { dmirrorctl status $LEGS "$@"; }
meta_part() { dmirrorctl status $LEGS 2>/dev/null | sed '/^Online:/,$d'; }
kernel_is() { st 2>/dev/null | grep -Eq "^Kernel: +$1"; }
slot_is() { meta_part | grep -Eq "^  slot $1 .*$2"; }

WRITTEN=""
for i in 1 2 3 4 5; do head -c $((4 * MIB)) /dev/urandom >/tmp/d$i; done

# 0. The initial resync: the kernel shows every leg 'a'. Slots: A 0, B 1.
LEGS="$A $B"
expect_rc 0 dmirrorctl create $V $A $B --yes --region-size 1M --max-recovery-rate 4M
write_d /tmp/d1
# The by-name scan finds every leg: status NAME and list work for every
# array, active or not.
expect_rc 2 dmirrorctl status $V
expect_rc 2 dmirrorctl list
expect_rc 2 st
contains "Kernel:      aa"
not_contains "kernel-state"
check "no slot shown failed or degraded during the resync" sh -c "! dmirrorctl status $LEGS | sed '/^Online:/,\$d' | grep -Eq '^  slot .*(failed|missing|degraded)'"
check "the health line says resync, not degraded" sh -c "dmirrorctl status $LEGS | grep '^Health:' | grep -v degraded | grep -q resync"
expect_rc 2 dmirrorctl --json status $LEGS
not_contains "kernel-state"
contains '"health": "resync-pending"'
wait_idle 60 $LEGS
expect_rc 0 st

# 1. Slot 1 ($B) replaced by $C (slot 2), interrupted; the rebuild ends with
# no monitor running; a monitor started afterwards.
bg_replace /tmp/r1.out --old 1 --new $C
sleep 3
kill -INT $bg
bg_wait
sed 's/^/    r1| /' /tmp/r1.out
check "the interrupted replace exits 32 (got $bg_rc)" test "$bg_rc" -eq 32
LEGS="$A $B $C"
eventually "the kernel ends the rebuild" 60 kernel_is "AAA idle"
dmirrorctl monitor --stderr --interval 1 >/tmp/mon.log 2>&1 &
mon=$!
sleep 4
sed 's/^/    mon| /' /tmp/mon.log
# A monitor started after the rebuild ended finishes the replace at its
# start; the rerun then finds it done.
check "the monitor started after the rebuild finished the replace" grep -q 'the replace is finished' /tmp/mon.log
expect_rc 0 dmirrorctl replace $V --old 1 --new $C
LEGS="$A $C"
expect_rc 0 st
contains "Kernel:      AA idle"
all_data "after 1" $A $C

# 2. Reruns of the finished replace.
expect_rc 0 dmirrorctl replace $V --old 1 --new $C
contains "already"
meta_part >/tmp/meta.before
sum_mib $A 0 $((64 * MIB)) >/tmp/a.before
# $A never replaced slot 1 (it is slot 0): not the finished replace, and
# slot 1 is no leg any more: refused, naming --old.
expect_rc 16 dmirrorctl replace $V --old 1 --new $A
contains "--old 1: not a leg"
not_contains "already"
# --old naming a slot or a device that never was a leg, --new an in-sync
# member: a refusal, never "already finished".
expect_rc 16 dmirrorctl replace $V --old 9 --new $A
not_contains "already"
expect_rc 16 dmirrorctl replace $V --old $D --new $A
not_contains "already"
expect_rc 16 dmirrorctl --json replace $V --old 9 --new $A
not_contains '"already_finished": true'
check "the reruns changed no metadata" sh -c "dmirrorctl status $LEGS 2>/dev/null | sed '/^Online:/,\$d' | cmp -s - /tmp/meta.before"
check "the reruns wrote nothing on $A" test "$(sum_mib $A 0 $((64 * MIB)))" = "$(cat /tmp/a.before)"

# 3. Slot 0 ($A) replaced by $B (slot 3), killed a second into it; a rerun
# with another --new is refused; the same --new finishes it.
bg_replace /tmp/r3.out --old 0 --new $B --force
sleep 1.5
kill -KILL $bg
bg_wait
sed 's/^/    r3| /' /tmp/r3.out
dmirrorctl status $LEGS $B 2>&1 | sed 's/^/    st| /'
meta_part >/tmp/meta.before
# With the new leg present, a rerun naming another --new is refused (it
# would resume the replace onto $B and name $D).
expect_rc 8 dmirrorctl replace $V --old 0 --new $D --force
contains "in progress"
check "the refused rerun changed no metadata" sh -c "dmirrorctl status $LEGS 2>/dev/null | sed '/^Online:/,\$d' | cmp -s - /tmp/meta.before"
expect_rc 0 dmirrorctl replace $V --old 0 --new $B --force
LEGS="$C $B"
expect_rc 0 st
contains "Kernel:      AA idle"
all_data "after 3" $C $B

# 4. A spare ($D, slot 4); slot 3 ($B) fails while an interrupted replace of
# slot 2 ($C) by $A (slot 5) rebuilds.
n=$(wc -l </tmp/mon.log)
expect_rc 0 dmirrorctl add $V --spare --new $D --force
bg_replace /tmp/r4.out --old 2 --new $A --force
sleep 3
kill -INT $bg
bg_wait
check "the interrupted replace exits 32 (got $bg_rc)" test "$bg_rc" -eq 32
LEGS="$C $B $A $D"
expect_rc 0 dm-fault error $V-data3
write_d /tmp/d2
eventually "the monitor finished the interrupted replace" 60 logged_since $n /tmp/mon.log 'the replace is finished'
# A failure recorded while a replace was in progress is taken over by the
# spare once that replace is finished.
eventually "the spare takes the failed slot 3 after the replace" 10 grep -q 'spare /dev/vdd (slot 4) is replacing failed slot 3' /tmp/mon.log
if grep -q 'replacing failed slot 3' /tmp/mon.log; then
  # While the monitor waits for its take-over's rebuild it takes the array
  # lock after every look: an administrator's metadata write meanwhile.
  busy=0
  for i in 1 2 3 4 5 6; do
    dmirrorctl set $V --spare-takeover auto >/tmp/set.out 2>&1 || { busy=$((busy + 1)); sed 's/^/    set| /' /tmp/set.out; }
    sleep 0.4
  done
  check "the administrator's set is never refused while the monitor waits ($busy of 6 refused)" test $busy -eq 0
  eventually "the monitor finished the take-over" 60 grep -q 'the replace is finished' /tmp/mon.log
else
  expect_rc 0 dmirrorctl replace $V --old 3 --new $D
fi
sed 's/^/    mon| /' /tmp/mon.log
LEGS="$A $D"
eventually "in sync and idle" 60 kernel_is "[A-]+ idle"
expect_rc 0 st
contains "Kernel:      AA idle"
all_data "after 4" $A $D

# 5. Slot 5 ($A) replaced by $C (slot 6), whose device the kernel fails
# during the rebuild: undone (exit 8); the monitor holds no lock meanwhile.
n=$(wc -l </tmp/mon.log)
bg_replace /tmp/r5.out --old 5 --new $C --force
sleep 3
expect_rc 0 dm-fault error $V-data6
write_d /tmp/d3
bg_wait
sed 's/^/    r5| /' /tmp/r5.out
check "the replace whose new leg failed exits 8 (got $bg_rc)" test "$bg_rc" -eq 8
check "it says it is undone and what to do" grep -q 'the replace is undone, slot 5 is as it was: run it again with another device (dmirrorctl replace vmon --old 5 --new DEV)' /tmp/r5.out
sleep 4
tail -n +$((n + 1)) /tmp/mon.log | sed 's/^/    mon| /'
# The monitor's deferred record of the new leg's failure never writes
# 'failed' over slot 6 once the replace retired it (removed): the array is
# in sync and no reload carries a '-' position for it.
expect_rc 0 st
contains "Kernel:      AA idle"
check "slot 6 is recorded removed, not failed" slot_is 6 removed
check "no sub-device of slot 6 is left" sh -c "! ls /dev/mapper | grep -q '$V-.*6\$'"
all_data "after 5" $A $D
# The suggested next step: the same replace onto another device ($B, slot 7).
expect_rc 0 dmirrorctl replace $V --old 5 --new $B --force
LEGS="$B $D"
expect_rc 0 st
contains "Kernel:      AA idle"
all_data "after 5" $B $D

# 6. Slot 4 ($D) replaced by $A (slot 8) by the administrator; the old leg
# fails meanwhile: the monitor finds the array held and defers the record.
n=$(wc -l </tmp/mon.log)
bg_replace /tmp/r6.out --old 4 --new $A --force
sleep 3
expect_rc 0 dm-fault error $V-data4
write_d /tmp/d4
eventually "the monitor logs slot 4 as not recorded yet" 20 logged_since $n /tmp/mon.log 'slot 4 .*not recorded yet'
expect_rc 2 dmirrorctl --json status $LEGS $A
contains "kernel-state"
bg_wait
sed 's/^/    r6| /' /tmp/r6.out
check "the replace whose old leg failed finished (exit $bg_rc)" test "$bg_rc" -eq 0
sleep 4
tail -n +$((n + 1)) /tmp/mon.log | sed 's/^/    mon| /'
LEGS="$B $A"
# As in 5: no deferred record over slot 4, which the replace retired.
expect_rc 0 st
contains "Kernel:      AA idle"
check "slot 4 is recorded removed, not failed" slot_is 4 removed
check "the monitor never records a slot that is no longer a leg" sh -c "! grep -q 'slot [0-9]* () failed earlier; recorded' /tmp/mon.log"
all_data "after 6" $B $A
# A rerun of the replace just finished.
expect_rc 0 dmirrorctl replace $V --old 4 --new $A
contains "already"

# 7. SIGTERM: the monitor running since 1 (--interval 1), then one with
# --interval 3600; each stops at once with exit 0.
for iv in 1 3600; do
  if [ $iv -eq 3600 ]; then
    dmirrorctl monitor --stderr --interval 3600 >/tmp/mon3.log 2>&1 &
    mon=$!
    sleep 2
  fi
  t0=$(cut -d' ' -f1 /proc/uptime)
  kill -TERM $mon
  mon_rc=0
  wait $mon || mon_rc=$?
  t1=$(cut -d' ' -f1 /proc/uptime)
  check "--interval $iv: SIGTERM, exit $mon_rc after $(echo "$t1 - $t0" | bc) s" test "$mon_rc" -eq 0 -a "$(echo "$t1 - $t0 < 2" | bc)" -eq 1
done

# 8. A dm device over a whole leg, then two (inactive, by name).
expect_rc 0 dmirrorctl deactivate $V
expect_rc 0 dm-fault linear stack1 $A
# Status by name lists the leg once under one dm device, and under two.
expect_rc 0 dmirrorctl status $V
check "one line for slot 8" test "$(echo "$OUT" | grep -cE '^  slot 8 ')" -eq 1
expect_rc 0 dm-fault linear stack2 $A
expect_rc 0 dmirrorctl status $V
check "one line for slot 8 with two devices over it" test "$(echo "$OUT" | grep -cE '^  slot 8 ')" -eq 1
expect_rc 0 dm-fault remove stack2
expect_rc 0 dm-fault remove stack1

# 9. A leg the kernel fails with no monitor running: status shows it failed
# at once (exit 2, a kernel-state finding, also in --json).
# With no retired slot in the live table, a write while slot 7 fails
# succeeds (slot 8 in sync) and md marks slot 7 'D' (10. repeats it on a
# new array).
expect_rc 0 dmirrorctl activate $LEGS
expect_rc 0 dm-fault error $V-data7
write_d /tmp/d5
expect_rc 2 st
contains "in the active volume ('D'"
check "slot 7 shown failed" slot_is 7 failed
expect_rc 2 dmirrorctl --json status $LEGS
contains "kernel-state"
contains '"health": "degraded"'
expect_rc 0 dmirrorctl deactivate $V
for f in $WRITTEN; do
  o=$(((${f#/tmp/d} - 1) * 8 + 4))
  data_ok "at the end" $A $DATA $f $((o * MIB))
done

# 10. The same on a new array with no retired slot in its table.
V=vmon2
LEGS="$C $D"
WRITTEN=""
expect_rc 0 dmirrorctl create $V $C $D --yes --force --assume-clean --region-size 1M
write_d /tmp/d1
expect_rc 0 dm-fault error $V-data0
write_d /tmp/d2
expect_rc 2 st
contains "in the active volume ('D'"
check "slot 0 shown failed" slot_is 0 failed
expect_rc 2 dmirrorctl --json status $LEGS
contains "kernel-state"
contains '"health": "degraded"'
expect_rc 0 dmirrorctl deactivate $V
for f in $WRITTEN; do
  o=$(((${f#/tmp/d} - 1) * 8 + 4))
  data_ok "vmon2 at the end" $D $DATA $f $((o * MIB))
done

# 11. An interrupted replace (slot 1 $D by $A, slot 2) whose new leg the
# kernel fails afterwards, the monitor running: the replace is undone, or
# its rerun says what to do next.
expect_rc 0 dmirrorctl activate $D
LEGS="$D $A"
dmirrorctl monitor --stderr --interval 1 >/tmp/mon4.log 2>&1 &
mon=$!
bg_replace /tmp/r11.out --old 1 --new $A --force
sleep 3
kill -INT $bg
bg_wait
sed 's/^/    r11| /' /tmp/r11.out
# The replace must still be running when it is interrupted; one that ended
# before (seen once, output above) is reported, and the rest is skipped.
if [ "$bg_rc" -eq 32 ]; then
  pass "the interrupted replace exits 32"
  expect_rc 0 dm-fault error $V-data2
  write_d /tmp/d3
  sleep 4
  sed 's/^/    mon4| /' /tmp/mon4.log
  # Once the monitor recorded the new slot failed, the rerun undoes the
  # replace (the failed slot leaves the live table) and says so. With slot 0
  # left out ('-'), md does not apply an extra leg's count (dm status
  # "raid1 2 -AA"): the replace waiting for it gives up after a minute and is
  # undone, so later leg changes are not refused for ever.
  expect_rc 8 dmirrorctl replace $V --old 1 --new $A --force
  contains "another device"
  expect_rc 2 st
  check "the failed new slot left the live table" sh -c "! dmirrorctl status $LEGS | grep -Eq '^Kernel: +[A-]*D'"
else
  info "the replace ended before the interrupt (exit $bg_rc): section 11 skipped"
fi
kill -TERM $mon
wait $mon
expect_rc 0 dmirrorctl deactivate $V
for f in $WRITTEN; do
  o=$(((${f#/tmp/d} - 1) * 8 + 4))
  data_ok "vmon2 after 11" $D $DATA $f $((o * MIB))
done
