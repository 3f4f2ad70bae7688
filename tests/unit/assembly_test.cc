// SPDX-License-Identifier: LGPL-2.1-or-later
// assemble_array(): the membership rules of FORMAT.md 2.6 as a pure
// function of probes (no devices). Each test builds the legs' superblocks
// as the writers would have left them.
#include <dmirror/assembly.h>

#include <gtest/gtest.h>

#include "unit/assembly_probes.h"

namespace dmirror {
namespace {

const SlotView& slot(const Assembly& a, uint32_t s) {
  const SlotView* v = a.slot(s);
  EXPECT_NE(v, nullptr) << "slot " << s;
  return *v;
}

bool has(const Assembly& a, std::string_view code) {
  for (const auto& f : a.findings)
    if (f.code == code) return true;
  return false;
}

// Slot 0 was replaced by slot 2, which is gone now; slot 1 is rebuilding.
// No in-sync leg is present, and the leg the replace removed may hold the
// newest data: nothing may advise wiping it.
TEST(Assembly, ARemovedLegIsNotCalledSafeToWipeWhenNoInSyncLegIsPresent) {
  Superblock old_sb = array_sb(2, 6);
  Superblock sb = array_sb(3, 7);
  sb.legs[0].state = LegState::Removed;
  sb.legs[1].state = LegState::Rebuilding;
  sb.legs[1].recovery_offset = 0;
  auto a = assemble_array({leg(old_sb, 0), leg(sb, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->health, Health::Failed);
  bool found = false;
  for (const auto& f : a->findings) {
    if (f.code != "leg-not-in-table") continue;
    found = true;
    EXPECT_EQ(f.message.find("Wipe it"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("Keep it"), std::string::npos) << f.message;
  }
  EXPECT_TRUE(found);
  for (const auto& f : a->findings) {
    if (f.code == "no-in-sync-leg") {
      EXPECT_NE(f.message.find("cannot help"), std::string::npos) << f.message;
    }
  }
  // wipe refuses it by the same rule (it used to look only at the leg's own table).
  EXPECT_EQ(wipe_hold(*a, 0), WipeHold::OnlyCopy);
  EXPECT_EQ(wipe_hold(*a, 1), WipeHold::Member);
}

// With an in-sync leg present the removed leg is a leftover: status says
// wipe it, naming the in-sync legs for wipe to judge by, and wipe takes it.
TEST(Assembly, ARemovedLegIsALeftoverWhenAnInSyncLegIsPresent) {
  Superblock old_sb = array_sb(2, 6);
  Superblock sb = array_sb(3, 7);
  sb.legs[0].state = LegState::Removed;
  auto a = assemble_array({leg(old_sb, 0), leg(sb, 1), leg(sb, 2)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(wipe_hold(*a, 0), WipeHold::None);
  EXPECT_EQ(wipe_hold(*a, 1), WipeHold::Member);
  bool found = false;
  for (const auto& f : a->findings) {
    if (f.code != "leg-not-in-table") continue;
    found = true;
    EXPECT_NE(f.message.find("Wipe it (dmirrorctl wipe " + a->legs[0].name + " --with " + a->legs[1].name + " " +
                             a->legs[2].name + ")"),
              std::string::npos)
        << f.message;
  }
  EXPECT_TRUE(found);
}

TEST(Assembly, AllLegsFreshIsHealthy) {
  Superblock sb = array_sb(2, 5);
  auto a = assemble_array({leg(sb, 0), leg(sb, 1)});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->health, Health::Healthy);
  EXPECT_EQ(slot(*a, 0).state, SlotState::InSync);
  EXPECT_EQ(slot(*a, 1).state, SlotState::InSync);
  EXPECT_FALSE(a->degraded || a->resync_pending || a->inconsistent);
}

TEST(Assembly, LegBehindIsStaleWhateverTheNewestTableSays) {
  Superblock old = array_sb(2, 5);
  Superblock now = array_sb(2, 6);   // the newest table still says slot 1 is in sync
  auto a = assemble_array({leg(now, 0), leg(old, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Journal);
  EXPECT_EQ(a->health, Health::Degraded);
  EXPECT_EQ(a->in_sync_slots(), std::vector<uint32_t>{0});
}

TEST(Assembly, JournalCoversOnlyLegsAtOrAfterKeptSince) {
  Superblock old = array_sb(2, 5);
  Superblock now = array_sb(2, 9);
  now.journal_kept_since = 6;   // bits were cleared after the leg's image
  auto a = assemble_array({leg(now, 0), leg(old, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Full);
  now.journal_kept_since = 5;
  a = assemble_array({leg(now, 0), leg(old, 1)});
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Journal);
}

TEST(Assembly, LegBehindInTheMiddleOfAFullRebuildNeedsAFullCopy) {
  Superblock old = array_sb(2, 5);
  old.legs[1].state = LegState::Rebuilding;
  old.legs[1].recovery_offset = 0;
  Superblock now = old;
  now.seqno = 6;
  now.legs[1].recovery_offset = 4096;   // the checkpoint reached only slot 0
  auto a = assemble_array({leg(now, 0), leg(old, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Full);
  // Its own image says it was rebuilding, the newest table says in sync
  // (a rolled-back image): still a full copy.
  now.legs[1].state = LegState::InSync;
  now.legs[1].recovery_offset = kOffsetInSync;
  a = assemble_array({leg(now, 0), leg(old, 1)});
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Full);
}

TEST(Assembly, DamagedJournalOnAFreshLegForcesFullRecoveryAndIsInconsistent) {
  Superblock old = array_sb(2, 5);
  Superblock now = array_sb(2, 6);
  LegProbe fresh = leg(now, 0);
  fresh.journal->damaged = true;
  auto a = assemble_array({fresh, leg(old, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Full);
  EXPECT_TRUE(a->inconsistent);
  EXPECT_EQ(a->health, Health::Inconsistent);
  EXPECT_TRUE(has(*a, "journal-damaged"));
}

TEST(Assembly, ArrayWithoutMembershipFeatureNeverTrustsTheJournalForALeg) {
  Superblock old = array_sb(2, 5);
  Superblock now = array_sb(2, 6);
  old.incompat = now.incompat = 0;
  auto a = assemble_array({leg(now, 0), leg(old, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Full);
}

TEST(Assembly, AbsentLegIsMissingNotFailed) {
  Superblock sb = array_sb(2, 5);
  auto a = assemble_array({leg(sb, 0)});
  ASSERT_TRUE(a);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Missing);
  EXPECT_EQ(a->health, Health::Degraded);
  EXPECT_TRUE(has(*a, "leg-missing"));
}

TEST(Assembly, ReturningMissingLegIsStaleAndComesBackFromTheJournal) {
  Superblock before = array_sb(2, 5);
  Superblock after = array_sb(2, 7);
  after.legs[1].state = LegState::Missing;
  after.legs[1].state_seq = 6;
  auto a = assemble_array({leg(after, 0, 3), leg(before, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Journal);
  EXPECT_FALSE(a->split_brain);
  // Bits kept for the returning leg are not an unclean shutdown.
  EXPECT_FALSE(a->unclean);
  EXPECT_EQ(a->dirty_regions, 3u);
}

TEST(Assembly, FailedLegNeedsAFullCopyEvenWhenPresent) {
  Superblock before = array_sb(2, 5);
  Superblock after = array_sb(2, 6);
  after.legs[1].state = LegState::Failed;
  auto a = assemble_array({leg(after, 0), leg(before, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Failed);
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Full);
  EXPECT_FALSE(a->split_brain);
}

// Each leg was written alone while the other was away.
std::pair<Superblock, Superblock> split(uint64_t seq_a, uint64_t seq_b) {
  Superblock a = array_sb(2, seq_a);
  a.legs[1].state = LegState::Missing;
  Superblock b = array_sb(2, seq_b);
  b.legs[0].state = LegState::Missing;
  return {a, b};
}

TEST(Assembly, LegsWrittenWhileEachOtherWasAbsentAreASplitBrain) {
  auto [sa, sb] = split(9, 7);
  auto a = assemble_array({leg(sa, 0), leg(sb, 1)});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->split_brain);
  EXPECT_EQ(a->health, Health::Inconsistent);
  EXPECT_TRUE(has(*a, "split-brain"));
}

TEST(Assembly, ChoosingASideSettlesTheSplitAndCopiesTheOtherInFull) {
  auto [sa, sb] = split(9, 7);
  // The older side is chosen: the newer one, ahead of it, is copied over.
  auto a = assemble_array({leg(sa, 0), leg(sb, 1)}, AssembleOptions{.choose_slot = 1});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(a->chosen_slot, 1u);
  EXPECT_EQ(a->sb.seqno, 7u);
  EXPECT_EQ(slot(*a, 1).state, SlotState::InSync);
  EXPECT_EQ(slot(*a, 0).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 0).recovery, Recovery::Full);
}

TEST(Assembly, ChoosingASlotThatIsNotGivenIsRefused) {
  auto [sa, sb] = split(9, 7);
  auto a = assemble_array({leg(sa, 0), leg(sb, 1)}, AssembleOptions{.choose_slot = 5});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::InvalidArgument);
}

TEST(Assembly, ChoiceWithoutSplitDoesNotMakeAStaleLegTheAuthority) {
  Superblock old = array_sb(2, 5);
  Superblock now = array_sb(2, 6);
  auto a = assemble_array({leg(now, 0), leg(old, 1)}, AssembleOptions{.choose_slot = 1});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->sb.seqno, 6u);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
}

TEST(Assembly, RolledBackLegWrittenAloneIsASplitBrain) {
  // Slot 1 went on to seqno 6 with slot 0 in its table. Slot 0 was rolled
  // back to an image at seqno 3, then written alone: it marked slot 1
  // missing at seqno 4 and went on to 5. Each holds writes the other lacks.
  Superblock ahead = array_sb(2, 6);
  Superblock alone = array_sb(2, 5);
  alone.legs[1].state = LegState::Missing;
  alone.legs[1].state_seq = 4;
  auto a = assemble_array({leg(alone, 0), leg(ahead, 1)});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->split_brain);
  EXPECT_EQ(a->health, Health::Inconsistent);
  EXPECT_TRUE(a->in_sync_slots().empty() || a->split_brain);
}

TEST(Assembly, LegRolledBackAfterTheOtherWasReAddedIsOnlyStale) {
  // Slot 0 was written while slot 1 was away (marking it missing at 3),
  // an image of slot 0 was kept at seqno 4, slot 1 was re-added from the
  // journal at 6 and both went on to 10; then slot 0 was rolled back to
  // that image. Slot 1 holds everything the image holds: no split brain.
  Superblock image = array_sb(2, 4);
  image.legs[1].state = LegState::Missing;
  image.legs[1].state_seq = 3;
  Superblock now = array_sb(2, 10);
  now.legs[1].state_seq = 6;
  auto a = assemble_array({leg(image, 0), leg(now, 1)});
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 0).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 1).state, SlotState::InSync);
  EXPECT_EQ(a->health, Health::Degraded);
}

TEST(Assembly, TheLosingSideOfASettledSplitThatReturnsIsOnlyStale) {
  // Slots 0 and 1 were written apart (each marked the other missing at 4).
  // The administrator kept slot 1 (`resync --from 1`): slot 0 was copied
  // over in full and is in sync in slot 1's table since seqno 10; both
  // went on to 12. Then an image of slot 0 from the split (seqno 5) is put
  // back: slot 1's line took slot 0 back after that image, so the image is
  // only behind, not a second split brain.
  Superblock loser = array_sb(2, 5);
  loser.legs[1].state = LegState::Missing;
  loser.legs[1].state_seq = 4;
  Superblock kept = array_sb(2, 12);
  kept.legs[0].state_seq = 10;
  auto a = assemble_array({leg(loser, 0), leg(kept, 1)});
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 0).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 0).recovery, Recovery::Full);
  EXPECT_EQ(slot(*a, 1).state, SlotState::InSync);
  EXPECT_EQ(a->health, Health::Degraded);
  // Written alone again after it came back, it is a split brain once more.
  Superblock again = array_sb(2, 13);
  again.legs[1].state = LegState::Missing;
  again.legs[1].state_seq = 11;
  auto b = assemble_array({leg(again, 0), leg(kept, 1)});
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->split_brain);
}

TEST(Assembly, LegJoinedInAHistoryTheAuthorityNeverSawIsASplitBrain) {
  // Slot 0 went missing at seqno 3; slot 1 was replaced by a new slot 2,
  // which holds the data. Later slot 0 came back alone and was written up to
  // seqno 12 with a table that never heard of slot 2.
  Superblock lone = array_sb(2, 12);
  lone.legs[1].state = LegState::Missing;
  lone.legs[1].state_seq = 7;
  Superblock replaced = array_sb(3, 6);
  replaced.legs[0].state = LegState::Missing;
  replaced.legs[0].state_seq = 3;
  replaced.legs[1].state = LegState::Removed;
  auto a = assemble_array({leg(lone, 0), leg(replaced, 2)});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_TRUE(a->split_brain);
  EXPECT_EQ(a->health, Health::Inconsistent);
  // Choosing the replaced leg makes its table the authority; slot 0 is copied in full.
  auto chosen = assemble_array({leg(lone, 0), leg(replaced, 2)}, AssembleOptions{.choose_slot = 2});
  ASSERT_TRUE(chosen) << chosen.error().describe();
  EXPECT_EQ(slot(*chosen, 2).state, SlotState::InSync);
  EXPECT_EQ(slot(*chosen, 0).state, SlotState::Stale);
  EXPECT_EQ(slot(*chosen, 0).recovery, Recovery::Full);
}

TEST(Assembly, LegBehindTheCommitThatMarkedItMissingIsOnlyStale) {
  Superblock now = array_sb(2, 9);
  now.legs[1].state = LegState::Missing;
  now.legs[1].state_seq = 6;
  auto a = assemble_array({leg(now, 0), leg(array_sb(2, 5), 1)});
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->split_brain);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Stale);
  EXPECT_EQ(slot(*a, 1).recovery, Recovery::Journal);
}

TEST(Assembly, EqualSeqnoWithDifferentTablesIsASplitBrain) {
  Superblock x = array_sb(2, 8);
  Superblock y = array_sb(2, 8);
  y.resync_offset = 0;
  auto a = assemble_array({leg(x, 0), leg(y, 1)});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->split_brain);
}

TEST(Assembly, ThreeLegsOneWaywardLegIsASplit) {
  // C was written alone (marking A and B missing); A and B went on without it.
  Superblock ab = array_sb(3, 10);
  ab.legs[2].state = LegState::Missing;
  Superblock c = array_sb(3, 8);
  c.legs[0].state = c.legs[1].state = LegState::Missing;
  auto a = assemble_array({leg(ab, 0), leg(ab, 1), leg(c, 2)});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->split_brain);
  auto chosen = assemble_array({leg(ab, 0), leg(ab, 1), leg(c, 2)}, AssembleOptions{.choose_slot = 0});
  ASSERT_TRUE(chosen);
  EXPECT_EQ(slot(*chosen, 2).state, SlotState::Stale);
  EXPECT_EQ(slot(*chosen, 2).recovery, Recovery::Full);
  EXPECT_EQ(slot(*chosen, 1).state, SlotState::InSync);
}

