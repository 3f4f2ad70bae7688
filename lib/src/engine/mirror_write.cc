// SPDX-License-Identifier: LGPL-2.1-or-later
// The write path: the write group of a batch (JOURNAL_WRITE ->
// JOURNAL_FLUSH on every leg, then DATA_WRITE on every leg, SUPER_WRITE ->
// SUPER_FLUSH when a leg failed). The metadata steps run under meta_mu;
// the data writes run beside other groups' (mirror_queue.cc admits them).
// Nothing is acknowledged while a leg failure is not yet on disk
// (LegSet::unrecorded). The helpers below (fail, commit, settle,
// take_no_space, activate) are called with meta_mu held.
#include <algorithm>
#include <cerrno>
#include <map>

#include "engine/mirror_impl.h"

namespace dmirror {

using engine::LegError;
using engine::LegIo;

Status Mirror::Impl::fail(std::span<const LegError> errors, bool write_errors) {
  if (errors.empty()) return ok();
  std::lock_guard lock(state_mu);
  if (write_errors)
    for (const auto& e : errors) {
      ++leg_stats[e.slot].write_errors;
      ++set.mutable_sb().counters[e.slot].write_errors;
    }
  uint64_t before = set.sb().seqno;
  Status st = set.fail_legs(errors);
  stats.superblock_commits += set.sb().seqno - before;
  // What failed, for the caller's report (offset and errno are in the text).
  for (const auto& e : errors) {
    if (set.writable(e.slot)) continue;
    const bool known = std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
      return f.code == "leg-failed" && f.slot == static_cast<int64_t>(e.slot);
    });
    if (!known)
      findings.push_back({Severity::Error, "leg-failed", set.leg_name(e.slot) + " failed: " + e.error.describe(),
                          "", static_cast<int64_t>(e.slot)});
  }
  return st;
}

Status Mirror::Impl::commit(bool kept_since) {
  std::lock_guard lock(state_mu);
  uint64_t before = set.sb().seqno;
  Status st = kept_since ? set.commit_kept_since() : set.commit();
  stats.superblock_commits += set.sb().seqno - before;
  return st;
}

Status Mirror::Impl::settle() { return set.unrecorded() ? commit(false) : ok(); }

std::optional<Error> Mirror::Impl::take_no_space(std::vector<LegError>& errors, std::span<const uint64_t> regions) {
  std::optional<Error> first;
  std::erase_if(errors, [&](const LegError& e) {
    if (e.error.sys_errno != ENOSPC && e.error.sys_errno != EDQUOT) return false;
    std::lock_guard lock(state_mu);
    ++leg_stats[e.slot].write_errors;
    if (!first) {
      first = e.error;
      first->code = ErrorCode::TooSmall;
      first->message = set.leg_name(e.slot) + ": the file system holding it is out of space (" + e.error.message +
                       "); the leg is kept and its regions stay dirty: free space, then resync";
      findings.push_back({Severity::Error, "leg-out-of-space", first->message,
                          set.present(e.slot) ? set.dev(e.slot)->describe() : "", static_cast<int64_t>(e.slot)});
    }
    return true;
  });
  if (first) for (uint64_t reg : regions) held[reg] = 1;
  return first;
}

Status Mirror::Impl::activate() {
  if (activated) return ok();
  {
    std::lock_guard lock(state_mu);
    Superblock& sb = set.mutable_sb();
    // Rule 14: every write session starts with its own commit.
    sb.flags |= sbflag::kDirty;
    set.record_event(EventType::Activated, kNoSlot, {}, "opened for writing by the userspace engine");
  }
  DMIRROR_RETURN_IF_ERROR(commit(false));
  activated = true;
  return ok();
}

Status Mirror::Impl::mark_group(std::span<Request* const> batch, uint64_t seq, GroupPlan& plan) {
  std::vector<uint64_t>& regions = plan.regions;
  {
    std::lock_guard meta(meta_mu);
    if (closed) return make_error(ErrorCode::InvalidArgument, "the mirror is closed");
    DMIRROR_RETURN_IF_ERROR(settle());
    DMIRROR_RETURN_IF_ERROR(activate());
    const uint64_t rs = set.sb().region_size;
    bool marked = false;
    for (const Request* r : batch) {
      if (r->data.empty()) continue;
      for (uint64_t reg = r->offset / rs; reg <= (r->offset + r->data.size() - 1) / rs; ++reg) {
        // What is on disk decides, not the in-memory bit: a journal write
        // that failed leaves the bit set in memory only.
        if (!set.durably_dirty(reg)) {
          set.mark(reg);
          marked = true;
        }
        // Set before the lock is released: a flush's clear skips the region
        // from now on (mirror_flush.cc).
        last_group[reg] = seq;
        last_write_ms[reg] = now_ms();
        regions.push_back(reg);
      }
    }
    if (marked) {
      {
        std::lock_guard s(state_mu);
        ++stats.journal_commits;
      }
      DMIRROR_RETURN_IF_ERROR(fail(set.write_journals()));
    }
    plan.targets = set.writable_slots();
    plan.data_offset = set.sb().layout.data_offset;
  }
  return ok();
}

