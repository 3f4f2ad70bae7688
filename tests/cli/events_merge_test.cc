// SPDX-License-Identifier: LGPL-2.1-or-later
// The event history shown by status is read from every present member and
// merged: one leg's damaged event ring loses nothing while the other leg
// holds the events, and a finding names the damaged leg.
#include "cli/bad_input_util.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace dmirror::testing {
namespace {

TEST(EventsMerge, ADamagedRingOnOneLegIsReadFromTheOther) {
  ScratchDir dir, locks;
  ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
  const std::string a = dir.make_image("a.img", 64 * kMiB), b = dir.make_image("b.img", 64 * kMiB);
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"resync", a, b}).exit_code, 0);
  auto before = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
  const size_t nr_events = before["events"].size();
  ASSERT_GE(nr_events, 2u);

  // Overwrite the whole event area of a.img (the leg status used to read).
  auto ex = nlohmann::json::parse(run_tool({"--json", "examine", a}).out);
  const auto layout = ex["legs"][0]["superblock"]["layout"];
  const uint64_t off = layout["events_offset"], size = layout["events_size"];
  FILE* f = std::fopen(a.c_str(), "r+b");
  ASSERT_NE(f, nullptr);
  std::fseek(f, static_cast<long>(off), SEEK_SET);
  const std::string junk(size, '\x5a');
  std::fwrite(junk.data(), 1, junk.size(), f);
  std::fclose(f);

  auto r = run_tool({"--json", "status", a, b});
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["events"].size(), nr_events) << r.out;
  EXPECT_EQ(j["events"], before["events"]);
  bool named = false;
  for (const auto& fd : j["findings"])
    if (fd["code"] == "events-damaged" && fd["leg"] == a) named = true;
  EXPECT_TRUE(named) << j["findings"].dump();
  // Also with the damaged leg given second.
  auto swapped = nlohmann::json::parse(run_tool({"--json", "status", b, a}).out);
  EXPECT_EQ(swapped["events"], before["events"]);
  ::unsetenv("DMIRROR_LOCK_DIR");
}

}  // namespace
}  // namespace dmirror::testing
