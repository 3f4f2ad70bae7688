// SPDX-License-Identifier: LGPL-2.1-or-later
// The engine and offline-operation commands on image files: io, verify
// (plain, --quick, --json, --report, --repair), scrub (--from, --check-only,
// resume, lock), resync and replace, with their exit codes.
#include <gtest/gtest.h>
#include <dmirror/array.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

class EngineCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir.make_image("a.img", 20 << 20);
    b = dir.make_image("b.img", 20 << 20);
    c = dir.make_image("c.img", 20 << 20);
    auto r = run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    payload = dir.path() + "/payload.bin";
    std::ofstream out(payload, std::ios::binary);
    for (int i = 0; i < 65536; ++i) out.put(static_cast<char>(i * 7 + 3));
  }
  void poke(const std::string& img, uint64_t offset, char value) {
    std::fstream f(img, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(value);
  }
  std::string lock() { return "--lock-dir=" + dir.path(); }

  ScratchDir dir;
  std::string a, b, c, payload;
};

TEST_F(EngineCommands, IoWriteReadRoundTrip) {
  auto w = run_tool({"io", "write", a, b, "--offset", "1M", "--from", payload});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  std::string back = dir.path() + "/back.bin";
  auto r = run_tool({"io", "read", a, b, "--offset", "1M", "--length", "65536", "--to", back});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(back), read_file(payload));
  EXPECT_EQ(run_tool({"verify", a, b}).exit_code, 0);
}

TEST_F(EngineCommands, IoWriteOfAPartBlockKeepsTheRestOfThatBlock) {
  ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "0", "--from", payload}).exit_code, 0);
  const std::string odd = dir.path() + "/odd.bin";
  {
    std::ofstream out(odd, std::ios::binary);
    for (int i = 0; i < 100; ++i) out.put('Z');
  }
  auto w = run_tool({"io", "write", a, b, "--offset", "4096", "--from", odd});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_TRUE(contains(w.out, "wrote 100 bytes")) << w.out;
  std::string back = dir.path() + "/back.bin";
  ASSERT_EQ(run_tool({"io", "read", a, b, "--offset", "0", "--length", "65536", "--to", back}).exit_code, 0);
  std::string want = read_file(payload);
  want.replace(4096, 100, std::string(100, 'Z'));
  EXPECT_EQ(read_file(back), want) << "the bytes after the 100 written ones must keep the earlier write";
}

TEST_F(EngineCommands, VerifyReportsThePlantedMismatchAndScrubFromRepairsIt) {
  ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "0", "--from", payload}).exit_code, 0);
  poke(b, kDataOffset + 5000, 'X');
  auto v = run_tool({"verify", a, b});
  EXPECT_EQ(v.exit_code, 4) << v.out << v.err;
  EXPECT_TRUE(contains(v.out, "offset 4608 length 512")) << v.out;
  EXPECT_TRUE(contains(v.out, "likely corruption")) << v.out;

  std::string report = dir.path() + "/report.json";
  auto j = run_tool({"verify", a, b, "--json", "--report", report});
  EXPECT_EQ(j.exit_code, 4);
  auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc["mismatches"].size(), 1u);
  EXPECT_EQ(doc["mismatches"][0]["offset"], 4608);
  EXPECT_TRUE(doc["mismatches"][0]["source_slot"].is_null()) << "two legs, clean region: no evidence";
  EXPECT_TRUE(doc["mismatches"][0]["agree"].empty());
  EXPECT_EQ(doc["mismatches"][0]["differ"].size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(read_file(report))["mismatch_count"], 1);

  auto s = run_tool({"scrub", a, b, "--from", b, lock()});
  EXPECT_EQ(s.exit_code, 1) << s.out << s.err;
  EXPECT_TRUE(contains(s.out, "repaired from slot 1")) << s.out;
  EXPECT_EQ(run_tool({"verify", a, b}).exit_code, 0);
  // --from b: the planted byte won, now on both legs.
  std::string back = dir.path() + "/back.bin";
  ASSERT_EQ(run_tool({"io", "read", a, b, "--offset", "4096", "--length", "4096", "--to", back}).exit_code, 0);
  EXPECT_EQ(read_file(back)[5000 - 4096], 'X');
}

