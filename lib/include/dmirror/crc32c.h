// SPDX-License-Identifier: LGPL-2.1-or-later
// CRC32C (Castagnoli), the checksum of every dmirror metadata structure.
// Uses the SSE4.2 crc32 instruction when the CPU has it.
#pragma once

#include <dmirror/export.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace dmirror {

// Standard CRC32C: initial value ~0, final xor ~0 ("123456789" -> 0xE3069283).
DMIRROR_EXPORT uint32_t crc32c(std::span<const std::byte> data);
// Continues a running CRC (pass the previous return value; start with 0).
DMIRROR_EXPORT uint32_t crc32c_extend(uint32_t crc, std::span<const std::byte> data);

}  // namespace dmirror
