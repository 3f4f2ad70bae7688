// SPDX-License-Identifier: LGPL-2.1-or-later
// Superblock commits, leg failures and the event history of a LegSet.
// FORMAT.md, "Superblock update order": every leg gets copy 0, flush,
// copy 1, flush; a leg whose update fails is failed and the update redone
// with the next seqno, so the survivors always agree on who is trusted.
#include "engine/leg_set.h"

#include <algorithm>

namespace dmirror::engine {

Status LegSet::commit(std::span<const uint32_t> extra) {
  if (read_only_) return make_error(ErrorCode::PermissionDenied, "metadata update refused: opened read-only");
  sb_.seqno += 1;
  sb_.utime = now_seconds();
  std::vector<LegError> errors;
  for (uint32_t slot = 0; slot < sb_.nr_legs; ++slot) {
    bool is_extra = std::find(extra.begin(), extra.end(), slot) != extra.end();
    if (!writable(slot) && !(is_extra && present(slot))) continue;
    Superblock s = sb_;
    s.slot = slot;
    s.leg_uuid = sb_.legs[slot].uuid;
    if (auto st = write_superblocks(*devs_[slot], s); !st && !is_extra) errors.push_back({slot, st.error()});
  }
  // A leg that missed this update is failed, and the update repeated (by
  // fail_legs) with the next seqno so every survivor records it.
  return fail_legs(errors);
}

Status LegSet::fail_legs(std::span<const LegError> errors) {
  if (errors.empty()) return ok();
  auto errored = [&](uint32_t slot) {
    return std::any_of(errors.begin(), errors.end(), [&](const LegError& e) { return e.slot == slot; });
  };
  bool survivor = false;
  for (uint32_t s : in_sync_slots()) survivor = survivor || !errored(s);
  bool changed = false;
  for (const auto& e : errors) {
    if (!writable(e.slot)) continue;
    if (!survivor && in_sync(e.slot)) continue;   // never fail the last in-sync leg
    LegEntry& leg = sb_.legs[e.slot];
    leg.state = LegState::Failed;
    leg.state_seq = sb_.seqno + 1;
    leg.replacement_slot = kNoSlot;
    journals_[e.slot].reset();
    changed = true;
    record_event(EventType::LegFailed, e.slot, {static_cast<uint64_t>(e.error.sys_errno)},
                 leg_name(e.slot) + " failed: " + e.error.describe());
  }
  if (changed && !read_only_) DMIRROR_RETURN_IF_ERROR(commit());
  if (!survivor) {
    Error err = errors.front().error;
    err.message = "no in-sync leg is left: " + err.message;
    return std::unexpected(err);
  }
  return ok();
}

void LegSet::record_event(EventType type, uint32_t slot, std::initializer_list<uint64_t> args, std::string detail) {
  if (read_only_) return;
  if (!next_event_seq_) {
    uint64_t next = 1;
    for (uint32_t s : writable_slots())
      if (auto h = read_events(*devs_[s], sb_); h) next = std::max(next, h->next_seq);
    next_event_seq_ = next;
  }
  Event ev = make_event((*next_event_seq_)++, now_seconds(), type, slot, args, std::move(detail));
  for (uint32_t s : writable_slots()) (void)write_event(*devs_[s], sb_, ev);
}

}  // namespace dmirror::engine
