// SPDX-License-Identifier: LGPL-2.1-or-later
// Building and bringing up the dm devices of an array.
#include <dmirror/dm/online/volume_table.h>

#include <algorithm>

#include "device_bringup.h"

namespace dmirror::dm {

VolumeMapping volume_mapping_for(const Superblock& sb, const KernelSlotMap& map,
                                 const std::map<uint32_t, DevNumber>& devs, const TableChoices& choices) {
  VolumeMapping m;
  m.name = sb.name;
  m.array_uuid = sb.array_uuid.hex();
  m.data_size = sb.layout.data_size;
  m.region_size = sb.region_size;
  m.options.nosync = choices.nosync;
  for (uint32_t pos = 0; pos < map.slots.size(); ++pos) {
    const uint32_t slot = map.slots[pos];
    LegMapping leg;
    auto it = devs.find(slot);
    if (it != devs.end()) {
      leg.device = it->second;
      if (sb.legs[slot].flags & legflag::kWriteMostly) m.options.write_mostly.push_back(pos);
      if (std::find(choices.rebuild.begin(), choices.rebuild.end(), slot) != choices.rebuild.end())
        m.options.rebuild.push_back(pos);
    }
    leg.kmeta_offset = sb.layout.kmeta_offset;
    leg.kmeta_size = sb.layout.kmeta_size;
    leg.data_offset = sb.layout.data_offset;
    m.legs.push_back(leg);
  }
  if (sb.kernel.max_write_behind && !m.options.write_mostly.empty())
    m.options.max_write_behind = sb.kernel.max_write_behind;
  if (sb.kernel.min_recovery_rate) m.options.min_recovery_rate = sb.kernel.min_recovery_rate;
  if (sb.kernel.max_recovery_rate) m.options.max_recovery_rate = sb.kernel.max_recovery_rate;
  return m;
}

Result<DevicePlan> plan_array_volume(const VolumeMapping& mapping, const KernelSlotMap& map) {
  DMIRROR_ASSIGN_OR_RETURN(DevicePlan plan, plan_volume(mapping));
  for (auto& d : plan.subdevices) {
    if (!d.role || d.slot >= map.slots.size()) continue;
    const uint32_t ours = map.slots[d.slot];
    d.name = subdevice_name(mapping.name, *d.role, ours);
    d.uuid = subdevice_dm_uuid(mapping.array_uuid, *d.role, ours);
  }
  return plan;
}

Result<ActiveVolume> bring_up(DmControl& dm, const VolumeMapping& mapping, const DevicePlan& plan) {
  detail::Rollback rollback(dm);
  ActiveVolume out;
  std::vector<DevNumber> devs;
  for (const auto& sub : plan.subdevices) {
    DMIRROR_ASSIGN_OR_RETURN(DeviceInfo info, detail::bring_up_device(dm, rollback, sub, sub.table));
    devs.push_back(info.dev);
    out.subdevices.push_back(std::move(info));
  }
  DMIRROR_ASSIGN_OR_RETURN(auto table, raid_table_for(mapping, plan, devs));
  DMIRROR_ASSIGN_OR_RETURN(out.top, detail::bring_up_device(dm, rollback, plan.top, table));
  rollback.commit();
  return out;
}

Status reload_volume(DmControl& dm, const VolumeMapping& mapping, const DevicePlan& plan) {
  detail::Rollback rollback(dm);
  std::vector<DevNumber> devs;
  for (const auto& sub : plan.subdevices) {
    auto info = dm.device_info(DeviceRef::by_name(sub.name));
    if (info) {
      devs.push_back(info->dev);
      continue;
    }
    if (info.error().code != ErrorCode::NotFound) return std::unexpected(info.error());
    DMIRROR_ASSIGN_OR_RETURN(DeviceInfo created, detail::bring_up_device(dm, rollback, sub, sub.table));
    devs.push_back(created.dev);
  }
  DMIRROR_ASSIGN_OR_RETURN(auto table, raid_table_for(mapping, plan, devs));
  const auto top = DeviceRef::by_name(plan.top.name);
  DMIRROR_RETURN_IF_ERROR(dm.load_table(top, table, {}));
  if (auto live = dm.resume(top, plan.top.udev_flags); !live) {
    // A failed preresume leaves the device suspended with the new table.
    return std::unexpected(live.error());
  }
  rollback.commit();
  return ok();
}

}  // namespace dmirror::dm
