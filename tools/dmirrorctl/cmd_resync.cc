// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl resync NAME|LEG... [--full] [--from LEG] [--re-add] [--force] [--max-rate R]`:
// bring the legs back in sync offline (journal-driven when possible),
// recover rebuilding legs and re-add legs that came back (stale or missing:
// from the journal when it covers them, else a full copy; failed: only with
// --re-add, as mdadm's). `--from` also settles a split brain (that leg
// wins); `--force` raises the freshest stale or failed leg when no in-sync leg is
// present (mdadm's --force). Resumable: rerun after an interruption.
#include "array_lock_cli.h"
#include "commands.h"
#include "escape.h"
#include "exit_codes.h"
#include "health_text.h"
#include "op_support.h"
#include "journal_log.h"
#include "leg_caching.h"

#include <dmirror/names.h>
#include <dmirror/resync.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <syslog.h>

namespace dmirror::cli {
namespace {

struct ResyncArgs {
  std::vector<std::string> legs;
  bool full = false;
  bool re_add = false;
  bool force = false;
  bool degraded = false;
  std::string from;
  std::string max_rate;
};

int run_resync(const Context& ctx, const ResyncArgs& a) {
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  ResyncOptions o;
  o.full = a.full;
  o.re_add = a.re_add;
  o.force = a.force;
  o.degraded = a.degraded;
  if (!a.from.empty()) {
    auto slot = parse_leg_choice(a.from, *paths);
    if (!slot) return report_error(ctx, "invalid --from", slot.error());
    o.source_slot = *slot;
    o.source_leg = leg_uuid_of(a.from, *paths);
  }
  if (!a.max_rate.empty()) {
    auto rate = parse_size(a.max_rate);
    if (!rate) return report_error(ctx, "invalid --max-rate", rate.error());
    o.control.max_rate = [r = *rate] { return r; };
  }
  o.control.progress = progress_printer(ctx);
  o.control.cancel = install_cancel_handler();
  auto held = lock_array_at(*paths);
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto legs = open_legs(*paths, offline_leg_options(true));
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  note_leg_caching(ctx, *legs);
  auto r = resync(legs->devices(), o);
  end_progress(ctx);
  if (!r) return report_error(ctx, "resync failed", r.error());
  // A change command: done is 0, 1 when it rewrote a leg's copy that a
  // majority outvoted (rule 21: something was corrected); a leg left
  // behind is a warning (exit_codes.h).
  const int bits = r->outvoted_regions > 0 ? kExitCorrected : kExitOk;
  // The findings: the run's own, then the array's as it is now (not as it
  // was before the run: a pending resync it finished is not one).
  auto after = assemble_paths(*paths);
  Findings findings = r->findings;
  if (after) findings.insert(findings.end(), after->findings.begin(), after->findings.end());
  std::vector<uint32_t> readded, journal;
  uint64_t recovery_regions = 0;
  for (const auto& x : r->readded) {
    readded.push_back(x.slot);
    if (x.journal) journal.push_back(x.slot);
    recovery_regions += x.regions_copied;
  }
  auto slot_or_null = [](uint32_t s) { return s == kNoSlot ? Json(nullptr) : Json(s); };
  if (ctx.json) {
    Json doc = json_envelope();
    doc["mode"] = std::string(resync_mode_name(r->mode));
    doc["source_slot"] = r->source_slot;
    doc["resumed_from"] = r->resumed_from;
    doc["regions_copied"] = r->regions_copied;
    doc["bytes_copied"] = r->bytes_copied;
    doc["recovered_slots"] = r->recovered_slots;
    doc["failed_slots"] = r->failed_slots;
    doc["missing_slots"] = r->missing_slots;
    doc["readded_slots"] = readded;
    doc["journal_slots"] = journal;
    doc["recovery_regions_copied"] = recovery_regions;
    doc["readded"] = Json::array();
    for (const auto& x : r->readded)
      doc["readded"].push_back(Json{{"slot", x.slot},
                                    {"journal", x.journal},
                                    {"regions_copied", x.regions_copied},
                                    {"resumed_from", x.resumed_from}});
    doc["chosen_slot"] = slot_or_null(r->chosen_slot);
    doc["forced_slot"] = slot_or_null(r->forced_slot);
    doc["outvoted_regions"] = r->outvoted_regions;
    doc["retired"] = r->retired;
    doc["findings"] = findings_json(findings);
    doc["exit_code"] = bits;
    print_json(doc);
  } else {
    if (r->forced_slot != kNoSlot) fmt::print("slot {} forced in sync (--force)\n", r->forced_slot);
    if (r->chosen_slot != kNoSlot) fmt::print("split brain resolved: slot {} chosen\n", r->chosen_slot);
    // The array-wide pass only when there was one; then each leg brought back.
    std::vector<std::string> parts;
    if (r->regions_copied > 0 || r->readded.empty())
      parts.push_back(fmt::format("resync ({}) from slot {}: {} region{} copied", resync_mode_name(r->mode),
                                  r->source_slot, r->regions_copied, r->regions_copied == 1 ? "" : "s"));
    for (const auto& x : r->readded)
      parts.push_back(fmt::format("slot {} re-added {}: {} region{} copied from slot {}", x.slot,
                                  x.journal ? "from the journal" : "by a full copy", x.regions_copied,
                                  x.regions_copied == 1 ? "" : "s", r->source_slot));
    fmt::print("{}", fmt::join(parts, ", "));
    if (r->outvoted_regions > 0)
      fmt::print(", {} dirty region{} corrected by a majority vote", r->outvoted_regions,
                 r->outvoted_regions == 1 ? "" : "s");
    for (uint32_t s : r->failed_slots) fmt::print(", slot {} FAILED", s);
    for (const auto& l : r->retired) fmt::print(", {} retired (not in the chosen table: wipe it before reuse)", printable(l));
    for (uint32_t s : r->missing_slots) fmt::print(", slot {} MISSING (vanished)", s);
    fmt::print("\n");
  }
  for (const auto& f : r->findings)
    if (f.code == "leg-failed-present" || is_vote_note(f))
      log_stderr(LOG_WARNING, "dmirrorctl: warning: " + finding_subject(f) + printable_message(f.message));
  if (after) warn_if_degraded(*after);
  return bits;
}

}  // namespace

Command add_resync(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<ResyncArgs>();
  CLI::App* sub = app.add_subcommand("resync", "Bring out-of-sync legs and regions back in sync (offline, resumable)");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_flag("--full", a->full,
                "Copy everything, not only the regions dirty in the journal; a killed full resync rerun from the "
                "same leg resumes at its checkpoint. With --from, the other legs become rebuilding from that leg "
                "first, so an interrupted run is finished from it by any later command");
  sub->add_option("--max-rate", a->max_rate, "Bytes per second, e.g. 50M (default: unlimited)");
  sub->add_option("--from", a->from,
                  "The in-sync leg (slot or path) to copy from; in a split brain, the leg whose data is kept "
                  "(the others are copied fully from it)");
  sub->add_flag("--re-add", a->re_add,
                "Also bring back failed legs that are present again, by a full copy (as mdadm --re-add); "
                "without it a failed leg is left alone");
  sub->add_flag("--degraded", a->degraded,
                "Go on with an in-sync leg absent: it is recorded missing and recovered when it returns; after an "
                "unclean shutdown (3+ legs) the dirty regions are settled with the legs present, without the vote "
                "of the absent leg");
  sub->add_flag("--force", a->force,
                "When no in-sync leg is present, raise the freshest stale or failed leg to in sync (as mdadm --force); "
                "a last resort: writes it missed are lost");
  return {sub, [&ctx, a] { return run_resync(ctx, *a); }};
}

}  // namespace dmirror::cli
