#!/usr/bin/env bash
# Mutation run of the crash harness: applies each ordering mutation of
# scripts/mutations/*.patch (a deliberate write-path bug) to a scratch copy
# of the tree, builds crash_tests there, runs it, and prints whether the
# harness caught the bug. Every mutation must be caught; the script fails
# when one is missed, does not apply any more, or does not build.
#
#   scripts/mutate.sh [NAME...]      NAME: a patch name or prefix (default: all)
#
# The snapshot of the tree, the scratch tree and its build directory
# (build-mutate/, reused between runs; compiled through ccache when it is
# installed) live in the tree, which ignores them. A run takes a while
# (one compile and link of the library and a harness run per mutation).
# When a patch no longer applies (its code changed), re-anchor it: edit the
# file by hand in a clean tree and regenerate the patch with `git diff`.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${DMIRROR_MUTATE_DIR:-$root/build-mutate}
pristine=$work/pristine
src=$work/src
build=$src/build
log=$work/logs
jobs=${DMIRROR_MUTATE_JOBS:-2}
mkdir -p "$pristine" "$src" "$log"

die() { echo "mutate.sh: $*" >&2; exit 2; }

# copy_tree FROM TO LIST: makes TO hold exactly the files of LIST from FROM.
# Files whose content is unchanged keep their timestamps, so the build
# stays incremental, and a file restored after a mutation is rebuilt.
copy_tree() {
  local from=$1 to=$2 list=$3 f
  while IFS= read -r f; do
    if ! cmp -s "$from/$f" "$to/$f"; then
      mkdir -p "$(dirname "$to/$f")"
      cp "$from/$f" "$to/$f"
    fi
  done < "$list"
  (cd "$to" && find . -path ./build -prune -o -type f -print | sed 's|^\./||' | sort) |
    comm -23 - "$list" | while IFS= read -r f; do rm -f "$to/$f"; done
}

# The tree as it is now (tracked and untracked files, not ignored) is
# snapshotted once, so edits made while the run goes on do not leak in.
snapshot() {
  (cd "$root" && git ls-files -co --exclude-standard) | grep -v '^build' | sort > "$work/files.txt" ||
    die "git ls-files failed"
  local list=$work/existing.txt f
  while IFS= read -r f; do [ -f "$root/$f" ] && echo "$f"; done < "$work/files.txt" > "$list"
  mv "$list" "$work/files.txt"
  copy_tree "$root" "$pristine" "$work/files.txt"
}
restore() { copy_tree "$pristine" "$src" "$work/files.txt"; }

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  # Same relative paths as the tree's own build/ directory: cache hits.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=1
fi

build_it() {
  cmake --build "$build" -j"$jobs" --target crash_tests > "$log/build-$1.log" 2>&1
}

# Runs the harness; prints the failing tests (empty when it passed).
run_harness() {
  local out=$log/run-$1.log
  timeout 900 "$build/tests/crash/crash_tests" > "$out" 2>&1
  local rc=$?
  if [ $rc -eq 0 ]; then return 0; fi
  local failed
  failed=$(sed -n 's/^\[  FAILED  \] CrashConsistency\.\([A-Za-z]*\).*/\1/p' "$out" | sort -u | paste -sd, -)
  [ -n "$failed" ] || failed="crash_tests exited with status $rc"
  echo "$failed" | sed "s/,/, /g"
  return 1
}

echo "== scratch tree $src"
snapshot
restore
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" > "$log/configure.log" 2>&1 ||
  die "configure failed, see $log/configure.log"

echo "== baseline (no mutation)"
build_it baseline || die "the unmutated tree does not build, see $log/build-baseline.log"
if ! run_harness baseline > /dev/null; then
  die "the crash harness fails without any mutation, see $log/run-baseline.log"
fi

patches=()
if [ $# -eq 0 ]; then
  patches=("$root"/scripts/mutations/*.patch)
else
  for n in "$@"; do
    m=("$root"/scripts/mutations/"$n"*.patch)
    [ -f "${m[0]}" ] || die "no mutation named $n"
    patches+=("${m[@]}")
  done
fi

declare -a rows
bad=0
for p in "${patches[@]}"; do
  name=$(basename "$p" .patch)
  what=$(sed -n '1s/^# //p' "$p")
  echo "== $name: $what"
  if ! patch -p1 -F0 --dry-run --silent -d "$src" < "$p" > "$log/patch-$name.log" 2>&1; then
    echo "!! $name DOES NOT APPLY to the current code (re-anchor scripts/mutations/$name.patch):" >&2
    cat "$log/patch-$name.log" >&2
    rows+=("$name|DOES NOT APPLY|$what")
    bad=1
    continue
  fi
  patch -p1 -F0 --silent -d "$src" < "$p"
  if ! build_it "$name"; then
    echo "!! $name does not build, see $log/build-$name.log" >&2
    rows+=("$name|DOES NOT BUILD|$what")
    bad=1
  elif by=$(run_harness "$name"); then
    echo "!! $name was MISSED: the crash harness passed with this bug" >&2
    rows+=("$name|MISSED|$what")
    bad=1
  else
    echo "   caught by $by"
    rows+=("$name|caught ($by)|$what")
  fi
  restore   # undo the mutation (the files it touched get a new timestamp)
done

echo
echo "| mutation | result | the bug |"
echo "|---|---|---|"
for r in "${rows[@]}"; do
  IFS='|' read -r n res what <<< "$r"
  echo "| $n | $res | $what |"
done
if [ $bad -ne 0 ]; then
  echo "mutate.sh: some mutations were not caught or could not be tried (see above)" >&2
  exit 1
fi
echo "mutate.sh: all ${#rows[@]} mutations caught"
