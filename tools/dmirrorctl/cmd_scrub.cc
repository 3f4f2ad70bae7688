// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl scrub NAME|LEG... [--check-only] [--from LEG] [--max-rate R]
// [--rate-file F] [--restart]`: compare every region and repair. The rate
// can change while it runs (--rate-file is re-read between chunks).
// Exit status: 0 clean, 1 repaired, 4 mismatches left, 32 interrupted.
#include "commands.h"
#include "exit_codes.h"
#include "op_support.h"
#include "online_dispatch.h"

#include <dmirror/names.h>
#include <dmirror/scrub.h>

#include <fmt/format.h>

#include <fstream>

namespace dmirror::cli {
namespace {

struct ScrubArgs {
  std::vector<std::string> legs;
  bool check_only = false, restart = false;
  std::string from, max_rate, rate_file, lock_dir = "/run/dmirror";
};

int run_scrub(const Context& ctx, const ScrubArgs& a) {
  // An active volume is scrubbed by the kernel (online_dispatch.h).
  const std::string offline_only = !a.from.empty() ? "--from" : a.restart ? "--restart"
                                   : !a.max_rate.empty() ? "--max-rate" : !a.rate_file.empty() ? "--rate-file" : "";
  if (auto online = try_online_scrub(ctx, a.legs, a.check_only, offline_only)) return *online;
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  ScrubOptions o;
  o.repair = !a.check_only;
  o.restart = a.restart;
  o.lock_dir = a.lock_dir;
  if (!a.from.empty()) {
    auto slot = parse_leg_choice(a.from, *paths);
    if (!slot) return report_error(ctx, "invalid --from", slot.error());
    o.choice.from_slot = *slot;
  }
  uint64_t fixed_rate = 0;
  if (!a.max_rate.empty()) {
    auto r = parse_size(a.max_rate);
    if (!r) return report_error(ctx, "invalid --max-rate", r.error());
    fixed_rate = *r;
  }
  o.control.max_rate = [fixed_rate, file = a.rate_file]() -> uint64_t {
    if (file.empty()) return fixed_rate;
    std::ifstream in(file);
    std::string text;
    if (!(in >> text)) return fixed_rate;
    auto r = parse_size(text);
    return r ? *r : fixed_rate;
  };
  o.control.progress = progress_printer(ctx);
  o.control.cancel = install_cancel_handler();
  auto legs = open_legs(*paths, OpenLegsOptions{.writable = true});
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  auto r = scrub(legs->devices(), o);
  end_progress(ctx);
  if (!r) return report_error(ctx, "scrub failed", r.error());

  int bits = 0;
  switch (r->result) {
    case ScrubResult::Clean: break;
    case ScrubResult::Repaired: bits = kExitCorrected; break;
    case ScrubResult::Mismatches: bits = kExitUncorrected | (r->repaired ? kExitCorrected : 0); break;
    case ScrubResult::Interrupted: bits = kExitCancelled; break;
    default: bits = kExitOperational; break;
  }
  if (ctx.json) {
    Json doc = json_envelope();
    doc["result"] = std::string(scrub_result_name(r->result));
    doc["resumed"] = r->resumed;
    doc["resumed_from"] = r->resumed_from;
    doc["regions"] = r->regions;
    doc["mismatch_count"] = r->mismatches;
    doc["repaired"] = r->repaired;
    doc["mismatches"] = Json::array();
    for (const auto& m : r->found) doc["mismatches"].push_back(mismatch_json(m));
    doc["exit_code"] = bits;
    print_json(doc);
  } else {
    fmt::print("scrub {}{}: {} regions, {} mismatches, {} repaired\n", scrub_result_name(r->result),
               r->resumed ? fmt::format(" (resumed at offset {})", r->resumed_from) : "", r->regions, r->mismatches,
               r->repaired);
    for (const auto& m : r->found) fmt::print("  {}\n", mismatch_finding(m).message);
    if (r->result == ScrubResult::Interrupted) fmt::print("interrupted; run the scrub again to resume\n");
  }
  return bits;
}

}  // namespace

Command add_scrub(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<ScrubArgs>();
  CLI::App* sub = app.add_subcommand("scrub", "Compare every region of every in-sync leg and repair (resumable)");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_flag("--check-only", a->check_only, "Report mismatches without repairing them");
  sub->add_option("--from", a->from, "The leg (slot or path) whose data wins; default: majority, else lowest slot");
  sub->add_option("--max-rate", a->max_rate, "Bytes per second, e.g. 50M (default: unlimited)");
  sub->add_option("--rate-file", a->rate_file, "Re-read the rate limit from FILE while running");
  sub->add_flag("--restart", a->restart, "Start over instead of resuming an interrupted scrub");
  sub->add_option("--lock-dir", a->lock_dir, "Directory of the scrub lock files")->capture_default_str();
  return {sub, [&ctx, a] { return run_scrub(ctx, *a); }};
}

}  // namespace dmirror::cli
