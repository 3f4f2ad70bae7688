// SPDX-License-Identifier: LGPL-2.1-or-later
// Re-adding a late leg to its live volume (see incremental_readd.h).
#include "incremental_readd.h"

#include "boot_schedule.h"
#include "escape.h"
#include "exit_codes.h"

#include <dmirror/assembly.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/online_readd.h>
#include <dmirror/dm/online/online_replace.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace dmirror::cli {
namespace {

void print_doc(const Context& ctx, const std::string& device, const Superblock& sb, bool re_added,
               const std::string& note) {
  if (ctx.json) {
    Json doc = json_envelope();
    doc["incremental"] = {{"device", device},     {"array", sb.name},         {"uuid", sb.array_uuid.str()},
                          {"legs_expected", nullptr}, {"legs_present", nullptr}, {"complete", true},
                          {"activated", false},   {"record", nullptr},        {"re_added", re_added},
                          {"note", note}};
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else {
    fmt::print("{}: {}\n", printable(device), note);
  }
}

// Whether the device's own table (it takes every commit while in the live
// table) shows a re-add from the bitmap still to be recorded in sync. Only
// then are the legs opened for writing: closing a leg opened for writing
// raises a udev change event, which runs this again.
bool readd_pending(const Superblock& sb) {
  constexpr uint8_t flags = legflag::kRecoverFromJournal | legflag::kRebuildPassed;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (sb.legs[s].state == LegState::Rebuilding && (sb.legs[s].flags & flags) == flags) return true;
  return false;
}

}  // namespace

int run_incremental_readd(const Context& ctx, dm::DmControl& control, const std::string& volume,
                          const std::string& device, const Superblock& sb, const std::string& run_dir) {
  auto live = dm::volume_leg_devices(control, sb.array_uuid.hex());
  if (!live) return report_error(ctx, "cannot read the legs of active volume '" + volume + "'", live.error());
  auto num = dm::block_device_number(device);
  if (!num) return report_error(ctx, "cannot add " + device + " incrementally", num.error());
  std::vector<std::string> paths;
  for (const auto& [slot, dev] : *live) {
    if (dev == *num) {
      // A re-add from the bitmap whose wait was cut short: recorded in sync
      // once the kernel has recovered it.
      bool now = false;
      if (readd_pending(sb)) {
        auto fin = dm::finish_readds(control, volume);
        if (!fin) return report_error(ctx, "cannot record the re-add of " + device + " as finished", fin.error());
        now = std::find(fin->begin(), fin->end(), slot) != fin->end();
      }
      print_doc(ctx, device, sb, now,
                fmt::format("already slot {} of active volume '{}'{}", slot, printable(volume),
                            now ? "; recovered from the write-intent bitmap: now in sync" : ""));
      return kExitOk;
    }
    if (auto p = dm::block_device_path(dev)) paths.push_back(*p);
  }
  // The one assembly of the live legs and this one: is it behind them, or
  // on the other side of a split brain?
  paths.push_back(device);
  auto a = assemble_paths(paths);
  if (!a) return report_error(ctx, "cannot judge " + device + " against active volume '" + volume + "'", a.error());
  const AssembledLeg& mine = a->legs.back();
  const SlotView* view = mine.slot >= 0 ? a->slot(static_cast<uint32_t>(mine.slot)) : nullptr;
  if (a->split_brain || (view && view->split))
    return report_failure(ctx, "cannot re-add " + device, ErrorCode::SplitBrain,
                          device + " was written while the legs of active volume '" + volume +
                              "' were absent (split brain): it is left untouched. Keep the live data with "
                              "`dmirrorctl replace " + volume + " --old " + std::to_string(sb.slot) + " --new " +
                              device + " --force`, or deactivate and choose with `dmirrorctl activate --from LEG`");
  // A spare holds no data: it waits for a replace (or the monitor) to use it.
  if (mine.disposition == Disposition::Spare) {
    print_doc(ctx, device, sb, false, "a spare of active volume '" + printable(volume) + "' (slot " +
                                          std::to_string(mine.slot) + "); nothing to re-add");
    return kExitOk;
  }
  // A re-add from the bitmap that stopped between its commit and its reload
  // left the slot rebuilding, outside the live table: it resumes.
  const bool readd_stopped = view && view->state == SlotState::Rebuilding &&
                             (view->entry.flags & legflag::kRecoverFromJournal) &&
                             (view->entry.flags & legflag::kRebuildPassed);
  if (mine.disposition != Disposition::Member || !view ||
      (view->state != SlotState::Stale && view->state != SlotState::Missing && !readd_stopped))
    return report_failure(ctx, "cannot re-add " + device, ErrorCode::Refused,
                          device + " is not a member of active volume '" + volume + "' that missed updates (" +
                              std::string(disposition_name(mine.disposition)) +
                              "); nothing was written. See `dmirrorctl status " + volume + "`");
  const uint32_t slot = static_cast<uint32_t>(mine.slot);
  // A udev worker is killed after its event timeout; the rebuild can take hours.
  if (std::getenv("SEQNUM") && systemd_running()) {
    const std::string unit = "dmirror-re-add-" + sb.array_uuid.str() + "-slot" + std::to_string(slot);
    if (auto st = run_in_transient_service(unit, {self_path(), "activate", "--incremental", device, "--run-dir", run_dir});
        !st)
      return report_error(ctx, "cannot re-add " + device, st.error());
    print_doc(ctx, device, sb, false, "re-add to active volume '" + printable(volume) + "' started in " + unit + ".service");
    return kExitOk;
  }
  // The kernel's write-intent bitmap, when it provably covers every write
  // the leg missed: only those regions are recovered.
  auto b = dm::online_readd(control, volume, device, dm::OnlineReaddOptions{});
  if (!b) return report_error(ctx, "cannot re-add " + device + " to active volume '" + volume + "'", b.error());
  if (b->from_bitmap) {
    print_doc(ctx, device, sb, b->finished,
              fmt::format("slot {} re-added to active volume '{}' from the write-intent bitmap ({} region(s) "
                          "recovered, no full copy){}",
                          slot, printable(volume), b->dirty_regions,
                          b->finished ? "" : " (recovery still running)"));
    return kExitOk;
  }
  const std::string why = b->reason;
  auto r = dm::online_replace(control, volume, std::to_string(slot), device, dm::OnlineReplaceOptions{.force = true});
  if (!r) return report_error(ctx, "cannot re-add " + device + " to active volume '" + volume + "'", r.error());
  print_doc(ctx, device, sb, r->finished,
            fmt::format("slot {} re-added to active volume '{}' by a full copy, now slot {}{} (not from the "
                        "write-intent bitmap: {})",
                        slot, printable(volume), r->new_slot,
                        r->finished ? "" : " (rebuild still running: run `dmirrorctl replace` again to finish)",
                        printable(why)));
  return kExitOk;
}

}  // namespace dmirror::cli
