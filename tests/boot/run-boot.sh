#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The boot tier: boots a Debian 12 guest (systemd, udev, Debian's kernel and
# initrd) under qemu with this build installed in it, runs one scenario in
# the guest and asserts its result from outside.
#
# Usage: run-boot.sh --build DIR --scenario NAME [--timeout S] [--memory MIB]
#
#  1. build-root.sh: the cached base root (mmdebstrap, host's apt sources).
#  2. A copy of it (hard links) gets `cmake --install --prefix /usr` of the
#     build (DESTDIR), the in-guest runner (guest/) and scenarios/*.sh.
#  3. scenarios/NAME.host.sh setup: the scenario's disks (leg images made
#     with the built dmirrorctl), /etc/fstab lines, units to enable...
#  4. The root image: ext4 from the directory (mke2fs -d), sparse.
#  5. qemu (KVM when usable, else TCG): -kernel/-initrd from the root,
#     root=/dev/vda, the legs as virtio disks with serial= (their
#     /dev/disk/by-id names), console on a serial log. The guest's
#     dmirror-boot-scenario.service runs scenarios/NAME.sh after
#     multi-user.target, prints DMIRROR-SCENARIO: PASS|FAIL lines and
#     DMIRROR-BOOT-RESULT: rc=N, then powers off.
#  6. Any FAIL line, no result line, emergency mode or the timeout fails the
#     test; then scenarios/NAME.host.sh assert checks the console log and
#     the leg images from outside.
# Missing tools, packages or mirror fail the test; nothing is skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build="" scenario="" timeout_s=600 memory=768
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    *) echo "run-boot: unknown argument $1" >&2; exit 2 ;;
  esac
done
die() { echo "run-boot: FAIL: $*" >&2; exit 1; }
[[ -n $build && -n $scenario ]] || die "usage: run-boot.sh --build DIR --scenario NAME"
[[ -f $here/scenarios/$scenario.sh ]] || die "no scenario $here/scenarios/$scenario.sh"
[[ $(id -u) -eq 0 ]] || die "the boot tier needs root (guest root build, file ownership in the image)"
qemu=$(command -v qemu-system-x86_64 || true)
[[ -n $qemu ]] || die "qemu-system-x86_64 not found (install the qemu-system-x86 package)"
for tool in mke2fs jq cmake ldconfig; do
  command -v "$tool" >/dev/null || die "'$tool' not found (see scripts/debian-packages.txt, boot tier)"
done
build=$(cd "$build" && pwd)
dmirrorctl=$build/tools/dmirrorctl/dmirrorctl
[[ -x $dmirrorctl ]] || die "no dmirrorctl in $build (build first)"
t0=$(date +%s)

base=$("$here/build-root.sh" "$build/boot/cache" "$dmirrorctl") || die "could not build the guest root (see above)"
kver=$(cat "$base/kernel-version")

run=$build/boot/$scenario
rm -rf "$run"
mkdir -p "$run"
stage=$run/root
# Hard links: the staging tree costs no copy. Files the run changes are
# replaced (never written in place), so the cached root stays as built.
cp -al "$base/root" "$stage"
DESTDIR=$stage cmake --install "$build" --prefix /usr >"$run/install.log" 2>&1 ||
  { cat "$run/install.log" >&2; die "cmake --install into the guest root failed"; }
ldconfig -r "$stage"
[[ -x $stage/usr/sbin/dmirrorctl ]] || die "cmake --install put no dmirrorctl in /usr/sbin"

