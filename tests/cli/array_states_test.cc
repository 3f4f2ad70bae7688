// SPDX-License-Identifier: LGPL-2.1-or-later
// The array states of docs/array-states.md as status, list, examine, verify,
// scrub and __probe show them, all from the one assembly, and the exit-code
// table (exit_codes.h): unclean shutdown, mismatches left by a check, a
// damaged journal, the initial sync, a hostile name on disk, and the kind of
// exit status of check commands (condition bits) versus change commands
// (0 when done, a warning when they leave the array degraded).
#include "cli/run_tool.h"
#include "support/sizes.h"

#include <dmirror/array.h>
#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <sstream>

namespace dmirror::testing {
namespace {

class ArrayStates : public ::testing::Test {
 protected:
  // Legs are sparse 64 MiB images, created with --yes --no-activate and,
  // unless asked not to, resynced (the initial sync done).
  void make(int n, bool resync = true) {
    std::vector<std::string> args{"create", "vol0"};
    for (int i = 0; i < n; ++i) {
      legs.push_back(dir.make_image(std::string(1, static_cast<char>('a' + i)) + ".img", 64 * kMiB));  // sparse
      args.push_back(legs.back());
    }
    args.insert(args.end(), {"--yes", "--no-activate"});
    auto c = run_tool(args);
    ASSERT_EQ(c.exit_code, 0) << c.err;
    if (resync) {
      auto r = run_tool(with_legs({"resync"}));
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
  }
  std::vector<std::string> with_legs(std::vector<std::string> args) const {
    args.insert(args.end(), legs.begin(), legs.end());
    return args;
  }
  void random_bytes(const std::string& path, uint64_t offset, size_t len) {
    std::mt19937 rng(12345);
    std::string junk(len, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng());
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::string payload(size_t len) {
    std::string p = dir.path() + "/payload.bin";
    std::ofstream out(p, std::ios::binary);
    for (size_t i = 0; i < len; ++i) out.put(static_cast<char>(i * 7 + 3));
    return p;
  }
  nlohmann::json status_json() {
    auto r = run_tool(with_legs({"--json", "status"}));
    return nlohmann::json::parse(r.out);
  }
  std::string lock() { return "--lock-dir=" + dir.path(); }

  ScratchDir dir;
  std::vector<std::string> legs;
};

TEST_F(ArrayStates, UncleanShutdownIsResyncPendingNotHealthy) {
  make(2);
  ASSERT_EQ(run_tool(with_legs({"status"})).exit_code, 0);
  auto w = run_tool(with_legs({"io", "write", "--from", payload(65536), "--offset", "16M", "--no-close"}));
  ASSERT_EQ(w.exit_code, 0) << w.err;
  random_bytes(legs[1], kDataOffset + 16 * kMiB, 4096);
  auto s = run_tool(with_legs({"status"}));
  EXPECT_EQ(s.exit_code, 2) << s.out;
  EXPECT_TRUE(contains(s.out, "Health:      resync-pending")) << s.out;
  EXPECT_TRUE(contains(s.out, "unclean shutdown: ")) << s.out;
  EXPECT_TRUE(contains(s.out, "unclean shutdown: 1 region to resync")) << s.out;
  EXPECT_FALSE(contains(s.out, "healthy")) << s.out;
  auto j = status_json();
  EXPECT_EQ(j["health"], "resync-pending");
  EXPECT_EQ(j["conditions"]["unclean"], true);
  EXPECT_EQ(j["exit_code"], 2);
  auto l = run_tool(with_legs({"list"}));
  EXPECT_EQ(l.exit_code & 2, 2) << l.out;   // (list ORs in the host's arrays too: other tests' loop devices)
  // The resync settles it.
  ASSERT_EQ(run_tool(with_legs({"resync"})).exit_code, 0);
  EXPECT_EQ(run_tool(with_legs({"status"})).exit_code, 0);
}

TEST_F(ArrayStates, MismatchesLeftByACheckAreInconsistentUntilACleanCheck) {
  make(3);
  ASSERT_EQ(run_tool(with_legs({"io", "write", "--from", payload(65536), "--offset", "0"})).exit_code, 0);
  random_bytes(legs[2], kDataOffset + 4096, 4096);
  auto check = run_tool(with_legs({"scrub", "--check-only", lock()}));
  EXPECT_EQ(check.exit_code, 4) << check.out << check.err;
  auto s = run_tool(with_legs({"status"}));
  EXPECT_EQ(s.exit_code, 4) << s.out;
  EXPECT_TRUE(contains(s.out, "Health:      inconsistent")) << s.out;
  EXPECT_TRUE(contains(s.out, "mismatches")) << s.out;
  EXPECT_EQ(status_json()["conditions"]["inconsistent"], true);
  // Repaired, then checked clean: healthy again.
  auto repair = run_tool(with_legs({"scrub", lock()}));
  EXPECT_EQ(repair.exit_code & ~1, 0) << repair.out << repair.err;
  EXPECT_EQ(run_tool(with_legs({"scrub", "--check-only", lock()})).exit_code, 0);
  auto after = run_tool(with_legs({"status"}));
  EXPECT_EQ(after.exit_code, 0) << after.out;
}

TEST_F(ArrayStates, DamagedJournalIsInconsistentInExamineAndStatus) {
  make(2);
  random_bytes(legs[1], 128 * 1024, 16 * 1024);
  auto e = run_tool({"examine", legs[1]});
  EXPECT_EQ(e.exit_code & 4, 4) << e.out << e.err;
  auto s = run_tool(with_legs({"status"}));
  EXPECT_EQ(s.exit_code & 4, 4) << s.out;
  EXPECT_TRUE(contains(s.out, "Health:      inconsistent")) << s.out;
  EXPECT_TRUE(contains(s.out, legs[1])) << s.out;
  auto l = run_tool(with_legs({"list"}));
  EXPECT_EQ(l.exit_code & 4, 4) << l.out;
}

TEST_F(ArrayStates, FreshArrayIsInitialResyncPendingNotDegraded) {
  make(2, false);
  auto s = run_tool(with_legs({"status"}));
  EXPECT_EQ(s.exit_code, 2) << s.out;
  EXPECT_TRUE(contains(s.out, "Health:      resync-pending (initial resync pending")) << s.out;
  EXPECT_FALSE(contains(s.out, "degraded")) << s.out;
  EXPECT_TRUE(contains(s.out, "2 of 2 found")) << s.out;
  auto j = status_json();
  EXPECT_EQ(j["health"], "resync-pending");
  EXPECT_EQ(j["conditions"]["initial_sync"], true);
  EXPECT_EQ(j["conditions"]["degraded"], false);
  EXPECT_EQ(j["legs"][1]["role"], "in_sync");
}

TEST_F(ArrayStates, StatusShowsEachSlotsRoleAndRecovery) {
  make(3);
  std::remove(legs[2].c_str());
  auto s = run_tool({"status", legs[0], legs[1], legs[2]});
  EXPECT_EQ(s.exit_code, 2) << s.out;
  EXPECT_TRUE(contains(s.out, "Health:      degraded (slot 2 missing")) << s.out;
  auto j = nlohmann::json::parse(run_tool({"--json", "status", legs[0], legs[1], legs[2]}).out);
  EXPECT_EQ(j["legs"][2]["role"], "missing");
  EXPECT_EQ(j["legs"][0]["role"], "in_sync");
  EXPECT_EQ(j["legs"][0]["recovery"], "none");
  EXPECT_EQ(j["non_members"][0]["path"], legs[2]);
  EXPECT_EQ(j["non_members"][0]["disposition"], "unreadable");
  EXPECT_EQ(j["other_devices"], nlohmann::json::array({legs[2]})) << "[string], as in output_version 1.0";
}

// Check commands OR the condition bits: scrub of a degraded array says so.
TEST_F(ArrayStates, CheckCommandsCarryTheConditionBits) {
  make(3);
  auto before = run_tool({"examine", legs[0], legs[1]});
  EXPECT_EQ(before.exit_code, 0) << before.out << before.err;  // slot 2 not given, not recorded missing
  // ... and it says so instead of calling the array degraded.
  EXPECT_TRUE(contains(before.out, "(2 of 3 slots; not given: slot 2): healthy")) << before.out;
  EXPECT_FALSE(contains(before.out, "is missing")) << before.out;
  auto j = nlohmann::json::parse(run_tool({"--json", "examine", legs[0], legs[1]}).out);
  EXPECT_EQ(j["array"]["health"], "healthy") << j.dump();
  EXPECT_EQ(j["array"]["conditions"]["degraded"], false) << j.dump();
  EXPECT_EQ(j["array"]["slots_not_given"], nlohmann::json::array({2})) << j.dump();
  // A scrub would record slot 2 missing: it needs consent (FORMAT.md 2.6
  // rule 11 holds for every writer), and a refusal writes nothing.
  const std::string l0 = read_file(legs[0]), l1 = read_file(legs[1]);
  auto refused = run_tool({"scrub", "--check-only", lock(), legs[0], legs[1]});
  EXPECT_EQ(refused.exit_code, 8) << refused.out << refused.err;
  EXPECT_TRUE(contains(refused.err, "slot 2")) << refused.err;
  EXPECT_TRUE(contains(refused.err, "--degraded")) << refused.err;
  EXPECT_TRUE(read_file(legs[0]) == l0 && read_file(legs[1]) == l1) << "a refused scrub changed a leg";
  auto scrub = run_tool({"scrub", "--check-only", "--degraded", lock(), legs[0], legs[1]});
  EXPECT_EQ(scrub.exit_code, 2) << scrub.out << scrub.err;
  auto verify = run_tool({"verify", legs[0], legs[1]});
  EXPECT_EQ(verify.exit_code, 2) << verify.out << verify.err;
  // The scrub's commit went on without slot 2 and recorded it missing.
  auto examine = run_tool({"examine", legs[0], legs[1]});
  EXPECT_EQ(examine.exit_code, 2) << examine.out << examine.err;
  EXPECT_TRUE(contains(examine.out, "missing")) << examine.out;
}

// Change commands exit 0 when done and warn when they leave the array degraded.
TEST_F(ArrayStates, ChangeCommandsWarnInsteadOfExitingDegraded) {
  make(3, false);
  auto r = run_tool({"resync", "--degraded", legs[0], legs[1]});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "warning: array 'vol0' is left degraded")) << r.err;
  EXPECT_TRUE(contains(r.err, "slot 2")) << r.err;
}

TEST_F(ArrayStates, HelpShowsTheConditionTable) {
  auto h = run_tool({"--help"});
  EXPECT_TRUE(contains(h.out, "resync-pending 2; degraded 2; inconsistent 4; failed 6")) << h.out;
  EXPECT_TRUE(contains(h.out, "warn on stderr when they leave the array degraded")) << h.out;
}

// A name written to disk with an escape sequence and a newline (valid CRCs)
// is shown escaped everywhere and reported as a finding; the udev export
// cannot be made to carry a second ID_FS_TYPE line.
TEST_F(ArrayStates, HostileNameOnDiskIsEscaped) {
  make(2);
  const std::string evil = "x\x1b[31mred\nID_FS_TYPE=ext4";
  for (const auto& leg : legs) {
    auto dev = open_device(leg);
    ASSERT_TRUE(dev);
    auto meta = read_leg(**dev);
    ASSERT_TRUE(meta);
    Superblock sb = meta->sb;
    sb.name = evil;
    ASSERT_TRUE(write_superblocks(**dev, sb));
  }
  for (auto cmd : {"status", "list"}) {
    auto r = run_tool(with_legs({cmd}));
    EXPECT_FALSE(contains(r.out, "\x1b")) << cmd << ": raw escape\n" << r.out;
    EXPECT_FALSE(contains(r.out, "\nID_FS_TYPE")) << cmd << ": forged line\n" << r.out;
    EXPECT_TRUE(contains(r.out, "x\\x1b[31mred\\x0aID_FS_TYPE=ext4")) << cmd << "\n" << r.out;
    EXPECT_TRUE(contains(r.out, "is not a valid name")) << cmd << "\n" << r.out;
    EXPECT_FALSE(contains(r.out, "\\x5cx")) << cmd << ": escaped twice\n" << r.out;
  }
  auto j = status_json();
  EXPECT_EQ(j["name"], evil);
  bool finding = false;
  for (const auto& f : j["findings"]) finding |= f["code"] == "name-invalid";
  EXPECT_TRUE(finding) << j.dump(2);

  auto p = run_tool({"__probe", "--export", legs[0]});
  EXPECT_EQ(p.exit_code, 0);
  std::istringstream in(p.out);
  int types = 0;
  for (std::string line; std::getline(in, line);) {
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    EXPECT_NE(line.find('='), std::string::npos) << line;
    types += line.rfind("ID_FS_TYPE=", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(types, 1) << p.out;
  EXPECT_TRUE(contains(p.out, "ID_FS_TYPE=dmirror_member\n")) << p.out;
  EXPECT_TRUE(contains(p.out, "DMIRROR_ARRAY_NAME=x\\x1b\\x5b31mred\\x0aID_FS_TYPE=ext4\n")) << p.out;
  EXPECT_TRUE(contains(p.out, "DMIRROR_ARRAY_NAME_INVALID=1\n")) << p.out;
}

}  // namespace
}  // namespace dmirror::testing
