// SPDX-License-Identifier: LGPL-2.1-or-later
// Legs coming back (FORMAT.md 2.6 rules 5-13) through the offline
// operations: a missing or stale leg re-added from the journal or by a full
// copy, a failed leg re-added only when asked, replace onto a leg's own
// former slot, split brain refused until a side is chosen, --force, the
// journal bits kept until a journal-guided leg is in sync, and legs that
// err during the run getting no more metadata.
#include <dmirror/engine.h>
#include <dmirror/events.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/replace.h>
#include <dmirror/resync.h>
#include <dmirror/scrub.h>

#include <gtest/gtest.h>

#include "support/legs_fixture.h"
#include "support/recording_device.h"
#include "support/recovery_scenarios.h"

namespace dmirror {
namespace {

using testing::FaultOp;
using testing::pattern;
using testing::TestLegs;
using testing::write_without;

constexpr uint64_t kSize = 256 * 1024;   // TestLegs default data size
constexpr uint64_t kRegions = kSize / 4096;

TestLegs membership_legs(uint32_t n = 2) {
  TestLegs legs({.legs = n});
  for (uint32_t s = 0; s < n; ++s) legs.poke(s, 0, pattern(kSize, 1));
  legs.edit_superblocks([](Superblock& sb) { sb.incompat |= feature::kIncompatMembership; });
  return legs;
}

TEST(ReAdd, AMissingLegComesBackFromTheJournal) {
  TestLegs legs = membership_legs();
  write_without(legs, {0}, 1, 8192, pattern(8192, 2));   // regions 2 and 3
  auto r = resync(legs.devices());
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->readded.size(), 1u);
  EXPECT_EQ(r->readded[0].slot, 1u);
  EXPECT_TRUE(r->readded[0].journal);
  EXPECT_EQ(r->readded[0].regions_copied, 2u) << "only the dirty regions";
  EXPECT_TRUE(legs.data_equal(0, 1));
  Superblock a = legs.superblock(0), b = legs.superblock(1);
  EXPECT_EQ(a.legs[1].state, LegState::InSync);
  EXPECT_EQ(a.legs[1].flags & legflag::kRecoverFromJournal, 0u);
  EXPECT_EQ(b.seqno, a.seqno);
  auto ev = testing::events_of(legs, 0, EventType::LegReAdded);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].slot, 1u);
  EXPECT_EQ(ev[0].args[0], 1u) << "journal-guided";
  EXPECT_EQ(testing::dirty_on(legs, 0), 0u) << "cleared once every leg is in sync";
  EXPECT_EQ(testing::dirty_on(legs, 1), 0u);
  auto again = resync(legs.devices());
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->readded.empty());
}

TEST(ReAdd, FullCopyWhenTheJournalNoLongerCoversTheLeg) {
  TestLegs legs = membership_legs();
  const uint64_t b_seq = legs.superblock(1).seqno;
  write_without(legs, {0}, 1, 8192, pattern(8192, 2), /*kept_since=*/b_seq + 1);
  auto r = resync(legs.devices());
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->readded.size(), 1u);
  EXPECT_FALSE(r->readded[0].journal);
  EXPECT_EQ(r->readded[0].regions_copied, kRegions);
  EXPECT_TRUE(legs.data_equal(0, 1));
  auto ev = testing::events_of(legs, 1, EventType::LegReAdded);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].args[0], 0u) << "full copy";
}

TEST(ReAdd, FullOptionCopiesEverythingOntoTheReturningLeg) {
  TestLegs legs = membership_legs();
  write_without(legs, {0}, 1, 8192, pattern(8192, 2));
  ResyncOptions o;
  o.full = true;
  auto r = resync(legs.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->readded.size(), 1u);
  EXPECT_FALSE(r->readded[0].journal);
  EXPECT_EQ(r->readded[0].regions_copied, kRegions);
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::InSync);
}

TEST(ReAdd, ALegBehindTheNewestSeqnoIsStaleEvenWhenTheTableSaysInSync) {
  TestLegs legs = membership_legs();
  // Slot 1 rolled back to an earlier image of itself: the newest table
  // still calls it in sync, but it missed the last session.
  write_without(legs, {0}, kNoSlot, 4096 * 5, pattern(4096, 3));
  auto r = resync(legs.devices());
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->readded.size(), 1u);
  EXPECT_EQ(r->readded[0].slot, 1u);
  EXPECT_TRUE(r->readded[0].journal);
  EXPECT_EQ(r->readded[0].regions_copied, 1u);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

