// SPDX-License-Identifier: LGPL-2.1-or-later
// Spares in the assembly (FORMAT.md 2.3, 2.6 rule 23): a spare's own
// superblock, written once when it was added, takes no part in choosing the
// authority or in the split-brain rules; the newest table decides what the
// device is; an absent spare degrades nothing.
#include <dmirror/assembly.h>

#include <gtest/gtest.h>

#include "unit/assembly_probes.h"

namespace dmirror {
namespace {

// A two-leg array with a spare added in slot 2 at seqno `added`.
Superblock with_spare(uint64_t added) {
  Superblock sb = array_sb(3, added);
  sb.incompat |= feature::kIncompatSpares;
  sb.legs[2].state = LegState::Spare;
  sb.legs[2].state_seq = added;
  return sb;
}

TEST(AssemblySpare, ASpareBehindTheMembersIsASpareNotAStaleLeg) {
  const Superblock at_add = with_spare(5);
  Superblock now = at_add;
  now.seqno = 40;   // the members went on; the spare's copy was never rewritten
  auto a = assemble_array({leg(now, 0), leg(now, 1), leg(at_add, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->health, Health::Healthy);
  EXPECT_FALSE(a->degraded);
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(a->slots.size(), 2u) << "a spare has no member slot";
  ASSERT_EQ(a->spares.size(), 1u);
  EXPECT_EQ(a->spares[0].slot, 2u);
  EXPECT_EQ(a->spares[0].leg, 2);
  EXPECT_EQ(a->legs[2].disposition, Disposition::Spare);
  EXPECT_EQ(a->sb.seqno, 40u) << "the spare's older table is not the authority";
  EXPECT_EQ(wipe_hold(*a, 2), WipeHold::Spare) << "the table lists it";
}

TEST(AssemblySpare, AnAbsentSpareDegradesNothing) {
  Superblock now = with_spare(5);
  now.seqno = 9;
  auto a = assemble_array({leg(now, 0), leg(now, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->health, Health::Healthy);
  ASSERT_EQ(a->spares.size(), 1u);
  EXPECT_EQ(a->spares[0].leg, -1);
}

TEST(AssemblySpare, ASpareAloneIsNoCopyOfTheData) {
  const Superblock at_add = with_spare(5);
  auto a = assemble_array({leg(at_add, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->health, Health::Failed);
  EXPECT_EQ(a->legs[0].disposition, Disposition::Spare);
  EXPECT_TRUE(a->in_sync_slots().empty());
}

TEST(AssemblySpare, ASpareTheNewestTableNoLongerListsIsOutsideIt) {
  const Superblock at_add = with_spare(5);
  Superblock now = at_add;
  now.seqno = 12;
  now.legs[2].state = LegState::Removed;
  now.legs[2].state_seq = 12;
  auto a = assemble_array({leg(now, 0), leg(now, 1), leg(at_add, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->health, Health::Healthy);
  EXPECT_EQ(a->legs[2].disposition, Disposition::NotInTable);
  EXPECT_TRUE(a->spares.empty());
}

// A table that lists the spare's uuid in a member state (a writer that took
// the spare keeping its uuid; this version gives it a new one), written to
// the members but not to the spare: the device is that member, behind the
// authority, and rebuilt in full.
TEST(AssemblySpare, ASpareAReplaceTookBeforeItsOwnCopyWasWrittenIsAStaleMember) {
  const Superblock at_add = with_spare(5);
  Superblock now = at_add;
  now.seqno = 20;
  now.legs[1].state = LegState::Failed;
  now.legs[1].replacement_slot = 2;
  now.legs[2].state = LegState::Rebuilding;
  now.legs[2].recovery_offset = 0;
  now.legs[2].state_seq = 20;
  auto a = assemble_array({leg(now, 0), leg(at_add, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->legs[1].disposition, Disposition::Member);
  const SlotView* v = a->slot(2);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->leg, 1);
  EXPECT_EQ(v->state, SlotState::Stale);
  EXPECT_EQ(v->recovery, Recovery::Full);
  EXPECT_FALSE(a->split_brain);
}

// A leg removed before the spare was added, given beside it: the spare's
// newer table is the authority and says the leg was removed; nothing is in
// sync, so nothing may be read.
TEST(AssemblySpare, ALegRemovedBeforeTheSpareWasAddedIsNotTrustedBesideIt) {
  const Superblock before_removal = array_sb(3, 8);
  Superblock later = array_sb(4, 12);
  later.incompat |= feature::kIncompatSpares;
  later.legs[2].state = LegState::Removed;
  later.legs[2].state_seq = 10;
  later.legs[3].state = LegState::Spare;
  later.legs[3].state_seq = 12;
  auto a = assemble_array({leg(before_removal, 2), leg(later, 3)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->sb.seqno, 12u) << "the spare's newer table is the authority";
  EXPECT_EQ(a->legs[0].disposition, Disposition::NotInTable);
  EXPECT_EQ(a->legs[1].disposition, Disposition::Spare);
  EXPECT_EQ(a->health, Health::Failed);
  EXPECT_TRUE(a->in_sync_slots().empty());
}

}  // namespace
}  // namespace dmirror
