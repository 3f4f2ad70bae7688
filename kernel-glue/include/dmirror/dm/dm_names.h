// SPDX-License-Identifier: LGPL-2.1-or-later
// Device-mapper names and uuids of a volume. A volume NAME with array uuid
// U is the raid device NAME (dm uuid "DMIRROR-U") over hidden sub-devices
// NAME-kmeta<slot> / NAME-data<slot> (dm uuids "DMIRROR-U-kmeta<slot>" /
// "DMIRROR-U-data<slot>"), so listing by the uuid prefix "DMIRROR-" finds
// every device the product owns, and "DMIRROR-U-" finds one volume's parts.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dmirror::dm {

inline constexpr std::string_view kDmUuidPrefix = "DMIRROR-";

enum class SubdeviceRole { Kmeta, Data };

DMIRROR_EXPORT std::string volume_dm_uuid(std::string_view array_uuid);
DMIRROR_EXPORT std::string subdevice_name(std::string_view volume, SubdeviceRole role, uint32_t slot);
DMIRROR_EXPORT std::string subdevice_dm_uuid(std::string_view array_uuid, SubdeviceRole role, uint32_t slot);
/// "DMIRROR-U-": the list prefix of one volume's sub-devices.
DMIRROR_EXPORT std::string subdevice_uuid_prefix(std::string_view array_uuid);

/// A volume name usable for itself and all its sub-device names: 1..100
/// characters of [A-Za-z0-9#+-.:=@_], not starting with '-' or '.', not
/// "control"; an array uuid of 1..100 such characters.
[[nodiscard]] DMIRROR_EXPORT Status validate_volume_name(std::string_view name);
[[nodiscard]] DMIRROR_EXPORT Status validate_array_uuid(std::string_view array_uuid);

/// What a dm uuid of ours says: the array uuid and, for sub-devices, the
/// role and slot. nullopt for uuids without the prefix.
struct ParsedDmUuid {
  std::string array_uuid;
  std::optional<SubdeviceRole> role;  // empty: the top (raid) device
  uint32_t slot = 0;
};
DMIRROR_EXPORT std::optional<ParsedDmUuid> parse_dm_uuid(std::string_view dm_uuid);

}  // namespace dmirror::dm
