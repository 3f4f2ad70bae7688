// SPDX-License-Identifier: LGPL-2.1-or-later
// Loop device attach/detach/lookup with the raw loop ioctls.
#include <dmirror/dm/loop.h>

#include <linux/loop.h>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <chrono>
#include <thread>
#include <unistd.h>

namespace dmirror::dm {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string loop_path(uint32_t n) { return "/dev/loop" + std::to_string(n); }

// 0, or the errno of binding `file_fd` to the open loop device.
int bind(int loop_fd, int file_fd, const std::string& file, const LoopOptions& o) {
  loop_info64 info{};
  std::strncpy(reinterpret_cast<char*>(info.lo_file_name), file.c_str(), LO_NAME_SIZE - 1);
  if (o.read_only) info.lo_flags |= LO_FLAGS_READ_ONLY;
  if (o.autoclear) info.lo_flags |= LO_FLAGS_AUTOCLEAR;
  if (o.direct_io) info.lo_flags |= LO_FLAGS_DIRECT_IO;
  loop_config config{};
  config.fd = static_cast<uint32_t>(file_fd);
  config.info = info;
  if (::ioctl(loop_fd, LOOP_CONFIGURE, &config) == 0) return 0;
  if (errno != EINVAL && errno != ENOTTY) return errno;
  // Kernels before 5.8: two steps.
  if (::ioctl(loop_fd, LOOP_SET_FD, file_fd) != 0) return errno;
  if (::ioctl(loop_fd, LOOP_SET_STATUS64, &info) != 0) {
    int err = errno;
    ::ioctl(loop_fd, LOOP_CLR_FD, 0);
    return err;
  }
  return 0;
}

}  // namespace

Result<LoopDevice> attach_loop(const std::string& file, const LoopOptions& o) {
  Fd file_fd(::open(file.c_str(), (o.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC));
  if (file_fd.get() < 0) return errno_error(errno, "open " + file);
  Fd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (control.get() < 0)
    return make_error(ErrorCode::Unsupported, "loop devices not available: cannot open /dev/loop-control", errno);
  for (int attempt = 0; attempt < 16; ++attempt) {
    int n = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
    if (n < 0) return errno_error(errno, "find a free loop device");
    std::string path = loop_path(static_cast<uint32_t>(n));
    Fd loop_fd(::open(path.c_str(), (o.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC));
    if (loop_fd.get() < 0) {
      if (errno == ENOENT) {  // node not yet created by devtmpfs/udev
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      return errno_error(errno, "open " + path);
    }
    int err = bind(loop_fd.get(), file_fd.get(), file, o);
    if (err == 0) return LoopDevice{path, static_cast<uint32_t>(n)};
    if (err != EBUSY) return errno_error(err, "attach " + file + " to " + path);
    // Someone else took it between GET_FREE and CONFIGURE: try again.
  }
  return make_error(ErrorCode::Busy, "attach " + file + ": no free loop device after 16 attempts");
}

Status detach_loop(const std::string& loop_path_) {
  Fd fd(::open(loop_path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_error(errno, "open " + loop_path_);
  if (::ioctl(fd.get(), LOOP_CLR_FD, 0) != 0) {
    if (errno == ENXIO) return make_error(ErrorCode::NotFound, loop_path_ + " is not attached", ENXIO);
    return errno_error(errno, "detach " + loop_path_);
  }
  return ok();
}

Result<std::optional<LoopDevice>> find_loop_for_file(const std::string& file) {
  struct stat st;
  if (::stat(file.c_str(), &st) != 0) return errno_error(errno, "stat " + file);
  DIR* dir = ::opendir("/dev");
  if (!dir) return errno_error(errno, "list /dev");
  std::optional<LoopDevice> found;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (!n.starts_with("loop") || n.size() == 4 || n.find_first_not_of("0123456789", 4) != std::string_view::npos)
      continue;
    std::string path = "/dev/" + std::string(n);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) continue;
    loop_info64 info{};
    if (::ioctl(fd.get(), LOOP_GET_STATUS64, &info) != 0) continue;  // ENXIO: unbound
    if (info.lo_device == st.st_dev && info.lo_inode == st.st_ino) {
      found = LoopDevice{path, static_cast<uint32_t>(std::stoul(std::string(n.substr(4))))};
      break;
    }
  }
  ::closedir(dir);
  return found;
}

}  // namespace dmirror::dm
