// SPDX-License-Identifier: LGPL-2.1-or-later
// Offline resync and recover: bring the legs of an array back in sync from
// an in-sync leg. Journal-driven when possible (only the regions dirty in
// the write-intent journal are copied); full when the array-wide
// resync_offset says an initial or interrupted full sync is pending, when
// the journal is damaged, or when asked. Rebuilding legs are then recovered
// from their recovery_offset to the end (except replacement targets, which
// `replace` owns). Checkpointed in the superblocks (resync_offset,
// recovery_offset, Checkpoint), so a killed run resumes where the last
// checkpoint left it; a crash at any point leaves every region either
// copied or still marked out of sync.
//
// Legs that come back (FORMAT.md 2.6 rules 5-10, decided by the one
// assembly): a stale or missing leg that is present again is re-added —
// from the journal when the assembly says the journal covers its gap (only
// the dirty regions are copied, and the journal bits are kept until it is
// in sync), else by a full copy; a failed leg only with `re_add` (a full
// copy: failed means it returned I/O errors). A split brain is refused
// unless `source_slot` chooses the side; `force` raises the freshest stale
// leg when no in-sync leg is present.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/findings.h>
#include <dmirror/progress.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <span>
#include <vector>

namespace dmirror {

enum class ResyncMode { None = 0, Journal = 1, Full = 2 };
DMIRROR_EXPORT std::string_view resync_mode_name(ResyncMode m);

struct ResyncOptions {
  bool full = false;                      // copy everything, whatever the journal says
  bool recover = true;                    // also rebuild Rebuilding legs
  // The in-sync leg to copy from (default: the lowest in-sync slot). In a
  // split brain it also chooses the side (AssembleOptions::choose_slot):
  // that leg is the authority and the legs that diverged from it are
  // copied fully from it.
  uint32_t source_slot = kNoSlot;
  // The source by its leg uuid, when the administrator named a device: in a
  // split brain where both sides hold a leg in source_slot, it says which.
  std::optional<Uuid> source_leg;
  // mdadm's --re-add: a failed leg that is present again is copied fully
  // and brought back in its slot. Without it a failed leg is left alone.
  bool re_add = false;
  // mdadm's --force (force_array): when no in-sync leg is present, raise
  // the stale leg with the highest seqno to in sync (a `leg forced` event).
  bool force = false;
  // After an unclean shutdown of an array of three or more legs, with an
  // in-sync member absent: settle the dirty regions with the legs present
  // (a vote without the absent leg; no vote with fewer than three), FORMAT.md
  // 2.6 rule 21. Without it the run is refused (Refused), as writing with a
  // leg missing needs --degraded. It is also the consent to record an
  // absent in-sync (replacing, rebuilding) member missing (rule 11):
  // without it a run that would commit is refused (Refused) first.
  bool degraded = false;
  // Compare the legs in each dirty region before settling it and list where
  // they differed (ResyncReport::settled): for the check commands that
  // settle a crash window first (scrub, verify --repair) and report it.
  bool report_differences = false;
  uint64_t chunk_bytes = 1024 * 1024;     // I/O size (bounded memory: one chunk)
  // Superblock checkpoint interval. A checkpoint costs two flushed
  // superblock writes per leg; at 1 GiB that is a few percent of the run,
  // and an interrupted run redoes at most this much. The recovery of a
  // returning leg (region by region) and the full pass (one
  // checkpoint_bytes span at a time, stopped inside it by the clock) also
  // checkpoint every checkpoint_seconds, whichever comes first (0: by bytes
  // only).
  uint64_t checkpoint_bytes = 1024ull * 1024 * 1024;
  uint32_t checkpoint_seconds = 5;
  OpControl control;
};

// A stretch of a dirty region where the in-sync legs differed, settled by
// the run (ResyncOptions::report_differences).
struct SettledRange {
  uint64_t offset = 0;            // bytes into the data area
  uint64_t length = 0;
  uint32_t kept_slot = kNoSlot;   // the leg whose copy every other leg now holds
  uint32_t differ_mask = 0;       // the legs whose copy was not that one (a tie: every leg)
};

// A leg brought back into its slot by this run.
struct ReAddedLeg {
  uint32_t slot = kNoSlot;
  bool journal = false;                   // only the regions dirty in the journal were copied
  uint64_t regions_copied = 0;
  uint64_t resumed_from = 0;              // where its copy started (its checkpoint; 0: from the start)
};

struct ResyncReport {
  ResyncMode mode = ResyncMode::None;
  uint32_t source_slot = kNoSlot;
  uint64_t resumed_from = 0;              // full mode: where this run started
  uint64_t regions_copied = 0;
  uint64_t bytes_copied = 0;
  std::vector<uint32_t> recovered_slots;  // rebuilding legs brought in sync
  std::vector<uint32_t> failed_slots;     // legs failed by I/O errors during the run
  std::vector<uint32_t> missing_slots;    // legs that vanished during the run (recorded missing)
  std::vector<ReAddedLeg> readded;        // stale, missing or failed legs brought back
  uint32_t chosen_slot = kNoSlot;         // split brain settled in favour of this slot
  uint32_t forced_slot = kNoSlot;         // stale leg raised by `force`
  std::vector<std::string> retired;       // legs of the losing side outside the chosen table, retired (rule 22)
  uint64_t outvoted_regions = 0;          // dirty regions where the source lost the vote (rule 21) and was rewritten
  std::vector<SettledRange> settled;      // with report_differences: where the legs differed
  Findings findings;                      // what this run saw and did (not the assembly's findings before it)
};

// Assembles `legs` and resyncs them. Errors: Busy (an online volume owns
// the sync state), Stale (no in-sync leg), SplitBrain (the histories
// diverged and no side was chosen; nothing is written), Io (the last source
// failed), Cancelled (control.cancel was set; the checkpoint is kept).
DMIRROR_EXPORT Result<ResyncReport> resync(std::span<BlockDevice* const> legs, const ResyncOptions& options = {});

}  // namespace dmirror
