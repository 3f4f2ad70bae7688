// SPDX-License-Identifier: LGPL-2.1-or-later
// A fixed, fully populated superblock used by the golden-file tests and as a
// starting point for format tests. Changing it changes the golden files.
#pragma once

#include <dmirror/superblock.h>

namespace dmirror::testing {

Superblock canonical_superblock();

}  // namespace dmirror::testing
