// SPDX-License-Identifier: LGPL-2.1-or-later
// Leg histories for the recovery tests, written straight onto TestLegs the
// way a writer following FORMAT.md 2.6 leaves them: a session without a
// leg (rule 11: recorded missing, rule 12: its regions stay marked),
// per-leg commits, journal marks, and readers of the event history and the
// journal of one leg.
#pragma once

#include <dmirror/events.h>
#include <dmirror/superblock.h>

#include <functional>
#include <initializer_list>
#include <span>
#include <vector>

#include "support/legs_fixture.h"

namespace dmirror::testing {

// Rewrites `slot`'s superblocks only: its own superblock after `edit`, seqno + 1.
void commit_on(TestLegs& legs, uint32_t slot, const std::function<void(Superblock&)>& edit);
// Marks `regions` dirty in `slot`'s journal (read against its own superblock).
void mark_on(TestLegs& legs, uint32_t slot, std::initializer_list<uint64_t> regions);
// A write session on the `present` legs only: each commits (from its own
// superblock) with `absent` recorded missing (kNoSlot: nobody recorded, as
// when `absent`'s image was rolled back) and journal_kept_since =
// `kept_since`, marks the regions of [offset, offset + data.size()) and
// receives the data.
void write_without(TestLegs& legs, std::vector<uint32_t> present, uint32_t absent, uint64_t offset,
                   std::span<const std::byte> data, uint64_t kept_since = 0);
// The events of `type` in `slot`'s history.
std::vector<Event> events_of(TestLegs& legs, uint32_t slot, EventType type);
// Regions dirty in `slot`'s journal.
uint64_t dirty_on(TestLegs& legs, uint32_t slot);

}  // namespace dmirror::testing
