// SPDX-License-Identifier: LGPL-2.1-or-later
// A sparse in-memory image (4 KiB pages, copy-on-write, unwritten pages read
// as zeros) and a BlockDevice over it. Crash tests take thousands of
// snapshots of multi-MiB legs; copying only the touched pages keeps each
// snapshot cheap. An image may carry unreadable 512-byte sectors (medium
// errors): a read that touches one fails with EIO, and a write that covers
// a whole sector makes it readable again (the drive remaps it), as on a
// real disk.
#pragma once

#include <dmirror/block_device.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <mutex>
#include <vector>

namespace dmirror::testing {

class SparseImage {
 public:
  static constexpr uint64_t kPage = 4096;
  static constexpr uint64_t kSector = 512;
  explicit SparseImage(uint64_t size = 0) : size_(size) {}

  uint64_t size() const { return size_; }
  void read(uint64_t offset, std::span<std::byte> out) const;
  void write(uint64_t offset, std::span<const std::byte> in);
  size_t pages() const { return pages_.size(); }
  // Byte offsets of the pages ever written (the others read as zeros).
  std::vector<uint64_t> page_offsets() const;
  // Byte-identical over [offset, offset + len).
  bool equal_range(const SparseImage& other, uint64_t offset, uint64_t len) const;

  // Every sector touching [offset, offset + len) becomes unreadable.
  void make_unreadable(uint64_t offset, uint64_t len);
  // The first unreadable sector (its byte offset) touching the range, if any.
  std::optional<uint64_t> unreadable_in(uint64_t offset, uint64_t len) const;

 private:
  using Page = std::array<std::byte, kPage>;
  uint64_t size_;
  std::map<uint64_t, std::shared_ptr<Page>> pages_;   // shared between snapshots until written
  std::set<uint64_t> unreadable_;                      // sector numbers
};

// A BlockDevice over its own SparseImage. Writes are immediately "durable".
// Reads and writes may come from several threads at once (the engine keeps
// several write groups in flight); image() is for a caller with no I/O running.
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
  mutable std::mutex mu_;
  SparseImage image_;
  std::string name_;
  DeviceGeometry geometry_;
};

std::unique_ptr<SparseDevice> make_sparse_device(uint64_t size, std::string name);

}  // namespace dmirror::testing
