#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man pages: one dmirrorctl-COMMAND(8) for every command the parser
# knows (`dmirrorctl __complete`), each naming every option of its command,
# every page has an EXAMPLES section with at least one dmirrorctl command
# line, and every page renders without a warning from groff or man. Fails (never
# skips) when groff or man is missing. Usage: man_test.sh BUILD_DIR DMIRRORCTL
set -euo pipefail
build=${1:?build dir} tool=${2:?dmirrorctl}
src=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "man_test: FAIL: $*" >&2; exit 1; }
command -v groff >/dev/null || fail "groff not found (Debian package groff-base)"
command -v man >/dev/null || fail "man not found (Debian package man-db)"

pages=("$build/man/dmirrorctl.8" "$src/docs/man/dmirror-format.5" "$src/docs/man/dmirror-recovery.7")
for cmd in $("$tool" __complete | grep -v '^-' | grep -vx help); do   # help: dmirrorctl(8) documents it
  page=$build/man/dmirrorctl-$cmd.8
  [ -f "$page" ] || fail "no man page for '$cmd' (add docs/man/dmirrorctl-$cmd.8.in)"
  text=$(MANWIDTH=200 man -l "$page" 2>/dev/null | sed 's/‐//g')
  for opt in $("$tool" __complete "$cmd"); do
    case $opt in --json | --verbose | -v | --help | -h | --version | -V) continue ;; esac   # global: dmirrorctl(8)
    grep -q -- "$opt" <<<"$text" || fail "dmirrorctl-$cmd(8) does not mention $opt"
  done
  grep -q "dmirrorctl-$cmd(8)" <<<"$(MANWIDTH=200 man -l "$build/man/dmirrorctl.8" 2>/dev/null)" ||
    fail "dmirrorctl(8) does not list $cmd"
  pages+=("$page")
done
for page in "${pages[@]}"; do
  examples=$(sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$page")
  [ -n "$examples" ] || fail "$page has no EXAMPLES section"
  grep -q '^dmirrorctl ' <<<"$examples" || fail "the EXAMPLES of $page show no dmirrorctl command line"
  out=$(groff -ww -man -t -z "$page" 2>&1) || fail "groff failed on $page"
  [ -z "$out" ] || fail "groff warns on $page: $out"
  out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || fail "man failed on $page"
  [ -z "$out" ] || fail "man warns on $page: $out"
done
echo "man_test: ${#pages[@]} pages render without warnings"
