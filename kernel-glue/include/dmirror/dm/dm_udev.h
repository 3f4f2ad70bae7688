// SPDX-License-Identifier: LGPL-2.1-or-later
// udev cooperation. With udev running, commands that emit a uevent (resume,
// remove) carry the libdm cookie convention `event_nr = flags << 16` (base 0:
// no semaphore) so the distribution's dm udev rules see our intent, and the
// caller waits for /dev/mapper/NAME to appear. Without udev, nobody creates
// /dev/mapper/NAME, so the glue creates and removes the node itself.
#pragma once

#include <dmirror/dm/dm_types.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace dmirror::dm {

// DM_UDEV_* flag bits (the high 16 bits of a cookie).
namespace udev_flag {
inline constexpr uint16_t kDisableDmRules = 0x0001;
inline constexpr uint16_t kDisableSubsystemRules = 0x0002;
inline constexpr uint16_t kDisableDiskRules = 0x0004;
inline constexpr uint16_t kDisableOtherRules = 0x0008;
inline constexpr uint16_t kLowPriority = 0x0010;
inline constexpr uint16_t kDisableLibraryFallback = 0x0020;
inline constexpr uint16_t kPrimarySource = 0x0040;
// Private sub-devices: keep blkid and foreign rules away, as LVM does for
// rmeta/rimage devices. /dev/mapper/NAME is still created.
inline constexpr uint16_t kHiddenSubdevice =
    kDisableSubsystemRules | kDisableDiskRules | kDisableOtherRules;
}  // namespace udev_flag

// The cookie value carried in dm_ioctl.event_nr (base 0, no semaphore).
inline constexpr uint32_t udev_cookie(uint16_t flags) {
  return flags == 0 ? 0u : (uint32_t{static_cast<uint16_t>(flags | udev_flag::kPrimarySource)} << 16);
}

enum class NodePolicy {
  Auto,    // Udev if /run/udev/control exists, else Manual
  Udev,    // send cookies, wait for udev to create /dev/mapper/NAME
  Manual,  // create/remove /dev/mapper/NAME ourselves
  None,    // never touch /dev/mapper; use /dev/dm-N
};

DMIRROR_EXPORT bool udev_is_running();
DMIRROR_EXPORT NodePolicy resolve_node_policy(NodePolicy policy);

// "<dev_dir>/mapper/<name>"
DMIRROR_EXPORT std::string mapper_node_path(std::string_view dev_dir, std::string_view name);

// Creates <dev_dir>/mapper/<name> as a block node (mode 0600) for `dev`,
// replacing a stale node; falls back to a symlink to ../dm-<minor> where
// mknod is not permitted.
[[nodiscard]] DMIRROR_EXPORT Status create_mapper_node(std::string_view dev_dir, std::string_view name,
                                                       DevNumber dev);
// Removes <dev_dir>/mapper/<name>; a missing node is not an error.
[[nodiscard]] DMIRROR_EXPORT Status remove_mapper_node(std::string_view dev_dir, std::string_view name);

// Polls until `path` exists. Returns false on timeout.
DMIRROR_EXPORT bool wait_for_path(const std::string& path, std::chrono::milliseconds timeout);

}  // namespace dmirror::dm
