// SPDX-License-Identifier: LGPL-2.1-or-later
// The read path: choose the legs that may serve a range (never a failed
// leg, never a rebuilding leg above its recovery offset), order them by
// policy, and on an error retry the next one.
#include <algorithm>

#include "engine/mirror_impl.h"

namespace dmirror {

std::vector<uint32_t> Mirror::Impl::read_order(uint64_t offset, uint64_t len) {
  std::lock_guard lock(state_mu);
  const Superblock& sb = set.sb();
  std::vector<uint32_t> fast, slow;
  for (uint32_t slot = 0; slot < sb.nr_legs; ++slot) {
    if (!set.current_below(slot, offset + len)) continue;
    (sb.legs[slot].flags & legflag::kWriteMostly ? slow : fast).push_back(slot);
  }
  if (!fast.empty()) {
    switch (options.read_policy) {
      case ReadPolicy::Preferred: {
        auto it = std::find(fast.begin(), fast.end(), options.preferred_slot);
        if (it != fast.end()) {
          std::rotate(fast.begin(), it, it + 1);
          break;
        }
        [[fallthrough]];
      }
      case ReadPolicy::RoundRobin:
        std::rotate(fast.begin(), fast.begin() + (rr_next++ % fast.size()), fast.end());
        break;
      case ReadPolicy::LeastPending:
        std::stable_sort(fast.begin(), fast.end(), [&](uint32_t a, uint32_t b) {
          return pending[a].load() < pending[b].load();
        });
        break;
    }
  }
  fast.insert(fast.end(), slow.begin(), slow.end());
  // Data not yet known to be in sync (initial sync pending, or dirty after
  // a crash when opened read-only) is always read from the primary leg
  // first, so two reads of it never disagree.
  bool unsynced = offset + len > sb.resync_offset;
  if (!unsynced && sb.has_flag(sbflag::kDirty) && options.read_only) {
    const uint64_t rs = sb.region_size;
    if (!set.journals_loaded()) unsynced = true;
    for (uint64_t r = offset / rs; !unsynced && len && r <= (offset + len - 1) / rs; ++r) unsynced = set.is_dirty(r);
  }
  if (unsynced) {
    if (auto p = set.primary()) {
      auto it = std::find(fast.begin(), fast.end(), *p);
      if (it != fast.end()) std::rotate(fast.begin(), it, it + 1);
    }
  }
  return fast;
}

Status Mirror::Impl::read(uint64_t offset, std::span<std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check_range(offset, buf.size()));
  std::vector<uint32_t> order = read_order(offset, buf.size());
  if (order.empty())
    return make_error(ErrorCode::Io, "no leg holds current data for " + std::to_string(offset) + "+" +
                                         std::to_string(buf.size()));
  const uint64_t base = set.sb().layout.data_offset;
  std::optional<Error> last;
  for (size_t i = 0; i < order.size(); ++i) {
    uint32_t slot = order[i];
    BlockDevice* dev = set.dev(slot);
    pending[slot].fetch_add(1);
    Status st = dev->read(base + offset, buf);
    pending[slot].fetch_sub(1);
    std::lock_guard lock(state_mu);
    ++leg_stats[slot].reads;
    if (st) {
      ++stats.reads;
      if (i > 0) ++stats.read_retries;
      return ok();
    }
    ++leg_stats[slot].read_errors;
    last = st.error();
  }
  Error e = *last;
  e.message = "every leg failed to read " + std::to_string(offset) + "+" + std::to_string(buf.size()) + ": " + e.message;
  return std::unexpected(e);
}

}  // namespace dmirror
