// SPDX-License-Identifier: LGPL-2.1-or-later
// The steps of one resync run (resync.cc: the array-wide journal and full
// passes; resync_recover.cc: rebuilding and returning legs;
// resync_prepare.cc: what the run does about returning legs before it
// copies anything).
#pragma once

#include <dmirror/resync.h>

#include "ops/copier.h"
#include "ops/resync_core.h"
#include "ops/throttle.h"

namespace dmirror::ops {

class Resyncer {
 public:
  Resyncer(LegSet& set, const ResyncOptions& o, ResyncReport& rep);

  // Copies [pos, pos + len) from the source to `targets` (pipelined, see
  // Copier). `copied`: how much of it, from pos, is completely written.
  Status copy(uint64_t pos, uint64_t len, std::vector<uint32_t>& targets, Throttle* throttle, uint64_t& copied,
              CheckpointClock* clock = nullptr);
  Status flush(std::vector<uint32_t>& targets);
  // Journal bits of `regions` are cleared once their copies are durable
  // (rules 12 and 13: clear_journal_regions).
  Status clear(std::vector<uint64_t>& regions, std::vector<uint32_t>& targets);
  // In-sync legs (and rebuilding ones already current there) that receive [0, end).
  std::vector<uint32_t> targets_for(uint64_t end) const;

  Status journal_pass(uint64_t below, Throttle& th);
  Status copy_dirty(uint64_t pos, uint64_t len, std::vector<uint32_t>& targets, Throttle& th, uint64_t& copied);
  Status full_pass(Throttle& th);
  // Brings rebuilding leg `t` in sync: only the dirty regions when it
  // carries RECOVER_FROM_JOURNAL, else everything from its recovery_offset.
  Status recover(uint32_t t, Throttle& th);
  // A table of three or more legs with fewer than three in sync present:
  // rule 21's vote cannot be held; said once per run (resync-vote-skipped).
  void note_vote_skipped(uint64_t pos);
  // Dirty regions with a block every leg held a different copy of.
  uint64_t tied_regions() const { return tied_regions_; }

 private:
  Status checkpoint_full(uint64_t pos, std::vector<uint32_t>& targets);
  Status recover_journal(uint32_t t, Throttle& th, uint64_t& regions);
  Status recover_full(uint32_t t, Throttle& th, uint64_t& regions);
  Status checkpoint_recovery(uint32_t t, uint64_t pos, std::vector<uint32_t>& targets);

  LegSet& set_;
  const ResyncOptions& o_;
  ResyncReport& rep_;
  Copier copier_;
  bool wrote_source_ = false;   // a dirty region was copied onto the source (rule 21)
  bool vote_skip_told_ = false; // the resync-vote-skipped finding was given
  uint64_t tied_regions_ = 0;
};

// Before anything is copied: the failed legs that are present are re-added
// (full copy) with `o.re_add`, or reported; journal-guided legs become full
// rebuilds when the run is full (the journal does not say what differs);
// the assembly's choices are recorded (split brain resolved, leg forced).
// Commits when something changed. Call before load_journals().
Status prepare_returning_legs(LegSet& set, const ResyncOptions& o, const AssemblyNotes& notes, ResyncReport& rep);
// After load_journals(): a full run turns journal-guided rebuilds into full ones.
void settle_recovery_modes(LegSet& set, bool full);

}  // namespace dmirror::ops