TEST(Assembly, ShrunkLegIsLeftOutWithAGeometryFinding) {
  Superblock sb = array_sb(2, 5);
  LegProbe small = leg(sb, 1);
  small.device_size = 32 * 1024 * 1024;
  auto a = assemble_array({leg(sb, 0), small});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->legs[1].disposition, Disposition::Geometry);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Missing);
  EXPECT_TRUE(has(*a, "leg-geometry"));
}

TEST(Assembly, NewerLegLeftOutForGeometryStillMakesTheOthersStale) {
  // Slot 1 was written while slot 0 was away, then got truncated: slot 0 is
  // not current just because the newer leg cannot be used.
  Superblock old = array_sb(2, 5);
  Superblock now = array_sb(2, 8);
  now.legs[0].state = LegState::Missing;
  LegProbe small = leg(now, 1);
  small.device_size = 32 * 1024 * 1024;
  auto a = assemble_array({leg(old, 0), small});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->legs[1].disposition, Disposition::Geometry);
  EXPECT_EQ(a->sb.seqno, 8u);
  EXPECT_EQ(slot(*a, 0).state, SlotState::Stale);
  EXPECT_EQ(a->health, Health::Failed);
  EXPECT_TRUE(a->in_sync_slots().empty());
  // An equally new leg left out does not displace a usable member.
  small = leg(old, 1);
  small.device_size = 32 * 1024 * 1024;
  a = assemble_array({leg(old, 0), small});
  ASSERT_TRUE(a);
  EXPECT_EQ(slot(*a, 0).state, SlotState::InSync);
  EXPECT_EQ(a->health, Health::Degraded);
}

