// SPDX-License-Identifier: LGPL-2.1-or-later
// Page-aligned heap buffers for I/O on legs opened with O_DIRECT. Internal
// to the library.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>

namespace dmirror {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<std::byte, FreeDeleter>;

// At least n bytes (and one page) aligned to a page; null when out of memory.
inline AlignedBuffer aligned_buffer(size_t n) {
  void* p = nullptr;
  if (posix_memalign(&p, 4096, std::max<size_t>(n, 4096)) != 0) return nullptr;
  return AlignedBuffer(static_cast<std::byte*>(p));
}

}  // namespace dmirror
