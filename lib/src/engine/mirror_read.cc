// SPDX-License-Identifier: LGPL-2.1-or-later
// The read path: choose the legs that may serve a range (never a failed
// leg, never a rebuilding leg above its recovery offset), order them by
// policy, and on an error retry the next one. A leg that failed a read that
// another leg served is healed (md's fix_read_error, ZFS self-heal): with
// the write queue held, so no write group runs meanwhile, every block of
// the range it still cannot read is rewritten from the leg that served it
// (not marked in the journal: FORMAT.md 1.1) when the evidence allows: every other current leg that reads the block holds the
// same, or the region is dirty or not yet synced; otherwise the block is
// left alone and reported (a leg-read-error-no-evidence finding), flushed, read
// back and compared. Blocks it reads fine are never rewritten. A block that
// reads back good counts `corrected` and `read_errors` (committed with the
// next superblock commit) and records a read-error-corrected event; a
// failed rewrite counts a write error and fails the leg, and so does more
// than the error limit of read errors within the error window.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

#include "engine/mirror_impl.h"
#include "io/aligned_buffer.h"
#include "ops/error_window.h"
#include "ops/resync_vote.h"

namespace dmirror {
namespace {

// Holds the request queue the way a leader does, so no write group runs
// while an unreadable block is rewritten (md raises a barrier): it takes
// the lead (queued as a flush, which no leader ever batches with other
// requests), waits for the groups in flight, and holds flush_mu and
// meta_mu (the heal's own metadata steps need meta_mu).
class QueueBarrier {
 public:
  explicit QueueBarrier(Mirror::Impl& m) : m_(m) {
    r_.kind = Mirror::Impl::Request::Kind::Flush;
    std::unique_lock lock(m_.queue_mu);
    m_.queue.push_back(&r_);
    while (m_.queue.front() != &r_) r_.cv.wait(lock);
    m_.inflight_cv.wait(lock, [&] { return m_.inflight.empty(); });
    lock.unlock();
    flush_ = std::unique_lock(m_.flush_mu);
    meta_ = std::unique_lock(m_.meta_mu);
  }
  ~QueueBarrier() {
    meta_.unlock();
    flush_.unlock();
    std::lock_guard lock(m_.queue_mu);
    m_.queue.pop_front();
    r_.done = true;
    if (!m_.queue.empty()) m_.queue.front()->cv.notify_one();
  }
  QueueBarrier(const QueueBarrier&) = delete;
  QueueBarrier& operator=(const QueueBarrier&) = delete;

