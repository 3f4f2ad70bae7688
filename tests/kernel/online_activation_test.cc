// SPDX-License-Identifier: LGPL-2.1-or-later
// activate_array() and import_kernel_state() on memory legs against the
// in-memory FakeDmControl: what is committed to our superblocks, what is
// written into the kernel metadata, which tables are loaded, and how a
// failed load gives sync ownership back.
#include <dmirror/assembly.h>
#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/online/activate_array.h>
#include <dmirror/dm/online/import_kernel_state.h>
#include <dmirror/journal.h>

#include "activation_rig.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace dmirror::dm {
namespace {

using testing::Rig;

TEST(OnlineActivation, FirstUseCommitsOwnershipAndLoadsNosyncTable) {
  Rig rig;
  auto legs = rig.legs();
  auto rep = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_TRUE(rep->plan.nosync);
  EXPECT_FALSE(rep->unclean);
  const Superblock& sb = legs.sb();
  EXPECT_TRUE(sb.has_flag(sbflag::kKernelOwnsSync));
  EXPECT_TRUE(sb.has_flag(sbflag::kDirty));
  EXPECT_EQ(sb.seqno, rig.sb.seqno + 1);
  auto onleg = read_leg(*rig.devs[1]);
  ASSERT_TRUE(onleg);
  EXPECT_EQ(onleg->sb.seqno, sb.seqno) << "every leg got the update";
  EXPECT_TRUE(onleg->sb.has_flag(sbflag::kKernelOwnsSync));
  const auto* top = rig.dm.find("vol");
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->uuid, "DMIRROR-" + rig.sb.array_uuid.hex());
  ASSERT_EQ(top->live.size(), 1u);
  EXPECT_EQ(top->live[0].params.substr(0, 23), "raid1 4 0 nosync region");
  ASSERT_NE(rig.dm.find("vol-kmeta1"), nullptr);
  EXPECT_EQ(rig.dm.find("vol-kmeta1")->live[0].params, "254:16 1536");
  auto events = read_events(*rig.devs[0], sb);
  ASSERT_TRUE(events);
  EXPECT_EQ(events->events.back().type, EventType::Activated);
}

TEST(OnlineActivation, RefusedWhenAlreadyActive) {
  Rig rig;
  auto legs = rig.legs();
  ASSERT_TRUE(activate_array(rig.dm, legs, rig.numbers()));
  auto again = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Exists);
  EXPECT_NE(again.error().message.find("already active"), std::string::npos);
}

// A leg missing without --degraded: a refusal (Stale: exit 8, the same as
// scrub's refusal of a missing leg), naming the slot and --degraded; no
// health bit alone, nothing written, nothing loaded.
TEST(OnlineActivation, AMissingLegIsARefusalThatWritesNothing) {
  Rig rig;
  const auto before = rig.snapshot();
  auto legs = rig.assemble({0});
  ASSERT_TRUE(legs) << legs.error().message;
  auto rep = activate_array(rig.dm, *legs, {{0, {254, 0}}});
  ASSERT_FALSE(rep);
  EXPECT_EQ(rep.error().code, ErrorCode::Stale);
  EXPECT_NE(rep.error().message.find("slot 1"), std::string::npos) << rep.error().message;
  EXPECT_NE(rep.error().message.find("--degraded"), std::string::npos) << rep.error().message;
  EXPECT_EQ(rig.dm.find("vol"), nullptr);
  EXPECT_TRUE(rig.snapshot() == before) << "a refused activation wrote to a leg";
}

TEST(OnlineActivation, FailedLoadGivesOwnershipBack) {
  Rig rig;
  rig.dm.fail_next("load vol 0", EINVAL);
  auto legs = rig.legs();
  auto rep = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_FALSE(rep);
  EXPECT_EQ(rig.dm.device_count(), 0u);
  auto onleg = read_leg(*rig.devs[0]);
  ASSERT_TRUE(onleg);
  EXPECT_FALSE(onleg->sb.has_flag(sbflag::kKernelOwnsSync));
  EXPECT_FALSE(onleg->sb.has_flag(sbflag::kDirty));
}

TEST(OnlineActivation, UncleanShutdownLowersResyncOffsetOnEveryLeg) {
  Rig rig;
  rig.write_kernel_metadata({3});
  {
    auto legs = rig.legs();
    legs.edit().flags |= sbflag::kKernelOwnsSync | sbflag::kDirty;
    ASSERT_TRUE(legs.commit());
  }
  auto legs = rig.legs();
  auto rep = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_TRUE(rep->unclean);
  ASSERT_TRUE(rep->imported);
  EXPECT_EQ(rep->imported->dirty_regions, 1u);
  EXPECT_TRUE(rep->plan.force_resync);
  EXPECT_EQ(rep->plan.mark_regions, (std::vector<uint64_t>{3}));
  for (uint32_t s = 0; s < 2; ++s) {
    auto k = rig.kernel(s);
    EXPECT_EQ(k.array_resync_offset, 0u) << "leg " << s;
    EXPECT_EQ(k.events, 7u) << "events left alone";
    EXPECT_EQ(k.dirty_regions, (std::vector<uint64_t>{3}));
  }
  // Handed over: our journal is clear again, the kernel owns region 3.
  auto j = WriteIntentJournal::load(*rig.devs[0], legs.sb());
  ASSERT_TRUE(j);
  EXPECT_EQ(j->dirty_count(), 0u);
  auto events = read_events(*rig.devs[1], legs.sb());
  ASSERT_TRUE(events);
  bool unclean_event = false;
  for (const auto& e : events->events) unclean_event |= e.type == EventType::UncleanShutdown;
  EXPECT_TRUE(unclean_event);
}

