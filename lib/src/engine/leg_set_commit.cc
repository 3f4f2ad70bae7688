// SPDX-License-Identifier: LGPL-2.1-or-later
// Superblock commits, leg failures and the event history of a LegSet.
// FORMAT.md, "Superblock update order": the in-sync legs first, each gets
// one copy, flush, the other copy, flush; a leg whose update fails is failed and the update redone
// with the next seqno, so the survivors always agree on who is trusted.
// A failure counts as recorded only once a commit carrying it reached a
// surviving leg; until then unrecorded() holds every acknowledgement back.
#include "engine/leg_set.h"

#include <dmirror/leg_count.h>

#include <algorithm>
#include <cerrno>

namespace dmirror::engine {

Status LegSet::commit(std::span<const uint32_t> extra) { return commit_impl(extra, false); }

Status LegSet::commit_kept_since() { return commit_impl({}, true); }

Status LegSet::settle() { return unrecorded_ ? commit() : ok(); }

void LegSet::set_state(uint32_t slot, LegState state) {
  sb_.legs[slot].state = state;
  sb_.legs[slot].state_seq = sb_.seqno + 1;
  if (std::find(restamp_.begin(), restamp_.end(), slot) == restamp_.end()) restamp_.push_back(slot);
}

// Rule 11 of FORMAT.md 2.6, for every writer (the engine at open; resync,
// scrub, verify --repair, replace and clear commit here): a member slot (in
// sync, replacing or rebuilding) with no device is recorded missing by the
// commit that goes on without it. Otherwise a leg absent meanwhile and
// holding writes this leg never saw (this leg rolled back, say) comes back
// merely behind, and its writes are recovered over instead of being called
// a split brain. Missing, not failed: nothing failed it by an I/O error. A
// rebuilding leg keeps its flags, so when it returns the assembly (rule 8)
// brings a full rebuild back by a full copy and a journal-guided one from
// the journal.
void LegSet::record_absent_members() {
  for (uint32_t slot = 0; slot < sb_.nr_legs; ++slot) {
    const LegState st = sb_.legs[slot].state;
    if (present(slot) || (st != LegState::InSync && st != LegState::Replacing && st != LegState::Rebuilding)) continue;
    set_state(slot, LegState::Missing);
    record_event(EventType::LegMissing, slot, {},
                 "slot " + std::to_string(slot) + (st == LegState::InSync ? "" : " (" + std::string(leg_state_name(st)) + ")") +
                     " is missing while the array is written");
  }
}

Status LegSet::commit_impl(std::span<const uint32_t> extra, bool kept_since) {
  if (read_only_) return make_error(ErrorCode::PermissionDenied, "metadata update refused: opened read-only");
  // Rule 11: recording a member missing that was absent from the start
  // needs the caller's consent; before anything is written.
  DMIRROR_RETURN_IF_ERROR(check_consent());
  // FORMAT.md 2.6 rule 12: a bit only some legs carry goes onto every leg
  // with the command's first commit (not at load: a command refused after
  // loading writes nothing). Otherwise the leg that carries it could leave
  // (removed, replaced) and take with it the record of the writes a
  // missing leg missed: that leg would come back "from the journal" with
  // nothing to copy. Marks only: once a region was cleared, rule 13 orders
  // the journal writes.
  if (journals_loaded_ && merged_unwritten_) {
    merged_unwritten_ = false;
    DMIRROR_RETURN_IF_ERROR(fail_legs(write_journals()));
  }
  record_absent_members();
  unrecorded_ = true;
  auto is_extra = [&](uint32_t slot) { return std::find(extra.begin(), extra.end(), slot) != extra.end(); };
  auto target = [&](uint32_t slot) {
    return !erred(slot) && (writable(slot) || (is_extra(slot) && present(slot)));
  };
  // Rule 15: never write a seqno at or below one already on a leg. A leg
  // that cannot be read here fails the write below.
  uint64_t newest = sb_.seqno;
  for (uint32_t slot = 0; slot < sb_.nr_legs; ++slot) {
    if (!target(slot)) continue;
    if (auto m = read_leg(*devs_[slot]); m && m->sb.array_uuid == sb_.array_uuid)
      newest = std::max(newest, m->sb.seqno);
  }
  sb_.seqno = newest + 1;
  sb_.utime = now_seconds();
  if (!(sb_.incompat & feature::kIncompatMembership)) {
    // An array of an older version: nothing before this commit is provably
    // covered by the journal. GENERATION comes with its first generation
    // (rule 19, below).
    sb_.incompat |= feature::kIncompatMembership;
    sb_.compat |= feature::kCompatCurrent;
    kept_since = true;
  }
  if (kept_since) sb_.journal_kept_since = sb_.seqno;
  // Copy 2 goes on every leg with room past its data area (FORMAT.md 1),
  // and comes back after an older writer dropped the bit.
  sb_.compat |= feature::kCompatTailCopy;
  settle_spares_bit(sb_);
  // Rule 19: going on without a member that held the last commit starts a
  // new generation (once per session). A leg rejoining is written by this
  // commit and so adopts the generation of the line it rejoins.
  generation_.before_commit(sb_, sb_.seqno, target);
  for (uint32_t slot : restamp_) sb_.legs[slot].state_seq = sb_.seqno;
  std::vector<LegError> errors;
  bool reached = false;   // an in-sync leg holds the update
  // In-sync legs first (FORMAT.md 2.5): an update torn part-way then sits
  // on a leg that holds all the data, never only on a rebuilding one.
  std::vector<uint32_t> order;
  for (uint32_t slot = 0; slot < sb_.nr_legs; ++slot)
    if (target(slot) && in_sync(slot)) order.push_back(slot);
  for (uint32_t slot = 0; slot < sb_.nr_legs; ++slot)
    if (target(slot) && !in_sync(slot)) order.push_back(slot);
  for (uint32_t slot : order) {
    Superblock s = sb_;
    s.slot = slot;
    s.leg_uuid = sb_.legs[slot].uuid;
    auto st = write_superblocks(*devs_[slot], s);
    if (!st) ++sb_.counters[slot].write_errors;   // FORMAT.md 2.7
    if (!st && !is_extra(slot)) errors.push_back({slot, st.error()});
    if (st && in_sync(slot)) reached = true;
  }
  if (errors.empty() && !reached) {
    return make_error(ErrorCode::Io, "array '" + sb_.name + "': no in-sync leg may take the metadata update (" +
                                         "every one failed an I/O during this command); nothing was acknowledged "
                                         "since: run the command again once the legs work");
  }
  if (errors.empty()) {
    unrecorded_ = false;
    restamp_.clear();
    return ok();
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
    if (e.slot < erred_.size()) erred_[e.slot] = 1;   // rule 17
    if (!writable(e.slot)) continue;
    if (!survivor && in_sync(e.slot)) continue;   // never fail the last in-sync leg
    LegEntry& leg = sb_.legs[e.slot];
    // A leg that vanished (not an I/O error) is missing, not failed: its
    // journal bits are kept for its return (FORMAT.md 2.6 rules 11, 17).
    const bool journal_rebuild = leg.state == LegState::Rebuilding && (leg.flags & legflag::kRecoverFromJournal);
    const bool gone = e.error.code == ErrorCode::NotFound || e.error.sys_errno == ENXIO || e.error.sys_errno == ENODEV;
    const bool vanished = gone &&
                          (leg.state == LegState::InSync || leg.state == LegState::Replacing || journal_rebuild);
    set_state(e.slot, vanished ? LegState::Missing : LegState::Failed);
    leg.replacement_slot = kNoSlot;
    journals_[e.slot].reset();
    changed = true;
    if (vanished)
      record_event(EventType::LegMissing, e.slot, {static_cast<uint64_t>(e.error.sys_errno)},
                   leg_name(e.slot) + " vanished: " + e.error.describe());
    else
      record_event(EventType::LegFailed, e.slot, {static_cast<uint64_t>(e.error.sys_errno)},
                   leg_name(e.slot) + " failed: " + e.error.describe());
  }
  if (changed && !read_only_) {
    if (auto st = commit(); !st) {
      // The failed legs stay out of use (reads and writes) but the failure
      // is not on disk: unrecorded() stays true and settle() retries it.
      Error err = st.error();
      err.message = "recording the failure of " + leg_name(errors.front().slot) +
                    " reached no surviving leg: " + err.message;
      return std::unexpected(err);
    }
  }
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
  for (uint32_t s : writable_slots())
    if (!erred(s)) (void)write_event(*devs_[s], sb_, ev);
}

}  // namespace dmirror::engine
