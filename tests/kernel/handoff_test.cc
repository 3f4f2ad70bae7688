// SPDX-License-Identifier: LGPL-2.1-or-later
// plan_handoff(): the activation rules of the offline/kernel hand-off
// (FORMAT.md §6), decided without I/O.
#include <dmirror/dm/online/handoff.h>

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

constexpr uint64_t kHandoffRegion = 1024 * 1024;

Superblock sb_with(uint32_t legs) {
  Superblock sb;
  sb.name = "vol";
  sb.nr_legs = legs;
  sb.region_size = kHandoffRegion;
  sb.nr_regions = 16;
  sb.layout.data_size = 16 * kHandoffRegion;
  for (uint32_t i = 0; i < legs; ++i) sb.legs[i].state = LegState::InSync;
  return sb;
}

KernelMetadataState existing(uint64_t events = 10) {
  KernelMetadataState k;
  k.is_new = false;
  k.events = events;
  k.disk_recovery_offset = kMaxSector;
  k.array_resync_offset = kMaxSector;
  BitmapSuper b;
  b.magic = kBitmapMagic;
  b.version = 4;
  b.chunksize = kHandoffRegion;
  b.sync_size = 16 * kHandoffRegion / 512;
  b.events = events;
  k.bitmap = b;
  return k;
}

HandoffInput input(uint32_t legs, bool kmeta_new) {
  HandoffInput in;
  in.sb = sb_with(legs);
  for (uint32_t i = 0; i < legs; ++i) {
    in.present.push_back(i);
    in.kernel[i] = kmeta_new ? KernelMetadataState{} : existing();
  }
  return in;
}

TEST(Handoff, SlotMapLeavesOutRemovedAndUnusedSlots) {
  Superblock sb = sb_with(4);
  sb.legs[1].state = LegState::Removed;
  sb.legs[3].state = LegState::Rebuilding;
  auto m = kernel_slot_map(sb);
  EXPECT_EQ(m.slots, (std::vector<uint32_t>{0, 2, 3}));
  EXPECT_EQ(m.position_of(3), 2u);
  EXPECT_FALSE(m.position_of(1));
}

TEST(Handoff, FirstUseOfIdenticalLegsIsNosync) {
  auto p = plan_handoff(input(2, true));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->first_use);
  EXPECT_TRUE(p->nosync);
  EXPECT_TRUE(p->rebuild.empty());
  EXPECT_EQ(p->action, KernelMetadataAction::Keep);
  EXPECT_FALSE(p->force_resync);
}

TEST(Handoff, FirstUseWithPendingResyncIsAFullSync) {
  auto in = input(2, true);
  in.sb.resync_offset = 0;
  auto p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->first_use);
  EXPECT_FALSE(p->nosync);
}

TEST(Handoff, FirstUseWithJournalDirtIsAFullSync) {
  auto in = input(2, true);
  in.journal_dirty = {3};
  auto p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->nosync);
}

TEST(Handoff, MissingLegNeedsDegraded) {
  auto in = input(2, false);
  in.present = {0};
  in.kernel.erase(1);
  auto refused = plan_handoff(in);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Stale);
  EXPECT_NE(refused.error().message.find("--degraded"), std::string::npos);
  in.allow_degraded = true;
  auto p = plan_handoff(in);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->missing, (std::vector<uint32_t>{1}));
}

// dm-raid creates its metadata only when every position is there ("all
// legs new"); a never-activated array started without a leg would be
// refused by the kernel's table load ("Invalid superblocks"), so it is
// refused here first, naming the way out.
TEST(Handoff, ANeverActivatedArrayStartsOnlyWithEveryLeg) {
  for (LegState absent_state : {LegState::Missing, LegState::Failed, LegState::Split}) {
    auto in = input(3, true);
    in.sb.legs[2].state = absent_state;
    in.present = {0, 1};
    in.kernel.erase(2);
    in.allow_degraded = true;
    auto refused = plan_handoff(in);
    ASSERT_FALSE(refused) << "state " << static_cast<int>(absent_state);
    EXPECT_EQ(refused.error().code, ErrorCode::Refused);
    EXPECT_NE(refused.error().message.find("never been active"), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("slot(s) 2"), std::string::npos) << refused.error().message;
  }
  auto all = input(3, true);
  all.allow_degraded = true;
  EXPECT_TRUE(plan_handoff(all)) << "every leg present: the kernel creates its metadata";
}

TEST(Handoff, AResetOfTheKernelMetadataNeedsEveryLeg) {
  auto in = input(3, false);
  in.kernel[0].bitmap->chunksize = 2 * kHandoffRegion;
  in.journal_dirty = {1};
  in.present = {0, 1};
  in.kernel.erase(2);
  in.allow_degraded = true;
  auto refused = plan_handoff(in);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("resync --degraded"), std::string::npos) << refused.error().message;
}

TEST(Handoff, FailedLegIsRebuiltOnce) {
  auto in = input(2, false);
  in.sb.legs[1].state = LegState::Failed;
  auto p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->rebuild, (std::vector<uint32_t>{1}));
  // After the table reached the kernel the flag is set: never again.
  in.sb.legs[1].state = LegState::Rebuilding;
  in.sb.legs[1].flags |= legflag::kRebuildPassed;
  p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->rebuild.empty());
  // Rebuilding but never passed (offline replace, or a load that failed).
  in.sb.legs[1].flags = 0;
  p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->rebuild, (std::vector<uint32_t>{1}));
}