TEST_F(EngineCommands, ScrubCheckOnlyLeavesMismatchesAndRecordsTheRun) {
  poke(a, kDataOffset + 100, 'Y');
  auto s = run_tool({"scrub", a, b, "--check-only", "--json", lock()});
  EXPECT_EQ(s.exit_code, 4) << s.out << s.err;
  auto doc = nlohmann::json::parse(s.out);
  EXPECT_EQ(doc["result"], "mismatches");
  EXPECT_EQ(doc["mismatches"][0]["class"], "corruption") << "assume-clean: no guessing from zeros";
  auto st = run_tool({"status", a, b});
  EXPECT_TRUE(contains(st.out, "Last scrub")) << st.out;
}

TEST_F(EngineCommands, VerifyRepairFixesAndExitsCorrected) {
  poke(b, kDataOffset + 9000, 'Z');
  auto r = run_tool({"verify", a, b, "--repair", "--from", "0"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(run_tool({"verify", a, b}).exit_code, 0);
}

TEST_F(EngineCommands, UncleanShutdownIsACrashWindowThenResyncSettlesIt) {
  ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "0", "--from", payload, "--no-close"}).exit_code, 0);
  poke(b, kDataOffset + 10, 'Q');
  auto q = run_tool({"verify", a, b, "--quick", "--json"});
  auto doc = nlohmann::json::parse(q.out);
  ASSERT_EQ(doc["mismatches"].size(), 1u) << q.out;
  EXPECT_EQ(doc["mismatches"][0]["class"], "crash-window");
  EXPECT_EQ(q.exit_code & 2, 2) << "degraded: a resync is pending";
  auto r = run_tool({"resync", a, b});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "journal")) << r.out;
  EXPECT_EQ(run_tool({"verify", a, b}).exit_code, 0);
}

TEST_F(EngineCommands, ReplaceSwapsALegAndKeepsTheData) {
  ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "0", "--from", payload}).exit_code, 0);
  auto r = run_tool({"replace", a, b, "--old", b, "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(run_tool({"verify", a, c}).exit_code, 0);
  std::string back = dir.path() + "/back.bin";
  ASSERT_EQ(run_tool({"io", "read", a, c, "--offset", "0", "--length", "65536", "--to", back}).exit_code, 0);
  EXPECT_EQ(read_file(back), read_file(payload));
}

TEST_F(EngineCommands, IoWriteWithALegMissingNeedsDegradedAndWarns) {
  const std::string a0 = read_file(a), b0 = read_file(b);
  auto refused = run_tool({"io", "write", a, "--offset", "0", "--from", payload});
  EXPECT_EQ(refused.exit_code, 8) << refused.out << refused.err;
  EXPECT_TRUE(contains(refused.err, "--degraded")) << refused.err;
  EXPECT_TRUE(read_file(a) == a0) << "a refused write changed the leg";
  EXPECT_TRUE(read_file(b) == b0);
  auto w = run_tool({"io", "write", a, "--offset", "0", "--from", payload, "--degraded"});
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  EXPECT_TRUE(contains(w.err, "degraded")) << w.err;
  EXPECT_TRUE(contains(w.err, "slot 1 is missing")) << w.err;
  EXPECT_TRUE(read_file(b) == b0) << "the missing leg was written";
}

TEST_F(EngineCommands, UsageErrorsExit16) {
  EXPECT_EQ(run_tool({"scrub", a, b, "--max-rate", "fast", lock()}).exit_code, 16);
  EXPECT_EQ(run_tool({"replace", a, b, "--old", "1"}).exit_code, 16);
}

}  // namespace
}  // namespace dmirror::testing
