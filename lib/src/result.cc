// SPDX-License-Identifier: LGPL-2.1-or-later
// Error names and the single errno mapping of the library.
#include <dmirror/result.h>

#include <cerrno>
#include <cstring>

namespace dmirror {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::Io: return "io-error";
    case ErrorCode::Corruption: return "corruption";
    case ErrorCode::NotFound: return "not-found";
    case ErrorCode::InvalidArgument: return "invalid-argument";
    case ErrorCode::TooSmall: return "too-small";
    case ErrorCode::Busy: return "busy";
    case ErrorCode::Exists: return "exists";
    case ErrorCode::PermissionDenied: return "permission-denied";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::NotDmirror: return "not-dmirror";
    case ErrorCode::ForeignSignature: return "foreign-signature";
    case ErrorCode::Stale: return "stale";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::SplitBrain: return "split-brain";
    case ErrorCode::Refused: return "refused";
    case ErrorCode::Internal: return "internal";
  }
  return "unknown";
}

std::string Error::describe() const {
  if (sys_errno == 0) return message;
  return message + " (" + std::strerror(sys_errno) + ")";
}

Error errno_to_error(int err, std::string context) {
  ErrorCode code = ErrorCode::Io;
  switch (err) {
    case ENOENT: case ENXIO: case ENODEV: code = ErrorCode::NotFound; break;
    case EACCES: case EPERM: case EROFS: code = ErrorCode::PermissionDenied; break;
    case EBUSY: case EAGAIN: code = ErrorCode::Busy; break;
    case EEXIST: code = ErrorCode::Exists; break;
    case EINVAL: case ENAMETOOLONG: case EISDIR: case ENOTDIR: case ENOTBLK:
      code = ErrorCode::InvalidArgument; break;
    case ENOSPC: case EDQUOT: case EFBIG: code = ErrorCode::TooSmall; break;
    case ENOTSUP: case ENOTTY: case ENOSYS: code = ErrorCode::Unsupported; break;
    case EINTR: case ECANCELED: code = ErrorCode::Cancelled; break;
    default: code = ErrorCode::Io; break;
  }
  return Error{code, err, std::move(context)};
}

}  // namespace dmirror