TEST(Assembly, LegWithLargerLogicalBlocksIsLeftOut) {
  Superblock sb = array_sb(2, 5);
  LegProbe big = leg(sb, 1);
  big.logical_block_size = 4096;
  auto a = assemble_array({leg(sb, 0), big});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->legs[1].disposition, Disposition::Geometry);
  EXPECT_EQ(a->health, Health::Degraded);
}

TEST(Assembly, ForeignSignatureOverADamagedCopyLeavesTheLegOut) {
  Superblock sb = array_sb(2, 5);
  LegProbe swapped = leg(sb, 1);
  swapped.meta->copies[0].state = CopyState::Blank;
  swapped.foreign.push_back(Signature{"swap", "other", "", "", 4086});
  auto a = assemble_array({leg(sb, 0), swapped});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->legs[1].disposition, Disposition::ForeignSignature);
  EXPECT_TRUE(has(*a, "leg-foreign-signature"));
}

TEST(Assembly, SecondDeviceWithTheSameLegIsADuplicate) {
  Superblock sb = array_sb(2, 5);
  LegProbe copy = leg(sb, 1);
  copy.name = "copy-of-leg1";
  auto a = assemble_array({leg(sb, 0), leg(sb, 1), copy});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->legs[2].disposition, Disposition::Duplicate);
  EXPECT_EQ(a->health, Health::Inconsistent);
}

