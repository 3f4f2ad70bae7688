// SPDX-License-Identifier: LGPL-2.1-or-later
// The other names of a leg's storage (see lock_alias.h).
#include "array/lock_alias.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>

namespace dmirror::lockalias {
namespace {

constexpr unsigned kLoopMajor = 7;

// The loop driver's record of what backs the loop device `fd`.
bool loop_backing(int fd, dev_t& dev, ino_t& ino) {
  loop_info64 info{};
  if (::ioctl(fd, LOOP_GET_STATUS64, &info) != 0) return false;   // ENXIO: not attached
  dev = static_cast<dev_t>(info.lo_device);
  ino = static_cast<ino_t>(info.lo_inode);
  return true;
}

std::string backing_file_of(const std::string& loop_name) {
  std::ifstream in("/sys/block/" + loop_name + "/loop/backing_file");
  std::string path;
  std::getline(in, path);
  return path;
}

}  // namespace

std::vector<std::string> storage_aliases(int fd, const struct stat& st) {
  std::vector<std::string> out;
  if (S_ISBLK(st.st_mode) && ::major(st.st_rdev) == kLoopMajor) {
    dev_t dev = 0;
    ino_t ino = 0;
    if (!loop_backing(fd, dev, ino)) return out;
    const std::string file = backing_file_of("loop" + std::to_string(::minor(st.st_rdev)));
    struct stat f {};
    if (!file.empty() && ::stat(file.c_str(), &f) == 0 && f.st_dev == dev && f.st_ino == ino) out.push_back(file);
    return out;
  }
  if (!S_ISREG(st.st_mode)) return out;
  DIR* d = ::opendir("/sys/block");
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.rfind("loop", 0) != 0) continue;
    const std::string file = backing_file_of(name);
    struct stat f {};
    if (file.empty() || ::stat(file.c_str(), &f) != 0 || f.st_dev != st.st_dev || f.st_ino != st.st_ino) continue;
    // The path may have been replaced since it was attached: ask the driver.
    const std::string node = "/dev/" + name;
    const int lfd = ::open(node.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (lfd < 0) continue;
    dev_t dev = 0;
    ino_t ino = 0;
    if (loop_backing(lfd, dev, ino) && dev == st.st_dev && ino == st.st_ino) out.push_back(node);
    ::close(lfd);
  }
  ::closedir(d);
  return out;
}

}  // namespace dmirror::lockalias
