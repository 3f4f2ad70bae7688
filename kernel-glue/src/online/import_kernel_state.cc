// SPDX-License-Identifier: LGPL-2.1-or-later
// import_kernel_state(): the kernel's view of sync state (dm-raid
// superblocks and md bitmap, docs/kernel-facts.md §3.4) folded into ours.
#include <dmirror/dm/online/import_kernel_state.h>

#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/handoff.h>

#include <algorithm>
#include <map>
#include <set>

namespace dmirror::dm {
namespace {

struct KernelView {
  std::map<uint32_t, KernelMetadataState> legs;  // our slot -> state (existing metadata only)
  std::map<uint32_t, uint32_t> position_to_slot;
  uint64_t freshest_events = 0;
  const KernelMetadataState* freshest = nullptr;
};

Result<KernelView> read_view(ArrayLegs& legs, const KernelSlotMap& map) {
  KernelView v;
  for (uint32_t p = 0; p < map.slots.size(); ++p) v.position_to_slot[p] = map.slots[p];
  const auto& stale = legs.stale_slots();
  for (uint32_t s : legs.present_slots()) {
    // A stale leg's kernel metadata is as old as the rest of it: it says
    // nothing about the array (it is being rebuilt in full).
    if (std::find(stale.begin(), stale.end(), s) != stale.end()) continue;
    auto st = read_kernel_metadata(*legs.dev(s), legs.sb().layout.kmeta_offset);
    if (!st) return std::unexpected(st.error());
    if (st->is_new) continue;
    v.legs[s] = std::move(*st);
  }
  for (auto& [slot, st] : v.legs) {
    if (st.superblock) v.position_to_slot[st.superblock->array_position] = slot;
    if (!v.freshest || st.events > v.freshest_events) {
      v.freshest = &st;
      v.freshest_events = st.events;
    }
  }
  return v;
}

void set_failed(Superblock& sb, uint32_t slot, ImportReport& rep) {
  LegEntry& e = sb.legs[slot];
  // A slot recorded missing had no device in the table ("- -"): the kernel
  // counts it failed, but it is missing, not failed (FORMAT.md 2.6 rule 11).
  // A split slot likewise: split off, not failed (rule 24).
  if (e.state == LegState::Failed || e.state == LegState::Missing || e.state == LegState::Split) return;
  e.state = LegState::Failed;
  e.state_seq = sb.seqno + 1;
  e.recovery_offset = kOffsetInSync;
  e.flags &= ~legflag::kRebuildPassed;
  rep.failed.push_back(slot);
}

}  // namespace

Result<ImportReport> import_kernel_state(ArrayLegs& legs, const ImportOptions& options) {
  ImportReport rep;
  Superblock& sb = legs.edit();
  if (!sb.has_flag(sbflag::kKernelOwnsSync) && !options.always) {
    rep.resync_offset = sb.resync_offset;
    return rep;
  }
  const KernelSlotMap map = kernel_slot_map(sb);
  DMIRROR_ASSIGN_OR_RETURN(KernelView view, read_view(legs, map));

  if (view.freshest) {
    for (uint32_t pos : view.freshest->failed_slots) {
      auto it = view.position_to_slot.find(pos);
      if (it != view.position_to_slot.end()) set_failed(sb, it->second, rep);
    }
  }
  if (options.final_status) {
    const auto& health = options.final_status->health;
    for (uint32_t pos = 0; pos < health.size() && pos < map.slots.size(); ++pos)
      if (health[pos] == LegHealth::Failed) set_failed(sb, map.slots[pos], rep);
  }
  for (auto& [slot, st] : view.legs) {
    LegEntry& e = sb.legs[slot];
    if (e.state == LegState::Failed || e.state == LegState::Removed || e.state == LegState::Unused ||
        e.state == LegState::Split)
      continue;
    if (st.disk_recovery_offset != kMaxSector) {
      e.state = LegState::Rebuilding;
      e.recovery_offset = st.disk_recovery_offset * 512;
      e.flags |= legflag::kRebuildPassed;  // the kernel continues from its own offset
      rep.rebuilding.push_back(slot);
    } else if (e.state == LegState::Rebuilding && (e.flags & legflag::kRebuildPassed) &&
               st.events == view.freshest_events) {
      e.state = LegState::InSync;
      e.state_seq = sb.seqno + 1;
      e.recovery_offset = kOffsetInSync;
      e.flags &= ~legflag::kRebuildPassed;
      rep.recovered.push_back(slot);
    }
  }

  // Dirty regions: the bitmap of an authoritative leg (in sync, not failed,
  // freshest events). With a usable bitmap every region the kernel still has
  // to sync has its bit set, so our resync_offset can stay "in sync";
  // without one the kernel's resync checkpoint is taken over.
  std::set<uint64_t> dirty;
  DMIRROR_ASSIGN_OR_RETURN(auto ours, legs.journal_dirty());
  dirty.insert(ours.begin(), ours.end());
  const KernelMetadataState* source = nullptr;
  for (auto& [slot, st] : view.legs) {
    const LegEntry& e = sb.legs[slot];
    if ((e.state == LegState::InSync || e.state == LegState::Replacing) && st.events == view.freshest_events &&
        st.disk_recovery_offset == kMaxSector) {
      source = &st;
      break;
    }
  }
  uint64_t imported_bits = 0;
  const bool trusted = source && source->bitmap && source->bitmap->chunksize == sb.region_size &&
                       !(source->bitmap->state & kBitmapStateStale) && source->bitmap->events >= view.freshest_events;
  if (trusted) {
    for (uint64_t r : source->dirty_regions)
      if (r < sb.nr_regions && dirty.insert(r).second) ++imported_bits;
    sb.resync_offset = kOffsetInSync;
  } else if (view.freshest) {
    // No bitmap to go by: the kernel's checkpoint, or everything when its
    // bitmap is untrusted (the kernel would then resync in full too).
    uint64_t off = view.freshest->array_resync_offset;
    if (off != kMaxSector) sb.resync_offset = std::min<uint64_t>(off * 512, sb.layout.data_size);
    else if (source && source->bitmap) sb.resync_offset = 0;
    else sb.resync_offset = kOffsetInSync;
  }
  if (sb.resync_offset >= sb.layout.data_size) sb.resync_offset = kOffsetInSync;
  rep.dirty_regions = imported_bits;
  rep.resync_offset = sb.resync_offset;
  if (imported_bits) DMIRROR_RETURN_IF_ERROR(legs.set_journal(std::vector<uint64_t>(dirty.begin(), dirty.end())));

  sb.flags &= ~(sbflag::kKernelOwnsSync | sbflag::kDirty);
  // The kernel cleared bits of its own (md's daemon) while it owned the
  // sync state: the journal covers only writes made after this commit
  // (FORMAT.md 2.6 rule 13). A leg image from before it needs a full copy.
  // Except while a tracked split slot is "- -" in the table (FORMAT.md
  // 6.5): the set was degraded since the split, md cleared no bit since,
  // and the trusted bitmap's bits are the array side's changes.
  bool split_tracked = false;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) split_tracked |= split_slot_tracked(sb, s);
  DMIRROR_RETURN_IF_ERROR(legs.commit(trusted && split_tracked ? ArrayLegs::CommitKind::Plain
                                                               : ArrayLegs::CommitKind::KeptSince));
  for (uint32_t s : rep.failed)
    legs.record_event(EventType::LegFailed, s, {0}, "the kernel failed slot " + std::to_string(s));
  rep.imported = true;
  if (imported_bits)
    rep.notes.push_back(std::to_string(imported_bits) + " region(s) dirty in the kernel's bitmap taken into the journal");
  if (sb.resync_offset != kOffsetInSync)
    rep.notes.push_back("array resync unfinished at byte " + std::to_string(sb.resync_offset));
  return rep;
}

Result<ImportReport> import_kernel_state_offline(std::span<BlockDevice* const> devices) {
  std::vector<NamedDevice> named;
  for (BlockDevice* d : devices) named.push_back(NamedDevice{d->describe(), std::make_unique<DeviceWrapper>(d)});
  DMIRROR_ASSIGN_OR_RETURN(auto legs, ArrayLegs::assemble(std::move(named), ArrayLegsOptions{.split_brain = SplitBrainPolicy::NewestSideOnly}));
  if (!legs.sb().has_flag(sbflag::kKernelOwnsSync)) {
    ImportReport rep;
    rep.resync_offset = legs.sb().resync_offset;
    return rep;
  }
  if (auto dm = open_online_control(); dm) {
    DMIRROR_ASSIGN_OR_RETURN(auto devs, find_array_devices(**dm, legs.sb().array_uuid));
    if (devs.any())
      return make_error(ErrorCode::Busy, "array '" + legs.sb().name +
                                             "' is active as an online volume; deactivate it first "
                                             "(dmirrorctl deactivate " + legs.sb().name + ")");
  }
  return import_kernel_state(legs);
}

}  // namespace dmirror::dm
