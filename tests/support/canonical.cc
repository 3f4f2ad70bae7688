// SPDX-License-Identifier: LGPL-2.1-or-later
// The canonical superblock of the golden-file tests.
#include "support/canonical.h"

#include <dmirror/array.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>

namespace dmirror::testing {

namespace {
Uuid counting_uuid(uint8_t start) {
  Uuid u;
  for (int i = 0; i < 16; ++i) u.bytes[i] = static_cast<uint8_t>(start + i);
  return u;
}
}  // namespace

Superblock canonical_superblock() {
  Superblock sb;
  sb.seqno = 7;
  sb.flags = sbflag::kDirty;
  sb.array_uuid = counting_uuid(0x10);
  sb.name = "vol0";
  sb.ctime = 1764000000;
  sb.utime = 1764000600;
  sb.slot = 1;
  sb.nr_legs = 2;
  sb.logical_block_size = 512;
  sb.region_size = 4 * 1024 * 1024;
  sb.layout.sb_offset[0] = kSuperblockOffset[0];
  sb.layout.sb_offset[1] = kSuperblockOffset[1];
  sb.layout.journal_offset = kJournalOffset;
  sb.layout.journal_size = kJournalAreaSize;
  sb.layout.events_offset = kEventsOffset;
  sb.layout.events_size = kEventsAreaSize;
  sb.layout.kmeta_offset = kKmetaOffset;
  sb.layout.kmeta_size = kKmetaAreaSize;
  sb.layout.data_offset = kDataOffset;
  sb.layout.data_size = 56 * 1024 * 1024;
  sb.nr_regions = 14;
  sb.resync_offset = kOffsetInSync;
  sb.kernel.max_write_behind = 256;
  sb.kernel.min_recovery_rate = 1000;
  sb.kernel.max_recovery_rate = 100000;
  sb.checkpoint.op = OfflineOp::Check;
  sb.checkpoint.position = 8 * 1024 * 1024;
  sb.checkpoint.started = 1764000100;
  sb.checkpoint.regions_done = 2;
  sb.checkpoint.source_slot = 0;
  sb.last_scrub = {ScrubResult::Repaired, 1763900000, 1763900900, 14, 1, 1};
  for (uint32_t i = 0; i < 2; ++i) {
    LegEntry& e = sb.legs[i];
    e.uuid = counting_uuid(static_cast<uint8_t>(0x40 + 0x10 * i));
    e.state = i == 0 ? LegState::InSync : LegState::Rebuilding;
    e.state_seq = 5 + i;
    e.recovery_offset = i == 0 ? kOffsetInSync : 16 * 1024 * 1024;
    e.device_size = 64 * 1024 * 1024;
  }
  sb.legs[0].flags = legflag::kWriteMostly;
  sb.leg_uuid = sb.legs[1].uuid;
  // MEMBERSHIP and LEG_COUNTERS fields (FORMAT.md 2.2, 2.6, 2.7).
  sb.compat = feature::kCompatLegCounters;
  sb.incompat = feature::kIncompatMembership;
  sb.journal_kept_since = 6;
  sb.error_limit = 12;
  sb.error_window = 300;
  sb.legs[1].flags |= legflag::kRecoverFromJournal;
  sb.nr_legs = 3;
  sb.legs[2].uuid = counting_uuid(0x70);
  sb.legs[2].state = LegState::Missing;
  sb.legs[2].state_seq = 7;
  sb.legs[2].device_size = 64 * 1024 * 1024;
  sb.counters[0] = {3, 1, 2, 3};
  sb.counters[2] = {0x0102030405060708ull, 0, 0, 0};
  // GENERATION fields (FORMAT.md 2.2, 2.6 rules 18, 19): two generations left.
  sb.incompat |= feature::kIncompatGeneration;
  sb.generation = 0x1122334455667788ull;
  sb.generation_history[0] = {0x99aabbccddeeff00ull, 6};
  sb.generation_history[1] = {0x0123456789abcdefull, 3};
  // TAIL_COPY (FORMAT.md 1, 2.2): this leg's copy 2 in the last 64 KiB of
  // a leg of 64 MiB + 64 KiB (the data area ends at 8 + 56 MiB).
  sb.compat |= feature::kCompatTailCopy;
  sb.tail_offset = 64 * 1024 * 1024;
  // BOOT_POLICY (FORMAT.md 2, 2.2): boot waits 45 s before activating degraded.
  sb.compat |= feature::kCompatBootPolicy;
  sb.degraded_timeout = 45;
  // SPARE_POLICY (FORMAT.md 2, 2.2): spares are not taken over (off).
  sb.compat |= feature::kCompatSparePolicy;
  sb.spare_takeover = 1;
  return sb;
}

}  // namespace dmirror::testing
