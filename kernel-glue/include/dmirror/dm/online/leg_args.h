// SPDX-License-Identifier: LGPL-2.1-or-later
// What `activate` is given, turned into leg block devices: an array name or
// uuid (found by scanning the block devices), or leg paths. Image files are
// put on loop devices the way cryptsetup does: attached, then marked
// autoclear while we hold them open, so the loop device disappears by
// itself once device-mapper lets go of it (deactivate) - or at once if the
// activation fails. A file already on a loop device uses that one, which
// is then left alone.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <memory>
#include <string>
#include <vector>

namespace dmirror::dm {

class DMIRROR_EXPORT LoopHold {
 public:
  LoopHold(std::string file, std::string device, bool ours, int fd);
  ~LoopHold();
  LoopHold(const LoopHold&) = delete;
  LoopHold& operator=(const LoopHold&) = delete;
  const std::string& file() const { return file_; }
  const std::string& device() const { return device_; }
  bool attached_by_us() const { return ours_; }

 private:
  std::string file_, device_;
  bool ours_;
  int fd_;
};

struct ResolvedLegs {
  std::vector<std::string> paths;                // block devices
  std::vector<std::unique_ptr<LoopHold>> loops;  // keep alive until the table is loaded
};

/// One argument that names no existing path is an array name or uuid,
/// searched on the block devices; otherwise the arguments are leg paths.
/// Errors: NotFound (no such array), InvalidArgument (several arrays of
/// that name), loop attach failures.
DMIRROR_EXPORT Result<ResolvedLegs> resolve_leg_args(const std::vector<std::string>& args);

/// Opens each path with O_EXCL once and closes it again: Busy when a leg is
/// mounted or held by md, device-mapper or another array.
[[nodiscard]] DMIRROR_EXPORT Status check_legs_unclaimed(const std::vector<std::string>& paths);

/// Puts one image file on a loop device (see above).
DMIRROR_EXPORT Result<std::unique_ptr<LoopHold>> hold_loop_for_file(const std::string& file);

}  // namespace dmirror::dm
