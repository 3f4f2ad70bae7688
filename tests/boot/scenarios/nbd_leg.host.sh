#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Host side of nbd_leg: a two-leg array (degraded timeout never); leg 0 is a
# virtio disk, leg 1 a file in the guest's root that the guest's nbd-server
# exports on 127.0.0.1 (its packaged service masked: the scenario runs it).
# Booted twice, with the same disks. assert: the guest's observations of
# both boots, then after power-off the data areas of leg 0 and of the leg
# file (read out of the root image with debugfs) are identical and hold the
# 16 MiB written in boot 1 (its md5 as the guest printed it).
source "$(dirname "$0")/../host-lib.sh"
legs=("$RUN/leg0.img" "$RUN/leg1.img")
export_path=/var/lib/dmirror-nbd/leg1.img
case $1 in
setup)
  for f in "${legs[@]}"; do rm -f "$f"; truncate -s 64M "$f"; done
  "$DMIRRORCTL" create -y --assume-clean --no-activate --degraded-timeout never vol0 "${legs[@]}" >/dev/null ||
    hfail "dmirrorctl create vol0"
  echo 2 >"$RUN/boots"
  add_disk dmleg0 "${legs[0]}"
  mkdir -p "$STAGE${export_path%/*}" "$STAGE/etc/dmirror-nbd"
  cp --sparse=always "${legs[1]}" "$STAGE$export_path"
  cat >"$STAGE/etc/dmirror-nbd/server.conf" <<CONF
[generic]
user = root
group = root
listenaddr = 127.0.0.1
[leg1]
exportname = $export_path
CONF
  ln -sf /dev/null "$STAGE/etc/systemd/system/nbd-server.service"
  ;;
boot) ;;   # boot 2 has the same disk
assert)
  log=$2 log1=$RUN/console-boot1.log
  console_has "$log1" 'DMIRROR-OBSERVE: nbd-client: Connected /dev/nbd0' "boot 1: nbd-client connected /dev/nbd0"
  console_has "$log1" 'DMIRROR-OBSERVE: table: vol0-data1: 0 [0-9]+ linear 43:0 ' "boot 1: leg 1's data sub-device maps /dev/nbd0 (43:0)"
  console_has "$log1" 'DMIRROR-OBSERVE: dmsetup-failed: 0 [0-9]+ raid raid1 2 AD ' "boot 1: dm-raid failed leg 1 after the link dropped"
  console_has "$log1" 'DMIRROR-OBSERVE: status-failed: rc=2$' "boot 1: dmirrorctl status exited 2 (degraded) with leg 1 down"
  console_has "$log1" 'DMIRROR-OBSERVE: status-failed: +slot 1 +position 1 +D failed' "boot 1: dmirrorctl status showed the kernel's failed leg"
  console_has "$log" 'DMIRROR-OBSERVE: status-boot2: +slot 1 +/dev/nbd0 +failed ' "boot 2: slot 1 was recorded failed and left out"
  console_has "$log" 'DMIRROR-OBSERVE: re-add: rc=0$' "boot 2: dmirrorctl resync --re-add copied onto /dev/nbd0"
  console_has "$log" 'DMIRROR-OBSERVE: status-offline: rc=0$' "boot 2: dmirrorctl status of the legs exited 0 after the re-add"
  console_has "$log" 'DMIRROR-OBSERVE: dmsetup-after: 0 [0-9]+ raid raid1 2 AA ' "boot 2: activated again with both legs in sync"
  console_has "$log" 'DMIRROR-OBSERVE: status-after: rc=0$' "boot 2: dmirrorctl status exited 0 after the re-add"
  want=$(tr -d '\r' <"$log1" | sed -n 's/.*DMIRROR-OBSERVE: md5-written: \([0-9a-f]\{32\}\)$/\1/p' | tail -n1)
  [[ -n $want ]] || hfail "the guest printed no md5 of the data it wrote"
  # The leg file as the guest left it, out of the root image.
  rm -f "$RUN/leg1-after.img"
  debugfs -R "dump $export_path $RUN/leg1-after.img" "$RUN/root.img" 2>/dev/null
  [[ -s $RUN/leg1-after.img ]] || hfail "cannot read $export_path out of the guest's root image"
  after=("${legs[0]}" "$RUN/leg1-after.img")
  rc=0; "$DMIRRORCTL" examine "${after[@]}" >"$RUN/examine.txt" 2>&1 || rc=$?
  cat "$RUN/examine.txt" >&2
  [[ $rc -eq 0 ]] && hpass "examine of both legs after shutdown exits 0" || hfail "examine after shutdown exited $rc"
  for leg in "${after[@]}"; do
    owner=$({ "$DMIRRORCTL" examine --json "$leg" || true; } | jq -r '.legs[0].superblock.flags.sync_owner')
    last=$({ "$DMIRRORCTL" examine --json "$leg" || true; } | jq -r '.legs[0].events[-1].type')
    [[ $owner == offline && $last == deactivated ]] ||
      hfail "$leg: sync owner '$owner', last event '$last': not deactivated cleanly"
  done
  hpass "both legs say deactivated cleanly (sync owner offline, last event deactivated)"
  o0=$(sb_field "${after[0]}" data_offset); o1=$(sb_field "${after[1]}" data_offset)
  size=$(sb_field "${after[0]}" data_size)
  cmp -s -n "$size" -i "$o0:$o1" "${after[0]}" "${after[1]}" && hpass "the two data areas are identical after shutdown" ||
    hfail "the data areas of leg 0 and of the NBD leg differ after shutdown"
  got=$(dd if="${after[1]}" bs=1M iflag=skip_bytes skip="$o1" count=16 status=none | md5sum | cut -d' ' -f1)
  [[ $got == "$want" ]] && hpass "the NBD leg holds the 16 MiB written in boot 1" ||
    hfail "the NBD leg's first 16 MiB have md5 $got, not $want"
  rm -f "$RUN/leg1-after.img"
  ;;
esac
