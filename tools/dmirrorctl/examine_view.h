// SPDX-License-Identifier: LGPL-2.1-or-later
// What `examine` found on one leg, and how it is shown (text or JSON).
#pragma once

#include "output.h"

#include <dmirror/events.h>
#include <dmirror/findings.h>
#include <dmirror/leg.h>

#include <optional>
#include <string>

namespace dmirror::cli {

struct JournalSummary {
  uint64_t dirty_regions = 0;
  uint64_t damaged_blocks = 0;
};

struct Examined {
  std::string path;
  std::optional<Error> error;            // not a leg / unreadable
  LegMetadata meta;
  std::optional<JournalSummary> journal; // unset when it could not be read
  EventHistory events;
  Findings findings;                     // copies, journal, events
  int exit_bits = 0;
};

void print_examined_text(const Examined& e, size_t max_events, int verbose);
Json examined_json(const Examined& e, size_t max_events);

}  // namespace dmirror::cli
