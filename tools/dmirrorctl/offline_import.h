// SPDX-License-Identifier: LGPL-2.1-or-later
// What every offline command does first (FORMAT.md §6.5): when the legs say
// KERNEL_OWNS_SYNC and no dm device of the array exists, the kernel's view
// (failed legs, unfinished rebuilds, dirty regions, resync checkpoint) is
// imported into our metadata so the offline engine works from the truth.
// When the array is active it refuses: deactivate first.
#pragma once

#include <dmirror/result.h>

#include <string>
#include <vector>

namespace dmirror::cli {

/// A note is printed on stderr when something was imported.
[[nodiscard]] Status import_kernel_view(const std::vector<std::string>& paths);

}  // namespace dmirror::cli
