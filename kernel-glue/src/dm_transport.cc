// SPDX-License-Identifier: LGPL-2.1-or-later
// The real DmTransport: ioctl(2) on /dev/mapper/control.
#include <dmirror/dm/dm_transport.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace dmirror::dm {

DmTransport::~DmTransport() = default;

namespace {

class ControlTransport final : public DmTransport {
 public:
  explicit ControlTransport(int fd) : fd_(fd) {}
  ~ControlTransport() override { ::close(fd_); }
  int call(unsigned long request, void* buffer) override {
    // EINTR (DEV_WAIT, suspend) is returned to the caller as Cancelled.
    return ::ioctl(fd_, request, buffer) == 0 ? 0 : errno;
  }
  int poll_fd() const override { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<std::unique_ptr<DmTransport>> open_dm_transport(const std::string& control_path) {
  int fd = ::open(control_path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENODEV || err == ENXIO)
      return make_error(ErrorCode::Unsupported,
                        "device-mapper not available: cannot open " + control_path +
                            " (load the dm_mod module)", err);
    if (err == EACCES || err == EPERM)
      return make_error(ErrorCode::PermissionDenied,
                        "open " + control_path + ": root (CAP_SYS_ADMIN) required", err);
    return errno_error(err, "open " + control_path);
  }
  return std::unique_ptr<DmTransport>(new ControlTransport(fd));
}

}  // namespace dmirror::dm
