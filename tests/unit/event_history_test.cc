// SPDX-License-Identifier: LGPL-2.1-or-later
// The event history ring: order, wrap-around, and a torn last record that is
// reported instead of failing the read.
#include <dmirror/events.h>

#include <gtest/gtest.h>

#include "format_test_util.h"

namespace dmirror {
namespace {

using testing::leg_superblock;
using testing::make_leg_device;
using testing::PowerCutDevice;

Event make_event(uint64_t seq, EventType t, std::string detail) {
  Event e;
  e.seq = seq;
  e.time = 1764000000 + seq;
  e.type = t;
  e.detail = std::move(detail);
  e.args[0] = seq * 10;
  return e;
}

TEST(EventHistory, AppendAndReadInOrder) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  ASSERT_TRUE(write_event(*dev, sb, make_event(1, EventType::Created, "created with 2 legs")));
  ASSERT_TRUE(write_event(*dev, sb, make_event(2, EventType::ScrubStarted, "")));
  ASSERT_TRUE(write_event(*dev, sb, make_event(3, EventType::ScrubFinished, "clean")));
  auto h = read_events(*dev, sb);
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->events.size(), 3u);
  EXPECT_EQ(h->events[0].type, EventType::Created);
  EXPECT_EQ(h->events[0].detail, "created with 2 legs");
  EXPECT_EQ(h->events[2].args[0], 30u);
  EXPECT_EQ(h->next_seq, 4u);
  EXPECT_TRUE(h->damage.empty());
}

TEST(EventHistory, TornLastRecordIsReportedNotFatal) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  ASSERT_TRUE(write_event(*dev, sb, make_event(1, EventType::Created, "a")));
  ASSERT_TRUE(write_event(*dev, sb, make_event(2, EventType::Activated, "b")));
  PowerCutDevice cut(dev.get(), 0, 40);  // header reached the disk, the rest did not
  EXPECT_FALSE(write_event(cut, sb, make_event(3, EventType::LegFailed, "c")));
  auto h = read_events(*dev, sb);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->events.size(), 2u);
  ASSERT_EQ(h->damage.size(), 1u);
  EXPECT_EQ(h->damage[0].record_index, 3u);
  EXPECT_EQ(h->next_seq, 3u);
}

TEST(EventHistory, RingKeepsTheNewest) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  uint64_t cap = event_capacity(sb);
  ASSERT_EQ(cap, 512u);
  for (uint64_t s = 1; s <= cap + 5; ++s) ASSERT_TRUE(write_event(*dev, sb, make_event(s, EventType::Activated, "")));
  auto h = read_events(*dev, sb);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->events.size(), cap);
  EXPECT_EQ(h->events.front().seq, 6u);
  EXPECT_EQ(h->events.back().seq, cap + 5);
}

TEST(EventHistory, OtherArraysRecordsAreIgnored) {
  auto dev = make_leg_device();
  Superblock sb = leg_superblock();
  ASSERT_TRUE(write_event(*dev, sb, make_event(1, EventType::Created, "old array")));
  Superblock other = sb;
  other.array_uuid.bytes[3] ^= 1;
  auto h = read_events(*dev, other);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->events.empty());
  EXPECT_TRUE(h->damage.empty());
}

}  // namespace
}  // namespace dmirror
