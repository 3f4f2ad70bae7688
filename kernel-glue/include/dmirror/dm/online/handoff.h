// SPDX-License-Identifier: LGPL-2.1-or-later
// The activation half of the offline/kernel hand-off (FORMAT.md §6) as a
// pure decision: from our superblock, the journal, and each present leg's
// kernel metadata, what the table must say (which slots, `nosync`,
// `rebuild`, missing legs) and what must be written into the kernel
// metadata before the table is loaded (dirty bits plus
// array_resync_offset = 0, or zeroing for a full resync). Nothing here does
// I/O, so every rule is unit-tested directly.
#pragma once

#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dmirror::dm {

/// Which of our slots the kernel table lists, in table order: every slot in
/// state in_sync, failed, rebuilding, replacing or missing (removed and unused slots
/// are left out, so the kernel never sees a permanent hole, which md would
/// treat as degraded forever).
struct KernelSlotMap {
  std::vector<uint32_t> slots;  // table position -> our slot
  DMIRROR_EXPORT std::optional<uint32_t> position_of(uint32_t slot) const;
};
DMIRROR_EXPORT KernelSlotMap kernel_slot_map(const Superblock& sb);

struct HandoffInput {
  Superblock sb;
  std::vector<uint32_t> present;                   // our slots with a device
  std::vector<uint32_t> stale;                     // present, graded stale by the assembly: rebuilt in full
  std::map<uint32_t, KernelMetadataState> kernel;  // per present slot
  std::vector<uint64_t> journal_dirty;             // our dirty regions
  bool unclean = false;                            // KERNEL_OWNS_SYNC and no dm device of the array
  bool allow_degraded = false;                     // --degraded
};

enum class KernelMetadataAction {
  Keep,       // nothing to hand over
  MarkDirty,  // set mark_regions in every leg's md bitmap
  Zero,       // zero every leg's kernel metadata: first-use path, full resync
};

struct HandoffPlan {
  KernelSlotMap map;
  std::vector<uint32_t> missing;        // our slots passed as "- -": not given (needs --degraded)
  std::vector<uint32_t> left_out;       // failed slots passed as "- -" (not re-added)
  std::vector<uint32_t> rebuild;        // our slots passed with `rebuild`
  bool first_use = false;               // the kernel will create its metadata
  bool nosync = false;                  // first use on legs known identical
  KernelMetadataAction action = KernelMetadataAction::Keep;
  std::vector<uint64_t> mark_regions;   // MarkDirty
  bool force_resync = false;            // write array_resync_offset = 0 on every present leg
  std::vector<std::string> notes;       // each decision, said for a human
};

/// The slots of the kernel slot map with no device that are not failed:
/// what --degraded must consent to.
DMIRROR_EXPORT std::vector<uint32_t> missing_slots(const Superblock& sb, const std::vector<uint32_t>& present);
/// Stale naming every missing slot (and its leg uuid) and --degraded,
/// unless `missing` is empty or allow_degraded.
[[nodiscard]] DMIRROR_EXPORT Status check_missing(const Superblock& sb, const std::vector<uint32_t>& missing,
                                                  bool allow_degraded);

/// Errors: Stale (legs missing without allow_degraded, or no in-sync leg
/// present), Unsupported (a full resync is needed while a leg must also be
/// rebuilt: run the offline resync first).
DMIRROR_EXPORT Result<HandoffPlan> plan_handoff(const HandoffInput& in);

}  // namespace dmirror::dm
