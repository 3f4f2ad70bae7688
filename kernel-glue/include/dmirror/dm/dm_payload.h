// SPDX-License-Identifier: LGPL-2.1-or-later
// Packing and unpacking of the variable-length dm ioctl payloads that follow
// struct dm_ioctl. Records are 8-byte aligned. The `next` field has two
// different bases: on TABLE_LOAD input it counts from the start of the
// current dm_target_spec, on TABLE_STATUS/DEV_WAIT output it counts from the
// start of the first spec (data_start). Name lists and target versions count
// from the current record.
//
// Every unpack function takes the payload from data_start to the end of the
// returned data_size and refuses records that point outside it.
#pragma once

#include <dmirror/dm/dm_types.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace dmirror::dm {

inline constexpr size_t align8(size_t v) { return (v + 7) & ~size_t{7}; }

/// TABLE_LOAD payload: one dm_target_spec + NUL-terminated params per line,
/// each record padded to 8 bytes; `next` = size of the current record.
/// Rejects an empty table, a zero length, a type longer than 15 characters,
/// and gaps (each line must start where the previous one ended, from 0).
DMIRROR_EXPORT Result<std::vector<std::byte>> pack_table(std::span<const TargetLine> table);

/// TABLE_STATUS / DEV_WAIT output: `count` specs, `next` relative to the
/// start of the payload.
DMIRROR_EXPORT Result<std::vector<TargetLine>> unpack_status(std::span<const std::byte> payload,
                                                             uint32_t count);

/// LIST_DEVICES output (dm_name_list records). An empty payload, or a first
/// record with dev == 0, is an empty list. `has_tail`: the kernel's
/// interface minor is >= 38, so each name is followed by event_nr, flags and
/// (with DM_UUID_FLAG) the uuid.
DMIRROR_EXPORT Result<std::vector<ListedDevice>> unpack_name_list(std::span<const std::byte> payload,
                                                                  bool has_tail);

/// LIST_VERSIONS / GET_TARGET_VERSION output (dm_target_versions records).
DMIRROR_EXPORT Result<std::vector<TargetVersion>> unpack_target_versions(
    std::span<const std::byte> payload);

/// TARGET_MSG input: dm_target_msg {sector, message NUL}.
DMIRROR_EXPORT std::vector<std::byte> pack_target_message(uint64_t sector, std::string_view message);

/// A NUL-terminated string payload (GET_TARGET_VERSION name, rename).
DMIRROR_EXPORT std::vector<std::byte> pack_string(std::string_view text);

}  // namespace dmirror::dm
