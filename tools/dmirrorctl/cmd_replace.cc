// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl replace NAME|LEG... --old LEG --new DEV`: add DEV as a new
// leg, copy, verify, then retire the old leg. Redundancy never drops; rerun
// with the same --new to resume (another device is refused, naming the
// recorded one), or with --restart to start over. A --new that is the old
// leg's own device (failed, missing or stale) is copied fully and keeps its
// slot (md's re-add of a former member).
#include "array_lock_cli.h"
#include "commands.h"
#include "escape.h"
#include "exit_codes.h"
#include "health_text.h"
#include "new_leg_run.h"
#include "op_support.h"
#include "online_dispatch.h"

#include <dmirror/names.h>
#include <dmirror/probe.h>
#include <dmirror/replace.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

// What this run copied, and what it verified (everything: a resumed run
// copies only what is left but verifies the whole leg).
std::string copied_text(const ReplaceReport& r) {
  if (r.bytes_copied == r.bytes_verified) return format_size_bytes(r.bytes_copied) + " copied and verified";
  return format_size_bytes(r.bytes_copied) + " copied, " + format_size_bytes(r.bytes_verified) + " verified";
}

struct ReplaceArgs {
  std::vector<std::string> legs;
  std::string old_leg, new_dev;
  bool force = false;
  bool restart = false;
  bool degraded = false;
  std::string max_rate;
};

int run_replace(const Context& ctx, const ReplaceArgs& a) {
  // An active volume is replaced online by the kernel (online_dispatch.h).
  if (auto online = try_online_replace(ctx, a.legs, a.old_leg, a.new_dev, a.force)) return *online;
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  auto old_slot = parse_leg_choice(a.old_leg, *paths);
  if (!old_slot) return report_error(ctx, "invalid --old", old_slot.error());
  std::vector<std::string> current;
  for (const auto& p : *paths) if (p != a.new_dev) current.push_back(p);
  auto started = start_new_leg_run(ctx, current, a.new_dev, a.force, a.max_rate);
  if (auto* refused = std::get_if<int>(&started)) return *refused;
  NewLegRun& run = std::get<NewLegRun>(started);
  run.options.restart = a.restart;
  run.options.degraded = a.degraded;
  auto r = replace(run.legs.devices(), *old_slot, *run.fresh.owned[0], run.options);
  end_progress(ctx);
  if (!r) return report_error(ctx, "replace failed", r.error());
  // A change command: 1 when the dirty regions it settled first corrected
  // a leg's copy (rule 21).
  const int bits = r->outvoted_regions > 0 ? kExitCorrected : kExitOk;
  warn_vote_notes(r->findings);
  if (ctx.json) {
    Json doc = json_envelope();
    doc["old_slot"] = r->old_slot;
    doc["new_slot"] = r->new_slot;
    doc["resumed"] = r->resumed;
    doc["restarted"] = r->restarted;
    doc["readded"] = r->readded;
    doc["bytes_copied"] = r->bytes_copied;
    doc["bytes_verified"] = r->bytes_verified;
    doc["exit_code"] = bits;
    print_json(doc);
  } else if (r->readded) {
    fmt::print("slot {} re-added on {} by a full copy{}: {}\n", r->old_slot, a.new_dev,
               r->resumed ? ", resumed" : "", copied_text(*r));
  } else {
    fmt::print("slot {} replaced by {} (slot {}){}: {}\n", r->old_slot, a.new_dev, r->new_slot,
               r->resumed ? ", resumed" : "", copied_text(*r));
  }
  current.push_back(a.new_dev);
  warn_if_degraded(current);
  return bits;
}

}  // namespace

Command add_replace(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<ReplaceArgs>();
  CLI::App* sub = app.add_subcommand("replace", "Replace a leg by a new device: add, copy, verify, retire the old");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_option("--old", a->old_leg, "The leg to replace: slot number or path")->required();
  sub->add_option("--new", a->new_dev, "The new device")->required();
  sub->add_flag("--force", a->force, "Accept a device with foreign signatures or another array's leg");
  sub->add_flag("--degraded", a->degraded, "Go on with another leg than the one replaced missing: it is recorded missing and recovered when it returns (without it the replace is refused while another in-sync leg is absent)");
  sub->add_option("--max-rate", a->max_rate, "Bytes per second of the copy, e.g. 50M (default: unlimited)");
  sub->add_flag("--restart", a->restart,
                "An interrupted replace is in progress: retire its half-copied leg and start over onto --new");
  return {sub, [&ctx, a] { return run_replace(ctx, *a); }};
}

}  // namespace dmirror::cli
