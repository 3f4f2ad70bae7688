#!/usr/bin/env bash
# The main job on an embedded default: a two-leg mirror on image files in a
# scratch folder. It creates the mirror, runs the initial resync, writes data
# through the userspace mirror engine, verifies, plants a mismatch on one leg
# and lets verify find it and scrub repair it. Usage: demo.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: demo.sh BUILD_DIR}
ctl="$build/tools/dmirrorctl/dmirrorctl"
dir=${DEMO_DIR:-$(mktemp -d /tmp/dmirror-demo.XXXXXX)}
mkdir -p "$dir"
a="$dir/leg0.img"
b="$dir/leg1.img"
rm -f "$a" "$b" "$dir/data.bin" "$dir/readback.bin"
truncate -s 256M "$a" "$b"

bold() { if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
# Run a command and show its exit status (read-only commands encode health
# in it); stop the demo only when the status is not the one expected.
run() {
  local want=$1; shift
  bold "\$ dmirrorctl ${*}"
  set +e; "$ctl" "$@"; local rc=$?; set -e
  echo "(exit status $rc)"
  if [ "$rc" -ne "$want" ]; then echo "demo: expected exit status $want" >&2; exit 1; fi
}

echo "dmirror demo in $dir"
run 0 create demo "$a" "$b" --yes --no-activate
run 2 status "$a" "$b"                                   # initial sync pending: degraded
run 0 resync "$a" "$b"
run 0 examine "$a"

head -c 8M /dev/urandom > "$dir/data.bin"
run 0 io write "$a" "$b" --offset 4M --from "$dir/data.bin"
run 0 io read "$a" "$b" --offset 4M --length 8M --to "$dir/readback.bin"
cmp "$dir/data.bin" "$dir/readback.bin" && echo "read back 8 MiB: identical"
run 0 verify "$a" "$b"

bold "# plant a mismatch: 4 KiB of leg 1's data area at volume offset 6 MiB"
dd if=/dev/urandom of="$b" bs=4096 count=1 seek=$(( (8 + 6) * 256 )) conv=notrunc status=none
run 4 verify "$a" "$b"                                   # found, with its location
run 1 scrub "$a" "$b" --from 0                            # repaired from leg 0
run 0 verify "$a" "$b"
run 0 status "$a" "$b"
run 0 list "$a" "$b"
bold "\$ dmirrorctl --json status (first lines)"
"$ctl" --json status "$a" "$b" | head -20
echo
echo "The image files stay in $dir; remove the folder when done."
