#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds (or reuses) the boot tier's base guest root: Debian 12 from the
# host's apt sources (apt-sources.sh) with mmdebstrap, the packages of
# guest-packages.txt plus the ones holding dmirrorctl's shared libraries,
# and the guest's kernel and initrd copied out of /boot. The result is cached
# under <cache-dir>/root-<key>, the key a hash of the package list, the apt
# sources and this script, so a rerun takes no time. Needs root.
#
# Usage: build-root.sh CACHE_DIR DMIRRORCTL
# Prints the cache directory (holding root/, vmlinuz, initrd.img) on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: build-root.sh CACHE_DIR DMIRRORCTL}
tool=${2:?usage: build-root.sh CACHE_DIR DMIRRORCTL}
die() { echo "build-root: FAIL: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "building the guest root needs root (mmdebstrap --mode=root)"
command -v mmdebstrap >/dev/null || die "mmdebstrap not found (install the mmdebstrap package, see scripts/debian-packages.txt)"
command -v dpkg-query >/dev/null || die "dpkg-query not found (this tier needs a Debian host)"

# The packages holding the libraries dmirrorctl links to (those outside the
# build tree), so the installed binary runs in the guest.
libpkgs=()
while read -r lib; do
  real=$(readlink -f "$lib")
  pkg=""
  for p in "$real" "$lib" "/usr$real" "${real#/usr}"; do
    pkg=$(dpkg-query -S "$p" 2>/dev/null | head -n1 | cut -d: -f1) && [[ -n $pkg ]] && break
  done
  [[ -n $pkg ]] || die "no Debian package owns $lib, which $tool links to"
  libpkgs+=("$pkg")
done < <(ldd "$tool" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v '/libdmirror' || true)

mapfile -t pkgs < <(grep -v -E '^\s*(#|$)' "$here/guest-packages.txt")
pkgs+=("${libpkgs[@]}")
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
sources=$("$here/apt-sources.sh" bookworm) || die "no usable apt source on this host (see above)"

key=$( { printf '%s\n' "${pkgs[@]}"; echo "$sources"; cat "$0" "$here/guest/customize-root.sh"; } | sha256sum | cut -c1-16)
dir=$cache/root-$key
if [[ -f $dir/.complete ]]; then
  echo "$dir"
  exit 0
fi
# An older key's root is of no further use.
mkdir -p "$cache"
find "$cache" -maxdepth 1 -name 'root-*' -exec rm -rf {} +
mkdir -p "$dir"
echo "build-root: building the guest root ($(printf '%s ' "${pkgs[@]}"))" >&2

srcfile=$dir/sources.list
echo "$sources" >"$srcfile"
# The initrd only needs to find the root disk: virtio and ext4, nothing else
# (MODULES=list), so it stays small and boots fast under TCG.
# Documentation, manuals, translations and the kernel's drivers for hardware
# a qemu guest does not have are left out of the root.
start=$(date +%s)
mmdebstrap --mode=root --variant=minbase --format=directory \
  --include="$(IFS=,; echo "${pkgs[*]}")" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/gpu/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/media/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/net/wireless/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/net/ethernet/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/infiniband/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/staging/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/bluetooth/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/net/bluetooth/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/net/wireless/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/net/mac80211/*' \
  --dpkgopt='path-exclude=/lib/modules/*/kernel/sound/*' \
  --essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"' \
  --essential-hook='printf "MODULES=list\nCOMPRESS=zstd\n" >"$1/etc/initramfs-tools/conf.d/dmirror-boot.conf"' \
  --essential-hook='printf "virtio_pci\nvirtio_blk\next4\n" >"$1/usr/share/initramfs-tools/modules.d/dmirror-boot.conf"' \
  --customize-hook="$here/guest/customize-root.sh \"\$1\"" \
  bookworm "$dir/root" "$srcfile" >&2 || die "mmdebstrap failed (is the mirror in the host's apt sources reachable?)"

vmlinuz=$(ls "$dir"/root/boot/vmlinuz-* 2>/dev/null | head -n1)
[[ -f $vmlinuz ]] || die "no kernel in the guest root's /boot"
kver=${vmlinuz##*/vmlinuz-}
[[ -f $dir/root/boot/initrd.img-$kver ]] || die "no initrd for $kver in the guest root's /boot"
cp "$vmlinuz" "$dir/vmlinuz"
cp "$dir/root/boot/initrd.img-$kver" "$dir/initrd.img"
echo "$kver" >"$dir/kernel-version"
echo "build-root: guest root ready in $(( $(date +%s) - start )) s: $(du -sh "$dir/root" | cut -f1), kernel $kver, initrd $(du -h "$dir/initrd.img" | cut -f1)" >&2
touch "$dir/.complete"
echo "$dir"
