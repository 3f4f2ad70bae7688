#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Host side of online_lifecycle: a two-leg array (dmleg0, dmleg1) with an
# ext4 file system on the volume mounted from /etc/fstab, and two empty
# disks (dmleg2, dmnew) for the online adds.
# assert: the guest's observations, then after power-off the legs that are
# members at the end (dmleg1, dmleg2, dmnew) examine clean with identical
# data areas, dmleg0 is recorded removed, and every file the guest recorded
# (its md5 as the guest printed it) is read (debugfs) from dmleg2, the leg
# that was split off and merged back.
source "$(dirname "$0")/../host-lib.sh"
legs=("$RUN/leg0.img" "$RUN/leg1.img")
leg2=$RUN/leg2.img new=$RUN/new.img
case $1 in
setup)
  new_array vol0 64 "${legs[@]}"
  for f in "$leg2" "$new"; do rm -f "$f"; truncate -s 64M "$f"; done
  size=$(sb_field "${legs[0]}" data_size)
  rm -f "$RUN/fs.img"; truncate -s "$size" "$RUN/fs.img"
  mke2fs -q -F -t ext4 -L vol0fs "$RUN/fs.img" || hfail "mke2fs"
  fill_data "$RUN/fs.img" "${legs[@]}"
  rm -f "$RUN/fs.img"
  add_disk dmleg0 "${legs[0]}"
  add_disk dmleg1 "${legs[1]}"
  add_disk dmleg2 "$leg2"
  add_disk dmnew "$new"
  mkdir -p "$STAGE/mnt/vol0"
  fstab "/dev/mapper/vol0 /mnt/vol0 ext4 defaults 0 2"
  ;;
assert)
  log=$2
  console_has "$log" 'DMIRROR-OBSERVE: findmnt: /dev/mapper/vol0 +ext4 +/mnt/vol0$' "the volume was mounted at boot from /dev/mapper/vol0"
  console_has "$log" 'DMIRROR-OBSERVE: dmsetup-add: 0 [0-9]+ raid raid1 [0-9]+ [A-]*A[A-]*A[A-]*A[A-]* ' "dm-raid ran three in-sync legs after the add"
  console_has "$log" 'DMIRROR-OBSERVE: dmsetup-merge: 0 [0-9]+ raid raid1 [0-9]+ [A-]*A[A-]*A[A-]*A[A-]* ' "dm-raid ran three in-sync legs after the merge"
  console_has "$log" 'DMIRROR-OBSERVE: status-end: rc=0$' "dmirrorctl status exited 0 at the end"
  stay=("${legs[1]}" "$leg2" "$new")
  "$DMIRRORCTL" examine "${stay[@]}" >"$RUN/examine.txt" 2>&1; rc=$?
  cat "$RUN/examine.txt" >&2
  [[ $rc -eq 0 ]] && hpass "examine of dmleg1, dmleg2 and dmnew after shutdown exits 0" ||
    hfail "examine of the legs that stay exited $rc"
  "$DMIRRORCTL" examine "${legs[0]}" >"$RUN/examine-removed.txt" 2>&1 || true
  grep -q -i 'removed' "$RUN/examine-removed.txt" && hpass "dmleg0's superblock records it removed" ||
    { cat "$RUN/examine-removed.txt" >&2; hfail "dmleg0's superblock does not say it was removed"; }
  size=$(sb_field "${legs[1]}" data_size)
  o1=$(sb_field "${legs[1]}" data_offset)
  for f in "$leg2" "$new"; do
    o=$(sb_field "$f" data_offset)
    cmp -s -n "$size" -i "$o1:$o" "${legs[1]}" "$f" || hfail "the data areas of dmleg1 and $(basename "$f") differ"
  done
  hpass "the data areas of dmleg1, dmleg2 and dmnew are identical after shutdown"
  o=$(sb_field "$leg2" data_offset)
  dd if="$leg2" of="$RUN/fs.img" bs=1M iflag=skip_bytes,count_bytes skip="$o" count="$size" status=none
  rm -rf "$RUN/out"; mkdir "$RUN/out"
  debugfs -R "rdump /w $RUN/out" "$RUN/fs.img" >/dev/null 2>&1
  e2fsck -f -n "$RUN/fs.img" >"$RUN/fsck.txt" 2>&1 && hpass "e2fsck -f -n of dmleg2's data area is clean" ||
    { cat "$RUN/fsck.txt" >&2; hfail "e2fsck -f -n of dmleg2's data area found errors"; }
  rm -f "$RUN/fs.img"
  tr -d '\r' <"$log" | sed -n 's/.*DMIRROR-OBSERVE: synced: \([0-9a-f]\{32\}\)  \([a-e][0-9]*\)$/\1  \2/p' >"$RUN/synced.md5"
  n=$(wc -l <"$RUN/synced.md5")
  (( n >= 40 )) || hfail "the guest listed only $n files"
  (cd "$RUN/out/w" && md5sum --quiet -c "$RUN/synced.md5") >&2 &&
    hpass "all $n files the guest recorded are on dmleg2, intact" || hfail "files the guest recorded are missing or differ on dmleg2"
  ;;
esac
