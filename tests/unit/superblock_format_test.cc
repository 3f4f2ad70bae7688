// SPDX-License-Identifier: LGPL-2.1-or-later
// Format freeze for the superblock: round trip, golden bytes, and detection
// of every kind of damage the reader rules in FORMAT.md name.
#include <dmirror/crc32c.h>
#include <dmirror/leg.h>
#include <dmirror/spare_policy.h>
#include <dmirror/superblock.h>
#include <dmirror/uuid.h>

#include <gtest/gtest.h>

#include <algorithm>
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

Block encode(const Superblock& sb, int copy = 0) {
  Block b{};
  encode_superblock(sb, copy, b);
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

TEST(SuperblockFormat, RoundTripPreservesEveryField) {
  Superblock sb = testing::canonical_superblock();
  for (int copy = 0; copy < 3; ++copy) {
    Block b = encode(sb, copy);
    auto back = decode_superblock(b, copy == 2 ? sb.tail_offset : sb.layout.sb_offset[copy]);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(encode(*back, copy), b);
    EXPECT_EQ(back->name, "vol0");
    EXPECT_EQ(back->legs[1].state, LegState::Rebuilding);
    EXPECT_EQ(back->legs[1].recovery_offset, 16u * 1024 * 1024);
    EXPECT_EQ(back->checkpoint.op, OfflineOp::Check);
    EXPECT_EQ(back->last_scrub.result, ScrubResult::Repaired);
    EXPECT_EQ(back->kernel.max_recovery_rate, 100000u);
    EXPECT_EQ(back->tail_offset, 64u * 1024 * 1024);
  }
}

// Copy 2 (compat TAIL_COPY): its index and offset at the pinned places,
// read only where it says it belongs, and only with the bit.
TEST(SuperblockFormat, CopyTwoIsPinnedAndChecked) {
  Superblock sb = testing::canonical_superblock();
  Block b = encode(sb, 2);
  uint64_t off = 0, tail = 0;
  std::memcpy(&off, b.data() + 48, 8);
  std::memcpy(&tail, b.data() + 576, 8);
  EXPECT_EQ(off, sb.tail_offset);
  EXPECT_EQ(tail, sb.tail_offset);
  EXPECT_EQ(static_cast<uint8_t>(b[56]), 2);                 // copy_index
  EXPECT_TRUE(decode_superblock(b, sb.tail_offset));
  EXPECT_FALSE(decode_superblock(b, sb.tail_offset - 64 * 1024));   // misdirected
  // Without the bit copy index 2 is corrupt, and offset 576 reserved.
  Superblock old = sb;
  old.compat &= ~feature::kCompatTailCopy;
  Block o = encode(old, 0);
  std::memcpy(&tail, o.data() + 576, 8);
  EXPECT_EQ(tail, 0u);
  // A copy 2 inside the data area is refused.
  Superblock inside = sb;
  inside.tail_offset = sb.layout.data_offset;
  EXPECT_FALSE(decode_superblock(encode(inside, 2), inside.tail_offset));
  EXPECT_EQ(tail_copy_offset(64 * 1024 * 1024), 64u * 1024 * 1024 - 64 * 1024);
  EXPECT_EQ(tail_copy_offset(64 * 1024 * 1024 + 100 * 1024), 64u * 1024 * 1024);
  EXPECT_EQ(tail_copy_offset(1000), 0u);
}

TEST(SuperblockFormat, MatchesGoldenHex) {
  Block b = encode(testing::canonical_superblock(), 0);
  std::string path = std::string(DMIRROR_SOURCE_DIR) + "/tests/golden/superblock_v1.hex";
  if (std::getenv("DMIRROR_UPDATE_GOLDEN")) {
    std::ofstream(path) << hex_dump(b);
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), hex_dump(b)) << "the superblock encoding changed: this is a format change (see HACKING.md)";
}

