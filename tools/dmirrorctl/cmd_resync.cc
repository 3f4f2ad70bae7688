// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl resync NAME|LEG... [--full] [--from LEG]`: bring the legs
// back in sync offline (journal-driven when possible) and recover
// rebuilding legs. Resumable: rerun after an interruption.
#include "commands.h"
#include "exit_codes.h"
#include "op_support.h"

#include <dmirror/resync.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct ResyncArgs {
  std::vector<std::string> legs;
  bool full = false;
  std::string from;
};

int run_resync(const Context& ctx, const ResyncArgs& a) {
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  ResyncOptions o;
  o.full = a.full;
  if (!a.from.empty()) {
    auto slot = parse_leg_choice(a.from, *paths);
    if (!slot) return report_error(ctx, "invalid --from", slot.error());
    o.source_slot = *slot;
  }
  o.control.progress = progress_printer(ctx);
  o.control.cancel = install_cancel_handler();
  auto legs = open_legs(*paths, OpenLegsOptions{.writable = true});
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  auto r = resync(legs->devices(), o);
  end_progress(ctx);
  if (!r) return report_error(ctx, "resync failed", r.error());
  // A change command: done is 0; a leg left behind is a warning (exit_codes.h).
  const int bits = kExitOk;
  if (ctx.json) {
    Json doc = json_envelope();
    doc["mode"] = std::string(resync_mode_name(r->mode));
    doc["source_slot"] = r->source_slot;
    doc["resumed_from"] = r->resumed_from;
    doc["regions_copied"] = r->regions_copied;
    doc["bytes_copied"] = r->bytes_copied;
    doc["recovered_slots"] = r->recovered_slots;
    doc["failed_slots"] = r->failed_slots;
    doc["exit_code"] = bits;
    print_json(doc);
  } else {
    fmt::print("resync ({}) from slot {}: {} regions copied", resync_mode_name(r->mode), r->source_slot, r->regions_copied);
    for (uint32_t s : r->recovered_slots) fmt::print(", slot {} recovered", s);
    for (uint32_t s : r->failed_slots) fmt::print(", slot {} FAILED", s);
    fmt::print("\n");
  }
  warn_if_degraded(*paths);
  return bits;
}

}  // namespace

Command add_resync(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<ResyncArgs>();
  CLI::App* sub = app.add_subcommand("resync", "Bring out-of-sync legs and regions back in sync (offline, resumable)");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_flag("--full", a->full, "Copy everything, not only the regions dirty in the journal");
  sub->add_option("--from", a->from, "The in-sync leg (slot or path) to copy from");
  return {sub, [&ctx, a] { return run_resync(ctx, *a); }};
}

}  // namespace dmirror::cli
