// SPDX-License-Identifier: LGPL-2.1-or-later
// Format freeze for incompat SPLIT (FORMAT.md 2.2, 2.3, 2.6 rule 24): leg
// state 8, the split-off arrays' uuids at 592 and the origin record at 848,
// golden bytes, and a reader without the bit ignoring the reserved bytes.
#include <dmirror/crc32c.h>
#include <dmirror/superblock.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ondisk/superblock_disk.h"
#include "support/canonical.h"

namespace dmirror {
namespace {

using Block = std::array<std::byte, kSuperblockSize>;

Uuid filled(uint8_t v) {
  Uuid u;
  u.bytes.fill(v);
  return u;
}

// canonical_superblock() with slot 3 split off as array a0a0..., and an
// origin record (as a split-off array carries; one superblock holds both
// here so that one golden file pins every field).
Superblock split_superblock() {
  Superblock sb = testing::canonical_superblock();
  sb.incompat |= feature::kIncompatSplit;
  sb.nr_legs = 4;
  sb.legs[3].uuid = filled(0x33);
  sb.legs[3].state = LegState::Split;
  sb.legs[3].state_seq = 6;
  sb.legs[3].device_size = 64 * 1024 * 1024;
  sb.legs[3].flags = legflag::kMerging;
  sb.legs[3].merge_seqno = 0x1112131415161718ull;
  sb.split_uuid[3] = filled(0xa0);
  sb.origin.array_uuid = filled(0xb0);
  sb.origin.split_seqno = 0x0102030405060708ull;
  sb.origin.slot = 5;
  return sb;
}

Block encode(const Superblock& sb) {
  Block b{};
  encode_superblock(sb, 0, b);
  return b;
}

std::string hex_dump(const Block& b) {
  std::ostringstream out;
  for (size_t off = 0; off < b.size(); off += 16) {
    char line[80];
    int n = std::snprintf(line, sizeof line, "%04zx:", off);
    for (size_t i = 0; i < 16; ++i)
      n += std::snprintf(line + n, sizeof line - n, " %02x", static_cast<unsigned>(b[off + i]));
    out << line << "\n";
  }
  return out.str();
}

TEST(SplitFormat, MatchesGoldenHex) {
  Block b = encode(split_superblock());
  std::string path = std::string(DMIRROR_SOURCE_DIR) + "/tests/golden/superblock_split_v1.hex";
  if (std::getenv("DMIRROR_UPDATE_GOLDEN")) std::ofstream(path) << hex_dump(b);
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), hex_dump(b)) << "the superblock encoding changed: this is a format change (see HACKING.md)";
}

TEST(SplitFormat, FieldsAtPinnedOffsets) {
  Block b = encode(split_superblock());
  EXPECT_EQ(static_cast<uint8_t>(b[32]) & 0x08, 0x08);                  // incompat bit 3
  EXPECT_EQ(static_cast<uint8_t>(b[1024 + 3 * 64 + 16]), 8);            // legs[3].state = split
  EXPECT_EQ(static_cast<uint8_t>(b[1024 + 3 * 64 + 20]), 8);            // legs[3].flags: MERGING
  EXPECT_EQ(static_cast<uint8_t>(b[1024 + 3 * 64 + 52]), 0x18);         // legs[3].merge_seqno, LE
  EXPECT_EQ(static_cast<uint8_t>(b[592 + 3 * 16]), 0xa0);               // split_uuid[3]
  EXPECT_EQ(static_cast<uint8_t>(b[592 + 2 * 16]), 0x00);               // split_uuid[2]: nil
  EXPECT_EQ(static_cast<uint8_t>(b[848]), 0xb0);                        // origin_uuid
  EXPECT_EQ(static_cast<uint8_t>(b[864]), 0x08);                        // origin_split_seqno, LE
  EXPECT_EQ(static_cast<uint8_t>(b[872]), 5);                           // origin_slot
}

TEST(SplitFormat, RoundTrips) {
  Superblock sb = split_superblock();
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->legs[3].state, LegState::Split);
  EXPECT_EQ(r->split_uuid[3], sb.split_uuid[3]);
  EXPECT_EQ(r->origin.array_uuid, sb.origin.array_uuid);
  EXPECT_EQ(r->origin.split_seqno, sb.origin.split_seqno);
  EXPECT_EQ(r->origin.slot, 5u);
  EXPECT_EQ(r->legs[3].merge_seqno, 0x1112131415161718ull);
  EXPECT_TRUE(r->origin.set());
}

TEST(SplitFormat, SplitStateNeedsTheBit) {
  Superblock sb = split_superblock();
  sb.incompat &= ~feature::kIncompatSplit;
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Corruption);
  EXPECT_NE(r.error().message.find("unknown state 8"), std::string::npos) << r.error().message;
}

TEST(SplitFormat, WithoutTheBitTheBytesAreReservedAndIgnored) {
  Superblock with = split_superblock();
  with.legs[3] = LegEntry{};
  with.nr_legs = 3;
  with.incompat &= ~feature::kIncompatSplit;
  Block b = encode(with);   // the writer leaves them zero without the bit
  EXPECT_EQ(static_cast<uint8_t>(b[848]), 0);
  EXPECT_EQ(static_cast<uint8_t>(b[592 + 3 * 16]), 0);
  std::memset(b.data() + 592, 0x5a, 876 - 592);   // a reader ignores whatever is there
  const uint32_t csum = crc32c(std::span<const std::byte>(b.data(), 4092));
  std::memcpy(b.data() + 4092, &csum, 4);
  auto r = decode_superblock(b, 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->origin.set());
  EXPECT_TRUE(r->split_uuid[3].is_nil());
}

TEST(SplitFormat, ASplitSlotMustNameItsArray) {
  Superblock sb = split_superblock();
  sb.split_uuid[3] = Uuid{};
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("names no split-off array"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace dmirror
