// SPDX-License-Identifier: LGPL-2.1-or-later
// `__complete --free-devices` (complete_words.h): the block devices `create`
// (and `replace --new`) may be given. A device is left out when it is a RAM
// disk (ram, zram), a floppy or optical drive, empty (size 0: a detached loop
// device), read-only, held by another device (device-mapper, md), mounted
// or swap (itself, or one of its partitions), the disk of the root file
// system, partitioned, or when libblkid or the dmirror superblock reader
// finds a signature on it. A device that cannot be read (no permission) is
// offered on the other checks alone: create will check it again.
#include "complete_words.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>
#include <dmirror/names.h>
#include <dmirror/probe.h>

#include <fmt/format.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace dmirror::cli {
namespace {

namespace fs = std::filesystem;
const fs::path kSysBlock = "/sys/class/block";

std::string read_line(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  return s;
}

// "8:1" of every mounted block device (mountinfo field 3) and swap device.
std::set<std::string> devices_in_use(std::string& root) {
  std::set<std::string> used;
  std::ifstream mi("/proc/self/mountinfo");
  for (std::string line; std::getline(mi, line);) {
    std::istringstream f(line);
    std::string id, parent, majmin, subroot, point;
    f >> id >> parent >> majmin >> subroot >> point;
    used.insert(majmin);
    if (point == "/") root = majmin;
  }
  std::ifstream sw("/proc/swaps");
  std::string line;
  std::getline(sw, line);  // header
  while (std::getline(sw, line)) {
    struct stat st{};
    std::string path = line.substr(0, line.find_first_of(" \t"));
    if (::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode))
      used.insert(fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev)));
  }
  return used;
}

// The whole disk a device belongs to ("sda" for "sda1"; itself for a disk).
std::string disk_of(const std::string& name) {
  std::error_code ec;
  fs::path real = fs::canonical(kSysBlock / name, ec);
  if (ec) return name;
  if (fs::exists(real / "partition")) return real.parent_path().filename().string();
  return name;
}

bool excluded_kind(const std::string& name) {
  for (const char* p : {"ram", "zram", "fd", "sr"})
    if (name.rfind(p, 0) == 0) return true;
  return false;
}

bool has_holders_or_partitions(const std::string& name) {
  std::error_code ec;
  if (!fs::is_empty(kSysBlock / name / "holders", ec) && !ec) return true;
  for (const auto& e : fs::directory_iterator(kSysBlock / name, ec))
    if (e.path().filename().string().rfind(name, 0) == 0 && fs::exists(e.path() / "partition")) return true;
  return false;
}

// True when a signature was found; false when none, or the device could not be read.
bool carries_signature(const std::string& path) {
  OpenOptions o;
  o.writable = false;
  o.exclusive = false;
  auto dev = open_device(path, o);
  if (!dev) return false;
  if (read_leg(**dev)) return true;
  auto sigs = probe_signatures(path);
  return sigs && !sigs->empty();
}

}  // namespace

void print_free_devices() {
  std::string root;
  const std::set<std::string> used = devices_in_use(root);
  std::string root_disk;
  if (!root.empty()) {
    std::error_code ec;
    fs::path real = fs::canonical(fs::path("/sys/dev/block") / root, ec);
    if (!ec) root_disk = disk_of(real.filename().string());
  }
  std::set<std::string> busy_disks;  // disks with a mounted or swap partition
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kSysBlock, ec)) {
    const std::string name = e.path().filename().string();
    names.push_back(name);
    if (used.contains(read_line(e.path() / "dev"))) busy_disks.insert(disk_of(name));
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (excluded_kind(name)) continue;
    const fs::path sys = kSysBlock / name;
    const std::string majmin = read_line(sys / "dev");
    const uint64_t sectors = std::strtoull(read_line(sys / "size").c_str(), nullptr, 10);
    if (sectors == 0 || read_line(sys / "ro") == "1") continue;
    if (used.contains(majmin) || busy_disks.contains(name)) continue;
    const std::string disk = disk_of(name);
    if (!root_disk.empty() && disk == root_disk) continue;
    if (has_holders_or_partitions(name)) continue;
    const std::string path = "/dev/" + name;
    if (carries_signature(path)) continue;
    fmt::print("{}\t{}\n", path, format_size(sectors * 512));
  }
}

}  // namespace dmirror::cli
