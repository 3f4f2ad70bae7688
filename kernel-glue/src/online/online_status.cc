// SPDX-License-Identifier: LGPL-2.1-or-later
// online_status(): the kernel's status mapped onto our slots.
#include <dmirror/dm/online/online_status.h>

#include <dmirror/dm/dm_udev.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/volume.h>

#include <unistd.h>

#include <algorithm>

#include <map>

namespace dmirror::dm {

uint64_t OnlineStatus::mismatch_regions() const {
  uint64_t bytes = mismatch_bytes();
  if (!bytes || !region_size) return 0;
  return (bytes + region_size - 1) / region_size;
}

bool OnlineStatus::degraded() const {
  for (char c : raid.health_chars)
    if (c != 'A') return true;
  return raid.busy();
}

Result<OnlineStatus> online_status_by_name(DmControl& dm, const std::string& name, uint64_t region_size) {
  DMIRROR_ASSIGN_OR_RETURN(ParsedDmUuid parsed, find_volume_by_name(dm, name));
  DMIRROR_ASSIGN_OR_RETURN(VolumeStatus vs, query(dm, name));
  OnlineStatus out;
  out.name = name;
  out.dev = vs.info.dev;
  out.open_count = vs.info.open_count;
  out.suspended = vs.info.suspended();
  out.event_nr = vs.info.event_nr;
  out.raid = vs.raid;
  out.table = vs.table;
  out.region_size = region_size;
  const std::string mapper = mapper_node_path("/dev", name);
  out.node = ::access(mapper.c_str(), F_OK) == 0 ? mapper : vs.info.dm_node();

  // Data sub-device number -> our slot.
  std::map<std::string, uint32_t> slot_of;
  DMIRROR_ASSIGN_OR_RETURN(auto subs, dm.list_devices(subdevice_uuid_prefix(parsed.array_uuid)));
  for (const auto& d : subs) {
    auto p = d.uuid ? parse_dm_uuid(*d.uuid) : std::nullopt;
    if (p && p->role == SubdeviceRole::Data) slot_of[d.dev.str()] = p->slot;
  }
  for (uint32_t pos = 0; pos < vs.table.legs.size(); ++pos) {
    OnlineLeg leg;
    leg.position = pos;
    if (const auto& data = vs.table.legs[pos].data) {
      auto it = slot_of.find(data->str());
      if (it != slot_of.end()) leg.slot = it->second;
    }
    leg.write_mostly = std::find(vs.table.write_mostly.begin(), vs.table.write_mostly.end(), pos) !=
                       vs.table.write_mostly.end();
    if (pos < out.raid.health_chars.size()) {
      leg.health_char = out.raid.health_chars[pos];
      leg.health = out.raid.health[pos];
    }
    out.legs.push_back(leg);
  }
  return out;
}

Result<std::optional<OnlineStatus>> online_status(DmControl& dm, const Superblock& sb) {
  DMIRROR_ASSIGN_OR_RETURN(auto devs, find_array_devices(dm, sb.array_uuid));
  if (!devs.top) return std::optional<OnlineStatus>();
  DMIRROR_ASSIGN_OR_RETURN(auto st, online_status_by_name(dm, devs.top->name, sb.region_size));
  return std::optional<OnlineStatus>(std::move(st));
}

}  // namespace dmirror::dm
