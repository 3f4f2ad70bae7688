#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the guest initramfs (cpio newc, gzip): a static busybox, the dm/md
# modules fetched by fetch-kernel.sh, an /init that loads them in order and
# runs the payload, and the payload binaries with every shared library they
# need (found with ldd, dynamic loader included).
#
# Usage: build-initramfs.sh <kernel-dir> <output.cpio.gz> <payload-binary> [args...]
# The payload's exit status is printed on the console as
#   DMIRROR-VM-RESULT: rc=<n>
# after which the guest powers off.
#
# The payload may also be a shell script (run with busybox sh). Extra
# programs go to /bin with their libraries: DMIRROR_VM_EXTRA_BINS="a b";
# extra plain files: DMIRROR_VM_EXTRA_FILES="src:/dst src2:/dst2". The
# kernel command line's dmirror.boot=<n> (the boot number of a multi-boot
# run) is exported to the payload as DMIRROR_BOOT, dmirror.disks=<n> makes
# /init wait for that many virtio disks.
set -euo pipefail

die() { echo "build-initramfs: $*" >&2; exit 1; }
[[ $# -ge 3 ]] || die "usage: build-initramfs.sh <kernel-dir> <output.cpio.gz> <payload> [args...]"
kdir=$1 out=$2 payload=$3
shift 3

busybox=${BUSYBOX:-/bin/busybox}
[[ -x $busybox ]] || die "$busybox not found (install the busybox-static package)"
if ldd "$busybox" >/dev/null 2>&1; then
  die "$busybox is dynamically linked; install the busybox-static package"
fi
command -v cpio >/dev/null || die "cpio not found (install the cpio package)"
[[ -f $kdir/modules.order ]] || die "no modules in $kdir (run fetch-kernel.sh)"
[[ -x $payload ]] || die "payload $payload is not executable"

root=$(mktemp -d "${out%/*}/initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,lib,lib64,modules,etc}
cp "$busybox" "$root/bin/busybox"
cp "$kdir"/modules/*.ko "$root/modules/"
cp "$kdir/modules.order" "$root/modules.order"

# Payload plus its libraries; everything goes to /lib, the loader also to
# the path recorded in the binary. Scripts need no libraries.
copy_libs() {
  [[ $(head -c4 "$1" | od -An -c | tr -d ' ') == 177ELF ]] || return 0
  ldd "$1" | awk '/=> \// {print $3} /^[ \t]*\/.*ld-linux/ {print $1}' | sort -u | while read -r lib; do
    cp -L "$lib" "$root/lib/"
    case $lib in
      */ld-linux*) mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib" ;;
    esac
  done
}
cp "$payload" "$root/bin/payload"
copy_libs "$payload"
for bin in ${DMIRROR_VM_EXTRA_BINS:-}; do
  [[ -x $bin ]] || die "extra program $bin is not executable"
  mkdir -p "$root/sbin"
  cp -L "$bin" "$root/sbin/${bin##*/}"
  copy_libs "$bin"
done
for pair in ${DMIRROR_VM_EXTRA_FILES:-}; do
  src=${pair%%:*} dst=${pair#*:}
  [[ -f $src ]] || die "extra file $src not found"
  mkdir -p "$root$(dirname "$dst")"
  cp -L "$src" "$root$dst"
done

args=""
for a in "$@"; do args+=" '${a//\'/\'\\\'\'}'"; done

cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "DMIRROR-VM: boot \$(cut -d' ' -f1 /proc/uptime)s"
for m in \$(cat /modules.order); do
  insmod /modules/\$m || echo "DMIRROR-VM: insmod \$m failed"
done
boot=1 disks=2
for w in \$(cat /proc/cmdline); do
  case \$w in
    dmirror.boot=*) boot=\${w#dmirror.boot=} ;;
    dmirror.disks=*) disks=\${w#dmirror.disks=} ;;
  esac
done
last=\$(echo abcdefghijklmnop | cut -c\$disks)
i=0
while [ ! -b /dev/vd\$last ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done
echo "DMIRROR-VM: modules loaded \$(cut -d' ' -f1 /proc/uptime)s, boot \$boot"
cd /tmp
export DMIRROR_BOOT=\$boot PATH=/sbin:/bin
LD_LIBRARY_PATH=/lib /bin/payload$args
rc=\$?
echo "DMIRROR-VM: payload done \$(cut -d' ' -f1 /proc/uptime)s"
echo "DMIRROR-VM-RESULT: rc=\$rc"
sync
poweroff -f
INIT
chmod +x "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
