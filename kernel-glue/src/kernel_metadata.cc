// SPDX-License-Identifier: LGPL-2.1-or-later
// Reading and the few sanctioned edits of a leg's kernel metadata area
// (docs/kernel-facts.md §2.2, §3.4, §4).
#include <dmirror/dm/kernel_metadata.h>

#include "aligned_buffer.h"
#include "le.h"

#include <algorithm>

namespace dmirror::dm {
namespace {

constexpr uint64_t kPage = 4096;

uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

uint64_t block_unit(BlockDevice& dev) { return std::max<uint64_t>(kPage, dev.geometry().logical_block_size); }

Result<AlignedBuffer> read_at(BlockDevice& dev, uint64_t offset, uint64_t size) {
  AlignedBuffer buf(size);
  DMIRROR_RETURN_IF_ERROR(dev.read(offset, buf.span()));
  return buf;
}

// The bitmap superblock and bits, read as whole pages from +4096.
struct BitmapArea {
  BitmapSuper super;
  AlignedBuffer pages;
  std::span<std::byte> bits() { return pages.span().subspan(kBitmapSuperSize, super.bits_bytes()); }
};

Result<std::optional<BitmapArea>> read_bitmap(BlockDevice& dev, uint64_t area_offset) {
  DMIRROR_ASSIGN_OR_RETURN(auto first, read_at(dev, area_offset + kBitmapSuperOffset, block_unit(dev)));
  DMIRROR_ASSIGN_OR_RETURN(BitmapSuper sb, decode_bitmap_super(first.span()));
  if (sb.magic != kBitmapMagic) return std::optional<BitmapArea>();
  if (auto st = validate_bitmap_super(sb); !st)
    return make_error(st.error().code, dev.describe() + ": " + st.error().message);
  uint64_t size = round_up(kBitmapSuperSize + sb.bits_bytes(), block_unit(dev));
  DMIRROR_ASSIGN_OR_RETURN(auto pages, read_at(dev, area_offset + kBitmapSuperOffset, size));
  return std::optional<BitmapArea>(BitmapArea{sb, std::move(pages)});
}

}  // namespace

uint64_t kernel_metadata_min_size(uint64_t data_sectors, uint64_t region_sectors) {
  uint64_t regions = region_sectors ? (data_sectors + region_sectors - 1) / region_sectors : 0;
  return kBitmapSuperOffset + round_up(kBitmapSuperSize + (regions + 7) / 8, kPage);
}

bool KernelMetadataState::clean() const {
  return !is_new && disk_recovery_offset == kMaxSector && array_resync_offset == kMaxSector &&
         dirty_regions.empty() && failed_slots.empty();
}

Result<KernelMetadataState> read_kernel_metadata(BlockDevice& dev, uint64_t area_offset) {
  KernelMetadataState st;
  DMIRROR_ASSIGN_OR_RETURN(auto block, read_at(dev, area_offset, block_unit(dev)));
  DMIRROR_ASSIGN_OR_RETURN(RaidSuperblock sb, decode_raid_superblock(block.span()));
  if (sb.magic != kDmRaidMagic) return st;  // zeroed or foreign: first use
  if (auto v = validate_raid_superblock(sb); !v)
    return make_error(v.error().code, dev.describe() + ": " + v.error().message);
  st.is_new = false;
  st.events = sb.events;
  st.failed_slots = sb.failed_slots();
  st.disk_recovery_offset = sb.disk_recovery_offset;
  st.array_resync_offset = sb.array_resync_offset;
  st.superblock = sb;
  DMIRROR_ASSIGN_OR_RETURN(auto bitmap, read_bitmap(dev, area_offset));
  if (bitmap) {
    st.dirty_regions = dirty_regions(bitmap->bits(), bitmap->super.chunk_count());
    st.bitmap = bitmap->super;
  }
  return st;
}

Status force_resync_of_dirty_regions(BlockDevice& dev, uint64_t area_offset) {
  DMIRROR_ASSIGN_OR_RETURN(auto block, read_at(dev, area_offset, block_unit(dev)));
  DMIRROR_ASSIGN_OR_RETURN(RaidSuperblock sb, decode_raid_superblock(block.span()));
  if (sb.magic != kDmRaidMagic) return ok();  // new legs are fully synced anyway
  if (auto v = validate_raid_superblock(sb); !v)
    return make_error(v.error().code, dev.describe() + ": " + v.error().message);
  le::store<uint64_t>(block.span(), kRaidSbOffsetArrayResyncOffset, 0);
  DMIRROR_RETURN_IF_ERROR(dev.write(area_offset, block.span()));
  return dev.flush();
}

Status mark_regions_dirty(BlockDevice& dev, uint64_t area_offset, std::span<const uint64_t> regions) {
  DMIRROR_ASSIGN_OR_RETURN(auto bitmap, read_bitmap(dev, area_offset));
  if (!bitmap) return make_error(ErrorCode::NotDmirror, dev.describe() + ": no md bitmap to mark regions in");
  uint64_t chunks = bitmap->super.chunk_count();
  for (uint64_t r : regions) {
    if (r >= chunks)
      return make_error(ErrorCode::InvalidArgument, dev.describe() + ": region " + std::to_string(r) +
                                                        " beyond the bitmap's " + std::to_string(chunks));
    set_region_bit(bitmap->bits(), r, true);
  }
  DMIRROR_RETURN_IF_ERROR(dev.write(area_offset + kBitmapSuperOffset, bitmap->pages.span()));
  return dev.flush();
}

Status zero_kernel_metadata(BlockDevice& dev, uint64_t area_offset) {
  AlignedBuffer zeros(kBitmapSuperOffset + block_unit(dev));
  DMIRROR_RETURN_IF_ERROR(dev.write(area_offset, zeros.span()));
  return dev.flush();
}

}  // namespace dmirror::dm
