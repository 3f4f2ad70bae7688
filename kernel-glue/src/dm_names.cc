// SPDX-License-Identifier: LGPL-2.1-or-later
// Building and parsing the dm names and uuids of a volume's devices.
#include <dmirror/dm/dm_names.h>

#include "text_util.h"

namespace dmirror::dm {
namespace {

constexpr size_t kMaxBaseLength = 100;  // leaves room for "-kmeta252" in both 127/128 limits

std::string_view role_word(SubdeviceRole role) { return role == SubdeviceRole::Kmeta ? "kmeta" : "data"; }

bool udev_safe(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '#' ||
         c == '+' || c == '-' || c == '.' || c == ':' || c == '=' || c == '@' || c == '_';
}

Status check_text(std::string_view what, std::string_view s) {
  if (s.empty() || s.size() > kMaxBaseLength)
    return make_error(ErrorCode::InvalidArgument,
                      std::string(what) + " must be 1.." + std::to_string(kMaxBaseLength) + " characters");
  for (char c : s)
    if (!udev_safe(c))
      return make_error(ErrorCode::InvalidArgument, std::string(what) + " '" + std::string(s) +
                                                        "' contains '" + std::string(1, c) +
                                                        "' (allowed: A-Z a-z 0-9 # + - . : = @ _)");
  return ok();
}

}  // namespace

std::string volume_dm_uuid(std::string_view array_uuid) { return std::string(kDmUuidPrefix) + std::string(array_uuid); }

std::string subdevice_name(std::string_view volume, SubdeviceRole role, uint32_t slot) {
  return std::string(volume) + "-" + std::string(role_word(role)) + std::to_string(slot);
}

std::string subdevice_dm_uuid(std::string_view array_uuid, SubdeviceRole role, uint32_t slot) {
  return subdevice_uuid_prefix(array_uuid) + std::string(role_word(role)) + std::to_string(slot);
}

std::string subdevice_uuid_prefix(std::string_view array_uuid) { return volume_dm_uuid(array_uuid) + "-"; }

Status validate_volume_name(std::string_view name) {
  DMIRROR_RETURN_IF_ERROR(check_text("volume name", name));
  if (name.front() == '-' || name.front() == '.')
    return make_error(ErrorCode::InvalidArgument, "volume name may not start with '-' or '.'");
  if (name == "control") return make_error(ErrorCode::InvalidArgument, "'control' is reserved by device-mapper");
  return ok();
}

Status validate_array_uuid(std::string_view array_uuid) { return check_text("array uuid", array_uuid); }

std::optional<ParsedDmUuid> parse_dm_uuid(std::string_view u) {
  if (!u.starts_with(kDmUuidPrefix)) return std::nullopt;
  u.remove_prefix(kDmUuidPrefix.size());
  ParsedDmUuid p;
  for (auto role : {SubdeviceRole::Kmeta, SubdeviceRole::Data}) {
    std::string marker = "-" + std::string(role_word(role));
    auto at = u.rfind(marker);
    if (at == std::string_view::npos || at == 0) continue;
    auto slot = text::parse_uint<uint32_t>(u.substr(at + marker.size()));
    if (!slot) continue;
    p.array_uuid = std::string(u.substr(0, at));
    p.role = role;
    p.slot = *slot;
    return p;
  }
  if (u.empty()) return std::nullopt;
  p.array_uuid = std::string(u);
  return p;
}

}  // namespace dmirror::dm
