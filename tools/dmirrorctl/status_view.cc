// SPDX-License-Identifier: LGPL-2.1-or-later
// Rendering of an assembled array, in the spirit of `mdadm --detail` and
// `zpool status`: identity, health, geometry, sequence agreement, one line
// per slot, last scrub, findings.
#include "status_view.h"

#include "colour.h"
#include "json_model.h"

#include <dmirror/names.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

bool in_use(const LegEntry& e) { return e.state != LegState::Unused && e.state != LegState::Removed; }

const LegView* slot_leg(const ArrayView& v, uint32_t slot) {
  if (slot >= v.slot_to_leg.size() || v.slot_to_leg[slot] < 0) return nullptr;
  return &v.legs[static_cast<size_t>(v.slot_to_leg[slot])];
}

std::string sequence_text(const ArrayView& v) {
  std::string stale;
  for (uint32_t s = 0; s < v.sb.nr_legs; ++s) {
    const LegView* l = slot_leg(v, s);
    if (l && l->stale) stale += fmt::format("{}{} at {}", stale.empty() ? "" : ", ", l->path, l->meta->sb.seqno);
  }
  if (stale.empty()) return fmt::format("all legs found at seqno {}", v.sb.seqno);
  return fmt::format("newest seqno {}; behind: {}", v.sb.seqno, stale);
}

}  // namespace

std::string slot_state(const ArrayView& v, uint32_t slot) {
  const LegEntry& e = v.sb.legs[slot];
  if (e.state == LegState::Failed || e.state == LegState::Rebuilding || !in_use(e)) {
    return std::string(leg_state_name(e.state));
  }
  const LegView* l = slot_leg(v, slot);
  if (!l) return "missing";
  if (l->stale) return "stale";
  return std::string(leg_state_name(e.state));
}

std::string slot_path(const ArrayView& v, uint32_t slot) {
  const LegView* l = slot_leg(v, slot);
  return l ? l->path : std::string();
}

uint32_t slots_expected(const ArrayView& v) {
  uint32_t n = 0;
  for (uint32_t s = 0; s < v.sb.nr_legs; ++s) n += in_use(v.sb.legs[s]) ? 1 : 0;
  return n;
}

uint32_t slots_found(const ArrayView& v) {
  uint32_t n = 0;
  for (uint32_t s = 0; s < v.sb.nr_legs; ++s) n += (in_use(v.sb.legs[s]) && slot_leg(v, s)) ? 1 : 0;
  return n;
}

void print_status_text(const ArrayView& v, int verbose) {
  const Superblock& sb = v.sb;
  fmt::print("Array:       {} (uuid {})\n", sb.name, sb.array_uuid.str());
  fmt::print("Health:      {}\n", paint_health(health_name(v.health)));
  fmt::print("Size:        {} ({} bytes), region size {} ({} regions)\n", format_size(sb.layout.data_size),
             sb.layout.data_size, format_size(sb.region_size), sb.nr_regions);
  fmt::print("State:       {}, {}\n", sb.has_flag(sbflag::kDirty) ? "dirty" : "clean",
             sb.resync_offset == kOffsetInSync ? "in sync"
                                               : fmt::format("resync pending from byte {}", sb.resync_offset));
  fmt::print("Sequence:    {}\n", sequence_text(v));
  fmt::print("Legs:        {} of {} found\n", slots_found(v), slots_expected(v));
  for (uint32_t s = 0; s < sb.nr_legs; ++s) {
    if (sb.legs[s].state == LegState::Unused) continue;
    const LegView* l = slot_leg(v, s);
    std::string path = l ? l->path : "-";
    std::string seq = l ? std::to_string(l->meta->sb.seqno) : "-";
    std::string extra = (sb.legs[s].flags & legflag::kWriteMostly) ? "  write-mostly" : "";
    if (!l || verbose > 0) extra += "  uuid " + sb.legs[s].uuid.str();
    fmt::print("  slot {:<2} {:<24} {} seqno {}{}\n", s, path, paint_health(slot_state(v, s), 10), seq, extra);
    if (any_counter(sb.counters[s]) || verbose > 0) fmt::print("          errors: {}\n", leg_counters_text(sb.counters[s]));
  }
  const ScrubSummary& sc = sb.last_scrub;
  fmt::print("Last scrub:  {}\n", sc.result == ScrubResult::Never
                                      ? std::string("never")
                                      : fmt::format("{} at {}, {} mismatches, {} repaired",
                                                    scrub_result_name(sc.result), format_time(sc.finished),
                                                    sc.mismatches, sc.repaired));
  if (!v.findings.empty()) {
    fmt::print("Findings:\n");
    for (const auto& f : v.findings) fmt::print("  {}: {}\n", severity_name(f.severity), f.message);
  }
}

Json status_json(const ArrayView& v) {
  const Superblock& sb = v.sb;
  Json doc = json_envelope();
  doc["name"] = sb.name;
  doc["uuid"] = sb.array_uuid.str();
  doc["health"] = std::string(health_name(v.health));
  doc["data_size"] = sb.layout.data_size;
  doc["region_size"] = sb.region_size;
  doc["nr_regions"] = sb.nr_regions;
  doc["clean"] = !sb.has_flag(sbflag::kDirty);
  doc["in_sync"] = sb.resync_offset == kOffsetInSync;
  doc["resync_offset"] = offset_or_null(sb.resync_offset);
  doc["seqno"] = sb.seqno;
  doc["legs_expected"] = slots_expected(v);
  doc["legs_found"] = slots_found(v);
  Json legs = Json::array();
  for (uint32_t s = 0; s < sb.nr_legs; ++s) {
    if (sb.legs[s].state == LegState::Unused) continue;
    const LegView* l = slot_leg(v, s);
    Json j = leg_entry_json(s, sb.legs[s]);
    j.update(leg_counters_json(sb.counters[s]));
    j["path"] = l ? Json(l->path) : Json(nullptr);
    j["present"] = l != nullptr;
    j["stale"] = l && l->stale;
    j["seqno"] = l ? Json(l->meta->sb.seqno) : Json(nullptr);
    j["status"] = slot_state(v, s);
    legs.push_back(std::move(j));
  }
  doc["legs"] = legs;
  Json others = Json::array();
  for (const auto& l : v.legs) {
    if (l.error) others.push_back({{"path", l.path}, {"error", l.error->describe()}});
    else if (l.foreign) others.push_back({{"path", l.path}, {"foreign_array", l.meta->sb.array_uuid.str()}});
  }
  doc["other_devices"] = others;
  doc["last_scrub"] = superblock_json(sb)["last_scrub"];
  doc["findings"] = findings_json(v.findings);
  doc["events"] = events_json(v.events, 10);
  return doc;
}

}  // namespace dmirror::cli
