// SPDX-License-Identifier: LGPL-2.1-or-later
// How much of an array is known in sync, as `lvs` shows Cpy%Sync: the
// lowest of the array's resync (data before resync_offset), the regions
// clean in the journal, and each present member's recovery (a rebuilding
// leg up to its recovery offset, a stale one from the journal or, for a
// full copy, from nothing). Missing and failed slots are not being synced:
// the health says degraded, the percentage leaves them out. For `list`.
#pragma once

#include <dmirror/assembly.h>

namespace dmirror::cli {

// 0.0 to 100.0; 100.0 when nothing is left to sync.
double sync_percent(const Assembly& a);

}  // namespace dmirror::cli