TEST(Assembly, RemovedLegIsNotInTable) {
  Superblock old = array_sb(2, 5);
  Superblock now = array_sb(2, 6);
  now.legs[1].uuid.bytes.fill(0x99);   // slot 1 was replaced
  auto a = assemble_array({leg(now, 0), leg(old, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->legs[1].disposition, Disposition::NotInTable);
  EXPECT_EQ(slot(*a, 1).state, SlotState::Missing);
}

TEST(Assembly, LegsOfTwoArraysWithoutAMajorityAreRefused) {
  Superblock x = array_sb(2, 5);
  Superblock y = array_sb(2, 5);
  y.array_uuid.bytes.fill(0x77);
  auto a = assemble_array({leg(x, 0), leg(y, 0)});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::InvalidArgument);
  auto b = assemble_array({leg(x, 0), leg(x, 1), leg(y, 0)});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->legs[2].disposition, Disposition::Foreign);
}

TEST(Assembly, UncleanShutdownIsResyncPendingNotHealthy) {
  Superblock sb = array_sb(2, 5);
  sb.flags |= sbflag::kDirty;
  auto a = assemble_array({leg(sb, 0, 1), leg(sb, 1, 1)});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->unclean);
  EXPECT_EQ(a->health, Health::ResyncPending);
  // Dirty bits without the flag (the kernel's state imported) count too.
  sb.flags = 0;
  a = assemble_array({leg(sb, 0, 2), leg(sb, 1, 2)});
  EXPECT_EQ(a->health, Health::ResyncPending);
}

