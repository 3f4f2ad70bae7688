// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl merge NAME|LEG... SPLIT` (alias `rejoin`; lvconvert --merge of
// a tracked split, md's bitmap re-add): the leg split off as array SPLIT
// (its name, or its leg's path) returns to its slot and is recovered from
// the journal: only the regions written on either side since the split are
// copied onto it, from the array (online on an active volume:
// online_split_merge.cc). Refused, writing nothing,
// when the changes cannot be proven (tracking lost: wipe the leg and add it).
#include "array_args.h"
#include "array_lock_cli.h"
#include "commands.h"
#include "escape.h"
#include "exit_codes.h"
#include "leg_caching.h"
#include "online_dispatch.h"
#include "op_support.h"

#include <dmirror/leg.h>
#include <dmirror/legs.h>
#include <dmirror/names.h>
#include <dmirror/split.h>

#include <fmt/format.h>

#include <optional>

namespace dmirror::cli {
namespace {

struct MergeArgs {
  std::vector<std::string> args;   // the array (name or legs), then the split-off array
  bool degraded = false;
};

// The split-off array's one leg: a path, or the name or uuid of an array
// with one leg on the block devices.
Result<std::string> split_leg_path(const std::string& arg) {
  if (!is_array_key(arg)) return arg;
  auto found = legs_of_array(arg);
  if (!found) {
    if (found.error().code == ErrorCode::NotFound)
      return make_error(ErrorCode::NotFound,
                        "no array '" + escape_name(arg) + "' on the block devices; give the split leg's path "
                        "(after a merge that was cut short the leg no longer carries that name)");
    return std::unexpected(found.error());
  }
  if (found->size() != 1)
    return make_error(ErrorCode::InvalidArgument, "array '" + escape_name(arg) + "' has " +
                                                      std::to_string(found->size()) +
                                                      " legs; a split-off array has one: give the leg's path");
  return found->front();
}

// The array uuid in a device's own superblock (nil when unreadable).
Uuid array_uuid_of(const std::string& path) {
  auto dev = open_device(path, OpenOptions{.writable = false, .exclusive = false});
  auto meta = dev ? read_leg(**dev) : Result<LegMetadata>(std::unexpected(dev.error()));
  return meta ? meta->sb.array_uuid : Uuid{};
}

Uuid array_uuid_of_any(const std::vector<std::string>& paths) {
  for (const auto& p : paths)
    if (Uuid u = array_uuid_of(p); !u.is_nil()) return u;
  return Uuid{};
}

int run_merge(const Context& ctx, const MergeArgs& a) {
  if (a.args.size() < 2)
    return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                          "give the array (its name or its legs) and then the split-off array (its name or its leg)");
  const std::vector<std::string> array(a.args.begin(), a.args.end() - 1);
  auto split = split_leg_path(a.args.back());
  if (!split) return report_error(ctx, "cannot find the split-off array", split.error());
  if (auto online = try_online_merge(ctx, array, *split)) return *online;
  auto found = resolve_legs(array);
  if (!found) return report_error(ctx, "cannot find the array", found.error());
  std::vector<std::string> paths;
  for (const auto& p : *found)
    if (p != *split) paths.push_back(p);
  std::vector<std::string> locked = paths;
  locked.push_back(*split);
  // Both arrays are written: each one's lock (its legs and its lock file).
  auto held = lock_array_at(paths);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  // A merge stopped after its commit left the split leg carrying the
  // array's identity: its lock is the one just taken (a rerun finishes it).
  std::optional<ArrayLock> held_split;
  if (array_uuid_of(*split) != array_uuid_of_any(paths)) {
    auto h = lock_array_at({*split});
    if (!h) return report_error(ctx, "cannot lock the split-off array", h.error());
    held_split.emplace(std::move(*h));
  }
  auto legs = open_legs(locked, offline_leg_options(true));
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  MergeOptions o;
  o.degraded = a.degraded;
  o.resync.control.progress = progress_printer(ctx);
  o.resync.control.cancel = install_cancel_handler();
  auto devs = legs->devices();
  std::vector<BlockDevice*> array_devs(devs.begin(), devs.end() - 1);
  auto r = merge_split(array_devs, *devs.back(), o);
  end_progress(ctx);
  if (!r) return report_error(ctx, "cannot merge the split leg", r.error());
  // The regions copied onto the merged leg: its recovery from the journal
  // (the union). The resync's own count is of regions copied among the
  // other legs, 0 on a degraded array.
  uint64_t copied = 0;
  for (const auto& leg : r->resync.readded) copied += leg.regions_copied;
  if (r->resync.readded.empty()) copied = r->resync.regions_copied;
  if (ctx.json) {
    Json doc = json_envelope();
    doc["slot"] = r->slot;
    doc["array_regions"] = r->array_regions;
    doc["split_regions"] = r->split_regions;
    doc["union_regions"] = r->union_regions;
    doc["regions_copied"] = copied;
    doc["bytes_copied"] = r->resync.bytes_copied;
    doc["resumed"] = r->resumed;
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else {
    fmt::print("{} merged back into slot {}{}: {} changed on the array, {} on the split-off array; {} copied "
               "({} bytes)\n",
               printable(*split), r->slot, r->resumed ? " (a merge cut short was finished)" : "",
               count_of(r->array_regions, "region"), count_of(r->split_regions, "region"),
               count_of(copied, "region"), r->resync.bytes_copied);
  }
  warn_if_degraded(locked);
  return kExitOk;
}

}  // namespace

Command add_merge(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<MergeArgs>();
  CLI::App* sub = app.add_subcommand(
      "merge", "Merge a split-off leg back, copying only the regions changed since the split (online on an active volume)");
  sub->alias("rejoin");
  sub->add_option("arrays", a->args,
                  "The array (its name, or the paths of its legs), then the split-off array (its name, or its "
                  "leg's path)")
      ->required();
  sub->add_flag("--degraded", a->degraded, "Go on with a leg missing: it is recorded missing and recovered when it returns (without it the command is refused while an in-sync leg is absent)");
  return {sub, [&ctx, a] { return run_merge(ctx, *a); }};
}

}  // namespace dmirror::cli
