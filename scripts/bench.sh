#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmarks dmirror side by side with the tools an administrator would
# otherwise use, in one run, and prints a table of medians and ratios.
#
#   scripts/bench.sh [--size 2G] [--runs 3] [--loop] [--dir DIR] [--no-build]
#
# Builds Release in build-perf, makes two legs (image files filled with
# incompressible data; attached to loop devices with --loop), and measures
# with a cold page cache (echo 3 > /proc/sys/vm/drop_caches before each
# run, so it must run as root):
#   verify vs cmp of the two data areas vs the raw concurrent read bound
#     (fio, io_uring, O_DIRECT, 1 MiB sequential reads of both legs at once;
#     dd of both legs in parallel when fio is missing)
#   scrub with no mismatches and with 1% of the regions planted as mismatches
#   resync --full and replace vs dd of the same bytes (oflag=direct, fdatasync)
#   peak RSS of verify and scrub at 256 MiB and 4 GiB legs (sparse files)
#   random 4 KiB writes at queue depth 32, a flush every 64 writes: through
#     the engine, straight to one leg, and flushing after every write
#   crc32c and memcmp throughput on one core
# Benchmarks print figures; nothing here passes or fails on a timing.
set -euo pipefail

SIZE=2G RUNS=3 LOOP=0 BUILD=1
DIR=${TMPDIR:-/var/tmp}/dmirror-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --loop) LOOP=1; shift ;;
    --dir) DIR=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '3,21p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 16 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "bench.sh: must run as root: every cold run drops the page cache (echo 3 > /proc/sys/vm/drop_caches)" >&2
  exit 8
fi

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$SRC/build-perf
if [ "$BUILD" = 1 ]; then
  cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=Release -DDMIRROR_BUILD_TESTS=OFF >/dev/null
  cmake --build "$B" -j2 --target dmirrorctl dmirror-bench >/dev/null
fi
CTL=$B/tools/dmirrorctl/dmirrorctl
HB=$B/tools/bench/dmirror-bench
mkdir -p "$DIR"
LOOPS=()
cleanup() { for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done; }
trap cleanup EXIT

cold() { sync; echo 3 > /proc/sys/vm/drop_caches; }
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN {printf "%.3f", a - b}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# timed NAME CMD...: runs CMD RUNS times cold, records the median seconds in T[NAME].
declare -A T
timed() {
  local name=$1; shift
  local ts=()
  for _ in $(seq "$RUNS"); do
    [ -n "${PREP:-}" ] && eval "$PREP"
    cold
    local t0; t0=$(now)
    "$@" >/dev/null 2>"$DIR/err.txt" || { local rc=$?; [ "$rc" -le 1 ] || { echo "bench.sh: $name failed ($rc):" >&2; cat "$DIR/err.txt" >&2; exit 1; }; }
    ts+=("$(since "$t0")")
  done
  T[$name]=$(median "${ts[@]}")
}
leg() {   # leg FILE: the path to use (loop device with --loop)
  if [ "$LOOP" = 1 ]; then local l; l=$(losetup -f --show "$1"); LOOPS+=("$l"); echo "$l"; else echo "$1"; fi
}
json_num() { grep -o "\"$1\": [0-9]*" | head -1 | awk '{print $2}'; }

