// SPDX-License-Identifier: LGPL-2.1-or-later
// md bitmap_super_t encode/decode/validate and region bit access
// (docs/kernel-facts.md §3).
#include <dmirror/dm/md_bitmap.h>

#include "le.h"

#include <cstring>

namespace dmirror::dm {

uint64_t BitmapSuper::chunk_count() const {
  if (chunksize < 512 || (chunksize & (chunksize - 1))) return 0;
  uint64_t per = chunksize / 512;
  return (sync_size + per - 1) / per;
}

Result<BitmapSuper> decode_bitmap_super(std::span<const std::byte> b) {
  if (b.size() < kBitmapSuperSize)
    return make_error(ErrorCode::InvalidArgument, "md bitmap superblock buffer shorter than 256 bytes");
  BitmapSuper s;
  s.magic = le::load<uint32_t>(b, 0);
  s.version = le::load<uint32_t>(b, 4);
  std::memcpy(s.uuid.data(), b.data() + 8, 16);
  s.events = le::load<uint64_t>(b, 24);
  s.events_cleared = le::load<uint64_t>(b, 32);
  s.sync_size = le::load<uint64_t>(b, 40);
  s.state = le::load<uint32_t>(b, 48);
  s.chunksize = le::load<uint32_t>(b, 52);
  s.daemon_sleep = le::load<uint32_t>(b, 56);
  s.write_behind = le::load<uint32_t>(b, 60);
  s.sectors_reserved = le::load<uint32_t>(b, 64);
  s.nodes = le::load<uint32_t>(b, 68);
  std::memcpy(s.cluster_name.data(), b.data() + 72, 64);
  return s;
}

void encode_bitmap_super(const BitmapSuper& s, std::span<std::byte> b) {
  std::memset(b.data(), 0, kBitmapSuperSize);
  le::store<uint32_t>(b, 0, s.magic);
  le::store<uint32_t>(b, 4, s.version);
  std::memcpy(b.data() + 8, s.uuid.data(), 16);
  le::store<uint64_t>(b, 24, s.events);
  le::store<uint64_t>(b, 32, s.events_cleared);
  le::store<uint64_t>(b, 40, s.sync_size);
  le::store<uint32_t>(b, 48, s.state);
  le::store<uint32_t>(b, 52, s.chunksize);
  le::store<uint32_t>(b, 56, s.daemon_sleep);
  le::store<uint32_t>(b, 60, s.write_behind);
  le::store<uint32_t>(b, 64, s.sectors_reserved);
  le::store<uint32_t>(b, 68, s.nodes);
  std::memcpy(b.data() + 72, s.cluster_name.data(), 64);
}

Status validate_bitmap_super(const BitmapSuper& s) {
  auto corrupt = [](const char* why) {
    return make_error(ErrorCode::Corruption, std::string("md bitmap superblock: ") + why);
  };
  if (s.magic != kBitmapMagic) return corrupt("bad magic");
  if (s.version < 3 || s.version > 5) return corrupt("unsupported version");
  if (s.chunksize < 512 || (s.chunksize & (s.chunksize - 1))) return corrupt("chunk size not a power of two >= 512");
  if (s.write_behind > 16383) return corrupt("write-behind out of range");
  for (auto b : s.uuid)
    if (b != 0) return corrupt("non-zero uuid (dm-raid bitmaps have none)");
  if (s.chunk_count() > kBitmapMaxChunks) return corrupt("more than 2^21 regions");
  return ok();
}

bool region_bit(std::span<const std::byte> bits, uint64_t r) {
  if (r / 8 >= bits.size()) return false;
  return (std::to_integer<uint8_t>(bits[r / 8]) >> (r % 8)) & 1;
}

void set_region_bit(std::span<std::byte> bits, uint64_t r, bool dirty) {
  if (r / 8 >= bits.size()) return;
  auto mask = static_cast<std::byte>(1u << (r % 8));
  bits[r / 8] = dirty ? (bits[r / 8] | mask) : (bits[r / 8] & ~mask);
}

std::vector<uint64_t> dirty_regions(std::span<const std::byte> bits, uint64_t chunks) {
  std::vector<uint64_t> out;
  for (uint64_t byte = 0; byte < bits.size() && byte * 8 < chunks; ++byte) {
    auto v = std::to_integer<uint8_t>(bits[byte]);
    if (v == 0) continue;
    for (unsigned i = 0; i < 8; ++i)
      if (((v >> i) & 1) && byte * 8 + i < chunks) out.push_back(byte * 8 + i);
  }
  return out;
}

}  // namespace dmirror::dm
