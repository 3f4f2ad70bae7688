// SPDX-License-Identifier: LGPL-2.1-or-later
// Opening the legs of an array by path for the engine and the offline
// operations. Block devices are opened O_DIRECT by default (no double
// caching, and flush() then really reaches the disk cache); a bounce layer
// keeps unaligned buffers working. Image files use the page cache unless
// `direct_files` asks for O_DIRECT on them too (the offline operations:
// verify, scrub, resync and replace read or write whole legs, which would
// evict the host's working set); a file whose file system refuses O_DIRECT
// is then read and written through the page cache with its pages dropped
// behind every transfer, and `caching` says so for the caller to report.
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
  bool direct_files = false;   // with `direct`: O_DIRECT on image files too (drop-behind fallback)
};

class DMIRROR_EXPORT OpenedLegs {
 public:
  std::vector<BlockDevice*> devices() const;
  // The legs opened with DropBehind: their file system refused O_DIRECT.
  std::vector<std::string> drop_behind_paths() const;
  std::vector<std::unique_ptr<BlockDevice>> owned;
  std::vector<CachePolicy> caching;   // by position, as `owned`
};

// Opens every path (refusing the same storage given twice).
DMIRROR_EXPORT Result<OpenedLegs> open_legs(const std::vector<std::string>& paths, const OpenLegsOptions& options = {});

// Wraps `dev` so that every transfer handed to it uses a buffer aligned to
// `alignment` (O_DIRECT's rule), copying through a bounce buffer when needed.
DMIRROR_EXPORT std::unique_ptr<BlockDevice> make_aligned_device(std::unique_ptr<BlockDevice> dev, size_t alignment = 4096);

// Opens `path` to read its metadata, shared and read-only, past the page
// cache when it is a block device (O_DIRECT): the kernel and the tools write
// a leg through other block devices too (its sub-devices, a device stacked
// on it), which leave this one's cache stale. Image files read buffered.
DMIRROR_EXPORT Result<std::unique_ptr<BlockDevice>> open_for_probe(const std::string& path);

}  // namespace dmirror
