#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel test tier: boots Debian's stock kernel under qemu (TCG) with a
# busybox initramfs and two virtio disks backed by fresh image files, runs
# a payload binary inside, and exits with the payload's status. Missing
# qemu, busybox-static, cpio or the kernel package is a failure, never a skip.
#
# Usage: run-vm.sh --work-dir DIR --payload BIN [--disk-mib N] [--timeout S]
#                  [--memory MIB] [-- payload args...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work="" payload="" disk_mib=64 timeout_s=420 memory=512
while [[ $# -gt 0 ]]; do
  case $1 in
    --work-dir) work=$2; shift 2 ;;
    --payload) payload=$2; shift 2 ;;
    --disk-mib) disk_mib=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run-vm: unknown argument $1" >&2; exit 2 ;;
  esac
done
die() { echo "run-vm: FAIL: $*" >&2; exit 1; }
[[ -n $work && -n $payload ]] || die "usage: run-vm.sh --work-dir DIR --payload BIN [-- args]"

qemu=$(command -v qemu-system-x86_64 || true)
[[ -n $qemu ]] || die "qemu-system-x86_64 not found (install the qemu-system-x86 package)"
mkdir -p "$work"
work=$(cd "$work" && pwd)

"$here/fetch-kernel.sh" "$work/cache" || die "could not obtain Debian's kernel package (see above)"
kdir=$work/cache/kernel

run=$work/run
mkdir -p "$run"
"$here/build-initramfs.sh" "$kdir" "$run/initramfs.cpio.gz" "$payload" "$@" || die "initramfs build failed"

drives=()
for leg in 0 1; do
  img=$run/leg$leg.img
  rm -f "$img"
  truncate -s "${disk_mib}M" "$img"
  drives+=(-drive "file=$img,format=raw,if=virtio,cache=unsafe")
done

log=$run/console.log
echo "run-vm: kernel $(cat "$kdir/version"), log $log" >&2
start=$(date +%s)
set +e
timeout -k 10 "$timeout_s" "$qemu" -accel tcg -machine q35 -cpu max -smp 1 -m "$memory" \
  -nographic -no-reboot -serial "file:$log" -monitor none \
  -kernel "$kdir/vmlinuz" -initrd "$run/initramfs.cpio.gz" \
  -append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init" \
  "${drives[@]}" </dev/null >"$run/qemu.out" 2>&1
qrc=$?
set -e
end=$(date +%s)

cat "$log"
echo "run-vm: qemu exited with $qrc after $((end - start)) s" >&2
[[ $qrc -eq 124 || $qrc -eq 137 ]] && die "guest did not finish within ${timeout_s}s"
result=$(grep -a -o 'DMIRROR-VM-RESULT: rc=[0-9]*' "$log" | tail -n1 | sed 's/.*rc=//')
[[ -n $result ]] || { cat "$run/qemu.out" >&2; die "the guest printed no result line (boot failure?)"; }
if [[ $result -ne 0 ]]; then die "payload failed in the guest (rc=$result)"; fi
echo "run-vm: PASS" >&2
