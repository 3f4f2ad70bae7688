// SPDX-License-Identifier: LGPL-2.1-or-later
// The io_uring engine slot. Not implemented yet: BlockDevice does not expose
// a file descriptor, so make_uring_engine() returns nullptr and
// IoEngineKind::Uring falls back to the thread engine (Mirror reports the
// engine actually in use through io_engine_name()).
#include "engine/io_engine.h"

namespace dmirror::engine {

std::unique_ptr<IoEngine> make_uring_engine(std::span<BlockDevice* const>) { return nullptr; }

}  // namespace dmirror::engine
