// SPDX-License-Identifier: LGPL-2.1-or-later
// add_leg() (see leg_count.h): a new device joins a free slot as
// rebuilding, is copied and verified from an in-sync leg, then is in sync.
#include <dmirror/events.h>
#include <dmirror/leg.h>
#include <dmirror/leg_count.h>
#include <dmirror/names.h>
#include <dmirror/uuid.h>

#include <algorithm>

#include "ops/replace_steps.h"
#include "ops/resync_assembly.h"

namespace dmirror {
namespace {

// A device already carrying this array's leg: a member is not added twice;
// the rebuilding leg of an interrupted add is finished by a resync.
Status check_not_member(const engine::LegSet& set, BlockDevice& dev) {
  auto m = read_leg(dev);
  if (!m || m->sb.array_uuid != set.sb().array_uuid) return ok();
  const Superblock& sb = set.sb();
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = sb.legs[s];
    if (e.uuid != m->sb.leg_uuid || !is_member_state(e.state)) continue;   // removed, or a spare to use
    if (e.state == LegState::Rebuilding)
      return make_error(ErrorCode::Refused, dev.describe() + " is already slot " + std::to_string(s) +
                                                " of this array, rebuilding (an add or a copy was interrupted); "
                                                "run `dmirrorctl resync` with the array's legs and it to finish");
    return make_error(ErrorCode::Refused, dev.describe() + " is already slot " + std::to_string(s) +
                                              " of this array (" + std::string(leg_state_name(e.state)) +
                                              "); give a device that is not a member");
  }
  return ok();
}

// A slot an earlier add of `dev` joined, whose run stopped before the
// device's own superblock was written: rebuilding from 0, no device
// carries it, and its `leg added` event names `dev`. That run's slot is
// taken back rather than left missing for good.
std::optional<uint32_t> interrupted_join(const engine::LegSet& set, const BlockDevice& dev) {
  const Superblock& sb = set.sb();
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = sb.legs[s];
    if (e.state != LegState::Rebuilding || e.recovery_offset != 0 || set.present(s)) continue;
    std::string named;
    for (uint32_t w : set.writable_slots()) {
      auto h = read_events(*set.dev(w), sb);
      if (!h) continue;
      for (const Event& ev : h->events)
        if (ev.type == EventType::LegAdded && ev.slot == s && ev.args[0] == 0)
          named = ev.detail.substr(0, ev.detail.find(" added as slot "));
      if (!named.empty()) break;
    }
    if (named == dev.describe()) return s;
  }
  return std::nullopt;
}

}  // namespace

Result<ReplaceReport> add_leg(std::span<BlockDevice* const> legs, BlockDevice& new_dev, const ReplaceOptions& o) {
  std::vector<BlockDevice*> devs;
  for (BlockDevice* d : legs)
    if (d != &new_dev) devs.push_back(d);
  ops::AssemblyNotes notes;
  DMIRROR_ASSIGN_OR_RETURN(auto set, ops::assemble_for_recovery(devs, {}, notes));
  // A device carrying a leg of this array (replaced or removed while away)
  // is judged with the others, as replace judges it: the other side of a
  // split brain holds writes the array lacks and is refused (exit 12).
  if (auto m = read_leg(new_dev); m && m->sb.array_uuid == set.sb().array_uuid) {
    devs.push_back(&new_dev);
    DMIRROR_ASSIGN_OR_RETURN(set, ops::assemble_for_recovery(devs, {}, notes));
  }
  const Superblock& sb = set.sb();
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array '" + escape_name(sb.name) +
                                           "' is owned by an online volume; deactivate it first (legs are added "
                                           "offline)");
  if (sb.checkpoint.op == OfflineOp::Replace)
    return make_error(ErrorCode::Refused, "a replace of slot " + std::to_string(sb.checkpoint.source_slot) +
                                              " is in progress; finish it first");
  if (!set.primary()) {
    std::string advice = no_in_sync_advice(set.assembly());
    advice[0] = 'f';
    return make_error(ErrorCode::Stale, "array '" + escape_name(sb.name) +
                                            "' has no in-sync leg among the legs given, so there is nothing to copy "
                                            "from; " + advice);
  }
  // Rule 11: the join commit would record an absent member missing; the
  // slot of an interrupted add of this device is this command's own.
  set.set_consent(o.degraded, kNoSlot, "adding a leg");
  if (auto own = interrupted_join(set, new_dev)) set.exempt(*own);
  DMIRROR_RETURN_IF_ERROR(set.check_consent());
  DMIRROR_RETURN_IF_ERROR(check_not_member(set, new_dev));
  DMIRROR_RETURN_IF_ERROR(ops::check_new_device(set, new_dev, o));
  DMIRROR_RETURN_IF_ERROR(set.load_journals());
  ReplaceReport rep;
  DMIRROR_RETURN_IF_ERROR(ops::settle_dirty_regions(set, rep));
  const auto again = interrupted_join(set, new_dev);
  // A spare of the array joins in its own slot (FORMAT.md 2.6 rule 23).
  auto slot = again ? again : ops::spare_slot_of(set.sb(), new_dev);
  if (!slot) slot = ops::free_slot(set.sb());
  if (!slot) return make_error(ErrorCode::TooSmall, "the leg table is full (" + std::to_string(kMaxLegs) + " slots)");
  rep.new_slot = *slot;
  rep.resumed = again.has_value();
  DMIRROR_RETURN_IF_ERROR(ops::prepare_new_leg(set, *slot, new_dev));
  Superblock& m = set.mutable_sb();
  LegEntry& e = m.legs[*slot];
  if (!again) {
    const uint32_t kept = spare_flags_kept(m, *slot, kNoSlot);   // a spare's write-mostly stays
    e = LegEntry{};
    e.flags = kept;
    e.uuid = random_uuid();
    e.state = LegState::Rebuilding;
    e.state_seq = m.seqno + 1;
    e.recovery_offset = 0;
    m.nr_legs = std::max(m.nr_legs, *slot + 1);
    set.record_event(EventType::LegAdded, *slot, {0},
                     new_dev.describe() + " added as slot " + std::to_string(*slot) + ", rebuilding");
  }
  e.device_size = new_dev.geometry().size_bytes;
  DMIRROR_RETURN_IF_ERROR(set.commit());

  auto src = set.primary();
  if (!src) return make_error(ErrorCode::Stale, "no in-sync leg to copy from");
  DMIRROR_RETURN_IF_ERROR(ops::copy_and_verify(set, *src, *slot, new_dev, o, rep));
  LegEntry& done = set.mutable_sb().legs[*slot];
  done.state = LegState::InSync;
  done.recovery_offset = kOffsetInSync;
  done.state_seq = set.sb().seqno + 1;
  set.record_event(EventType::LegAdded, *slot, {1, set.sb().nr_legs},
                   set.leg_name(*slot) + " copied and verified: in sync");
  DMIRROR_RETURN_IF_ERROR(set.commit());
  return rep;
}

}  // namespace dmirror
