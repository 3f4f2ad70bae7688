// SPDX-License-Identifier: LGPL-2.1-or-later
// Offline resync (see resync.h): the array-wide passes and the run. Order
// that keeps a crash harmless: data is copied, the targets are flushed, and
// only then is progress recorded (journal bits cleared, resync_offset /
// recovery_offset advanced).
#include <dmirror/names.h>
#include <dmirror/resync.h>

#include <algorithm>

#include "ops/leg_io.h"
#include "ops/lose_legs.h"
#include "ops/resync_assembly.h"
#include "ops/resync_steps.h"
#include "ops/resync_vote.h"
#include "ops/source_choice.h"

namespace dmirror::ops {
namespace {

std::string range_of(uint64_t pos, uint64_t len) {
  return "bytes " + std::to_string(pos) + "+" + std::to_string(len);
}

}  // namespace

Resyncer::Resyncer(LegSet& set, const ResyncOptions& o, ResyncReport& rep)
    : set_(set), o_(o), rep_(rep), copier_(set, o.chunk_bytes, Copier::Options{.missing = &rep.missing_slots}) {}

Status Resyncer::copy(uint64_t pos, uint64_t len, std::vector<uint32_t>& targets, Throttle* throttle, uint64_t& copied,
                      CheckpointClock* clock) {
  Status st = copier_.copy(pos, len, rep_.source_slot, targets, &rep_.failed_slots, throttle, copied, clock);
  rep_.bytes_copied += copied;
  return st;
}

Status Resyncer::flush(std::vector<uint32_t>& targets) {
  std::vector<LegError> errors;
  flush_targets(set_, targets, errors);
  return settle_leg_errors(set_, errors, targets, &rep_.failed_slots, &rep_.missing_slots);
}

Status Resyncer::clear(std::vector<uint64_t>& regions, std::vector<uint32_t>& targets) {
  DMIRROR_RETURN_IF_ERROR(flush(targets));
  std::vector<uint64_t> now;
  now.swap(regions);
  return clear_journal_regions(set_, now, targets, &rep_);
}

std::vector<uint32_t> Resyncer::targets_for(uint64_t end) const {
  std::vector<uint32_t> t;
  for (uint32_t s : set_.writable_slots())
    if (s != rep_.source_slot && set_.current_below(s, end)) t.push_back(s);
  return t;
}

// A dirty region is copied from the source, except where a strict majority
// of the in-sync legs holds another copy (rule 21): there, chunk by chunk,
// from the majority, onto every other leg, the source included. A source
// named by --from is not outvoted.
Status Resyncer::copy_dirty(uint64_t pos, uint64_t len, std::vector<uint32_t>& targets, Throttle& th,
                            uint64_t& copied) {
  // The administrator's --from is kept, as scrub keeps it (compare.h);
  // with fewer than three in-sync legs there is no vote.
  const bool vote = o_.source_slot == kNoSlot && set_.in_sync_slots().size() >= 3;
  if (o_.source_slot == kNoSlot && !vote) note_vote_skipped(pos);
  if (!vote && !o_.report_differences) return copy(pos, len, targets, &th, copied);
  copied = 0;
  bool tied = false;
  std::vector<std::pair<uint64_t, uint64_t>> outvoted;   // the source's blocks that lost
  uint32_t winner = kNoSlot;
  const uint32_t source = rep_.source_slot;
  const uint64_t region = pos / set_.sb().region_size;
  const uint64_t step = vote_chunk(set_.sb());
  for (uint64_t off = 0; off < len; off += step) {
    const uint64_t n = std::min(step, len - off);
    // Block by block: rot in different blocks of one chunk on different
    // legs is outvoted in each block.
    for (const VoteRun& run : vote_runs(set_, set_.in_sync_slots(), pos + off, n, source, vote ? 3 : 2)) {
      uint32_t src = vote && run.winner != kNoSlot ? run.winner : source;
      if (o_.report_differences && run.differ != 0) {
        uint32_t lost = run.differ & ~(1u << src);
        if (lost == 0) lost = run.voters & ~(1u << src);
        auto& s = rep_.settled;
        if (!s.empty() && s.back().offset + s.back().length == run.pos && s.back().kept_slot == src)
          s.back().length += run.len, s.back().differ_mask |= lost;
        else
          s.push_back(SettledRange{run.pos, run.len, src, lost});
      }
      if (vote && run.winner == kNoSlot && run.differ != 0 && !tied) {
        // Read by three or more legs and no strict majority (a tie).
        tied = true;
        ++tied_regions_;
        rep_.findings.push_back({Severity::Warning, "resync-no-majority",
                                 "region " + std::to_string(region) + " (dirty): every in-sync leg holds a different "
                                     "copy of " + range_of(run.pos, run.len) + ", so at least one is rot and none "
                                     "has evidence; copied from " + set_.leg_name(source) +
                                     ". Check the data there (restore it from a backup if it is wrong)",
                                 set_.dev(source)->describe(), source});
      }
      std::vector<uint32_t> to;
      for (uint32_t s : targets_for(pos + len))
        if (s != src) to.push_back(s);
      if (src != source && set_.writable(source)) {
        to.push_back(source);
        wrote_source_ = true;
        if (std::find(targets.begin(), targets.end(), source) == targets.end()) targets.push_back(source);
        if (outvoted.empty()) winner = src;
        outvoted.emplace_back(run.pos, run.len);
      }
      uint64_t done = 0;
      Status st = copier_.copy(run.pos, run.len, src, to, &rep_.failed_slots, &th, done);
      rep_.bytes_copied += done;
      copied += done;
      if (!st) return st;
    }
  }
  if (!outvoted.empty()) {
    // The source held the losing copy and was rewritten: counted once per
    // region, as scrub counts a repaired mismatch (FORMAT.md 2.7).
    LegCounters& c = set_.mutable_sb().counters[source];
    ++c.mismatches;
    ++c.corrected;
    ++rep_.outvoted_regions;
    std::string where;
    for (size_t i = 0; i < outvoted.size() && i < 4; ++i)
      where += (i ? ", " : "") + range_of(outvoted[i].first, outvoted[i].second);
    if (outvoted.size() > 4) where += " and " + std::to_string(outvoted.size() - 4) + " more";
    rep_.findings.push_back({Severity::Warning, "resync-outvoted",
                             "region " + std::to_string(region) + " (dirty): " + set_.leg_name(source) + "'s copy of " +
                                 where + " lost the vote of the in-sync legs (another copy was held by a strict "
                                 "majority, or by two or more legs against it alone); copied from " +
                                 set_.leg_name(winner) + " instead",
                             set_.dev(source)->describe(), source});
  }
  return ok();
}

Status check_vote_possible(const LegSet& set, const ResyncOptions& o) {
  const Superblock& sb = set.sb();
  if (o.degraded || o.source_slot != kNoSlot || !sb.has_flag(sbflag::kDirty)) return ok();
  uint32_t members = 0;
  std::vector<uint32_t> absent;
  for (uint32_t s = 0; s < set.nr_slots(); ++s) {
    const LegState st = sb.legs[s].state;
    if (st == LegState::Unused || st == LegState::Removed) continue;
    ++members;
    if ((st == LegState::InSync || st == LegState::Replacing) && !set.present(s)) absent.push_back(s);
  }
  if (members < 3 || absent.empty()) return ok();
  std::string which;
  for (uint32_t s : absent) which += (which.empty() ? "" : ", ") + set.leg_name(s);
  const auto in_sync = set.in_sync_slots();
  return make_error(ErrorCode::Refused,
                    "array '" + sb.name + "' was shut down uncleanly and " + which + " (in sync) is not present: "
                    "the dirty regions are settled by a vote of the in-sync legs, which the absent leg's copy could "
                    "change (a command that records it missing takes it out of that vote). Give every leg, or run `dmirrorctl resync --degraded` to settle them with the " +
                    std::to_string(in_sync.size()) + " present (" +
                    (in_sync.size() < 3 ? "no vote: copied from " + set.leg_name(in_sync.empty() ? 0 : in_sync.front())
                                        : std::string("a vote without the absent leg")) +
                    "), or `dmirrorctl resync --degraded --from LEG` to name the source; then run this command again");
}

// A table of three or more legs with fewer than three in sync present: the
// vote of rule 21 cannot be held, and the run says so once.
void Resyncer::note_vote_skipped(uint64_t pos) {
  if (vote_skip_told_) return;
  uint32_t members = 0;
  for (uint32_t s = 0; s < set_.nr_slots(); ++s) {
    const LegState st = set_.sb().legs[s].state;
    if (st != LegState::Unused && st != LegState::Removed) ++members;
  }
  if (members < 3) return;
  vote_skip_told_ = true;
  const size_t n = set_.in_sync_slots().size();
  rep_.findings.push_back({Severity::Warning, "resync-vote-skipped",
                           "the dirty regions (from region " + std::to_string(pos / set_.sb().region_size) +
                               ") were copied from " + set_.leg_name(rep_.source_slot) + " without a majority vote: " +
                               std::to_string(n) + " in-sync leg" + (n == 1 ? " was" : "s were") + " present",
                           {}, -1});
}

Status Resyncer::journal_pass(uint64_t below, Throttle& th) {
  const uint64_t rs = set_.sb().region_size, size = set_.sb().layout.data_size;
  std::vector<uint64_t> done;
  uint64_t since = 0;
  for (uint64_t r : set_.dirty_regions()) {
    uint64_t pos = r * rs;
    if (pos >= below) break;
    uint64_t len = std::min(rs, size - pos);
    auto targets = targets_for(pos + len);
    if (targets.empty()) {   // no in-sync leg but the source: nothing differs here
      done.push_back(r);
      continue;
    }
    uint64_t copied = 0;
    Status st = copy_dirty(pos, len, targets, th, copied);
    if (!st) {
      if (st.error().code == ErrorCode::Cancelled) {
        if (copied == len) done.push_back(r);   // a partly copied region stays dirty
        (void)clear(done, targets);
      }
      return st;
    }
    done.push_back(r);
    ++rep_.regions_copied;
    since += len;
    if (since >= o_.checkpoint_bytes) {
      DMIRROR_RETURN_IF_ERROR(clear(done, targets));
      since = 0;
    }
  }
  auto targets = targets_for(size);
  if (wrote_source_ && set_.writable(rep_.source_slot)) targets.push_back(rep_.source_slot);
  return clear(done, targets);
}

Status Resyncer::checkpoint_full(uint64_t pos, std::vector<uint32_t>& targets) {
  DMIRROR_RETURN_IF_ERROR(flush(targets));
  Superblock& sb = set_.mutable_sb();
  sb.resync_offset = pos;
  sb.checkpoint.op = OfflineOp::Resync;
  sb.checkpoint.position = pos;
  sb.checkpoint.regions_done = rep_.regions_copied;
  sb.checkpoint.source_slot = rep_.source_slot;
  return set_.commit();
}

Status Resyncer::full_pass(Throttle& th) {
  const uint64_t rs = set_.sb().region_size, size = set_.sb().layout.data_size;
  Superblock& sb = set_.mutable_sb();
  // One in-sync leg (the others rebuilding, as after rule 20, or absent):
  // nothing array-wide to make identical; the rebuilds copy everything.
  if (set_.in_sync_slots().size() < 2) return ok();
  // A full resync interrupted after a checkpoint resumes there when run
  // again from the same source (FORMAT.md 2.6 rule 20): below it the legs
  // were made identical and every write since went to all of them.
  const bool resume = sb.resync_offset != kOffsetInSync && sb.checkpoint.op == OfflineOp::Resync &&
                      sb.checkpoint.position > 0 && sb.checkpoint.source_slot == rep_.source_slot;
  if (sb.resync_offset == kOffsetInSync || (o_.full && !resume)) {
    sb.resync_offset = 0;
    sb.checkpoint = Checkpoint{.op = OfflineOp::Resync, .started = engine::now_seconds()};
    DMIRROR_RETURN_IF_ERROR(set_.commit());
  }
  uint64_t pos = sb.resync_offset / rs * rs;
  rep_.resumed_from = pos;
  // Regions below the checkpoint that are dirty were written since: copy them too.
  DMIRROR_RETURN_IF_ERROR(journal_pass(pos, th));
  // One copy per checkpoint interval (whole regions), so the reads run
  // ahead across region boundaries; the clock stops a copy inside its span
  // when checkpoint_seconds have passed (a throttled or slow copy), so a
  // killed run redoes at most that much.
  const uint64_t span = std::max(rs, o_.checkpoint_bytes / rs * rs);
  CheckpointClock clock(o_.checkpoint_bytes, o_.checkpoint_seconds);
  auto regions_below = [&](uint64_t p) { return (p + rs - 1) / rs; };
  while (pos < size) {
    uint64_t len = std::min(span, size - pos);
    auto targets = targets_for(pos + len);
    if (targets.empty()) {   // no leg to copy to (one in-sync leg): nothing is copied, nothing counted
      pos += len;
      continue;
    }
    uint64_t copied = 0;
    Status st = copy(pos, len, targets, &th, copied, &clock);
    if (!st) {
      // Killed, or a target's file system is full (the leg is not failed):
      // what was copied is kept, so the rerun resumes there.
      if (st.error().code == ErrorCode::Cancelled || is_out_of_space(st.error()))
        (void)checkpoint_full(pos + copied, targets);
      return st;
    }
    rep_.regions_copied += regions_below(pos + copied) - regions_below(pos);
    pos += copied;
    if (pos < size) {
      DMIRROR_RETURN_IF_ERROR(checkpoint_full(pos, targets));
      clock.reset();
    }
  }
  auto targets = targets_for(size);
  auto all = set_.dirty_regions();
  return clear(all, targets);
}

bool is_replacement_target(const LegSet& set, uint32_t slot) {
  for (uint32_t i = 0; i < set.nr_slots(); ++i)
    if (set.state(i) == LegState::Replacing && set.sb().legs[i].replacement_slot == slot) return true;
  return false;
}

namespace {

Status pick_source(const LegSet& set, const ResyncOptions& o, ResyncReport& rep) {
  if (o.source_slot != kNoSlot) {
    // A device named by --from must be the leg the table holds in that slot
    // (a leftover or the other side's leg may claim the same slot number).
    if (o.source_leg && set.sb().legs[o.source_slot].uuid != *o.source_leg)
      return make_error(ErrorCode::Refused, "the leg given as --from is not slot " + std::to_string(o.source_slot) +
                                                " of the array's leg table (it is outside it: a removed or replaced "
                                                "leg); give a member as the source");
    DMIRROR_RETURN_IF_ERROR(check_chosen_source(
        set, o.source_slot,
        "Run `dmirrorctl resync` without --from to bring it back from the in-sync legs; --from picks a side only in a "
        "split brain or names the leg whose data a full resync keeps"));
    rep.source_slot = o.source_slot;
  } else if (auto p = set.primary()) {
    rep.source_slot = *p;
  } else {
    std::string advice = no_in_sync_advice(set.assembly());
    advice[0] = 'f';
    return make_error(ErrorCode::Stale,
                      "array '" + set.sb().name + "' has no in-sync leg among the legs given; " + advice);
  }
  return ok();
}

}  // namespace

Result<ResyncReport> resync_legs(LegSet& set, const ResyncOptions& o, bool dirty_only, const AssemblyNotes& notes,
                                 std::span<BlockDevice* const> given) {
  const Superblock& sb = set.sb();
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array '" + sb.name + "': an online volume owns the sync state; deactivate it first");
  ResyncReport rep;
  // The assembly's findings from before the run are not the run's: only
  // what the LegSet adds from here on (a damaged journal block) is.
  const size_t seen = set.findings().size();
  DMIRROR_RETURN_IF_ERROR(pick_source(set, o, rep));
  if (!dirty_only) DMIRROR_RETURN_IF_ERROR(prepare_returning_legs(set, o, notes, rep));
  // Rule 22, right after the choice is recorded: a run killed from here on
  // leaves the legs outside the chosen table retired, so whatever runs next
  // finishes from the chosen leg.
  if (notes.chosen_slot != kNoSlot && !given.empty()) DMIRROR_RETURN_IF_ERROR(retire_losing_leftovers(set, given, rep));
  if (!set.journals_loaded()) DMIRROR_RETURN_IF_ERROR(set.load_journals());
  const bool full = !dirty_only && (o.full || sb.resync_offset != kOffsetInSync || set.journal_damaged());
  if (!dirty_only) settle_recovery_modes(set, full);
  const bool dirty_work = full || set.dirty_count() > 0;
  rep.mode = full ? ResyncMode::Full : dirty_work ? ResyncMode::Journal : ResyncMode::None;
  Resyncer rs(set, o, rep);
  uint64_t total = full ? sb.layout.data_size : set.dirty_count() * sb.region_size;
  Throttle th(o.control, "resync", total);
  if (rep.mode != ResyncMode::None || sb.has_flag(sbflag::kDirty)) {
    set.record_event(EventType::ResyncStarted, kNoSlot, {static_cast<uint64_t>(rep.mode)},
                     std::string(resync_mode_name(rep.mode)) + " resync from " + set.leg_name(rep.source_slot));
    if (full) {
      // Rule 21 holds in a full run too: the dirty regions are settled by
      // the vote first (an acknowledged write outvotes a rotted source),
      // then everything is copied from the source. Rule 20's rebuilds leave
      // a single in-sync leg: no vote, the administrator's leg is kept.
      if (!set.journal_damaged() && set.dirty_count() > 0 && set.in_sync_slots().size() >= 3)
        DMIRROR_RETURN_IF_ERROR(rs.journal_pass(UINT64_MAX, th));
      else if (!set.journal_damaged() && set.dirty_count() > 0 && o.source_slot == kNoSlot)
        rs.note_vote_skipped(set.dirty_regions().front() * sb.region_size);
      DMIRROR_RETURN_IF_ERROR(rs.full_pass(th));
    } else {
      DMIRROR_RETURN_IF_ERROR(rs.journal_pass(UINT64_MAX, th));
    }
    Superblock& m = set.mutable_sb();
    if (!dirty_only) m.resync_offset = kOffsetInSync;
    m.flags &= ~sbflag::kDirty;
    if (m.checkpoint.op == OfflineOp::Resync) m.checkpoint = Checkpoint{};
    // A tie is kept in the history: the warning alone would be its only trace.
    set.record_event(EventType::ResyncFinished, kNoSlot, {rep.regions_copied, rs.tied_regions()},
                     "resync finished: " + count_of(rep.regions_copied, "region") + " copied" +
                         (rs.tied_regions() ? "; " + count_of(rs.tied_regions(), "region") +
                                                  " where every leg held a different copy of a block (" +
                                                  set.leg_name(rep.source_slot) + "'s kept: check them)"
                                            : std::string()));
    DMIRROR_RETURN_IF_ERROR(set.commit());
  }
  if (o.recover && !dirty_only) {
    for (uint32_t t : set.writable_slots()) {
      if (set.state(t) != LegState::Rebuilding || is_replacement_target(set, t)) continue;
      const LegEntry& leg = set.sb().legs[t];
      const bool journal = (leg.flags & legflag::kRecoverFromJournal) != 0;
      const uint64_t from = std::min(leg.recovery_offset, sb.layout.data_size);
      Throttle rt(o.control, "recover", journal ? set.dirty_count() * sb.region_size : sb.layout.data_size,
                  journal ? 0 : from);
      DMIRROR_RETURN_IF_ERROR(rs.recover(t, rt));
    }
    // Bits kept for journal-guided legs go once every leg is in sync.
    auto regions = set.dirty_regions();
    auto targets = set.writable_slots();
    DMIRROR_RETURN_IF_ERROR(clear_journal_regions(set, regions, targets, &rep));
  }
  for (size_t i = seen; i < set.findings().size(); ++i) rep.findings.push_back(set.findings()[i]);
  return rep;
}

}  // namespace dmirror::ops

