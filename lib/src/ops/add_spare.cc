// SPDX-License-Identifier: LGPL-2.1-or-later
// add_spare() (see leg_count.h): a device kept for the array, holding no
// data (FORMAT.md 2.3, 2.6 rule 23).
#include <dmirror/events.h>
#include <dmirror/leg.h>
#include <dmirror/leg_count.h>
#include <dmirror/names.h>
#include <dmirror/uuid.h>

#include <algorithm>

#include "ops/replace_steps.h"
#include "ops/resync_assembly.h"

namespace dmirror {

void settle_spares_bit(Superblock& sb) {
  for (const LegEntry& e : sb.legs)
    if (e.state == LegState::Spare) return;
  sb.incompat &= ~feature::kIncompatSpares;
}

uint32_t spare_flags_kept(const Superblock& sb, uint32_t slot, uint32_t leaving) {
  if (slot >= kMaxLegs || sb.legs[slot].state != LegState::Spare) return 0;
  if (!(sb.legs[slot].flags & legflag::kWriteMostly)) return 0;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (s != slot && s != leaving && is_member_state(sb.legs[s].state) &&
        sb.legs[s].state != LegState::Failed && !(sb.legs[s].flags & legflag::kWriteMostly))
      return legflag::kWriteMostly;
  return 0;
}

Result<ReplaceReport> add_spare(std::span<BlockDevice* const> legs, BlockDevice& new_dev, const ReplaceOptions& o) {
  std::vector<BlockDevice*> devs;
  for (BlockDevice* d : legs)
    if (d != &new_dev) devs.push_back(d);
  ops::AssemblyNotes notes;
  DMIRROR_ASSIGN_OR_RETURN(auto set, ops::assemble_for_recovery(devs, {}, notes));
  const Superblock& sb = set.sb();
  const std::string array = "array '" + escape_name(sb.name) + "'";
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, array + " is owned by an online volume; add the spare through it "
                                               "(dmirrorctl add NAME --spare --new DEV)");
  if (auto m = read_leg(new_dev); m && m->sb.array_uuid == sb.array_uuid)
    for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
      if (sb.legs[s].uuid == m->sb.leg_uuid && sb.legs[s].state != LegState::Removed &&
          sb.legs[s].state != LegState::Unused)
        return make_error(ErrorCode::Exists, new_dev.describe() + " is already slot " + std::to_string(s) + " of " +
                                                 array + " (" + std::string(leg_state_name(sb.legs[s].state)) + ")");
  // Rule 11: the commit would record an absent member missing.
  set.set_consent(o.degraded, kNoSlot, "adding a spare");
  DMIRROR_RETURN_IF_ERROR(set.check_consent());
  DMIRROR_RETURN_IF_ERROR(ops::check_new_device(set, new_dev, o));
  auto slot = ops::free_slot(sb);
  if (!slot) return make_error(ErrorCode::TooSmall, "the leg table is full (" + std::to_string(kMaxLegs) + " slots)");
  ReplaceReport rep;
  rep.new_slot = *slot;
  // Its journal and event area are written as for a new leg; its own
  // superblock comes with the commit below, and then no more (rule 23).
  DMIRROR_RETURN_IF_ERROR(ops::prepare_new_leg(set, *slot, new_dev));
  Superblock& m = set.mutable_sb();
  LegEntry& e = m.legs[*slot];
  e = LegEntry{};
  e.uuid = random_uuid();
  e.state = LegState::Spare;
  e.state_seq = m.seqno + 1;
  e.recovery_offset = kOffsetInSync;
  e.device_size = new_dev.geometry().size_bytes;
  m.nr_legs = std::max(m.nr_legs, *slot + 1);
  m.incompat |= feature::kIncompatSpares;
  set.record_event(EventType::LegAdded, *slot, {2}, new_dev.describe() + " added as slot " + std::to_string(*slot) +
                                                        ", a spare");
  // The spare is no writable member: it is written as an extra slot.
  const uint32_t spare[] = {*slot};
  DMIRROR_RETURN_IF_ERROR(set.commit(spare));
  set.attach(*slot, nullptr);
  return rep;
}

}  // namespace dmirror
