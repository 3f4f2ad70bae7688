// SPDX-License-Identifier: LGPL-2.1-or-later
// disk_extents(): what disk space a block device maps onto (disk_overlap.h).
#include <dmirror/dm/online/disk_overlap.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace dmirror::dm {
namespace {

namespace fs = std::filesystem;

std::string read_line(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  return s;
}

// "MAJ:MIN" as sysfs writes it in a `dev` file.
std::optional<DevNumber> parse_dev(const std::string& s) {
  const auto colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size() || colon > 9 || s.size() - colon > 10 ||
      s.find_first_not_of("0123456789:") != std::string::npos || s.find(':', colon + 1) != std::string::npos)
    return std::nullopt;
  return DevNumber{static_cast<uint32_t>(std::stoul(s.substr(0, colon))),
                   static_cast<uint32_t>(std::stoul(s.substr(colon + 1)))};
}

uint64_t read_u64(const fs::path& p, uint64_t fallback) {
  std::string s = read_line(p);
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return fallback;
  return std::stoull(s);
}

void collect(DevNumber dev, const std::string& sysfs, int depth, std::vector<DiskExtent>& out) {
  const fs::path dir = fs::path(sysfs) / "dev" / "block" / dev.str();
  std::error_code ec;
  if (depth > 16 || !fs::exists(dir, ec)) {
    out.push_back(DiskExtent{dev.str()});
    return;
  }
  // A loop device: its backing file or device.
  if (std::string backing = read_line(dir / "loop" / "backing_file"); !backing.empty()) {
    struct stat st {};
    if (::stat(backing.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) {
      collect(DevNumber{major(st.st_rdev), minor(st.st_rdev)}, sysfs, depth + 1, out);
    } else if (::stat(backing.c_str(), &st) == 0) {
      out.push_back(DiskExtent{"file:" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)});
    } else {
      out.push_back(DiskExtent{"file:" + backing});
    }
    return;
  }
  // A device stacked on others (dm, md): all of each.
  bool stacked = false;
  for (const auto& e : fs::directory_iterator(dir / "slaves", ec)) {
    const auto below = parse_dev(read_line(e.path() / "dev"));
    if (!below) continue;
    stacked = true;
    collect(*below, sysfs, depth + 1, out);
  }
  if (stacked) return;
  // A partition: its stretch of the whole disk (the directory above it).
  if (fs::exists(dir / "partition", ec)) {
    const fs::path disk = fs::canonical(dir, ec).parent_path();
    const std::string num = read_line(disk / "dev");
    if (!ec && !num.empty()) {
      out.push_back(DiskExtent{num, read_u64(dir / "start", 0), read_u64(dir / "size", ~uint64_t{0})});
      return;
    }
  }
  out.push_back(DiskExtent{dev.str()});
}

}  // namespace

std::vector<DiskExtent> disk_extents(DevNumber dev, const std::string& sysfs) {
  std::vector<DiskExtent> out;
  collect(dev, sysfs, 0, out);
  return out;
}

bool extents_overlap(const std::vector<DiskExtent>& a, const std::vector<DiskExtent>& b) {
  for (const auto& x : a)
    for (const auto& y : b) {
      if (x.disk != y.disk) continue;
      const uint64_t x_end = x.sectors > ~uint64_t{0} - x.start ? ~uint64_t{0} : x.start + x.sectors;
      const uint64_t y_end = y.sectors > ~uint64_t{0} - y.start ? ~uint64_t{0} : y.start + y.sectors;
      if (x.start < y_end && y.start < x_end) return true;
    }
  return false;
}

}  // namespace dmirror::dm
