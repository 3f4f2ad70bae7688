// SPDX-License-Identifier: LGPL-2.1-or-later
// JSON forms of superblocks, leg tables, copies, findings and events.
#include "json_model.h"
#include <dmirror/assembly.h>
#include <dmirror/boot_policy.h>
#include <dmirror/names.h>

#include <cstdio>

namespace dmirror::cli {

Json offset_or_null(uint64_t v) {
  if (v == kOffsetInSync || v == kNoSlot) return nullptr;
  return v;
}

// A time recorded in the superblock; 0 there means "never".
Json time_or_null(uint64_t unix_seconds) {
  if (unix_seconds == 0) return nullptr;
  return unix_seconds;
}

Json leg_entry_json(uint32_t slot, const LegEntry& e) {
  return Json{{"slot", slot},
              {"uuid", e.uuid.str()},
              {"state", std::string(leg_state_name(e.state))},
              {"in_sync", e.state == LegState::InSync || e.state == LegState::Replacing},
              {"write_mostly", (e.flags & legflag::kWriteMostly) != 0},
              {"state_seq", e.state_seq},
              {"recovery_offset", offset_or_null(e.recovery_offset)},
              {"device_size", e.device_size},
              {"replacement_slot", offset_or_null(e.replacement_slot)}};
}

Json leg_counters_json(const LegCounters& c) {
  return Json{{"read_errors", c.read_errors},
              {"write_errors", c.write_errors},
              {"mismatches", c.mismatches},
              {"corrected", c.corrected}};
}

std::string leg_counters_text(const LegCounters& c) {
  return std::to_string(c.read_errors) + " read, " + std::to_string(c.write_errors) + " write, " +
         count_of(c.mismatches, "mismatch") + ", " + std::to_string(c.corrected) + " corrected";
}

std::string generation_hex(uint64_t g) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(g));
  return buf;
}

Json generation_history_json(const Superblock& sb) {
  Json out = Json::array();
  if (!(sb.incompat & feature::kIncompatGeneration)) return out;
  for (const GenerationEntry& e : sb.generation_history)
    if (e.branch_seqno != 0) out.push_back(Json{{"generation", generation_hex(e.generation)}, {"branch_seqno", e.branch_seqno}});
  return out;
}

Json split_origin_json(const Superblock& sb) {
  if (!(sb.incompat & feature::kIncompatSplit) || !sb.origin.set()) return nullptr;
  return Json{{"array_uuid", sb.origin.array_uuid.str()},
              {"slot", sb.origin.slot},
              {"split_seqno", sb.origin.split_seqno},
              {"tracking", split_origin_tracked(sb)}};
}

Json split_uuids_json(const Superblock& sb) {
  Json out = Json::object();
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (sb.legs[s].state == LegState::Split) out[std::to_string(s)] = sb.split_uuid[s].str();
  return out;
}

