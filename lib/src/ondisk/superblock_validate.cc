// SPDX-License-Identifier: LGPL-2.1-or-later
// Structural checks of a decoded superblock. Every rule here is listed in
// FORMAT.md ("Reader rules"); a superblock that passes them can be used
// without further range checks.
#include "ondisk/superblock_validate.h"

#include <dmirror/journal.h>

#include <bit>
#include <string>

namespace dmirror::ondisk {
namespace {

auto corrupt(const std::string& what) { return make_error(ErrorCode::Corruption, what); }

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool is_pow2(uint64_t v) { return v != 0 && std::has_single_bit(v); }

bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) { return a < b + blen && b < a + alen; }

Status validate_layout(const Superblock& sb) {
  const Layout& l = sb.layout;
  struct Area { const char* name; uint64_t off, len; };
  const Area areas[] = {{"superblock copy 0", l.sb_offset[0], kSuperblockSize},
                        {"superblock copy 1", l.sb_offset[1], kSuperblockSize},
                        {"journal", l.journal_offset, l.journal_size},
                        {"event history", l.events_offset, l.events_size},
                        {"kernel metadata area", l.kmeta_offset, l.kmeta_size}};
  for (size_t i = 0; i < std::size(areas); ++i) {
    if (areas[i].off % 4096 != 0) return corrupt(std::string(areas[i].name) + " offset is not 4 KiB aligned");
    if (areas[i].off + areas[i].len > l.data_offset)
      return corrupt(std::string(areas[i].name) + " runs into the data area");
    for (size_t j = i + 1; j < std::size(areas); ++j)
      if (overlaps(areas[i].off, areas[i].len, areas[j].off, areas[j].len))
        return corrupt(std::string(areas[i].name) + " overlaps " + areas[j].name);
  }
  if (l.data_offset % (1024 * 1024) != 0) return corrupt("data offset is not 1 MiB aligned");
  if (l.data_size == 0) return corrupt("data size is zero");
  if (l.events_size < 512 || l.events_size % 4096 != 0) return corrupt("event history size is invalid");
  return ok();
}

// FORMAT.md 2.4 rule 7 (incompat GENERATION): a generation, and a history
// of used entries first, newest first, each branching below the next.
Status validate_generation(const Superblock& sb) {
  if (!(sb.incompat & feature::kIncompatGeneration)) return ok();
  if (sb.generation == 0) return corrupt("generation is 0");
  uint64_t above = sb.seqno;
  bool unused_seen = false;
  for (size_t i = 0; i < kGenerationHistory; ++i) {
    const GenerationEntry& e = sb.generation_history[i];
    if (e.branch_seqno == 0) {
      if (e.generation != 0) return corrupt("generation history entry " + std::to_string(i) + " has no branch seqno");
      unused_seen = true;
      continue;
    }
    if (unused_seen) return corrupt("generation history entry " + std::to_string(i) + " follows an unused one");
    if (e.branch_seqno >= above)
      return corrupt("generation history entry " + std::to_string(i) + " branches at seqno " +
                     std::to_string(e.branch_seqno) + ", not below " + std::to_string(above));
    if (e.generation == sb.generation)
      return corrupt("generation history entry " + std::to_string(i) + " repeats the current generation");
    above = e.branch_seqno;
  }
  return ok();
}

}  // namespace

