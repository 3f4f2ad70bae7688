// SPDX-License-Identifier: LGPL-2.1-or-later
// A power-cut simulator. A CrashGroup owns simulated legs (CrashDevice)
// whose writes sit in a volatile cache until that leg is flushed. One clock
// numbers every write and flush across all legs, and the group keeps the
// whole history, so a test can run a workload once and then ask for the
// leg images "as if the power had been cut right after I/O number k" under
// several policies:
//
//   DropUnflushed  every write not covered by a completed flush is lost
//   KeepUnflushed  every write reached the media (the cache was written back)
//   RandomSubset   a random subset of the unflushed writes survives, applied
//                  in a random order (the cache drains out of order)
//   TearLast       the unflushed writes survive except the last one of each
//                  leg, which is torn: a random subset of its 512-byte sectors
//   RandomTorn     each unflushed write is lost, kept or torn, in random order
//
// The model is the one FORMAT.md section 1.1 assumes of a leg: a flush makes
// every write completed before it durable; writes not covered by one may be
// lost, reordered or torn, and a tear is sector-atomic: each 512-byte sector
// of a torn write holds either its old or its new contents, never a mix.
// A leg may carry unreadable sectors (make_unreadable(), medium errors): a
// read touching one fails with EIO, a write covering the whole sector makes
// it readable again, so after a torn rewrite each sector is either the new
// data or still unreadable.
//
// Images come back as SparseDevices, so the normal code path reopens them.
#pragma once

#include "support/sparse_device.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror::testing {

enum class CrashPolicy { DropUnflushed, KeepUnflushed, RandomSubset, TearLast, RandomTorn };
std::string_view crash_policy_name(CrashPolicy p);
inline constexpr CrashPolicy kAllCrashPolicies[] = {CrashPolicy::DropUnflushed, CrashPolicy::KeepUnflushed,
                                                   CrashPolicy::RandomSubset, CrashPolicy::TearLast,
                                                   CrashPolicy::RandomTorn};
inline constexpr uint32_t kSectorSize = 512;

class CrashGroup;

class CrashDevice final : public BlockDevice {
 public:
  CrashDevice(CrashGroup* group, uint32_t index, uint64_t size, std::string name);
  const DeviceGeometry& geometry() const override { return geometry_; }
  const std::string& describe() const override { return name_; }
  Status read(uint64_t offset, std::span<std::byte> buf) override;
  Status write(uint64_t offset, std::span<const std::byte> buf) override;
  Status flush() override;
  uint32_t index() const { return index_; }
  // Makes every sector touching [offset, offset + len) unreadable (a medium
  // error). Used before CrashGroup::settle(), like any preparation.
  void make_unreadable(uint64_t offset, uint64_t len);

 private:
  friend class CrashGroup;
  CrashGroup* group_;
  uint32_t index_;
  std::string name_;
  DeviceGeometry geometry_;
  SparseImage current_;      // what a read sees: cache and media combined
};

struct CrashOp {
  uint64_t clock = 0;        // 1-based I/O number
  uint32_t leg = 0;
  bool flush = false;
  uint64_t offset = 0;
  std::vector<std::byte> data;
};

class CrashGroup {
 public:
  CrashGroup() = default;
  CrashGroup(const CrashGroup&) = delete;
  CrashGroup& operator=(const CrashGroup&) = delete;

  CrashDevice* add_leg(uint64_t size, std::string name);
  CrashDevice& leg(size_t i) { return *legs_[i]; }
  size_t size() const { return legs_.size(); }
  std::vector<BlockDevice*> devices();

  // Makes everything written so far durable and forgets the history: the
  // clock restarts at 0 (used after setting an array up).
  void settle();
  // Number of writes and flushes since the last settle().
  uint64_t clock() const;
  // I/O number n + 1 and everything after it fail with EIO: the power is off.
  void cut_power_after(uint64_t n);
  const std::vector<CrashOp>& history() const { return ops_; }

  // Leg images as if the power had been cut right after I/O number k.
  std::vector<std::unique_ptr<SparseDevice>> images_at(uint64_t k, CrashPolicy policy, uint64_t seed) const;

 private:
  friend class CrashDevice;
  friend class CrashReplay;
  Status record(uint32_t leg, bool flush, uint64_t offset, std::span<const std::byte> data);
  bool power_off() const;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<CrashDevice>> legs_;
  std::vector<SparseImage> base_;
  std::vector<CrashOp> ops_;
  uint64_t cut_after_ = UINT64_MAX;
};

// Walks a group's history forward, so a harness visiting k = 1, 2, 3...
// pays for each I/O once instead of replaying from the start every time.
class CrashReplay {
 public:
  explicit CrashReplay(const CrashGroup& group);
  void advance_to(uint64_t k);   // REQUIRES: k >= position(), k <= history size
  uint64_t position() const { return pos_; }
  std::vector<std::unique_ptr<SparseDevice>> images(CrashPolicy policy, uint64_t seed) const;

 private:
  const CrashGroup& group_;
  uint64_t pos_ = 0;
  std::vector<SparseImage> durable_;
  std::vector<std::vector<const CrashOp*>> pending_;   // unflushed writes per leg, oldest first
};

}  // namespace dmirror::testing