TEST(ReAdd, JournalBitsStayUntilTheReturningLegIsInSync) {
  TestLegs legs = membership_legs();
  write_without(legs, {0}, 1, 4096 * 8, pattern(4096 * 4, 4));   // regions 8..11
  std::atomic<bool> cancel{false};
  ResyncOptions o;
  o.chunk_bytes = 4096;
  o.checkpoint_bytes = 4096;
  o.control.cancel = &cancel;
  o.control.progress = [&](const Progress& p) { if (p.phase == "recover") cancel = true; };
  auto r = resync(legs.devices(), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
  Superblock a = legs.superblock(0);
  EXPECT_EQ(a.legs[1].state, LegState::Rebuilding);
  EXPECT_NE(a.legs[1].flags & legflag::kRecoverFromJournal, 0u);
  EXPECT_EQ(testing::dirty_on(legs, 0), 4u) << "no bit cleared while a leg rebuilds from the journal";
  auto again = resync(legs.devices());
  ASSERT_TRUE(again) << again.error().describe();
  ASSERT_EQ(again->readded.size(), 1u);
  EXPECT_TRUE(again->readded[0].journal);
  EXPECT_LE(again->readded[0].regions_copied, 4u);
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_EQ(testing::dirty_on(legs, 0), 0u);
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::InSync);
}

TEST(ReAdd, AFailedLegIsLeftAloneWithoutReAddAndCopiedFullyWithIt) {
  TestLegs legs = membership_legs();
  legs.edit_superblocks([](Superblock& sb) { sb.legs[1].state = LegState::Failed; });
  legs.poke(1, 0, pattern(4096, 9));
  auto plain = resync(legs.devices());
  ASSERT_TRUE(plain) << plain.error().describe();
  EXPECT_TRUE(plain->readded.empty());
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::Failed);
  bool hinted = false;
  for (const auto& f : plain->findings)
    hinted = hinted || (f.slot == 1 && f.message.find("--re-add") != std::string::npos);
  EXPECT_TRUE(hinted) << "the report says how to bring the failed leg back";
  EXPECT_FALSE(legs.data_equal(0, 1)) << "a failed leg is not written without --re-add";

  ResyncOptions o;
  o.re_add = true;
  auto r = resync(legs.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->readded.size(), 1u);
  EXPECT_FALSE(r->readded[0].journal) << "failed means a full copy";
  EXPECT_EQ(r->readded[0].regions_copied, kRegions);
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::InSync);
  auto ev = testing::events_of(legs, 0, EventType::LegReAdded);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].args[0], 0u);
}

TEST(ReAdd, ReplaceAcceptsALegAsItsOwnFormerSlot) {
  TestLegs legs = membership_legs();
  const Uuid uuid1 = legs.created().legs[1].uuid;
  legs.edit_superblocks([](Superblock& sb) { sb.legs[1].state = LegState::Failed; });
  legs.poke(1, 4096, pattern(4096, 9));
  auto r = replace(legs.devices_except(1), 1, *legs.devices()[1]);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->readded);
  EXPECT_EQ(r->new_slot, 1u);
  EXPECT_EQ(r->bytes_copied, kSize) << "a full copy";
  Superblock a = legs.superblock(0);
  EXPECT_EQ(a.nr_legs, 2u) << "the slot is kept";
  EXPECT_EQ(a.legs[1].state, LegState::InSync);
  EXPECT_EQ(a.legs[1].uuid, uuid1);
  EXPECT_EQ(legs.superblock(1).seqno, a.seqno);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

TEST(ReAdd, ReplaceAcceptsAMissingLegAsItsOwnFormerSlotButNotAnInSyncOne) {
  TestLegs legs = membership_legs();
  auto in_sync = replace(legs.devices_except(1), 1, *legs.devices()[1]);
  ASSERT_FALSE(in_sync);
  EXPECT_NE(in_sync.error().message.find("in sync"), std::string::npos) << in_sync.error().message;
  write_without(legs, {0}, 1, 0, pattern(4096, 5));
  auto r = replace(legs.devices_except(1), 1, *legs.devices()[1]);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->new_slot, 1u);
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_EQ(legs.superblock(1).legs[1].state, LegState::InSync);
}

