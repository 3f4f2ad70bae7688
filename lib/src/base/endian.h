// SPDX-License-Identifier: LGPL-2.1-or-later
// Little-endian conversion for on-disk fields. Every on-disk integer of
// dmirror is little-endian; these are no-ops on little-endian hosts.
#pragma once

#include <bit>
#include <cstdint>

namespace dmirror {

template <class T>
constexpr T to_le(T v) {
  if constexpr (std::endian::native == std::endian::little) return v;
  else return std::byteswap(v);
}
template <class T>
constexpr T from_le(T v) { return to_le(v); }

}  // namespace dmirror
