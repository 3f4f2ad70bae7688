// SPDX-License-Identifier: LGPL-2.1-or-later
// In-memory DmControl used by the kernel-glue unit tests.
#include "fake_dm_control.h"

#include <dmirror/dm/dm_errors.h>

#include <linux/dm-ioctl.h>

#include <cerrno>
#include <cstdio>

namespace dmirror::dm::testing {

const FakeDmControl::Device* FakeDmControl::find(const std::string& name) const {
  auto it = devices_.find(name);
  return it == devices_.end() ? nullptr : &it->second;
}

int FakeDmControl::record(std::string line) {
  calls.push_back(line);
  for (auto it = failures_.begin(); it != failures_.end(); ++it) {
    if (line.starts_with(it->first)) {
      int err = it->second;
      failures_.erase(it);
      return err;
    }
  }
  return 0;
}

Result<FakeDmControl::Device*> FakeDmControl::lookup(const DeviceRef& ref, const char* op) {
  for (auto& [name, d] : devices_)
    if ((!ref.uuid.empty() && d.uuid == ref.uuid) || (ref.uuid.empty() && !ref.name.empty() && name == ref.name) ||
        (ref.uuid.empty() && ref.name.empty() && d.dev == ref.dev))
      return &d;
  (void)op;
  return std::unexpected(dm_ioctl_error(DmOp::Info, ref, ENXIO));
}

DeviceInfo FakeDmControl::info_of(const Device& d) const {
  DeviceInfo i;
  i.name = d.name;
  i.uuid = d.uuid;
  i.dev = d.dev;
  i.event_nr = d.event_nr;
  i.open_count = d.open_count;
  i.target_count = static_cast<uint32_t>(d.live.size());
  if (d.suspended) i.flags |= DM_SUSPEND_FLAG;
  if (!d.live.empty()) i.flags |= DM_ACTIVE_PRESENT_FLAG;
  if (!d.inactive.empty()) i.flags |= DM_INACTIVE_PRESENT_FLAG;
  return i;
}

Result<Version> FakeDmControl::interface_version() { return Version{4, 47, 0}; }

Result<Version> FakeDmControl::target_version(std::string_view target) {
  if (int err = record("target_version " + std::string(target)))
    return std::unexpected(dm_ioctl_error(DmOp::TargetVersion, {}, err));
  return Version{1, 15, 1};
}

Result<DeviceInfo> FakeDmControl::create_device(std::string_view name, std::string_view uuid) {
  std::string n(name), u(uuid);
  if (int err = record("create " + n + " " + u)) return std::unexpected(dm_ioctl_error(DmOp::Create, DeviceRef::by_name(n), err));
  for (auto& [_, d] : devices_)
    if (d.name == n || (!u.empty() && d.uuid == u))
      return std::unexpected(dm_ioctl_error(DmOp::Create, DeviceRef::by_name(n), EBUSY));
  Device d{n, u, DevNumber{254, next_minor_++}};
  devices_[n] = d;
  return info_of(d);
}

Result<DeviceInfo> FakeDmControl::load_table(const DeviceRef& ref, std::span<const TargetLine> table,
                                             const LoadOptions& options) {
  std::string line = "load " + ref.describe();
  for (const auto& t : table)
    line += " " + std::to_string(t.start) + " " + std::to_string(t.length) + " " + t.type + (t.params.empty() ? "" : " " + t.params);
  if (options.read_only) line += " ro";
  if (int err = record(line)) return std::unexpected(dm_ioctl_error(DmOp::Load, ref, err));
  DMIRROR_ASSIGN_OR_RETURN(Device * d, lookup(ref, "load"));
  d->inactive.assign(table.begin(), table.end());
  return info_of(*d);
}

Status FakeDmControl::clear_table(const DeviceRef& ref) {
  if (int err = record("clear " + ref.describe())) return std::unexpected(dm_ioctl_error(DmOp::Clear, ref, err));
  DMIRROR_ASSIGN_OR_RETURN(Device * d, lookup(ref, "clear"));
  d->inactive.clear();
  return ok();
}

Result<DeviceInfo> FakeDmControl::resume(const DeviceRef& ref, uint16_t udev_flags) {
  char flags[16];
  std::snprintf(flags, sizeof flags, "0x%x", udev_flags);
  if (int err = record("resume " + ref.describe() + " flags=" + flags))
    return std::unexpected(dm_ioctl_error(DmOp::Resume, ref, err));
  DMIRROR_ASSIGN_OR_RETURN(Device * d, lookup(ref, "resume"));
  if (!d->inactive.empty()) {
    d->live = std::move(d->inactive);
    d->inactive.clear();
    ++d->event_nr;
  }
  d->suspended = false;
  d->last_udev_flags = udev_flags;
  return info_of(*d);
}

Result<DeviceInfo> FakeDmControl::suspend(const DeviceRef& ref, const SuspendOptions& options) {
  std::string line = "suspend " + ref.describe();
  if (options.noflush) line += " noflush";
  if (options.skip_lockfs) line += " skip_lockfs";
  if (int err = record(line)) return std::unexpected(dm_ioctl_error(DmOp::Suspend, ref, err));
  DMIRROR_ASSIGN_OR_RETURN(Device * d, lookup(ref, "suspend"));
  d->suspended = true;
  return info_of(*d);
}

Status FakeDmControl::remove_device(const DeviceRef& ref, const RemoveOptions& options) {
  if (int err = record("remove " + ref.describe() + (options.deferred ? " deferred" : "")))
    return std::unexpected(dm_ioctl_error(DmOp::Remove, ref, err));
  DMIRROR_ASSIGN_OR_RETURN(Device * d, lookup(ref, "remove"));
  if (d->open_count > 0 && !options.deferred) return std::unexpected(dm_ioctl_error(DmOp::Remove, ref, EBUSY));
  devices_.erase(d->name);
  return ok();
}

Result<DeviceInfo> FakeDmControl::device_info(const DeviceRef& ref) {
  if (int err = record("info " + ref.describe())) return std::unexpected(dm_ioctl_error(DmOp::Info, ref, err));
  DMIRROR_ASSIGN_OR_RETURN(Device * d, lookup(ref, "info"));
  return info_of(*d);
}

Result<TableStatus> FakeDmControl::table_status(const DeviceRef& ref, StatusType type) {
  bool table = type == StatusType::Table;
  if (int err = record("status " + ref.describe() + (table ? " table" : " info")))
    return std::unexpected(dm_ioctl_error(DmOp::Status, ref, err));
  DMIRROR_ASSIGN_OR_RETURN(Device * d, lookup(ref, "status"));
  TableStatus st{info_of(*d), d->live};
  if (!table)
    for (auto& t : st.targets) t.params = info_lines.count(d->name) ? info_lines[d->name] : "";
  return st;
}

Result<std::string> FakeDmControl::target_message(const DeviceRef& ref, uint64_t sector, std::string_view message) {
  if (int err = record("message " + ref.describe() + " " + std::to_string(sector) + " " + std::string(message)))
    return std::unexpected(dm_ioctl_error(DmOp::Message, ref, err));
  DMIRROR_RETURN_IF_ERROR(lookup(ref, "message"));
  return std::string();
}

Result<std::vector<ListedDevice>> FakeDmControl::list_devices(std::string_view uuid_prefix) {
  if (int err = record("list " + std::string(uuid_prefix))) return std::unexpected(dm_ioctl_error(DmOp::List, {}, err));
  std::vector<ListedDevice> out;
  for (const auto& [name, d] : devices_)
    if (d.uuid.starts_with(uuid_prefix))
      out.push_back(ListedDevice{name, d.dev, d.event_nr, d.uuid.empty() ? std::nullopt : std::optional(d.uuid)});
  return out;
}

Result<TableStatus> FakeDmControl::wait_event(const DeviceRef& ref, uint32_t event_nr, StatusType type) {
  if (int err = record("wait " + ref.describe() + " " + std::to_string(event_nr)))
    return std::unexpected(dm_ioctl_error(DmOp::Wait, ref, err));
  return table_status(ref, type);
}

Status FakeDmControl::arm_poll() {
  if (int err = record("arm_poll")) return std::unexpected(dm_ioctl_error(DmOp::ArmPoll, {}, err));
  return ok();
}

}  // namespace dmirror::dm::testing
