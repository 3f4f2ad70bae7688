// SPDX-License-Identifier: LGPL-2.1-or-later
// assemble_paths() (probe_path + the one assembly) and scan_legs() on image
// files: healthy, resync pending, degraded (missing, stale), a damaged
// superblock copy and foreign legs. The rules themselves are tested on
// probes without devices by the assembly's own tests.
#include <dmirror/array.h>
#include <dmirror/assembly.h>

#include "support/scratch.h"
#include "support/sizes.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

namespace dmirror {
namespace {

using testing::ScratchDir;

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
};

TEST(AssemblePaths, HealthyArray) {
  Created c;
  auto v = assemble_paths(c.legs);
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(v->health, Health::Healthy);
  EXPECT_EQ(v->sb.array_uuid, c.sb.array_uuid);
  ASSERT_EQ(v->slots.size(), 2u);
  EXPECT_EQ(v->slots[0].leg, 0);
  EXPECT_EQ(v->slots[1].leg, 1);
  EXPECT_EQ(v->slots[1].state, SlotState::InSync);
  EXPECT_FALSE(v->degraded || v->resync_pending || v->inconsistent);
  EXPECT_TRUE(v->findings.empty());
  ASSERT_EQ(v->events.events.size(), 1u);
}

TEST(AssemblePaths, LegsInAnyOrderMapToTheirSlots) {
  Created c(3);
  auto v = assemble_paths({c.legs[2], c.legs[0], c.legs[1]});
  ASSERT_TRUE(v);
  ASSERT_EQ(v->slots.size(), 3u);
  EXPECT_EQ(v->slots[0].leg, 1);
  EXPECT_EQ(v->slots[1].leg, 2);
  EXPECT_EQ(v->slots[2].leg, 0);
  EXPECT_EQ(v->health, Health::Healthy);
}

TEST(AssemblePaths, InitialSyncIsResyncPendingNotDegraded) {
  Created c(2, false);
  auto v = assemble_paths(c.legs);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->health, Health::ResyncPending);
  EXPECT_TRUE(v->resync_pending);
  EXPECT_TRUE(v->initial_sync);
  EXPECT_FALSE(v->degraded);
}

TEST(AssemblePaths, MissingLegIsDegraded) {
  Created c;
  std::remove(c.legs[1].c_str());
  auto v = assemble_paths(c.legs);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->health, Health::Degraded);
  EXPECT_TRUE(v->degraded);
  EXPECT_EQ(v->slots[1].leg, -1);
  EXPECT_EQ(v->slots[1].state, SlotState::Missing);
  EXPECT_EQ(v->legs[1].disposition, Disposition::Unreadable);
  EXPECT_TRUE(v->legs[1].error);
}

TEST(AssemblePaths, StaleLegIsDegraded) {
  Created c;
  auto dev = open_device(c.legs[0]);
  ASSERT_TRUE(dev);
  auto meta = read_leg(**dev);
  ASSERT_TRUE(meta);
  Superblock sb = meta->sb;
  sb.seqno = 2;
  ASSERT_TRUE(write_superblocks(**dev, sb));
  auto v = assemble_paths(c.legs);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sb.seqno, 2u);
  EXPECT_EQ(v->slots[1].state, SlotState::Stale);
  EXPECT_NE(v->slots[1].recovery, Recovery::None);
  EXPECT_EQ(v->health, Health::Degraded);
}

TEST(AssemblePaths, DamagedSuperblockCopyIsAFindingNamingTheLeg) {
  Created c;
  c.overwrite(c.legs[0], kSuperblockOffset[1] + 100, 64, 'x');
  auto v = assemble_paths(c.legs);
  ASSERT_TRUE(v);
  bool found = false;
  for (const auto& f : v->findings) found |= f.leg == c.legs[0] && f.severity >= Severity::Warning;
  EXPECT_TRUE(found);
}

TEST(AssemblePaths, NoLegAtAllIsAnError) {
  ScratchDir dir;
  auto blank = dir.make_image("blank.img", 16 * kMiB);
  auto v = assemble_paths({blank});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::NotDmirror);
}

TEST(AssemblePaths, ForeignLegIsReportedNotCounted) {
  Created c;
  Created other(2, true, "other");
  auto v = assemble_paths({c.legs[0], c.legs[1], other.legs[0]});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->sb.array_uuid, c.sb.array_uuid);
  EXPECT_EQ(v->legs[2].disposition, Disposition::Foreign);
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
