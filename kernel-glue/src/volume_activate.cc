// SPDX-License-Identifier: LGPL-2.1-or-later
// Volume activation and deactivation: sub-devices first, raid device last;
// removal in the opposite order (docs/kernel-facts.md §1.7 "remove stacked devices
// top-down"). A failed activation removes whatever it created.
#include <dmirror/dm/volume.h>

#include "device_bringup.h"

namespace dmirror::dm {

Result<ActiveVolume> activate(DmControl& dm, const VolumeMapping& mapping) {
  DMIRROR_ASSIGN_OR_RETURN(DevicePlan plan, plan_volume(mapping));
  detail::Rollback rollback(dm);
  ActiveVolume out;
  std::vector<DevNumber> devs;
  for (const auto& sub : plan.subdevices) {
    DMIRROR_ASSIGN_OR_RETURN(DeviceInfo info, detail::bring_up_device(dm, rollback, sub, sub.table, {}));
    devs.push_back(info.dev);
    out.subdevices.push_back(std::move(info));
  }
  DMIRROR_ASSIGN_OR_RETURN(auto table, raid_table_for(mapping, plan, devs));
  LoadOptions load{.read_only = mapping.options.read_only};
  DMIRROR_ASSIGN_OR_RETURN(out.top, detail::bring_up_device(dm, rollback, plan.top, table, load));
  rollback.commit();
  return out;
}

Status deactivate(DmControl& dm, std::string_view name, const DeactivateOptions& options) {
  auto top = dm.device_info(DeviceRef::by_name(std::string(name)));
  if (!top && top.error().code != ErrorCode::NotFound) return std::unexpected(top.error());

  std::vector<ListedDevice> subs;
  if (top) {
    auto parsed = parse_dm_uuid(top->uuid);
    if (!parsed || parsed->role)
      return make_error(ErrorCode::NotDmirror, "device " + std::string(name) + " is not a dmirror volume (uuid '" +
                                                   top->uuid + "')");
    DMIRROR_ASSIGN_OR_RETURN(subs, dm.list_devices(subdevice_uuid_prefix(parsed->array_uuid)));
  } else {
    DMIRROR_ASSIGN_OR_RETURN(auto all, dm.list_devices(kDmUuidPrefix));
    for (auto& d : all) {
      auto parsed = d.uuid ? parse_dm_uuid(*d.uuid) : std::nullopt;
      if (parsed && parsed->role && d.name == subdevice_name(name, *parsed->role, parsed->slot))
        subs.push_back(std::move(d));
    }
    if (subs.empty()) return make_error(ErrorCode::NotFound, "no volume " + std::string(name) + " is active");
  }

  RemoveOptions remove{.deferred = options.deferred};
  if (top) DMIRROR_RETURN_IF_ERROR(dm.remove_device(DeviceRef::by_name(std::string(name)), remove));
  for (const auto& sub : subs)
    DMIRROR_RETURN_IF_ERROR(dm.remove_device(DeviceRef::by_name(sub.name), remove));
  return ok();
}

}  // namespace dmirror::dm
