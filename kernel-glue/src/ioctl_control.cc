// SPDX-License-Identifier: LGPL-2.1-or-later
// DmControl over the raw dm ioctl protocol (no libdevmapper). Each method
// fills one IoctlRequest with the minimum interface minor the command needs
// (docs/kernel-facts.md §1.3), maps failures through dm_ioctl_error, and handles the
// /dev/mapper node according to the udev policy.
#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/dm_errors.h>
#include <dmirror/dm/dm_payload.h>
#include <dmirror/dm/kmsg.h>

#include "ioctl_request.h"

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

namespace dmirror::dm {

DmControl::~DmControl() = default;

namespace {

class IoctlControl final : public DmControl {
 public:
  IoctlControl(std::unique_ptr<DmTransport> t, ControlOptions o)
      : transport_(std::move(t)), options_(std::move(o)), policy_(resolve_node_policy(options_.node_policy)) {}

  Result<Version> interface_version() override {
    IoctlRequest r;
    r.cmd = DM_VERSION;
    r.initial_size = sizeof(dm_ioctl);
    auto reply = run_ioctl(*transport_, r);
    if (!reply) return std::unexpected(dm_ioctl_error(DmOp::Version, {}, reply.error()));
    const auto& v = reply->header.version;
    kernel_ = Version{v[0], v[1], v[2]};
    return kernel_;
  }

  Result<Version> target_version(std::string_view target) override {
    if (kernel_.minor < 41)
      return make_error(ErrorCode::Unsupported, "target version query needs dm interface 4.41 (kernel has " +
                                                    kernel_.str() + ")");
    IoctlRequest r = request(DM_GET_TARGET_VERSION, 41, {});
    r.name = std::string(target);
    r.may_overflow = true;
    DMIRROR_ASSIGN_OR_RETURN(auto reply, run(DmOp::TargetVersion, DeviceRef::by_name(r.name), r));
    DMIRROR_ASSIGN_OR_RETURN(auto versions, unpack_target_versions(reply.payload));
    if (versions.empty()) return make_error(ErrorCode::Unsupported, "unknown target type " + std::string(target));
    return versions.front().version;
  }

  Result<DeviceInfo> create_device(std::string_view name, std::string_view uuid) override {
    if (name.empty()) return make_error(ErrorCode::InvalidArgument, "create device: empty name");
    IoctlRequest r = request(DM_DEV_CREATE, 0, {});
    r.name = std::string(name);
    r.uuid = std::string(uuid);
    DMIRROR_ASSIGN_OR_RETURN(auto reply, run(DmOp::Create, DeviceRef::by_name(r.name), r));
    return reply.info();
  }

  Result<DeviceInfo> load_table(const DeviceRef& ref, std::span<const TargetLine> table,
                                const LoadOptions& options) override {
    IoctlRequest r = request(DM_TABLE_LOAD, 0, ref);
    DMIRROR_ASSIGN_OR_RETURN(r.payload, pack_table(table));
    r.target_count = static_cast<uint32_t>(table.size());
    r.initial_size = 0;  // exactly header + payload
    if (options.read_only) r.flags |= DM_READONLY_FLAG;
    std::optional<KmsgCapture> log;
    if (options_.capture_kernel_log) log.emplace();
    auto reply = run_ioctl(*transport_, r);
    if (reply) return reply->info();
    std::string reason;
    if (reply.error() == EINVAL && log) {
      std::string dev = ref.dev.is_zero() ? std::string() : ref.dev.str();
      if (dev.empty())
        if (auto info = device_info(ref)) dev = info->dev.str();
      reason = dm_reason_from_log(log->read_new(), dev);
    }
    return std::unexpected(dm_ioctl_error(DmOp::Load, ref, reply.error(), reason));
  }

  Status clear_table(const DeviceRef& ref) override {
    IoctlRequest r = request(DM_TABLE_CLEAR, 0, ref);
    DMIRROR_RETURN_IF_ERROR(run(DmOp::Clear, ref, r));
    return ok();
  }

