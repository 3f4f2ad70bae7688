# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: an administrator's probes of the first start, online replace
# reruns, status of kernel-failed legs and the by-name scan, with
# `dmirrorctl monitor` running throughout.
# 1. Never-active arrays (disks, image files, loop devices): a degraded
#    first start is refused (exit 8, "has never been active") and changes
#    no byte; so is the last resort after `activate --incremental` of one
#    leg; the second leg's incremental starts it; degraded starts work
#    afterwards. A plain initial resync is no degradation.
# 2. Online replace: a resume naming another --old or --new is refused and
#    changes nothing; "already finished" only for the replace made; kill -9
#    at several moments, then the rerun; a new leg failing after kill -9:
#    the rerun undoes it and the command it names works.
# 3. A leg the kernel fails: status/list/--json degraded at once, exit 2,
#    kernel-state; deactivated and started again it is left out, and a
#    replace onto the same disk brings it back.
# 4. The by-name scan over dm devices stacked on legs (two, and a linear
#    over a linear), partitions whose last one ends at the disk's end, and
#    a loop device over a partition leg: each leg once; activate, status,
#    deactivate by name; the table uses the legs themselves.
# 5. The monitor never refuses an administrator's command, never fails a
#    write, stops on SIGTERM with exit 0.
A=/dev/vda
B=/dev/vdb
C=/dev/vdc
D=/dev/vdd
V=vp1

: >/tmp/all.out
# Every command's output is also kept in /tmp/all.out (checked at the end).
run_rc() {
  expect_rc "$@"
  echo "$OUT" >>/tmp/all.out
}
meta_of() { dmirrorctl status "$@" 2>/dev/null | sed '/^Online:/,$d'; }
# slot_of DEV LEG...: the slot DEV serves in (status of LEG...).
slot_of() {
  _dev=$1
  shift
  meta_of "$@" | awk -v d="$_dev" '$1 == "slot" && $3 == d && $4 != "removed" { s = $2 } END { print s }'
}
seqno_of() { dmirrorctl examine "$1" 2>/dev/null | sed -n 's/.*This leg:.*seqno \([0-9]*\).*/\1/p'; }
kernel_is() { dmirrorctl status "$@" 2>/dev/null | grep -Eq "^Kernel: +$KWANT"; }
devno() { echo "$(($(stat -L -c 0x%t "$1"))):$(($(stat -L -c 0x%T "$1")))"; }
# tables_use NAME DEV: a sub-device of volume NAME maps DEV.
tables_use() {
  _n=$(devno "$2")
  for _m in /dev/mapper/$1-*; do dm-fault table "$(basename "$_m")" 2>/dev/null; done | grep -q " $_n "
}
not_tables_use() { ! tables_use "$@"; }
slot_failed() { meta_of $A $cur | grep -Eq "^  slot $1 .*failed"; }
out_lacks_disk() { ! echo "$OUT" | grep -Eq "$1( |\$)"; }
tables_show() { for _m in /dev/mapper/$1-*; do echo "$_m: $(dm-fault table "$(basename "$_m")" 2>&1)"; done | sed 's/^/    tbl| /'; }

WRITTEN=""
for i in 1 2 3 4 5; do head -c $((4 * MIB)) /dev/urandom >/tmp/d$i; done

dmirrorctl monitor --stderr --interval 1 >/tmp/mon.log 2>&1 &
mon=$!
sleep 1

