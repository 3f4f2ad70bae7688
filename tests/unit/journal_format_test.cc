// SPDX-License-Identifier: LGPL-2.1-or-later
// The write-intent journal: round trip, slot alternation, torn writes and
// damaged blocks.
#include <dmirror/journal.h>

#include <gtest/gtest.h>

#include <vector>

#include "format_test_util.h"

namespace dmirror {
namespace {

using testing::leg_superblock;
using testing::make_leg_device;
using testing::PowerCutDevice;

Superblock big_superblock() {
  Superblock sb = leg_superblock();
  sb.region_size = 4096;
  sb.layout.data_size = 70000ull * 4096;   // 70000 regions -> 3 journal blocks
  sb.nr_regions = 70000;
  return sb;
}

TEST(JournalFormat, BytesNeeded) {
  EXPECT_EQ(journal_bytes_needed(1), 8192u);
  EXPECT_EQ(journal_bytes_needed(kRegionsPerJournalBlock), 8192u);
  EXPECT_EQ(journal_bytes_needed(kRegionsPerJournalBlock + 1), 16384u);
  EXPECT_LE(journal_bytes_needed(kMaxRegions), 1024u * 1024);
}

TEST(JournalFormat, RoundTripAcrossBlocks) {
  auto dev = make_leg_device();
  Superblock sb = big_superblock();
  auto j = WriteIntentJournal::create(sb);
  ASSERT_TRUE(j.write_pending(*dev, true));
  j.commit_written(true);
  for (uint64_t r : {0ull, 7ull, 32255ull, 32256ull, 69999ull}) j.mark(r);
  ASSERT_TRUE(j.has_pending());
  ASSERT_TRUE(j.write_pending(*dev));
  j.commit_written();
  EXPECT_FALSE(j.has_pending());
  auto back = WriteIntentJournal::load(*dev, sb);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->dirty_regions(), (std::vector<uint64_t>{0, 7, 32255, 32256, 69999}));
  EXPECT_TRUE(back->damage().empty());
}

TEST(JournalFormat, TornWriteKeepsThePreviousVersion) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  sb.flags |= sbflag::kDirty;   // journal writes happen while the array is open
  auto j = WriteIntentJournal::create(sb);
  j.mark(3);
  ASSERT_TRUE(j.write_pending(*dev, true));
  j.commit_written(true);
  // Next version marks region 5 and clears 3, but the write is torn.
  j.mark(5);
  j.clear(3);
  PowerCutDevice cut(dev.get(), 0, 32);  // new seq reached the disk, checksum did not
  EXPECT_FALSE(j.write_pending(cut));
  auto back = WriteIntentJournal::load(*dev, sb);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->dirty_regions(), std::vector<uint64_t>{3});
  EXPECT_TRUE(back->damage().empty()) << "a torn newer slot is not damage: the older one is current";
  EXPECT_TRUE(back->has_pending()) << "the torn slot is rewritten at the next journal write";
}

// On a cleanly closed array a newer version that does not check out was
// damaged after it was written, not torn: the older version may lack the
// marks of writes acknowledged since (a leg that missed them would come
// back "from the journal" without them). The whole block counts as dirty.
TEST(JournalFormat, DamagedNewerVersionOfACleanArrayMakesTheBlockDirty) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  sb.flags &= ~(sbflag::kDirty | sbflag::kKernelOwnsSync);   // closed cleanly
  auto j = WriteIntentJournal::create(sb);
  ASSERT_TRUE(j.write_pending(*dev, true));   // slot 0, seq 1: all clear
  j.commit_written(true);
  j.mark(5);
  ASSERT_TRUE(j.write_pending(*dev));         // slot 1, seq 2: region 5
  j.commit_written();
  auto flip = [](BlockDevice& d, uint64_t at) {
    std::vector<std::byte> blk(4096);
    ASSERT_TRUE(d.read(at, blk));
    blk[200] ^= std::byte{0xff};   // one byte of the bits
    ASSERT_TRUE(d.write(at, blk));
  };
  flip(*dev, sb.layout.journal_offset + 4096);
  auto back = WriteIntentJournal::load(*dev, sb);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->damage().size(), 1u);
  EXPECT_TRUE(back->is_dirty(5));
  EXPECT_EQ(back->dirty_count(), sb.nr_regions);
  // An older version damaged is no loss: the newer one is current.
  auto dev2 = make_leg_device();
  auto k = WriteIntentJournal::create(sb);
  ASSERT_TRUE(k.write_pending(*dev2, true));
  k.commit_written(true);
  k.mark(5);
  ASSERT_TRUE(k.write_pending(*dev2));
  k.commit_written();
  flip(*dev2, sb.layout.journal_offset);   // slot 0, seq 1
  auto back2 = WriteIntentJournal::load(*dev2, sb);
  ASSERT_TRUE(back2);
  EXPECT_TRUE(back2->damage().empty());
  EXPECT_EQ(back2->dirty_regions(), std::vector<uint64_t>{5});
}

TEST(JournalFormat, WritesAlternateSlots) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  auto j = WriteIntentJournal::create(sb);
  for (uint64_t r = 0; r < 4; ++r) {
    j.mark(r);
    ASSERT_TRUE(j.write_pending(*dev));
    j.commit_written();
    auto back = WriteIntentJournal::load(*dev, sb);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->dirty_count(), r + 1);
  }
  // Both slots now hold valid versions: destroying the newest must expose the previous.
  std::vector<std::byte> zero(4096);
  ASSERT_TRUE(dev->write(sb.layout.journal_offset + 4096, zero));  // slot 1 was written last (4th write)
  auto back = WriteIntentJournal::load(*dev, sb);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->dirty_count(), 3u);
}

TEST(JournalFormat, BlockWithNoValidSlotIsAllDirtyAndReported) {
  auto dev = make_leg_device();
  Superblock sb = big_superblock();
  auto j = WriteIntentJournal::create(sb);
  ASSERT_TRUE(j.write_pending(*dev, true));
  j.commit_written(true);
  std::vector<std::byte> junk(8192, std::byte{0x77});
  ASSERT_TRUE(dev->write(sb.layout.journal_offset + 2 * 4096, junk));  // both slots of block 1
  auto back = WriteIntentJournal::load(*dev, sb);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->damage().size(), 1u);
  EXPECT_EQ(back->damage()[0].block, 1u);
  EXPECT_EQ(back->dirty_count(), kRegionsPerJournalBlock);
  EXPECT_TRUE(back->is_dirty(32256));
  EXPECT_FALSE(back->is_dirty(0));
  EXPECT_TRUE(back->has_pending()) << "the damaged block is rewritten at the next write";
}

TEST(JournalFormat, ForeignArrayBlocksAreNotTrusted) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  auto j = WriteIntentJournal::create(sb);
  ASSERT_TRUE(j.write_pending(*dev, true));
  Superblock other = sb;
  other.array_uuid.bytes[0] ^= 0xFF;
  auto back = WriteIntentJournal::load(*dev, other);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->damage().size(), 1u);
  EXPECT_EQ(back->dirty_count(), sb.nr_regions);
}

TEST(JournalFormat, MergeOrsBits) {
  Superblock sb = leg_superblock();
  auto a = WriteIntentJournal::create(sb);
  auto b = WriteIntentJournal::create(sb);
  a.mark(1);
  b.mark(2);
  a.merge_from(b);
  EXPECT_EQ(a.dirty_regions(), (std::vector<uint64_t>{1, 2}));
}

}  // namespace
}  // namespace dmirror
