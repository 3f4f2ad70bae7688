// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl scrub NAME|LEG... [--check-only] [--from LEG] [--max-rate R]
// [--rate-file F] [--restart] [--max-runtime D] [--continue]`: compare every
// region, heal unreadable blocks, and repair mismatches only with evidence
// (scrub.h). The rate can change while it runs (--rate-file is re-read
// between chunks). --max-runtime stops at the next chunk after D with the
// checkpoint kept; --continue only resumes a scrub in progress (the nightly
// timer). Exit status: 0 clean, 1 repaired (mismatches or unreadable
// blocks), 4 mismatches left, 2 degraded (ORed), 32 interrupted; a run
// stopped by its time box exits with the bits of what it checked so far
// (0, 1, 2 or 4), never 32.
#include "array_lock_cli.h"
#include "commands.h"
#include "escape.h"
#include "exit_codes.h"
#include "health_text.h"
#include "leg_caching.h"
#include "op_support.h"
#include "time_box.h"
#include "online_dispatch.h"
#include "journal_log.h"
#include "rate_file.h"

#include <dmirror/assembly.h>
#include <dmirror/leg.h>
#include <dmirror/names.h>
#include <dmirror/scrub.h>

#include <fmt/format.h>

#include <syslog.h>

namespace dmirror::cli {
namespace {

struct ScrubArgs {
  std::vector<std::string> legs;
  bool check_only = false, restart = false, continue_only = false, quiet = false, degraded = false;
  std::string from, max_rate, rate_file, max_runtime, lock_dir;
};

// True when the newest superblock of the legs holds a scrub checkpoint.
bool scrub_in_progress(const std::vector<std::string>& paths) {
  uint64_t seqno = 0;
  bool in_progress = false;
  for (const auto& p : paths) {
    auto dev = open_device(p, OpenOptions{.writable = false, .exclusive = false});
    auto meta = dev ? read_leg(**dev) : Result<LegMetadata>(std::unexpected(dev.error()));
    if (!meta || meta->sb.seqno < seqno) continue;
    seqno = meta->sb.seqno;
    in_progress = meta->sb.checkpoint.op == OfflineOp::Check || meta->sb.checkpoint.op == OfflineOp::Repair;
  }
  return in_progress;
}

// A scheduled run with nothing to do says nothing (cron mails any output);
// -v says why on stderr.
int nothing_to_continue(const Context& ctx, const std::string& why) {
  if (ctx.json) {
    Json doc = json_envelope();
    doc["result"] = "idle";
    doc["message"] = why;
    doc["exit_code"] = kExitOk;
    print_json(doc);
  } else if (ctx.verbose) {
    log_stderr(LOG_INFO, "dmirrorctl: " + why);
  }
  return kExitOk;
}

// The report, each line at its syslog priority (journal_log.h): a clean run
// is info, which --quiet leaves out; what needs a look is a warning or an
// error.
void print_scrub_text(const ScrubArgs& a, const ScrubReport& r, bool timed_out, int bits) {
  const bool q = a.quiet;
  const int summary = bits & (kExitUncorrected | kExitOperational) ? LOG_ERR
                      : bits & (kExitCorrected | kExitDegraded)  ? LOG_WARNING
                                                                  : LOG_INFO;
  report_line(summary,
              fmt::format("scrub {}{}: {}, {}, {} repaired", scrub_result_name(r.result),
                          r.resumed ? fmt::format(" (resumed at offset {})", r.resumed_from) : "",
                          count_of(r.regions, "region"), count_of(r.mismatches, "mismatch"), r.repaired),
              q);
  for (const auto& f : r.findings)
    if (f.code == "read-error-corrected" || f.code == "data-unreadable" || f.code == "leg-failed" ||
        f.code == "leg-read-error-no-evidence" || is_vote_note(f))
      report_line(f.code == "read-error-corrected" || is_vote_note(f) ? LOG_WARNING : LOG_ERR,
                  "  " + finding_subject(f) + printable_message(f.message), q);
  for (const auto& m : r.found) {
    const bool left = !m.repaired;
    report_line(left ? LOG_ERR : LOG_WARNING, "  " + mismatch_finding(m).message, q);
  }
  if (r.corrected)
    report_line(LOG_WARNING,
                fmt::format("{} unreadable block(s) rewritten from a good leg and read back good", r.corrected), q);
  if (r.degraded) report_line(LOG_WARNING, "the array is degraded: see `dmirrorctl status`", q);
  if (timed_out)
    report_line(LOG_NOTICE,
                fmt::format("time box of {} reached; run the scrub again (or with --continue) to resume", a.max_runtime),
                q);
  else if (r.result == ScrubResult::Interrupted)
    report_line(LOG_NOTICE, "interrupted; run the scrub again to resume", q);
}

int run_scrub(const Context& ctx, const ScrubArgs& a) {
  uint64_t max_runtime = 0;
  if (!a.max_runtime.empty()) {
    auto d = parse_duration(a.max_runtime);
    if (!d) return report_error(ctx, "invalid --max-runtime", d.error());
    max_runtime = *d;
  }
  if (!a.from.empty() && a.check_only)
    return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                          "--from chooses the source of a repair; it cannot go with --check-only");
  if (a.continue_only && a.restart)
    return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                          "--continue and --restart exclude each other; give one of them");
  if (!a.max_rate.empty() && !a.rate_file.empty())
    return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                          "--max-rate and --rate-file exclude each other; give one of them");
  if (a.continue_only && active_volume_of(a.legs))
    return nothing_to_continue(ctx, "the volume is active; the kernel's check does not resume: nothing to continue");
  // An active volume is scrubbed by the kernel (online_dispatch.h).
  const std::string offline_only = a.restart ? "--restart"
                                   : !a.max_rate.empty() ? "--max-rate" : !a.rate_file.empty() ? "--rate-file" : "";
  if (auto online = try_online_scrub(ctx, a.legs, a.check_only, a.from, offline_only)) return *online;
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  if (a.continue_only && !scrub_in_progress(*paths)) return nothing_to_continue(ctx, "no scrub in progress: nothing to continue");
  ScrubOptions o;
  o.repair = !a.check_only;
  o.restart = a.restart;
  o.degraded = a.degraded;
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
  if (!a.rate_file.empty()) {
    // Re-read between chunks; a bad file keeps the last valid rate (rate_file.h).
    auto rf = RateFile::open(a.rate_file);
    if (!rf) return report_error(ctx, "invalid --rate-file", rf.error());
    o.control.max_rate = [rf = *rf] { return rf->rate(); };
  } else {
    o.control.max_rate = [fixed_rate] { return fixed_rate; };
  }
  if (!a.quiet) o.control.progress = progress_printer(ctx);
  o.control.cancel = install_cancel_handler();
  auto held = lock_array_at(*paths, a.lock_dir);
  if (!held && a.continue_only && held.error().code == ErrorCode::Busy)
    return nothing_to_continue(ctx, "another command holds the array: nothing to continue");
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  auto legs = open_legs(*paths, offline_leg_options(true));
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  note_leg_caching(ctx, *legs);
  if (max_runtime) arm_time_box(max_runtime);
  auto r = scrub(legs->devices(), o);
  if (!a.quiet) end_progress(ctx);
  if (!r) return report_error(ctx, "scrub failed", r.error());
  const bool timed_out = r->result == ScrubResult::Interrupted && time_box_expired();

  int bits = 0;
  switch (r->result) {
    case ScrubResult::Clean: break;
    case ScrubResult::Repaired: bits = kExitCorrected; break;
    case ScrubResult::Mismatches: bits = kExitUncorrected | (r->repaired ? kExitCorrected : 0); break;
    case ScrubResult::Interrupted:
      bits = timed_out ? (r->mismatches > r->repaired || r->unhealed ? kExitUncorrected : 0) | (r->repaired ? kExitCorrected : 0)
                       : kExitCancelled;
      break;
    default: bits = kExitOperational; break;
  }
  if (r->corrected && (r->result != ScrubResult::Interrupted || timed_out)) bits |= kExitCorrected;
  if (r->degraded) bits |= kExitDegraded;
  for (const auto& f : r->findings)   // the crash window settled first: a leg's copy outvoted
    if (f.code == "resync-outvoted") bits |= kExitCorrected;
  // A check command: the array's condition bits, as the one assembly
  // judges them after the run (exit_codes.h).
  if (bits != kExitCancelled)
    if (auto assembled = assemble_paths(*paths)) bits |= health_exit_bits(*assembled);
  if (ctx.json) {
    Json doc = json_envelope();
    doc["result"] = std::string(scrub_result_name(r->result));
    doc["resumed"] = r->resumed;
    doc["resumed_from"] = r->resumed_from;
    doc["regions"] = r->regions;
    doc["mismatch_count"] = r->mismatches;
    doc["repaired"] = r->repaired;
    doc["max_runtime_reached"] = timed_out;
    doc["corrected"] = r->corrected;
    doc["unreadable"] = r->unreadable;
    doc["unhealed"] = r->unhealed;
    doc["degraded"] = r->degraded;
    doc["findings"] = findings_json(r->findings);
    doc["mismatches"] = Json::array();
    for (const auto& m : r->found) doc["mismatches"].push_back(mismatch_json(m));
    doc["exit_code"] = bits;
    print_json(doc);
  } else {
    print_scrub_text(a, *r, timed_out, bits);
  }
  return bits;
}

}  // namespace

