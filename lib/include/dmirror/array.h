// SPDX-License-Identifier: LGPL-2.1-or-later
// Whole-array operations on the offline metadata: planning and performing
// `create`, and finding the legs on the host (scan_legs). Deciding what the
// legs found make of an array is the one assembly's job (assembly.h).
#pragma once

#include <dmirror/assembly.h>
#include <dmirror/block_device.h>
#include <dmirror/events.h>
#include <dmirror/export.h>
#include <dmirror/findings.h>
#include <dmirror/leg.h>
#include <dmirror/probe.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <optional>
#include <string>
#include <vector>

namespace dmirror {

// Fixed layout of format v1 (bytes from the start of each leg).
inline constexpr uint64_t kJournalOffset = 128 * 1024;
inline constexpr uint64_t kJournalAreaSize = 1024 * 1024;
inline constexpr uint64_t kEventsOffset = kJournalOffset + kJournalAreaSize;
inline constexpr uint64_t kEventsAreaSize = 256 * 1024;
inline constexpr uint64_t kKmetaOffset = 2 * 1024 * 1024;
inline constexpr uint64_t kKmetaAreaSize = 4 * 1024 * 1024;
inline constexpr uint64_t kDataOffset = 8 * 1024 * 1024;
inline constexpr uint64_t kDataAlign = 1024 * 1024;
inline constexpr uint64_t kMinDataSize = 1024 * 1024;
inline constexpr uint64_t kDefaultRegionSize = 4 * 1024 * 1024;

// That fixed layout as a Layout, with `data_size` bytes of data.
inline Layout fixed_layout(uint64_t data_size = 0) {
  Layout l;
  l.sb_offset[0] = kSuperblockOffset[0];
  l.sb_offset[1] = kSuperblockOffset[1];
  l.journal_offset = kJournalOffset;
  l.journal_size = kJournalAreaSize;
  l.events_offset = kEventsOffset;
  l.events_size = kEventsAreaSize;
  l.kmeta_offset = kKmetaOffset;
  l.kmeta_size = kKmetaAreaSize;
  l.data_offset = kDataOffset;
  l.data_size = data_size;
  return l;
}

// Default region size for a data area: 4 MiB, or the smallest power of two
// giving at most kMaxRegions regions.
DMIRROR_EXPORT uint64_t default_region_size(uint64_t data_size);
// Checks a user-chosen region size (power of two, >= 4 KiB and the logical
// block size, <= data size, at most kMaxRegions regions).
[[nodiscard]] DMIRROR_EXPORT Status validate_region_size(uint64_t region_size, uint64_t data_size,
                                                         uint32_t logical_block_size);

struct CreateOptions {
  std::string name;
  std::vector<std::string> legs;
  uint64_t region_size = 0;       // 0 = default_region_size()
  bool assume_clean = false;      // legs known identical: no initial sync
  bool force = false;             // override foreign signatures / old membership
  KernelOptions kernel;
  std::vector<uint32_t> write_mostly;   // slots
  uint32_t degraded_timeout = 0;        // boot policy (boot_policy.h): 0 default, kDegradedTimeoutNever
  Uuid array_uuid;                      // nil: a random one (the caller may pick it to lock it first)
};

struct LegCheck {
  std::string path;
  uint64_t size = 0;
  uint32_t logical_block_size = 512;
  std::vector<Signature> signatures;          // foreign ones
  std::optional<Superblock> old_membership;   // already a dmirror leg
};

struct CreatePlan {
  Layout layout;
  uint64_t region_size = 0;
  uint64_t nr_regions = 0;
  uint32_t logical_block_size = 512;
  std::vector<LegCheck> legs;
  Findings warnings;             // e.g. legs of very different sizes
};

// Every check of `create`, with no write: name, leg count, duplicates
// (symlinks, loop devices over the same file), sizes, exclusivity, foreign
// signatures and old membership (refused unless opts.force).
DMIRROR_EXPORT Result<CreatePlan> plan_create(const CreateOptions& opts);

struct CreatedArray {
  Superblock sb;                  // as written to slot 0
};
// Writes the metadata planned by plan_create (wiping foreign signatures when
// forced). Leaves the data areas untouched.
DMIRROR_EXPORT Result<CreatedArray> create_array(const CreatePlan& plan, const CreateOptions& opts);

// Block devices (libblkid enumeration) and the given extra paths that carry a
// dmirror superblock, grouped by array uuid.
struct FoundLeg {
  std::string path;
  LegMetadata meta;
};
DMIRROR_EXPORT Result<std::vector<FoundLeg>> scan_legs(const std::vector<std::string>& extra_paths);

}  // namespace dmirror
