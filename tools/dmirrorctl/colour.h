// SPDX-License-Identifier: LGPL-2.1-or-later
// Colour for the health words of human output (healthy green, degraded and
// stale yellow, failed and inconsistent red). Only when stdout is a
// terminal and NO_COLOR is unset or empty (https://no-color.org); JSON and
// piped output never carry escape codes.
#pragma once

#include <string>
#include <string_view>

namespace dmirror::cli {

bool colour_enabled();
// `word` left-aligned in `width` columns, coloured by what it means when
// colour is enabled (the padding stays outside the escape codes).
std::string paint_health(std::string_view word, size_t width = 0);

}  // namespace dmirror::cli
