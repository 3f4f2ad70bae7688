// SPDX-License-Identifier: LGPL-2.1-or-later
// Fuzz target: the dm-raid superblock and md bitmap codecs, and
// read_kernel_metadata over an in-memory device holding the fuzz input as
// the kernel metadata area (superblock at +0, bitmap at +4096). Decoded
// structures must re-encode to the bytes they came from.
#include "fuzz_support.h"

#include <dmirror/block_device.h>
#include <dmirror/dm/kernel_metadata.h>

#include <cstring>
#include <vector>

using namespace dmirror;
using namespace dmirror::dm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);

  if (auto sb = decode_raid_superblock(in)) {
    (void)validate_raid_superblock(*sb);
    (void)sb->failed_slots();
    std::vector<std::byte> out(kRaidSuperblockSize);
    encode_raid_superblock(*sb, out);
    DMIRROR_FUZZ_CHECK(std::memcmp(out.data(), in.data(), kRaidSuperblockSize) == 0);
  }
  if (size >= kBitmapSuperOffset) {
    auto bm = decode_bitmap_super(in.subspan(kBitmapSuperOffset));
    if (bm && validate_bitmap_super(*bm)) {
      const auto bits = in.subspan(std::min<size_t>(size, kBitmapBitsOffset));
      const uint64_t chunks = std::min<uint64_t>(bm->chunk_count(), bits.size() * 8);
      for (uint64_t r : dirty_regions(bits, chunks)) DMIRROR_FUZZ_CHECK(r < chunks && region_bit(bits, r));
    }
  }

  // The whole area through the BlockDevice path; the device is the input
  // rounded up to 4 KiB blocks (at least two), so a bitmap may claim more
  // chunks than the device holds.
  const uint64_t dev_size = std::max<uint64_t>(8192, (size + 4095) / 4096 * 4096);
  auto dev = make_mem_device(dev_size, "mem:kmeta");
  std::vector<std::byte> bytes(dev_size);
  std::memcpy(bytes.data(), data, size);
  DMIRROR_FUZZ_CHECK(dev->write(0, bytes).has_value());
  auto st = read_kernel_metadata(*dev, 0);
  if (st && !st->is_new && st->bitmap) {
    for (uint64_t r : st->dirty_regions) DMIRROR_FUZZ_CHECK(r < st->bitmap->chunk_count());
  }
  if (st) (void)st->clean();
  return 0;
}
