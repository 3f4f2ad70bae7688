#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel test tier: boots Debian's stock kernel under qemu (TCG) with a
# busybox initramfs and virtio disks backed by fresh image files, runs a
# payload inside, and exits with the payload's status. Missing qemu,
# busybox-static, cpio or the kernel package is a failure, never a skip.
#
# Usage: run-vm.sh --work-dir DIR --payload BIN [--disk-mib N] [--disks N]
#                  [--boots N] [--extra PROGRAM]... [--file SRC:DST]...
#                  [--cache-dir DIR] [--run-dir DIR] [--timeout S]
#                  [--memory MIB] [-- payload args...]
#
# Several boots (--boots) run one after the other on the SAME disk images
# (created fresh before the first); boot k gets dmirror.boot=k. A boot may
# end in a hard reset instead of a result line if the guest printed
# "DMIRROR-VM-EXPECT-RESET" first; every other boot, and always the last
# one, must print "DMIRROR-VM-RESULT: rc=0". Any "DMIRROR-SCENARIO: FAIL"
# line on the console fails the run. --timeout applies to each boot.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work="" payload="" disk_mib=64 timeout_s=420 memory=512 disks=2 boots=1 cache="" run=""
extra_bins=() extra_files=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --work-dir) work=$2; shift 2 ;;
    --payload) payload=$2; shift 2 ;;
    --disk-mib) disk_mib=$2; shift 2 ;;
    --disks) disks=$2; shift 2 ;;
    --boots) boots=$2; shift 2 ;;
    --extra) extra_bins+=("$2"); shift 2 ;;
    --file) extra_files+=("$2"); shift 2 ;;
    --cache-dir) cache=$2; shift 2 ;;
    --run-dir) run=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run-vm: unknown argument $1" >&2; exit 2 ;;
  esac
done
die() { echo "run-vm: FAIL: $*" >&2; exit 1; }
[[ -n $work && -n $payload ]] || die "usage: run-vm.sh --work-dir DIR --payload BIN [-- args]"
[[ $disks -ge 1 && $disks -le 16 ]] || die "--disks must be 1..16"

qemu=$(command -v qemu-system-x86_64 || true)
[[ -n $qemu ]] || die "qemu-system-x86_64 not found (install the qemu-system-x86 package)"
mkdir -p "$work"
work=$(cd "$work" && pwd)
cache=${cache:-$work/cache}
run=${run:-$work/run}

"$here/fetch-kernel.sh" "$cache" || die "could not obtain Debian's kernel package (see above)"
kdir=$cache/kernel

mkdir -p "$run"
DMIRROR_VM_EXTRA_BINS="${extra_bins[*]:-}" DMIRROR_VM_EXTRA_FILES="${extra_files[*]:-}" \
  "$here/build-initramfs.sh" "$kdir" "$run/initramfs.cpio.gz" "$payload" "$@" || die "initramfs build failed"

drives=()
for ((leg = 0; leg < disks; leg++)); do
  img=$run/leg$leg.img
  rm -f "$img"
  truncate -s "${disk_mib}M" "$img"
  drives+=(-drive "file=$img,format=raw,if=virtio,cache=unsafe")
done

echo "run-vm: kernel $(cat "$kdir/version"), $disks disk(s) of ${disk_mib} MiB, $boots boot(s)" >&2
total_start=$(date +%s)
for ((boot = 1; boot <= boots; boot++)); do
  log=$run/console.boot$boot.log
  start=$(date +%s)
  set +e
  timeout -k 10 "$timeout_s" "$qemu" -accel tcg -machine q35 -cpu max -smp 1 -m "$memory" \
    -nographic -no-reboot -serial "file:$log" -monitor none \
    -kernel "$kdir/vmlinuz" -initrd "$run/initramfs.cpio.gz" \
    -append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init dmirror.boot=$boot dmirror.disks=$disks" \
    "${drives[@]}" </dev/null >"$run/qemu.out" 2>&1
  qrc=$?
  set -e
  end=$(date +%s)
  cp "$log" "$run/console.log"
  cat "$log"
  echo "run-vm: boot $boot: qemu exited with $qrc after $((end - start)) s" >&2
  [[ $qrc -eq 124 || $qrc -eq 137 ]] && die "boot $boot did not finish within ${timeout_s}s"
  if grep -a -q '^DMIRROR-SCENARIO: FAIL' "$log"; then
    grep -a '^DMIRROR-SCENARIO: FAIL' "$log" >&2
    die "boot $boot: a scenario step failed (see above)"
  fi
  result=$(grep -a -o 'DMIRROR-VM-RESULT: rc=[0-9]*' "$log" | tail -n1 | sed 's/.*rc=//' || true)
  if [[ -z $result ]]; then
    if [[ $boot -lt $boots ]] && grep -a -q 'DMIRROR-VM-EXPECT-RESET' "$log"; then
      echo "run-vm: boot $boot ended in the expected hard reset" >&2
      continue
    fi
    cat "$run/qemu.out" >&2
    die "boot $boot printed no result line (boot failure, or an unexpected reset)"
  fi
  [[ $result -eq 0 ]] || die "payload failed in the guest during boot $boot (rc=$result)"
done
echo "run-vm: PASS after $(($(date +%s) - total_start)) s" >&2