TEST(SuperblockFormat, MagicAndVersionAtPinnedOffsets) {
  Block b = encode(testing::canonical_superblock(), 1);
  EXPECT_EQ(std::memcmp(b.data(), "DMIRRORS", 8), 0);
  EXPECT_EQ(static_cast<uint8_t>(b[8]), 1);
  EXPECT_EQ(static_cast<uint8_t>(b[40]), 7);                 // seqno
  EXPECT_EQ(static_cast<uint8_t>(b[48 + 2]), 0x01);          // copy_offset 65536 = 0x10000
  EXPECT_EQ(static_cast<uint8_t>(b[56]), 1);                 // copy_index
  EXPECT_EQ(std::memcmp(b.data() + 96, "vol0", 5), 0);       // name, NUL terminated
}

TEST(SuperblockFormat, EveryFlippedByteIsDetected) {
  Superblock sb = testing::canonical_superblock();
  Block good = encode(sb, 0);
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      Block bad = good;
      bad[i] ^= std::byte{mask};
      auto r = decode_superblock(bad, 0);
      ASSERT_FALSE(r) << "flip of byte " << i << " with mask " << int(mask) << " went unnoticed";
      if (i < 8) EXPECT_EQ(r.error().code, ErrorCode::NotDmirror);
      else EXPECT_EQ(r.error().code, ErrorCode::Corruption) << "byte " << i;
    }
  }
}

TEST(SuperblockFormat, UnknownIncompatFeatureIsRefused) {
  Superblock sb = testing::canonical_superblock();
  sb.incompat = 1ull << 5;
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
  EXPECT_NE(r.error().message.find("upgrade"), std::string::npos) << r.error().message;
}

TEST(SuperblockFormat, UnknownRoCompatFeatureMeansReadOnly) {
  Superblock sb = testing::canonical_superblock();
  sb.ro_compat = 1ull << 3;
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(requires_read_only(*r));
  EXPECT_FALSE(requires_read_only(testing::canonical_superblock()));
}

TEST(SuperblockFormat, UnknownCompatFeatureIsIgnored) {
  Superblock sb = testing::canonical_superblock();
  sb.compat = 1ull << 9;
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(requires_read_only(*r));
}

TEST(SuperblockFormat, NewerVersionIsUnsupported) {
  Superblock sb = testing::canonical_superblock();
  sb.version = 2;
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
}

TEST(SuperblockFormat, MisdirectedCopyIsCorruption) {
  Superblock sb = testing::canonical_superblock();
  auto r = decode_superblock(encode(sb, 0), sb.layout.sb_offset[1]);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Corruption);
  EXPECT_NE(r.error().message.find("misdirected"), std::string::npos);
}

TEST(SuperblockFormat, ImpossibleGeometryIsCorruption) {
  auto check = [](auto mutate, const char* what) {
    Superblock sb = testing::canonical_superblock();
    mutate(sb);
    auto r = decode_superblock(encode(sb), 0);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, ErrorCode::Corruption) << what;
  };
  check([](Superblock& s) { s.region_size = 3 * 4096; }, "region size not a power of two");
  check([](Superblock& s) { s.nr_regions = 15; }, "region count");
  check([](Superblock& s) { s.slot = 2; }, "slot outside table");
  check([](Superblock& s) { s.legs[1].uuid.bytes[0] ^= 1; }, "leg uuid mismatch");
  check([](Superblock& s) { s.layout.kmeta_offset = 7 * 1024 * 1024; }, "area overlapping data");
  check([](Superblock& s) { s.layout.journal_offset = kSuperblockOffset[1]; }, "overlap");
  check([](Superblock& s) { s.legs[5].state = LegState::InSync; }, "leg beyond nr_legs");
  check([](Superblock& s) { s.legs[0].state = static_cast<LegState>(9); }, "unknown state");
  check([](Superblock& s) { s.logical_block_size = 1000; }, "block size");
}

