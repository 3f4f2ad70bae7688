// SPDX-License-Identifier: LGPL-2.1-or-later
// Choosing between a leg's two superblock copies: torn writes, damage,
// power cuts at every step of an update.
#include <dmirror/leg.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

#include "format_test_util.h"

namespace dmirror {
namespace {

using testing::leg_superblock;
using testing::make_leg_device;
using testing::PowerCutDevice;

TEST(LegMetadata, BothCopiesValidAfterWrite) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  ASSERT_TRUE(write_superblocks(*dev, sb));
  auto m = read_leg(*dev);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->copies_agree());
  EXPECT_TRUE(m->findings.empty());
  EXPECT_EQ(m->sb.seqno, 1u);
  EXPECT_EQ(m->sb.name, "vol0");
}

TEST(LegMetadata, BlankDeviceIsNotDmirror) {
  auto dev = make_leg_device();
  auto m = read_leg(*dev);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::NotDmirror);
}

TEST(LegMetadata, TornCopyFallsBackToTheOther) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  ASSERT_TRUE(write_superblocks(*dev, sb));
  // Update to seqno 2, torn in the middle of copy 0.
  sb.seqno = 2;
  PowerCutDevice cut(dev.get(), 0, 2048);
  EXPECT_FALSE(write_superblocks(cut, sb));
  auto m = read_leg(*dev);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->chosen, 1);
  EXPECT_EQ(m->sb.seqno, 1u);
  EXPECT_EQ(m->copies[0].state, CopyState::Corrupt);
  ASSERT_EQ(m->findings.size(), 1u);
  EXPECT_EQ(m->findings[0].code, "superblock-copy-damaged");
}

TEST(LegMetadata, PowerCutAtEveryStepLeavesAValidCopy) {
  for (int cut_at = 0; cut_at < 2; ++cut_at) {
    for (size_t torn : {size_t{0}, size_t{512}, size_t{4095}}) {
      auto dev = make_leg_device();
      Superblock sb = leg_superblock();
      ASSERT_TRUE(write_superblocks(*dev, sb));
      sb.seqno = 2;
      PowerCutDevice cut(dev.get(), cut_at, torn);
      (void)write_superblocks(cut, sb);
      auto m = read_leg(*dev);
      ASSERT_TRUE(m) << "cut at write " << cut_at << " torn " << torn << ": " << m.error().message;
      EXPECT_GE(m->sb.seqno, 1u);
      EXPECT_LE(m->sb.seqno, 2u);
      if (cut_at == 1) {
        EXPECT_EQ(m->sb.seqno, 2u) << "copy 0 was flushed before copy 1 was touched";
      }
    }
  }
}

// Copy 2 (compat TAIL_COPY): written with the second copy on a leg with
// room past its data area, it alone names the leg once the first
// megabyte is gone, and a power cut at any of the three writes leaves a
// valid copy whose seqno never goes backwards.
Superblock tail_superblock() {
  Superblock sb = leg_superblock();
  sb.layout.data_size = 55ull << 20;   // room for copy 2 on a 64 MiB leg
  return sb;
}

TEST(LegMetadata, CopyTwoNamesTheLegWhenTheFirstMegabyteIsGone) {
  auto dev = make_leg_device();
  Superblock sb = tail_superblock();
  ASSERT_TRUE(write_superblocks(*dev, sb));
  auto m = read_leg(*dev);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->copies[2].state, CopyState::Valid);
  EXPECT_EQ(m->copies[2].offset, (64ull << 20) - 64 * 1024);
  EXPECT_EQ(m->sb.tail_offset, (64ull << 20) - 64 * 1024);
  EXPECT_TRUE(m->copies_agree());
  std::vector<std::byte> zeros(1 << 20);
  ASSERT_TRUE(dev->write(0, zeros));
  m = read_leg(*dev);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->chosen, 2);
  EXPECT_EQ(m->sb.seqno, 1u);
  EXPECT_EQ(m->copies[0].state, CopyState::Blank);
  EXPECT_EQ(m->copies[1].state, CopyState::Blank);
  EXPECT_EQ(m->findings.size(), 2u);
  // The next update writes copies 0 and 1 again (and copy 2 last).
  sb.seqno = 2;
  ASSERT_TRUE(write_superblocks(*dev, sb));
  m = read_leg(*dev);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->copies_agree());
  EXPECT_EQ(m->chosen, 0);
  EXPECT_EQ(m->sb.seqno, 2u);
}

