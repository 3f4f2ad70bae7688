// SPDX-License-Identifier: LGPL-2.1-or-later
// Bad-input catalogue (docs/bad-input.md), names and numbers: array names
// that device-mapper or udev would reject, region sizes that are not a
// power of two, sizes and slot numbers out of range. All are usage errors
// (exit 16) refused before anything is written.
#include "cli/bad_input_util.h"

namespace dmirror::testing {
namespace {

class BadName : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);

  void refused(const std::string& name, const std::string& says) {
    expect_refused({"create", name, a, b, "--yes"}, 16, says, {a, b});
  }
};

TEST_F(BadName, CharactersUdevRejects) {
  refused("a/b", "contains '/' at position 2");
  refused("two words", "contains a space at position 4");
  refused("per%cent", "contains '%'");
  refused("caf\xc3\xa9", "contains");
  refused("tab\there", "contains");
  refused("back\\slash", "contains '\\'");
  refused("quote'", "contains");
}

TEST_F(BadName, TooLongReservedOrBadStart) {
  refused(std::string(64, 'n'), "is 64 characters long; at most 63 are allowed");
  refused("..", "is reserved");
  refused(".hidden", "starts with '.'");
  refused("control", "'control' is reserved");
  refused("", "array name is empty");
}

TEST_F(BadName, RegionSizeNotAPowerOfTwo) {
  expect_refused({"create", "vol0", a, b, "--yes", "--region-size", "3M"}, 16, "not a power of two", {a, b});
  expect_refused({"create", "vol0", a, b, "--yes", "--region-size", "100000"}, 16, "not a power of two", {a, b});
  expect_refused({"create", "vol0", a, b, "--yes", "--region-size", "1K"}, 16, "region size", {a, b});
  expect_refused({"create", "vol0", a, b, "--yes", "--region-size", "99999999999999999999"}, 16, "is too large",
                 {a, b});
  expect_refused({"create", "vol0", a, b, "--yes", "--region-size", "4X"}, 16, "unknown unit", {a, b});
}

TEST_F(BadName, NumbersOutOfRange) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean"}).exit_code, 0);
  // A slot number too large for any array, and one past this array's legs.
  expect_refused({"scrub", a, b, "--from", "99999999999999999999", "--lock-dir", dir.path()}, 16,
                 "slot 99999999999999999999 is not a leg of array 'vol0'", {a, b});
  expect_refused({"scrub", a, b, "--from", "7", "--lock-dir", dir.path()}, 16, "(its slots are 0 to 1)", {a, b});
  expect_refused({"scrub", a, b, "--max-rate", "fast", "--lock-dir", dir.path()}, 16, "invalid --max-rate", {a, b});
}

}  // namespace
}  // namespace dmirror::testing
