// SPDX-License-Identifier: LGPL-2.1-or-later
// Validation of user-supplied names and sizes.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace dmirror {

// An array name must be usable as a device-mapper name and a udev node
// (/dev/mapper/NAME, plus "-kmetaN"/"-dataN" suffixes): 1..63 characters
// from [A-Za-z0-9#+-.:=@_], not starting with '-' or '.', not "." / ".." /
// "control". The error message says which character or rule failed.
[[nodiscard]] DMIRROR_EXPORT Status validate_array_name(std::string_view name);

// A name read from disk is untrusted input: printable ASCII other than '\\'
// is kept, every other byte becomes "\xHH" (as `blkid -o udev` escapes
// values), so a leg cannot inject a terminal sequence or a forged line.
DMIRROR_EXPORT std::string escape_name(std::string_view name);

// "4M", "64KiB", "1g", "512" (bytes): K, M, G, T, P and KiB, MiB, ... are
// powers of 1024; kB, MB, GB, TB, PB powers of 1000 ("100MB" is 10^8 bytes).
// Errors name the input.
DMIRROR_EXPORT Result<uint64_t> parse_size(std::string_view text);

// "4 MiB", "1.5 GiB" for humans.
DMIRROR_EXPORT std::string format_size(uint64_t bytes);

// For messages that compare sizes: "63 MiB (66060288 bytes)", where the
// rounding of format_size() could hide a difference; "512 bytes" below 1 KiB.
DMIRROR_EXPORT std::string format_size_bytes(uint64_t bytes);

// "1 region", "2 regions", "0 mismatches": a count and its noun, plural
// when the count is not 1 (nouns ending in s, x, ch or sh take "es").
DMIRROR_EXPORT std::string count_of(uint64_t n, std::string_view noun);

}  // namespace dmirror
