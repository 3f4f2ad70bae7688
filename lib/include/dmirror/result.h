// SPDX-License-Identifier: LGPL-2.1-or-later
// Typed errors. Every fallible library call returns Result<T> (or Status);
// nothing in the library prints or throws for an expected failure.
//
// Corruption and Io are different on purpose: Corruption means "this copy
// of the data is damaged, try another copy"; Io means "the device failed".
#pragma once

#include <dmirror/export.h>

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace dmirror {

enum class ErrorCode {
  Io,                // the device returned an I/O error (EIO, short read...)
  Corruption,        // checksum / magic / structure mismatch in metadata
  NotFound,          // no such file or device (ENOENT, ENXIO)
  InvalidArgument,   // the caller asked for something malformed
  TooSmall,          // a device is too small for what was asked
  Busy,              // device in use / locked by someone else
  Exists,            // the thing to create is already there
  PermissionDenied,  // EACCES / EPERM / read-only device
  Unsupported,       // unknown incompat feature, missing kernel support
  NotDmirror,        // the device carries no dmirror superblock
  ForeignSignature,  // libblkid found another signature on the device
  Stale,             // a leg is out of date relative to its array
  Cancelled,         // interrupted by a signal or declined by the user
  SplitBrain,        // legs were written independently; the administrator must choose
  Refused,           // well-formed, but the array or its legs do not allow it now (the
                     // message says what would); not a usage error
  Internal,          // a bug: an invariant did not hold
};

DMIRROR_EXPORT std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Internal;
  int sys_errno = 0;     // the errno behind it, when there is one
  std::string message;   // what went wrong, said for a human; includes the path

  // "message (strerror)" when an errno is attached.
  DMIRROR_EXPORT std::string describe() const;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = Result<void>;

inline std::unexpected<Error> make_error(ErrorCode code, std::string message, int sys_errno = 0) {
  return std::unexpected<Error>(Error{code, sys_errno, std::move(message)});
}

// The one errno -> ErrorCode mapping. `context` names the operation and the
// path ("read /dev/sdb at 4096").
DMIRROR_EXPORT Error errno_to_error(int err, std::string context);
inline std::unexpected<Error> errno_error(int err, std::string context) {
  return std::unexpected<Error>(errno_to_error(err, std::move(context)));
}

inline Status ok() { return {}; }

}  // namespace dmirror

#define DMIRROR_CONCAT_INNER_(a, b) a##b
#define DMIRROR_CONCAT_(a, b) DMIRROR_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Status or Result) from the enclosing function.
#define DMIRROR_RETURN_IF_ERROR(expr)                                  \
  do {                                                                 \
    auto&& dmirror_status_ = (expr);                                   \
    if (!dmirror_status_) return std::unexpected(dmirror_status_.error()); \
  } while (0)

// `lhs = *expr`, or return its error.
#define DMIRROR_ASSIGN_OR_RETURN(lhs, expr)                              \
  DMIRROR_ASSIGN_OR_RETURN_IMPL_(DMIRROR_CONCAT_(dmirror_result_, __LINE__), lhs, expr)
#define DMIRROR_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                    \
  if (!tmp) return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
