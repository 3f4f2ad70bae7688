// SPDX-License-Identifier: LGPL-2.1-or-later
// The write-intent journal (see journal.h and FORMAT.md, "Journal").
#include <dmirror/crc32c.h>
#include <dmirror/journal.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "base/endian.h"
#include "ondisk/journal_disk.h"

namespace dmirror {
namespace {

using ondisk::JournalBlockHeader;

uint64_t blocks_for(uint64_t nr_regions) {
  return (nr_regions + kRegionsPerJournalBlock - 1) / kRegionsPerJournalBlock;
}

uint32_t block_checksum(std::span<const std::byte> block) {
  std::byte copy[kJournalBlockSize];
  std::memcpy(copy, block.data(), kJournalBlockSize);
  std::memset(copy + offsetof(JournalBlockHeader, checksum), 0, 4);
  return crc32c(std::span<const std::byte>(copy, kJournalBlockSize));
}

}  // namespace

uint64_t journal_bytes_needed(uint64_t nr_regions) {
  return blocks_for(nr_regions) * 2 * kJournalBlockSize;
}

WriteIntentJournal WriteIntentJournal::create(const Superblock& sb) {
  WriteIntentJournal j;
  j.nr_regions_ = sb.nr_regions;
  j.journal_offset_ = sb.layout.journal_offset;
  j.array_uuid_ = sb.array_uuid;
  uint64_t nb = blocks_for(sb.nr_regions);
  j.bits_.assign((sb.nr_regions + 7) / 8, 0);
  j.block_seq_.assign(nb, 0);
  j.block_slot_.assign(nb, 1);   // so the first write goes to slot 0
  j.pending_.assign(nb, 0);
  return j;
}

Result<WriteIntentJournal> WriteIntentJournal::load(BlockDevice& dev, const Superblock& sb) {
  WriteIntentJournal j = create(sb);
  uint64_t nb = j.block_seq_.size();
  std::vector<std::byte> area(nb * 2 * kJournalBlockSize);
  DMIRROR_RETURN_IF_ERROR(dev.read(sb.layout.journal_offset, area));
  // Torn journal writes happen only while the array is open for writing.
  const bool open_for_writing = sb.has_flag(sbflag::kDirty) || sb.has_flag(sbflag::kKernelOwnsSync);
  for (uint64_t b = 0; b < nb; ++b) {
    uint64_t first = b * kRegionsPerJournalBlock;
    uint32_t nbits = static_cast<uint32_t>(std::min<uint64_t>(kRegionsPerJournalBlock, sb.nr_regions - first));
    int best = -1;
    uint64_t best_seq = 0;
    std::string why[2];
    // A slot that carries our magic but does not check out: the seq its
    // (untrusted) header claims.
    std::optional<uint64_t> bad_seq[2];
    for (int s = 0; s < 2; ++s) {
      std::span<const std::byte> blk(area.data() + (2 * b + s) * kJournalBlockSize, kJournalBlockSize);
      JournalBlockHeader h;
      std::memcpy(&h, blk.data(), sizeof h);
      if (std::memcmp(h.magic, ondisk::kJournalMagic, 8) != 0) { why[s] = "no journal magic"; continue; }
      if (from_le(h.checksum) != block_checksum(blk)) {
        why[s] = "checksum mismatch";
        bad_seq[s] = from_le(h.seq);
        continue;
      }
      if (std::memcmp(h.array_uuid, sb.array_uuid.bytes.data(), 16) != 0) { why[s] = "belongs to another array"; continue; }
      if (from_le(h.block_index) != b || from_le(h.slot) != static_cast<uint32_t>(s) ||
          from_le(h.first_region) != first || from_le(h.nr_bits) != nbits) {
        why[s] = "misplaced block (index, slot or region range wrong)";
        continue;
      }
      uint64_t seq = from_le(h.seq);
      if (best < 0 || seq > best_seq) { best = s; best_seq = seq; }
    }
    if (best < 0) {
      // Neither version is readable: treat the whole block as dirty (forces a
      // resync of its regions, never a silent skip) and rewrite it at next write.
      j.damage_.push_back({static_cast<uint32_t>(b), 0, "both slots are unreadable (slot 0: " + why[0] + "; slot 1: " + why[1] + ")"});
      for (uint64_t r = first; r < first + nbits; ++r) j.mark(r);
      continue;
    }
    const auto& other = bad_seq[1 - best];
    if (other && *other > best_seq && !open_for_writing) {
      // The newer version of the block is damaged: not a torn write, as the
      // array was closed cleanly. The older version may lack marks of
      // writes acknowledged since: the whole block counts as dirty
      // (FORMAT.md, "Journal"), and is rewritten at the next journal write.
      j.damage_.push_back({static_cast<uint32_t>(b), 1 - best,
                           "slot " + std::to_string(1 - best) + ", the newer version (seq " + std::to_string(*other) +
                               "), is damaged (" + why[1 - best] + ")"});
      for (uint64_t r = first; r < first + nbits; ++r) j.mark(r);
    } else if (other && *other > best_seq) {
      // A write torn by a power cut while the array was open: its data
      // writes were never issued (mark before write), so the older
      // version is current. Rewritten at the next journal write.
      j.pending_[b] = 1;
    }
    j.block_seq_[b] = best_seq;
    j.block_slot_[b] = static_cast<uint8_t>(best);
    const std::byte* bits = area.data() + (2 * b + best) * kJournalBlockSize + kJournalHeaderSize;
    for (uint64_t r = first; r < first + nbits; ++r) {
      uint64_t i = r - first;
      if ((static_cast<uint8_t>(bits[i / 8]) >> (i % 8)) & 1) j.bits_[r / 8] |= static_cast<uint8_t>(1u << (r % 8));
    }
  }
  return j;
}

bool WriteIntentJournal::is_dirty(uint64_t r) const { return (bits_[r / 8] >> (r % 8)) & 1; }

void WriteIntentJournal::mark(uint64_t r) {
  if (is_dirty(r)) return;
  bits_[r / 8] |= static_cast<uint8_t>(1u << (r % 8));
  pending_[r / kRegionsPerJournalBlock] = 1;
}

void WriteIntentJournal::clear(uint64_t r) {
  if (!is_dirty(r)) return;
  bits_[r / 8] &= static_cast<uint8_t>(~(1u << (r % 8)));
  pending_[r / kRegionsPerJournalBlock] = 1;
}

void WriteIntentJournal::mark_all() { for (uint64_t r = 0; r < nr_regions_; ++r) mark(r); }
void WriteIntentJournal::clear_all() { for (uint64_t r = 0; r < nr_regions_; ++r) clear(r); }

uint64_t WriteIntentJournal::dirty_count() const {
  uint64_t n = 0;
  for (uint8_t b : bits_) n += static_cast<uint64_t>(__builtin_popcount(b));
  return n;
}

std::vector<uint64_t> WriteIntentJournal::dirty_regions() const {
  std::vector<uint64_t> out;
  for (uint64_t r = 0; r < nr_regions_; ++r) if (is_dirty(r)) out.push_back(r);
  return out;
}

bool WriteIntentJournal::has_pending() const {
  return std::any_of(pending_.begin(), pending_.end(), [](uint8_t p) { return p != 0; });
}

void WriteIntentJournal::merge_from(const WriteIntentJournal& other) {
  for (uint64_t r = 0; r < std::min(nr_regions_, other.nr_regions_); ++r)
    if (other.is_dirty(r)) mark(r);
}

Status WriteIntentJournal::write_pending(BlockDevice& dev, bool all) const {
  std::vector<std::byte> blk(kJournalBlockSize);
  for (uint64_t b = 0; b < block_seq_.size(); ++b) {
    if (!all && !pending_[b]) continue;
    std::fill(blk.begin(), blk.end(), std::byte{0});
    uint64_t first = b * kRegionsPerJournalBlock;
    uint32_t nbits = static_cast<uint32_t>(std::min<uint64_t>(kRegionsPerJournalBlock, nr_regions_ - first));
    uint32_t slot = 1u - block_slot_[b];
    JournalBlockHeader h{};
    std::memcpy(h.magic, ondisk::kJournalMagic, 8);
    h.seq = to_le(block_seq_[b] + 1);
    std::memcpy(h.array_uuid, array_uuid_.bytes.data(), 16);
    h.block_index = to_le(static_cast<uint32_t>(b));
    h.slot = to_le(slot);
    h.first_region = to_le(first);
    h.nr_bits = to_le(nbits);
    std::memcpy(blk.data(), &h, sizeof h);
    auto* bits = reinterpret_cast<uint8_t*>(blk.data() + kJournalHeaderSize);
    for (uint64_t i = 0; i < nbits; ++i)
      if (is_dirty(first + i)) bits[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
    uint32_t c = to_le(block_checksum(blk));
    std::memcpy(blk.data() + offsetof(JournalBlockHeader, checksum), &c, 4);
    DMIRROR_RETURN_IF_ERROR(dev.write(journal_offset_ + (2 * b + slot) * kJournalBlockSize, blk));
  }
  return ok();
}

void WriteIntentJournal::commit_written(bool all) {
  for (uint64_t b = 0; b < block_seq_.size(); ++b) {
    if (!all && !pending_[b]) continue;
    block_seq_[b] += 1;
    block_slot_[b] = static_cast<uint8_t>(1u - block_slot_[b]);
    pending_[b] = 0;
  }
  damage_.clear();
}

}  // namespace dmirror