TEST(SplitBrain, EveryWriterRefusesUntilResyncFromChoosesASide) {
  TestLegs legs = membership_legs();
  write_without(legs, {0}, 1, 0, pattern(4096, 2));
  write_without(legs, {1}, 0, 8192, pattern(4096, 3));
  const testing::SparseImage before0 = legs.raw(0).image(), before1 = legs.raw(1).image();
  auto r = resync(legs.devices());
  ASSERT_FALSE(r);
  EXPECT_EQ(error_code_name(r.error().code), "split-brain");
  const std::string& msg = r.error().message;
  EXPECT_NE(msg.find("mem:leg0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mem:leg1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("resync --from"), std::string::npos) << msg;
  auto spare = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  auto rep = replace(legs.devices(), 1, *spare);
  ASSERT_FALSE(rep);
  EXPECT_EQ(error_code_name(rep.error().code), "split-brain");
  const uint64_t whole = testing::test_leg_size({});
  EXPECT_TRUE(legs.raw(0).image().equal_range(before0, 0, whole)) << "a refused command writes nothing";
  EXPECT_TRUE(legs.raw(1).image().equal_range(before1, 0, whole));

  ResyncOptions o;
  o.source_slot = 1;
  auto c = resync(legs.devices(), o);
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->chosen_slot, 1u);
  ASSERT_EQ(c->readded.size(), 1u);
  EXPECT_EQ(c->readded[0].slot, 0u);
  EXPECT_FALSE(c->readded[0].journal) << "the losing side is copied fully";
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_EQ(legs.data(0, 8192, 4096), pattern(4096, 3)) << "the chosen side's data won";
  EXPECT_EQ(legs.superblock(0).legs[0].state, LegState::InSync);
  auto ev = testing::events_of(legs, 0, EventType::SplitBrainResolved);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].slot, 1u);
  EXPECT_EQ(ev[0].args[0], 1u) << "bit mask of the losing slots";
}

TEST(SplitBrain, AnOfflineWriterRecordsAnAbsentInSyncLegMissing) {
  // Rule 11 holds for every writer. Slot 0 is rolled back to an image from
  // before a write both legs took, then resynced alone: that commit goes on
  // without slot 1 and must record it missing, so that slot 1, which holds
  // the write slot 0 lost, comes back diverged rather than merely behind.
  TestLegs legs = membership_legs();
  const testing::SparseImage image0 = legs.raw(0).image();
  {
    auto m = Mirror::open(legs.devices());
    ASSERT_TRUE(m) << m.error().describe();
    ASSERT_TRUE((*m)->write(8192, pattern(4096, 2)));
    ASSERT_TRUE((*m)->close());
  }
  legs.raw(0).image() = image0;
  const std::vector<BlockDevice*> only0 = {legs.devices()[0]};
  ResyncOptions full;
  full.full = true;
  // Rule 11: recording the absent leg missing needs consent.
  const testing::SparseImage before = legs.raw(0).image();
  auto refused = resync(only0, full);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Refused) << refused.error().describe();
  EXPECT_TRUE(legs.raw(0).image().equal_range(before, 0, before.size())) << "a refused resync wrote to the leg";
  full.degraded = true;
  auto r = resync(only0, full);
  ASSERT_TRUE(r) << r.error().describe();
  const Superblock sb0 = legs.superblock(0);
  EXPECT_EQ(sb0.legs[1].state, LegState::Missing);
  EXPECT_GT(sb0.legs[1].state_seq, 1u);
  EXPECT_EQ(testing::events_of(legs, 0, EventType::LegMissing).size(), 1u);
  auto back = resync(legs.devices());
  ASSERT_FALSE(back);
  EXPECT_EQ(error_code_name(back.error().code), "split-brain");
}

