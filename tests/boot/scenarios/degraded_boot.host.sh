#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Host side of degraded_boot: a two-leg array (degraded timeout 5 s) with an
# ext4 file system holding before.bin; only leg 0 is attached at boot, and
# /etc/fstab lists the volume with nofail and a device timeout longer than
# the degraded timeout (as dmirrorctl-activate(8) recommends).
# request hotplug: plugs leg 1 into the running guest (qemu's device_add).
# assert: the guest's observations, then the legs after power-off: both
# data areas identical, before.bin and the file written while degraded
# (its checksum as the guest printed it) read from the re-added leg 1.
source "$(dirname "$0")/../host-lib.sh"
legs=("$RUN/leg0.img" "$RUN/leg1.img")
first_boot=1
# fs_file LEG PATH: a file of the ext4 in LEG's data area, on stdout.
fs_file() {
  local off size
  off=$(sb_field "$1" data_offset); size=$(sb_field "$1" data_size)
  dd if="$1" of="$RUN/fs.img" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
  debugfs -R "cat $2" "$RUN/fs.img" 2>/dev/null
  rm -f "$RUN/fs.img"
}
case $1 in
setup)
  for f in "${legs[@]}"; do rm -f "$f"; truncate -s 64M "$f"; done
  "$DMIRRORCTL" create -y --assume-clean --no-activate --degraded-timeout 5 vol0 "${legs[@]}" >/dev/null ||
    hfail "dmirrorctl create vol0"
  size=$(sb_field "${legs[0]}" data_size)
  rm -rf "$RUN/fs.img" "$RUN/fsdir"; mkdir "$RUN/fsdir"
  head -c 4M /dev/urandom >"$RUN/fsdir/before.bin"
  md5sum <"$RUN/fsdir/before.bin" | cut -d' ' -f1 >"$RUN/before.md5"
  truncate -s "$size" "$RUN/fs.img"
  mke2fs -q -F -t ext4 -L vol0fs -d "$RUN/fsdir" "$RUN/fs.img" || hfail "mke2fs"
  fill_data "$RUN/fs.img" "${legs[@]}"
  rm -rf "$RUN/fs.img" "$RUN/fsdir"
  if (( first_boot )); then
    echo 2 >"$RUN/boots"
    for i in 0 1; do add_disk "dmleg$i" "${legs[$i]}"; done
  else
    add_disk dmleg0 "${legs[0]}"   # leg 1 comes later (request hotplug)
  fi
  mkdir -p "$STAGE/mnt/vol0"
  fstab "/dev/mapper/vol0 /mnt/vol0 ext4 defaults,nofail,x-systemd.device-timeout=60s 0 2"
  ;;
boot)   # boot 2 of 2: leg 1 stays out
  rm -f "$RUN/disks"
  add_disk dmleg0 "${legs[0]}"
  ;;
request)
  case $2 in
    hotplug) hotplug_disk dmleg1 "${legs[1]}" ;;
    *) hfail "unknown request '$2'" ;;
  esac
  ;;
assert)
  log=$2
  console_has "$log" 'DMIRROR-OBSERVE: last-resort-journal: .*starting degraded' \
    "the last-resort service started the array degraded"
  console_has "$log" 'DMIRROR-OBSERVE: findmnt: /dev/mapper/vol0 +ext4 +/mnt/vol0$' "the volume was mounted from /etc/fstab"
  console_has "$log" 'DMIRROR-OBSERVE: status-degraded: rc=2$' "dmirrorctl status exited 2 (degraded) before the leg came"
  console_has "$log" 'DMIRROR-OBSERVE: status-after: rc=0$' "dmirrorctl status exited 0 after the re-add"
  console_has "$log" 'DMIRROR-OBSERVE: re-add-journal: .*from the write-intent bitmap .*no full copy' \
    "the late leg was re-added from the kernel's write-intent bitmap, without a full copy"
  "$DMIRRORCTL" examine "${legs[@]}" >"$RUN/examine.txt" 2>&1; rc=$?
  cat "$RUN/examine.txt" >&2
  [[ $rc -eq 0 ]] && hpass "examine of both legs after shutdown exits 0" || hfail "examine after shutdown exited $rc"
  o0=$(sb_field "${legs[0]}" data_offset); o1=$(sb_field "${legs[1]}" data_offset)
  size=$(sb_field "${legs[0]}" data_size)
  cmp -s -n "$size" -i "$o0:$o1" "${legs[0]}" "${legs[1]}" && hpass "the two data areas are identical after shutdown" ||
    hfail "the data areas of leg 0 and leg 1 differ after shutdown"
  got=$(fs_file "${legs[1]}" /before.bin | md5sum | cut -d' ' -f1)
  [[ $got == "$(cat "$RUN/before.md5")" ]] && hpass "leg 1 holds before.bin (written before the boot)" ||
    hfail "before.bin on leg 1 has md5 $got, not $(cat "$RUN/before.md5")"
  want=$(tr -d '\r' <"$log" | sed -n 's/.*DMIRROR-OBSERVE: md5-during: \([0-9a-f]\{32\}\)$/\1/p' | tail -n1)
  [[ -n $want ]] || hfail "the guest printed no md5 of during.bin"
  got=$(fs_file "${legs[1]}" /during.bin | md5sum | cut -d' ' -f1)
  [[ $got == "$want" ]] && hpass "leg 1 holds during.bin (written while it was missing)" ||
    hfail "during.bin on leg 1 has md5 $got, not $want"
  ;;
esac