# ---------------------------------------------------------------- 1.
# 1a. Disks, never active: degraded first start by legs, both ways.
run_rc 0 dmirrorctl create $V $A $B --yes --assume-clean --region-size 1M --no-activate
uuid=$(dmirrorctl examine $A | sed -n 's/.*(uuid \([0-9a-f-]*\)).*/\1/p' | head -n 1)
info "array uuid $uuid"
a0=$(sum_mib $A 0 $((64 * MIB)))
b0=$(sum_mib $B 0 $((64 * MIB)))
run_rc 8 dmirrorctl activate --degraded $A
contains "has never been active"
run_rc 8 dmirrorctl activate --degraded $B
contains "has never been active"
contains "slot(s) 0 absent"
run_rc 8 dmirrorctl --json activate --degraded $A
contains '"error"'
# The last-resort path (what the boot path runs): one leg recorded, then the
# timer's command.
run_rc 0 dmirrorctl activate --incremental $A
contains "1 of 2 legs present"
run_rc 8 dmirrorctl activate --last-resort $uuid
contains "has never been active"
check "nothing activated by the refusals" test ! -e /dev/mapper/$V
check "the refusals left $A byte-identical" test "$(sum_mib $A 0 $((64 * MIB)))" = "$a0"
check "the refusals left $B byte-identical" test "$(sum_mib $B 0 $((64 * MIB)))" = "$b0"
OUT=$(dmirrorctl activate --last-resort $uuid 2>&1)
r=$?
echo "$OUT" | sed 's/^/    | /'
info "a second last resort exited $r"
check "still not activated" test ! -e /dev/mapper/$V
check "still byte-identical ($A)" test "$(sum_mib $A 0 $((64 * MIB)))" = "$a0"
# The second leg appears: every leg present, the first start.
run_rc 0 dmirrorctl activate --incremental $B
check "the incremental start of both legs activated it" test -b /dev/mapper/$V
write_d /tmp/d1
run_rc 0 dmirrorctl deactivate $V
# Active once: a degraded start now works.
run_rc 0 dmirrorctl activate --degraded $A
contains "starting degraded"
all_data "degraded start" $A
write_d /tmp/d2
run_rc 0 dmirrorctl deactivate $V
run_rc 0 dmirrorctl activate $V
KWANT="AA idle"
eventually "the returning leg is rebuilt" 90 kernel_is $A $B
all_data "after the rebuild" $A $B
# Once the kernel has rebuilt the stale leg (AA idle) our metadata keeps
# slot 1 'rebuilding' until the deactivation imports the kernel's state
# (a known gap, shown, not asserted); list gives the exit bits status gives.
dmirrorctl status $V 2>&1 | sed 's/^/    st| /'
run_rc 0 dmirrorctl list
run_rc 0 dmirrorctl deactivate $V
run_rc 0 dmirrorctl status $A $B
run_rc 0 dmirrorctl activate $V

# 1b. Image files, never active; a degraded first start by file is refused
# and leaves no loop device behind.
truncate -s 24M /tmp/a.img /tmp/b.img
run_rc 0 dmirrorctl create vimg /tmp/a.img /tmp/b.img --yes --no-activate --max-recovery-rate 1M
ia=$(md5f /tmp/a.img)
ib=$(md5f /tmp/b.img)
run_rc 8 dmirrorctl activate --degraded /tmp/a.img
contains "has never been active"
check "no loop device left by the refusal" sh -c "! losetup -a | grep -q img"
check "a.img unchanged" test "$(md5f /tmp/a.img)" = "$ia"
check "b.img unchanged" test "$(md5f /tmp/b.img)" = "$ib"
# --degraded with every leg: the first start (initial sync, throttled).
run_rc 0 dmirrorctl activate --degraded /tmp/a.img /tmp/b.img
check "write to the image volume" dd if=/tmp/d3 of=/dev/mapper/vimg bs=1M seek=4 oflag=direct
# 3 (part). A plain initial resync is no degradation (by name and by list).
run_rc 2 dmirrorctl status vimg
contains "resync"
not_contains "kernel-state"
check "the health line is not degraded during the resync" sh -c "dmirrorctl status vimg | grep '^Health:' | grep -vq degraded"
run_rc 2 dmirrorctl --json status vimg
not_contains "kernel-state"
not_contains '"health": "degraded"'
run_rc 2 dmirrorctl list
not_contains "kernel-state"
run_rc 2 dmirrorctl --json list
not_contains '"health": "degraded"'
run_rc 0 dmirrorctl deactivate vimg
check "loop devices detached" sh -c "! losetup -a | grep -q img"
run_rc 0 dmirrorctl activate --degraded /tmp/a.img
contains "starting degraded"
check "the image volume reads back (degraded)" test "$(sum /dev/mapper/vimg $((4 * MIB)) $((4 * MIB)))" = "$(md5f /tmp/d3)"
run_rc 0 dmirrorctl deactivate vimg
check "loop devices detached again" sh -c "! losetup -a | grep -q img"

# 1c. Loop devices made by the administrator, never active.
truncate -s 24M /tmp/c.img /tmp/e.img
LC=$(losetup -f)
losetup $LC /tmp/c.img
LE=$(losetup -f)
losetup $LE /tmp/e.img
info "loop devices $LC $LE"
run_rc 0 dmirrorctl create vloop $LC $LE --yes --assume-clean --no-activate
lc0=$(md5f /tmp/c.img)
run_rc 8 dmirrorctl activate --degraded $LC
contains "has never been active"
check "c.img unchanged" test "$(md5f /tmp/c.img)" = "$lc0"
run_rc 0 dmirrorctl activate vloop
run_rc 0 dmirrorctl deactivate vloop
run_rc 0 dmirrorctl activate --degraded $LE
run_rc 0 dmirrorctl deactivate vloop
losetup -d $LC
losetup -d $LE

