// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl wipe`: a removed or replaced leg is wiped (examine: not a
// dmirror leg; create takes it without --force; its data area untouched);
// every refusal (an in-sync leg without --force, a device without dmirror
// metadata, another signature, a locked array, one refused leg among
// several) leaves every image byte-identical; --force wipes an in-sync leg
// and the other legs then count its slot missing.
#include "cli/bad_input_util.h"

#include <dmirror/array_lock.h>
#include <dmirror/block_device.h>

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace dmirror::testing {
namespace {

class Wipe : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);
  std::string c = dir.make_image("c.img", 64 * kMiB);
  std::string d = dir.make_image("d.img", 64 * kMiB);

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean"}).exit_code, 0);
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }
  // b replaced by c: b is no longer in the newest table.
  void replace_b() {
    auto r = run_tool({"replace", a, b, "--old", b, "--new", c});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
};

// Read before a wipe (after it the superblock that places it is gone).
std::string data_area(const std::string& path) { return read_file(path).substr(8 * kMiB, 55 * kMiB); }

TEST_F(Wipe, ReplacedLegIsWipedAndCreateTakesItWithoutForce) {
  replace_b();
  auto st = run_tool({"status", a, b, c});
  EXPECT_TRUE(contains(st.err + st.out, "dmirrorctl wipe " + b)) << st.out << st.err;
  const std::string data = data_area(b);
  // Alone, an image file has no in-sync leg beside it: kept, as status
  // keeps it. Judged with the current legs, it is a leftover.
  expect_refused({"wipe", b}, 8, "may hold the only copy", {a, b, c});
  auto r = run_tool({"--json", "wipe", b, "--with", a, c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["legs"].size(), 1u);
  EXPECT_EQ(doc["legs"][0]["path"], b);
  EXPECT_EQ(doc["legs"][0]["wiped"], true);
  EXPECT_EQ(doc["legs"][0]["array"]["name"], "vol0");
  EXPECT_EQ(doc["legs"][0]["bytes_zeroed"], 3 * 4096 + 1024 * 1024 + 256 * 1024 + 4 * kMiB);   // copy 2 too
  // The metadata areas are zero, the data area is as it was.
  const std::string img = read_file(b);
  EXPECT_EQ(img.substr(0, 8 * kMiB), std::string(8 * kMiB, '\0'));
  EXPECT_TRUE(data_area(b) == data);
  auto ex = run_tool({"examine", b});
  EXPECT_EQ(ex.exit_code, 8);
  EXPECT_TRUE(contains(ex.err, "is not a dmirror leg")) << ex.err;
  auto cr = run_tool({"create", "vol1", b, d, "--yes"});
  EXPECT_EQ(cr.exit_code, 0) << cr.out << cr.err;
  // The array that lost b is unaffected.
  EXPECT_EQ(run_tool({"status", a, c}).exit_code, 0);
}

TEST_F(Wipe, InSyncLegIsRefusedWithoutForce) {
  auto r = expect_refused({"wipe", a}, 8, "is in_sync in its array's table: it holds the data of array 'vol0'",
                          {a, b});
  EXPECT_TRUE(contains(r.err, "--force")) << r.err;
}

// A spare holds no data, but the array counts on it: wipe says so and names
// the `remove` that releases it, not "holds the data".
TEST_F(Wipe, ASpareIsRefusedWithTheRemoveThatReleasesIt) {
  ASSERT_EQ(run_tool({"add", a, b, "--new", c, "--spare"}).exit_code, 0);
  auto r = expect_refused({"wipe", c, "--with", a, b}, 8,
                          c + " (slot 2 of array 'vol0') is a spare of array 'vol0': it holds no data", {a, b, c});
  EXPECT_TRUE(contains(r.err, "dmirrorctl remove vol0 --leg 2")) << r.err;
  EXPECT_FALSE(contains(r.err, "holds the data")) << r.err;
  // Found alone (its own table decides), the same answer.
  r = expect_refused({"wipe", c}, 8, "is a spare of array 'vol0'", {a, b, c});
  EXPECT_TRUE(contains(r.err, "dmirrorctl remove vol0 --leg 2")) << r.err;
  // Removed from the array, it is wiped without --force.
  ASSERT_EQ(run_tool({"remove", a, b, c, "--leg", "2"}).exit_code, 0);
  auto w = run_tool({"wipe", c, "--with", a, b});
  EXPECT_EQ(w.exit_code, 0) << w.out << w.err;
}

TEST_F(Wipe, OneRefusedLegLeavesEveryLegUntouched) {
  replace_b();
  expect_refused({"wipe", b, a}, 8, "holds the data of array 'vol0'", {a, b, c});
}

TEST_F(Wipe, ForceWipesAnInSyncLegAndTheOthersCountItMissing) {
  auto r = run_tool({"wipe", "--force", b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, b + ": wiped")) << r.out;
  EXPECT_EQ(run_tool({"examine", b}).exit_code, 8);
  auto st = run_tool({"--json", "status", a});
  EXPECT_EQ(st.exit_code, 2) << st.out << st.err;
  auto doc = nlohmann::json::parse(st.out);
  bool missing = false;
  for (const auto& l : doc["legs"])
    if (l.value("slot", -1) == 1 && l.value("role", "") == "missing" && !l.value("present", true)) missing = true;
  EXPECT_TRUE(missing) << st.out;
}

TEST_F(Wipe, DeviceWithoutDmirrorMetadataIsRefusedUnlessForced) {
  expect_refused({"wipe", d}, 8, d + " carries no dmirror superblock; there is nothing to wipe", {d});
  LegSnapshot before({d});
  auto r = run_tool({"wipe", "--force", d});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "nothing to wipe")) << r.out;
  before.expect_unchanged();
}