Status validate_superblock(const Superblock& sb, const RawFields& raw, uint64_t expected_offset) {
  if (sb.version == 0) return corrupt("format version is 0");
  if (sb.version > kFormatVersion)
    return make_error(ErrorCode::Unsupported, "format version " + std::to_string(sb.version) +
                                                  " is newer than this dmirror supports (" +
                                                  std::to_string(kFormatVersion) + "); upgrade dmirror");
  if (uint64_t unknown = sb.incompat & ~feature::kIncompatKnown)
    return make_error(ErrorCode::Unsupported, "unknown incompatible feature flags " + hex(unknown) +
                                                  "; this leg was written by a newer dmirror, upgrade to use it");
  if (raw.header_size != kSuperblockSize) return corrupt("header size is " + std::to_string(raw.header_size));
  const bool tail = sb.compat & feature::kCompatTailCopy;
  if (raw.copy_index > (tail ? 2u : 1u)) return corrupt("copy index is " + std::to_string(raw.copy_index));
  if (raw.copy_offset != expected_offset)
    return corrupt("misdirected write: the copy says it belongs at offset " + std::to_string(raw.copy_offset) +
                   " but was read at " + std::to_string(expected_offset));
  if ((raw.copy_index == 2 ? sb.tail_offset : sb.layout.sb_offset[raw.copy_index]) != expected_offset)
    return corrupt("copy index does not match its offset");
  // Copy 2 lies beyond the data area, 64 KiB aligned (FORMAT.md 1).
  if (tail && sb.tail_offset != 0 &&
      (sb.tail_offset % kTailCopyAlign != 0 || sb.tail_offset < sb.layout.data_offset + sb.layout.data_size))
    return corrupt("copy 2's offset " + std::to_string(sb.tail_offset) + " is not past the data area");
  if (raw.max_legs != kMaxLegs) return corrupt("leg table size is " + std::to_string(raw.max_legs));
  if (!raw.name_terminated || sb.name.empty()) return corrupt("array name is empty or not terminated");
  if (sb.nr_legs == 0 || sb.nr_legs > kMaxLegs) return corrupt("number of legs is " + std::to_string(sb.nr_legs));
  if (sb.slot >= sb.nr_legs) return corrupt("slot " + std::to_string(sb.slot) + " is outside the leg table");
  if (sb.legs[sb.slot].uuid != sb.leg_uuid) return corrupt("leg uuid does not match the leg table");
  for (uint32_t i = 0; i < kMaxLegs; ++i) {
    uint32_t st = static_cast<uint32_t>(sb.legs[i].state);
    const auto highest = (sb.incompat & feature::kIncompatSplit)        ? LegState::Split
                         : (sb.incompat & feature::kIncompatSpares)     ? LegState::Spare
                         : (sb.incompat & feature::kIncompatMembership) ? LegState::Missing
                                                                        : LegState::Removed;
    if (st > static_cast<uint32_t>(highest))
      return corrupt("leg " + std::to_string(i) + " has unknown state " + std::to_string(st));
    if (i >= sb.nr_legs && sb.legs[i].state != LegState::Unused)
      return corrupt("leg " + std::to_string(i) + " is beyond the number of legs");
    if (sb.legs[i].state == LegState::Split && sb.split_uuid[i].is_nil())
      return corrupt("leg " + std::to_string(i) + " is split but names no split-off array");
  }
  uint32_t lbs = sb.logical_block_size;
  if (!is_pow2(lbs) || lbs < 512 || lbs > 65536) return corrupt("logical block size is " + std::to_string(lbs));
  if (!is_pow2(sb.region_size) || sb.region_size < 4096 || sb.region_size < lbs)
    return corrupt("region size " + std::to_string(sb.region_size) + " is not a power of two >= 4096");
  DMIRROR_RETURN_IF_ERROR(validate_layout(sb));
  uint64_t expect_regions = (sb.layout.data_size + sb.region_size - 1) / sb.region_size;
  if (sb.nr_regions != expect_regions || sb.nr_regions > kMaxRegions)
    return corrupt("region count " + std::to_string(sb.nr_regions) + " does not match the data size");
  if (sb.layout.journal_size < journal_bytes_needed(sb.nr_regions)) return corrupt("journal area is too small");
  if (static_cast<uint32_t>(sb.checkpoint.op) > static_cast<uint32_t>(OfflineOp::Replace))
    return corrupt("unknown checkpoint operation");
  if (static_cast<uint32_t>(sb.last_scrub.result) > static_cast<uint32_t>(ScrubResult::Failed))
    return corrupt("unknown scrub result");
  return validate_generation(sb);
}

}  // namespace dmirror::ondisk
