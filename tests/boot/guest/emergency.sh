#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Replaces the emergency shell in boot-tier guests (a drop-in for
# emergency.service): prints what failed and why on the serial console,
# then powers off. The host fails the test on DMIRROR-BOOT-EMERGENCY.
echo "DMIRROR-BOOT-EMERGENCY: the boot failed; diagnostics follow"
run() { echo "--- $*"; "$@" 2>&1 | tail -n 120; }
run systemctl --failed --no-legend
run journalctl -b --no-pager -o short-monotonic -u systemd-udevd -u 'systemd-fsck@*' -u '*.mount' -p info
run journalctl -b --no-pager -o short-monotonic -t dmirrorctl -t kernel -g 'dmirror|device-mapper|md/raid|raid1|dm-'
run dmsetup info -c
run ls -l /dev/mapper /run/dmirror /run/dmirror/incremental
for d in /dev/dm-*; do [[ -e $d ]] && run udevadm info --query=property "$d"; done
echo "DMIRROR-BOOT-RESULT: rc=99"
systemctl --no-block poweroff
