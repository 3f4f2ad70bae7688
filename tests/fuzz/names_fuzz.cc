// SPDX-License-Identifier: LGPL-2.1-or-later
// Fuzz target: the CLI's name and size parsers (validate_array_name,
// parse_size, format_size). An accepted name obeys the documented rule; an
// accepted size formats without trouble; every refusal carries a message.
#include "fuzz_support.h"

#include <dmirror/names.h>

#include <cstring>
#include <string_view>

using namespace dmirror;

namespace {
bool allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("#+-.:=@_", c) != nullptr;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto name = validate_array_name(text);
  if (name) {
    DMIRROR_FUZZ_CHECK(!text.empty() && text.size() <= kMaxNameLength);
    for (char c : text) DMIRROR_FUZZ_CHECK(c != '\0' && allowed(c));
    DMIRROR_FUZZ_CHECK(text.front() != '-' && text.front() != '.');
    DMIRROR_FUZZ_CHECK(text != "." && text != ".." && text != "control");
  } else {
    DMIRROR_FUZZ_CHECK(!name.error().message.empty());
  }
  auto bytes = parse_size(text);
  if (bytes) {
    DMIRROR_FUZZ_CHECK(!format_size(*bytes).empty());
    DMIRROR_FUZZ_CHECK(parse_size(std::to_string(*bytes)) == *bytes);
  } else {
    DMIRROR_FUZZ_CHECK(!bytes.error().message.empty());
  }
  return 0;
}
