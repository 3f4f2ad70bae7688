// SPDX-License-Identifier: LGPL-2.1-or-later
// Which storage a path names, so create can refuse the same leg given twice:
// symlinks resolve through stat(), a loop device is matched to its backing
// file (LOOP_GET_STATUS64, or sysfs when the device cannot be opened), and a
// partition is matched to its whole disk through /sys/dev/block/M:m.
#include <dmirror/block_device.h>

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <optional>

namespace dmirror {
namespace {

std::string sysfs_dir(dev_t dev) {
  return "/sys/dev/block/" + std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
}

std::optional<DeviceIdentity> loop_backing_ioctl(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct loop_info64 info {};
  int rc = ::ioctl(fd, LOOP_GET_STATUS64, &info);
  ::close(fd);
  if (rc != 0) return std::nullopt;
  DeviceIdentity id;
  id.st_dev = static_cast<dev_t>(info.lo_device);
  id.st_ino = static_cast<ino_t>(info.lo_inode);
  return id;
}

std::optional<DeviceIdentity> loop_backing_sysfs(dev_t dev) {
  std::ifstream in(sysfs_dir(dev) + "/loop/backing_file");
  std::string file;
  if (!in || !std::getline(in, file) || file.empty()) return std::nullopt;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  DeviceIdentity id;
  id.st_dev = st.st_dev;
  id.st_ino = st.st_ino;
  return id;
}

// The whole disk holding partition `dev`, or `dev` itself.
dev_t whole_disk(dev_t dev) {
  std::error_code ec;
  const std::string dir = sysfs_dir(dev);
  if (!std::filesystem::exists(dir + "/partition", ec)) return dev;
  auto real = std::filesystem::canonical(dir, ec);
  if (ec) return dev;
  std::ifstream in(real.parent_path() / "dev");
  unsigned maj = 0, min = 0;
  char colon = 0;
  if (!(in >> maj >> colon >> min) || colon != ':') return dev;
  return makedev(maj, min);
}

bool same_file(const DeviceIdentity& a, const DeviceIdentity& b) {
  return !a.is_block_device && !b.is_block_device && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

Result<PathIdentity> identify_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return make_error(ErrorCode::NotFound, path + ": no such file or device");
    return errno_error(errno, "stat " + path);
  }
  PathIdentity id;
  if (S_ISBLK(st.st_mode)) {
    id.self.is_block_device = true;
    id.self.rdev = st.st_rdev;
    std::error_code ec;
    if (std::filesystem::exists(sysfs_dir(st.st_rdev) + "/loop", ec) || major(st.st_rdev) == 7) {
      auto backing = loop_backing_ioctl(path);
      if (!backing) backing = loop_backing_sysfs(st.st_rdev);
      if (backing) {
        id.has_backing_file = true;
        id.backing = *backing;
      }
    }
  } else {
    id.self.st_dev = st.st_dev;
    id.self.st_ino = st.st_ino;
  }
  return id;
}

bool same_storage(const PathIdentity& a, const PathIdentity& b) {
  const DeviceIdentity& x = a.self;
  const DeviceIdentity& y = b.self;
  if (x.is_block_device && y.is_block_device) {
    if (x.rdev == y.rdev) return true;
    if (whole_disk(x.rdev) == y.rdev || whole_disk(y.rdev) == x.rdev) return true;
    return a.has_backing_file && b.has_backing_file && same_file(a.backing, b.backing);
  }
  if (same_file(x, y)) return true;
  if (a.has_backing_file && same_file(a.backing, y)) return true;
  if (b.has_backing_file && same_file(b.backing, x)) return true;
  return false;
}

}  // namespace dmirror
