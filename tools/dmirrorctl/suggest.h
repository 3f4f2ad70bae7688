// SPDX-License-Identifier: LGPL-2.1-or-later
// "did you mean": the nearest of a list of words to a mistyped one, by
// edit distance (insertions, deletions, substitutions and transpositions of
// adjacent letters, each counting one: "statsu" is one from "status").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror::cli {

size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word` when it is near enough to be a typo (at
// most 2 edits, and fewer than half its letters), else nothing.
std::optional<std::string> nearest_word(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace dmirror::cli
