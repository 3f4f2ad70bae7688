// SPDX-License-Identifier: LGPL-2.1-or-later
// md bitmap_super_t codec against golden bytes, and little-endian bit order.
#include <dmirror/dm/md_bitmap.h>

#include "hex.h"

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

using testing::from_hex;
using testing::to_hex;

// version 4, zero uuid, events 43, events_cleared 42, 122880 sectors,
// 512 KiB chunks (1024 sectors), daemon_sleep 5 s; 72..255 zero.
std::vector<std::byte> golden() {
  auto b = from_hex(
      "62 69 74 6d  04 00 00 00  00 00 00 00 00 00 00 00"    //  0 magic version uuid[0..7]
      "00 00 00 00 00 00 00 00  2b 00 00 00 00 00 00 00"     // 16 uuid[8..15] events
      "2a 00 00 00 00 00 00 00  00 e0 01 00 00 00 00 00"     // 32 events_cleared sync_size
      "00 00 00 00  00 00 08 00  05 00 00 00  00 00 00 00"   // 48 state chunksize daemon_sleep write_behind
      "00 00 00 00  00 00 00 00");                           // 64 sectors_reserved nodes
  b.resize(kBitmapSuperSize);
  return b;
}

BitmapSuper golden_bitmap() {
  BitmapSuper s;
  s.magic = kBitmapMagic;
  s.version = 4;
  s.events = 43;
  s.events_cleared = 42;
  s.sync_size = 122880;
  s.chunksize = 512 * 1024;
  s.daemon_sleep = 5;
  return s;
}

TEST(MdBitmap, DecodesGoldenBytes) {
  auto sb = decode_bitmap_super(golden());
  ASSERT_TRUE(sb);
  EXPECT_EQ(*sb, golden_bitmap());
  EXPECT_TRUE(validate_bitmap_super(*sb));
  EXPECT_EQ(sb->chunk_count(), 120u);
  EXPECT_EQ(sb->bits_bytes(), 15u);
}

TEST(MdBitmap, EncodesGoldenBytesAndZeroesThePad) {
  std::vector<std::byte> out(kBitmapSuperSize, std::byte{0xee});
  encode_bitmap_super(golden_bitmap(), out);
  EXPECT_EQ(to_hex(out), to_hex(golden()));
}

TEST(MdBitmap, ChunkCountRoundsUp) {
  auto s = golden_bitmap();
  s.sync_size = 1025;
  s.chunksize = 512 * 1024;
  EXPECT_EQ(s.chunk_count(), 2u);
  s.chunksize = 1000;  // invalid
  EXPECT_EQ(s.chunk_count(), 0u);
}

TEST(MdBitmap, ValidationFollowsTheKernel) {
  auto s = golden_bitmap();
  s.magic = 1;
  EXPECT_FALSE(validate_bitmap_super(s));
  s = golden_bitmap();
  s.version = 6;
  EXPECT_FALSE(validate_bitmap_super(s));
  s = golden_bitmap();
  s.chunksize = 256;
  EXPECT_FALSE(validate_bitmap_super(s));
  s = golden_bitmap();
  s.uuid[3] = 1;
  EXPECT_FALSE(validate_bitmap_super(s));
  s = golden_bitmap();
  s.write_behind = 16384;
  EXPECT_FALSE(validate_bitmap_super(s));
  s = golden_bitmap();
  s.sync_size = (uint64_t{1} << 21) * 1024 + 1;
  EXPECT_FALSE(validate_bitmap_super(s));
}

TEST(MdBitmap, BitsAreLittleEndianWithinBytes) {
  std::vector<std::byte> bits(4);
  set_region_bit(bits, 0, true);
  set_region_bit(bits, 10, true);
  set_region_bit(bits, 31, true);
  EXPECT_EQ(to_hex(bits), "01 04 00 80");
  EXPECT_TRUE(region_bit(bits, 10));
  EXPECT_FALSE(region_bit(bits, 11));
  EXPECT_FALSE(region_bit(bits, 99));  // out of range reads as clean
  EXPECT_EQ(dirty_regions(bits, 32), (std::vector<uint64_t>{0, 10, 31}));
  EXPECT_EQ(dirty_regions(bits, 31), (std::vector<uint64_t>{0, 10}));  // beyond the last chunk: ignored
  set_region_bit(bits, 10, false);
  EXPECT_EQ(to_hex(bits), "01 00 00 80");
}

// The bitmap superblock written by Debian's 6.1.0-56 kernel next to the
// superblock in raid_superblock_test (captured by the kernel test tier).
TEST(MdBitmap, DecodesWhatTheKernelWrote) {
  auto bytes = from_hex(
      "62 69 74 6d 04 00 00 00 00 00 00 00 00 00 00 00"
      "00 00 00 00 00 00 00 00 1c 00 00 00 00 00 00 00"
      "13 00 00 00 00 00 00 00 00 c0 01 00 00 00 00 00"
      "00 00 00 00 00 00 08 00 05 00 00 00 00 00 00 00");
  bytes.resize(kBitmapSuperSize);
  auto sb = decode_bitmap_super(bytes);
  ASSERT_TRUE(sb);
  EXPECT_TRUE(validate_bitmap_super(*sb));
  EXPECT_EQ(sb->version, 4u);
  EXPECT_EQ(sb->events, 28u);
  EXPECT_EQ(sb->events_cleared, 19u);
  EXPECT_EQ(sb->sync_size, 114688u);
  EXPECT_EQ(sb->state, 0u);
  EXPECT_EQ(sb->chunksize, 512u * 1024);
  EXPECT_EQ(sb->daemon_sleep, 5u);
  EXPECT_EQ(sb->chunk_count(), 112u);
  std::vector<std::byte> again(kBitmapSuperSize);
  encode_bitmap_super(*sb, again);
  EXPECT_EQ(to_hex(again), to_hex(bytes));
}

}  // namespace
}  // namespace dmirror::dm
