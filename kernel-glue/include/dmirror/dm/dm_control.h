// SPDX-License-Identifier: LGPL-2.1-or-later
// The device-mapper control interface: one method per dm ioctl the product
// needs. Logic above this layer (volume activation, monitoring) talks only to
// DmControl, so it can be unit-tested with an in-memory fake; the real
// implementation speaks the raw ioctl protocol on /dev/mapper/control.
//
// Every method returns a typed Error whose message says what to do (for
// example "root/CAP_SYS_ADMIN required", or the kernel's own reason for a
// rejected table, taken from the kernel log).
#pragma once

#include <dmirror/dm/dm_transport.h>
#include <dmirror/dm/dm_types.h>
#include <dmirror/dm/dm_udev.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror::dm {

class DMIRROR_EXPORT DmControl {
 public:
  virtual ~DmControl();
  DmControl() = default;
  DmControl(const DmControl&) = delete;
  DmControl& operator=(const DmControl&) = delete;

  /// DM_VERSION: the kernel's ioctl interface version.
  virtual Result<Version> interface_version() = 0;
  /// DM_GET_TARGET_VERSION: loads the target's module if needed.
  virtual Result<Version> target_version(std::string_view target) = 0;

  /// DM_DEV_CREATE: a new device without a table. `uuid` may be empty.
  virtual Result<DeviceInfo> create_device(std::string_view name, std::string_view uuid) = 0;
  /// DM_TABLE_LOAD into the inactive slot; the target constructors run now.
  virtual Result<DeviceInfo> load_table(const DeviceRef& ref, std::span<const TargetLine> table,
                                        const LoadOptions& options = {}) = 0;
  /// DM_TABLE_CLEAR: drops the inactive table.
  virtual Status clear_table(const DeviceRef& ref) = 0;
  /// DM_DEV_SUSPEND without the suspend flag: swaps in the inactive table.
  /// `udev_flags` (dm_udev.h) go into the cookie when udev is running.
  virtual Result<DeviceInfo> resume(const DeviceRef& ref, uint16_t udev_flags = 0) = 0;
  virtual Result<DeviceInfo> suspend(const DeviceRef& ref, const SuspendOptions& options = {}) = 0;
  /// DM_DEV_REMOVE. EBUSY is retried (25 x 200 ms) unless disabled.
  virtual Status remove_device(const DeviceRef& ref, const RemoveOptions& options = {}) = 0;

  /// DM_DEV_STATUS: header fields only.
  virtual Result<DeviceInfo> device_info(const DeviceRef& ref) = 0;
  /// DM_TABLE_STATUS: each target's status (Info) or table line (Table).
  virtual Result<TableStatus> table_status(const DeviceRef& ref, StatusType type) = 0;
  /// DM_TARGET_MSG to the target covering `sector`; returns the reply text
  /// (empty when the target answered nothing).
  virtual Result<std::string> target_message(const DeviceRef& ref, uint64_t sector,
                                             std::string_view message) = 0;
  /// DM_LIST_DEVICES with uuids, limited to uuids starting with `uuid_prefix`
  /// (all devices when empty).
  virtual Result<std::vector<ListedDevice>> list_devices(std::string_view uuid_prefix = {}) = 0;
  /// DM_DEV_WAIT: sleeps until the device's event counter differs from
  /// `event_nr`, then returns the status like table_status().
  virtual Result<TableStatus> wait_event(const DeviceRef& ref, uint32_t event_nr, StatusType type) = 0;
  /// DM_DEV_ARM_POLL: after this, poll_fd() becomes readable on the next
  /// global dm event (create, remove, any device's event counter).
  virtual Status arm_poll() = 0;
  virtual int poll_fd() const = 0;
};

struct ControlOptions {
  std::string control_path = "/dev/mapper/control";
  std::string dev_dir = "/dev";
  NodePolicy node_policy = NodePolicy::Auto;
  std::chrono::milliseconds udev_timeout{10000};
  int busy_retries = 25;
  std::chrono::milliseconds busy_retry_delay{200};
  // Read /dev/kmsg around a failed TABLE_LOAD to report the kernel's reason.
  bool capture_kernel_log = true;
};

/// Opens the control node and performs the version handshake.
DMIRROR_EXPORT Result<std::unique_ptr<DmControl>> open_dm_control(const ControlOptions& options = {});

/// The ioctl implementation over any transport (tests pass a fake one).
/// Performs the handshake.
DMIRROR_EXPORT Result<std::unique_ptr<DmControl>> make_dm_control(std::unique_ptr<DmTransport> transport,
                                                                  const ControlOptions& options = {});

}  // namespace dmirror::dm
