// SPDX-License-Identifier: LGPL-2.1-or-later
// replace: swap a leg for a new device without ever losing redundancy
// ("add new leg -> sync -> verify -> drop old"). The new device gets the
// create checks, joins in a free slot as Rebuilding while the old leg turns
// Replacing and still counts; the data is copied (checkpointed through the
// new leg's recovery_offset), compared against the source, and only then
// is the new leg in sync and the old one Removed. Rerunning after a crash
// or a cancel resumes from the checkpoint when given the same new device
// (another device is refused, naming the recorded one; `restart` retires
// the half-copied leg and starts over with a new leg uuid).
//
// A device that is its own former slot (failed, missing or stale: md's
// re-add of a former member) is accepted as the new device of that slot:
// it is copied fully and verified, and keeps its slot.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/progress.h>
#include <dmirror/findings.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <span>

namespace dmirror {

struct ReplaceOptions {
  bool force = false;             // accept a new device that was a leg of another array
  // A replace is in progress: retire its half-copied leg (removed) and start
  // over onto the device given, with a new leg uuid.
  bool restart = false;
  uint64_t chunk_bytes = 1024 * 1024;
  // Superblock checkpoint interval: after checkpoint_bytes or
  // checkpoint_seconds, whichever comes first (0 seconds: by bytes only).
  // A checkpoint costs two flushed superblock writes per leg; at 1 GiB that
  // is a few percent of the run, and an interrupted run redoes at most
  // this much.
  uint64_t checkpoint_bytes = 1024ull * 1024 * 1024;
  uint32_t checkpoint_seconds = 5;
  // Another in-sync (replacing, rebuilding) member than the one replaced is
  // absent: go on and record it missing (FORMAT.md 2.6 rule 11). Without it
  // the run is refused (Refused) before anything is written.
  bool degraded = false;
  OpControl control;
};

struct ReplaceReport {
  uint32_t old_slot = kNoSlot;
  uint32_t new_slot = kNoSlot;
  bool resumed = false;
  bool restarted = false;         // a half-copied leg of an earlier run was retired
  bool readded = false;           // the device was its own former slot (new_slot == old_slot)
  uint64_t bytes_copied = 0;
  uint64_t bytes_verified = 0;
  // The dirty regions settled before the copy (an unclean array): where a
  // majority outvoted the source (FORMAT.md 2.6 rule 21), and notes.
  uint64_t outvoted_regions = 0;
  Findings findings;
};

// `legs` are the array's current legs (the old one may be missing or failed).
// Errors: InvalidArgument (old slot not a replaceable leg, new device is a
// current leg), TooSmall, Exists (new device belongs to another array and
// !force), Busy (online volume), Corruption (the copy did not verify).
DMIRROR_EXPORT Result<ReplaceReport> replace(std::span<BlockDevice* const> legs, uint32_t old_slot,
                                             BlockDevice& new_device, const ReplaceOptions& options = {});

}  // namespace dmirror
