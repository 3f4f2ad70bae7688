// SPDX-License-Identifier: LGPL-2.1-or-later
// The full-copy passes of resync and replace checkpoint on the clock of
// scrub (every checkpoint_seconds or checkpoint_bytes, whichever first)
// inside their 1 GiB spans, so a slow (throttled) copy that is killed
// resumes from its last checkpoint, not from the start, and skips nothing:
// the data copied is compared byte for byte with its source afterwards.
#include "cli/bad_input_util.h"

#include <fcntl.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace dmirror::testing {
namespace {

class CopyCheckpoint : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 40 * kMiB);
  std::string b = dir.make_image("b.img", 40 * kMiB);
  std::string c = dir.make_image("c.img", 40 * kMiB);
  uint64_t data_offset = 0, data_size = 0;

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean", "--region-size", "1M"}).exit_code, 0);
    auto doc = nlohmann::json::parse(run_tool({"--json", "examine", a}).out);
    data_offset = doc["legs"][0]["superblock"]["layout"]["data_offset"].get<uint64_t>();
    data_size = doc["legs"][0]["superblock"]["layout"]["data_size"].get<uint64_t>();
    ASSERT_GT(data_size, 16 * kMiB);
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }

  // Different data in every 4 KiB block of `path`'s data area.
  void fill(const std::string& path) {
    std::vector<uint32_t> buf(data_size / 4);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<uint32_t>(i * 2654435761u);
    int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, buf.data(), data_size, static_cast<off_t>(data_offset)), static_cast<ssize_t>(data_size));
    ::close(fd);
  }
  std::vector<char> data(const std::string& path) {
    std::vector<char> buf(data_size);
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0 || ::pread(fd, buf.data(), data_size, static_cast<off_t>(data_offset)) != static_cast<ssize_t>(data_size))
      buf.clear();
    if (fd >= 0) ::close(fd);
    return buf;
  }
  // The checkpoint position of operation `op` on leg `a`, 0 when there is none.
  uint64_t checkpoint_position(const std::string& op) {
    auto doc = nlohmann::json::parse(run_tool({"--json", "examine", a}).out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("legs") || doc["legs"].empty()) return 0;
    const auto ck = doc["legs"][0]["superblock"].value("checkpoint", nlohmann::json());
    return ck.is_object() && ck.value("op", "") == op ? ck.value("position", uint64_t{0}) : 0;
  }
  // Waits for the first checkpoint of `op` past 0, then kills the tool.
  uint64_t kill_after_checkpoint(BackgroundTool& tool, const std::string& op) {
    uint64_t seen = 0;
    for (int i = 0; i < 1200 && seen == 0; ++i) {   // a bound for a broken build, not a timing assertion
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      seen = checkpoint_position(op);
    }
    tool.signal(SIGKILL);
    EXPECT_EQ(tool.wait().exit_code, 128 + SIGKILL);
    return seen;
  }
};

