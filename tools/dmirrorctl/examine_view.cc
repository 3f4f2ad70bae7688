// SPDX-License-Identifier: LGPL-2.1-or-later
// Text and JSON rendering of `examine`.
#include "examine_view.h"

#include "health_text.h"
#include "last_resort_decision.h"
#include "json_model.h"
#include "status_view.h"

#include <dmirror/names.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

std::string offset_text(uint64_t v) { return v == kOffsetInSync ? "-" : std::to_string(v); }

void print_copies(const LegMetadata& m) {
  fmt::print("  Superblock copies:\n");
  for (int i = 0; i < 3; ++i) {
    const CopyInfo& c = m.copies[i];
    if (i == 2 && c.state == CopyState::None) {
      fmt::print("    copy 2 none (the array predates it, or the leg has no room past its data area)\n");
      continue;
    }
    fmt::print("    copy {} at {:<8} {:<11} seqno {}{}{}\n", i, c.offset, copy_state_name(c.state), c.seqno,
               m.chosen == i ? "  (in use)" : "", c.detail.empty() ? "" : "  " + c.detail);
  }
}

void print_leg_table(const Superblock& sb) {
  fmt::print("  Legs:\n    {:<4} {:<36}  {:<10} {:>9}  {:>14}  {:>10}  {}\n", "slot", "uuid", "state", "state_seq",
             "recovery", "size", "flags");
  for (uint32_t s = 0; s < kMaxLegs; ++s) {
    const LegEntry& e = sb.legs[s];
    if (e.state == LegState::Unused) continue;
    std::string flags = (e.flags & legflag::kWriteMostly) ? "write-mostly" : "";
    if (s == sb.slot) flags += flags.empty() ? "this leg" : ", this leg";
    if (e.state == LegState::Split)   // FORMAT.md 2.6 rule 24
      flags += (flags.empty() ? "" : ", ") + std::string("split off as array ") + sb.split_uuid[s].str() +
               ((e.flags & legflag::kMerging) ? ", merge begun" : "");
    fmt::print("    {:<4} {:<36}  {:<10} {:>9}  {:>14}  {:>10}  {}\n", s, e.uuid.str(), leg_state_name(e.state),
               e.state_seq, offset_text(e.recovery_offset), format_size(e.device_size), flags);
  }
  fmt::print("  Error counters (until `dmirrorctl clear`; limit {} read errors in {} s):\n",
             sb.error_limit ? sb.error_limit : kDefaultErrorLimit, sb.error_window ? sb.error_window : kDefaultErrorWindow);
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (sb.legs[s].state != LegState::Unused) fmt::print("    slot {:<4} {}\n", s, leg_counters_text(sb.counters[s]));
}

void print_state(const Superblock& sb) {
  fmt::print("  State:        {}, sync owned by {}{}\n", sb.has_flag(sbflag::kDirty) ? "dirty" : "clean",
             sb.has_flag(sbflag::kKernelOwnsSync) ? "the kernel" : "offline tools",
             sb.has_flag(sbflag::kAssumeClean) ? ", created with --assume-clean" : "");
  fmt::print("  Degraded boot: {}\n", degraded_boot_text(sb.degraded_timeout));
  fmt::print("  Resync:       {}\n",
             sb.resync_offset == kOffsetInSync ? "complete" : fmt::format("pending from byte {}", sb.resync_offset));
  const Checkpoint& c = sb.checkpoint;
  if (c.op == OfflineOp::None) {
    fmt::print("  Checkpoint:   none\n");
  } else {
    fmt::print("  Checkpoint:   {} at byte {} ({}, {}, {} repaired), started {}\n", offline_op_name(c.op), c.position,
               count_of(c.regions_done, "region"), count_of(c.mismatches, "mismatch"), c.repaired,
               format_time(c.started));
  }
  const ScrubSummary& s = sb.last_scrub;
  if (s.result == ScrubResult::Never) {
    fmt::print("  Last scrub:   never\n");
  } else {
    fmt::print("  Last scrub:   {} at {} ({}, {}, {} repaired)\n", scrub_result_name(s.result),
               format_time(s.finished), count_of(s.regions, "region"), count_of(s.mismatches, "mismatch"), s.repaired);
  }
}

}  // namespace

