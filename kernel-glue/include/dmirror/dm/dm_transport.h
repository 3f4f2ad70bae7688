// SPDX-License-Identifier: LGPL-2.1-or-later
// The ioctl seam under DmControl. The real transport issues ioctl(2) on an
// open /dev/mapper/control; unit tests substitute a scripted one to exercise
// buffer packing, BUFFER_FULL retries and errno mapping without a kernel.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <memory>
#include <string>

namespace dmirror::dm {

class DMIRROR_EXPORT DmTransport {
 public:
  virtual ~DmTransport();
  /// Issues `request` (a DM_*_CMD ioctl number) on `buffer`, which starts
  /// with a struct dm_ioctl and is `data_size` bytes long. Returns 0 or the
  /// errno of the failure.
  virtual int call(unsigned long request, void* buffer) = 0;
  /// A descriptor that becomes readable on global dm events, or -1.
  virtual int poll_fd() const { return -1; }
};

/// Opens the control node (read-write). Missing node or module gives an
/// Unsupported error that says to load dm_mod.
DMIRROR_EXPORT Result<std::unique_ptr<DmTransport>> open_dm_transport(const std::string& control_path);

}  // namespace dmirror::dm
