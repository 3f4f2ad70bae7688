// SPDX-License-Identifier: LGPL-2.1-or-later
// pread/pwrite loops and fdatasync for PosixDevice. A short transfer that
// makes no progress is an Io error naming the device and the offset.
#include "io/posix_device.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace dmirror::io {

PosixDevice::~PosixDevice() {
  if (fd_ >= 0) ::close(fd_);
}

Status PosixDevice::check_range(const char* op, uint64_t offset, uint64_t len) const {
  if (offset > geometry_.size_bytes || len > geometry_.size_bytes - offset) {
    return make_error(ErrorCode::Io, std::string(op) + " beyond the end of " + path_ + " at " +
                                         std::to_string(offset) + " (" + std::to_string(len) +
                                         " bytes, device has " + std::to_string(geometry_.size_bytes) + ")");
  }
  return ok();
}

Status PosixDevice::read(uint64_t offset, std::span<std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check_range("read", offset, buf.size()));
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(transfer_error("read", path_, offset + done, errno));
    }
    if (n == 0) {
      return make_error(ErrorCode::Io, "short read from " + path_ + " at " + std::to_string(offset + done));
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

Status PosixDevice::write(uint64_t offset, std::span<const std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check_range("write", offset, buf.size()));
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pwrite(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(transfer_error("write", path_, offset + done, errno));
    }
    if (n == 0) {
      return make_error(ErrorCode::Io, "short write to " + path_ + " at " + std::to_string(offset + done));
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

Status PosixDevice::flush() {
  while (::fdatasync(fd_) != 0) {
    if (errno == EINTR) continue;
    return std::unexpected(transfer_error("flush", path_, 0, errno));
  }
  return ok();
}

Error transfer_error(const char* op, const std::string& path, uint64_t offset, int err) {
  const bool flush = std::string_view(op) == "flush";
  std::string context = std::string(op) + " " + path + (flush ? "" : " at " + std::to_string(offset));
  if (!flush && std::string_view(op) == "write" && (err == ENOSPC || err == EROFS || err == EACCES || err == EPERM))
    return errno_to_error(err, std::move(context));
  return Error{ErrorCode::Io, err, std::move(context)};
}

const char* describe_file_type(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISFIFO(mode)) return "a fifo";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file or block device";
}

}  // namespace dmirror::io