TEST(Force, RaisesTheFreshestStaleLegWhenNoInSyncLegIsPresent) {
  TestLegs legs = membership_legs(3);
  write_without(legs, {0, 1}, 2, 0, pattern(4096, 2));   // slot 2 missing
  for (uint32_t s : {0u, 1u})
    testing::commit_on(legs, s, [](Superblock& sb) {
      sb.legs[1].state = LegState::Rebuilding;
      sb.legs[1].recovery_offset = 0;
    });
  // Slot 0 (the only in-sync leg) is gone; slot 1 rebuilds, slot 2 is stale.
  auto devs = legs.devices_except(0);
  auto plain = resync(devs);
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, ErrorCode::Stale);
  // The advice that can help: find the in-sync leg, or --force; not
  // --degraded (slot 0 is absent, but consent would not give a source).
  EXPECT_NE(plain.error().message.find("--force"), std::string::npos) << plain.error().message;
  EXPECT_EQ(plain.error().message.find("--degraded"), std::string::npos) << plain.error().message;
  auto sc = scrub(devs, ScrubOptions{});
  ASSERT_FALSE(sc);
  EXPECT_NE(sc.error().message.find("no in-sync leg"), std::string::npos) << sc.error().message;
  EXPECT_NE(sc.error().message.find("--force"), std::string::npos) << sc.error().message;
  ResyncOptions o;
  o.force = true;
  auto r = resync(devs, o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->forced_slot, 2u);
  EXPECT_TRUE(legs.data_equal(1, 2)) << "slot 1 rebuilt from the forced leg";
  Superblock c = legs.superblock(2);
  EXPECT_EQ(c.legs[2].state, LegState::InSync);
  EXPECT_EQ(c.legs[1].state, LegState::InSync);
  auto ev = testing::events_of(legs, 2, EventType::LegForced);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].slot, 2u);
}

TEST(ReplaceIdentity, ResumingWithAnotherDeviceIsRefusedAndRestartStartsOver) {
  TestLegs legs = membership_legs();
  auto spare1 = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare1");
  auto spare2 = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare2");
  std::atomic<bool> cancel{false};
  ReplaceOptions o;
  o.chunk_bytes = 4096;
  o.checkpoint_bytes = 4096;
  o.control.cancel = &cancel;
  int ticks = 0;
  o.control.progress = [&](const Progress&) { if (++ticks == 5) cancel = true; };
  ASSERT_FALSE(replace(legs.devices(), 0, *spare1, o));
  const Superblock mid = legs.superblock(1);
  ASSERT_EQ(mid.checkpoint.op, OfflineOp::Replace);
  const uint32_t half = mid.checkpoint.target_slot;

  auto other = replace(legs.devices(), 0, *spare2);
  ASSERT_FALSE(other) << "resumed onto a device that is not the recorded one";
  EXPECT_NE(other.error().message.find("mem:spare1"), std::string::npos) << other.error().message;
  std::vector<BlockDevice*> with_half = legs.devices();
  with_half.push_back(spare1.get());
  auto other2 = replace(with_half, 0, *spare2);
  ASSERT_FALSE(other2);
  EXPECT_NE(other2.error().message.find("mem:spare1"), std::string::npos) << other2.error().message;

  ReplaceOptions ro;
  ro.restart = true;
  auto r = replace(legs.devices(), 0, *spare2, ro);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->restarted);
  Superblock sb = legs.superblock(1);
  EXPECT_EQ(sb.legs[half].state, LegState::Removed) << "the half-copied leg is retired";
  EXPECT_EQ(sb.legs[r->new_slot].state, LegState::InSync);
  EXPECT_NE(sb.legs[r->new_slot].uuid, mid.legs[half].uuid) << "a new leg uuid";
  EXPECT_EQ(sb.legs[0].state, LegState::Removed);
  EXPECT_TRUE(spare2->image().equal_range(legs.raw(1).image(), legs.data_offset(), kSize));
}

TEST(LegErrors, AReturningLegThatFailsWritesIsFailedAndGetsNoMoreMetadata) {
  TestLegs legs = membership_legs();
  write_without(legs, {0}, 1, 0, pattern(4096 * 4, 6));
  legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset());
  testing::IoLog log;
  testing::RecordingDevice rec1(legs.devices()[1], &log, "leg1");
  std::vector<BlockDevice*> devs{legs.devices()[0], &rec1};
  auto r = resync(devs);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->failed_slots, std::vector<uint32_t>{1});
  Superblock a = legs.superblock(0);
  EXPECT_EQ(a.legs[1].state, LegState::Failed);
  EXPECT_LT(legs.superblock(1).seqno, a.seqno);
  EXPECT_EQ(testing::events_of(legs, 0, EventType::LegFailed).size(), 1u);
  const long first_error = log.first([](const testing::IoRecord& x) { return !x.ok; });
  ASSERT_GE(first_error, 0) << log.dump();
  auto recs = log.records();
  for (size_t i = static_cast<size_t>(first_error) + 1; i < recs.size(); ++i)
    EXPECT_FALSE(recs[i].kind == testing::IoKind::Write && recs[i].offset < legs.data_offset())
        << "metadata written onto the erring leg: " << log.dump();
  EXPECT_GT(testing::dirty_on(legs, 0), 0u) << "bits kept: slot 1 still has to come back";
}

