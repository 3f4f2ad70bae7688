// SPDX-License-Identifier: LGPL-2.1-or-later
// Rendering of an assembled array, in the spirit of `mdadm --detail` and
// `zpool status`: identity, health and the conditions behind it, geometry,
// sequence agreement, one line per slot with its role and recovery, the
// devices that are not members, last scrub, findings naming their leg.
// Text from disk goes through printable().
#include "status_view.h"

#include "colour.h"
#include "health_text.h"
#include "json_model.h"
#include "settings_view.h"
#include "sync_progress.h"

#include <dmirror/names.h>

#include <fmt/format.h>

#include <cmath>

namespace dmirror::cli {
namespace {

std::string sequence_text(const Assembly& a) {
  std::string behind;
  for (const auto& s : a.slots) {
    const AssembledLeg* l = slot_leg(a, s);
    if (l && s.seqno < a.sb.seqno)
      behind += fmt::format("{}{} at {}", behind.empty() ? "" : ", ", printable(l->name), s.seqno);
  }
  if (behind.empty()) return fmt::format("all legs found at seqno {}", a.sb.seqno);
  return fmt::format("newest seqno {}; behind: {}", a.sb.seqno, behind);
}

std::string other_text(const AssembledLeg& l) {
  std::string out = fmt::format("{}: {}", printable(l.name), disposition_name(l.disposition));
  if (l.slot >= 0) out += fmt::format(" (slot {})", l.slot);
  if (l.error) out += ": " + printable_message(l.error->describe());
  return out;
}

}  // namespace

Json conditions_json(const Assembly& a) {
  return Json{{"degraded", a.degraded},         {"resync_pending", a.resync_pending},
              {"initial_sync", a.initial_sync}, {"unclean", a.unclean},
              {"inconsistent", a.inconsistent}, {"split_brain", a.split_brain},
              {"forced", a.forced},             {"dirty_regions", a.dirty_regions},
              {"in_use", in_use_json(a)},       {"details", health_details(a)}};
}

Json splits_json(const Assembly& a) {
  Json out = Json::array();
  for (const SplitView& v : a.splits)
    out.push_back({{"slot", v.slot},
                   {"uuid", v.entry.uuid.str()},
                   {"split_uuid", v.split_uuid.str()},
                   {"split_seqno", v.entry.state_seq},
                   {"tracking", v.tracking},
                   {"merging", v.merging},
                   {"path", v.leg >= 0 ? Json(a.legs[static_cast<size_t>(v.leg)].name) : Json(nullptr)}});
  return out;
}

std::string split_origin_text(const Assembly& a) {
  const SplitOrigin& o = a.sb.origin;
  if (!(a.sb.incompat & feature::kIncompatSplit) || !o.set()) return {};
  return fmt::format("slot {} of array {} at its seqno {}, {}", o.slot, o.array_uuid.str(), o.split_seqno,
                     split_origin_tracked(a.sb) ? "tracking changes" : "tracking ended");
}

Json in_use_json(const Assembly& a) {
  if (!a.in_use) return nullptr;
  return Json{{"pid", a.in_use->pid}, {"command", a.in_use->command}, {"since", a.in_use->since}};
}

void print_status_text(const Assembly& a, int verbose) {
  const Superblock& sb = a.sb;
  fmt::print("Array:       {} (uuid {})\n", printable(sb.name), sb.array_uuid.str());
  const std::string details = health_details(a);
  fmt::print("Health:      {}{}\n", paint_health(health_name(a.health)), details.empty() ? "" : " (" + details + ")");
  if (a.in_use) fmt::print("In use:      by {}\n", in_use_text(a));
  fmt::print("Size:        {} ({} bytes), region size {} ({} regions)\n", format_size(sb.layout.data_size),
             sb.layout.data_size, format_size(sb.region_size), sb.nr_regions);
  // "in sync" only when the whole array is (mdadm's "clean, degraded"): an
  // array-wide resync that is done says nothing about a missing leg.
  fmt::print("State:       {}, {}\n", sb.has_flag(sbflag::kDirty) ? "dirty" : "clean",
             sb.resync_offset != kOffsetInSync ? fmt::format("resync pending from byte {}", sb.resync_offset)
             : a.health == Health::Healthy     ? std::string("in sync")
                                               : std::string(health_name(a.health)));
  fmt::print("Sequence:    {}\n", sequence_text(a));
  fmt::print("Recovery:    {}\n", recovery_rates_text(sb.kernel.min_recovery_rate, sb.kernel.max_recovery_rate));
  fmt::print("Spares:      {}\n", spare_takeover_text(sb));
  fmt::print("Legs:        {} of {} found\n", slots_found(a), a.slots.size());
  for (const auto& s : a.slots) {
    const AssembledLeg* l = slot_leg(a, s);
    std::string extra = s.split ? "  " + split_text(s)
                        : s.recovery != Recovery::None ? fmt::format("  recovery {}", recovery_name(s.recovery))
                                                       : "";
    if (s.entry.flags & legflag::kWriteMostly) extra += "  write-mostly";
    if (!l || verbose > 0) extra += "  uuid " + s.entry.uuid.str();
    fmt::print("  slot {:<2} {:<24} {} seqno {}{}\n", s.slot, l ? printable(l->name) : "-",
               paint_health(role_name(s), 10), l ? std::to_string(s.seqno) : "-", extra);
    if (any_counter(sb.counters[s.slot]) || verbose > 0)
      fmt::print("          errors: {}\n", leg_counters_text(sb.counters[s.slot]));
  }
  // Slots emptied by a replace or a removal, as mdadm --detail shows them.
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (sb.legs[s].state == LegState::Removed)
      fmt::print("  slot {:<2} {:<24} removed{}\n", s, "-", verbose > 0 ? "  uuid " + sb.legs[s].uuid.str() : "");
  // Spares (FORMAT.md 2.3): no data, no role, absent or not.
  for (const SpareView& v : a.spares)
    fmt::print("  slot {:<2} {:<24} spare{}{}\n", v.slot, v.leg >= 0 ? printable(a.legs[v.leg].name) : "-",
               v.leg >= 0 ? "" : " (not found)", verbose > 0 ? "  uuid " + v.entry.uuid.str() : "");
  // Split slots (FORMAT.md 2.6 rule 24): one copy fewer, the split-off array named.
  for (const SplitView& v : a.splits)
    fmt::print("  slot {:<2} {:<24} {}  array {} at seqno {}, {}{}{}\n", v.slot, "-", paint_health("split", 10),
               v.split_uuid.str(), v.entry.state_seq, v.tracking ? "tracking changes" : "tracking lost",
               v.merging ? ", merge begun" : "", verbose > 0 ? "  uuid " + v.entry.uuid.str() : "");
  if (auto o = split_origin_text(a); !o.empty()) fmt::print("Split from:  {}\n", o);
  bool others = false;
  for (const auto& l : a.legs) {
    if (l.disposition == Disposition::Member || l.disposition == Disposition::Spare) continue;
    if (!others) fmt::print("Not members:\n");
    others = true;
    fmt::print("  {}\n", other_text(l));
  }
  const ScrubSummary& sc = sb.last_scrub;
  fmt::print("Last scrub:  {}\n", sc.result == ScrubResult::Never
                                      ? std::string("never")
                                      : fmt::format("{} at {}, {}, {} repaired",
                                                    scrub_result_name(sc.result), format_time(sc.finished),
                                                    count_of(sc.mismatches, "mismatch"), sc.repaired));
  const Findings findings = shown_findings(a);
  if (!findings.empty()) {
    fmt::print("Findings:\n");
    for (const auto& f : findings) fmt::print("  {}\n", finding_text(f));
  }
}

Json status_json(const Assembly& a) {
  const Superblock& sb = a.sb;
  Json doc = json_envelope();
  doc["name"] = sb.name;
  doc["uuid"] = sb.array_uuid.str();
  doc["health"] = std::string(health_name(a.health));
  doc["conditions"] = conditions_json(a);
  doc["data_size"] = sb.layout.data_size;
  doc["region_size"] = sb.region_size;
  doc["nr_regions"] = sb.nr_regions;
  doc["clean"] = !sb.has_flag(sbflag::kDirty);
  doc["in_sync"] = !a.resync_pending;
  doc["resync_offset"] = offset_or_null(sb.resync_offset);
  doc["seqno"] = sb.seqno;
  doc["legs_expected"] = a.slots.size();
  doc["legs_found"] = slots_found(a);
  Json legs = Json::array();
  for (const auto& s : a.slots) {
    const AssembledLeg* l = slot_leg(a, s);
    Json j = leg_entry_json(s.slot, s.entry);
    j.update(leg_counters_json(sb.counters[s.slot]));
    j["path"] = l ? Json(l->name) : Json(nullptr);
    j["present"] = l != nullptr;
    j["stale"] = s.state == SlotState::Stale && !s.split;
    j["seqno"] = l ? Json(s.seqno) : Json(nullptr);
    j["status"] = effective_state(s);
    j["role"] = role_name(s);
    j["recovery"] = std::string(recovery_name(s.recovery));
    j["written_while_absent"] = s.written_while_absent;
    j["split_undecided"] = s.split_undecided;
    legs.push_back(std::move(j));
  }
  doc["legs"] = legs;
  doc["settings"] = settings_json(sb);
  Json others = Json::array(), paths = Json::array();
  for (const auto& l : a.legs) {
    if (l.disposition == Disposition::Member || l.disposition == Disposition::Spare) continue;
    Json o{{"path", l.name}, {"disposition", std::string(disposition_name(l.disposition))}};
    o["slot"] = l.slot >= 0 ? Json(l.slot) : Json(nullptr);
    if (l.error) o["error"] = l.error->describe();
    if (l.meta && l.meta->sb.array_uuid != sb.array_uuid) o["foreign_array"] = l.meta->sb.array_uuid.str();
    others.push_back(std::move(o));
    paths.push_back(l.name);
  }
  doc["other_devices"] = paths;   // [string] since 1.0
  doc["non_members"] = others;
  Json spares = Json::array();
  for (const SpareView& v : a.spares)
    spares.push_back({{"slot", v.slot},
                      {"uuid", v.entry.uuid.str()},
                      {"path", v.leg >= 0 ? Json(a.legs[v.leg].name) : Json(nullptr)},
                      {"present", v.leg >= 0}});
  doc["spares"] = spares;
  doc["splits"] = splits_json(a);
  doc["split_origin"] = split_origin_json(a.sb);
  doc["last_scrub"] = superblock_json(sb)["last_scrub"];
  doc["findings"] = findings_json(shown_findings(a));
  doc["events"] = events_json(a.events, 10);
  return doc;
}

void print_roles_text(const Assembly& a) {
  for (const auto& s : a.slots) {
    const AssembledLeg* l = slot_leg(a, s);
    fmt::print("  slot {:<2} {:<30} {}{}\n", s.slot, l ? printable(l->name) : "-", paint_health(role_name(s)),
               s.split ? " (" + split_text(s) + ")"
               : s.recovery != Recovery::None ? fmt::format(", recovery {}", recovery_name(s.recovery))
                                              : "");
  }
}

Json roles_json(const Assembly& a) {
  Json legs = Json::array();
  for (const auto& s : a.slots) {
    const AssembledLeg* l = slot_leg(a, s);
    legs.push_back({{"slot", s.slot},
                    {"path", l ? Json(l->name) : Json(nullptr)},
                    {"state", effective_state(s)},
                    {"role", role_name(s)},
                    {"recovery", std::string(recovery_name(s.recovery))},
                    {"written_while_absent", s.written_while_absent},
                    {"split_undecided", s.split_undecided},
                    {"uuid", s.entry.uuid.str()}});
  }
  return legs;
}

void print_listed_header() {
  fmt::print("{:<20} {:<36}  {:>5}  {:>9}  {:>6}  {}\n", "NAME", "UUID", "LEGS", "SIZE", "SYNC%", "HEALTH");
}

void print_listed_text(const Assembly& a) {
  fmt::print("{:<20} {:<36}  {:>2}/{:<2}  {:>9}  {:>6.2f}  {}\n", printable(a.sb.name), a.sb.array_uuid.str(),
             slots_found(a), a.slots.size(), format_size(a.sb.layout.data_size), sync_percent(a),
             paint_health(health_name(a.health)));
  print_roles_text(a);
  for (const auto& f : shown_findings(a))
    if (f.code == "name-invalid") fmt::print("  {}\n", finding_text(f));
}

Json listed_json(const Assembly& a) {
  Json j{{"name", a.sb.name},
         {"uuid", a.sb.array_uuid.str()},
         {"health", std::string(health_name(a.health))},
         {"conditions", conditions_json(a)},
         {"legs_found", slots_found(a)},
         {"legs_expected", a.slots.size()},
         {"seqno", a.sb.seqno},
         {"data_size", a.sb.layout.data_size},
         {"sync_percent", std::round(sync_percent(a) * 100) / 100}};
  j["legs"] = roles_json(a);
  j["findings"] = findings_json(shown_findings(a));
  return j;
}

}  // namespace dmirror::cli