namespace dmirror {

std::string_view resync_mode_name(ResyncMode m) {
  switch (m) {
    case ResyncMode::None: return "none";
    case ResyncMode::Journal: return "journal";
    case ResyncMode::Full: return "full";
  }
  return "?";
}

Result<ResyncReport> resync(std::span<BlockDevice* const> legs, const ResyncOptions& options) {
  ops::AssemblyNotes notes;
  DMIRROR_ASSIGN_OR_RETURN(auto set, ops::assemble_for_recovery(
                                         legs,
                                         {.choose_slot = options.source_slot,
                                          .choose_leg = options.source_leg,
                                          .force = options.force},
                                         notes));
  DMIRROR_RETURN_IF_ERROR(ops::check_vote_possible(set, options));
  // Rule 11: a commit of this run would record an absent member missing:
  // consent first, before anything is written (journal bits are cleared
  // before the last commit).
  set.set_consent(options.degraded || options.force, kNoSlot, "resyncing");
  // With no in-sync leg present the run is refused below with what to do
  // (find the legs, or --force), which is the advice that matters.
  if (set.primary())
    DMIRROR_RETURN_IF_ERROR(set.check_consent());
  return ops::resync_legs(set, options, /*dirty_only=*/false, notes, legs);
}

}  // namespace dmirror
