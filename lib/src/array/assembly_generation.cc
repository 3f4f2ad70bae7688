// SPDX-License-Identifier: LGPL-2.1-or-later
// Assembly, FORMAT.md 2.6 rule 18: what two legs' generations say about
// their lines of writes (incompat GENERATION; DRBD's generation UUIDs).
#include "array/assembly_rules.h"

#include <optional>

namespace dmirror::assembly {
namespace {

bool has_generation(const Superblock& sb) { return (sb.incompat & feature::kIncompatGeneration) != 0; }

// The line before generations is generation 0.
uint64_t generation_of(const Superblock& sb) { return has_generation(sb) ? sb.generation : 0; }

// P's line left generation `g` after its commit at the returned seqno.
std::optional<uint64_t> branch_of(const Superblock& p, uint64_t g) {
  if (!has_generation(p)) return std::nullopt;
  for (const GenerationEntry& e : p.generation_history)
    if (e.branch_seqno != 0 && e.generation == g) return e.branch_seqno;
  return std::nullopt;
}

// A full history lists every generation its line left from its oldest
// branch on (entries are kept newest first and fall off oldest first). X
// entered its generation right after its newest branch; when that is at or
// after Y's oldest branch and Y's full history does not list X's
// generation (nor is Y in it), Y's line was never in it: X went on writing
// in a line Y never knew. (A leftover of Y's line that stopped in a
// generation that fell off Y's history entered it before Y's oldest
// branch, so it is not caught here.)
bool entered_within_coverage(const Superblock& x, const Superblock& y) {
  for (const GenerationEntry& e : y.generation_history)
    if (e.branch_seqno == 0) return false;   // not full: rules 5 and 6 (or the shared generation) decide
  const GenerationEntry& newest_x = x.generation_history.front();
  if (newest_x.branch_seqno == 0 || x.seqno <= newest_x.branch_seqno) return false;
  const uint64_t oldest_y = y.generation_history.back().branch_seqno;
  return newest_x.branch_seqno + 1 >= oldest_y;
}

bool present(LegState s) { return s != LegState::Unused && s != LegState::Removed && !absent(s); }

// Y's table records X's leg absent (or removed: replaced while away) since
// a commit after X's last one, and
// X never committed without the legs its table lists: either that table
// still lists Y's leg present, or it marks no leg missing or failed (Y's
// leg joined Y's line after X left it). A session without a leg records it
// absent, so every commit X made reached them; Y's line went on without X
// only after X's last commit, the branch Y's history would list for X's
// generation had it not fallen off. X is behind. (Legs rolled back
// together and written apart are not told apart by this, nor by the
// history: rule 18's limit, FORMAT.md.)
bool left_behind(const Superblock& x, const Superblock& y) {
  if (x.slot >= kMaxLegs || y.slot >= kMaxLegs || x.slot == y.slot) return false;
  const LegEntry& of_x = y.legs[x.slot];
  if (of_x.uuid != x.leg_uuid || !(absent(of_x.state) || of_x.state == LegState::Removed) ||
      of_x.state_seq <= x.seqno)
    return false;
  const LegEntry& of_y = x.legs[y.slot];
  if (of_y.uuid == y.leg_uuid && present(of_y.state)) return true;
  for (uint32_t s = 0; s < x.nr_legs && s < kMaxLegs; ++s)
    if (absent(x.legs[s].state)) return false;
  return true;
}

}  // namespace

Lineage compare_lineage(const Superblock& x, const Superblock& y) {
  if (!has_generation(x) && !has_generation(y)) return Lineage::Related;   // the tables decide, as before
  const uint64_t gx = generation_of(x), gy = generation_of(y);
  if (has_generation(x) && has_generation(y) && gx == gy) return Lineage::Related;   // one line: seqno decides
  // X's line left Y's generation at commit b: Y is behind when it stopped
  // there, and wrote apart when it went on in that generation after X left.
  if (auto b = branch_of(x, gy)) return y.seqno <= *b ? Lineage::Related : Lineage::Diverged;
  if (auto b = branch_of(y, gx)) return x.seqno <= *b ? Lineage::Related : Lineage::Diverged;
  // Neither knows the other's generation. An image from before generations
  // is judged by the tables alone.
  if (!has_generation(x) || !has_generation(y)) return Lineage::Related;
  // Both lines left one generation: they parted there, and each went on in
  // a generation the other never knew. (Had one line gone on through the
  // other's generation, that generation would be newer than the shared one
  // in its history, and still listed.) That is evidence, not an overflow.
  for (const GenerationEntry& e : x.generation_history)
    if (e.branch_seqno != 0 && branch_of(y, e.generation)) return Lineage::Diverged;
  // A full history still covers its most recent branches.
  if (entered_within_coverage(x, y) || entered_within_coverage(y, x)) return Lineage::Diverged;
  // Past an overflowed history the tables still tell a leg left behind.
  if (left_behind(x, y) || left_behind(y, x)) return Lineage::Related;
  // Otherwise the history overflowed or the images are unrelated: one of
  // them was written in a line the other never knew, so no side may be
  // taken for merely behind.
  return Lineage::Unknown;
}

}  // namespace dmirror::assembly
