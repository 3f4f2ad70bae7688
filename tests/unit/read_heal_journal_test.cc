// SPDX-License-Identifier: LGPL-2.1-or-later
// The rewrite of an unreadable block is not marked in the journal
// (FORMAT.md 1.1, as a mismatch repair is not): a mark would make the
// region a crash window, which a resync after a crash settles from the
// lowest in-sync slot, rot in the region's other blocks included, over the
// good copy. Torn, the rewrite leaves each sector the good data or still
// unreadable. The rewrite is flushed and read back before it counts.
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

  // No journal block is written on any leg during the run, and the
  // rewrite on leg 1 is flushed and then read back.
  void expect_rewrite_unmarked() {
    const Layout& l = legs.created().layout;
    const uint64_t at = legs.data_offset() + kBad;
    long rewrite = log.first([&](const IoRecord& r) {
      return r.tag == "leg1" && r.kind == IoKind::Write && r.offset == at && r.ok;
    });
    ASSERT_GE(rewrite, 0) << log.dump();
    auto recs = log.records();
    long flush = -1, back = -1;
    for (long i = 0; i < static_cast<long>(recs.size()); ++i) {
      const IoRecord& r = recs[i];
      EXPECT_FALSE(r.kind == IoKind::Write && r.offset >= l.journal_offset &&
                   r.offset < l.journal_offset + l.journal_size)
          << r.tag << ": a journal block was written (record " << i << ")\n" << log.dump();
      if (r.tag != "leg1" || i <= rewrite) continue;
      if (r.kind == IoKind::Flush && flush < 0) flush = i;
      if (r.kind == IoKind::Read && r.offset == at && flush >= 0 && back < 0) back = i;
    }
    EXPECT_GT(flush, rewrite) << "the rewrite was not flushed\n" << log.dump();
    EXPECT_GT(back, flush) << "the rewrite was not read back after its flush\n" << log.dump();
  }
};

TEST(ReadHealJournal, ScrubRewritesWithoutAJournalMark) {
  Rig rig;
  ScrubOptions o;
  o.repair = false;
  auto r = scrub(rig.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->corrected, 1u);
  rig.expect_rewrite_unmarked();
  for (uint32_t s : {0u, 1u}) EXPECT_FALSE(rig.dirty(s, kBad / 4096)) << "slot " << s;
  EXPECT_TRUE(rig.legs.data_equal(0, 1));
}

TEST(ReadHealJournal, VerifyRepairRewritesWithoutAJournalMark) {
  Rig rig;
  VerifyOptions o;
  o.repair = true;
  auto r = verify(rig.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(rig.legs.superblock(0).counters[1].corrected, 1u);
  rig.expect_rewrite_unmarked();
  for (uint32_t s : {0u, 1u}) EXPECT_FALSE(rig.dirty(s, kBad / 4096)) << "slot " << s;
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
