// SPDX-License-Identifier: LGPL-2.1-or-later
// Array names and sizes: what is accepted, and that every refusal says what
// is wrong.
#include <dmirror/names.h>

#include <gtest/gtest.h>

namespace dmirror {
namespace {

TEST(ArrayName, AcceptsDeviceMapperSafeNames) {
  for (const char* n : {"vol0", "a", "data_1", "my-mirror", "x.y", "A#+-.:=@_z", "0abc"}) {
    EXPECT_TRUE(validate_array_name(n)) << n;
  }
  EXPECT_TRUE(validate_array_name(std::string(63, 'a')));
}

TEST(ArrayName, RefusalsSayWhatIsWrong) {
  struct Case {
    std::string name;
    std::string says;
  } cases[] = {
      {"", "empty"},
      {std::string(64, 'a'), "64 characters long; at most 63"},
      {"a/b", "contains '/' at position 2"},
      {"a b", "contains a space"},
      {"caf\xc3\xa9", "byte \\xc3"},
      {"control", "reserved"},
      {".", "reserved"},
      {"..", "reserved"},
      {"-x", "starts with '-'"},
      {".x", "starts with '.'"},
  };
  for (const auto& c : cases) {
    auto st = validate_array_name(c.name);
    ASSERT_FALSE(st) << c.name;
    EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(st.error().message.find(c.says), std::string::npos) << st.error().message;
  }
}

TEST(Size, ParsesBinaryAndDecimalUnits) {
  EXPECT_EQ(parse_size("512").value(), 512u);
  EXPECT_EQ(parse_size("512b").value(), 512u);
  EXPECT_EQ(parse_size("64K").value(), 64u << 10);
  EXPECT_EQ(parse_size("64KiB").value(), 64u << 10);
  EXPECT_EQ(parse_size("4M").value(), 4u << 20);
  EXPECT_EQ(parse_size("4 MiB").value(), 4u << 20);
  EXPECT_EQ(parse_size("1g").value(), uint64_t{1} << 30);
  EXPECT_EQ(parse_size("2TiB").value(), uint64_t{2} << 40);
  // SI units are powers of 1000: 100MB is not 100 MiB.
  EXPECT_EQ(parse_size("100MB").value(), 100'000'000u);
  EXPECT_EQ(parse_size("100 mb").value(), 100'000'000u);
  EXPECT_EQ(parse_size("64kB").value(), 64'000u);
  EXPECT_EQ(parse_size("1GB").value(), 1'000'000'000u);
  EXPECT_EQ(parse_size("2TB").value(), 2'000'000'000'000u);
  EXPECT_EQ(parse_size("3PB").value(), 3'000'000'000'000'000u);
  EXPECT_EQ(parse_size("100M").value(), uint64_t{100} << 20);
  EXPECT_FALSE(parse_size("20000PB"));  // too large
}

TEST(Size, RefusalsNameTheInput) {
  for (const char* bad : {"", "M", "4X", "4.5M", "-1", "99999999999999999999", "16777216P"}) {
    auto r = parse_size(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    if (*bad) {
      EXPECT_NE(r.error().message.find(std::string("'") + bad), std::string::npos) << r.error().message;
    }
  }
}

TEST(Size, FormatsForHumans) {
  EXPECT_EQ(format_size(0), "0 B");
  EXPECT_EQ(format_size(512), "512 B");
  EXPECT_EQ(format_size(4 << 20), "4 MiB");
  EXPECT_EQ(format_size(3 * (uint64_t{1} << 29)), "1.5 GiB");
  EXPECT_EQ(format_size(uint64_t{1} << 40), "1 TiB");
}

}  // namespace
}  // namespace dmirror
