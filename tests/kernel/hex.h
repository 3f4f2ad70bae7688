// SPDX-License-Identifier: LGPL-2.1-or-later
// Hex helpers for golden-byte tests: whitespace in the text is ignored.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror::dm::testing {

inline std::vector<std::byte> from_hex(std::string_view text) {
  std::vector<std::byte> out;
  int hi = -1;
  for (char c : text) {
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::byte>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

inline std::string to_hex(std::span<const std::byte> bytes) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = std::to_integer<unsigned>(bytes[i]);
    if (i && i % 16 == 0) s += '\n';
    else if (i) s += ' ';
    s += d[b >> 4];
    s += d[b & 15];
  }
  return s;
}

}  // namespace dmirror::dm::testing