TEST(Assembly, FreshArrayAwaitingItsInitialSyncSaysSo) {
  Superblock sb = array_sb(2, 1);
  sb.resync_offset = 0;
  auto a = assemble_array({leg(sb, 0), leg(sb, 1)});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->initial_sync);
  EXPECT_FALSE(a->degraded);
  EXPECT_EQ(a->health, Health::ResyncPending);
}

TEST(Assembly, MismatchesLeftByTheLastCheckAreInconsistent) {
  Superblock sb = array_sb(3, 5);
  sb.last_scrub.result = ScrubResult::Mismatches;
  sb.last_scrub.mismatches = 1;
  auto a = assemble_array({leg(sb, 0), leg(sb, 1), leg(sb, 2)});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->health, Health::Inconsistent);
  EXPECT_TRUE(has(*a, "mismatches-unrepaired"));
}

// A check that found no mismatch but blocks no leg could read says so; it
// does not speak of "0 mismatches" to be repaired from a leg.
TEST(Assembly, BlocksNoLegCouldReadAreInconsistentAndNamedAsLost) {
  Superblock sb = array_sb(2, 5);
  sb.last_scrub.result = ScrubResult::Mismatches;
  sb.last_scrub.mismatches = 0;
  auto a = assemble_array({leg(sb, 0), leg(sb, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->health, Health::Inconsistent);
  EXPECT_TRUE(has(*a, "unreadable-blocks"));
  EXPECT_FALSE(has(*a, "mismatches-unrepaired"));
}

// A leg given but unreadable while a slot is missing: the missing slot's
// finding names it and says a failing device is replaced.
TEST(Assembly, AMissingSlotNamesTheLegThatCouldNotBeRead) {
  Superblock sb = array_sb(2, 5);
  LegProbe dead;
  dead.name = "/dev/dead";
  dead.error = Error{ErrorCode::Io, EIO, "read of the superblock failed"};
  auto a = assemble_array({leg(sb, 0), dead});
  ASSERT_TRUE(a);
  bool named = false;
  for (const auto& f : a->findings)
    if (f.code == "leg-missing") named = f.message.find("/dev/dead could not be read") != std::string::npos;
  EXPECT_TRUE(named);
  EXPECT_EQ(a->health, Health::Degraded);
}

TEST(Assembly, ForceRaisesTheFreshestStaleLegOnlyWhenNoneIsInSync) {
  // The newest leg (slot 0) is itself rebuilding and cannot serve; slots 1
  // and 2 are behind.
  Superblock now = array_sb(3, 9);
  now.legs[0].state = LegState::Rebuilding;
  now.legs[0].recovery_offset = 0;
  Superblock s7 = array_sb(3, 7);
  Superblock s8 = array_sb(3, 8);
  auto a = assemble_array({leg(now, 0), leg(s7, 1), leg(s8, 2)});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->health, Health::Failed);
  auto f = assemble_array({leg(now, 0), leg(s7, 1), leg(s8, 2)}, AssembleOptions{.force = true});
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->forced);
  EXPECT_EQ(slot(*f, 2).state, SlotState::InSync);
  EXPECT_EQ(slot(*f, 1).state, SlotState::Stale);
  EXPECT_NE(f->health, Health::Failed);
}

TEST(Assembly, InvalidNameFromDiskIsAFindingAndEscaped) {
  Superblock sb = array_sb(2, 5);
  sb.name = "x\x1b[31m\nID_FS_TYPE=ext4";
  auto a = assemble_array({leg(sb, 0), leg(sb, 1)});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->health, Health::Inconsistent);
  for (const auto& f : a->findings) {
    EXPECT_EQ(f.message.find('\x1b'), std::string::npos) << f.message;
    EXPECT_EQ(f.message.find('\n'), std::string::npos) << f.message;
  }
}

TEST(Assembly, NoDmirrorLegIsAnError) {
  LegProbe p;
  p.name = "blank";
  p.error = Error{ErrorCode::NotDmirror, 0, "no dmirror superblock"};
  auto a = assemble_array({p});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::NotDmirror);
}

}  // namespace
}  // namespace dmirror
