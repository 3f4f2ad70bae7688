// SPDX-License-Identifier: LGPL-2.1-or-later
// Routing `add` and `remove` to the kernel when the array is active.
#include "online_dispatch.h"
#include "online_wait.h"

#include "array_lock_cli.h"
#include "exit_codes.h"

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/online_leg_count.h>

#include <fmt/format.h>

namespace dmirror::cli {

std::optional<int> try_online_add(const Context& ctx, const std::vector<std::string>& args, const std::string& new_dev,
                                  bool force) {
  auto name = active_volume_of(args);
  if (!name) return std::nullopt;
  OnlineRebuildWait wait;
  if (auto failed = wait.begin(ctx, *name, new_dev, "add a leg to")) return *failed;
  dm::OnlineAddOptions o;
  o.force = force;
  o.cancel = wait.cancel();
  o.progress = wait.progress();
  auto rep = dm::online_add(wait.control(), *name, new_dev, o);
  wait.finish();
  if (!rep) return report_error(ctx, "online add to '" + *name + "' failed", rep.error());
  const int bits = rep->finished ? kExitOk : kExitCancelled;
  if (ctx.json) {
    Json doc = json_envelope();
    doc["online"] = true;
    doc["new_slot"] = rep->new_slot;
    doc["resumed"] = rep->resumed;
    doc["finished"] = rep->finished;
    doc["steps"] = rep->steps;
    doc["exit_code"] = bits;
    print_json(doc);
  } else {
    for (const auto& s : rep->steps) fmt::print("  {}\n", s);
    if (rep->finished) fmt::print("{} added as slot {} online: rebuilt by the kernel, in sync\n", new_dev, rep->new_slot);
  }
  return bits;
}

std::optional<int> try_online_add_spare(const Context& ctx, const std::vector<std::string>& args,
                                        const std::string& new_dev, bool force) {
  auto name = active_volume_of(args);
  if (!name) return std::nullopt;
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot add a spare to '" + *name + "'", control.error());
  auto held = lock_active_volume(**control, *name, {LockTarget{.path = new_dev}});
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto slot = dm::online_add_spare(**control, *name, new_dev, force);
  if (!slot) return report_error(ctx, "add --spare to '" + *name + "' failed", slot.error());
  if (ctx.json) {
    Json doc = json_envelope();
    doc["online"] = true;
    doc["new_slot"] = *slot;
    doc["spare"] = true;
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else {
    fmt::print("{} added as slot {} of '{}': a spare (it holds no data until a replace uses it)\n", new_dev, *slot,
               *name);
  }
  return kExitOk;
}

std::optional<int> try_online_remove(const Context& ctx, const std::vector<std::string>& args, const std::string& leg,
                                     bool force) {
  auto name = active_volume_of(args);
  if (!name) return std::nullopt;
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot remove a leg of '" + *name + "'", control.error());
  auto held = lock_active_volume(**control, *name);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto rep = dm::online_remove(**control, *name, leg, dm::OnlineRemoveOptions{.force = force});
  if (!rep) return report_error(ctx, "online remove from '" + *name + "' failed", rep.error());
  if (ctx.json) {
    Json doc = json_envelope();
    doc["online"] = true;
    doc["slot"] = rep->slot;
    doc["leg_present"] = !rep->path.empty();
    doc["in_sync_left"] = rep->in_sync_left;
    doc["steps"] = rep->steps;
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else {
    for (const auto& s : rep->steps) fmt::print("  {}\n", s);
    fmt::print("slot {} removed from '{}' online; {} in-sync leg{} left{}\n", rep->slot, *name, rep->in_sync_left,
               rep->in_sync_left == 1 ? "" : "s",
               rep->path.empty() ? "" : "; " + rep->path + " now says removed (`dmirrorctl wipe` it before reusing it)");
  }
  return kExitOk;
}

}  // namespace dmirror::cli
