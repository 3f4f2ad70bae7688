// SPDX-License-Identifier: LGPL-2.1-or-later
// vote_runs (see resync_vote.h).
#include "ops/resync_vote.h"

#include <cstring>
#include <optional>

#include "ops/leg_io.h"

namespace dmirror::ops {

std::vector<VoteRun> vote_runs(engine::LegSet& set, std::span<const uint32_t> voters, uint64_t pos, uint64_t len,
                               uint32_t prefer, size_t min_readers) {
  std::vector<VoteRun> runs;
  std::vector<std::vector<std::byte>> copies;
  std::vector<uint32_t> readers;
  if (voters.size() >= min_readers) {
    for (uint32_t s : voters) {
      std::vector<std::byte> buf(len);
      if (!read_leg_data(set, s, pos, buf)) continue;
      copies.push_back(std::move(buf));
      readers.push_back(s);
    }
  }
  if (readers.size() < std::max<size_t>(min_readers, 2)) return {VoteRun{pos, len, kNoSlot, 0, 0}};
  uint32_t voters_mask = 0;
  for (uint32_t s : readers) voters_mask |= 1u << s;
  const uint64_t bs = std::max<uint64_t>(set.sb().logical_block_size, 512);
  const size_t r = readers.size();
  std::vector<size_t> order(r);
  for (size_t i = 0; i < r; ++i) order[i] = i;
  // `prefer` is asked first, so that it wins whenever it is in the majority.
  auto it = std::find(readers.begin(), readers.end(), prefer);
  if (it != readers.end()) std::rotate(order.begin(), order.begin() + (it - readers.begin()),
                                       order.begin() + (it - readers.begin()) + 1);
  for (uint64_t off = 0; off < len; off += bs) {
    const uint64_t n = std::min(bs, len - off);
    auto same = [&](size_t i, size_t j) { return std::memcmp(copies[i].data() + off, copies[j].data() + off, n) == 0; };
    VoteRun v{pos + off, n, kNoSlot, voters_mask, 0};
    // How many readers hold each reader's copy.
    std::vector<size_t> agree(r, 0);
    for (size_t i = 0; i < r; ++i)
      for (size_t j = i; j < r; ++j)
        if (same(i, j)) {
          ++agree[i];
          if (j != i) ++agree[j];
        }
    // A strict majority; else `prefer` when another leg holds its copy too;
    // else the largest group of two or more (a copy two legs hold is not
    // rot: rot does not repeat itself across legs).
    std::optional<size_t> win;
    for (size_t i : order)
      if (agree[i] * 2 > r) {
        win = i;
        break;
      }
    if (!win && order[0] < r && readers[order[0]] == prefer && agree[order[0]] >= 2) win = order[0];
    if (!win)
      for (size_t i : order)
        if (agree[i] >= 2 && (!win || agree[i] > agree[*win])) win = i;
    if (win) {
      v.winner = readers[*win];
      for (size_t j = 0; j < r; ++j)
        if (!same(*win, j)) v.differ |= 1u << readers[j];
    }
    if (v.winner == kNoSlot)   // a tie: every reader's copy is outside a majority
      for (uint32_t s : readers) v.differ |= 1u << s;
    if (!runs.empty() && runs.back().winner == v.winner && runs.back().differ == v.differ)
      runs.back().len += n;
    else
      runs.push_back(v);
  }
  return runs;
}

}  // namespace dmirror::ops