TEST(Handoff, NewDeviceAmongExistingIsRebuilt) {
  auto in = input(2, false);
  in.kernel[1] = KernelMetadataState{};
  auto p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->first_use);
  EXPECT_EQ(p->rebuild, (std::vector<uint32_t>{1}));
}

TEST(Handoff, StaleLegForcedInIsRebuilt) {
  auto in = input(2, false);
  in.stale = {1};
  auto p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->rebuild, (std::vector<uint32_t>{1}));
}

TEST(Handoff, NoInSyncLegIsRefused) {
  auto in = input(2, false);
  in.sb.legs[0].state = LegState::Failed;
  in.sb.legs[1].state = LegState::Failed;
  auto p = plan_handoff(in);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::Stale);
}

TEST(Handoff, JournalDirtAndResyncOffsetAreMarkedInTheBitmap) {
  auto in = input(2, false);
  in.journal_dirty = {2, 5};
  in.sb.resync_offset = 14 * kHandoffRegion;
  auto p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->action, KernelMetadataAction::MarkDirty);
  EXPECT_EQ(p->mark_regions, (std::vector<uint64_t>{2, 5, 14, 15}));
  EXPECT_TRUE(p->force_resync) << "bits alone are ignored while array_resync_offset is MaxSector";
}

TEST(Handoff, CleanReactivationTouchesNothing) {
  auto p = plan_handoff(input(2, false));
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->first_use);
  EXPECT_FALSE(p->nosync);
  EXPECT_EQ(p->action, KernelMetadataAction::Keep);
  EXPECT_FALSE(p->force_resync);
  EXPECT_TRUE(p->rebuild.empty());
}

TEST(Handoff, UncleanShutdownAlwaysLowersTheResyncOffset) {
  auto in = input(2, false);
  in.unclean = true;
  auto p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->force_resync);
  EXPECT_EQ(p->action, KernelMetadataAction::Keep);
}

TEST(Handoff, UnusableBitmapMeansAFullResync) {
  auto in = input(2, false);
  in.kernel[0].bitmap->chunksize = 2 * kHandoffRegion;
  in.journal_dirty = {1};
  auto p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->action, KernelMetadataAction::Zero);
  EXPECT_TRUE(p->first_use);
  EXPECT_FALSE(p->nosync);
}

TEST(Handoff, FullResyncAndRebuildTogetherAreRefused) {
  auto in = input(2, false);
  in.kernel[0].bitmap.reset();
  in.journal_dirty = {1};
  in.sb.legs[1].state = LegState::Failed;
  auto p = plan_handoff(in);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::Unsupported);
  EXPECT_NE(p.error().message.find("resync"), std::string::npos);
}

TEST(Handoff, BitmapBehindTheKernelSuperblocksIsNeverMarked) {
  // The kernel would declare leg 0's bitmap stale (events 9 < 12): marking
  // bits in it would hand over nothing, so the plan is a full resync.
  auto in = input(2, false);
  in.kernel[1] = existing(12);
  in.kernel[0].bitmap->events = 9;
  in.journal_dirty = {1};
  auto p = plan_handoff(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->action, KernelMetadataAction::Zero);
}

TEST(Handoff, StaleLegsKernelMetadataDoesNotCount) {
  // Leg 1 is stale and rebuilt: its old kernel metadata (other region size,
  // higher events from a solo activation) neither blocks the hand-off of
  // the dirty regions nor raises the events the others must reach.
  auto in = input(2, false);
  in.stale = {1};
  in.kernel[1] = existing(40);
  in.kernel[1].bitmap->chunksize = 2 * kHandoffRegion;
  in.journal_dirty = {3};
  auto p = plan_handoff(in);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->rebuild, (std::vector<uint32_t>{1}));
  EXPECT_EQ(p->action, KernelMetadataAction::MarkDirty);
  EXPECT_EQ(p->mark_regions, (std::vector<uint64_t>{3}));
}

TEST(Handoff, MissingSlotKeepsItsTablePositionAndFailedNeedsNoDegraded) {
  Superblock sb = sb_with(3);
  sb.legs[1].state = LegState::Missing;
  EXPECT_EQ(kernel_slot_map(sb).slots, (std::vector<uint32_t>{0, 1, 2}));
  auto in = input(3, false);
  in.sb.legs[2].state = LegState::Failed;
  in.present = {0, 1};
  auto p = plan_handoff(in);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->missing.empty());
  EXPECT_EQ(p->left_out, (std::vector<uint32_t>{2}));
  EXPECT_EQ(missing_slots(in.sb, {0}), (std::vector<uint32_t>{1}));
}

TEST(Handoff, SplitSlotKeepsItsTablePositionAndNeedsNoDegraded) {
  Superblock sb = sb_with(3);
  sb.legs[1].state = LegState::Split;
  EXPECT_EQ(kernel_slot_map(sb).slots, (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_EQ(kernel_slot_map(sb).position_of(2), 2u);
  auto in = input(3, false);
  in.sb.legs[1].state = LegState::Split;
  in.present = {0, 2};
  in.kernel.erase(1);
  auto p = plan_handoff(in);
  ASSERT_TRUE(p) << p.error().message;   // no --degraded: a split slot is no member
  EXPECT_TRUE(p->missing.empty());
  EXPECT_TRUE(p->left_out.empty());
  EXPECT_TRUE(p->rebuild.empty());
  EXPECT_EQ(p->map.slots, (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_TRUE(missing_slots(in.sb, {0, 2}).empty());
}

}  // namespace
}  // namespace dmirror::dm
