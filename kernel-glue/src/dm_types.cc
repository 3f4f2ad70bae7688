// SPDX-License-Identifier: LGPL-2.1-or-later
// Small helpers of the dm value types: textual forms and flag accessors.
#include <dmirror/dm/dm_types.h>

#include <linux/dm-ioctl.h>

namespace dmirror::dm {

std::string DevNumber::str() const { return std::to_string(major) + ":" + std::to_string(minor); }

std::string DeviceRef::describe() const {
  if (!uuid.empty()) return "uuid " + uuid;
  if (!name.empty()) return name;
  return "device " + dev.str();
}

std::string Version::str() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

bool DeviceInfo::read_only() const { return flags & DM_READONLY_FLAG; }
bool DeviceInfo::suspended() const { return flags & DM_SUSPEND_FLAG; }
bool DeviceInfo::active_table_present() const { return flags & DM_ACTIVE_PRESENT_FLAG; }
bool DeviceInfo::inactive_table_present() const { return flags & DM_INACTIVE_PRESENT_FLAG; }
bool DeviceInfo::deferred_remove() const { return flags & DM_DEFERRED_REMOVE; }
std::string DeviceInfo::dm_node() const { return "/dev/dm-" + std::to_string(dev.minor); }

}  // namespace dmirror::dm
