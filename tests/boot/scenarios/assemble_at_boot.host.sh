#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Host side of assemble_at_boot: three legs with an ext4 file system on the
# volume, listed in the guest's /etc/fstab by its /dev/mapper name; booted
# twice with the same disks (the shutdown between deactivates the volume).
# assert: the guest's observations on the console, then the legs after the
# guest powered off (in sync, identical data areas, the file it wrote).
source "$(dirname "$0")/../host-lib.sh"
legs=("$RUN/leg0.img" "$RUN/leg1.img" "$RUN/leg2.img")
case $1 in
setup)
  new_array vol0 64 "${legs[@]}"
  size=$(sb_field "${legs[0]}" data_size)
  rm -f "$RUN/fs.img"
  truncate -s "$size" "$RUN/fs.img"
  mke2fs -q -F -t ext4 -L vol0fs "$RUN/fs.img" || hfail "mke2fs"
  fill_data "$RUN/fs.img" "${legs[@]}"
  rm -f "$RUN/fs.img"
  for i in 0 1 2; do add_disk "dmleg$i" "${legs[$i]}"; done
  echo 2 >"$RUN/boots"
  mkdir -p "$STAGE/mnt/vol0"
  fstab "/dev/mapper/vol0 /mnt/vol0 ext4 defaults 0 2"
  ;;
boot) ;;   # boot 2 has the same disks
assert)
  log=$RUN/console-boot1.log log2=$2
  console_has "$log" 'DMIRROR-OBSERVE: findmnt: /dev/mapper/vol0 +ext4 +/mnt/vol0$' "the volume was mounted at boot from /dev/mapper/vol0"
  console_has "$log" 'DMIRROR-OBSERVE: dmsetup-status: 0 [0-9]+ raid raid1 3 AAA ' "dm-raid reported three alive, in-sync legs"
  console_has "$log" 'DMIRROR-OBSERVE: status: rc=0' "dmirrorctl status exited 0 in the guest"
  console_has "$log" 'DMIRROR-OBSERVE: volume-unit: ActiveState=active$' "boot 1: dmirror-volume@vol0.service was active"
  console_has "$log2" 'DMIRROR-OBSERVE: event-types: .*activated deactivated activated$' \
    "boot 2: the event history showed the volume deactivated at shutdown, then activated"
  console_has "$log2" 'DMIRROR-SCENARIO: PASS .*reported no unclean shutdown' "boot 2: the activation reported no unclean shutdown"
  # After power-off: the legs as the guest left them, deactivated cleanly
  # at the second shutdown too.
  for leg in "${legs[@]}"; do
    owner=$({ "$DMIRRORCTL" examine --json "$leg" || true; } | jq -r '.legs[0].superblock.flags.sync_owner')
    [[ $owner == offline ]] || hfail "$leg: the kernel still owns the sync state ($owner): the volume was not deactivated at shutdown"
    last=$({ "$DMIRRORCTL" examine --json "$leg" || true; } | jq -r '.legs[0].events[-1].type')
    [[ $last == deactivated ]] || hfail "$leg: the last event is '$last', not 'deactivated'"
  done
  hpass "every leg says deactivated cleanly after the final shutdown (sync owner offline, last event deactivated)"
  off=$(sb_field "${legs[0]}" data_offset)
  size=$(sb_field "${legs[0]}" data_size)
  "$DMIRRORCTL" examine "${legs[@]}" >"$RUN/examine.txt" 2>&1; rc=$?
  cat "$RUN/examine.txt" >&2
  [[ $rc -eq 0 ]] && hpass "dmirrorctl examine of the legs after shutdown exits 0" || hfail "examine after shutdown exited $rc"
  for i in 1 2; do
    cmp -s -n "$size" -i "$off:$off" "${legs[0]}" "${legs[$i]}" || hfail "data areas of leg 0 and leg $i differ after shutdown"
  done
  hpass "the three data areas are identical after shutdown"
  dd if="${legs[0]}" of="$RUN/fs.img" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
  got=$(debugfs -R "cat /hello" "$RUN/fs.img" 2>/dev/null)
  rm -f "$RUN/fs.img"
  [[ $got == "written at boot through /dev/mapper/vol0" ]] && hpass "the file the guest wrote is on the leg" ||
    hfail "the file the guest wrote is not on leg 0 (read '$got')"
  ;;
esac
