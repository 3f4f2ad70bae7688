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

# console_has LOG REGEX WHAT: asserts a console line matches.
console_has() {
  tr -d '\r' <"$1" | grep -a -q -E "$2" && hpass "$3" || hfail "$3 (no console line matches /$2/)"
}
