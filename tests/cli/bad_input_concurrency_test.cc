// SPDX-License-Identifier: LGPL-2.1-or-later
// Bad-input catalogue (docs/bad-input.md), timing: two dmirrorctl processes
// on the same array at once, and SIGINT / SIGTERM in the middle of a long
// operation. A rate-limited scrub is the long operation: the second scrub
// must be refused as busy without touching the legs, and a signalled scrub
// must exit "cancelled" with its checkpoint on disk, so the next run resumes.
// Each test waits for the event it needs (the lock file naming the holder and
// the scrub's checkpoint), never for a fixed time.
#include "cli/bad_input_util.h"

#include <nlohmann/json.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <optional>
#include <thread>

namespace dmirror::testing {
namespace {

using nlohmann::json;

// The content of the lock file in `dir` whose holder's command contains `what`.
std::optional<std::string> lock_holder(const std::string& dir, const std::string& what) {
  std::optional<std::string> found;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return found;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() < 5 || name.substr(name.size() - 5) != ".lock") continue;
    std::string text = read_file(dir + "/" + name);
    if (contains(text, "\ncommand ") && contains(text, what)) found = text;
  }
  ::closedir(d);
  return found;
}

class BadTiming : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);

  void SetUp() override {
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean"}).exit_code, 0);
  }
  json checkpoint() {
    auto r = run_tool({"--json", "examine", a});
    auto doc = json::parse(r.out, nullptr, false);
    if (doc.is_discarded()) return json();
    const json* legs = doc.contains("legs") ? &doc["legs"] : nullptr;
    if (legs && legs->is_array() && !legs->empty()) return (*legs)[0]["superblock"].value("checkpoint", json());
    return doc.value("checkpoint", json());
  }
  // Waits until the running scrub holds the array lock (its lock file in
  // `dir` names it) and has recorded itself in the checkpoint (at its start).
  bool wait_for_scrub_start() {
    for (int i = 0; i < 1500; ++i) {
      if (lock_holder(dir.path(), "dmirrorctl scrub") && checkpoint().is_object()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::vector<std::string> slow_scrub() { return {"scrub", a, b, "--max-rate", "2M", "--lock-dir", dir.path()}; }

  void interrupt_and_resume(int sig) {
    BackgroundTool scrub(slow_scrub());
    ASSERT_TRUE(scrub.started());
    ASSERT_TRUE(wait_for_scrub_start()) << "the scrub never started: " << scrub.err_so_far();
    scrub.signal(sig);
    auto r = scrub.wait();
    EXPECT_EQ(r.exit_code, 32) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "interrupted; run the scrub again to resume")) << r.out << r.err;
    json c = checkpoint();
    ASSERT_TRUE(c.is_object()) << "the checkpoint was not kept";
    // The position kept is wherever the scrub was (0 when it had not
    // finished a region yet): the next run resumes exactly there.
    const uint64_t kept = c.value("position", uint64_t{0});
    auto again = run_tool({"scrub", a, b, "--lock-dir", dir.path()});
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_TRUE(contains(again.out, "(resumed at offset " + std::to_string(kept) + ")")) << again.out;
  }
};

TEST_F(BadTiming, SecondScrubOfTheSameArrayIsRefusedAsBusy) {
  BackgroundTool first(slow_scrub());
  ASSERT_TRUE(first.started());
  ASSERT_TRUE(wait_for_scrub_start()) << first.err_so_far();
  // Stopped, the first scrub keeps its locks and commits no checkpoint: the
  // legs are still as they were unless the refused scrub wrote to them.
  first.signal(SIGSTOP);
  LegSnapshot::settled({a, b});   // its last submitted writes have landed
  const std::string a0 = read_file(a), b0 = read_file(b);
  auto r = run_tool({"scrub", a, b, "--lock-dir", dir.path()});
  const bool a_same = read_file(a) == a0, b_same = read_file(b) == b0;
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_TRUE(a_same) << "the refused scrub wrote to " << a;
  EXPECT_TRUE(b_same) << "the refused scrub wrote to " << b;
  EXPECT_TRUE(contains(r.err, "array 'vol0' is locked by dmirrorctl scrub " + a + " " + b)) << r.err;
  first.signal(SIGCONT);
  first.signal(SIGINT);
  EXPECT_EQ(first.wait().exit_code, 32);
}

TEST_F(BadTiming, TwoCreatesRacingOnTheSameLegs) {
  // The first create waits at its confirmation prompt (on a pty), holding
  // the legs and the lock file of its array; the second one starts only once
  // the lock file names the first. Exactly one of them succeeds, the loser
  // writes nothing, and the legs hold the winner's array.
  ScratchDir locks;
  ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
  const std::string fifo = dir.path() + "/answer";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int answer = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(answer, 0);
  const std::string cmd = "exec script -qec '" + std::string(DMIRRORCTL_PATH) + " create racer1 " + a + " " + b +
                          " --force --no-activate' /dev/null < " + fifo + " > " + dir.path() + "/racer1.out 2>&1";
  FILE* one = ::popen(cmd.c_str(), "w");
  ASSERT_NE(one, nullptr);
  bool held = false;
  for (int i = 0; i < 1500 && !held; ++i) {
    held = lock_holder(locks.path(), "create racer1").has_value();
    if (!held) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::optional<ToolResult> two;
  std::string a0, b0;
  bool a_same = false, b_same = false;
  if (held) {   // else nothing is racing: the assertion below says so
    a0 = read_file(a);
    b0 = read_file(b);
    two = run_tool({"create", "racer2", a, b, "--yes", "--force"});
    // racer1 is still at its prompt: any change now is racer2's.
    a_same = read_file(a) == a0;
    b_same = read_file(b) == b0;
  }
  ASSERT_TRUE(::write(answer, "yes\n", 4) == 4);
  ::close(answer);
  const int status = ::pclose(one);
  ::unsetenv("DMIRROR_LOCK_DIR");
  ASSERT_TRUE(held) << "the first create never held the legs: " << read_file(dir.path() + "/racer1.out");

  const bool one_won = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  const bool two_won = two->exit_code == 0;
  EXPECT_EQ(int(one_won) + int(two_won), 1) << "racer1: " << read_file(dir.path() + "/racer1.out")
                                            << "racer2: " << two->out << two->err;
  EXPECT_TRUE(one_won) << read_file(dir.path() + "/racer1.out");
  EXPECT_EQ(two->exit_code, 8) << two->out << two->err;
  EXPECT_TRUE(contains(two->err, "is locked by dmirrorctl create racer1 " + a + " " + b)) << two->err;
  EXPECT_TRUE(a_same) << "the refused create wrote to " << a;
  EXPECT_TRUE(b_same) << "the refused create wrote to " << b;
  auto st = run_tool({"--json", "status", a, b});
  EXPECT_NE(st.exit_code & 4, 4) << st.out << st.err;
  EXPECT_NE(st.exit_code, 16) << st.out << st.err;
  EXPECT_TRUE(contains(st.out, "\"racer1\"")) << st.out;
  EXPECT_FALSE(contains(st.out, "racer2")) << st.out;
}

TEST_F(BadTiming, SigintDuringScrubKeepsTheCheckpoint) { interrupt_and_resume(SIGINT); }
TEST_F(BadTiming, SigtermDuringScrubKeepsTheCheckpoint) { interrupt_and_resume(SIGTERM); }

}  // namespace
}  // namespace dmirror::testing
