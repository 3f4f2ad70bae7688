// SPDX-License-Identifier: LGPL-2.1-or-later
// Structural validation of a decoded superblock (after magic and checksum).
#pragma once

#include <dmirror/result.h>
#include <dmirror/superblock.h>

namespace dmirror::ondisk {

// On-disk fields that have no place in the core struct.
struct RawFields {
  uint32_t header_size;
  uint64_t copy_offset;
  uint32_t copy_index;
  uint32_t max_legs;
  bool name_terminated;
};

// Unsupported for a newer version / unknown incompat feature; Corruption for
// anything structurally impossible (the message names the field).
Status validate_superblock(const Superblock& sb, const RawFields& raw, uint64_t expected_offset);

}  // namespace dmirror::ondisk
