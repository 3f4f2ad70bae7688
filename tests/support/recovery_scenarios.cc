// SPDX-License-Identifier: LGPL-2.1-or-later
// Leg histories for the recovery tests (see recovery_scenarios.h).
#include "support/recovery_scenarios.h"

#include <dmirror/journal.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>

namespace dmirror::testing {

void commit_on(TestLegs& legs, uint32_t slot, const std::function<void(Superblock&)>& edit) {
  Superblock s = legs.superblock(slot);
  edit(s);
  s.seqno += 1;
  auto st = write_superblocks(legs.raw(slot), s);
  if (!st) ADD_FAILURE() << st.error().describe();
}

void mark_on(TestLegs& legs, uint32_t slot, std::initializer_list<uint64_t> regions) {
  const Superblock s = legs.superblock(slot);
  auto j = WriteIntentJournal::load(legs.raw(slot), s);
  if (!j) {
    ADD_FAILURE() << j.error().describe();
    return;
  }
  for (uint64_t r : regions) j->mark(r);
  if (auto st = j->write_pending(legs.raw(slot)); !st) ADD_FAILURE() << st.error().describe();
  j->commit_written();
}

void write_without(TestLegs& legs, std::vector<uint32_t> present, uint32_t absent, uint64_t offset,
                   std::span<const std::byte> data, uint64_t kept_since) {
  for (uint32_t p : present) {
    commit_on(legs, p, [&](Superblock& s) {
      if (absent != kNoSlot) {
        s.legs[absent].state = LegState::Missing;
        s.legs[absent].state_seq = s.seqno + 1;
      }
      s.journal_kept_since = kept_since;
    });
    const Superblock s = legs.superblock(p);
    auto j = WriteIntentJournal::load(legs.raw(p), s);
    if (!j) {
      ADD_FAILURE() << j.error().describe();
      return;
    }
    for (uint64_t r = offset / s.region_size; r * s.region_size < offset + data.size(); ++r) j->mark(r);
    if (auto st = j->write_pending(legs.raw(p)); !st) ADD_FAILURE() << st.error().describe();
    j->commit_written();
    legs.poke(p, offset, data);
  }
}

std::vector<Event> events_of(TestLegs& legs, uint32_t slot, EventType type) {
  std::vector<Event> out;
  auto h = read_events(legs.raw(slot), legs.superblock(slot));
  if (!h) {
    ADD_FAILURE() << h.error().describe();
    return out;
  }
  for (const auto& e : h->events) if (e.type == type) out.push_back(e);
  return out;
}

uint64_t dirty_on(TestLegs& legs, uint32_t slot) {
  auto j = WriteIntentJournal::load(legs.raw(slot), legs.superblock(slot));
  if (!j) {
    ADD_FAILURE() << j.error().describe();
    return 0;
  }
  return j->dirty_count();
}

}  // namespace dmirror::testing
