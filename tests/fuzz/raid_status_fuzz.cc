// SPDX-License-Identifier: LGPL-2.1-or-later
// Fuzz target: parse_raid_status on one dm-raid status line. A parsed line
// has one health entry per health character.
#include "fuzz_support.h"

#include <dmirror/dm/raid_status.h>

#include <string_view>

using namespace dmirror::dm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto st = parse_raid_status(line);
  if (!st) return 0;
  DMIRROR_FUZZ_CHECK(st->health.size() == st->health_chars.size());
  (void)st->fully_in_sync();
  (void)st->degraded();
  (void)st->busy();
  (void)sync_action_name(st->action);
  return 0;
}
