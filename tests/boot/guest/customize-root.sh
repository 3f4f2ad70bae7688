#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mmdebstrap customize hook of build-root.sh: what every boot-tier guest
# shares. The guest boots from /dev/vda (root=, rw on the kernel command
# line), is not a first boot, and runs nothing that would compete with a
# scenario on the serial console or the disks.
set -euo pipefail
root=${1:?usage: customize-root.sh ROOT}
# A fixed identity: not a first boot (no systemd-firstboot prompts).
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$root/etc/machine-id"
echo >>"$root/etc/machine-id"
echo guest >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 guest\n' >"$root/etc/hosts"
printf '# <fs> <mount point> <type> <options> <dump> <pass>\n/dev/vda / ext4 rw,errors=remount-ro 0 0\n' >"$root/etc/fstab"
# The scenario runner owns the serial console; nothing else runs on a timer.
for unit in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
            e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-firstboot.service \
            nbd-server.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
