// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl examine LEG...`: everything one leg's metadata says, read-only:
// both superblock copies, identity, geometry, leg table, flags, checkpoint,
// last scrub, journal summary and recent events. Exit bits: 4 for damaged
// metadata on a leg, 8 if unreadable, and the condition bits of the array
// as the one assembly sees it from the legs given (exit_codes.h) - except
// that a slot whose leg was simply not given is not counted as missing.
#include "commands.h"
#include "examine_view.h"
#include "exit_codes.h"
#include "health_text.h"
#include "journal_log.h"

#include <dmirror/assembly.h>
#include <dmirror/journal.h>

#include <fmt/format.h>
#include <syslog.h>

namespace dmirror::cli {
namespace {

void add_finding(Examined& e, Severity s, std::string code, std::string msg) {
  e.findings.push_back(Finding{s, std::move(code), std::move(msg), e.path, e.meta.sb.slot});
}

// The array-level bits of examine: every condition of the assembly, but a
// slot is degraded only by what the legs record (failed, rebuilding, stale,
// recorded missing, split), not because its leg was left off the command line.
int array_bits(const Assembly& a) {
  int bits = 0;
  if (a.resync_pending) bits |= condition_bits(Condition::ResyncPending);
  if (a.inconsistent) bits |= condition_bits(Condition::Inconsistent);
  if (!a.splits.empty()) bits |= condition_bits(Condition::Degraded);   // a split slot (FORMAT.md 2.6 rule 24)
  for (const auto& s : a.slots) {
    const bool recorded_missing = s.state == SlotState::Missing && s.entry.state == LegState::Missing;
    if (s.state == SlotState::Failed || s.state == SlotState::Rebuilding || s.state == SlotState::Stale ||
        recorded_missing)
      bits |= condition_bits(Condition::Degraded);
  }
  return bits;
}

std::string role_of(const Assembly& a, size_t i) {
  const AssembledLeg& l = a.legs[i];
  if (l.disposition != Disposition::Member) return std::string(disposition_name(l.disposition));
  for (const auto& s : a.slots)
    if (s.leg == static_cast<int>(i)) return role_text(s);
  return {};
}

Examined examine_one(const std::string& path) {
  Examined e;
  e.path = path;
  auto dev = open_device(path, OpenOptions{.writable = false, .exclusive = false});
  if (!dev) {
    e.error = dev.error();
    e.exit_bits = exit_code_for(dev.error().code);
    return e;
  }
  auto meta = read_leg(**dev);
  if (!meta) {
    e.error = meta.error();
    e.exit_bits = exit_code_for(meta.error().code);
    return e;
  }
  e.meta = std::move(*meta);
  e.findings = e.meta.findings;
  if (auto j = WriteIntentJournal::load(**dev, e.meta.sb)) {
    e.journal = JournalBlocks{j->dirty_count(), j->damage().size()};
    for (const auto& d : j->damage()) {
      add_finding(e, Severity::Warning, "journal-block-damaged",
                  fmt::format("journal block {}: {}; its regions are treated as dirty", d.block, d.what));
    }
  } else {
    add_finding(e, Severity::Error, "journal-unreadable", j.error().describe());
  }
  if (auto ev = read_events(**dev, e.meta.sb)) {
    e.events = std::move(*ev);
    for (const auto& d : e.events.damage) {
      add_finding(e, Severity::Info, "event-record-damaged",
                  fmt::format("event record {}: {}; skipped", d.record_index, d.what));
    }
  } else {
    add_finding(e, Severity::Warning, "events-unreadable", ev.error().describe());
  }
  // One damaged or older superblock copy is a warning without a condition
  // (the other copy holds the metadata: FORMAT.md 2.6 rule 9), as in status.
  for (const auto& f : e.findings) {
    const bool copy = f.code == "superblock-copy-damaged" || f.code == "superblock-copy-older";
    if (f.severity >= Severity::Warning && !copy) e.exit_bits |= kExitUncorrected;
  }
  return e;
}

int run_examine(const Context& ctx, const std::vector<std::string>& legs, size_t max_events) {
  int bits = 0;
  std::vector<Examined> examined;
  for (const auto& path : legs) {
    examined.push_back(examine_one(path));
    bits |= examined.back().exit_bits;
  }
  std::optional<ExaminedArray> array;
  // The one assembly as status makes it (a writer holding the array included).
  if (auto a = assemble_paths(legs)) {
    array = ExaminedArray{std::move(*a), 0};
    array->exit_bits = array_bits(array->assembly);
    bits |= array->exit_bits;
    for (size_t i = 0; i < examined.size() && i < array->assembly.legs.size(); ++i)
      if (!examined[i].error) examined[i].role = role_of(array->assembly, i);
  }
  Json all = Json::array();
  for (size_t i = 0; i < examined.size(); ++i) {
    const Examined& e = examined[i];
    if (ctx.json) {
      all.push_back(examined_json(e, max_events));
    } else if (e.error) {
      log_stderr(LOG_ERR, fmt::format("dmirrorctl: cannot examine {}: {}.", printable(legs[i]), printable_message(e.error->describe())));
    } else {
      if (i > 0) fmt::print("\n");
      print_examined_text(e, max_events, ctx.verbose);
    }
  }
  if (ctx.json) {
    Json doc = json_envelope();
    doc["legs"] = all;
    doc["array"] = array ? examined_array_json(*array) : Json(nullptr);
    doc["exit_code"] = bits;
    print_json(doc);
  } else if (array) {
    print_examined_array_text(*array);
  }
  return bits;
}

}  // namespace

Command add_examine(CLI::App& app, const Context& ctx) {
  auto legs = std::make_shared<std::vector<std::string>>();
  auto max_events = std::make_shared<size_t>(10);
  CLI::App* sub = app.add_subcommand("examine", "Show the dmirror metadata of legs (read-only)");
  sub->add_option("legs", *legs, "Block devices or image files")->required();
  sub->add_option("--events", *max_events, "How many recent events to show (default 10)");
  return {sub, [&ctx, legs, max_events] { return run_examine(ctx, *legs, *max_events); }};
}

}  // namespace dmirror::cli
