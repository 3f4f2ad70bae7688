// SPDX-License-Identifier: LGPL-2.1-or-later
// A scrub commits its checkpoint at a bounded interval of time as well as of
// progress (ScrubOptions::checkpoint_seconds), so a slow (throttled) scrub
// that is killed resumes from its last checkpoint, not from the start. The
// test waits for the first checkpoint past 0 to appear on the legs, kills
// the scrub with SIGKILL, and checks where the next run resumes.
#include "cli/bad_input_util.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace dmirror::testing {
namespace {

class ScrubCheckpoint : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean"}).exit_code, 0);
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }

  // The scrub checkpoint's position on leg `a`, 0 when there is none.
  uint64_t checkpoint_position() {
    auto doc = nlohmann::json::parse(run_tool({"--json", "examine", a}).out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("legs") || doc["legs"].empty()) return 0;
    const auto c = doc["legs"][0]["superblock"].value("checkpoint", nlohmann::json());
    return c.is_object() && c.value("op", "") == "check" ? c.value("position", uint64_t{0}) : 0;
  }
};

TEST_F(ScrubCheckpoint, KilledScrubResumesFromItsLastCheckpoint) {
  // About a minute at 1 MiB/s: a checkpoint every 1 GiB alone would never
  // come before the end.
  BackgroundTool scrub({"scrub", "--check-only", a, b, "--max-rate", "1M"});
  ASSERT_TRUE(scrub.started());
  uint64_t seen = 0;
  for (int i = 0; i < 1200 && seen == 0; ++i) {   // a bound for a broken build, not a timing assertion
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = checkpoint_position();
  }
  ASSERT_GT(seen, 0u) << "no checkpoint past offset 0 was committed: " << scrub.err_so_far();
  scrub.signal(SIGKILL);
  EXPECT_EQ(scrub.wait().exit_code, 128 + SIGKILL);

  auto r = run_tool({"--json", "scrub", "--check-only", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["resumed"], true);
  EXPECT_GE(j["resumed_from"].get<uint64_t>(), seen);
  EXPECT_EQ(j["result"], "clean");
}

}  // namespace
}  // namespace dmirror::testing
