// SPDX-License-Identifier: LGPL-2.1-or-later
// The offline operations (verify, scrub, resync, replace) open image files
// O_DIRECT so that reading or writing whole legs does not evict the host's
// working set. A leg whose file system refuses O_DIRECT is read and written
// through the page cache with its pages dropped behind; with -v the
// command says so once, naming those legs.
#pragma once

#include <dmirror/legs.h>

#include <initializer_list>

#include "output.h"

namespace dmirror::cli {

// The options every offline operation opens its legs with.
inline OpenLegsOptions offline_leg_options(bool writable) {
  return OpenLegsOptions{.writable = writable, .direct = true, .direct_files = true};
}

// With -v (text output), one line on stderr listing the legs opened with
// drop-behind buffered I/O instead of O_DIRECT; nothing otherwise.
void note_leg_caching(const Context& ctx, std::initializer_list<const OpenedLegs*> legs);
inline void note_leg_caching(const Context& ctx, const OpenedLegs& legs) { note_leg_caching(ctx, {&legs}); }

}  // namespace dmirror::cli