 private:
  Mirror::Impl& m_;
  Mirror::Impl::Request r_;
  std::unique_lock<std::mutex> flush_;
  std::unique_lock<std::mutex> meta_;
};

// The read-error window of each open mirror (one run = one open), keyed by
// the mirror and its open time so a later mirror at the same address starts
// afresh.
ops::ErrorWindow& error_window(const Mirror::Impl& m) {
  static std::mutex mu;
  static std::map<std::pair<const void*, int64_t>, std::unique_ptr<ops::ErrorWindow>> windows;
  std::lock_guard lock(mu);
  auto& w = windows[{&m, m.opened_at.time_since_epoch().count()}];
  if (!w) w = std::make_unique<ops::ErrorWindow>(m.set.sb());
  return *w;
}

using Buffer = AlignedBuffer;

std::string range_text(uint64_t pos, uint64_t len) {
  return "offset " + std::to_string(pos) + " length " + std::to_string(len);
}

}  // namespace

// Data not yet known to be in sync (initial sync pending, or dirty after a
// crash when opened read-only) is always read from the primary leg first,
// or from the leg the vote keeps, so two reads of it never disagree.
bool Mirror::Impl::unsynced_locked(uint64_t offset, uint64_t len) {
  const Superblock& sb = set.sb();
  bool unsynced = offset + len > sb.resync_offset;
  if (!unsynced && sb.has_flag(sbflag::kDirty) && options.read_only) {
    const uint64_t rs = sb.region_size;
    if (!set.journals_loaded()) unsynced = true;
    for (uint64_t r = offset / rs; !unsynced && len && r <= (offset + len - 1) / rs; ++r) unsynced = set.is_dirty(r);
  }
  return unsynced;
}

const ops::VoteRun* Mirror::Impl::vote_run_locked(uint64_t offset, uint64_t len) {
  const Superblock& sb = set.sb();
  if (offset + len > sb.resync_offset || set.in_sync_slots().size() < 3) return nullptr;
  const uint64_t chunk = ops::vote_chunk(sb), start = offset / chunk * chunk;
  if (vote_start != start) {   // a caller reading a chunk in pieces votes once
    const auto p = set.primary();
    vote_memo = ops::vote_runs(set, set.in_sync_slots(), start, std::min(chunk, sb.layout.data_size - start),
                               p ? *p : kNoSlot);
    vote_start = start;
  }
  for (const ops::VoteRun& r : vote_memo)
    if (offset >= r.pos && offset < r.pos + r.len) return &r;
  return nullptr;
}

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
  const bool unsynced = unsynced_locked(offset, len);
  // A leg the caller named (io read --prefer) is read there too: the
  // caller asked for its copy, and a read-only open repairs nothing.
  if (unsynced && options.read_policy == ReadPolicy::Preferred && !fast.empty() &&
      fast.front() == options.preferred_slot)
    return fast;
  // A dirty region of a read-only open with three or more in-sync legs:
  // the leg the recovery will keep (rule 21: a strict majority, block by
  // block, else the primary). read() split the range on the vote's runs.
  if (const ops::VoteRun* run = unsynced ? vote_run_locked(offset, len) : nullptr) {
    auto it = std::find(fast.begin(), fast.end(), run->winner);
    if (run->winner != kNoSlot && it != fast.end()) {
      std::rotate(fast.begin(), it, it + 1);
      return fast;
    }
  }
  if (unsynced) {
    if (auto p = set.primary()) {
      auto it = std::find(fast.begin(), fast.end(), *p);
      if (it != fast.end()) std::rotate(fast.begin(), it, it + 1);
    }
  }
  return fast;
}