TEST_F(CopyCheckpoint, KilledFullResyncResumesFromItsLastCheckpointAndSkipsNothing) {
  fill(a);   // b keeps zeros: every block differs
  // About half a minute at 1 MiB/s: a checkpoint every 1 GiB alone would
  // come only at the end.
  BackgroundTool resync({"resync", "--full", a, b, "--max-rate", "1M"});
  ASSERT_TRUE(resync.started());
  const uint64_t seen = kill_after_checkpoint(resync, "resync");
  ASSERT_GT(seen, 0u) << "no checkpoint past offset 0 was committed: " << resync.err_so_far();
  ASSERT_LT(seen, data_size) << "the only checkpoint was the end of the copy";

  auto r = run_tool({"--json", "resync", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["resumed_from"].get<uint64_t>(), seen / kMiB * kMiB) << "not resumed from its checkpoint: " << r.out;
  EXPECT_LE(j["bytes_copied"].get<uint64_t>(), data_size - j["resumed_from"].get<uint64_t>()) << r.out;
  EXPECT_TRUE(data(b) == data(a)) << "a region was skipped";
  EXPECT_EQ(run_tool({"verify", a, b}).exit_code, 0);
}

// Rule 20: `resync --full --from 1` says slot 1 holds the data and slot 0
// may not (rot near its end). Killed before it got there, whatever runs
// next — `resync` without --from, `resync --full`, a scrub — must go on from
// slot 1: a plain resync used to finish from slot 0 and copy its rot onto
// slot 1.
class ChosenSource : public CopyCheckpoint, public ::testing::WithParamInterface<std::vector<std::string>> {};

TEST_P(ChosenSource, KilledFullResyncFromALegIsFinishedFromThatLeg) {
  fill(a);
  fill(b);
  const auto good = data(b);
  ASSERT_FALSE(good.empty());
  {
    int fd = ::open(a.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "ROT", 3, static_cast<off_t>(data_offset + data_size - 4096)), 3);
    ::close(fd);
  }
  BackgroundTool resync({"resync", "--full", "--from", "1", a, b, "--max-rate", "1M"});
  ASSERT_TRUE(resync.started());
  // Kill it once it has committed anything: a rebuild of slot 0 or a checkpoint.
  bool seen = false;
  for (int i = 0; i < 1200 && !seen; ++i) {   // a bound for a broken build, not a timing assertion
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto doc = nlohmann::json::parse(run_tool({"--json", "examine", b}).out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("legs") || doc["legs"].empty()) continue;
    const auto& sb = doc["legs"][0]["superblock"];
    seen = sb["legs"][0].value("state", "") == "rebuilding" || checkpoint_position("resync") > 0;
  }
  resync.signal(SIGKILL);
  EXPECT_EQ(resync.wait().exit_code, 128 + SIGKILL);
  ASSERT_TRUE(seen) << resync.err_so_far();

  auto st = run_tool({"status", a, b});
  EXPECT_EQ(st.exit_code, 2) << st.out << st.err;
  // Rebuilding, or stale when the kill tore the commit that marked it.
  EXPECT_TRUE(contains(st.out, "rebuilding") || contains(st.out, " stale "))
      << "slot 0 is not marked for a rebuild from slot 1:\n" << st.out;

  std::vector<std::string> next = GetParam();
  next.push_back(a);
  next.push_back(b);
  auto r = run_tool(next);
  if (next[0] == "scrub") {
    EXPECT_EQ(r.exit_code, 8) << "a scrub of a rebuilding array has nothing to compare: " << r.out << r.err;
    EXPECT_TRUE(data(b) == good) << "the scrub changed slot 1";
    r = run_tool({"resync", a, b});
  }
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(data(b) == good) << "slot 0's rot was copied onto slot 1, the chosen source";
  EXPECT_TRUE(data(a) == good) << "slot 0 was not rebuilt from slot 1";
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0);
}

// With only a rebuilding leg present (its source gone), nothing may be
// raised: --force raises stale legs, never a partial copy. Neither status
// nor a refused `resync --force` may send the administrator to --force.
TEST_F(CopyCheckpoint, WithOnlyARebuildingLegPresentForceIsNotOffered) {
  fill(b);
  BackgroundTool resync({"resync", "--full", "--from", "1", a, b, "--max-rate", "1M"});
  ASSERT_TRUE(resync.started());
  bool rebuilding = false;
  for (int i = 0; i < 1200 && !rebuilding; ++i) {   // a bound for a broken build, not a timing assertion
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto doc = nlohmann::json::parse(run_tool({"--json", "examine", b}).out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("legs") || doc["legs"].empty()) continue;
    rebuilding = doc["legs"][0]["superblock"]["legs"][0].value("state", "") == "rebuilding";
  }
  resync.signal(SIGKILL);
  resync.wait();
  ASSERT_TRUE(rebuilding) << resync.err_so_far();

  const std::string before = read_file(a);
  auto st = run_tool({"status", a});
  EXPECT_TRUE(contains(st.out + st.err, "no in-sync leg is present")) << st.out << st.err;
  EXPECT_TRUE(contains(st.out + st.err, "`--force` cannot help")) << st.out << st.err;
  EXPECT_FALSE(contains(st.out + st.err, "raises the freshest stale or failed leg")) << st.out << st.err;
  auto r = run_tool({"resync", "--force", a});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_FALSE(contains(r.err, "use --force")) << r.err;
  EXPECT_TRUE(read_file(a) == before) << "a refused resync wrote to the rebuilding leg";
}

