// SPDX-License-Identifier: LGPL-2.1-or-later
// Bad-input catalogue (docs/bad-input.md), legs whose metadata is wrong:
// legs of two arrays given to status, a stale leg, both superblock copies
// damaged, an unknown incompat feature, garbage in the journal, foreign
// signatures. Read-only commands must say what is wrong, exit with the
// documented bits and change nothing.
#include "cli/bad_input_util.h"

#include <dmirror/array.h>
#include <dmirror/superblock.h>

#include <array>
#include <cstring>
#include <fstream>

namespace dmirror::testing {
namespace {

void write_at(const std::string& path, uint64_t offset, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class BadMetadata : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);

  void SetUp() override {
    auto r = run_tool({"create", "vol0", a, b, "--yes", "--assume-clean"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Runs a read-only command and checks exit status, text and unchanged legs.
  ToolResult expect_reported(const std::vector<std::string>& args, int exit_code, const std::string& says) {
    LegSnapshot before({a, b});
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
    EXPECT_TRUE(contains(r.out + r.err, says)) << "expected '" << says << "' in: " << r.out << r.err;
    before.expect_unchanged();
    return r;
  }
};

TEST_F(BadMetadata, LegsOfTwoArraysGivenToStatus) {
  auto c = dir.make_image("c.img", 64 * kMiB);
  auto d = dir.make_image("d.img", 64 * kMiB);
  ASSERT_EQ(run_tool({"create", "vol1", c, d, "--yes", "--assume-clean"}).exit_code, 0);
  expect_refused({"status", a, c}, 16, "belong to 2 different arrays", {a, b, c, d});
  expect_refused({"status", a, c}, 16, a + " is in 'vol0', " + c + " is in 'vol1'", {a, b, c, d});
  // With a majority the odd one out is reported, not chosen.
  expect_reported({"status", a, b, c}, 0, c + " belongs to another array 'vol1'");
}

TEST_F(BadMetadata, StaleLeg) {
  const std::string old_b = read_file(b);
  auto data = dir.make_image("data.bin", 4096);
  auto w = run_tool({"io", "write", a, b, "--from", data});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  std::ofstream(b, std::ios::binary | std::ios::trunc).write(old_b.data(), static_cast<std::streamsize>(old_b.size()));
  expect_reported({"status", a, b}, 2, "stale, recovery ");
}

TEST_F(BadMetadata, BothSuperblockCopiesDamaged) {
  write_at(b, 200, "\xff\xff");
  write_at(b, 65536 + 200, "\xff\xff");
  // Copy 2, at the end of the leg, still holds the metadata: warnings.
  expect_reported({"examine", b}, 0, "superblock copy 0 at offset 0 is corrupt");
  expect_reported({"status", a, b}, 0, "copy 2 is used");
  // All three damaged.
  write_at(b, 64 * kMiB - 64 * 1024 + 200, "\xff\xff");
  // 12: the leg could not be examined (8), because its metadata is damaged (4).
  expect_reported({"examine", b}, 12, b + ": all three superblock copies are damaged (copy 0: checksum mismatch");
  expect_reported({"status", a, b}, 2, "all three superblock copies are damaged");
}

TEST_F(BadMetadata, UnknownIncompatFeature) {
  std::array<std::byte, kSuperblockSize> block{};
  {
    std::ifstream in(b, std::ios::binary);
    in.read(reinterpret_cast<char*>(block.data()), block.size());
  }
  auto sb = decode_superblock(block, 0);
  ASSERT_TRUE(sb) << sb.error().message;
  sb->incompat |= uint64_t{1} << 40;
  for (int copy : {0, 1}) {
    encode_superblock(*sb, copy, block);
    write_at(b, sb->layout.sb_offset[copy], std::string(reinterpret_cast<const char*>(block.data()), block.size()));
  }
  expect_reported({"examine", b}, 8, "incompat");
  expect_reported({"status", a, b}, 2, "incompat");
  expect_refused({"scrub", a, b, "--lock-dir", dir.path()}, 8, "incompat", {a, b});
}

TEST_F(BadMetadata, GarbageInTheJournal) {
  std::string garbage(16 * 1024, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919) >> 3);
  write_at(b, kJournalOffset, garbage);
  // Inconsistent (4). Alone, b's dirty regions are not an unclean shutdown:
  // slot 0 was not given, and a journal keeps its bits for a leg that is
  // away. With both legs they are (resync pending, 2).
  expect_reported({"examine", b}, 4,
                  "journal block 0: both slots are unreadable (slot 0: no journal magic; slot 1: no journal magic)");
  expect_reported({"examine", a, b}, 6, "the write-intent journal is damaged");
  expect_reported({"status", a, b}, 6, "the write-intent journal is damaged");
}

TEST_F(BadMetadata, ForeignSignatureWithoutForce) {
  auto e = dir.make_image("e.img", 64 * kMiB);
  auto mk = std::system(("mkfs.ext4 -q -F -L data " + e + " >/dev/null 2>&1").c_str());
  ASSERT_EQ(mk, 0) << "mkfs.ext4 failed";
  expect_refused({"create", "vol2", e, dir.make_image("f.img", 64 * kMiB), "--yes"}, 8,
                 e + " contains an ext4 filesystem labelled 'data'", {e});
}

}  // namespace
}  // namespace dmirror::testing