// Rewrites the blocks of [offset, offset + len) that `bad` cannot read from
// `good`. Called with no lock held; takes the write queue.
static void heal_read_error(Mirror::Impl& m, uint32_t bad, uint32_t good, uint64_t offset, uint64_t len) {
  QueueBarrier barrier(m);
  // A closed mirror writes nothing more, not even a heal (the read was
  // served from `good`; the next open's scrub finds the bad block).
  if (m.closed) return;
  {
    std::lock_guard lock(m.state_mu);
    if (!m.set.writable(bad) || !m.set.current_below(good, offset + len)) return;
  }
  const uint64_t base = m.set.sb().layout.data_offset, rs = m.set.sb().region_size;
  const uint64_t unit = std::max<uint64_t>(4096, m.set.sb().logical_block_size);
  // Fresh data from the good leg: a write may have landed since the read.
  Buffer src = aligned_buffer(len), blk = aligned_buffer(unit);
  if (!src || !blk) return;
  if (!m.set.dev(good)->read(base + offset, std::span<std::byte>(src.get(), len))) return;
  if (!m.activate()) return;
  BlockDevice* dev = m.set.dev(bad);
  std::vector<engine::LegError> errors;
  uint64_t healed_from = 0, healed_len = 0;
  for (uint64_t off = 0; off < len && errors.empty(); off += unit) {
    const uint64_t blen = std::min(unit, len - off), pos = offset + off;
    std::span<std::byte> b(blk.get(), blen);
    Status st = dev->read(base + pos, b);
    if (st) continue;
    bool past_limit = false;
    {
      std::lock_guard lock(m.state_mu);
      ++m.set.mutable_sb().counters[bad].read_errors;
      past_limit = error_window(m).add(bad, engine::now_seconds());
    }
    if (past_limit) {
      const ops::ErrorWindow& w = error_window(m);
      errors.push_back({bad, Error{ErrorCode::Io, st.error().sys_errno,
                                   "more than " + std::to_string(w.limit()) + " read errors within " +
                                       std::to_string(w.window()) + " s (last at " + range_text(pos, blen) + ": " +
                                       st.error().message + ")"}});
      break;
    }
    // Evidence first (as ops/read_heal.h): a copy of `good`'s block must
    // not become a vote for it. Outside a dirty or never-synced region,
    // every other current leg that reads the block must hold the same.
    const uint64_t reg = pos / rs;
    std::span<const std::byte> data(src.get() + off, blen);
    if (!m.set.is_dirty(reg) && pos + blen <= m.set.sb().resync_offset) {
      std::string differ;
      for (uint32_t s = 0; s < m.set.sb().nr_legs; ++s) {
        if (s == bad || s == good || !m.set.current_below(s, pos + blen) || !m.set.present(s)) continue;
        if (m.set.dev(s)->read(base + pos, b) && std::memcmp(b.data(), data.data(), blen) != 0)
          differ += "," + std::to_string(s);
      }
      if (!differ.empty()) {
        std::lock_guard lock(m.state_mu);
        m.findings.push_back({Severity::Error, "leg-read-error-no-evidence",
                              range_text(pos, blen) + " unreadable on slot " + std::to_string(bad) + " (" +
                                  st.error().message + "); the other legs disagree (slots " + std::to_string(good) +
                                  differ + "): no evidence which copy is right; left alone: choose with "
                                  "`dmirrorctl scrub --from LEG`",
                              dev->describe(), static_cast<int64_t>(bad)});
        continue;
      }
    }
    // Not marked in the journal (FORMAT.md 1.1): a mark would make the
    // region a crash window, and the recovery of a crash window copies it
    // from the primary, rot in its other blocks included, over the good
    // copy. Torn, the rewrite leaves each sector of the block the good data
    // or still unreadable, and the next read heals it again.
    Status w = dev->write(base + pos, data);
    if (w) w = dev->flush();
    if (w) w = dev->read(base + pos, b);
    if (w && std::memcmp(b.data(), data.data(), blen) != 0)
      w = make_error(ErrorCode::Io, "the leg returned other data than was written", EIO);
    if (!w) {
      std::lock_guard lock(m.state_mu);
      ++m.set.mutable_sb().counters[bad].write_errors;
      ++m.leg_stats[bad].write_errors;
      Error e = w.error();
      e.message = "rewriting the unreadable block at " + range_text(pos, blen) + " failed: " + e.message;
      errors.push_back({bad, e});
      break;
    }
    {
      std::lock_guard lock(m.state_mu);
      ++m.set.mutable_sb().counters[bad].corrected;
    }
    if (healed_len && healed_from + healed_len == pos) {
      healed_len += blen;
    } else {
      if (healed_len)
        m.set.record_event(EventType::ReadErrorCorrected, bad, {healed_from, healed_len},
                           m.set.leg_name(bad) + ": unreadable data at " + range_text(healed_from, healed_len) +
                               " rewritten from slot " + std::to_string(good) + " and read back good");
      healed_from = pos;
      healed_len = blen;
    }
  }
  if (healed_len)
    m.set.record_event(EventType::ReadErrorCorrected, bad, {healed_from, healed_len},
                       m.set.leg_name(bad) + ": unreadable data at " + range_text(healed_from, healed_len) +
                           " rewritten from slot " + std::to_string(good) + " and read back good");
  // Never the last in-sync leg: fail() refuses that and the leg stays. The
  // errors were counted above (read_errors, write_errors).
  (void)m.fail(errors, /*write_errors=*/false);
}

