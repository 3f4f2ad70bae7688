// SPDX-License-Identifier: LGPL-2.1-or-later
// The checks of the crash harness (numbered as in crash_harness.h), each on
// the leg images of one crash point. Each returns a description of what is
// wrong, or nullopt.
#pragma once

#include <dmirror/superblock.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/crash_harness.h"

namespace dmirror::testing {

struct Assembled {
  Superblock sb;                              // newest
  std::map<uint32_t, BlockDevice*> slot_dev;  // slot -> image
  std::vector<uint64_t> seqnos;               // per image, 0 when not a leg
};

// Reads every image. The first `required` images must carry a valid superblock.
std::optional<std::string> assemble_images(const std::vector<BlockDevice*>& legs, size_t required, Assembled& out);

// Check 2 on the raw images: legs that claim to be current differ only in
// dirty regions (or above resync_offset).
std::optional<std::string> check_intent(const Assembled& a, const CrashWorkload& w);

// Check 2, second half, over the durable images of consecutive crash
// points: while the array is degraded, a journal bit never goes clean.
class DegradedJournalWatch {
 public:
  std::optional<std::string> step(const std::vector<BlockDevice*>& durable, size_t array_legs);

 private:
  bool active_ = false;
  std::vector<uint64_t> kept_;   // regions dirty at some point since the array became degraded
};

// Check 7, over the durable images: from the first data write of a session
// opened without a leg (WriteModel::degraded_sessions) until that session
// ends, every present leg's superblock records the absent slot missing (or
// failed): FORMAT.md 2.6 rule 11, the record is durable before any data
// write of the session. `first_data` is per session: the I/O number of its
// first data write, 0 when it wrote none.
std::optional<std::string> check_missing_recorded(const std::vector<BlockDevice*>& durable, size_t array_legs,
                                                  const std::vector<WriteModel::DegradedSession>& sessions,
                                                  const std::vector<uint64_t>& first_data, uint64_t k);

// Checks 3 and 4: the engine opened on `legs` with w.engine. `refusal_ok`:
// a refused open is no failure (a degraded open may need consent).
std::optional<std::string> check_engine(const std::vector<BlockDevice*>& legs, const CrashWorkload& w,
                                        const WriteModel& model, uint64_t k, bool refusal_ok);

// Check 3, first: the engine opened read-only on `legs` (as a reader after
// the crash, before anything recovers them) reads agree and are allowed
// (two reads of a region the legs may differ in never disagree).
std::optional<std::string> check_read_only(const std::vector<BlockDevice*>& legs, const CrashWorkload& w,
                                           const WriteModel& model, uint64_t k);

// Check 6: after w.recover, every in-sync leg is identical and the volume
// reads back as the WriteModel allows.
std::optional<std::string> check_after_recover(std::vector<BlockDevice*>& legs, const CrashWorkload& w,
                                               const WriteModel& model, uint64_t k);

// Check 8: every leg but the rot's own still holds the good data at each of
// w.rot (run after check_engine's recovery at open on the same images).
std::optional<std::string> check_rot(const std::vector<BlockDevice*>& legs, const CrashWorkload& w);

}  // namespace dmirror::testing
