#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmarks dmirror side by side with the tools an administrator would
# otherwise use, in one run, and prints tables of medians and ratios.
#
#   scripts/bench.sh [--sizes "1G 4G"] [--runs 3] [--dir DIR] [--no-build]
#                    [--offline-only | --writes-only] [--ctl PATH]
#
# Builds Release in build-perf (--ctl: measure that dmirrorctl instead),
# and runs as root: every run is preceded by sync; echo 3 >
# /proc/sys/vm/drop_caches, so no tool inherits another's cache state.
#
# Offline operations, for each size (1 GiB and 4 GiB; 16 GiB too with
# DMIRROR_BENCH_16G=1), on two legs filled with the same incompressible
# data, as image files and as loop devices over those files:
#   verify, scrub and resync --full of dmirror
#   fio: the raw concurrent read bound (io_uring, O_DIRECT, 1 MiB sequential
#     reads of both data areas at once, 8 in flight per leg)
#   cmp of the two data areas; dd of one data area onto the other
#     (oflag=direct conv=fdatasync: what resync --full does)
#   the page cache around a scrub (fincore): a file cached before it stays
#     cached, and the legs' data is not cached
# The run order is interleaved: round r runs the tools rotated by r, each
# on files then loop devices (loop first in even rounds); the order used
# is printed. The load average is printed next to the figures (the
# machine may be shared).
# Then, unless --offline-only, on the first size's image files (only the
# writes with --writes-only; DMIRROR_BENCH_WRITES: writes per run, 100000):
#   replace (copy + verify of the copy) vs dd into a fresh file
#   peak RSS of verify and scrub at 256 MiB and 4 GiB legs (sparse files)
#   random 4 KiB writes at queue depth 32, with a flush every 64 writes and
#     without, on image files and on loop devices: one leg alone, both legs
#     alone at once (the shared disk's bound), the engine with one write
#     group in flight and as shipped, and (files) flushing after every write
#   crc32c and memcmp throughput on one core
# Benchmarks print figures; nothing here passes or fails on a timing.
set -euo pipefail

SIZES="1G 4G" RUNS=3 BUILD=1 OFFLINE_ONLY=0 WRITES_ONLY=0 CTL=
[ "${DMIRROR_BENCH_16G:-0}" = 1 ] && SIZES="$SIZES 16G"
DIR=${TMPDIR:-/var/tmp}/dmirror-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES=$2; shift 2 ;;
    --size) SIZES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --offline-only) OFFLINE_ONLY=1; shift ;;
    --writes-only) WRITES_ONLY=1; shift ;;
    --ctl) CTL=$2; shift 2 ;;
    -h|--help) sed -n '3,38p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 16 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "bench.sh: must run as root: every cold run drops the page cache (echo 3 > /proc/sys/vm/drop_caches)" >&2
  exit 8
fi
command -v fio >/dev/null || { echo "bench.sh: fio is needed for the raw read bound (scripts/debian-packages.txt)" >&2; exit 8; }

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$SRC/build-perf
if [ "$BUILD" = 1 ]; then
  cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=Release -DDMIRROR_BUILD_TESTS=OFF >/dev/null
  cmake --build "$B" -j2 --target dmirrorctl dmirror-bench >/dev/null
fi
[ -n "$CTL" ] || CTL=$B/tools/dmirrorctl/dmirrorctl
HB=$B/tools/bench/dmirror-bench
# --ctl from another build tree: its dmirror-bench too when it has one
[ -x "$(dirname "$CTL")/../bench/dmirror-bench" ] && HB=$(dirname "$CTL")/../bench/dmirror-bench
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
json_num() { grep -o "\"$1\": [0-9]*" | head -1 | awk '{print $2}'; }

MIB=$((1024 * 1024))
LOCKS=$DIR/locks; mkdir -p "$LOCKS"
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
detach_all() { for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done; LOOPS=(); }

