// SPDX-License-Identifier: LGPL-2.1-or-later
// Scrub: compare every region of every in-sync leg, and repair. With three
// or more legs a strict majority decides; with two legs (or no majority) the
// content of RepairChoice::from_slot wins, or by default the lowest in-sync
// slot, and every repair says which rule chose its source. The position is
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
  // Superblock checkpoint interval. A checkpoint costs two flushed
  // superblock writes per leg; at 1 GiB that is a few percent of the run,
  // and an interrupted run redoes at most this much.
  uint64_t checkpoint_bytes = 1024ull * 1024 * 1024;
  OpControl control;
};

struct ScrubReport {
  ScrubResult result = ScrubResult::Never;
  bool resumed = false;
  uint64_t resumed_from = 0;
  uint64_t regions = 0, mismatches = 0, repaired = 0;   // whole run, resumed part included
  std::vector<Mismatch> found;                          // this invocation's mismatches
  Findings findings;
};

// Errors: Busy (an online volume owns the array), Stale (fewer than two
// in-sync legs), Io (a leg failed mid-scrub: the checkpoint is kept and the
// run recorded as failed). A cancel request
// returns a report with result Interrupted.
DMIRROR_EXPORT Result<ScrubReport> scrub(std::span<BlockDevice* const> legs, const ScrubOptions& options = {});

}  // namespace dmirror
