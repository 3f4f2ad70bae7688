// SPDX-License-Identifier: LGPL-2.1-or-later
// A spare taking over a failed leg of an active volume (md's spare
// activation, ZED's hot-spare replace): the monitor calls take_spare()
// when it has recorded a leg failed. The spare (FORMAT.md 2.3, found on the
// host's block devices: its own superblock names the array, and the live
// table's superblock lists its uuid as spare) is used by an online replace
// of the failed slot, in the spare's own slot; the kernel rebuilds it while
// the volume stays in use. The replace is started and left to the kernel;
// finish_replace() completes it (in sync, the failed slot removed) once the
// kernel is idle — the monitor calls it when a sync action ends.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dmirror::dm {

struct SpareTakeover {
  uint32_t failed_slot = 0;
  uint32_t spare_slot = 0;
  std::string spare_path;
  bool finished = false;  // the rebuild was already done when the call returned
  std::vector<std::string> steps;
};

/// nullopt when the array has no spare present on this host. Errors: those
/// of online_replace (the spare then stays a spare unless the replace
/// recorded it joining; a rerun resumes).
DMIRROR_EXPORT Result<std::optional<SpareTakeover>> take_spare(DmControl& dm, const std::string& name,
                                                               uint32_t failed_slot);

/// Finishes a replace of volume `name` the kernel has rebuilt (true), or
/// does nothing (false: none in progress, or the kernel is not done).
DMIRROR_EXPORT Result<bool> finish_replace(DmControl& dm, const std::string& name);

}  // namespace dmirror::dm
