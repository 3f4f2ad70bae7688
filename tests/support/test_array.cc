// SPDX-License-Identifier: LGPL-2.1-or-later
// format_test_array(): the metadata create_array() writes, on BlockDevices.
#include "support/test_array.h"

#include <dmirror/events.h>
#include <dmirror/generation.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>

#include <algorithm>

namespace dmirror::testing {

Layout test_layout(uint64_t data_size, uint64_t nr_regions) {
  Layout l;
  l.sb_offset[0] = kSuperblockOffset[0];
  l.sb_offset[1] = kSuperblockOffset[1];
  l.journal_offset = 128 * 1024;
  l.journal_size = std::max<uint64_t>(journal_bytes_needed(nr_regions), 8192);
  l.events_offset = 512 * 1024;
  l.events_size = 64 * 1024;
  l.kmeta_offset = 768 * 1024;
  l.kmeta_size = 64 * 1024;
  l.data_offset = kTestDataOffset;
  l.data_size = data_size;
  return l;
}

Result<Superblock> format_test_array(std::span<BlockDevice* const> legs, const TestArrayOptions& opts) {
  if (legs.size() != opts.legs) return make_error(ErrorCode::InvalidArgument, "leg count mismatch");
  Superblock sb;
  sb.array_uuid = random_uuid();
  sb.name = opts.name;
  sb.ctime = sb.utime = 1700000000;
  sb.seqno = 1;
  sb.compat = feature::kCompatCurrent;
  sb.incompat = feature::kIncompatCurrent;
  sb.generation = random_generation();
  sb.journal_kept_since = 0;
  sb.nr_legs = opts.legs;
  sb.region_size = opts.region_size;
  sb.nr_regions = (opts.data_size + opts.region_size - 1) / opts.region_size;
  sb.layout = test_layout(opts.data_size, sb.nr_regions);
  if (opts.assume_clean) sb.flags |= sbflag::kAssumeClean;
  sb.resync_offset = opts.assume_clean ? kOffsetInSync : 0;
  for (uint32_t i = 0; i < opts.legs; ++i) {
    sb.legs[i].uuid = random_uuid();
    sb.legs[i].state = LegState::InSync;
    sb.legs[i].state_seq = 1;
    sb.legs[i].device_size = legs[i]->geometry().size_bytes;
  }
  WriteIntentJournal journal = WriteIntentJournal::create(sb);
  Event created;
  created.seq = 1;
  created.time = sb.ctime;
  created.type = EventType::Created;
  created.args[0] = sb.nr_legs;
  created.detail = "test array";
  for (uint32_t i = 0; i < opts.legs; ++i) {
    DMIRROR_RETURN_IF_ERROR(journal.write_pending(*legs[i], true));
    DMIRROR_RETURN_IF_ERROR(write_event(*legs[i], sb, created));
    DMIRROR_RETURN_IF_ERROR(legs[i]->flush());
  }
  for (uint32_t i = 0; i < opts.legs; ++i) {
    Superblock s = sb;
    s.slot = i;
    s.leg_uuid = sb.legs[i].uuid;
    DMIRROR_RETURN_IF_ERROR(write_superblocks(*legs[i], s));
  }
  sb.leg_uuid = sb.legs[0].uuid;
  return sb;
}

}  // namespace dmirror::testing
