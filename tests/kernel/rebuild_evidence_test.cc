// SPDX-License-Identifier: LGPL-2.1-or-later
// judge_rebuild(): a leg's rebuild is finished only when the kernel's
// status has settled on it and its own dm-raid superblock says so. The
// transient status of a table with a leg more ("raid1 2 A-A": md's count
// still 2, the new position 'A' before any recovery ran, docs/kernel-facts.md
// §2.5) once let an online replace record a leg in sync that held zeros.
#include <dmirror/dm/online/rebuild_evidence.h>

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {



KernelMetadataState kmeta(uint32_t position, uint64_t events, uint64_t recovery, std::vector<uint32_t> failed = {}) {
  KernelMetadataState k;
  k.is_new = false;
  RaidSuperblock sb;
  sb.array_position = position;
  sb.events = events;
  sb.disk_recovery_offset = recovery;
  k.superblock = sb;
  k.events = events;
  k.disk_recovery_offset = recovery;
  k.failed_slots = std::move(failed);
  return k;
}

// Slot 1 failed ("- -" at position 1); its replacement is at position 2.
RebuildFacts finished_replace() {
  RebuildFacts f;
  auto st = parse_raid_status("raid1 3 A-A 2097152/2097152 idle 0 0 -");
  EXPECT_TRUE(st);
  f.status = *st;
  f.position = 2;
  f.kernel[0] = kmeta(0, 20, kMaxSector, {1});
  f.kernel[2] = kmeta(2, 20, kMaxSector, {1});
  return f;
}

TEST(RebuildEvidence, ASettledStatusAndTheLegsOwnSuperblockInSyncIsDone) {
  RebuildVerdict v = judge_rebuild(finished_replace());
  EXPECT_EQ(v.state, RebuildState::Done) << v.why;
}

TEST(RebuildEvidence, TheStatusOfALegCountNotYetAppliedIsNeverDone) {
  for (const char* line : {"raid1 2 A-A 2097152/2097152 idle 0 0 -", "raid1 2 A-a 0/2097152 idle 0 0 -"}) {
    RebuildFacts f = finished_replace();
    f.status = *parse_raid_status(line);
    RebuildVerdict v = judge_rebuild(f);
    EXPECT_EQ(v.state, RebuildState::Running) << line;
    EXPECT_NE(v.why.find("not applied the new leg count"), std::string::npos) << v.why;
  }
}

TEST(RebuildEvidence, AnAWithoutTheLegsOwnSuperblockInSyncIsNotDone) {
  // Before any recovery ran: the new leg's area still zeroed (new).
  RebuildFacts zeroed = finished_replace();
  zeroed.kernel[2] = KernelMetadataState{};
  EXPECT_EQ(judge_rebuild(zeroed).state, RebuildState::Running);
  // Unreadable.
  RebuildFacts unread = finished_replace();
  unread.kernel.erase(2);
  EXPECT_EQ(judge_rebuild(unread).state, RebuildState::Running);
  // Mid-recovery checkpoint.
  RebuildFacts mid = finished_replace();
  mid.kernel[2] = kmeta(2, 20, 4096, {1});
  RebuildVerdict v = judge_rebuild(mid);
  EXPECT_EQ(v.state, RebuildState::Running);
  EXPECT_NE(v.why.find("sector 4096"), std::string::npos) << v.why;
  // Behind the live legs' events (not written since the recovery ended).
  RebuildFacts behind = finished_replace();
  behind.kernel[2] = kmeta(2, 19, kMaxSector, {1});
  EXPECT_EQ(judge_rebuild(behind).state, RebuildState::Running);
  // Another position's superblock: the table moved.
  RebuildFacts moved = finished_replace();
  moved.kernel[2] = kmeta(1, 20, kMaxSector, {});
  EXPECT_EQ(judge_rebuild(moved).state, RebuildState::Running);
}

TEST(RebuildEvidence, APositionAnyLiveSuperblockMarksFailedIsNotDone) {
  RebuildFacts f = finished_replace();
  f.kernel[0] = kmeta(0, 20, kMaxSector, {1, 2});
  RebuildVerdict v = judge_rebuild(f);
  EXPECT_EQ(v.state, RebuildState::Running);
  EXPECT_NE(v.why.find("marks position 2 failed"), std::string::npos) << v.why;
}

TEST(RebuildEvidence, AFailedLegsOldSuperblockIsNotEvidence) {
  // Position 1 failed ('-' here, or 'D' still in the table): its superblock
  // stopped when it failed, with older events and an older failed mask.
  for (const char* line : {"raid1 3 A-A 2097152/2097152 idle 0 0 -", "raid1 3 ADA 2097152/2097152 idle 0 0 -"}) {
    RebuildFacts f = finished_replace();
    f.status = *parse_raid_status(line);
    f.kernel[1] = kmeta(1, 30, kMaxSector, {2});
    RebuildVerdict v = judge_rebuild(f);
    EXPECT_EQ(v.state, RebuildState::Done) << line << ": " << v.why;
  }
}

TEST(RebuildEvidence, BusyIsRunningIdleNotInSyncIsStalledAndDIsFailed) {
  RebuildFacts recovering = finished_replace();
  recovering.status = *parse_raid_status("raid1 3 A-a 1024/2097152 recover 0 0 -");
  EXPECT_EQ(judge_rebuild(recovering).state, RebuildState::Running);
  // Idle with the leg 'a': md ended the recovery without it (a read error
  // on the source); the wait gives up when this lasts instead of hanging.
  RebuildFacts idle_a = finished_replace();
  idle_a.status = *parse_raid_status("raid1 3 A-a 2097152/2097152 idle 0 0 -");
  EXPECT_EQ(judge_rebuild(idle_a).state, RebuildState::Stalled);
  RebuildFacts pending_a = finished_replace();
  pending_a.status = *parse_raid_status("raid1 2 A-a 2097152/2097152 idle 0 0 -");
  EXPECT_EQ(judge_rebuild(pending_a).state, RebuildState::Running) << "not before md applied the leg count";
  RebuildFacts failed = finished_replace();
  failed.status = *parse_raid_status("raid1 3 A-D 2097152/2097152 idle 0 0 -");
  EXPECT_EQ(judge_rebuild(failed).state, RebuildState::Failed);
  RebuildFacts outside = finished_replace();
  outside.position = 3;
  EXPECT_EQ(judge_rebuild(outside).state, RebuildState::Gone) << "a settled table without the leg: no wait";
  RebuildFacts reloaded = finished_replace();
  reloaded.status = *parse_raid_status("raid1 2 AA 2097152/2097152 idle 0 0 -");
  EXPECT_EQ(judge_rebuild(reloaded).state, RebuildState::Gone) << judge_rebuild(reloaded).why;
}

}  // namespace
}  // namespace dmirror::dm