TEST(OnlineActivation, OfflineDirtIsHandedToTheKernel) {
  Rig rig;
  rig.write_kernel_metadata({});
  {
    auto legs = rig.legs();
    ASSERT_TRUE(legs.set_journal({5, 9}));
  }
  auto legs = rig.legs();
  auto rep = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_FALSE(rep->unclean);
  EXPECT_EQ(rep->plan.action, KernelMetadataAction::MarkDirty);
  for (uint32_t s = 0; s < 2; ++s) {
    auto k = rig.kernel(s);
    EXPECT_EQ(k.dirty_regions, (std::vector<uint64_t>{5, 9}));
    EXPECT_EQ(k.array_resync_offset, 0u);
  }
  EXPECT_EQ(legs.sb().resync_offset, kOffsetInSync);
}

TEST(ImportKernelState, FailedBitsRecoveryAndDirtyBitsComeBack) {
  Rig rig;
  rig.write_kernel_metadata({1, 4}, /*failed_position=*/UINT64_MAX, /*recovery_of_leg1=*/96);
  {
    auto legs = rig.legs();
    legs.edit().flags |= sbflag::kKernelOwnsSync | sbflag::kDirty;
    ASSERT_TRUE(legs.commit());
  }
  auto legs = rig.legs();
  auto rep = import_kernel_state(legs);
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_TRUE(rep->imported);
  EXPECT_EQ(rep->rebuilding, (std::vector<uint32_t>{1}));
  EXPECT_EQ(legs.sb().legs[1].state, LegState::Rebuilding);
  EXPECT_EQ(legs.sb().legs[1].recovery_offset, 96u * 512);
  EXPECT_EQ(rep->dirty_regions, 2u);
  EXPECT_FALSE(legs.sb().has_flag(sbflag::kKernelOwnsSync));
  auto j = WriteIntentJournal::load(*rig.devs[0], legs.sb());
  ASSERT_TRUE(j);
  EXPECT_EQ(j->dirty_regions(), (std::vector<uint64_t>{1, 4}));
}

// The kernel clears bitmap bits of its own while it owns the sync state, so
// after the import the journal covers only what came after it (FORMAT.md
// 2.6 rule 13): a leg rolled back to an image from before the import comes
// back by a full copy, never from the journal.
TEST(ImportKernelState, JournalCoversOnlyWritesAfterTheImport) {
  Rig rig;
  rig.write_kernel_metadata({});
  {
    auto legs = rig.legs();
    legs.edit().flags |= sbflag::kKernelOwnsSync | sbflag::kDirty;
    ASSERT_TRUE(legs.commit());
  }
  const auto before = rig.snapshot();
  {
    auto legs = rig.legs();
    auto rep = import_kernel_state(legs);
    ASSERT_TRUE(rep) << rep.error().message;
    ASSERT_TRUE(rep->imported);
    EXPECT_EQ(legs.sb().journal_kept_since, legs.sb().seqno);
    auto onleg = read_leg(*rig.devs[0]);
    ASSERT_TRUE(onleg);
    EXPECT_EQ(onleg->sb.journal_kept_since, onleg->sb.seqno);
  }
  rig.write_alone(0);
  ASSERT_TRUE(rig.devs[1]->write(0, before[1]));
  std::vector<LegProbe> probes{probe_leg(*rig.devs[0]), probe_leg(*rig.devs[1])};
  auto a = assemble_array(probes);
  ASSERT_TRUE(a) << a.error().message;
  const SlotView* leg1 = a->slot(1);
  ASSERT_NE(leg1, nullptr);
  EXPECT_EQ(leg1->state, SlotState::Stale);
  EXPECT_EQ(leg1->recovery, Recovery::Full);
}

TEST(ImportKernelState, KernelFailedBitFailsTheLeg) {
  Rig rig;
  rig.write_kernel_metadata({}, /*failed_position=*/0);
  {
    auto legs = rig.legs();
    legs.edit().flags |= sbflag::kKernelOwnsSync;
    ASSERT_TRUE(legs.commit());
  }
  auto legs = rig.legs();
  auto rep = import_kernel_state(legs);
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->failed, (std::vector<uint32_t>{0}));
  EXPECT_EQ(legs.sb().legs[0].state, LegState::Failed);
  EXPECT_EQ(legs.sb().legs[0].state_seq, legs.sb().seqno);
}

TEST(ImportKernelState, NothingToDoWithoutTheFlag) {
  Rig rig;
  auto legs = rig.legs();
  const uint64_t seq = legs.sb().seqno;
  auto rep = import_kernel_state(legs);
  ASSERT_TRUE(rep);
  EXPECT_FALSE(rep->imported);
  EXPECT_EQ(legs.sb().seqno, seq);
}

}  // namespace
}  // namespace dmirror::dm
