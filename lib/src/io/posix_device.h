// SPDX-License-Identifier: LGPL-2.1-or-later
// A BlockDevice over a file descriptor (a regular image file or a block
// device). Internal: callers get one through open_device().
#pragma once

#include <dmirror/block_device.h>

#include <string>

namespace dmirror::io {

class PosixDevice final : public BlockDevice {
 public:
  // Takes ownership of `fd`; `direct`: it was opened O_DIRECT.
  PosixDevice(int fd, std::string path, DeviceGeometry geometry, bool direct = false)
      : fd_(fd), path_(std::move(path)), geometry_(geometry), direct_(direct) {}
  ~PosixDevice() override;

  const DeviceGeometry& geometry() const override { return geometry_; }
  const std::string& describe() const override { return path_; }
  Status read(uint64_t offset, std::span<std::byte> buf) override;
  Status write(uint64_t offset, std::span<const std::byte> buf) override;
  Status flush() override;
  NativeHandle native_handle() const override { return {fd_, direct_ ? kDirectAlignment : 1u}; }

  // Buffer alignment used for O_DIRECT transfers (safe for every device).
  static constexpr uint32_t kDirectAlignment = 4096;

 private:
  Status check_range(const char* op, uint64_t offset, uint64_t len) const;

  int fd_;
  std::string path_;
  DeviceGeometry geometry_;
  bool direct_;
};

// The error of a failed transfer (op "read", "write" or "flush"), mapped the
// same way for every engine: what the caller can act on (no space, read-only,
// permission) through errno_to_error, any other errno as an Io error.
Error transfer_error(const char* op, const std::string& path, uint64_t offset, int err);

// "a directory", "a character device", ... for the st_mode of a path that is
// neither a regular file nor a block device.
const char* describe_file_type(unsigned mode);

}  // namespace dmirror::io
