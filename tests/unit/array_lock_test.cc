// SPDX-License-Identifier: LGPL-2.1-or-later
// The array lock (dmirror/array_lock.h): one writer at a time, the holder
// named in the refusal, no obstacle from a dead holder's lock file, the
// inode re-check, shared holders, and nothing left locked by a refusal.
#include <dmirror/array_lock.h>

#include "array/lock_file.h"
#include "support/scratch.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

namespace dmirror {
namespace {

using testing::ScratchDir;

class ArrayLockTest : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 1 << 20);
  std::string b = dir.make_image("b.img", 1 << 20);
  std::string c = dir.make_image("c.img", 1 << 20);
  Uuid array = random_uuid();

  ArrayLockOptions opts(std::string holder = "dmirrorctl scrub vol0") {
    return ArrayLockOptions{.dir = locks.path(), .holder = std::move(holder), .wait_ms = 0};
  }
  std::vector<LockTarget> legs(std::vector<std::string> paths) {
    std::vector<LockTarget> out;
    for (uint32_t i = 0; i < paths.size(); ++i) out.push_back(LockTarget{.path = paths[i], .slot = i});
    return out;
  }
  std::string lock_file() const { return locks.path() + "/" + array.str() + ".lock"; }
  // "<what> is locked by dmirrorctl scrub vol0 (pid N, since <UTC time>); wait ...".
  static void expect_named(const std::string& message, const std::string& what, long pid) {
    const std::string head = what + " is locked by dmirrorctl scrub vol0 (pid " + std::to_string(pid) + ", since ";
    const std::string tail = " UTC); wait for it to finish or stop it";
    EXPECT_EQ(message.rfind(head, 0), 0u) << message;
    EXPECT_TRUE(message.size() > tail.size() && message.compare(message.size() - tail.size(), tail.size(), tail) == 0)
        << message;
  }
  static bool exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
  }
  // True when nobody holds an flock on `path`.
  static bool unlocked(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const bool free = fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (fd >= 0) ::close(fd);
    return free;
  }
};

TEST_F(ArrayLockTest, SecondWriterIsRefusedNamingTheHolder) {
  auto first = ArrayLock::acquire(legs({a, b}), array, "vol0", opts());
  ASSERT_TRUE(first) << first.error().describe();
  auto second = ArrayLock::acquire(legs({a, b}), array, "vol0", opts("dmirrorctl resync vol0"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::Busy);
  expect_named(second.error().message, "array 'vol0'", ::getpid());
}

TEST_F(ArrayLockTest, LockFileHoldsPidAndCommandAndGoesAwayOnRelease) {
  {
    auto held = ArrayLock::acquire(legs({a, b}), array, "vol0", opts());
    ASSERT_TRUE(held) << held.error().describe();
    EXPECT_EQ(held->path(), lock_file());
    const std::string text = testing::read_file(lock_file());
    EXPECT_NE(text.find("pid " + std::to_string(::getpid()) + "\n"), std::string::npos) << text;
    EXPECT_NE(text.find("command dmirrorctl scrub vol0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\nstarted "), std::string::npos) << text;
    EXPECT_NE(text.find("array " + array.str() + " vol0\n"), std::string::npos) << text;
    EXPECT_FALSE(unlocked(a));
    EXPECT_FALSE(unlocked(lock_file()));
  }
  EXPECT_FALSE(exists(lock_file()));
  EXPECT_TRUE(unlocked(a));
  EXPECT_TRUE(unlocked(b));
}

TEST_F(ArrayLockTest, TheArrayFileAloneRefusesASecondWriterOnOtherPaths) {
  // The same array reached through other device nodes (no common leg).
  auto first = ArrayLock::acquire(legs({a}), array, "vol0", opts());
  ASSERT_TRUE(first);
  auto second = ArrayLock::acquire(legs({b}), array, "vol0", opts("dmirrorctl io write vol0"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::Busy);
  EXPECT_NE(second.error().message.find("is locked by dmirrorctl scrub vol0 (pid "), std::string::npos)
      << second.error().message;
  EXPECT_TRUE(unlocked(b)) << "a refused lock left a leg locked";
}

TEST_F(ArrayLockTest, ARefusalLeavesNothingLocked) {
  auto first = ArrayLock::acquire(legs({b}), array, "vol0", opts());
  ASSERT_TRUE(first);
  // c is locked first (slot 0), then b is refused.
  auto second = ArrayLock::acquire(legs({c, b}), random_uuid(), "vol1", opts("dmirrorctl create vol1"));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("leg " + b + " (array 'vol0') is locked by dmirrorctl scrub vol0"),
            std::string::npos)
      << second.error().message;
  EXPECT_TRUE(unlocked(c));
}

TEST_F(ArrayLockTest, LockFileOfADeadHolderIsNoObstacle) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = ArrayLock::acquire(legs({a, b}), array, "vol0", opts("dmirrorctl scrub vol0"));
    ::_exit(held ? 0 : 1);   // no destructor: the lock file stays behind, the flocks die
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(exists(lock_file()));
  EXPECT_NE(testing::read_file(lock_file()).find("pid " + std::to_string(child)), std::string::npos);

  auto held = ArrayLock::acquire(legs({a, b}), array, "vol0", opts("dmirrorctl resync vol0"));
  ASSERT_TRUE(held) << held.error().describe();
  const std::string text = testing::read_file(lock_file());
  EXPECT_NE(text.find("pid " + std::to_string(::getpid())), std::string::npos) << text;
  EXPECT_NE(text.find("command dmirrorctl resync vol0"), std::string::npos) << text;
}

