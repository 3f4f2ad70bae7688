// SPDX-License-Identifier: LGPL-2.1-or-later
// An array that a live writer holds (FORMAT.md 2.6 rule 16) is in use, not
// an unclean shutdown: status, list and examine name the holder (text and
// JSON `conditions.in_use`), do not call the array unclean and do not exit
// with its bit. A lock file left by a process that holds no lock names
// nobody. The readers still take no lock. The writer here is this test
// process holding the array lock through the library, after an
// `io write --no-close` left the array as a running writer has it (Dirty,
// a dirty journal bit).
#include "cli/bad_input_util.h"

#include <dmirror/array_lock.h>
#include <dmirror/block_device.h>

#include <nlohmann/json.hpp>

#include <fstream>

namespace dmirror::testing {
namespace {

class InUse : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  ScratchDir other_locks;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);
  std::string payload = dir.path() + "/payload";

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--no-activate"}).exit_code, 0);
    ASSERT_EQ(run_tool({"resync", a, b}).exit_code, 0);
    std::ofstream(payload) << std::string(65536, 'z');
    ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "0", "--from", payload, "--no-close"}).exit_code, 0);
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }

  // Holds the array lock the way a writing command does (lock file in `dir`).
  struct Held {
    std::vector<std::unique_ptr<BlockDevice>> devs;
    std::optional<ArrayLock> lock;
  };
  std::unique_ptr<Held> hold(const std::string& lock_dir) {
    auto h = std::make_unique<Held>();
    std::vector<BlockDevice*> raw;
    for (const auto& leg : {a, b}) {
      auto d = open_device(leg, OpenOptions{.writable = true, .exclusive = false});
      EXPECT_TRUE(d);
      raw.push_back(d->get());
      h->devs.push_back(std::move(*d));
    }
    auto l = ArrayLock::acquire_legs(raw, ArrayLockOptions{.dir = lock_dir, .holder = "dmirrorctl io write vol0"});
    EXPECT_TRUE(l) << l.error().describe();
    if (l) h->lock.emplace(std::move(*l));
    return h;
  }
  void expect_in_use(const std::string& command) {
    const std::string pid = std::to_string(::getpid());
    auto s = run_tool({"status", a, b});
    EXPECT_EQ(s.exit_code, 0) << s.out << s.err;
    EXPECT_TRUE(contains(s.out, "In use:      by " + command + " (pid " + pid + ", since ")) << s.out;
    EXPECT_FALSE(contains(s.out, "unclean shutdown:")) << s.out;
    EXPECT_FALSE(contains(s.out, "run `dmirrorctl resync`")) << s.out;
    auto j = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
    EXPECT_EQ(j["health"], "healthy") << j.dump(2);
    EXPECT_EQ(j["conditions"]["unclean"], false);
    EXPECT_EQ(j["conditions"]["in_use"]["pid"], ::getpid()) << j.dump(2);
    EXPECT_EQ(j["conditions"]["in_use"]["command"], command);
    EXPECT_GT(j["conditions"]["in_use"]["since"].get<uint64_t>(), 0u);
    EXPECT_EQ(j["exit_code"], 0);
    auto lj = nlohmann::json::parse(run_tool({"--json", "list", a, b}).out);
    bool listed = false;   // list also shows the arrays of the machine's block devices
    for (const auto& arr : lj["arrays"])
      if (arr["uuid"] == j["uuid"]) {
        listed = true;
        EXPECT_EQ(arr["conditions"]["in_use"]["pid"], ::getpid()) << lj.dump(2);
      }
    EXPECT_TRUE(listed) << lj.dump(2);
    auto e = run_tool({"examine", a, b});
    EXPECT_EQ(e.exit_code, 0) << e.out << e.err;
    EXPECT_TRUE(contains(e.out, "in use by " + command)) << e.out;
    auto ej = nlohmann::json::parse(run_tool({"--json", "examine", a, b}).out);
    EXPECT_EQ(ej["array"]["conditions"]["in_use"]["pid"], ::getpid()) << ej.dump(2);
  }
  void expect_unclean() {
    auto s = run_tool({"status", a, b});
    EXPECT_EQ(s.exit_code, 2) << s.out;
    EXPECT_TRUE(contains(s.out, "unclean shutdown")) << s.out;
    EXPECT_FALSE(contains(s.out, "In use:")) << s.out;
    auto j = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
    EXPECT_TRUE(j["conditions"]["in_use"].is_null()) << j.dump(2);
    EXPECT_EQ(j["conditions"]["unclean"], true);
  }
};

TEST_F(InUse, AWriterHoldingTheArrayIsInUseNotUnclean) {
  expect_unclean();
  {
    auto held = hold("");
    ASSERT_TRUE(held->lock);
    // The readers take no lock: they run, and write nothing, while it is held.
    LegSnapshot before({a, b});
    expect_in_use("dmirrorctl io write vol0");
    before.expect_unchanged();
  }
  expect_unclean();
}

// A writer using another lock directory is found by its flock on the legs.
TEST_F(InUse, AWriterWithAnotherLockDirectoryIsFoundByItsFlock) {
  auto held = hold(other_locks.path());
  ASSERT_TRUE(held->lock);
  auto j = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
  EXPECT_EQ(j["conditions"]["in_use"]["pid"], ::getpid()) << j.dump(2);
  EXPECT_EQ(j["conditions"]["unclean"], false);
  EXPECT_EQ(j["exit_code"], 0);
}

// A lock file whose process holds no lock (even a live one, as after a pid
// was reused) names nobody: the array is unclean.
TEST_F(InUse, AStaleLockFileDoesNotCount) {
  std::string path, text;
  {
    auto held = hold("");
    ASSERT_TRUE(held->lock);
    path = held->lock->path();
    text = read_file(path);
  }
  ASSERT_FALSE(text.empty());
  std::ofstream(path) << text;   // left behind, naming this (live) process
  expect_unclean();
}

}  // namespace
}  // namespace dmirror::testing
