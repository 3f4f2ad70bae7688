// SPDX-License-Identifier: LGPL-2.1-or-later
// The copy and the verification of replace (see replace_steps.h).
#include <algorithm>
#include <cstring>

#include "engine/io_queue.h"
#include "ops/chunk_reader.h"
#include "ops/copier.h"
#include "ops/leg_io.h"
#include "ops/lose_legs.h"
#include "ops/replace_steps.h"
#include "ops/throttle.h"

namespace dmirror::ops {
namespace {

// Rule 17: the target that erred gets no more metadata; the survivors
// record it failed (or missing when it vanished: a `leg failed` / `leg
// missing` event). A replace onto it is cancelled: the target slot is
// retired (removed, no longer a member, so the array is not left degraded
// by a leg that never held the data) and the old leg keeps its role. Out
// of space on the target's file system fails nothing: the replace stays
// resumable (settle_leg_errors returns TooSmall).
Error give_up_target(LegSet& set, uint32_t t, const Error& e) {
  const std::string name = set.leg_name(t);
  std::vector<LegError> errors{{t, e}};
  std::vector<uint32_t> targets{t};
  if (Status st = settle_leg_errors(set, errors, targets, nullptr, nullptr); !st) return st.error();
  Superblock& sb = set.mutable_sb();
  std::string what = "; it is recorded " + std::string(leg_state_name(sb.legs[t].state));
  if (sb.checkpoint.op == OfflineOp::Replace && sb.checkpoint.target_slot == t) {
    const uint32_t old = sb.checkpoint.source_slot;
    if (Status st = retire_replace_target(set, old, t, "failed during the copy and was retired: the replace is cancelled");
        !st)
      return st.error();
    what = "; the replace is cancelled, slot " + std::to_string(t) + " retired, and slot " + std::to_string(old) +
           " keeps its role: replace it by another device";
  }
  Error out = e;
  out.message = name + " failed during the copy: " + e.message + what;
  return out;
}

}  // namespace

Status copy_and_verify(LegSet& set, uint32_t src, uint32_t t, BlockDevice& dev, const ReplaceOptions& o,
                       ReplaceReport& rep) {
  const Superblock& sb = set.sb();
  const uint64_t size = sb.layout.data_size, rs = sb.region_size;
  const uint64_t chunk = std::min<uint64_t>(std::max<uint64_t>(o.chunk_bytes, 4096), rs);
  uint64_t pos = std::min(sb.legs[t].recovery_offset, size) / rs * rs;
  Throttle th(o.control, "copy", size, pos);
  auto checkpoint = [&](uint64_t at) -> Status {
    if (auto st = dev.flush(); !st) return std::unexpected(give_up_target(set, t, st.error()));
    set.mutable_sb().legs[t].recovery_offset = at;
    if (set.sb().checkpoint.op == OfflineOp::Replace) set.mutable_sb().checkpoint.position = at;
    return set.commit();
  };
  {
    // Pipelined copy, one checkpoint interval (whole regions) at a time;
    // the clock stops a copy inside its span once checkpoint_seconds have
    // passed, so a killed run redoes at most that much.
    Copier copier(set, chunk, Copier::Options{.fail_targets = false, .rewrite_bad_sources = false});
    const uint64_t span = std::max(rs, o.checkpoint_bytes / rs * rs);
    CheckpointClock clock(o.checkpoint_bytes, o.checkpoint_seconds);
    while (pos < size) {
      const uint64_t len = std::min(span, size - pos);
      std::vector<uint32_t> targets{t};
      uint64_t copied = 0;
      Status st = copier.copy(pos, len, src, targets, nullptr, &th, copied, &clock);
      rep.bytes_copied += copied;
      if (!st) {
        if (st.error().code == ErrorCode::Cancelled) {
          (void)checkpoint(pos + copied);
          return st;
        }
        // Out of space fails nothing (give_up_target): what was copied
        // before it is kept, so the rerun resumes there.
        if (is_out_of_space(st.error())) (void)checkpoint(pos + copied);
        if (copier.write_error_slot() == t) return std::unexpected(give_up_target(set, t, st.error()));
        return st;
      }
      pos += copied;
      if (pos < size) {
        DMIRROR_RETURN_IF_ERROR(checkpoint(pos));
        clock.reset();
      }
    }
  }
  DMIRROR_RETURN_IF_ERROR(checkpoint(size));

  // Verify the copy against the source before retiring anything: both read
  // ahead concurrently, compared chunk by chunk.
  std::vector<BlockDevice*> pair{set.dev(src), set.dev(t)};
  auto queue = engine::make_io_queue(pair);
  uint64_t next = 0;
  auto next_range = [&](uint64_t& p, uint64_t& n) {
    if (next >= size) return false;
    p = next;
    n = std::min(chunk, size - next);
    next += n;
    return true;
  };
  ChunkReader reader(set, *queue, {src, t}, chunk, next_range);
  DMIRROR_RETURN_IF_ERROR(reader.status());
  while (Chunk* c = reader.next_mutable()) {
    const uint64_t p = c->pos, n = c->len;
    if (!c->status(t)) return std::unexpected(give_up_target(set, t, c->status(t).error()));
    if (!c->status(src)) {
      std::vector<uint32_t> bad;
      bad.push_back(src);
      auto used = read_from_any(set, src, p, std::span(c->mutable_data(src), n), bad);
      std::sort(bad.begin(), bad.end());
      bad.erase(std::unique(bad.begin(), bad.end()), bad.end());
      for (uint32_t b : bad) ++set.mutable_sb().counters[b].read_errors;   // FORMAT.md 2.7
      if (!used) {
        (void)set.commit();
        return std::unexpected(used.error());
      }
    }
    if (std::memcmp(c->data(src), c->data(t), n) != 0) {
      set.mutable_sb().legs[t].recovery_offset = p / rs * rs;
      (void)set.commit();
      return make_error(ErrorCode::Corruption, "the copy on " + dev.describe() + " differs from slot " +
                                                   std::to_string(src) + " at offset " + std::to_string(p) +
                                                   "; run replace again to recopy from there");
    }
    rep.bytes_verified += n;
  }
  return ok();
}

}  // namespace dmirror::ops
