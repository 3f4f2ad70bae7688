// SPDX-License-Identifier: LGPL-2.1-or-later
// merge_split() (see dmirror/split.h; FORMAT.md 2.6 rule 24). The order:
//   1. the split-off array's journal bits are marked in the array's
//      journals (written and flushed on every member): the array's journal
//      now holds the union;
//   2. a commit records the merge begun (leg flag MERGING, merge_seqno =
//      the split-off array's seqno): from here the union is in the array's
//      journal, and a rerun needs the split-off array's journal no more, as
//      long as that array was not written since (its seqno unchanged);
//   3. on the leg: the union as its journal (the array's uuid), its event
//      area cleared (prepare_new_leg, as for a replace);
//   4. a commit that also reaches the leg, its slot still split: the leg
//      now carries the array, in a split slot, so it is never assembled as
//      a member, and the split-off array is gone;
//   5. a commit: the slot rebuilding from the journal (RECOVER_FROM_JOURNAL,
//      from 0), the split record cleared, a `leg merged` event;
//   6. the journal-guided recovery (resync) copies the union onto the leg;
//      it is in sync only then.
// A cut anywhere leaves the old state, or one a rerun finishes (2-4: the
// leg is the split-off array's or a split slot's; 5-6: `resync` finishes).
#include <dmirror/assembly.h>
#include <dmirror/events.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/names.h>
#include <dmirror/split.h>

#include "ops/replace_steps.h"
#include "ops/resync_assembly.h"

namespace dmirror {
namespace {

using engine::LegSet;

std::unexpected<Error> tracking_lost(const std::string& why) {
  return make_error(ErrorCode::Refused, why + ": " + kTrackingLostAdvice);
}

// The slot's last change was a merge (its `leg merged` event is newer than
// any other event of the slot): a rerun of a finished merge has nothing to do.
bool merged_here(const LegSet& set, uint32_t slot) {
  for (uint32_t w : set.writable_slots()) {
    auto h = read_events(*set.dev(w), set.sb());
    if (!h) continue;
    for (auto it = h->events.rbegin(); it != h->events.rend(); ++it) {
      if (it->slot != slot) continue;
      if (it->type == EventType::LegMerged) return true;
      if (it->type != EventType::ResyncStarted && it->type != EventType::ResyncFinished &&
          it->type != EventType::LegReAdded)
        return false;   // the slot changed since (failed, replaced, removed...)
    }
    return false;
  }
  return false;
}

// What the leg given says about the merge.
struct MergeSource {
  uint32_t slot = kNoSlot;
  bool split_array = false;          // it carries the split-off array (steps 1-3 to do)
  bool need_split_journal = false;   // its journal is needed for the union (no merge begun at its seqno)
  bool rebuilding = false;           // step 5 was done: only the recovery is left
};

Result<MergeSource> judge_source(const LegSet& set, const LegMetadata& m, const std::string& leg) {
  const Superblock& sb = set.sb();
  const Superblock& own = m.sb;
  const std::string array = "array '" + escape_name(sb.name) + "'";
  MergeSource src;
  if (own.array_uuid == sb.array_uuid) {
    // A merge cut short after step 4 (or 5).
    for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
      if (sb.legs[s].uuid != own.leg_uuid) continue;
      if (sb.legs[s].state == LegState::Split && (sb.legs[s].flags & legflag::kMerging)) {
        src.slot = s;
        return src;
      }
      // Step 5 done (rebuilding from the journal), or everything: the
      // recovery is all that may be left.
      if ((sb.legs[s].state == LegState::Rebuilding && (sb.legs[s].flags & legflag::kRecoverFromJournal)) ||
          (sb.legs[s].state == LegState::InSync && merged_here(set, s))) {
        src.slot = s;
        src.rebuilding = true;
        return src;
      }
    }
    return make_error(ErrorCode::InvalidArgument,
                      leg + " is a leg of " + array + " itself, not a leg split off from it");
  }
  const std::string split = "'" + escape_name(own.name) + "'";
  if (!(own.incompat & feature::kIncompatSplit) || !own.origin.set() || own.origin.array_uuid != sb.array_uuid)
    return make_error(ErrorCode::InvalidArgument, leg + " (array " + split + ") was not split from " + array);
  if (own.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array " + split + " is active as an online volume; deactivate it first");
  const uint32_t s = own.origin.slot;
  if (s >= sb.nr_legs || s >= kMaxLegs || sb.legs[s].state != LegState::Split || sb.legs[s].uuid != own.leg_uuid ||
      sb.split_uuid[s] != own.array_uuid || sb.legs[s].state_seq != own.origin.split_seqno)
    return tracking_lost("slot " + std::to_string(s) + " of " + array + " no longer records " + split +
                         " split off (the slot was removed or reused)");
  if (!split_slot_tracked(sb, s))
    return tracking_lost(array + " cleared journal bits since the split (journal_kept_since " +
                         std::to_string(sb.journal_kept_since) + " > split seqno " +
                         std::to_string(sb.legs[s].state_seq) + ")");
  src.slot = s;
  src.split_array = true;
  const bool begun = (sb.legs[s].flags & legflag::kMerging) && sb.legs[s].merge_seqno == own.seqno;
  src.need_split_journal = !begun;
  if (src.need_split_journal && !split_origin_tracked(own))
    return tracking_lost("array " + split + " no longer tracks its writes since the split (it was changed: a "
                         "leg added or replaced, or journal bits cleared)");
  if (own.slot != 0 || own.legs[0].state != LegState::InSync || own.nr_regions != sb.nr_regions ||
      own.layout.data_offset != sb.layout.data_offset || own.layout.data_size != sb.layout.data_size)
    return tracking_lost("array " + split + " is no longer the single in-sync leg it was split off as");
  return src;
}

// Steps 1 and 2: the union in the array's journal, the merge recorded.
Status mark_union(LegSet& set, BlockDevice& dev, const LegMetadata& m, MergeSource& src, MergeReport& rep) {
  if (src.need_split_journal) {
    auto j = WriteIntentJournal::load(dev, m.sb);
    if (!j || !j->damage().empty())
      return tracking_lost("the journal of array '" + escape_name(m.sb.name) + "' is damaged");
    rep.split_regions = j->dirty_count();
    for (uint64_t r : j->dirty_regions()) set.mark(r);
    DMIRROR_RETURN_IF_ERROR(set.fail_legs(set.write_journals()));
  }
  LegEntry& e = set.mutable_sb().legs[src.slot];
  if (!(e.flags & legflag::kMerging) || e.merge_seqno != m.sb.seqno) {
    e.flags |= legflag::kMerging;
    e.merge_seqno = m.sb.seqno;
    DMIRROR_RETURN_IF_ERROR(set.commit());
  }
  return ok();
}

// Steps 3 to 5.
Status rejoin(LegSet& set, BlockDevice& dev, uint32_t slot, uint64_t regions) {
  DMIRROR_RETURN_IF_ERROR(ops::prepare_new_leg(set, slot, dev));
  const uint32_t leg[] = {slot};
  DMIRROR_RETURN_IF_ERROR(set.commit(leg));
  Superblock& sb = set.mutable_sb();
  const std::string split = sb.split_uuid[slot].str();
  LegEntry& e = sb.legs[slot];
  e.flags = legflag::kRecoverFromJournal;
  e.recovery_offset = 0;
  e.merge_seqno = 0;
  e.device_size = dev.geometry().size_bytes;
  sb.split_uuid[slot] = Uuid{};
  set.set_state(slot, LegState::Rebuilding);
  bool other_split = false;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) other_split |= sb.legs[s].state == LegState::Split;
  if (!other_split) sb.incompat &= ~feature::kIncompatSplit;   // the bit only on arrays that use it
  set.record_event(EventType::LegMerged, slot, {regions},
                   dev.describe() + " merged back from array " + split + ": rebuilding " +
                       std::to_string(regions) + " changed regions from the journal");
  return set.commit();
}

}  // namespace

