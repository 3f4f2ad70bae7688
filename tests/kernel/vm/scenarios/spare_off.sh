# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: an array whose spare take-over is off. `set --spare-takeover
# off` on the active volume is one commit of our superblock (no reload: the
# live table is untouched); leg 1 then fails live; the monitor records the
# failure and only reports it (a warning naming the replace), the spare
# stays a spare and is not written. The administrator's replace then uses
# the spare; `--spare-takeover auto` clears the setting (compat bit 3).
L0=/dev/vda
L1=/dev/vdb
L2=/dev/vdc

expect_rc 0 dmirrorctl create vol8 $L0 $L1 --yes --assume-clean --region-size 1M
expect_rc 0 dmirrorctl add vol8 --spare --new $L2
table_before=$(dm-fault table vol8)
expect_rc 0 dmirrorctl set vol8 --spare-takeover off
contains "spare take-over off (was auto)"
check "no table reload" test "$(dm-fault table vol8)" = "$table_before"
expect_rc 0 dmirrorctl status vol8
contains "take-over off"
expect_rc 0 dmirrorctl --json status vol8
contains '"spare_takeover": "off"'
expect_rc 0 dmirrorctl --json examine $L0
contains '"compat": 15'
spare_before=$(sum_mib $L2 0 $((64 * MIB)))

dmirrorctl monitor --stderr --interval 1 >/tmp/monitor.log 2>&1 &
monitor=$!
sleep 2
expect_rc 0 dm-fault error vol8-data1
head -c $((2 * MIB)) /dev/urandom >/tmp/after
check "write while leg 1 fails" dd if=/tmp/after of=/dev/mapper/vol8 bs=1M seek=10 oflag=direct
_i=0
while [ $_i -lt 120 ]; do
  grep -q 'spare take-over is off' /tmp/monitor.log && break
  sleep 0.5
  _i=$((_i + 1))
done
sleep 2
kill $monitor
wait $monitor
sed 's/^/    monitor| /' /tmp/monitor.log
check "the monitor only reported" grep -q 'spare take-over is off for this array: slot 1 is not replaced' /tmp/monitor.log
check "no replace was started" sh -c "! grep -q 'is replacing failed slot' /tmp/monitor.log"
expect_rc 2 dmirrorctl --json status vol8
contains '"path": "/dev/vdc",
      "present": true'
check "the spare was not written" test "$(sum_mib $L2 0 $((64 * MIB)))" = "$spare_before"

# The administrator replaces the failed leg with the spare.
expect_rc 0 dmirrorctl replace vol8 --old 1 --new $L2
expect_rc 0 dmirrorctl status vol8
contains "Kernel:      AA idle"
check "the spare holds the write made during the failure" test "$(sum $L2 $((DATA + 10 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
expect_rc 0 dmirrorctl set vol8 --spare-takeover auto
contains "spare take-over auto (was off)"
expect_rc 0 dmirrorctl --json examine $L0
contains '"compat": 7'
expect_rc 0 dmirrorctl deactivate vol8
