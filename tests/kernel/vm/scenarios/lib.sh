# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the in-guest scenarios (busybox sh). Every check prints one
# machine-readable line on the console:
#   DMIRROR-SCENARIO: PASS <scenario>: <what>
#   DMIRROR-SCENARIO: FAIL <scenario>: <what>
# and the host-side runner fails the test on any FAIL line.

fails=0
MIB=1048576
KMETA=$((2 * MIB))      # kernel metadata area on every leg (format v1)
DATA=$((8 * MIB))       # data area on every leg (format v1)

info() { echo "DMIRROR-SCENARIO: INFO $SCENARIO: $*"; }
pass() { echo "DMIRROR-SCENARIO: PASS $SCENARIO: $*"; }
fail() { echo "DMIRROR-SCENARIO: FAIL $SCENARIO: $*"; fails=$((fails + 1)); }

# expect_rc N CMD...: runs CMD, shows its output indented, checks its exit
# status. The output stays in $OUT.
expect_rc() {
  _want=$1
  shift
  _t0=$(cut -d' ' -f1 /proc/uptime)
  OUT=$("$@" 2>&1)
  _rc=$?
  echo "$OUT" | sed 's/^/    | /'
  _t1=$(cut -d' ' -f1 /proc/uptime)
  if [ "$_rc" -eq "$_want" ]; then
    pass "'$*' exited $_rc ($(echo "$_t1 - $_t0" | bc) s)"
  else
    fail "'$*' exited $_rc, expected $_want"
  fi
}

# check WHAT CMD...: CMD must succeed.
check() {
  _what=$1
  shift
  if "$@"; then pass "$_what"; else fail "$_what"; fi
}

# contains TEXT: $OUT must contain TEXT.
contains() {
  case $OUT in
    *"$1"*) pass "output mentions '$1'" ;;
    *) fail "output does not mention '$1'" ;;
  esac
}

# wait_idle TIMEOUT LEG...: polls `dmirrorctl status` until the kernel
# reports every leg 'A' and the sync action idle.
wait_idle() {
  _limit=$1
  shift
  _i=0
  while [ $_i -lt $((_limit * 2)) ]; do
    if dmirrorctl status "$@" 2>/dev/null | grep -Eq '^Kernel: +A+ idle'; then
      pass "in sync and idle after $((_i / 2)) s"
      return 0
    fi
    sleep 0.5
    _i=$((_i + 1))
  done
  dmirrorctl status "$@" 2>&1 | sed 's/^/    | /'
  fail "not in sync and idle within $_limit s"
  return 1
}

# kernel_line LEG...: the "Kernel:" line of the status.
kernel_line() { dmirrorctl status "$@" 2>/dev/null | grep '^Kernel:'; }

# sum DEV OFFSET LENGTH: md5 of LENGTH bytes at OFFSET (multiples of 4096),
# read with O_DIRECT.
sum() {
  dd if="$1" bs=4096 skip=$(($2 / 4096)) count=$(($3 / 4096)) iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1
}

# sum_mib DEV OFFSET LENGTH: as sum, in 1 MiB reads (multiples of 1 MiB):
# for whole legs, which 4 KiB reads take minutes to cover under TCG.
sum_mib() {
  dd if="$1" bs=1M skip=$(($2 / MIB)) count=$(($3 / MIB)) iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1
}

# scribble DEV OFFSET LENGTH: random bytes, O_DIRECT, 4096-aligned.
scribble() {
  dd if=/dev/urandom of="$1" bs=4096 seek=$(($2 / 4096)) count=$(($3 / 4096)) oflag=direct conv=notrunc 2>/dev/null
}

# bitmap_bit LEG REGION: the kernel's md bitmap bit of REGION on LEG (0/1).
bitmap_bit() {
  _b=$(dd if="$1" bs=1 skip=$((KMETA + 4096 + 256 + $2 / 8)) count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
  echo $(((_b >> ($2 % 8)) & 1))
}

# resync_offset LEG: the dm-raid superblock's array_resync_offset (hex).
resync_offset() {
  dd if="$1" bs=1 skip=$((KMETA + 40)) count=8 2>/dev/null | od -An -tx8 | tr -d ' '
}

# hard_reset: what a power cut does (the host expects it when announced).
hard_reset() {
  echo "DMIRROR-VM-EXPECT-RESET"
  echo 1 >/proc/sys/kernel/sysrq
  echo b >/proc/sysrq-trigger
  sleep 60
  fail "the hard reset did not happen"
}

# eventually WHAT LIMIT CMD...: CMD must succeed within LIMIT seconds
# (polled every 0.5 s).
eventually() {
  _what=$1
  _limit=$2
  shift 2
  _i=0
  while [ $_i -lt $((_limit * 2)) ]; do
    if "$@"; then
      pass "$_what"
      return 0
    fi
    sleep 0.5
    _i=$((_i + 1))
  done
  fail "$_what (not within $_limit s)"
  return 1
}

# interrupt SIG PID: sends SIG to the background job PID and waits for it;
# its exit status is left in $RC.
interrupt() {
  kill -"$1" "$2"
  RC=0
  wait "$2" || RC=$?
}

# Workloads on volume $V: 4 MiB files /tmp/dN written at (N-1)*8+4 MiB and
# checked back by md5 on the volume and on the legs (their data area).
md5f() { md5sum <"$1" | cut -d' ' -f1; }
# not_contains TEXT: $OUT must not contain TEXT.
not_contains() {
  case $OUT in
    *"$1"*) fail "output mentions '$1'" ;;
    *) pass "output does not mention '$1'" ;;
  esac
}
# data_ok WHAT DEV BASE FILE OFFSET: FILE's md5 at BASE+OFFSET of DEV.
data_ok() {
  check "$1: $2 holds $4 at $(($5 / MIB)) MiB" test "$(sum "$2" $(($3 + $5)) $((4 * MIB)))" = "$(md5f "$4")"
}
# all_data WHAT DEV...: every write so far on the volume (when active) and
# on each DEV.
all_data() {
  _w=$1
  shift
  for _f in $WRITTEN; do
    _o=$(((${_f#/tmp/d} - 1) * 8 + 4))
    [ -b /dev/mapper/$V ] && data_ok "$_w" /dev/mapper/$V 0 $_f $((_o * MIB))
    for _d in "$@"; do data_ok "$_w" $_d $DATA $_f $((_o * MIB)); done
  done
}
# write_d FILE: writes /tmp/dN to the volume at its offset.
write_d() {
  check "write $1 at $(((${1#/tmp/d} - 1) * 8 + 4)) MiB" \
    dd if=$1 of=/dev/mapper/$V bs=1M seek=$(((${1#/tmp/d} - 1) * 8 + 4)) oflag=direct
  WRITTEN="$WRITTEN $1"
}
# logged_since N FILE TEXT: FILE has TEXT after its first N lines.
logged_since() { tail -n +$(($1 + 1)) "$2" | grep -q "$3"; }
# bg_replace OUT ARGS...: `dmirrorctl replace $V ARGS` in the background.
bg_replace() {
  _out=$1
  shift
  dmirrorctl replace $V "$@" >"$_out" 2>&1 &
  bg=$!
}
# bg_wait: waits for $bg; its status in $bg_rc.
bg_wait() {
  bg_rc=0
  wait $bg || bg_rc=$?
}