# ---- offline operations: image files and loop devices, interleaved -------
TOOLS=(verify scrub resync fio cmp dd)
declare -A OT        # OT[size/kind/tool] = median seconds
declare -A LOAD      # LOAD[size] = load average before / after
declare -A BYTES     # BYTES[size] = data area of one leg
declare -A CACHE     # CACHE[size] = the page cache around a scrub
# run_one TOOL KIND: one run on the legs of KIND (file or loop).
run_one() {
  local tool=$1 kind=$2 a b
  if [ "$kind" = loop ]; then a=$LLA b=$LLB; else a=$FA b=$FB; fi
  case "$tool" in
    verify) "$CTL" verify "$a" "$b" ;;
    scrub) "$CTL" scrub "$a" "$b" --restart --lock-dir "$LOCKS" ;;
    resync) "$CTL" resync --full "$a" "$b" ;;
    fio) fio --ioengine=io_uring --direct=1 --rw=read --bs=1M --iodepth=8 --output=/dev/null \
           --offset="$OFF" --size="$DATA" --name=leg0 --filename="$a" --name=leg1 --filename="$b" ;;
    cmp) cmp -i "$OFF" -n "$DATA" "$a" "$b" ;;
    dd) dd if="$a" of="$b" bs=1M skip=$((OFF / MIB)) seek=$((OFF / MIB)) count=$((DATA / MIB)) \
          iflag=direct oflag=direct conv=fdatasync,notrunc status=none ;;
  esac
}
[ "$WRITES_ONLY" = 1 ] && SIZES_OFFLINE= || SIZES_OFFLINE=$SIZES
for SIZE in $SIZES_OFFLINE; do
  echo "== offline operations, 2 legs x $SIZE in $DIR (load average $(loadavg))"
  LOAD[$SIZE]="$(loadavg)"
  rm -f "$DIR"/*.img
  FA=$DIR/a.img FB=$DIR/b.img
  for f in "$FA" "$FB"; do "$HB" fill "$f" --size "$SIZE" --seed 42; done
  "$CTL" create bench "$FA" "$FB" --assume-clean --yes --no-activate >/dev/null
  OFF=$("$CTL" --json examine "$FA" | json_num data_offset)
  DATA=$("$CTL" --json examine "$FA" | json_num data_size)
  LLA=$(losetup -f --show "$FA"); LOOPS+=("$LLA")
  LLB=$(losetup -f --show "$FB"); LOOPS+=("$LLB")
  declare -A TS=()
  ORDER=()
  for r in $(seq "$RUNS"); do
    kinds=(file loop); [ $((r % 2)) = 0 ] && kinds=(loop file)
    for i in "${!TOOLS[@]}"; do
      tool=${TOOLS[$(((i + r - 1) % ${#TOOLS[@]}))]}
      for kind in "${kinds[@]}"; do
        ORDER+=("$tool/$kind")
        cold
        t0=$(now)
        run_one "$tool" "$kind" >/dev/null 2>"$DIR/err.txt" || {
          rc=$?; [ "$rc" -le 1 ] || { echo "bench.sh: $tool on $kind failed ($rc):" >&2; cat "$DIR/err.txt" >&2; exit 1; }; }
        TS[$tool/$kind]="${TS[$tool/$kind]:-} $(since "$t0")"
      done
    done
    echo "   round $r order: ${ORDER[@]:$(((r - 1) * ${#TOOLS[@]} * 2))}"
  done
  for k in "${!TS[@]}"; do OT[$SIZE/$k]=$(median ${TS[$k]}); done
  # The page cache: a 256 MiB file read into the cache before a scrub of
  # the image files is still cached after it (fincore, util-linux).
  head -c $((256 * MIB)) /dev/urandom > "$DIR/hot.dat"; cold; cat "$DIR/hot.dat" > /dev/null
  HOT_BEFORE=$(fincore -nb -o RES "$DIR/hot.dat" | tr -d ' ')
  "$CTL" scrub "$FA" "$FB" --restart --lock-dir "$LOCKS" >/dev/null
  HOT_AFTER=$(fincore -nb -o RES "$DIR/hot.dat" | tr -d ' ')
  LEGS_CACHED=$(fincore -nb -o RES "$FA" "$FB" | awk '{s += $1} END {print s}')
  CACHE[$SIZE]="a 256 MiB file cached before a scrub: $((HOT_BEFORE / MIB)) MiB in the page cache before, $((HOT_AFTER / MIB)) MiB after; the legs' pages cached after it: $((LEGS_CACHED / 1024)) KiB"
  rm -f "$DIR/hot.dat"
  LOAD[$SIZE]="${LOAD[$SIZE]} -> $(loadavg)"
  BYTES[$SIZE]=$DATA
  detach_all
  unset TS
done

mbs() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.0f", b / s / 1e6}'; }   # bytes seconds -> MB/s
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
spg() { awk -v s="$1" -v b="$2" 'BEGIN {printf "%.2f", s / (b / 1073741824)}'; }   # seconds per GiB of one leg
for SIZE in $SIZES_OFFLINE; do
  D=${BYTES[$SIZE]}
  printf '\n2 legs x %s (data area %s MiB each), median of %s, cold; load average %s\n' \
    "$SIZE" $((D / MIB)) "$RUNS" "${LOAD[$SIZE]}"
  printf '%-8s %-6s %9s %9s %8s   %s\n' tool legs seconds "s/GiB" "MB/s" "vs"
  for tool in "${TOOLS[@]}"; do
    for kind in file loop; do
      t=${OT[$SIZE/$tool/$kind]}
      case "$tool" in
        resync|dd) moved=$D; vs="$(ratio "${OT[$SIZE/dd/$kind]}" "$t") x dd" ;;
        *) moved=$((2 * D)); vs="$(ratio "${OT[$SIZE/fio/$kind]}" "$t") x fio" ;;
      esac
      printf '%-8s %-6s %9.2f %9s %8s   %s\n' "$tool" "$kind" "$t" "$(spg "$t" "$D")" "$(mbs "$moved" "$t")" "$vs"
    done
  done
  echo "page cache: ${CACHE[$SIZE]}"
done
[ "$OFFLINE_ONLY" = 1 ] && { rm -f "$DIR"/*.img; exit 0; }

# ---- the rest, on image files of the first size --------------------------
SIZE=${SIZES%% *}
rm -f "$DIR"/*.img
A=$DIR/a.img Bl=$DIR/b.img
for f in "$A" "$Bl"; do "$HB" fill "$f" --size "$SIZE" --seed 42; done
"$CTL" create bench "$A" "$Bl" --assume-clean --yes --no-activate >/dev/null
OFF=$("$CTL" --json examine "$A" | json_num data_offset)
DATA=$("$CTL" --json examine "$A" | json_num data_size)
leg() { echo "$1"; }

B2=$Bl
[ "$WRITES_ONLY" = 1 ] || {
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
}

echo "== write path: random 4 KiB writes, qd 32, image files and loop devices"
# Modes, each with a flush every 64 writes and without flushes:
#   single  one leg alone, no mirror (the one-leg figure the goals are ratios of)
#   pair    each leg alone, both at once: what the disk gives two legs that
#           share it (the engine writes every block to both)
#   g1      the engine with one write group in flight at a time
#   g8      the engine as shipped (up to 8 groups in flight)
# plus, on image files, naive (the engine flushing after every write).
# Rounds rotate the modes; files and loop devices alternate which goes
# first. The disk under $DIR is watched (/proc/diskstats): MB/s it wrote.
WN=${DMIRROR_BENCH_WRITES:-100000}
DISK=$(basename "$(findmnt -no SOURCE -T "$DIR")")
disk_sectors() { awk -v d="$DISK" '$3 == d {print $10}' /proc/diskstats; }
WA=$(losetup -f --show "$A"); LOOPS+=("$WA")
WB=$(losetup -f --show "$B2"); LOOPS+=("$WB")
declare -A IOPS DISKMB WS
WMODES=(single pair g1 g8)
# write_once MODE KIND FLUSH: one run; prints "IOPS DISK_MB/s".
write_once() {
  local mode=$1 kind=$2 fl=$3 a b s0 t0 out secs
  if [ "$kind" = loop ]; then a=$WA b=$WB; else a=$A b=$B2; fi
  cold; s0=$(disk_sectors); t0=$(now)
  case "$mode" in
    single) out=$("$HB" write "$a" --mode single --writes "$WN" --qd 32 --flush-every "$fl" | awk '/^iops/ {print $2}') ;;
    pair) out=$( ("$HB" write "$a" --mode single --writes "$WN" --qd 32 --flush-every "$fl" &
                  "$HB" write "$b" --mode single --writes "$WN" --qd 32 --flush-every "$fl"; wait) |
                awk '/^iops/ {s += $2; n++} END {printf "%.0f", s / n}') ;;
    g1|g8) out=$("$HB" write "$a" "$b" --mode engine --groups "${mode#g}" --writes "$WN" --qd 32 --flush-every "$fl" |
                 awk '/^iops/ {print $2}') ;;
    naive) out=$("$HB" write "$a" "$b" --mode naive --writes 2000 --qd 32 --flush-every "$fl" | awk '/^iops/ {print $2}') ;;
  esac
  secs=$(since "$t0")
  echo "$out $(awk -v s="$(( $(disk_sectors) - s0 ))" -v t="$secs" 'BEGIN {printf "%.0f", s * 512 / t / 1e6}')"
}
WORDER=()
for r in $(seq "$RUNS"); do
  kinds=(file loop); [ $((r % 2)) = 0 ] && kinds=(loop file)
  for i in "${!WMODES[@]}"; do
    mode=${WMODES[$(((i + r - 1) % ${#WMODES[@]}))]}
    for fl in 64 0; do
      for kind in "${kinds[@]}"; do
        WORDER+=("$mode/$kind/f$fl")
        read -r x d < <(write_once "$mode" "$kind" "$fl")
        WS[$mode/$kind/$fl]="${WS[$mode/$kind/$fl]:-} $x"
        WS[disk/$mode/$kind/$fl]="${WS[disk/$mode/$kind/$fl]:-} $d"
      done
    done
  done
  echo "   round $r order: ${WORDER[@]:$(((r - 1) * ${#WMODES[@]} * 4))}"
done
xs=(); for _ in $(seq "$RUNS"); do read -r x _ < <(write_once naive file 64); xs+=("$x"); done
IOPS[naive]=$(median "${xs[@]}")
for k in "${!WS[@]}"; do
  case "$k" in disk/*) DISKMB[${k#disk/}]=$(median ${WS[$k]}) ;; *) IOPS[$k]=$(median ${WS[$k]}) ;; esac
done
detach_all

[ "$WRITES_ONLY" = 1 ] || {
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
}

# ---- the rest of the tables ----------------------------------------------
if [ "$WRITES_ONLY" != 1 ]; then
printf '\n%-34s %10s %10s   %s\n' "2 legs x $SIZE, image files (median of $RUNS)" "seconds" "MB/s" "ratio"
row() { printf '%-34s %10.2f %10.0f   %s\n' "$1" "$2" "$(mbs "$3" "$2")" "$4"; }
row "replace (copy + verify)" "${T[replace]}" "$DATA" "$(ratio "${T[dd_replace]}" "${T[replace]}") x dd"
row "dd into a fresh file" "${T[dd_replace]}" "$DATA" ""
fi
printf '\nrandom 4 KiB writes, qd 32, %s per run, median of %s, cold\n' "$WN" "$RUNS"
printf '%-8s %-5s %-9s %9s %9s   %s\n' mode legs flushes IOPS "disk MB/s" "vs single (goal: g8 >= 0.50 flushing, >= 0.80 not)"
for kind in file loop; do
  for fl in 64 0; do
    for mode in "${WMODES[@]}"; do
      x=${IOPS[$mode/$kind/$fl]}
      printf '%-8s %-5s %-9s %9.0f %9s   %s\n' "$mode" "$kind" "$([ "$fl" = 0 ] && echo none || echo "every $fl")" "$x" \
        "${DISKMB[$mode/$kind/$fl]}" "$(ratio "$x" "${IOPS[single/$kind/$fl]}")"
    done
  done
done
printf '%-8s %-5s %-9s %9.0f %9s   %s\n' naive file "each" "${IOPS[naive]}" "" \
  "$(ratio "${IOPS[g8/file/64]}" "${IOPS[naive]}") (g8, every 64) x naive"
[ "$WRITES_ONLY" = 1 ] && { rm -f "$DIR"/*.img; exit 0; }
printf '\n%-34s %10s %10s   %s\n' "peak RSS (KiB)" "256 MiB" "4 GiB" "(goal <= 65536, flat)"
printf '%-34s %10s %10s\n' "verify" "${RSS[verify_256M]}" "${RSS[verify_4G]}"
printf '%-34s %10s %10s\n' "scrub" "${RSS[scrub_256M]}" "${RSS[scrub_4G]}"
printf '\n%-34s %10s   %s\n' "one core" "GB/s" "(goal)"
printf '%-34s %10s   %s\n' "crc32c" "$CRC" "(>= 5)"
printf '%-34s %10s\n' "memcmp (bytes of both inputs)" "$MEMCMP"
rm -f "$DIR"/*.img
