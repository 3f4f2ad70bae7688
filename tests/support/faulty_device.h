// SPDX-License-Identifier: LGPL-2.1-or-later
// FaultyDevice: a DeviceWrapper that fails chosen operations with an errno
// (a userspace dm-error / dm-flakey), can vanish altogether (every call
// fails with ENXIO, like a pulled disk) and can flip bits straight into the
// device underneath it (silent corruption).
#pragma once

#include <dmirror/block_device.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace dmirror::testing {

enum class FaultOp { Read, Write, Flush, Any };

struct FaultRule {
  FaultOp op = FaultOp::Any;
  uint64_t offset = 0;                 // byte range the rule covers (flush: ignored)
  uint64_t length = UINT64_MAX;
  uint64_t nth = 0;                    // 0: every matching call; n: only the n-th (1-based)
  int err = EIO;
  uint64_t seen = 0;                   // matching calls so far (maintained by the device)
  // A bad block the drive remaps on write: the rule is dropped once a
  // write covers its whole range.
  bool healed_by_write = false;
};

class FaultyDevice : public DeviceWrapper {
 public:
  explicit FaultyDevice(BlockDevice* target) : DeviceWrapper(target) {}
  explicit FaultyDevice(std::unique_ptr<BlockDevice> owned)
      : DeviceWrapper(owned.get()), owned_(std::move(owned)) {}

  Status read(uint64_t offset, std::span<std::byte> buf) override;
  Status write(uint64_t offset, std::span<const std::byte> buf) override;
  Status flush() override;

  void add_rule(FaultRule rule);
  // Shorthands: fail every `op` touching [offset, offset + length).
  void fail_always(FaultOp op, uint64_t offset = 0, uint64_t length = UINT64_MAX, int err = EIO);
  // Reads of [offset, offset + length) fail until a write covers the range.
  void fail_reads_until_written(uint64_t offset, uint64_t length, int err = EIO);
  void clear_rules();
  void vanish() { vanished_ = true; }
  // Fails everything once `n` more calls have been made (0: at once).
  void vanish_after(uint64_t n) { vanish_countdown_ = static_cast<int64_t>(n); }
  // Flips bit `bit` (0..7) of the byte at `offset`, bypassing the rules.
  Status flip_bit(uint64_t offset, int bit = 0);

  uint64_t reads() const { return reads_; }
  uint64_t writes() const { return writes_; }
  uint64_t flushes() const { return flushes_; }
  uint64_t injected() const { return injected_; }

 private:
  Status check(FaultOp op, uint64_t offset, uint64_t len);

  std::unique_ptr<BlockDevice> owned_;
  std::mutex mu_;
  std::vector<FaultRule> rules_;
  bool vanished_ = false;
  int64_t vanish_countdown_ = -1;
  uint64_t reads_ = 0, writes_ = 0, flushes_ = 0, injected_ = 0;
};

}  // namespace dmirror::testing
