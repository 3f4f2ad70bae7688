// SPDX-License-Identifier: LGPL-2.1-or-later
// errno -> typed Error for failed dm ioctls. The messages follow the causes
// the kernel actually has for each errno (docs/kernel-facts.md §1.11) and say what
// the user can do.
#include <dmirror/dm/dm_errors.h>

#include <cerrno>

namespace dmirror::dm {

std::string_view dm_op_name(DmOp op) {
  switch (op) {
    case DmOp::Version: return "dm version handshake";
    case DmOp::Create: return "create device";
    case DmOp::Load: return "load table";
    case DmOp::Clear: return "clear inactive table";
    case DmOp::Resume: return "resume";
    case DmOp::Suspend: return "suspend";
    case DmOp::Remove: return "remove device";
    case DmOp::Info: return "device info";
    case DmOp::Status: return "table status";
    case DmOp::Message: return "target message";
    case DmOp::List: return "list devices";
    case DmOp::Wait: return "wait for event";
    case DmOp::ArmPoll: return "arm event poll";
    case DmOp::TargetVersion: return "target version";
  }
  return "dm ioctl";
}

Error dm_ioctl_error(DmOp op, const DeviceRef& ref, int err, std::string_view kernel_reason) {
  std::string what = std::string(dm_op_name(op));
  if (op != DmOp::Version && op != DmOp::List && op != DmOp::ArmPoll) what += " " + ref.describe();
  what += ": ";
  auto with = [&](ErrorCode code, std::string msg) { return Error{code, err, what + std::move(msg)}; };

  switch (err) {
    case EACCES:
    case EPERM:
      return with(ErrorCode::PermissionDenied, "root (CAP_SYS_ADMIN) required");
    case ENOTTY:
      return with(ErrorCode::Unsupported, "the kernel does not support this device-mapper command");
    case ENXIO:
      return with(ErrorCode::NotFound, "no such mapped device");
    case EINTR:
      return with(ErrorCode::Cancelled, "interrupted by a signal; retry");
    case EIO:
      return with(ErrorCode::Io, "I/O error on a leg or its metadata (see the kernel log)");
    case ENOMEM:
      return with(ErrorCode::Io, "the kernel is out of memory");
    case EBUSY:
      switch (op) {
        case DmOp::Create:
          return with(ErrorCode::Exists, "a device with this name or uuid already exists");
        case DmOp::Remove:
          return with(ErrorCode::Busy, "the device is open (mounted or in use); close it first");
        case DmOp::Load:
          return with(ErrorCode::Busy,
                      "a device in the table is in use by someone else (mounted, md or another dm device)");
        case DmOp::Message:
          return with(ErrorCode::Busy, "a sync action is running; send 'idle' first or wait for it");
        default:
          return with(ErrorCode::Busy, "device busy");
      }
    case EINVAL:
      if (!kernel_reason.empty())
        return with(ErrorCode::InvalidArgument, "invalid request: " + std::string(kernel_reason));
      switch (op) {
        case DmOp::Load:
          return with(ErrorCode::InvalidArgument,
                      "the kernel rejected the table (the reason is in the kernel log: dmesg)");
        case DmOp::Message:
          return with(ErrorCode::InvalidArgument, "the target rejected the message");
        case DmOp::Create:
          return with(ErrorCode::InvalidArgument, "invalid device name or uuid");
        case DmOp::TargetVersion:
          return with(ErrorCode::Unsupported, "unknown target type (module not available)");
        default:
          return with(ErrorCode::InvalidArgument, "invalid request");
      }
    default:
      break;
  }
  Error e = errno_to_error(err, what + "failed");
  return e;
}

}  // namespace dmirror::dm
