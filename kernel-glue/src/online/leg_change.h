// SPDX-License-Identifier: LGPL-2.1-or-later
// The steps online replace, add and remove share: naming a leg of a live
// volume, a free slot, preparing a new device, reloading the live table
// from our superblock, waiting for a rebuild, and removing a slot's
// sub-devices.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/online/rebuild_evidence.h>
#include <dmirror/dm/online/volume_table.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace dmirror::dm::online {

/// A slot re-added from the kernel's bitmap (a returning leg, a merged
/// split leg): rebuilding, recovered from the journal, never passed to the
/// kernel with `rebuild` (FORMAT.md 6.3).
inline constexpr uint8_t kReaddFlags = legflag::kRecoverFromJournal | legflag::kRebuildPassed;

/// A refusal: nothing was changed.
inline std::unexpected<Error> refuse(const std::string& why) { return make_error(ErrorCode::Refused, why); }

/// `text`: a slot number in use, a leg path, or a device of a leg of `v`.
Result<uint32_t> slot_of_leg(const LiveVolume& v, const std::string& text, const std::string& option);

/// The lowest unused slot (Refused when all 16 are in use or retired).
Result<uint32_t> free_slot(const Superblock& sb);

/// Checks `path` (not claimed, no foreign signature or other array's leg
/// unless `force` — a spare of this array is welcome —, large enough) and
/// writes a clean journal and zeroed kernel metadata onto it.
/// A device sharing disk space with a leg of `live` (the live table's) is
/// refused, --force or not.
Result<NamedDevice> prepare_new_leg(const Superblock& sb, const std::string& path, bool force,
                                    const std::map<uint32_t, DevNumber>& live);

/// The slot `path` holds as a spare of the array of `sb` (FORMAT.md 2.6
/// rule 23), if it is one: a replace or add onto it uses that slot.
std::optional<uint32_t> spare_slot_of(const Superblock& sb, const std::string& path);

/// A new entry for a leg joining `slot` as rebuilding from offset 0; a
/// spare's slot keeps its write-mostly flag (spare_flags_kept: `leaving` is
/// the slot a replace retires, kNoSlot for an add).
LegEntry joining_entry(const Superblock& sb, uint32_t slot, uint32_t leaving, uint64_t device_size);

/// Reloads the live table of `v` from its superblock (suspend, load, resume).
Status reload(DmControl& dm, LiveVolume& v, const TableChoices& choices);

struct WaitOptions {
  std::chrono::milliseconds poll{250};
  std::chrono::seconds timeout{0};  // 0: as long as it takes
  std::function<void(const RaidStatus&)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

/// What judge_rebuild() needs about `slot`, read from the live legs.
RebuildFacts rebuild_facts(const LiveVolume& v, const RaidStatus& status, uint32_t slot);

/// Waits until judge_rebuild() proves `slot` rebuilt (the status settled and
/// 'A', and the leg's own kernel superblock in sync): true; false when
/// cancelled or timed out; Io when the kernel failed the leg.
Result<bool> wait_rebuilt(DmControl& dm, const LiveVolume& v, uint32_t slot, const WaitOptions& o);

/// Removes the data and kernel-metadata sub-devices of `slot` (absent ones
/// are fine).
Status remove_subdevices_of(DmControl& dm, const LiveVolume& v, uint32_t slot);

/// Busy when the kernel runs a sync action on the volume.
Status require_idle(DmControl& dm, const std::string& name, const std::string& what);

}  // namespace dmirror::dm::online
