// SPDX-License-Identifier: LGPL-2.1-or-later
// RecordingDevice: a DeviceWrapper that appends every call to an IoLog,
// which several devices may share, so a test can assert orderings across
// legs ("the journal flush on every leg precedes the first data write").
#pragma once

#include <dmirror/block_device.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace dmirror::testing {

enum class IoKind { Read, Write, Flush };

struct IoRecord {
  std::string tag;     // the device's tag (e.g. "leg0")
  IoKind kind = IoKind::Read;
  uint64_t offset = 0;
  uint64_t length = 0;
  bool ok = true;
};

class IoLog {
 public:
  void append(IoRecord r);
  std::vector<IoRecord> records() const;
  void clear();
  // Index of the first record matching `pred`, or -1.
  long first(const std::function<bool(const IoRecord&)>& pred) const;
  long last(const std::function<bool(const IoRecord&)>& pred) const;
  // "leg0 W 4096+512, leg1 F" for failure messages.
  std::string dump() const;

 private:
  mutable std::mutex mu_;
  std::vector<IoRecord> records_;
};

class RecordingDevice : public DeviceWrapper {
 public:
  RecordingDevice(BlockDevice* target, IoLog* log, std::string tag)
      : DeviceWrapper(target), log_(log), tag_(std::move(tag)) {}
  Status read(uint64_t offset, std::span<std::byte> buf) override;
  Status write(uint64_t offset, std::span<const std::byte> buf) override;
  Status flush() override;

 private:
  IoLog* log_;
  std::string tag_;
};

}  // namespace dmirror::testing
