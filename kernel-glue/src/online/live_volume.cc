// SPDX-License-Identifier: LGPL-2.1-or-later
// open_live_volume(): from a volume name to its legs.
#include <dmirror/dm/online/live_volume.h>

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/legs.h>

#include <sys/stat.h>

namespace dmirror::dm {

Result<NamedDevice> open_leg_shared(const std::string& path) {
  struct stat st {};
  const bool block = ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
  DMIRROR_ASSIGN_OR_RETURN(auto dev, open_device(path, OpenOptions{.writable = true, .direct = block, .exclusive = false}));
  return NamedDevice{path, block ? make_aligned_device(std::move(dev)) : std::move(dev)};
}

Result<LiveVolume> open_live_volume(DmControl& dm, const std::string& name) {
  DMIRROR_ASSIGN_OR_RETURN(ParsedDmUuid parsed, find_volume_by_name(dm, name));
  DMIRROR_ASSIGN_OR_RETURN(auto devs, volume_leg_devices(dm, parsed.array_uuid));
  if (devs.empty())
    return make_error(ErrorCode::NotFound, "volume '" + name + "' has no leg sub-devices; it was not set up by dmirrorctl");
  std::vector<NamedDevice> opened;
  for (const auto& [slot, dev] : devs) {
    DMIRROR_ASSIGN_OR_RETURN(std::string path, block_device_path(dev));
    DMIRROR_ASSIGN_OR_RETURN(auto leg, open_leg_shared(path));
    opened.push_back(std::move(leg));
  }
  DMIRROR_ASSIGN_OR_RETURN(auto legs, ArrayLegs::assemble(std::move(opened), ArrayLegsOptions{.split_brain = SplitBrainPolicy::NewestSideOnly}));
  return LiveVolume{name, parsed.array_uuid, std::move(devs), std::move(legs)};
}

}  // namespace dmirror::dm
