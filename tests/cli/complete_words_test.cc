// SPDX-License-Identifier: LGPL-2.1-or-later
// The words the completions ask the binary for (tools/dmirrorctl/
// complete_words.h): `__complete --legs` gives the slots and legs of the
// array the words name, with their roles, a slot whose leg is absent as a
// slot only; `--active` gives no array that is not active; `--free-devices`
// never offers a RAM disk, the root file system's disk or a mounted device
// (tests/loop/loop_complete_test.cc: blank, formatted, read-only devices).
#include "cli/run_tool.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <set>
#include <sstream>

namespace dmirror::testing {
namespace {

class CompleteWords : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir.make_image("a.img", 24 << 20);
    b = dir.make_image("b.img", 24 << 20);
    ASSERT_EQ(run_tool({"create", "tank", a, b, "--assume-clean", "--yes"}).exit_code, 0);
  }
  ScratchDir dir;
  std::string a, b;
};

TEST_F(CompleteWords, LegsOfTheArrayOnTheLine) {
  auto r = run_tool({"__complete", "--legs", a, b});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\t" + a + " (in_sync)\n" + a + "\tslot 0 (in_sync)\n" + "1\t" + b + " (in_sync)\n" + b +
                       "\tslot 1 (in_sync)\n");
  // One leg given: the other slot is offered by number (replace --old 1).
  r = run_tool({"__complete", "--legs", a});
  EXPECT_EQ(r.out, "0\t" + a + " (in_sync)\n" + a + "\tslot 0 (in_sync)\n1\tslot 1: missing\n") << r.out;
  // Nothing named, or nothing that is an array: no words, exit 0.
  EXPECT_EQ(run_tool({"__complete", "--legs"}).out, "");
  r = run_tool({"__complete", "--legs", dir.make_image("blank.img", 1 << 20)});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
}

TEST_F(CompleteWords, ActiveVolumesAreOnlyActiveOnes) {
  auto r = run_tool({"__complete", "--active"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("tank"), std::string::npos) << r.out;  // formatted, never activated
}

std::string majmin(const std::string& sys_name) {
  std::ifstream in("/sys/class/block/" + sys_name + "/dev");
  std::string s;
  std::getline(in, s);
  return s;
}

TEST_F(CompleteWords, FreeDevicesLeaveOutRamDisksMountedAndTheRootDisk) {
  auto r = run_tool({"__complete", "--free-devices"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> mounted;
  std::ifstream mi("/proc/self/mountinfo");
  for (std::string line; std::getline(mi, line);) {
    std::istringstream f(line);
    std::string id, parent, mm;
    f >> id >> parent >> mm;
    mounted.insert(mm);
  }
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) {
    ASSERT_EQ(line.rfind("/dev/", 0), 0u) << line;
    const std::string name = line.substr(5, line.find('\t') - 5);
    EXPECT_NE(line.find('\t'), std::string::npos) << line;  // with its size
    EXPECT_NE(name.rfind("zram", 0), 0u) << line;
    EXPECT_NE(name.rfind("ram", 0), 0u) << line;
    EXPECT_FALSE(mounted.contains(majmin(name))) << line << " is mounted";
    struct stat root{}, dev{};
    ASSERT_EQ(::stat("/", &root), 0);
    ASSERT_EQ(::stat(("/dev/" + name).c_str(), &dev), 0) << line;
    EXPECT_NE(dev.st_rdev, root.st_dev) << line << " holds the root file system";
  }
}

}  // namespace
}  // namespace dmirror::testing
