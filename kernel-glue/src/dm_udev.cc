// SPDX-License-Identifier: LGPL-2.1-or-later
// /dev/mapper node handling with and without udev (docs/kernel-facts.md §1.10).
#include <dmirror/dm/dm_udev.h>

#include <cerrno>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

namespace dmirror::dm {

bool udev_is_running() { return ::access("/run/udev/control", F_OK) == 0; }

NodePolicy resolve_node_policy(NodePolicy policy) {
  if (policy != NodePolicy::Auto) return policy;
  return udev_is_running() ? NodePolicy::Udev : NodePolicy::Manual;
}

std::string mapper_node_path(std::string_view dev_dir, std::string_view name) {
  return std::string(dev_dir) + "/mapper/" + std::string(name);
}

Status create_mapper_node(std::string_view dev_dir, std::string_view name, DevNumber dev) {
  std::string dir = std::string(dev_dir) + "/mapper";
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return errno_error(errno, "create " + dir);
  std::string path = mapper_node_path(dev_dir, name);
  dev_t want = makedev(dev.major, dev.minor);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISBLK(st.st_mode) && st.st_rdev == want) return ok();
    if (::unlink(path.c_str()) != 0) return errno_error(errno, "remove stale node " + path);
  }
  if (::mknod(path.c_str(), S_IFBLK | 0600, want) == 0) return ok();
  int err = errno;
  if (err != EPERM && err != EACCES) return errno_error(err, "create device node " + path);
  std::string target = "../dm-" + std::to_string(dev.minor);
  if (::symlink(target.c_str(), path.c_str()) != 0) return errno_error(errno, "create symlink " + path);
  return ok();
}

Status remove_mapper_node(std::string_view dev_dir, std::string_view name) {
  std::string path = mapper_node_path(dev_dir, name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error(errno, "remove node " + path);
  return ok();
}

bool wait_for_path(const std::string& path, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (::access(path.c_str(), F_OK) == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace dmirror::dm
