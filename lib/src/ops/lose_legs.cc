// SPDX-License-Identifier: LGPL-2.1-or-later
// Failing and losing legs during resync and replace (see lose_legs.h).
#include "ops/lose_legs.h"

#include <algorithm>

#include <cerrno>

namespace dmirror::ops {

using engine::LegError;
using engine::LegSet;

bool is_vanished(const Error& e) {
  return e.code == ErrorCode::NotFound || e.sys_errno == ENXIO || e.sys_errno == ENODEV;
}

bool is_out_of_space(const Error& e) { return e.sys_errno == ENOSPC || e.sys_errno == EDQUOT; }

std::optional<Error> take_out_of_space(LegSet& set, std::vector<LegError>& errors) {
  std::optional<Error> first;
  std::erase_if(errors, [&](const LegError& e) {
    if (!is_out_of_space(e.error)) return false;
    if (!first) {
      first = e.error;
      first->code = ErrorCode::TooSmall;
      const std::string dev = set.present(e.slot) ? set.dev(e.slot)->describe() : set.leg_name(e.slot);
      first->message = set.leg_name(e.slot) + ": the file system holding " + dev + " is out of space (" +
                       e.error.message + "); the leg is kept as it was (not failed) and what was not written "
                       "stays to be resynced: free space on that file system, then run the command again";
    }
    return true;
  });
  return first;
}

namespace {

// A vanished leg leaves the set (detached: nothing more is written to it).
// An in-sync, replacing or journal-guided rebuilding leg becomes missing
// (on its return the journal still covers it: rule 12 keeps the bits); a
// leg rebuilding by a full copy keeps its state, so that it comes back by
// the full copy it still needs.
void lose_leg(LegSet& set, const LegError& e) {
  Superblock& sb = set.mutable_sb();
  LegEntry& leg = sb.legs[e.slot];
  const std::string name = set.leg_name(e.slot);
  const bool journal_rebuild = leg.state == LegState::Rebuilding && (leg.flags & legflag::kRecoverFromJournal);
  if (leg.state == LegState::InSync || leg.state == LegState::Replacing || journal_rebuild) {
    leg.state = LegState::Missing;
    leg.state_seq = sb.seqno + 1;
    leg.replacement_slot = kNoSlot;
    leg.recovery_offset = kOffsetInSync;
    leg.flags &= ~legflag::kRecoverFromJournal;
  }
  set.attach(e.slot, nullptr);   // before the event: it goes to the survivors only
  set.record_event(EventType::LegMissing, e.slot, {static_cast<uint64_t>(e.error.sys_errno)},
                   name + " vanished: " + e.error.describe());
}

}  // namespace

Status settle_leg_errors(LegSet& set, std::vector<LegError>& errors, std::vector<uint32_t>& targets,
                         std::vector<uint32_t>* failed, std::vector<uint32_t>* missing) {
  if (errors.empty()) return ok();
  std::optional<Error> no_space = take_out_of_space(set, errors);
  std::vector<LegError> unique;
  for (auto& e : errors)
    if (std::none_of(unique.begin(), unique.end(), [&](const LegError& u) { return u.slot == e.slot; }))
      unique.push_back(e);
  errors.clear();
  auto errored = [&](uint32_t slot) {
    return std::any_of(unique.begin(), unique.end(), [&](const LegError& u) { return u.slot == slot; });
  };
  bool survivor = false;
  for (uint32_t s : set.in_sync_slots()) survivor = survivor || !errored(s);
  std::vector<LegError> io;
  bool lost = false;
  for (const auto& e : unique) {
    if (!set.writable(e.slot)) continue;
    if (survivor && is_vanished(e.error)) {
      lose_leg(set, e);
      lost = true;
      if (missing) missing->push_back(e.slot);
    } else {
      io.push_back(e);
    }
  }
  Status st = io.empty() ? (lost ? set.commit() : ok()) : set.fail_legs(io);
  std::erase_if(targets, [&](uint32_t t) { return !set.writable(t); });
  if (failed)
    for (auto& e : io) if (!set.writable(e.slot)) failed->push_back(e.slot);
  if (st && no_space) return std::unexpected(*no_space);
  return st;
}

}  // namespace dmirror::ops
