// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oracle/sector_data.h"

#include <cstring>

namespace dmirror::oracle {
namespace {

constexpr uint64_t kMagic = 0x4f5241434c453031ull;   // "ORACLE01"
constexpr size_t kWords = kSector / 8;

uint64_t mix(uint64_t x) {
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27; x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void make(uint64_t id, uint64_t s, uint64_t* w) {
  w[0] = kMagic;
  w[1] = id;
  w[2] = s;
  uint64_t h = mix(id * 0x9e3779b97f4a7c15ull ^ mix(s));
  for (size_t i = 3; i < kWords; ++i) w[i] = h + i * 0x9e3779b97f4a7c15ull;
}

}  // namespace

void fill_sectors(uint64_t id, uint64_t first, std::span<std::byte> out) {
  uint64_t w[kWords];
  for (size_t i = 0; i < out.size() / kSector; ++i) {
    make(id, first + i, w);
    std::memcpy(out.data() + i * kSector, w, kSector);
  }
}

uint64_t decode_sector(std::span<const std::byte> sector, uint64_t s) {
  uint64_t w[kWords];
  std::memcpy(w, sector.data(), kSector);
  if (w[0] != kMagic) {
    uint64_t any = 0;
    for (uint64_t x : w) any |= x;
    return any ? kGarbage : 0;
  }
  const uint64_t id = w[1];
  if (w[2] != s || id == 0 || id == kGarbage) return kGarbage;
  const uint64_t h = mix(id * 0x9e3779b97f4a7c15ull ^ mix(s));
  uint64_t diff = 0;
  for (size_t i = 3; i < kWords; ++i) diff |= w[i] ^ (h + i * 0x9e3779b97f4a7c15ull);
  return diff ? kGarbage : id;
}

}  // namespace dmirror::oracle
