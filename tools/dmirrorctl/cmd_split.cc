// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl split NAME|LEG... --leg LEG --name NEW` (lvconvert
// --splitmirrors 1 --trackchanges, gmirror deactivate): a fresh in-sync leg
// leaves as the only leg of a new array NEW, a point-in-time copy (for a
// backup). The legs that stay record the slot split and keep every journal
// bit from then on, as NEW does, so that `dmirrorctl merge` copies back only
// what changed on either side. On an active volume it runs online
// (online_split_merge.cc). Refused for the last in-sync
// leg, and for the one that would leave a single in-sync copy unless forced.
#include "array_args.h"
#include "array_lock_cli.h"
#include "commands.h"
#include "escape.h"
#include "exit_codes.h"
#include "leg_caching.h"
#include "online_dispatch.h"
#include "op_support.h"

#include <dmirror/legs.h>
#include <dmirror/names.h>
#include <dmirror/split.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct SplitArgs {
  std::vector<std::string> legs;
  std::string leg;
  std::string name;
  bool force = false;
  bool degraded = false;
};

// create's rule for a name, and no array of that name on the block devices.
Status check_new_name(const std::string& name) {
  DMIRROR_RETURN_IF_ERROR(validate_array_name(name));
  // Several arrays of that name (InvalidArgument) exist too.
  if (auto found = legs_of_array(name); found || found.error().code == ErrorCode::InvalidArgument)
    return make_error(ErrorCode::Exists, "an array named '" + escape_name(name) +
                                             "' exists already; give the split-off array another --name");
  return ok();
}

int run_split(const Context& ctx, const SplitArgs& a) {
  const std::string what = "cannot split the leg off";
  if (auto st = check_new_name(a.name); !st) return report_error(ctx, what, st.error());
  if (auto online = try_online_split(ctx, a.legs, a.leg, a.name, a.force)) return *online;
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  auto slot = parse_leg_choice(a.leg, *paths);
  if (!slot) return report_error(ctx, "invalid --leg", slot.error());
  auto held = lock_array_at(*paths);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto legs = open_legs(*paths, offline_leg_options(true));
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  SplitOptions o;
  o.name = a.name;
  o.force = a.force;
  o.degraded = a.degraded;
  auto r = split_leg(legs->devices(), *slot, o);
  if (!r) return report_error(ctx, what, r.error());
  if (ctx.json) {
    Json doc = json_envelope();
    doc["slot"] = r->slot;
    doc["name"] = a.name;
    doc["uuid"] = r->split_uuid.str();
    doc["split_seqno"] = r->split_seqno;
    doc["in_sync_left"] = r->in_sync_left;
    doc["regions_kept"] = r->regions_kept;
    doc["resumed"] = r->resumed;
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else {
    fmt::print("slot {} {}split off as array '{}' (uuid {}); {} in-sync leg{} left\n", r->slot,
               r->resumed ? "(a split cut short) " : "", printable(a.name), r->split_uuid.str(), r->in_sync_left,
               r->in_sync_left == 1 ? "" : "s");
    fmt::print("Both arrays keep track of the regions written from now on: `dmirrorctl merge` brings the leg "
               "back copying only those; `dmirrorctl remove --leg {}` ends the tracking.\n",
               r->slot);
  }
  warn_if_degraded(*paths);
  return kExitOk;
}

}  // namespace

Command add_split(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<SplitArgs>();
  CLI::App* sub = app.add_subcommand(
      "split", "Split an in-sync leg off as an array of its own, tracking changes for a later merge (online on an active volume)");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_option("--leg", a->leg, "The leg to split off: slot number or path")->required();
  sub->add_option("--name", a->name, "Name of the new array (1-63 of A-Z a-z 0-9 # + - . : = @ _)")->required();
  sub->add_flag("--force", a->force, "Allow leaving a single in-sync leg (no redundancy)");
  sub->add_flag("--degraded", a->degraded, "Go on with a leg missing: it is recorded missing and recovered when it returns (without it the command is refused while an in-sync leg is absent)");
  return {sub, [&ctx, a] { return run_split(ctx, *a); }};
}

}  // namespace dmirror::cli
