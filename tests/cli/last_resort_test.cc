// SPDX-License-Identifier: LGPL-2.1-or-later
// Degraded activation at boot: the array's degraded timeout (create
// --degraded-timeout, examine), what `activate --incremental` arranges for
// an incomplete array (a transient systemd timer, or nothing: never, no
// systemd), and the refusals of `activate --last-resort`. systemd-run and
// systemctl are replaced by scripts that record their arguments
// (DMIRROR_SYSTEMD_RUN, DMIRROR_SYSTEMCTL) and /run/systemd/system by a
// scratch directory (DMIRROR_SYSTEMD_DIR); the kernel tier runs the same
// commands for real (tests/kernel/vm/scenarios/last_resort.sh).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

class LastResort : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* n : {"a.img", "b.img"}) legs.push_back(dir.make_image(n, 24 << 20));
    std::filesystem::create_directories(dir.path() + "/systemd");
    calls = dir.path() + "/calls";
    script("systemd-run", "echo \"systemd-run $*\" >> " + calls + "\nexit 0\n");
    // is-active: no such unit yet (3, as systemctl says for an inactive unit).
    script("systemctl", "echo \"systemctl $*\" >> " + calls + "\nexit 3\n");
    ::setenv("DMIRROR_SYSTEMD_RUN", (dir.path() + "/systemd-run").c_str(), 1);
    ::setenv("DMIRROR_SYSTEMCTL", (dir.path() + "/systemctl").c_str(), 1);
    systemd(true);
  }
  void TearDown() override {
    for (const char* v : {"DMIRROR_SYSTEMD_RUN", "DMIRROR_SYSTEMCTL", "DMIRROR_SYSTEMD_DIR"}) ::unsetenv(v);
  }
  void script(const std::string& name, const std::string& body) {
    const std::string p = dir.path() + "/" + name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    std::filesystem::permissions(p, std::filesystem::perms::owner_all);
  }
  void systemd(bool present) {
    ::setenv("DMIRROR_SYSTEMD_DIR", (dir.path() + (present ? "/systemd" : "/no-systemd")).c_str(), 1);
  }
  nlohmann::json examine_sb(const std::string& leg) {
    auto r = run_tool({"--json", "examine", leg});
    return nlohmann::json::parse(r.out)["legs"][0]["superblock"];
  }
  std::string uuid() { return examine_sb(legs[0])["uuid"]; }
  ToolResult incremental(const std::string& leg) {
    return run_tool({"--json", "activate", "--incremental", leg, "--run-dir", dir.path()});
  }
  std::string called() { return std::filesystem::exists(calls) ? read_file(calls) : ""; }

  ScratchDir dir;
  std::vector<std::string> legs;
  std::string calls;
};

TEST_F(LastResort, CreateRecordsTheDegradedTimeout) {
  ASSERT_EQ(run_tool({"create", "vol0", legs[0], legs[1], "--assume-clean", "--yes", "--degraded-timeout", "45"})
                .exit_code,
            0);
  auto sb = examine_sb(legs[1]);
  EXPECT_EQ(sb["degraded_timeout"], 45);
  EXPECT_EQ(sb["degraded_timeout_default"], false);
  EXPECT_EQ(sb["features"]["compat"].get<uint64_t>() & 4u, 4u);   // BOOT_POLICY
  auto text = run_tool({"examine", legs[0]});
  EXPECT_TRUE(contains(text.out, "Degraded boot: after 45 s when legs are missing")) << text.out;
}

TEST_F(LastResort, DefaultAndNever) {
  ASSERT_EQ(run_tool({"create", "vol0", legs[0], legs[1], "--assume-clean", "--yes"}).exit_code, 0);
  EXPECT_EQ(examine_sb(legs[0])["degraded_timeout"], 30);
  EXPECT_EQ(examine_sb(legs[0])["degraded_timeout_default"], true);
  ASSERT_EQ(run_tool({"create", "vol1", legs[0], legs[1], "--assume-clean", "--yes", "--force",
                      "--degraded-timeout", "never"})
                .exit_code,
            0);
  EXPECT_TRUE(examine_sb(legs[0])["degraded_timeout"].is_null());
  EXPECT_TRUE(contains(run_tool({"examine", legs[0]}).out, "Degraded boot: never"));
}

TEST_F(LastResort, ABadTimeoutIsRefusedBeforeAnythingIsWritten) {
  const std::string before0 = read_file(legs[0]), before1 = read_file(legs[1]);
  for (const char* bad : {"0", "30s", "-5", "4294967295", "forever"}) {
    auto r = run_tool({"create", "vol0", legs[0], legs[1], "--assume-clean", "--yes", "--degraded-timeout", bad});
    EXPECT_EQ(r.exit_code, 16) << bad << r.err;
    EXPECT_TRUE(contains(r.err, "--degraded-timeout")) << r.err;
    EXPECT_TRUE(contains(r.err, "'never'")) << r.err;
  }
  EXPECT_TRUE(read_file(legs[0]) == before0) << "leg 0 changed";
  EXPECT_TRUE(read_file(legs[1]) == before1) << "leg 1 changed";
}

