// SPDX-License-Identifier: LGPL-2.1-or-later
// Fuzz target: parse_linear_params and parse_dev_number. What parses must
// format (linear_target) to parameters that parse to the same value.
#include "fuzz_support.h"

#include <dmirror/dm/simple_targets.h>

#include <string_view>

using namespace dmirror::dm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto dev = parse_dev_number(text)) {
    auto again = parse_dev_number(dev->str());
    DMIRROR_FUZZ_CHECK(again.has_value() && *again == *dev);
  }
  if (auto lp = parse_linear_params(text)) {
    const TargetLine line = linear_target(0, 8, *lp);
    auto again = parse_linear_params(line.params);
    DMIRROR_FUZZ_CHECK(again.has_value() && *again == *lp);
  }
  return 0;
}
