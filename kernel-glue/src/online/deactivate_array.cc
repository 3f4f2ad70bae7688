// SPDX-License-Identifier: LGPL-2.1-or-later
// deactivate_array(): suspend, final status, remove, import, clear flags.
#include <dmirror/dm/online/deactivate_array.h>

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/volume.h>

#include <fstream>
#include <optional>
#include <sys/stat.h>

namespace dmirror::dm {
namespace {

// Sub-devices left by an interrupted activation, matched by their names.
Status remove_leftovers(DmControl& dm, const std::string& name) {
  DMIRROR_ASSIGN_OR_RETURN(auto all, dm.list_devices(kDmUuidPrefix));
  bool any = false;
  for (const auto& d : all) {
    auto parsed = d.uuid ? parse_dm_uuid(*d.uuid) : std::nullopt;
    if (!parsed || !parsed->role || d.name != subdevice_name(name, *parsed->role, parsed->slot)) continue;
    DMIRROR_RETURN_IF_ERROR(dm.remove_device(DeviceRef::by_name(d.name), RemoveOptions{}));
    any = true;
  }
  if (!any) return make_error(ErrorCode::NotFound, "no volume '" + name + "' is active");
  return ok();
}

std::string sysfs_read(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// "/dev/loop3" -> "/sys/block/loop3/loop/"
std::string loop_sysfs(const std::string& dev) {
  return "/sys/block/" + dev.substr(dev.rfind('/') + 1) + "/loop/";
}

}  // namespace

Result<DeactivateReport> deactivate_array(DmControl& dm, const std::string& name) {
  auto live = open_live_volume(dm, name);
  if (!live) {
    if (live.error().code != ErrorCode::NotFound) return std::unexpected(live.error());
    DMIRROR_RETURN_IF_ERROR(remove_leftovers(dm, name));
    return DeactivateReport{name, std::nullopt, {}, {}};
  }
  const auto top = DeviceRef::by_name(name);
  DMIRROR_ASSIGN_OR_RETURN(DeviceInfo info, dm.device_info(top));
  if (info.open_count > 0)
    return make_error(ErrorCode::Busy, "volume '" + name + "' is in use (open " + std::to_string(info.open_count) +
                                           " time(s): mounted, or held by another device). Unmount or close it first");
  DeactivateReport rep;
  rep.name = name;
  for (uint32_t s : live->legs.present_slots()) {
    const std::string path = live->legs.path(s);
    rep.leg_paths.push_back(path);
    if (path.starts_with("/dev/loop")) rep.loops.push_back(LoopLeg{path, sysfs_read(loop_sysfs(path) + "backing_file")});
  }

  // A suspended raid set always reports "frozen": keep the action seen
  // just before suspending, and the health chars seen after it.
  auto before = query(dm, name);
  DMIRROR_RETURN_IF_ERROR(dm.suspend(top, SuspendOptions{}));
  if (auto st = query(dm, name); st) {
    rep.final_status = st->raid;
    if (st->raid.action == SyncAction::Frozen && before && before->raid.action != SyncAction::Frozen) {
      rep.final_status = before->raid;
      rep.final_status->health_chars = st->raid.health_chars;
      rep.final_status->health = st->raid.health;
    }
  }
  if (auto removed = dm.remove_device(top, RemoveOptions{}); !removed) {
    (void)dm.resume(top);
    return std::unexpected(removed.error());
  }
  DMIRROR_ASSIGN_OR_RETURN(auto subs, dm.list_devices(subdevice_uuid_prefix(live->array_id)));
  Status sub_status = ok();
  for (const auto& d : subs) {
    auto r = dm.remove_device(DeviceRef::by_name(d.name), RemoveOptions{});
    if (!r && sub_status) sub_status = r;
  }

  DMIRROR_ASSIGN_OR_RETURN(rep.imported, import_kernel_state(live->legs, ImportOptions{.final_status = rep.final_status}));
  std::string health = rep.final_status ? rep.final_status->health_chars : "unknown";
  live->legs.record_event(EventType::DeactivatedClean, kNoSlot, {rep.imported.failed.size()},
                          "deactivated; final health " + health);
  live = std::unexpected(Error{});  // closes the legs: autoclear loop devices go away now
  for (auto& l : rep.loops) {
    struct stat st {};
    l.detached = ::stat((loop_sysfs(l.device) + "backing_file").c_str(), &st) != 0;
  }
  if (!sub_status) return std::unexpected(sub_status.error());
  return rep;
}

}  // namespace dmirror::dm