TEST(SuperblockFormat, GenerationAtPinnedOffsets) {
  Block b = encode(testing::canonical_superblock(), 0);
  auto u64 = [&](size_t off) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[off + static_cast<size_t>(i)]);
    return v;
  };
  EXPECT_EQ(u64(32) & feature::kIncompatGeneration, feature::kIncompatGeneration);   // incompat bit 1
  EXPECT_EQ(u64(440), 0x1122334455667788ull);                                         // generation
  EXPECT_EQ(u64(448), 0x99aabbccddeeff00ull);                                         // history[0]
  EXPECT_EQ(u64(456), 6u);
  EXPECT_EQ(u64(464), 0x0123456789abcdefull);                                         // history[1]
  EXPECT_EQ(u64(472), 3u);
  for (size_t off = 480; off < 576; ++off) EXPECT_EQ(static_cast<uint8_t>(b[off]), 0) << "byte " << off;
  EXPECT_EQ(u64(576), 64u * 1024 * 1024);                                            // tail_offset (TAIL_COPY)
  EXPECT_EQ(u64(584) & 0xFFFFFFFFu, 45u);                                            // degraded_timeout (BOOT_POLICY)
  EXPECT_EQ(u64(16) & feature::kCompatBootPolicy, 4u);                                // compat bit 2
  EXPECT_EQ(u64(588) & 0xFFFFFFFFu, 1u);                                             // spare_takeover off (SPARE_POLICY)
  EXPECT_EQ(u64(16) & feature::kCompatSparePolicy, 8u);                               // compat bit 3
  for (size_t off = 592; off < 1024; ++off) EXPECT_EQ(static_cast<uint8_t>(b[off]), 0) << "byte " << off;
  auto back = decode_superblock(b, 0);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->generation, 0x1122334455667788ull);
  EXPECT_EQ(back->generation_history[1], (GenerationEntry{0x0123456789abcdefull, 3}));
  EXPECT_EQ(back->generation_history[2], GenerationEntry{});
}

TEST(SuperblockFormat, DegradedTimeoutRoundTripsAndNeedsItsBit) {
  Superblock sb = testing::canonical_superblock();
  sb.degraded_timeout = kDegradedTimeoutNever;
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->degraded_timeout, kDegradedTimeoutNever);
  // Without BOOT_POLICY (an old writer cleared the bit) bytes 584-587 are
  // reserved: written as zero, ignored when read, and the default applies.
  Block with = encode(sb);
  sb.compat &= ~feature::kCompatBootPolicy;
  Block without = encode(sb);
  for (size_t off = 584; off < 588; ++off) EXPECT_EQ(static_cast<uint8_t>(without[off]), 0) << "byte " << off;
  for (size_t off = 584; off < 588; ++off) without[off] = with[off];
  const uint32_t crc = crc32c(std::span<const std::byte>(without.data(), 4092));
  for (int i = 0; i < 4; ++i) without[4092 + static_cast<size_t>(i)] = std::byte(uint8_t(crc >> (8 * i)));
  auto old = decode_superblock(without, 0);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->degraded_timeout, 0u);
}

TEST(SuperblockFormat, SpareTakeoverRoundTripsAndNeedsItsBit) {
  Superblock sb = testing::canonical_superblock();
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->spare_takeover, 1u);
  EXPECT_EQ(spare_policy(*r), SparePolicy::Off);
  // Back to the default: the bit and the field are cleared, bytes 588-591
  // are written as zero (reserved), and a set field without the bit (an old
  // writer cleared it) is ignored when read.
  Block with = encode(sb);
  set_spare_policy(sb, SparePolicy::Auto);
  EXPECT_EQ(sb.compat & feature::kCompatSparePolicy, 0u);
  Block without = encode(sb);
  for (size_t off = 588; off < 592; ++off) EXPECT_EQ(static_cast<uint8_t>(without[off]), 0) << "byte " << off;
  for (size_t off = 588; off < 592; ++off) without[off] = with[off];
  const uint32_t crc = crc32c(std::span<const std::byte>(without.data(), 4092));
  for (int i = 0; i < 4; ++i) without[4092 + static_cast<size_t>(i)] = std::byte(uint8_t(crc >> (8 * i)));
  auto old = decode_superblock(without, 0);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->spare_takeover, 0u);
  EXPECT_EQ(spare_policy(*old), SparePolicy::Auto);
  // A value this version does not know reads as off.
  Superblock odd = testing::canonical_superblock();
  odd.spare_takeover = 7;
  EXPECT_EQ(spare_policy(odd), SparePolicy::Off);
  EXPECT_TRUE(parse_spare_policy("auto"));
  EXPECT_FALSE(parse_spare_policy("on"));
}