TEST(LegMetadata, ALegWithoutRoomHasNoCopyTwo) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();   // the data area reaches the end of the leg
  ASSERT_TRUE(write_superblocks(*dev, sb));
  auto m = read_leg(*dev);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->copies[2].state, CopyState::None);
  EXPECT_EQ(m->sb.tail_offset, 0u);
  EXPECT_TRUE(m->copies_agree());
  EXPECT_TRUE(m->findings.empty());
}

TEST(LegMetadata, PowerCutAtEveryStepWithCopyTwoLeavesAValidCopy) {
  for (int cut_at = 0; cut_at < 3; ++cut_at) {
    for (size_t torn : {size_t{0}, size_t{512}, size_t{4095}}) {
      auto dev = make_leg_device();
      Superblock sb = tail_superblock();
      ASSERT_TRUE(write_superblocks(*dev, sb));
      sb.seqno = 2;
      PowerCutDevice cut(dev.get(), cut_at, torn);
      (void)write_superblocks(cut, sb);
      auto m = read_leg(*dev);
      ASSERT_TRUE(m) << "cut at write " << cut_at << " torn " << torn << ": " << m.error().message;
      if (cut_at >= 1) {
        EXPECT_EQ(m->sb.seqno, 2u) << "copy 0 was flushed before the others were touched";
      }
      // The first megabyte lost after the cut: copy 2 still holds a version
      // (unless the cut tore copy 2 itself: two faults at once).
      if (cut_at == 2 && torn > 0) continue;
      std::vector<std::byte> zeros(1 << 20);
      ASSERT_TRUE(dev->write(0, zeros));
      auto t = read_leg(*dev);
      ASSERT_TRUE(t) << "cut at write " << cut_at << " torn " << torn << ": " << t.error().message;
      EXPECT_GE(t->sb.seqno, 1u);
    }
  }
}

// A leg that was smaller when it got its copy 2 (it grew since): the next
// update moves copy 2 to the new end. A cut at any write of that update,
// then the first megabyte lost, still leaves a reachable copy; the update
// done, the copy left at the old end is zeroed; an update cut before that
// leaves it for the next update to zero (it finds it where the leg's size
// when it joined put it).
class ShrunkView : public DeviceWrapper {
 public:
  ShrunkView(BlockDevice* target, uint64_t size) : DeviceWrapper(target), geo_(target->geometry()) {
    geo_.size_bytes = size;
  }
  const DeviceGeometry& geometry() const override { return geo_; }

 private:
  DeviceGeometry geo_;
};

TEST(LegMetadata, AMoveOfCopyTwoCutAnywhereLeavesAReachableCopy) {
  constexpr uint64_t kOld = 64ull << 20, kNew = 65ull << 20;
  for (int cut_at = 0; cut_at < 5; ++cut_at) {
    for (size_t torn : {size_t{0}, size_t{512}}) {
      auto dev = make_leg_device(kNew);
      Superblock sb = tail_superblock();
      sb.legs[sb.slot].device_size = kOld;
      {
        ShrunkView old_size(dev.get(), kOld);
        ASSERT_TRUE(write_superblocks(old_size, sb));
      }
      sb.seqno = 2;
      PowerCutDevice cut(dev.get(), cut_at, torn);
      const bool done = write_superblocks(cut, sb).has_value();
      auto before = read_leg(*dev);
      ASSERT_TRUE(before) << "cut " << cut_at << " torn " << torn << ": " << before.error().message;
      if (done) {
        std::array<std::byte, 8> magic{};
        ASSERT_TRUE(dev->read(kOld - 64 * 1024, magic));
        EXPECT_TRUE(std::all_of(magic.begin(), magic.end(), [](std::byte b) { return b == std::byte{0}; }))
            << "the copy left at the old end was not zeroed";
      } else {
        // The next update zeroes what a cut left behind.
        sb.seqno = 3;
        ASSERT_TRUE(write_superblocks(*dev, sb));
        std::array<std::byte, 8> magic{};
        ASSERT_TRUE(dev->read(kOld - 64 * 1024, magic));
        EXPECT_TRUE(std::all_of(magic.begin(), magic.end(), [](std::byte b) { return b == std::byte{0}; }))
            << "cut " << cut_at << ": a copy 2 at the old end survived the next update";
        continue;
      }
      std::vector<std::byte> zeros(1 << 20);
      ASSERT_TRUE(dev->write(0, zeros));
      auto after = read_leg(*dev);
      ASSERT_TRUE(after) << "cut " << cut_at << " torn " << torn << ": " << after.error().message;
      EXPECT_EQ(after->chosen, 2);
    }
  }
  // Cut after copy 0 of a move, the first megabyte lost: copy 0 pointed at
  // the new place, which already held the new copy 2.
  auto dev = make_leg_device(kNew);
  Superblock sb = tail_superblock();
  sb.legs[sb.slot].device_size = kOld;
  {
    ShrunkView old_size(dev.get(), kOld);
    ASSERT_TRUE(write_superblocks(old_size, sb));
  }
  sb.seqno = 2;
  PowerCutDevice cut(dev.get(), 2, 0);   // writes: new copy 2, copy 0, [cut] copy 1
  (void)write_superblocks(cut, sb);
  std::vector<std::byte> zeros(1 << 20);
  ASSERT_TRUE(dev->write(0, zeros));
  auto m = read_leg(*dev);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->sb.seqno, 2u);
}

