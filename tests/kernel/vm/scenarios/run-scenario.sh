#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The in-guest scenario runner (the VM payload): runs /scenarios/<name>.sh
# with the helpers of lib.sh for the current boot ($DMIRROR_BOOT) and exits
# with the number of failed checks.
SCENARIO=$1
[ -n "$SCENARIO" ] || { echo "usage: run-scenario.sh NAME"; exit 2; }
. /scenarios/lib.sh
[ -f "/scenarios/$SCENARIO.sh" ] || { fail "no scenario $SCENARIO"; exit 1; }
info "boot ${DMIRROR_BOOT:-1} starts at $(cut -d' ' -f1 /proc/uptime) s"
. "/scenarios/$SCENARIO.sh"
info "boot ${DMIRROR_BOOT:-1} done at $(cut -d' ' -f1 /proc/uptime) s, $fails failure(s)"
exit $fails
