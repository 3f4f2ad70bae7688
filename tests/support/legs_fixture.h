// SPDX-License-Identifier: LGPL-2.1-or-later
// TestLegs: N formatted in-memory legs, each behind a FaultyDevice, plus
// helpers to read a leg's data area and to rewrite a leg's superblocks.
#pragma once

#include <dmirror/superblock.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/faulty_device.h"
#include "support/sparse_device.h"
#include "support/test_array.h"

namespace dmirror::testing {

class TestLegs {
 public:
  explicit TestLegs(const TestArrayOptions& opts = {});
  std::vector<BlockDevice*> devices();              // the FaultyDevices, slot order
  std::vector<BlockDevice*> devices_except(uint32_t slot);
  FaultyDevice& faulty(uint32_t slot) { return *faulty_[slot]; }
  SparseDevice& raw(uint32_t slot) { return *raw_[slot]; }
  const Superblock& created() const { return sb_; }
  uint64_t data_offset() const { return sb_.layout.data_offset; }

  // The leg's data area [offset, offset + len), bypassing faults.
  std::vector<std::byte> data(uint32_t slot, uint64_t offset, uint64_t len);
  void poke(uint32_t slot, uint64_t offset, std::span<const std::byte> bytes);
  bool data_equal(uint32_t a, uint32_t b);
  // The newest superblock of a leg, read directly.
  Superblock superblock(uint32_t slot);
  // Applies `edit` to the newest superblock and writes it (seqno + 1) to every leg.
  void edit_superblocks(const std::function<void(Superblock&)>& edit);

 private:
  TestArrayOptions opts_;
  Superblock sb_;
  std::vector<std::unique_ptr<SparseDevice>> raw_;
  std::vector<std::unique_ptr<FaultyDevice>> faulty_;
};

std::vector<std::byte> pattern(size_t len, uint32_t seed);

}  // namespace dmirror::testing
