// SPDX-License-Identifier: LGPL-2.1-or-later
// Generations (FORMAT.md 2.6 rules 18 and 19, incompat GENERATION): the id
// of a leg's line of writes, DRBD's generation UUIDs. A writer that goes on
// without a leg that held the line's last commit starts a new generation,
// so a leg that was written apart can be told from one that is only behind.
// Writers (LegSet, ArrayLegs) use GenerationKeeper; the reading rule lives
// in the assembly only.
#pragma once

#include <dmirror/export.h>
#include <dmirror/superblock.h>

#include <array>
#include <cstdint>
#include <functional>

namespace dmirror {

// A random generation id, never 0.
DMIRROR_EXPORT uint64_t random_generation();

// Rule 19: `sb` leaves its generation, whose last commit was
// `branch_seqno`: {generation, branch_seqno} goes to the front of the
// history (the oldest entry falls off a full history) and a new random
// generation is set. An array without GENERATION gets the flag here, and
// its history starts with {0, branch_seqno}: the line before generations.
DMIRROR_EXPORT void start_generation(Superblock& sb, uint64_t branch_seqno);

// One writer's session (an engine open, an offline command, an
// activation): the first commit of the session that does not reach every
// slot of the table it assembled (in use, not removed: a slot absent,
// recorded missing or failed, left out or erred) starts a new generation;
// the others keep it. Only a session that writes every slot keeps the
// generation: a leg image (rolled back, say) that is the only one of its
// table still present would otherwise go on in the generation its
// original went on in too.
class DMIRROR_EXPORT GenerationKeeper {
 public:
  GenerationKeeper() = default;
  explicit GenerationKeeper(const Superblock& session_start);
  // Called by a commit before it writes `sb` with seqno `seqno`; `reaches`
  // says whether the commit writes a slot's leg.
  void before_commit(Superblock& sb, uint64_t seqno, const std::function<bool(uint32_t)>& reaches);
  bool started() const { return started_; }

 private:
  std::array<bool, kMaxLegs> slot_{};   // in use when the session began
  bool started_ = false;
};

}  // namespace dmirror