TEST_F(LastResort, AnIncompleteArrayGetsATimerWithItsOwnTimeout) {
  ASSERT_EQ(run_tool({"create", "vol0", legs[0], legs[1], "--assume-clean", "--yes", "--degraded-timeout", "45"})
                .exit_code,
            0);
  const std::string id = uuid();
  auto r = incremental(legs[0]);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto plan = nlohmann::json::parse(r.out)["incremental"]["last_resort"];
  EXPECT_EQ(plan["timeout"], 45);
  EXPECT_EQ(plan["scheduled"], true);
  EXPECT_EQ(plan["unit"], "dmirror-last-resort-" + id + ".timer");
  const std::string c = called();
  EXPECT_TRUE(contains(c, "systemctl is-active --quiet dmirror-last-resort-" + id + ".timer")) << c;
  EXPECT_TRUE(contains(c, "--unit=dmirror-last-resort-" + id + " --on-active=45s")) << c;
  EXPECT_TRUE(contains(c, "activate --last-resort " + id + " --run-dir " + dir.path() + "\n")) << c;
}

TEST_F(LastResort, ARunningTimerIsKept) {
  ASSERT_EQ(run_tool({"create", "vol0", legs[0], legs[1], "--assume-clean", "--yes"}).exit_code, 0);
  script("systemctl", "echo \"systemctl $*\" >> " + calls + "\nexit 0\n");   // the timer is active
  auto r = incremental(legs[1]);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["incremental"]["last_resort"]["scheduled"], true);
  EXPECT_FALSE(contains(called(), "systemd-run")) << called();
}

TEST_F(LastResort, NeverAndNoSystemdScheduleNothing) {
  ASSERT_EQ(run_tool({"create", "vol0", legs[0], legs[1], "--assume-clean", "--yes", "--degraded-timeout", "never"})
                .exit_code,
            0);
  auto r = incremental(legs[0]);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto plan = nlohmann::json::parse(r.out)["incremental"]["last_resort"];
  EXPECT_TRUE(plan["timeout"].is_null());
  EXPECT_EQ(plan["scheduled"], false);
  EXPECT_TRUE(contains(plan["note"], "never")) << plan;
  EXPECT_EQ(called(), "");

  ASSERT_EQ(run_tool({"create", "vol1", legs[0], legs[1], "--assume-clean", "--yes", "--force"}).exit_code, 0);
  systemd(false);
  auto text = run_tool({"activate", "--incremental", legs[1], "--run-dir", dir.path()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "1 of 2 legs present")) << text.out;
  EXPECT_TRUE(contains(text.out, "no systemd")) << text.out;
  EXPECT_TRUE(contains(text.out, "dmirrorctl activate --last-resort " + uuid())) << text.out;
  EXPECT_EQ(called(), "");
}

TEST_F(LastResort, SystemdRunFailingIsSaidAndTheLegStillRecorded) {
  ASSERT_EQ(run_tool({"create", "vol0", legs[0], legs[1], "--assume-clean", "--yes"}).exit_code, 0);
  script("systemd-run", "exit 1\n");
  auto r = incremental(legs[0]);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out)["incremental"];
  EXPECT_EQ(j["last_resort"]["scheduled"], false);
  EXPECT_TRUE(contains(j["last_resort"]["note"], "activate --last-resort")) << j;
  EXPECT_EQ(j["legs_present"], 1);
}

TEST_F(LastResort, LastResortRefusals) {
  EXPECT_EQ(run_tool({"activate", "--last-resort", "vol0"}).exit_code, 16);
  EXPECT_EQ(run_tool({"activate", "--last-resort", "--incremental", legs[0]}).exit_code, 16);
  ASSERT_EQ(run_tool({"create", "vol0", legs[0], legs[1], "--assume-clean", "--yes", "--degraded-timeout", "never"})
                .exit_code,
            0);
  const std::string id = uuid();
  // Nothing recorded yet: names what to do.
  auto none = run_tool({"activate", "--last-resort", id, "--run-dir", dir.path()});
  EXPECT_EQ(none.exit_code, 8) << none.err;
  EXPECT_TRUE(contains(none.err, "no leg of it is recorded")) << none.err;
  // Recorded, but the policy is never: refused, nothing written.
  ASSERT_EQ(incremental(legs[0]).exit_code, 0);
  const std::string before0 = read_file(legs[0]), before1 = read_file(legs[1]);
  auto never = run_tool({"activate", "--last-resort", id, "--run-dir", dir.path()});
  EXPECT_EQ(never.exit_code, 8) << never.err;
  EXPECT_TRUE(contains(never.err, "degraded timeout never")) << never.err;
  EXPECT_TRUE(read_file(legs[0]) == before0) << "leg 0 changed";
  EXPECT_TRUE(read_file(legs[1]) == before1) << "leg 1 changed";
}

TEST_F(LastResort, ASplitBrainIsNeverStarted) {
  ASSERT_EQ(run_tool({"create", "vol0", legs[0], legs[1], "--assume-clean", "--yes"}).exit_code, 0);
  const std::string id = uuid();
  const std::string payload = dir.path() + "/payload";
  std::ofstream(payload) << std::string(4096, 'x');
  // Each leg written alone: the two sides diverged.
  ASSERT_EQ(run_tool({"io", "write", legs[0], "--degraded", "--from", payload}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", legs[1], "--degraded", "--from", payload}).exit_code, 0);
  systemd(false);
  ASSERT_EQ(incremental(legs[0]).exit_code, 0);
  incremental(legs[1]);   // complete: activation is attempted (and refused, or no device-mapper here)
  const std::string before0 = read_file(legs[0]), before1 = read_file(legs[1]);
  auto r = run_tool({"activate", "--last-resort", id, "--run-dir", dir.path()});
  EXPECT_EQ(r.exit_code, 12) << r.err;
  EXPECT_TRUE(contains(r.err, "split brain")) << r.err;
  EXPECT_TRUE(read_file(legs[0]) == before0) << "leg 0 changed";
  EXPECT_TRUE(read_file(legs[1]) == before1) << "leg 1 changed";
}

}  // namespace
}  // namespace dmirror::testing
