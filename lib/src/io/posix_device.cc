// SPDX-License-Identifier: LGPL-2.1-or-later
// pread/pwrite loops and fdatasync for PosixDevice. A short transfer that
// makes no progress is an Io error naming the device and the offset.
#include "io/posix_device.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace dmirror::io {
namespace {

// pread/pwrite until done; `what` is "read" or "write".
template <typename Buf, typename Fn>
Status transfer_loop(const char* what, const std::string& path, uint64_t offset, Buf buf, Fn fn) {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = fn(buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(transfer_error(what, path, offset + done, errno));
    }
    if (n == 0) {
      const bool rd = std::string_view(what) == "read";
      return make_error(ErrorCode::Io, std::string(rd ? "short read from " : "short write to ") + path + " at " +
                                           std::to_string(offset + done));
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

}  // namespace

PosixDevice::PosixDevice(int fd, std::string path, DeviceGeometry geometry, CachePolicy policy, int buffered_fd,
                         uint32_t dio_align)
    : fd_(fd),
      buffered_fd_(buffered_fd),
      path_(std::move(path)),
      geometry_(geometry),
      policy_(policy),
      dio_align_(dio_align != 0 ? dio_align : geometry.logical_block_size) {}

PosixDevice::~PosixDevice() {
  if (fd_ >= 0) ::close(fd_);
  if (buffered_fd_ >= 0) ::close(buffered_fd_);
}

BlockDevice::NativeHandle PosixDevice::native_handle() const {
  NativeHandle h;
  h.fd = fd_;
  if (policy_ == CachePolicy::Direct) {
    h.buffer_alignment = kDirectAlignment;
    h.offset_alignment = dio_align_;
  }
  h.drop_behind = policy_ == CachePolicy::DropBehind;
  return h;
}

Status PosixDevice::check_range(const char* op, uint64_t offset, uint64_t len) const {
  if (offset > geometry_.size_bytes || len > geometry_.size_bytes - offset) {
    return make_error(ErrorCode::Io, std::string(op) + " beyond the end of " + path_ + " at " +
                                         std::to_string(offset) + " (" + std::to_string(len) +
                                         " bytes, device has " + std::to_string(geometry_.size_bytes) + ")");
  }
  return ok();
}

int PosixDevice::fd_for(uint64_t offset, const void* buf, size_t len, bool& cached) const {
  cached = policy_ == CachePolicy::DropBehind;
  if (policy_ != CachePolicy::Direct || buffered_fd_ < 0) return fd_;
  const bool aligned = offset % dio_align_ == 0 && len % dio_align_ == 0 &&
                       reinterpret_cast<uintptr_t>(buf) % kDirectAlignment == 0;
  if (aligned) return fd_;
  cached = true;
  return buffered_fd_;
}

// Drops the pages of [offset, offset + len) (0: to the end of the file).
// Dirty pages or pages under writeback stay; best effort by design.
void PosixDevice::drop_pages(int fd, uint64_t offset, uint64_t len) const {
  (void)::posix_fadvise(fd, static_cast<off_t>(offset), static_cast<off_t>(len), POSIX_FADV_DONTNEED);
}

Status PosixDevice::read(uint64_t offset, std::span<std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check_range("read", offset, buf.size()));
  bool cached = false;
  const int fd = fd_for(offset, buf.data(), buf.size(), cached);
  Status st = transfer_loop("read", path_, offset, buf,
                            [fd](std::byte* p, size_t n, off_t o) { return ::pread(fd, p, n, o); });
  if (cached) drop_pages(fd, offset, buf.size());
  return st;
}

Status PosixDevice::write(uint64_t offset, std::span<const std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check_range("write", offset, buf.size()));
  bool cached = false;
  const int fd = fd_for(offset, buf.data(), buf.size(), cached);
  Status st = transfer_loop("write", path_, offset, buf,
                            [fd](const std::byte* p, size_t n, off_t o) { return ::pwrite(fd, p, n, o); });
  if (cached && !buf.empty()) {
    // Write the range back now (not durable: no disk cache flush, no
    // metadata) so its pages can be dropped; flush() drops what is left.
    (void)::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(buf.size()),
                            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    drop_pages(fd, offset, buf.size());
    dirty_cached_ = true;
  }
  return st;
}

Status PosixDevice::flush() {
  while (::fdatasync(fd_) != 0) {
    if (errno == EINTR) continue;
    return std::unexpected(transfer_error("flush", path_, 0, errno));
  }
  if (dirty_cached_) {
    drop_pages(buffered_fd_ >= 0 ? buffered_fd_ : fd_, 0, 0);
    dirty_cached_ = false;
  }
  return ok();
}

namespace {

// `path` is a block device whose current size is at most `offset`.
bool past_device_end(const std::string& path, uint64_t offset) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  uint64_t size = 0;
  const bool known = ::ioctl(fd, BLKGETSIZE64, &size) == 0;
  ::close(fd);
  return known && offset >= size;
}

}  // namespace

Error transfer_error(const char* op, const std::string& path, uint64_t offset, int err) {
  const bool flush = std::string_view(op) == "flush";
  std::string context = std::string(op) + " " + path + (flush ? "" : " at " + std::to_string(offset));
  // ENOSPC from a block device at or past its current end: the device
  // shrank under us, an I/O error of the leg. Inside the device it is out
  // of space (a loop device over a file on a full file system, a thin
  // volume whose pool is full): the host's problem, as for an image file.
  if ((err == ENOSPC || err == EDQUOT) && !flush && past_device_end(path, offset))
    return Error{ErrorCode::Io, EIO, context + ": " + std::strerror(err) + " at or past the end of the block device "
                                         "(" + std::to_string(offset) + "): has the device shrunk?"};
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
