// SPDX-License-Identifier: LGPL-2.1-or-later
// `set --spare-takeover auto|off` (compat SPARE_POLICY, spare_policy.h) and
// `set --degraded-timeout` (compat BOOT_POLICY, boot_policy.h) offline on
// image files: one commit on every leg, shown by status (text and JSON) and
// examine; the bit is carried only while the spare policy is not the
// default; every refusal names what was wrong and leaves every leg
// byte-identical.
#include "cli/bad_input_util.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>
#include <dmirror/spare_policy.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dmirror::testing {
namespace {

class SettingsPolicy : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB), b = dir.make_image("b.img", 64 * kMiB),
              c = dir.make_image("c.img", 64 * kMiB);

  void SetUp() override {
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--no-activate", "--assume-clean"}).exit_code, 0);
    ASSERT_EQ(run_tool({"add", a, b, "--new", c, "--spare"}).exit_code, 0);
  }
  static Superblock superblock(const std::string& leg) {
    auto dev = open_device(leg, OpenOptions{.writable = false, .exclusive = false});
    EXPECT_TRUE(dev);
    auto m = read_leg(**dev);
    EXPECT_TRUE(m) << m.error().describe();
    return m ? m->sb : Superblock{};
  }
  nlohmann::json settings() {
    auto st = run_tool({"--json", "status", a, b, c});
    EXPECT_EQ(st.exit_code, 0) << st.out << st.err;
    return nlohmann::json::parse(st.out)["settings"];
  }
};

TEST_F(SettingsPolicy, SpareTakeoverOffIsRecordedOnEveryMemberAndShown) {
  EXPECT_EQ(settings()["spare_takeover"], "auto");
  const uint64_t seq = superblock(a).seqno;
  auto r = run_tool({"set", a, b, "--spare-takeover", "off"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "spare take-over off (was auto)")) << r.out;
  for (const auto& leg : {a, b}) {
    const Superblock sb = superblock(leg);
    EXPECT_EQ(sb.seqno, seq + 1) << leg << ": one commit";
    EXPECT_NE(sb.compat & feature::kCompatSparePolicy, 0u) << leg;
    EXPECT_EQ(sb.spare_takeover, 1u) << leg;
    EXPECT_EQ(spare_policy(sb), SparePolicy::Off) << leg;
  }
  EXPECT_EQ(settings()["spare_takeover"], "off");
  auto txt = run_tool({"status", a, b, c});
  EXPECT_TRUE(contains(txt.out, "Spares:      take-over off")) << txt.out;
  // The same again changes nothing and writes nothing.
  LegSnapshot before({a, b, c});
  auto again = run_tool({"set", a, b, "--spare-takeover", "off"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.out, "nothing to change")) << again.out;
  before.expect_unchanged();
  // Back to the default: the bit goes with it.
  ASSERT_EQ(run_tool({"set", a, b, "--spare-takeover", "auto"}).exit_code, 0);
  const Superblock sb = superblock(b);
  EXPECT_EQ(sb.compat & feature::kCompatSparePolicy, 0u);
  EXPECT_EQ(sb.spare_takeover, 0u);
  EXPECT_EQ(settings()["spare_takeover"], "auto");
}

TEST_F(SettingsPolicy, ABadSpareTakeoverIsAUsageErrorThatWritesNothing) {
  auto r = expect_refused({"set", a, b, "--spare-takeover", "maybe"}, 16,
                          "spare take-over 'maybe' is not valid: give 'auto'", {a, b, c});
  EXPECT_TRUE(contains(r.err, "'off'")) << r.err;
  // A member absent: refused unless --degraded (the commit would record it missing).
  expect_refused({"set", a, "--spare-takeover", "off"}, 8, "--degraded", {a, b, c});
}

TEST_F(SettingsPolicy, DegradedTimeoutIsSetShownAndRefusedWhenBad) {
  auto r = run_tool({"set", a, b, "--degraded-timeout", "90"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "degraded timeout 90 s (was 30 s (default))")) << r.out;
  EXPECT_EQ(superblock(a).degraded_timeout, 90u);
  EXPECT_EQ(superblock(b).degraded_timeout, 90u);
  EXPECT_EQ(settings()["degraded_timeout"], 90);
  auto ex = run_tool({"examine", a});
  EXPECT_TRUE(contains(ex.out, "Degraded boot: after 90 s when legs are missing")) << ex.out;
  ASSERT_EQ(run_tool({"set", a, b, "--degraded-timeout", "never"}).exit_code, 0);
  EXPECT_TRUE(settings()["degraded_timeout"].is_null());
  expect_refused({"set", a, b, "--degraded-timeout", "0"}, 16, "degraded timeout '0' is not valid", {a, b, c});
  expect_refused({"set", a, b, "--degraded-timeout", "soon"}, 16, "--degraded-timeout: degraded timeout 'soon'",
                 {a, b, c});
  ASSERT_EQ(run_tool({"set", a, b, "--degraded-timeout", "default"}).exit_code, 0);
  EXPECT_EQ(settings()["degraded_timeout"], 30);
  EXPECT_EQ(superblock(a).degraded_timeout, 0u);
}

}  // namespace
}  // namespace dmirror::testing