TEST_F(Wipe, AnotherSignatureIsNeverTouched) {
  replace_b();
  ASSERT_EQ(std::system(("mkfs.ext4 -q -F -L data " + b + " >/dev/null 2>&1").c_str()), 0);
  expect_refused({"wipe", b}, 8, b + " carries an ext4 filesystem labelled 'data'", {b});
  expect_refused({"wipe", "--force", b}, 8, "not even with --force", {b});
}

TEST_F(Wipe, ALockedArrayIsRefusedAsBusy) {
  replace_b();
  auto dev = open_device(b, OpenOptions{.writable = false, .direct = false, .exclusive = false});
  ASSERT_TRUE(dev);
  BlockDevice* legs[] = {dev->get()};
  auto held = ArrayLock::acquire_legs(legs);
  ASSERT_TRUE(held) << held.error().message;
  expect_refused({"wipe", b}, 8, "is locked by", {a, b, c});
}

TEST_F(Wipe, UnreadableMetadataIsWipedOnlyWithForce) {
  replace_b();
  // Both superblock copies damaged (magic kept, checksums wrong).
  {
    auto dev = open_device(b, OpenOptions{.writable = true, .direct = false, .exclusive = false});
    ASSERT_TRUE(dev);
    const std::byte junk[4] = {std::byte{0xde}, std::byte{0xad}, std::byte{0xbe}, std::byte{0xef}};
    ASSERT_TRUE((*dev)->write(512, junk));
    ASSERT_TRUE((*dev)->write(64 * 1024 + 512, junk));
    ASSERT_TRUE((*dev)->write(64 * kMiB - 64 * 1024 + 512, junk));   // copy 2
    ASSERT_TRUE((*dev)->flush());
  }
  ASSERT_EQ(run_tool({"examine", b}).exit_code & 8, 8);
  expect_refused({"wipe", b}, 12, "carries dmirror metadata that cannot be read", {a, b, c});
  const std::string data = data_area(b);
  auto r = run_tool({"wipe", "--force", b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "was unreadable dmirror metadata")) << r.out;
  EXPECT_EQ(read_file(b).substr(0, 8 * kMiB), std::string(8 * kMiB, '\0'));
  EXPECT_TRUE(data_area(b) == data);
  EXPECT_TRUE(contains(run_tool({"examine", b}).err, "is not a dmirror leg"));
}

// A replace that finished while the old leg was away: the old leg's own
// table still holds it in sync. Alone, wipe cannot tell it from a member
// and refuses; judged by the array's current legs (--with), it is a
// leftover, as status says, and is wiped. The --with legs are read only.
TEST_F(Wipe, ALegReplacedWhileAwayIsJudgedByTheCurrentLegs) {
  const std::string away = dir.path() + "/away.img";
  ASSERT_EQ(std::rename(b.c_str(), away.c_str()), 0);
  auto r = run_tool({"replace", a, "--old", "1", "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(std::rename(away.c_str(), b.c_str()), 0);
  auto st = run_tool({"status", a, b, c});
  const std::string advice = "dmirrorctl wipe " + b + " --with " + a + " " + c;
  EXPECT_TRUE(contains(st.out, advice)) << st.out;
  expect_refused({"wipe", b}, 8, "no other leg of it was found", {a, b, c});
  const std::string a0 = read_file(a), c0 = read_file(c);
  auto w = run_tool({"wipe", b, "--with", a, c});
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  EXPECT_TRUE(contains(run_tool({"examine", b}).err, "is not a dmirror leg"));
  EXPECT_TRUE(read_file(a) == a0 && read_file(c) == c0) << "a --with leg was written";
  EXPECT_EQ(run_tool({"status", a, c}).exit_code, 0);
}

}  // namespace
}  // namespace dmirror::testing
