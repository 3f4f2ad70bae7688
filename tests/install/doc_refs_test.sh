#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The project's documents stand alone: every Markdown document that a source
# file, script or document of the tree cites exists in the tree,
# and every "docs/kernel-facts.md §N.N" citation names a section that
# docs/kernel-facts.md has. Usage: doc_refs_test.sh SOURCE_DIR
set -euo pipefail
src=${1:?source dir}
cd "$src"
fail() { echo "doc_refs_test: FAIL: $*" >&2; exit 1; }

files=$(find . \( -path ./.git -o -path './build*' -o -path ./tests/golden -o -path ./tests/fuzz \) -prune -o \
  -type f \( -name '*.cc' -o -name '*.h' -o -name '*.md' -o -name '*.sh' -o -name '*.in' -o -name '*.txt' \
  -o -name '*.cmake' -o -name '*.[1-8]' \) -print)
known=$(find . \( -path ./.git -o -path './build*' \) -prune -o -type f -name '*.md' -printf '%f\n' | sort -u)
# Installed names: FORMAT.md is installed as dmirror-format.md.
known+=$'\n'dmirror-format.md
checked=0
for name in $(grep -ohE '(^|[^A-Za-z0-9_\\-])[A-Za-z0-9_./-]*[A-Za-z][A-Za-z0-9_-]*\.md\b' $files | sed -E 's/^[^A-Za-z0-9_./-]//' |
              xargs -n1 basename | sort -u); do
  grep -qxF "$name" <<<"$known" || fail "'$name' is cited but no such document is in the tree:
$(grep -lE "(^|[^A-Za-z0-9_-])$name" $files | head -5)"
  checked=$((checked + 1))
done
sections=0
while read -r sec; do
  grep -qE "^#+ ${sec//./\\.}[. ]" docs/kernel-facts.md || fail "docs/kernel-facts.md has no section $sec"
  sections=$((sections + 1))
done < <(grep -ohE 'kernel-facts\.md( §[0-9.]+,?)+' $files | grep -oE '§[0-9]+(\.[0-9]+)*' | tr -d '§' | sort -u)
[ "$sections" -gt 0 ] || fail "no citation of docs/kernel-facts.md found"
echo "doc_refs_test: $checked documents cited, all present; $sections kernel-facts sections cited, all present"