# ---------------------------------------------------------------- 2.
run_rc 0 dmirrorctl set $V --max-recovery-rate 4M
n=$(wc -l </tmp/mon.log)
# Slots: $A 0, $B 1. 2a. Replace slot 1 by $C, interrupted; resumes naming
# another --old or --new are refused and change nothing.
bg_replace /tmp/r1.out --old 1 --new $C
sleep 3
kill -INT $bg
bg_wait
sed 's/^/    r1| /' /tmp/r1.out
check "the interrupted replace exits 32 (got $bg_rc)" test "$bg_rc" -eq 32
sa=$(seqno_of $A)
sc=$(seqno_of $C)
d0=$(sum_mib $D 0 $((64 * MIB)))
run_rc 8 dmirrorctl replace $V --old 0 --new $C
contains "in progress"
run_rc 8 dmirrorctl replace $V --old 1 --new $D --force
contains "in progress"
run_rc 8 dmirrorctl replace $V --old $A --new $C
run_rc 8 dmirrorctl --json replace $V --old 0 --new $C
not_contains '"already_finished": true'
if tail -n +$((n + 1)) /tmp/mon.log | grep -q 'the replace is finished'; then
  info "the monitor finished the replace meanwhile: seqno not compared"
else
  check "the refused resumes changed no seqno on $A ($sa)" test "$(seqno_of $A)" = "$sa"
  check "the refused resumes changed no seqno on $C ($sc)" test "$(seqno_of $C)" = "$sc"
fi
check "the refused resumes wrote nothing on $D" test "$(sum_mib $D 0 $((64 * MIB)))" = "$d0"
run_rc 0 dmirrorctl replace $V --old 1 --new $C
KWANT="AA idle"
check "AA idle after the resume" kernel_is $A $C
all_data "after 2a" $A $C

# 2b. "Already finished" only for the replace made.
run_rc 0 dmirrorctl replace $V --old 1 --new $C
contains "already"
run_rc 0 dmirrorctl --json replace $V --old 1 --new $C
contains '"already_finished": true'
sa=$(seqno_of $A)
for args in "--old 0 --new $C" "--old 2 --new $A" "--old 1 --new $A" "--old 0 --new $B" ; do
  OUT=$(dmirrorctl replace $V $args 2>&1)
  r=$?
  echo "$OUT" | sed 's/^/    | /'
  echo "$OUT" >>/tmp/all.out
  case $args in
    *"--new $B") info "replace $args exited $r" ;;
    *) check "replace $args is no success (exit $r)" test $r -ne 0
       not_contains "already" ;;
  esac
done
OUT=$(dmirrorctl replace $V --old $B --new $C 2>&1)
r=$?
echo "$OUT" | sed 's/^/    | /'
info "replace --old $B (the retired leg's device) --new $C exited $r"

# 2c. kill -9 at several moments, each followed by the same replace.
run_rc 0 dmirrorctl set $V --max-recovery-rate 0
cur=$C
spare=$B
for delay in 0.3 3; do
  old=$(slot_of $cur $A $cur)
  bg_replace /tmp/k.out --old $old --new $spare --force
  sleep $delay
  kill -KILL $bg
  bg_wait
  sed 's/^/    k| /' /tmp/k.out
  info "kill -9 after $delay s (replace of slot $old by $spare)"
  dmirrorctl status $A $cur $spare 2>&1 | sed 's/^/    st| /'
  run_rc 0 dmirrorctl replace $V --old $old --new $spare --force
  KWANT="AA idle"
  eventually "AA idle after the rerun (kill after $delay s)" 60 kernel_is $A $spare
  run_rc 0 dmirrorctl status $V
  t=$cur
  cur=$spare
  spare=$t
  all_data "after kill -9 at $delay s" $A $cur
done

