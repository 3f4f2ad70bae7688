// SPDX-License-Identifier: LGPL-2.1-or-later
// The `linear` and `error` targets: sub-devices that cut a leg into its
// kernel-metadata and data areas, and the failing stand-in used to fail a
// leg live in tests. Devices are always written as major:minor.
#pragma once

#include <dmirror/dm/dm_types.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <string_view>

namespace dmirror::dm {

struct LinearParams {
  DevNumber dev;
  uint64_t offset_sectors = 0;
  friend bool operator==(const LinearParams&, const LinearParams&) = default;
};

/// "<start> <length> linear <maj:min> <offset>"
DMIRROR_EXPORT TargetLine linear_target(uint64_t start, uint64_t length, const LinearParams& params);
/// Parses "254:16 4096".
DMIRROR_EXPORT Result<LinearParams> parse_linear_params(std::string_view params);

/// "<start> <length> error" (every I/O fails).
DMIRROR_EXPORT TargetLine error_target(uint64_t start, uint64_t length);

/// Parses "254:16" (no paths: tables name devices by number).
DMIRROR_EXPORT Result<DevNumber> parse_dev_number(std::string_view text);

}  // namespace dmirror::dm
