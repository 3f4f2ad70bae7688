// SPDX-License-Identifier: LGPL-2.1-or-later
// What `examine` found on one leg, and how it is shown (text or JSON).
#pragma once

#include "output.h"

#include <dmirror/assembly.h>
#include <dmirror/events.h>
#include <dmirror/findings.h>
#include <dmirror/leg.h>

#include <optional>
#include <string>

namespace dmirror::cli {

struct JournalBlocks {
  uint64_t dirty_regions = 0;
  uint64_t damaged_blocks = 0;
};

struct Examined {
  std::string path;
  std::optional<Error> error;            // not a leg / unreadable
  LegMetadata meta;
  std::optional<JournalBlocks> journal;  // unset when it could not be read
  EventHistory events;
  Findings findings;                     // copies, journal, events
  std::string role;                      // in the assembly of the legs given
  int exit_bits = 0;
};

// The array as assembled from the legs given (examine's array-level view).
struct ExaminedArray {
  Assembly assembly;
  int exit_bits = 0;       // see cmd_examine.cc: slots not given are not missing
};

void print_examined_text(const Examined& e, size_t max_events, int verbose);
Json examined_json(const Examined& e, size_t max_events);
void print_examined_array_text(const ExaminedArray& a);
Json examined_array_json(const ExaminedArray& a);

}  // namespace dmirror::cli
