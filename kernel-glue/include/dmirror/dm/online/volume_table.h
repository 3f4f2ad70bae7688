// SPDX-License-Identifier: LGPL-2.1-or-later
// From our superblock to the kernel's view of the array: the VolumeMapping
// (one table position per slot of the kernel slot map, legs by device
// number, offsets, kernel options), the dm devices that realise it (sub-
// devices named after OUR slot numbers, so their names stay stable when a
// replace shifts table positions), and bringing them up with rollback.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/volume.h>
#include <dmirror/dm/volume_mapping.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <map>

namespace dmirror::dm {

struct TableChoices {
  bool nosync = false;
  std::vector<uint32_t> rebuild;  // our slots
};

/// `devs`: the block device of every present slot (absent slots become
/// "- -"). Kernel options come from the superblock; write-mostly is passed
/// for present legs only.
DMIRROR_EXPORT VolumeMapping volume_mapping_for(const Superblock& sb, const KernelSlotMap& map,
                                                const std::map<uint32_t, DevNumber>& devs,
                                                const TableChoices& choices);

/// plan_volume() with sub-device names and uuids taken from our slots.
DMIRROR_EXPORT Result<DevicePlan> plan_array_volume(const VolumeMapping& mapping, const KernelSlotMap& map);

/// Creates, loads and resumes the sub-devices, then the raid device. On any
/// failure everything created is removed again (top first).
DMIRROR_EXPORT Result<ActiveVolume> bring_up(DmControl& dm, const VolumeMapping& mapping, const DevicePlan& plan);

/// Reloads the raid device of a live volume with the table of `plan`:
/// creates the sub-devices that do not exist yet, loads the new raid table
/// (the constructor runs while the old table keeps serving I/O) and resumes
/// (the swap). On a failed load the new sub-devices are removed again and
/// the old table stays live.
[[nodiscard]] DMIRROR_EXPORT Status reload_volume(DmControl& dm, const VolumeMapping& mapping,
                                                  const DevicePlan& plan);

}  // namespace dmirror::dm
