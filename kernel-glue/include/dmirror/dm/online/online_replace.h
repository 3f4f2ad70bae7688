// SPDX-License-Identifier: LGPL-2.1-or-later
// Replacing a leg of an active volume while keeping redundancy: the new
// device joins as an extra slot (the table is reloaded with one more leg
// and `rebuild <new>`, passed exactly once), the kernel rebuilds it while
// the old leg keeps serving, and only once the new leg is 'A' and the set
// idle is the table reloaded without the old leg. Every step is recorded in
// our superblocks (old leg replacing, new leg rebuilding, then removed and
// in_sync) and the event history, so running the command again after an
// interruption resumes. If the kernel refuses to add a slot, the leg is
// replaced in place with `rebuild` only when that gives up no redundancy
// (in_place_replace_allowed); otherwise the replace is refused, undone
// (the new slot retired, the old leg back in service) and the error says
// what to do instead. Redundancy never drops below what the array had.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dmirror::dm {

struct OnlineReplaceOptions {
  bool force = false;  // accept a new device with foreign signatures / old membership
  std::chrono::milliseconds poll{250};
  std::chrono::seconds timeout{0};                   // 0: wait as long as the rebuild takes
  std::function<void(const RaidStatus&)> progress;
  const std::atomic<bool>* cancel = nullptr;         // stop waiting; the rebuild goes on
};

struct OnlineReplaceReport {
  uint32_t old_slot = 0;
  uint32_t new_slot = 0;
  bool resumed = false;
  bool in_place = false;       // the kernel could not add a slot: rebuilt in the old leg's place (no redundancy given up)
  bool finished = false;       // false: stopped waiting (cancel/timeout); run again to finish
  bool already_finished = false;  // run again after it finished (by the event history): nothing done
  std::vector<std::string> steps;
};

/// The replace in progress in `sb`, if any: (old slot, new slot). The old
/// slot names its replacement, which is rebuilding.
DMIRROR_EXPORT std::optional<std::pair<uint32_t, uint32_t>> replace_in_progress(const Superblock& sb);

/// Whether replacing `old_slot` in place (the old leg leaves the table, the
/// new one is rebuilt in its position) keeps the array's redundancy: the
/// old leg holds no current copy (failed, missing, rebuilding), or at least
/// two other legs stay in sync during the rebuild. Otherwise Unsupported,
/// naming `kernel_refusal` (why the kernel would not add a slot) and what to
/// do instead.
DMIRROR_EXPORT Status in_place_replace_allowed(const Superblock& sb, uint32_t old_slot,
                                               const std::string& kernel_refusal);

/// `old_leg`: a slot number or the path of a leg of the volume. Errors:
/// InvalidArgument (no such leg, new device is a leg), TooSmall, Exists /
/// ForeignSignature (new device in use by something else, !force), Busy
/// (a sync action runs), dm errors.
DMIRROR_EXPORT Result<OnlineReplaceReport> online_replace(DmControl& dm, const std::string& name,
                                                          const std::string& old_leg, const std::string& new_path,
                                                          const OnlineReplaceOptions& options = {});

}  // namespace dmirror::dm
