// SPDX-License-Identifier: LGPL-2.1-or-later
// Which device an interrupted replace was copying onto, and retiring it
// for `replace --restart` (see replace_steps.h).
#include <dmirror/events.h>

#include "ops/replace_steps.h"

namespace dmirror::ops {

using engine::LegSet;

std::string recorded_replace_device(const LegSet& set, uint32_t old_slot, uint32_t target) {
  if (set.present(target)) return set.dev(target)->describe();
  std::string found;
  for (uint32_t s : set.writable_slots()) {
    auto h = read_events(*set.dev(s), set.sb());
    if (!h) continue;
    for (const Event& e : h->events) {
      if (e.type != EventType::ReplaceStarted || e.slot != old_slot || e.args[0] != target) continue;
      // "replacing <old leg> by <device> in slot <target>" (replace.cc)
      const std::string tail = " in slot " + std::to_string(target);
      const size_t end = e.detail.rfind(tail);
      const size_t by = end == std::string::npos ? std::string::npos : e.detail.rfind(" by ", end);
      if (by != std::string::npos) found = e.detail.substr(by + 4, end - by - 4);
    }
    if (!found.empty()) break;
  }
  return found;
}

Status retire_replace_target(LegSet& set, uint32_t old_slot, uint32_t target, const std::string& why) {
  const std::string name = set.leg_name(target);
  Superblock& sb = set.mutable_sb();
  LegEntry& t = sb.legs[target];
  t.state = LegState::Removed;
  t.state_seq = sb.seqno + 1;
  t.recovery_offset = kOffsetInSync;
  t.replacement_slot = kNoSlot;
  t.flags = 0;
  LegEntry& old = sb.legs[old_slot];
  if (old.state == LegState::Replacing) {
    old.state = LegState::InSync;
    old.state_seq = sb.seqno + 1;
  }
  old.replacement_slot = kNoSlot;
  sb.checkpoint = Checkpoint{};
  set.attach(target, nullptr);   // nothing more is written to the half-copied leg
  set.record_event(EventType::LegRemoved, target, {},
                   name + ", the new leg of a replace of slot " + std::to_string(old_slot) + ", " + why);
  return set.commit();
}

}  // namespace dmirror::ops
