// SPDX-License-Identifier: LGPL-2.1-or-later
// open_live_volume(): from a volume name to its legs.
#include <dmirror/dm/online/live_volume.h>

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/leg.h>
#include <dmirror/legs.h>

#include <optional>
#include <vector>

#include <sys/stat.h>

namespace dmirror::dm {

Result<NamedDevice> open_leg_shared(const std::string& path) {
  struct stat st {};
  const bool block = ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
  DMIRROR_ASSIGN_OR_RETURN(auto dev, open_device(path, OpenOptions{.writable = true, .direct = block, .exclusive = false}));
  return NamedDevice{path, block ? make_aligned_device(std::move(dev)) : std::move(dev)};
}

namespace {

// A leg of the live table that a split has taken out of the array (FORMAT.md
// 2.6 rule 24) but that is still in the table (a split stopped before its
// reload): the slot is split in the newest table, and the device carries the
// array's image before the split or the split-off array. It is no member:
// never given to the assembly, kept in the table until the split's rerun.
std::vector<bool> split_off_in_table(const std::vector<NamedDevice>& opened, const std::string& array_id) {
  std::vector<std::optional<LegMetadata>> metas;
  const LegMetadata* newest = nullptr;
  for (const auto& d : opened) {
    auto m = read_leg(*d.dev);
    metas.push_back(m ? std::optional<LegMetadata>(std::move(*m)) : std::nullopt);
  }
  for (const auto& m : metas)
    if (m && m->sb.array_uuid.hex() == array_id && (!newest || m->sb.seqno > newest->sb.seqno)) newest = &*m;
  std::vector<bool> out(opened.size(), false);
  for (size_t i = 0; i < metas.size(); ++i) {
    if (!metas[i] || !newest) continue;
    const Superblock& sb = metas[i]->sb;
    if (sb.origin.set() && sb.origin.array_uuid == newest->sb.array_uuid) out[i] = true;
    for (uint32_t s = 0; s < kMaxLegs; ++s)
      if (newest->sb.legs[s].state == LegState::Split && newest->sb.legs[s].uuid == sb.leg_uuid &&
          sb.array_uuid == newest->sb.array_uuid)
        out[i] = true;
  }
  return out;
}

}  // namespace

Result<LiveVolume> open_live_volume(DmControl& dm, const std::string& name) {
  DMIRROR_ASSIGN_OR_RETURN(ParsedDmUuid parsed, find_volume_by_name(dm, name));
  DMIRROR_ASSIGN_OR_RETURN(auto devs, volume_leg_devices(dm, parsed.array_uuid));
  if (devs.empty())
    return make_error(ErrorCode::NotFound, "volume '" + name + "' has no leg sub-devices; it was not set up by dmirrorctl");
  std::vector<NamedDevice> opened;
  std::vector<std::string> unreadable;
  for (const auto& [slot, dev] : devs) {
    DMIRROR_ASSIGN_OR_RETURN(std::string path, block_device_path(dev));
    auto leg = open_leg_shared(path);
    if (!leg && leg.error().code == ErrorCode::Io) {
      unreadable.push_back(path);
      continue;
    }
    if (!leg) return std::unexpected(leg.error());
    if (auto m = read_leg(*leg->dev); !m && m.error().code == ErrorCode::Io) {
      unreadable.push_back(path);
      continue;
    }
    opened.push_back(std::move(*leg));
  }
  if (opened.empty())
    return make_error(ErrorCode::Io, "no leg of volume '" + name + "' can be read (" + unreadable.front() + "...)");
  const std::vector<bool> off = split_off_in_table(opened, parsed.array_uuid);
  std::vector<NamedDevice> members;
  for (size_t i = 0; i < opened.size(); ++i)
    if (!off[i]) members.push_back(std::move(opened[i]));
  DMIRROR_ASSIGN_OR_RETURN(auto legs, ArrayLegs::assemble(std::move(members), ArrayLegsOptions{.split_brain = SplitBrainPolicy::NewestSideOnly,
                                                                                .leave_out_retired = true}));
  return LiveVolume{name, parsed.array_uuid, std::move(devs), std::move(legs), std::move(unreadable)};
}

}  // namespace dmirror::dm
