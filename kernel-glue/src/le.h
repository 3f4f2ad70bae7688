// SPDX-License-Identifier: LGPL-2.1-or-later
// Little-endian loads and stores on byte buffers (kernel metadata is LE).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace dmirror::dm::le {

template <class T>
T load(std::span<const std::byte> b, size_t off) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<uint64_t>(std::to_integer<uint8_t>(b[off + i])) << (8 * i));
  return v;
}

template <class T>
void store(std::span<std::byte> b, size_t off, T v) {
  auto u = static_cast<uint64_t>(v);
  for (size_t i = 0; i < sizeof(T); ++i) b[off + i] = static_cast<std::byte>((u >> (8 * i)) & 0xff);
}

}  // namespace dmirror::dm::le
