// SPDX-License-Identifier: LGPL-2.1-or-later
// Activation follows the one assembly (FORMAT.md 2.6): a stale leg is
// rebuilt in full by the kernel and never trusted, a missing leg needs
// --degraded and is recorded missing (not failed), a failed leg is left
// out unless re-added, a split brain is refused until --from chooses a
// side (recorded in the event history), and every refusal writes nothing.
#include <dmirror/dm/online/activate_array.h>
#include <dmirror/dm/online/import_kernel_state.h>
#include <dmirror/events.h>

#include "activation_rig.h"

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

using testing::FakeDmControl;
using testing::Rig;

bool has_event(BlockDevice& dev, const Superblock& sb, EventType type, uint32_t slot) {
  auto h = read_events(dev, sb);
  if (!h) return false;
  for (const auto& e : h->events)
    if (e.type == type && e.slot == slot) return true;
  return false;
}

std::string raid_params(const FakeDmControl& dm) { return dm.find("vol")->live[0].params; }

// FORMAT.md 2.6 rule 15: a commit re-reads the seqnos on the legs and
// never writes one at or below a seqno already there, and it writes the
// in-sync legs first.
TEST(OnlineMembership, CommitNeverWritesASeqnoAlreadyOnALeg) {
  Rig rig;
  auto legs = rig.legs();
  const uint64_t mine = legs.sb().seqno;
  {
    auto other = rig.legs();   // a commit by someone else since we read
    ASSERT_TRUE(other.commit());
    ASSERT_TRUE(other.commit());
  }
  ASSERT_TRUE(legs.commit());
  for (uint32_t s = 0; s < 2; ++s) {
    auto m = read_leg(*rig.devs[s]);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->sb.seqno, mine + 3) << "slot " << s;
  }
}

TEST(OnlineMembership, StaleLegIsRebuiltInFullAndNeverPromoted) {
  Rig rig;
  rig.write_kernel_metadata({});
  rig.write_alone(0);  // leg 1 misses an update: stale
  auto legs = rig.assemble();
  ASSERT_TRUE(legs) << legs.error().message;
  EXPECT_EQ(legs->stale_slots(), (std::vector<uint32_t>{1}));
  EXPECT_EQ(legs->sb().legs[1].state, LegState::Rebuilding) << "rejoins as rebuilding before any commit";
  auto rep = activate_array(rig.dm, *legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_EQ(rep->plan.rebuild, (std::vector<uint32_t>{1}));
  EXPECT_NE(raid_params(rig.dm).find("rebuild 1"), std::string::npos);
  // On leg 1 itself: fresh now, but rebuilding from 0 - never in sync by a rewrite.
  auto own = read_leg(*rig.devs[1]);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->sb.seqno, legs->sb().seqno);
  EXPECT_EQ(own->sb.legs[1].state, LegState::Rebuilding);
  EXPECT_EQ(own->sb.legs[1].recovery_offset, 0u);
  EXPECT_TRUE(own->sb.legs[1].flags & legflag::kRebuildPassed);
  EXPECT_FALSE(own->sb.legs[1].flags & legflag::kRecoverFromJournal);
}

