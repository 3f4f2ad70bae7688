// SPDX-License-Identifier: LGPL-2.1-or-later
// Starting generations (FORMAT.md 2.6 rule 19); see generation.h.
#include <dmirror/generation.h>
#include <dmirror/uuid.h>

#include <algorithm>
#include <cstring>

namespace dmirror {

uint64_t random_generation() {
  for (;;) {
    const Uuid u = random_uuid();
    uint64_t g = 0;
    std::memcpy(&g, u.bytes.data(), sizeof g);
    if (g != 0) return g;
  }
}

void start_generation(Superblock& sb, uint64_t branch_seqno) {
  if (!(sb.incompat & feature::kIncompatGeneration)) {
    sb.incompat |= feature::kIncompatGeneration;
    sb.generation = 0;   // the line before generations
    sb.generation_history = {};
  }
  auto& h = sb.generation_history;
  std::move_backward(h.begin(), h.end() - 1, h.end());
  h[0] = GenerationEntry{sb.generation, branch_seqno};
  uint64_t g = random_generation();
  while (std::any_of(h.begin(), h.end(), [&](const GenerationEntry& e) { return e.generation == g; }))
    g = random_generation();
  sb.generation = g;
}

GenerationKeeper::GenerationKeeper(const Superblock& start) {
  for (uint32_t s = 0; s < start.nr_legs && s < kMaxLegs; ++s) {
    const LegState st = start.legs[s].state;
    slot_[s] = is_member_state(st);   // a spare is written once, when added (rule 23)
  }
}

void GenerationKeeper::before_commit(Superblock& sb, uint64_t seqno, const std::function<bool(uint32_t)>& reaches) {
  if (started_ || seqno == 0) return;
  // An array from before generations gets its first one.
  bool left_behind = !(sb.incompat & feature::kIncompatGeneration) || sb.generation == 0;
  for (uint32_t s = 0; s < kMaxLegs && !left_behind; ++s)
    left_behind = slot_[s] && is_member_state(sb.legs[s].state) && !reaches(s);
  if (!left_behind) return;
  start_generation(sb, seqno - 1);
  started_ = true;
}

}  // namespace dmirror