  Result<DeviceInfo> resume(const DeviceRef& ref, uint16_t udev_flags) override {
    IoctlRequest r = request(DM_DEV_SUSPEND, 0, ref);
    if (policy_ == NodePolicy::Udev) r.event_nr = udev_cookie(udev_flags);
    DMIRROR_ASSIGN_OR_RETURN(auto reply, run(DmOp::Resume, ref, r));
    DeviceInfo info = reply.info();
    if (policy_ == NodePolicy::Manual) {
      DMIRROR_RETURN_IF_ERROR(create_mapper_node(options_.dev_dir, info.name, info.dev));
    } else if (policy_ == NodePolicy::Udev) {
      // Not fatal on timeout: /dev/dm-N is usable regardless.
      (void)wait_for_path(mapper_node_path(options_.dev_dir, info.name), options_.udev_timeout);
    }
    return info;
  }

  Result<DeviceInfo> suspend(const DeviceRef& ref, const SuspendOptions& options) override {
    IoctlRequest r = request(DM_DEV_SUSPEND, 0, ref);
    r.flags = DM_SUSPEND_FLAG;
    if (options.noflush) r.flags |= DM_NOFLUSH_FLAG;
    if (options.skip_lockfs) r.flags |= DM_SKIP_LOCKFS_FLAG;
    DMIRROR_ASSIGN_OR_RETURN(auto reply, run(DmOp::Suspend, ref, r));
    return reply.info();
  }

  Status remove_device(const DeviceRef& ref, const RemoveOptions& options) override {
    IoctlRequest r = request(DM_DEV_REMOVE, 0, ref);
    if (options.deferred) r.flags |= DM_DEFERRED_REMOVE;
    if (policy_ == NodePolicy::Udev) r.event_nr = udev_cookie(options.udev_flags);
    int tries = options.retry_busy ? options_.busy_retries : 1;
    std::expected<IoctlReply, int> reply;
    for (int i = 0; i < std::max(tries, 1); ++i) {
      if (i > 0) std::this_thread::sleep_for(options_.busy_retry_delay);
      reply = run_ioctl(*transport_, r);
      if (reply || reply.error() != EBUSY) break;
    }
    if (!reply) return std::unexpected(dm_ioctl_error(DmOp::Remove, ref, reply.error()));
    DeviceInfo info = reply->info();
    bool still_there = info.flags & DM_DEFERRED_REMOVE;
    std::string name = info.name.empty() ? ref.name : info.name;
    if (policy_ == NodePolicy::Manual && !still_there && !name.empty())
      DMIRROR_RETURN_IF_ERROR(remove_mapper_node(options_.dev_dir, name));
    return ok();
  }

  Result<DeviceInfo> device_info(const DeviceRef& ref) override {
    IoctlRequest r = request(DM_DEV_STATUS, 0, ref);
    DMIRROR_ASSIGN_OR_RETURN(auto reply, run(DmOp::Info, ref, r));
    return reply.info();
  }

  Result<TableStatus> table_status(const DeviceRef& ref, StatusType type) override {
    IoctlRequest r = request(DM_TABLE_STATUS, 0, ref);
    if (type == StatusType::Table) r.flags |= DM_STATUS_TABLE_FLAG;
    r.may_overflow = true;
    DMIRROR_ASSIGN_OR_RETURN(auto reply, run(DmOp::Status, ref, r));
    return to_status(reply);
  }

  Result<std::string> target_message(const DeviceRef& ref, uint64_t sector, std::string_view message) override {
    IoctlRequest r = request(DM_TARGET_MSG, 2, ref);
    r.payload = pack_target_message(sector, message);
    r.may_overflow = true;
    DMIRROR_ASSIGN_OR_RETURN(auto reply, run(DmOp::Message, ref, r));
    if (!(reply.header.flags & DM_DATA_OUT_FLAG) || reply.payload.empty()) return std::string();
    auto* text = reinterpret_cast<const char*>(reply.payload.data());
    return std::string(text, strnlen(text, reply.payload.size()));
  }

