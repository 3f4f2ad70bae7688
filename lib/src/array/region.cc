// SPDX-License-Identifier: LGPL-2.1-or-later
// Region size rules shared by create and the kernel glue: a power of two,
// at least 4 KiB and the logical block size, and at most kMaxRegions regions
// (the dm-raid / md bitmap limit). Also the names of array health states.
#include <dmirror/array.h>
#include <dmirror/names.h>

#include <bit>

namespace dmirror {

uint64_t default_region_size(uint64_t data_size) {
  uint64_t rs = kDefaultRegionSize;
  while ((data_size + rs - 1) / rs > kMaxRegions) rs <<= 1;
  return rs;
}

Status validate_region_size(uint64_t region_size, uint64_t data_size, uint32_t logical_block_size) {
  const uint64_t floor = std::max<uint64_t>(4096, logical_block_size);
  if (!std::has_single_bit(region_size)) {
    return make_error(ErrorCode::InvalidArgument,
                      "region size " + format_size_bytes(region_size) +
                          " is not a power of two; use e.g. 64K, 1M or 4M (the default is " +
                          format_size(default_region_size(data_size)) + ")");
  }
  if (region_size < floor) {
    return make_error(ErrorCode::InvalidArgument, "region size " + format_size(region_size) +
                                                      " is too small; the minimum is " + format_size(floor));
  }
  if (region_size > data_size) {
    return make_error(ErrorCode::InvalidArgument, "region size " + format_size(region_size) +
                                                      " is larger than the data area (" + format_size(data_size) +
                                                      "); use at most " + format_size(std::bit_floor(data_size)));
  }
  if ((data_size + region_size - 1) / region_size > kMaxRegions) {
    return make_error(ErrorCode::InvalidArgument,
                      "region size " + format_size(region_size) + " gives more than " +
                          std::to_string(kMaxRegions) + " regions for " + format_size(data_size) +
                          " of data; use at least " + format_size(default_region_size(data_size)));
  }
  return ok();
}

std::string_view health_name(Health h) {
  switch (h) {
    case Health::Healthy: return "healthy";
    case Health::ResyncPending: return "resync-pending";
    case Health::Degraded: return "degraded";
    case Health::Inconsistent: return "inconsistent";
    case Health::Failed: return "failed";
  }
  return "unknown";
}

}  // namespace dmirror
