// SPDX-License-Identifier: LGPL-2.1-or-later
// The pipelined copy loop (see copier.h).
#include "ops/copier.h"

#include <algorithm>

#include <cerrno>

#include "ops/chunk_reader.h"

namespace dmirror::ops {
namespace {

std::vector<BlockDevice*> present_devices(const LegSet& set) {
  std::vector<BlockDevice*> devs;
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (set.dev(s)) devs.push_back(set.dev(s));
  return devs;
}

}  // namespace

Copier::Copier(LegSet& set, uint64_t chunk_bytes, Options o)
    : set_(set),
      chunk_(std::max<uint64_t>(std::min<uint64_t>(chunk_bytes, set.sb().region_size), 4096)),
      o_(o),
      window_(set.sb()) {
  auto devs = present_devices(set);
  reads_ = engine::make_io_queue(devs);
  writes_ = engine::make_io_queue(devs);
}

// FORMAT.md 2.7: a source that failed a read is counted like scrub counts
// it; one rewritten with the data served by `used` counts `corrected` and
// records a read-error-corrected event.
void Copier::count_read_errors(std::span<const uint32_t> bad, uint32_t used, uint64_t pos, uint64_t len,
                               std::span<const LegError> errors) {
  Superblock& sb = set_.mutable_sb();
  std::vector<uint32_t> legs(bad.begin(), bad.end());
  std::sort(legs.begin(), legs.end());
  legs.erase(std::unique(legs.begin(), legs.end()), legs.end());
  for (uint32_t b : legs) {
    ++sb.counters[b].read_errors;
    const bool rewritten = o_.rewrite_bad_sources && std::none_of(errors.begin(), errors.end(), [&](const LegError& e) {
      return e.slot == b;
    });
    if (!rewritten) continue;
    ++sb.counters[b].corrected;
    set_.record_event(EventType::ReadErrorCorrected, b, {pos, len},
                      set_.leg_name(b) + ": unreadable data at offset " + std::to_string(pos) + " length " +
                          std::to_string(len) + " rewritten from slot " + std::to_string(used));
  }
}

// FORMAT.md 2.7: a source leg with more than error_limit read errors
// within error_window seconds in this run is failed, as scrub fails it
// (read_heal.cc); fewer are healed (rewritten) and counted. Never the last
// in-sync leg: settle_leg_errors keeps a survivor.
std::vector<LegError> Copier::past_error_limit(std::span<const uint32_t> bad, uint32_t used, uint64_t pos,
                                               uint64_t len) {
  std::vector<LegError> errors;
  if (!o_.rewrite_bad_sources || bad.empty()) return errors;
  const uint64_t now = engine::now_seconds();
  std::vector<uint32_t> legs(bad.begin(), bad.end());
  std::sort(legs.begin(), legs.end());
  legs.erase(std::unique(legs.begin(), legs.end()), legs.end());
  for (uint32_t b : legs) {
    if (b == used || !window_.add(b, now)) continue;
    errors.push_back({b, Error{ErrorCode::Io, EIO,
                               "more than " + std::to_string(window_.limit()) + " read errors within " +
                                   std::to_string(window_.window()) + " s (last at offset " + std::to_string(pos) +
                                   " length " + std::to_string(len) + ")"}});
  }
  return errors;
}

Status Copier::copy(uint64_t pos, uint64_t len, uint32_t& src, std::vector<uint32_t>& targets,
                    std::vector<uint32_t>* failed, Throttle* throttle, uint64_t& copied, CheckpointClock* clock) {
  copied = 0;
  write_error_slot_ = kNoSlot;
  const uint64_t end = pos + len;
  uint64_t next = pos;
  auto next_range = [&](uint64_t& p, uint64_t& n) {
    if (next >= end) return false;
    p = next;
    n = std::min(chunk_, end - next);
    next += n;
    return true;
  };
  const uint32_t reader_slot = src;
  ChunkReader reader(set_, *reads_, {reader_slot}, chunk_, next_range);
  DMIRROR_RETURN_IF_ERROR(reader.status());
  std::vector<engine::LegIo> ios;
  while (Chunk* c = reader.next_mutable()) {
    std::span<std::byte> data(c->mutable_data(reader_slot), c->len);
    std::vector<uint32_t> bad;
    uint32_t used = reader_slot;
    if (!c->status(reader_slot) || !set_.in_sync(reader_slot)) {
      // A source failed earlier in this copy (past the error limit) is
      // still read ahead; its errors no longer count.
      if (!c->status(reader_slot) && set_.in_sync(reader_slot)) bad.push_back(reader_slot);
      DMIRROR_ASSIGN_OR_RETURN(used, read_from_any(set_, src, c->pos, data, bad));
    }
    // Past the error limit a leg is failed, not rewritten (as scrub does).
    const std::vector<LegError> over = past_error_limit(bad, used, c->pos, c->len);
    auto is_over = [&](uint32_t b) {
      return std::any_of(over.begin(), over.end(), [&](const LegError& e) { return e.slot == b; });
    };
    std::vector<uint32_t> to = targets;
    if (o_.rewrite_bad_sources)
      for (uint32_t b : bad)
        if (std::find(to.begin(), to.end(), b) == to.end() && !is_over(b)) to.push_back(b);
    std::erase(to, used);
    ios.assign(to.size(), engine::LegIo{});
    for (size_t i = 0; i < to.size(); ++i) {
      ios[i].kind = engine::LegIo::Kind::Write;
      ios[i].slot = to[i];
      ios[i].dev = set_.dev(to[i]);
      ios[i].offset = set_.sb().layout.data_offset + c->pos;
      ios[i].data = data.data();
      ios[i].length = data.size();
      writes_->submit(&ios[i]);
    }
    std::vector<LegError> errors;
    while (engine::LegIo* w = writes_->wait())
      if (!w->result) errors.push_back({w->slot, w->result.error()});
    errors.insert(errors.end(), over.begin(), over.end());
    count_read_errors(bad, used, c->pos, c->len, errors);
    if (!o_.fail_targets && !errors.empty()) {
      write_error_slot_ = errors.front().slot;
      return std::unexpected(errors.front().error);
    }
    DMIRROR_RETURN_IF_ERROR(settle_leg_errors(set_, errors, targets, failed, o_.missing));
    if (!set_.in_sync(src)) src = *set_.primary();
    copied += c->len;
    if (throttle) DMIRROR_RETURN_IF_ERROR(throttle->tick(c->len));
    if (clock && clock->due(c->len) && copied < len) return ok();   // the caller checkpoints here
  }
  return ok();
}

}  // namespace dmirror::ops
