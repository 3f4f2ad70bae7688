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
  uint32_t source_slot = kNoSlot;         // default: the lowest in-sync slot
  uint64_t chunk_bytes = 1024 * 1024;     // I/O size (bounded memory: one chunk)
  // Superblock checkpoint interval. A checkpoint costs two flushed
  // superblock writes per leg; at 1 GiB that is a few percent of the run,
  // and an interrupted run redoes at most this much.
  uint64_t checkpoint_bytes = 1024ull * 1024 * 1024;
  OpControl control;
};

struct ResyncReport {
  ResyncMode mode = ResyncMode::None;
  uint32_t source_slot = kNoSlot;
  uint64_t resumed_from = 0;              // full mode: where this run started
  uint64_t regions_copied = 0;
  uint64_t bytes_copied = 0;
  std::vector<uint32_t> recovered_slots;  // rebuilding legs brought in sync
  std::vector<uint32_t> failed_slots;     // legs failed by I/O errors during the run
  Findings findings;
};

// Assembles `legs` and resyncs them. Errors: Busy (an online volume owns
// the sync state), Stale (no in-sync leg), Io (the last source failed),
// Cancelled (control.cancel was set; the checkpoint is kept).
DMIRROR_EXPORT Result<ResyncReport> resync(std::span<BlockDevice* const> legs, const ResyncOptions& options = {});

}  // namespace dmirror
