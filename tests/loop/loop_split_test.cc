// SPDX-License-Identifier: LGPL-2.1-or-later
// `split` and `merge` on real loop devices, the arrays named by their names
// (found by scanning the block devices): a round trip with writes through
// the offline I/O path on both sides; the merged leg holds the array's data
// and only the changed regions were copied. A split-off name that exists on
// the block devices is refused, writing nothing.
#include "cli/bad_input_util.h"
#include "loop/loop_fixture.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include <unistd.h>

namespace dmirror::testing {
namespace {

class LoopSplit : public LoopTest {
 protected:
  std::string name = "splitvol" + std::to_string(::getpid());
  std::string backup = "splitbak" + std::to_string(::getpid());
  std::string a, b, c;
  std::string payload = dir.path() + "/payload.bin";

  void SetUp() override {
    LoopTest::SetUp();
    a = image_on_loop("a.img", 64 * kMiB);
    b = image_on_loop("b.img", 64 * kMiB);
    c = image_on_loop("c.img", 64 * kMiB);
    auto r = run_tool({"create", name, a, b, c, "--yes", "--no-activate", "--assume-clean", "--region-size", "1M"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    std::ofstream out(payload, std::ios::binary);
    for (int i = 0; i < (1 << 20); ++i) out.put(static_cast<char>(i * 13 + 3));
  }
  std::string data_area(const std::string& leg) {
    auto dev = open_device(leg, OpenOptions{.writable = false, .exclusive = false});
    EXPECT_TRUE(dev);
    auto m = read_leg(**dev);
    EXPECT_TRUE(m);
    std::string out(m->sb.layout.data_size, '\0');
    EXPECT_TRUE((*dev)->read(m->sb.layout.data_offset,
                             std::span<std::byte>(reinterpret_cast<std::byte*>(out.data()), out.size())));
    return out;
  }
};

TEST_F(LoopSplit, RoundTripByNameCopiesOnlyTheChangedRegions) {
  auto r = run_tool({"split", name, "--leg", c, "--name", backup});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Both names are found on the block devices now.
  auto st = run_tool({"status", name});
  EXPECT_EQ(st.exit_code, 2) << st.out << st.err;
  EXPECT_TRUE(contains(st.out, "slot 2 split off")) << st.out;
  auto sb = run_tool({"status", backup});
  EXPECT_EQ(sb.exit_code, 0) << sb.out << sb.err;
  // The name of an existing array is refused for another split.
  expect_refused({"split", name, "--leg", "1", "--name", backup, "--force"}, 8, "exists already", {a, b, c});
  // Writes on both sides through the offline I/O path.
  ASSERT_EQ(run_tool({"io", "write", name, "--offset", "3M", "--from", payload}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", name, "--offset", "40M", "--from", payload}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", backup, "--offset", "20M", "--from", payload}).exit_code, 0);
  auto m = run_tool({"--json", "merge", name, backup});
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
  auto j = nlohmann::json::parse(m.out);
  EXPECT_EQ(j["union_regions"], 3) << j.dump();
  EXPECT_EQ(j["regions_copied"], 3) << j.dump();
  EXPECT_TRUE(data_area(c) == data_area(a)) << "the merged leg holds the array's data";
  auto done = run_tool({"status", name});
  EXPECT_EQ(done.exit_code, 0) << done.out << done.err;
}

}  // namespace
}  // namespace dmirror::testing
