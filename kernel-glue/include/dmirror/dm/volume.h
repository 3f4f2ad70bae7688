// SPDX-License-Identifier: LGPL-2.1-or-later
// Activating, deactivating and querying a volume through a DmControl.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/dm/raid_table.h>
#include <dmirror/dm/volume_mapping.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <string>
#include <string_view>
#include <vector>

namespace dmirror::dm {

struct ActiveVolume {
  DeviceInfo top;                     // top.dm_node() is /dev/dm-N
  std::vector<DeviceInfo> subdevices;
};

/// Creates, loads and resumes every sub-device, then the raid device. On
/// any failure every device created so far is removed again (top first) and
/// the first error is returned.
DMIRROR_EXPORT Result<ActiveVolume> activate(DmControl& dm, const VolumeMapping& mapping);

struct DeactivateOptions {
  bool deferred = false;  // top device: remove on last close if open
};

/// Removes the raid device, then its sub-devices (found by uuid prefix, or
/// by name when the top device is already gone). NotFound if nothing exists.
DMIRROR_EXPORT Status deactivate(DmControl& dm, std::string_view name, const DeactivateOptions& options = {});

struct VolumeStatus {
  DeviceInfo info;
  RaidStatus raid;     // parsed INFO line
  Raid1Params table;   // parsed TABLE line (current in-core values)
};

DMIRROR_EXPORT Result<VolumeStatus> query(DmControl& dm, std::string_view name);

}  // namespace dmirror::dm