TEST(SuperblockFormat, WithoutGenerationTheBytesAreIgnored) {
  // An array from before GENERATION: bytes 440-575 are reserved, whatever
  // they hold, and read as no generation.
  Superblock sb = testing::canonical_superblock();
  sb.incompat &= ~feature::kIncompatGeneration;
  auto r = decode_superblock(encode(sb), 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->generation, 0u);
  EXPECT_EQ(r->generation_history[0], GenerationEntry{});
}

TEST(SuperblockFormat, ImpossibleGenerationHistoryIsCorruption) {
  auto check = [](auto mutate, const char* what) {
    Superblock sb = testing::canonical_superblock();
    mutate(sb);
    auto r = decode_superblock(encode(sb), 0);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, ErrorCode::Corruption) << what;
  };
  check([](Superblock& s) { s.generation = 0; }, "generation 0");
  check([](Superblock& s) { s.generation_history[0].branch_seqno = 7; }, "branch at the leg's own seqno");
  check([](Superblock& s) { s.generation_history[1].branch_seqno = 6; }, "branches not decreasing");
  check([](Superblock& s) { s.generation_history[1] = {}; s.generation_history[2] = {5, 2}; }, "entry after a hole");
  check([](Superblock& s) { s.generation_history[3].generation = 9; }, "unused entry with a generation");
  check([](Superblock& s) { s.generation_history[1].generation = s.generation; }, "current generation repeated");
}

// Incompat SPARES (FORMAT.md 2.2, 2.3): leg state 7 at the entry's offset 16,
// bit 2 at byte 32; without the bit the state is corruption.
TEST(SuperblockFormat, SpareStateAtPinnedOffsetsAndOnlyWithItsBit) {
  Superblock sb = testing::canonical_superblock();
  ASSERT_LT(sb.slot, 2u);
  sb.nr_legs = std::max(sb.nr_legs, 3u);
  sb.legs[2] = LegEntry{};
  sb.legs[2].uuid = parse_uuid("00112233-4455-6677-8899-aabbccddeeff").value();
  sb.legs[2].state = LegState::Spare;
  sb.legs[2].state_seq = 5;
  sb.incompat |= feature::kIncompatSpares;
  Block b = encode(sb, 0);
  EXPECT_EQ(static_cast<uint8_t>(b[32]) & 0x04, 0x04) << "incompat bit 2";
  const size_t entry = 1024 + 2 * 64;
  EXPECT_EQ(static_cast<uint8_t>(b[entry + 16]), 7);
  for (size_t i = 17; i < 20; ++i) EXPECT_EQ(static_cast<uint8_t>(b[entry + i]), 0);
  auto back = decode_superblock(b, 0);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->legs[2].state, LegState::Spare);
  EXPECT_FALSE(is_member_state(back->legs[2].state));
  sb.incompat &= ~feature::kIncompatSpares;
  auto without = decode_superblock(encode(sb, 0), 0);
  ASSERT_FALSE(without);
  EXPECT_EQ(without.error().code, ErrorCode::Corruption);
}

}  // namespace
}  // namespace dmirror