Status Mirror::Impl::write_group(std::span<Request* const> batch, const GroupPlan& plan) {
  const std::vector<uint32_t>& targets = plan.targets;
  const uint64_t data_offset = plan.data_offset;

  // DATA_WRITE: the whole group in one engine run, so an asynchronous
  // engine keeps every write of every leg in flight at once (the engine
  // keeps overlapping writes to one leg in request order).
  std::vector<LegIo> ops;
  for (const Request* r : batch) {
    if (r->data.empty()) continue;
    for (uint32_t slot : targets) {
      LegIo op;
      op.kind = LegIo::Kind::Write;
      op.slot = slot;
      op.dev = set.dev(slot);
      op.offset = data_offset + r->offset;
      op.data = const_cast<std::byte*>(r->data.data());
      op.length = r->data.size();
      ops.push_back(op);
    }
  }
  io->run(ops);
  std::map<uint32_t, Error> failed;
  for (auto& op : ops)
    if (!op.result) failed.emplace(op.slot, op.result.error());
  if (options.durable_writes) {
    // DATA_FLUSH: the whole write group shares one flush per leg.
    std::vector<uint32_t> slots;
    for (uint32_t slot : targets)
      if (!failed.contains(slot)) slots.push_back(slot);
    for (auto& e : flush_legs(slots)) failed.emplace(e.slot, e.error);
  }

  std::lock_guard meta(meta_mu);
  {
    std::lock_guard s(state_mu);
    for (auto& op : ops) ++leg_stats[op.slot].writes;
    if (options.durable_writes) ++stats.data_flushes;
  }
  std::vector<LegError> errors;
  for (auto& [slot, err] : failed) errors.push_back({slot, err});
  auto no_space = take_no_space(errors, plan.regions);
  const bool every_leg = !targets.empty() && std::all_of(targets.begin(), targets.end(), [&](uint32_t t) {
    return std::any_of(errors.begin(), errors.end(), [&](const LegError& e) { return e.slot == t; });
  });
  Status st = fail(errors);
  if (every_leg) return every_leg_failed(batch, errors);
  DMIRROR_RETURN_IF_ERROR(st);
  // A failure recorded by another group and not yet on disk: nothing is
  // acknowledged until it is.
  DMIRROR_RETURN_IF_ERROR(settle());
  if (no_space) return std::unexpected(*no_space);
  std::lock_guard s(state_mu);
  stats.writes += batch.size();
  return ok();
}

// Every leg failed the write group (docs/io-errors.md): nothing is
// acknowledged and no leg is failed (the last in-sync leg never is). The
// counters raised in memory are not committed: an erring leg takes no more
// metadata from the session (FORMAT.md 2.6 rule 17), and a commit reaching
// some legs only would leave the others behind by seqno, stale. The
// regions stay dirty for a resync.
Status Mirror::Impl::every_leg_failed(std::span<Request* const> batch, std::span<const LegError> errors) {
  uint64_t writes = 0;
  const Request* first = nullptr;
  for (const Request* r : batch)
    if (!r->data.empty() && ++writes == 1) first = r;
  std::string what = first ? "the write at offset " + std::to_string(first->offset) + " length " +
                                 std::to_string(first->data.size())
                           : std::string("the write");
  if (writes > 1) what += " (and " + std::to_string(writes - 1) + " more writes of its group)";
  std::string legs;
  for (const LegError& e : errors) legs += (legs.empty() ? "" : "; ") + set.leg_name(e.slot) + ": " + e.error.describe();
  Error err = errors.front().error;
  err.code = ErrorCode::Io;
  err.message = "every leg failed " + what + " (" + legs + "): nothing was acknowledged. No leg was failed (the "
                "last in-sync leg never is), and these errors are not in the legs' write_errors counters: after an "
                "I/O error a leg takes no more metadata in this session (FORMAT.md 2.6 rule 17). The regions written "
                "stay dirty in the journal: check the devices, then run `dmirrorctl resync`";
  return std::unexpected(err);
}

std::vector<LegError> Mirror::Impl::flush_legs(std::span<const uint32_t> slots) {
  std::vector<LegIo> ops;
  for (uint32_t slot : slots) {
    LegIo op;
    op.kind = LegIo::Kind::Flush;
    op.slot = slot;
    op.dev = set.dev(slot);
    ops.push_back(op);
  }
  io->run(ops);
  std::vector<LegError> errors;
  for (auto& op : ops)
    if (!op.result) errors.push_back({op.slot, op.result.error()});
  return errors;
}

}  // namespace dmirror
