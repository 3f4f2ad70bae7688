// SPDX-License-Identifier: LGPL-2.1-or-later
// 16-byte identifiers for arrays and legs (random, RFC 4122 version 4).
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace dmirror {

struct Uuid {
  std::array<uint8_t, 16> bytes{};
  bool is_nil() const;
  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case.
  DMIRROR_EXPORT std::string str() const;
  // 32 hex digits, no dashes (used in device-mapper uuids).
  DMIRROR_EXPORT std::string hex() const;
  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;
};

inline bool Uuid::is_nil() const {
  for (auto b : bytes) if (b != 0) return false;
  return true;
}

DMIRROR_EXPORT Uuid random_uuid();
DMIRROR_EXPORT Result<Uuid> parse_uuid(std::string_view text);

}  // namespace dmirror
