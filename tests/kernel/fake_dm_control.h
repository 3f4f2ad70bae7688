// SPDX-License-Identifier: LGPL-2.1-or-later
// An in-memory DmControl for unit tests: keeps devices with live/inactive
// tables and suspend state, records every call as a line of text, serves
// configurable status lines, and fails chosen calls with a chosen errno.
#pragma once

#include <dmirror/dm/dm_control.h>

#include <map>
#include <string>
#include <vector>

namespace dmirror::dm::testing {

class FakeDmControl : public DmControl {
 public:
  struct Device {
    std::string name;
    std::string uuid;
    DevNumber dev;
    std::vector<TargetLine> live;
    std::vector<TargetLine> inactive;
    bool suspended = false;
    uint32_t event_nr = 0;
    uint32_t open_count = 0;
    uint16_t last_udev_flags = 0;
  };

  // Log lines: "create NAME UUID", "load NAME <type> <params>",
  // "resume NAME flags=0x..", "suspend NAME", "remove NAME", "status NAME
  // info|table", "message NAME <text>", "list <prefix>", ...
  std::vector<std::string> calls;
  // Status text for INFO requests, by device name (default: "").
  std::map<std::string, std::string> info_lines;
  // The next call whose log line starts with `prefix` fails with `err`.
  void fail_next(std::string prefix, int err) { failures_.emplace_back(std::move(prefix), err); }

  const Device* find(const std::string& name) const;
  size_t device_count() const { return devices_.size(); }

  Result<Version> interface_version() override;
  Result<Version> target_version(std::string_view target) override;
  Result<DeviceInfo> create_device(std::string_view name, std::string_view uuid) override;
  Result<DeviceInfo> load_table(const DeviceRef& ref, std::span<const TargetLine> table,
                                const LoadOptions& options) override;
  Status clear_table(const DeviceRef& ref) override;
  Result<DeviceInfo> resume(const DeviceRef& ref, uint16_t udev_flags) override;
  Result<DeviceInfo> suspend(const DeviceRef& ref, const SuspendOptions& options) override;
  Status remove_device(const DeviceRef& ref, const RemoveOptions& options) override;
  Result<DeviceInfo> device_info(const DeviceRef& ref) override;
  Result<TableStatus> table_status(const DeviceRef& ref, StatusType type) override;
  Result<std::string> target_message(const DeviceRef& ref, uint64_t sector, std::string_view message) override;
  Result<std::vector<ListedDevice>> list_devices(std::string_view uuid_prefix) override;
  Result<TableStatus> wait_event(const DeviceRef& ref, uint32_t event_nr, StatusType type) override;
  Status arm_poll() override;
  int poll_fd() const override { return -1; }

 private:
  // Records the call; returns the injected errno (0 if none).
  int record(std::string line);
  Result<Device*> lookup(const DeviceRef& ref, const char* op);
  DeviceInfo info_of(const Device& d) const;

  std::map<std::string, Device> devices_;  // by name
  std::vector<std::pair<std::string, int>> failures_;
  uint32_t next_minor_ = 0;
};

}  // namespace dmirror::dm::testing
