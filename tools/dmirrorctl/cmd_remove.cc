// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl remove NAME|LEG... --leg LEG`: one leg fewer (mdadm --fail
// --remove then --grow, lvconvert -m-1). The slot is recorded removed on the
// legs that stay and on the removed leg itself, which is then never
// assembled as a member again (`wipe` it before reusing the device).
// Refused for the last in-sync leg; --force to leave a single in-sync copy.
// On an active volume the live table is reloaded without the leg
// (dm::online_remove).
#include "array_lock_cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "leg_caching.h"
#include "online_dispatch.h"
#include "op_support.h"

#include <dmirror/leg_count.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct RemoveArgs {
  std::vector<std::string> legs;
  std::string leg;
  bool force = false;
  bool degraded = false;
};

int run_remove(const Context& ctx, const RemoveArgs& a) {
  // An active volume shrinks online: recorded, then the live table reloaded.
  if (auto online = try_online_remove(ctx, a.legs, a.leg, a.force)) return *online;
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  auto slot = parse_leg_choice(a.leg, *paths);
  if (!slot) return report_error(ctx, "invalid --leg", slot.error());
  auto held = lock_array_at(*paths);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto legs = open_legs(*paths, offline_leg_options(true));
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  RemoveOptions o;
  o.force = a.force;
  o.degraded = a.degraded;
  auto r = remove_leg(legs->devices(), *slot, o);
  if (!r) return report_error(ctx, "remove failed", r.error());
  if (ctx.json) {
    Json doc = json_envelope();
    doc["slot"] = r->slot;
    doc["leg_present"] = r->leg_present;
    doc["in_sync_left"] = r->in_sync_left;
    doc["split_uuid"] = r->split_uuid.is_nil() ? Json(nullptr) : Json(r->split_uuid.str());
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else if (!r->split_uuid.is_nil()) {
    fmt::print("split slot {} removed: array {} split off from it is now independent (its changes are no longer "
               "tracked; a merge is no longer possible: `dmirrorctl add` its leg after a wipe to bring it back)\n",
               r->slot, r->split_uuid.str());
  } else {
    fmt::print("slot {} removed; {} in-sync leg{} left{}\n", r->slot, r->in_sync_left, r->in_sync_left == 1 ? "" : "s",
               r->leg_present ? "; its device now says removed (`dmirrorctl wipe` it before reusing it)" : "");
  }
  warn_if_degraded(*paths);
  return kExitOk;
}

}  // namespace

Command add_remove(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<RemoveArgs>();
  CLI::App* sub = app.add_subcommand("remove", "Remove a leg: one copy fewer (never the last in-sync leg)");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_option("--leg", a->leg, "The leg to remove: slot number or path")->required();
  sub->add_flag("--force", a->force, "Allow leaving a single in-sync leg (no redundancy)");
  sub->add_flag("--degraded", a->degraded, "Go on with a leg missing: it is recorded missing and recovered when it returns (without it the command is refused while an in-sync leg is absent)");
  return {sub, [&ctx, a] { return run_remove(ctx, *a); }};
}

}  // namespace dmirror::cli
