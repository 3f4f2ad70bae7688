# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario: unreadable blocks on a real block device, healed (or not) by an
# offline scrub. Leg 1 is the dm device `leg1`, linear over /dev/vdb; a bad
# range is spliced into it (linear/BAD/linear, dm-fault splice). The 6.1
# kernel has no dm-dust and dm-flakey cannot fail reads alone, so the three
# kinds of bad block are built from stock targets:
#  - a block that heals on rewrite (a drive remapping a pending sector): a
#    dm-snapshot (chunk 4 KiB, COW on /dev/vdc) of an `error` device. Reads
#    of a chunk never written go to the failing origin; a whole-chunk write
#    goes to the COW device, and the chunk reads back from there.
#  - a block that cannot be written either: the `error` target.
#  - a block that takes writes and loses them: dm-flakey, always down with
#    drop_writes, over an `error` device (reads fail, writes "succeed").
# What a scrub must do (dmirrorctl-scrub(8), FORMAT.md 2.7): rewrite a block
# the leg cannot read from the good leg, read it back, count it (read_errors,
# corrected) and carry on; fail the leg past error_limit (10) read errors in
# a run; a rewrite or read-back that fails counts a write error, fails the
# leg and claims nothing healed; `dmirrorctl clear` zeroes the counters. A
# read through the engine (`io read --heal`) heals what it reads the same
# way; a read-only one only passes the bad leg over.
L0=/dev/vda
LEG1=/dev/mapper/leg1
COW=/dev/vdc
S0=$((DATA / 512))     # first data sector of a leg
BAD=$((S0 + 2048 + 128))   # the bad range: volume offset 1 MiB + 64 KiB
BAD_OFF=$(((BAD - S0) * 512))

# counter SLOT KEY: a leg's counter (or field) from `status --json`.
counter() {
  dmirrorctl status --json $L0 $LEG1 2>/dev/null | tr -d ' \n' | grep -o "\"slot\":$1,\"uuid\"[^}]*" |
    grep -o "\"$2\":[^,}]*" | cut -d: -f2 | tr -d '"'
}

# expect_counter SLOT KEY VALUE
expect_counter() {
  _v=$(counter "$1" "$2")
  if [ "$_v" = "$3" ]; then pass "slot $1 $2 = $3"; else fail "slot $1 $2 = '$_v', expected $3"; fi
}

# fresh_array: leg1 plain linear over vdb, a new array, 8 MiB of data.
fresh_array() {
  check "leg1 is plain linear over /dev/vdb" dm-fault linear leg1 /dev/vdb
  dm-fault remove bad 2>/dev/null
  dm-fault remove bad-err 2>/dev/null
  # The metadata at the start and superblock copy 2 in the last MiB (the
  # disks are 64 MiB): a leg that keeps copy 2 is still the old array's.
  for _d in $L0 $LEG1; do
    dd if=/dev/zero of=$_d bs=1M count=8 2>/dev/null
    dd if=/dev/zero of=$_d bs=1M seek=63 count=1 2>/dev/null
  done
  expect_rc 0 dmirrorctl create vol $L0 $LEG1 --yes --assume-clean --region-size 1M --no-activate
  head -c $((8 * MIB)) /dev/urandom >/tmp/pattern
  expect_rc 0 dmirrorctl io write $L0 $LEG1 --offset 0 --from /tmp/pattern
}

# splice KIND BLOCKS: BLOCKS bad 4 KiB blocks at BAD on leg1, of KIND
# heal | error | lying.
splice() {
  _len=$(($2 * 8))
  check "error device of $2 blocks" dm-fault create bad-err "0 $_len error"
  case $1 in
    heal) check "snapshot of it on $COW" dm-fault create bad "0 $_len snapshot /dev/mapper/bad-err $COW N 8" ;;
    lying) check "flakey drop_writes over it" dm-fault create bad "0 $_len flakey /dev/mapper/bad-err 0 0 1 1 drop_writes" ;;
    error) ;;
  esac
  if [ "$1" = error ]; then
    check "splice error into leg1" dm-fault splice leg1 /dev/vdb $BAD $_len
  else
    check "splice the $1 device into leg1" dm-fault splice leg1 /dev/vdb $BAD $_len /dev/mapper/bad
  fi
  check "leg1 cannot read the bad range" \
    sh -c "! dd if=$LEG1 of=/dev/null bs=4096 skip=$((BAD / 8)) count=1 iflag=direct 2>/dev/null"
}

same_data() { test "$(sum $L0 $((DATA + $1)) $2)" = "$(sum $LEG1 $((DATA + $1)) $2)"; }

