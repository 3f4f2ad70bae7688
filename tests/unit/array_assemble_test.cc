// SPDX-License-Identifier: LGPL-2.1-or-later
// assemble() and scan_legs() on image files: healthy, degraded (missing,
// stale, resync pending), inconsistent (damaged copy) and foreign legs.
#include <dmirror/array.h>

#include "support/scratch.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

namespace dmirror {
namespace {

using testing::ScratchDir;

constexpr uint64_t kMiB = 1024 * 1024;

struct Created {
  ScratchDir dir;
  std::vector<std::string> legs;
  Superblock sb;
  explicit Created(int n = 2, bool assume_clean = true, std::string name = "vol0") {
    for (int i = 0; i < n; ++i) legs.push_back(dir.make_image("leg" + std::to_string(i) + ".img", 32 * kMiB));
    CreateOptions o;
    o.name = std::move(name);
    o.legs = legs;
    o.assume_clean = assume_clean;
    auto plan = plan_create(o);
    EXPECT_TRUE(plan) << plan.error().describe();
    auto c = create_array(*plan, o);
    EXPECT_TRUE(c) << c.error().describe();
    sb = c->sb;
  }
  void overwrite(const std::string& path, uint64_t offset, size_t len, char byte) {
    auto dev = open_device(path);
    ASSERT_TRUE(dev);
    std::vector<std::byte> junk(len, static_cast<std::byte>(byte));
    ASSERT_TRUE((*dev)->write(offset, junk));
  }
  bool has_finding(const ArrayView& v, const std::string& code) {
    for (const auto& f : v.findings) if (f.code == code) return true;
    return false;
  }
};

TEST(Assemble, HealthyArray) {
  Created c;
  auto v = assemble(c.legs);
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(v->health, Health::Healthy);
  EXPECT_EQ(v->sb.array_uuid, c.sb.array_uuid);
  ASSERT_EQ(v->slot_to_leg.size(), 2u);
  EXPECT_EQ(v->slot_to_leg[0], 0);
  EXPECT_EQ(v->slot_to_leg[1], 1);
  EXPECT_TRUE(v->findings.empty());
  ASSERT_EQ(v->events.events.size(), 1u);
}

TEST(Assemble, LegsInAnyOrderMapToTheirSlots) {
  Created c(3);
  auto v = assemble({c.legs[2], c.legs[0], c.legs[1]});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->slot_to_leg, (std::vector<int>{1, 2, 0}));
  EXPECT_EQ(v->health, Health::Healthy);
}

TEST(Assemble, ResyncPendingIsDegraded) {
  Created c(2, false);
  auto v = assemble(c.legs);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->health, Health::Degraded);
  EXPECT_TRUE(c.has_finding(*v, "resync-pending"));
}

TEST(Assemble, MissingLegIsDegraded) {
  Created c;
  std::remove(c.legs[1].c_str());
  auto v = assemble(c.legs);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->health, Health::Degraded);
  EXPECT_EQ(v->slot_to_leg[1], -1);
  EXPECT_TRUE(v->legs[1].error);
  EXPECT_TRUE(c.has_finding(*v, "leg-missing"));
}

TEST(Assemble, StaleLegIsDegraded) {
  Created c;
  auto dev = open_device(c.legs[0]);
  ASSERT_TRUE(dev);
  auto meta = read_leg(**dev);
  ASSERT_TRUE(meta);
  Superblock sb = meta->sb;
  sb.seqno = 2;
  ASSERT_TRUE(write_superblocks(**dev, sb));
  auto v = assemble(c.legs);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sb.seqno, 2u);
  EXPECT_TRUE(v->legs[1].stale);
  EXPECT_EQ(v->health, Health::Degraded);
  EXPECT_TRUE(c.has_finding(*v, "leg-stale"));
}

TEST(Assemble, DamagedSuperblockCopyIsInconsistent) {
  Created c;
  c.overwrite(c.legs[0], kSuperblockOffset[1] + 100, 64, 'x');
  auto v = assemble(c.legs);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->health, Health::Inconsistent);
  bool found = false;
  for (const auto& f : v->findings) found |= f.leg == c.legs[0] && f.severity >= Severity::Warning;
  EXPECT_TRUE(found);
}

TEST(Assemble, NoLegAtAllIsAnError) {
  ScratchDir dir;
  auto blank = dir.make_image("blank.img", 16 * kMiB);
  auto v = assemble({blank});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::NotDmirror);
}

TEST(Assemble, ForeignLegIsReportedNotCounted) {
  Created c;
  Created other(2, true, "other");
  auto v = assemble({c.legs[0], c.legs[1], other.legs[0]});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sb.array_uuid, c.sb.array_uuid);
  EXPECT_TRUE(v->legs[2].foreign);
  EXPECT_EQ(v->health, Health::Healthy);
}

TEST(ScanLegs, FindsGivenFilesOnce) {
  Created c;
  ScratchDir dir;
  auto blank = dir.make_image("blank.img", 16 * kMiB);
  auto found = scan_legs({c.legs[0], c.legs[1], blank, c.legs[0]});
  ASSERT_TRUE(found) << found.error().describe();
  int ours = 0;
  for (const auto& f : *found) ours += f.meta.sb.array_uuid == c.sb.array_uuid ? 1 : 0;
  EXPECT_EQ(ours, 2);
}

}  // namespace
}  // namespace dmirror