# 2d. kill -9, then the new leg fails with no command waiting (the monitor
# runs): the rerun undoes the replace and names the next step, which works.
run_rc 0 dmirrorctl set $V --max-recovery-rate 4M
old=$(slot_of $cur $A $cur)
bg_replace /tmp/k.out --old $old --new $spare --force
sleep 3
kill -KILL $bg
bg_wait
new=$(slot_of $spare $A $cur $spare)
info "slot $old by $spare (slot $new), killed"
run_rc 0 dm-fault error $V-data$new
write_d /tmp/d3
sleep 4
run_rc 8 dmirrorctl replace $V --old $old --new $spare --force
next=$(echo "$OUT" | sed -n 's/.*(\(dmirrorctl replace [^)]*--new DEV\)).*/\1/p' | head -n 1)
info "named next step: $next"
check "the rerun names the next step" test -n "$next"
KWANT="AA idle"
eventually "AA idle after the undo" 30 kernel_is $A $cur
check "the failed new slot left the live table" test ! -e /dev/mapper/$V-data$new
run_rc 0 dmirrorctl set $V --max-recovery-rate 0
if [ -n "$next" ]; then
  run_rc 0 $(echo "$next" | sed "s|DEV|$D|") --force
  eventually "AA idle after the named replace" 90 kernel_is $A $D
  cur=$D
  spare=$C
fi
all_data "after 2d" $A $cur

# ---------------------------------------------------------------- 3.
# A leg the kernel fails: degraded at once, by name, list and --json.
k=$(slot_of $cur $A $cur)
n=$(wc -l </tmp/mon.log)
# The monitor is held (SIGSTOP) so the metadata cannot record the failure
# first: status must fold in the kernel's view on its own.
kill -STOP $mon
run_rc 0 dm-fault error $V-data$k
write_d /tmp/d4
run_rc 2 dmirrorctl status $V
contains "in the active volume"
check "slot $k shown failed" sh -c "echo \"\$0\" | grep -Eq '^  slot $k .*failed'" "$OUT"
run_rc 2 dmirrorctl list
run_rc 2 dmirrorctl --json list
contains '"degraded"'
run_rc 2 dmirrorctl --json status $V
contains "kernel-state"
contains '"health": "degraded"'
kill -CONT $mon
eventually "the monitor logs slot $k failing" 20 logged_since $n /tmp/mon.log "slot $k"
run_rc 0 dmirrorctl deactivate $V
run_rc 2 dmirrorctl status $A $cur
check "slot $k recorded failed" slot_failed $k
run_rc 0 dmirrorctl activate $V
contains "left out"
all_data "failed leg left out" $A
# Back onto the same disk.
run_rc 0 dmirrorctl replace $V --old $k --new $cur --force
KWANT="AA idle"
eventually "AA idle after the replace onto the same disk" 90 kernel_is $A $cur
all_data "after 3" $A $cur
write_d /tmp/d5
all_data "after 3 (d5)" $A $cur

# ---------------------------------------------------------------- 4.
run_rc 0 dmirrorctl deactivate $V
# The regions written while slot $k was failed stay in the journal after
# the online replace rebuilt the slot in place (a known gap, shown, not
# asserted: status after a clean deactivate says "unclean shutdown: N
# regions to resync"); the offline resync below settles them.
dmirrorctl status $A $cur 2>&1 | sed 's/^/    st| /'
OUT=$(dmirrorctl resync $A $cur 2>&1)
r=$?
echo "$OUT" | sed 's/^/    | /'
info "offline resync exited $r"
# 4a. dm devices stacked over the legs, the array inactive, then active.
run_rc 0 dm-fault linear s1 $A
run_rc 0 dm-fault linear s2 /dev/mapper/s1
run_rc 0 dm-fault linear s3 $cur
run_rc 0 dmirrorctl status $V
check "one line for slot 0" test "$(echo "$OUT" | grep -cE '^  slot 0 ')" -eq 1
ks=$(slot_of $cur $A $cur)
check "one line for slot $ks" test "$(echo "$OUT" | grep -cE "^  slot $ks ")" -eq 1
run_rc 0 dmirrorctl list
check "list: one line for slot 0 of $V" test "$(echo "$OUT" | grep -cE '^  slot 0 ')" -eq 1
run_rc 0 dmirrorctl activate $V
tables_show $V
# By design the scan keeps the device on top (leg_failure.sh): the table
# maps the top of the chain (s2 over s1 over $A), which stays busy while
# the volume is active.
check "the table uses the top device s2" tables_use $V /dev/mapper/s2
check "the table does not use $A directly" not_tables_use $V $A
run_rc 0 dmirrorctl status $V
check "status: one line for slot 0 (active)" test "$(echo "$OUT" | sed '/^Online:/,$d' | grep -cE '^  slot 0 ')" -eq 1
OUT=$(dm-fault remove s2 2>&1)
r=$?
echo "$OUT" | sed 's/^/    | /'
info "dm-fault remove s2 while the volume is active exited $r"
run_rc 0 dmirrorctl deactivate $V
run_rc 0 dm-fault remove s2
run_rc 0 dm-fault remove s1
run_rc 0 dm-fault remove s3
all_data "after 4a" $A $cur

