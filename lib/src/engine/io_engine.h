// SPDX-License-Identifier: LGPL-2.1-or-later
// IoEngine: runs one batch of leg I/Os (the per-leg transactions of a write
// group, a flush of every leg...). Ops on the same device run in the order
// given; ops on different devices may run in parallel. run() returns when
// every op has completed, each with its own result.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/engine.h>

#include <memory>
#include <span>
#include <string_view>

namespace dmirror::engine {

struct LegIo {
  enum class Kind { Read, Write, Flush };
  Kind kind = Kind::Write;
  uint32_t slot = 0;
  BlockDevice* dev = nullptr;
  uint64_t offset = 0;                 // bytes on the leg
  std::byte* data = nullptr;           // Read: destination; Write: source
  size_t length = 0;
  Status result;
};

class IoEngine {
 public:
  virtual ~IoEngine() = default;
  virtual std::string_view name() const = 0;
  virtual void run(std::span<LegIo> ops) = 0;
};

// Performs one op synchronously.
void run_one(LegIo& op);

std::unique_ptr<IoEngine> make_sync_engine();
std::unique_ptr<IoEngine> make_thread_engine(size_t workers);
// nullptr when io_uring is unavailable or a device is not fd-backed.
std::unique_ptr<IoEngine> make_uring_engine(std::span<BlockDevice* const> devices);
std::unique_ptr<IoEngine> make_io_engine(IoEngineKind kind, std::span<BlockDevice* const> devices);

}  // namespace dmirror::engine
