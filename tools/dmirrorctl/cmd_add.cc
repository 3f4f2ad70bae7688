// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl add NAME|LEG... --new DEV`: one more leg (mdadm --grow
// --raid-devices, lvconvert -m+1). DEV joins a free slot as rebuilding, is
// copied and verified, then is in sync. A killed run leaves the leg
// rebuilding: `resync` with it finishes the copy. On an active volume the
// kernel rebuilds the new leg (dm::online_add); the same command resumes.
#include "commands.h"
#include "exit_codes.h"
#include "health_text.h"
#include "new_leg_run.h"
#include "online_dispatch.h"
#include "op_support.h"

#include <dmirror/leg_count.h>
#include <dmirror/names.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct AddArgs {
  std::vector<std::string> legs;
  std::string new_dev;
  bool force = false;
  bool degraded = false;
  std::string max_rate;
  bool spare = false;
};

// `add --spare`: the device is kept for the array, holding no data.
int run_add_spare(const Context& ctx, const AddArgs& a) {
  if (auto online = try_online_add_spare(ctx, a.legs, a.new_dev, a.force)) return *online;
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  std::vector<std::string> current;
  for (const auto& p : *paths)
    if (p != a.new_dev) current.push_back(p);
  auto started = start_new_leg_run(ctx, current, a.new_dev, a.force, "");
  if (auto* refused = std::get_if<int>(&started)) return *refused;
  NewLegRun& run = std::get<NewLegRun>(started);
  run.options.degraded = a.degraded;
  auto r = add_spare(run.legs.devices(), *run.fresh.owned[0], run.options);
  end_progress(ctx);
  if (!r) return report_error(ctx, "add --spare failed", r.error());
  if (ctx.json) {
    Json doc = json_envelope();
    doc["new_slot"] = r->new_slot;
    doc["spare"] = true;
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else {
    fmt::print("{} added as slot {}: a spare (it holds no data until a replace uses it)\n", a.new_dev, r->new_slot);
  }
  return kExitOk;
}

int run_add(const Context& ctx, const AddArgs& a) {
  if (a.spare) {
    if (!a.max_rate.empty())
      return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                            "--max-rate limits a copy; a spare is not copied onto. Leave it out");
    return run_add_spare(ctx, a);
  }
  // An active volume grows online: the kernel rebuilds the new leg.
  if (auto online = try_online_add(ctx, a.legs, a.new_dev, a.force)) return *online;
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  std::vector<std::string> current;
  for (const auto& p : *paths)
    if (p != a.new_dev) current.push_back(p);
  auto started = start_new_leg_run(ctx, current, a.new_dev, a.force, a.max_rate);
  if (auto* refused = std::get_if<int>(&started)) return *refused;
  NewLegRun& run = std::get<NewLegRun>(started);
  run.options.degraded = a.degraded;
  auto r = add_leg(run.legs.devices(), *run.fresh.owned[0], run.options);
  end_progress(ctx);
  if (!r) return report_error(ctx, "add failed", r.error());
  const int bits = r->outvoted_regions > 0 ? kExitCorrected : kExitOk;
  warn_vote_notes(r->findings);
  if (ctx.json) {
    Json doc = json_envelope();
    doc["new_slot"] = r->new_slot;
    doc["bytes_copied"] = r->bytes_copied;
    doc["bytes_verified"] = r->bytes_verified;
    doc["exit_code"] = bits;
    print_json(doc);
  } else {
    fmt::print("{} added as slot {}: {} copied and verified\n", a.new_dev, r->new_slot,
               format_size_bytes(r->bytes_verified));
  }
  current.push_back(a.new_dev);
  warn_if_degraded(current);
  return bits;
}

}  // namespace

Command add_add(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<AddArgs>();
  CLI::App* sub = app.add_subcommand("add", "Add a leg: join, copy, verify (one more copy of the data)");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_option("--new", a->new_dev, "The new device")->required();
  sub->add_flag("--force", a->force, "Accept a device with foreign signatures or another array's leg");
  sub->add_flag("--degraded", a->degraded, "Go on with a leg missing: it is recorded missing and recovered when it returns (without it the command is refused while an in-sync leg is absent)");
  sub->add_option("--max-rate", a->max_rate, "Bytes per second of the copy, e.g. 50M (default: unlimited)");
  sub->add_flag("--spare", a->spare, "Keep the device as a spare: it holds no data until a replace (or the monitor) uses it");
  return {sub, [&ctx, a] { return run_add(ctx, *a); }};
}

}  // namespace dmirror::cli
