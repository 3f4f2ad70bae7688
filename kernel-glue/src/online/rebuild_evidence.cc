// SPDX-License-Identifier: LGPL-2.1-or-later
// judge_rebuild(): a leg's rebuild proven finished (rebuild_evidence.h).
#include <dmirror/dm/online/rebuild_evidence.h>

#include <algorithm>

namespace dmirror::dm {
namespace {


RebuildVerdict running(std::string why) { return {RebuildState::Running, std::move(why)}; }

}  // namespace

RebuildVerdict judge_rebuild(const RebuildFacts& f) {
  const RaidStatus& st = f.status;
  const std::string pos = "position " + std::to_string(f.position);
  if (f.position >= st.health.size()) {
    if (st.positions_pending()) return running("the live table has no " + pos + " yet");
    return {RebuildState::Gone, "the live table has no " + pos + ": the volume was reloaded without the leg"};
  }
  if (st.health[f.position] == LegHealth::Failed)
    return {RebuildState::Failed, "the kernel failed the leg at " + pos + " while it was rebuilt"};
  if (st.positions_pending())
    return running("the kernel has not applied the new leg count yet (" + std::to_string(st.device_count) +
                   " devices, " + std::to_string(st.health.size()) + " positions)");
  if (st.action != SyncAction::Idle) return running("the kernel is busy with '" + st.action_text + "'");
  if (st.health[f.position] == LegHealth::NotInSync)
    return {RebuildState::Stalled, "the kernel is idle with " + pos + " not in sync: its recovery stopped"};
  if (st.health[f.position] != LegHealth::InSync)
    return running(pos + " reads '" + std::string(1, st.health_chars[f.position]) + "'");
  auto own = f.kernel.find(f.position);
  if (own == f.kernel.end()) return running("the leg's kernel superblock could not be read");
  const KernelMetadataState& k = own->second;
  if (k.is_new || !k.superblock) return running("the kernel has not written the leg's superblock yet");
  if (k.superblock->array_position != f.position)
    return running("the leg's kernel superblock names position " + std::to_string(k.superblock->array_position));
  if (k.disk_recovery_offset != kMaxSector)
    return running("the leg's kernel superblock records its recovery at sector " +
                   std::to_string(k.disk_recovery_offset));
  uint64_t newest = 0;
  for (const auto& [p, other] : f.kernel) {
    // Only the legs md still writes: a failed ('D') leg's superblock is as
    // old as its failure and says nothing about the set since.
    const bool live = p < st.health.size() && (st.health[p] == LegHealth::InSync || st.health[p] == LegHealth::NotInSync);
    if (other.is_new || !live) continue;
    newest = std::max(newest, other.events);
    if (std::find(other.failed_slots.begin(), other.failed_slots.end(), f.position) != other.failed_slots.end())
      return running("the kernel superblock at position " + std::to_string(p) + " marks " + pos + " failed");
  }
  if (k.events < newest)
    return running("the leg's kernel superblock is behind (events " + std::to_string(k.events) + " < " +
                   std::to_string(newest) + ")");
  return {RebuildState::Done, "in sync in the kernel's status and in its own kernel superblock"};
}

}  // namespace dmirror::dm
