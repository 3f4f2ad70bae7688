# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: a spare takes over a failed leg. `add --spare` on the active
# volume lists the third disk as a spare (no data copied, the live table
# unchanged, status exit 0); leg 1 then fails live under writes; the monitor
# records the failure and starts an online replace onto the spare, in the
# spare's slot; when the kernel's rebuild ends the monitor finishes it
# (slot 1 removed, the spare's slot in sync). No acknowledged write is lost.
# The write-mostly mark `set` gave the spare is kept when it takes over, and
# incompat SPARES (FORMAT.md 2.2) goes with the last spare.
L0=/dev/vda
L1=/dev/vdb
L2=/dev/vdc

expect_rc 0 dmirrorctl create vol6 $L0 $L1 --yes --assume-clean --region-size 1M --max-recovery-rate 16M
head -c $((2 * MIB)) /dev/urandom >/tmp/before
head -c $((2 * MIB)) /dev/urandom >/tmp/after
check "write before the failure" dd if=/tmp/before of=/dev/mapper/vol6 bs=1M seek=2 oflag=direct

expect_rc 0 dmirrorctl add vol6 --spare --new $L2
contains "added as slot 2 of 'vol6': a spare"
expect_rc 0 dmirrorctl status vol6
contains "spare"
contains "Kernel:      AA"
expect_rc 0 dmirrorctl --json status vol6
contains '"spares": [
    {
      "slot": 2,'
contains '"path": "/dev/vdc",
      "present": true'
expect_rc 0 dmirrorctl examine $L2
contains "spare"
expect_rc 0 dmirrorctl set vol6 --write-mostly 2
contains "slot 2 write-mostly"

# The monitor daemon watches; leg 1 fails under writes.
dmirrorctl monitor --stderr --interval 1 --exec 'echo "$DMIRROR_EVENT $DMIRROR_LEG" >>/tmp/hook' \
  >/tmp/monitor.log 2>&1 &
monitor=$!
sleep 2
expect_rc 0 dm-fault error vol6-data1
check "write while leg 1 fails" dd if=/tmp/after of=/dev/mapper/vol6 bs=1M seek=10 oflag=direct
_i=0
while [ $_i -lt 240 ]; do
  dmirrorctl --json status vol6 >/tmp/st.json 2>/dev/null
  if grep -q '"spares": \[\]' /tmp/st.json && dmirrorctl status vol6 2>/dev/null | grep -Eq '^Kernel: +AA idle'; then
    break
  fi
  sleep 0.5
  _i=$((_i + 1))
done
kill $monitor
wait $monitor
sed 's/^/    monitor| /' /tmp/monitor.log
check "the monitor started the replace onto the spare" grep -q 'spare /dev/vdc (slot 2) is replacing failed slot 1' /tmp/monitor.log
check "the monitor finished it" grep -q 'the replace is finished: redundancy restored' /tmp/monitor.log
check "the hook heard the failure" grep -q '^leg-failed 1' /tmp/hook
expect_rc 0 dmirrorctl status vol6
contains "Kernel:      AA idle"
contains "slot 1  -                        removed"
check "the spare kept its write-mostly mark" sh -c "dmirrorctl status vol6 | grep -Eq '^  slot 2 .*write-mostly'"
check "the live table has it" sh -c "dmirrorctl --json status vol6 | tr -d ' \n' | grep -q '\"table\":{\"write_mostly\":\[2\]'"
expect_rc 0 dmirrorctl --json examine $L0
contains '"incompat": 3'
check "the spare holds the data written before the failure" test "$(sum $L2 $((DATA + 2 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/before | cut -d' ' -f1)"
check "the spare holds the data written during the failure" test "$(sum $L2 $((DATA + 10 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
check "the volume reads back both" test "$(sum /dev/mapper/vol6 $((10 * MIB)) $((2 * MIB)))" = "$(md5sum </tmp/after | cut -d' ' -f1)"
expect_rc 0 dmirrorctl scrub vol6 --check-only
expect_rc 0 dmirrorctl deactivate vol6
expect_rc 0 dmirrorctl activate vol6
expect_rc 0 dmirrorctl status vol6
expect_rc 0 dmirrorctl deactivate vol6
