# SPDX-License-Identifier: LGPL-2.1-or-later
# Probe: what the kernel does when a `- -` slot of a degraded set gets its
# leg back by a table reload without `rebuild`.
L0=/dev/vda
L1=/dev/vdb

sb_events() { dd if="$1" bs=4096 skip=$((KMETA / 4096)) count=1 iflag=direct 2>/dev/null | od -An -tu8 -j16 -N8 | tr -d ' '; }
sb_failed() { dd if="$1" bs=4096 skip=$((KMETA / 4096)) count=1 iflag=direct 2>/dev/null | od -An -tx8 -j24 -N8 | tr -d ' '; }
bm_events() { dd if="$1" bs=4096 skip=$((KMETA / 4096 + 1)) count=1 iflag=direct 2>/dev/null | od -An -tu8 -j24 -N16 | tr -s ' '; }

expect_rc 0 dmirrorctl create vol9 $L0 $L1 --yes --assume-clean --region-size 1M
check "write with both legs" dd if=/dev/urandom of=/dev/mapper/vol9 bs=1M seek=1 count=2 oflag=direct
expect_rc 0 dmirrorctl deactivate vol9
info "after deactivate: L0 events $(sb_events $L0) failed $(sb_failed $L0) bm $(bm_events $L0); L1 events $(sb_events $L1) failed $(sb_failed $L1) bm $(bm_events $L1)"

# A pattern on leg 1 in a region nobody writes (region 30): a full copy
# overwrites it, a bitmap-guided recovery leaves it.
head -c $MIB /dev/urandom >/tmp/pat
check "plant pattern" dd if=/tmp/pat of=$L1 bs=1M seek=$(((DATA + 30 * MIB) / MIB)) oflag=direct conv=notrunc
pat=$(md5sum </tmp/pat | cut -d' ' -f1)

expect_rc 0 dmirrorctl activate --degraded $L0
head -c $((2 * MIB)) /dev/urandom >/tmp/new
new=$(md5sum </tmp/new | cut -d' ' -f1)
check "write while leg 1 is missing" dd if=/tmp/new of=/dev/mapper/vol9 bs=1M seek=6 oflag=direct
check "write 2 while leg 1 is missing" dd if=/tmp/new of=/dev/mapper/vol9 bs=1M seek=12 count=1 oflag=direct
sleep 6
info "degraded: L0 events $(sb_events $L0) failed $(sb_failed $L0) bm $(bm_events $L0); L1 events $(sb_events $L1)"
info "bitmap bits L0: $(for r in 0 1 2 3 5 6 7 8 12 13 30; do printf '%s:%s ' $r $(bitmap_bit $L0 $r); done)"
dm-fault table vol9
dm-fault status vol9
tbl=$(dm-fault table vol9)
dlen=$(dm-fault table vol9-data0 | cut -d' ' -f2)
info "table: $tbl; data len $dlen"
check "kmeta1" dm-fault create vol9-kmeta1 "0 8192 linear $L1 4096"
check "data1" dm-fault create vol9-data1 "0 $dlen linear $L1 16384"
k1=$(dm-fault table vol9-kmeta1 | cut -d' ' -f4)
d1=$(dm-fault table vol9-data1 | cut -d' ' -f4)
info "kmeta1 $k1 (table $(dm-fault table vol9-kmeta1))"
# devices of the new sub-devices as major:minor
k1=$(cat /sys/block/$(basename $(readlink -f /dev/mapper/vol9-kmeta1 2>/dev/null || echo x))/dev 2>/dev/null)
for d in /sys/block/dm-*; do info "$d $(cat $d/dm/name) $(cat $d/dev)"; done
kmaj=$(for d in /sys/block/dm-*; do [ "$(cat $d/dm/name)" = vol9-kmeta1 ] && cat $d/dev; done)
dmaj=$(for d in /sys/block/dm-*; do [ "$(cat $d/dm/name)" = vol9-data1 ] && cat $d/dev; done)
newtbl=$(echo "$tbl" | sed "s/ - -\$/ $kmaj $dmaj/")
info "new table: $newtbl"
dmesg -c >/dev/null
check "reload with leg 1 back" dm-fault reload vol9 "$newtbl"
for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do
  info "t=$i $(dm-fault status vol9)"
  sleep 0.5
done
dmesg | sed 's/^/    k| /'
wait_idle 120 $L0 $L1
info "final $(dm-fault status vol9)"
dmesg | sed 's/^/    k| /'
check "written regions equal on leg 1" test "$(sum $L1 $((DATA + 6 * MIB)) $((2 * MIB)))" = "$new"
s30_0=$(sum $L0 $((DATA + 30 * MIB)) $MIB)
s30_1=$(sum $L1 $((DATA + 30 * MIB)) $MIB)
info "region 30: pattern $pat leg0 $s30_0 leg1 $s30_1"
check "planted pattern survived (partial recovery)" test "$s30_1" = "$pat"
info "L0 events $(sb_events $L0) failed $(sb_failed $L0); L1 events $(sb_events $L1) failed $(sb_failed $L1)"
