// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl examine LEG...`: everything one leg's metadata says, read-only:
// both superblock copies, identity, geometry, leg table, flags, checkpoint,
// last scrub, journal summary and recent events. Exit bits: 4 for damaged
// metadata, 2 when the leg's table shows a degraded array, 8 if unreadable.
#include "commands.h"
#include "examine_view.h"
#include "exit_codes.h"

#include <dmirror/journal.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

void add_finding(Examined& e, Severity s, std::string code, std::string msg) {
  e.findings.push_back(Finding{s, std::move(code), std::move(msg), e.path, e.meta.sb.slot});
}

int table_bits(const Superblock& sb) {
  int bits = sb.resync_offset != kOffsetInSync ? kExitDegraded : 0;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    LegState st = sb.legs[s].state;
    if (st == LegState::Failed || st == LegState::Rebuilding) bits |= kExitDegraded;
  }
  return bits;
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
    e.journal = JournalSummary{j->dirty_count(), j->damage().size()};
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
  for (const auto& f : e.findings) {
    if (f.severity >= Severity::Warning) e.exit_bits |= kExitUncorrected;
  }
  e.exit_bits |= table_bits(e.meta.sb);
  return e;
}

int run_examine(const Context& ctx, const std::vector<std::string>& legs, size_t max_events) {
  int bits = 0;
  Json all = Json::array();
  for (size_t i = 0; i < legs.size(); ++i) {
    Examined e = examine_one(legs[i]);
    bits |= e.exit_bits;
    if (ctx.json) {
      all.push_back(examined_json(e, max_events));
    } else if (e.error) {
      fmt::print(stderr, "dmirrorctl: cannot examine {}: {}.\n", legs[i], e.error->describe());
    } else {
      if (i > 0) fmt::print("\n");
      print_examined_text(e, max_events, ctx.verbose);
    }
  }
  if (ctx.json) {
    Json doc = json_envelope();
    doc["legs"] = all;
    doc["exit_code"] = bits;
    print_json(doc);
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
