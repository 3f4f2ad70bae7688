# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the host side of boot-tier scenarios (scenarios/*.host.sh),
# sourced with DMIRRORCTL, STAGE (the guest root being prepared) and RUN
# (the run directory) set by run-boot.sh.
set -euo pipefail
hfail() { echo "host: FAIL $*" >&2; exit 1; }
hpass() { echo "host: PASS $*" >&2; }
export DMIRROR_LOCK_DIR=$RUN/locks
mkdir -p "$DMIRROR_LOCK_DIR"

# add_disk SERIAL FILE: attach FILE to the guest as a virtio disk with this
# serial (/dev/disk/by-id/virtio-SERIAL in the guest), in call order.
add_disk() { echo "$1 $2" >>"$RUN/disks"; }

# new_array NAME MIB LEG...: fresh zeroed image files of MIB MiB each, made
# into an in-sync array (all legs identical: --assume-clean), not activated.
new_array() {
  local name=$1 mib=$2; shift 2
  for f in "$@"; do rm -f "$f"; truncate -s "${mib}M" "$f"; done
  "$DMIRRORCTL" create -y --assume-clean --no-activate "$name" "$@" >/dev/null || hfail "dmirrorctl create $name"
}

# sb_field LEG FIELD: a field of the leg's superblock (examine --json).
sb_field() {
  # examine's exit status carries the array's condition bits: not an error here.
  { "$DMIRRORCTL" examine --json "$1" || true; } | jq -er ".legs[0].superblock.$2" || hfail "examine --json $1: no $2"
}

# fill_data FILE LEG...: writes FILE at the data offset of every leg (the
# same bytes on each leg, as the mirror would have written them).
fill_data() {
  local src=$1; shift
  local off
  for leg in "$@"; do
    off=$(sb_field "$leg" data_offset)
    dd if="$src" of="$leg" bs=1M oflag=seek_bytes seek="$off" conv=notrunc,sparse status=none || hfail "dd into $leg"
  done
}

# fstab LINE: appends a line to the guest's /etc/fstab.
fstab() { echo "$1" >>"$STAGE/etc/fstab"; }

# console_has LOG REGEX WHAT: asserts a console line matches. (Not grep -q:
# it stops reading at the first match, and under pipefail the SIGPIPE of tr
# would turn a match into a failure.)
console_has() {
  tr -d '\r' <"$1" | grep -a -E "$2" >/dev/null && hpass "$3" || hfail "$3 (no console line matches /$2/)"
}

# hmp COMMAND: one command to qemu's monitor (HMP) of the running guest;
# its answers are in $RUN/hmp.log. Only in `request` (run-boot.sh sets HMP).
hmp() {
  [[ -p ${HMP:-} ]] || hfail "no qemu monitor pipe (hmp works only in a request while the guest runs)"
  echo "$*" >"$HMP"
  sleep 1
}

# hotplug_disk SERIAL FILE: plugs FILE into the running guest as a virtio
# disk with this serial, behind the PCIe root port run-boot.sh provides.
hotplug_disk() {
  hmp "drive_add 0 file=$2,format=raw,if=none,id=$1,cache=unsafe"
  hmp "device_add virtio-blk-pci,drive=$1,serial=$1,id=dev-$1,bus=hotplug0"
  hmp "info block"
  tr -d '\r' <"$RUN/hmp.log" | grep -a "^$1 .*$2" >/dev/null || hfail "qemu does not list drive $1 after drive_add (see $RUN/hmp.log)"
  tr -d '\r' <"$RUN/hmp.log" | grep -a -i 'error' >/dev/null && hfail "qemu's monitor reported an error (see $RUN/hmp.log)"
  hpass "hot-plugged $2 as virtio disk $1"
}
