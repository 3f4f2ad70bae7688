// SPDX-License-Identifier: LGPL-2.1-or-later
// Out-of-line anchor for the BlockDevice interface (its vtable lives here).
#include <dmirror/block_device.h>

namespace dmirror {

BlockDevice::~BlockDevice() = default;

}  // namespace dmirror
