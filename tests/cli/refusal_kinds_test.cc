// SPDX-License-Identifier: LGPL-2.1-or-later
// What kind of failure a refusal is: a command that cannot do what was asked
// because of the legs or the array (a truncated leg, fewer than two in-sync
// legs, a member given as the new leg, a slot that cannot serve reads) exits
// 8, never with a health bit alone (2, 4): those belong to the check
// commands' reports. A slot that is not in the array is a usage error (16).
// Every refusal says what to do, and leaves every leg byte-identical.
#include "cli/bad_input_util.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

namespace dmirror::testing {
namespace {

class RefusalKinds : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);
  std::string payload = dir.path() + "/payload";

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--no-activate"}).exit_code, 0);
    ASSERT_EQ(run_tool({"resync", a, b}).exit_code, 0);
    std::ofstream(payload) << std::string(65536, 'x');
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }

  // Runs `args`; expects `exit_code`, `says` on stderr, and no leg changed.
  ToolResult expect_refused(const std::vector<std::string>& args, int exit_code, const std::string& says) {
    const std::string a0 = read_file(a), b0 = read_file(b);
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, exit_code) << args[0] << ": " << r.out << r.err;
    EXPECT_TRUE(contains(r.err, says)) << "expected '" << says << "' in: " << r.err;
    EXPECT_EQ(r.err.rfind("dmirrorctl: ", 0), 0u) << r.err;
    EXPECT_TRUE(read_file(a) == a0) << args[0] << " wrote to " << a;
    EXPECT_TRUE(read_file(b) == b0) << args[0] << " wrote to " << b;
    return r;
  }
  void truncate_b() { ASSERT_EQ(::truncate(b.c_str(), 32 * kMiB), 0); }
};

TEST_F(RefusalKinds, IoWriteWithATruncatedLegIsOperational) {
  truncate_b();
  expect_refused({"io", "write", a, b, "--offset", "0", "--from", payload}, 8, "--degraded");
}

TEST_F(RefusalKinds, ScrubWithFewerThanTwoInSyncLegsIsOperational) {
  truncate_b();
  expect_refused({"scrub", a, b}, 8, "fewer than two in-sync legs");
  expect_refused({"scrub", "--check-only", a}, 8, "fewer than two in-sync legs");
  expect_refused({"scrub", a}, 8, "give every leg");
}

// A missing leg stops scrub with a refusal (exit 8, error code "stale"), as
// it stops activation (online_activation_test.cc, the kernel tier's
// missing_leg scenario): never the health bit 2 alone (exit_codes.h).
TEST_F(RefusalKinds, ScrubOfAMissingLegIsARefusalLikeActivation) {
  auto r = expect_refused({"--json", "scrub", a}, 8, "give every leg");
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["error"]["code"], "stale") << r.out;
  EXPECT_EQ(doc["error"]["exit_code"], 8) << r.out;
}

// Both legs given, but b missed a write: the advice is a resync, not to
// give legs that were given.
TEST_F(RefusalKinds, ScrubWithAStaleLegSaysResyncNotGiveEveryLeg) {
  ASSERT_EQ(std::rename(b.c_str(), (b + ".away").c_str()), 0);
  auto w = run_tool({"io", "write", a, "--degraded", "--offset", "0", "--from", payload});
  ASSERT_EQ(std::rename((b + ".away").c_str(), b.c_str()), 0);
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  auto r = expect_refused({"scrub", a, b}, 8, "fewer than two in-sync legs");
  EXPECT_FALSE(contains(r.err, "give every leg")) << r.err;
  EXPECT_TRUE(contains(r.err, "dmirrorctl resync")) << r.err;
}

TEST_F(RefusalKinds, ReplaceOntoAMemberIsRefusedNotAUsageError) {
  // The leg itself, in sync: nothing to rebuild; what to do instead.
  auto same = expect_refused({"replace", a, b, "--old", "0", "--new", a}, 8, "is slot 0 and in sync");
  EXPECT_TRUE(contains(same.err, "dmirrorctl resync")) << same.err;
  // Another member as the new leg of slot 1.
  auto other = expect_refused({"replace", a, b, "--old", "1", "--new", a}, 8, "is already slot 0");
  EXPECT_TRUE(contains(other.err, "dmirrorctl resync")) << other.err;
}

TEST_F(RefusalKinds, PreferMustNameAnInSyncSlot) {
  const std::string out = dir.path() + "/out";
  auto r = expect_refused({"io", "read", a, b, "--prefer", "7", "--to", out}, 16, "has no leg in slot 7");
  EXPECT_TRUE(contains(r.err, "in-sync slots (0, 1)")) << r.err;
  // Slot 1 left out of the legs given: it cannot serve reads.
  auto missing = expect_refused({"io", "read", a, "--prefer", "1", "--to", out}, 8, "--prefer 1: slot 1");
  EXPECT_TRUE(contains(missing.err, "in-sync slots (0)")) << missing.err;
  EXPECT_EQ(run_tool({"io", "read", a, b, "--prefer", "1", "--to", out}).exit_code, 0);
}

// --from naming a stale leg: a refusal (8) saying why and what to do.
TEST_F(RefusalKinds, ResyncFromAStaleLegIsRefused) {
  ASSERT_EQ(std::rename(b.c_str(), (b + ".away").c_str()), 0);
  ASSERT_EQ(run_tool({"io", "write", a, "--degraded", "--offset", "0", "--from", payload}).exit_code, 0);
  ASSERT_EQ(std::rename((b + ".away").c_str(), b.c_str()), 0);
  for (const std::string& from : {b, std::string("1")}) {
    auto r = expect_refused({"resync", "--from", from, a, b}, 8, "is stale, not in sync");
    EXPECT_TRUE(contains(r.err, "without --from")) << r.err;
    EXPECT_TRUE(contains(r.err, "(in-sync slots: 0)")) << r.err;
  }
  // A repair's chosen source follows the same rule: it was silently ignored.
  for (const std::string& from : {b, std::string("1")}) {
    expect_refused({"verify", "--repair", "--from", from, a, b}, 8, "is stale, not in sync");
    expect_refused({"scrub", "--from", from, a, b}, 8, "is stale, not in sync");
  }
}

// The same leg twice is caught before anything is read or written: a usage
// error (docs/bad-input.md), for the checks and the writers alike.
TEST_F(RefusalKinds, TheSameLegTwiceIsAUsageError) {
  expect_refused({"verify", a, a}, 16, "are the same storage");
  expect_refused({"verify", a, b, b}, 16, "are the same storage");
  expect_refused({"resync", a, a}, 16, "are the same storage");
  // The read-only commands say the same (they took the second path for a
  // copy of the first, exit 6).
  expect_refused({"status", a, a}, 16, "are the same storage");
}

TEST_F(RefusalKinds, ReportsNeverCarryRawNames) {
  const std::string hostile = "x\x1b[31mred\nz";
  auto r = run_tool({"create", hostile, dir.path() + "/c.img", dir.path() + "/d.img", "--yes"});
  EXPECT_EQ(r.exit_code, 16) << r.err;
  EXPECT_FALSE(contains(r.err, "\x1b")) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line only: " << r.err;
  EXPECT_TRUE(contains(r.err, "cannot create array 'x\\x1b[31mred\\x0az'")) << r.err;
  auto j = run_tool({"--json", "create", hostile, dir.path() + "/c.img", dir.path() + "/d.img", "--yes"});
  EXPECT_FALSE(contains(j.out + j.err, "\x1b")) << j.out;
}

}  // namespace
}  // namespace dmirror::testing
