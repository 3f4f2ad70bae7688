// SPDX-License-Identifier: LGPL-2.1-or-later
// plan_create / create_array on image files: every refusal happens before
// anything is written, and a created array reads back as planned.
#include <dmirror/array.h>
#include <dmirror/journal.h>

#include "support/scratch.h"
#include "support/sizes.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace dmirror {
namespace {

using testing::read_file;
using testing::ScratchDir;

struct Fixture {
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);
  CreateOptions opts(std::vector<std::string> legs) const {
    CreateOptions o;
    o.name = "vol0";
    o.legs = std::move(legs);
    return o;
  }
};

TEST(RegionSize, DefaultAndValidation) {
  EXPECT_EQ(default_region_size(56 * kMiB), 4 * kMiB);
  EXPECT_EQ(default_region_size(uint64_t{16} << 40), uint64_t{8} * kMiB);
  EXPECT_TRUE(validate_region_size(64 * 1024, 56 * kMiB, 512));
  auto npot = validate_region_size(3 * 4096, 56 * kMiB, 512);
  ASSERT_FALSE(npot);
  EXPECT_NE(npot.error().message.find("not a power of two"), std::string::npos);
  EXPECT_FALSE(validate_region_size(2048, 56 * kMiB, 512));
  EXPECT_FALSE(validate_region_size(8192, 56 * kMiB, 16384));
  EXPECT_FALSE(validate_region_size(64 * kMiB, 56 * kMiB, 512));
  EXPECT_FALSE(validate_region_size(4096, uint64_t{1} << 40, 512));
}

TEST(PlanCreate, ComputesLayoutAndRegions) {
  Fixture f;
  auto plan = plan_create(f.opts({f.a, f.b}));
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(plan->layout.data_offset, kDataOffset);
  // 64 MiB legs: 8 MiB of metadata, 64 KiB at the end for superblock copy
  // 2, the data area rounded down to 1 MiB.
  EXPECT_EQ(plan->layout.data_size, 55 * kMiB);
  EXPECT_EQ(plan->region_size, 4 * kMiB);
  EXPECT_EQ(plan->nr_regions, 14u);
  EXPECT_EQ(plan->legs.size(), 2u);
  EXPECT_TRUE(plan->warnings.empty());
}

TEST(PlanCreate, UnevenLegsWarnAndUseTheSmallest) {
  Fixture f;
  auto c = f.dir.make_image("c.img", 100 * kMiB + 12345);
  auto plan = plan_create(f.opts({f.a, c}));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->layout.data_size, 55 * kMiB);
  ASSERT_EQ(plan->warnings.size(), 1u);
  EXPECT_EQ(plan->warnings[0].severity, Severity::Warning);
  EXPECT_NE(plan->warnings[0].message.find(c), std::string::npos);
}

TEST(PlanCreate, Refusals) {
  Fixture f;
  auto tiny = f.dir.make_image("tiny.img", 8 * kMiB);
  std::string link = f.dir.path() + "/link";
  ASSERT_EQ(::symlink(f.a.c_str(), link.c_str()), 0);
  struct Case {
    CreateOptions o;
    ErrorCode code;
    std::string says;
  };
  CreateOptions bad_name = f.opts({f.a, f.b});
  bad_name.name = "a/b";
  CreateOptions bad_region = f.opts({f.a, f.b});
  bad_region.region_size = 12288;
  CreateOptions bad_wm = f.opts({f.a, f.b});
  bad_wm.write_mostly = {2};
  Case cases[] = {
      {f.opts({f.a}), ErrorCode::InvalidArgument, "at least 2 legs"},
      {f.opts({f.a, f.a}), ErrorCode::InvalidArgument, "are the same storage"},
      {f.opts({f.a, link}), ErrorCode::InvalidArgument, f.a + " and " + link + " are the same storage"},
      {f.opts({f.a, tiny}), ErrorCode::TooSmall, "needs at least 9.06 MiB"},
      {f.opts({f.a, f.dir.path() + "/missing"}), ErrorCode::NotFound, "no such file or device"},
      {bad_name, ErrorCode::InvalidArgument, "'/'"},
      {bad_region, ErrorCode::InvalidArgument, "power of two"},
      {bad_wm, ErrorCode::InvalidArgument, "write-mostly slot 2"},
  };
  for (const auto& c : cases) {
    auto plan = plan_create(c.o);
    ASSERT_FALSE(plan) << c.says;
    EXPECT_EQ(plan.error().code, c.code) << plan.error().describe();
    EXPECT_NE(plan.error().message.find(c.says), std::string::npos) << plan.error().message;
  }
}

TEST(CreateArray, WritesEveryLegAndRefusesToReuseThem) {
  Fixture f;
  CreateOptions o = f.opts({f.a, f.b});
  o.write_mostly = {1};
  auto plan = plan_create(o);
  ASSERT_TRUE(plan);
  auto created = create_array(*plan, o);
  ASSERT_TRUE(created) << created.error().describe();
  const Superblock& sb = created->sb;
  EXPECT_EQ(sb.name, "vol0");
  EXPECT_EQ(sb.seqno, 1u);
  EXPECT_EQ(sb.nr_legs, 2u);
  EXPECT_EQ(sb.resync_offset, 0u);
  EXPECT_TRUE(sb.legs[1].flags & legflag::kWriteMostly);

  for (uint32_t slot = 0; slot < 2; ++slot) {
    auto dev = open_device(slot == 0 ? f.a : f.b, OpenOptions{.writable = false});
    ASSERT_TRUE(dev);
    auto meta = read_leg(**dev);
    ASSERT_TRUE(meta) << meta.error().describe();
    EXPECT_TRUE(meta->copies_agree());
    EXPECT_EQ(meta->sb.slot, slot);
    EXPECT_EQ(meta->sb.array_uuid, sb.array_uuid);
    EXPECT_EQ(meta->sb.leg_uuid, sb.legs[slot].uuid);
    auto journal = WriteIntentJournal::load(**dev, meta->sb);
    ASSERT_TRUE(journal);
    EXPECT_EQ(journal->dirty_count(), 0u);
    auto events = read_events(**dev, meta->sb);
    ASSERT_TRUE(events);
    ASSERT_EQ(events->events.size(), 1u);
    EXPECT_EQ(events->events[0].type, EventType::Created);
  }

  const std::string before = read_file(f.a);
  auto again = plan_create(f.opts({f.a, f.b}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Exists);
  EXPECT_NE(again.error().message.find("is already leg 0 of array 'vol0'"), std::string::npos);
  EXPECT_NE(again.error().message.find("--force"), std::string::npos);
  EXPECT_EQ(read_file(f.a), before);

  CreateOptions forced = f.opts({f.a, f.b});
  forced.force = true;
  forced.assume_clean = true;
  auto replan = plan_create(forced);
  ASSERT_TRUE(replan);
  ASSERT_TRUE(replan->legs[0].old_membership);
  auto recreated = create_array(*replan, forced);
  ASSERT_TRUE(recreated);
  EXPECT_NE(recreated->sb.array_uuid, sb.array_uuid);
  EXPECT_EQ(recreated->sb.resync_offset, kOffsetInSync);
  EXPECT_TRUE(recreated->sb.has_flag(sbflag::kAssumeClean));
}

}  // namespace
}  // namespace dmirror
