#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fetches Debian's stock kernel package (the one linux-image-amd64 depends on)
# into a build-tree cache and extracts vmlinuz plus the device-mapper and md
# modules the kernel tier needs, decompressed so busybox insmod can load them.
# Nothing is installed on the host. Repeated runs reuse the cache.
#
# Usage: fetch-kernel.sh <cache-dir>
# Prints nothing on success except progress on stderr; the result is
#   <cache-dir>/kernel/vmlinuz and <cache-dir>/kernel/modules/*.ko
#   <cache-dir>/kernel/modules.order (the insmod order)
set -euo pipefail

cache=${1:?usage: fetch-kernel.sh <cache-dir>}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
out=$cache/kernel

# Load order (dependencies first): virtio transport and disk, dm core, md
# core, the raid456 dependency chain dm-raid needs, then dm-raid and the
# test targets. libcrc32c needs a crc32c provider loaded before it. Then
# loop devices (image-file legs) and ext4 (file-system scenarios).
modules=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
         virtio_blk dm-mod dm-log dm-region-hash dm-mirror md-mod async_tx xor
         async_xor raid6_pq async_pq async_memcpy async_raid6_recov crc32c_generic
         libcrc32c raid456 dm-raid dm-flakey dm-log-writes dm-bufio dm-snapshot raid1
         loop crc16 mbcache jbd2 ext4)

# A cache made for another module list is refreshed (the .deb is kept).
if [[ -f $out/.complete ]] && [[ "$(cat "$out/modules.order")" == "$(printf '%s.ko\n' "${modules[@]}")" ]]; then
  exit 0
fi

die() { echo "fetch-kernel: $*" >&2; exit 1; }
for tool in apt-cache apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || die "'$tool' not found (this tier needs a Debian host)"
done

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
      awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[[ -n $pkg ]] || die "cannot resolve the kernel package behind linux-image-amd64 (run apt-get update?)"

debdir=$cache/deb
mkdir -p "$debdir"
if ! ls "$debdir/${pkg}"_*.deb >/dev/null 2>&1; then
  echo "fetch-kernel: downloading $pkg" >&2
  (cd "$debdir" && apt-get -o APT::Sandbox::User=root download "$pkg" >&2) ||
    die "apt-get download $pkg failed (is a Debian mirror reachable?)"
fi
deb=$(ls "$debdir/${pkg}"_*.deb | head -n1)

root=$cache/root
rm -rf "$root" "$out"
mkdir -p "$root" "$out/modules"
echo "fetch-kernel: unpacking $(basename "$deb")" >&2
dpkg-deb -x "$deb" "$root"

vmlinuz=$(ls "$root"/boot/vmlinuz-* | head -n1)
[[ -f $vmlinuz ]] || die "no vmlinuz in $deb"
cp "$vmlinuz" "$out/vmlinuz"
kver=${vmlinuz##*/vmlinuz-}

: >"$out/modules.order"
for m in "${modules[@]}"; do
  # Module files use either '-' or '_' in their names.
  alt=${m//-/_}
  f=$(find "$root/lib/modules/$kver" \( -name "$m.ko*" -o -name "$alt.ko*" \) | head -n1)
  [[ -n $f ]] || die "module $m not found in $pkg"
  case $f in
    *.ko) cp "$f" "$out/modules/$m.ko" ;;
    *.ko.xz) xz -dc "$f" >"$out/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$f" >"$out/modules/$m.ko" ;;
    *.ko.gz) gzip -dc "$f" >"$out/modules/$m.ko" ;;
    *) die "unknown module format: $f" ;;
  esac
  echo "$m.ko" >>"$out/modules.order"
done
echo "$kver" >"$out/version"
rm -rf "$root"
touch "$out/.complete"
echo "fetch-kernel: kernel $kver ready in $out" >&2
