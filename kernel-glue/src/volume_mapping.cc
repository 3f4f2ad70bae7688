// SPDX-License-Identifier: LGPL-2.1-or-later
// From a VolumeMapping to the dm devices and tables that realise it.
#include <dmirror/dm/volume_mapping.h>

#include <dmirror/dm/dm_udev.h>
#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/simple_targets.h>

namespace dmirror::dm {
namespace {

constexpr uint64_t kSector = 512;

std::unexpected<Error> invalid(const VolumeMapping& m, const std::string& why) {
  return make_error(ErrorCode::InvalidArgument, "volume " + m.name + ": " + why);
}

PlannedDevice subdevice(const VolumeMapping& m, SubdeviceRole role, uint32_t slot, DevNumber dev,
                        uint64_t offset, uint64_t size) {
  PlannedDevice d;
  d.name = subdevice_name(m.name, role, slot);
  d.uuid = subdevice_dm_uuid(m.array_uuid, role, slot);
  d.udev_flags = udev_flag::kHiddenSubdevice;
  d.role = role;
  d.slot = slot;
  d.table.push_back(linear_target(0, size / kSector, LinearParams{dev, offset / kSector}));
  return d;
}

}  // namespace

Result<DevicePlan> plan_volume(const VolumeMapping& m) {
  DMIRROR_RETURN_IF_ERROR(validate_volume_name(m.name));
  DMIRROR_RETURN_IF_ERROR(validate_array_uuid(m.array_uuid));
  if (m.legs.empty() || m.legs.size() > 253) return invalid(m, "1..253 legs required");
  if (m.data_size == 0 || m.data_size % kSector) return invalid(m, "data size must be a non-zero multiple of 512");
  if (m.region_size < 4096 || (m.region_size & (m.region_size - 1)))
    return invalid(m, "region size must be a power of two >= 4096 bytes");
  uint64_t data_sectors = m.data_size / kSector, region_sectors = m.region_size / kSector;
  if ((data_sectors + region_sectors - 1) / region_sectors > (uint64_t{1} << 21))
    return invalid(m, "more than 2^21 regions; use a larger region size");
  uint64_t need = kernel_metadata_min_size(data_sectors, region_sectors);

  DevicePlan plan;
  size_t present = 0;
  for (uint32_t slot = 0; slot < m.legs.size(); ++slot) {
    const LegMapping& leg = m.legs[slot];
    if (!leg.device) continue;
    ++present;
    std::string where = "leg " + std::to_string(slot) + ": ";
    if (leg.kmeta_offset % kSector || leg.kmeta_size % kSector || leg.data_offset % kSector)
      return invalid(m, where + "offsets and sizes must be multiples of 512");
    if (leg.kmeta_size < need)
      return invalid(m, where + "kernel metadata area of " + std::to_string(leg.kmeta_size) +
                            " bytes is smaller than the " + std::to_string(need) + " the bitmap needs");
    bool overlap = leg.kmeta_offset < leg.data_offset + m.data_size && leg.data_offset < leg.kmeta_offset + leg.kmeta_size;
    if (overlap) return invalid(m, where + "kernel metadata and data areas overlap");
    plan.subdevices.push_back(subdevice(m, SubdeviceRole::Kmeta, slot, *leg.device, leg.kmeta_offset, leg.kmeta_size));
    plan.subdevices.push_back(subdevice(m, SubdeviceRole::Data, slot, *leg.device, leg.data_offset, m.data_size));
  }
  if (present == 0) return invalid(m, "no leg present");
  plan.top.name = m.name;
  plan.top.uuid = volume_dm_uuid(m.array_uuid);
  // Validate the raid parameters now, with placeholder devices.
  std::vector<DevNumber> placeholders(plan.subdevices.size(), DevNumber{1, 1});
  DMIRROR_RETURN_IF_ERROR(raid_table_for(m, plan, placeholders));
  return plan;
}

Result<std::vector<TargetLine>> raid_table_for(const VolumeMapping& m, const DevicePlan& plan,
                                               std::span<const DevNumber> subdevs) {
  if (subdevs.size() != plan.subdevices.size()) return invalid(m, "sub-device count mismatch");
  Raid1Params p;
  p.nosync = m.options.nosync;
  p.rebuild = m.options.rebuild;
  p.write_mostly = m.options.write_mostly;
  p.max_write_behind = m.options.max_write_behind;
  p.min_recovery_rate = m.options.min_recovery_rate;
  p.max_recovery_rate = m.options.max_recovery_rate;
  p.region_size = m.region_size / kSector;
  p.legs.resize(m.legs.size());
  for (size_t i = 0; i < plan.subdevices.size(); ++i) {
    const auto& d = plan.subdevices[i];
    auto& leg = p.legs.at(d.slot);
    (d.role == SubdeviceRole::Kmeta ? leg.meta : leg.data) = subdevs[i];
  }
  DMIRROR_ASSIGN_OR_RETURN(TargetLine line, raid1_target(m.data_size / kSector, p));
  return std::vector<TargetLine>{std::move(line)};
}

}  // namespace dmirror::dm
