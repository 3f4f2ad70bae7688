// SPDX-License-Identifier: LGPL-2.1-or-later
// libblkid probing: what foreign signatures (file systems, RAID members,
// partition tables) a device carries, and wiping them at create time.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dmirror {

struct Signature {
  std::string type;      // blkid TYPE or PTTYPE: "ext4", "linux_raid_member", "gpt"
  std::string usage;     // "filesystem", "raid", "crypto", "partition table", ...
  std::string label;     // LABEL when present
  std::string uuid;      // UUID when present
  uint64_t offset = 0;   // byte offset of the magic
  // "an ext4 filesystem labelled 'data'"
  DMIRROR_EXPORT std::string describe() const;
};

// Every signature libblkid recognises on `path` except our own.
DMIRROR_EXPORT Result<std::vector<Signature>> probe_signatures(const std::string& path);

// Erases the magic of every signature found (blkid_do_wipe), then flushes.
[[nodiscard]] DMIRROR_EXPORT Status wipe_signatures(const std::string& path);

}  // namespace dmirror
