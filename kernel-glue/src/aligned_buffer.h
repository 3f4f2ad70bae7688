// SPDX-License-Identifier: LGPL-2.1-or-later
// A zeroed, 4 KiB-aligned byte buffer, usable for O_DIRECT I/O.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <span>

namespace dmirror::dm {

class AlignedBuffer {
 public:
  static constexpr size_t kAlign = 4096;
  explicit AlignedBuffer(size_t size) : size_(size) {
    size_t rounded = (size + kAlign - 1) / kAlign * kAlign;
    void* p = std::aligned_alloc(kAlign, rounded == 0 ? kAlign : rounded);
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, rounded == 0 ? kAlign : rounded);
    data_.reset(static_cast<std::byte*>(p));
  }
  std::span<std::byte> span() { return {data_.get(), size_}; }
  std::span<const std::byte> span() const { return {data_.get(), size_}; }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> data_;
  size_t size_;
};

}  // namespace dmirror::dm
