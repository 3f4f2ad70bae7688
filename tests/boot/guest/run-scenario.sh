#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs scenarios/<dmirror.scenario>.sh in the guest, prints
# "DMIRROR-BOOT-RESULT: rc=N" and powers off (the host counts on both).
set -uo pipefail
lib=/usr/local/lib/dmirror-boot
name=$(sed -n 's/.*dmirror\.scenario=\([^ ]*\).*/\1/p' /proc/cmdline)
echo "DMIRROR-BOOT: scenario '$name', boot $(sed -n 's/.*dmirror\.boot=\([0-9]*\).*/\1/p' /proc/cmdline), $(systemd-detect-virt 2>/dev/null || echo unknown) virtualization, kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s"
rc=0
if [[ -z $name || ! -f $lib/scenarios/$name.sh ]]; then
  echo "DMIRROR-SCENARIO: FAIL runner: no scenario '$name' in $lib/scenarios"
  rc=1
else
  boot=$(sed -n 's/.*dmirror\.boot=\([0-9]*\).*/\1/p' /proc/cmdline)
  DMIRROR_SCENARIO=$name DMIRROR_BOOT=${boot:-1} bash "$lib/scenarios/$name.sh"
  rc=$?
fi
# What dmirror did during the boot, for whoever reads a failure.
journalctl -b --no-pager -o short-monotonic -u 'dmirror-*' -t dmirrorctl -t dmirror-scrub -t dmirror-monitor |
  sed 's/^/DMIRROR-JOURNAL: /' | tail -n 60
echo "DMIRROR-BOOT-RESULT: rc=$rc"
systemctl --no-block poweroff
