// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl verify NAME|LEG... [--quick] [--repair [--from LEG]] [--report FILE]`:
// the offline fsck of a mirror. Read-only unless --repair (which also
// rewrites unreadable blocks from a leg that reads them, and repairs
// mismatches only with evidence, as scrub does). The array's state — each
// leg's role, the metadata findings, the condition bits — is the one
// assembly's, exactly as `status` shows it for the same legs; verify adds
// what its run found. Exit status: 0 clean, 1 everything found was
// repaired, 2 degraded, 4 problems left.
#include "array_lock_cli.h"
#include "commands.h"
#include "escape.h"
#include "exit_codes.h"
#include "health_text.h"
#include "leg_caching.h"
#include "op_support.h"
#include "status_view.h"

#include <dmirror/names.h>
#include <dmirror/assembly.h>
#include <dmirror/leg.h>
#include <dmirror/metadata_events.h>
#include <dmirror/verify.h>

#include <fmt/format.h>

#include <fstream>
#include <optional>

namespace dmirror::cli {
namespace {

struct VerifyArgs {
  std::vector<std::string> legs;
  bool quick = false, repair = false, degraded = false;
  std::string from, report;
};

// The bits of what the run itself found; the array's conditions come from
// the assembly (run_verify).
int exit_bits(const VerifyReport& r) {
  int bits = 0;
  for (const auto& f : r.findings) {
    bits |= operation_finding_bits(f);
    if (f.code == "resync-outvoted") bits |= kExitCorrected;   // the crash window settled first
  }
  for (const auto& m : r.mismatches) {
    if (m.repaired) bits |= kExitCorrected;
    else if (m.cls == MismatchClass::Corruption) bits |= kExitUncorrected;
    else bits |= kExitDegraded;   // crash window / never synced: a resync settles it
  }
  return bits;
}

// verify --repair also rewrites damaged superblock copies, after the
// libblkid ambiguity check (repair_superblock_copies refuses otherwise).
void repair_copies(const std::vector<std::string>& paths, Findings& out) {
  for (const auto& p : paths) {
    auto dev = open_device(p, OpenOptions{.writable = true});
    if (!dev) continue;
    auto meta = read_leg(**dev);
    if (!meta || meta->copies_agree()) continue;
    auto done = repair_superblock_copies(**dev, p, *meta);
    if (!done) {
      out.push_back({Severity::Error, "superblock-copy-not-repaired", done.error().describe(), p, meta->sb.slot});
      continue;
    }
    for (const CopyRepair& c : *done) {
      std::string what;
      if (c.dropped)
        what = fmt::format("superblock copy 2 at offset {} was dropped: the leg has no room for it past its data "
                           "area any more (it was shrunk); it keeps copies 0 and 1",
                           c.offset);
      else if (c.copy == 2 && c.new_offset != c.offset)
        what = fmt::format("superblock copy 2 was moved from offset {} to {}, where the leg's size puts it "
                           "(seqno {})",
                           c.offset, c.new_offset, meta->sb.seqno);
      else
        what = fmt::format("superblock copy {} at offset {} was {} and has been rewritten from copy {} (seqno {})",
                           c.copy, c.offset, copy_state_name(c.was), meta->chosen, meta->sb.seqno);
      out.push_back({Severity::Warning, "superblock-copy-repaired", what, p, static_cast<int64_t>(meta->sb.slot)});
    }
  }
}

int run_verify(const Context& ctx, const VerifyArgs& a) {
  // Options that only mean something to a repair are refused without one:
  // nothing is opened, nothing written.
  if (!a.from.empty() && !a.repair)
    return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                          "--from chooses the leg whose data a repair copies; it needs --repair (verify "
                          "without --repair only reads). Add --repair, or leave --from out");
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  VerifyOptions o;
  o.quick = a.quick;
  o.repair = a.repair;
  o.degraded = a.degraded;
  if (!a.from.empty()) {
    auto slot = parse_leg_choice(a.from, *paths);
    if (!slot) return report_error(ctx, "invalid --from", slot.error());
    o.choice.from_slot = *slot;
  }
  o.control.progress = progress_printer(ctx);
  o.control.cancel = install_cancel_handler();
  std::optional<ArrayLock> held;   // --repair writes; a plain verify takes no lock
  if (a.repair) {
    auto l = lock_array_at(*paths);
    if (!l) return report_error(ctx, "cannot lock the array", l.error());
    held.emplace(std::move(*l));
  }
  Findings extra;
  if (a.repair) repair_copies(*paths, extra);
  auto legs = open_legs(*paths, offline_leg_options(a.repair));
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  note_leg_caching(ctx, *legs);
  // Every rewritten copy is recorded in the event history, as repairs are.
  for (const auto& f : extra) {
    if (f.code != "superblock-copy-repaired") continue;
    const std::string detail = "verify --repair: " + f.leg + ": " + f.message;
    if (auto st = record_metadata_repaired(legs->devices(), static_cast<uint32_t>(f.slot), detail, a.degraded); !st)
      return report_error(ctx, "cannot record the repair in the event history", st.error());
  }
  auto r = verify(legs->devices(), o);
  end_progress(ctx);
  if (!r) return report_error(ctx, "verify failed", r.error());
  for (auto& f : extra) r->findings.insert(r->findings.begin(), f);
  // The array's state as `status` shows it for these legs: after a repair,
  // what the run left (a leg it failed, a stale leg it began to rebuild).
  auto assembled = assemble_paths(*paths);
  const Assembly& state = assembled ? *assembled : r->assembly;
  Findings findings = shown_findings(state);
  findings.insert(findings.end(), r->findings.begin(), r->findings.end());
  const int bits = exit_bits(*r) | health_exit_bits(state);

