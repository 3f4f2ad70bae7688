// SPDX-License-Identifier: LGPL-2.1-or-later
// Finding the dm devices of an array by their uuids ("DMIRROR-<array uuid
// hex>" for the raid device, "DMIRROR-<hex>-kmetaN"/"-dataN" for the
// sub-devices), and the leg devices a live volume is built on.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/dm_names.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/uuid.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dmirror::dm {

/// The dm uuid suffix of an array: its uuid as 32 hex digits.
inline std::string array_dm_id(const Uuid& array_uuid) { return array_uuid.hex(); }

struct ArrayDevices {
  std::optional<ListedDevice> top;     // the raid device
  std::vector<ListedDevice> subdevices;
  bool any() const { return top.has_value() || !subdevices.empty(); }
};

/// Every dm device of the array (none: both empty).
DMIRROR_EXPORT Result<ArrayDevices> find_array_devices(DmControl& dm, const Uuid& array_uuid);

/// The raid device named `name`, or NotFound ("no volume NAME is active").
/// NotDmirror when a device of that name exists but is not ours.
DMIRROR_EXPORT Result<ParsedDmUuid> find_volume_by_name(DmControl& dm, const std::string& name);

/// Per our slot, the leg device a live volume's sub-devices sit on (read
/// from their linear tables).
DMIRROR_EXPORT Result<std::map<uint32_t, DevNumber>> volume_leg_devices(DmControl& dm, const std::string& array_id);

/// "/dev/<name>" of a block device number (from /sys/dev/block/M:m/uevent).
DMIRROR_EXPORT Result<std::string> block_device_path(DevNumber dev);
/// The device number of a block device node.
DMIRROR_EXPORT Result<DevNumber> block_device_number(const std::string& path);

/// Opens device-mapper for the online commands. Unsupported, with a message
/// saying so, where device-mapper is not available.
DMIRROR_EXPORT Result<std::unique_ptr<DmControl>> open_online_control();

}  // namespace dmirror::dm
