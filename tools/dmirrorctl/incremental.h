// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl activate --incremental DEVICE`, run by the udev rule for every
// block device that carries dmirror metadata (as mdadm --incremental): the
// leg is recorded under <run_dir>/incremental/<array uuid>/slot<N> (the file
// holds the device path), records whose device no longer carries that leg
// are dropped, and
//  - once every expected leg (slots in use and not failed) is present the
//    array is activated, and its last-resort timer (if any) is stopped;
//  - with legs missing, the last-resort activation is scheduled after the
//    array's degraded timeout (boot_schedule.h; not when it is `never`,
//    nothing without systemd) and the command exits 0;
//  - a leg of an array that is already active (started degraded by the last
//    resort or by hand) and is not in its table is re-added to the live
//    volume (incremental_readd.h).
//  - the runs of an array's legs race at boot: while another command holds
//    the array (Busy) the activation is retried for up to two minutes, and
//    an array another run activated is success (exit 0).
#pragma once

#include "output.h"

#include <dmirror/superblock.h>

#include <map>
#include <string>

namespace dmirror::cli {

int run_incremental(const Context& ctx, const std::string& device, const std::string& run_dir);

struct RecordedLeg {
  std::string path;
  Superblock sb;
};

/// The recorded legs that still carry their slot of `array`, by slot; stale
/// records are dropped.
std::map<uint32_t, RecordedLeg> recorded_legs(const std::string& run_dir, const Uuid& array);

}  // namespace dmirror::cli
