// SPDX-License-Identifier: LGPL-2.1-or-later
// A volume's kernel mapping, described from the product's own metadata
// (leg devices and the byte offsets of each leg's areas), and the plan of
// dm devices and tables that realises it: per leg a linear kmeta and data
// sub-device, on top a `raid raid1` device.
#pragma once

#include <dmirror/dm/dm_names.h>
#include <dmirror/dm/dm_types.h>
#include <dmirror/dm/raid_table.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dmirror::dm {

struct LegMapping {
  std::optional<DevNumber> device;   // empty: the leg is missing ("- -")
  uint64_t kmeta_offset = 0;         // bytes, multiple of 512
  uint64_t kmeta_size = 0;           // bytes, multiple of 512
  uint64_t data_offset = 0;          // bytes, multiple of 512
};

struct VolumeOptions {
  bool nosync = false;
  std::vector<uint32_t> rebuild;
  std::vector<uint32_t> write_mostly;
  std::optional<uint32_t> max_write_behind;  // sectors
  std::optional<uint64_t> min_recovery_rate; // KiB/s
  std::optional<uint64_t> max_recovery_rate;
  bool read_only = false;
};

struct VolumeMapping {
  std::string name;
  std::string array_uuid;
  std::vector<LegMapping> legs;   // slot order
  uint64_t data_size = 0;         // bytes per leg, multiple of 512
  uint64_t region_size = 0;       // bytes, power of two >= 4096
  VolumeOptions options;
};

struct PlannedDevice {
  std::string name;
  std::string uuid;
  uint16_t udev_flags = 0;
  std::vector<TargetLine> table;  // empty for the top device until sub-devices exist
  std::optional<SubdeviceRole> role;
  uint32_t slot = 0;
};

struct DevicePlan {
  std::vector<PlannedDevice> subdevices;  // kmeta0, data0, kmeta1, data1, ... (present legs only)
  PlannedDevice top;
};

/// Validates the mapping (names, alignment, kmeta big enough for the
/// bitmap, region count <= 2^21) and builds the sub-device tables.
DMIRROR_EXPORT Result<DevicePlan> plan_volume(const VolumeMapping& mapping);

/// The raid table once the sub-devices exist: `subdevs[i]` is the created
/// device of plan.subdevices[i].
DMIRROR_EXPORT Result<std::vector<TargetLine>> raid_table_for(const VolumeMapping& mapping,
                                                              const DevicePlan& plan,
                                                              std::span<const DevNumber> subdevs);

}  // namespace dmirror::dm
