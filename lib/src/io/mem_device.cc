// SPDX-License-Identifier: LGPL-2.1-or-later
// An in-memory BlockDevice backed by a vector. Every write is immediately
// "durable"; tests wrap it to inject faults or simulate crashes.
#include <dmirror/block_device.h>

#include <algorithm>
#include <string>
#include <vector>

namespace dmirror {
namespace {

class MemDevice final : public BlockDevice {
 public:
  MemDevice(uint64_t size, std::string name, uint32_t lbs) : name_(std::move(name)), data_(size) {
    geometry_.size_bytes = size;
    geometry_.logical_block_size = lbs;
    geometry_.physical_block_size = lbs;
  }

  const DeviceGeometry& geometry() const override { return geometry_; }
  const std::string& describe() const override { return name_; }

  Status read(uint64_t offset, std::span<std::byte> buf) override {
    DMIRROR_RETURN_IF_ERROR(check_range("read", offset, buf.size()));
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(offset), buf.size(), buf.begin());
    return ok();
  }

  Status write(uint64_t offset, std::span<const std::byte> buf) override {
    DMIRROR_RETURN_IF_ERROR(check_range("write", offset, buf.size()));
    std::copy(buf.begin(), buf.end(), data_.begin() + static_cast<std::ptrdiff_t>(offset));
    return ok();
  }

  Status flush() override { return ok(); }

 private:
  Status check_range(const char* op, uint64_t offset, uint64_t len) const {
    if (offset > data_.size() || len > data_.size() - offset) {
      return make_error(ErrorCode::Io, std::string(op) + " beyond the end of " + name_ + " at " +
                                           std::to_string(offset) + " (" + std::to_string(len) +
                                           " bytes, device has " + std::to_string(data_.size()) + ")");
    }
    return ok();
  }

  std::string name_;
  DeviceGeometry geometry_;
  std::vector<std::byte> data_;
};

}  // namespace

std::unique_ptr<BlockDevice> make_mem_device(uint64_t size_bytes, std::string name,
                                             uint32_t logical_block_size) {
  return std::make_unique<MemDevice>(size_bytes, std::move(name), logical_block_size);
}

}  // namespace dmirror
