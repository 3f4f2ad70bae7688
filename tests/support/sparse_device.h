// SPDX-License-Identifier: LGPL-2.1-or-later
// A sparse in-memory image (4 KiB pages, copy-on-write, unwritten pages read
// as zeros) and a BlockDevice over it. Crash tests take thousands of
// snapshots of multi-MiB legs; copying only the touched pages keeps each
// snapshot cheap.
#pragma once

#include <dmirror/block_device.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dmirror::testing {

class SparseImage {
 public:
  static constexpr uint64_t kPage = 4096;
  explicit SparseImage(uint64_t size = 0) : size_(size) {}

  uint64_t size() const { return size_; }
  void read(uint64_t offset, std::span<std::byte> out) const;
  void write(uint64_t offset, std::span<const std::byte> in);
  size_t pages() const { return pages_.size(); }
  // Byte offsets of the pages ever written (the others read as zeros).
  std::vector<uint64_t> page_offsets() const;
  // Byte-identical over [offset, offset + len).
  bool equal_range(const SparseImage& other, uint64_t offset, uint64_t len) const;

 private:
  using Page = std::array<std::byte, kPage>;
  uint64_t size_;
  std::map<uint64_t, std::shared_ptr<Page>> pages_;   // shared between snapshots until written
};

// A BlockDevice over its own SparseImage. Writes are immediately "durable".
class SparseDevice final : public BlockDevice {
 public:
  SparseDevice(SparseImage image, std::string name, uint32_t logical_block_size = 512);
  const DeviceGeometry& geometry() const override { return geometry_; }
  const std::string& describe() const override { return name_; }
  Status read(uint64_t offset, std::span<std::byte> buf) override;
  Status write(uint64_t offset, std::span<const std::byte> buf) override;
  Status flush() override { return ok(); }
  const SparseImage& image() const { return image_; }
  SparseImage& image() { return image_; }

 private:
  Status check(const char* op, uint64_t offset, uint64_t len) const;
  SparseImage image_;
  std::string name_;
  DeviceGeometry geometry_;
};

std::unique_ptr<SparseDevice> make_sparse_device(uint64_t size, std::string name);

}  // namespace dmirror::testing
