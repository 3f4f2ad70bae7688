// SPDX-License-Identifier: LGPL-2.1-or-later
// A BlockDevice over a file descriptor (a regular image file or a block
// device). Internal: callers get one through open_device().
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>

#include <string>

namespace dmirror::io {

class PosixDevice final : public BlockDevice {
 public:
  // Takes ownership of `fd` and of `buffered_fd` (-1: none).
  //  - Direct: `fd` is O_DIRECT; `dio_align` is the offset and length
  //    alignment it needs (0: the logical block size). A transfer that is
  //    not aligned (the tail of an image file, a 512-byte record on a file
  //    system that wants 4 KiB) goes through `buffered_fd`, the same file
  //    opened without O_DIRECT, and its pages are dropped after the next
  //    flush (or at once for a read); without `buffered_fd` it is left to
  //    the kernel (block devices: EINVAL, as before).
  //  - DropBehind: `fd` is buffered; every transfer's pages are dropped
  //    from the page cache behind it (writes are written back first, with
  //    sync_file_range; durability is still flush()'s job).
  PosixDevice(int fd, std::string path, DeviceGeometry geometry, CachePolicy policy = CachePolicy::PageCache,
              int buffered_fd = -1, uint32_t dio_align = 0);
  ~PosixDevice() override;

  const DeviceGeometry& geometry() const override { return geometry_; }
  const std::string& describe() const override { return path_; }
  Status read(uint64_t offset, std::span<std::byte> buf) override;
  Status write(uint64_t offset, std::span<const std::byte> buf) override;
  Status flush() override;
  NativeHandle native_handle() const override;
  CachePolicy policy() const { return policy_; }

  // Buffer alignment used for O_DIRECT transfers (safe for every device).
  static constexpr uint32_t kDirectAlignment = 4096;

 private:
  Status check_range(const char* op, uint64_t offset, uint64_t len) const;
  // The descriptor a transfer uses, and whether its pages must be dropped.
  int fd_for(uint64_t offset, const void* buf, size_t len, bool& cached) const;
  void drop_pages(int fd, uint64_t offset, uint64_t len) const;

  int fd_;
  int buffered_fd_;
  std::string path_;
  DeviceGeometry geometry_;
  CachePolicy policy_;
  uint32_t dio_align_;
  bool dirty_cached_ = false;   // a buffered write awaits the flush that lets its pages go
};

// The error of a failed transfer (op "read", "write" or "flush"), mapped the
// same way for every engine: what the caller can act on (no space, read-only,
// permission) through errno_to_error, any other errno as an Io error.
Error transfer_error(const char* op, const std::string& path, uint64_t offset, int err);

// "a directory", "a character device", ... for the st_mode of a path that is
// neither a regular file nor a block device.
const char* describe_file_type(unsigned mode);

// Test seam: while set to a nonzero errno, every O_DIRECT open of a
// regular file fails with it, as on a file system that refuses O_DIRECT
// (tmpfs before Linux 6.6, some FUSE and network file systems).
DMIRROR_EXPORT void refuse_direct_file_opens(int err);

}  // namespace dmirror::io
