// SPDX-License-Identifier: LGPL-2.1-or-later
// Fuzz target: decode_superblock on one 4 KiB copy, read from either copy
// offset. A copy that decodes must re-encode to a copy that decodes again
// to the same encoding (the codec is its own inverse on valid input).
#include "fuzz_support.h"

#include <array>
#include <cstring>

using namespace dmirror;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::array<std::byte, kSuperblockSize> block{};
  std::memcpy(block.data(), data, std::min<size_t>(size, block.size()));
  for (uint64_t offset : {uint64_t{0}, uint64_t{65536}, uint64_t{12345}}) {
    auto sb = decode_superblock(block, offset);
    if (!sb) {
      DMIRROR_FUZZ_CHECK(!sb.error().message.empty());
      continue;
    }
    int copy = sb->layout.sb_offset[1] == offset && offset != sb->layout.sb_offset[0] ? 1 : 0;
    std::array<std::byte, kSuperblockSize> again{};
    encode_superblock(*sb, copy, again);
    auto sb2 = decode_superblock(again, offset);
    DMIRROR_FUZZ_CHECK(sb2.has_value());
    std::array<std::byte, kSuperblockSize> third{};
    encode_superblock(*sb2, copy, third);
    DMIRROR_FUZZ_CHECK(again == third);
    (void)requires_read_only(*sb);
  }
  return 0;
}