Status Mirror::Impl::read(uint64_t offset, std::span<std::byte> buf) {
  DMIRROR_RETURN_IF_ERROR(check_range(offset, buf.size()));
  // Read-only over an unclean array with 3+ legs: each piece within one
  // chunk of the vote and one run of it, so each is served by the leg its
  // vote keeps.
  if (options.read_only && set.sb().has_flag(sbflag::kDirty) && set.in_sync_slots().size() >= 3) {
    const uint64_t chunk = ops::vote_chunk(set.sb());
    if (offset / chunk != (offset + buf.size() - 1) / chunk) {
      for (uint64_t pos = offset; pos < offset + buf.size();) {
        const uint64_t n = std::min(offset + buf.size(), (pos / chunk + 1) * chunk) - pos;
        DMIRROR_RETURN_IF_ERROR(read(pos, buf.subspan(pos - offset, n)));
        pos += n;
      }
      return ok();
    }
    uint64_t run_end = offset + buf.size();
    {
      std::lock_guard lock(state_mu);
      if (unsynced_locked(offset, buf.size()))
        if (const ops::VoteRun* run = vote_run_locked(offset, buf.size())) run_end = std::min(run_end, run->pos + run->len);
    }
    if (run_end < offset + buf.size()) {
      DMIRROR_RETURN_IF_ERROR(read(offset, buf.subspan(0, run_end - offset)));
      return read(run_end, buf.subspan(run_end - offset));
    }
  }
  std::vector<uint32_t> order = read_order(offset, buf.size());
  if (order.empty())
    return make_error(ErrorCode::Io, "no leg holds current data for " + std::to_string(offset) + "+" +
                                         std::to_string(buf.size()));
  const uint64_t base = set.sb().layout.data_offset;
  std::optional<Error> last;
  std::vector<uint32_t> failed;
  auto read_leg = [&](uint32_t slot, uint64_t pos, std::span<std::byte> b) {
    pending[slot].fetch_add(1);
    Status st = set.dev(slot)->read(base + pos, b);
    pending[slot].fetch_sub(1);
    std::lock_guard lock(state_mu);
    ++leg_stats[slot].reads;
    if (!st) ++leg_stats[slot].read_errors;
    return st;
  };
  for (size_t i = 0; i < order.size(); ++i) {
    const uint32_t slot = order[i];
    Status st = read_leg(slot, offset, buf);
    if (st) {
      {
        std::lock_guard lock(state_mu);
        ++stats.reads;
        if (i > 0) ++stats.read_retries;
      }
      if (!options.read_only)
        for (uint32_t bad : failed) heal_read_error(*this, bad, slot, offset, buf.size());
      return ok();
    }
    failed.push_back(slot);
    last = st.error();
  }
  // No leg read the whole range: block by block, each from any leg that
  // reads it. A block no leg can read is an I/O error, never zeros.
  const uint64_t unit = std::max<uint64_t>(4096, set.sb().logical_block_size);
  if (buf.size() > unit) {
    struct Served { uint64_t pos, len; uint32_t good; };
    std::vector<Served> served;
    bool all = true;
    for (uint64_t off = 0; off < buf.size() && all; off += unit) {
      const uint64_t blen = std::min<uint64_t>(unit, buf.size() - off);
      Served s{offset + off, blen, kNoSlot};
      for (uint32_t slot : order) {
        Status st = read_leg(slot, offset + off, buf.subspan(off, blen));
        if (st) {
          s.good = slot;
          break;
        }
        last = st.error();
      }
      all = s.good != kNoSlot;
      served.push_back(std::move(s));
    }
    if (all) {
      {
        std::lock_guard lock(state_mu);
        ++stats.reads;
        ++stats.read_retries;
      }
      // Every leg that failed the whole read is checked block by block
      // (heal_read_error rewrites only the blocks it cannot read).
      if (!options.read_only)
        for (const Served& s : served)
          for (uint32_t bad : failed)
            if (bad != s.good) heal_read_error(*this, bad, s.good, s.pos, s.len);
      return ok();
    }
  }
  Error e = *last;
  e.message = "every leg failed to read " + std::to_string(offset) + "+" + std::to_string(buf.size()) + ": " + e.message;
  return std::unexpected(e);
}

}  // namespace dmirror
