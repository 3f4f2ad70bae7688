// SPDX-License-Identifier: LGPL-2.1-or-later
// The array lock identifies the storage, not the path (FORMAT.md 2.6 rule
// 16): a writer naming the legs by their loop devices meets the lock of a
// holder that named them by image file, and the other way round, even with
// another lock directory; the refusal names the holder and nothing is
// written. The holder is a rate-limited scrub, stopped (SIGSTOP: it keeps
// its locks) while the others try, and the legs are compared once the
// writes it had already submitted have landed.
#include "cli/bad_input_util.h"
#include "loop/loop_fixture.h"

#include <fstream>

namespace dmirror::testing {
namespace {

class LockAlias : public LoopTest {
 protected:
  ScratchDir holder_locks, writer_locks;
  std::string a, b, la, lb, payload;

  void SetUp() override {
    LoopTest::SetUp();
    a = dir.make_image("a.img", 64 * kMiB);
    b = dir.make_image("b.img", 64 * kMiB);
    la = attach(a);
    lb = attach(b);
    payload = dir.path() + "/payload";
    std::ofstream(payload) << std::string(65536, 'x');
    ::setenv("DMIRROR_LOCK_DIR", holder_locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean", "--no-activate"}).exit_code, 0);
  }
  void TearDown() override {
    ::unsetenv("DMIRROR_LOCK_DIR");
    LoopTest::TearDown();
  }

  // Holds the lock with a scrub of `held`, then runs `writer` with another
  // lock directory: it must be refused, naming the scrub, writing nothing.
  void expect_locked_out(const std::vector<std::string>& held, std::vector<std::string> writer) {
    std::vector<std::string> args{"scrub", "--check-only", "--max-rate", "64K"};
    args.insert(args.end(), held.begin(), held.end());
    ::setenv("DMIRROR_LOCK_DIR", holder_locks.path().c_str(), 1);
    BackgroundTool scrub(args);
    ASSERT_TRUE(scrub.started());
    const long pid = wait_for_lock_holder(holder_locks.path(), "dmirrorctl scrub");
    ASSERT_NE(pid, 0) << "the scrub never held the lock: " << scrub.err_so_far();
    scrub.signal(SIGSTOP);
    ::setenv("DMIRROR_LOCK_DIR", writer_locks.path().c_str(), 1);
    const auto legs = LegSnapshot::settled({a, b});
    auto r = run_tool(writer);
    EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "is locked by dmirrorctl scrub --check-only")) << r.err;
    EXPECT_TRUE(contains(r.err, "(pid " + std::to_string(pid) + ", since ")) << r.err;
    legs.expect_unchanged();
    scrub.signal(SIGCONT);
    scrub.signal(SIGINT);
    EXPECT_EQ(scrub.wait().exit_code, 32);
  }
};

TEST_F(LockAlias, LoopDevicesMeetTheLockOfTheirImageFiles) {
  expect_locked_out({a, b}, {"io", "write", la, lb, "--offset", "0", "--from", payload});
}

TEST_F(LockAlias, ImageFilesMeetTheLockOfTheirLoopDevices) {
  expect_locked_out({la, lb}, {"io", "write", a, b, "--offset", "0", "--from", payload});
}

}  // namespace
}  // namespace dmirror::testing
