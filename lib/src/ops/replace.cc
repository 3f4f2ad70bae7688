// SPDX-License-Identifier: LGPL-2.1-or-later
// replace() (see replace.h): join, copy, verify, retire.
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/replace.h>

#include <algorithm>
#include <cstring>

#include "engine/io_queue.h"
#include "ops/chunk_reader.h"
#include "ops/copier.h"
#include "ops/leg_io.h"
#include "ops/resync_core.h"
#include "ops/throttle.h"

namespace dmirror {
namespace {

using engine::LegSet;

Status check_new_device(const LegSet& set, BlockDevice& dev, const ReplaceOptions& o) {
  const Superblock& sb = set.sb();
  const uint64_t need = sb.layout.data_offset + sb.layout.data_size;
  if (dev.geometry().size_bytes < need)
    return make_error(ErrorCode::TooSmall, dev.describe() + " has " + std::to_string(dev.geometry().size_bytes) +
                                               " bytes; the array needs " + std::to_string(need));
  if (dev.geometry().logical_block_size > sb.logical_block_size)
    return make_error(ErrorCode::InvalidArgument, dev.describe() + " has a larger logical block size (" +
                                                      std::to_string(dev.geometry().logical_block_size) +
                                                      ") than the array (" + std::to_string(sb.logical_block_size) + ")");
  for (uint32_t s = 0; s < sb.nr_legs; ++s)
    if (set.dev(s) == &dev) return make_error(ErrorCode::InvalidArgument, dev.describe() + " is already slot " + std::to_string(s));
  if (auto m = read_leg(dev); m) {
    if (m->sb.array_uuid == sb.array_uuid)
      return make_error(ErrorCode::Exists, dev.describe() + " is already a leg of this array (" +
                                               std::string(leg_state_name(sb.legs[m->sb.slot].state)) + ")");
    if (!o.force)
      return make_error(ErrorCode::Exists, dev.describe() + " is a leg of array '" + m->sb.name +
                                               "'; use --force to overwrite it");
  }
  return ok();
}

// Writes the new leg's journal and clears its event area, then attaches it
// to `slot`. A crash before the next superblock commit leaves a device that
// is simply not part of the array.
Status prepare_new_leg(LegSet& set, uint32_t slot, BlockDevice& dev) {
  const Superblock& sb = set.sb();
  WriteIntentJournal j = WriteIntentJournal::create(sb);
  DMIRROR_RETURN_IF_ERROR(j.write_pending(dev, true));
  j.commit_written(true);
  std::vector<std::byte> zeros(sb.layout.events_size);
  DMIRROR_RETURN_IF_ERROR(dev.write(sb.layout.events_offset, zeros));
  DMIRROR_RETURN_IF_ERROR(dev.flush());
  set.attach(slot, &dev);
  set.adopt_journal(slot, j);
  return ok();
}

Status join(LegSet& set, uint32_t old_slot, uint32_t slot, BlockDevice& dev) {
  Superblock& sb = set.mutable_sb();
  DMIRROR_RETURN_IF_ERROR(prepare_new_leg(set, slot, dev));

  LegEntry& e = sb.legs[slot];
  e = LegEntry{};
  e.uuid = random_uuid();
  e.state = LegState::Rebuilding;
  e.state_seq = sb.seqno + 1;
  e.recovery_offset = 0;
  e.device_size = dev.geometry().size_bytes;
  sb.nr_legs = std::max(sb.nr_legs, slot + 1);
  LegEntry& old = sb.legs[old_slot];
  if (old.state == LegState::InSync) {
    old.state = LegState::Replacing;
    old.state_seq = sb.seqno + 1;
  }
  old.replacement_slot = slot;
  sb.checkpoint = Checkpoint{.op = OfflineOp::Replace, .started = engine::now_seconds(),
                             .source_slot = old_slot, .target_slot = slot};
  set.record_event(EventType::ReplaceStarted, old_slot, {slot}, "replacing " + set.leg_name(old_slot) + " by " +
                                                                   dev.describe() + " in slot " + std::to_string(slot));
  return set.commit();
}

std::optional<uint32_t> free_slot(const Superblock& sb) {
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (s >= sb.nr_legs || sb.legs[s].state == LegState::Unused) return s;
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (sb.legs[s].state == LegState::Removed) return s;
  return std::nullopt;
}

}  // namespace

Result<ReplaceReport> replace(std::span<BlockDevice* const> legs, uint32_t old_slot, BlockDevice& new_dev,
                              const ReplaceOptions& o) {
  std::vector<BlockDevice*> devs;
  for (BlockDevice* d : legs) if (d != &new_dev) devs.push_back(d);
  DMIRROR_ASSIGN_OR_RETURN(auto set, LegSet::assemble(devs));
  // A new device already carrying this array's superblock joined in an
  // earlier, interrupted run: assemble with it, so its slot (and, if its
  // superblock is the newest, its view) is used.
  if (auto m = read_leg(new_dev); m && m->sb.array_uuid == set.sb().array_uuid) {
    devs.push_back(&new_dev);
    DMIRROR_ASSIGN_OR_RETURN(set, LegSet::assemble(devs));
  }
  const Superblock& sb = set.sb();
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array '" + sb.name + "' is owned by an online volume; deactivate it first");
  ReplaceReport rep;
  rep.old_slot = old_slot;
  DMIRROR_RETURN_IF_ERROR(set.load_journals());

  if (sb.checkpoint.op == OfflineOp::Replace) {
    uint32_t target = sb.checkpoint.target_slot;
    if (sb.checkpoint.source_slot != old_slot)
      return make_error(ErrorCode::InvalidArgument, "a replace of slot " + std::to_string(sb.checkpoint.source_slot) +
                                                        " is in progress; finish it first");
    if (!set.present(target)) {
      // The run that joined the new leg stopped before the new leg's own
      // superblock was written: the slot is reserved but nothing on this
      // device can be trusted. Re-adopt it and copy from the start.
      auto m = read_leg(new_dev);
      if (m && m->sb.array_uuid == sb.array_uuid)
        return make_error(ErrorCode::InvalidArgument, new_dev.describe() + " is another leg of this array; a replace of slot " +
                                                          std::to_string(old_slot) + " is in progress");
      DMIRROR_RETURN_IF_ERROR(check_new_device(set, new_dev, o));
      DMIRROR_RETURN_IF_ERROR(prepare_new_leg(set, target, new_dev));
      set.mutable_sb().legs[target].recovery_offset = 0;
      DMIRROR_RETURN_IF_ERROR(set.commit());
    }
    if (set.dev(target) != &new_dev)
      return make_error(ErrorCode::InvalidArgument, "a replace of slot " + std::to_string(old_slot) + " by slot " +
                                                        std::to_string(target) + " is in progress with another device");
    rep.resumed = true;
    rep.new_slot = target;
  } else {
    if (old_slot >= sb.nr_legs || sb.legs[old_slot].state == LegState::Unused || sb.legs[old_slot].state == LegState::Removed)
      return make_error(ErrorCode::InvalidArgument, "slot " + std::to_string(old_slot) + " is not a leg of the array");
    DMIRROR_RETURN_IF_ERROR(check_new_device(set, new_dev, o));
    // Settle dirty regions first, so every in-sync leg is a valid source.
    if (sb.has_flag(sbflag::kDirty) || set.dirty_count() > 0) {
      ResyncOptions ro;
      ro.recover = false;
      DMIRROR_RETURN_IF_ERROR(ops::resync_legs(set, ro, /*dirty_only=*/true));
    }
    auto slot = free_slot(sb);
    if (!slot) return make_error(ErrorCode::TooSmall, "the leg table is full (" + std::to_string(kMaxLegs) + " slots)");
    rep.new_slot = *slot;
    DMIRROR_RETURN_IF_ERROR(join(set, old_slot, *slot, new_dev));
  }

  const uint32_t t = rep.new_slot;
  const uint64_t size = sb.layout.data_size, rs = sb.region_size;
  uint32_t src = set.in_sync(old_slot) ? old_slot : set.primary().value_or(kNoSlot);
  if (src == kNoSlot) return make_error(ErrorCode::Stale, "no in-sync leg to copy from");
  const uint64_t chunk = std::min<uint64_t>(std::max<uint64_t>(o.chunk_bytes, 4096), rs);
  uint64_t pos = std::min(sb.legs[t].recovery_offset, size) / rs * rs;
  ops::Throttle th(o.control, "copy", size, pos);
  auto checkpoint = [&](uint64_t at) -> Status {
    DMIRROR_RETURN_IF_ERROR(new_dev.flush());
    set.mutable_sb().legs[t].recovery_offset = at;
    set.mutable_sb().checkpoint.position = at;
    return set.commit();
  };
  {
    // Pipelined copy, one checkpoint interval (whole regions) at a time.
    ops::Copier copier(set, chunk, ops::Copier::Options{.fail_targets = false, .rewrite_bad_sources = false});
    const uint64_t span = std::max(rs, o.checkpoint_bytes / rs * rs);
    while (pos < size) {
      const uint64_t len = std::min(span, size - pos);
      std::vector<uint32_t> targets{t};
      uint64_t copied = 0;
      Status st = copier.copy(pos, len, src, targets, nullptr, &th, copied);
      rep.bytes_copied += copied;
      if (!st) {
        if (st.error().code == ErrorCode::Cancelled) (void)checkpoint(pos + copied);
        return std::unexpected(st.error());
      }
      pos += len;
      if (pos < size) DMIRROR_RETURN_IF_ERROR(checkpoint(pos));
    }
  }
  DMIRROR_RETURN_IF_ERROR(checkpoint(size));

  // Verify the copy against the source before retiring anything: both read
  // ahead concurrently, compared chunk by chunk.
  {
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
    ops::ChunkReader reader(set, *queue, {src, t}, chunk, next_range);
    while (ops::Chunk* c = reader.next_mutable()) {
      const uint64_t p = c->pos, n = c->len;
      if (!c->status(t)) return std::unexpected(c->status(t).error());
      if (!c->status(src)) {
        std::vector<uint32_t> bad;
        DMIRROR_ASSIGN_OR_RETURN(uint32_t used, ops::read_from_any(set, src, p, std::span(c->mutable_data(src), n), bad));
        (void)used;
      }
      if (std::memcmp(c->data(src), c->data(t), n) != 0) {
        set.mutable_sb().legs[t].recovery_offset = p / rs * rs;
        (void)set.commit();
        return make_error(ErrorCode::Corruption, "the copy on " + new_dev.describe() + " differs from slot " +
                                                     std::to_string(src) + " at offset " + std::to_string(p) +
                                                     "; run replace again to recopy from there");
      }
      rep.bytes_verified += n;
    }
  }

  Superblock& m = set.mutable_sb();
  m.legs[t].state = LegState::InSync;
  m.legs[t].recovery_offset = kOffsetInSync;
  m.legs[t].state_seq = m.seqno + 1;
  m.legs[old_slot].state = LegState::Removed;
  m.legs[old_slot].replacement_slot = kNoSlot;
  m.legs[old_slot].state_seq = m.seqno + 1;
  m.checkpoint = Checkpoint{};
  set.record_event(EventType::ReplaceFinished, old_slot, {t}, "slot " + std::to_string(old_slot) + " replaced by " +
                                                                  new_dev.describe() + " (slot " + std::to_string(t) + ")");
  const uint32_t retired[] = {old_slot};
  DMIRROR_RETURN_IF_ERROR(set.commit(retired));
  return rep;
}

}  // namespace dmirror
