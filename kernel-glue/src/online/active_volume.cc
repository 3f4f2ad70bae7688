// SPDX-License-Identifier: LGPL-2.1-or-later
// Lookups of an array's dm devices and of the block devices under them.
#include <dmirror/dm/online/active_volume.h>

#include <dmirror/dm/simple_targets.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

namespace dmirror::dm {

Result<ArrayDevices> find_array_devices(DmControl& dm, const Uuid& array_uuid) {
  const std::string top_uuid = volume_dm_uuid(array_dm_id(array_uuid));
  DMIRROR_ASSIGN_OR_RETURN(auto listed, dm.list_devices(top_uuid));
  ArrayDevices out;
  for (auto& d : listed) {
    if (!d.uuid) continue;
    auto parsed = parse_dm_uuid(*d.uuid);
    if (!parsed || parsed->array_uuid != array_dm_id(array_uuid)) continue;
    if (parsed->role) out.subdevices.push_back(std::move(d));
    else out.top = std::move(d);
  }
  return out;
}

Result<ParsedDmUuid> find_volume_by_name(DmControl& dm, const std::string& name) {
  auto info = dm.device_info(DeviceRef::by_name(name));
  if (!info) {
    if (info.error().code == ErrorCode::NotFound)
      return make_error(ErrorCode::NotFound, "no volume '" + name + "' is active");
    return std::unexpected(info.error());
  }
  auto parsed = parse_dm_uuid(info->uuid);
  if (!parsed || parsed->role)
    return make_error(ErrorCode::NotDmirror,
                      "device-mapper device '" + name + "' is not a dmirror volume (uuid '" + info->uuid + "')");
  return *parsed;
}

Result<std::map<uint32_t, DevNumber>> volume_leg_devices(DmControl& dm, const std::string& array_id) {
  DMIRROR_ASSIGN_OR_RETURN(auto subs, dm.list_devices(subdevice_uuid_prefix(array_id)));
  std::map<uint32_t, DevNumber> out;
  for (const auto& d : subs) {
    auto parsed = d.uuid ? parse_dm_uuid(*d.uuid) : std::nullopt;
    if (!parsed || parsed->role != SubdeviceRole::Kmeta) continue;
    DMIRROR_ASSIGN_OR_RETURN(auto table, dm.table_status(DeviceRef::by_name(d.name), StatusType::Table));
    if (table.targets.size() != 1 || table.targets[0].type != "linear") continue;
    DMIRROR_ASSIGN_OR_RETURN(auto lin, parse_linear_params(table.targets[0].params));
    out[parsed->slot] = lin.dev;
  }
  return out;
}

Result<std::string> block_device_path(DevNumber dev) {
  const std::string uevent = "/sys/dev/block/" + dev.str() + "/uevent";
  std::ifstream in(uevent);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("DEVNAME=")) return "/dev/" + line.substr(8);
  return make_error(ErrorCode::NotFound, "no block device " + dev.str() + " (nothing in " + uevent + ")");
}

Result<DevNumber> block_device_number(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_error(errno, "stat " + path);
  if (!S_ISBLK(st.st_mode))
    return make_error(ErrorCode::InvalidArgument, path + " is not a block device");
  return DevNumber{major(st.st_rdev), minor(st.st_rdev)};
}

Result<std::unique_ptr<DmControl>> open_online_control() {
  auto dm = open_dm_control();
  if (dm || dm.error().code != ErrorCode::Unsupported) return dm;
  // The control node may be missing while the module can still be loaded:
  // opening a node for char 10:236 autoloads dm-mod (docs/kernel-facts.md §1.1).
  struct stat st {};
  if (::stat("/dev/mapper/control", &st) != 0) {
    const bool made = ::mkdir("/dev/mapper", 0755) == 0;
    if ((made || errno == EEXIST) && ::mknod("/dev/mapper/control", S_IFCHR | 0600, makedev(10, 236)) == 0) {
      auto retry = open_dm_control();
      if (retry) return retry;
      ::unlink("/dev/mapper/control");
    }
    if (made) ::rmdir("/dev/mapper");
  }
  return make_error(ErrorCode::Unsupported,
                    "device-mapper is not available on this system: /dev/mapper/control is missing or no driver answers it, and the "
                    "dm_mod module could not be loaded. Load it (modprobe dm_mod) or use a kernel with "
                    "device-mapper; offline commands still work");
}

}  // namespace dmirror::dm
