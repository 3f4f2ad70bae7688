// SPDX-License-Identifier: LGPL-2.1-or-later
// split_leg() (see dmirror/split.h; FORMAT.md 2.6 rule 24). The order:
//   1. one commit on the legs that stay: the slot says split (the new
//      array's uuid, state_seq = the split commit), incompat SPLIT, a
//      `leg split` event. The split leg itself is not written: its image
//      stays the array's at the commit before, and the table now lists its
//      slot split, so it is never assembled as a member again;
//   2. on the split leg: the new array's journal (the array's bits, kept
//      for the merge), its event area, then its superblock copies (2.5
//      order). Its seqno is the split commit's, above the old image's, so
//      a copy of either array chosen after a cut is a whole one.
// A cut before 1 is durable leaves the old state; after it, the leg still
// carries the array in a split slot and a rerun finishes step 2.
#include <dmirror/events.h>
#include <dmirror/generation.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/leg_count.h>
#include <dmirror/names.h>
#include <dmirror/split.h>

#include "ops/resync_assembly.h"

namespace dmirror {
namespace {

using engine::LegSet;

std::unexpected<Error> refuse(const std::string& why) { return make_error(ErrorCode::Refused, why); }

}  // namespace

Superblock split_superblock(const Superblock& array, uint32_t slot, uint64_t seqno, const Uuid& uuid,
                            const std::string& name) {
  Superblock sb = array;
  const LegEntry old = array.legs[slot];
  sb.array_uuid = uuid;
  sb.name = name;
  sb.seqno = seqno;
  sb.ctime = sb.utime = engine::now_seconds();
  sb.flags = 0;
  sb.incompat = feature::kIncompatCurrent | feature::kIncompatSplit;   // no spares, no split slots
  sb.slot = 0;
  sb.nr_legs = 1;
  sb.legs = {};
  sb.legs[0].uuid = old.uuid;
  sb.legs[0].state = LegState::InSync;
  sb.legs[0].state_seq = seqno;
  sb.legs[0].device_size = old.device_size;
  sb.leg_uuid = old.uuid;
  sb.counters = {};
  sb.counters[0] = array.counters[slot];
  sb.resync_offset = kOffsetInSync;
  sb.checkpoint = Checkpoint{};
  sb.journal_kept_since = seqno;   // every bit from here on is kept (rule 24)
  sb.generation = random_generation();   // a line of its own
  sb.generation_history = {};
  sb.split_uuid = {};
  sb.origin = SplitOrigin{array.array_uuid, seqno, slot};
  return sb;
}

Status write_split_off(BlockDevice& dev, const Superblock& array, uint32_t slot, const Superblock& split,
                       const std::vector<uint64_t>& kept) {
  WriteIntentJournal j = WriteIntentJournal::create(split);
  for (uint64_t r : kept)
    if (r < j.nr_regions()) j.mark(r);
  DMIRROR_RETURN_IF_ERROR(j.write_pending(dev, true));
  std::vector<std::byte> zeros(split.layout.events_size);
  DMIRROR_RETURN_IF_ERROR(dev.write(split.layout.events_offset, zeros));
  DMIRROR_RETURN_IF_ERROR(write_event(
      dev, split,
      make_event(1, split.ctime, EventType::LegSplit, 0, {split.origin.split_seqno},
                 "split off slot " + std::to_string(slot) + " of array '" + array.name + "' (uuid " +
                     array.array_uuid.str() + ")")));
  DMIRROR_RETURN_IF_ERROR(dev.flush());
  return write_superblocks(dev, split);
}

namespace {

// Step 2: the split-off array onto the leg.
Status write_split_leg(LegSet& set, BlockDevice& dev, uint32_t slot, const Superblock& split) {
  std::vector<uint64_t> kept;
  for (uint32_t s : set.writable_slots())
    if (const WriteIntentJournal* merged = set.journal(s)) {
      kept = merged->dirty_regions();   // every loaded journal holds the merged bits
      break;
    }
  return write_split_off(dev, set.sb(), slot, split, kept);
}

// The checks of a slot that is not split yet.
Status check_splittable(const LegSet& set, uint32_t slot, const SplitOptions& o, uint32_t& in_sync_left) {
  return check_split(set.assembly(), set.sb(), slot, o, [&set](uint32_t s) { return set.present(s); }, false,
                     in_sync_left);
}

}  // namespace

Status check_split(const Assembly& a, const Superblock& sb, uint32_t slot, const SplitOptions& o,
                   const std::function<bool(uint32_t)>& present, bool online, uint32_t& in_sync_left) {
  const std::string array = "array '" + escape_name(sb.name) + "'";
  const std::string s = "slot " + std::to_string(slot);
  const SlotView* v = a.slot(slot);
  if (!v) return refuse(s + " of " + array + " is " + std::string(leg_state_name(sb.legs[slot].state)) +
                        ": only a fresh in-sync leg can be split off");
  if (sb.legs[slot].state == LegState::Replacing || sb.checkpoint.op == OfflineOp::Replace)
    return refuse("a replace is in progress in " + array + "; finish it (rerun the replace) first");
  if (v->state != SlotState::InSync || v->split || v->leg < 0)
    return refuse(s + " of " + array + " is " + std::string(v->leg < 0 ? "missing" : slot_state_name(v->state)) +
                  ": only a fresh in-sync leg present can be split off (give it with the array's legs, or "
                  "`dmirrorctl resync` first)");
  for (const SlotView& other : a.slots)
    if (other.state == SlotState::Rebuilding)
      return refuse("slot " + std::to_string(other.slot) + " of " + array +
                    " is rebuilding; run `dmirrorctl resync` to finish it first");
  // Online, DIRTY and resync_offset are the kernel's (FORMAT.md 6.2): the
  // caller checks the kernel's own view (every leg 'A', the set idle).
  if ((!online && (sb.has_flag(sbflag::kDirty) || sb.resync_offset != kOffsetInSync)) ||
      sb.checkpoint.op != OfflineOp::None)
    return refuse(array + " needs a resync (unclean shutdown, or a resync pending): run `dmirrorctl resync` with "
                          "all its legs first, so the split-off copy is consistent");
  in_sync_left = 0;
  for (uint32_t i = 0; i < sb.nr_legs && i < kMaxLegs; ++i)
    if (i != slot && present(i) && (sb.legs[i].state == LegState::InSync || sb.legs[i].state == LegState::Replacing))
      ++in_sync_left;
  if (in_sync_left == 0)
    return refuse(s + " holds the last in-sync copy of " + array +
                  " among the legs given; it cannot be split off (give the other legs, or add a leg first)");
  if (in_sync_left == 1 && !o.force)
    return refuse("splitting off " + s + " leaves " + array +
                  " with a single in-sync leg: no redundancy. Add --force to split it anyway");
  if (leaves_only_write_mostly(sb, slot))
    return refuse("splitting off " + s + " leaves " + array +
                  " with write-mostly legs only, which the kernel refuses to activate; clear the mark on a leg "
                  "that stays first (dmirrorctl set ARRAY --no-write-mostly LEG)");
  return ok();
}

namespace {

// The devices given apart from the split-off arrays of the others (a rerun
// after the split is done may give the split leg, which then carries one).
std::vector<BlockDevice*> without_split_offs(std::span<BlockDevice* const> given, std::vector<BlockDevice*>& offs) {
  std::vector<std::optional<LegMetadata>> metas;
  for (BlockDevice* d : given) {
    auto m = read_leg(*d);
    metas.push_back(m ? std::optional<LegMetadata>(std::move(*m)) : std::nullopt);
  }
  std::vector<BlockDevice*> out;
  for (size_t i = 0; i < given.size(); ++i) {
    bool off = false;
    if (metas[i] && (metas[i]->sb.incompat & feature::kIncompatSplit) && metas[i]->sb.origin.set())
      for (const auto& other : metas)
        off |= other && other->sb.array_uuid == metas[i]->sb.origin.array_uuid;
    (off ? offs : out).push_back(given[i]);
  }
  return out;
}

}  // namespace

Result<SplitReport> split_leg(std::span<BlockDevice* const> given, uint32_t slot, const SplitOptions& o) {
  DMIRROR_RETURN_IF_ERROR(validate_array_name(o.name));
  std::vector<BlockDevice*> offs;
  const std::vector<BlockDevice*> legs = without_split_offs(given, offs);
  ops::AssemblyNotes notes;
  DMIRROR_ASSIGN_OR_RETURN(auto set, ops::assemble_for_recovery(legs, {}, notes));
  const Superblock& sb = set.sb();
  const std::string array = "array '" + escape_name(sb.name) + "'";
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, array + " is active as an online volume; deactivate it first (a leg is "
                                               "split off offline)");
  if (slot >= sb.nr_legs || slot >= kMaxLegs || sb.legs[slot].state == LegState::Unused ||
      sb.legs[slot].state == LegState::Removed)
    return make_error(ErrorCode::InvalidArgument, "slot " + std::to_string(slot) + " is not a leg of " + array);
  if (o.name == sb.name)
    return make_error(ErrorCode::InvalidArgument, "the split-off array needs a name of its own ('" +
                                                      escape_name(o.name) + "' is this array's)");
  SplitReport rep;
  rep.slot = slot;
  BlockDevice* dev = nullptr;
  if (sb.legs[slot].state == LegState::Split) {
    // A split cut short: the leg still carries the array at the commit
    // before the split (it was fresh then).
    for (const SplitView& v : set.assembly().splits)
      if (v.slot == slot && v.leg >= 0) dev = legs[static_cast<size_t>(v.leg)];
    // Given the split-off array's leg too: the split is done, but for the
    // copies of its superblock a cut may have left unwritten (copy 2 goes
    // first, and its seqno wins over the array's copies).
    for (BlockDevice* d : offs) {
      auto m = read_leg(*d);
      if (!m || m->sb.array_uuid != sb.split_uuid[slot] || m->sb.origin.array_uuid != sb.array_uuid) continue;
      if (!m->copies_agree()) DMIRROR_RETURN_IF_ERROR(write_superblocks(*d, m->sb));
      rep.resumed = true;
      rep.split_uuid = sb.split_uuid[slot];
      rep.split_seqno = sb.legs[slot].state_seq;
      for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) rep.in_sync_left += set.in_sync(s) ? 1 : 0;
      return rep;
    }
    if (!dev || (sb.legs[slot].flags & legflag::kMerging))
      return refuse("slot " + std::to_string(slot) + " of " + array + " is split off already (as array " +
                    sb.split_uuid[slot].str() + ")");
    auto m = read_leg(*dev);
    if (!m || m->sb.seqno + 1 != sb.legs[slot].state_seq)
      return refuse("slot " + std::to_string(slot) + " of " + array + " is split off, and " + dev->describe() +
                    " no longer holds the image of the split; `dmirrorctl remove --leg " + std::to_string(slot) +
                    "` frees the slot");
    rep.resumed = true;
    for (uint32_t i = 0; i < sb.nr_legs && i < kMaxLegs; ++i) rep.in_sync_left += set.in_sync(i) ? 1 : 0;
    set.set_consent(o.degraded, slot, "splitting off slot " + std::to_string(slot));
    DMIRROR_RETURN_IF_ERROR(set.check_consent());
    DMIRROR_RETURN_IF_ERROR(set.load_journals());
  } else {
    DMIRROR_RETURN_IF_ERROR(check_splittable(set, slot, o, rep.in_sync_left));
    set.set_consent(o.degraded, slot, "splitting off slot " + std::to_string(slot));
    DMIRROR_RETURN_IF_ERROR(set.check_consent());
    dev = set.dev(slot);
    DMIRROR_RETURN_IF_ERROR(set.load_journals());
    // Step 1.
    Superblock& m = set.mutable_sb();
    const std::string name = set.leg_name(slot);
    m.incompat |= feature::kIncompatSplit;
    m.split_uuid[slot] = random_uuid();
    LegEntry& e = m.legs[slot];
    e.flags = 0;
    e.recovery_offset = kOffsetInSync;
    e.replacement_slot = kNoSlot;
    e.merge_seqno = 0;
    set.set_state(slot, LegState::Split);
    set.record_event(EventType::LegSplit, slot, {},
                     name + " split off as array '" + o.name + "' (uuid " + m.split_uuid[slot].str() +
                         "); writes since are tracked in the journal");
    DMIRROR_RETURN_IF_ERROR(set.commit());
  }
  rep.split_uuid = set.sb().split_uuid[slot];
  rep.split_seqno = set.sb().legs[slot].state_seq;
  // Step 2.
  const Superblock split = split_superblock(set.sb(), slot, rep.split_seqno, rep.split_uuid, o.name);
  DMIRROR_RETURN_IF_ERROR(write_split_leg(set, *dev, slot, split));
  rep.regions_kept = set.dirty_count();
  return rep;
}

}  // namespace dmirror
