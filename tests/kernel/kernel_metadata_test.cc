// SPDX-License-Identifier: LGPL-2.1-or-later
// Reading and editing a leg's kernel metadata area through a BlockDevice.
#include <dmirror/dm/kernel_metadata.h>

#include <gtest/gtest.h>

#include <cstring>

namespace dmirror::dm {
namespace {

constexpr uint64_t kArea = 2 << 20;  // 2 MiB into the leg

class KernelMetadataTest : public ::testing::Test {
 protected:
  void SetUp() override { dev = make_mem_device(8 << 20, "mem:leg0"); }

  RaidSuperblock sb() {
    RaidSuperblock s;
    s.magic = kDmRaidMagic;
    s.compat_features = kRaidFeatureSupportsV190;
    s.num_devices = 2;
    s.events = 17;
    s.disk_recovery_offset = kMaxSector;
    s.array_resync_offset = kMaxSector;
    s.level = 1;
    s.reshape_position = kMaxSector;
    s.array_sectors = s.sectors = 131072;
    return s;
  }
  BitmapSuper bitmap() {
    BitmapSuper b;
    b.magic = kBitmapMagic;
    b.version = 4;
    b.events = 17;
    b.events_cleared = 17;
    b.sync_size = 131072;
    b.chunksize = 512 * 1024;  // 128 regions
    b.daemon_sleep = 5;
    return b;
  }
  void write_area(const RaidSuperblock& s, const BitmapSuper& b, std::vector<uint64_t> dirty = {}) {
    std::vector<std::byte> block(8192);
    encode_raid_superblock(s, block);
    encode_bitmap_super(b, std::span(block).subspan(4096));
    for (auto r : dirty) set_region_bit(std::span(block).subspan(4096 + 256), r, true);
    ASSERT_TRUE(dev->write(kArea, block));
  }
  std::vector<std::byte> read(uint64_t off, size_t n) {
    std::vector<std::byte> b(n);
    EXPECT_TRUE(dev->read(off, b));
    return b;
  }

  std::unique_ptr<BlockDevice> dev;
};

TEST_F(KernelMetadataTest, MinimumSizeCoversSuperblockAndBitmap) {
  EXPECT_EQ(kernel_metadata_min_size(131072, 1024), 8192u);
  // 2^21 regions: 256 KiB of bits + 256 bytes -> 264 KiB + 4 KiB
  EXPECT_EQ(kernel_metadata_min_size(uint64_t{1} << 21, 1), 4096u + 266240u);
}

TEST_F(KernelMetadataTest, ZeroedAreaIsNew) {
  auto st = read_kernel_metadata(*dev, kArea);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_TRUE(st->is_new);
  EXPECT_FALSE(st->superblock);
  EXPECT_FALSE(st->clean());
}

TEST_F(KernelMetadataTest, ReadsStateAndDirtyRegions) {
  auto s = sb();
  s.set_slot_failed(1, true);
  write_area(s, bitmap(), {3, 64, 127});
  auto st = read_kernel_metadata(*dev, kArea);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_FALSE(st->is_new);
  EXPECT_EQ(st->events, 17u);
  EXPECT_EQ(st->failed_slots, (std::vector<uint32_t>{1}));
  EXPECT_EQ(st->disk_recovery_offset, kMaxSector);
  EXPECT_EQ(st->array_resync_offset, kMaxSector);
  ASSERT_TRUE(st->bitmap);
  EXPECT_EQ(st->bitmap->chunk_count(), 128u);
  EXPECT_EQ(st->dirty_regions, (std::vector<uint64_t>{3, 64, 127}));
  EXPECT_FALSE(st->clean());
}

TEST_F(KernelMetadataTest, CleanArea) {
  write_area(sb(), bitmap());
  auto st = read_kernel_metadata(*dev, kArea);
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->clean());
}

TEST_F(KernelMetadataTest, UnknownIncompatFeatureIsRefused) {
  auto s = sb();
  s.incompat_features = 1;
  write_area(s, bitmap());
  auto st = read_kernel_metadata(*dev, kArea);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::Unsupported);
}

TEST_F(KernelMetadataTest, CorruptBitmapIsCorruption) {
  auto b = bitmap();
  b.chunksize = 1000;
  write_area(sb(), b);
  auto st = read_kernel_metadata(*dev, kArea);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::Corruption);
}

TEST_F(KernelMetadataTest, ForceResyncChangesOnlyTheResyncOffset) {
  write_area(sb(), bitmap(), {5});
  auto before = read(kArea, 8192);
  ASSERT_TRUE(force_resync_of_dirty_regions(*dev, kArea));
  auto after = read(kArea, 8192);
  for (size_t i = 0; i < after.size(); ++i) {
    if (i >= 40 && i < 48) EXPECT_EQ(after[i], std::byte{0}) << i;
    else EXPECT_EQ(after[i], before[i]) << i;
  }
  auto st = read_kernel_metadata(*dev, kArea);
  EXPECT_EQ(st->array_resync_offset, 0u);
  EXPECT_EQ(st->events, 17u);
}

TEST_F(KernelMetadataTest, ForceResyncLeavesNewAreaAlone) {
  ASSERT_TRUE(force_resync_of_dirty_regions(*dev, kArea));
  EXPECT_TRUE(read_kernel_metadata(*dev, kArea)->is_new);
}

TEST_F(KernelMetadataTest, MarkRegionsDirtySetsBitsOnly) {
  write_area(sb(), bitmap(), {1});
  std::vector<uint64_t> regions{0, 9, 100};
  ASSERT_TRUE(mark_regions_dirty(*dev, kArea, regions));
  auto st = read_kernel_metadata(*dev, kArea);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->dirty_regions, (std::vector<uint64_t>{0, 1, 9, 100}));
  EXPECT_EQ(*st->bitmap, bitmap());
  auto bits = read(kArea + 4096 + 256, 2);
  EXPECT_EQ(bits[0], std::byte{0x03});
  EXPECT_EQ(bits[1], std::byte{0x02});
}

TEST_F(KernelMetadataTest, MarkRegionsDirtyRejectsOutOfRangeAndMissingBitmap) {
  std::vector<uint64_t> r{0};
  EXPECT_FALSE(mark_regions_dirty(*dev, kArea, r));
  write_area(sb(), bitmap());
  std::vector<uint64_t> far{128};
  auto st = mark_regions_dirty(*dev, kArea, far);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
}

TEST_F(KernelMetadataTest, ZeroingForcesFirstUse) {
  write_area(sb(), bitmap(), {2});
  std::vector<std::byte> marker(512, std::byte{0x5a});
  ASSERT_TRUE(dev->write(kArea + 8192, marker));  // beyond the zeroed range
  ASSERT_TRUE(zero_kernel_metadata(*dev, kArea));
  EXPECT_TRUE(read_kernel_metadata(*dev, kArea)->is_new);
  auto bitmap_page = read(kArea + 4096, 256);
  for (auto b : bitmap_page) ASSERT_EQ(b, std::byte{0});
  EXPECT_EQ(read(kArea + 8192, 1)[0], std::byte{0x5a});
  EXPECT_EQ(read(kArea - 512, 1)[0], std::byte{0});
}

}  // namespace
}  // namespace dmirror::dm
