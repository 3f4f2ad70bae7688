// SPDX-License-Identifier: LGPL-2.1-or-later
// The boot path's timers, through systemd: when incremental assembly leaves
// an array incomplete, a transient timer (systemd-run --on-active=SECONDS)
// starts `dmirrorctl activate --last-resort UUID` once the array's degraded
// timeout has passed; a full activation stops it.
//
// mdadm does the same with a static pair, mdadm-last-resort@.timer
// (OnActiveSec=30) and mdadm-last-resort@.service (`mdadm --run /dev/%i`),
// pulled in by udev's SYSTEMD_WANTS and stopped by Conflicts= with the md
// device unit (mdadm's systemd/mdadm-last-resort@.timer and
// udev-md-raid-assembly.rules). A static timer has one OnActiveSec for
// every instance; dmirror's timeout is per array (the superblock's
// degraded_timeout), so the timer is transient: it carries the array's own
// timeout without a drop-in and without a daemon-reload from udev. A
// transient unit lives in /run and is gone at the next boot, as the
// incremental records are.
//
// Without systemd (no /run/systemd/system) nothing is scheduled: the
// command says so and the administrator runs `activate --last-resort UUID`
// (or `activate --degraded`) when a leg does not come. DMIRROR_SYSTEMD_DIR,
// DMIRROR_SYSTEMD_RUN and DMIRROR_SYSTEMCTL move the check and the programs
// (tests).
#pragma once

#include <dmirror/result.h>
#include <dmirror/uuid.h>

#include <string>
#include <vector>

namespace dmirror::cli {

/// systemd is the init system (its runtime directory exists).
bool systemd_running();

/// "dmirror-last-resort-<uuid>": the transient .timer and .service.
std::string last_resort_unit(const Uuid& array);

/// systemd-run --on-active=<seconds>s --unit=<last_resort_unit> ... dmirrorctl
/// activate --last-resort UUID --run-dir RUN_DIR. A timer already there (an
/// earlier leg of the array scheduled it) is kept: the wait counts from the
/// first leg, as mdadm's. Io when systemd-run fails otherwise.
Status schedule_last_resort(const Uuid& array, uint32_t seconds, const std::string& run_dir);

/// systemctl stop --no-block <last_resort_unit>.timer; nothing when no systemd
/// or no such timer.
void cancel_last_resort(const Uuid& array);

/// Runs `argv` once in a transient service (systemd-run --no-block
/// --unit=UNIT --service-type=oneshot ...): work too long for a udev worker.
Status run_in_transient_service(const std::string& unit, const std::vector<std::string>& argv);

/// This program's absolute path (for the units it starts).
std::string self_path();

}  // namespace dmirror::cli