Command add_scrub(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<ScrubArgs>();
  CLI::App* sub = app.add_subcommand(
      "scrub", "Compare every region of every in-sync leg, heal read errors, repair with evidence (resumable)");
  sub->add_option("array", a->legs, "Array name (searched on block devices), or the paths of its legs")->required();
  sub->add_flag("--check-only", a->check_only,
                "Report mismatches without repairing any (unreadable blocks are still rewritten from a good leg)");
  sub->add_option("--from", a->from,
                  "The leg (slot or path) whose data wins. Without it a mismatch is repaired only from a strict "
                  "majority of the legs or, in a region dirty in the journal, from the lowest in-sync slot; "
                  "otherwise it is reported and left alone (exit 4). On an active volume: the kernel's repair, "
                  "which copies from the first in-sync leg, so only that leg may be named");
  sub->add_option("--max-rate", a->max_rate, "Bytes per second, e.g. 50M (default: unlimited)");
  sub->add_option("--rate-file", a->rate_file, "Re-read the rate limit from FILE while running");
  sub->add_flag("--restart", a->restart, "Start over instead of resuming an interrupted scrub");
  sub->add_flag("--degraded", a->degraded, "Go on with a leg missing: it is recorded missing and recovered when it returns (without it the command is refused while an in-sync leg is absent)");
  sub->add_option("--max-runtime", a->max_runtime,
                  "Stop after DURATION (e.g. 6h, 30m) with the checkpoint kept; exit status as far as checked");
  sub->add_flag("--continue", a->continue_only,
                "Only resume a scrub in progress; do nothing (exit 0) when there is none or another is running");
  sub->add_flag("-q,--quiet", a->quiet,
                "Print only what needs a look (mismatches, rewritten blocks, a degraded array, errors): a clean "
                "or time-boxed run prints nothing, for cron");
  sub->add_option("--lock-dir", a->lock_dir,
                  "Directory of the array lock files (default: $DMIRROR_LOCK_DIR, else /run/dmirror)");
  sub->footer(
      "Exit status: 0 clean, 1 mismatches repaired or unreadable blocks rewritten, 4 mismatches left (no\n"
      "evidence for either copy, or a block no leg can read), 8 error, 32 interrupted (checkpoint kept),\n"
      "ORed with the array's condition bits (2 resync pending or degraded, 4 inconsistent). A run stopped\n"
      "by --max-runtime exits with the bits of what it checked (0, 1, 2 or 4); the next run resumes. On an\n"
      "active volume the kernel runs the check (a repair only with --from): --max-runtime does not apply\n"
      "there.");
  return {sub, [&ctx, a] { return run_scrub(ctx, *a); }};
}

}  // namespace dmirror::cli
