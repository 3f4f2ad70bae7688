// SPDX-License-Identifier: LGPL-2.1-or-later
// Opening the legs of an array by path for the engine and the offline
// operations. Block devices are opened O_DIRECT by default (no double
// caching, and flush() then really reaches the disk cache); a bounce layer
// keeps unaligned buffers working. Image files use the page cache.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <memory>
#include <string>
#include <vector>

namespace dmirror {

struct OpenLegsOptions {
  bool writable = true;
  bool direct = true;          // O_DIRECT on block devices
};

class DMIRROR_EXPORT OpenedLegs {
 public:
  std::vector<BlockDevice*> devices() const;
  std::vector<std::unique_ptr<BlockDevice>> owned;
};

// Opens every path (refusing the same storage given twice).
DMIRROR_EXPORT Result<OpenedLegs> open_legs(const std::vector<std::string>& paths, const OpenLegsOptions& options = {});

// Wraps `dev` so that every transfer handed to it uses a buffer aligned to
// `alignment` (O_DIRECT's rule), copying through a bounce buffer when needed.
DMIRROR_EXPORT std::unique_ptr<BlockDevice> make_aligned_device(std::unique_ptr<BlockDevice> dev, size_t alignment = 4096);

}  // namespace dmirror
