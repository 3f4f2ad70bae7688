// SPDX-License-Identifier: LGPL-2.1-or-later
// printable() and udev_encode() (see escape.h).
#include "escape.h"

#include <fmt/format.h>

#include <cstring>

namespace dmirror::cli {
namespace {

// Length of the valid UTF-8 multi-byte sequence at s[i] (2..4), or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (c >= 0xF5 || len == 0 || i + len > s.size()) return 0;
  uint32_t cp = c & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  if (cp >= 0x80 && cp <= 0x9F) return 0;  // C1 controls (CSI is U+009B)
  return len;
}

std::string hex(unsigned char c) { return fmt::format("\\x{:02x}", c); }

// Keeps the bytes `safe` accepts and whole UTF-8 sequences; every other
// byte becomes \xHH.
template <class Safe>
std::string encode(std::string_view s, Safe safe) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (safe(c)) {
      out += static_cast<char>(c);
    } else if (size_t n = c >= 0x80 ? utf8_sequence(s, i) : 0; n > 0) {
      out.append(s.substr(i, n));
      i += n - 1;
    } else {
      out += hex(c);
    }
  }
  return out;
}

std::string escaped(std::string_view s, bool keep_backslash) {
  return encode(s, [keep_backslash](unsigned char c) { return c == '\\' ? keep_backslash : c >= 0x20 && c < 0x7F; });
}

}  // namespace

std::string printable(std::string_view s) { return escaped(s, false); }

std::string printable_message(std::string_view s) { return escaped(s, true); }

std::string udev_encode(std::string_view s) {
  return encode(s, [](unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c != 0 && std::strchr("#+-.:=@_", c) != nullptr);
  });
}

std::string unescape_arg(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && hex(s[i + 2]) >= 0 && hex(s[i + 3]) >= 0) {
      out += static_cast<char>(hex(s[i + 2]) * 16 + hex(s[i + 3]));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace dmirror::cli
