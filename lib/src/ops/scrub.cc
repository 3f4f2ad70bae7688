// SPDX-License-Identifier: LGPL-2.1-or-later
// scrub() (see scrub.h). The checkpoint (Checkpoint: op check/repair,
// position, counters) is advanced only after the repairs before it are
// flushed, so a resumed scrub never skips an unrepaired region. The per-leg
// error counters ride on the same commits.
#include <dmirror/assembly.h>
#include <dmirror/scrub.h>

#include "engine/io_queue.h"
#include "ops/checkpoint_clock.h"
#include "ops/chunk_reader.h"
#include "ops/compare.h"
#include "ops/leg_io.h"
#include "ops/read_heal.h"
#include "ops/resync_core.h"
#include "ops/source_choice.h"
#include "ops/throttle.h"

namespace dmirror {
namespace {

using engine::LegSet;

class Scrubber {
 public:
  Scrubber(LegSet& set, const ScrubOptions& o, ScrubReport& rep)
      : set_(set), o_(o), rep_(rep), cmp_(set, o.chunk_bytes), healer_(set, /*may_write=*/true, o.choice.from_slot) {}

  Status begin() {
    Superblock& sb = set_.mutable_sb();
    const OfflineOp op = o_.repair ? OfflineOp::Repair : OfflineOp::Check;
    bool resumable = sb.checkpoint.op == OfflineOp::Check || sb.checkpoint.op == OfflineOp::Repair;
    if (resumable && !o_.restart) {
      rep_.resumed = true;
      rep_.resumed_from = sb.checkpoint.position;
      sb.checkpoint.op = op;
    } else {
      sb.checkpoint = Checkpoint{.op = op, .started = engine::now_seconds()};
    }
    rep_.regions = sb.checkpoint.regions_done;
    // The crash window settled before the scan is this run's too.
    rep_.mismatches = sb.checkpoint.mismatches + settled_;
    rep_.repaired = sb.checkpoint.repaired + settled_;
    set_.record_event(EventType::ScrubStarted, kNoSlot, {sb.checkpoint.position, rep_.resumed ? 1u : 0u},
                      std::string(o_.repair ? "scrub (repair)" : "scrub (check only)") +
                          (rep_.resumed ? " resumed at offset " + std::to_string(sb.checkpoint.position) : " started"));
    return set_.commit();
  }

  // Differences of the crash window settled before begin() (repairing runs).
  void set_settled(uint64_t n) { settled_ = n; }

  Status checkpoint(uint64_t pos) {
    std::vector<engine::LegError> errors;
    ops::flush_targets(set_, touched_, errors);
    DMIRROR_RETURN_IF_ERROR(ops::settle_errors(set_, errors, touched_));
    touched_.clear();
    Checkpoint& c = set_.mutable_sb().checkpoint;
    c.position = pos;
    c.regions_done = rep_.regions;
    c.mismatches = rep_.mismatches;
    c.repaired = rep_.repaired;
    return set_.commit();
  }

  // Records the run in the summary and the history; clears the checkpoint
  // unless the run was cut short.
  Status finish(ScrubResult result) {
    Superblock& sb = set_.mutable_sb();
    rep_.result = result;
    sb.last_scrub = ScrubSummary{result, sb.checkpoint.started, engine::now_seconds(), rep_.regions, rep_.mismatches,
                                 rep_.repaired};
    if (result != ScrubResult::Interrupted && result != ScrubResult::Failed) sb.checkpoint = Checkpoint{};
    set_.record_event(EventType::ScrubFinished, kNoSlot,
                      {rep_.regions, rep_.mismatches, rep_.repaired, static_cast<uint64_t>(result)},
                      "scrub " + std::string(scrub_result_name(result)) + ": " + std::to_string(rep_.regions) +
                          " regions, " + std::to_string(rep_.mismatches) + " mismatches, " +
                          std::to_string(rep_.repaired) + " repaired");
    return set_.commit();
  }

