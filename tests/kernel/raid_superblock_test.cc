// SPDX-License-Identifier: LGPL-2.1-or-later
// dm_raid_superblock codec against golden bytes (layout of docs/kernel-facts.md §2.3).
#include <dmirror/dm/raid_superblock.h>

#include "hex.h"

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

using testing::from_hex;
using testing::to_hex;

// A 2-leg raid1 superblock of slot 1, slot 0 failed, plus extended failed
// bits for slots 65 and 255 and delta_disks -1 to pin sign handling.
constexpr const char* kGolden =
    "44 6d 52 64  01 00 00 00  02 00 00 00  01 00 00 00"   //  0 magic compat num_devices array_position
    "2a 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00"     // 16 events failed_devices
    "ff ff ff ff ff ff ff ff  ff ff ff ff ff ff ff ff"     // 32 disk_recovery_offset array_resync_offset
    "01 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"   // 48 level layout stripe_sectors flags
    "ff ff ff ff ff ff ff ff  01 00 00 00  00 00 00 00"    // 64 reshape_position new_level new_layout
    "00 00 00 00  ff ff ff ff  00 e0 01 00 00 00 00 00"    // 80 new_stripe_sectors delta_disks array_sectors
    "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00"     // 96 data_offset new_data_offset
    "00 e0 01 00 00 00 00 00  02 00 00 00 00 00 00 00"     // 112 sectors extended_failed[0]
    "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 80"     // 128 extended_failed[1] [2]
    "00 00 00 00";                                         // 144 incompat_features

RaidSuperblock golden_struct() {
  RaidSuperblock s;
  s.magic = kDmRaidMagic;
  s.compat_features = kRaidFeatureSupportsV190;
  s.num_devices = 2;
  s.array_position = 1;
  s.events = 42;
  s.failed_devices = 1;
  s.disk_recovery_offset = kMaxSector;
  s.array_resync_offset = kMaxSector;
  s.level = 1;
  s.reshape_position = kMaxSector;
  s.new_level = 1;
  s.delta_disks = -1;
  s.array_sectors = 122880;
  s.sectors = 122880;
  s.extended_failed_devices = {2, 0, uint64_t{1} << 63};
  return s;
}

TEST(RaidSuperblock, GoldenIs148Bytes) { EXPECT_EQ(from_hex(kGolden).size(), kRaidSuperblockSize); }

TEST(RaidSuperblock, DecodesGoldenBytes) {
  auto bytes = from_hex(kGolden);
  auto sb = decode_raid_superblock(bytes);
  ASSERT_TRUE(sb);
  EXPECT_EQ(*sb, golden_struct());
  EXPECT_TRUE(validate_raid_superblock(*sb));
  EXPECT_EQ(sb->failed_slots(), (std::vector<uint32_t>{0, 65, 255}));
  EXPECT_TRUE(sb->slot_failed(0));
  EXPECT_FALSE(sb->slot_failed(1));
}

TEST(RaidSuperblock, EncodesGoldenBytes) {
  std::vector<std::byte> out(kRaidSuperblockSize);
  encode_raid_superblock(golden_struct(), out);
  EXPECT_EQ(to_hex(out), to_hex(from_hex(kGolden)));
}

TEST(RaidSuperblock, ResyncOffsetLivesAtByte40) {
  auto s = golden_struct();
  s.array_resync_offset = 0x0102030405060708;
  std::vector<std::byte> out(kRaidSuperblockSize);
  encode_raid_superblock(s, out);
  EXPECT_EQ(out[kRaidSbOffsetArrayResyncOffset], std::byte{0x08});
  EXPECT_EQ(out[kRaidSbOffsetArrayResyncOffset + 7], std::byte{0x01});
}

TEST(RaidSuperblock, SetSlotFailedTouchesTheRightWord) {
  RaidSuperblock s;
  s.set_slot_failed(3, true);
  s.set_slot_failed(64, true);
  s.set_slot_failed(300, true);  // out of range: ignored
  EXPECT_EQ(s.failed_devices, 8u);
  EXPECT_EQ(s.extended_failed_devices[0], 1u);
  s.set_slot_failed(3, false);
  EXPECT_EQ(s.failed_slots(), (std::vector<uint32_t>{64}));
}

TEST(RaidSuperblock, ValidationFollowsTheKernel) {
  auto s = golden_struct();
  s.magic = 0;
  EXPECT_EQ(validate_raid_superblock(s).error().code, ErrorCode::NotDmirror);
  s = golden_struct();
  s.compat_features = 3;
  EXPECT_EQ(validate_raid_superblock(s).error().code, ErrorCode::Unsupported);
  s = golden_struct();
  s.incompat_features = 1;
  EXPECT_EQ(validate_raid_superblock(s).error().code, ErrorCode::Unsupported);
  s = golden_struct();
  s.compat_features = 0;  // pre-1.9.0 superblock
  EXPECT_TRUE(validate_raid_superblock(s));
}

TEST(RaidSuperblock, ShortBufferIsRejected) {
  std::vector<std::byte> short_buf(100);
  EXPECT_FALSE(decode_raid_superblock(short_buf));
}

// Block 0 of leg 0's metadata area as written by Debian's 6.1.0-56 kernel
// (dm-raid 1.15.1) for a freshly created, fully synced 2-leg raid1 of
// 114688 sectors (captured by the kernel test tier).
constexpr const char* kKernelWritten =
    "44 6d 52 64 01 00 00 00 02 00 00 00 00 00 00 00"
    "1c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff"
    "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "ff ff ff ff ff ff ff ff 01 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 c0 01 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 c0 01 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00";

TEST(RaidSuperblock, DecodesWhatTheKernelWrote) {
  auto bytes = from_hex(kKernelWritten);
  auto sb = decode_raid_superblock(bytes);
  ASSERT_TRUE(sb);
  EXPECT_TRUE(validate_raid_superblock(*sb));
  EXPECT_EQ(sb->compat_features, kRaidFeatureSupportsV190);
  EXPECT_EQ(sb->num_devices, 2u);
  EXPECT_EQ(sb->array_position, 0u);
  EXPECT_EQ(sb->events, 28u);
  EXPECT_TRUE(sb->failed_slots().empty());
  EXPECT_EQ(sb->disk_recovery_offset, kMaxSector);
  EXPECT_EQ(sb->array_resync_offset, kMaxSector);
  EXPECT_EQ(sb->level, 1u);
  EXPECT_EQ(sb->reshape_position, kMaxSector);
  EXPECT_EQ(sb->new_level, 1u);
  EXPECT_EQ(sb->array_sectors, 114688u);
  EXPECT_EQ(sb->sectors, 114688u);
  std::vector<std::byte> again(kRaidSuperblockSize);
  encode_raid_superblock(*sb, again);
  EXPECT_EQ(to_hex(again), to_hex(bytes));
}

}  // namespace
}  // namespace dmirror::dm
