// SPDX-License-Identifier: LGPL-2.1-or-later
// The engine keeps several write groups in flight (mirror_queue.cc): a
// group is written while an earlier one is still in flight, a flush waits
// for the groups admitted before it and not for later ones, writes to the
// same bytes keep their order on every leg, and a flush never clears a
// region written while its DATA_FLUSH ran. A gate on one leg holds a chosen
// I/O until the test opens it; a test that would hang fails instead
// (kHang), and nothing here asserts how long anything takes.
#include <dmirror/engine.h>
#include <dmirror/journal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "support/legs_fixture.h"

namespace dmirror {
namespace {

using namespace std::chrono_literals;
using testing::pattern;
using testing::TestLegs;

constexpr auto kHang = 60s;        // a wait this long means the engine is stuck
constexpr auto kEarly = 200ms;     // time given to a request that must not finish yet

// Holds the first write at one leg offset, or the next flush, until open().
class GateDevice : public DeviceWrapper {
 public:
  using DeviceWrapper::DeviceWrapper;
  void hold_write_at(uint64_t offset) {
    std::lock_guard l(mu_);
    write_at_ = offset;
  }
  void hold_flush() {
    std::lock_guard l(mu_);
    flush_ = true;
  }
  // Until an I/O waits at the gate; false after kHang.
  bool wait_held() {
    std::unique_lock l(mu_);
    return cv_.wait_for(l, kHang, [&] { return held_; });
  }
  void open() {
    std::lock_guard l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  Status write(uint64_t o, std::span<const std::byte> b) override {
    bool was_held = false;
    {
      std::unique_lock l(mu_);
      if (!open_ && o == write_at_) {
        write_at_ = UINT64_MAX;
        was_held = true;
        stop(l);
      }
    }
    Status st = DeviceWrapper::write(o, b);
    if (was_held) held_write_done_ = true;
    return st;
  }
  // The held write has reached the device below the gate.
  bool held_write_done() const { return held_write_done_; }
  Status flush() override {
    {
      std::unique_lock l(mu_);
      if (!open_ && flush_) {
        flush_ = false;
        stop(l);
      }
    }
    return DeviceWrapper::flush();
  }

 private:
  void stop(std::unique_lock<std::mutex>& l) {
    held_ = true;
    cv_.notify_all();
    cv_.wait_for(l, kHang, [&] { return open_; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t write_at_ = UINT64_MAX;
  bool flush_ = false, held_ = false, open_ = false;
  std::atomic<bool> held_write_done_{false};
};

struct Gated {
  TestLegs legs{{.legs = 2, .data_size = 1024 * 1024, .region_size = 64 * 1024}};
  GateDevice gate{legs.devices()[0]};
  std::vector<BlockDevice*> devs{&gate, legs.devices()[1]};
  std::unique_ptr<Mirror> open(MirrorOptions o = {}) {
    o.io_engine = IoEngineKind::Threads;
    auto m = Mirror::open(devs, o);
    EXPECT_TRUE(m) << m.error().describe();
    return m ? std::move(*m) : nullptr;
  }
};

bool finished(std::future<Status>& f, std::chrono::milliseconds d) { return f.wait_for(d) == std::future_status::ready; }

TEST(MirrorPipeline, ASecondGroupIsWrittenWhileTheFirstIsInFlight) {
  Gated g;
  auto m = g.open();
  ASSERT_TRUE(m);
  const auto a = pattern(4096, 1), b = pattern(4096, 2);
  g.gate.hold_write_at(g.legs.data_offset());
  auto first = std::async(std::launch::async, [&] { return m->write(0, a); });
  ASSERT_TRUE(g.gate.wait_held());
  auto second = std::async(std::launch::async, [&] { return m->write(512 * 1024, b); });
  const bool second_done = finished(second, kHang);
  EXPECT_FALSE(finished(first, 0ms)) << "the gate let the first group go";
  g.gate.open();
  EXPECT_TRUE(second_done) << "the second write waited for the first group's data";
  EXPECT_TRUE(first.get());
  EXPECT_TRUE(second.get());
  EXPECT_GE(m->stats().peak_groups_in_flight, 2u);
  ASSERT_TRUE(m->close());
  EXPECT_TRUE(g.legs.data_equal(0, 1));
  EXPECT_EQ(g.legs.data(0, 512 * 1024, 4096), b);
}

TEST(MirrorPipeline, AFlushWaitsForTheGroupsAdmittedBeforeIt) {
  Gated g;
  auto m = g.open(MirrorOptions{.durable_writes = false});
  ASSERT_TRUE(m);
  g.gate.hold_write_at(g.legs.data_offset());
  auto write = std::async(std::launch::async, [&] { return m->write(0, pattern(4096, 3)); });
  ASSERT_TRUE(g.gate.wait_held());
  // What the flush must have waited for is the held group's leg write, not
  // the writer thread's return (the two wake together; either runs first).
  std::atomic<bool> write_done_at_flush{false};
  auto flush = std::async(std::launch::async, [&] {
    Status st = m->flush();
    write_done_at_flush = g.gate.held_write_done();
    return st;
  });
  EXPECT_FALSE(finished(flush, kEarly)) << "the flush returned while a write admitted before it was in flight";
  g.gate.open();
  EXPECT_TRUE(write.get());
  EXPECT_TRUE(flush.get());
  EXPECT_TRUE(write_done_at_flush);
  ASSERT_TRUE(m->close());
}

TEST(MirrorPipeline, WritesGoOnWhileAFlushWaitsForTheLegs) {
  Gated g;
  auto m = g.open(MirrorOptions{.durable_writes = false});
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->write(0, pattern(4096, 4)));   // activates: the gate sees only the flush below
  g.gate.hold_flush();
  auto flush = std::async(std::launch::async, [&] { return m->flush(); });
  ASSERT_TRUE(g.gate.wait_held());
  auto write = std::async(std::launch::async, [&] { return m->write(4096, pattern(4096, 5)); });
  const bool write_done = finished(write, kHang);
  EXPECT_FALSE(finished(flush, 0ms));
  g.gate.open();
  EXPECT_TRUE(write_done) << "the write waited for the flush's DATA_FLUSH";
  EXPECT_TRUE(write.get());
  EXPECT_TRUE(flush.get());
  ASSERT_TRUE(m->close());
  EXPECT_TRUE(g.legs.data_equal(0, 1));
}

TEST(MirrorPipeline, AnOverlappingWriteWaitsForTheGroupInFlight) {
  Gated g;
  auto m = g.open();
  ASSERT_TRUE(m);
  const auto a = pattern(8192, 6), b = pattern(4096, 7);
  g.gate.hold_write_at(g.legs.data_offset());
  auto first = std::async(std::launch::async, [&] { return m->write(0, a); });
  ASSERT_TRUE(g.gate.wait_held());
  auto second = std::async(std::launch::async, [&] { return m->write(4096, b); });
  EXPECT_FALSE(finished(second, kEarly)) << "a write overlapping a group in flight was admitted";
  g.gate.open();
  EXPECT_TRUE(first.get());
  EXPECT_TRUE(second.get());
  ASSERT_TRUE(m->close());
  // Both legs took the writes in the order they were admitted.
  EXPECT_TRUE(g.legs.data_equal(0, 1));
  EXPECT_EQ(g.legs.data(1, 4096, 4096), b);
  EXPECT_EQ(g.legs.data(1, 0, 4096), std::vector<std::byte>(a.begin(), a.begin() + 4096));
}

TEST(MirrorPipeline, AFlushKeepsARegionWrittenDuringItsDataFlushDirty) {
  Gated g;
  auto m = g.open(MirrorOptions{.durable_writes = false, .clear_delay_ms = 0});
  ASSERT_TRUE(m);
  const uint64_t rs = g.legs.created().region_size;
  ASSERT_TRUE(m->write(0, pattern(4096, 8)));
  ASSERT_TRUE(m->flush());   // region 0 was written during this interval: kept
  auto journal_dirty = [&](uint32_t slot, uint64_t region) {
    auto j = WriteIntentJournal::load(g.legs.raw(slot), g.legs.superblock(slot));
    EXPECT_TRUE(j);
    return j && j->is_dirty(region);
  };
  ASSERT_TRUE(journal_dirty(0, 0));
  g.gate.hold_flush();
  auto flush = std::async(std::launch::async, [&] { return m->flush(); });
  ASSERT_TRUE(g.gate.wait_held());
  // Written while the flush waits for the legs: not covered by it.
  auto write = std::async(std::launch::async, [&] { return m->write(4096, pattern(4096, 9)); });
  const bool write_done = finished(write, kHang);
  g.gate.open();
  ASSERT_TRUE(write_done);
  ASSERT_TRUE(write.get());
  ASSERT_TRUE(flush.get());
  for (uint32_t slot : {0u, 1u})
    EXPECT_TRUE(journal_dirty(slot, 4096 / rs)) << "slot " << slot << ": cleared while a write to it was not flushed";
  ASSERT_TRUE(m->flush());   // written during the last interval: still kept
  EXPECT_TRUE(journal_dirty(0, 0));
  ASSERT_TRUE(m->flush());   // idle for a whole interval: cleared
  EXPECT_FALSE(journal_dirty(0, 0));
  ASSERT_TRUE(m->close());
}

TEST(MirrorPipeline, OneGroupInFlightWhenAskedForOne) {
  Gated g;
  auto m = g.open(MirrorOptions{.max_groups_in_flight = 1});
  ASSERT_TRUE(m);
  g.gate.hold_write_at(g.legs.data_offset());
  auto first = std::async(std::launch::async, [&] { return m->write(0, pattern(4096, 10)); });
  ASSERT_TRUE(g.gate.wait_held());
  auto second = std::async(std::launch::async, [&] { return m->write(512 * 1024, pattern(4096, 11)); });
  EXPECT_FALSE(finished(second, kEarly)) << "a second group was admitted with max_groups_in_flight = 1";
  g.gate.open();
  EXPECT_TRUE(first.get());
  EXPECT_TRUE(second.get());
  EXPECT_EQ(m->stats().peak_groups_in_flight, 1u);
  ASSERT_TRUE(m->close());
}

}  // namespace
}  // namespace dmirror