echo "== setting up 2 legs x $SIZE in $DIR (loop devices: $LOOP)"
rm -f "$DIR"/*.img
for f in a b; do "$HB" fill "$DIR/$f.img" --size "$SIZE" --seed 42; done
A=$(leg "$DIR/a.img"); Bl=$(leg "$DIR/b.img")
"$CTL" create bench "$A" "$Bl" --assume-clean --yes >/dev/null
OFF=$("$CTL" --json examine "$A" | json_num data_offset)
DATA=$("$CTL" --json examine "$A" | json_num data_size)
MIB=$((1024 * 1024))
LOCKS=$DIR/locks; mkdir -p "$LOCKS"

echo "== reads: verify, cmp, raw bound"
timed verify "$CTL" verify "$A" "$Bl"
timed cmp cmp -i "$OFF" "$A" "$Bl"
if command -v fio >/dev/null; then
  timed raw fio --ioengine=io_uring --direct=1 --rw=read --bs=1M --iodepth=8 --output=/dev/null \
    --offset="$OFF" --size="$DATA" --name=leg0 --filename="$A" --name=leg1 --filename="$Bl"
else
  raw_dd() { dd if="$A" of=/dev/null bs=1M iflag=direct skip=$((OFF / MIB)) count=$((DATA / MIB)) 2>/dev/null &
             dd if="$Bl" of=/dev/null bs=1M iflag=direct skip=$((OFF / MIB)) count=$((DATA / MIB)) 2>/dev/null; wait; }
  timed raw raw_dd
fi

echo "== scrub: clean, then 1% of the regions planted"
timed scrub_clean "$CTL" scrub "$A" "$Bl" --restart --lock-dir "$LOCKS"
PREP="\"$HB\" plant \"$Bl\" --percent 1 >/dev/null" timed scrub_1pct "$CTL" scrub "$A" "$Bl" --restart --lock-dir "$LOCKS"
PLANTED=$("$HB" plant "$Bl" --percent 1 | awk '{print $2}')
"$CTL" scrub "$A" "$Bl" --restart --lock-dir "$LOCKS" >/dev/null || true

echo "== copies: resync --full vs dd"
timed resync "$CTL" resync --full "$A" "$Bl"
timed dd dd if="$A" of="$Bl" bs=1M skip=$((OFF / MIB)) seek=$((OFF / MIB)) count=$((DATA / MIB)) \
  oflag=direct conv=fdatasync,notrunc status=none

echo "== replace (copy + verify of the copy) vs dd into a fresh file"
OLD=$Bl
rts=() dts=()
for i in $(seq "$RUNS"); do
  rm -f "$DIR/new$i.img"; truncate -s "$SIZE" "$DIR/new$i.img"; NEW=$(leg "$DIR/new$i.img")
  cold; t0=$(now); "$CTL" replace "$A" "$OLD" --old "$OLD" --new "$NEW" >/dev/null; rts+=("$(since "$t0")")
  rm -f "$DIR/dd$i.img"; truncate -s "$SIZE" "$DIR/dd$i.img"
  cold; t0=$(now)
  dd if="$A" of="$DIR/dd$i.img" bs=1M skip=$((OFF / MIB)) seek=$((OFF / MIB)) count=$((DATA / MIB)) \
    oflag=direct conv=fdatasync,notrunc status=none
  dts+=("$(since "$t0")"); rm -f "$DIR/dd$i.img"
  OLD=$NEW
done
T[replace]=$(median "${rts[@]}"); T[dd_replace]=$(median "${dts[@]}")
B2=$OLD

echo "== write path: random 4 KiB, qd 32, flush every 64"
declare -A IOPS
for mode in engine single naive; do
  n=20000; [ "$mode" = naive ] && n=2000
  xs=()
  for _ in $(seq "$RUNS"); do xs+=("$("$HB" write "$A" "$B2" --mode "$mode" --writes $n --qd 32 --flush-every 64 | awk '/^iops/ {print $2}')"); done
  IOPS[$mode]=$(median "${xs[@]}")
done

echo "== peak RSS (sparse legs)"
declare -A RSS
for sz in 256M 4G; do
  rm -f "$DIR"/r?.img; truncate -s "$sz" "$DIR/r0.img" "$DIR/r1.img"
  R0=$(leg "$DIR/r0.img"); R1=$(leg "$DIR/r1.img")
  "$CTL" create rss "$R0" "$R1" --assume-clean --yes >/dev/null
  /usr/bin/time -o "$DIR/rss" -f %M "$CTL" verify "$R0" "$R1" >/dev/null; RSS[verify_$sz]=$(cat "$DIR/rss")
  /usr/bin/time -o "$DIR/rss" -f %M "$CTL" scrub "$R0" "$R1" --lock-dir "$LOCKS" >/dev/null; RSS[scrub_$sz]=$(cat "$DIR/rss")
done

HASH=$("$HB" hash)
CRC=$(echo "$HASH" | awk '/crc32c/ {print $2}'); MEMCMP=$(echo "$HASH" | awk '/memcmp/ {print $2}')

# ---- the table -------------------------------------------------------------
mbs() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.0f", b / s / 1e6}'; }   # bytes seconds -> MB/s
R2=$((2 * DATA))
printf '\n%-34s %10s %10s   %s\n' "measurement (median of $RUNS)" "seconds" "MB/s" "ratio (goal)"
row() { printf '%-34s %10.2f %10.0f   %s\n' "$1" "$2" "$(mbs "$3" "$2")" "$4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
row "raw read bound (fio, both legs)" "${T[raw]}" "$R2" "1.00"
row "verify" "${T[verify]}" "$R2" "$(ratio "${T[raw]}" "${T[verify]}") x raw (>= 0.90); $(ratio "${T[cmp]}" "${T[verify]}") x faster than cmp (>= 2)"
row "cmp of the data areas" "${T[cmp]}" "$R2" "$(ratio "${T[raw]}" "${T[cmp]}") x raw"
row "scrub, no mismatches" "${T[scrub_clean]}" "$R2" "$(ratio "${T[raw]}" "${T[scrub_clean]}") x raw (>= 0.90)"
row "scrub, 1% regions mismatched ($PLANTED)" "${T[scrub_1pct]}" "$R2" "$(ratio "${T[raw]}" "${T[scrub_1pct]}") x raw (>= 0.90)"
row "resync --full" "${T[resync]}" "$DATA" "$(ratio "${T[dd]}" "${T[resync]}") x dd (>= 0.90)"
row "dd oflag=direct conv=fdatasync" "${T[dd]}" "$DATA" "1.00"
row "replace (copy + verify)" "${T[replace]}" "$DATA" "$(ratio "${T[dd_replace]}" "${T[replace]}") x dd"
row "dd into a fresh file" "${T[dd_replace]}" "$DATA" ""
printf '\n%-34s %10s   %s\n' "random 4 KiB writes, qd 32" "IOPS" "ratio (goal)"
printf '%-34s %10.0f   %s\n' "engine (flush every 64)" "${IOPS[engine]}" \
  "$(ratio "${IOPS[engine]}" "${IOPS[single]}") x single leg (>= 0.50); $(ratio "${IOPS[engine]}" "${IOPS[naive]}") x naive"
printf '%-34s %10.0f\n' "single leg, no mirror" "${IOPS[single]}"
printf '%-34s %10.0f\n' "naive: flush after every write" "${IOPS[naive]}"
printf '\n%-34s %10s %10s   %s\n' "peak RSS (KiB)" "256 MiB" "4 GiB" "(goal <= 65536, flat)"
printf '%-34s %10s %10s\n' "verify" "${RSS[verify_256M]}" "${RSS[verify_4G]}"
printf '%-34s %10s %10s\n' "scrub" "${RSS[scrub_256M]}" "${RSS[scrub_4G]}"
printf '\n%-34s %10s   %s\n' "one core" "GB/s" "(goal)"
printf '%-34s %10s   %s\n' "crc32c" "$CRC" "(>= 5)"
printf '%-34s %10s\n' "memcmp (bytes of both inputs)" "$MEMCMP"
rm -f "$DIR"/*.img
