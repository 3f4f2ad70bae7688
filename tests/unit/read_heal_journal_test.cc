// SPDX-License-Identifier: LGPL-2.1-or-later
// The rewrite of an unreadable block follows the write path's rule: the
// region is marked in the journal of every writable leg, and the journal
// flushed, before the data write that could tear; the mark is cleared once
// the rewrite is durable (after a commit recording journal_kept_since).
#include <dmirror/journal.h>
#include <dmirror/scrub.h>
#include <dmirror/verify.h>

#include <gtest/gtest.h>

#include "support/legs_fixture.h"
#include "support/recording_device.h"
#include "support/scratch.h"

namespace dmirror {
namespace {

using testing::IoKind;
using testing::IoLog;
using testing::IoRecord;
using testing::pattern;
using testing::RecordingDevice;
using testing::TestLegs;

constexpr uint64_t kSize = 256 * 1024;
constexpr uint64_t kBad = 21 * 4096;   // region 21 (region size 4 KiB)

struct Rig {
  TestLegs legs;
  IoLog log;
  std::vector<std::unique_ptr<RecordingDevice>> rec;
  Rig() {
    for (uint32_t s = 0; s < 2; ++s) legs.poke(s, 0, pattern(kSize, 41));
    legs.faulty(1).fail_reads_until_written(legs.data_offset() + kBad, 4096);
    for (uint32_t s = 0; s < 2; ++s)
      rec.push_back(std::make_unique<RecordingDevice>(legs.devices()[s], &log, "leg" + std::to_string(s)));
  }
  std::vector<BlockDevice*> devices() { return {rec[0].get(), rec[1].get()}; }
  bool dirty(uint32_t slot, uint64_t region) {
    auto j = WriteIntentJournal::load(legs.raw(slot), legs.superblock(slot));
    EXPECT_TRUE(j);
    return j && j->is_dirty(region);
  }

  // The rewrite on leg 1 comes after a journal write and then a flush on
  // every leg.
  void expect_marked_before_rewrite() {
    const Layout& l = legs.created().layout;
    const uint64_t at = legs.data_offset() + kBad;
    long rewrite = log.first([&](const IoRecord& r) {
      return r.tag == "leg1" && r.kind == IoKind::Write && r.offset == at && r.ok;
    });
    ASSERT_GE(rewrite, 0) << log.dump();
    auto recs = log.records();
    for (std::string tag : {"leg0", "leg1"}) {
      long jw = -1, fl = -1;
      for (long i = 0; i < rewrite; ++i) {
        const IoRecord& r = recs[i];
        if (r.tag != tag) continue;
        if (r.kind == IoKind::Write && r.offset >= l.journal_offset && r.offset < l.journal_offset + l.journal_size)
          jw = i;
        if (r.kind == IoKind::Flush && jw >= 0 && i > jw) fl = i;
      }
      EXPECT_GE(jw, 0) << tag << ": no journal write before the rewrite\n" << log.dump();
      EXPECT_GT(fl, jw) << tag << ": the journal was not flushed before the rewrite\n" << log.dump();
    }
  }
};

TEST(ReadHealJournal, ScrubMarksTheRegionBeforeTheRewriteAndClearsItAfter) {
  Rig rig;
  ScrubOptions o;
  o.repair = false;
  auto r = scrub(rig.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->corrected, 1u);
  rig.expect_marked_before_rewrite();
  for (uint32_t s : {0u, 1u}) EXPECT_FALSE(rig.dirty(s, kBad / 4096)) << "slot " << s << ": the mark was not cleared";
  EXPECT_TRUE(rig.legs.data_equal(0, 1));
}

TEST(ReadHealJournal, VerifyRepairMarksTheRegionBeforeTheRewriteAndClearsItAfter) {
  Rig rig;
  VerifyOptions o;
  o.repair = true;
  auto r = verify(rig.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(rig.legs.superblock(0).counters[1].corrected, 1u);
  rig.expect_marked_before_rewrite();
  for (uint32_t s : {0u, 1u}) EXPECT_FALSE(rig.dirty(s, kBad / 4096)) << "slot " << s << ": the mark was not cleared";
  EXPECT_TRUE(rig.legs.data_equal(0, 1));
}

// A region already dirty (a crash window) stays dirty: the heal did not
// make it, and only a resync may settle it.
TEST(ReadHealJournal, ARegionDirtyBeforeTheScrubStaysDirty) {
  Rig rig;
  for (uint32_t s : {0u, 1u}) {
    auto j = WriteIntentJournal::load(rig.legs.raw(s), rig.legs.superblock(s));
    ASSERT_TRUE(j);
    j->mark(kBad / 4096);
    ASSERT_TRUE(j->write_pending(rig.legs.raw(s), true));
  }
  ScrubOptions o;
  o.repair = false;
  auto r = scrub(rig.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->corrected, 1u);
  for (uint32_t s : {0u, 1u}) EXPECT_TRUE(rig.dirty(s, kBad / 4096)) << "slot " << s;
}

}  // namespace
}  // namespace dmirror
