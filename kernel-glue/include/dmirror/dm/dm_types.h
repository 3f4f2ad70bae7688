// SPDX-License-Identifier: LGPL-2.1-or-later
// Plain value types shared by every part of the device-mapper glue: device
// numbers, the way a command names a device, what the kernel reports about a
// device, and one line of a table. None of them depend on <linux/dm-ioctl.h>.
#pragma once

#include <dmirror/export.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dmirror::dm {

// A block device number. Tables always name devices as "major:minor".
struct DevNumber {
  uint32_t major = 0;
  uint32_t minor = 0;

  bool is_zero() const { return major == 0 && minor == 0; }
  // "254:16"
  DMIRROR_EXPORT std::string str() const;
  friend bool operator==(const DevNumber&, const DevNumber&) = default;
};

// How a command addresses a device. The kernel accepts exactly one key: the
// first non-empty of uuid, name, dev is sent and the others are left empty.
struct DeviceRef {
  std::string name;
  std::string uuid;
  DevNumber dev;

  static DeviceRef by_name(std::string n) { return DeviceRef{std::move(n), {}, {}}; }
  static DeviceRef by_uuid(std::string u) { return DeviceRef{{}, std::move(u), {}}; }
  static DeviceRef by_dev(DevNumber d) { return DeviceRef{{}, {}, d}; }
  // "NAME", "uuid UUID" or "device 254:3", for messages.
  DMIRROR_EXPORT std::string describe() const;
};

// Interface or target version triple.
struct Version {
  uint32_t major = 0;
  uint32_t minor = 0;
  uint32_t patch = 0;
  friend auto operator<=>(const Version&, const Version&) = default;
  DMIRROR_EXPORT std::string str() const;
};

// The dm_ioctl header fields the kernel returns for a device.
struct DeviceInfo {
  std::string name;
  std::string uuid;
  DevNumber dev;
  uint32_t open_count = 0;
  uint32_t event_nr = 0;
  uint32_t target_count = 0;
  uint32_t flags = 0;  // raw DM_*_FLAG bits

  DMIRROR_EXPORT bool read_only() const;
  DMIRROR_EXPORT bool suspended() const;
  DMIRROR_EXPORT bool active_table_present() const;
  DMIRROR_EXPORT bool inactive_table_present() const;
  DMIRROR_EXPORT bool deferred_remove() const;
  // "/dev/dm-<minor>": devtmpfs creates it for every dm device with a table.
  DMIRROR_EXPORT std::string dm_node() const;
};

// One line of a table: "<start> <length> <type> <params>" (sectors).
struct TargetLine {
  uint64_t start = 0;
  uint64_t length = 0;
  std::string type;
  std::string params;
  friend bool operator==(const TargetLine&, const TargetLine&) = default;
};

// The result of DM_TABLE_STATUS / DM_DEV_WAIT: the device header plus one
// line per target (status text or table text, depending on the request).
struct TableStatus {
  DeviceInfo info;
  std::vector<TargetLine> targets;
};

// One entry of DM_LIST_DEVICES.
struct ListedDevice {
  std::string name;
  DevNumber dev;
  uint32_t event_nr = 0;            // 0 on kernels older than interface 4.38
  std::optional<std::string> uuid;  // empty optional: the device has no uuid
};

struct TargetVersion {
  std::string name;
  Version version;
};

enum class StatusType {
  Info,   // each target's status line (STATUSTYPE_INFO)
  Table,  // each target's table line (STATUSTYPE_TABLE)
};

struct LoadOptions {
  bool read_only = false;
};

struct SuspendOptions {
  bool noflush = false;      // requeue in-flight bios instead of waiting for them
  bool skip_lockfs = false;  // do not freeze a file system on top
};

struct RemoveOptions {
  bool deferred = false;     // if open, remove on last close (returns success)
  bool retry_busy = true;    // retry EBUSY (transient opens by udev/blkid)
  uint16_t udev_flags = 0;   // see dm_udev.h
};

}  // namespace dmirror::dm
