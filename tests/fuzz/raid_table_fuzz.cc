// SPDX-License-Identifier: LGPL-2.1-or-later
// Fuzz target: parse_raid1_params on a dm-raid table line. Parameters that
// parse and that the formatter accepts must format to a line that parses
// back to the same parameters.
#include "fuzz_support.h"

#include <dmirror/dm/raid_table.h>

#include <string_view>

using namespace dmirror::dm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto params = parse_raid1_params(line);
  if (!params || !params->other.empty()) return 0;
  auto text = format_raid1_params(*params);
  if (!text) return 0;
  auto again = parse_raid1_params(*text);
  DMIRROR_FUZZ_CHECK(again.has_value());
  auto text2 = format_raid1_params(*again);
  DMIRROR_FUZZ_CHECK(text2.has_value() && *text2 == *text);
  return 0;
}