TEST(LegErrors, ALegVanishingDuringTheRunIsRecordedMissingNotFailed) {
  TestLegs legs = membership_legs();
  write_without(legs, {0}, 1, 0, pattern(4096 * 4, 6));
  legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX, ENXIO);
  auto r = resync(legs.devices());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->missing_slots, std::vector<uint32_t>{1});
  EXPECT_TRUE(r->failed_slots.empty());
  Superblock a = legs.superblock(0);
  EXPECT_EQ(a.legs[1].state, LegState::Missing);
  EXPECT_EQ(testing::events_of(legs, 0, EventType::LegMissing).size(), 1u);
  EXPECT_LT(legs.superblock(1).seqno, a.seqno);
  // Back again: the journal still covers it.
  legs.faulty(1).clear_rules();
  auto back = resync(legs.devices());
  ASSERT_TRUE(back) << back.error().describe();
  ASSERT_EQ(back->readded.size(), 1u);
  EXPECT_TRUE(back->readded[0].journal);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

// Rule 13: every journal write of a resync (they only clear bits) happens
// after a commit whose journal_kept_since is its own seqno.
class KeptSinceCheck final : public DeviceWrapper {
 public:
  KeptSinceCheck(BlockDevice* target, const Superblock& sb) : DeviceWrapper(target), sb_(sb) {}
  Status write(uint64_t offset, std::span<const std::byte> buf) override {
    const uint64_t j0 = sb_.layout.journal_offset, j1 = j0 + sb_.layout.journal_size;
    if (offset >= j0 && offset < j1) {
      auto m = read_leg(*target());
      ++journal_writes;
      if (!m || m->sb.journal_kept_since != m->sb.seqno) ++violations;
    }
    return DeviceWrapper::write(offset, buf);
  }
  int journal_writes = 0, violations = 0;

 private:
  Superblock sb_;
};

TEST(JournalClear, BitsAreClearedOnlyAfterACommitOfJournalKeptSince) {
  TestLegs legs = membership_legs();
  testing::commit_on(legs, 0, [](Superblock& sb) { sb.flags |= sbflag::kDirty; });
  testing::commit_on(legs, 1, [](Superblock& sb) { sb.flags |= sbflag::kDirty; });
  testing::mark_on(legs, 0, {3, 4});
  testing::mark_on(legs, 1, {3, 4});
  legs.poke(1, 4096 * 3, pattern(4096, 8));
  KeptSinceCheck c0(legs.devices()[0], legs.created()), c1(legs.devices()[1], legs.created());
  std::vector<BlockDevice*> devs{&c0, &c1};
  auto r = resync(devs);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->regions_copied, 2u);
  EXPECT_GT(c0.journal_writes + c1.journal_writes, 0);
  EXPECT_EQ(c0.violations + c1.violations, 0);
  EXPECT_EQ(testing::dirty_on(legs, 0), 0u);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

// The bits kept for a failed leg (rule 12) go when replace leaves no slot
// degraded; kept, they would make the next scrub take rot in that region
// for a crash window and copy it over the replacement.
TEST(ReplaceJournal, ReplacingAFailedLegClearsTheBitsKeptForIt) {
  TestLegs legs = membership_legs();
  {
    auto m = Mirror::open(legs.devices(), {});
    ASSERT_TRUE(m) << m.error().describe();
    legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX);
    ASSERT_TRUE((*m)->write(3 * 4096, pattern(4096, 5)));
    ASSERT_TRUE((*m)->close());
  }
  legs.faulty(1).clear_rules();
  ASSERT_EQ(legs.superblock(0).legs[1].state, LegState::Failed);
  ASSERT_GT(testing::dirty_on(legs, 0), 0u) << "the region written while slot 1 was failed is kept";
  auto spare = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  auto r = replace(legs.devices_except(1), 1, *spare);
  ASSERT_TRUE(r) << r.error().describe();
  const Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.legs[r->new_slot].state, LegState::InSync);
  EXPECT_EQ(testing::dirty_on(legs, 0), 0u) << "the bits kept for the replaced leg outlived it";
  auto j = WriteIntentJournal::load(*spare, sb);
  ASSERT_TRUE(j) << j.error().describe();
  EXPECT_EQ(j->dirty_count(), 0u);
  EXPECT_EQ(legs.data(0, 3 * 4096, 4096), pattern(4096, 5));
}

}  // namespace
}  // namespace dmirror
