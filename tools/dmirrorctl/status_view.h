// SPDX-License-Identifier: LGPL-2.1-or-later
// How `status` and `list` show an assembled array (text or JSON).
#pragma once

#include "output.h"

#include <dmirror/array.h>

namespace dmirror::cli {

// "in_sync", "missing", "stale", "failed"... for slot `slot` of the view.
std::string slot_state(const ArrayView& v, uint32_t slot);
// Path of the leg found for `slot`, or empty when missing.
std::string slot_path(const ArrayView& v, uint32_t slot);
// Number of slots in use (not unused / removed) and how many were found.
uint32_t slots_expected(const ArrayView& v);
uint32_t slots_found(const ArrayView& v);

void print_status_text(const ArrayView& v, int verbose);
Json status_json(const ArrayView& v);

}  // namespace dmirror::cli
