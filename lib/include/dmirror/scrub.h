// SPDX-License-Identifier: LGPL-2.1-or-later
// Scrub: compare every region of every in-sync leg, and repair only with
// evidence: the leg named by RepairChoice::from_slot; else a strict majority
// of the legs; else, in a region dirty in the journal (a crash window) or not
// yet reached by the initial sync, the lowest in-sync slot (md's rule).
// A mismatch with no evidence (two legs, or a 1-1-1 split, in a clean
// region) is reported with its location and left alone; every repair says
// which rule chose its source. A block a leg cannot read is rewritten from a
// leg that reads it, read back and counted, in check mode too, when the
// evidence chooses that source (--from, all copies that read it agree, a
// dirty or never-synced region; otherwise it is left alone and reported) (md's check
// and ZFS's scrub do the same; ops/read_heal.h); a leg that cannot take the
// rewrite, or passes the error threshold, is failed. The position is
// checkpointed in the superblocks, so a killed scrub resumes (`restart`
// starts over); every run is recorded in the event history and in the
// superblock's last-scrub summary, and an interrupted run is recorded as
// interrupted, never as clean. The caller holds the array lock
// (array_lock.h), which keeps a second scrub or any other writer off the
// array. The rate limit is polled between chunks, so it can change while
// the scrub runs.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/progress.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>
#include <dmirror/verify.h>

#include <span>
#include <string>
#include <vector>

namespace dmirror {

struct ScrubOptions {
  bool repair = true;                       // false: check only
  RepairChoice choice;
  bool restart = false;                     // ignore a checkpoint of an earlier run
  uint64_t chunk_bytes = 1024 * 1024;
  // Superblock checkpoint interval: after checkpoint_bytes or
  // checkpoint_seconds, whichever comes first (0 seconds: by bytes only). A
  // checkpoint costs two flushed superblock writes per leg; at 1 GiB that is
  // a few percent of the run, and every 5 s bounds what a killed run (a slow
  // or throttled one too) redoes.
  uint64_t checkpoint_bytes = 1024ull * 1024 * 1024;
  uint32_t checkpoint_seconds = 5;
  // An in-sync (replacing, rebuilding) member is absent: scrub the legs
  // present and record it missing (FORMAT.md 2.6 rule 11). Without it the
  // run is refused (Refused) before anything is written.
  bool degraded = false;
  OpControl control;
};

struct ScrubReport {
  ScrubResult result = ScrubResult::Never;
  bool resumed = false;
  uint64_t resumed_from = 0;
  uint64_t regions = 0, mismatches = 0, repaired = 0;   // whole run, resumed part included
  uint64_t corrected = 0;       // this invocation: unreadable blocks rewritten and read back good
  uint64_t unreadable = 0;      // this invocation: blocks no leg could read (left out of the comparison)
  uint64_t unhealed = 0;        // this invocation: blocks one leg could not read, left alone because the
                                // legs that read them disagree (no evidence for a source; --from chooses)
  bool degraded = false;        // at the end, a slot in use is not in sync (missing, failed, rebuilding)
  std::vector<Mismatch> found;                          // this invocation's mismatches
  Findings findings;
};

// Result: Clean, Repaired, Mismatches (a mismatch left alone, a block no
// leg could read, or an unreadable block left alone for want of evidence), Interrupted (cancel request).
// Errors: Busy (an online volume owns the array), Stale (fewer than two
// in-sync legs, also when a failure left only one: the checkpoint is kept
// and the run recorded as failed), Io (the last in-sync leg would have to be
// failed: likewise).
DMIRROR_EXPORT Result<ScrubReport> scrub(std::span<BlockDevice* const> legs, const ScrubOptions& options = {});

}  // namespace dmirror
