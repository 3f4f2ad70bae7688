// SPDX-License-Identifier: LGPL-2.1-or-later
// A time box for long offline operations (`scrub --max-runtime 6h`): after
// the given time a SIGALRM requests the same cancel as SIGINT does, so the
// operation stops at the next chunk with its checkpoint kept, and the
// command can tell "the time box ran out" from "interrupted".
#pragma once

#include <dmirror/result.h>

#include <cstdint>
#include <string_view>

namespace dmirror::cli {

// "90", "90s", "30m", "6h", "2d" -> seconds (at least 1).
Result<uint64_t> parse_duration(std::string_view text);

// Starts the time box; install_cancel_handler() must have been called.
void arm_time_box(uint64_t seconds);
// True once the time box ran out.
bool time_box_expired();

}  // namespace dmirror::cli
