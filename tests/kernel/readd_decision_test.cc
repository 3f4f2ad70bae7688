// SPDX-License-Identifier: LGPL-2.1-or-later
// decide_readd(): when a leg returning to an active volume is re-added from
// the kernel's write-intent bitmap, and every reason it is not (then the
// full copy runs). Facts as the live volume and the returning leg give them:
// slot 1 recorded missing during a degraded session of a 2-leg array.
#include <dmirror/dm/online/readd_decision.h>

#include <gtest/gtest.h>

#include "support/canonical.h"

namespace dmirror::dm {
namespace {

constexpr uint64_t kRegion = 1024 * 1024;

struct Case {
  Assembly a;
  ReaddFacts f;

  Case() {
    Superblock sb = testing::canonical_superblock();
    sb.nr_legs = 2;
    sb.region_size = kRegion;
    sb.nr_regions = 55;
    for (uint32_t i = 0; i < kMaxLegs; ++i) sb.legs[i] = LegEntry{};
    for (uint32_t i = 0; i < 2; ++i) {
      sb.legs[i].uuid.bytes.fill(static_cast<uint8_t>(0x40 + i));
      sb.legs[i].state = LegState::InSync;
    }
    sb.legs[1].state = LegState::Missing;
    a.sb = sb;
    SlotView v0;
    v0.slot = 0;
    v0.entry = sb.legs[0];
    v0.state = SlotState::InSync;
    v0.leg = 0;
    SlotView v1;
    v1.slot = 1;
    v1.entry = sb.legs[1];
    v1.state = SlotState::Stale;
    v1.recovery = Recovery::Journal;
    v1.leg = 1;
    a.slots = {v0, v1};
    f.assembly = &a;
    f.slot = 1;
    f.status.device_count = 2;
    f.status.health = {LegHealth::InSync, LegHealth::Missing};
    f.status.action = SyncAction::Idle;
    f.status.action_text = "idle";
    f.first_use_activation = false;
    f.live[0] = kmeta(4, {1}, /*cleared=*/2);
    f.returning = kmeta(3, {}, 2);
    f.returning->superblock->array_position = 1;
  }

  static KernelMetadataState kmeta(uint64_t events, std::vector<uint32_t> failed, uint64_t cleared) {
    KernelMetadataState k;
    k.is_new = false;
    RaidSuperblock sb;
    sb.num_devices = 2;
    sb.array_position = 0;
    sb.events = events;
    k.superblock = sb;
    k.events = events;
    k.failed_slots = std::move(failed);
    k.disk_recovery_offset = kMaxSector;
    k.array_resync_offset = kMaxSector;
    BitmapSuper b;
    b.events = events;
    b.events_cleared = cleared;
    b.chunksize = kRegion;
    b.sync_size = 55 * 2048;
    k.bitmap = b;
    return k;
  }

  ReaddDecision decide() { return decide_readd(f); }
};

TEST(ReaddDecision, AMissingLegBehindTheLiveKernelMetadataComesBackFromTheBitmap) {
  Case c;
  auto d = c.decide();
  EXPECT_TRUE(d.from_bitmap) << d.reason;
  EXPECT_FALSE(d.resumed);
}

TEST(ReaddDecision, AReaddStoppedBeforeItsReloadResumes) {
  Case c;
  LegEntry& e = c.a.sb.legs[1];
  e.state = LegState::Rebuilding;
  e.flags = legflag::kRecoverFromJournal | legflag::kRebuildPassed;
  e.recovery_offset = 0;
  c.a.slots[1].entry = e;
  c.a.slots[1].state = SlotState::Rebuilding;
  auto d = c.decide();
  EXPECT_TRUE(d.from_bitmap) << d.reason;
  EXPECT_TRUE(d.resumed);
  // A full rebuild (no RECOVER_FROM_JOURNAL) never does.
  c.a.slots[1].entry.flags = legflag::kRebuildPassed;
  EXPECT_FALSE(c.decide().from_bitmap);
}

TEST(ReaddDecision, TheOneAssemblyDecidesTheLeg) {
  {
    Case c;  // its image is older than the last journal clear (rule 8)
    c.a.slots[1].recovery = Recovery::Full;
    auto d = c.decide();
    EXPECT_FALSE(d.from_bitmap);
    EXPECT_NE(d.reason.find("journal"), std::string::npos) << d.reason;
  }
  {
    Case c;  // recorded failed, not missing
    c.a.sb.legs[1].state = LegState::Failed;
    c.a.slots[1].entry.state = LegState::Failed;
    c.a.slots[1].state = SlotState::Failed;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // stale but recorded in sync (absent offline without a record)
    c.a.slots[1].entry.state = LegState::InSync;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;
    c.a.split_brain = true;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;
    c.a.slots[1].split = true;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // not present
    c.a.slots[1].leg = -1;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
}

TEST(ReaddDecision, NothingElseMayBeInTheWay) {
  {
    Case c;  // the other leg is being replaced
    c.a.sb.legs[0].state = LegState::Replacing;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // the other leg is rebuilding
    c.a.sb.legs[0].state = LegState::Rebuilding;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // the kernel failed the live leg
    c.f.status.health[0] = LegHealth::Failed;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // a sync action runs
    c.f.status.action = SyncAction::Check;
    c.f.status.action_text = "check";
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // md has not applied the last leg-count change (docs/kernel-facts.md §2.5)
    c.f.status.device_count = 3;
    ReaddDecision d = c.decide();
    EXPECT_FALSE(d.from_bitmap);
    EXPECT_NE(d.reason.find("leg-count change"), std::string::npos) << d.reason;
  }
  {
    Case c;  // the position is taken in the live table
    c.f.status.health[1] = LegHealth::NotInSync;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // the live table has another shape
    c.f.status.health.push_back(LegHealth::InSync);
    EXPECT_FALSE(c.decide().from_bitmap);
  }
}

TEST(ReaddDecision, TheKernelMetadataMustProveTheBitmapCoversTheAbsence) {
  {
    Case c;  // the activation zeroed the kernel metadata (first use)
    c.f.first_use_activation = true;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // the returning superblock would be the freshest
    c.f.returning->events = 4;
    auto d = c.decide();
    EXPECT_FALSE(d.from_bitmap);
    EXPECT_NE(d.reason.find("events"), std::string::npos) << d.reason;
    c.f.returning->events = 9;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // bits were cleared after it left
    c.f.live[0].bitmap->events_cleared = 4;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // its kernel metadata is blank, unreadable, or of another position
    c.f.returning->is_new = true;
    EXPECT_FALSE(c.decide().from_bitmap);
    c.f.returning.reset();
    EXPECT_FALSE(c.decide().from_bitmap);
    Case d;
    d.f.returning->superblock->array_position = 0;
    EXPECT_FALSE(d.decide().from_bitmap);
  }
  {
    Case c;  // it was recovering in the kernel when it left
    c.f.returning->disk_recovery_offset = 4096;
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // the live superblock does not mark the position failed
    c.f.live[0].failed_slots.clear();
    EXPECT_FALSE(c.decide().from_bitmap);
  }
  {
    Case c;  // a stale or foreign-sized live bitmap
    c.f.live[0].bitmap->state = kBitmapStateStale;
    EXPECT_FALSE(c.decide().from_bitmap);
    Case d;
    d.f.live[0].bitmap->chunksize = 2 * kRegion;
    EXPECT_FALSE(d.decide().from_bitmap);
  }
  {
    Case c;  // the live leg's kernel metadata was not read
    c.f.live.clear();
    EXPECT_FALSE(c.decide().from_bitmap);
  }
}

}  // namespace
}  // namespace dmirror::dm
