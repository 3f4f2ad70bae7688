// SPDX-License-Identifier: LGPL-2.1-or-later
// Boot-time discovery: the commands of udev/69-dmirror.rules.in, run as the
// rule runs them ($devnode = an image file), with the records kept in a
// scratch directory: __probe --export tags legs only, and
// activate --incremental records each leg and activates only when the last
// one is present. Without device-mapper (this tier) the activation itself
// fails, which is asserted.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>
#include <sstream>
#include <cstdlib>
#include <unistd.h>

#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

// The arguments of the rule's `KEY="@DMIRROR_SBINDIR@/dmirrorctl ARGS $devnode"`.
std::vector<std::string> rule_args(const std::string& key, const std::string& devnode) {
  const std::string rule = read_file(std::string(DMIRROR_SOURCE_DIR) + "/udev/69-dmirror.rules.in");
  std::smatch m;
  EXPECT_TRUE(std::regex_search(rule, m, std::regex(key + "=\"@DMIRROR_SBINDIR@/dmirrorctl ([^\"]*)\"")))
      << key << " not found in the rule";
  std::vector<std::string> args;
  std::istringstream in(m[1].str());
  for (std::string w; in >> w;) args.push_back(w == "$devnode" ? devnode : w);
  return args;
}

class Incremental : public ::testing::Test {
 protected:
  void SetUp() override {
    // No systemd timers from a test, whatever the machine runs (last_resort_test.cc checks them).
    ::setenv("DMIRROR_SYSTEMD_DIR", (dir.path() + "/no-systemd").c_str(), 1);
    for (const char* n : {"a.img", "b.img", "c.img"}) legs.push_back(dir.make_image(n, 24 << 20));
    other = dir.make_image("plain.img", 24 << 20);
    auto r = run_tool({"create", "vol0", legs[0], legs[1], legs[2], "--assume-clean", "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ToolResult add(const std::string& dev) {
    auto args = rule_args("RUN\\+", dev);
    args.insert(args.begin(), "--json");
    args.push_back("--run-dir=" + dir.path());
    return run_tool(args);
  }
  ScratchDir dir;
  std::vector<std::string> legs;
  std::string other;
};

TEST_F(Incremental, ProbeTagsLegsOnly) {
  auto leg = run_tool(rule_args("IMPORT\\{program\\}", legs[1]));
  EXPECT_EQ(leg.exit_code, 0);
  EXPECT_TRUE(contains(leg.out, "ID_FS_TYPE=dmirror_member\n")) << leg.out;
  EXPECT_TRUE(contains(leg.out, "DMIRROR_ARRAY_NAME=vol0\n")) << leg.out;
  EXPECT_TRUE(contains(leg.out, "DMIRROR_SLOT=1\n")) << leg.out;
  auto plain = run_tool(rule_args("IMPORT\\{program\\}", other));
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.out, "");
  EXPECT_EQ(run_tool({"__probe", other}).exit_code, 1);
  EXPECT_EQ(run_tool({"__probe", legs[0]}).exit_code, 0);
}

TEST_F(Incremental, RecordsLegsAndActivatesOnlyWhenComplete) {
  for (int i = 0; i < 2; ++i) {
    auto r = add(legs[static_cast<size_t>(i)]);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = nlohmann::json::parse(r.out)["incremental"];
    EXPECT_EQ(j["legs_expected"], 3);
    EXPECT_EQ(j["legs_present"], i + 1);
    EXPECT_EQ(j["complete"], false);
    EXPECT_EQ(j["activated"], false);
    EXPECT_TRUE(std::filesystem::exists(j["record"].get<std::string>() + "/slot" + std::to_string(i)));
  }
  // The same leg again changes nothing.
  EXPECT_EQ(nlohmann::json::parse(add(legs[1]).out)["incremental"]["legs_present"], 2);
  // The last leg completes the array: activation is attempted, never degraded.
  auto last = add(legs[2]);
  // The kernel has device-mapper when /proc/misc lists it (a leftover
  // /dev/mapper/control node alone proves nothing).
  std::ifstream misc("/proc/misc");
  const std::string misc_text((std::istreambuf_iterator<char>(misc)), std::istreambuf_iterator<char>());
  if (::access("/dev/mapper/control", F_OK) != 0 || !contains(misc_text, "device-mapper")) {
    EXPECT_EQ(last.exit_code, 8) << last.out;
    EXPECT_TRUE(contains(last.err, "device-mapper is not available")) << last.err;
    EXPECT_TRUE(contains(last.err, "array 'vol0' is complete")) << last.err;
  } else {
    EXPECT_EQ(last.exit_code, 0) << last.out << last.err;
    run_tool({"deactivate", "vol0"});
  }
}

TEST_F(Incremental, DropsRecordsOfDevicesThatChanged) {
  ASSERT_EQ(add(legs[0]).exit_code, 0);
  // b.img is recorded, then wiped (another use of the device).
  ASSERT_EQ(add(legs[1]).exit_code, 0);
  dir.make_image("b.img", 24 << 20);
  auto r = add(legs[0]);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["incremental"]["legs_present"], 1);
}

TEST_F(Incremental, RefusesNonLegsAndDegradedRequests) {
  auto r = add(other);
  EXPECT_EQ(r.exit_code, 8) << r.out;
  EXPECT_EQ(run_tool({"activate", "--incremental", "--degraded", legs[0]}).exit_code, 16);
  EXPECT_EQ(run_tool({"activate", "--incremental", legs[0], legs[1]}).exit_code, 16);
}

}  // namespace
}  // namespace dmirror::testing

namespace dmirror::testing {
namespace {

// Under systemd the rule hands the same command to a transient service: the
// udev worker holds a shared flock on the event's device while RUN programs
// run, so the array lock could never be taken from inside it (the boot
// tier, tests/boot, is where that is seen). DefaultDependencies=no, or the
// service would wait for basic.target and so for the fstab mounts that wait
// for the volume.
TEST(IncrementalRule, UnderSystemdActivatesOutsideTheUdevWorker) {
  const std::string rule = read_file(std::string(DMIRROR_SOURCE_DIR) + "/udev/69-dmirror.rules.in");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      rule, m,
      std::regex("TEST==\"/run/systemd/system\",[ \\\\\n]*RUN\\+=\"/usr/bin/systemd-run --no-block ([^\"]*) "
                 "@DMIRROR_SBINDIR@/dmirrorctl activate --incremental \\$devnode\",[ \\\\\n]*GOTO=\"dmirror_end\"")))
      << rule;
  EXPECT_TRUE(contains(m[1].str(), "--property=DefaultDependencies=no")) << m[1];
  EXPECT_TRUE(contains(m[1].str(), "--unit=dmirror-incremental-%M-%m")) << m[1];
  // The command udev runs itself (no systemd) is the same one.
  EXPECT_TRUE(contains(rule, "\nRUN+=\"@DMIRROR_SBINDIR@/dmirrorctl activate --incremental $devnode\"\n"));
}

}  // namespace
}  // namespace dmirror::testing
