// SPDX-License-Identifier: LGPL-2.1-or-later
// The boot path's decisions: the boot policy as read from the superblock
// (dmirror/boot_policy.h) and decide_last_resort() on assemblies of legs as
// the writers leave them (tools/dmirrorctl/last_resort_decision.h).
#include <dmirror/assembly.h>
#include <dmirror/boot_policy.h>

#include <gtest/gtest.h>

#include "last_resort_decision.h"
#include "unit/assembly_probes.h"

namespace dmirror::cli {
namespace {

// A 2-leg array at `seqno`, in sync, without GENERATION (rule 6 decides
// splits), with the default boot policy.
Superblock array_sb(uint64_t seqno) {
  Superblock sb = dmirror::array_sb(2, seqno);
  sb.degraded_timeout = 0;
  return sb;
}

LastResortDecision decide(const std::vector<LegProbe>& probes) {
  auto a = assemble_array(probes);
  EXPECT_TRUE(a) << a.error().describe();
  return decide_last_resort(*a);
}

TEST(BootPolicy, ReadsTheFieldOnlyWithItsBit) {
  Superblock sb = array_sb(5);
  EXPECT_EQ(degraded_timeout(sb), 30u);   // 0: the default, as mdadm's last-resort timer
  sb.degraded_timeout = 90;
  EXPECT_EQ(degraded_timeout(sb), 90u);
  sb.degraded_timeout = kDegradedTimeoutNever;
  EXPECT_EQ(degraded_timeout(sb), std::nullopt);
  sb.compat &= ~feature::kCompatBootPolicy;   // an old writer cleared the bit
  EXPECT_EQ(degraded_timeout(sb), 30u);
}

TEST(BootPolicy, ParsesSecondsNeverAndDefault) {
  EXPECT_EQ(*parse_degraded_timeout("45"), 45u);
  EXPECT_EQ(*parse_degraded_timeout("never"), kDegradedTimeoutNever);
  EXPECT_EQ(*parse_degraded_timeout("default"), 0u);
  EXPECT_EQ(*parse_degraded_timeout("4294967294"), 4294967294u);
  for (const char* bad : {"", "0", "-1", "30s", "4294967295", "99999999999", "Never", " 5"}) {
    auto r = parse_degraded_timeout(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument) << bad;
    EXPECT_NE(r.error().message.find("'never'"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(degraded_timeout_text(0), "30 s (default)");
  EXPECT_EQ(degraded_timeout_text(45), "45 s");
  EXPECT_EQ(degraded_timeout_text(kDegradedTimeoutNever), "never");
}

TEST(LastResort, ActivatesAnArrayWithEveryLeg) {
  const Superblock sb = array_sb(7);
  EXPECT_EQ(decide({leg(sb, 0), leg(sb, 1)}).verdict, LastResortVerdict::Activate);
}

TEST(LastResort, ActivatesDegradedWhenAnInSyncLegIsPresent) {
  const Superblock sb = array_sb(7);
  auto a = assemble_array({leg(sb, 1)});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->degraded);
  EXPECT_EQ(decide_last_resort(*a).verdict, LastResortVerdict::Activate);
}

TEST(LastResort, RefusesWhenThePolicyIsNever) {
  Superblock sb = array_sb(7);
  sb.degraded_timeout = kDegradedTimeoutNever;
  const auto d = decide({leg(sb, 0)});
  EXPECT_EQ(d.verdict, LastResortVerdict::Never);
  EXPECT_EQ(d.code, ErrorCode::Refused);
  EXPECT_NE(d.why.find("activate --degraded"), std::string::npos) << d.why;
}

TEST(LastResort, RefusesASplitBrain) {
  // Each leg was written while the other was absent (each table records
  // the other missing): neither side is started.
  Superblock a = array_sb(8), b = array_sb(8);
  a.legs[1].state = LegState::Missing;
  a.legs[1].state_seq = 8;
  b.legs[0].state = LegState::Missing;
  b.legs[0].state_seq = 8;
  const auto d = decide({leg(a, 0), leg(b, 1)});
  EXPECT_EQ(d.verdict, LastResortVerdict::SplitBrain);
  EXPECT_EQ(d.code, ErrorCode::SplitBrain);
  EXPECT_NE(d.why.find("--from"), std::string::npos) << d.why;
}

TEST(LastResort, RefusesWithoutAnInSyncLeg) {
  // Only a leg that was being rebuilt is there: the data is not all there.
  Superblock sb = array_sb(7);
  sb.legs[1].state = LegState::Rebuilding;
  sb.legs[1].recovery_offset = 0;
  const auto d = decide({leg(sb, 1)});
  EXPECT_EQ(d.verdict, LastResortVerdict::NoInSyncLeg);
  EXPECT_EQ(d.code, ErrorCode::Stale);
  EXPECT_NE(d.why.find("no in-sync leg"), std::string::npos) << d.why;
}

}  // namespace
}  // namespace dmirror::cli
