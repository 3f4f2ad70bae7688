// SPDX-License-Identifier: LGPL-2.1-or-later
// decide_readd(): the bitmap re-add or the full copy (readd_decision.h).
#include <dmirror/dm/online/readd_decision.h>

#include <algorithm>

namespace dmirror::dm {
namespace {

ReaddDecision no(std::string why) { return ReaddDecision{false, false, std::move(why)}; }

// The slot as the one assembly sees it: a returning leg, or one whose re-add
// stopped between its commit and its reload.
std::optional<ReaddDecision> slot_refusal(const Assembly& a, uint32_t slot, bool& resumed) {
  const SlotView* v = a.slot(slot);
  if (!v || v->leg < 0) return no("the leg is not a member the array lists");
  if (a.split_brain || v->split) return no("split brain");
  const LegEntry& e = v->entry;
  const uint8_t both = legflag::kRecoverFromJournal | legflag::kRebuildPassed;
  if (v->state == SlotState::Stale && e.state == LegState::Missing) {
    resumed = false;
  } else if (v->state == SlotState::Rebuilding && e.state == LegState::Rebuilding && (e.flags & both) == both &&
             e.recovery_offset == 0) {
    resumed = true;
  } else {
    return no("its slot is " + std::string(slot_state_name(v->state)) + ", not a leg recorded missing");
  }
  if (v->recovery != Recovery::Journal)
    return no("the journal does not cover everything it missed (its image is older than the last journal clear, "
              "or the journal is damaged)");
  return std::nullopt;
}

}  // namespace

ReaddDecision decide_readd(const ReaddFacts& f) {
  if (!f.assembly) return no("no assembly");
  const Assembly& a = *f.assembly;
  const Superblock& sb = a.sb;
  bool resumed = false;
  if (auto r = slot_refusal(a, f.slot, resumed)) return *r;

  const KernelSlotMap map = kernel_slot_map(sb);
  const auto pos = map.position_of(f.slot);
  if (!pos) return no("its slot has no table position");
  if (f.status.health.size() != map.slots.size()) return no("the live table does not match the array's slot map");
  if (f.status.positions_pending()) return no("the kernel has not applied the last leg-count change yet");
  if (f.status.action != SyncAction::Idle) return no("the volume is busy with '" + f.status.action_text + "'");
  if (f.status.health[*pos] != LegHealth::Missing) return no("its table position is not empty in the live table");
  for (uint32_t p = 0; p < map.slots.size(); ++p) {
    if (p == *pos) continue;
    const uint32_t s = map.slots[p];
    const LegEntry& e = sb.legs[s];
    if (e.state != LegState::InSync || e.replacement_slot != kNoSlot)
      return no("slot " + std::to_string(s) + " is " + std::string(leg_state_name(e.state)) +
                " (only beside legs all in sync)");
    if (f.status.health[p] != LegHealth::InSync) return no("slot " + std::to_string(s) + " is not 'A' in the kernel");
    if (!f.live.count(s)) return no("the kernel metadata of slot " + std::to_string(s) + " was not read");
  }
  if (f.first_use_activation) return no("the live session's kernel metadata was created afresh at activation");

  uint64_t min_events = ~uint64_t{0};
  uint64_t max_cleared = 0;
  for (const auto& [s, k] : f.live) {
    if (k.is_new || !k.superblock || !k.bitmap) return no("slot " + std::to_string(s) + " has no kernel metadata");
    if (k.bitmap->chunksize != sb.region_size || (k.bitmap->state & kBitmapStateStale) ||
        k.bitmap->events < k.events || k.bitmap->chunk_count() < sb.nr_regions)
      return no("the kernel bitmap of slot " + std::to_string(s) + " is not usable");
    if (std::find(k.failed_slots.begin(), k.failed_slots.end(), *pos) == k.failed_slots.end())
      return no("the kernel superblock of slot " + std::to_string(s) + " does not mark the position failed");
    min_events = std::min(min_events, k.events);
    max_cleared = std::max(max_cleared, k.bitmap->events_cleared);
  }
  if (!f.returning) return no("its kernel metadata cannot be read");
  const KernelMetadataState& r = *f.returning;
  if (r.is_new || !r.superblock) return no("its kernel metadata is blank");
  if (r.superblock->array_position != *pos || r.superblock->num_devices != map.slots.size())
    return no("its kernel superblock is not the one of its position");
  if (r.disk_recovery_offset != kMaxSector) return no("it was not in sync in the kernel when it left");
  if (r.events >= min_events)
    return no("its kernel superblock is not older than the live legs' (events " + std::to_string(r.events) +
              ", live " + std::to_string(min_events) + ")");
  if (r.events < max_cleared) return no("the kernel cleared bitmap bits since it left");
  return ReaddDecision{true, resumed,
                       "kernel events " + std::to_string(r.events) + " < " + std::to_string(min_events) +
                           ", bitmap kept since " + std::to_string(max_cleared)};
}

}  // namespace dmirror::dm