INSTANTIATE_TEST_SUITE_P(NextCommand, ChosenSource,
                         ::testing::Values(std::vector<std::string>{"resync"},
                                           std::vector<std::string>{"resync", "--full"},
                                           std::vector<std::string>{"scrub"}),
                         [](const auto& p) {
                           std::string n;
                           for (const auto& w : p.param) n += (n.empty() ? "" : "_") + w.substr(w.find_first_not_of('-'));
                           return n;
                         });

// A rebuild killed after its first recovery checkpoint resumes there, and
// the JSON says where (readded[].resumed_from; the document's resumed_from
// is the array-wide pass's).
TEST_F(CopyCheckpoint, KilledRebuildResumesFromItsRecoveryOffsetAndSaysSo) {
  fill(b);
  BackgroundTool resync({"resync", "--full", "--from", "1", a, b, "--max-rate", "1M"});
  ASSERT_TRUE(resync.started());
  uint64_t seen = 0;
  for (int i = 0; i < 1200 && seen == 0; ++i) {   // a bound for a broken build, not a timing assertion
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto doc = nlohmann::json::parse(run_tool({"--json", "examine", b}).out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("legs") || doc["legs"].empty()) continue;
    const auto& leg0 = doc["legs"][0]["superblock"]["legs"][0];
    if (leg0.value("state", "") == "rebuilding" && leg0["recovery_offset"].is_number())
      seen = leg0["recovery_offset"].get<uint64_t>();
  }
  resync.signal(SIGKILL);
  EXPECT_EQ(resync.wait().exit_code, 128 + SIGKILL);
  ASSERT_GT(seen, 0u) << "no recovery checkpoint was committed: " << resync.err_so_far();
  auto r = run_tool({"--json", "resync", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["readded"].size(), 1u) << r.out;
  EXPECT_EQ(j["readded"][0]["slot"], 0) << r.out;
  EXPECT_EQ(j["readded"][0]["journal"], false) << r.out;
  EXPECT_GE(j["readded"][0]["resumed_from"].get<uint64_t>(), seen) << r.out;
  EXPECT_TRUE(data(a) == data(b)) << "a region was skipped";
}

// A full resync killed after a checkpoint and run again with --full from the
// same leg resumes there instead of starting over.
TEST_F(CopyCheckpoint, RerunFullResyncResumesFromTheCheckpointOfTheSameSource) {
  fill(a);
  BackgroundTool resync({"resync", "--full", a, b, "--max-rate", "1M"});
  ASSERT_TRUE(resync.started());
  const uint64_t seen = kill_after_checkpoint(resync, "resync");
  ASSERT_GT(seen, 0u) << resync.err_so_far();
  ASSERT_LT(seen, data_size);
  auto r = run_tool({"--json", "resync", "--full", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["resumed_from"].get<uint64_t>(), seen / kMiB * kMiB) << "the full resync started over: " << r.out;
  EXPECT_TRUE(data(b) == data(a)) << "a region was skipped";
}

TEST_F(CopyCheckpoint, KilledReplaceResumesFromItsLastCheckpointAndSkipsNothing) {
  fill(a);
  fill(b);
  BackgroundTool replace({"replace", a, b, "--old", "1", "--new", c, "--max-rate", "1M"});
  ASSERT_TRUE(replace.started());
  const uint64_t seen = kill_after_checkpoint(replace, "replace");
  ASSERT_GT(seen, 0u) << "no checkpoint past offset 0 was committed: " << replace.err_so_far();
  ASSERT_LT(seen, data_size) << "the only checkpoint was the end of the copy";
  // status sends the administrator back to the replace, not to a resync
  // that would leave the new leg where it is.
  auto st = run_tool({"status", a, b, c});
  EXPECT_EQ(st.exit_code, 2) << st.out << st.err;
  EXPECT_TRUE(contains(st.out + st.err, "rerun `dmirrorctl replace --old 1 --new " + c + "`")) << st.out << st.err;

  auto r = run_tool({"--json", "replace", a, b, "--old", "1", "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["resumed"], true) << r.out;
  EXPECT_LE(j["bytes_copied"].get<uint64_t>(), data_size - seen / kMiB * kMiB) << "the copy started over: " << r.out;
  EXPECT_TRUE(data(c) == data(a)) << "a region was skipped";
}

}  // namespace
}  // namespace dmirror::testing
