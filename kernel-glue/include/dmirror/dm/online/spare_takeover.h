// SPDX-License-Identifier: LGPL-2.1-or-later
// A spare taking over a failed leg of an active volume (md's spare
// activation, ZED's hot-spare replace): the monitor calls take_spare()
// when it has recorded a leg failed. The spare (FORMAT.md 2.3, found on the
// host's block devices: its own superblock names the array, and the live
// table's superblock lists its uuid as spare) is used by an online replace
// of the failed slot, in the spare's own slot; the kernel rebuilds it while
// the volume stays in use. The replace is started and left to the kernel;
// finish_replace() completes it (in sync, the failed slot removed) once the
// kernel is idle — the monitor calls it when a sync action ends. Whether a
// spare is taken at all is takeover_choice(): the array's spare policy
// (spare_policy.h, `dmirrorctl set --spare-takeover`) and the monitor's
// --no-spares, both report-only when off.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dmirror::dm {

// What the monitor does about a failed leg, by the live table's superblock.
enum class TakeoverChoice {
  Take,               // a spare is listed and the policies allow it: take one present on this host
  MonitorOff,         // the monitor runs with --no-spares: report only
  ArrayOff,           // the array's spare take-over is off: report only
  ReplaceInProgress,  // one replace at a time: the one in progress is finished first
  NoSpare,            // the table lists no spare
  NotFailed,          // the slot is no longer recorded failed (replaced or removed meanwhile): nothing to do
};
/// Pure: the choice for an array whose live superblock is `sb`, with the
/// monitor's own switch `monitor_takes_spares` (false under --no-spares).
DMIRROR_EXPORT TakeoverChoice takeover_choice(const Superblock& sb, bool monitor_takes_spares);

struct SpareTakeover {
  TakeoverChoice choice = TakeoverChoice::Take;
  bool started = false;   // a spare present was given to an online replace (choice Take)
  uint32_t failed_slot = 0;
  uint32_t spare_slot = 0;
  std::string spare_path;
  bool finished = false;  // the rebuild was already done when the call returned
  std::vector<std::string> steps;
};

/// Acts on takeover_choice() (under the caller's array lock): `choice` says
/// why nothing was started, and
/// `started` is false with choice Take when no listed spare is present on
/// this host. Errors: those of online_replace (the spare then stays a spare
/// unless the replace recorded it joining; a rerun resumes).
DMIRROR_EXPORT Result<SpareTakeover> take_spare(DmControl& dm, const std::string& name, uint32_t failed_slot,
                                                bool monitor_takes_spares = true);

enum class ReplaceProgress {
  None,        // no replace in progress (finished by whoever ran it, or never started)
  Rebuilding,  // the kernel has not finished rebuilding the new leg
  Finished,    // finished now: the new leg in sync, the old one retired
};
/// Finishes a replace of volume `name` the kernel has rebuilt. Like every
/// metadata write, under the caller's array lock.
DMIRROR_EXPORT Result<ReplaceProgress> finish_replace(DmControl& dm, const std::string& name);

}  // namespace dmirror::dm
