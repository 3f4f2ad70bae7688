// SPDX-License-Identifier: LGPL-2.1-or-later
// Copier: copies ranges of the data area from a source leg to target legs
// for resync, recover and replace. Source reads run several chunks ahead
// (a ChunkReader on its own IoQueue) while each chunk is written to every
// target at once through a second queue, so reading and writing overlap.
// A source read error falls back to the other in-sync legs (read_from_any)
// and the legs that failed the read are rewritten with the good data
// (resync); each such leg's read_errors counter is raised, and a rewrite
// counts `corrected` with a read-error-corrected event; past the error
// limit of FORMAT.md 2.7 within one run the leg is failed, as scrub does.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "engine/io_queue.h"
#include "ops/checkpoint_clock.h"
#include "ops/error_window.h"
#include "ops/leg_io.h"
#include "ops/lose_legs.h"
#include "ops/throttle.h"

namespace dmirror::ops {

class Copier {
 public:
  struct Options {
    // true: a target that fails a write is failed (settle_errors) and the
    // copy goes on without it; false: the write error is returned.
    bool fail_targets = true;
    // Rewrite a leg that failed to read a chunk with the good data (resync).
    bool rewrite_bad_sources = true;
    // Targets that vanished are recorded missing and appended here
    // (lose_legs.h); the others that erred are failed.
    std::vector<uint32_t>* missing = nullptr;
  };
  Copier(LegSet& set, uint64_t chunk_bytes, Options o);
  Copier(LegSet& set, uint64_t chunk_bytes) : Copier(set, chunk_bytes, Options{}) {}
  uint64_t chunk() const { return chunk_; }
  // With fail_targets = false: the target whose write error the last
  // copy() returned, or kNoSlot (the error was not a target's write).
  uint32_t write_error_slot() const { return write_error_slot_; }

  // Copies [pos, pos + len) from `src` to `targets` (not flushed). `src`
  // becomes the primary when it stops being in sync; failed targets are
  // removed from `targets` and appended to `failed`. `copied` is set to the
  // length, from pos, that was completely written, also when an error or a
  // cancel (Throttle) stops the copy early. With `clock`, each chunk
  // written is accounted to it, and the copy stops (ok, copied < len) once
  // a checkpoint is due: the caller checkpoints at pos + copied and resets
  // the clock (a full-copy pass checkpoints by time inside its span).
  [[nodiscard]] Status copy(uint64_t pos, uint64_t len, uint32_t& src, std::vector<uint32_t>& targets,
                            std::vector<uint32_t>* failed, Throttle* throttle, uint64_t& copied,
                            CheckpointClock* clock = nullptr);

 private:
  void count_read_errors(std::span<const uint32_t> bad, uint32_t used, uint64_t pos, uint64_t len,
                         std::span<const LegError> errors);
  // The legs of `bad` (not `used`) that pass the read-error limit with this error.
  std::vector<LegError> past_error_limit(std::span<const uint32_t> bad, uint32_t used, uint64_t pos, uint64_t len);

  LegSet& set_;
  uint64_t chunk_;
  Options o_;
  uint32_t write_error_slot_ = kNoSlot;
  ErrorWindow window_;
  std::unique_ptr<engine::IoQueue> reads_, writes_;
};

}  // namespace dmirror::ops
