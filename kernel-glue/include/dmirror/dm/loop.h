// SPDX-License-Identifier: LGPL-2.1-or-later
// Loop devices: attach an image file to a free /dev/loopN, detach it, and
// find the loop device already backing a file.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <optional>
#include <string>

namespace dmirror::dm {

struct LoopDevice {
  std::string path;   // "/dev/loop3"
  uint32_t number = 0;
};

struct LoopOptions {
  bool read_only = false;
  bool autoclear = false;  // detach automatically on last close
  bool direct_io = false;  // LO_FLAGS_DIRECT_IO
};

/// LOOP_CTL_GET_FREE + LOOP_CONFIGURE (falling back to LOOP_SET_FD +
/// LOOP_SET_STATUS64 on kernels without it); retries when another process
/// grabbed the free device first.
DMIRROR_EXPORT Result<LoopDevice> attach_loop(const std::string& file, const LoopOptions& options = {});

/// LOOP_CLR_FD. NotFound when the device is not bound.
[[nodiscard]] DMIRROR_EXPORT Status detach_loop(const std::string& loop_path);

/// The loop device whose backing file is `file` (same device and inode).
DMIRROR_EXPORT Result<std::optional<LoopDevice>> find_loop_for_file(const std::string& file);

}  // namespace dmirror::dm
