// SPDX-License-Identifier: LGPL-2.1-or-later
// Routing `split` and `merge` to the kernel when the array is active
// (kernel-glue online_split.h).
#include "online_dispatch.h"
#include "online_progress.h"

#include "array_lock_cli.h"
#include "escape.h"
#include "exit_codes.h"
#include "stop_signal.h"

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/online_replace.h>
#include <dmirror/dm/online/online_split.h>

#include <fmt/format.h>

#include <atomic>
#include <unistd.h>

namespace dmirror::cli {
std::optional<int> try_online_split(const Context& ctx, const std::vector<std::string>& args, const std::string& leg,
                                    const std::string& new_name, bool force) {
  auto name = active_volume_of(args);
  if (!name) return std::nullopt;
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot split a leg off '" + *name + "'", control.error());
  auto held = lock_active_volume(**control, *name);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto r = dm::online_split(**control, *name, leg, dm::OnlineSplitOptions{.name = new_name, .force = force});
  if (!r) return report_error(ctx, "cannot split the leg off '" + *name + "'", r.error());
  if (ctx.json) {
    Json doc = json_envelope();
    doc["online"] = true;
    doc["slot"] = r->slot;
    doc["name"] = new_name;
    doc["uuid"] = r->split_uuid.str();
    doc["split_seqno"] = r->split_seqno;
    doc["in_sync_left"] = r->in_sync_left;
    doc["regions_kept"] = r->regions_kept;
    doc["resumed"] = r->resumed;
    doc["steps"] = r->steps;
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else {
    for (const auto& s : r->steps) fmt::print("  {}\n", s);
    fmt::print("slot {} {}split off active volume '{}' as array '{}' (uuid {}); {} in-sync leg{} left\n", r->slot,
               r->resumed ? "(a split cut short) " : "", printable(*name), printable(new_name), r->split_uuid.str(),
               r->in_sync_left, r->in_sync_left == 1 ? "" : "s");
    fmt::print("The kernel's write-intent bitmap keeps the regions written from now on: `dmirrorctl merge {} {}` "
               "brings the leg back copying only those; `dmirrorctl remove {} --leg {}` ends the tracking.\n",
               printable(*name), printable(new_name), printable(*name), r->slot);
  }
  return kExitOk;
}

std::optional<int> try_online_merge(const Context& ctx, const std::vector<std::string>& array,
                                    const std::string& split_leg) {
  auto name = active_volume_of(array);
  if (!name) return std::nullopt;
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot merge into '" + *name + "'", control.error());
  // Both arrays are written: the volume's lock and the split-off array's.
  auto held = lock_active_volume(**control, *name, {LockTarget{.path = split_leg}});
  if (!held) return report_error(ctx, "cannot lock the arrays", held.error());
  const std::atomic<bool>* stop = stop_on_signals();
  dm::OnlineReaddOptions o;
  o.cancel = stop;
  OnlineProgress line(/*with_legs=*/true);
  if (!ctx.json && ::isatty(STDERR_FILENO)) o.progress = [&line](const dm::RaidStatus& s) { line.update(s); };
  auto r = dm::online_merge(**control, *name, split_leg, o);
  if (o.progress) line.finish();
  if (!r) return report_error(ctx, "cannot merge the split leg into '" + *name + "'", r.error());
  bool finished = r->readd.finished;
  bool full_copy = false;
  if (!r->readd.from_bitmap) {
    // The kernel metadata cannot prove the bitmap covers the array side:
    // a full copy onto the leg (the online replace of its slot by itself).
    full_copy = true;
    auto rr = dm::online_replace(**control, *name, std::to_string(r->slot), split_leg,
                                 dm::OnlineReplaceOptions{.force = true, .cancel = stop});
    if (!rr) return report_error(ctx, "cannot merge the split leg into '" + *name + "' by a full copy", rr.error());
    r->steps.push_back("full copy (not from the bitmap: " + r->readd.reason + "), now slot " +
                       std::to_string(rr->new_slot));
    finished = rr->finished;
  }
  const int bits = finished ? kExitOk : kExitCancelled;
  if (ctx.json) {
    Json doc = json_envelope();
    doc["online"] = true;
    doc["slot"] = r->slot;
    doc["split_regions"] = r->split_regions;
    doc["array_regions"] = r->readd.dirty_regions;
    doc["from_bitmap"] = !full_copy;
    doc["resumed"] = r->resumed;
    doc["finished"] = finished;
    doc["steps"] = r->steps;
    doc["exit_code"] = bits;
    print_json(doc);
  } else {
    for (const auto& s : r->steps) fmt::print("  {}\n", s);
    if (finished)
      fmt::print("{} merged back into slot {} of active volume '{}'{}: in sync\n", printable(split_leg), r->slot,
                 printable(*name), full_copy ? " by a full copy" : " from the write-intent bitmap");
    else
      fmt::print("{} is merging back into slot {} of '{}'; the kernel's recovery goes on: run `dmirrorctl merge {} "
                 "{}` to finish (the leg no longer carries the split-off array's name)\n",
                 printable(split_leg), r->slot, printable(*name), printable(*name), printable(split_leg));
  }
  return bits;
}

}  // namespace dmirror::cli
