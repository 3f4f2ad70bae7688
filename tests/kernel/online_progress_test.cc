// SPDX-License-Identifier: LGPL-2.1-or-later
// The progress line of an online scrub or replace (dmirrorctl's
// online_progress.h): kernel samples become the offline operations'
// progress, with a windowed rate and ETA, fitted to the terminal. The real
// terminal behaviour of the line itself is in the cli tier (tty_output).
#include "online_progress.h"

#include <gtest/gtest.h>

namespace dmirror::cli {
namespace {

using namespace std::chrono_literals;

dm::RaidStatus at(uint64_t done_sectors, std::string action = "check") {
  dm::RaidStatus s;
  s.health_chars = "AA";
  s.sync_total = 2 * 1024 * 1024;   // 1 GiB per component
  s.sync_progress = done_sectors;
  s.action_text = std::move(action);
  return s;
}

TEST(OnlineProgress, SamplesBecomeARateAndAnEtaAfterTwoSeconds) {
  OnlineProgress p;
  const auto t0 = OnlineProgress::Clock::time_point{};
  Progress first = p.sample(at(0), t0);
  EXPECT_EQ(first.phase, "check");
  EXPECT_EQ(first.total_bytes, 1ull << 30);
  EXPECT_EQ(first.done_bytes, 0u);
  EXPECT_FALSE(first.eta_seconds) << "no guess before two seconds of samples";
  Progress early = p.sample(at(20480), t0 + 1s);   // 10 MiB
  EXPECT_FALSE(early.eta_seconds);
  Progress later = p.sample(at(81920), t0 + 4s);   // 40 MiB in 4 s
  EXPECT_DOUBLE_EQ(later.rate_bytes_per_sec, 10.0 * 1024 * 1024);
  ASSERT_TRUE(later.eta_seconds);
  EXPECT_EQ(*later.eta_seconds, (1024u - 40u) / 10u);
  // A new pass (progress went back) starts the window again.
  Progress again = p.sample(at(0, "repair"), t0 + 5s);
  EXPECT_EQ(again.phase, "repair");
  EXPECT_FALSE(again.eta_seconds);
}

TEST(OnlineProgress, TheLineFitsEveryWidthAndEndsWithTheElapsedTime) {
  OnlineProgress p(/*with_legs=*/true);
  const auto t0 = OnlineProgress::Clock::time_point{};
  p.sample(at(0, "recover"), t0);
  Progress mid = p.sample(at(1024 * 1024, "recover"), t0 + 10s);
  EXPECT_EQ(mid.phase, "AA recover");
  for (int columns : {20, 40, 64, 80, 200}) {
    const std::string line = progress_text(mid, columns, 10, false);
    EXPECT_LT(line.size(), static_cast<size_t>(columns)) << columns << ": " << line;
    EXPECT_NE(line.find("50.0%"), std::string::npos) << columns << ": " << line;
  }
  EXPECT_NE(progress_text(mid, 80, 10, false).find("ETA 10s"), std::string::npos);
  Progress done = p.sample(at(2 * 1024 * 1024, "idle"), t0 + 20s);
  EXPECT_NE(progress_text(done, 80, 20, true).find("in 20s"), std::string::npos);
}

}  // namespace
}  // namespace dmirror::cli
