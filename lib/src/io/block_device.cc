// SPDX-License-Identifier: LGPL-2.1-or-later
// Out-of-line anchor for the BlockDevice interface (its vtable lives here),
// and cache_policy() read from the native handle.
#include <dmirror/block_device.h>

namespace dmirror {

BlockDevice::~BlockDevice() = default;

CachePolicy cache_policy(const BlockDevice& dev) {
  const BlockDevice::NativeHandle h = dev.native_handle();
  if (h.fd < 0) return CachePolicy::PageCache;
  if (h.drop_behind) return CachePolicy::DropBehind;
  return h.buffer_alignment > 1 ? CachePolicy::Direct : CachePolicy::PageCache;
}

}  // namespace dmirror