Result<MergeReport> merge_split(std::span<BlockDevice* const> legs, BlockDevice& split_dev, const MergeOptions& o) {
  std::vector<BlockDevice*> devs;
  for (BlockDevice* d : legs)
    if (d != &split_dev) devs.push_back(d);
  ops::AssemblyNotes notes;
  MergeReport rep;
  {
    DMIRROR_ASSIGN_OR_RETURN(auto set, ops::assemble_for_recovery(devs, {}, notes));
    const Superblock& sb = set.sb();
    const std::string array = "array '" + escape_name(sb.name) + "'";
    if (sb.has_flag(sbflag::kKernelOwnsSync))
      return make_error(ErrorCode::Busy, array + " is active as an online volume; deactivate it first (a split "
                                                 "leg is merged offline)");
    DMIRROR_ASSIGN_OR_RETURN(auto m, read_leg(split_dev));
    DMIRROR_ASSIGN_OR_RETURN(auto src, judge_source(set, m, split_dev.describe()));
    rep.slot = src.slot;
    rep.resumed = !src.split_array || !src.need_split_journal;
    if (!src.rebuilding) {
      if (sb.has_flag(sbflag::kDirty))
        return make_error(ErrorCode::Refused, array + " was not shut down cleanly; run `dmirrorctl resync` with "
                                                      "its legs first");
      if (sb.checkpoint.op == OfflineOp::Replace)
        return make_error(ErrorCode::Refused, "a replace is in progress in " + array + "; finish it first");
      if (!set.primary())
        return make_error(ErrorCode::Stale, array + " has no in-sync leg among the legs given to copy from");
      set.set_consent(o.degraded, src.slot, "merging slot " + std::to_string(src.slot));
      DMIRROR_RETURN_IF_ERROR(set.check_consent());
      DMIRROR_RETURN_IF_ERROR(set.load_journals());
      if (set.journal_damaged()) return tracking_lost("the journal of " + array + " is damaged");
      rep.array_regions = set.dirty_count();
      if (src.split_array) DMIRROR_RETURN_IF_ERROR(mark_union(set, split_dev, m, src, rep));
      rep.union_regions = set.dirty_count();
      DMIRROR_RETURN_IF_ERROR(rejoin(set, split_dev, src.slot, rep.union_regions));
    }
  }
  // Step 6: the journal-guided recovery of the rejoined leg.
  std::vector<BlockDevice*> all = devs;
  all.push_back(&split_dev);
  ResyncOptions ro = o.resync;
  ro.degraded = ro.degraded || o.degraded;
  DMIRROR_ASSIGN_OR_RETURN(rep.resync, resync(all, ro));
  return rep;
}

}  // namespace dmirror