TEST(LegMetadata, TwoTornUpdatesInARowNeverGoBackwards) {
  // The first update tears after copy 0 (copy 0 at 2, copy 1 still at 1);
  // the next one, torn at its first write, must not leave only copy 1.
  for (size_t torn : {size_t{0}, size_t{512}, size_t{4095}}) {
    auto dev = make_leg_device();
    Superblock sb = leg_superblock();
    ASSERT_TRUE(write_superblocks(*dev, sb));
    sb.seqno = 2;
    PowerCutDevice first(dev.get(), 1, 0);
    (void)write_superblocks(first, sb);
    auto m = read_leg(*dev);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->sb.seqno, 2u);
    ASSERT_EQ(m->copies[1].state, CopyState::Older);
    sb.seqno = 3;
    PowerCutDevice second(dev.get(), 0, torn);
    (void)write_superblocks(second, sb);
    m = read_leg(*dev);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_GE(m->sb.seqno, 2u) << "torn " << torn << ": the leg went back to seqno " << m->sb.seqno;
  }
}

TEST(LegMetadata, OlderCopyIsReported) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  ASSERT_TRUE(write_superblocks(*dev, sb));
  sb.seqno = 5;
  std::array<std::byte, kSuperblockSize> buf{};
  encode_superblock(sb, 0, buf);
  ASSERT_TRUE(dev->write(0, buf));
  auto m = read_leg(*dev);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sb.seqno, 5u);
  EXPECT_EQ(m->copies[1].state, CopyState::Older);
  EXPECT_EQ(m->findings.at(0).code, "superblock-copy-older");
}

TEST(LegMetadata, BothCopiesDamagedIsCorruption) {
  auto dev = make_leg_device();
  ASSERT_TRUE(write_superblocks(*dev, leg_superblock()));
  std::array<std::byte, 1> junk{std::byte{0x5A}};
  ASSERT_TRUE(dev->write(200, junk));
  ASSERT_TRUE(dev->write(kSuperblockOffset[1] + 300, junk));
  auto m = read_leg(*dev);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::Corruption);
  EXPECT_NE(m.error().message.find("both superblock copies"), std::string::npos);
}

TEST(LegMetadata, UnknownIncompatOnOneCopyRefusesTheLeg) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  ASSERT_TRUE(write_superblocks(*dev, sb));
  sb.incompat = 1ull << 40;   // unknown to this version
  sb.seqno = 2;
  std::array<std::byte, kSuperblockSize> buf{};
  encode_superblock(sb, 1, buf);
  ASSERT_TRUE(dev->write(kSuperblockOffset[1], buf));
  auto m = read_leg(*dev);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::Unsupported);
}

TEST(LegMetadata, TooSmallDeviceReportsUnreadableCopy) {
  auto dev = make_mem_device(32 * 1024, "mem:tiny");
  auto m = read_leg(*dev);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::NotDmirror);
}

}  // namespace
}  // namespace dmirror