TEST_F(ArrayLockTest, ALiveHolderInAnotherProcessIsNamed) {
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    ::close(done[1]);   // else the read below never sees the parent's close
    auto held = ArrayLock::acquire(legs({a, b}), array, "vol0", opts("dmirrorctl scrub vol0"));
    char byte = held ? 'y' : 'n';
    (void)!::write(ready[1], &byte, 1);
    (void)!::read(done[0], &byte, 1);
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(done[0]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  auto refused = ArrayLock::acquire(legs({a, b}), array, "vol0", opts("dmirrorctl replace vol0"));
  ::close(done[1]);
  ::waitpid(child, nullptr, 0);
  ASSERT_FALSE(refused);
  expect_named(refused.error().message, "array 'vol0'", child);
  EXPECT_TRUE(ArrayLock::acquire(legs({a, b}), array, "vol0", opts()));   // its locks died with it
}

// Another lock directory hides the holder's lock file: the leg's flock
// still refuses, and /proc names the holder.
TEST_F(ArrayLockTest, AHolderWithAnotherLockDirectoryIsNamed) {
  ScratchDir other;
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    ::close(done[1]);
    ArrayLockOptions o = opts("dmirrorctl scrub vol0");
    o.dir = other.path();
    auto held = ArrayLock::acquire(legs({a, b}), array, "vol0", o);
    char byte = held ? 'y' : 'n';
    (void)!::write(ready[1], &byte, 1);
    (void)!::read(done[0], &byte, 1);
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(done[0]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  auto refused = ArrayLock::acquire(legs({a, b}), array, "vol0", opts("dmirrorctl replace vol0"));
  ::close(done[1]);
  ::waitpid(child, nullptr, 0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Busy);
  // The child's command line is the test's own (a fork); its pid and start are named.
  EXPECT_NE(refused.error().message.find("leg " + a + " is locked by "), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("(pid " + std::to_string(child) + ", since "), std::string::npos)
      << refused.error().message;
}

TEST_F(ArrayLockTest, ALockFileReplacedBetweenOpenAndFlockIsLockedAgain) {
  // The previous holder unlinks the file (and another process creates a new
  // one) after we opened it: the lock on the old inode protects nothing.
  const std::string path = lock_file();
  ASSERT_TRUE(std::ofstream(path).good());
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  int calls = 0;
  auto fd = lockfile::lock_path(path, LOCK_EX, [&] {
    if (calls++ > 0) return;
    ::unlink(path.c_str());
    std::ofstream(path) << "pid 1\n";
  });
  ASSERT_TRUE(fd) << fd.error().describe();
  EXPECT_EQ(calls, 2) << "the file was not opened again after the inode changed";
  struct stat held {}, now {};
  ASSERT_EQ(::fstat(*fd, &held), 0);
  ASSERT_EQ(::stat(path.c_str(), &now), 0);
  EXPECT_EQ(held.st_ino, now.st_ino);
  EXPECT_NE(held.st_ino, before.st_ino);
  lockfile::unlock_path(*fd, path, true);
  EXPECT_FALSE(exists(path));
}

TEST_F(ArrayLockTest, SharedHoldersShareAndExcludeAWriter) {
  ArrayLockOptions shared = opts();
  shared.mode = LockMode::Shared;
  auto r1 = ArrayLock::acquire(legs({a, b}), array, "vol0", shared);
  auto r2 = ArrayLock::acquire(legs({a, b}), array, "vol0", shared);
  ASSERT_TRUE(r1) << r1.error().describe();
  ASSERT_TRUE(r2) << r2.error().describe();
  auto w = ArrayLock::acquire(legs({a, b}), array, "vol0", opts());
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, ErrorCode::Busy);
  r1->release();
  r2->release();
  EXPECT_TRUE(ArrayLock::acquire(legs({a, b}), array, "vol0", opts()));
}

TEST_F(ArrayLockTest, ALegLockedByAnUnknownProcessIsRefusedAfterTheWait) {
  const int fd = ::open(a.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_EQ(::flock(fd, LOCK_SH), 0);   // like udev probing the device
  auto r = ArrayLock::acquire(legs({a, b}), array, "vol0", opts());
  ::close(fd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Busy);
  EXPECT_NE(r.error().message.find("leg " + a + " is locked by another process"), std::string::npos)
      << r.error().message;
  EXPECT_TRUE(ArrayLock::acquire(legs({a, b}), array, "vol0", opts()));
}

TEST_F(ArrayLockTest, LegsOfAnOpenedArrayAreOrderedBySlotAndNameTheArray) {
  // A device without a superblock (a replacement) is still locked.
  auto dev = open_device(c, OpenOptions{.writable = false, .exclusive = false});
  ASSERT_TRUE(dev);
  std::vector<BlockDevice*> devs{dev->get()};
  auto held = ArrayLock::acquire_legs(devs, opts());
  ASSERT_TRUE(held) << held.error().describe();
  EXPECT_EQ(held->path(), "");   // no array: only the devices
  EXPECT_FALSE(unlocked(c));
  dev->reset();   // the lock keeps its own descriptor
  EXPECT_FALSE(unlocked(c));
  held->release();
  EXPECT_TRUE(unlocked(c));
}

}  // namespace
}  // namespace dmirror