  Status run() {
    const Superblock& sb = set_.sb();
    const uint64_t rs = sb.region_size, size = sb.layout.data_size;
    uint64_t pos = std::min(sb.checkpoint.position, size) / rs * rs;
    ops::Throttle th(o_.control, "scrub", size, pos);
    ops::CheckpointClock clock(o_.checkpoint_bytes, o_.checkpoint_seconds);
    std::vector<uint32_t> slots = set_.in_sync_slots();
    // Chunks of every leg are read ahead, concurrently, while earlier ones
    // are compared (and repaired).
    std::vector<BlockDevice*> devs;
    for (uint32_t s : slots) devs.push_back(set_.dev(s));
    auto queue = engine::make_io_queue(devs);
    uint64_t next_pos = pos;
    auto next_range = [&](uint64_t& p, uint64_t& len) {
      if (next_pos >= size) return false;
      p = next_pos;
      len = std::min(cmp_.chunk(), std::min(size, (p / rs + 1) * rs) - p);
      next_pos += len;
      return true;
    };
    ops::ChunkReader reader(set_, *queue, slots, cmp_.chunk(), next_range);
    DMIRROR_RETURN_IF_ERROR(reader.status());
    while (ops::Chunk* c = reader.next_mutable()) {
      const uint64_t p = c->pos, len = c->len, end = std::min(size, (p / rs + 1) * rs);
      std::erase_if(slots, [&](uint32_t s) { return !set_.in_sync(s); });
      // Read errors are healed (or the leg failed) before the comparison.
      ops::HealResult heal;
      Status hs = healer_.heal(*c, slots, heal, rep_.findings);
      rep_.corrected += heal.corrected;
      rep_.unreadable += heal.unreadable;
      rep_.unhealed += heal.unhealed;
      if (!hs) {
        Error e = hs.error();
        (void)checkpoint(pos);
        (void)finish(ScrubResult::Failed);
        e.message = "scrub stopped at offset " + std::to_string(p) + " (checkpoint kept at " + std::to_string(pos) +
                    "): " + e.message;
        return std::unexpected(e);
      }
      if (slots.size() < 2) {
        (void)checkpoint(pos);
        (void)finish(ScrubResult::Failed);
        std::string why;
        for (const auto& f : rep_.findings)
          if (f.code == "leg-failed") why += "; " + f.message;
        return make_error(ErrorCode::Stale, "fewer than two in-sync legs remain" + why + "; scrub stopped at offset " +
                                                std::to_string(pos) + " (checkpoint kept)");
      }
      std::optional<Mismatch> res;
      const std::vector<uint32_t> compared = heal.compared(slots);
      if (!heal.skip_compare && compared.size() >= 2) res = cmp_.compare(*c, compared, o_.choice, heal.copies);
      if (res) {
        Mismatch m = std::move(*res);
        // A check leaves a crash window's difference to the resync that is
        // pending anyway (status says resync-pending): reported, not
        // counted as a mismatch left (it has no `scrub --from` to choose).
        if (o_.repair || m.cls != MismatchClass::CrashWindow) ++rep_.mismatches;
        if (o_.repair && m.source_slot != kNoSlot) {
          std::vector<engine::LegError> errors;
          m.repaired = cmp_.repair(m, errors);
          if (m.repaired) ++rep_.repaired;
          DMIRROR_RETURN_IF_ERROR(ops::settle_errors(set_, errors, slots));
          for (uint32_t s : m.differ)
            if (set_.in_sync(s)) touched_.push_back(s);   // written: flushed before the checkpoint moves past
        }
        rep_.findings.push_back(mismatch_finding(m));
        rep_.found.push_back(std::move(m));
      }
      if (p + len < end) continue;
      ++rep_.regions;
      const uint64_t done = end - pos;
      pos = end;
      Status t = th.tick(done);
      if (clock.due(done) && pos < size) {
        DMIRROR_RETURN_IF_ERROR(checkpoint(pos));
        clock.reset();
      }
      if (!t) {
        DMIRROR_RETURN_IF_ERROR(checkpoint(pos));
        return finish(ScrubResult::Interrupted);
      }
    }
    DMIRROR_RETURN_IF_ERROR(checkpoint(size));
    ScrubResult r = rep_.mismatches > rep_.repaired || rep_.unreadable || rep_.unhealed ? ScrubResult::Mismatches
                    : rep_.mismatches == 0 ? ScrubResult::Clean : ScrubResult::Repaired;
    return finish(r);
  }

