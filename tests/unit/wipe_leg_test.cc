// SPDX-License-Identifier: LGPL-2.1-or-later
// plan_wipe() / wipe_leg() on in-memory legs: the areas the superblock
// records are zeroed and nothing else (the data area keeps its bytes);
// a leg of an active volume is refused even with --force; a leg holding
// its array's data needs --force; a device without metadata has nothing to
// wipe.
#include "support/test_array.h"

#include <dmirror/leg.h>
#include <dmirror/wipe.h>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace dmirror::testing {
namespace {

class WipeLeg : public ::testing::Test {
 protected:
  TestArrayOptions opts;
  std::unique_ptr<BlockDevice> a = make_mem_device(test_leg_size(opts), "a");
  std::unique_ptr<BlockDevice> b = make_mem_device(test_leg_size(opts), "b");
  std::vector<std::byte> payload = std::vector<std::byte>(opts.data_size, std::byte{0x5a});

  void SetUp() override {
    BlockDevice* legs[] = {a.get(), b.get()};
    ASSERT_TRUE(format_test_array(legs, opts));
    ASSERT_TRUE(b->write(kTestDataOffset, payload));
  }
  std::vector<std::byte> bytes(BlockDevice& d, uint64_t offset, uint64_t n) {
    std::vector<std::byte> out(n);
    EXPECT_TRUE(d.read(offset, out));
    return out;
  }
};

TEST_F(WipeLeg, ForcedWipeZeroesTheMetadataAreasAndKeepsTheData) {
  auto meta = read_leg(*b);
  ASSERT_TRUE(meta);
  const Layout l = meta->sb.layout;
  auto plan = plan_wipe(*b, "", WipeOptions{.force = true});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->slot, 1u);
  EXPECT_EQ(plan->state, LegState::InSync);
  EXPECT_EQ(plan->bytes(), 2 * kSuperblockSize + l.journal_size + l.events_size + l.kmeta_size);
  ASSERT_TRUE(wipe_leg(*b, *plan));
  auto after = read_leg(*b);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::NotDmirror);
  for (const auto& ar : plan->areas)
    EXPECT_EQ(bytes(*b, ar.offset, ar.length), std::vector<std::byte>(ar.length)) << ar.what;
  EXPECT_EQ(bytes(*b, kTestDataOffset, opts.data_size), payload);
  // The other leg is untouched and still valid.
  EXPECT_TRUE(read_leg(*a));
}

TEST_F(WipeLeg, AnInSyncLegNeedsForce) {
  auto plan = plan_wipe(*b, "", WipeOptions{});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::Refused);
  EXPECT_NE(plan.error().message.find("holds the data of array 'test'"), std::string::npos) << plan.error().message;
}

TEST_F(WipeLeg, ALegOfAnActiveVolumeIsRefusedEvenWithForce) {
  auto plan = plan_wipe(*b, "", WipeOptions{.force = true, .active_volume = "test"});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::Busy);
  EXPECT_NE(plan.error().message.find("deactivate it first (dmirrorctl deactivate test)"), std::string::npos)
      << plan.error().message;
}

TEST_F(WipeLeg, ADeviceWithoutMetadataHasNothingToWipe) {
  auto blank = make_mem_device(test_leg_size(opts), "blank");
  auto refused = plan_wipe(*blank, "", WipeOptions{});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::NotDmirror);
  auto plan = plan_wipe(*blank, "", WipeOptions{.force = true});
  ASSERT_TRUE(plan);
  EXPECT_FALSE(plan->has_metadata);
  EXPECT_EQ(plan->bytes(), 0u);
}

}  // namespace
}  // namespace dmirror::testing
