// SPDX-License-Identifier: LGPL-2.1-or-later
// CRC32C against the standard check value and the software fallback.
#include <dmirror/crc32c.h>

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace dmirror {
namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

TEST(Crc32c, StandardCheckValue) { EXPECT_EQ(crc32c(bytes("123456789")), 0xE3069283u); }

TEST(Crc32c, ExtendEqualsWhole) {
  std::vector<std::byte> data(10000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = std::byte(i * 131 + 7);
  uint32_t whole = crc32c(data);
  uint32_t part = crc32c_extend(0, std::span(data).first(3333));
  part = crc32c_extend(part, std::span(data).subspan(3333));
  EXPECT_EQ(whole, part);
}

TEST(Crc32c, EmptyIsZero) { EXPECT_EQ(crc32c({}), 0u); }

}  // namespace
}  // namespace dmirror
