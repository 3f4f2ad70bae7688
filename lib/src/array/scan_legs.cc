// SPDX-License-Identifier: LGPL-2.1-or-later
// scan_legs(): every block device of the host (from /sys/class/block) plus
// the given paths, opened read-only and shared, keeping those that carry a
// dmirror superblock. Devices that cannot be opened are skipped silently; a
// path naming storage already found (a loop device and its file) is kept once.
// A device another one is stacked on (a device-mapper device over all of it:
// multipath, a linear or test target, an encrypted or cached view) shows the
// same superblock as the device above it: only the topmost is kept, as LVM
// and mdadm skip such components, so one leg is never counted twice. A loop
// device over a leg's block device is the other way round: a view, dropped.
#include <dmirror/array.h>
#include <dmirror/legs.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace dmirror {
namespace {

bool has_media(const std::filesystem::path& sys) {
  std::ifstream in(sys / "size");
  uint64_t sectors = 0;
  return static_cast<bool>(in >> sectors) && sectors > 0;
}

std::vector<std::string> block_devices() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/block", ec)) {
    if (!has_media(entry.path())) continue;
    const std::string dev = "/dev/" + entry.path().filename().string();
    if (std::filesystem::exists(dev, ec)) out.push_back(dev);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "vda", "dm-3": the kernel's name of a block device path; "" for others.
std::string kernel_name(const std::string& path) {
  std::error_code ec;
  const auto real = std::filesystem::canonical(path, ec);
  if (ec || real.parent_path() != "/dev") return {};
  const std::string name = real.filename().string();
  return std::filesystem::exists("/sys/class/block/" + name, ec) ? name : std::string();
}

// The block device a loop device `name` reads from ("" when none: not a
// loop device, or one over a regular file).
std::string loop_backing_device(const std::string& name) {
  std::ifstream in("/sys/class/block/" + name + "/loop/backing_file");
  std::string path;
  if (!std::getline(in, path) || path.empty()) return {};
  return kernel_name(path);
}

// Whether `upper` is stacked on `lower` through the kernel's holders links
// (device mapper, md).
bool stacked_on(const std::string& upper, const std::string& lower, int depth = 0) {
  if (depth > 8) return false;
  std::error_code ec;
  for (const auto& h : std::filesystem::directory_iterator("/sys/class/block/" + lower + "/holders", ec)) {
    const std::string name = h.path().filename().string();
    if (name == upper || stacked_on(upper, name, depth + 1)) return true;
  }
  return false;
}

// Drops every found device that another found device with the same leg
// is stacked on, and all but the first of several stacked on one device.
void keep_topmost(std::vector<FoundLeg>& found) {
  std::vector<std::string> names;
  for (const auto& f : found) names.push_back(kernel_name(f.path));
  std::vector<bool> under(found.size(), false);
  for (size_t i = 0; i < found.size(); ++i)
    for (size_t j = 0; j < found.size() && !under[i]; ++j)
      under[i] = i != j && !names[i].empty() && !names[j].empty() &&
                 found[i].meta.sb.leg_uuid == found[j].meta.sb.leg_uuid &&
                 found[i].meta.sb.array_uuid == found[j].meta.sb.array_uuid && stacked_on(names[j], names[i]);
  // Two devices over the same one (two dm maps of a whole disk) are one
  // leg too: the first found stands for it.
  auto same_leg = [&](size_t i, size_t j) {
    return found[i].meta.sb.leg_uuid == found[j].meta.sb.leg_uuid &&
           found[i].meta.sb.array_uuid == found[j].meta.sb.array_uuid;
  };
  for (size_t j = 0; j < found.size(); ++j)
    for (size_t i = 0; i < j && !under[j] && !names[j].empty(); ++i)
      for (size_t k = 0; k < found.size() && !under[j]; ++k)
        under[j] = !under[i] && under[k] && !names[i].empty() && !names[k].empty() && same_leg(i, j) &&
                   same_leg(j, k) && stacked_on(names[i], names[k]) && stacked_on(names[j], names[k]);
  // A loop device over a leg's block device (loop makes no holders link) is
  // a view of it, not a layer the leg is used through: the device under it
  // is kept, so a loop an administrator set up for a look never becomes
  // part of the live table.
  for (size_t i = 0; i < found.size(); ++i)
    for (size_t k = 0; k < found.size() && !under[i]; ++k)
      under[i] = i != k && !names[k].empty() && same_leg(i, k) && loop_backing_device(names[i]) == names[k];
  std::vector<FoundLeg> kept;
  for (size_t i = 0; i < found.size(); ++i)
    if (!under[i]) kept.push_back(std::move(found[i]));
  found = std::move(kept);
}

}  // namespace

Result<std::vector<FoundLeg>> scan_legs(const std::vector<std::string>& extra_paths) {
  std::vector<FoundLeg> found;
  std::vector<PathIdentity> ids;
  auto consider = [&](const std::string& path, bool required) -> Status {
    auto id = identify_path(path);
    if (!id) return required ? Status(std::unexpected(id.error())) : ok();
    for (const auto& other : ids) {
      if (same_storage(other, *id)) return ok();
    }
    auto dev = open_for_probe(path);
    if (!dev) return required ? Status(std::unexpected(dev.error())) : ok();
    auto meta = read_leg(**dev);
    if (!meta) return ok();
    ids.push_back(*id);
    found.push_back(FoundLeg{path, std::move(*meta)});
    return ok();
  };
  for (const auto& dev : block_devices()) DMIRROR_RETURN_IF_ERROR(consider(dev, false));
  for (const auto& path : extra_paths) DMIRROR_RETURN_IF_ERROR(consider(path, true));
  keep_topmost(found);
  return found;
}

}  // namespace dmirror
