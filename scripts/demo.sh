#!/usr/bin/env bash
# The main job on an embedded default: a two-leg mirror on image files in a
# scratch folder, shown with examine / status / list. Usage: demo.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: demo.sh BUILD_DIR}
ctl="$build/tools/dmirrorctl/dmirrorctl"
dir=${DEMO_DIR:-$(mktemp -d /tmp/dmirror-demo.XXXXXX)}
mkdir -p "$dir"
a="$dir/leg0.img"
b="$dir/leg1.img"
rm -f "$a" "$b"
truncate -s 256M "$a" "$b"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
# Read-only commands encode health in their exit status; show it, don't stop on it.
show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; set +e; "$@"; local rc=$?; set -e; echo "(exit status $rc)"; }

echo "dmirror demo in $dir"
step "$ctl" create demo "$a" "$b" --yes --assume-clean --no-activate
show "$ctl" examine "$a"
show "$ctl" status "$a" "$b"
show "$ctl" list "$a" "$b"
show "$ctl" --json status "$a" "$b"
echo
echo "The image files stay in $dir; remove the folder when done."
