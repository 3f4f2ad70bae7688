// SPDX-License-Identifier: LGPL-2.1-or-later
// One writer at a time (FORMAT.md 2.6 rule 16): while a scrub holds the
// array lock, every other command that writes metadata is refused with exit
// 8 and a message naming the scrub, and writes nothing; read-only commands
// still run. Every form is tried, the recovery ones (resync --re-add,
// --from, --force, io write --degraded, replace onto a leg's own former
// device) and clear included. The scrub is rate-limited so that it holds the lock for a long
// time, and the test waits until the lock file names it (and the scrub has
// written its first checkpoint) before it starts the others.
#include "cli/bad_input_util.h"

#include <nlohmann/json.hpp>

#include <dirent.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace dmirror::testing {
namespace {

class OneWriter : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);
  std::string c = dir.make_image("c.img", 64 * kMiB);
  std::string payload = dir.path() + "/payload";

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean"}).exit_code, 0);
    std::ofstream(payload) << std::string(65536, 'x');
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }

  // The content of the lock file whose holder's command contains `what`.
  std::string holder(const std::string& what) {
    std::string found;
    DIR* d = ::opendir(locks.path().c_str());
    if (!d) return found;
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() < 5 || name.substr(name.size() - 5) != ".lock") continue;
      std::string text = read_file(locks.path() + "/" + name);
      if (contains(text, "\ncommand ") && contains(text, what)) found = text;
    }
    ::closedir(d);
    return found;
  }
  bool scrub_checkpointed() {
    auto doc = nlohmann::json::parse(run_tool({"--json", "examine", a}).out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("legs") || !doc["legs"].is_array() || doc["legs"].empty()) return false;
    return doc["legs"][0]["superblock"].value("checkpoint", nlohmann::json()).is_object();
  }
  // Polls until the scrub holds the lock and has begun (its first checkpoint
  // is on the legs); returns its pid, 0 when it never did.
  long wait_for_scrub() {
    for (int i = 0; i < 1500; ++i) {
      const std::string text = holder("dmirrorctl scrub");
      if (!text.empty() && scrub_checkpointed()) return std::atol(text.c_str() + 4);   // "pid N"
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }
  void expect_refused(const std::vector<std::string>& args, long pid) {
    const std::string a0 = read_file(a), b0 = read_file(b), c0 = read_file(c);
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 8) << args[0] << ": " << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "array 'vol0' is locked by dmirrorctl scrub " + a + " " + b))
        << args[0] << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "(pid " + std::to_string(pid) + ", since "))
        << args[0] << ": " << r.err;
    EXPECT_TRUE(contains(r.err, " UTC); wait for it to finish or stop it"))
        << args[0] << ": " << r.err;
    EXPECT_TRUE(read_file(a) == a0) << args[0] << " wrote to " << a;
    EXPECT_TRUE(read_file(b) == b0) << args[0] << " wrote to " << b;
    EXPECT_TRUE(read_file(c) == c0) << args[0] << " wrote to " << c;
  }
};