Json superblock_json(const Superblock& sb) {
  Json legs = Json::array();
  for (uint32_t s = 0; s < kMaxLegs; ++s) {
    if (sb.legs[s].state == LegState::Unused) continue;
    Json j = leg_entry_json(s, sb.legs[s]);
    j.update(leg_counters_json(sb.counters[s]));
    legs.push_back(std::move(j));
  }
  const Layout& l = sb.layout;
  return Json{
      {"name", sb.name},
      {"uuid", sb.array_uuid.str()},
      {"version", sb.version},
      {"features", {{"compat", sb.compat}, {"ro_compat", sb.ro_compat}, {"incompat", sb.incompat}}},
      {"seqno", sb.seqno},
      {"generation", (sb.incompat & feature::kIncompatGeneration) ? Json(generation_hex(sb.generation)) : Json(nullptr)},
      {"generation_history", generation_history_json(sb)},
      {"ctime", sb.ctime},
      {"utime", sb.utime},
      {"slot", sb.slot},
      {"leg_uuid", sb.leg_uuid.str()},
      {"nr_legs", sb.nr_legs},
      {"logical_block_size", sb.logical_block_size},
      {"data_offset", l.data_offset},
      {"data_size", l.data_size},
      {"region_size", sb.region_size},
      {"nr_regions", sb.nr_regions},
      {"flags",
       {{"value", sb.flags},
        {"clean", !sb.has_flag(sbflag::kDirty)},
        {"assume_clean", sb.has_flag(sbflag::kAssumeClean)},
        {"sync_owner", sb.has_flag(sbflag::kKernelOwnsSync) ? "kernel" : "offline"}}},
      {"in_sync", sb.resync_offset == kOffsetInSync},
      {"degraded_timeout", degraded_timeout(sb) ? Json(*degraded_timeout(sb)) : Json(nullptr)},
      {"degraded_timeout_default", !(sb.compat & feature::kCompatBootPolicy) || sb.degraded_timeout == 0},
      {"resync_offset", offset_or_null(sb.resync_offset)},
      {"layout",
       {{"sb_offset", {l.sb_offset[0], l.sb_offset[1]}},
        {"tail_sb_offset", sb.tail_offset != 0 ? Json(sb.tail_offset) : Json(nullptr)},
        {"journal_offset", l.journal_offset},
        {"journal_size", l.journal_size},
        {"events_offset", l.events_offset},
        {"events_size", l.events_size},
        {"kmeta_offset", l.kmeta_offset},
        {"kmeta_size", l.kmeta_size},
        {"data_offset", l.data_offset},
        {"data_size", l.data_size}}},
      {"kernel",
       {{"max_write_behind", sb.kernel.max_write_behind},
        {"min_recovery_rate", sb.kernel.min_recovery_rate},
        {"max_recovery_rate", sb.kernel.max_recovery_rate}}},
      {"checkpoint",
       sb.checkpoint.op == OfflineOp::None
           ? Json(nullptr)
           : Json{{"op", std::string(offline_op_name(sb.checkpoint.op))},
                  {"position", sb.checkpoint.position},
                  {"started", sb.checkpoint.started},
                  {"regions_done", sb.checkpoint.regions_done},
                  {"mismatches", sb.checkpoint.mismatches},
                  {"repaired", sb.checkpoint.repaired},
                  {"source_slot", offset_or_null(sb.checkpoint.source_slot)},
                  {"target_slot", offset_or_null(sb.checkpoint.target_slot)}}},
      {"last_scrub",
       {{"result", std::string(scrub_result_name(sb.last_scrub.result))},
        {"started", time_or_null(sb.last_scrub.started)},
        {"finished", time_or_null(sb.last_scrub.finished)},
        {"regions", sb.last_scrub.regions},
        {"mismatches", sb.last_scrub.mismatches},
        {"repaired", sb.last_scrub.repaired}}},
      {"legs", legs},
      {"split_uuids", split_uuids_json(sb)},
      {"split_origin", split_origin_json(sb)}};
}

Json copies_json(const LegMetadata& meta) {
  Json out = Json::array();
  for (int i = 0; i < 3; ++i) {
    const CopyInfo& c = meta.copies[i];
    if (i == 2 && c.state == CopyState::None) continue;   // no copy 2 on this leg
    out.push_back({{"copy", i},
                   {"offset", c.offset},
                   {"state", std::string(copy_state_name(c.state))},
                   {"seqno", c.seqno},
                   {"chosen", meta.chosen == i},
                   {"detail", c.detail}});
  }
  return out;
}

Json finding_json(const Finding& f) {
  return Json{{"severity", std::string(severity_name(f.severity))},
              {"code", f.code},
              {"message", f.message},
              {"leg", f.leg.empty() ? Json(nullptr) : Json(f.leg)},
              {"slot", f.slot < 0 ? Json(nullptr) : Json(f.slot)}};
}

Json findings_json(const Findings& fs) {
  Json out = Json::array();
  for (const auto& f : fs) out.push_back(finding_json(f));
  return out;
}

Json event_json(const Event& ev) {
  return Json{{"seq", ev.seq},
              {"time", ev.time},
              {"type", std::string(event_type_name(ev.type))},
              {"slot", offset_or_null(ev.slot)},
              {"args", {ev.args[0], ev.args[1], ev.args[2], ev.args[3]}},
              {"detail", ev.detail}};
}

Json events_json(const EventHistory& h, size_t limit) {
  Json out = Json::array();
  const size_t first = h.events.size() > limit ? h.events.size() - limit : 0;
  for (size_t i = first; i < h.events.size(); ++i) out.push_back(event_json(h.events[i]));
  return out;
}

}  // namespace dmirror::cli
