// SPDX-License-Identifier: LGPL-2.1-or-later
// scan_legs(): every block device of the host (from /sys/class/block) plus
// the given paths, opened read-only and shared, keeping those that carry a
// dmirror superblock. Devices that cannot be opened are skipped silently; a
// path naming storage already found (a loop device and its file) is kept once.
#include <dmirror/array.h>

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
    auto dev = open_device(path, OpenOptions{.writable = false, .exclusive = false});
    if (!dev) return required ? Status(std::unexpected(dev.error())) : ok();
    auto meta = read_leg(**dev);
    if (!meta) return ok();
    ids.push_back(*id);
    found.push_back(FoundLeg{path, std::move(*meta)});
    return ok();
  };
  for (const auto& dev : block_devices()) DMIRROR_RETURN_IF_ERROR(consider(dev, false));
  for (const auto& path : extra_paths) DMIRROR_RETURN_IF_ERROR(consider(path, true));
  return found;
}

}  // namespace dmirror