info "1. ten blocks that heal on rewrite (the error limit is 10), a mismatch further on"
fresh_array
splice heal 10
info "planting a mismatch on leg 1 at 6 MiB, past the bad range"
check "plant" scribble /dev/vdb $((DATA + 6 * MIB)) 4096
expect_rc 5 dmirrorctl scrub $L0 $LEG1
contains "unreadable data at offset $BAD_OFF length 40960 rewritten from slot 0 and read back good"
# It carried on: every region compared, and the mismatch past the bad
# range was found (two legs, clean region: reported, left alone).
contains "55 regions"
contains "offset 6291456"
expect_counter 1 read_errors 10
expect_counter 1 corrected 10
expect_counter 1 write_errors 0
expect_counter 1 state in_sync
expect_counter 0 read_errors 0
check "leg 1 holds leg 0's data in the healed range" same_data $BAD_OFF 40960
check "the healed range reads back from leg1" dd if=$LEG1 of=/dev/null bs=4096 skip=$((BAD / 8)) count=10 iflag=direct
expect_rc 1 dmirrorctl scrub $L0 $LEG1 --from 0
expect_rc 0 dmirrorctl scrub $L0 $LEG1
contains "scrub clean: 55 regions, 0 mismatches"
expect_counter 1 read_errors 10
check "legs identical over the data written" same_data 0 $((8 * MIB))
expect_rc 0 dmirrorctl io read $L0 $LEG1 --offset $BAD_OFF --length 40960 --to /tmp/back
check "the volume reads back what was written" \
  test "$(md5sum </tmp/back | cut -d' ' -f1)" = "$(dd if=/tmp/pattern bs=4096 skip=$((BAD_OFF / 4096)) count=10 2>/dev/null | md5sum | cut -d' ' -f1)"
expect_rc 0 dmirrorctl clear $L0 $LEG1
expect_counter 1 read_errors 0
expect_counter 1 corrected 0
expect_counter 1 mismatches 0

info "2. a read through the engine: read-only it passes the bad leg over, --heal rewrites it"
fresh_array
splice heal 2
want2=$(dd if=/tmp/pattern bs=4096 skip=$((BAD_OFF / 4096)) count=2 2>/dev/null | md5sum | cut -d' ' -f1)
expect_rc 0 dmirrorctl io read $L0 $LEG1 --offset $BAD_OFF --length 8192 --to /tmp/back --prefer 1
check "the read-only read was served by leg 0" test "$(md5sum </tmp/back | cut -d' ' -f1)" = "$want2"
expect_counter 1 read_errors 0
check "leg1 still cannot read the bad range" \
  sh -c "! dd if=$LEG1 of=/dev/null bs=4096 skip=$((BAD / 8)) count=1 iflag=direct 2>/dev/null"
expect_rc 1 dmirrorctl io read $L0 $LEG1 --offset $BAD_OFF --length 8192 --to /tmp/back --prefer 1 --heal
check "the healing read returned the data written" test "$(md5sum </tmp/back | cut -d' ' -f1)" = "$want2"
expect_counter 1 read_errors 2
expect_counter 1 corrected 2
expect_counter 1 write_errors 0
expect_counter 1 state in_sync
check "leg1 reads the healed range itself" dd if=$LEG1 of=/dev/null bs=4096 skip=$((BAD / 8)) count=2 iflag=direct
check "leg 1 holds leg 0's data there" same_data $BAD_OFF 8192
expect_rc 0 dmirrorctl scrub $L0 $LEG1
contains "scrub clean: 55 regions, 0 mismatches"

info "3. eleven blocks that heal on rewrite: past the error limit, the leg is failed"
fresh_array
splice heal 11
expect_rc 8 dmirrorctl scrub $L0 $LEG1
contains "more than 10 read errors within 600 s"
expect_counter 1 read_errors 11
expect_counter 1 corrected 10
expect_counter 1 state failed
expect_counter 0 state in_sync

info "4. a block that cannot be rewritten (error target): a write error, the leg failed, nothing healed"
fresh_array
splice error 1
expect_rc 8 dmirrorctl scrub $L0 $LEG1
contains "rewriting the unreadable block at offset $BAD_OFF length 4096 failed"
case $OUT in *"read back good"*) fail "a failed rewrite was reported healed" ;; *) pass "nothing reported healed" ;; esac
expect_counter 1 read_errors 1
expect_counter 1 write_errors 1
expect_counter 1 corrected 0
expect_counter 1 state failed
expect_rc 0 dmirrorctl io read $L0 $LEG1 --offset $BAD_OFF --length 4096 --to /tmp/back

info "5. a block that drops its rewrite (flakey drop_writes): the read-back catches it"
fresh_array
splice lying 1
expect_rc 8 dmirrorctl scrub $L0 $LEG1
contains "reading back the unreadable block at offset $BAD_OFF length 4096 failed"
case $OUT in *"read back good"*) fail "a lost rewrite was reported healed" ;; *) pass "nothing reported healed" ;; esac
expect_counter 1 write_errors 1
expect_counter 1 corrected 0
expect_counter 1 state failed