TEST_F(OneWriter, CommandsThatWriteAreRefusedWhileAScrubHoldsTheArray) {
  BackgroundTool scrub({"scrub", a, b, "--max-rate", "64K"});   // a quarter of an hour: outlasts the test
  ASSERT_TRUE(scrub.started());
  const long pid = wait_for_scrub();
  ASSERT_NE(pid, 0) << "the scrub never held the lock: " << scrub.err_so_far();
  // Stopped, it keeps its locks but commits no checkpoint while the legs
  // are compared.
  scrub.signal(SIGSTOP);
  LegSnapshot::settled({a, b});   // its last submitted writes have landed

  {
    // create names no array yet: its refusal names the leg and the array it is in.
    const std::string a0 = read_file(a), b0 = read_file(b);
    auto r = run_tool({"create", "other", a, b, "--yes", "--force", "--no-activate"});
    EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "(array 'vol0') is locked by dmirrorctl scrub " + a + " " + b)) << r.err;
    EXPECT_TRUE(read_file(a) == a0) << "create wrote to " << a;
    EXPECT_TRUE(read_file(b) == b0) << "create wrote to " << b;
  }
  expect_refused({"resync", a, b}, pid);
  expect_refused({"io", "write", a, b, "--offset", "0", "--from", payload}, pid);
  expect_refused({"replace", a, b, "--old", b, "--new", c, "--force"}, pid);
  expect_refused({"verify", a, b, "--repair"}, pid);
  expect_refused({"scrub", a, b, "--check-only"}, pid);
  expect_refused({"clear", a, b}, pid);
  expect_refused({"clear", a, b, "--leg", "1"}, pid);
  expect_refused({"resync", a, b, "--re-add"}, pid);
  expect_refused({"resync", a, b, "--from", a}, pid);
  expect_refused({"resync", a, b, "--force", "--full"}, pid);
  expect_refused({"io", "write", a, b, "--offset", "0", "--from", payload, "--degraded"}, pid);
  expect_refused({"io", "write", a, "--offset", "0", "--from", payload, "--degraded"}, pid);   // b left out
  expect_refused({"replace", a, "--old", "1", "--new", b, "--force"}, pid);                    // own former slot

  // Readers take no lock.
  EXPECT_EQ(run_tool({"verify", a, b, "--quick"}).exit_code & 8, 0);
  {
    // A reader names the running scrub's checkpoint as running, not as an
    // interrupted run to resume.
    auto v = run_tool({"verify", a, b, "--quick"});
    EXPECT_TRUE(contains(v.out, "repair is running (dmirrorctl scrub " + a + " " + b)) << v.out;
    EXPECT_TRUE(contains(v.out, "pid " + std::to_string(pid) + "), at offset")) << v.out;
    EXPECT_FALSE(contains(v.out, "was interrupted")) << v.out;
  }
  EXPECT_EQ(run_tool({"io", "read", a, b, "--offset", "0", "--length", "4096", "--to", dir.path() + "/back"}).exit_code,
            0);

  scrub.signal(SIGCONT);
  scrub.signal(SIGINT);
  EXPECT_EQ(scrub.wait().exit_code, 32);
  EXPECT_TRUE(holder("dmirrorctl scrub").empty()) << "the lock file outlived its holder";
  // Once the scrub is gone, the next writer goes ahead.
  EXPECT_EQ(run_tool({"io", "write", a, b, "--offset", "0", "--from", payload}).exit_code, 0);
}

// A writer whose lock directory is another one (DMIRROR_LOCK_DIR) cannot
// read the holder's lock file: the leg's flock still refuses it, and the
// refusal names the holder (its pid, command and start, from /proc).
TEST_F(OneWriter, TheLegLockNamesItsHolderFromAnotherLockDirectory) {
  BackgroundTool scrub({"scrub", a, b, "--max-rate", "64K"});
  ASSERT_TRUE(scrub.started());
  const long pid = wait_for_scrub();
  ASSERT_NE(pid, 0) << "the scrub never held the lock: " << scrub.err_so_far();
  scrub.signal(SIGSTOP);
  LegSnapshot::settled({a, b});   // its last submitted writes have landed
  ScratchDir elsewhere;
  ::setenv("DMIRROR_LOCK_DIR", elsewhere.path().c_str(), 1);
  const std::string a0 = read_file(a), b0 = read_file(b);
  auto r = run_tool({"io", "write", a, b, "--offset", "0", "--from", payload});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "leg " + a + " is locked by dmirrorctl scrub " + a + " " + b)) << r.err;
  EXPECT_TRUE(contains(r.err, "(pid " + std::to_string(pid) + ", since ")) << r.err;
  EXPECT_TRUE(read_file(a) == a0);
  EXPECT_TRUE(read_file(b) == b0);
  scrub.signal(SIGCONT);
  scrub.signal(SIGINT);
  EXPECT_EQ(scrub.wait().exit_code, 32);
}

}  // namespace
}  // namespace dmirror::testing
