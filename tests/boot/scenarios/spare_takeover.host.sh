#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Host side of spare_takeover: three legs plus a spare (`dmirrorctl add
# --spare --new`, offline on the image files), an ext4 file system on the
# volume mounted from /etc/fstab, dmirror-monitor.service enabled.
# assert: the guest's observations, then after power-off the legs that
# stay (slots 0 and 2 and the spare) have identical data areas, and every
# file the writer synced (its md5 as the guest printed it) is on them.
source "$(dirname "$0")/../host-lib.sh"
legs=("$RUN/leg0.img" "$RUN/leg1.img" "$RUN/leg2.img")
spare=$RUN/spare.img
case $1 in
setup)
  new_array vol0 64 "${legs[@]}"
  rm -f "$spare"; truncate -s 64M "$spare"
  "$DMIRRORCTL" add --spare "${legs[@]}" --new "$spare" >"$RUN/add-spare.txt" 2>&1 ||
    { cat "$RUN/add-spare.txt" >&2; hfail "dmirrorctl add --spare --new on the image files"; }
  size=$(sb_field "${legs[0]}" data_size)
  rm -f "$RUN/fs.img"; truncate -s "$size" "$RUN/fs.img"
  mke2fs -q -F -t ext4 -L vol0fs "$RUN/fs.img" || hfail "mke2fs"
  fill_data "$RUN/fs.img" "${legs[@]}"
  rm -f "$RUN/fs.img"
  for i in 0 1 2; do add_disk "dmleg$i" "${legs[$i]}"; done
  add_disk dmspare "$spare"
  mkdir -p "$STAGE/mnt/vol0"
  fstab "/dev/mapper/vol0 /mnt/vol0 ext4 defaults 0 2"
  systemctl --root="$STAGE" enable dmirror-monitor.service >/dev/null 2>&1 ||
    hfail "systemctl --root enable dmirror-monitor.service"
  ;;
assert)
  log=$2
  console_has "$log" 'DMIRROR-OBSERVE: dmsetup-failed: 0 [0-9]+ raid raid1 [34] [AaD]*D' "dm-raid marked the failed leg D"
  console_has "$log" 'DMIRROR-OBSERVE: monitor-journal: .*spare' "the monitor's journal names the spare take-over"
  console_has "$log" 'DMIRROR-OBSERVE: status-after: rc=0$' "dmirrorctl status exited 0 after the take-over"
  stay=("${legs[0]}" "${legs[2]}" "$spare")
  "$DMIRRORCTL" examine "${stay[@]}" >"$RUN/examine.txt" 2>&1; rc=$?
  cat "$RUN/examine.txt" >&2
  [[ $rc -eq 0 ]] && hpass "examine of slots 0, 2 and the spare after shutdown exits 0" ||
    hfail "examine of the legs that stay exited $rc"
  size=$(sb_field "${legs[0]}" data_size)
  o0=$(sb_field "${legs[0]}" data_offset)
  for f in "${stay[@]:1}"; do
    o=$(sb_field "$f" data_offset)
    cmp -s -n "$size" -i "$o0:$o" "${legs[0]}" "$f" || hfail "the data areas of leg 0 and $(basename "$f") differ"
  done
  hpass "the data areas of leg 0, leg 2 and the spare are identical after shutdown"
  o=$(sb_field "$spare" data_offset)
  dd if="$spare" of="$RUN/fs.img" bs=1M iflag=skip_bytes,count_bytes skip="$o" count="$size" status=none
  rm -rf "$RUN/out"; mkdir "$RUN/out"
  debugfs -R "rdump /w $RUN/out" "$RUN/fs.img" >/dev/null 2>&1
  rm -f "$RUN/fs.img"
  tr -d '\r' <"$log" | sed -n 's/.*DMIRROR-OBSERVE: synced: \([0-9a-f]\{32\}\)  \(w[0-9]*\)$/\1  \2/p' >"$RUN/synced.md5"
  n=$(wc -l <"$RUN/synced.md5")
  (( n >= 3 )) || hfail "the guest listed only $n synced files"
  (cd "$RUN/out/w" && md5sum --quiet -c "$RUN/synced.md5") >&2 &&
    hpass "all $n files the writer synced are on the spare, intact" || hfail "files the writer synced are missing or differ on the spare"
  ;;
esac