void print_examined_text(const Examined& e, size_t max_events, int verbose) {
  const Superblock& sb = e.meta.sb;
  const Layout& l = sb.layout;
  fmt::print("{}:\n", printable(e.path));
  fmt::print("  Array:        {} (uuid {})\n", printable(sb.name), sb.array_uuid.str());
  fmt::print("  This leg:     slot {} (uuid {}), seqno {}{}\n", sb.slot, sb.leg_uuid.str(), sb.seqno,
             e.role.empty() ? "" : ", " + e.role);
  fmt::print("  Format:       version {}, features compat {:#x} ro_compat {:#x} incompat {:#x}{}\n", sb.version,
             sb.compat, sb.ro_compat, sb.incompat, e.meta.read_only ? " (read-only: unknown feature)" : "");
  if (sb.incompat & feature::kIncompatGeneration) {
    std::string left;
    for (const GenerationEntry& g : sb.generation_history)
      if (g.branch_seqno != 0)
        left += (left.empty() ? "" : ", ") + generation_hex(g.generation) + " at seqno " + std::to_string(g.branch_seqno);
    fmt::print("  Generation:   {}{}\n", generation_hex(sb.generation), left.empty() ? "" : " (left " + left + ")");
  }
  if ((sb.incompat & feature::kIncompatSplit) && sb.origin.set())
    fmt::print("  Split from:   slot {} of array {} at its seqno {}\n", sb.origin.slot, sb.origin.array_uuid.str(),
               sb.origin.split_seqno);
  fmt::print("  Created:      {}   Updated: {}\n", format_time(sb.ctime), format_time(sb.utime));
  print_copies(e.meta);
  fmt::print("  Data:         {} at offset {}, logical block {} bytes\n", format_size(l.data_size),
             format_size(l.data_offset), sb.logical_block_size);
  fmt::print("  Regions:      {} of {}\n", sb.nr_regions, format_size(sb.region_size));
  if (verbose > 0) {
    fmt::print("  Layout:       journal {}+{}, events {}+{}, kernel metadata {}+{}\n", l.journal_offset,
               l.journal_size, l.events_offset, l.events_size, l.kmeta_offset, l.kmeta_size);
  }
  print_state(sb);
  print_leg_table(sb);
  if (e.journal) {
    fmt::print("  Journal:      {} dirty, {} damaged\n", count_of(e.journal->dirty_regions, "region"),
               count_of(e.journal->damaged_blocks, "block"));
  }
  const auto& evs = e.events.events;
  const size_t first = evs.size() > max_events ? evs.size() - max_events : 0;
  fmt::print("  Events ({} of {}):\n", evs.size() - first, evs.size());
  for (size_t i = first; i < evs.size(); ++i) {
    fmt::print("    #{:<4} {}  {:<18} {}\n", evs[i].seq, format_time(evs[i].time), event_type_name(evs[i].type),
               printable(evs[i].detail));
  }
  if (!e.findings.empty()) {
    fmt::print("  Findings:\n");
    for (const auto& f : e.findings) fmt::print("    {}\n", finding_text(f));
  }
}

