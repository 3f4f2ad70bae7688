// SPDX-License-Identifier: LGPL-2.1-or-later
// Superblock encode/decode between the core struct and the on-disk bytes.
// Structural checks beyond magic/checksum/version live in
// superblock_validate.cc.
#include <dmirror/crc32c.h>
#include <dmirror/superblock.h>

#include <cstring>

#include "base/endian.h"
#include "ondisk/superblock_disk.h"
#include "ondisk/superblock_validate.h"

namespace dmirror {
namespace {

using ondisk::LegEntryDisk;
using ondisk::SuperblockDisk;

void encode_leg(const LegEntry& in, LegEntryDisk& out) {
  std::memcpy(out.uuid, in.uuid.bytes.data(), 16);
  out.state = to_le(static_cast<uint32_t>(in.state));
  out.flags = to_le(in.flags);
  out.state_seq = to_le(in.state_seq);
  out.recovery_offset = to_le(in.recovery_offset);
  out.device_size = to_le(in.device_size);
  out.replacement_slot = to_le(in.replacement_slot);
  const uint64_t merge = to_le(in.merge_seqno);
  std::memcpy(out.merge_seqno, &merge, 8);
}

LegEntry decode_leg(const LegEntryDisk& in) {
  LegEntry e;
  std::memcpy(e.uuid.bytes.data(), in.uuid, 16);
  e.state = static_cast<LegState>(from_le(in.state));
  e.flags = from_le(in.flags);
  e.state_seq = from_le(in.state_seq);
  e.recovery_offset = from_le(in.recovery_offset);
  e.device_size = from_le(in.device_size);
  e.replacement_slot = from_le(in.replacement_slot);
  uint64_t merge = 0;
  std::memcpy(&merge, in.merge_seqno, 8);
  e.merge_seqno = from_le(merge);
  return e;
}

uint32_t checksum_of(std::span<const std::byte, kSuperblockSize> bytes) {
  return crc32c(bytes.first(offsetof(SuperblockDisk, checksum)));
}

}  // namespace

void encode_superblock(const Superblock& sb, int copy_index, std::span<std::byte, kSuperblockSize> out) {
  SuperblockDisk d;
  std::memset(&d, 0, sizeof d);
  std::memcpy(d.magic, ondisk::kSuperblockMagic, sizeof d.magic);
  d.version = to_le(sb.version);
  d.header_size = to_le(kSuperblockSize);
  d.compat = to_le(sb.compat);
  d.ro_compat = to_le(sb.ro_compat);
  d.incompat = to_le(sb.incompat);
  d.seqno = to_le(sb.seqno);
  d.copy_offset = to_le(copy_index == 2 ? sb.tail_offset : sb.layout.sb_offset[copy_index]);
  if (sb.compat & feature::kCompatTailCopy) d.tail_offset = to_le(sb.tail_offset);
  if (sb.compat & feature::kCompatBootPolicy) d.degraded_timeout = to_le(sb.degraded_timeout);
  if (sb.compat & feature::kCompatSparePolicy) d.spare_takeover = to_le(sb.spare_takeover);
  d.copy_index = to_le(static_cast<uint32_t>(copy_index));
  d.flags = to_le(sb.flags);
  std::memcpy(d.array_uuid, sb.array_uuid.bytes.data(), 16);
  std::memcpy(d.leg_uuid, sb.leg_uuid.bytes.data(), 16);
  std::memcpy(d.name, sb.name.data(), std::min(sb.name.size(), kMaxNameLength));
  d.ctime = to_le(sb.ctime);
  d.utime = to_le(sb.utime);
  d.slot = to_le(sb.slot);
  d.nr_legs = to_le(sb.nr_legs);
  d.logical_block_size = to_le(sb.logical_block_size);
  d.max_legs = to_le(kMaxLegs);
  d.region_size = to_le(sb.region_size);
  d.nr_regions = to_le(sb.nr_regions);
  d.resync_offset = to_le(sb.resync_offset);
  d.data_offset = to_le(sb.layout.data_offset);
  d.data_size = to_le(sb.layout.data_size);
  d.sb_offset[0] = to_le(sb.layout.sb_offset[0]);
  d.sb_offset[1] = to_le(sb.layout.sb_offset[1]);
  d.journal_offset = to_le(sb.layout.journal_offset);
  d.journal_size = to_le(sb.layout.journal_size);
  d.events_offset = to_le(sb.layout.events_offset);
  d.events_size = to_le(sb.layout.events_size);
  d.kmeta_offset = to_le(sb.layout.kmeta_offset);
  d.kmeta_size = to_le(sb.layout.kmeta_size);
  d.max_write_behind = to_le(sb.kernel.max_write_behind);
  d.min_recovery_rate = to_le(sb.kernel.min_recovery_rate);
  d.max_recovery_rate = to_le(sb.kernel.max_recovery_rate);
  d.ckpt_op = to_le(static_cast<uint32_t>(sb.checkpoint.op));
  d.ckpt_flags = to_le(sb.checkpoint.flags);
  d.ckpt_position = to_le(sb.checkpoint.position);
  d.ckpt_started = to_le(sb.checkpoint.started);
  d.ckpt_regions_done = to_le(sb.checkpoint.regions_done);
  d.ckpt_mismatches = to_le(sb.checkpoint.mismatches);
  d.ckpt_repaired = to_le(sb.checkpoint.repaired);
  d.ckpt_source_slot = to_le(sb.checkpoint.source_slot);
  d.ckpt_target_slot = to_le(sb.checkpoint.target_slot);
  d.scrub_result = to_le(static_cast<uint32_t>(sb.last_scrub.result));
  d.scrub_started = to_le(sb.last_scrub.started);
  d.scrub_finished = to_le(sb.last_scrub.finished);
  d.scrub_regions = to_le(sb.last_scrub.regions);
  d.scrub_mismatches = to_le(sb.last_scrub.mismatches);
  d.scrub_repaired = to_le(sb.last_scrub.repaired);
  d.journal_kept_since = to_le(sb.journal_kept_since);
  d.error_limit = to_le(sb.error_limit);
  d.error_window = to_le(sb.error_window);
  d.generation = to_le(sb.generation);
  for (size_t i = 0; i < kGenerationHistory; ++i) {
    d.generation_history[i].generation = to_le(sb.generation_history[i].generation);
    d.generation_history[i].branch_seqno = to_le(sb.generation_history[i].branch_seqno);
  }
  if (sb.incompat & feature::kIncompatSplit) {
    for (uint32_t i = 0; i < kMaxLegs; ++i) std::memcpy(d.split_uuid[i], sb.split_uuid[i].bytes.data(), 16);
    std::memcpy(d.origin_uuid, sb.origin.array_uuid.bytes.data(), 16);
    d.origin_split_seqno = to_le(sb.origin.split_seqno);
    d.origin_slot = to_le(sb.origin.slot);
  }
  for (uint32_t i = 0; i < kMaxLegs; ++i) {
    encode_leg(sb.legs[i], d.legs[i]);
    d.counters[i].read_errors = to_le(sb.counters[i].read_errors);
    d.counters[i].write_errors = to_le(sb.counters[i].write_errors);
    d.counters[i].mismatches = to_le(sb.counters[i].mismatches);
    d.counters[i].corrected = to_le(sb.counters[i].corrected);
  }
  std::memcpy(out.data(), &d, sizeof d);
  uint32_t csum = to_le(checksum_of(out));
  std::memcpy(out.data() + offsetof(SuperblockDisk, checksum), &csum, sizeof csum);
}

Result<Superblock> decode_superblock(std::span<const std::byte, kSuperblockSize> in, uint64_t expected_offset) {
  SuperblockDisk d;
  std::memcpy(&d, in.data(), sizeof d);
  if (std::memcmp(d.magic, ondisk::kSuperblockMagic, sizeof d.magic) != 0)
    return make_error(ErrorCode::NotDmirror, "no dmirror superblock magic");
  uint32_t stored = from_le(d.checksum);
  uint32_t computed = checksum_of(in);
  if (stored != computed) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "checksum mismatch (stored %08x, computed %08x)", stored, computed);
    return make_error(ErrorCode::Corruption, buf);
  }
  Superblock sb;
  sb.version = from_le(d.version);
  sb.compat = from_le(d.compat);
  sb.ro_compat = from_le(d.ro_compat);
  sb.incompat = from_le(d.incompat);
  sb.seqno = from_le(d.seqno);
  sb.flags = from_le(d.flags);
  std::memcpy(sb.array_uuid.bytes.data(), d.array_uuid, 16);
  std::memcpy(sb.leg_uuid.bytes.data(), d.leg_uuid, 16);
  sb.name.assign(d.name, strnlen(d.name, sizeof d.name));
  sb.ctime = from_le(d.ctime);
  sb.utime = from_le(d.utime);
  sb.slot = from_le(d.slot);
  sb.nr_legs = from_le(d.nr_legs);
  sb.logical_block_size = from_le(d.logical_block_size);
  sb.region_size = from_le(d.region_size);
  sb.nr_regions = from_le(d.nr_regions);
  sb.resync_offset = from_le(d.resync_offset);
  sb.layout.data_offset = from_le(d.data_offset);
  sb.layout.data_size = from_le(d.data_size);
  sb.layout.sb_offset[0] = from_le(d.sb_offset[0]);
  sb.layout.sb_offset[1] = from_le(d.sb_offset[1]);
  sb.layout.journal_offset = from_le(d.journal_offset);
  sb.layout.journal_size = from_le(d.journal_size);
  sb.layout.events_offset = from_le(d.events_offset);
  sb.layout.events_size = from_le(d.events_size);
  sb.layout.kmeta_offset = from_le(d.kmeta_offset);
  sb.layout.kmeta_size = from_le(d.kmeta_size);
  sb.kernel.max_write_behind = from_le(d.max_write_behind);
  sb.kernel.min_recovery_rate = from_le(d.min_recovery_rate);
  sb.kernel.max_recovery_rate = from_le(d.max_recovery_rate);
  sb.checkpoint.op = static_cast<OfflineOp>(from_le(d.ckpt_op));
  sb.checkpoint.flags = from_le(d.ckpt_flags);
  sb.checkpoint.position = from_le(d.ckpt_position);
  sb.checkpoint.started = from_le(d.ckpt_started);
  sb.checkpoint.regions_done = from_le(d.ckpt_regions_done);
  sb.checkpoint.mismatches = from_le(d.ckpt_mismatches);
  sb.checkpoint.repaired = from_le(d.ckpt_repaired);
  sb.checkpoint.source_slot = from_le(d.ckpt_source_slot);
  sb.checkpoint.target_slot = from_le(d.ckpt_target_slot);
  sb.last_scrub.result = static_cast<ScrubResult>(from_le(d.scrub_result));
  sb.last_scrub.started = from_le(d.scrub_started);
  sb.last_scrub.finished = from_le(d.scrub_finished);
  sb.last_scrub.regions = from_le(d.scrub_regions);
  sb.last_scrub.mismatches = from_le(d.scrub_mismatches);
  sb.last_scrub.repaired = from_le(d.scrub_repaired);
  sb.journal_kept_since = from_le(d.journal_kept_since);
  sb.error_limit = from_le(d.error_limit);
  sb.error_window = from_le(d.error_window);
  if (sb.compat & feature::kCompatTailCopy) sb.tail_offset = from_le(d.tail_offset);   // reserved without it
  if (sb.compat & feature::kCompatBootPolicy) sb.degraded_timeout = from_le(d.degraded_timeout);   // likewise
  if (sb.compat & feature::kCompatSparePolicy) sb.spare_takeover = from_le(d.spare_takeover);       // likewise
  if (sb.incompat & feature::kIncompatGeneration) {   // reserved (ignored) without it
    sb.generation = from_le(d.generation);
    for (size_t i = 0; i < kGenerationHistory; ++i) {
      sb.generation_history[i].generation = from_le(d.generation_history[i].generation);
      sb.generation_history[i].branch_seqno = from_le(d.generation_history[i].branch_seqno);
    }
  }
  if (sb.incompat & feature::kIncompatSplit) {   // reserved (ignored) without it
    for (uint32_t i = 0; i < kMaxLegs; ++i) std::memcpy(sb.split_uuid[i].bytes.data(), d.split_uuid[i], 16);
    std::memcpy(sb.origin.array_uuid.bytes.data(), d.origin_uuid, 16);
    sb.origin.split_seqno = from_le(d.origin_split_seqno);
    sb.origin.slot = from_le(d.origin_slot);
  }
  for (uint32_t i = 0; i < kMaxLegs; ++i) {
    sb.legs[i] = decode_leg(d.legs[i]);
    if (!(sb.incompat & feature::kIncompatSplit)) sb.legs[i].merge_seqno = 0;   // reserved without it
    sb.counters[i].read_errors = from_le(d.counters[i].read_errors);
    sb.counters[i].write_errors = from_le(d.counters[i].write_errors);
    sb.counters[i].mismatches = from_le(d.counters[i].mismatches);
    sb.counters[i].corrected = from_le(d.counters[i].corrected);
  }

  ondisk::RawFields raw{from_le(d.header_size), from_le(d.copy_offset), from_le(d.copy_index),
                        from_le(d.max_legs), d.name[sizeof d.name - 1] == '\0'};
  DMIRROR_RETURN_IF_ERROR(ondisk::validate_superblock(sb, raw, expected_offset));
  return sb;
}

}  // namespace dmirror
