// SPDX-License-Identifier: LGPL-2.1-or-later
// Sizes the tests spell out.
#pragma once

#include <cstdint>

namespace dmirror {

inline constexpr uint64_t kMiB = 1024 * 1024;

}  // namespace dmirror