TEST(OnlineMembership, StaleLegsOldKernelMetadataIsNotImported) {
  Rig rig;
  // Leg 1's kernel metadata says it is mid-recovery at sector 96; it is stale.
  rig.write_kernel_metadata({}, UINT64_MAX, /*recovery_of_leg1=*/96);
  {
    auto l = rig.assemble({0});
    ASSERT_TRUE(l);
    l->edit().legs[1].state = LegState::Missing;
    l->edit().legs[1].state_seq = l->sb().seqno + 1;   // recorded by this commit, as the writers do
    l->edit().flags |= sbflag::kKernelOwnsSync | sbflag::kDirty;  // crashed while active, leg 1 away
    ASSERT_TRUE(l->commit());
  }
  auto legs = rig.assemble();
  ASSERT_TRUE(legs) << legs.error().message;
  auto rep = activate_array(rig.dm, *legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  ASSERT_TRUE(rep->imported);
  EXPECT_TRUE(rep->imported->rebuilding.empty()) << "a stale leg's recovery offset is not taken over";
  EXPECT_EQ(legs->sb().legs[1].recovery_offset, 0u);
  EXPECT_NE(raid_params(rig.dm).find("rebuild 1"), std::string::npos);
}

TEST(OnlineMembership, MissingLegIsRefusedWithoutDegradedAndWritesNothing) {
  Rig rig;
  rig.write_kernel_metadata({});
  const auto before = rig.snapshot();
  auto legs = rig.assemble({0});
  ASSERT_TRUE(legs) << legs.error().message;
  auto rep = activate_array(rig.dm, *legs, rig.numbers());
  ASSERT_FALSE(rep);
  EXPECT_EQ(rep.error().code, ErrorCode::Stale);
  EXPECT_NE(rep.error().message.find("slot 1 (leg uuid " + rig.sb.legs[1].uuid.str() + ")"), std::string::npos)
      << rep.error().message;
  EXPECT_NE(rep.error().message.find("--degraded"), std::string::npos);
  EXPECT_EQ(rig.dm.device_count(), 0u);
  EXPECT_EQ(rig.snapshot(), before) << "a refusal leaves every leg byte-identical";
}

// A leg rebuilding (a re-add part-way) and absent at a degraded start is
// missing too, not left rebuilding for the import to call failed.
TEST(OnlineMembership, DegradedStartRecordsAnAbsentRebuildingLegMissing) {
  Rig rig;
  rig.write_kernel_metadata({});
  {
    auto l = rig.assemble();
    ASSERT_TRUE(l);
    l->edit().legs[1].state = LegState::Rebuilding;
    l->edit().legs[1].recovery_offset = 4096;
    ASSERT_TRUE(l->commit());
  }
  auto legs = rig.assemble({0});
  ASSERT_TRUE(legs);
  auto rep = activate_array(rig.dm, *legs, rig.numbers(), ActivateOptions{.degraded = true});
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_EQ(rep->plan.missing, (std::vector<uint32_t>{1}));
  EXPECT_EQ(legs->sb().legs[1].state, LegState::Missing);
  EXPECT_TRUE(has_event(*rig.devs[0], legs->sb(), EventType::LegMissing, 1));
  rig.write_kernel_metadata({2}, /*failed_position=*/1);
  auto imp = import_kernel_state(*legs);
  ASSERT_TRUE(imp) << imp.error().message;
  EXPECT_TRUE(imp->failed.empty());
  EXPECT_EQ(legs->sb().legs[1].state, LegState::Missing);
}

TEST(OnlineMembership, DegradedStartRecordsTheLegMissingAndItIsRebuiltOnReturn) {
  Rig rig;
  rig.write_kernel_metadata({});
  {
    auto legs = rig.assemble({0});
    ASSERT_TRUE(legs);
    auto rep = activate_array(rig.dm, *legs, rig.numbers(), ActivateOptions{.degraded = true});
    ASSERT_TRUE(rep) << rep.error().message;
    EXPECT_EQ(rep->plan.missing, (std::vector<uint32_t>{1}));
    EXPECT_NE(raid_params(rig.dm).find(" - -"), std::string::npos);
    EXPECT_EQ(legs->sb().legs[1].state, LegState::Missing);
    EXPECT_TRUE(has_event(*rig.devs[0], legs->sb(), EventType::LegMissing, 1));
    // Deactivation's import: the kernel counted the "- -" position failed;
    // it stays missing, not failed.
    rig.write_kernel_metadata({2}, /*failed_position=*/1);
    auto imp = import_kernel_state(*legs);
    ASSERT_TRUE(imp) << imp.error().message;
    EXPECT_TRUE(imp->failed.empty());
    EXPECT_EQ(legs->sb().legs[1].state, LegState::Missing);
  }
  FakeDmControl dm;  // the first volume is gone
  auto legs = rig.assemble();
  ASSERT_TRUE(legs) << legs.error().message;
  EXPECT_EQ(legs->stale_slots(), (std::vector<uint32_t>{1}));
  auto rep = activate_array(dm, *legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_TRUE(rep->plan.missing.empty());
  EXPECT_EQ(rep->plan.rebuild, (std::vector<uint32_t>{1}));
  EXPECT_NE(dm.find("vol")->live[0].params.find("rebuild 1"), std::string::npos);
}

TEST(OnlineMembership, FailedLegIsLeftOutUnlessReAdded) {
  Rig rig;
  rig.write_kernel_metadata({});
  {
    auto legs = rig.legs();
    legs.edit().legs[1].state = LegState::Failed;
    ASSERT_TRUE(legs.commit());
  }
  const auto leg1 = rig.snapshot()[1];
  {
    auto legs = rig.legs();
    auto rep = activate_array(rig.dm, legs, rig.numbers());
    ASSERT_TRUE(rep) << rep.error().message;
    EXPECT_TRUE(rep->plan.rebuild.empty());
    EXPECT_EQ(rep->plan.left_out, (std::vector<uint32_t>{1}));
    EXPECT_TRUE(rep->plan.missing.empty()) << "failed is not missing: no --degraded needed";
    EXPECT_NE(raid_params(rig.dm).find(" - -"), std::string::npos);
    EXPECT_EQ(rig.snapshot()[1], leg1) << "nothing is written onto a failed leg";
  }
  FakeDmControl dm;
  rig.write_kernel_metadata({});
  auto legs = rig.legs();
  legs.edit().flags &= ~sbflag::kKernelOwnsSync;  // as if deactivated
  ASSERT_TRUE(legs.commit());
  auto rep = activate_array(dm, legs, rig.numbers(), ActivateOptions{.re_add = true});
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_NE(dm.find("vol")->live[0].params.find("rebuild 1"), std::string::npos);
  EXPECT_EQ(legs.sb().legs[1].state, LegState::Rebuilding);
  EXPECT_TRUE(legs.sb().legs[1].flags & legflag::kRebuildPassed);
}

TEST(OnlineMembership, SplitBrainIsRefusedNamingBothLegsAndWritesNothing) {
  Rig rig;
  rig.write_kernel_metadata({});
  rig.write_alone(0);
  rig.write_alone(1);
  const auto before = rig.snapshot();
  auto legs = rig.assemble();
  ASSERT_FALSE(legs);
  EXPECT_EQ(legs.error().code, ErrorCode::SplitBrain);
  EXPECT_NE(legs.error().message.find("mem:leg0"), std::string::npos) << legs.error().message;
  EXPECT_NE(legs.error().message.find("mem:leg1"), std::string::npos);
  EXPECT_NE(legs.error().message.find("--from"), std::string::npos);
  EXPECT_EQ(rig.snapshot(), before);
  EXPECT_EQ(rig.dm.device_count(), 0u);
}

TEST(OnlineMembership, SplitBrainChoiceActivatesFromTheChosenLegAndIsRecorded) {
  Rig rig;
  rig.write_kernel_metadata({});
  rig.write_alone(0);
  rig.write_alone(1);
  auto legs = rig.assemble({0, 1}, ArrayLegsOptions{.choose_slot = 1, .rejoin_stale = true});
  ASSERT_TRUE(legs) << legs.error().message;
  EXPECT_EQ(legs->stale_slots(), (std::vector<uint32_t>{0}));
  auto rep = activate_array(rig.dm, *legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_EQ(rep->plan.rebuild, (std::vector<uint32_t>{0}));
  EXPECT_NE(raid_params(rig.dm).find("rebuild 0"), std::string::npos);
  EXPECT_EQ(legs->sb().legs[1].state, LegState::InSync);
  for (uint32_t s = 0; s < 2; ++s)
    EXPECT_TRUE(has_event(*rig.devs[s], legs->sb(), EventType::SplitBrainResolved, 1)) << "on leg " << s;
}

TEST(OnlineMembership, FromWithoutASplitBrainMustNameAnInSyncLeg) {
  Rig rig;
  rig.write_alone(0);  // leg 1 stale
  auto bad = rig.assemble({0, 1}, ArrayLegsOptions{.choose_slot = 1, .rejoin_stale = true});
  ASSERT_FALSE(bad);
  // A slot of the array that cannot serve: a refusal (exit 8), not a usage error.
  EXPECT_EQ(bad.error().code, ErrorCode::Refused);
  // A slot the array does not have is a usage error.
  auto none = rig.assemble({0, 1}, ArrayLegsOptions{.choose_slot = 9, .rejoin_stale = true});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::InvalidArgument);
  EXPECT_TRUE(rig.assemble({0, 1}, ArrayLegsOptions{.choose_slot = 0, .rejoin_stale = true}));
}

TEST(OnlineMembership, ForeignAndDuplicateLegsAreRefused) {
  Rig rig;
  Rig other;
  std::vector<NamedDevice> named;
  named.push_back(NamedDevice{"a", std::make_unique<DeviceWrapper>(rig.devs[0].get())});
  named.push_back(NamedDevice{"b", std::make_unique<DeviceWrapper>(rig.devs[0].get())});
  auto dup = ArrayLegs::assemble(std::move(named), ArrayLegsOptions{.rejoin_stale = true});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::InvalidArgument);
  std::vector<NamedDevice> mixed;
  mixed.push_back(NamedDevice{"a", std::make_unique<DeviceWrapper>(rig.devs[0].get())});
  mixed.push_back(NamedDevice{"b", std::make_unique<DeviceWrapper>(rig.devs[1].get())});
  mixed.push_back(NamedDevice{"x", std::make_unique<DeviceWrapper>(other.devs[0].get())});
  auto foreign = ArrayLegs::assemble(std::move(mixed), ArrayLegsOptions{.rejoin_stale = true});
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("x is a leg of array"), std::string::npos) << foreign.error().message;
}

}  // namespace
}  // namespace dmirror::dm
