// SPDX-License-Identifier: LGPL-2.1-or-later
// apply_settings() (settings.h): the checks shared by the offline commit
// and the online reload, on a superblock in memory. A refused change
// leaves the superblock exactly as it was.
#include "support/canonical.h"

#include <dmirror/settings.h>

#include <gtest/gtest.h>

#include <cstring>

namespace dmirror {
namespace {

Superblock three_legs() {
  Superblock sb = testing::canonical_superblock();
  sb.nr_legs = 4;
  for (uint32_t s = 0; s < 3; ++s) {
    sb.legs[s].state = LegState::InSync;
    sb.legs[s].flags = 0;
  }
  sb.legs[3].state = LegState::Removed;
  sb.kernel = KernelOptions{};
  return sb;
}

bool same(const Superblock& a, const Superblock& b) {
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (a.legs[s].flags != b.legs[s].flags || a.legs[s].state != b.legs[s].state) return false;
  return a.kernel.min_recovery_rate == b.kernel.min_recovery_rate &&
         a.kernel.max_recovery_rate == b.kernel.max_recovery_rate &&
         a.kernel.max_write_behind == b.kernel.max_write_behind;
}

TEST(ApplySettings, MarksAndUnmarksAndSaysWhatChanged) {
  Superblock sb = three_legs();
  auto r = apply_settings(sb, SettingsChange{.write_mostly = {{1, true}}, .max_recovery_rate = 51200});
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], "slot 1 write-mostly");
  EXPECT_EQ((*r)[1], "maximum recovery rate 50 MiB/s (was kernel default)");
  EXPECT_TRUE(sb.legs[1].flags & legflag::kWriteMostly);
  EXPECT_EQ(sb.kernel.max_recovery_rate, 51200u);
  // Other leg flags are kept.
  sb.legs[1].flags |= legflag::kRebuildPassed;
  r = apply_settings(sb, SettingsChange{.write_mostly = {{1, false}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(sb.legs[1].flags, legflag::kRebuildPassed);
  // The same again: nothing to change.
  r = apply_settings(sb, SettingsChange{.write_mostly = {{1, false}}, .max_recovery_rate = 51200});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(ApplySettings, RefusalsLeaveTheSuperblockAlone) {
  Superblock sb = three_legs();
  sb.legs[0].flags = legflag::kWriteMostly;
  sb.kernel.max_recovery_rate = 1024;
  const Superblock before = sb;
  struct Case {
    SettingsChange change;
    ErrorCode code;
    const char* says;
  };
  const Case cases[] = {
      {{.write_mostly = {{3, true}}}, ErrorCode::InvalidArgument, "has no leg in slot 3"},
      {{.write_mostly = {{9, true}}}, ErrorCode::InvalidArgument, "has no leg in slot 9"},
      {{.write_mostly = {{1, true}, {1, false}}}, ErrorCode::InvalidArgument, "given both"},
      {{.write_mostly = {{1, true}, {2, true}}}, ErrorCode::Refused, "every in-sync leg"},
      {{.min_recovery_rate = 2048}, ErrorCode::InvalidArgument, "would be above the maximum"},
      {{.max_recovery_rate = kMaxRecoveryRate + 1}, ErrorCode::InvalidArgument, "above the kernel's limit"},
  };
  for (const auto& c : cases) {
    auto r = apply_settings(sb, c.change);
    ASSERT_FALSE(r) << c.says;
    EXPECT_EQ(r.error().code, c.code) << c.says;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
    EXPECT_TRUE(same(sb, before)) << c.says;
  }
}

TEST(ApplySettings, FailedAndMissingLegsMayBeMarkedButNotTheLastReader) {
  Superblock sb = three_legs();
  sb.legs[1].state = LegState::Failed;
  sb.legs[2].state = LegState::Missing;
  ASSERT_TRUE(apply_settings(sb, SettingsChange{.write_mostly = {{1, true}, {2, true}}}));
  auto r = apply_settings(sb, SettingsChange{.write_mostly = {{0, true}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Refused);
  // Unmarking is always allowed; a max of 0 unsets it, leaving any min.
  sb.kernel = {0, 2048, 4096};
  ASSERT_TRUE(apply_settings(sb, SettingsChange{.write_mostly = {{1, false}}, .max_recovery_rate = 0}));
  EXPECT_EQ(sb.kernel.max_recovery_rate, 0u);
  EXPECT_EQ(sb.kernel.min_recovery_rate, 2048u);
}

}  // namespace
}  // namespace dmirror