  Json doc = json_envelope();
  doc["array"] = {{"name", r->sb.name}, {"uuid", r->sb.array_uuid.str()}};
  doc["mode"] = a.quick ? "quick" : "full";
  doc["repair"] = a.repair;
  doc["regions_compared"] = r->regions_compared;
  doc["bytes_compared"] = r->bytes_compared;
  doc["mismatch_count"] = r->mismatches.size();
  doc["repaired"] = r->repaired;
  doc["health"] = std::string(health_name(state.health));
  doc["conditions"] = conditions_json(state);
  doc["legs"] = roles_json(state);
  doc["mismatches"] = Json::array();
  for (const auto& m : r->mismatches) doc["mismatches"].push_back(mismatch_json(m));
  doc["findings"] = Json::array();
  for (const auto& f : findings) doc["findings"].push_back(finding_json(f));
  doc["exit_code"] = bits;
  if (!a.report.empty()) {
    std::ofstream out(a.report);
    out << doc.dump(2) << "\n";
    if (!out) return report_failure(ctx, "cannot write the report", ErrorCode::Io, "writing " + a.report + " failed");
  }
  if (ctx.json) {
    print_json(doc);
  } else {
    fmt::print("verify of '{}' ({}): {} compared, {}, {} repaired\n", printable(r->sb.name),
               a.quick ? "quick" : "full", count_of(r->regions_compared, "region"),
               count_of(r->mismatches.size(), "mismatch"), r->repaired);
    fmt::print("Health:      {}\n", health_line(state));
    print_roles_text(state);
    print_findings_text(findings);
    if (findings.empty()) fmt::print("no problems found\n");
  }
  return bits;
}

}  // namespace

Command add_verify(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<VerifyArgs>();
  CLI::App* sub = app.add_subcommand("verify", "Check metadata and compare the data of every in-sync leg (read-only unless --repair)");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_flag("--quick", a->quick, "Metadata and regions dirty in the journal only");
  sub->add_flag("--repair", a->repair,
                "Rewrite unreadable blocks, damaged superblock copies and differing legs (mismatches only from "
                "--from, a strict majority, or in a region dirty in the journal the lowest in-sync slot)");
  sub->add_option("--from", a->from, "With --repair: the leg (slot or path) whose data wins");
  sub->add_flag("--degraded", a->degraded, "With --repair: go on with a leg missing: it is recorded missing and recovered when it returns (without it the command is refused while an in-sync leg is absent)");
  sub->add_option("--report", a->report, "Also write the JSON report to FILE");
  return {sub, [&ctx, a] { return run_verify(ctx, *a); }};
}

}  // namespace dmirror::cli
