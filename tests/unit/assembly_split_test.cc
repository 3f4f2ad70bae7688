// SPDX-License-Identifier: LGPL-2.1-or-later
// Split slots in the assembly (FORMAT.md 2.3, 2.6 rule 24), both sides: the
// array a leg was split off is degraded (one copy fewer), never maps a
// device carrying the split slot as a member, keeps its journal bits as
// tracked; the split-off array says where it came from and that its bits
// are kept, not an unclean shutdown.
#include <dmirror/assembly.h>

#include <gtest/gtest.h>

#include <algorithm>

#include "unit/assembly_probes.h"

namespace dmirror {
namespace {

Uuid filled(uint8_t v) {
  Uuid u;
  u.bytes.fill(v);
  return u;
}

// A three-leg array whose slot 2 was split off at seqno `split`, now at `now`.
Superblock with_split(uint64_t split, uint64_t now) {
  Superblock sb = array_sb(3, now);
  sb.incompat |= feature::kIncompatSplit;
  sb.legs[2].state = LegState::Split;
  sb.legs[2].state_seq = split;
  sb.split_uuid[2] = filled(0xab);
  sb.journal_kept_since = split - 3;
  return sb;
}

bool has(const Assembly& a, const std::string& code) {
  return std::any_of(a.findings.begin(), a.findings.end(), [&](const Finding& f) { return f.code == code; });
}

TEST(AssemblySplit, ASplitSlotDegradesTheArrayAndIsNoMember) {
  const Superblock sb = with_split(10, 14);
  auto a = assemble_array({leg(sb, 0, 3), leg(sb, 1, 3)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->health, Health::Degraded);
  EXPECT_TRUE(a->degraded);
  EXPECT_FALSE(a->unclean) << "bits kept for the merge are no crash window";
  EXPECT_FALSE(a->resync_pending);
  EXPECT_EQ(a->slots.size(), 2u) << "a split slot has no member slot";
  ASSERT_EQ(a->splits.size(), 1u);
  EXPECT_EQ(a->splits[0].slot, 2u);
  EXPECT_EQ(a->splits[0].split_uuid, filled(0xab));
  EXPECT_TRUE(a->splits[0].tracking);
  EXPECT_FALSE(a->splits[0].merging);
  EXPECT_EQ(a->splits[0].leg, -1);
  EXPECT_TRUE(has(*a, "leg-split"));
  EXPECT_FALSE(has(*a, "leg-missing")) << "named split, not missing";
  EXPECT_TRUE(journal_kept_for_split(a->sb));
}

TEST(AssemblySplit, TrackingIsLostOnceTheJournalWasClearedAfterTheSplit) {
  Superblock sb = with_split(10, 14);
  sb.journal_kept_since = 11;
  EXPECT_FALSE(split_slot_tracked(sb, 2));
  sb.journal_kept_since = 10;
  EXPECT_TRUE(split_slot_tracked(sb, 2));
  sb.journal_kept_since = 11;
  auto a = assemble_array({leg(sb, 0), leg(sb, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  ASSERT_EQ(a->splits.size(), 1u);
  EXPECT_FALSE(a->splits[0].tracking);
  EXPECT_EQ(a->health, Health::Degraded);
  EXPECT_FALSE(journal_kept_for_split(a->sb));
}

// A split cut short: the leg still carries the array at the seqno before the
// split commit. It is never a member, whatever its own table says.
TEST(AssemblySplit, TheLegOfASplitCutShortIsNeverAMember) {
  const Superblock now = with_split(10, 10);
  Superblock before = array_sb(3, 9);
  auto a = assemble_array({leg(now, 0), leg(now, 1), leg(before, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->legs[2].disposition, Disposition::NotInTable);
  EXPECT_EQ(a->legs[2].slot, 2);
  ASSERT_EQ(a->splits.size(), 1u);
  EXPECT_EQ(a->splits[0].leg, 2);
  EXPECT_TRUE(has(*a, "leg-split-unfinished"));
  EXPECT_FALSE(has(*a, "leg-not-in-table"));
  EXPECT_EQ(wipe_hold(*a, 2), WipeHold::Member);
  EXPECT_EQ(a->in_sync_slots(), (std::vector<uint32_t>{0, 1}));
  EXPECT_FALSE(a->split_brain);
}

// Given alone, the old image of the split leg is newest among the legs
// given: it is the authority and in sync (an image from before the split,
// as any leg image given alone).
TEST(AssemblySplit, TheSplitLegAloneIsItsOldImage) {
  Superblock before = array_sb(3, 9);
  auto a = assemble_array({leg(before, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->splits.empty());
}

// The split-off array: one leg in sync, its journal bits kept for a merge
// (not an unclean shutdown), where it came from named.
TEST(AssemblySplit, TheSplitOffArrayKeepsItsBitsAndNamesItsOrigin) {
  Superblock sb = array_sb(1, 10);
  sb.incompat |= feature::kIncompatSplit;
  sb.array_uuid = filled(0xab);
  sb.origin = SplitOrigin{filled(0x10), 10, 2};
  sb.journal_kept_since = 10;
  auto a = assemble_array({leg(sb, 0, 5)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->health, Health::Healthy);
  EXPECT_FALSE(a->unclean);
  EXPECT_TRUE(has(*a, "split-origin"));
  EXPECT_TRUE(has(*a, "journal-kept"));
  EXPECT_TRUE(split_origin_tracked(a->sb));
  EXPECT_TRUE(journal_kept_for_split(a->sb));
  // Tracking ends when its bits were cleared, or it got another leg.
  Superblock cleared = sb;
  cleared.journal_kept_since = 11;
  EXPECT_FALSE(split_origin_tracked(cleared));
  Superblock grown = sb;
  grown.nr_legs = 2;
  grown.legs[1].uuid = filled(0x77);
  grown.legs[1].state = LegState::InSync;
  EXPECT_FALSE(split_origin_tracked(grown));
  auto b = assemble_array({leg(cleared, 0, 5)});
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_TRUE(b->unclean) << "without tracking, dirty bits are a crash window again";
}

}  // namespace
}  // namespace dmirror