  Result<std::vector<ListedDevice>> list_devices(std::string_view uuid_prefix) override {
    IoctlRequest r = request(DM_LIST_DEVICES, 0, {});
    r.flags = DM_UUID_FLAG;
    r.uuid = std::string(uuid_prefix);  // prefix filter (kernel 6.1+)
    r.may_overflow = true;
    DMIRROR_ASSIGN_OR_RETURN(auto reply, run(DmOp::List, {}, r));
    DMIRROR_ASSIGN_OR_RETURN(auto all, unpack_name_list(reply.payload, kernel_.minor >= 38));
    if (uuid_prefix.empty()) return all;
    std::vector<ListedDevice> out;  // older kernels ignore the filter
    for (auto& d : all)
      if (d.uuid && d.uuid->starts_with(uuid_prefix)) out.push_back(std::move(d));
    return out;
  }

  Result<TableStatus> wait_event(const DeviceRef& ref, uint32_t event_nr, StatusType type) override {
    IoctlRequest r = request(DM_DEV_WAIT, 0, ref);
    r.event_nr = event_nr;
    if (type == StatusType::Table) r.flags |= DM_STATUS_TABLE_FLAG;
    r.may_overflow = true;
    DMIRROR_ASSIGN_OR_RETURN(auto reply, run(DmOp::Wait, ref, r));
    return to_status(reply);
  }

  Status arm_poll() override {
    if (kernel_.minor < 36)
      return make_error(ErrorCode::Unsupported, "event polling needs dm interface 4.36 (kernel has " +
                                                    kernel_.str() + ")");
    IoctlRequest r = request(DM_DEV_ARM_POLL, 36, {});
    DMIRROR_RETURN_IF_ERROR(run(DmOp::ArmPoll, {}, r));
    return ok();
  }

  int poll_fd() const override { return transport_->poll_fd(); }

 private:
  static IoctlRequest request(unsigned long cmd, uint32_t min_minor, const DeviceRef& ref) {
    IoctlRequest r;
    r.cmd = cmd;
    r.min_minor = min_minor;
    r.set_ref(ref);
    r.initial_size = sizeof(dm_ioctl);
    if (cmd == DM_TABLE_STATUS || cmd == DM_DEV_WAIT || cmd == DM_LIST_DEVICES || cmd == DM_TARGET_MSG ||
        cmd == DM_GET_TARGET_VERSION)
      r.initial_size = 16 * 1024;
    return r;
  }

  Result<IoctlReply> run(DmOp op, const DeviceRef& ref, const IoctlRequest& r) {
    auto reply = run_ioctl(*transport_, r);
    if (!reply) return std::unexpected(dm_ioctl_error(op, ref, reply.error()));
    return std::move(*reply);
  }

  static Result<TableStatus> to_status(const IoctlReply& reply) {
    TableStatus s;
    s.info = reply.info();
    DMIRROR_ASSIGN_OR_RETURN(s.targets, unpack_status(reply.payload, reply.header.target_count));
    return s;
  }

  std::unique_ptr<DmTransport> transport_;
  ControlOptions options_;
  NodePolicy policy_;
  Version kernel_;
};

}  // namespace

Result<std::unique_ptr<DmControl>> make_dm_control(std::unique_ptr<DmTransport> transport,
                                                   const ControlOptions& options) {
  auto control = std::make_unique<IoctlControl>(std::move(transport), options);
  DMIRROR_ASSIGN_OR_RETURN(Version v, control->interface_version());
  if (v.major != DM_VERSION_MAJOR)
    return make_error(ErrorCode::Unsupported, "unsupported dm ioctl interface " + v.str());
  return std::unique_ptr<DmControl>(std::move(control));
}

Result<std::unique_ptr<DmControl>> open_dm_control(const ControlOptions& options) {
  DMIRROR_ASSIGN_OR_RETURN(auto transport, open_dm_transport(options.control_path));
  return make_dm_control(std::move(transport), options);
}

}  // namespace dmirror::dm
