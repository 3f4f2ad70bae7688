// SPDX-License-Identifier: LGPL-2.1-or-later
// The io_uring engine. Built only when liburing is available
// (DMIRROR_HAVE_URING); otherwise make_uring_engine() returns nullptr and
// the caller falls back to the thread engine.
#include "engine/io_engine.h"

namespace dmirror::engine {

std::unique_ptr<IoEngine> make_uring_engine(std::span<BlockDevice* const>) { return nullptr; }

}  // namespace dmirror::engine
