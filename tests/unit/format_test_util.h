// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers for the format tests: a leg-sized memory device with a formatted
// superblock, and a device that "loses power" at a chosen write.
#pragma once

#include <dmirror/array.h>
#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <memory>

#include "support/canonical.h"

namespace dmirror::testing {

inline std::unique_ptr<BlockDevice> make_leg_device(uint64_t size = 64ull << 20) {
  return make_mem_device(size, "mem:leg");
}

inline Superblock leg_superblock() {
  Superblock sb = canonical_superblock();
  sb.seqno = 1;
  sb.checkpoint = {};
  sb.generation_history = {};   // the canonical branches are above seqno 1
  return sb;
}

// Passes writes through until write number `cut_at` (0-based); that write is
// torn (only its first `torn_bytes` reach the device) and every later write
// or flush fails, as after a power cut.
class PowerCutDevice : public DeviceWrapper {
 public:
  PowerCutDevice(BlockDevice* target, int cut_at, size_t torn_bytes)
      : DeviceWrapper(target), cut_at_(cut_at), torn_bytes_(torn_bytes) {}
  Status write(uint64_t offset, std::span<const std::byte> buf) override {
    int n = writes_++;
    if (n < cut_at_) return DeviceWrapper::write(offset, buf);
    if (n == cut_at_ && torn_bytes_ > 0) (void)DeviceWrapper::write(offset, buf.first(std::min(torn_bytes_, buf.size())));
    return make_error(ErrorCode::Io, "power cut", 5);
  }
  Status flush() override {
    if (writes_ > cut_at_) return make_error(ErrorCode::Io, "power cut", 5);
    return DeviceWrapper::flush();
  }
  int writes() const { return writes_; }

 private:
  int cut_at_;
  size_t torn_bytes_;
  int writes_ = 0;
};

}  // namespace dmirror::testing
