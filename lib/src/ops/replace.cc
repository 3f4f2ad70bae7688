// SPDX-License-Identifier: LGPL-2.1-or-later
// replace() (see replace.h): join, copy, verify, retire — or, for a device
// that is its own former slot, a full copy back into that slot.
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/leg_count.h>
#include <dmirror/names.h>
#include <dmirror/replace.h>

#include <algorithm>

#include "ops/replace_steps.h"
#include "ops/resync_assembly.h"
#include "ops/resync_core.h"

namespace dmirror {
namespace ops {

using engine::LegSet;

Status check_new_device(const LegSet& set, BlockDevice& dev, const ReplaceOptions& o) {
  const Superblock& sb = set.sb();
  uint64_t need = sb.layout.data_offset + sb.layout.data_size;
  // An array whose in-sync legs all carry superblock copy 2 (FORMAT.md 1:
  // created with room for it) takes only legs with room for it too.
  bool tails = false;
  for (uint32_t s : set.in_sync_slots()) {
    const auto& m = set.meta(s);
    tails = m && m->sb.tail_offset != 0;
    if (!tails) break;
  }
  if (tails) need = (need + kTailCopyAlign - 1) / kTailCopyAlign * kTailCopyAlign + kTailCopyAlign;
  if (dev.geometry().size_bytes < need)
    return make_error(ErrorCode::TooSmall, dev.describe() + " has " + format_size_bytes(dev.geometry().size_bytes) +
                                               "; the array needs " + format_size_bytes(need) +
                                               (tails ? " (its data area and a superblock copy at the end)" : ""));
  if (dev.geometry().logical_block_size > sb.logical_block_size)
    return make_error(ErrorCode::Refused, dev.describe() + " has a larger logical block size (" +
                                                      std::to_string(dev.geometry().logical_block_size) +
                                                      ") than the array (" + std::to_string(sb.logical_block_size) + ")");
  for (uint32_t s = 0; s < sb.nr_legs; ++s)
    if (set.dev(s) == &dev)
      return make_error(ErrorCode::Refused, dev.describe() + " is already slot " + std::to_string(s) +
                                                " of this array: give a device that is not a member as the new "
                                                "leg; to bring this leg up to date run 'dmirrorctl resync' "
                                                "('resync --re-add' for a failed leg)");
  if (auto m = read_leg(dev); m) {
    if (m->sb.array_uuid == sb.array_uuid) {
      // A removed or retired leg of this array may come back as a new leg.
      for (uint32_t s = 0; s < sb.nr_legs; ++s) {
        const LegEntry& e = sb.legs[s];
        if (e.uuid != m->sb.leg_uuid || !is_member_state(e.state)) continue;   // removed, or a spare to use
        return make_error(ErrorCode::Exists, dev.describe() + " is already slot " + std::to_string(s) +
                                                 " of this array (" + std::string(leg_state_name(e.state)) + ")");
      }
    } else if (!o.force) {
      return make_error(ErrorCode::Exists, dev.describe() + " is a leg of array '" + m->sb.name +
                                               "'; use --force to overwrite it");
    }
  }
  return ok();
}

// Writes the new leg's journal and clears its event area, then attaches it
// to `slot`. The journal carries every bit the members' journals hold: bits
// kept for a missing or stale leg (FORMAT.md 2.6 rule 12) must survive the
// replace of the legs that held them, or that leg would come back from a
// journal that forgot its regions. A crash before the next superblock
// commit leaves a device that is simply not part of the array.
Status prepare_new_leg(LegSet& set, uint32_t slot, BlockDevice& dev) {
  const Superblock& sb = set.sb();
  if (!set.journals_loaded()) DMIRROR_RETURN_IF_ERROR(set.load_journals());
  WriteIntentJournal j = WriteIntentJournal::create(sb);
  for (uint32_t s : set.writable_slots())
    if (const WriteIntentJournal* merged = set.journal(s)) {
      j.merge_from(*merged);   // every loaded journal holds the merged bits
      break;
    }
  DMIRROR_RETURN_IF_ERROR(j.write_pending(dev, true));
  j.commit_written(true);
  std::vector<std::byte> zeros(sb.layout.events_size);
  DMIRROR_RETURN_IF_ERROR(dev.write(sb.layout.events_offset, zeros));
  DMIRROR_RETURN_IF_ERROR(dev.flush());
  set.attach(slot, &dev);
  set.adopt_journal(slot, j);
  return ok();
}

Status join(LegSet& set, uint32_t old_slot, uint32_t slot, BlockDevice& dev) {
  Superblock& sb = set.mutable_sb();
  DMIRROR_RETURN_IF_ERROR(prepare_new_leg(set, slot, dev));

  LegEntry& e = sb.legs[slot];
  const uint32_t kept = spare_flags_kept(sb, slot, old_slot);   // a spare's write-mostly stays
  e = LegEntry{};
  e.flags = kept;
  e.uuid = random_uuid();
  e.state = LegState::Rebuilding;
  e.state_seq = sb.seqno + 1;
  e.recovery_offset = 0;
  e.device_size = dev.geometry().size_bytes;
  sb.nr_legs = std::max(sb.nr_legs, slot + 1);
  LegEntry& old = sb.legs[old_slot];
  if (old.state == LegState::InSync) {
    old.state = LegState::Replacing;
    old.state_seq = sb.seqno + 1;
  }
  old.replacement_slot = slot;
  sb.checkpoint = Checkpoint{.op = OfflineOp::Replace, .started = engine::now_seconds(),
                             .source_slot = old_slot, .target_slot = slot};
  // recorded_replace_device() reads the device back from this text.
  set.record_event(EventType::ReplaceStarted, old_slot, {slot}, "replacing " + set.leg_name(old_slot) + " by " +
                                                                   dev.describe() + " in slot " + std::to_string(slot));
  return set.commit();
}

std::optional<uint32_t> spare_slot_of(const Superblock& sb, BlockDevice& dev) {
  auto m = read_leg(dev);
  if (!m || m->sb.array_uuid != sb.array_uuid) return std::nullopt;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (sb.legs[s].uuid == m->sb.leg_uuid && sb.legs[s].state == LegState::Spare) return s;
  return std::nullopt;
}

std::optional<uint32_t> free_slot(const Superblock& sb) {
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (s >= sb.nr_legs || sb.legs[s].state == LegState::Unused) return s;
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (sb.legs[s].state == LegState::Removed) return s;
  return std::nullopt;
}

Status settle_dirty_regions(LegSet& set, ReplaceReport& rep) {
  // Settle dirty regions first, so every in-sync leg is a valid source.
  if (!set.sb().has_flag(sbflag::kDirty) && set.dirty_count() == 0) return ok();
  ResyncOptions ro;
  ro.recover = false;
  // The vote of rule 21 is held by every leg or not at all: an in-sync leg
  // away (the one being replaced, say) could change it.
  DMIRROR_RETURN_IF_ERROR(ops::check_vote_possible(set, ro));
  DMIRROR_ASSIGN_OR_RETURN(auto r, ops::resync_legs(set, ro, /*dirty_only=*/true));
  rep.outvoted_regions += r.outvoted_regions;
  rep.findings.insert(rep.findings.end(), r.findings.begin(), r.findings.end());
  return ok();
}

}  // namespace ops

using engine::LegSet;
using ops::check_new_device;
using ops::free_slot;
using ops::join;
using ops::prepare_new_leg;
using ops::settle_dirty_regions;

namespace {

// md's re-add of a former member: the device given as --new is the
// failed, missing or stale leg of `slot` itself. It keeps its slot and
// uuid and gets a full copy (resumed when its own rebuild was interrupted).
Result<ReplaceReport> readd_in_place(LegSet& set, uint32_t slot, BlockDevice& dev, const ReplaceOptions& o) {
  const Superblock& sb = set.sb();
  if (set.in_sync(slot))
    return make_error(ErrorCode::Refused, dev.describe() + " is slot " + std::to_string(slot) +
                                              " and in sync: there is nothing to rebuild. To move the slot onto "
                                              "another device give that device as --new; a stale or failed leg "
                                              "is brought back by 'dmirrorctl resync' ('resync --re-add' for a "
                                              "failed one), and 'dmirrorctl scrub' checks it against the others");
  if (sb.checkpoint.op == OfflineOp::Replace)
    return make_error(ErrorCode::Refused, "a replace of slot " + std::to_string(sb.checkpoint.source_slot) +
                                                      " is in progress; finish it first");
  const LegEntry& e = sb.legs[slot];
  const bool own_rebuild = e.state == LegState::Rebuilding && !(e.flags & legflag::kRecoverFromJournal) &&
                           set.meta(slot) && set.meta(slot)->sb.seqno == sb.seqno;
  ReplaceReport rep;
  rep.old_slot = rep.new_slot = slot;
  rep.readded = true;
  rep.resumed = own_rebuild && e.recovery_offset > 0;
  if (!own_rebuild) ops::begin_full_readd(set, slot);
  DMIRROR_RETURN_IF_ERROR(set.load_journals());
  DMIRROR_RETURN_IF_ERROR(settle_dirty_regions(set, rep));
  set.record_event(EventType::ResyncStarted, slot, {set.sb().legs[slot].recovery_offset},
                   set.leg_name(slot) + " given back its slot (replace onto itself): a full copy");
  DMIRROR_RETURN_IF_ERROR(set.commit());
  auto src = set.primary();
  if (!src) return make_error(ErrorCode::Stale, "no in-sync leg to copy from");
  DMIRROR_RETURN_IF_ERROR(ops::copy_and_verify(set, *src, slot, dev, o, rep));
  LegEntry& m = set.mutable_sb().legs[slot];
  m.state = LegState::InSync;
  m.recovery_offset = kOffsetInSync;
  m.state_seq = set.sb().seqno + 1;
  const uint64_t regions = (rep.bytes_copied + sb.region_size - 1) / sb.region_size;
  set.record_event(EventType::LegReAdded, slot, {0, regions},
                   set.leg_name(slot) + " re-added by a full copy: " + std::to_string(rep.bytes_verified) +
                       " bytes copied and verified");
  DMIRROR_RETURN_IF_ERROR(set.commit());
  DMIRROR_RETURN_IF_ERROR(ops::clear_kept_bits(set));
  return rep;
}

}  // namespace

Result<ReplaceReport> replace(std::span<BlockDevice* const> legs, uint32_t old_slot, BlockDevice& new_dev,
                              const ReplaceOptions& o) {
  std::vector<BlockDevice*> devs;
  for (BlockDevice* d : legs) if (d != &new_dev) devs.push_back(d);
  ops::AssemblyNotes notes;
  DMIRROR_ASSIGN_OR_RETURN(auto set, ops::assemble_for_recovery(devs, {}, notes));
  // A new device already carrying this array's superblock joined in an
  // earlier, interrupted run, or is the old leg itself: assemble with it,
  // so its slot (and, if its superblock is the newest, its view) is used.
  std::optional<LegMetadata> own;
  if (auto m = read_leg(new_dev); m && m->sb.array_uuid == set.sb().array_uuid) {
    own = std::move(*m);
    devs.push_back(&new_dev);
    DMIRROR_ASSIGN_OR_RETURN(set, ops::assemble_for_recovery(devs, {}, notes));
  }
  const Superblock& sb = set.sb();
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array '" + sb.name + "' is owned by an online volume; deactivate it first");
  if (old_slot >= sb.nr_legs || sb.legs[old_slot].state == LegState::Unused || sb.legs[old_slot].state == LegState::Removed)
    return make_error(ErrorCode::InvalidArgument, "slot " + std::to_string(old_slot) + " is not a leg of the array");
  // A spare holds no copy to replace (FORMAT.md 2.3): it is retired by remove.
  if (sb.legs[old_slot].state == LegState::Spare)
    return make_error(ErrorCode::InvalidArgument, "slot " + std::to_string(old_slot) +
                                                      " is a spare, not a leg holding data; retire it with "
                                                      "`dmirrorctl remove --leg " + std::to_string(old_slot) +
                                                      "` and add the new device with `add --spare`");
  if (!set.primary()) {
    std::string advice = no_in_sync_advice(set.assembly());
    advice[0] = 'f';
    return make_error(ErrorCode::Stale, "array '" + sb.name +
                                            "' has no in-sync leg among the legs given, so there is nothing to copy "
                                            "from; " + advice);
  }
  // Rule 11: another member absent would be recorded missing; the slot
  // replaced needs no consent (replacing a missing leg is the point).
  set.set_consent(o.degraded, old_slot, "replacing slot " + std::to_string(old_slot));
  if (sb.checkpoint.op == OfflineOp::Replace && sb.checkpoint.source_slot == old_slot)
    set.exempt(sb.checkpoint.target_slot);   // the new leg of this replace, resumed or restarted
  DMIRROR_RETURN_IF_ERROR(set.check_consent());
  if (own && own->sb.leg_uuid == sb.legs[old_slot].uuid && set.dev(old_slot) == &new_dev)
    return readd_in_place(set, old_slot, new_dev, o);

  ReplaceReport rep;
  rep.old_slot = old_slot;
  if (sb.checkpoint.op == OfflineOp::Replace) {
    const uint32_t target = sb.checkpoint.target_slot;
    if (sb.checkpoint.source_slot != old_slot)
      return make_error(ErrorCode::Refused, "a replace of slot " + std::to_string(sb.checkpoint.source_slot) +
                                                        " is in progress; finish it first");
    if (!o.restart && (sb.legs[target].state == LegState::Failed || sb.legs[target].state == LegState::Missing))
      return make_error(ErrorCode::Refused,
                        "the new leg of the replace of slot " + std::to_string(old_slot) + " (slot " +
                            std::to_string(target) + ") is " + std::string(leg_state_name(sb.legs[target].state)) +
                            ": the replace cannot resume; start over with another device (add --restart to retire "
                            "slot " + std::to_string(target) + ")");
    const std::string recorded = ops::recorded_replace_device(set, old_slot, target);
    const bool same = set.present(target) ? set.dev(target) == &new_dev : recorded.empty() || recorded == new_dev.describe();
    if (!same && !o.restart)
      return make_error(ErrorCode::Refused,
                        "a replace of slot " + std::to_string(old_slot) + " by slot " + std::to_string(target) +
                            (recorded.empty() ? std::string() : " (" + recorded + ")") + " is in progress; rerun with " +
                            (recorded.empty() ? std::string("that device") : recorded) +
                            " as the new leg to resume it, or add --restart to start over onto " + new_dev.describe());
    if (o.restart) {
      DMIRROR_RETURN_IF_ERROR(ops::retire_replace_target(set, old_slot, target, "half-copied, retired (--restart)"));
      rep.restarted = true;
    } else {
      DMIRROR_RETURN_IF_ERROR(set.load_journals());
      if (!set.present(target)) {
        // The run that joined the new leg stopped before the new leg's own
        // superblock was written: the slot is reserved but nothing on this
        // device can be trusted. Re-adopt it and copy from the start.
        if (own)
          return make_error(ErrorCode::Refused, new_dev.describe() + " is another leg of this array; a replace of slot " +
                                                            std::to_string(old_slot) + " is in progress");
        DMIRROR_RETURN_IF_ERROR(check_new_device(set, new_dev, o));
        DMIRROR_RETURN_IF_ERROR(prepare_new_leg(set, target, new_dev));
        set.mutable_sb().legs[target].recovery_offset = 0;
        DMIRROR_RETURN_IF_ERROR(set.commit());
      }
      rep.resumed = true;
      rep.new_slot = target;
    }
  }
  if (rep.new_slot == kNoSlot) {
    DMIRROR_RETURN_IF_ERROR(check_new_device(set, new_dev, o));
    DMIRROR_RETURN_IF_ERROR(set.load_journals());
    DMIRROR_RETURN_IF_ERROR(settle_dirty_regions(set, rep));
    // A spare of the array is used in its own slot (FORMAT.md 2.6 rule 23).
    auto slot = ops::spare_slot_of(sb, new_dev);
    if (!slot) slot = free_slot(sb);
    if (!slot) return make_error(ErrorCode::TooSmall, "the leg table is full (" + std::to_string(kMaxLegs) + " slots)");
    rep.new_slot = *slot;
    DMIRROR_RETURN_IF_ERROR(join(set, old_slot, *slot, new_dev));
  }

  const uint32_t t = rep.new_slot;
  uint32_t src = set.in_sync(old_slot) ? old_slot : set.primary().value_or(kNoSlot);
  if (src == kNoSlot) return make_error(ErrorCode::Stale, "no in-sync leg to copy from");
  DMIRROR_RETURN_IF_ERROR(ops::copy_and_verify(set, src, t, new_dev, o, rep));

  Superblock& m = set.mutable_sb();
  m.legs[t].state = LegState::InSync;
  m.legs[t].recovery_offset = kOffsetInSync;
  m.legs[t].state_seq = m.seqno + 1;
  m.legs[old_slot].state = LegState::Removed;
  m.legs[old_slot].replacement_slot = kNoSlot;
  m.legs[old_slot].state_seq = m.seqno + 1;
  m.checkpoint = Checkpoint{};
  set.record_event(EventType::ReplaceFinished, old_slot, {t}, "slot " + std::to_string(old_slot) + " replaced by " +
                                                                  new_dev.describe() + " (slot " + std::to_string(t) + ")");
  const uint32_t retired[] = {old_slot};
  DMIRROR_RETURN_IF_ERROR(set.commit(retired));
  // The bits kept while the old leg was degraded (rule 12) would otherwise
  // outlive it and make the next scrub take rot there for a crash window.
  DMIRROR_RETURN_IF_ERROR(ops::clear_kept_bits(set));
  return rep;
}

}  // namespace dmirror
