// SPDX-License-Identifier: LGPL-2.1-or-later
// CRC32C: a table-driven software version and an SSE4.2 version, chosen once
// at first use from the CPU's feature bits.
#include <dmirror/crc32c.h>

#include <array>
#include <cstring>

namespace dmirror {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kTable = make_table();

uint32_t crc_software(uint32_t crc, const unsigned char* p, size_t n) {
  while (n--) crc = kTable[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc_sse42(uint32_t crc, const unsigned char* p, size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = __builtin_ia32_crc32di(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

using CrcFn = uint32_t (*)(uint32_t, const unsigned char*, size_t);

CrcFn pick() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse4.2")) return crc_sse42;
#endif
  return crc_software;
}

}  // namespace

uint32_t crc32c_extend(uint32_t crc, std::span<const std::byte> data) {
  static const CrcFn fn = pick();
  return ~fn(~crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

uint32_t crc32c(std::span<const std::byte> data) { return crc32c_extend(0, data); }

}  // namespace dmirror
