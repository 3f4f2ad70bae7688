// SPDX-License-Identifier: LGPL-2.1-or-later
// Parser for the dm-raid INFO status line.
#include <dmirror/dm/raid_status.h>

#include "text_util.h"

namespace dmirror::dm {

LegHealth leg_health_from_char(char c) {
  switch (c) {
    case 'A': return LegHealth::InSync;
    case 'a': return LegHealth::NotInSync;
    case 'D': return LegHealth::Failed;
    case '-': return LegHealth::Missing;
    case 'J': case 'j': return LegHealth::Journal;
    default: return LegHealth::Unknown;
  }
}

SyncAction sync_action_from_string(std::string_view w) {
  if (w == "idle") return SyncAction::Idle;
  if (w == "frozen") return SyncAction::Frozen;
  if (w == "resync") return SyncAction::Resync;
  if (w == "recover") return SyncAction::Recover;
  if (w == "check") return SyncAction::Check;
  if (w == "repair") return SyncAction::Repair;
  if (w == "reshape") return SyncAction::Reshape;
  return SyncAction::Unknown;
}

std::string_view sync_action_name(SyncAction a) {
  switch (a) {
    case SyncAction::Idle: return "idle";
    case SyncAction::Frozen: return "frozen";
    case SyncAction::Resync: return "resync";
    case SyncAction::Recover: return "recover";
    case SyncAction::Check: return "check";
    case SyncAction::Repair: return "repair";
    case SyncAction::Reshape: return "reshape";
    case SyncAction::Unknown: return "unknown";
  }
  return "unknown";
}

bool RaidStatus::positions_pending() const { return device_count != health.size(); }

bool RaidStatus::fully_in_sync() const {
  if (positions_pending()) return false;
  if (action != SyncAction::Idle || sync_progress != sync_total) return false;
  for (auto h : health)
    if (h != LegHealth::InSync) return false;
  return true;
}

bool RaidStatus::degraded() const {
  for (auto h : health)
    if (h == LegHealth::Failed || h == LegHealth::Missing) return true;
  return false;
}

bool RaidStatus::busy() const {
  return positions_pending() || (action != SyncAction::Idle && action != SyncAction::Frozen);
}

Result<RaidStatus> parse_raid_status(std::string_view line) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::Corruption, "unparsable raid status '" + std::string(line) + "': " + why);
  };
  auto w = text::split_words(line);
  if (w.size() < 4) return bad("too few fields");
  RaidStatus s;
  s.level = std::string(w[0]);
  auto n = text::parse_uint<uint32_t>(w[1]);
  if (!n) return bad("bad device count");
  s.device_count = *n;
  s.health_chars = std::string(w[2]);
  // One character per table position, while the count is md's raid_disks:
  // they differ until raid1 has applied a leg-count change (positions_pending).
  if (s.health_chars.empty() || s.health_chars.size() > 256) return bad("bad health chars");
  for (char c : s.health_chars) s.health.push_back(leg_health_from_char(c));
  auto slash = w[3].find('/');
  if (slash == std::string_view::npos) return bad("bad sync ratio");
  auto p = text::parse_uint(w[3].substr(0, slash));
  auto t = text::parse_uint(w[3].substr(slash + 1));
  if (!p || !t) return bad("bad sync ratio");
  s.sync_progress = *p;
  s.sync_total = *t;
  // Before target 1.5.0 there is no sync_action: derive it from the ratio.
  if (w.size() > 4) {
    s.action_text = std::string(w[4]);
    s.action = sync_action_from_string(w[4]);
  } else {
    s.action = s.sync_progress == s.sync_total ? SyncAction::Idle : SyncAction::Unknown;
    s.action_text = std::string(sync_action_name(s.action));
  }
  if (w.size() > 5) {
    auto m = text::parse_uint(w[5]);
    if (!m) return bad("bad mismatch count");
    s.mismatch_count = *m;
  }
  if (w.size() > 6) {
    auto d = text::parse_uint(w[6]);
    if (!d) return bad("bad data offset");
    s.data_offset = *d;
  }
  if (w.size() > 7 && !w[7].empty()) s.journal_char = w[7][0];
  return s;
}

}  // namespace dmirror::dm
