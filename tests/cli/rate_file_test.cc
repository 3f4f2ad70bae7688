// SPDX-License-Identifier: LGPL-2.1-or-later
// `scrub --rate-file F`: a file that turns unreadable or garbage while the
// scrub runs keeps the last valid rate (never "unlimited") and is reported
// once; one that is bad from the start is a usage error that writes nothing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_tool.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace dmirror::testing {
namespace {

class RateFile : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir.make_image("a.img", 24 << 20);
    b = dir.make_image("b.img", 24 << 20);
    auto r = run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rate = dir.path() + "/rate";
  }
  void write_rate(const std::string& text) {
    std::ofstream(rate + ".new") << text;
    std::filesystem::rename(rate + ".new", rate);
  }
  bool lock_taken() {
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
      if (e.path().extension() == ".lock") return true;
    return false;
  }
  ScratchDir dir;
  std::string a, b, rate;
};

TEST_F(RateFile, GarbageWhileRunningKeepsTheLastValidRate) {
  write_rate("1M\n");
  ToolResult r;
  std::thread run([&] {
    r = run_tool({"--json", "scrub", a, b, "--check-only", "--rate-file", rate, "--max-runtime", "3s",
                  "--lock-dir=" + dir.path()});
  });
  // Once the scrub holds the array (it has read the file), spoil the file.
  while (!lock_taken()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write_rate("fast please\n");
  run.join();
  // 16 MiB at 1 MiB/s outlasts the 3 s box; "unlimited" would finish clean.
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["result"], "interrupted") << r.err;
  EXPECT_EQ(j["max_runtime_reached"], true);
  const std::string warning = "keeping the last valid rate, 1 MiB/s";
  const auto first = r.err.find(warning);
  EXPECT_NE(first, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(warning, first + 1), std::string::npos) << "warned more than once: " << r.err;
}

TEST_F(RateFile, BadFromTheStartIsRefused) {
  const std::string before_a = read_file(a), before_b = read_file(b);
  for (const char* text : {"", "lots", "20M 30M", "-5M"}) {
    write_rate(text);
    auto r = run_tool({"scrub", a, b, "--rate-file", rate, "--lock-dir=" + dir.path()});
    EXPECT_EQ(r.exit_code, 16) << text << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "invalid --rate-file")) << r.err;
  }
  auto missing = run_tool({"scrub", a, b, "--rate-file", dir.path() + "/none", "--lock-dir=" + dir.path()});
  EXPECT_EQ(missing.exit_code, 16);
  EXPECT_TRUE(contains(missing.err, "cannot read the rate file")) << missing.err;
  EXPECT_EQ(read_file(a), before_a);
  EXPECT_EQ(read_file(b), before_b);
}

}  // namespace
}  // namespace dmirror::testing