 private:
  LegSet& set_;
  const ScrubOptions& o_;
  ScrubReport& rep_;
  ops::Comparator cmp_;
  ops::ReadHealer healer_;
  std::vector<uint32_t> touched_;
  uint64_t settled_ = 0;
};

}  // namespace

Result<ScrubReport> scrub(std::span<BlockDevice* const> legs, const ScrubOptions& o) {
  DMIRROR_ASSIGN_OR_RETURN(auto set, LegSet::assemble(legs));
  const Superblock& sb = set.sb();
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array '" + sb.name + "': an online volume owns it; scrub it online instead");
  if (o.choice.from_slot != kNoSlot)
    DMIRROR_RETURN_IF_ERROR(ops::check_chosen_source(
        set, o.choice.from_slot, "Name an in-sync leg with --from, or run `dmirrorctl resync` to bring it back first"));
  if (!set.primary())
    return make_error(ErrorCode::Stale, "array '" + sb.name + "' has no in-sync leg among the legs given: nothing to "
                                        "compare; " + [&] {
                                          std::string advice = no_in_sync_advice(set.assembly());
                                          advice[0] = 'f';
                                          return advice;
                                        }());
  if (set.in_sync_slots().size() < 2) {
    // Say what is actually missing: a leg not given, or legs that are
    // present but not in sync (only a resync or replace brings those back).
    bool not_given = false;
    for (uint32_t s = 0; s < set.nr_slots(); ++s)
      not_given |= !set.present(s) && sb.legs[s].state != LegState::Unused && sb.legs[s].state != LegState::Removed;
    return make_error(ErrorCode::Stale,
                      "array '" + sb.name + "' has fewer than two in-sync legs: nothing to compare; " +
                          (not_given ? std::string("give every leg, or bring the others back first ('dmirrorctl "
                                                   "status' names them, 'dmirrorctl resync' recovers them)")
                                     : std::string("the other legs are not in sync ('dmirrorctl status' names "
                                                   "them): run 'dmirrorctl resync' (or 'dmirrorctl replace') to "
                                                   "bring them back, then scrub")));
  }
  // Rule 11: its checkpoints would record an absent member missing.
  set.set_consent(o.degraded, kNoSlot, "scrubbing");
  DMIRROR_RETURN_IF_ERROR(set.check_consent());
  DMIRROR_RETURN_IF_ERROR(set.load_journals());
  ScrubReport rep;
  std::vector<Mismatch> settled_first;   // the crash window settled before the scan
  // A repairing scrub of an unclean array settles the crash window first,
  // by the rule every recovery follows (FORMAT.md 2.6 rule 21: the vote,
  // refused while an in-sync leg that could change it is absent).
  // Even a check commits its summary, which records an absent in-sync leg
  // missing and so takes it out of the vote that settles the dirty regions.
  if (sb.has_flag(sbflag::kDirty)) {
    ResyncOptions ro;
    ro.source_slot = o.choice.from_slot;
    DMIRROR_RETURN_IF_ERROR(ops::check_vote_possible(set, ro));
  }
  if (o.repair && sb.has_flag(sbflag::kDirty)) {
    ResyncOptions ro;
    ro.recover = false;
    ro.source_slot = o.choice.from_slot;
    ro.report_differences = true;
    DMIRROR_ASSIGN_OR_RETURN(auto settled, ops::resync_legs(set, ro, /*dirty_only=*/true));
    rep.findings.insert(rep.findings.end(), settled.findings.begin(), settled.findings.end());
    settled_first = ops::settled_mismatches(set, settled);
  }
  Scrubber s(set, o, rep);
  s.set_settled(settled_first.size());
  DMIRROR_RETURN_IF_ERROR(s.begin());
  DMIRROR_RETURN_IF_ERROR(s.run());
  // Reported with what the scan found (after it: the scan counts from its
  // checkpoint).
  for (auto it = settled_first.rbegin(); it != settled_first.rend(); ++it) {
    rep.findings.push_back(mismatch_finding(*it));
    rep.found.insert(rep.found.begin(), std::move(*it));
  }
  for (auto& f : set.findings()) rep.findings.insert(rep.findings.begin(), f);
  for (uint32_t i = 0; i < set.nr_slots(); ++i) {
    const LegState st = set.state(i);
    if (st != LegState::Unused && st != LegState::Removed && !set.in_sync(i)) rep.degraded = true;
  }
  return rep;
}

}  // namespace dmirror