# 4b. Partitions, the second ending at the disk's end (its superblock copy
# at the end of the leg is at the end of the whole disk too).
le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"; }
mbr_entry() { printf '\000\000\000\000\203\000\000\000'; le32 $1; le32 $2; }
D=$spare
OUT=$(dmirrorctl wipe $D --with $A </dev/null 2>&1)
r=$?
echo "$OUT" | sed 's/^/    | /'
info "wipe $D exited $r"
{ mbr_entry 2048 61440; mbr_entry 63488 67584; } | dd of=$D bs=1 seek=446 conv=notrunc 2>/dev/null
printf '\125\252' | dd of=$D bs=1 seek=510 conv=notrunc 2>/dev/null
blockdev --rereadpt $D
sleep 1
check "partitions appear" test -b ${D}1 -a -b ${D}2
V=vpart
run_rc 0 dmirrorctl create $V ${D}1 ${D}2 --yes --assume-clean --region-size 1M
check "write to the partition volume" dd if=/tmp/d1 of=/dev/mapper/$V bs=1M seek=4 oflag=direct
run_rc 0 dmirrorctl status $V
not_contains "$D "
check "status: one line for slot 1" test "$(echo "$OUT" | sed '/^Online:/,$d' | grep -cE '^  slot 1 ')" -eq 1
run_rc 0 dmirrorctl list
check "list does not name the whole disk $D" out_lacks_disk $D
OUT=$(dmirrorctl examine $D 2>&1)
r=$?
echo "$OUT" | sed 's/^/    | /'
info "examine of the whole disk exited $r"
run_rc 0 dmirrorctl deactivate $V
run_rc 0 dmirrorctl list
check "list (inactive) does not name the whole disk $D" out_lacks_disk $D
run_rc 0 dmirrorctl status $V
check "status (inactive): one line for slot 1" test "$(echo "$OUT" | grep -cE '^  slot 1 ')" -eq 1
run_rc 0 dmirrorctl activate $V
tables_show $V
check "the table does not use the whole disk" not_tables_use $V $D
check "the table uses ${D}2" tables_use $V ${D}2
run_rc 0 dmirrorctl deactivate $V
# 4c. A loop device over a partition leg.
LP=$(losetup -f)
losetup $LP ${D}2
# A loop device over the partition leg is the leg once (the scan keeps the
# device on top): status, list and activate by name work.
run_rc 0 dmirrorctl status $V
check "status with a loop over ${D}2: one line for slot 1" test "$(echo "$OUT" | sed '/^Online:/,$d' | grep -cE '^  slot 1 ')" -eq 1
run_rc 0 dmirrorctl list
run_rc 0 dmirrorctl activate $V
if [ -b /dev/mapper/$V ]; then
  tables_show $V
  check "the table uses ${D}2, not $LP" tables_use $V ${D}2
  run_rc 0 dmirrorctl deactivate $V
fi
losetup -d $LP
run_rc 0 dmirrorctl activate $V
check "the volume reads back" test "$(sum /dev/mapper/$V $((4 * MIB)) $((4 * MIB)))" = "$(md5f /tmp/d1)"
run_rc 0 dmirrorctl deactivate $V
check "${D}1 holds the write" test "$(sum ${D}1 $((DATA + 4 * MIB)) $((4 * MIB)))" = "$(md5f /tmp/d1)"
check "${D}2 holds the write" test "$(sum ${D}2 $((DATA + 4 * MIB)) $((4 * MIB)))" = "$(md5f /tmp/d1)"

# ---------------------------------------------------------------- 5.
t0=$(cut -d' ' -f1 /proc/uptime)
kill -TERM $mon
mon_rc=0
wait $mon || mon_rc=$?
t1=$(cut -d' ' -f1 /proc/uptime)
sed 's/^/    mon| /' /tmp/mon.log
check "the monitor stops on SIGTERM with exit 0 (exit $mon_rc, $(echo "$t1 - $t0" | bc) s)" test "$mon_rc" -eq 0 -a "$(echo "$t1 - $t0 < 3" | bc)" -eq 1
check "the monitor never failed a write" sh -c "! grep -q 'failed:' /tmp/mon.log"
check "no administrator command met the monitor's lock" sh -c "! grep -iEq 'locked by.*monitor|held by.*monitor' /tmp/all.out"
check "the monitor never records a slot that is no longer a leg" sh -c "! grep -q 'slot [0-9]* () failed earlier' /tmp/mon.log"