namespace {

// A slot whose leg was not given is not missing for examine (only one
// recorded missing is): examine judges the legs it was given.
bool not_given(const SlotView& s) { return s.state == SlotState::Missing && s.entry.state != LegState::Missing; }

std::vector<uint32_t> slots_not_given(const Assembly& a) {
  std::vector<uint32_t> out;
  for (const auto& s : a.slots)
    if (not_given(s)) out.push_back(s.slot);
  return out;
}

// The assembly's findings, without those about slots merely not given.
Findings examine_findings(const Assembly& a) {
  Findings out;
  for (const auto& f : shown_findings(a)) {
    const SlotView* s = f.slot >= 0 ? a.slot(static_cast<uint32_t>(f.slot)) : nullptr;
    if (f.code == "leg-missing" && s && not_given(*s)) continue;
    out.push_back(f);
  }
  return out;
}

// The health of the legs given: the assembly's, unless only slots not
// given made it degraded.
Health examine_health(const Assembly& a) {
  if (a.health != Health::Degraded) return a.health;
  if (!a.splits.empty()) return a.health;   // recorded in the table (FORMAT.md 2.6 rule 24)
  for (const auto& s : a.slots)
    if (s.state != SlotState::InSync && !not_given(s)) return a.health;
  if (a.inconsistent) return Health::Inconsistent;
  return a.resync_pending ? Health::ResyncPending : Health::Healthy;
}

std::string not_given_text(const Assembly& a) {
  std::string out;
  for (uint32_t s : slots_not_given(a)) out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out.empty() ? out : "; not given: slot " + out;
}

// The spares the table lists (FORMAT.md 2.3): not members, so not among
// the slots, but part of the table (a spare examined alone is its slot).
std::string spares_text(const Assembly& a) {
  std::string out;
  for (const SpareView& v : a.spares)
    out += (out.empty() ? "" : ", ") + std::to_string(v.slot) + (v.leg >= 0 ? "" : " (not given)");
  return out.empty() ? out : "; spare: slot " + out;
}

Json spares_json(const Assembly& a) {
  Json out = Json::array();
  for (const SpareView& v : a.spares)
    out.push_back({{"slot", v.slot},
                   {"uuid", v.entry.uuid.str()},
                   {"path", v.leg >= 0 ? Json(a.legs[v.leg].name) : Json(nullptr)},
                   {"present", v.leg >= 0}});
  return out;
}

}  // namespace

void print_examined_array_text(const ExaminedArray& x) {
  const Assembly& a = x.assembly;
  const Health h = examine_health(a);
  const std::string line = h == a.health ? health_line(a) : std::string(health_name(h));
  if (slots_found(a) == 0 && !a.spares.empty()) {
    // Only spares given: nothing of the data to judge.
    fmt::print("\nArray '{}' as its table reads from the legs given ({} slots{}{}): no member given, its health "
               "cannot be judged (give its legs, or use dmirrorctl status)\n",
               printable(a.sb.name), a.slots.size(), not_given_text(a), spares_text(a));
    return;
  }
  fmt::print("\nArray '{}' as assembled from the legs given ({} of {} slots{}{}): {}\n", printable(a.sb.name),
             slots_found(a), a.slots.size(), not_given_text(a), spares_text(a), line);
  for (const auto& f : examine_findings(a))
    if (f.severity >= Severity::Warning) fmt::print("  {}\n", finding_text(f));
}

Json examined_array_json(const ExaminedArray& x) {
  const Assembly& a = x.assembly;
  Json conditions = conditions_json(a);
  bool degraded = !a.splits.empty();   // recorded in the table (rule 24)
  for (const auto& s : a.slots) degraded = degraded || (s.state != SlotState::InSync && !not_given(s));
  conditions["degraded"] = degraded;
  return Json{{"name", a.sb.name},
              {"uuid", a.sb.array_uuid.str()},
              {"health", std::string(health_name(examine_health(a)))},
              {"conditions", conditions},
              {"slots_not_given", slots_not_given(a)},
              {"spares", spares_json(a)},
              {"findings", findings_json(examine_findings(a))},
              {"exit_code", x.exit_bits}};
}

Json examined_json(const Examined& e, size_t max_events) {
  Json j{{"path", e.path}};
  if (e.error) {
    j["error"] = {{"code", std::string(error_code_name(e.error->code))}, {"message", e.error->describe()}};
    j["exit_code"] = e.exit_bits;
    return j;
  }
  j["role"] = e.role.empty() ? Json(nullptr) : Json(e.role);
  j["copies"] = copies_json(e.meta);
  j["read_only"] = e.meta.read_only;
  j["superblock"] = superblock_json(e.meta.sb);
  if (e.journal) {
    j["journal"] = {{"dirty_regions", e.journal->dirty_regions}, {"damaged_blocks", e.journal->damaged_blocks}};
  } else {
    j["journal"] = nullptr;
  }
  j["events"] = events_json(e.events, max_events);
  j["nr_events"] = e.events.events.size();
  j["findings"] = findings_json(e.findings);
  j["exit_code"] = e.exit_bits;
  return j;
}

}  // namespace dmirror::cli
