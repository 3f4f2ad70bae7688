// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl clear NAME|LEG... [--leg LEG]`: zero the per-leg error
// counters (read, write, mismatches, corrected) of every leg, or of one
// (zpool clear). The only command that lowers them; records a `counters
// cleared` event. Exit status: 0 cleared, 8 error, 16 usage; a warning on
// stderr when the array is left degraded (a change command, exit_codes.h).
#include "array_lock_cli.h"
#include "commands.h"
#include "exit_codes.h"
#include "op_support.h"

#include <dmirror/counters.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct ClearArgs {
  std::vector<std::string> legs;
  std::string leg;
  bool degraded = false;
};

int run_clear(const Context& ctx, const ClearArgs& a) {
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  uint32_t slot = kNoSlot;
  if (!a.leg.empty()) {
    auto s = parse_leg_choice(a.leg, *paths);
    if (!s) return report_error(ctx, "invalid --leg", s.error());
    slot = *s;
  }
  auto held = lock_array_at(*paths);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto legs = open_legs(*paths, OpenLegsOptions{.writable = true});
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  set_writing(true);
  auto r = clear_counters(legs->devices(), slot, a.degraded);
  set_writing(false);
  if (!r) return report_error(ctx, "cannot clear the counters", r.error());
  if (ctx.json) {
    Json doc = json_envelope();
    doc["array"] = {{"name", r->sb.name}, {"uuid", r->sb.array_uuid.str()}};
    Json cleared = Json::array();
    for (const auto& c : r->cleared) {
      Json j = {{"slot", c.slot}};
      j.update(leg_counters_json(c.before));
      cleared.push_back(std::move(j));
    }
    doc["cleared"] = cleared;
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else {
    for (const auto& c : r->cleared)
      fmt::print("slot {}: error counters cleared (were {})\n", c.slot, leg_counters_text(c.before));
  }
  warn_if_degraded(*paths);
  return kExitOk;
}

}  // namespace

Command add_clear(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<ClearArgs>();
  CLI::App* sub = app.add_subcommand("clear", "Zero the per-leg error counters (read, write, mismatches, corrected)");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_option("--leg", a->leg, "Only this leg (slot or path); default: every leg");
  sub->add_flag("--degraded", a->degraded,
                "Clear even though a leg is missing: it is recorded missing and must be recovered when it returns");
  sub->footer(
      "The counters are raised by scrub, verify --repair and the engine when they meet read errors, failed\n"
      "writes or repaired mismatches, and are kept until cleared here. Clearing records a counters_cleared\n"
      "event. It does not bring a failed leg back: replace or resync it. Offline only: deactivate an active\n"
      "volume first. Clearing writes the superblocks of the legs given: with a member absent it is refused\n"
      "unless --degraded (the absent leg is then recorded missing and recovered from the journal when it\n"
      "returns). Exit status: 0 cleared (a warning on stderr when the array is degraded), 8 error (not\n"
      "found, busy, I/O, a member absent), 16 usage (bad --leg).");
  return {sub, [&ctx, a] { return run_clear(ctx, *a); }};
}

}  // namespace dmirror::cli