lib=$stage/usr/local/lib/dmirror-boot
mkdir -p "$lib/scenarios"
cp "$here/guest/run-scenario.sh" "$here/guest/lib.sh" "$here/guest/emergency.sh" "$lib/"
mkdir -p "$stage/etc/systemd/system/emergency.service.d"
cp "$here/guest/emergency-diagnostics.conf" "$stage/etc/systemd/system/emergency.service.d/"
cp "$here"/scenarios/*.sh "$lib/scenarios/"
cp "$here/guest/dmirror-boot-scenario.service" "$stage/etc/systemd/system/"
mkdir -p "$stage/etc/systemd/system/multi-user.target.wants"
ln -s ../dmirror-boot-scenario.service "$stage/etc/systemd/system/multi-user.target.wants/"
# Replaced, not appended: /etc/fstab is a hard link into the cached root.
cp --remove-destination "$base/root/etc/fstab" "$stage/etc/fstab.new" && mv "$stage/etc/fstab.new" "$stage/etc/fstab"

# The scenario's host side: disks and guest configuration.
disks=()
host_hook=$here/scenarios/$scenario.host.sh
export DMIRRORCTL=$dmirrorctl STAGE=$stage RUN=$run
if [[ -f $host_hook ]]; then
  bash "$host_hook" setup || die "$scenario.host.sh setup failed"
fi
# The hook lists its disks, one "SERIAL FILE" per line, in guest order.
read_disks() {
  disks=()
  [[ -f $run/disks ]] || return 0
  while read -r serial file; do
    [[ -n $serial ]] && disks+=(-drive "file=$file,format=raw,if=none,id=$serial,cache=unsafe"
                                -device "virtio-blk-pci,drive=$serial,serial=$serial")
  done <"$run/disks"
}
read_disks
# A scenario that needs more than one boot writes their number to
# $RUN/boots; before boot N > 1, `NAME.host.sh boot N` may rewrite
# $RUN/disks. The guest sees dmirror.boot=N on its kernel command line.
boots=1
[[ -f $run/boots ]] && boots=$(cat "$run/boots")
[[ $boots =~ ^[1-9]$ ]] || die "$scenario.host.sh setup wrote a bad boot count '$boots'"

img=$run/root.img
size_mib=$(( $(du -sm "$stage" | cut -f1) + 512 ))
truncate -s "${size_mib}M" "$img"
mke2fs -q -F -t ext4 -L guestroot -d "$stage" "$img" || die "mke2fs -d of the guest root failed"
rm -rf "$stage"

# KVM when it works: /dev/kvm usable and the kernel boots under it (some
# nested hosts hand out a /dev/kvm on which the guest hangs at once). The
# probe's verdict is cached per kernel and qemu; DMIRROR_BOOT_ACCEL=tcg|kvm
# overrides it.
accel=${DMIRROR_BOOT_ACCEL:-}
if [[ -z $accel ]]; then
  probe=$build/boot/cache/kvm-probe-$kver-$("$qemu" --version | head -n1 | tr -dc '0-9.')
  if [[ ! -f $probe ]]; then
    accel=tcg
    if [[ -r /dev/kvm && -w /dev/kvm ]]; then
      timeout 20 "$qemu" -accel kvm -machine q35 -m 256 -nographic -no-reboot -monitor none -nic none \
        -serial "file:$run/kvm-probe.log" -kernel "$base/vmlinuz" -append "console=ttyS0 panic=-1" \
        </dev/null >/dev/null 2>&1 &
      ppid=$!
      for ((i = 0; i < 15; i++)); do
        grep -a -q 'Linux version' "$run/kvm-probe.log" 2>/dev/null && { accel=kvm; break; }
        sleep 1
      done
      kill "$ppid" 2>/dev/null || true
      wait "$ppid" 2>/dev/null || true
      [[ $accel == kvm ]] || echo "run-boot: /dev/kvm is present but the kernel does not boot under KVM here: TCG" >&2
    fi
    echo "$accel" >"$probe"
  fi
  accel=$(cat "$probe")
fi
[[ $accel == kvm || $accel == tcg ]] || die "DMIRROR_BOOT_ACCEL must be kvm or tcg"
for ((boot = 1; boot <= boots; boot++)); do
  if (( boot > 1 )); then
    bash "$host_hook" boot "$boot" || die "$scenario.host.sh boot $boot failed"
    read_disks
  fi
  log=$run/console.log
  (( boot == boots )) || log=$run/console-boot$boot.log
  # The qemu monitor (HMP) on a pair of pipes, $run/hmp.in and hmp.out, for
  # a host hook that changes the machine while the guest runs (hmp and
  # hotplug_disk in host-lib.sh): no socket client needed. A PCIe root port
  # takes hot-plugged disks (q35's root bus does not hot-plug).
  rm -f "$run/hmp.in" "$run/hmp.out"
  mkfifo "$run/hmp.in" "$run/hmp.out"
  cat "$run/hmp.out" >"$run/hmp.log" &
  hmp_reader=$!
  echo "run-boot: $scenario: boot $boot of $boots, kernel $kver, ${#disks[@]} drive options, accel $accel, prepared in $(( $(date +%s) - t0 )) s" >&2
  start=$(date +%s)
  "$qemu" -accel "$accel" -machine q35 -smp 2 -m "$memory" \
    -nographic -no-reboot -serial "file:$log" -nic none \
    -chardev "pipe,id=hmp,path=$run/hmp" -mon chardev=hmp,mode=readline \
    -kernel "$base/vmlinuz" -initrd "$base/initrd.img" \
    -append "console=ttyS0 root=/dev/vda rw panic=-1 loglevel=4 systemd.show_status=error dmirror.scenario=$scenario dmirror.boot=$boot" \
    -drive "file=$img,format=raw,if=none,id=root,cache=unsafe" -device virtio-blk-pci,drive=root,serial=guestroot \
    "${disks[@]}" -device pcie-root-port,id=hotplug0,chassis=1,slot=1 </dev/null >"$run/qemu.out" 2>&1 &
  qpid=$!
  # Watch the console: power-off ends the boot (emergency mode, too, powers
  # off after its diagnostics); a panic or the timeout fails it at once.
  # A console line "DMIRROR-HOST-REQUEST: WORDS" (the guest's host_request)
  # runs `scenarios/NAME.host.sh request WORDS` once, while the guest runs.
  verdict="" served=0 requests=()
  export HMP=$run/hmp.in
  while kill -0 "$qpid" 2>/dev/null; do
    [[ -f $log ]] && mapfile -t requests < <(tr -d '\r' <"$log" | grep -a -o 'DMIRROR-HOST-REQUEST: [^ ].*$' || true)
    while (( served < ${#requests[@]} )); do
      req=${requests[$served]#DMIRROR-HOST-REQUEST: }
      served=$((served + 1))
      echo "run-boot: $scenario: host request '$req'" >&2
      if [[ ! -f $host_hook ]] || ! bash "$host_hook" request $req >>"$run/host-requests.log" 2>&1; then
        verdict="the host could not serve the guest's request '$req' (see $run/host-requests.log)"; break 2
      fi
    done
    if grep -a -q -E 'Kernel panic' "$log" 2>/dev/null; then
      verdict="the guest kernel panicked"; break
    fi
    if (( $(date +%s) - start > timeout_s )); then
      verdict="the guest did not finish within ${timeout_s}s"; break
    fi
    sleep 1
  done
  if [[ -n $verdict ]]; then
    sleep 2
    kill "$qpid" 2>/dev/null || true
  fi
  wait "$qpid" || true
  end=$(date +%s)
  kill "$hmp_reader" 2>/dev/null || true
  wait "$hmp_reader" 2>/dev/null || true
  cat "$log"
  echo "run-boot: $scenario: boot $boot: guest ran $((end - start)) s (accel: $accel)" >&2
  [[ -z $verdict ]] || die "$scenario: $verdict (console: $log)"
  grep -a -q 'DMIRROR-BOOT-EMERGENCY' "$log" && die "$scenario: the guest boot failed into emergency mode (diagnostics above; console: $log)"
  if grep -a -q 'DMIRROR-SCENARIO: FAIL' "$log"; then
    grep -a 'DMIRROR-SCENARIO: FAIL' "$log" >&2
    die "$scenario: a check in the guest failed (see above)"
  fi
  result=$(grep -a -o 'DMIRROR-BOOT-RESULT: rc=[0-9]*' "$log" | tail -n1 | sed 's/.*rc=//' || true)
  [[ -n $result ]] || { cat "$run/qemu.out" >&2; die "$scenario: the guest printed no result line"; }
  [[ $result -eq 0 ]] || die "$scenario: the scenario failed in the guest (rc=$result)"
  grep -a -q 'DMIRROR-SCENARIO: PASS' "$log" || die "$scenario: the guest passed no check at all"
done
if [[ -f $host_hook ]]; then
  bash "$host_hook" assert "$log" || die "$scenario: the host-side assertions failed"
fi
rm -f "$img"   # half a gigabyte; the legs and the console log stay for a look
echo "run-boot: PASS $scenario in $(( $(date +%s) - t0 )) s" >&2
