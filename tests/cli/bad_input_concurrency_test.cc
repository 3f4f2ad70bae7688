// SPDX-License-Identifier: LGPL-2.1-or-later
// Bad-input catalogue (docs/bad-input.md), timing: two dmirrorctl processes
// on the same array at once, and SIGINT / SIGTERM in the middle of a long
// operation. A rate-limited scrub is the long operation: the second scrub
// must be refused as busy without touching the legs, and a signalled scrub
// must exit "cancelled" with its checkpoint on disk, so the next run resumes.
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
  // Waits until the running scrub has recorded itself in the checkpoint
  // (at its start), then lets it finish at least one 4 MiB region.
  bool wait_for_checkpoint() {
    for (int i = 0; i < 200; ++i) {
      json c = checkpoint();
      if (c.is_object()) {
        std::this_thread::sleep_for(std::chrono::seconds(3));
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::vector<std::string> slow_scrub() { return {"scrub", a, b, "--max-rate", "2M", "--lock-dir", dir.path()}; }

  void interrupt_and_resume(int sig) {
    BackgroundTool scrub(slow_scrub());
    ASSERT_TRUE(scrub.started());
    ASSERT_TRUE(wait_for_checkpoint()) << "no checkpoint appeared: " << scrub.err_so_far();
    scrub.signal(sig);
    auto r = scrub.wait();
    EXPECT_EQ(r.exit_code, 32) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "interrupted; run the scrub again to resume")) << r.out << r.err;
    json c = checkpoint();
    ASSERT_TRUE(c.is_object()) << "the checkpoint was not kept";
    const uint64_t kept = c.value("position", uint64_t{0});
    EXPECT_GT(kept, 0u);
    auto again = run_tool({"scrub", a, b, "--lock-dir", dir.path()});
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_TRUE(contains(again.out, "(resumed at offset " + std::to_string(kept) + ")")) << again.out;
  }
};

TEST_F(BadTiming, SecondScrubOfTheSameArrayIsRefusedAsBusy) {
  BackgroundTool first(slow_scrub());
  ASSERT_TRUE(first.started());
  ASSERT_TRUE(wait_for_checkpoint()) << first.err_so_far();
  auto r = run_tool({"scrub", a, b, "--lock-dir", dir.path()});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "array 'vol0' is locked by dmirrorctl scrub " + a + " " + b)) << r.err;
  first.signal(SIGINT);
  EXPECT_EQ(first.wait().exit_code, 32);
}

TEST_F(BadTiming, TwoCreatesRacingOnTheSameLegs) {
  // The first create waits at its confirmation prompt (on a pty), holding
  // the legs; the second one starts then. Exactly one of them succeeds, and
  // the legs hold its array.
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
  const std::string a0 = read_file(a), b0 = read_file(b);
  auto two = run_tool({"create", "racer2", a, b, "--yes", "--force"});
  ASSERT_TRUE(::write(answer, "yes\n", 4) == 4);
  ::close(answer);
  const int status = ::pclose(one);
  ::unsetenv("DMIRROR_LOCK_DIR");
  ASSERT_TRUE(held) << "the first create never held the legs: " << read_file(dir.path() + "/racer1.out");

  EXPECT_EQ(two.exit_code, 8) << two.out << two.err;
  EXPECT_TRUE(contains(two.err, "is locked by dmirrorctl create racer1 " + a + " " + b)) << two.err;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(dir.path() + "/racer1.out");
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
